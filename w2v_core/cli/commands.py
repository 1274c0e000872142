"""The ``w2v`` query, evaluation and conversion commands, and the table that runs them."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..analogy import ANALOGY_METHODS
from ..errors import EXIT_OK, UsageError
from ..evaluate import EnsembleEvaluation, ensemble_evaluation, evaluation_report
from ..formats import FORMATS, detect_format
from ..model import Model
from ..query import parse_query
from ..vectors import KeyedVectors
from .loading import load_model
from .output import (
    changes_table, health_rows, percent, print_fields, results_table, side_by_side_table,
    spread_table, stability_table,
)
from .progress import number
from . import PROG
from ..destination import check_output
from .training import cmd_train, runs_value

def _model(args: argparse.Namespace) -> Model:
    """MODEL, read with the options every model-loading command has."""
    return load_model(args.model, args.unicode_errors, args.limit)


def query_words(words: Sequence[str], subtract: Sequence[str], kv: KeyedVectors) -> tuple[list[str], list[str]]:
    """The positive and negative words of WORD arguments and ``-n`` values.

    Both go through the engine's query parser (:func:`w2v_core.query.parse_query`), so
    ``"king -man"``, ``king,queen`` and vocabulary words such as ``New_York`` or ``-lrb-``
    read the same here as in the TUI. Every word of a ``-n`` value is subtracted.
    """
    positive, negative = parse_query(" ".join(words), kv.index)
    for value in subtract:
        plus, minus = parse_query(value, kv.index)
        negative += plus + minus
    return positive, negative


def cmd_neighbors(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v neighbors``: nearest neighbours of the query words."""
    if not any(q.positive or q.negative for q in map(parse_query, args.words + args.negative)):
        raise UsageError("no query word given")
    model = _model(args)
    kv = model.wv
    positive, negative = query_words(args.words, args.negative, kv)
    if not positive and not negative:
        raise UsageError("no query word given")
    query = " + ".join(positive) + "".join(f" - {w}" for w in negative)
    if model.ensemble is not None:
        return _ensemble_neighbours(args, model, positive, negative, query, out)
    results = kv.most_similar(
        positive=positive, negative=negative, topn=args.k, approximate=args.approximate
    )
    if args.json:
        rows = [{"word": w, "cosine": c, "frequency": kv.frequency(w)} for w, c in results]
        print(json.dumps({"model": str(args.model), "query": query, "k": args.k,
                          "neighbours": rows}, indent=2))
        return EXIT_OK
    out.print(results_table(f"nearest to {query}", results, kv, "cosine"))
    return EXIT_OK


def _ensemble_neighbours(
    args: argparse.Namespace, model: Model, positive: list[str], negative: list[str], query: str,
    out: Console,
) -> int:
    """An ensemble's neighbours by mean cosine, each with its stability (always exact)."""
    from ..stability import neighbour_stability

    ensemble = model.ensemble
    assert ensemble is not None
    found = neighbour_stability(ensemble.vectors, positive, negative, args.k)
    if args.json:
        rows = [{**n.to_dict(), "frequency": model.wv.frequency(n.word)} for n in found]
        print(json.dumps({"model": str(args.model), "query": query, "k": args.k,
                          "runs": len(ensemble), "neighbours": rows}, indent=2))
        return EXIT_OK
    title = f"nearest to {query}: mean over {len(ensemble)} models"
    out.print(stability_table(title, found, model.wv, args.k))
    return EXIT_OK


