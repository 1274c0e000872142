"""``w2v train``: check the output, train with progress, and save even when interrupted.

Everything that can make the final save fail is checked before training starts: the
output's extension, that it is not the corpus itself (or a file inside a directory corpus),
and that its directory really accepts a new file. A Ctrl-C, SIGTERM or SIGHUP during
training stops it and saves the model trained so far.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from ..callbacks import TrainingControl
from ..config import config_from_args
from ..corpus import open_corpus
from ..errors import EXIT_INTERRUPTED, EXIT_OK, TrainingDivergedError, UsageError, W2VError
from ..io import save
from ..sgns import train
from . import PROG
from .output import print_fields
from .progress import ProgressReporter

#: Output formats by file extension (the same rule as :func:`w2v_core.io.save`).
OUTPUT_FORMATS: dict[str, str] = {
    ".npz": "native .npz",
    ".bin": "word2vec binary",
    ".txt": "word2vec text",
    ".vec": "word2vec text",
}

#: Signals that stop training and save the model trained so far. SIGTERM and SIGHUP end
#: the command with 128 + the signal's number, as a shell reports a process they ended.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def output_format(path: Path) -> str:
    """Describe the format OUT's extension selects.

    Raises
    ------
    UsageError
        When the extension is not one of :data:`OUTPUT_FORMATS`.
    """
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        known = ", ".join(OUTPUT_FORMATS)
        shown = f"{suffix!r}" if suffix else "no extension"
        raise UsageError(f"cannot tell the output format of '{path}' ({shown}); use one of {known}")
    return OUTPUT_FORMATS[suffix]


def check_not_corpus(output: Path, corpus: str) -> None:
    """Refuse an output that would replace the corpus or land inside a directory corpus.

    Symbolic links and ``..`` are resolved first, so no spelling of the corpus slips
    through. Built-in and NLTK corpora are never files a save could reach.

    Raises
    ------
    UsageError
        Naming both paths.
    """
    if corpus.startswith(("builtin:", "nltk:")):
        return
    source = Path(corpus).expanduser()
    if not source.exists():
        return
    source, target = source.resolve(), output.expanduser().resolve()
    if target == source:
        raise UsageError(f"output '{output}' is the corpus file: saving would replace the corpus")
    if source.is_dir() and target.is_relative_to(source):
        raise UsageError(
            f"output '{output}' is inside the corpus directory '{corpus}': the next run would "
            "read the model as text; save it elsewhere"
        )


def probe_directory(path: Path) -> None:
    """Create and remove a file next to ``path``: the real test that a save can succeed.

    ``os.access`` says yes for root on a read-only filesystem such as ``/sys``; only
    creating a file tells.

    Raises
    ------
    W2VError
        When the directory is missing or does not accept a new file.
    """
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise W2VError(f"output directory does not exist: '{parent}'")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=parent)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise W2VError(f"output directory is not writable: '{parent}' ({reason})") from None
    os.close(fd)
    os.unlink(name)


def check_output(path: Path, corpus: str | None = None) -> str:
    """Validate OUT before any long work starts; return its format description."""
    if corpus is not None:
        check_not_corpus(path, corpus)
    fmt = output_format(path)
    if path.is_dir():
        raise UsageError(f"output '{path}' is a directory")
    probe_directory(path)
    return fmt


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


def cmd_train(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v train``: train on a corpus and save the model.

    The first Ctrl-C, a SIGTERM or a SIGHUP stops training and saves the model trained so
    far (exit 130, 143 or 129); a second Ctrl-C aborts without saving.
    """
    config = config_from_args(args)
    fmt = check_output(args.output, args.corpus)

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

    corpus = open_corpus(args.corpus).check_not_empty()  # missing, unreadable, empty: at once
    started = time.perf_counter()
    reporter.reading(corpus.name)
    with stop_on_signals(on_signal):
        try:
            model = train(corpus, config, callbacks=[reporter], control=control)
        except KeyboardInterrupt:
            reporter.close()
            reporter.say(f"{PROG}: aborted; nothing saved")
            return stop.exit_code
        except TrainingDivergedError as exc:
            raise TrainingDivergedError(f"{exc}; nothing saved") from None
        finally:
            reporter.close()
        seconds = time.perf_counter() - started
        summary = model.summary  # always set by train()
        stopped = control.stopped or summary.stopped_early
        if stopped and summary.words_trained == 0:
            reporter.say(f"{PROG}: interrupted before any word was trained; nothing saved")
            return stop.exit_code
        saving = True
        save(model, args.output)

    rows = [
        ("corpus", str(args.corpus)),
        ("vocabulary", f"{len(model.wv):,} words x {model.wv.dim} dimensions"),
        ("corpus words", f"{summary.corpus_words:,} in the vocabulary "
                         f"x {summary.epochs_completed:.2f} epochs"),
        ("time", f"{seconds:.1f} s ({summary.seconds:.1f} s training)"),
        ("speed", f"{summary.words_per_second:,.0f} words/s"),
    ]
    loss = reporter.mean_loss
    if math.isfinite(loss):
        rows.append(("final loss", f"{loss:.4f} (mean over epoch {reporter.epoch})"))
    rows.append(("saved", f"{args.output} ({fmt})"))
    if stop.hangup:
        return stop.exit_code
    if stopped:
        done = summary.words_trained / (summary.corpus_words * model.config.epochs)
        out.print(
            f"[yellow]Interrupted:[/] saved the model trained so far ({done:.0%} of the planned "
            f"training) to {args.output}",
            highlight=False,
            soft_wrap=True,
        )
    print_fields(out, rows)
    return stop.exit_code if stopped else EXIT_OK
