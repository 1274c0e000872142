"""The help screen (``?``): every key, by pane."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


class HelpScreen(ModalScreen[None]):
    """A table of (where, key, what it does); any of Escape, ``?`` or ``q`` closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog"):
            yield Label("Keys  [dim](Esc closes · ctrl+p lists every command)[/]", classes="dialog-text")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#help-table", DataTable)
        table.add_column("where", key="where")
        table.add_column("key", key="key")
        table.add_column("does", key="does")
        previous = None
        for section, keys, text in self.rows:
            table.add_row("" if section == previous else section, keys, text)
            previous = section
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
