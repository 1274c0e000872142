"""The Neighbours pane: nearest words to a (signed) query, with drill-down and history."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import DataTable, Static

from w2v_core.errors import W2VError
from w2v_core.query import parse_query
from w2v_core.stability import StableNeighbour, by_stability, neighbour_stability
from w2v_core.vectors import KeyedVectors

from ..messages import QueryAnswer, QueryAnswered
from .pane import Pane, PaneTab
from .query_input import QueryInput, VocabSuggester
from .tables import add_columns

#: From this many words on (when the engine has an approximate search for the vectors: see
#: :meth:`KeyedVectors.approximates`), the pane lists approximate neighbours and says so;
#: ``x`` switches to the exact list. Exact time grows with the vocabulary: from about this
#: size a drill-down starts to lag (measurements: benchmarks/README.md).
APPROXIMATE_FROM = 300_000


def approximate_by_default(vectors: KeyedVectors | None) -> bool:
    """Whether the Neighbours pane lists approximate neighbours of ``vectors`` (until ``x``)."""
    return vectors is not None and len(vectors) >= APPROXIMATE_FROM and vectors.approximates()


class QueryHistory:
    """Queries in the order they were asked, with a cursor for back and forward."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.pos = -1

    def push(self, query: str) -> None:
        """Record a new query; anything forward of the cursor is dropped (browser-style)."""
        if 0 <= self.pos < len(self.items) and self.items[self.pos] == query:
            return
        del self.items[self.pos + 1:]
        self.items.append(query)
        self.pos = len(self.items) - 1

    def back(self) -> str | None:
        if self.pos > 0:
            self.pos -= 1
            return self.items[self.pos]
        return None

    def forward(self) -> str | None:
        if self.pos < len(self.items) - 1:
            self.pos += 1
            return self.items[self.pos]
        return None

    def __str__(self) -> str:
        return f"{self.pos + 1}/{len(self.items)}" if self.items else "0/0"


#: The table's columns: ``(label, key, width)``; an ensemble's adds its stability figures.
COLUMNS = [("#", "n", 3), ("word", "word", 20), ("cosine", "cos", 7), ("count", "count", 10),
           ("freq rank", "rank", 9)]
STABILITY_COLUMNS = [("#", "n", 3), ("word", "word", 16), ("mean", "cos", 6), ("± sd", "sd", 5),
                     ("stable", "stable", 6), ("count", "count", 7), ("rank", "rank", 5)]


