"""Word vectors and the queries people ask of them, with gensim's ``KeyedVectors`` semantics."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from .blas import single_threaded_blas
from .corpus import tokenize
from .errors import UnknownWordError, W2VError

WordList = str | Sequence[str]


def parse_query(text: str) -> tuple[list[str], list[str]]:
    """Split a signed query such as ``"king -man +woman"`` into positive and negative words.

    Unsigned words are positive. Words are lowercased.

    >>> parse_query("king -man +woman")
    (['king', 'woman'], ['man'])
    """
    positive: list[str] = []
    negative: list[str] = []
    for term in text.split():
        sign, word = (term[0], term[1:]) if term[0] in "+-" else ("+", term)
        words = tokenize(word)
        (negative if sign == "-" else positive).extend(words)
    return positive, negative


def _as_list(words: WordList | None) -> list[str]:
    if words is None:
        return []
    if isinstance(words, str):
        return [words]
    return list(words)


class KeyedVectors:
    """Words mapped to vectors, and similarity queries over them.

    Parameters
    ----------
    words : sequence of str
        Vocabulary in index order (frequency order when trained here).
    vectors : ndarray of shape (n_words, dim)
        One row per word; stored as float32.
    counts : ndarray of int, optional
        Corpus frequency of each word, when known (word2vec files do not carry it).
    """

    def __init__(
        self, words: Sequence[str], vectors: np.ndarray, counts: np.ndarray | None = None
    ) -> None:
        self.words: list[str] = list(words)
        self.vectors: np.ndarray = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.vectors.ndim != 2 or self.vectors.shape[0] != len(self.words):
            raise ValueError("vectors must have one row per word")
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        self.index: dict[str, int] = {w: i for i, w in enumerate(self.words)}

    # ----------------------------------------------------------------- basics
    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._lookup(word) is not None

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self.get_index(word)]

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def get_index(self, word: str) -> int:
        """Row of ``word``; raise :class:`UnknownWordError` (a ``KeyError``) if absent."""
        row = self._lookup(word)
        if row is None:
            key = _normalise(word)
            raise UnknownWordError(key, self._spelling_candidates(key))
        return row

    def _lookup(self, word: str) -> int | None:
        """Exact match first (vectors loaded from elsewhere may be cased), then lowercase."""
        key = word.strip()
        row = self.index.get(key)
        return self.index.get(key.lower()) if row is None else row

    def frequency(self, word: str) -> int | None:
        """Corpus count of ``word``, or None when counts are unknown."""
        i = self.get_index(word)
        return None if self.counts is None else int(self.counts[i])

    def rank(self, word: str) -> int:
        """1-based position of ``word`` in index (frequency) order."""
        return self.get_index(word) + 1

    @cached_property
    def normed(self) -> np.ndarray:
        """Rows scaled to unit length, computed once (zero rows stay zero)."""
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return (self.vectors / norms).astype(np.float32)

    @cached_property
    def _sorted_words(self) -> tuple[list[str], np.ndarray]:
        order = np.argsort(np.array(self.words, dtype=object), kind="stable")
        return [self.words[i] for i in order], order

    def complete(self, prefix: str, limit: int = 10) -> list[str]:
        """Vocabulary words starting with ``prefix``, most frequent (lowest index) first."""
        prefix = _normalise(prefix)
        if not prefix or limit <= 0:
            return []
        words, order = self._sorted_words
        lo = bisect.bisect_left(words, prefix)
        hi = bisect.bisect_left(words, prefix + "\U0010ffff")
        rows = np.sort(order[lo:hi])[:limit]
        return [self.words[i] for i in rows]

    def _spelling_candidates(self, word: str) -> list[str]:
        """A few thousand frequent words sharing the first letter: enough for suggestions."""
        first = word[:1]
        return [w for w in self.words[:50_000] if w[:1] == first][:5_000]

    # ---------------------------------------------------------------- queries
    def similarity(self, word1: str, word2: str) -> float:
        """Cosine similarity of two words."""
        return float(self.normed[self.get_index(word1)] @ self.normed[self.get_index(word2)])

    def most_similar(
        self,
        positive: WordList | None = None,
        negative: WordList | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Nearest words to the sum of the positive minus the negative words (3CosAdd).

        Each word's unit vector is weighted +1 or -1, the sum is normalised, and the words
        with the highest cosine to it are returned, the query words themselves excluded.
        """
        pos, neg = self._query_rows(positive, negative)
        weighted = self.normed[pos].sum(axis=0) - self.normed[neg].sum(axis=0)
        norm = np.linalg.norm(weighted)
        if norm == 0:
            raise W2VError("the query words cancel out: their vector sum is zero")
        return self.similar_by_vector(
            weighted / norm, topn, exclude=pos + neg, restrict_vocab=restrict_vocab
        )

    def most_similar_cosmul(
        self,
        positive: WordList | None = None,
        negative: WordList | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Levy & Goldberg's 3CosMul: product of shifted cosines to positives over negatives."""
        pos, neg = self._query_rows(positive, negative)
        matrix = self._candidates(restrict_vocab)
        with single_threaded_blas():
            pos_sims = (1.0 + matrix @ self.normed[pos].T) / 2.0
            neg_sims = (1.0 + matrix @ self.normed[neg].T) / 2.0
        scores = pos_sims.prod(axis=1) / (neg_sims.prod(axis=1) + 1e-6)
        return self._top(scores, topn, pos + neg)

    def similar_by_vector(
        self,
        vector: np.ndarray,
        topn: int = 10,
        exclude: Sequence[int | str] = (),
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Words whose vectors have the highest cosine similarity to ``vector``."""
        vector = np.asarray(vector, dtype=np.float32)
        norm = np.linalg.norm(vector)
        if norm == 0:
            raise W2VError("cannot rank words against a zero vector")
        matrix = self._candidates(restrict_vocab)
        with single_threaded_blas():
            scores = matrix @ (vector / norm)
        rows = [self.get_index(e) if isinstance(e, str) else int(e) for e in exclude]
        return self._top(scores, topn, rows)

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word furthest from the mean of the given words (odd one out)."""
        return self.cosines_to_mean(words)[0][0]

    def cosines_to_mean(self, words: Sequence[str]) -> list[tuple[str, float]]:
        """Each word's cosine to the mean of the words' unit vectors, the odd one out first.

        :meth:`doesnt_match` returns the first word; the cosines tell how odd it is.

        Raises
        ------
        W2VError
            With fewer than two words; :class:`UnknownWordError` for a word not known.
        """
        words = _as_list(words)
        if len(words) < 2:
            raise W2VError("odd-one-out needs at least two words")
        rows = [self.get_index(w) for w in words]
        vectors = self.normed[rows]
        mean = vectors.mean(axis=0)
        mean /= np.linalg.norm(mean) or 1.0
        scores = vectors @ mean
        order = np.argsort(scores, kind="stable")
        return [(self.words[rows[i]], float(scores[i])) for i in order]

    # ---------------------------------------------------------------- helpers
    def _query_rows(
        self, positive: WordList | None, negative: WordList | None
    ) -> tuple[list[int], list[int]]:
        pos = [self.get_index(w) for w in _as_list(positive)]
        neg = [self.get_index(w) for w in _as_list(negative)]
        if not pos and not neg:
            raise W2VError("the query has no words")
        return pos, neg

    def _candidates(self, restrict_vocab: int | None) -> np.ndarray:
        return self.normed if restrict_vocab is None else self.normed[:restrict_vocab]

    def _top(
        self, scores: np.ndarray, topn: int, exclude: Sequence[int]
    ) -> list[tuple[str, float]]:
        scores = np.asarray(scores, dtype=np.float32)
        excluded = [i for i in set(exclude) if i < len(scores)]
        if excluded:
            scores = scores.copy()
            scores[excluded] = -np.inf
        k = min(int(topn), len(scores) - len(excluded))
        if k <= 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.words[i], float(scores[i])) for i in best]


def _normalise(word: str) -> str:
    return word.strip().lower()
