"""The ``w2v`` query, evaluation and conversion commands, and the table that runs them."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..errors import EXIT_OK, UsageError
from ..evaluate import evaluate_analogies, evaluate_word_pairs
from ..io import detect_format, load, save
from ..model import Model
from ..vectors import KeyedVectors
from .output import percent, print_fields, results_table
from .progress import number
from .training import check_output, cmd_train


def load_model(args: argparse.Namespace) -> Model:
    """Load MODEL with the options every model-loading command has."""
    return load(args.model)


def _finite_or_none(value: float | None) -> float | None:
    """JSON has no NaN: map NaN and infinities to ``None``."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


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
    kv = load_model(args).wv
    results = kv.most_similar(positive=positive, negative=negative, topn=args.k)
    query = " + ".join(positive) + "".join(f" - {w}" for w in negative)
    out.print(results_table(f"nearest to {query}", results, kv, "cosine"))
    return EXIT_OK


def cmd_analogy(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v analogy``: A is to B as C is to ? (positive B, C; negative A)."""
    kv = load_model(args).wv
    query = kv.most_similar if args.method == "add" else kv.most_similar_cosmul
    results = query(positive=[args.b, args.c], negative=[args.a], topn=args.k)
    name = "3CosAdd" if args.method == "add" else "3CosMul"
    title = f"{args.a} : {args.b} :: {args.c} : ?  ({name})"
    out.print(results_table(title, results, kv, "cosine" if args.method == "add" else "score"))
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


def cmd_eval(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v eval``: analogy accuracy per section and word-pair correlations."""
    kv = load_model(args).wv
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
            percent(section["accuracy"]),
        )
    table.add_section()
    table.add_row(
        "[bold]total",
        f"{analogies['correct']:,}",
        f"{analogies['total']:,}",
        f"[bold]{percent(analogies['accuracy'])}",
    )
    out.print(table)
    restrict = analogies["restrict_vocab"]
    out.print(
        f"coverage: {analogies['total']:,} of {analogies['questions']:,} questions answered "
        f"({percent(analogies['coverage'])}); {analogies['skipped']:,} skipped (out of vocabulary"
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
            number(row["spearman"], 3),
            number(row["pearson"], 3),
            f"{row['used']:,} / {row['pairs']:,}",
            percent(row["oov_ratio"]),
        )
    out.print(pairs)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v export``: convert MODEL to the format OUT's extension selects."""

    fmt = check_output(args.output)
    model = load_model(args)
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
    model = load_model(args)
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
    print_fields(out, rows)
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


#: Each subcommand's function; ``args.command`` (set by the parser) selects one.
COMMANDS: dict[str, Callable[[argparse.Namespace, Console, Console], int]] = {
    "train": cmd_train,
    "neighbors": cmd_neighbors,
    "neighbours": cmd_neighbors,
    "analogy": cmd_analogy,
    "eval": cmd_eval,
    "export": cmd_export,
    "info": cmd_info,
}


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Run the subcommand ``args`` names; return its exit code."""
    return COMMANDS[args.command](args, out, err)
