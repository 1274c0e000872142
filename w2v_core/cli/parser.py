"""The ``w2v`` argument parser: subcommands and their options.

The options ``w2v-tui`` has too (training, corpus text, how a model is read) come from
:mod:`w2v_core.cli.arguments`, the training options from
:class:`~w2v_core.config.TrainConfig`'s fields. Each subcommand stores its name in
``args.command``; :mod:`w2v_core.cli.commands` runs it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..analogy import ANALOGY_METHODS
from ..compare import DEFAULT_K, DEFAULT_TOP
from ..formats import ALLOWED_EXTENSIONS
from ..formats.registry import description_list, export_formats, readable_formats, suffix_list
from ..vectors import APPROXIMATE_SEARCH
from . import PROG
from .arguments import (
    ArgumentParser,
    add_checkpoint_arguments,
    add_corpus_text_arguments,
    add_ensemble_arguments,
    add_model_reading_arguments,
    add_train_arguments,
    positive_int,
)

MODEL_HELP = f"model file: {description_list(readable_formats())}"
OUT_HELP = f"output file; the extension picks the format: {ALLOWED_EXTENSIONS}"
#: OUT of ``w2v export``: the model formats, then the exports with how their files are named.
EXPORT_HELP = OUT_HELP + "".join(
    f"; or {f.help or suffix_list([f])}" for f in export_formats() if not f.readable
)
CORPUS_HELP = (
    "text file (.gz/.bz2 too), directory, nltk:NAME[/FILEID], builtin:hamlet or "
    "builtin:shakespeare"
)

METHOD_OPTION = dict(
    choices=tuple(ANALOGY_METHODS),
    default="add",
    help="analogy method: " + ", ".join(f"{name} ({title})" for name, title in ANALOGY_METHODS.items())
    + " (default: add)",
)

APPROXIMATE_OPTION = dict(
    action="store_true",
    help=f"approximate search: {APPROXIMATE_SEARCH}. At 1M x 300 a query is 5-8 times faster "
    "than an exact one, but the projection is built first (1-2 s at 1M words), so one query "
    "is slower than an exact one: it pays off in w2v-tui and in the Python API, where many "
    "queries share the projection",
)


def optional_int(text: str) -> int | None:
    """argparse type: an integer >= 1, or ``none`` for no limit."""
    if text.strip().lower() == "none":
        return None
    return positive_int(text)


def _add_model(parser: argparse.ArgumentParser) -> None:
    """MODEL and the options of every command that loads one."""
    parser.add_argument("model", metavar="MODEL", type=Path, help=MODEL_HELP)
    add_model_reading_arguments(parser)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``w2v`` argument parser with its subcommands.

    Returns
    -------
    argparse.ArgumentParser
        The parser; each subcommand sets ``command`` to its name.
    """
    parser = ArgumentParser(
        prog=PROG,
        description="word2vec (skip-gram with negative sampling) in pure NumPy.",
        epilog="Exit codes: 0 ok, 1 failure, 2 bad usage, 130 interrupted.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    train = commands.add_parser(
        "train",
        help="train a model on a corpus",
        description=(
            "Train skip-gram with negative sampling on CORPUS and save the model to OUT. "
            "Checkpoints are written beside OUT (NAME.checkpoint.npz) at each epoch end and "
            "every 5 minutes; --resume continues a run from one. Ctrl-C, SIGTERM or SIGHUP "
            "stops training and saves the model trained so far, with a checkpoint to resume "
            "(exit code 130, 143, 129); a second Ctrl-C aborts without saving."
        ),
    )
    train.add_argument(
        "corpus", metavar="CORPUS", nargs="?", default=None,
        help=CORPUS_HELP + " (with --resume: the run's own unless given)",
    )
    train.add_argument(
        "-o", "--output", metavar="OUT", type=Path, default=None,
        help=OUT_HELP + " (required, but with --resume: the run's own unless given)",
    )
    add_corpus_text_arguments(train)
    add_train_arguments(train)
    add_ensemble_arguments(train)
    add_checkpoint_arguments(train)

    neighbors = commands.add_parser(
        "neighbors",
        aliases=["neighbours"],
        help="nearest neighbours of one or more words",
        description=(
            "Words closest (cosine) to the sum of the WORDs minus the --negative words. "
            "A WORD written -word (after '--', or inside quotes: \"king -man +woman\") "
            "is subtracted."
        ),
    )
    _add_model(neighbors)
    neighbors.add_argument("words", metavar="WORD", nargs="+", help="query words (added)")
    neighbors.add_argument(
        "-n",
        "--negative",
        metavar="WORD",
        action="append",
        default=[],
        help="words to subtract; repeat the option or separate words with commas or spaces "
        "(-n man -n boy, -n man,boy)",
    )
    neighbors.add_argument("-k", type=positive_int, default=10, help="how many neighbours (10)")
    neighbors.add_argument("--approximate", **APPROXIMATE_OPTION)
    neighbors.add_argument(
        "--json", action="store_true",
        help="print one JSON document (with an ensemble: each neighbour's stability figures)",
    )
    neighbors.set_defaults(command="neighbors")

    analogy = commands.add_parser(
        "analogy",
        help="solve 'A is to B as C is to ?'",
        description="Solve 'A is to B as C is to ?' (positive B and C, negative A).",
    )
    _add_model(analogy)
    analogy.add_argument("a", metavar="A")
    analogy.add_argument("b", metavar="B")
    analogy.add_argument("c", metavar="C")
    analogy.add_argument("-k", type=positive_int, default=10, help="how many answers (10)")
    analogy.add_argument("--method", **METHOD_OPTION)
    analogy.add_argument(
        "--approximate", **{**APPROXIMATE_OPTION, "help": APPROXIMATE_OPTION["help"] + " (--method add only)"}
    )

    odd = commands.add_parser(
        "odd",
        help="which word does not belong with the others",
        description=(
            "The odd one out among the WORDs (gensim's doesnt_match): each word's cosine to "
            "the mean of their unit vectors, lowest first."
        ),
    )
    _add_model(odd)
    odd.add_argument("words", metavar="WORD", nargs="+", help="two or more words")

    evaluate = commands.add_parser(
        "eval",
        help="analogy accuracy and word-similarity correlation",
        description=(
            "Evaluate MODEL on an analogy file (questions-words format) and on word-pair "
            "similarity files (word1 word2 score). Defaults: the bundled questions-words.txt "
            "and wordsim353.tsv."
        ),
    )
    _add_model(evaluate)
    evaluate.add_argument("--analogies", metavar="FILE", type=Path, help="analogy questions")
    evaluate.add_argument(
        "--pairs", metavar="FILE", type=Path, nargs="+", help="word-pair similarity files"
    )
    evaluate.add_argument(
        "--restrict-vocab",
        metavar="N",
        type=optional_int,
        default=30000,
        help="answer analogies among the N most frequent words only ('none': all; default 30000)",
    )
    evaluate.add_argument("--method", **METHOD_OPTION)
    evaluate.add_argument("--json", action="store_true", help="print one JSON document")

    export = commands.add_parser(
        "export",
        help="convert a model to another format",
        description="Load MODEL and write it to OUT; OUT's extension picks the format: "
        f"{suffix_list(export_formats())}.",
    )
    _add_model(export)
    export.add_argument("output", metavar="OUT", type=Path, help=EXPORT_HELP)
    export.add_argument(
        "--member", metavar="I", type=positive_int, default=None,
        help="of an ensemble (w2v train --runs), export its I-th model alone (default: the "
        "whole ensemble to .npz, its first model to the other formats)",
    )

    compare = commands.add_parser(
        "compare",
        help="which words moved between two models",
        description=(
            "Rotate model B onto model A (orthogonal Procrustes over the words frequent in "
            "both, unit vectors), then list the words that changed most and least: each "
            "word's cosine between A and aligned B, and the share of its top-k neighbours "
            "(among the compared words) that A and B have in common. With --word, that "
            "word's neighbours in A and in B side by side. The models need the same dimensions."
        ),
    )
    compare.add_argument("model", metavar="A", type=Path, help=MODEL_HELP)
    compare.add_argument("other", metavar="B", type=Path, help="the model aligned onto A (any format A may have)")
    add_model_reading_arguments(compare)
    compare.add_argument(
        "--top",
        metavar="N",
        type=optional_int,
        default=DEFAULT_TOP,
        help="compare the N words most frequent in both models: rare words' vectors move "
        f"by chance ('none': every shared word; default {DEFAULT_TOP})",
    )
    compare.add_argument("-k", type=positive_int, default=DEFAULT_K,
                         help=f"how many neighbours the overlap compares ({DEFAULT_K})")
    compare.add_argument("--show", metavar="N", type=positive_int, default=20,
                         help="how many words each list shows (20)")
    compare.add_argument("--word", metavar="W", help="W's change and its neighbours in A and in B")
    compare.add_argument("--json", action="store_true", help="print one JSON document")

    info = commands.add_parser("info", help="describe a model file")
    _add_model(info)
    return parser
