"""Plot widgets built on textual-plotext: the live loss curve and the word map scatter.

Both redraw only when their data or view changes: the loss curve on one training report in
ten, sending only the lines that changed, the scatter when the projection, highlighted words
or view change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from textual.app import App
from rich.text import Text
from textual.color import Color
from textual.geometry import Region, Size
from textual_plotext import PlotextPlot

RGB = tuple[int, int, int]


def theme_rgb(app: App, variable: str, fallback: str = "white") -> RGB:
    """A colour of the current Textual theme (e.g. ``"accent"``) as an RGB tuple for plotext."""
    value = app.theme_variables.get(variable, fallback)
    try:
        return Color.parse(value).rgb
    except Exception:  # noqa: BLE001 - a theme variable that is not a plain colour
        return Color.parse(fallback).rgb


def thin(x: Sequence[float], y: Sequence[float], max_points: int = 1000) -> tuple[list[float], list[float]]:
    """At most ``max_points`` points: consecutive points averaged in equal buckets."""
    n = len(y)
    if n <= max_points:
        return list(x), list(y)
    bucket = math.ceil(n / max_points)
    keep = (n // bucket) * bucket
    xs = np.asarray(x[:keep], dtype=float).reshape(-1, bucket).mean(axis=1)
    ys = np.asarray(y[:keep], dtype=float).reshape(-1, bucket).mean(axis=1)
    if keep < n:  # the ragged tail, so the curve reaches the latest point
        xs = np.append(xs, np.mean(x[keep:]))
        ys = np.append(ys, np.mean(y[keep:]))
    return xs.tolist(), ys.tolist()


class LossPlot(PlotextPlot):
    """The training loss curve, redrawn at the first and then every ``every``-th report.

    A whole plot is ~4 KB on an 80x24 terminal, a report's numbers ~200 bytes. So only the
    lines that changed are sent, the axes move rarely (so that few lines change), and redraws
    are counted in reports rather than seconds, which bounds the bytes sent per report
    (benchmarks/README.md); at the engine's five reports a second the curve moves every 2 s.
    """

    DEFAULT_CSS = """
    LossPlot {
        height: 1fr;
        min-height: 5;
    }
    """

    def __init__(
        self,
        source: Callable[[], tuple[list[float], list[float]]],
        max_points: int = 1000,
        every: int = 10,
        *,
        id: str | None = None,  # noqa: A002 - Textual's name
    ) -> None:
        super().__init__(id=id)
        self.source = source
        self.max_points = max_points
        self.every = every
        self._reports = every  #: reports since the last redraw (the first report draws)
        self._lines: tuple[Size, list[Text]] | None = None  #: the last redraw's lines, and size
        self.x_end: float | None = None  #: the run's length in epochs: the x axis ends there
        self._x_high: float | None = None
        self._y_range: tuple[float, float] | None = None
        self.redraws = 0

    def on_mount(self) -> None:
        super().on_mount()
        self._configure()

    def _configure(self) -> None:
        self.plt.xlabel("")

    def request_redraw(self, allowed: bool = True) -> None:
        """A new report arrived: redraw if it is the first or the ``every``-th since the last,
        and ``allowed`` (the terminal's byte budget: else at the next allowed report)."""
        self._reports += 1
        if self._reports >= self.every and allowed:
            self.redraw()

    def redraw(self) -> None:
        """Re-plot the (thinned) loss history now."""
        self._reports = 0
        x, y = thin(*self.source(), max_points=self.max_points)
        plt = self.plt
        plt.clear_data()
        if y:
            plt.plot(x, y, marker="braille", color=theme_rgb(self.app, "accent"))
            plt.xlim(0, self._x_limit(max(x)))
            plt.ylim(*self._y_limits(min(y), max(y)))
        self.redraws += 1
        self._refresh_changed_lines()

    def _x_limit(self, latest: float) -> float:
        """The x axis's end: the run's (``x_end``) when known, else one epoch, then twice the
        latest x whenever it is passed.

        An axis that moves rescales the whole curve, and every line of the plot is sent again;
        a fixed axis sends only the lines the new points touch.
        """
        if self.x_end:
            return float(max(self.x_end, latest))
        if self._x_high is None or latest > self._x_high:
            self._x_high = max(2 * latest, 1.0)
        return self._x_high

    def _y_limits(self, low: float, high: float) -> tuple[float, float]:
        """The y axis's range: widened by a quarter beyond the curve whenever it leaves it."""
        if self._y_range is None or low < self._y_range[0] or high > self._y_range[1]:
            pad = max((high - low) * 0.25, abs(high) * 0.1, 0.05)
            self._y_range = (low - pad, high + pad * 0.2)
        return self._y_range

    def reset_axes(self, x_end: float | None = None) -> None:
        """A new run (``x_end``: its length in epochs, if known): fit the axes afresh."""
        self.x_end, self._x_high, self._y_range = x_end, None, None

    def _refresh_changed_lines(self) -> None:
        """Mark dirty only the plot's lines that differ from the last redraw's.

        Textual rewrites every dirty cell on the terminal, so a full refresh sends the frame,
        the axes and the flat part of the curve again each time; late in training most lines
        of the plot are unchanged.
        """
        if not self.size.area:  # not shown (another tab): drawn whole when shown
            self._lines = None
            self.refresh()
            return
        lines = PlotextPlot.render(self).split("\n")  # what render() will draw at this size
        previous, self._lines = self._lines, (self.size, lines)
        if previous is None or previous[0] != self.size:
            self.refresh()
            return
        changed = [Region(0, row, self.size.width, 1)
                   for row, (old, new) in enumerate(zip(previous[1], lines)) if old != new]
        if changed:
            self.refresh(*changed)


@dataclass
class View:
    """The visible window of the map: a centre and half extents, in data units."""

    cx: float = 0.0
    cy: float = 0.0
    half_w: float = 1.0
    half_h: float = 1.0

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.cx - self.half_w, self.cx + self.half_w, self.cy - self.half_h, self.cy + self.half_h)

    @classmethod
    def fit(cls, coords: np.ndarray, margin: float = 0.05) -> "View":
        """The view that shows every point, with a small margin."""
        if len(coords) == 0:
            return cls()
        lo, hi = coords.min(axis=0), coords.max(axis=0)
        half = np.maximum((hi - lo) / 2 * (1 + margin), 1e-9)
        mid = (lo + hi) / 2
        return cls(float(mid[0]), float(mid[1]), float(half[0]), float(half[1]))


