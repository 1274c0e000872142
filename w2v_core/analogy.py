"""Analogy methods: their names, the check of a method's name, and 3CosMul's scores.

``a : b :: c : ?`` is answered by 3CosAdd (the nearest word to ``b - a + c``, a plain
neighbour query) or by 3CosMul (Levy & Goldberg, 2014). 3CosMul is scored here only, in
batches: one question from :meth:`~w2v_core.vectors.KeyedVectors.analogy` is a batch of one,
and :func:`~w2v_core.evaluate.evaluate_analogies` scores thousands at a time, so both rank
every candidate alike.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError

#: Analogy methods, by the name front ends and the engine take, with the name they have in
#: the literature.
ANALOGY_METHODS = {"add": "3CosAdd", "mul": "3CosMul"}
#: Keeps 3CosMul's denominator above zero, as in gensim and Levy & Goldberg.
COSMUL_EPSILON = 1e-6


def check_analogy_method(method: str) -> str:
    """``method`` if it is a key of :data:`ANALOGY_METHODS`.

    Raises
    ------
    ConfigError
        For any other method, naming the ones there are.
    """
    if method not in ANALOGY_METHODS:
        raise ConfigError(
            f"analogy method must be one of {', '.join(ANALOGY_METHODS)}, got {method!r}"
        )
    return method


def cosmul_scores(
    normed: np.ndarray, candidates: np.ndarray, positive: np.ndarray, negative: np.ndarray
) -> np.ndarray:
    """3CosMul score of every candidate for each query of a batch.

    A candidate's score is the product of its shifted cosines ``(1 + cos) / 2`` to the
    positive words, over the product of those to the negative words plus
    :data:`COSMUL_EPSILON`. Queries of a batch share most words, so each distinct word's
    cosines are computed once.

    Parameters
    ----------
    normed : ndarray of shape (n_words, dim)
        Unit vectors that the rows of ``positive`` and ``negative`` index.
    candidates : ndarray of shape (n_candidates, dim)
        Unit vectors of the words to score (``normed`` or its most frequent rows).
    positive, negative : ndarray of int, shape (batch, p) and (batch, q)
        Rows of each query's positive and negative words (``b, c`` and ``a`` for an
        analogy); ``p`` or ``q`` may be 0.

    Returns
    -------
    ndarray of shape (batch, n_candidates)
        A fresh array, that the caller may overwrite (to exclude the query words).
    """
    rows = np.concatenate([positive, negative], axis=1).astype(np.intp, copy=False)
    unique, inverse = np.unique(rows, return_inverse=True)
    inverse = inverse.reshape(rows.shape)  # flat or not, depending on the NumPy version
    shifted = normed[unique] @ candidates.T
    shifted += 1.0
    shifted *= 0.5
    scores = _product(shifted, inverse[:, : positive.shape[1]])
    denominator = _product(shifted, inverse[:, positive.shape[1] :])
    denominator += COSMUL_EPSILON
    scores /= denominator
    return scores


def _product(shifted: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Row-wise product of ``shifted[rows[i, j]]`` over ``j``: (batch, n_candidates)."""
    if rows.shape[1] == 0:
        return np.ones((len(rows), shifted.shape[1]), dtype=shifted.dtype)
    product = shifted[rows[:, 0]]  # fancy indexing: a copy, safe to multiply in place
    for j in range(1, rows.shape[1]):
        product *= shifted[rows[:, j]]
    return product
