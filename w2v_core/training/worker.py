"""One training thread's (or process's) weights, buffers and random stream."""

from __future__ import annotations

import numpy as np

from ..config import TrainConfig
from .negative_sampling import NegativeSampling


class Worker:
    """What an objective's step works with: the shared weights, and one worker's own output
    layer buffers, scratch and random stream.

    Workers in threads or processes update the same ``W_in`` and ``W_out`` without locks
    (Hogwild, as word2vec's threads).

    Parameters
    ----------
    W_in, W_out : ndarray (V, dim) of float32
        Input and output vectors, updated in place.
    config : TrainConfig
    seed : int, SeedSequence or similar
        Seed of this worker's random stream (subsampling, windows and noise words).
    batch_size : int
        Most examples per minibatch.
    group_size : int, optional
        Examples sharing noise words (shared mode); default from the config.
    """

    def __init__(
        self,
        W_in: np.ndarray,
        W_out: np.ndarray,
        config: TrainConfig,
        seed,
        batch_size: int,
        group_size: int | None = None,
    ) -> None:
        self.W_in = W_in
        self.layer = NegativeSampling(W_out, config, batch_size, group_size)
        self.rng = np.random.default_rng(seed)
        self.batch_size = batch_size
        self.ones = np.ones((batch_size, 1), dtype=np.float32)
        self.labels = np.empty(len(W_in), dtype=np.int32)  #: scratch of burst_weights

