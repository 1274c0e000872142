"""Telling a diverging training run from a healthy one, long before the loss is NaN.

A run that diverges does not always reach NaN: its vectors can grow by many orders of
magnitude and stay finite (measurements: benchmarks/README.md, "training/divergence.py"), and
such vectors look like any others until a query returns nonsense. Two signs show it early
and cheaply:

- the loss. Before training every score is 0 (the output vectors start at zero), so the
  loss per example is exactly ``(1 + negative) * ln 2`` (:func:`initial_loss`); training only
  lowers it. A windowed loss far above that start means the steps overshoot.
- the vector norms. Healthy word2vec vectors stay within a few tens (:data:`NORM_LIMIT`);
  the rows are read a slice per progress event, and whole at each epoch end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..callbacks import TrainingEvent
from ..diagnostics import NORM_LIMIT, largest_norm
from ..errors import TrainingDivergedError

__all__ = ["DivergenceGuard", "LOSS_LIMIT_FACTOR", "initial_loss"]

#: A windowed loss above this many times :func:`initial_loss` means training diverges. Loss
#: windows of healthy runs stay below the start; those of the diverging runs of issue 19
#: climbed far above it (measurements: benchmarks/README.md, "training/divergence.py").
LOSS_LIMIT_FACTOR = 2.0
#: A loss window must hold this many examples to be judged (a last window of a few pairs is noise).
MIN_WINDOW_EXAMPLES = 256
#: Rows of each weight matrix whose norms are read per progress event: a negligible part of
#: a progress interval at dim 100 (measurements: benchmarks/README.md, "training/divergence.py");
#: a 250k-word vocabulary is covered every ~60 events.
ROWS_PER_CHECK = 4096


def initial_loss(negative: int) -> float:
    """The loss per example before training: every score is 0, each of the ``1 + negative``
    terms is ``ln 2``. Shared noise words are weighted to the same sum, and CBOW's examples
    score the same way, so it holds in every mode."""
    return (1 + negative) * math.log(2.0)


class DivergenceGuard:
    """Raises :class:`~w2v_core.errors.TrainingDivergedError` when a run goes wrong.

    Parameters
    ----------
    matrices : sequence of ndarray (V, d)
        The weight matrices being trained (read, never written).
    negative : int
        Noise words per example, for :func:`initial_loss`.
    remedy : str
        What the user can change, named in the error (e.g. ``"lower alpha (now 0.025)"``).
    """

    def __init__(self, matrices: Sequence[np.ndarray], negative: int, remedy: str) -> None:
        self.matrices = list(matrices)
        self.loss_limit = LOSS_LIMIT_FACTOR * initial_loss(negative)
        self.remedy = remedy
        self._next_row = 0

    def check_event(self, event: TrainingEvent) -> None:
        """Judge one progress event: its loss window, and the next slice of rows."""
        if event.pairs and not math.isfinite(event.loss):
            self._fail(f"the loss became {event.loss}", event.epoch, event.fraction)
        if event.pairs >= MIN_WINDOW_EXAMPLES and event.loss > self.loss_limit:
            self._fail(
                f"the loss rose to {event.loss:.1f}, far above its starting level "
                f"{self.loss_limit / LOSS_LIMIT_FACTOR:.2f}",
                event.epoch, event.fraction,
            )
        rows = len(self.matrices[0])
        start, stop = self._next_row, min(self._next_row + ROWS_PER_CHECK, rows)
        self._next_row = stop if stop < rows else 0
        self._check_norms([m[start:stop] for m in self.matrices], event.epoch, event.fraction)

    def check_all(self, epoch: int, fraction: float) -> None:
        """Read every row (at an epoch end, before anything is saved or shown)."""
        self._check_norms(self.matrices, epoch, fraction)

    def _check_norms(self, matrices: Sequence[np.ndarray], epoch: int, fraction: float) -> None:
        norms = [largest_norm(m) for m in matrices]
        norm = max(norms, default=0.0)
        if not all(math.isfinite(n) for n in norms):
            self._fail("a vector became infinite or NaN", epoch, fraction)
        if norm > NORM_LIMIT:
            self._fail(f"a vector's norm reached {norm:.3g} (healthy ones stay below "
                       f"{NORM_LIMIT:g})", epoch, fraction)

    def _fail(self, what: str, epoch: int, fraction: float) -> None:
        raise TrainingDivergedError(
            f"training diverged: {what} at epoch {epoch} ({fraction:.0%} done); {self.remedy}"
        )
