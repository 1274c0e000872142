"""The bridge between the training thread and the UI: a Callback that posts Messages.

The trainer calls :class:`TrainingBridge` from its own thread. Each hook copies what the UI
needs into a message (:mod:`tui.messages`) and posts it to the dashboard (``post_message`` is
thread-safe). Throttled at the source: at most one progress and one epoch message are in
flight at a time; newer ones wait on the bridge (replacing older ones) until the UI calls
:meth:`TrainingBridge.delivered`. Progress messages also replace one another in the queue
(:meth:`TrainingProgress.can_replace`). So a busy UI never falls behind, however fast a small
corpus trains; the loss history is kept here, on the bridge, so no point of the curve is lost.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message_pump import MessagePump

from w2v_core.callbacks import Callback, ReadingProgress, StopTraining, TrainingEvent, TrainingStart

from .messages import BridgeMessage, EpochEnded, ReadingReport, RunBegun, TrainingProgress, TrainingStarted

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.model import Model
    from w2v_core.vectors import KeyedVectors


def separation_of(vectors: "KeyedVectors") -> float:
    """The mean cosine of random word pairs (:func:`~w2v_core.diagnostics.separation`), NaN if undefined."""
    from w2v_core.diagnostics import separation
    from w2v_core.errors import W2VError

    try:
        return separation(vectors)
    except W2VError:
        return math.nan


class LossHistory:
    """Mean loss per progress event against training progress (in epochs), thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._x: list[float] = []
        self._y: list[float] = []

    def append(self, epochs_done: float, loss: float) -> None:
        """Record one point; NaN or infinite losses (no pair trained) are skipped."""
        if math.isfinite(loss):
            with self._lock:
                self._x.append(epochs_done)
                self._y.append(loss)

    def clear(self) -> None:
        """Forget every point (the next run of an ensemble draws its own curve)."""
        with self._lock:
            self._x, self._y = [], []

    def snapshot(self) -> tuple[list[float], list[float]]:
        """Copies of the x (epochs) and y (loss) series."""
        with self._lock:
            return list(self._x), list(self._y)

    def __len__(self) -> int:
        return len(self._y)


class TrainingBridge(Callback):
    """Posts training events to ``target`` (the dashboard) as messages and records the loss history.

    ``is_cancelled`` is polled at every event; when it returns True the bridge raises
    :class:`StopTraining`, so a cancelled worker ends promptly and keeps the model so far.
    """

    def __init__(
        self,
        target: MessagePump,
        history: LossHistory,
        is_cancelled: Callable[[], bool] = lambda: False,
    ) -> None:
        self.target = target
        self.history = history
        self.is_cancelled = is_cancelled
        self.last_event: TrainingEvent | None = None
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self._waiting: dict[str, BridgeMessage] = {}

    def _send(self, message: BridgeMessage) -> None:
        """Post ``message`` now, or keep it (replacing an older one) until the UI catches up."""
        message.bridge = self
        with self._lock:
            if message.kind in self._in_flight:
                self._waiting[message.kind] = message
                return
            self._in_flight.add(message.kind)
        self.target.post_message(message)

    def delivered(self, kind: str) -> None:
        """The UI handled a ``kind`` message: send the newest one waiting, if any."""
        with self._lock:
            message = self._waiting.pop(kind, None)
            if message is None:
                self._in_flight.discard(kind)
                return
        self.target.post_message(message)

    def _check(self) -> None:
        if self.is_cancelled():
            raise StopTraining

    def on_reading(self, progress: ReadingProgress) -> None:
        self._send(ReadingReport(progress))
        self._check()

    def on_run_begin(self, run: int, runs: int) -> None:
        self.history.clear()
        self.target.post_message(RunBegun(run, runs))
        self._check()

    def on_train_begin(self, info: TrainingStart) -> None:
        for x, y in zip(*info.loss_curve):  # a resumed run's curve so far
            self.history.append(x, y)
        self.target.post_message(TrainingStarted(info))
        self._check()

    def on_progress(self, event: TrainingEvent) -> None:
        self.last_event = event
        self.history.append(event.fraction * event.epochs, event.loss)
        self._send(TrainingProgress(event))
        self._check()

    def on_epoch_end(self, event: TrainingEvent, vectors: "KeyedVectors") -> None:
        self.last_event = event
        vectors.normed  # noqa: B018 - normalise here, on the training thread, not at the UI's first query
        self._send(EpochEnded(event, vectors, separation_of(vectors)))
        self._check()

    def on_train_end(self, event: TrainingEvent, model: "Model") -> None:
        self.last_event = event
