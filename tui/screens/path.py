"""Ask for a file path in a small dialog: where to save the model, which model to open."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class PathScreen(ModalScreen[str | None]):
    """A path input under a title; Enter answers the path (``~`` left for the caller),
    Escape answers None.

    Parameters
    ----------
    title : str
        What the path is for (``Save model to:``).
    default_path : str
        The input's text to start with.
    hints : sequence of str
        Lines under the input (formats, notes); the keys are always the last one.
    input_id : str
        The input's id (tests fill it in).
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, default_path: str = "", hints: Sequence[str] = (),
                 input_id: str = "path", action: str = "open") -> None:
        super().__init__()
        self.title_text = title
        self.default_path = default_path
        self.hints = [h for h in hints if h]
        self.input_id = input_id
        self.action = action

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-text")
            yield Input(self.default_path, id=self.input_id)
            for hint in self.hints:
                yield Static(hint, classes="dialog-hint")
            yield Static(f"Enter {self.action} · Escape cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        box = self.query_one(f"#{self.input_id}", Input)
        if self.app.is_headless:
            box.cursor_blink = False
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            self.app.notify("Type a file name.", severity="warning")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
