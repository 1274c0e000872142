"""``w2v train``: check the output, train with progress, and save even when interrupted.

Everything that can make the final save fail is checked before training starts: the
output's extension, that it is not the corpus itself (or a file inside a directory corpus),
and that its directory really accepts a new file. A Ctrl-C, SIGTERM or SIGHUP during
training stops it and saves the model trained so far.
"""

from __future__ import annotations

import argparse
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

from ..callbacks import TrainingControl
from ..errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SAVED_ELSEWHERE,
    TrainingDivergedError,
    UsageError,
)
from ..checkpoints import train_or_resume
from ..ensemble import train_ensemble
from ..model import Ensemble, Model
from ..destination import DestinationWatch, OutputLock, check_output, unwritable_reason
from ..formats import save_with_fallback
from . import PROG
from .run_plan import plan_run
from .output import health_rows, phrases_value, print_fields
from .progress import ProgressReporter, epochs_value

#: Signals that stop training and save the model trained so far. SIGTERM and SIGHUP end
#: the command with 128 + the signal's number, as a shell reports a process they ended.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class _Stop:
    """What the stop signals asked for, set from the signal handler."""

    def __init__(self) -> None:
        self.signum: int | None = None  #: the first stop signal received
        self.hangup = False  #: the terminal is gone: print nothing more

    @property
    def exit_code(self) -> int:
        if self.signum is None or self.signum == getattr(signal, "SIGINT", None):
            return EXIT_INTERRUPTED
        return 128 + self.signum


@contextmanager
def stop_on_signals(on_first: Callable[[int], None]) -> Iterator[None]:
    """Turn the first Ctrl-C, SIGTERM or SIGHUP into ``on_first(signum)``.

    After that, a second Ctrl-C raises KeyboardInterrupt (abort) and further SIGTERM or
    SIGHUP are ignored (the model trained so far is being saved). Only the main thread can
    install signal handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = False

    def handler(signum: int, frame: Any) -> None:
        nonlocal fired
        if fired:
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            return
        fired = True
        on_first(signum)

    previous = {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, action in previous.items():
            signal.signal(signum, action)


def runs_value(ensemble: Ensemble) -> str:
    """``3 models on bootstrap samples of the sentences (seeds 18..., ...)``."""
    of = "" if len(ensemble) == ensemble.planned else f" of {ensemble.planned} planned"
    seeds = ", ".join(str(seed) for seed in ensemble.seeds)
    models = f"{len(ensemble)} model{'s' * (len(ensemble) > 1)}"
    return f"{models}{of} on bootstrap samples of the sentences (seed{'s' * (len(ensemble) > 1)} {seeds})"


def training_seconds(model: Model, ensemble: Ensemble | None) -> float:
    """Time spent training: the model's run, or every run of an ensemble (the stopped one too)."""
    if ensemble is None:
        return model.summary.seconds  # type: ignore[union-attr]  # set by train()
    stopped = ensemble.interrupted
    runs = ensemble.members + ([stopped] if stopped is not None and stopped is not model else [])
    return sum(m.summary.seconds for m in runs if m.summary is not None)


