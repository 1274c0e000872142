"""Where a training run stands: what a checkpoint must hold to continue it exactly.

A run is resumable at any chunk boundary: the weights, the epoch and the chunks of it already
trained, the random generators' states and the counters give the rest of the run (the
learning rate is a function of the position). With one worker thread the resumed run draws
exactly what the uninterrupted run would have drawn, so it ends with the same vectors.
With more workers only the position and the weights are exact: chunks other workers were
in the middle of are not finished, and the new epoch's random streams are fresh.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

#: Seconds between two checkpoints within an epoch, unless told otherwise: a crash loses at
#: most this much training (the cost of writing one: benchmarks/README.md, "checkpoints.py").
DEFAULT_CHECKPOINT_SECONDS = 300.0
#: What a checkpoint file's name adds to the output's stem.
CHECKPOINT_SUFFIX = ".checkpoint.npz"
#: Most points a :class:`LossCurve` keeps; past it, neighbouring points are averaged in pairs.
LOSS_CURVE_POINTS = 4096


@dataclass(frozen=True)
class TrainingState:
    """The position of a run and what is needed to continue it (plain data, JSON-able).

    Attributes
    ----------
    epoch : int
        The epoch in progress, 0-based (``epochs`` once finished).
    chunk : int
        Chunks of that epoch already trained.
    words_done, pairs_done : int
        Corpus words read and positive pairs trained over all epochs so far.
    words_total : int
        Corpus words of all epochs planned.
    seconds : float
        Training time so far, pauses excluded.
    rng_states : list of dict
        The state of each worker thread's generator (``bit_generator.state``); empty when
        the workers were processes, whose streams are drawn afresh per epoch.
    corpus : dict
        The corpus's identity (:class:`~w2v_core.corpus_identity.CorpusIdentity`), how its
        text was read (``text``: the keyword arguments of ``open_corpus``), and, when
        ``--max-distinct`` made counts approximate, ``count_floor``
        (:attr:`~w2v_core.token_ids.EncodedCorpus.count_floor`; absent: exact counts).
    output : str or None
        Where the run saves its model, so that a resumed run saves it there too.
    finished : bool
        Every epoch was trained: nothing is left to resume.
    init_words : int
        Words of the vocabulary that came from the model the run started from (``--init``),
        0 for a run from scratch: a resumed run rebuilds its vocabulary the same way.
    """

    epoch: int = 0
    chunk: int = 0
    words_done: int = 0
    pairs_done: int = 0
    words_total: int = 0
    seconds: float = 0.0
    rng_states: list[dict[str, Any]] = field(default_factory=list)
    corpus: dict[str, Any] = field(default_factory=dict)
    output: str | None = None
    finished: bool = False
    init_words: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainingState":
        """Build from a dict, ignoring unknown keys (files written by newer versions)."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def with_context(self, corpus: dict[str, Any] | None = None, output: str | None = None) -> "TrainingState":
        """A copy with the corpus identity and the output filled in where given (the
        identity joins what reading found, ``count_floor``)."""
        return replace(
            self,
            corpus=self.corpus if corpus is None else {**self.corpus, **corpus},
            output=self.output if output is None else output,
        )


class LossCurve:
    """The loss of each progress event against epochs done, bounded in size.

    Kept by the trainer and saved in checkpoints, so that a resumed run's curve continues
    where it stopped. Each point is the mean of ``stride`` consecutive events; past
    :data:`LOSS_CURVE_POINTS` points, neighbouring points are merged in pairs and the stride
    doubles. So a run of days keeps its whole shape, at one resolution throughout, in a few
    kilobytes.
    """

    def __init__(self, points: np.ndarray | None = None, limit: int = LOSS_CURVE_POINTS) -> None:
        self.limit = limit
        self._x: list[float] = []
        self._y: list[float] = []
        self._stride = 1
        self._pending = [0.0, 0.0, 0]  # sums of x and y, and the events in them
        if points is not None and points.size:
            x, y, w = (list(map(float, row)) for row in points)
            self._stride = max(1, int(max(w)))
            if int(w[-1]) < self._stride:  # the last point was still filling
                self._pending = [x[-1] * w[-1], y[-1] * w[-1], int(w[-1])]
                x, y = x[:-1], y[:-1]
            self._x, self._y = x, y

    def append(self, epochs_done: float, loss: float) -> None:
        """Record one point; a NaN or infinite loss (no pair trained) is skipped."""
        if not math.isfinite(loss):
            return
        pending = self._pending
        pending[0] += float(epochs_done)
        pending[1] += float(loss)
        pending[2] += 1
        if pending[2] < self._stride:
            return
        self._x.append(pending[0] / pending[2])
        self._y.append(pending[1] / pending[2])
        self._pending = [0.0, 0.0, 0]
        if len(self._y) > self.limit:
            if len(self._y) % 2:  # the odd point out waits for its pair at the new stride
                self._pending = [self._x.pop() * self._stride, self._y.pop() * self._stride, self._stride]
            self._x = _pair_means(self._x)
            self._y = _pair_means(self._y)
            self._stride *= 2

    def _points(self) -> tuple[list[float], list[float], list[float]]:
        x, y, w = list(self._x), list(self._y), [float(self._stride)] * len(self._x)
        sx, sy, n = self._pending
        if n:
            x.append(sx / n)
            y.append(sy / n)
            w.append(float(n))
        return x, y, w

    def series(self) -> tuple[list[float], list[float]]:
        """Copies of the x (epochs done) and y (loss) series."""
        x, y, _ = self._points()
        return x, y

    def array(self) -> np.ndarray:
        """The points as a (3, n) float64 array: epochs done, loss, events in each (how
        checkpoints store them)."""
        return np.array(self._points(), dtype=np.float64).reshape(3, -1)

    def __len__(self) -> int:
        return len(self._y) + (self._pending[2] > 0)


def _pair_means(values: list[float]) -> list[float]:
    """Means of consecutive pairs of an even number of values."""
    return [(values[i] + values[i + 1]) / 2 for i in range(0, len(values), 2)]
