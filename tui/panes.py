"""The app's panes in tab order: the only list of them.

The app builds its tabs, the keys that show them, the help screen's sections and the command
palette from this tuple and each pane's ``TAB`` (:class:`~tui.widgets.pane.PaneTab`).
Adding a pane: a module with a :class:`~tui.widgets.pane.Pane` subclass, and a line here.
"""

from __future__ import annotations

from .widgets.analogies import AnalogiesPane
from .widgets.compare import ComparePane
from .widgets.dashboard import TrainingPane
from .widgets.evaluate import EvaluatePane
from .widgets.map import MapPane
from .widgets.neighbours import NeighboursPane
from .widgets.pane import Pane

PANES: tuple[type[Pane], ...] = (
    TrainingPane, NeighboursPane, AnalogiesPane, MapPane, EvaluatePane, ComparePane,
)
