"""How the ``w2v`` commands print: aligned fields and ranked result tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..diagnostics import (
    FREQUENT_WORDS,
    NORM_LIMIT,
    describe_norm,
    describe_separation,
    is_collapsed,
    largest_norm,
    separation,
)
from ..vectors import KeyedVectors

if TYPE_CHECKING:  # pragma: no cover
    from ..compare import WordChange
    from ..evaluate import Spread
    from ..stability import StableNeighbour


def print_fields(console: Console, rows: Sequence[tuple[str, str]]) -> None:
    """Print aligned ``name  value`` lines; values are never cut or wrapped (paths stay whole)."""
    width = max((len(name) for name, _ in rows), default=0) + 2
    for name, value in rows:
        console.print(f"[dim]{name:<{width}}[/]{escape(value)}", highlight=False, soft_wrap=True)


def results_table(
    title: str, results: Sequence[tuple[str, float]], kv: KeyedVectors, score: str
) -> Table:
    """A table of ranked query results: rank, word, score, frequency."""
    table = Table(title=escape(title), title_justify="left")
    table.add_column("rank", justify="right", style="dim")
    table.add_column("word", style="bold")
    table.add_column(score, justify="right")
    table.add_column("frequency", justify="right")
    for rank, (word, value) in enumerate(results, start=1):
        frequency = kv.frequency(word)
        table.add_row(
            str(rank), escape(word), f"{value:.4f}", "—" if frequency is None else f"{frequency:,}"
        )
    return table


def stability_table(
    title: str, neighbours: Sequence["StableNeighbour"], kv: KeyedVectors, k: int
) -> Table:
    """An ensemble's neighbours: rank, word, mean cosine and its spread, in how many models
    it is among the top k, frequency."""
    table = Table(title=escape(title), title_justify="left")
    table.add_column("rank", justify="right", style="dim")
    table.add_column("word", style="bold")
    table.add_column("cosine", justify="right")
    table.add_column("± sd", justify="right")
    table.add_column(f"in top {k}", justify="right")
    table.add_column("frequency", justify="right")
    for rank, n in enumerate(neighbours, start=1):
        frequency = kv.frequency(n.word)
        table.add_row(str(rank), escape(n.word), f"{n.mean:.4f}", f"{n.std:.4f}", n.share,
                      "—" if frequency is None else f"{frequency:,}")
    return table


def spread_table(title: str, spreads: Sequence["Spread"]) -> Table:
    """Each benchmark's figure over an ensemble's models: mean, spread, each model's value."""
    table = Table(title=escape(title), title_justify="left")
    for name in ("benchmark", "figure", "mean", "± sd", "per model"):
        table.add_column(name, justify="left" if name in ("benchmark", "figure", "per model") else "right")
    for spread in spreads:
        shown = percent if spread.figure == "accuracy" else _correlation
        table.add_row(escape(spread.benchmark), spread.figure, shown(spread.mean), shown(spread.std),
                      ", ".join(shown(v) for v in spread.values))
    return table


def _correlation(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def changes_table(title: str, changes: Sequence["WordChange"], k: int) -> Table:
    """A table of compared words: rank, word, aligned cosine, top-k overlap."""
    table = Table(title=escape(title), title_justify="left")
    table.add_column("rank", justify="right", style="dim")
    table.add_column("word", style="bold")
    table.add_column("cosine", justify="right")
    table.add_column(f"top-{k} overlap", justify="right")
    for rank, change in enumerate(changes, start=1):
        table.add_row(str(rank), escape(change.word), f"{change.cosine:.4f}", f"{change.overlap:.2f}")
    return table


def side_by_side_table(
    title: str, left: Sequence[tuple[str, float]], right: Sequence[tuple[str, float]], names: tuple[str, str]
) -> Table:
    """Two ranked lists in one table, row by row: rank, left word, cosine, right word, cosine."""
    table = Table(title=escape(title), title_justify="left")
    table.add_column("rank", justify="right", style="dim")
    for name in names:
        table.add_column(escape(name), style="bold")
        table.add_column("cosine", justify="right")
    for rank in range(max(len(left), len(right))):
        cells = [str(rank + 1)]
        for rows in (left, right):
            word, value = rows[rank] if rank < len(rows) else ("", None)
            cells += [escape(word), "" if value is None else f"{value:.4f}"]
        table.add_row(*cells)
    return table


def percent(value: float | None) -> str:
    """``12.3%``, or ``n/a`` when there is no ratio."""
    return "n/a" if value is None else f"{100.0 * value:.1f}%"


def frequent_separation(kv: KeyedVectors) -> float:
    """:func:`~w2v_core.diagnostics.separation` of the vectors, normalising only the rows it
    samples from (a 3M-word file is not copied to answer it)."""
    top = kv if len(kv) <= FREQUENT_WORDS else KeyedVectors(
        kv.words[:FREQUENT_WORDS], kv.vectors[:FREQUENT_WORDS]
    )
    return separation(top)


def health_rows(kv: KeyedVectors) -> tuple[list[tuple[str, str]], list[str]]:
    """The ``separation`` and ``largest norm`` fields for :func:`print_fields`, and a warning
    for each that is out of the healthy range (collapsed vectors, absurd norms)."""
    if len(kv) < 1:
        return [], []
    rows, warnings = [], []
    if len(kv) >= 2:
        value = frequent_separation(kv)
        rows.append(("separation", describe_separation(value)))
        if is_collapsed(value):
            warnings.append(
                f"warning: the vectors have collapsed (mean cosine of random pairs {value:.3f}): "
                "neighbours mean little; train more epochs (or leave --epochs to auto)"
            )
    norm = largest_norm(kv.vectors)
    rows.append(("largest norm", describe_norm(norm)))
    if not norm <= NORM_LIMIT:
        warnings.append(
            f"warning: a vector's norm is {norm:.3g}, far above the {NORM_LIMIT:g} of healthy "
            "word2vec vectors: training went wrong, and neighbours and analogies mean little"
        )
    return rows, warnings


def phrases_value(words: list[str], examples: int = 5) -> str:
    """How many phrases the vocabulary holds, with the most frequent (the tokenizer never
    makes ``_`` itself, so a word with one in a text corpus is a joined phrase)."""
    phrases = [w for w in words if "_" in w]
    if not phrases:
        return "none joined (lower --phrase-threshold or --phrase-min-count to find some)"
    return f"{len(phrases):,} in the vocabulary, e.g. {', '.join(phrases[:examples])}"
