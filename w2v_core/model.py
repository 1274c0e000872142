"""A trained (or loaded) model: the word vectors plus what produced them; an ensemble of
such models (:func:`w2v_core.ensemble.train_ensemble` trains one)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from .config import TrainConfig
from .run_state import TrainingState
from .vectors import KeyedVectors
from .vocab import Vocabulary


@dataclass(frozen=True)
class TrainingSummary:
    """What a training run did."""

    corpus_words: int  #: in-vocabulary words in one pass over the corpus
    words_trained: int  #: corpus words processed over all epochs (before subsampling)
    pairs_trained: int  #: positive (centre, context) pairs trained
    epochs_completed: float  #: fractional when stopped early
    seconds: float  #: training time, pauses excluded
    final_loss: float  #: mean loss over the last progress interval
    stopped_early: bool

    @property
    def words_per_second(self) -> float:
        return self.words_trained / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainingSummary":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


@dataclass
class Model:
    """Word vectors with their training context.

    Attributes
    ----------
    wv : KeyedVectors
        The input vectors: the embeddings that queries use.
    output_vectors : ndarray or None
        The output (context) vectors, ``syn1neg`` in word2vec; None when loaded from a
        word2vec-format file, which does not carry them.
    config : TrainConfig or None
        The training configuration, when known.
    summary : TrainingSummary or None
        What the training run did, when known.
    state : TrainingState or None
        Where the run stood when this model was taken (a checkpoint, a stopped run, a
        finished one): what resuming needs. None for models from other tools.
    loss_curve : ndarray (3, n) or None
        The run's loss against epochs done, with the events merged into each point
        (:meth:`~w2v_core.run_state.LossCurve.array`), so that a resumed run's curve continues.
    ensemble : Ensemble or None
        When this model is the first member of an ensemble (:mod:`w2v_core.ensemble`), the
        whole set: queries use this model, stability figures the set.
    """

    wv: KeyedVectors
    output_vectors: np.ndarray | None = None
    config: "TrainConfig | None" = None
    summary: TrainingSummary | None = None
    state: TrainingState | None = None
    loss_curve: np.ndarray | None = None
    ensemble: "Ensemble | None" = field(default=None, repr=False, compare=False)

    @property
    def vocabulary(self) -> Vocabulary | None:
        """The vocabulary with counts, or None when counts are unknown."""
        if self.wv.counts is None:
            return None
        return Vocabulary(self.wv.words, self.wv.counts)


@dataclass(eq=False)
class Ensemble:
    """K trained models sharing one vocabulary.

    Attributes
    ----------
    members : list of Model
        The finished runs, in order; every member has the same words (and counts).
    planned : int
        The runs asked for; more than ``len(members)`` when training was stopped.
    interrupted : Model or None
        The run that was stopped midway (not a member: it saw only part of its sample).
    """

    members: list[Model]
    planned: int = 0
    interrupted: Model | None = None

    def __post_init__(self) -> None:
        if not self.members:
            raise ValueError("an ensemble needs at least one model")
        words = self.members[0].wv.words
        if any(m.wv.words != words for m in self.members[1:]):
            raise ValueError("the members of an ensemble must share one vocabulary")
        self.planned = max(self.planned, len(self.members))

    def __len__(self) -> int:
        return len(self.members)

    @property
    def vectors(self) -> list[KeyedVectors]:
        """Each member's vectors."""
        return [m.wv for m in self.members]

    @property
    def seeds(self) -> list[int | None]:
        """Each member's training seed, when its configuration is known."""
        return [None if m.config is None else m.config.seed for m in self.members]

    @property
    def first(self) -> Model:
        """The first member, linked to the set: what loading an ensemble file gives."""
        model = self.members[0]
        model.ensemble = self if len(self) > 1 else None
        return model

    def member(self, index: int) -> Model:
        """Member ``index`` (0-based) on its own, without the set (``w2v export --member``)."""
        if not 0 <= index < len(self):
            raise IndexError(f"member {index + 1} of an ensemble of {len(self)}")
        return replace(self.members[index], ensemble=None)
