"""Command-line options of ``w2v-tui``: a corpus or ``--model``, plus the training options.

The parser, the training options (built from the fields of
:class:`~w2v_core.config.TrainConfig`), the corpus-text and model-reading options and the
loading of ``--model`` are :mod:`w2v_core.cli.arguments`' and :mod:`w2v_core.cli.loading`'s,
which ``w2v`` uses too, so the two front ends cannot drift apart. Errors and exit codes are
the engine's (:class:`~w2v_core.errors.UsageError`, :func:`~w2v_core.errors.exit_code`).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from w2v_core.cli.arguments import (
    ArgumentParser,
    add_checkpoint_arguments,
    add_corpus_text_arguments,
    add_ensemble_arguments,
    add_model_reading_arguments,
    add_train_arguments,
)
from w2v_core.cli.loading import load_model
from w2v_core.errors import UsageError

from .output_meter import DEFAULT_RATE

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.config import TrainConfig
    from w2v_core.checkpoints import Checkpointer
    from w2v_core.destination import OutputLock
    from w2v_core.corpus import Corpus
    from w2v_core.model import Model
    from w2v_core.compare import Comparison

PROG = "w2v-tui"
DEFAULT_CORPUS = "builtin:shakespeare"


def build_parser() -> argparse.ArgumentParser:
    """The ``w2v-tui`` argument parser; training options and defaults are TrainConfig's."""
    parser = ArgumentParser(
        prog=PROG,
        description="Train word2vec (skip-gram with negative sampling) and explore the vectors "
        f"in the terminal. Without arguments, trains on {DEFAULT_CORPUS}.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "corpus", metavar="CORPUS", nargs="?", default=None,
        help="text file (.gz/.bz2 too), directory, nltk:NAME[/FILEID], builtin:hamlet or "
        f"builtin:shakespeare (default: {DEFAULT_CORPUS})%(default).0s",  # .0s: no "None"
    )
    parser.add_argument(
        "-o", "--output", metavar="PATH", default=None,
        help="when training: save the model here at the end (the extension picks the format), "
        "and what is trained so far on SIGHUP/SIGTERM; checkpoints go beside it, "
        "NAME.checkpoint.npz (with --resume: the run's own unless given)%(default).0s",
    )
    model = parser.add_argument_group("opening a saved model instead of training")
    model.add_argument(
        "--model", metavar="PATH", default=None,
        help="open a saved model (.npz, word2vec .bin/.txt, GloVe text) instead of training"
        "%(default).0s",
    )
    model.add_argument(
        "--compare", metavar="PATH", default=None,
        help="with --model: a second model (same dimensions, any format) to align onto it and "
        "compare in the Compare pane%(default).0s",
    )
    add_model_reading_arguments(model, applies_to="--model")
    parser.add_argument(
        "--max-terminal-rate", metavar="BYTES", type=_terminal_rate, default=DEFAULT_RATE,
        help="bytes a second the dashboard may write to the terminal while training: it shows "
        "fewer progress reports to stay under it (lower it on a slow SSH link; 0: no limit)",
    )
    add_corpus_text_arguments(parser)
    add_train_arguments(parser)
    add_ensemble_arguments(parser)
    add_checkpoint_arguments(parser)
    return parser


@dataclass
class Launch:
    """What the app should do: train ``corpus`` with ``config``, or open ``model``."""

    corpus: "str | Corpus | None"  #: opened already, so a pipe is read once, from its start
    config: "TrainConfig | None"
    model: "Model | None"
    model_path: str | None
    output: str | None = None
    checkpoints: "Checkpointer | None" = None  #: writes the run's checkpoints
    resume_from: "Model | None" = None  #: the checkpoint a resumed run continues
    notes: tuple[str, ...] = ()  #: lines for the user before training starts
    init_from: "Model | None" = None  #: the trained model a run starts from (``--init``)
    lock: "OutputLock | None" = None  #: held while the app runs: no second run into ``output``
    comparison: "Comparison | None" = None  #: ``--compare``: the second model aligned onto ``model``
    terminal_rate: float = DEFAULT_RATE  #: ``--max-terminal-rate``: the dashboard's byte budget
    runs: int = 1  #: ``--runs``: an ensemble of bootstrap runs (one after another)


def _terminal_rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of bytes a second: {text!r}") from None
    if not rate >= 0 or rate == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more, not {text!r}")
    return rate


def resolve(argv: list[str] | None = None) -> Launch:
    """Parse and check everything that can fail before the UI starts.

    Raises
    ------
    UsageError, ConfigError
        Bad usage or a parameter out of range (exit 2).
    W2VError, OSError
        A missing or unreadable corpus or model, an output that cannot be written (exit 1).
    """
    args = build_parser().parse_args(argv)
    launch = _launch(args)
    launch.terminal_rate = args.max_terminal_rate
    return launch


def _launch(args: argparse.Namespace) -> Launch:
    """:func:`resolve` after parsing: a model to open, or a run to start."""
    from w2v_core.cli.run_plan import plan_run
    from w2v_core.destination import OutputLock, check_output

    if args.model is not None:
        if args.corpus is not None:
            raise UsageError("give a CORPUS to train or --model to open, not both")
        if args.output is not None:
            raise UsageError("-o/--output is for training; --model opens a saved model")
        _refuse_training_options(args)
        model = load_model(args.model, args.unicode_errors, args.limit)
        return Launch(None, None, model, args.model, comparison=_comparison(args, model))
    if args.compare is not None:
        raise UsageError("--compare applies to --model: it compares two saved models")
    for name in ("unicode_errors", "limit"):
        if getattr(args, name) != build_parser().get_default(name):
            raise UsageError(f"--{name.replace('_', '-')} applies to --model")
    corpus = args.corpus if args.resume is not None else args.corpus or DEFAULT_CORPUS
    if args.output is not None and corpus is not None:
        check_output(args.output, corpus)  # before the corpus is read: fail fast
    # opens the corpus and reads up to its first word: training starts from that sentence
    plan = plan_run(args, corpus, args.output)
    output = None if plan.output is None else str(plan.output)
    lock = None
    if output is not None:
        check_output(output, plan.corpus.name)
        lock = OutputLock(output)
    return Launch(plan.corpus, plan.config, None, None, output, plan.checkpointer,
                  plan.resume_from, tuple(plan.notes), plan.init_from, lock, runs=plan.runs)


def _comparison(args: argparse.Namespace, model: "Model") -> "Comparison | None":
    """``--compare``: the second model, read as ``--model`` is, aligned onto it; models that
    cannot be aligned (other dimensions, no shared words) are refused before the UI starts."""
    if args.compare is None:
        return None
    from w2v_core.compare import Comparison

    return Comparison(model.wv, load_model(args.compare, args.unicode_errors, args.limit).wv)


#: Options that belong to ``--model`` (everything else is for training a corpus).
_MODEL_OPTIONS = {"corpus", "output", "model", "compare", "unicode_errors", "limit", "max_terminal_rate"}


def _refuse_training_options(args: argparse.Namespace) -> None:
    """A training option given with ``--model`` would be ignored without a word (``--epochs 5``
    does not continue a run): refuse it, naming it."""
    defaults = build_parser().parse_args([])
    for name, value in vars(args).items():
        if name not in _MODEL_OPTIONS and value != getattr(defaults, name, value):
            raise UsageError(
                f"--{name.replace('_', '-')} is for training a corpus; --model opens a saved "
                "model as it is (it does not train further)"
            )