def cmd_train(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v train``: train on a corpus and save the model.

    The first Ctrl-C, a SIGTERM or a SIGHUP stops training and saves the model trained so
    far (exit 130, 143 or 129); a second Ctrl-C aborts without saving.
    """
    if args.resume is None:
        if args.corpus is None:
            raise UsageError("a CORPUS to train on is needed (or --resume CHECKPOINT)")
        if args.output is None:
            raise UsageError("the following arguments are required: -o/--output")
        check_output(args.output, args.corpus)  # before anything is read: fail fast

    control = TrainingControl()
    reporter = ProgressReporter(err)
    stop = _Stop()
    saving = False

    def on_signal(signum: int) -> None:
        stop.signum = signum
        if signum == getattr(signal, "SIGHUP", None):
            stop.hangup = True
            reporter.mute()  # writing to a closed terminal would fail
        if not reporter.started:  # still reading the corpus: nothing to save
            raise KeyboardInterrupt
        control.stop()
        if saving:
            reporter.interrupted("saving the model (Ctrl-C again aborts the save)")
        elif signum == signal.SIGINT:
            reporter.interrupted()
        else:
            reporter.interrupted(f"stopping on {signal.Signals(signum).name}: saving the model "
                                 "trained so far")

    plan = plan_run(  # missing, unreadable, binary, empty corpus: at once
        args,
        args.corpus,
        args.output,
        on_wait=lambda message: reporter.say(f"{PROG}: {message}"),
        on_checkpoint_failed=lambda error: reporter.say(
            f"{PROG}: warning: cannot write the checkpoint ({error}); training goes on"
        ),
    )
    if plan.output is None:
        raise UsageError(f"{args.resume} does not record where its run saved; give -o OUT")
    output = plan.output
    fmt = check_output(output, plan.corpus.name)
    watch = DestinationWatch(output)
    lock = OutputLock(output)  # a second run given the same OUT is refused
    try:
        corpus, checkpointer, runs = plan.corpus, plan.checkpointer, plan.runs
        ensemble = None
        for note in plan.notes + corpus.skip_notes() + corpus.warnings:
            reporter.say(f"{PROG}: {note}")
        started = time.perf_counter()
        reporter.reading(corpus.name)
        with stop_on_signals(on_signal):
            try:
                if runs > 1:
                    ensemble = train_ensemble(plan.corpus, plan.config, runs, [reporter], control)
                    model = ensemble.first
                else:
                    model = train_or_resume(plan.corpus, plan.config, [reporter], control,
                                            checkpointer, plan.resume_from, plan.init_from)
            except KeyboardInterrupt:
                reporter.close()
                reporter.say(f"{PROG}: aborted; nothing saved")
                return stop.exit_code
            except TrainingDivergedError as exc:
                if exc.kept is None:
                    raise TrainingDivergedError(f"{exc}; nothing saved") from None
                kept = exc.kept  # an ensemble's finished runs are sound: keep them
                saved = save_with_fallback(kept.first, watch.destination())
                raise TrainingDivergedError(
                    f"{exc}; saved the {len(kept)} finished run{'s' * (len(kept) > 1)} to {saved}"
                ) from None
            finally:
                reporter.close()
            seconds = time.perf_counter() - started
            summary = model.summary  # always set by train()
            stopped = control.stopped or summary.stopped_early
            kept_runs = ensemble is not None and ensemble.interrupted is not model
            if stopped and summary.words_trained == 0:
                reporter.say(f"{PROG}: interrupted before any word was trained; nothing saved")
                return stop.exit_code
            saving = True
            if checkpointer is not None:
                checkpointer.stamp(model)  # a native OUT can be resumed too
            target = watch.destination()  # never over a file another run wrote meanwhile
            saved = save_with_fallback(model, target)
            if checkpointer is not None:  # a stopped run's checkpoint: exactly where it stopped
                checkpointer.finish(model)

        resumed_time = ""
        if plan.resume_from is not None:
            resumed_time = f" in all, {plan.resume_from.state.seconds:.1f} s of it before resuming"
        rows = [
            ("corpus", corpus.name),
            ("vocabulary", f"{len(model.wv):,} words x {model.wv.dim} dimensions"),
            ("corpus words", f"{summary.corpus_words:,} in the vocabulary "
                             f"x {summary.epochs_completed:.2f} epochs"),
            ("epochs", epochs_value(model.config.epochs, reporter.info and reporter.info.epochs_reason)),
            ("time", f"{seconds:.1f} s ({training_seconds(model, ensemble):.1f} s training"
                     f"{resumed_time})"),
            ("speed", f"{summary.words_per_second:,.0f} words/s"),
        ]
        if ensemble is not None:
            rows.insert(2, ("runs", runs_value(ensemble)))
        if model.config.phrases:
            rows.append(("phrases", phrases_value(model.wv.words)))
        loss = reporter.mean_loss
        if math.isfinite(loss):
            rows.append(("final loss", f"{loss:.4f} (mean over epoch {reporter.epoch})"))
        health, warnings = health_rows(model.wv)
        rows += health
        rows.append(("saved", f"{saved} ({fmt.description})"))
        for warning in warnings:
            reporter.say(f"{PROG}: {warning}")
        elsewhere = saved != watch.path
        if elsewhere:
            why = (unwritable_reason(output) if target == watch.path else
                   f"{output} was written by another process while this run trained")
            reporter.say(f"{PROG}: {why}; saved the model to {saved} instead "
                         f"(exit code {EXIT_SAVED_ELSEWHERE}: {output} was not written)")
        if stop.hangup:
            return stop.exit_code
        if stopped and kept_runs:
            assert ensemble is not None
            dropped = len(ensemble) + 1
            out.print(
                f"[yellow]Interrupted[/] in run {dropped}/{ensemble.planned}: saved the "
                f"{len(ensemble)} finished run{'s' * (len(ensemble) > 1)} to {saved}; "
                f"run {dropped} was dropped (it saw only part of its sample)",
                highlight=False,
                soft_wrap=True,
            )
        elif stopped:
            done = summary.words_trained / (summary.corpus_words * model.config.epochs)
            which = "" if ensemble is None else f" (run 1/{ensemble.planned}, as a single model)"
            out.print(
                f"[yellow]Interrupted:[/] saved the model trained so far{which} ({done:.0%} of "
                f"the planned training) to {saved}",
                highlight=False,
                soft_wrap=True,
            )
            if checkpointer is not None and checkpointer.error is None:
                rows.append(("resume with", f"{PROG} train --resume {checkpointer.path}"))
        print_fields(out, rows)
        if stopped:
            return stop.exit_code
        # the model is safe, but a script's next step would read a file that was not written
        return EXIT_SAVED_ELSEWHERE if elsewhere else EXIT_OK
    finally:
        lock.release()  # another run may use OUT now
