"""The Map pane: a 2-D projection (t-SNE or PCA) of the most frequent words.

The projection runs in a thread worker while the plot shows a loading indicator. The query
word of the Neighbours pane and its neighbours are labelled and coloured apart; every other
word is a dot.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from w2v_core.vectors import KeyedVectors

from .plots import ScatterData, ScatterPlot, View
from .query import Pane, QueryInput, VocabSuggester, error_text

METHOD_NAMES = {"tsne": "t-SNE", "pca": "PCA"}
SIZES = (100, 250, 500, 1000, 2000)


class MapPane(Pane):
    """A word map with zoom, pan and re-centring; computed lazily when first shown."""

    BINDINGS = [
        Binding("plus,equals_sign", "zoom(1)", "Zoom in", tooltip="zoom in"),
        Binding("minus", "zoom(-1)", "Zoom out", tooltip="zoom out"),
        Binding("left,h", "pan(-1,0)", "Pan", show=False, tooltip="pan left"),
        Binding("right,l", "pan(1,0)", "Pan", show=False, tooltip="pan right"),
        Binding("up,k", "pan(0,1)", "Pan", show=False, tooltip="pan up"),
        Binding("down,j", "pan(0,-1)", "Pan", show=False, tooltip="pan down"),
        Binding("c", "centre", "Centre", tooltip="centre on the query word"),
        # in the help screen and the palette; the footer keeps to 80 columns
        Binding("0", "reset_view", "Reset", show=False, tooltip="show the whole map"),
        Binding("x", "toggle_method", "t-SNE/PCA", show=False, tooltip="switch t-SNE / PCA (recomputes)"),
        Binding("greater_than_sign", "size(1)", "More words", show=False, tooltip="map more words (recomputes)"),
        Binding("less_than_sign", "size(-1)", "Fewer words", show=False, tooltip="map fewer words (recomputes)"),
    ]

    zoom_factor = 1.6
    pan_step = 0.25

    #: "tsne" or "pca"
    method: reactive[str] = reactive("tsne", repaint=False, init=False)
    #: how many of the most frequent words are mapped
    top_n: reactive[int] = reactive(500, repaint=False, init=False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.computed_key: tuple | None = None
        self.pending_key: tuple | None = None
        self.query_words: list[str] = []
        self.neighbour_words: list[str] = []
        self.version = 0  # bumped with every new set of vectors

    def compose(self) -> ComposeResult:
        with Horizontal(classes="query-bar"):
            yield QueryInput(placeholder="centre on a word", suggester=VocabSuggester(self), id="map-input")
            yield Static("", id="map-info", classes="query-info")
        yield ScatterPlot(id="map-plot")

    def on_mount(self) -> None:
        self._show_info()

    def body(self) -> Widget:
        return self.query_one(ScatterPlot)

    @property
    def plot(self) -> ScatterPlot:
        return self.query_one(ScatterPlot)

    def _key(self) -> tuple:
        return (self.version, self.method, self.top_n)

    def _show_info(self, extra: str = "") -> None:
        info = f"{METHOD_NAMES[self.method]} (x) · {self.top_n} words (</>)"
        if self.pending_key is not None:
            info += " · computing…"
        elif extra:
            info += f" · {extra}"
        self.query_one("#map-info", Static).update(info)

    # ------------------------------------------------------------ computing
    def watch_vectors(self) -> None:
        self.version += 1
        if self.parent is not None and self.parent.display:  # the Map tab is showing
            self.ensure_projection()

    def watch_method(self) -> None:
        self.ensure_projection()

    watch_top_n = watch_method

    def ensure_projection(self) -> None:
        """Start computing the projection unless it is current or on its way."""
        if self.vectors is None:
            self._show_info("no vectors yet")
            return
        key = self._key()
        if key in (self.computed_key, self.pending_key):
            return
        self.pending_key = key
        self.plot.loading = True
        self._show_info()
        self._project(self.vectors, self.method, self.top_n, key)

    @work(thread=True, exclusive=True, group="map", exit_on_error=False)
    def _project(self, vectors: KeyedVectors, method: str, top_n: int, key: tuple) -> tuple[tuple, Any]:
        from w2v_core.projection import project_2d

        return key, project_2d(vectors, method=method, top_n=min(top_n, len(vectors)), seed=0)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """How a projection ended, whatever it raised: the pane never stays 'computing…'."""
        if event.worker.group != "map":
            return
        if event.state is WorkerState.SUCCESS:
            key, projection = event.worker.result
            if key == self.pending_key:  # else superseded by a newer request
                self._show_projection(key, projection)
        elif event.state is WorkerState.ERROR:
            self.pending_key = None
            self.plot.loading = False
            self.app.notify(error_text(event.worker.error), title="Map", severity="error")
            self._show_info("failed")

    def _show_projection(self, key: tuple, proj: Any) -> None:
        self.pending_key = None
        self.plot.loading = False
        self.computed_key = key
        self.plot.data = ScatterData(list(proj.words), np.asarray(proj.coords, dtype=float))
        self.plot.view = View.fit(self.plot.data.coords)
        self._highlight()
        # focus went to the input while the plot was loading: hand it to the plot, unless typing
        focused, box = self.app.focused, self.query_input()
        idle = focused is None or self not in focused.ancestors or (focused is box and not box.value)
        if self.parent is not None and self.parent.display and idle:
            self.focus_body()

    # ------------------------------------------------------------ highlighting
    def set_query(self, query_words: list[str], neighbour_words: list[str]) -> None:
        """The words to label: the query and its neighbours (from the Neighbours pane)."""
        self.query_words, self.neighbour_words = query_words, neighbour_words
        self._highlight()

    def _highlight(self) -> None:
        data = self.plot.data
        data.query = list(self.query_words)
        data.neighbours = [w for w in self.neighbour_words if w not in data.query]
        if len(data.words):
            self.plot.draw()
            shown = set(data.words)
            wanted = data.query + data.neighbours
            missing = sum(w not in shown for w in wanted)
            self._show_info(f"{missing} of {len(wanted)} words not in the top {self.top_n}" if missing else "")

    def on_input_submitted(self, message: QueryInput.Submitted) -> None:
        """Centre on a word: it becomes the query (in the Neighbours pane too)."""
        message.stop()
        self.post_message(self.AskNeighbours(self, message.value))

    # ------------------------------------------------------------ view
    def action_zoom(self, direction: int) -> None:
        """Zoom in (1) or out (-1) around the centre."""
        factor = self.zoom_factor ** (-direction)
        view = self.plot.view
        view.half_w *= factor
        view.half_h *= factor
        self.plot.draw()

    def action_pan(self, dx: int, dy: int) -> None:
        """Move the view by a quarter of its size."""
        view = self.plot.view
        view.cx += dx * self.pan_step * 2 * view.half_w
        view.cy += dy * self.pan_step * 2 * view.half_h
        self.plot.draw()

    def action_centre(self) -> None:
        """Centre the view on the query word."""
        data = self.plot.data
        target = next((w for w in data.query if w in data.words), None)
        if target is None:
            self.app.notify("No query word on the map: ask one in Neighbours (n) or type one here (/).")
            return
        x, y = data.coords[data.words.index(target)]
        self.plot.view.cx, self.plot.view.cy = float(x), float(y)
        self.plot.draw()

    def action_reset_view(self) -> None:
        """Show the whole map again."""
        self.plot.view = View.fit(self.plot.data.coords)
        self.plot.draw()

    def action_toggle_method(self) -> None:
        """Switch between t-SNE and PCA (recomputes)."""
        self.method = "pca" if self.method == "tsne" else "tsne"

    def action_size(self, direction: int) -> None:
        """Map more or fewer of the most frequent words (recomputes)."""
        i = SIZES.index(self.top_n) if self.top_n in SIZES else 2
        self.top_n = SIZES[max(0, min(len(SIZES) - 1, i + direction))]