@dataclass
class ScatterData:
    """What the map draws: every word, plus which ones are highlighted and labelled.

    ``placed`` words were added to a finished map from their nearest mapped words: they are
    drawn hollow (◇ ○).
    """

    words: list[str] = field(default_factory=list)
    coords: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    query: list[str] = field(default_factory=list)
    neighbours: list[str] = field(default_factory=list)
    placed: frozenset[str] = frozenset()
    #: the query words in a compared model B, aligned onto this map's model: (word, x, y)
    compared: list[tuple[str, float, float]] = field(default_factory=list)


#: How a compared model's point is labelled on the map (the legend explains it).
COMPARED_LABEL = "{word} in B"

#: The labels of the first ten neighbours on the map, in their order (the legend's).
NUMBERS = "1234567890"
#: Cells a neighbour's number may take, nearest first: its own, then up to two cells away
#: (sideways first: a terminal cell is twice as tall as it is wide).
_NEAR = sorted(((dc, dr) for dc in range(-2, 3) for dr in range(-1, 2)),
               key=lambda d: (abs(d[0]) + 2 * abs(d[1]), -d[0], d[1]))


class ScatterPlot(PlotextPlot):
    """A word map: plain words are dots, the query words are labelled, their neighbours numbered.

    Neighbours sit close together by definition, so their names collide: the first ten are
    drawn as their numbers (``NUMBERS``, in a free cell at most two cells from the point) and
    the Map pane lists them in a legend. Markers: ◆ query (◇ when placed into the map), ●
    (○ placed) for neighbours beyond the tenth.
    """

    DEFAULT_CSS = """
    ScatterPlot {
        height: 1fr;
    }
    ScatterPlot:focus {
        background-tint: $foreground 3%;
    }
    """

    can_focus = True
    max_labels = 12

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.data = ScatterData()
        self.view = View()
        self.labelled: list[str] = []

    def on_mount(self) -> None:
        super().on_mount()
        self.plt.xticks([])
        self.plt.yticks([])

    def on_resize(self) -> None:
        self.draw()

    def draw(self) -> None:
        """Rebuild the scatter for the current data and view, then refresh once."""
        plt = self.plt
        plt.clear_data()
        data, (x0, x1, y0, y1) = self.data, self.view.bounds
        self.labelled = []
        if len(data.words):
            xy = data.coords
            inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
            index = {w: i for i, w in enumerate(data.words)}
            special = {index[w] for w in data.query + data.neighbours if w in index}
            plain = [i for i in np.flatnonzero(inside) if i not in special]
            if plain:
                plt.scatter(xy[plain, 0].tolist(), xy[plain, 1].tolist(), marker="·",
                            color=theme_rgb(self.app, "foreground-muted", "grey"))
            taken: set[tuple[int, int]] = set()  # cells used by labels, to avoid overlaps
            self._draw_compared(index, theme_rgb(self.app, "warning", "yellow"))
            self._draw_labelled([index[w] for w in data.query if w in index and inside[index[w]]],
                                theme_rgb(self.app, "accent"), "◆◇", taken)
            self._label_compared(theme_rgb(self.app, "warning", "yellow"), taken)
            color = theme_rgb(self.app, "secondary")
            rest = data.neighbours[len(NUMBERS):]
            self._draw_markers([index[w] for w in rest if w in index and inside[index[w]]], color, "●○")
            self._draw_numbered(index, inside, color, taken)
        plt.xlim(x0, x1)
        plt.ylim(y0, y1)
        self.refresh()

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        """The terminal cell (column, row) of a data point, inside the plot frame."""
        x0, x1, y0, y1 = self.view.bounds
        cols, rows = max(self.size.width - 2, 1), max(self.size.height - 2, 1)
        return int((x - x0) / (x1 - x0) * (cols - 1) + 0.5), int((y1 - y) / (y1 - y0) * (rows - 1) + 0.5)

    def _point(self, col: int, row: int) -> tuple[float, float]:
        """The data point at the centre of a terminal cell (the inverse of :meth:`_cell`)."""
        x0, x1, y0, y1 = self.view.bounds
        cols, rows = max(self.size.width - 2, 2), max(self.size.height - 2, 2)
        return x0 + col / (cols - 1) * (x1 - x0), y1 - row / (rows - 1) * (y1 - y0)

    def _draw_markers(self, rows: list[int], color: RGB, markers: str) -> None:
        """Markers for ``rows``: ``markers[0]`` for fitted words, ``markers[1]`` for placed ones."""
        data = self.data
        for marker, placed in zip(markers, (False, True)):
            group = [i for i in rows if (data.words[i] in data.placed) == placed]
            self._scatter_snapped([(data.coords[i, 0], data.coords[i, 1]) for i in group], marker, color)

    def _snap(self, x: float, y: float) -> tuple[float, float]:
        """The centre of the point's cell: a marker drawn there lands in the very cell its
        label's room was reserved beside (plotext rounds raw points its own way)."""
        return self._point(*self._cell(float(x), float(y)))

    def _scatter_snapped(self, points: list[tuple[float, float]], marker: str, color: RGB) -> None:
        if points:
            xs, ys = zip(*(self._snap(x, y) for x, y in points))
            self.plt.scatter(list(xs), list(ys), marker=marker, color=color)

    def _draw_numbered(self, index: dict[str, int], inside: np.ndarray, color: RGB,
                       taken: set[tuple[int, int]]) -> None:
        """The first ten neighbours as their numbers, each in the free cell nearest its point."""
        cols, rows = max(self.size.width - 2, 1), max(self.size.height - 2, 1)
        for number, word in zip(NUMBERS, self.data.neighbours):
            i = index.get(word)
            if i is None or not inside[i]:
                continue
            col, row = self._cell(float(self.data.coords[i, 0]), float(self.data.coords[i, 1]))
            spot = next(((col + dc, row + dr) for dc, dr in _NEAR
                         if (col + dc, row + dr) not in taken
                         and 0 <= col + dc < cols and 0 <= row + dr < rows), None)
            if spot is None:  # ten labels crowd the cells around it: the legend still lists it
                continue
            taken.add(spot)
            self.plt.text(number, *self._point(*spot), color=color, alignment="center")
            self.labelled.append(word)

    def _draw_labelled(self, rows: list[int], color: RGB, markers: str, taken: set[tuple[int, int]]) -> None:
        """Draw highlighted points (``markers``: fitted, placed) and label those whose label fits."""
        if not rows:
            return
        data = self.data
        self._draw_markers(rows, color, markers)
        for i in rows:
            if len(self.labelled) >= self.max_labels:
                break
            word = data.words[i]
            if self._label(word, float(data.coords[i, 0]), float(data.coords[i, 1]), color, taken):
                self.labelled.append(word)

    def _inside(self, x: float, y: float) -> bool:
        x0, x1, y0, y1 = self.view.bounds
        return x0 <= x <= x1 and y0 <= y <= y1

    def _draw_compared(self, index: dict[str, int], color: RGB) -> None:
        """A compared model's points (◈), each joined by a line to the word's point here:
        how far the word moved between the models, after alignment."""
        for word, x, y in self.data.compared:
            i = index.get(word)
            if i is not None:
                (xa, ya), (xb, yb) = self._snap(*self.data.coords[i]), self._snap(x, y)
                self.plt.plot([xa, xb], [ya, yb], marker="braille", color=color)
        self._scatter_snapped([(x, y) for _, x, y in self.data.compared if self._inside(x, y)], "◈", color)

    def _label_compared(self, color: RGB, taken: set[tuple[int, int]]) -> None:
        for word, x, y in self.data.compared:
            label = COMPARED_LABEL.format(word=word)
            if self._inside(x, y) and self._label(label, x, y, color, taken):
                self.labelled.append(label)

    def _label(self, text: str, x: float, y: float, color: RGB, taken: set[tuple[int, int]]) -> bool:
        """Write ``text`` beside the point, right of it if it fits there, else left, unless
        it would cover another label (``taken`` cells); True if written."""
        cols = max(self.size.width - 2, 1)
        col, row = self._cell(x, y)
        sides = [True, False] if col + 1 + len(text) < cols else [False]
        for right in sides:  # to the right of the point if it fits, else to the left
            span = range(col, col + len(text) + 2) if right else range(col - len(text) - 1, col + 1)
            cells = {(c, row) for c in span}
            if not cells & taken:
                break
        else:
            return False
        taken |= cells
        if right:
            self.plt.text(text, *self._point(col + 1, row), color=color, alignment="left")
        else:
            self.plt.text(text, *self._point(col - 1, row), color=color, alignment="right")
        return True
