"""``w2v train``: check the output, train with progress, and save even when interrupted."""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

from rich.console import Console

from ..callbacks import TrainingControl
from ..config import config_from_args
from ..corpus import open_corpus
from ..errors import EXIT_INTERRUPTED, EXIT_OK, TrainingDivergedError, UsageError, W2VError
from ..io import save
from ..sgns import train
from .output import print_fields
from . import PROG
from .progress import ProgressReporter, stop_on_sigint

#: Output formats by file extension (the same rule as :func:`w2v_core.io.save`).
OUTPUT_FORMATS: dict[str, str] = {
    ".npz": "native .npz",
    ".bin": "word2vec binary",
    ".txt": "word2vec text",
    ".vec": "word2vec text",
}


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


def check_output(path: Path) -> str:
    """Validate OUT before any long work starts; return its format description."""
    fmt = output_format(path)
    if path.is_dir():
        raise UsageError(f"output '{path}' is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise W2VError(f"output directory does not exist: '{parent}'")
    if not os.access(parent, os.W_OK):
        raise W2VError(f"output directory is not writable: '{parent}'")
    return fmt


def cmd_train(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v train``: train on a corpus and save the model.

    The first Ctrl-C stops training and saves the model trained so far (exit 130); a
    second one aborts without saving.
    """
    config = config_from_args(args)
    fmt = check_output(args.output)

    control = TrainingControl()
    reporter = ProgressReporter(err)

    def stop() -> None:
        if not reporter.started:  # still reading the corpus: nothing to save
            raise KeyboardInterrupt
        control.stop()
        reporter.interrupted()

    corpus = open_corpus(args.corpus).check_not_empty()  # missing, unreadable, empty: at once
    started = time.perf_counter()
    reporter.reading(corpus.name)
    try:
        with stop_on_sigint(stop):
            model = train(corpus, config, callbacks=[reporter], control=control)
    except KeyboardInterrupt:
        reporter.close()
        err.print(f"{PROG}: aborted; nothing saved", highlight=False)
        return EXIT_INTERRUPTED
    except TrainingDivergedError as exc:
        raise TrainingDivergedError(f"{exc}; nothing saved") from None
    finally:
        reporter.close()
    seconds = time.perf_counter() - started

    summary = model.summary  # always set by train()
    stopped = control.stopped or summary.stopped_early
    if stopped and summary.words_trained == 0:
        err.print(f"{PROG}: interrupted before any word was trained; nothing saved",
                  highlight=False)
        return EXIT_INTERRUPTED
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
    if stopped:
        done = summary.words_trained / (summary.corpus_words * model.config.epochs)
        out.print(
            f"[yellow]Interrupted:[/] saved the model trained so far ({done:.0%} of the planned "
            f"training) to {args.output}",
            highlight=False,
            soft_wrap=True,
        )
    print_fields(out, rows)
    return EXIT_INTERRUPTED if stopped else EXIT_OK
