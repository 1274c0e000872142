"""Command-line options both front ends share: ``w2v`` and ``w2v-tui`` build them here.

The engine knows nothing of argparse. The training options are built from the metadata of
:class:`~w2v_core.config.TrainConfig`'s fields (help, metavar, value parser) and read back
into a validated config; the corpus-text and model-reading options take their choices from
the engine. Building every shared option once keeps the two front ends' flags, defaults and
help from drifting apart.

``w2v-tui`` imports this module at start-up: it must not import the ``w2v`` commands
(:mod:`w2v_core.cli.commands`, rich) nor anything that trains.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import Field, fields
from typing import Any, NoReturn, TypeVar

from ..config import TextConfig, TrainConfig, flag, parse_int
from ..errors import UsageError
from ..formats.rules import UNICODE_ERRORS

T = TypeVar("T")


class ArgumentParser(argparse.ArgumentParser):
    """The parser both front ends use: a usage error raises :class:`UsageError` (exit code 2)
    instead of printing and exiting, so each front end reports it as its one error line.

    The error's ``help_hint`` names the (sub)command's help, e.g. ``see 'w2v train --help'``.
    Subparsers made by :meth:`add_subparsers` are of this class too.
    """

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        error = UsageError(message)
        error.help_hint = f"see '{self.prog} --help'"
        raise error


def argument_type(parse: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse ``type`` from an engine parser: its ValueError's message is reported as
    it is (``argument --dim: invalid integer: 'many'``), not as argparse's generic one."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = parse.__name__
    return convert


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = argument_type(parse_int)(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def train_fields() -> tuple[Field, ...]:
    """The TrainConfig fields that are command-line options, in declaration order."""
    return tuple(f for f in fields(TrainConfig) if "help" in f.metadata)


def _default_text(f: Field, default: Any) -> str:
    """A default as a user would type it: ``on``/``off``, the field's word for None, ``0.001``."""
    if isinstance(default, bool):
        return "on" if default else "off"
    if default is None:
        return f.metadata.get("none") or "none"
    if isinstance(default, float):
        return f"{default:g}"
    return str(default)


def add_corpus_text_arguments(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    """Add how corpus text is read: ``--encoding``, ``--encoding-errors`` and one option per
    :class:`~w2v_core.config.TextConfig` field (``--lang``, ``--line-sentences``).

    Read them back with :func:`corpus_text_from_args` and pass them to
    :func:`w2v_core.corpus.open_corpus` as keyword arguments.
    """
    group = parser.add_argument_group("corpus text")
    group.add_argument(
        "--encoding",
        metavar="NAME",
        default=None,
        help="text encoding of the corpus files (a Python codec name such as latin-1); "
        "default: UTF-8, or what a byte-order mark says%(default).0s",
    )
    group.add_argument(
        "--encoding-errors",
        choices=UNICODE_ERRORS,  # the handlers a model's words may be read with, too
        default="strict",
        help="bytes invalid in the encoding: stop with the file and byte offset (strict, "
        "default), replace them, or ignore them%(default).0s",
    )
    defaults = TextConfig()
    for f in fields(TextConfig):
        _add_field_option(group, f, getattr(defaults, f.name))
    return group


def corpus_text_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of :func:`w2v_core.corpus.open_corpus` given by the options of
    :func:`add_corpus_text_arguments` (validated by ``open_corpus``)."""
    names = ["encoding", "encoding_errors"] + [f.name for f in fields(TextConfig)]
    return {name: getattr(args, name) for name in names}


def add_model_reading_arguments(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, applies_to: str | None = None
) -> None:
    """Add ``--unicode-errors`` and ``--limit``: how a model file is read.

    Both front ends pass them to :func:`w2v_core.cli.loading.load_model`.

    Parameters
    ----------
    parser : argparse.ArgumentParser or argument group
        Where to add them.
    applies_to : str, optional
        The option they go with (``--model``), named at the start of their help.
    """
    prefix = f"with {applies_to}: " if applies_to else ""
    parser.add_argument(
        "--unicode-errors",
        choices=UNICODE_ERRORS,
        default="strict",
        help=prefix + "what to do with words that are not valid UTF-8 in a word2vec or GloVe "
        "file: refuse the file (strict, default), replace the bad bytes, or ignore them"
        "%(default).0s",
    )
    parser.add_argument(
        "--limit",
        metavar="N",
        type=positive_int,
        default=None,
        help=prefix + "load only the first N vectors (the most frequent, in files sorted by "
        "frequency)%(default).0s",
    )


def add_train_arguments(
    parser: argparse.ArgumentParser, title: str = "training options"
) -> argparse._ArgumentGroup:
    """Add one option per TrainConfig field to ``parser``, in an argument group.

    Each option is the field's :func:`~w2v_core.config.flag`, stores into the field's name,
    defaults to the field's default, and shows the field's help text with that default.
    Boolean fields become switches (``--cbow``); a field with a ``bare`` value takes an
    optional one (``--phrases`` or ``--phrases 2``). Read the options back with
    :func:`config_from_args`.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser (or subparser) to extend.
    title : str
        The argument group's title in ``--help``.

    Returns
    -------
    argparse._ArgumentGroup
        The group holding the options.
    """
    group = parser.add_argument_group(title)
    defaults = TrainConfig()
    for f in train_fields():
        _add_field_option(group, f, getattr(defaults, f.name))
    return group


def _add_field_option(group: argparse._ArgumentGroup, f: Field, default: Any) -> None:
    """Add the option of one config field, from its metadata (help, metavar, parser).

    A boolean field becomes a switch (``--cbow``); a field typed ``bool | None`` (None:
    decided later) becomes a switch with its negation (``--line-sentences``,
    ``--no-line-sentences``).
    """
    help_text = f.metadata["help"].replace("%", "%%")
    if "default:" not in help_text:
        help_text += f" (default: {_default_text(f, default)})"
    help_text += "%(default).0s"  # stops ArgumentDefaultsHelpFormatter adding it twice
    if isinstance(default, bool):
        group.add_argument(
            flag(f.name), dest=f.name, action="store_true", default=default, help=help_text
        )
    elif "bool" in str(f.type):
        group.add_argument(
            flag(f.name), dest=f.name, action=argparse.BooleanOptionalAction, default=default,
            help=help_text,
        )
    else:
        bare = f.metadata.get("bare")
        group.add_argument(
            flag(f.name),
            dest=f.name,
            type=argument_type(f.metadata.get("parse", parse_int)),
            default=default,
            metavar=f.metadata.get("metavar", "N"),
            help=help_text,
            **({} if bare is None else {"nargs": "?", "const": bare}),
        )


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The validated TrainConfig of options added by :func:`add_train_arguments`.

    Raises
    ------
    ConfigError
        When a value is out of range; the message names the flag.
    """
    values = {f.name: getattr(args, f.name) for f in train_fields() if hasattr(args, f.name)}
    return TrainConfig(**values).validate()


#: Units of a ``--checkpoint-every`` duration, in seconds.
_DURATION_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float | None:
    """argparse type of ``--checkpoint-every``: ``90s``, ``5m``, ``1.5h`` or seconds; ``epoch``
    (epoch ends only) gives None; ``off`` gives -1 (no checkpoint file)."""
    value = text.strip().lower()
    if value == "epoch":
        return None
    if value in ("off", "no", "none"):
        return -1.0
    unit = _DURATION_UNITS.get(value[-1:], None)
    number = value[:-1] if unit else value
    try:
        seconds = float(number) * (unit or 1.0)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a duration: {text!r} (write 90s, 5m, 1h, epoch or off)"
        ) from None
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive duration, got {text!r}")
    return seconds


