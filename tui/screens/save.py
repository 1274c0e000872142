"""Ask where to save the model; the format follows the extension."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from w2v_core.formats import ALLOWED_EXTENSIONS


class SaveScreen(ModalScreen[str | None]):
    """A path input; Enter saves there, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default_path: str, note: str = "") -> None:
        super().__init__()
        self.default_path = default_path
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Save model to:", classes="dialog-text")
            yield Input(self.default_path, id="save-path")
            yield Static(f"The extension picks the format: {ALLOWED_EXTENSIONS}", classes="dialog-hint")
            if self.note:
                yield Static(self.note, classes="dialog-hint")
            yield Static("Enter save · Escape cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        box = self.query_one("#save-path", Input)
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
