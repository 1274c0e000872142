"""Word vectors and the queries people ask of them, with gensim's ``KeyedVectors`` semantics."""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from .analogy import ANALOGY_METHODS  # noqa: F401  (re-exported: it used to live here)
from .analogy import check_analogy_method, cosmul_scores
from .blas import single_threaded_blas
from .corpus import normal_form
from .errors import UnknownWordError, W2VError
from .query import parse_query  # noqa: F401  (re-exported: it used to live here)

WordList = str | Sequence[str]
#: Above this many words sharing a prefix, completion scans in frequency order instead.
_SCAN_ABOVE = 2000
#: ``approximate=True`` neighbours: projection size, rows scored exactly, smallest vocabulary.
_APPROX_DIMS = 64
_APPROX_CANDIDATES = 2000
_APPROX_MIN_WORDS = 100_000
#: Rows of the int8 projection widened to float32 at a time: 4 MB of float32, small enough to
#: stay fast (measurements: benchmarks/README.md, "vectors.py").
_APPROX_BLOCK = 16384
#: What ``approximate=True`` does, for front ends' help.
APPROXIMATE_SEARCH = (
    f"on vocabularies over {_APPROX_MIN_WORDS:,} words of more than {_APPROX_DIMS} dimensions, "
    f"every word is ranked in a {_APPROX_DIMS}-dimensional int8 projection of the vectors and "
    f"the best {_APPROX_CANDIDATES:,} are scored exactly (a neighbour the projection ranks "
    "lower is missed); smaller vocabularies are searched exactly"
)


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
        """Exact match first (vectors loaded from elsewhere may be cased), then lowercase,
        then as a corpus's words are normalised (NFKC, ``İ`` as ``i``: :func:`normal_form`)."""
        key = unicodedata.normalize("NFC", word.strip())
        row = self.index.get(key)
        if row is None:
            row = self.index.get(key.lower())
        return self.index.get(normal_form(key)) if row is None else row

    def frequency(self, word: str) -> int | None:
        """Corpus count of ``word``, or None when counts are unknown."""
        i = self.get_index(word)
        return None if self.counts is None else int(self.counts[i])

    def rank(self, word: str) -> int:
        """1-based position of ``word`` in index (frequency) order."""
        return self.get_index(word) + 1

    @cached_property
    def normed(self) -> np.ndarray:
        """Rows scaled to unit length, computed once (zero rows stay zero).

        Computed block by block, so the only extra memory is the result itself.
        """
        out = np.empty_like(self.vectors)
        for start in range(0, len(out), 65536):
            block = self.vectors[start : start + 65536]
            norms = np.sqrt(np.einsum("ij,ij->i", block, block))
            norms[norms == 0] = 1.0
            np.divide(block, norms[:, None], out=out[start : start + 65536])
        return out

    @cached_property
    def _prefix_order(self) -> np.ndarray:
        """Rows sorted by their lowercased word: the index behind :meth:`complete`."""
        words = self.words
        return np.array(sorted(range(len(words)), key=lambda i: words[i].lower()), dtype=np.int64)

    def complete(self, prefix: str, limit: int = 10) -> list[str]:
        """Vocabulary words starting with ``prefix`` (any case), most frequent first.

        A binary search in a sorted index finds the words with the prefix; when they are many,
        the vocabulary is scanned in frequency order instead, which stops after ``limit``
        matches. Both take about a millisecond at a million words (the index is built once, on
        the first call).
        """
        prefix = _normalise(prefix)
        if not prefix or limit <= 0:
            return []
        order, words = self._prefix_order, self.words

        def key(i: np.int64) -> str:
            return words[i].lower()

        lo = bisect.bisect_left(order, prefix, key=key)
        hi = bisect.bisect_left(order, prefix + "\U0010ffff", lo=lo, key=key)
        if hi - lo > _SCAN_ABOVE:
            found = []
            for word in words:
                if word[: len(prefix)].lower() == prefix:
                    found.append(word)
                    if len(found) == limit:
                        break
            return found
        rows = np.sort(order[lo:hi])[:limit]
        return [words[i] for i in rows]

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
        approximate: bool = False,
    ) -> list[tuple[str, float]]:
        """Nearest words to the sum of the positive minus the negative words (3CosAdd).

        Each word's unit vector is weighted +1 or -1, the sum is normalised, and the words
        with the highest cosine to it are returned, the query words themselves excluded.
        ``approximate``: see :meth:`similar_by_vector`.
        """
        unit, rows = self.query_vector(positive, negative)
        return self.similar_by_vector(
            unit, topn, exclude=rows, restrict_vocab=restrict_vocab, approximate=approximate,
        )

    def query_vector(
        self, positive: WordList | None = None, negative: WordList | None = None
    ) -> tuple[np.ndarray, list[int]]:
        """The unit vector :meth:`most_similar` ranks words against, and the query's rows.

        Public so that a query means the same in every member of an ensemble
        (:mod:`w2v_core.stability`). Raises :class:`W2VError` when the words cancel out or
        one has a zero vector, :class:`UnknownWordError` for a word not in the vocabulary.
        """
        pos, neg = self._query_rows(positive, negative)
        weighted = self.normed[pos].sum(axis=0) - self.normed[neg].sum(axis=0)
        norm = np.linalg.norm(weighted)
        if norm == 0:
            zero = [row for row in pos + neg if not self.normed[row].any()]
            if zero:
                raise W2VError(
                    f"{self.words[zero[0]]!r} has a zero vector: it has no direction, "
                    "so no word is similar to it"
                )
            raise W2VError("the query words cancel out: their vector sum is zero")
        return weighted / norm, pos + neg

    def most_similar_cosmul(
        self,
        positive: WordList | None = None,
        negative: WordList | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Levy & Goldberg's 3CosMul: product of shifted cosines to positives over negatives.

        Scored by :func:`~w2v_core.analogy.cosmul_scores` as a batch of one query, the
        function :func:`~w2v_core.evaluate.evaluate_analogies` scores its batches with.
        """
        pos, neg = self._query_rows(positive, negative)
        query = [np.array([rows], dtype=np.intp).reshape(1, -1) for rows in (pos, neg)]
        with single_threaded_blas():
            scores = cosmul_scores(self.normed, self._candidates(restrict_vocab), *query)[0]
        return self._top(scores, topn, pos + neg)

    def analogy(
        self,
        a: str,
        b: str,
        c: str,
        method: str = "add",
        topn: int = 10,
        approximate: bool = False,
    ) -> list[tuple[str, float]]:
        """``a`` is to ``b`` as ``c`` is to ...? (positive ``b`` and ``c``, negative ``a``).

        ``method`` is a key of :data:`~w2v_core.analogy.ANALOGY_METHODS`: ``"add"``
        (3CosAdd, :meth:`most_similar`) or ``"mul"`` (3CosMul, :meth:`most_similar_cosmul`);
        another raises :class:`~w2v_core.errors.ConfigError`. ``approximate`` (3CosAdd
        only): see :meth:`similar_by_vector`.
        """
        if check_analogy_method(method) == "add":
            return self.most_similar(positive=[b, c], negative=[a], topn=topn, approximate=approximate)
        if approximate:
            raise W2VError("approximate search works with 3CosAdd (method 'add') only")
        return self.most_similar_cosmul(positive=[b, c], negative=[a], topn=topn)

    def similar_by_vector(
        self,
        vector: np.ndarray,
        topn: int = 10,
        exclude: Sequence[int | str] = (),
        restrict_vocab: int | None = None,
        approximate: bool = False,
    ) -> list[tuple[str, float]]:
        """Words whose vectors have the highest cosine similarity to ``vector``.

        With ``approximate=True`` on a large vocabulary (see :meth:`approximates`), every word
        is first scored in a 64-dimensional PCA projection of the unit vectors stored as int8
        (64 bytes a word instead of 1,200 at 300 dimensions), and only the best 2,000 or so
        are scored exactly: the scores returned are exact cosines, but a true neighbour that
        the projection ranks below them is missed: several times faster at a million words,
        with nearly all of the exact top 10 found (measurements: benchmarks/README.md,
        "vectors.py"). The projection is computed on the first such query (seconds at a
        million words; :meth:`prepare_approximate` does it ahead) and takes
        ``n_words x 64`` bytes of memory.
        """
        vector = np.asarray(vector, dtype=np.float32)
        norm = np.linalg.norm(vector)
        if norm == 0:
            raise W2VError("cannot rank words against a zero vector")
        unit = vector / norm
        matrix = self._candidates(restrict_vocab)
        rows = [self.get_index(e) if isinstance(e, str) else int(e) for e in exclude]
        if approximate and self.approximates(restrict_vocab):
            return self._top_approximate(unit, len(matrix), topn, rows)
        with single_threaded_blas():
            scores = matrix @ unit
        return self._top(scores, topn, rows)

    def approximates(self, restrict_vocab: int | None = None) -> bool:
        """Whether ``approximate=True`` takes the approximate path for these vectors.

        It does above 100,000 words (the first ``restrict_vocab`` words, when given) of more
        than 64 dimensions; on fewer words an exact query is fast anyway, and the answer is
        then exact whatever ``approximate`` says.
        """
        words = len(self) if restrict_vocab is None else min(len(self), restrict_vocab)
        return words > _APPROX_MIN_WORDS and self.dim > _APPROX_DIMS

    def prepare_approximate(self) -> None:
        """Compute what approximate queries need now (normalised vectors and the projection),
        e.g. in a background thread, rather than on the first query."""
        if self.approximates():
            self._projection  # noqa: B018 - a cached property

    @property
    def approximate_ready(self) -> bool:
        """Whether approximate queries can start at once (the projection is built): an
        interface can stay exact until then instead of waiting for it on a large vocabulary."""
        return "_projection" in self.__dict__

    @cached_property
    def _projection(self) -> tuple[np.ndarray, np.ndarray]:
        """Every unit vector projected on a PCA basis (from a sample), stored as int8.

        Returns ``(basis, projected)``: ``projected[i] * scale`` approximates
        ``normed[i] @ pca_basis`` (each column quantised on its own scale), and ``basis`` is
        ``pca_basis * scale``, so that ``projected @ (unit @ basis)`` approximates the cosines.
        """
        normed = self.normed
        rng = np.random.default_rng(0)
        sample = np.sort(rng.choice(len(normed), size=min(len(normed), 50_000), replace=False))
        with single_threaded_blas():
            covariance = (normed[sample].T @ normed[sample]).astype(np.float64)
            basis = np.linalg.eigh(covariance)[1][:, ::-1][:, :_APPROX_DIMS]
            basis = np.ascontiguousarray(basis, dtype=np.float32)
            # each column's range from the sample, with a margin; the rare value beyond is clipped
            scale = 1.25 * np.abs(normed[sample] @ basis).max(axis=0) / 127
            scale[scale == 0] = 1.0
            projected = np.empty((len(normed), basis.shape[1]), dtype=np.int8)
            for start in range(0, len(normed), 65536):
                block = normed[start : start + 65536] @ (basis / scale)
                np.rint(block, out=block)
                np.clip(block, -127, 127, out=block)
                projected[start : start + 65536] = block
        return basis * scale, projected

    def _top_approximate(
        self, unit: np.ndarray, candidates: int, topn: int, exclude: Sequence[int]
    ) -> list[tuple[str, float]]:
        """Rank in the projection, then score the best :data:`_APPROX_CANDIDATES` exactly."""
        basis, projected = self._projection
        rough = np.empty(candidates, dtype=np.float32)
        with single_threaded_blas():
            query = unit @ basis
            widened = np.empty((min(candidates, _APPROX_BLOCK), basis.shape[1]), dtype=np.float32)
            for start in range(0, candidates, _APPROX_BLOCK):
                stop = min(candidates, start + _APPROX_BLOCK)
                block = widened[: stop - start]
                np.copyto(block, projected[start:stop], casting="unsafe")
                np.matmul(block, query, out=rough[start:stop])
            keep = min(candidates, _APPROX_CANDIDATES + len(exclude))
            rows = _best_rows(rough, keep)
            scores = self.normed[rows] @ unit
        scores[np.isin(rows, list(exclude))] = -np.inf
        k = min(int(topn), int(np.isfinite(scores).sum()))
        if k <= 0:
            return []
        best = np.argsort(-scores, kind="stable")[:k]
        return [(self.words[rows[i]], float(scores[i])) for i in best]

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
        """The ``topn`` best rows; ``scores`` is a fresh array and is overwritten."""
        scores = np.asarray(scores, dtype=np.float32)
        excluded = [i for i in set(exclude) if i < len(scores)]
        if excluded:
            scores[excluded] = -np.inf
        k = min(int(topn), len(scores) - len(excluded))
        if k <= 0:
            return []
        best = _best_rows(scores, k)
        best = best[np.argsort(-scores[best], kind="stable")[:k]]
        return [(self.words[i], float(scores[i])) for i in best]


def _best_rows(scores: np.ndarray, count: int) -> np.ndarray:
    """Rows of the ``count`` highest scores (unordered; ties may add a few more).

    On long arrays a threshold is taken from every 32nd score and the rows at or above it are
    kept: exact (every top score is at or above the threshold as long as ``count`` rows are),
    and several times faster than ``argpartition`` over a million scores (benchmarks/README.md,
    "vectors.py"). The threshold is the sample's ``m``-th best, with ``m`` about ``count / 32``
    plus three standard deviations of that estimate, so that fewer than ``count`` rows reach it
    (and the slower full ``argpartition`` runs instead) only once in a thousand queries.
    """
    n = len(scores)
    if count >= n:
        return np.arange(n)
    if n >= 100_000:
        sample = scores[::32]
        m = min(len(sample), int(count / 32 + 3 * np.sqrt(count / 32)) + 8)
        threshold = np.partition(sample, len(sample) - m)[len(sample) - m]
        rows = np.flatnonzero(scores >= threshold)
        if len(rows) >= count:
            if len(rows) > 4 * count:
                rows = rows[np.argpartition(scores[rows], len(rows) - count)[len(rows) - count :]]
            return rows
    return np.argpartition(scores, n - count)[n - count :]


def _normalise(word: str) -> str:
    """The form a typed word is compared in: stripped, NFC (as the vocabulary), lowercase."""
    return unicodedata.normalize("NFC", word.strip()).lower()
