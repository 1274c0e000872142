"""The help screen (``?``): every key, by pane."""

from __future__ import annotations

import textwrap

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
        self._fill(table)
        table.focus()
        self.call_after_refresh(self._fill, table)  # again once the table has its size

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill, self.query_one("#help-table", DataTable))

    def _fill(self, table: DataTable) -> None:
        """The rows, descriptions wrapped to the room the table has (none cut off)."""
        # before layout: the terminal less the dialog's border, padding and a scrollbar
        width = table.scrollable_content_region.width or self.app.size.width - 10
        used = max(len(r[0]) for r in self.rows) + max(len(r[1]) for r in self.rows)
        room = max(16, width - used - 6 * table.cell_padding)
        table.clear()
        previous = None
        for section, keys, text in self.rows:
            lines = textwrap.wrap(text, room) or [""]
            table.add_row("" if section == previous else section, keys, "\n".join(lines),
                          height=len(lines))
            previous = section

    def action_close(self) -> None:
        self.dismiss(None)
