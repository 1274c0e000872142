"""The Map pane: a 2-D projection (t-SNE or PCA) of the most frequent words, or of the query's
own neighbourhood.

The query's neighbours are numbered on the map and named in a legend beside it: their names
collide on the map, where neighbours sit close together by definition.

The projection runs in a thread worker while the plot shows a loading indicator. The query of
the Neighbours pane and its neighbours are always on the map, labelled and coloured apart:
words the map does not hold are placed into the finished map from their nearest mapped words
(``Projection.place``, no recomputation; its cost: benchmarks/README.md) and drawn hollow.
Every other word is a dot.

With a second model open (the Compare pane's), each query word is marked where it sits in
that model too, aligned onto this one (◈, joined to the word by a line): how far it moved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from w2v_core.errors import W2VError
from w2v_core.projection import Projection
from w2v_core.vectors import KeyedVectors

from ..error_text import error_text
from ..messages import AskNeighbours, QueryAnswer
from .pane import Pane, PaneTab
from .plots import NUMBERS, ScatterData, ScatterPlot, View
from .query_input import QueryInput, VocabSuggester

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.compare import Comparison

METHOD_NAMES = {"tsne": "t-SNE", "pca": "PCA"}
SIZES = (100, 250, 500, 1000, 2000)
#: Neighbours of the query in the neighbourhood view (``v``).
NEIGHBOURHOOD = 150


def _same_request(a: tuple | None, b: tuple | None) -> bool:
    """Whether two compared-point requests are for the same map, comparison and words (the
    map and the comparison by identity: a Projection's ``==`` would compare arrays)."""
    if a is None or b is None:
        return a is b
    return a[0] is b[0] and a[1] is b[1] and a[2] == b[2]


class MapPane(Pane):
    """A word map with zoom, pan and re-centring; computed lazily when first shown."""

    TAB = PaneTab("map", "Map", "m", "Map pane")
    APP_STATE = ("vectors", "comparison")
    DEFAULT_CSS = """
    MapPane #map-body {
        height: 1fr;
    }
    MapPane #map-legend {
        width: auto;
        max-width: 20;
        height: 1fr;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """
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
        Binding("v", "toggle_view", "Neighbourhood", show=False,
                tooltip="switch between the most frequent words and the query's own neighbourhood"),
        Binding("greater_than_sign", "size(1)", "More words", show=False, tooltip="map more words (recomputes)"),
        Binding("less_than_sign", "size(-1)", "Fewer words", show=False, tooltip="map fewer words (recomputes)"),
    ]

    zoom_factor = 1.6
    pan_step = 0.25

    #: "tsne" or "pca"
    method: reactive[str] = reactive("tsne", repaint=False, init=False)
    #: how many of the most frequent words are mapped
    top_n: reactive[int] = reactive(500, repaint=False, init=False)
    #: a second model aligned onto the first, from the app (None: no second model)
    comparison: reactive["Comparison | None"] = reactive(None, repaint=False, init=False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.local = False  # the query's neighbourhood instead of the most frequent words
        self.computed_key: tuple | None = None
        self.pending_key: tuple | None = None
        self.base: Projection | None = None  # the fitted map, before any placing
        self.shown: Projection | None = None  # what the plot draws: base plus placed words
        self.placing: list[str] | None = None  # words being placed into the base map
        self.query_words: list[str] = []
        self.neighbour_words: list[str] = []
        self.query_text = ""  # the query as typed, shown in the input
        self.version = 0  # bumped with every new set of vectors
        #: the query words in the compared model, on this map: (word, x, y, aligned cosine)
        self.compared: list[tuple[str, float, float, float]] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="query-bar"):
            yield QueryInput(placeholder="a word to map", suggester=VocabSuggester(self), id="map-input")
            yield Static("", id="map-info", classes="query-info")
        with Horizontal(id="map-body"):
            yield ScatterPlot(id="map-plot")
            yield Static("", id="map-legend")

    def on_mount(self) -> None:
        self._show_info()

    def body(self) -> Widget:
        return self.query_one(ScatterPlot)

    @property
    def plot(self) -> ScatterPlot:
        return self.query_one(ScatterPlot)

    @property
    def centre_word(self) -> str | None:
        """The word whose neighbourhood the local view maps: the first query word."""
        return self.query_words[0] if self.query_words else None

    def _key(self) -> tuple:
        if self.local:
            return (self.version, self.method, "local", self.centre_word)
        return (self.version, self.method, self.top_n)

    def _show_info(self, extra: str = "") -> None:
        if self.local:
            info = f"{METHOD_NAMES[self.method]} (x) · around {self.centre_word} (v)"
        else:
            info = f"{METHOD_NAMES[self.method]} (x) · {self.top_n} words (</>)"
        if self.vectors is None:
            info += " · no vectors yet"
        elif self.pending_key is not None:
            info += " · computing…"
        elif extra:
            info += f" · {extra}"
        elif self.shown is not None and self.shown.placed:
            info += f" · ◇○ {len(self.shown.placed)} placed"
        self.query_one("#map-info", Static).update(info)

    # ------------------------------------------------------------ computing
    def watch_vectors(self) -> None:
        self.version += 1
        if self.parent is not None and self.parent.display:  # the Map tab is showing
            self.ensure_projection()

    def watch_method(self) -> None:
        self.ensure_projection()

    watch_top_n = watch_method

    def tab_shown(self) -> None:
        """The Map tab is shown: compute the map now if it is not current."""
        self.ensure_projection()

    def ensure_projection(self) -> None:
        """Start computing the projection unless it is current or on its way."""
        if self.vectors is None:
            self._show_info()
            return
        key = self._key()
        if key in (self.computed_key, self.pending_key):
            return
        self.pending_key = key
        self.plot.loading = True
        self._show_info()
        self._project(self.vectors, key)

    @work(thread=True, exclusive=True, group="map", exit_on_error=False)
    def _project(self, vectors: KeyedVectors, key: tuple) -> tuple[tuple, Projection]:
        from w2v_core.projection import project_2d, project_neighbourhood

        method = key[1]
        if key[2] == "local":
            return key, project_neighbourhood(vectors, key[3], n=NEIGHBOURHOOD, method=method)
        return key, project_2d(vectors, method=method, top_n=min(key[2], len(vectors)), seed=0)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """How a projection or a placing ended, whatever it raised: the pane never stays 'computing…'."""
        if not self.app.is_running:
            return  # cancelled as the app shuts down: its widgets may be gone already
        group = event.worker.group
        if group == "map":
            if event.state is WorkerState.SUCCESS:
                key, projection = event.worker.result
                if key == self.pending_key:  # else superseded by a newer request
                    self._show_projection(key, projection)
            elif event.state is WorkerState.ERROR:
                self.pending_key = None
                self.plot.loading = False
                self.app.notify(error_text(event.worker.error), title="Map", severity="error")
                self._show_info("failed")
        elif group == "map-compare" and event.state is WorkerState.SUCCESS:
            request, compared = event.worker.result
            if _same_request(request, self._compared_request()):  # else superseded
                self.compared = compared
                self._highlight()
        elif group == "map-place" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            base, words, projection = event.worker.result if event.state is WorkerState.SUCCESS \
                else (None, None, None)
            if event.state is WorkerState.ERROR or (base is self.base and words == self.placing):
                self.placing = None  # else superseded by a newer map or query
                if projection is not None:
                    self._show(projection)

    def _show_projection(self, key: tuple, projection: Projection) -> None:
        self.pending_key = None
        self.plot.loading = False
        self.computed_key = key
        self.base, self.placing = projection, None
        self._show(self.base, fit=True)
        self._place_missing()
        # focus went to the input while the plot was loading: hand it to the plot, unless typing
        focused, box = self.app.focused, self.query_input()
        typing = focused is box and box.value not in ("", self.query_text)
        idle = focused is None or self not in focused.ancestors or (focused is box and not typing)
        if self.parent is not None and self.parent.display and idle:
            self.focus_body()

    def _show(self, projection: Projection, fit: bool = False) -> None:
        """Draw ``projection`` (the base map, or the base plus placed words)."""
        self.shown = projection
        self.plot.data = ScatterData(list(projection.words), np.asarray(projection.coords, dtype=float),
                                     placed=projection.placed)
        if fit:
            self.plot.view = View.fit(self.plot.data.coords)
        self._highlight()
        self._locate_compared()

    # ------------------------------------------------------------ placing the query's words
    def _wanted(self) -> list[str]:
        return list(dict.fromkeys(self.query_words + self.neighbour_words))

    def _place_missing(self) -> None:
        """Place the query and its neighbours into the map if it lacks any (no recomputation)."""
        base, vectors = self.base, self.vectors
        if base is None or vectors is None:
            return
        mapped = set(base.words)
        missing = [w for w in self._wanted() if w not in mapped]
        if missing == self.placing:
            return  # already on its way
        self.placing = missing or None
        if not missing:
            if self.shown is not base:
                self._show(base)
            return
        self._place(base, vectors, missing)

    @work(thread=True, exclusive=True, group="map-place", exit_on_error=False)
    def _place(self, base: Projection, vectors: KeyedVectors, words: list[str]) -> tuple:
        try:
            projection: Projection | None = base.place(vectors, words)
        except (W2VError, ValueError):
            projection = None  # vectors replaced meanwhile: the next map places them again
        return base, words, projection

    # ------------------------------------------------------------ the compared model
    def watch_comparison(self) -> None:
        self._locate_compared()

    def _compared_request(self) -> tuple | None:
        """What the compared points depend on: the shown map, the comparison, the words."""
        comparison, shown = self.comparison, self.shown
        if comparison is None or shown is None:
            return None
        words = [w for w in self.query_words if w in comparison.a.index]
        return (shown, comparison, tuple(words)) if words else None

    def _locate_compared(self) -> None:
        """Mark the query words where they sit in the compared model (in a worker: placing
        into a t-SNE map optimises)."""
        request = self._compared_request()
        if request is None:
            if self.compared:
                self.compared = []
                self._highlight()
            return
        self._locate(request)

    @work(thread=True, exclusive=True, group="map-compare", exit_on_error=False)
    def _locate(self, request: tuple) -> tuple:
        shown, comparison, words = request
        coords = shown.locate(np.array([comparison.aligned_vector(w) for w in words]))
        return request, [(w, float(x), float(y), comparison.cosine(w))
                         for w, (x, y) in zip(words, coords)]

    # ------------------------------------------------------------ highlighting
    def show_query(self, answer: QueryAnswer) -> None:
        """Label the Neighbours pane's query and its neighbours on the map."""
        self.set_query(answer.words, answer.neighbours, text=answer.text)

    def answered(self) -> None:
        """A word typed here became the query: centre on it and hand focus to the map."""
        self.action_centre()
        self.focus_body()

    def set_query(self, query_words: list[str], neighbour_words: list[str], text: str | None = None) -> None:
        """The words to label: the query and its neighbours (from the Neighbours pane).

        ``text`` is the query as typed (``"king -man woman"``); the map's input shows it
        unless the user is typing there. Words the map lacks are placed into it.
        """
        self.query_words, self.neighbour_words = query_words, neighbour_words
        self.query_text = text if text is not None else " ".join(query_words)
        box = self.query_input()
        if self.app.focused is not box or not box.value:
            box.value = self.query_text
        if self.local and self.parent is not None and self.parent.display:
            self.ensure_projection()  # a new centre: a new neighbourhood map
        if self.shown is not None:
            self._highlight()
        self._place_missing()
        self._locate_compared()

    def _highlight(self) -> None:
        data = self.plot.data
        data.query = list(self.query_words)
        data.neighbours = [w for w in self.neighbour_words if w not in data.query]
        data.compared = [(w, x, y) for w, x, y, _ in self.compared if w in data.query]
        if len(data.words):
            self.plot.draw()
        self._show_legend()
        self._show_info()

    def _show_legend(self) -> None:
        """The query and its numbered neighbours beside the map (○: placed into the map)."""
        data = self.plot.data
        lines = [f"[$text-accent]◆[/] {escape(w)}" for w in data.query]
        lines += [f"[$text-warning]◈[/] {escape(w)} in B {cosine:.2f}"
                  for w, _, _, cosine in self.compared if w in data.query]
        lines += [f"[$text-secondary]{n}[/] {escape(w)}{' ○' if w in data.placed else ''}"
                  for n, w in zip(NUMBERS, data.neighbours)]
        self.query_one("#map-legend", Static).update("\n".join(lines))

    def on_input_submitted(self, message: QueryInput.Submitted) -> None:
        """Centre on a word: it becomes the query (in the Neighbours pane too)."""
        message.stop()
        self.post_message(AskNeighbours(self, message.value))

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

    def action_toggle_view(self) -> None:
        """Switch between the most frequent words and the query's own neighbourhood."""
        if not self.local and self.centre_word is None:
            self.app.notify("Ask a word first (/): this view maps its nearest neighbours.", title="Map")
            return
        self.local = not self.local
        self.ensure_projection()

    def action_size(self, direction: int) -> None:
        """Map more or fewer of the most frequent words (recomputes)."""
        i = SIZES.index(self.top_n) if self.top_n in SIZES else 2
        self.local = False
        self.top_n = SIZES[max(0, min(len(SIZES) - 1, i + direction))]
        self.ensure_projection()  # also when top_n was already at its bound: the view changed
