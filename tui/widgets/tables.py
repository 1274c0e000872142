"""Helpers for the panes' result tables."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widgets import DataTable

#: Columns whose text reads left to right; every other column holds numbers, right-aligned.
TEXT_COLUMNS = ("word", "section", "in_a", "in_b")


def add_columns(table: DataTable, columns: Iterable[tuple[str, str, int]]) -> None:
    """Add ``(label, key, width)`` columns, text left-aligned and numbers right-aligned."""
    for label, key, width in columns:
        text = Text(label, justify="left" if key in TEXT_COLUMNS else "right")
        table.add_column(text, key=key, width=width)
