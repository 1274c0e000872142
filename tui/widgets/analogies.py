"""The Analogies pane: ``a : b :: c : ?`` answered with 3CosAdd or 3CosMul, and the odd one out."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import DataTable, Label, Static

from w2v_core.errors import W2VError
from w2v_core.query import parse_query
from w2v_core.vectors import ANALOGY_METHODS

from .pane import Pane, PaneTab
from .query_input import QueryInput, VocabSuggester
from .tables import add_columns


class AnalogiesPane(Pane):
    """Three inputs, ``a : b :: c : ?``; Enter in the last one (or when all are filled) answers."""

    TAB = PaneTab("analogies", "Analogies", "a", "Analogies pane")
    DEFAULT_CSS = """
    AnalogiesPane .an-term {
        width: 1fr;
    }
    AnalogiesPane .an-sep {
        width: auto;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("x", "toggle_method", "3CosAdd/Mul", tooltip="switch 3CosAdd / 3CosMul"),
        Binding("plus,equals_sign", "more", "More", tooltip="more results (top-k up)"),
        Binding("minus", "fewer", "Fewer", tooltip="fewer results (top-k down)"),
    ]

    #: "add" (3CosAdd) or "mul" (3CosMul)
    method: reactive[str] = reactive("add", repaint=False, init=False)
    #: how many answers are listed
    topk: reactive[int] = reactive(10, repaint=False, init=False)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="query-bar", id="an-bar"):
            yield QueryInput(placeholder="man", suggester=VocabSuggester(self), id="an-a", classes="an-term")
            yield Label(" : ", classes="an-sep")
            yield QueryInput(placeholder="king", suggester=VocabSuggester(self), id="an-b", classes="an-term")
            yield Label(" :: ", classes="an-sep")
            yield QueryInput(placeholder="woman", suggester=VocabSuggester(self), id="an-c", classes="an-term")
            yield Label(" : ?", classes="an-sep")
        with Horizontal(classes="query-bar", id="odd-bar"):
            yield Label("odd one out: ", classes="an-sep")
            yield QueryInput(placeholder="words, e.g. cat dog paris horse",
                             suggester=VocabSuggester(self), id="odd-input")
        yield Static("", id="an-info", classes="pane-info")
        yield DataTable(id="an-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(
            self.query_one("#an-table", DataTable),
            [("#", "n", 3), ("word", "word", 20), ("score", "score", 8)],
        )
        self._show_info()

    def body(self) -> Widget:
        return self.query_one("#an-table")

    def _terms(self) -> list[str]:
        return [self.query_one(f"#an-{k}", QueryInput).value.strip() for k in "abc"]

    def _show_info(self, result: str = "") -> None:
        text = f"method {ANALOGY_METHODS[self.method]} (x) · top {self.topk} (+/-)"
        self.query_one("#an-info", Static).update(text + (f" · {result}" if result else ""))

    def on_input_submitted(self, message: QueryInput.Submitted) -> None:
        message.stop()
        if message.input.id == "odd-input":
            if self.find_odd_one_out(message.value):
                self.focus_body()
            return
        terms = self._terms()
        empty = [k for k, t in zip("abc", terms) if not t]
        if empty and message.input.id != "an-c":
            self.query_one(f"#an-{empty[0]}", QueryInput).focus()
            return
        if self.solve():
            self.focus_body()

    def solve(self) -> bool:
        """Answer ``a : b :: c : ?`` into the table; errors become notifications."""
        a, b, c = self._terms()
        if not (a and b and c):
            self.app.notify("Fill in all three words: a : b :: c : ?", severity="warning")
            return False
        if self.vectors is None:
            self.app.notify("No vectors yet: they appear at the end of the first epoch.", severity="warning")
            return False
        try:
            results = self.vectors.analogy(a, b, c, method=self.method, topn=self.topk)
        except W2VError as error:
            self.app.notify(str(error), title="Analogy", severity="error")
            return False
        self._fill_table(results)
        self._show_info(f"{a} : {b} :: {c} : {results[0][0]}" if results else "no answer")
        return True

    def _fill_table(self, rows: list[tuple[str, float]]) -> None:
        """Show ranked (word, score) rows in the pane's table."""
        table = self.query_one("#an-table", DataTable)
        table.clear()
        for n, (word, score) in enumerate(rows, 1):
            table.add_row(Text(str(n), justify="right"), word, Text(f"{score:.3f}", justify="right"), key=word)

    def find_odd_one_out(self, text: str) -> bool:
        """List the words of ``text`` by cosine to their mean, the odd one out first."""
        if self.vectors is None:
            self.app.notify("No vectors yet: they appear at the end of the first epoch.", severity="warning")
            return False
        query = parse_query(text, self.vectors.index)
        try:
            rows = self.vectors.cosines_to_mean(query.positive + query.negative)
        except W2VError as error:
            self.app.notify(str(error), title="Odd one out", severity="error")
            return False
        self._fill_table(rows)
        self.query_one("#an-info", Static).update(f"odd one out: {rows[0][0]} · score: cosine to the mean")
        return True

    def _rerun(self) -> None:
        if all(self._terms()) and self.vectors is not None:
            self.solve()
        else:
            self._show_info()

    watch_method = watch_topk = _rerun

    def action_toggle_method(self) -> None:
        """Switch between 3CosAdd and 3CosMul."""
        self.method = "mul" if self.method == "add" else "add"

    def action_more(self) -> None:
        """Show more answers."""
        self.topk = min(100, self.topk + 5)

    def action_fewer(self) -> None:
        """Show fewer answers."""
        self.topk = max(5, self.topk - 5)
