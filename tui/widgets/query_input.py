"""The query input shared by every pane, and its vocabulary completion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.suggester import Suggester
from textual.widgets import Input

if TYPE_CHECKING:  # pragma: no cover
    from .pane import Pane


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
        from .pane import Pane  # the pane module imports this one

        pane = next((a for a in self.ancestors if isinstance(a, Pane)), None)
        if pane is not None:
            pane.focus_body()
        else:
            self.screen.set_focus(None)
