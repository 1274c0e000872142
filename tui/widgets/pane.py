"""The pane base class: what every tab of the app is, and how a pane declares its tab.

A pane says who it is in one place, its :class:`PaneTab` (``TAB``); the registry
(:mod:`tui.panes`) lists the panes in tab order, and the app builds the tabs, the keys that
show them, the help rows and the command palette from it. What a pane does with the app's
events it says by overriding the hooks below (no-ops here), not by being named in the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widget import Widget

from w2v_core.vectors import KeyedVectors

from .query_input import QueryInput

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.model import Ensemble, Model

    from ..messages import QueryAnswer


@dataclass(frozen=True)
class PaneTab:
    """How a pane appears in the app: its tab id, label, the key that shows it, and the help
    for that key (the help screen, the palette and the README show it)."""

    id: str
    label: str
    key: str  #: a letter of ``label``: underlined in the tab
    help: str

    @property
    def markup(self) -> str:
        """The label with its key underlined: ``[u]N[/u]eighbours``."""
        at = self.label.lower().find(self.key.lower())
        if at < 0:
            raise ValueError(f"the key {self.key!r} is not a letter of {self.label!r}")
        return f"{self.label[:at]}[u]{self.label[at]}[/u]{self.label[at + 1:]}"

    def binding(self) -> Binding:
        """The app's key that shows the pane (in the help screen, not the footer)."""
        return Binding(self.key, f"show_pane('{self.id}')", self.label, show=False, tooltip=self.help)


class Pane(Vertical):
    """Base class of the app's panes: each has a query input and a body, and gets the vectors.

    ``vectors`` is bound to the app's (``data_bind``): a pane reacts in ``watch_vectors``.
    """

    DEFAULT_CSS = """
    Pane {
        height: 1fr;
    }
    Pane .query-bar {
        height: 1;
        margin: 0 0 1 0;
    }
    Pane .query-info {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    Pane .pane-info {
        width: 1fr;
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    Pane DataTable {
        height: 1fr;
    }
    """

    #: The pane's tab; every concrete pane declares its own.
    TAB: ClassVar[PaneTab]
    #: The app's reactives this pane binds to (reactives of the same names on the pane).
    APP_STATE: ClassVar[tuple[str, ...]] = ("vectors",)
    #: Keys the pane's widgets handle that are not bindings, for the help screen: (keys, what).
    OTHER_KEYS: ClassVar[tuple[tuple[str, str], ...]] = ()

    #: The vectors queries use; the same object again still notifies (a new epoch may reuse it).
    vectors: reactive[KeyedVectors | None] = reactive(None, always_update=True, repaint=False, init=False)
    #: The app's model, for the panes that name ``"model"`` in ``APP_STATE`` (the others keep None).
    model: reactive["Model | None"] = reactive(None, repaint=False, init=False)

    @property
    def ensemble(self) -> "Ensemble | None":
        """The ensemble whose first model's vectors are shown (``w2v train --runs``), if any:
        the panes that bind ``model`` add its stability figures."""
        model = self.model
        if model is None or model.ensemble is None or model.wv is not self.vectors:
            return None
        return model.ensemble

    def query_input(self) -> QueryInput:
        """The input ``/`` focuses."""
        return self.query(QueryInput).first()

    def body(self) -> Widget:
        """The widget that gets focus when the pane is shown or an input is left."""
        return self.query_input()

    def focus_query(self) -> None:
        # set_focus now, not Widget.focus() (deferred): keys typed right after "/" land here
        self.screen.set_focus(self.query_input())

    def focus_body(self) -> None:
        """Focus the body, or the query input while the body cannot take focus (loading)."""
        body = self.body()
        self.screen.set_focus(body if body.focusable else self.query_input())

    # ------------------------------------------------------------------ hooks
    def tab_shown(self) -> None:
        """The pane's tab was just shown (a pane that computes lazily starts here)."""

    def show_query(self, answer: "QueryAnswer") -> None:
        """The Neighbours pane answered a query (every pane hears it; the map labels it)."""

    def answered(self) -> None:
        """The neighbours query this pane asked (:class:`~tui.messages.AskNeighbours`) was
        answered, and every pane was shown it."""
