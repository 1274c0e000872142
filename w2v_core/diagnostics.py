"""Health figures of trained vectors: have they separated, or collapsed onto one direction?

Early in training (or after too few passes over a small corpus) skip-gram vectors all point
the same way: every neighbour list then shows cosines of 0.99+ and means nothing. The mean
cosine of random word pairs measures this in one number: about 0.1-0.4 for healthy vectors,
near 1 for collapsed ones.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import ConfigError, W2VError
from .vectors import KeyedVectors

__all__ = [
    "COLLAPSE_THRESHOLD",
    "NORM_LIMIT",
    "describe_norm",
    "describe_separation",
    "is_collapsed",
    "largest_norm",
    "separation",
]

#: A mean random-pair cosine above this means the vectors have collapsed: runs with meaningful
#: neighbours stayed far below it, a run that still ranked neighbours sensibly (at high
#: cosines) below it, and runs whose neighbours all showed cosines near 1 above it
#: (measurements: benchmarks/README.md, "w2v_core/diagnostics.py").
COLLAPSE_THRESHOLD = 0.9
#: Pairs are drawn from this many most frequent words: rare words barely move during training,
#: stay close to the common direction and would blur the figure: over all words, a healthy
#: run looked far closer to collapse (measurements: benchmarks/README.md,
#: "w2v_core/diagnostics.py").
FREQUENT_WORDS = 1000
#: No healthy word2vec vector is longer: the largest norms of healthy runs (skip-gram and CBOW,
#: and gensim's CBOW on a bursty corpus) stayed well below it, even in the most overtrained run
#: tried (the input vectors of rare words grow slowly with the epochs). A diverging run passes
#: this long before NaN, and its analogy score collapses (issue 19; measurements:
#: benchmarks/README.md, "w2v_core/diagnostics.py").
NORM_LIMIT = 100.0
#: Rows read at once by :func:`largest_norm` (a bounded float64 temporary, not one per row).
_NORM_BLOCK = 8192


def separation(kv: KeyedVectors, pairs: int = 1000, seed: int = 0, restrict: int = FREQUENT_WORDS) -> float:
    """Mean cosine similarity of random pairs of distinct words.

    Parameters
    ----------
    kv : KeyedVectors
    pairs : int
        How many pairs to sample (with replacement; the two words of a pair always differ).
    seed : int
        The random seed: the same vectors and seed give the same figure.
    restrict : int
        Sample uniformly from the ``restrict`` most frequent words (index order).

    Cheap: only the sampled rows are read (measurements: benchmarks/README.md,
    "w2v_core/diagnostics.py"), so it can run on every epoch's snapshot.

    Returns
    -------
    float
        In [-1, 1] (a zero vector counts as cosine 0); about 0.1-0.4 for healthy vectors, near 1 when they have collapsed
        (see :func:`is_collapsed`).

    Raises
    ------
    ConfigError
        ``pairs`` or ``restrict`` below 1.
    W2VError
        Fewer than 2 words.
    """
    for name, value in (("pairs", pairs), ("restrict", restrict)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}")
    n = min(len(kv), int(restrict))
    if n < 2:
        raise W2VError(f"a separation figure needs at least 2 words, got {len(kv)}")
    rng = np.random.default_rng(seed)
    first = rng.integers(0, n, size=int(pairs))
    second = (first + rng.integers(1, n, size=int(pairs))) % n  # never the same word
    # only the sampled rows are normalised: cheap on every training snapshot of a big vocabulary
    left, right = kv.vectors[first].astype(np.float64), kv.vectors[second].astype(np.float64)
    norms = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    dots = np.einsum("ij,ij->i", left, right)
    cosines = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)  # a zero vector: 0
    return float(cosines.mean())


def largest_norm(matrix: np.ndarray) -> float:
    """The largest Euclidean norm of a row of ``matrix`` (NaN if any is not finite; 0 if empty).

    Read in blocks, so a large vocabulary needs no second (V, d) array.
    """
    largest = 0.0
    for start in range(0, len(matrix), _NORM_BLOCK):
        block = matrix[start : start + _NORM_BLOCK]
        # float32 first, faster than float64 (measurements: benchmarks/README.md,
        # "w2v_core/diagnostics.py"); float64 only for a block whose squares overflow
        with np.errstate(over="ignore", invalid="ignore"):  # judged just below
            top = float(np.vecdot(block, block).max(initial=0.0))
        if not math.isfinite(top):  # overflow of a finite row's square, or a NaN or infinity
            top = float(np.vecdot(block, block, dtype=np.float64).max())
            if not math.isfinite(top):
                return math.nan
        largest = max(largest, top)
    return math.sqrt(largest)


def describe_norm(value: float) -> str:
    """One line for a user, e.g. ``"6.21"``, flagged when past :data:`NORM_LIMIT`."""
    if not value <= NORM_LIMIT:
        return f"{value:.3g} - far above the {NORM_LIMIT:g} of healthy word2vec vectors"
    return f"{value:.3g}"


def is_collapsed(value: float, threshold: float = COLLAPSE_THRESHOLD) -> bool:
    """Whether a :func:`separation` figure means the vectors have collapsed (above ``threshold``)."""
    return bool(value > threshold)


def describe_separation(value: float) -> str:
    """One line for a user, e.g. ``"mean cosine of random pairs 0.316"`` (plus a warning if collapsed)."""
    text = f"mean cosine of random pairs {value:.3f}"
    if is_collapsed(value):
        text += " - collapsed: the vectors have not separated yet; train more epochs"
    return text
