"""How stable a query's neighbours are across an ensemble's models.

The neighbours listed are the ensemble's own: the ``k`` words with the highest *mean*
cosine to the query over the K members (each member ranks against the query as
:meth:`~w2v_core.vectors.KeyedVectors.most_similar` does, in its own space, so no
alignment is needed). For each, :class:`StableNeighbour` says in how many members it is
among that member's top ``k``, and the mean and spread (population standard deviation) of
its cosines. Ranking by the mean rather than by the first model's list keeps a neighbour
that one unlucky run pushed down, and drops one that only that run found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .blas import single_threaded_blas
from .vectors import KeyedVectors, WordList


@dataclass(frozen=True)
class StableNeighbour:
    """One neighbour of a query across K models."""

    word: str
    count: int  #: members that have it among their top k
    runs: int  #: K
    mean: float  #: mean cosine to the query over the members
    std: float  #: population standard deviation of those cosines

    @property
    def share(self) -> str:
        """``3/3``: how many members agree, as the stability column shows it."""
        return f"{self.count}/{self.runs}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def query_cosines(
    members: Sequence[KeyedVectors], positive: WordList | None, negative: WordList | None = None
) -> tuple[np.ndarray, list[int]]:
    """Each member's cosine of every word to the query: ``(K, words)``, and the query's rows.

    The query words' own rows are set to ``-inf`` (they are never their own neighbours).
    """
    rows: list[int] = []
    cosines = np.empty((len(members), len(members[0])), dtype=np.float32)
    with single_threaded_blas():
        for i, kv in enumerate(members):
            unit, rows = kv.query_vector(positive, negative)
            cosines[i] = kv.normed @ unit
    cosines[:, rows] = -np.inf
    return cosines, rows


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores of each row (any order), ``-inf`` excluded."""
    k = min(k, scores.shape[-1])
    return np.argpartition(-scores, k - 1, axis=-1)[..., :k] if k else scores[..., :0].astype(np.intp)


def neighbour_stability(
    members: Sequence[KeyedVectors],
    positive: WordList | None,
    negative: WordList | None = None,
    k: int = 10,
) -> list[StableNeighbour]:
    """The ``k`` words nearest the query by mean cosine over ``members``, with how many
    members have each among their own top ``k``, best mean first.

    Parameters
    ----------
    members : sequence of KeyedVectors
        An ensemble's vectors (one vocabulary: :attr:`Ensemble.vectors`).
    positive, negative : str or sequence of str
        The query, as for :meth:`KeyedVectors.most_similar`.
    k : int
        How many neighbours are listed, and the top-k each member is asked about.

    Raises
    ------
    UnknownWordError, W2VError
        As :meth:`KeyedVectors.most_similar`, from the first member that cannot answer.
    """
    cosines, rows = query_cosines(members, positive, negative)
    candidates = len(members[0]) - len(set(rows))
    k = max(0, min(k, candidates))
    in_top = np.zeros(cosines.shape[1], dtype=np.int64)
    for member_top in top_k(cosines, k):
        in_top[member_top] += 1
    finite = np.where(np.isfinite(cosines), cosines, 0.0).astype(np.float64)
    mean, std = finite.mean(axis=0), finite.std(axis=0)
    mean[rows] = -np.inf
    chosen = top_k(mean, k)
    chosen = chosen[np.lexsort((chosen, -mean[chosen]))]  # best mean first, ties by frequency
    words = members[0].words
    return [
        StableNeighbour(words[i], int(in_top[i]), len(members), float(mean[i]), float(std[i]))
        for i in chosen
    ]


def by_stability(neighbours: Sequence[StableNeighbour]) -> list[StableNeighbour]:
    """The same neighbours, those most members agree on first (then by mean cosine)."""
    return sorted(neighbours, key=lambda n: (-n.count, -n.mean))
