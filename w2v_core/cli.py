"""The ``w2v`` command: train, query, evaluate and convert word2vec models from a shell.

Every subcommand is a thin layer over :mod:`w2v_core`; this module only parses arguments,
reports progress and prints results. Errors a user can cause end in exactly one line on
stderr (``w2v: error: ...``) and a non-zero exit code, never in a traceback:

- 0: success
- 1: a failure (missing or empty corpus, unknown word, corrupt model, diverged training)
- 2: bad usage (unknown option, impossible parameter value, unknown output extension)
- 130: interrupted (Ctrl-C). During ``w2v train`` the first Ctrl-C stops training and
  still saves the model trained so far; a second one aborts without saving.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.status import Status
from rich.table import Table

from w2v_core.config import add_train_arguments, config_from_args, train_fields
from w2v_core.callbacks import Callback, TrainingControl, TrainingEvent, TrainingStart
from w2v_core.corpus import open_corpus
from w2v_core.errors import ConfigError, TrainingDivergedError, W2VError
from w2v_core.evaluate import evaluate_analogies, evaluate_word_pairs
from w2v_core.io import detect_format, load, save
from w2v_core.model import Model
from w2v_core.sgns import train
from w2v_core.vectors import KeyedVectors

PROG = "w2v"

#: Output formats by file extension (the same rule as :func:`w2v_core.io.save`).
OUTPUT_FORMATS: dict[str, str] = {
    ".npz": "native .npz",
    ".bin": "word2vec binary",
    ".txt": "word2vec text",
    ".vec": "word2vec text",
}

#: Seconds between two plain progress lines when stderr is not a terminal.
PLAIN_PROGRESS_INTERVAL = 5.0

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(W2VError):
    """Bad usage found after argument parsing (exit code 2)."""


# --------------------------------------------------------------------------------------
# argument parsing
# --------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (``w2v: error: ...``) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.split(" ", 1)[1] if " " in self.prog else ""
        hint = f" (see '{PROG} {command} --help')" if command else f" (see '{PROG} --help')"
        self.exit(EXIT_USAGE, f"{PROG}: error: {message}{hint}\n")


def _positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _optional_int(text: str) -> int | None:
    """argparse type: an integer, or ``none`` for no limit."""
    if text.strip().lower() == "none":
        return None
    return _positive_int(text)


_MODEL_HELP = "model file: native .npz, word2vec binary or text, or GloVe text"
_OUT_HELP = "output file; the extension picks the format: .npz (native), .bin, .txt/.vec"

#: (field, argparse type, help) of the training options, derived from TrainConfig's fields;
#: kept only for ``tui/options.py`` until it calls :func:`w2v_core.config.add_train_arguments`.
TRAIN_OPTIONS: tuple[tuple[str, Callable[[str], Any], str], ...] = tuple(
    (f.name, f.metadata["parse"], f.metadata["help"]) for f in train_fields()
)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``w2v`` argument parser with its subcommands.

    Returns
    -------
    argparse.ArgumentParser
        The parser; each subcommand sets ``func`` to the function that runs it.
    """
    parser = _Parser(
        prog=PROG,
        description="word2vec (skip-gram with negative sampling) in pure NumPy.",
        epilog="Exit codes: 0 ok, 1 failure, 2 bad usage, 130 interrupted.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    train_parser = commands.add_parser(
        "train",
        help="train a model on a corpus",
        description=(
            "Train skip-gram with negative sampling on CORPUS and save the model to OUT. "
            "Ctrl-C stops training and saves the model trained so far (exit code 130); "
            "a second Ctrl-C aborts without saving."
        ),
    )
    train_parser.add_argument(
        "corpus",
        metavar="CORPUS",
        help="text file (.gz/.bz2 too), directory, nltk:NAME[/FILEID], builtin:hamlet "
        "or builtin:shakespeare",
    )
    train_parser.add_argument(
        "-o", "--output", required=True, metavar="OUT", type=Path, help=_OUT_HELP
    )
    add_train_arguments(train_parser)
    train_parser.set_defaults(func=cmd_train)

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
    neighbors.add_argument("model", metavar="MODEL", type=Path, help=_MODEL_HELP)
    neighbors.add_argument("words", metavar="WORD", nargs="+", help="query words (added)")
    neighbors.add_argument(
        "-n", "--negative", metavar="WORD", nargs="+", default=[], help="words to subtract"
    )
    neighbors.add_argument("-k", type=_positive_int, default=10, help="how many neighbours (10)")
    neighbors.set_defaults(func=cmd_neighbors)

    analogy = commands.add_parser(
        "analogy",
        help="solve 'A is to B as C is to ?'",
        description="Solve 'A is to B as C is to ?' (positive B and C, negative A).",
    )
    analogy.add_argument("model", metavar="MODEL", type=Path, help=_MODEL_HELP)
    analogy.add_argument("a", metavar="A")
    analogy.add_argument("b", metavar="B")
    analogy.add_argument("c", metavar="C")
    analogy.add_argument("-k", type=_positive_int, default=10, help="how many answers (10)")
    analogy.add_argument(
        "--method",
        choices=("add", "mul"),
        default="add",
        help="3CosAdd (add, default) or 3CosMul (mul)",
    )
    analogy.set_defaults(func=cmd_analogy)

    evaluate = commands.add_parser(
        "eval",
        help="analogy accuracy and word-similarity correlation",
        description=(
            "Evaluate MODEL on an analogy file (questions-words format) and on word-pair "
            "similarity files (word1 word2 score). Defaults: the bundled questions-words.txt "
            "and wordsim353.tsv."
        ),
    )
    evaluate.add_argument("model", metavar="MODEL", type=Path, help=_MODEL_HELP)
    evaluate.add_argument("--analogies", metavar="FILE", type=Path, help="analogy questions")
    evaluate.add_argument(
        "--pairs", metavar="FILE", type=Path, nargs="+", help="word-pair similarity files"
    )
    evaluate.add_argument(
        "--restrict-vocab",
        metavar="N",
        type=_optional_int,
        default=30000,
        help="answer analogies among the N most frequent words only ('none': all; default 30000)",
    )
    evaluate.add_argument(
        "--method", choices=("add", "mul"), default="add", help="analogy method (add)"
    )
    evaluate.add_argument("--json", action="store_true", help="print one JSON document")
    evaluate.set_defaults(func=cmd_eval)

    export = commands.add_parser(
        "export",
        help="convert a model to another format",
        description="Load MODEL and write it to OUT; OUT's extension picks the format.",
    )
    export.add_argument("model", metavar="MODEL", type=Path, help=_MODEL_HELP)
    export.add_argument("output", metavar="OUT", type=Path, help=_OUT_HELP)
    export.set_defaults(func=cmd_export)

    info = commands.add_parser("info", help="describe a model file")
    info.add_argument("model", metavar="MODEL", type=Path, help=_MODEL_HELP)
    info.set_defaults(func=cmd_info)
    return parser


