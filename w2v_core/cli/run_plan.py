"""What a training run of either front end will do, settled before it starts: a new run or a
resumed one, its corpus, its settings and its checkpoints.

``w2v train`` and ``w2v-tui`` both call :func:`plan_run` on their parsed options, so
``--resume``, ``--checkpoint`` and ``--checkpoint-every`` mean the same in both, and every
refusal (settings that differ from the checkpoint's, a changed corpus, an unwritable
checkpoint) comes before any long work.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..checkpoints import (
    Checkpointer, checkpoint_path_for, load_checkpoint, progress_note, reopen_corpus,
    unsaved_run_checkpoint,
)
from ..config import TrainConfig, flag
from ..corpus import Corpus, WaitNotice, open_corpus
from ..corpus_identity import identify
from ..atomic import probe_writable
from ..destination import check_not_corpus
from ..errors import UsageError
from ..model import Model
from .arguments import config_from_args, corpus_text_from_args, train_fields


@dataclass
class RunPlan:
    """A training run, ready to start.

    Attributes
    ----------
    corpus : Corpus
        Opened and checked not empty (a pipe keeps what was read).
    config : TrainConfig
        The settings (a resumed run's own, with ``threads`` as asked).
    output : Path or None
        Where the model is saved at the end.
    checkpointer : Checkpointer or None
        None when checkpoints are off (or there is nowhere to write them).
    resume_from : Model or None
        The checkpoint a resumed run continues.
    init_from : Model or None
        The trained model a run starts from (``--init``).
    notes : list of str
        Lines for the user (where the run resumes, a corpus only touched since...).
    runs : int
        ``--runs``: more than 1 trains an ensemble of bootstrap runs (then no checkpoints:
        a member cannot be resumed, its sample is not kept).
    """

    corpus: Corpus
    config: TrainConfig
    output: Path | None
    checkpointer: Checkpointer | None = None
    resume_from: Model | None = None
    notes: list[str] = field(default_factory=list)
    init_from: Model | None = None
    runs: int = 1


def plan_run(
    args: argparse.Namespace,
    corpus: str | None,
    output: str | Path | None,
    on_wait: WaitNotice | None = None,
    on_checkpoint_failed: Callable[[Exception], None] | None = None,
) -> RunPlan:
    """Settle a run from the options of :func:`~w2v_core.cli.arguments.add_train_arguments`,
    :func:`~w2v_core.cli.arguments.add_corpus_text_arguments` and
    :func:`~w2v_core.cli.arguments.add_checkpoint_arguments`.

    Parameters
    ----------
    args : argparse.Namespace
    corpus : str or None
        The corpus to train on; with ``--resume``, None means the checkpoint's own.
    output : str, Path or None
        Where the model will be saved; with ``--resume``, None means the run's own.
    on_wait : callable, optional
        Told when reading a pipe waits for input.
    on_checkpoint_failed : callable, optional
        Told, once, when a checkpoint cannot be written (training goes on).

    Raises
    ------
    UsageError
        Settings that differ from the checkpoint's; a checkpoint path that is not ``.npz``.
    NotResumableError, CorpusChangedError, CorpusError, ModelFormatError, UnwritablePathError
    """
    text = corpus_text_from_args(args)
    resume_from, init_from, notes = None, None, []
    if args.resume is not None and args.init is not None:
        raise UsageError("--resume continues a run with its own start; it takes no --init")
    runs = getattr(args, "runs", 1)
    if runs > 1 and (args.resume is not None or args.init is not None):
        raise UsageError("--runs trains new runs on bootstrap samples; it takes no "
                         + ("--resume" if args.resume is not None else "--init"))
    if args.resume is not None:
        resume_from = load_checkpoint(args.resume)
        config = _resumed_config(args, resume_from.config)
        _refuse_other_text(args, resume_from)
        opened, notes = reopen_corpus(resume_from, corpus)
        identity = resume_from.state.corpus
        if output is None:
            output = resume_from.state.output
        notes = [f"resuming {args.resume}: {progress_note(resume_from)}, on {opened.name}", *notes]
    else:
        config = config_from_args(args)
        if args.init is not None:
            from ..further import check_dimension
            from .loading import load_model

            init_from = load_model(args.init)
            config = check_dimension(init_from, config)
            notes = [f"starting from {args.init}: {len(init_from.wv):,} words x {init_from.wv.dim} "
                     "dimensions; the corpus's new words join"]
        opened = open_corpus(corpus, on_wait=on_wait, **text)
        identity = None
    opened.check_not_empty()
    if identity is None:
        identity = identify(opened, text)
    output = None if output is None else Path(output).expanduser()
    checkpointer = None
    if runs == 1:
        checkpointer = _checkpointer(args, output, identity, opened.name, on_checkpoint_failed)
    else:
        notes.append(f"{runs} runs on bootstrap samples of the sentences, one after another; "
                     "no checkpoints (a stop keeps the runs finished)")
    return RunPlan(opened, config, output, checkpointer, resume_from, notes, init_from, runs)


def _resumed_config(args: argparse.Namespace, saved: TrainConfig) -> TrainConfig:
    """The checkpoint's settings with ``--threads`` as given; refuse any other setting that
    differs from the checkpoint's (a resumed run keeps its own)."""
    defaults = TrainConfig()
    for f in train_fields():
        given = getattr(args, f.name, None)
        if f.name == "threads" or given == getattr(defaults, f.name) or given == getattr(saved, f.name):
            continue
        raise UsageError(
            f"{flag(f.name)} {given} differs from the checkpoint's {getattr(saved, f.name)}: "
            f"a resumed run keeps its own settings (only {flag('threads')} may change)"
        )
    threads = saved.threads if args.threads == defaults.threads else args.threads
    return replace(saved, threads=threads)


def _refuse_other_text(args: argparse.Namespace, model: Model) -> None:
    """Corpus-text options given with ``--resume`` must be the run's (they decide the words)."""
    recorded = model.state.corpus.get("text", {})
    for name, value in corpus_text_from_args(args).items():
        default = None if name != "encoding_errors" else "strict"
        if value != default and value != recorded.get(name, default):
            raise UsageError(
                f"--{name.replace('_', '-')} differs from how the checkpoint's corpus was read: "
                "a resumed run reads it as the run did"
            )


def _checkpointer(
    args: argparse.Namespace,
    output: Path | None,
    identity: dict,
    corpus: str,
    on_failed: Callable[[Exception], None] | None,
) -> Checkpointer | None:
    """The run's checkpoint writer, its path checked like an output's; None when off."""
    every = args.checkpoint_every
    if every is not None and every < 0:
        return None
    if args.checkpoint is not None:
        path = Path(args.checkpoint).expanduser()
        if path.suffix.lower() != ".npz":
            raise UsageError(f"--checkpoint must name a .npz file, got '{args.checkpoint}'")
    elif output is not None:
        path = checkpoint_path_for(output)
    elif args.resume is not None:
        path = Path(args.resume)
    else:  # w2v-tui without -o: a place of its own, so that a dropped session can resume
        path = unsaved_run_checkpoint(corpus)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
    if path.is_dir():
        raise UsageError(f"--checkpoint '{path}' is a directory")
    check_not_corpus(path, corpus)
    probe_writable(path)
    return Checkpointer(
        path, identity, every, output=None if output is None else str(output.resolve()),
        on_failed=on_failed,
    )
