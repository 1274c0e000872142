"""The Compare pane: a second model aligned onto the first, the words that moved, one word's
neighbours in both (``w2v-tui --model A --compare B``).

The pane is always there, so the tabs, the keys and the help are the same in every mode; with
no second model it says in one line how to open one (a hidden tab would leave its key doing
nothing, unexplained). The figures are :class:`w2v_core.compare.Comparison`'s; the changes of
every compared word (the neighbour overlaps: seconds at 10,000 words) are computed in a thread
worker as soon as the comparison arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from w2v_core.errors import W2VError

from ..error_text import error_text
from .pane import Pane, PaneTab
from .query_input import QueryInput, VocabSuggester
from .tables import add_columns

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.compare import Comparison, WordChange

#: What the pane says when the app has no second model.
HINT = "No second model: press b to open one (or  w2v-tui --model A --compare B)"
#: How many words the changed list shows.
LISTED = 100


class ComparePane(Pane):
    """The most (or least) changed words; Enter on one, or a typed word, shows its neighbours
    in A and in aligned B side by side."""

    TAB = PaneTab("compare", "Compare", "o", "Compare pane (w2v-tui --model A --compare B)")
    APP_STATE = ("vectors", "comparison")
    OTHER_KEYS = (("Enter on a row", "that word's neighbours in A and in B"),)
    BINDINGS = [
        Binding("l", "toggle_list", "Most/least", tooltip="list the most / the least changed words"),
        Binding("b", "open_other", "Open B", tooltip="open a second model (B) to compare with"),
    ]
    DEFAULT_CSS = """
    ComparePane #cmp-changes {
        width: 33;
        margin: 0 1 0 0;
    }
    ComparePane #cmp-sides {
        width: 1fr;
    }
    """

    #: the second model aligned onto the first, from the app (None: no second model)
    comparison: reactive["Comparison | None"] = reactive(None, repaint=False, init=False)
    #: the list shows the least changed words first instead of the most changed
    least: reactive[bool] = reactive(False, repaint=False, init=False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.changes: list["WordChange"] | None = None  #: every word's change, most changed first
        self.word = ""  #: the word whose neighbours are shown

    def compose(self) -> ComposeResult:
        with Horizontal(classes="query-bar"):
            yield QueryInput(placeholder="word: its neighbours in A and in B",
                             suggester=VocabSuggester(self), id="cmp-input")
        yield Static(HINT, id="cmp-info", classes="pane-info")
        with Horizontal():
            yield DataTable(id="cmp-changes", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="cmp-sides", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(self.query_one("#cmp-changes", DataTable),
                    [("word", "word", 12), ("cosine", "cos", 6), ("overlap", "overlap", 7)])
        add_columns(self.query_one("#cmp-sides", DataTable),
                    [("#", "n", 2), ("in A", "in_a", 10), ("cosine", "cos_a", 6),
                     ("in B", "in_b", 10), ("cosine", "cos_b", 6)])

    def body(self) -> Widget:
        return self.query_one("#cmp-changes")

    # ------------------------------------------------------------------ the comparison
    def watch_comparison(self, comparison: "Comparison | None") -> None:
        self.changes = None
        if comparison is None:
            self._info(HINT)
            return
        self._info(f"{self._figures(comparison)} · aligning…")
        self.run_worker(lambda: comparison.ranked(), thread=True, exclusive=True, group="compare",
                        exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if not self.app.is_running:
            return
        if event.worker.group == "open-other":
            self._opened(event)
            return
        if event.worker.group != "compare":
            return
        if event.state is WorkerState.SUCCESS:
            self.changes = event.worker.result
            self._fill_changes()
            if self.word:
                self.show_word(self.word)
        elif event.state is WorkerState.ERROR:
            self._info(f"comparison failed: {error_text(event.worker.error)}")

    @staticmethod
    def _figures(comparison: "Comparison") -> str:
        compared = len(comparison.words)
        which = "all" if compared == comparison.shared else f"top {compared:,}"
        return f"{comparison.shared:,} shared words, {which} compared, overlap of top {comparison.k}"

    def _info(self, text: str) -> None:
        self.query_one("#cmp-info", Static).update(text)

    def _fill_changes(self) -> None:
        """The list: the most changed words first, or the least changed with ``l``."""
        comparison, changes = self.comparison, self.changes
        if comparison is None or changes is None:
            return
        rows = (changes[::-1] if self.least else changes)[:LISTED]
        table = self.query_one("#cmp-changes", DataTable)
        table.clear()
        for change in rows:
            table.add_row(change.word, Text(f"{change.cosine:.3f}", justify="right"),
                          Text(f"{change.overlap:.2f}", justify="right"), key=change.word)
        which = "least" if self.least else "most"
        self._info(f"{self._figures(comparison)} · mean cosine {comparison.mean_cosine:.3f} · "
                   f"{which} changed (l)")

    def watch_least(self) -> None:
        self._fill_changes()

    def action_toggle_list(self) -> None:
        """List the least changed words instead of the most changed, or back."""
        self.least = not self.least

    # ------------------------------------------------------------------ opening model B
    def action_open_other(self) -> None:
        """Ask for a second model's file and compare with it (any format ``--model`` reads)."""
        from ..screens.path import PathScreen

        from w2v_core.formats import ALLOWED_EXTENSIONS

        self.app.push_screen(
            PathScreen("Compare with the model:", hints=[f"Formats: {ALLOWED_EXTENSIONS}"],
                       input_id="other-path"),
            self._open_other,
        )

    def _open_other(self, path: str | None) -> None:
        if not path:
            return
        self._info(f"opening {path}…")
        self.run_worker(lambda: self._load(path), thread=True, exclusive=True, group="open-other",
                        exit_on_error=False)

    @staticmethod
    def _load(path: str) -> tuple[str, object]:
        from pathlib import Path

        from w2v_core.cli.loading import load_model

        return path, load_model(Path(path).expanduser()).wv

    def _opened(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.SUCCESS:
            path, vectors = event.worker.result
            if not self.app.compare_with_model(vectors, path):  # type: ignore[attr-defined]
                self._info(HINT if self.comparison is None else self._figures(self.comparison))
        elif event.state is WorkerState.ERROR:
            self.app.notify(error_text(event.worker.error), title="Compare", severity="error")
            self._info(HINT if self.comparison is None else self._figures(self.comparison))

    # ------------------------------------------------------------------ one word
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "cmp-changes" and event.row_key.value is not None:
            event.stop()
            self.show_word(event.row_key.value)
        elif event.data_table.id == "cmp-sides":  # a neighbour: drill into it
            event.stop()
            row = event.data_table.get_row(event.row_key)
            self.show_word(str(row[1] or row[3]))

    def on_input_submitted(self, message: QueryInput.Submitted) -> None:
        message.stop()
        if message.value.strip() and self.show_word(message.value.strip()):
            self.focus_body()

    def show_word(self, word: str) -> bool:
        """Show ``word``'s neighbours in A and in aligned B side by side; errors notify."""
        comparison = self.comparison
        if comparison is None:
            self.app.notify(HINT, severity="warning")
            return False
        try:
            in_a, in_b = comparison.neighbours(word, max(comparison.k, 10))
            change = comparison.change(word) if self.changes is not None else None
        except W2VError as error:
            self.app.notify(str(error), title="Compare", severity="error")
            return False
        self.word = comparison.words[comparison.row(word)]  # as compared: case and form settled
        self.query_one("#cmp-input", QueryInput).value = self.word
        table = self.query_one("#cmp-sides", DataTable)
        table.clear()
        for n in range(max(len(in_a), len(in_b))):
            cells: list[object] = [Text(str(n + 1), justify="right")]
            for rows in (in_a, in_b):
                word_, cosine = rows[n] if n < len(rows) else ("", None)
                cells += [word_, Text("" if cosine is None else f"{cosine:.3f}", justify="right")]
            table.add_row(*cells)
        if change is not None:
            self._info(f"{self.word}: cosine A↔B {change.cosine:.3f}, overlap of top {comparison.k} "
                       f"{change.overlap:.2f}")
        return True
