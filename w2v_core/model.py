"""A trained (or loaded) model: the word vectors plus what produced them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .config import TrainConfig
from .run_state import TrainingState
from .vectors import KeyedVectors
from .vocab import Vocabulary

if TYPE_CHECKING:  # pragma: no cover
    from .ensemble import Ensemble


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
