"""The query input shared by every pane, its vocabulary completion, and the pane base class."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import DataTable, Input

from w2v_core.vectors import KeyedVectors

#: Columns whose text reads left to right; every other column holds numbers, right-aligned.
TEXT_COLUMNS = ("word", "section")


def add_columns(table: DataTable, columns: Iterable[tuple[str, str, int]]) -> None:
    """Add ``(label, key, width)`` columns, text left-aligned and numbers right-aligned."""
    for label, key, width in columns:
        text = Text(label, justify="left" if key in TEXT_COLUMNS else "right")
        table.add_column(text, key=key, width=width)


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

    DEFAULT_CSS = """
    QueryInput, QueryInput.-textual-compact {
        width: 1fr;
        padding: 0 1;
        background: $boost;
    }
    QueryInput:focus, QueryInput.-textual-compact:focus {
        background: $accent 25%;
    }
    """

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


def one_line(error: BaseException) -> str:
    """An expected error (the engine's, or the system's) as one line for the user."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return " ".join(str(error).split()) or type(error).__name__


def error_text(error: BaseException | None) -> str:
    """One line for the user about any error: an unexpected one is named by its type."""
    from w2v_core.errors import W2VError

    if error is None:
        return "unknown error"
    if isinstance(error, (W2VError, OSError)):
        return one_line(error)
    return f"{type(error).__name__}: {one_line(error)}"


class Pane(Vertical):
    """Base class of the app's panes: each has a query input and a body, and gets the vectors.

    ``vectors`` is bound to the app's (``data_bind``): a pane reacts in ``watch_vectors``.
    """

    DEFAULT_CSS = """
    Pane {
        height: 1fr;
    }
    Pane .query-bar {
        height: 1;
        margin: 0 0 1 0;
    }
    Pane .query-info {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    Pane .pane-info {
        width: 1fr;
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    Pane DataTable {
        height: 1fr;
    }
    """

    #: The vectors queries use; the same object again still notifies (a new epoch may reuse it).
    vectors: reactive[KeyedVectors | None] = reactive(None, always_update=True, repaint=False, init=False)

    class AskNeighbours(Message):
        """``pane`` asks for ``text`` to become the neighbours query (the app answers it)."""

        def __init__(self, pane: "Pane", text: str) -> None:
            super().__init__()
            self.pane = pane
            self.text = text

        @property
        def control(self) -> "Pane":
            return self.pane

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
