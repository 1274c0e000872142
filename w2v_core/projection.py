"""2-D maps of word vectors (PCA or t-SNE) for plotting, cached per vectors and arguments.

A finished map can take more words without being recomputed: :meth:`Projection.place` puts
each new word where its nearest mapped words are (openTSNE's ``transform`` for t-SNE, the
fitted components for PCA) and marks it as placed. :func:`project_neighbourhood` maps one
word's own nearest neighbours, which shows the local structure a map of the most frequent
words cannot.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .errors import ConfigError, W2VError
from .vectors import KeyedVectors

__all__ = ["Projection", "clear_cache", "project_2d", "project_neighbourhood"]

METHODS = ("tsne", "pca")
MIN_WORDS = 3
_CACHE_SIZE = 8
_MAX_PERPLEXITY = 30.0

# t-SNE schedule (openTSNE, Barnes-Hut). With the PCA initialisation the layout settles in far
# fewer iterations than scikit-learn's 250 + 750: 75 + 150 kept the same share of 10-nearest
# neighbours and KL divergence as openTSNE's 250 + 500 and scikit-learn's full run, in a
# fraction of the time (measurements: benchmarks/README.md, "w2v_core/projection.py").
_EXAGGERATION_ITER = 75
_EXAGGERATION = 12.0
_ITER = 150
_THETA = 0.8  # Barnes-Hut accuracy: 0.5 is openTSNE's default, 0.8 is faster (as above)
# Placement into a finished t-SNE map (openTSNE's transform).
_PLACE_NEIGHBOURS = 25
_PLACE_PERPLEXITY = 5.0
_PLACE_ITER = 100

_cache: OrderedDict[tuple, tuple[weakref.ref, "Projection"]] = OrderedDict()
_cache_lock = threading.Lock()


class _Fitted(Protocol):
    """What a finished map keeps to place new points into it."""

    def place(self, vectors: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Projection:
    """Words and their 2-D coordinates (read-only, row i belongs to ``words[i]``).

    ``placed`` holds the words added by :meth:`place` into the finished map; every other word
    was part of the fit.
    """

    words: list[str]
    coords: np.ndarray  #: (n, 2) float64
    method: str
    placed: frozenset[str] = frozenset()
    _fitted: _Fitted | None = field(default=None, repr=False, compare=False)
    _source: weakref.ref | None = field(default=None, repr=False, compare=False)

    def place(self, kv: KeyedVectors, words: Sequence[str]) -> Projection:
        """This map plus ``words``, each placed from its nearest mapped words; no refit.

        t-SNE: openTSNE's ``transform`` (each new point starts at the median of its nearest
        mapped points, then a short optimisation against the fixed map). PCA: the new unit
        vectors projected onto the fitted components. Words already on the map are skipped.

        Parameters
        ----------
        kv : KeyedVectors
            The vectors this map was computed from.
        words : sequence of str
            Words to add (unknown spellings raise, duplicates are dropped).

        Returns
        -------
        Projection
            ``self`` when every word is already on the map, else a new projection with the
            new words appended and listed in ``placed``.

        Raises
        ------
        UnknownWordError
            A word is not in the vocabulary.
        W2VError
            ``kv`` holds other vectors than the ones this map was computed from.
        """
        if self._fitted is None or self._source is None or self._source() is not kv.vectors:
            raise W2VError("words can only be placed into a map of the same vectors")
        chosen = [words] if isinstance(words, str) else words
        shown = set(self.words)
        rows = [r for r in dict.fromkeys(kv.get_index(w) for w in chosen) if kv.words[r] not in shown]
        if not rows:
            return self
        new = self.locate(kv.normed[rows])
        coords = np.concatenate([self.coords, new])
        coords.setflags(write=False)
        added = [kv.words[r] for r in rows]
        return Projection(self.words + added, coords, self.method, self.placed | frozenset(added),
                          self._fitted, self._source)


    def locate(self, vectors: np.ndarray) -> np.ndarray:
        """Where unit vectors of this map's space would sit on it, as ``(n, 2)`` coordinates;
        the map is left as it is (the Map marks a compared model's aligned vector with it).

        Raises
        ------
        W2VError
            The map was not fitted here (a map from the cache of another process).
        """
        if self._fitted is None:
            raise W2VError("this map cannot place new points")
        return self._fitted.place(np.atleast_2d(np.asarray(vectors, dtype=np.float64)))


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
        openTSNE t-SNE (Barnes-Hut, PCA initialisation, perplexity at most 30 and below a third
        of the number of words, exact nearest neighbours, single-threaded, a short schedule:
        75 exaggerated + 150 plain iterations) or PCA (exact SVD).
    top_n : int
        How many of the most frequent words (index order) to project when ``words`` is None.
    seed : int
        The random state. The same seed gives the same coordinates; with the PCA
        initialisation, t-SNE barely depends on it.
    words : sequence of str, optional
        Project these words instead (duplicates dropped, order kept).

    Returns
    -------
    Projection
        Cached: the same vectors array and arguments return the same object. Its
        :meth:`~Projection.place` adds words without recomputing.

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
    fit = _fit_pca if method == "pca" else _fit_tsne
    coords, fitted = fit(kv.normed[rows].astype(np.float64), int(seed))
    coords.setflags(write=False)
    source = weakref.ref(kv.vectors)
    projection = Projection([kv.words[i] for i in rows], coords, method, frozenset(), fitted, source)
    with _cache_lock:
        _cache[key] = (source, projection)
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return projection


def project_neighbourhood(
    kv: KeyedVectors, word: str, n: int = 150, method: str = "tsne", seed: int = 0
) -> Projection:
    """A map of ``word`` and its ``n`` nearest neighbours (by cosine), ``word`` first.

    Unlike a map of the most frequent words, it spends the whole plane on one word's
    surroundings. Cached like :func:`project_2d`.

    Raises
    ------
    ConfigError
        ``n`` below 2 or an unknown method.
    UnknownWordError
        ``word`` is not in the vocabulary.
    W2VError
        The vocabulary has fewer than 3 words.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ConfigError(f"n must be an integer of at least 2, got {n!r}")
    centre = kv.words[kv.get_index(word)]
    neighbours = [w for w, _ in kv.most_similar(centre, topn=min(int(n), len(kv) - 1))]
    return project_2d(kv, method=method, seed=seed, words=[centre, *neighbours])


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


@dataclass(frozen=True)
class _FittedPCA:
    mean: np.ndarray
    components: np.ndarray  #: (2, dim)

    def place(self, vectors: np.ndarray) -> np.ndarray:
        return (vectors - self.mean) @ self.components.T


@dataclass(frozen=True)
class _FittedTSNE:
    embedding: object  #: openTSNE.TSNEEmbedding
    lock: threading.Lock = field(default_factory=threading.Lock)

    def place(self, vectors: np.ndarray) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        n = len(self.embedding)  # type: ignore[arg-type]
        k = min(_PLACE_NEIGHBOURS, n)
        perplexity = min(_PLACE_PERPLEXITY, max((k - 1) / 3.0, 0.5))
        with self.lock, threadpool_limits(1):
            placed = self.embedding.transform(  # type: ignore[attr-defined]
                vectors, perplexity=perplexity, k=k, initialization="median", n_iter=_PLACE_ITER
            )
        return np.array(placed, dtype=np.float64)


def import_backends() -> None:
    """Import the libraries maps are computed with (slow to import), ahead of the first map.

    A front end calls this in a background thread at start-up: imported later, inside the
    map's own worker while the UI and training threads compete for the interpreter, the
    same imports took many times longer on a busy host (measurements: benchmarks/README.md,
    "w2v_core/projection.py").
    """
    import openTSNE  # noqa: F401
    import sklearn.decomposition  # noqa: F401


def _fit_pca(vectors: np.ndarray, seed: int) -> tuple[np.ndarray, _FittedPCA]:
    from sklearn.decomposition import PCA  # scikit-learn is slow to import: do it on use
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        model = PCA(n_components=2, svd_solver="full", random_state=seed)
        coords = np.ascontiguousarray(model.fit_transform(vectors), dtype=np.float64)
    return coords, _FittedPCA(model.mean_.copy(), model.components_.copy())


def _fit_tsne(vectors: np.ndarray, seed: int) -> tuple[np.ndarray, _FittedTSNE]:
    from openTSNE import TSNEEmbedding, affinity, initialization
    from threadpoolctl import threadpool_limits

    # openTSNE uses 3 x perplexity nearest neighbours, which must be fewer than the points
    perplexity = min(_MAX_PERPLEXITY, (len(vectors) - 1) / 3.0)
    with threadpool_limits(1):  # oversubscribed threads make t-SNE many times slower
        affinities = affinity.PerplexityBasedNN(
            vectors, perplexity=perplexity, method="exact", n_jobs=1, random_state=seed
        )
        start = initialization.pca(vectors, random_state=seed)
        embedding = TSNEEmbedding(
            start, affinities, negative_gradient_method="bh", theta=_THETA, n_jobs=1, random_state=seed
        )
        embedding = embedding.optimize(_EXAGGERATION_ITER, exaggeration=_EXAGGERATION, momentum=0.5)
        embedding = embedding.optimize(_ITER, momentum=0.8)
    return np.array(embedding, dtype=np.float64), _FittedTSNE(embedding)
