"""The status bar: what is loaded, whether training runs, whether the model is saved.

Every field is a reactive bound to the app's state (``data_bind``), so the line redraws
itself whenever that state changes; nobody calls an update method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.reactive import reactive
from textual.widgets import Static

from w2v_core.vectors import KeyedVectors

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.model import Model


class StatusBar(Static):
    """One line: ``source · N words × Dd · training · explorer uses epoch 2`` or ``· unsaved``."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    StatusBar.-unsaved {
        color: $text-warning;
    }
    """

    source: reactive[str] = reactive("", init=False)
    vectors: reactive[KeyedVectors | None] = reactive(None, always_update=True, init=False)
    model: reactive["Model | None"] = reactive(None, init=False)
    training: reactive[bool] = reactive(False, init=False)
    paused: reactive[bool] = reactive(False, init=False)
    snapshot_epoch: reactive[int] = reactive(0, init=False)
    dirty: reactive[bool] = reactive(False, init=False)
    saved_to: reactive[str | None] = reactive(None, init=False)

    def line(self) -> str:
        """The status text for the current state."""
        parts = [self.source]
        kv = self.vectors
        if kv is not None:
            parts.append(f"{len(kv):,} words × {kv.dim}d")
        if self.training:
            parts.append("paused" if self.paused else "training")
            if self.snapshot_epoch:
                parts.append(f"explorer uses epoch {self.snapshot_epoch}")
        elif self.model is not None:
            parts.append("unsaved" if self.dirty else f"saved: {self.saved_to}" if self.saved_to else "")
        return " · ".join(p for p in parts if p)

    def _refresh_line(self) -> None:
        self.update(self.line())
        self.set_class(self.dirty or self.training, "-unsaved")

    def on_mount(self) -> None:
        self._refresh_line()

    watch_source = watch_vectors = watch_model = watch_training = _refresh_line
    watch_paused = watch_snapshot_epoch = watch_dirty = watch_saved_to = _refresh_line
