"""Scatter-adding minibatch updates into weight matrices: the hot spot of NumPy SGNS.

``scatter_outer(W, rows, coefs, X)`` adds ``coefs[b, k] * X[b]`` to ``W[rows[b, k]]`` for every
``b, k``, summing duplicates, without materialising the ``(B, K, dim)`` outer products.
This is a sparse-matrix product ``W += A @ X`` where column ``b`` of the CSC matrix ``A``
holds ``coefs[b, :]`` at rows ``rows[b, :]``.

Measured on the development machine (50k x 100 float32, 1024 x 6 updates): SciPy's
compiled CSC kernel adding straight into ``W`` took ~0.09 ms, ``np.add.at`` ~4.2 ms. The
kernel also releases the GIL, so training threads scale. It is a private SciPy function,
so it is checked once at import against the public path and replaced by it if missing or
wrong.
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