# --------------------------------------------------------------------------------------
# formatting helpers
# --------------------------------------------------------------------------------------


def _seconds(value: float) -> str:
    """Format a duration as ``H:MM:SS`` (``--:--`` when unknown)."""
    if not math.isfinite(value) or value < 0:
        return "--:--"
    minutes, secs = divmod(int(round(value)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def epochs_text(epochs: int, reason: str | None) -> str:
    """``epochs 40 (auto: small corpus)``, or ``epochs 5`` when the user chose them."""
    return f"epochs {epochs}" + (f" ({reason})" if reason else "")


def _number(value: float, digits: int = 4) -> str:
    """Format a float compactly; ``n/a`` for NaN or None."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.{digits}f}"


def _finite_or_none(value: float | None) -> float | None:
    """JSON has no NaN: map NaN and infinities to ``None``."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


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


def _check_output(path: Path) -> str:
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


def _print_fields(console: Console, rows: Sequence[tuple[str, str]]) -> None:
    """Print aligned ``name  value`` lines; values are never cut or wrapped (paths stay whole)."""
    width = max((len(name) for name, _ in rows), default=0) + 2
    for name, value in rows:
        console.print(f"[dim]{name:<{width}}[/]{escape(value)}", highlight=False, soft_wrap=True)


def _load_model(path: Path) -> Model:
    """Load any model :func:`w2v_core.io.load` reads."""
    return load(path)


def _results_table(
    title: str, results: Sequence[tuple[str, float]], kv: KeyedVectors, score: str
) -> Table:
    """A table of ranked query results: rank, word, score, frequency."""
    table = Table(title=title, title_justify="left")
    table.add_column("rank", justify="right", style="dim")
    table.add_column("word", style="bold")
    table.add_column(score, justify="right")
    table.add_column("frequency", justify="right")
    for rank, (word, value) in enumerate(results, start=1):
        frequency = kv.frequency(word)
        table.add_row(
            str(rank), word, f"{value:.4f}", "—" if frequency is None else f"{frequency:,}"
        )
    return table


# --------------------------------------------------------------------------------------
# training progress
# --------------------------------------------------------------------------------------


class ProgressReporter(Callback):
    """Show training progress on a console: a rich bar on a terminal, else plain lines.

    It also keeps the pairs-weighted mean loss of the current epoch, the figure shown as
    "loss" and reported as the final loss at the end.
    """

    def __init__(self, console: Console, interval: float = PLAIN_PROGRESS_INTERVAL) -> None:
        self.console = console
        self.interval = interval
        self.rich = console.is_interactive
        self.started = False
        self.last_event: TrainingEvent | None = None
        self.note = ""
        self._progress: Progress | None = None
        self._status: Status | None = None
        self._task: Any = None
        self._last_line = -math.inf
        self._printed: tuple[int, int] | None = None
        self._epoch = 0
        self._loss_sum = 0.0
        self._pairs = 0
        self._seen = -1

    # -- loss ------------------------------------------------------------------
    def _account(self, event: TrainingEvent) -> None:
        """Add an event's loss to the running epoch mean (each event counted once)."""
        if event.words_done == self._seen and event.epoch == self._epoch:
            return
        self._seen = event.words_done
        if event.epoch != self._epoch:
            self._epoch, self._loss_sum, self._pairs = event.epoch, 0.0, 0
        if event.pairs > 0 and math.isfinite(event.loss):
            self._loss_sum += event.loss * event.pairs
            self._pairs += event.pairs
        self.last_event = event

    @property
    def epoch(self) -> int:
        """The epoch :attr:`mean_loss` belongs to."""
        return self._epoch

    @property
    def mean_loss(self) -> float:
        """Pairs-weighted mean loss over the current (or last) epoch; NaN if unknown."""
        return self._loss_sum / self._pairs if self._pairs else math.nan

    # -- display ---------------------------------------------------------------
    def _fields(self, event: TrainingEvent) -> dict[str, str]:
        return {
            "epoch": f"epoch {event.epoch}/{event.epochs}",
            "speed": f"{event.words_per_second:,.0f} words/s",
            "loss": f"loss {_number(self.mean_loss)}",
            "lr": f"lr {event.learning_rate:.5f}",
            "eta": f"ETA {_seconds(event.eta)}",
            "note": self.note,
        }

    def _show(self, event: TrainingEvent, force: bool = False) -> None:
        fields = self._fields(event)
        if self._progress is not None:
            self._progress.update(
                self._task, completed=event.words_done, total=event.words_total, **fields
            )
            return
        now = time.monotonic()
        shown = (event.epoch, event.words_done)
        if shown != self._printed and (force or now - self._last_line >= self.interval):
            self._last_line, self._printed = now, shown
            percent = f"{100.0 * event.fraction:5.1f}%"
            parts = [fields["epoch"], percent, fields["speed"], fields["loss"], fields["lr"]]
            parts.append(fields["eta"])
            self.console.print("  ".join(parts) + (f"  {self.note}" if self.note else ""),
                               highlight=False, soft_wrap=True)

    def interrupted(self) -> None:
        """Tell the user that training is stopping after a Ctrl-C."""
        self.note = "stopping (Ctrl-C again aborts without saving)"
        if self._progress is None:
            self.console.print(f"{PROG}: {self.note}", highlight=False)
        elif self.last_event is not None:
            self._show(self.last_event)

    # -- Callback API ----------------------------------------------------------
    def reading(self, corpus: str) -> None:
        """On a terminal, show a spinner while the corpus is read (no progress known yet).

        Plain output stays silent here, so an empty corpus still gives one error line.
        """
        if self.rich:
            self._status = self.console.status(
                f"reading {escape(corpus)} and building the vocabulary ..."
            )
            self._status.start()

    def on_train_begin(self, info: TrainingStart) -> None:
        self.started = True
        self._stop_status()
        self.console.print(
            f"training on {info.corpus_words:,} words, vocabulary {info.vocab_size:,}, "
            f"{epochs_text(info.config.epochs, info.epochs_reason)}",
            highlight=False,
            soft_wrap=True,
        )
        if self.rich:
            self._progress = Progress(
                TextColumn("[bold]{task.fields[epoch]}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[speed]}"),
                TextColumn("{task.fields[loss]}"),
                TextColumn("{task.fields[lr]}"),
                TextColumn("{task.fields[eta]}"),
                TextColumn("[yellow]{task.fields[note]}"),
                console=self.console,
            )
            self._task = self._progress.add_task(
                "train",
                total=info.words_total,
                epoch=f"epoch 1/{info.config.epochs}",
                speed="",
                loss="",
                lr="",
                eta="",
                note="",
            )
            self._progress.start()

    def on_progress(self, event: TrainingEvent) -> None:
        self._account(event)
        self._show(event)

    def on_epoch_end(self, event: TrainingEvent, vectors: KeyedVectors) -> None:
        self._account(event)
        self._show(event)

    def on_train_end(self, event: TrainingEvent, model: Model) -> None:
        self._account(event)
        self._show(event, force=True)
        self.close()

    def _stop_status(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def close(self) -> None:
        """Stop the live displays (idempotent)."""
        self._stop_status()
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


@contextmanager
def _stop_on_sigint(on_first: Callable[[], None]) -> Iterator[None]:
    """Turn the first Ctrl-C into ``on_first()``; a second one raises KeyboardInterrupt.

    Only the main thread can install signal handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        on_first()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# --------------------------------------------------------------------------------------
# subcommands
# --------------------------------------------------------------------------------------


def cmd_train(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v train``: train on a corpus and save the model (see the module docstring)."""
    config = config_from_args(args)
    fmt = _check_output(args.output)

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
        with _stop_on_sigint(stop):
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
    _print_fields(out, rows)
    return EXIT_INTERRUPTED if stopped else EXIT_OK


def signed_words(terms: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split query terms into added and subtracted words: ``"king -man +woman"``.

    Each argument may hold several whitespace-separated terms; a leading ``-`` subtracts a
    word and a leading ``+`` adds it. Words are otherwise passed on unchanged, so any
    vocabulary entry (``New_York``, ``co-operate``) can be queried.

    Returns
    -------
    tuple of (list of str, list of str)
        The positive and the negative words.
    """
    positive: list[str] = []
    negative: list[str] = []
    for term in (t for arg in terms for t in arg.split()):
        if term[0] in "+-" and len(term) > 1:
            (negative if term[0] == "-" else positive).append(term[1:])
        elif term not in "+-":
            positive.append(term)
    return positive, negative


def cmd_neighbors(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v neighbors``: nearest neighbours of the query words."""
    positive, negative = signed_words(args.words)
    negative += args.negative
    if not positive and not negative:
        raise UsageError("no query word given")
    kv = _load_model(args.model).wv
    results = kv.most_similar(positive=positive, negative=negative, topn=args.k)
    query = " + ".join(positive) + "".join(f" - {w}" for w in negative)
    out.print(_results_table(f"nearest to {query}", results, kv, "cosine"))
    return EXIT_OK


def cmd_analogy(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v analogy``: A is to B as C is to ? (positive B, C; negative A)."""
    kv = _load_model(args.model).wv
    query = kv.most_similar if args.method == "add" else kv.most_similar_cosmul
    results = query(positive=[args.b, args.c], negative=[args.a], topn=args.k)
    name = "3CosAdd" if args.method == "add" else "3CosMul"
    title = f"{args.a} : {args.b} :: {args.c} : ?  ({name})"
    out.print(_results_table(title, results, kv, "cosine" if args.method == "add" else "score"))
    return EXIT_OK


def evaluation_report(
    kv: KeyedVectors,
    analogies: Path | None = None,
    pairs: Sequence[Path] | None = None,
    restrict_vocab: int | None = 30000,
    method: str = "add",
) -> dict[str, Any]:
    """Evaluate vectors on analogies and word pairs; return a JSON-ready dictionary.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors to evaluate.
    analogies : Path, optional
        Analogy file; the bundled questions-words.txt when None.
    pairs : sequence of Path, optional
        Word-pair files; the bundled wordsim353.tsv when None.
    restrict_vocab : int or None
        Answer analogies among this many most frequent words (None: all).
    method : {"add", "mul"}
        3CosAdd or 3CosMul.

    Returns
    -------
    dict
        ``{"analogies": {...}, "word_pairs": [{...}, ...]}``; NaN becomes None.
    """
    report = evaluate_analogies(kv, analogies, restrict_vocab=restrict_vocab, method=method)
    sections = [
        {
            "name": s.name,
            "correct": s.correct,
            "total": s.total,
            "accuracy": s.correct / s.total if s.total else None,
        }
        for s in report.sections
    ]
    result: dict[str, Any] = {
        "analogies": {
            "path": str(analogies) if analogies else "builtin:questions-words.txt",
            "method": method,
            "restrict_vocab": restrict_vocab,
            "accuracy": _finite_or_none(report.accuracy),
            "correct": report.correct,
            "total": report.total,
            "questions": report.questions,
            "skipped": report.skipped,
            "coverage": report.total / report.questions if report.questions else None,
            "sections": sections,
        },
        "word_pairs": [],
    }
    for path in pairs or [None]:
        scores = evaluate_word_pairs(kv, path)
        result["word_pairs"].append(
            {
                "path": str(path) if path else "builtin:wordsim353.tsv",
                "spearman": _finite_or_none(scores.spearman),
                "pearson": _finite_or_none(scores.pearson),
                "pairs": scores.pairs,
                "used": scores.used,
                "oov_ratio": _finite_or_none(scores.oov_ratio),
            }
        )
    return result


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100.0 * value:.1f}%"


def cmd_eval(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v eval``: analogy accuracy per section and word-pair correlations."""
    kv = _load_model(args.model).wv
    report = evaluation_report(kv, args.analogies, args.pairs, args.restrict_vocab, args.method)
    report = {"model": str(args.model), **report}
    if args.json:
        # plain print: rich would wrap long lines and highlight
        print(json.dumps(report, indent=2))
        return EXIT_OK

    analogies = report["analogies"]
    table = Table(title=f"analogies: {analogies['path']}", title_justify="left")
    table.add_column("section")
    table.add_column("correct", justify="right")
    table.add_column("answered", justify="right")
    table.add_column("accuracy", justify="right")
    for section in analogies["sections"]:
        table.add_row(
            section["name"],
            f"{section['correct']:,}",
            f"{section['total']:,}",
            _percent(section["accuracy"]),
        )
    table.add_section()
    table.add_row(
        "[bold]total",
        f"{analogies['correct']:,}",
        f"{analogies['total']:,}",
        f"[bold]{_percent(analogies['accuracy'])}",
    )
    out.print(table)
    restrict = analogies["restrict_vocab"]
    out.print(
        f"coverage: {analogies['total']:,} of {analogies['questions']:,} questions answered "
        f"({_percent(analogies['coverage'])}); {analogies['skipped']:,} skipped (out of vocabulary"
        + (f" or beyond the {restrict:,} most frequent words)" if restrict else ")"),
        highlight=False,
        soft_wrap=True,
    )

    pairs = Table(title="word similarity", title_justify="left")
    for name in ("file", "Spearman", "Pearson", "pairs used", "OOV"):
        pairs.add_column(name, justify="left" if name == "file" else "right")
    for row in report["word_pairs"]:
        pairs.add_row(
            row["path"],
            _number(row["spearman"], 3),
            _number(row["pearson"], 3),
            f"{row['used']:,} / {row['pairs']:,}",
            _percent(row["oov_ratio"]),
        )
    out.print(pairs)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v export``: convert MODEL to the format OUT's extension selects."""

    fmt = _check_output(args.output)
    model = _load_model(args.model)
    save(model, args.output)
    out.print(f"wrote {len(model.wv):,} vectors x {model.wv.dim} to {args.output} ({fmt})",
              highlight=False)
    return EXIT_OK


#: Names of the formats :func:`w2v_core.io.detect_format` reports.
FORMAT_NAMES: dict[str, str] = {
    "npz": "native .npz",
    "bin": "word2vec binary",
    "txt": "word2vec text",
    "glove": "GloVe text (no header)",
}


def cmd_info(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v info``: format, size, vocabulary, dimensions, configuration and summary."""
    model = _load_model(args.model)
    kind = detect_format(args.model)
    kv = model.wv
    rows = [
        ("file", f"{args.model} ({args.model.stat().st_size:,} bytes)"),
        ("format", FORMAT_NAMES.get(kind, kind)),
        ("vocabulary", f"{len(kv):,} words"),
        ("dimensions", str(kv.dim)),
        ("counts", "known" if kv.counts is not None else "unknown"),
        ("output vectors", "yes" if model.output_vectors is not None else "no"),
    ]
    if len(kv):
        rows.append(("most frequent", ", ".join(kv.words[:10])))
    _print_fields(out, rows)
    for title, value in (("configuration", model.config), ("training", model.summary)):
        if value is None:
            continue
        data = value.to_dict() if hasattr(value, "to_dict") else dataclasses.asdict(value)
        table = Table(title=title, title_justify="left", show_header=False)
        table.add_column(style="dim")
        table.add_column()
        for key, item in data.items():
            table.add_row(key, f"{item:.6g}" if isinstance(item, float) else str(item))
        out.print(table)
    return EXIT_OK


# --------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------


def _os_error_message(exc: OSError) -> str:
    """One line for an OSError: "<reason>: '<file>'"."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{reason}: '{exc.filename}'" if exc.filename else reason


def _fail(err_file: Any, message: str, code: int) -> int:
    """Write ``w2v: error: message`` as exactly one line and return ``code``."""
    line = " ".join(str(message).split())
    err_file.write(f"{PROG}: error: {line}\n")
    err_file.flush()
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the ``w2v`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit code: 0 ok, 1 failure, 2 bad usage, 130 interrupted.
    """
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or an argparse error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    out = Console(file=sys.stdout)
    err = Console(file=sys.stderr)
    try:
        return args.func(args, out, err)
    except (ConfigError, UsageError) as exc:
        return _fail(sys.stderr, str(exc), EXIT_USAGE)
    except W2VError as exc:
        return _fail(sys.stderr, str(exc), EXIT_FAILURE)
    except BrokenPipeError:  # e.g. `w2v neighbors ... | head -3`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except OSError as exc:
        return _fail(sys.stderr, _os_error_message(exc), EXIT_FAILURE)
    except MemoryError:
        return _fail(sys.stderr, "out of memory (try a smaller --dim or --max-vocab)", EXIT_FAILURE)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: still one line, with a way to get the traceback
        if os.environ.get("W2V_DEBUG"):
            raise
        return _fail(
            sys.stderr,
            f"internal error: {type(exc).__name__}: {exc} (set W2V_DEBUG=1 for a traceback)",
            EXIT_FAILURE,
        )


if __name__ == "__main__":
    sys.exit(main())
