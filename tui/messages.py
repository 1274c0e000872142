"""Every message of the app, in one place: what it says, who posts it and who handles it.

A training run reports to the dashboard (the bridge, the checkpoint writer and the run's
worker post there); messages that the app acts on too bubble on from the dashboard to the
app, so the dashboard has shown each report before the app moves its state on. The panes
ask and answer neighbours queries through the app.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from textual.message import Message

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.callbacks import ReadingProgress, TrainingEvent, TrainingStart
    from w2v_core.config import TrainConfig
    from w2v_core.model import Model
    from w2v_core.vectors import KeyedVectors

    from .training import TrainingBridge
    from .training_run import TrainingOutcome
    from .widgets.pane import Pane


# ------------------------------------------------------------------ a training run
@dataclass
class TrainingReading(Message, bubble=False):
    """Training was asked for: the corpus is being read and the vocabulary built."""

    corpus: str
    config: "TrainConfig"


@dataclass
class RunBegun(Message, bubble=False):
    """Run ``run`` of ``runs`` of an ensemble begins (``--runs``): the dashboard labels it
    and starts its curve afresh."""

    run: int
    runs: int


@dataclass
class TrainingStarted(Message, bubble=False):
    """The vocabulary is built and the first update is about to happen."""

    info: "TrainingStart"


@dataclass
class BridgeMessage(Message):
    """A message from a bridge; its last handler calls :meth:`delivered` when done."""

    kind: ClassVar[str] = ""
    bridge: "TrainingBridge | None" = field(default=None, init=False, repr=False)

    def delivered(self) -> None:
        """Tell the bridge this message was handled, so it may send the next one."""
        if self.bridge is not None:
            self.bridge.delivered(self.kind)


@dataclass
class Report(BridgeMessage):
    """A report of how far something has come: a newer one replaces an older one of its
    kind still waiting in the queue (only the latest matters)."""

    def can_replace(self, message: Message) -> bool:
        return type(message) is type(self)


@dataclass
class TrainingProgress(Report, bubble=False):
    """A progress report of training."""

    kind: ClassVar[str] = "progress"
    event: "TrainingEvent"


@dataclass
class ReadingReport(Report, bubble=False):
    """How far reading the corpus has come."""

    kind: ClassVar[str] = "reading"
    progress: "ReadingProgress"


@dataclass
class EpochEnded(BridgeMessage):
    """An epoch ended; ``vectors`` is a snapshot that is safe to query from the UI.

    ``separation`` is :func:`w2v_core.diagnostics.separation` of the snapshot (NaN if it has
    fewer than two words), computed on the training thread. Bubbles to the app, which makes
    the snapshot the explorer's vectors.
    """

    kind: ClassVar[str] = "epoch"
    event: "TrainingEvent"
    vectors: "KeyedVectors"
    separation: float = math.nan


@dataclass
class Checkpointed(Message):
    """Writing the run's checkpoint to ``path`` failed with ``error`` (said once; training
    goes on)."""

    path: str
    error: str


@dataclass
class TrainingFinished(Message):
    """The training worker returned a model (trained to the end, or stopped early)."""

    outcome: "TrainingOutcome"


@dataclass
class TrainingFailed(Message):
    """Training ended without a model: it failed, or was stopped while reading (``stopped``)."""

    error: str
    stopped: bool = False


# ------------------------------------------------------------------ an opened model
@dataclass
class ModelOpened(Message, bubble=False):
    """No training this session: the dashboard describes the model opened from ``source``."""

    source: str
    model: "Model"


@dataclass
class SeparationMeasured(Message, bubble=False):
    """The random-pair cosine of the vectors shown, measured off the UI thread (NaN: undefined)."""

    value: float
    when: str  #: which vectors: "loaded", "final", "epoch 2"


# ------------------------------------------------------------------ queries between panes
@dataclass(frozen=True)
class QueryAnswer:
    """A neighbours query as answered: the words asked about, the neighbours found, the text."""

    words: list[str]
    neighbours: list[str]
    text: str


@dataclass
class QueryAnswered(Message):
    """The Neighbours pane answered a query; the app shows it on every pane (``show_query``)."""

    answer: QueryAnswer


@dataclass
class AskNeighbours(Message):
    """``pane`` asks for ``text`` to become the neighbours query (the app answers it)."""

    pane: "Pane"
    text: str

    @property
    def control(self) -> Any:
        return self.pane
