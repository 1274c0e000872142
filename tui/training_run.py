"""A training run of the app: the worker that trains, autosaves to ``-o`` and readies the
model for the explorer, and what it reports when it ends.

Everything the run reports goes to ``target``, the dashboard (:mod:`tui.messages`): the
bridge's progress, each checkpoint, and its end (:meth:`TrainingRun.finished`,
:meth:`TrainingRun.failed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from textual.message_pump import MessagePump
from textual.worker import get_current_worker

from w2v_core.callbacks import Callback, ReadingStopped, TrainingControl, TrainingEvent

from .error_text import error_text
from .messages import Checkpointed, TrainingFailed, TrainingFinished
from .saving import save_output
from .training import LossHistory, TrainingBridge, separation_of

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.checkpoints import Checkpointer
    from w2v_core.config import TrainConfig
    from w2v_core.corpus import Corpus
    from w2v_core.model import Model


class TrainFunction(Protocol):
    """What trains: :func:`w2v_core.training.train` or a test double with its signature."""

    def __call__(
        self,
        corpus: Any,
        config: Any = ...,
        callbacks: Sequence[Callback] = ...,
        control: TrainingControl | None = ...,
        checkpoints: "Checkpointer | None" = ...,
    ) -> "Model": ...


@dataclass(frozen=True)
class TrainingOutcome:
    """What the training worker returns: the model, the last event, and how the autosave went."""

    model: "Model"
    event: TrainingEvent | None
    separation: float  #: of the final vectors (NaN if undefined)
    save_error: str = ""  #: why the autosave failed, or why it went elsewhere
    saved_to: str | None = None  #: where the autosave wrote the model (``-o`` or elsewhere)
    note: str = ""  #: what an ensemble run kept when it did not finish (a stop, a divergence)


@dataclass
class TrainingRun:
    """Trains ``corpus`` with ``config`` (call it in a thread worker), reporting to ``target``."""

    corpus: "str | Corpus"
    config: "TrainConfig"
    target: MessagePump  #: the dashboard
    history: LossHistory  #: the loss curve, recorded by the bridge
    control: TrainingControl
    train: TrainFunction | None = None  #: the engine if None
    output: str | None = None  #: autosave path (``-o``)
    checkpoints: "Checkpointer | None" = None  #: writes the run's checkpoints
    resume_from: "Model | None" = None  #: the checkpoint a resumed run continues
    init_from: "Model | None" = None  #: the trained model a run starts from (``--init``)
    runs: int = 1  #: ``--runs``: more trains an ensemble (:func:`w2v_core.ensemble.train_ensemble`)

    def __call__(self) -> TrainingOutcome:
        """Train, save to ``-o``, and normalise (and index a large vocabulary) for the explorer."""
        from .widgets.neighbours import approximate_by_default

        worker = get_current_worker()
        bridge = TrainingBridge(self.target, self.history, lambda: worker.is_cancelled)
        checkpoints = self.checkpoints
        if checkpoints is not None:
            checkpoints.on_failed = lambda error: self.target.post_message(
                Checkpointed(str(checkpoints.path), f"{type(error).__name__}: {error}")
            )
        note = ""
        if self.train is not None:
            model = self.train(self.corpus, self.config, callbacks=[bridge], control=self.control,
                               checkpoints=checkpoints)
        elif self.runs > 1:
            model, note = self._train_ensemble(bridge)
        else:  # the engine (a stop works while it reads the corpus too: ReadingStopped)
            from w2v_core.checkpoints import train_or_resume

            model = train_or_resume(self.corpus, self.config, [bridge], self.control, checkpoints,
                                    self.resume_from, self.init_from)
        if checkpoints is not None:
            checkpoints.stamp(model)  # a native -o can be resumed too
        saved_to, save_error = save_output(model, self.output) if self.output is not None else (None, "")
        if checkpoints is not None:  # a stopped run's checkpoint: exactly where it stopped
            # without -o the model stays in the app, whose quit asks before losing it
            checkpoints.finish(model, saved=saved_to is not None or self.output is None)
        model.wv.normed  # noqa: B018 - normalised here, not at the UI's first query
        if approximate_by_default(model.wv):
            model.wv.prepare_approximate()
        return TrainingOutcome(model, bridge.last_event, separation_of(model.wv), save_error, saved_to,
                               note)

    def _train_ensemble(self, bridge: TrainingBridge) -> "tuple[Model, str]":
        """K runs on bootstrap samples; the first model, linked to the set, and what was kept
        if not every run finished (a run that diverges after others finished keeps those)."""
        from w2v_core.ensemble import train_ensemble
        from w2v_core.errors import TrainingDivergedError

        try:
            ensemble = train_ensemble(self.corpus, self.config, self.runs, [bridge], self.control)
        except TrainingDivergedError as error:
            if error.kept is None:
                raise
            ensemble = error.kept
            return ensemble.first, f"{error}; kept the {len(ensemble)} finished runs"
        if len(ensemble) < ensemble.planned and ensemble.interrupted is not ensemble.first:
            return ensemble.first, (f"Stopped in run {len(ensemble) + 1}/{ensemble.planned}: kept "
                                    f"the {len(ensemble)} finished runs (the stopped one is dropped)")
        return ensemble.first, ""

    def finished(self, outcome: TrainingOutcome) -> None:
        """The worker returned: tell the dashboard (and through it the app)."""
        self.target.post_message(TrainingFinished(outcome))

    def failed(self, error: BaseException) -> None:
        """The worker raised: training failed, or was stopped while reading the corpus."""
        if isinstance(error, ReadingStopped):
            self.target.post_message(TrainingFailed(str(error), stopped=True))
        else:
            self.target.post_message(TrainingFailed(error_text(error)))
