"""Command-line options of ``w2v-tui``: a corpus or ``--model``, plus the training options
of ``w2v train`` (shared with :mod:`w2v_core.cli`, so the two cannot drift apart)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from w2v_core.cli import TRAIN_OPTIONS

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.model import Model
    from w2v_core.sgns import TrainConfig

PROG = "w2v-tui"
DEFAULT_CORPUS = "builtin:shakespeare"
EXIT_FAILURE, EXIT_USAGE = 1, 2


class UsageError(Exception):
    """Bad command-line usage: one line for stderr, exit code 2."""


class LoadError(Exception):
    """The model or the output path cannot be used: one line for stderr, exit code 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The ``w2v-tui`` argument parser; training defaults are TrainConfig's."""
    from w2v_core.sgns import TrainConfig

    parser = _Parser(
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
        "--model", metavar="PATH", default=None,
        help="open a saved model (.npz, word2vec .bin/.txt, GloVe text) instead of training",
    )
    parser.add_argument(
        "--unicode-errors", choices=("strict", "replace", "ignore"), default="strict",
        help="with --model: how to treat words that are not valid UTF-8",
    )
    parser.add_argument(
        "-o", "--output", metavar="PATH", default=None,
        help="when training: save the model here at the end (the extension picks the format), "
        "write a checkpoint here at every epoch end, and save what is trained so far on "
        "SIGHUP/SIGTERM",
    )
    defaults = TrainConfig()
    for name, kind, text in TRAIN_OPTIONS:
        parser.add_argument(
            "--" + name.replace("_", "-"), dest=name, type=kind, default=getattr(defaults, name),
            metavar="N" if kind is not float else "X", help=text,
        )
    return parser


@dataclass
class Launch:
    """What the app should do: train ``corpus`` with ``config``, or open ``model``."""

    corpus: str | None
    config: "TrainConfig | None"
    model: "Model | None"
    model_path: str | None
    output: str | None = None


def resolve(argv: list[str] | None = None) -> Launch:
    """Parse and check everything that can fail before the UI starts.

    Raises :class:`UsageError` or ``ConfigError`` (exit 2), ``CorpusError`` or
    ``ModelFormatError``/``OSError`` (exit 1).
    """
    from w2v_core.corpus import open_corpus
    from w2v_core.sgns import TrainConfig

    args = build_parser().parse_args(argv)
    if args.model is not None:
        if args.corpus is not None:
            raise UsageError("give a CORPUS to train or --model to open, not both")
        if args.output is not None:
            raise UsageError("-o/--output is for training; --model opens a saved model")
        return Launch(None, None, load_model(args.model, args.unicode_errors), args.model)
    if args.unicode_errors != "strict":
        raise UsageError("--unicode-errors applies to --model")
    config = TrainConfig(**{name: getattr(args, name) for name, _, _ in TRAIN_OPTIONS}).validate()
    corpus = args.corpus or DEFAULT_CORPUS
    open_corpus(corpus).check_not_empty()
    if args.output is not None:
        check_output(args.output)
    return Launch(corpus, config, None, None, args.output)


def load_model(path: str, unicode_errors: str = "strict") -> "Model":
    """Load a model for ``--model``; a file too big for memory is a one-line error too.

    Raises ``ModelFormatError``/``OSError``, or :class:`LoadError` when the file declares
    arrays that cannot be allocated (a corrupt or truncated header, or a real lack of memory).
    """
    from w2v_core.io import load

    try:
        return load(path, unicode_errors=unicode_errors)
    except MemoryError as error:
        raise LoadError(f"{path}: not enough memory for the arrays it declares "
                        f"(corrupt file, or too large for this machine): {error}") from None


def check_output(path: str) -> None:
    """Refuse ``-o PATH`` before training when the model could not be written there."""
    import os
    from pathlib import Path

    from w2v_core.errors import ModelFormatError
    from w2v_core.io import _format_for  # TODO: the public io.format_for() once it lands

    target = Path(path)
    if target.is_dir():
        raise UsageError(f"-o {path}: is a directory; give a file name such as model.npz")
    try:
        _format_for(target, None)
    except ModelFormatError as error:
        raise UsageError(str(error)) from None
    directory = target.parent
    if not directory.is_dir():
        raise LoadError(f"-o {path}: no such directory: {directory}")
    if not os.access(directory, os.W_OK):
        raise LoadError(f"-o {path}: cannot write in {directory}")