def cmd_analogy(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v analogy``: A is to B as C is to ? (positive B, C; negative A)."""
    if args.approximate and args.method != "add":
        raise UsageError("--approximate works with --method add (3CosAdd) only")
    kv = _model(args).wv
    results = kv.analogy(
        args.a, args.b, args.c, method=args.method, topn=args.k, approximate=args.approximate
    )
    title = f"{args.a} : {args.b} :: {args.c} : ?  ({ANALOGY_METHODS[args.method]})"
    out.print(results_table(title, results, kv, "cosine" if args.method == "add" else "score"))
    return EXIT_OK


def cmd_odd(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v odd``: the odd one out, with each word's cosine to the mean."""
    kv = _model(args).wv
    positive, negative = parse_query(" ".join(args.words), kv.index)
    words = positive + negative
    if len(words) < 2:
        raise UsageError("odd needs at least two words")
    ranked = kv.cosines_to_mean(words)
    out.print(results_table(f"odd one out: {ranked[0][0]}", ranked, kv, "cosine to mean"))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v eval``: analogy accuracy per section and word-pair correlations."""
    model = _model(args)
    evaluated = evaluation_report(model.wv, args.analogies, args.pairs, args.restrict_vocab, args.method)
    report = {"model": str(args.model), **evaluated.to_dict()}
    spread = None
    if model.ensemble is not None:
        others = ensemble_evaluation(model.ensemble.vectors[1:], args.analogies, args.pairs,
                                     args.restrict_vocab, args.method)
        spread = EnsembleEvaluation([evaluated, *others.reports])
        report["ensemble"] = spread.to_dict()
    if args.json:
        # plain print: rich would wrap long lines and highlight
        print(json.dumps(report, indent=2))
        return EXIT_OK

    analogies = report["analogies"]
    table = Table(title=escape(f"analogies: {analogies['path']}"), title_justify="left")
    table.add_column("section")
    table.add_column("correct", justify="right")
    table.add_column("answered", justify="right")
    table.add_column("accuracy", justify="right")
    for section in analogies["sections"]:
        table.add_row(
            escape(section["name"]),
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
            escape(row["path"]),
            number(row["spearman"], 3),
            number(row["pearson"], 3),
            f"{row['used']:,} / {row['pairs']:,}",
            percent(row["oov_ratio"]),
        )
    out.print(pairs)
    if spread is not None:
        out.print(spread_table(f"over the ensemble's {len(spread.reports)} models "
                               "(the tables above: the first)", spread.spreads))
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v export``: convert MODEL to the format OUT's extension selects (any format that
    is written, exports such as the TensorBoard Projector pair included)."""
    fmt = check_output(args.output, exports=True)
    for companion in fmt.outputs(args.output)[1:]:  # the other files of a pair
        check_output(companion, exports=True)
    model = _model(args)
    ensemble, which = model.ensemble, ""
    if args.member is not None:
        if ensemble is None and args.member != 1:
            raise UsageError(f"--member {args.member}: {args.model} holds one model, not an ensemble")
        if ensemble is not None:
            if args.member > len(ensemble):
                raise UsageError(f"--member {args.member}: {args.model} is an ensemble of "
                                 f"{len(ensemble)} models")
            model = ensemble.member(args.member - 1)
            which = f" (model {args.member} of the ensemble's {len(ensemble)})"
    elif ensemble is not None:
        which = (f" (the ensemble's {len(ensemble)} models)" if fmt.name == "npz" else
                 f" (model 1 of the ensemble's {len(ensemble)}; --member I exports another)")
    fmt.save(model, args.output.expanduser())  # type: ignore[misc]  # check_output: writable
    out.print(f"wrote {len(model.wv):,} vectors x {model.wv.dim}{which} to {fmt.wrote(args.output)}",
              highlight=False, soft_wrap=True)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v compare``: B aligned onto A; the words that moved most and least, or one word."""
    from ..compare import Comparison

    a = _model(args).wv
    b = load_model(args.other, args.unicode_errors, args.limit).wv
    comparison = Comparison(a, b, args.top, args.k)
    report = comparison.report(args.show, args.word, args.k)
    if args.json:
        print(json.dumps({"a": str(args.model), "b": str(args.other), **report}, indent=2))
        return EXIT_OK
    which = "every shared word" if len(comparison.words) == comparison.shared else (
        f"the {len(comparison.words):,} most frequent in both")
    out.print(
        f"{args.other} aligned onto {args.model}: {comparison.shared:,} shared words, compared "
        f"{which}; mean aligned cosine {comparison.mean_cosine:.4f}",
        highlight=False, soft_wrap=True,
    )
    k = comparison.k
    if args.word is None:
        out.print(changes_table("changed most (lowest aligned cosine)", comparison.most_changed(args.show), k))
        out.print(changes_table("changed least", comparison.least_changed(args.show), k))
        return EXIT_OK
    word = report["word"]
    out.print(f"{word['word']}: aligned cosine {word['cosine']:.4f}, top-{k} overlap {word['overlap']:.2f}",
              highlight=False, soft_wrap=True)
    in_a, in_b = comparison.neighbours(args.word, args.k)
    out.print(side_by_side_table(f"nearest to {word['word']}", in_a, in_b, (f"A: {args.model.name}", f"B: {args.other.name}")))
    return EXIT_OK


def cmd_info(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``w2v info``: format, size, vocabulary, dimensions, configuration and summary."""
    model = _model(args)
    kind = detect_format(args.model)
    kv = model.wv
    rows = [
        ("file", f"{args.model} ({args.model.stat().st_size:,} bytes)"),
        ("format", FORMATS[kind].description),
        ("vocabulary", f"{len(kv):,} words" + (" (--limit)" if args.limit else "")),
        ("dimensions", str(kv.dim)),
        ("counts", "known" if kv.counts is not None else "unknown"),
        ("output vectors", "yes" if model.output_vectors is not None else "no"),
    ]
    if len(kv):
        rows.append(("most frequent", ", ".join(kv.words[:10])))
    if model.state is not None and model.state.corpus:
        han = any(HAN.search(w) for w in kv.words[:10_000])
        rows.append(("corpus", corpus_value(model.state.corpus, han)))
    if model.state is not None and model.config is not None:
        rows.append(("training run", _run_position(args.model, model)))
    if model.ensemble is not None:
        rows.append(("ensemble", f"{runs_value(model.ensemble)}; queries use the first, "
                                 "'neighbors' shows each neighbour's stability"))
    health, warnings = health_rows(kv)
    rows += health
    print_fields(out, rows)
    for warning in warnings:
        err.print(f"{PROG}: {warning}", highlight=False, soft_wrap=True)
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


#: A Han ideograph: the vocabulary of a model trained on Chinese (or Japanese) text holds some.
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def corpus_value(identity: dict, han: bool = False) -> str:
    """The corpus a model was trained on and how its text was read: the options that were
    not the defaults (``--lang tr``), for a vocabulary with Han words (``han``) how Han
    text became words (jieba, or one character a word), and whether ``--max-distinct`` left
    the counts approximate."""
    text = identity.get("text") or {}
    shown = [f"--{name.replace('_', '-')} {value}" for name, value in text.items()
             if value not in (None, "strict") and not isinstance(value, bool)]
    if text.get("line_sentences") is not None:
        shown.append("--line-sentences" if text["line_sentences"] else "--no-line-sentences")
    how = f" read with {' '.join(shown)}" if shown else ""
    split = identity.get("han_words")
    words = "one character a word" if split == "characters" else f"split by {split}"
    han_note = f"; Han text {words}" if han and split else ""
    floor = identity.get("count_floor")
    counts = (f"; counts approximate (--max-distinct): tokens seen at most {floor} times in a "
              "stretch were forgotten while counting") if floor else ""
    return f"{identity.get('spec', 'not recorded')}{how}{han_note}{counts}"


def _run_position(path, model) -> str:
    """Where the model's training run stands, and how to continue it if it can be."""
    from ..checkpoints import progress_note

    if model.state.finished:
        epochs = model.config.epochs
        return f"finished ({epochs} epoch{'s' * (epochs != 1)})"
    return f"stopped at {progress_note(model)}; continue it with: {PROG} train --resume {path}"


#: Each subcommand's function; ``args.command`` (set by the parser) selects one.
COMMANDS: dict[str, Callable[[argparse.Namespace, Console, Console], int]] = {
    "train": cmd_train,
    "neighbors": cmd_neighbors,
    "neighbours": cmd_neighbors,
    "analogy": cmd_analogy,
    "odd": cmd_odd,
    "eval": cmd_eval,
    "export": cmd_export,
    "compare": cmd_compare,
    "info": cmd_info,
}


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Run the subcommand ``args`` names; return its exit code."""
    return COMMANDS[args.command](args, out, err)