class NeighboursPane(Pane):
    """Type a word or ``king -man +woman``; Enter on a row drills into that word.

    An ensemble (``w2v train --runs``) lists its neighbours by mean cosine over its models,
    with a stability column: in how many models each is among the top k, and the spread of
    its cosines (:mod:`w2v_core.stability`); ``s`` lists the most stable first.
    """

    TAB = PaneTab("neighbours", "Neighbours", "n", "Neighbours pane")
    OTHER_KEYS = (("Enter on a row", "drill into that word"),)
    BINDINGS = [
        Binding("left_square_bracket,alt+left", "back", "Back", tooltip="previous query"),
        Binding("right_square_bracket,alt+right", "forward", "Fwd", tooltip="next query"),
        Binding("plus,equals_sign", "more", "More", tooltip="more results (top-k up)"),
        Binding("minus", "fewer", "Fewer", tooltip="fewer results (top-k down)"),
        Binding("x", "toggle_exact", "Exact/≈",
                tooltip=f"approximate / exact neighbours ({APPROXIMATE_FROM:,}+ words start approximate)"),
        Binding("s", "toggle_stable_first", "Stable",
                tooltip="an ensemble's neighbours: most stable first / by mean cosine"),
    ]
    APP_STATE = ("vectors", "model")

    topk_steps = (5, 10, 15, 20, 30, 50, 100)
    #: how many neighbours are listed
    topk: reactive[int] = reactive(10, repaint=False, init=False)
    #: the user asked for exact neighbours of a vocabulary that starts approximate (``x``)
    exact: reactive[bool] = reactive(False, repaint=False, init=False)
    #: an ensemble's neighbours are listed most stable first (``s``), else by mean cosine
    stable_first: reactive[bool] = reactive(False, repaint=False, init=False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history = QueryHistory()
        self.current = ""
        self.positive: list[str] = []  #: the current query's words, as parsed
        self.negative: list[str] = []
        self.results: list[tuple[str, float]] = []
        self.approximated = False  #: the list shown came from the approximate search
        self._large = False  #: the vectors shown start approximate (``x`` is offered)
        self.stability: list[StableNeighbour] = []  #: an ensemble's figures for ``results``
        self._columns: list[tuple[str, str, int]] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="query-bar"):
            yield QueryInput(
                placeholder="word, or king -man +woman", suggester=VocabSuggester(self), id="nb-input"
            )
            yield Static("", id="nb-info", classes="query-info")
        yield DataTable(id="nb-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self._set_columns()
        self._show_info()

    def _set_columns(self) -> None:
        """The table's columns for what is shown: with the stability ones for an ensemble."""
        columns = COLUMNS if self.ensemble is None else STABILITY_COLUMNS
        if columns is not self._columns:
            self._columns = columns
            table = self.query_one("#nb-table", DataTable)
            table.clear(columns=True)
            add_columns(table, columns)
            self.refresh_bindings()

    def body(self) -> Widget:
        return self.query_one("#nb-table")

    def watch_vectors(self, vectors: KeyedVectors | None) -> None:
        self._set_columns()
        large = approximate_by_default(vectors)
        if large != self._large:  # (each epoch of a training run brings new vectors)
            self._large = large
            self.refresh_bindings()
            self._show_info()
        if self.current and vectors is not None:
            self.run_query(self.current, record=False, quiet=True)

    def watch_topk(self) -> None:
        if self.current:
            self.run_query(self.current, record=False)
        self._show_info()

    def watch_exact(self) -> None:
        if self.current:
            self.run_query(self.current, record=False)
        self._show_info()

    def watch_stable_first(self) -> None:
        if self.current:
            self.run_query(self.current, record=False)
        self._show_info()

    @property
    def answer(self) -> QueryAnswer:
        """The current query as answered, for the other panes (``show_query``)."""
        return QueryAnswer(self.positive + self.negative, [w for w, _ in self.results], self.current)

    @property
    def approximate(self) -> bool:
        """Whether queries now use the approximate search (a large vocabulary, until ``x``)."""
        return approximate_by_default(self.vectors) and not self.exact

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_exact":  # shown (in the footer) only where it does something
            return approximate_by_default(self.vectors)
        if action == "toggle_stable_first":
            return self.ensemble is not None
        return True

    @property
    def _waits_for_projection(self) -> bool:
        """Approximate is asked for, but its projection is still being built elsewhere: the
        pane answers exactly meanwhile rather than building it on the UI thread (its cost:
        benchmarks/README.md)."""
        return self.approximate and self.vectors is not None and not self.vectors.approximate_ready

    def projection_ready(self) -> None:
        """The background projection of the vectors shown is built: go approximate."""
        if self.current and self.approximate and not self.approximated:
            self.run_query(self.current, record=False, quiet=True)
        self._show_info()

    def _show_info(self) -> None:
        # the list shown, once there is one; else what the next query will be
        approximate = self.approximated if self.current else self.approximate
        if not approximate_by_default(self.vectors):
            search = ""
        elif approximate:
            search = "≈ approximate (x: exact) · "
        elif self._waits_for_projection:
            search = "exact until ≈ is ready · "
        else:
            search = "exact (x: ≈) · "
        ensemble = self.ensemble
        if ensemble is not None:
            order = "most stable first (s: by cosine)" if self.stable_first else "by mean cosine (s: stable first)"
            search = f"{len(ensemble)} models, {order} · "
        self.query_one("#nb-info", Static).update(f"{search}top {self.topk} · history {self.history}")

    def run_query(self, text: str, record: bool = True, quiet: bool = False) -> bool:
        """Answer ``text``; errors become notifications. Returns whether it was answered."""
        text = " ".join(text.split())
        if not text:
            self.app.notify("Type a word first.", severity="warning")
            return False
        if self.vectors is None:
            self.app.notify("No vectors yet: they appear at the end of the first epoch.", severity="warning")
            return False
        positive, negative = parse_query(text, self.vectors.index)  # vocabulary words stay whole
        if not positive and not negative:
            self.app.notify(f"No words in {text!r}.", severity="warning")
            return False
        approximate = self.approximate and not self._waits_for_projection
        ensemble, stability = self.ensemble, []
        try:
            if ensemble is not None:  # always exact: every model is asked
                approximate = False
                stability = neighbour_stability(ensemble.vectors, positive, negative, self.topk)
                if self.stable_first:
                    stability = by_stability(stability)
                results = [(n.word, n.mean) for n in stability]
            else:
                results = self.vectors.most_similar(
                    positive=positive, negative=negative, topn=self.topk, approximate=approximate
                )
        except W2VError as error:
            if not quiet:
                self.app.notify(str(error), title="Neighbours", severity="error")
            return False
        self.current, self.results, self.approximated = text, results, approximate
        self.stability = stability
        self.positive, self.negative = positive, negative
        self.query_one("#nb-input", QueryInput).value = text
        if record:
            self.history.push(text)
        self._fill(results)
        self.post_message(QueryAnswered(self.answer))
        return True

    def _fill(self, results: list[tuple[str, float]]) -> None:
        kv = self.vectors
        assert kv is not None
        table = self.query_one("#nb-table", DataTable)
        table.clear()
        for n, (word, score) in enumerate(results, 1):
            count = kv.frequency(word)
            figures = []
            if self.stability:
                stable = self.stability[n - 1]
                figures = [f"{stable.std:.3f}", stable.share]
            cells = (str(n), f"{score:.3f}", *figures, "—" if count is None else f"{count:,}",
                     f"{kv.rank(word):,}")
            right = [Text(c, justify="right") for c in cells]
            table.add_row(right[0], word, *right[1:], key=word)
        self._show_info()

    def on_input_submitted(self, message: QueryInput.Submitted) -> None:
        message.stop()
        if self.run_query(message.value):
            self.focus_body()

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        """Enter on a row: that word becomes the query."""
        message.stop()
        if message.row_key.value:
            self.run_query(message.row_key.value)

    def action_back(self) -> None:
        """Previous query in the history."""
        self._replay(self.history.back())

    def action_forward(self) -> None:
        """Next query in the history."""
        self._replay(self.history.forward())

    def _replay(self, query: str | None) -> None:
        """Run a query from the history again (a bell at either end of it)."""
        if query is None:
            self.app.bell()
        else:
            self.run_query(query, record=False)

    def _step_topk(self, direction: int) -> None:
        steps = self.topk_steps
        i = min(range(len(steps)), key=lambda j: abs(steps[j] - self.topk))
        self.topk = steps[max(0, min(len(steps) - 1, i + direction))]

    def action_more(self) -> None:
        """Show more neighbours."""
        self._step_topk(+1)

    def action_fewer(self) -> None:
        """Show fewer neighbours."""
        self._step_topk(-1)

    def action_toggle_stable_first(self) -> None:
        """An ensemble's neighbours: most stable first, or by mean cosine."""
        if self.ensemble is not None:
            self.stable_first = not self.stable_first

    def action_toggle_exact(self) -> None:
        """Switch between approximate and exact neighbours (large vocabularies)."""
        if approximate_by_default(self.vectors):
            self.exact = not self.exact
