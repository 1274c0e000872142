"""How the ``w2v`` commands print: aligned fields and ranked result tables."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..diagnostics import FREQUENT_WORDS, describe_separation, is_collapsed, separation
from ..vectors import KeyedVectors


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


def separation_rows(kv: KeyedVectors) -> tuple[list[tuple[str, str]], str | None]:
    """The ``separation`` field for :func:`print_fields`, and a warning when collapsed."""
    if len(kv) < 2:
        return [], None
    value = frequent_separation(kv)
    warning = None
    if is_collapsed(value):
        warning = (
            f"warning: the vectors have collapsed (mean cosine of random pairs {value:.3f}): "
            "neighbours mean little; train more epochs (or leave --epochs to auto)"
        )
    return [("separation", describe_separation(value))], warning
