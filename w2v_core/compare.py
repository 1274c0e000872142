"""Comparing two models: B aligned onto A by orthogonal Procrustes, and what moved.

Two models trained apart (two corpora, two seeds, epoch 2 and epoch 10) have unrelated axes:
a word's vector in one cannot be compared to its vector in the other until they share a
basis. As HistWords does (Hamilton et al., 2016), B is rotated onto A by the orthogonal
matrix that best maps B's unit vectors of the shared words onto A's (orthogonal Procrustes).
A rotation keeps every cosine within B, so a word's neighbours in B are B's own; only the
cosine between a word's vector in A and in aligned B needs the alignment.

Each compared word gets two figures: that aligned cosine (1: the word sits where it did), and
the overlap of its top-k neighbours in A and in B (1: the same neighbours). Both are computed
over the same words: the shared vocabulary, cut to the words frequent in both models, since
the vectors of rare words move by chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .errors import UnknownWordError, W2VError
from .vectors import KeyedVectors

#: How many shared words are compared by default: the most frequent in both models. Rare
#: words' vectors are noisy, and 10,000 words keep the neighbour overlaps to seconds.
DEFAULT_TOP = 10_000
#: How many neighbours the overlap compares by default.
DEFAULT_K = 10
#: Rows of the similarity matrix computed at once (rows x compared words x 4 bytes).
_BLOCK = 1024


class IncomparableModelsError(W2VError):
    """The two models cannot be aligned: different dimensions, or too few shared words."""


class NotComparedError(UnknownWordError):
    """A word that is not among the compared words (not in both models, or too rare)."""

    what = "word not compared (not in both models, or not among the words most frequent in both)"


@dataclass(frozen=True)
class WordChange:
    """How much one word moved between A and B."""

    word: str
    cosine: float  #: between its vector in A and in B aligned onto A
    overlap: float  #: share of its top-k neighbours in A that are among its top-k in B

    def to_dict(self) -> dict[str, object]:
        return {"word": self.word, "cosine": round(self.cosine, 6), "overlap": round(self.overlap, 6)}


def shared_words(a: KeyedVectors, b: KeyedVectors, top: int | None = DEFAULT_TOP) -> list[str]:
    """The words of both models, the most frequent in both first, at most ``top`` of them.

    A word's place is the worse of its two frequency ranks (its row in each model, which is
    frequency order for the models this project writes and for word2vec and GloVe files), so
    a word is kept only if it is frequent in both models; ties go by A's order.
    """
    rows = [(max(i, b.index[w]), i, w) for i, w in enumerate(a.words) if w in b.index]
    rows.sort()
    words = [w for _, _, w in rows]
    return words if top is None else words[:top]


def procrustes(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The orthogonal matrix ``R`` minimising ``||source @ R - target||`` (Frobenius).

    With ``source.T @ target = U S Vt``, ``R = U @ Vt`` (Schönemann, 1966).
    """
    u, _, vt = np.linalg.svd(source.T.astype(np.float64) @ target.astype(np.float64))
    return u @ vt


def top_neighbours(normed: np.ndarray, k: int) -> np.ndarray:
    """Each row's ``k`` nearest other rows by cosine (``normed`` has unit rows), best first."""
    n = len(normed)
    k = min(k, n - 1)
    out = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, _BLOCK):
        sims = normed[start : start + _BLOCK] @ normed.T
        rows = np.arange(len(sims))
        sims[rows, start + rows] = -np.inf  # a word is not its own neighbour
        best = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, best, axis=1), axis=1, kind="stable")
        out[start : start + len(sims)] = np.take_along_axis(best, order, axis=1)
    return out