def add_ensemble_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--runs``: both front ends' flag for an ensemble of bootstrap runs
    (:mod:`w2v_core.ensemble`)."""
    parser.add_argument_group("stability of neighbours").add_argument(
        "--runs", metavar="K", type=positive_int, default=1,
        help="train K models, each on a bootstrap sample of the corpus's sentences with its own "
        "seed, one after another, and save them together in one .npz (an ensemble: the "
        "neighbours then show how stable each one is); no checkpoints; 1: one model on the "
        "whole corpus (default: 1)",
    )


def add_checkpoint_arguments(parser: argparse.ArgumentParser, output_flag: str = "-o") -> None:
    """Add ``--init``, ``--resume``, ``--checkpoint`` and ``--checkpoint-every``: both front
    ends' flags for keeping a run safe and continuing it (see :mod:`w2v_core.checkpoints` and
    :mod:`w2v_core.further`)."""
    from ..run_state import CHECKPOINT_SUFFIX, DEFAULT_CHECKPOINT_SECONDS

    group = parser.add_argument_group("checkpoints and continuing")
    group.add_argument(
        "--init",
        metavar="MODEL",
        default=None,
        help="start from a trained model (ours, gensim's or the C tool's) and train it further "
        "on CORPUS: its words keep their vectors, CORPUS's words that reach --min-count join, "
        "counts add up, and the learning rate falls from --alpha anew (lower it to move the old "
        "vectors less); the dimension is the model's%(default).0s",
    )
    group.add_argument(
        "--resume",
        metavar="CHECKPOINT",
        default=None,
        help="continue the run a checkpoint (or a native model of a stopped run) holds, to its "
        "planned end, with its own settings and corpus (only --threads may change); with "
        "--threads 1 as in the run, the result equals the uninterrupted run's%(default).0s",
    )
    group.add_argument(
        "--checkpoint",
        metavar="PATH",
        default=None,
        help=f"where checkpoints go (default: beside {output_flag}'s file, NAME{CHECKPOINT_SUFFIX}; "
        "w2v-tui without -o: $XDG_STATE_HOME/w2v-tui, ~/.local/state/w2v-tui; removed once "
        "the run finishes and its model is saved)%(default).0s",
    )
    minutes = DEFAULT_CHECKPOINT_SECONDS / 60
    group.add_argument(
        "--checkpoint-every",
        metavar="DURATION",
        type=parse_duration,
        default=DEFAULT_CHECKPOINT_SECONDS,
        help="write a checkpoint this often within an epoch, as well as at each epoch end "
        f"(90s, 5m, 1h; 'epoch': at epoch ends only; 'off': none; default: {minutes:g}m)"
        "%(default).0s",
    )
