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
        Sentence number per token; pairs never cross sentences.
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
    index = np.int32 if n < 2**31 - window else np.int64
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)]).astype(index)
    positions = np.arange(n, dtype=index)[:, None]
    contexts = positions + offsets[None, :]
    valid = np.abs(offsets)[None, :] <= reduced_windows[:, None]
    valid &= contexts >= 0
    valid &= contexts < n
    np.clip(contexts, 0, max(n - 1, 0), out=contexts)  # invalid ones are masked already
    valid &= sentence_ids[contexts] == sentence_ids[:, None]
    centres = np.broadcast_to(positions, contexts.shape)[valid]
    return centres, contexts[valid]


def segment_starts(centres: np.ndarray) -> np.ndarray:
    """Where each centre's run of pairs starts in centre-major pairs, and the end: an indptr."""
    if not len(centres):
        return np.zeros(1, dtype=np.int32)
    change = np.flatnonzero(centres[1:] != centres[:-1]) + 1
    return np.concatenate(([0], change, [len(centres)])).astype(np.int32)