class Comparison:
    """Model B aligned onto model A over their shared frequent words, and each word's change.

    Parameters
    ----------
    a, b : KeyedVectors
        The two models; B is rotated onto A.
    top : int or None
        Compare the ``top`` words most frequent in both (:func:`shared_words`); None: all shared.
    k : int
        How many neighbours the overlap compares.

    Raises
    ------
    IncomparableModelsError
        Different dimensions (no rotation maps one space onto the other), or fewer than two
        shared words.
    """

    def __init__(self, a: KeyedVectors, b: KeyedVectors, top: int | None = DEFAULT_TOP, k: int = DEFAULT_K) -> None:
        if a.dim != b.dim:
            raise IncomparableModelsError(
                f"the models have different dimensions ({a.dim} and {b.dim}): a rotation "
                "cannot align them"
            )
        self.other = b  #: model B as given (unaligned): a newer A is aligned with :meth:`realigned`
        self.top, self.k_asked = top, k
        every = shared_words(a, b, None)
        self.shared = len(every)  #: how many words the models share
        self.words = every if top is None else every[:top]  #: the compared words
        if len(self.words) < 2:
            raise IncomparableModelsError(
                f"the models share {len(self.words)} word{'s' * (len(self.words) != 1)}: "
                "at least two are needed to align them"
            )
        self.k = min(k, len(self.words) - 1)
        rows_a = [a.index[w] for w in self.words]
        rows_b = [b.index[w] for w in self.words]
        counts = None if a.counts is None else a.counts[rows_a]
        #: A's vectors of the compared words (unit length), and B's, rotated onto A's
        self.a = KeyedVectors(self.words, a.normed[rows_a], counts)
        b_normed = b.normed[rows_b]
        self.rotation = procrustes(b_normed, self.a.vectors)
        self.b = KeyedVectors(self.words, (b_normed @ self.rotation).astype(np.float32), counts)

    def realigned(self, a: KeyedVectors) -> "Comparison":
        """The same model B aligned onto new vectors of A (the next epoch of a run)."""
        return Comparison(a, self.other, self.top, self.k_asked)

    def aligned_vector(self, word: str) -> np.ndarray:
        """``word``'s unit vector in B, rotated into A's space (where A's unit vectors are)."""
        return self.b.normed[self.row(word)]

    def cosine(self, word: str) -> float:
        """``word``'s aligned cosine between A and B, alone (:attr:`changes` computes every
        word's neighbours too)."""
        row = self.row(word)
        return float(self.a.normed[row] @ self.b.normed[row])

    @cached_property
    def changes(self) -> list[WordChange]:
        """Every compared word's change, in the compared words' order (frequent first)."""
        cosines = np.einsum("ij,ij->i", self.a.normed, self.b.normed)  # :meth:`cosine` of each
        near_a = top_neighbours(self.a.normed, self.k)
        near_b = top_neighbours(self.b.normed, self.k)
        overlaps = [len(set(x) & set(y)) / self.k for x, y in zip(near_a.tolist(), near_b.tolist())]
        return [WordChange(w, float(c), o) for w, c, o in zip(self.words, cosines, overlaps)]

    def ranked(self) -> list[WordChange]:
        """Every word, the most changed first: lowest aligned cosine, then lowest overlap."""
        return sorted(self.changes, key=lambda c: (c.cosine, c.overlap))

    def most_changed(self, n: int = 20) -> list[WordChange]:
        """The ``n`` words that moved most (lowest aligned cosine)."""
        return self.ranked()[:n]

    def least_changed(self, n: int = 20) -> list[WordChange]:
        """The ``n`` words that moved least (highest aligned cosine), the stablest first."""
        return self.ranked()[::-1][:n]

    def change(self, word: str) -> WordChange:
        """One word's change; raises :class:`UnknownWordError` naming why it is not compared."""
        return self.changes[self.row(word)]

    def row(self, word: str) -> int:
        """The compared words' row of ``word`` (lookup as in every query: case, NFKC)."""
        try:
            return self.a.get_index(word)
        except UnknownWordError as error:
            raise NotComparedError(error.word, self.words) from None

    def neighbours(self, word: str, n: int = DEFAULT_K) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """``word``'s ``n`` nearest compared words in A and in B, side by side, with cosines."""
        key = self.words[self.row(word)]
        return self.a.most_similar(key, topn=n), self.b.most_similar(key, topn=n)

    @property
    def mean_cosine(self) -> float:
        """The mean aligned cosine: how well B maps onto A as a whole."""
        return float(np.mean([c.cosine for c in self.changes]))

    def report(self, n: int = 20, word: str | None = None, neighbours: int = DEFAULT_K) -> dict[str, object]:
        """What ``w2v compare --json`` prints: the figures, then both lists or, for ``word``,
        its change and its neighbours in A and in B."""
        out: dict[str, object] = {
            "shared": self.shared,
            "compared": len(self.words),
            "k": self.k,
            "mean_cosine": round(self.mean_cosine, 6),
        }
        if word is None:
            out["most_changed"] = [c.to_dict() for c in self.most_changed(n)]
            out["least_changed"] = [c.to_dict() for c in self.least_changed(n)]
            return out
        in_a, in_b = self.neighbours(word, neighbours)
        out["word"] = {
            **self.change(word).to_dict(),
            "a": [[w, round(s, 6)] for w, s in in_a],
            "b": [[w, round(s, 6)] for w, s in in_b],
        }
        return out
