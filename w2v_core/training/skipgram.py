"""Skip-gram: each context word's input vector predicts the centre word (word2vec's default)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .objective import Batch, Examples
from .pairs import make_pairs
from .scatter import scatter_outer

if TYPE_CHECKING:
    from .worker import Worker


class SkipGram:
    """One example per (centre, context) pair, in the C tool's order: centre after centre."""

    name: ClassVar[str] = "skip-gram"
    init_scale: ClassVar[float] = 1.0  # word2vec's (-0.5, 0.5) / dim

    def inputs_per_example(self, window: int) -> float:
        return 1.0

    def examples(
        self, sentence_ids: np.ndarray, reduced_windows: np.ndarray, window: int
    ) -> Examples:
        centres, contexts = make_pairs(sentence_ids, sentence_ids, reduced_windows, window)
        return Examples(outputs=centres, inputs=contexts)

    def step(self, worker: Worker, batch: Batch, noise: np.ndarray, alpha: float) -> float:
        m = len(batch)
        # mode="clip": with out=, the default mode="raise" buffers the output, which is slower
        # (measurements: benchmarks/README.md, "training/skipgram.py")
        worker.W_in.take(batch.inputs, axis=0, out=worker.layer.hidden(m), mode="clip")
        loss, grad_h = worker.layer.update(
            batch.outputs, noise, alpha, batch.weights, batch.collisions
        )
        scatter_outer(worker.W_in, batch.inputs[:, None], worker.ones[:m], grad_h)
        return loss
