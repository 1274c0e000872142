"""2-D maps of word vectors (PCA or t-SNE) for plotting, cached per vectors and arguments."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError, W2VError
from .vectors import KeyedVectors

__all__ = ["Projection", "clear_cache", "project_2d"]

METHODS = ("tsne", "pca")
MIN_WORDS = 3
_CACHE_SIZE = 8
_MAX_PERPLEXITY = 30.0

_cache: OrderedDict[tuple, tuple[weakref.ref, "Projection"]] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Projection:
    """Words and their 2-D coordinates (read-only, row i belongs to ``words[i]``)."""

    words: list[str]
    coords: np.ndarray  #: (n, 2) float64
    method: str


def project_2d(
    kv: KeyedVectors,
    method: str = "tsne",
    top_n: int = 500,
    seed: int = 0,
    words: Sequence[str] | None = None,
) -> Projection:
    """Project unit-normalised word vectors to 2-D.

    Parameters
    ----------
    kv : KeyedVectors
    method : {"tsne", "pca"}
        scikit-learn t-SNE (init="pca", perplexity at most 30 and below the number of words,
        single-threaded) or PCA (exact SVD).
    top_n : int
        How many of the most frequent words (index order) to project when ``words`` is None.
    seed : int
        scikit-learn's random_state. The same seed gives the same coordinates; with the PCA
        initialisation, t-SNE barely depends on it.
    words : sequence of str, optional
        Project these words instead (duplicates dropped, order kept).

    Returns
    -------
    Projection
        Cached: the same vectors array and arguments return the same object.

    Raises
    ------
    ConfigError
        Unknown method or top_n below 1.
    UnknownWordError
        A word in ``words`` is not in the vocabulary.
    W2VError
        Fewer than 3 words to project, or vectors with fewer than 2 dimensions.
    """
    if method not in METHODS:
        raise ConfigError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if isinstance(top_n, bool) or not isinstance(top_n, int | np.integer) or top_n < 1:
        raise ConfigError(f"top_n must be a positive integer, got {top_n!r}")
    rows = _rows(kv, top_n, words)
    key = (id(kv.vectors), method, int(seed), tuple(rows))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0]() is kv.vectors:
            _cache.move_to_end(key)
            return hit[1]
    coords = _project(kv.normed[rows].astype(np.float64), method, int(seed))
    coords.setflags(write=False)
    projection = Projection([kv.words[i] for i in rows], coords, method)
    with _cache_lock:
        _cache[key] = (weakref.ref(kv.vectors), projection)
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return projection


def clear_cache() -> None:
    """Forget every cached projection."""
    with _cache_lock:
        _cache.clear()


def _rows(kv: KeyedVectors, top_n: int, words: Sequence[str] | None) -> list[int]:
    if words is None:
        rows = list(range(min(int(top_n), len(kv))))
    else:
        chosen = [words] if isinstance(words, str) else words
        rows = list(dict.fromkeys(kv.get_index(w) for w in chosen))
    if len(rows) < MIN_WORDS:
        raise W2VError(f"a 2-D map needs at least {MIN_WORDS} words, got {len(rows)}")
    if kv.dim < 2:
        raise W2VError(f"a 2-D map needs vectors of at least 2 dimensions, got {kv.dim}")
    return rows


def _project(vectors: np.ndarray, method: str, seed: int) -> np.ndarray:
    from threadpoolctl import threadpool_limits  # scikit-learn is slow to import: do it on use

    with threadpool_limits(1):  # oversubscribed OpenMP/BLAS makes t-SNE many times slower
        if method == "pca":
            from sklearn.decomposition import PCA

            model = PCA(n_components=2, svd_solver="full", random_state=seed)
        else:
            from sklearn.manifold import TSNE

            perplexity = min(_MAX_PERPLEXITY, len(vectors) - 1.0)
            model = TSNE(
                n_components=2,
                perplexity=perplexity,
                init="pca",
                learning_rate="auto",
                random_state=seed,
            )
        return np.ascontiguousarray(model.fit_transform(vectors), dtype=np.float64)
