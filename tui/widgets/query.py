"""The query input shared by every pane, its vocabulary completion, and the pane base class."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import DataTable, Input

from w2v_core.vectors import KeyedVectors


#: Columns whose text reads left to right; every other column holds numbers, right-aligned.
TEXT_COLUMNS = ("word", "section")


def add_columns(table: DataTable, columns: Iterable[tuple[str, str, int]]) -> None:
    """Add ``(label, key, width)`` columns, text left-aligned and numbers right-aligned."""
    for label, key, width in columns:
        justify = "left" if key in TEXT_COLUMNS else "right"
        table.add_column(Text(label, justify=justify), key=key, width=width)


class VocabSuggester(Suggester):
    """Completes the last term of a query (``king -ma`` -> ``king -man``) from the vocabulary."""

    def __init__(self, pane: "Pane") -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.pane = pane

    async def get_suggestion(self, value: str) -> str | None:
        kv = self.pane.vectors
        if kv is None or not value or value[-1].isspace():
            return None
        head, _, last = value.rpartition(" ")
        sign = last[:1] if last[:1] in "+-" else ""
        prefix = last[len(sign):]
        if not prefix:
            return None
        found = kv.complete(prefix, limit=1)
        if not found or found[0] == prefix:
            return None
        return (head + " " if head else "") + sign + found[0]


class QueryInput(Input):
    """A one-line input; ``escape`` hands focus back to the pane's body."""

    BINDINGS = [Binding("escape", "leave", "Leave input", show=False)]

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        if self.app.is_headless:  # tests and screenshots: no blinking cursor
            self.cursor_blink = False

    def action_leave(self) -> None:
        """Leave the input: focus the body of the pane it belongs to."""
        pane = next((a for a in self.ancestors if isinstance(a, Pane)), None)
        if pane is not None:
            pane.focus_body()
        else:
            self.screen.set_focus(None)


class Pane(Vertical):
    """Base class of the app's panes: each has a query input and a body, and gets the vectors."""

    vectors: KeyedVectors | None = None

    def query_input(self) -> QueryInput:
        """The input ``/`` focuses."""
        return self.query(QueryInput).first()

    def body(self) -> Widget:
        """The widget that gets focus when the pane is shown or an input is left."""
        return self.query_input()

    def focus_query(self) -> None:
        # set_focus now, not Widget.focus() (deferred): keys typed right after "/" land here
        self.screen.set_focus(self.query_input())

    def focus_body(self) -> None:
        """Focus the body, or the query input while the body cannot take focus (loading)."""
        body = self.body()
        self.screen.set_focus(body if body.focusable else self.query_input())

    def set_vectors(self, vectors: KeyedVectors | None) -> None:
        """New vectors (a training snapshot or the final model); override to refresh."""
        self.vectors = vectors
