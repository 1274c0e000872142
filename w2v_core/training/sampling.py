"""Random draws for training: subsampling frequent words and drawing noise words."""

from __future__ import annotations

from array import array

import numpy as np


def subsample(ids: np.ndarray, keep_probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mask of the tokens kept this epoch: each kept with its word's keep probability."""
    return rng.random(len(ids), dtype=np.float32) < keep_probabilities[ids]


class AliasTable:
    """Draws from a discrete distribution in O(1) per draw (Walker's alias method, Vose's build).

    Drawing the noise words by binary search over the cumulative distribution
    (``searchsorted``) took a large share of an epoch; the alias table makes it a small one
    (measurements: benchmarks/README.md, "training/sampling.py"). Draws are exact, unlike
    the C tool's 1e8-entry table.

    Parameters
    ----------
    probabilities : array of float
        Non-negative weights; normalised here.
    """

    def __init__(self, probabilities: np.ndarray) -> None:
        p = np.asarray(probabilities, dtype=np.float64)
        n = len(p)
        scaled_array = p * (n / p.sum())
        # Vose's loop runs in Python over typed arrays, not lists of Python numbers: on a large
        # vocabulary, lists left their freed number objects in the interpreter's pools
        # (measurements: benchmarks/README.md, "training/sampling.py")
        scaled = array("d", scaled_array.tobytes())
        accept = array("d", bytes(8 * n))
        alias = array("i", np.arange(n, dtype=np.int32).tobytes())
        small = array("i", np.flatnonzero(scaled_array < 1.0).astype(np.int32).tobytes())
        large = array("i", np.flatnonzero(scaled_array >= 1.0).astype(np.int32).tobytes())
        for i in large:
            accept[i] = 1.0
        while small and large:
            s, l = small.pop(), large.pop()
            accept[s], alias[s] = scaled[s], l
            scaled[l] -= 1.0 - scaled[s]
            (small if scaled[l] < 1.0 else large).append(l)
        # what is left is 1 up to rounding: always accept it
        for i in small:
            accept[i] = 1.0
        for i in large:
            accept[i] = 1.0
        self.accept = np.frombuffer(accept, dtype=np.float64).astype(np.float32)
        self.alias = np.frombuffer(alias, dtype=np.int32).copy()

    def __len__(self) -> int:
        return len(self.alias)

    def probabilities(self) -> np.ndarray:
        """The distribution the table draws from (for tests)."""
        n = len(self)
        p = self.accept.astype(np.float64) / n
        np.add.at(p, self.alias, (1.0 - self.accept.astype(np.float64)) / n)
        return p

    def draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Draw int32 indices of the given shape."""
        # one uniform per draw: its integer part picks the column, its fraction is the coin
        # (53-bit doubles leave >30 bits for the coin below a billion words); half the RNG cost
        scaled = rng.random(shape) * len(self)
        columns = np.minimum(scaled.astype(np.int32), len(self) - 1)
        coins = scaled - columns
        return np.where(coins < self.accept[columns], columns, self.alias[columns])


class Draws:
    """Every random draw of a training run, behind one object: which tokens an epoch keeps,
    each centre's window, and the noise words.

    The trainer asks only this object for randomness (with the worker's generator), so a
    test can wrap it and record every draw of a real run (``Trainer.draws``).

    Parameters
    ----------
    keep_probabilities : ndarray (V,)
        Per word, the probability that an occurrence is kept (word2vec's subsampling).
    noise : AliasTable
        The noise distribution (unigram counts to the power 0.75).
    """

    def __init__(self, keep_probabilities: np.ndarray, noise: AliasTable) -> None:
        self.keep_probabilities, self.noise_table = keep_probabilities, noise

    def kept(self, ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Mask of the tokens of ``ids`` kept this time (:func:`subsample`)."""
        return subsample(ids, self.keep_probabilities, rng)

    def windows(self, n: int, window: int, rng: np.random.Generator) -> np.ndarray:
        """Each of ``n`` centres' reduced window, uniform in ``1..window`` as word2vec draws it."""
        return rng.integers(1, window + 1, size=n)

    def noise(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Noise words of the given shape."""
        return self.noise_table.draw(shape, rng)
