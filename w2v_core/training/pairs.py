"""(centre, context) pairs of a chunk, as word2vec's window visits them.

Both objectives start from these pairs: skip-gram trains them as they are, CBOW groups
them per centre (:mod:`w2v_core.training.cbow`).
"""

from __future__ import annotations

import numpy as np

def make_pairs(
    ids: np.ndarray, sentence_ids: np.ndarray, reduced_windows: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """All (centre, context) position pairs of a chunk, centre-major as word2vec visits them.

    Parameters
    ----------
    ids : ndarray (n,)
        Token ids after subsampling (only its length is used).
    sentence_ids : ndarray (n,)
        Sentence number per token, one run of equal numbers per sentence (as a chunk
        reads them); pairs never cross sentences.
    reduced_windows : ndarray (n,)
        Effective window of each centre, in ``1..window``.
    window : int
        The maximum window.

    Returns
    -------
    centres, contexts : ndarray of int32
        Positions into ``ids``; for each centre, contexts run from the leftmost to the
        rightmost, as in the C tool's loop.
    """
    n = len(ids)
    positions = np.arange(n, dtype=np.int32 if n < 2**31 - window else np.int64)
    left, right = context_spans(sentence_ids, reduced_windows)
    return window_contexts(positions, left, right)


def context_spans(
    sentence_ids: np.ndarray, reduced_windows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How many context words each centre has on its left and on its right.

    A centre's contexts are the positions within its reduced window that are in its
    sentence (and so in the chunk): a run of ``left`` positions before it and one of
    ``right`` after it. Measured per token from its sentence's ends, instead of comparing
    the sentence numbers of all ``2 * window`` candidates of every token (a gather and a
    comparison per candidate; measurements: benchmarks/README.md, "training/pairs.py").

    Parameters
    ----------
    sentence_ids : ndarray (n,)
        Sentence number per token, one run of equal numbers per sentence.
    reduced_windows : ndarray (n,)
        Effective window of each centre.

    Returns
    -------
    left, right : ndarray (n,) of int32
    """
    n = len(sentence_ids)
    positions = np.arange(n, dtype=np.int32)
    starts = np.ones(n, dtype=bool)
    np.not_equal(sentence_ids[1:], sentence_ids[:-1], out=starts[1:])
    # each token's sentence start, and (from the right) the position after its sentence
    first = np.maximum.accumulate(np.where(starts, positions, 0))
    ends = np.empty(n, dtype=bool)
    ends[:-1], ends[-1:] = starts[1:], True
    after = np.minimum.accumulate(np.where(ends, positions + 1, n)[::-1])[::-1]
    reduced = reduced_windows.astype(np.int32, copy=False)
    left = np.minimum(reduced, positions - first)
    right = np.minimum(reduced, after - positions - 1)
    return left, right


def window_contexts(
    centres: np.ndarray, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The (centre, context) pairs of the given centres, centre-major in their order.

    A centre's contexts are one run of positions around it, itself left out: they are made
    from the runs' lengths (a repeat and an arange over the pairs), not by masking all
    ``2 * window`` candidates of every centre (comparisons over rows of ``window`` elements,
    slower; measurements: benchmarks/README.md, "training/pairs.py").

    Parameters
    ----------
    centres : ndarray (k,) of int
        Centre positions, in the order wanted.
    left, right : ndarray (k,) of int
        Their contexts on each side (:func:`context_spans`, in the same order).

    Returns
    -------
    pair_centres, contexts : ndarray of ``centres``' dtype
        Each pair's centre and context; each centre's contexts from the leftmost to the
        rightmost.
    """
    counts = left + right
    pair_centres = np.repeat(centres, counts)
    before = np.cumsum(counts, dtype=centres.dtype)
    before -= counts  # pairs before each centre's
    contexts = np.arange(len(pair_centres), dtype=centres.dtype)
    contexts += np.repeat(centres - left - before, counts)  # the run, with its centre in it
    contexts += contexts >= pair_centres  # skip the centre
    return pair_centres, contexts


def segment_starts(centres: np.ndarray) -> np.ndarray:
    """Where each centre's run of pairs starts in centre-major pairs, and the end: an indptr."""
    if not len(centres):
        return np.zeros(1, dtype=np.int32)
    change = np.flatnonzero(centres[1:] != centres[:-1]) + 1
    return np.concatenate(([0], change, [len(centres)])).astype(np.int32)

