"""Scatter-adding minibatch updates into weight matrices: the hot spot of NumPy SGNS.

``scatter_outer(W, rows, coefs, X)`` adds ``coefs[b, k] * X[b]`` to ``W[rows[b, k]]`` for every
``b, k``, summing duplicates, without materialising the ``(B, K, dim)`` outer products.
This is a sparse-matrix product ``W += A @ X`` where column ``b`` of the CSC matrix ``A``
holds ``coefs[b, :]`` at rows ``rows[b, :]``.

SciPy's compiled CSC kernel, adding straight into ``W``, is many times faster than
``np.add.at`` (measurements: benchmarks/README.md, "training/scatter.py"). The kernel also
releases the GIL, so training threads scale. It is a private SciPy function, so it is
checked once at import against the public path and replaced by it if missing or wrong.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse


def _scatter_public(W: np.ndarray, rows: np.ndarray, coefs: np.ndarray, X: np.ndarray) -> None:
    batch, per_row = rows.shape
    indptr = np.arange(0, batch * per_row + 1, per_row, dtype=np.int32)
    A = scipy.sparse.csc_matrix(
        (coefs.ravel(), rows.ravel(), indptr), shape=(W.shape[0], batch), dtype=W.dtype
    )
    W += A @ X


def _make_compiled():
    try:
        from scipy.sparse._sparsetools import csc_matvecs
    except ImportError:  # pragma: no cover - depends on the SciPy build
        return None

    indptr_cache: dict[int, np.ndarray] = {}  # per_row -> longest indptr built so far

    def scatter(W: np.ndarray, rows: np.ndarray, coefs: np.ndarray, X: np.ndarray) -> None:
        batch, per_row = rows.shape
        indptr = indptr_cache.get(per_row)
        if indptr is None or len(indptr) < batch + 1:
            indptr = np.arange(0, batch * per_row + 1, per_row, dtype=np.int32)
            indptr_cache[per_row] = indptr
        csc_matvecs(
            W.shape[0],
            batch,
            W.shape[1],
            indptr,
            np.ascontiguousarray(rows, dtype=np.int32).ravel(),
            np.ascontiguousarray(coefs, dtype=W.dtype).ravel(),
            np.ascontiguousarray(X, dtype=W.dtype),
            W,
        )

    return scatter


def _self_check(candidate) -> bool:
    """Does the compiled kernel agree with the public path on a small problem?"""
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((7, 3)).astype(np.float32)
    W2 = W1.copy()
    rows = rng.integers(0, 7, size=(5, 2)).astype(np.int32)
    coefs = rng.standard_normal((5, 2)).astype(np.float32)
    X = rng.standard_normal((5, 3)).astype(np.float32)
    try:
        candidate(W1, rows, coefs, X)
    except Exception:  # pragma: no cover - a changed private signature
        return False
    _scatter_public(W2, rows, coefs, X)
    return bool(np.allclose(W1, W2, atol=1e-5))


_compiled = _make_compiled()
#: True when the fast compiled kernel is in use.
COMPILED = _compiled is not None and _self_check(_compiled)
scatter_outer = _compiled if COMPILED else _scatter_public
scatter_outer.__doc__ = "Add ``coefs[b, k] * X[b]`` to ``W[rows[b, k]]`` for all b, k (in place)."


# ------------------------------------------------------------------ segments (CBOW)
# Segment i owns positions indptr[i]:indptr[i + 1] of a flat index array: a CSR row when
# summing rows of X into Y[i], a CSC column when adding X[i] into rows of W.


def _segment_sum_public(Y, indptr, indices, weights, X) -> None:
    A = scipy.sparse.csr_matrix(
        (weights, indices, indptr), shape=(len(indptr) - 1, X.shape[0]), dtype=X.dtype
    )
    Y += A @ X


def _segment_scatter_public(W, indptr, rows, X) -> None:
    A = scipy.sparse.csc_matrix(
        (np.ones(len(rows), dtype=W.dtype), rows, indptr),
        shape=(W.shape[0], len(indptr) - 1),
    )
    W += A @ X


def _make_compiled_segments():
    try:
        from scipy.sparse._sparsetools import csc_matvecs, csr_matvecs
    except ImportError:  # pragma: no cover - depends on the SciPy build
        return None

    ones: list[np.ndarray] = [np.ones(0, np.float32)]

    def segment_sum(Y, indptr, indices, weights, X) -> None:
        csr_matvecs(
            len(indptr) - 1, X.shape[0], X.shape[1],
            np.ascontiguousarray(indptr, dtype=np.int32),
            np.ascontiguousarray(indices, dtype=np.int32),
            np.ascontiguousarray(weights, dtype=X.dtype), X, Y,
        )

    def segment_scatter(W, indptr, rows, X) -> None:
        if len(ones[0]) < len(rows):
            ones[0] = np.ones(2 * len(rows), np.float32)
        csc_matvecs(
            W.shape[0], len(indptr) - 1, W.shape[1],
            np.ascontiguousarray(indptr, dtype=np.int32),
            np.ascontiguousarray(rows, dtype=np.int32),
            ones[0][: len(rows)].astype(W.dtype, copy=False), np.ascontiguousarray(X), W,
        )

    return segment_sum, segment_scatter


def _segments_agree(candidates) -> bool:
    """Do the compiled segment kernels agree with the public paths on a small problem?"""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((7, 3)).astype(np.float32)
    indptr = np.array([0, 2, 2, 5], dtype=np.int32)  # an empty segment too
    indices = rng.integers(0, 7, size=5).astype(np.int32)
    weights = rng.standard_normal(5).astype(np.float32)
    try:
        Y1, Y2 = np.zeros((3, 3), np.float32), np.zeros((3, 3), np.float32)
        candidates[0](Y1, indptr, indices, weights, X)
        _segment_sum_public(Y2, indptr, indices, weights, X)
        W1, W2 = X.copy(), X.copy()
        candidates[1](W1, indptr, indices, Y2)
        _segment_scatter_public(W2, indptr, indices, Y2)
    except Exception:  # pragma: no cover - a changed private signature
        return False
    return bool(np.allclose(Y1, Y2, atol=1e-5) and np.allclose(W1, W2, atol=1e-5))


_segments = _make_compiled_segments()
if _segments is not None and _segments_agree(_segments):
    segment_sum, segment_scatter = _segments
else:  # pragma: no cover - depends on the SciPy build
    segment_sum, segment_scatter = _segment_sum_public, _segment_scatter_public
segment_sum.__doc__ = (
    "``Y[i] += sum(weights[j] * X[indices[j]] for j in indptr[i]:indptr[i + 1])`` (in place)."
)
segment_scatter.__doc__ = "``W[rows[j]] += X[i]`` for every j in ``indptr[i]:indptr[i + 1]`` (in place)."
