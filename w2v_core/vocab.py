"""The vocabulary: words, counts, pruning, subsampling and the noise distribution."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np

from .errors import CorpusError


def pack_words(words: Sequence[str]) -> tuple[str, np.ndarray]:
    """Words as one string and their lengths: one object to pickle, not one per word."""
    return "".join(words), np.fromiter(map(len, words), np.int64, len(words))


def unpack_words(packed: tuple[str, np.ndarray]) -> list[str]:
    """The words of :func:`pack_words`."""
    text, lengths = packed
    ends = np.cumsum(lengths).tolist()
    return [text[start:end] for start, end in zip([0, *ends[:-1]], ends)]


def by_frequency(indices: list[int], counts: np.ndarray, words: Sequence[str]) -> list[int]:
    """``indices`` ordered by descending ``counts[i]``, ties by ``words[i]`` (code points).

    Ordered by count in NumPy, then each run of equal counts by word, in C: 4x quicker than
    one sort keyed by ``(-count, word)`` tuples, a Python call per word, and a third quicker
    than sorting all the words first (shorter sorts, and a run of Latin-1 words compares
    them as bytes even where another run holds other scripts: benchmarks/README.md, "Ties
    sorted run by run").
    """
    order = np.array(indices, dtype=np.int64)
    order = order[np.argsort(-counts[order], kind="stable")]
    ties = np.flatnonzero(np.diff(counts[order])) + 1
    result = order.tolist()
    for start, end in zip([0, *ties.tolist()], [*ties.tolist(), len(result)]):
        if end - start > 1:
            result[start:end] = sorted(result[start:end], key=words.__getitem__)
    return result


def kept_words(words: Sequence[str], counts: np.ndarray, min_count: int = 5,
               max_vocab: int | None = None) -> list[int]:
    """The indices of the words :meth:`Vocabulary.from_counts` keeps, in its order.

    Raises
    ------
    CorpusError
        If there are no words, or none reaches ``min_count``.
    """
    total = int(counts.sum())
    if total == 0:
        raise CorpusError("corpus is empty: it contains no words")
    keep = by_frequency(np.flatnonzero(counts >= min_count).tolist(), counts, words)
    if max_vocab is not None:
        keep = keep[:max_vocab]
    if not keep:
        raise CorpusError(
            f"no word occurs at least min_count={min_count} times "
            f"(the corpus has {total} words); lower min_count"
        )
    return keep


class Vocabulary:
    """Words in descending frequency order with their corpus counts.

    Parameters
    ----------
    words : sequence of str
        The words, most frequent first (ties broken alphabetically by :meth:`from_counts`).
    counts : array of int
        How often each word occurs in the corpus.
    """

    def __init__(self, words: Sequence[str], counts: Sequence[int] | np.ndarray) -> None:
        self.words = list(words)  # the cached property's value
        self.counts: np.ndarray = np.asarray(counts, dtype=np.int64)
        if len(self.words) != len(self.counts):
            raise ValueError("words and counts differ in length")

    @classmethod
    def from_packed(cls, packed: tuple[str, np.ndarray], counts: Sequence[int] | np.ndarray) -> "Vocabulary":
        """A vocabulary from :meth:`packed` words: one string and the words' lengths.

        The word list is only unpacked when first used. Training needs the counts alone, so
        the trainer does not hold one object per word, nor their index, while it trains
        (measurements: benchmarks/README.md, "w2v_core/vocab.py").
        """
        text, lengths = packed
        vocab = cls.__new__(cls)
        vocab.counts = np.asarray(counts, dtype=np.int64)
        lengths = np.asarray(lengths, dtype=np.int64)
        if len(lengths) != len(vocab.counts) or int(lengths.sum()) != len(text):
            raise ValueError("packed words and counts differ in length")
        vocab._packed = (text, lengths)
        return vocab

    def packed(self) -> tuple[str, np.ndarray]:
        """The words as one string and their lengths (cheap to pickle; see :meth:`from_packed`)."""
        if "_packed" in self.__dict__:
            return self._packed
        return pack_words(self.words)

    @cached_property
    def words(self) -> list[str]:
        """The words, most frequent first."""
        words = unpack_words(self._packed)
        # cached before the packed form goes, so that a second thread finds one or the
        # other (Python 3.12+ runs cached properties without a lock)
        self.__dict__["words"] = words
        self.__dict__.pop("_packed", None)
        return words

    @cached_property
    def index(self) -> dict[str, int]:
        """Row of each word; built on first use, as training never needs it (its memory:
        benchmarks/README.md, "w2v_core/vocab.py")."""
        return {w: i for i, w in enumerate(self.words)}

    @classmethod
    def from_counts(
        cls,
        words: Sequence[str],
        counts: Sequence[int] | np.ndarray,
        min_count: int = 5,
        max_vocab: int | None = None,
    ) -> "Vocabulary":
        """Keep words seen at least ``min_count`` times, then the ``max_vocab`` most frequent.

        Words are ordered by descending count, ties alphabetically, so the result does not
        depend on reading order.

        Raises
        ------
        CorpusError
            If there are no words, or none reaches ``min_count``.
        """
        counts = np.asarray(counts, dtype=np.int64)
        keep = kept_words(words, counts, min_count, max_vocab)
        return cls([words[i] for i in keep], counts[keep])

    @classmethod
    def extending(
        cls,
        base: Sequence[str],
        words: Sequence[str],
        counts: Sequence[int] | np.ndarray,
        min_count: int = 5,
        max_vocab: int | None = None,
    ) -> "Vocabulary":
        """``base``'s words in their order, then the other ``words`` that reach ``min_count``
        (by :meth:`from_counts`' order, up to ``max_vocab`` words in all): the vocabulary of a
        run that trains further on new text. Counts are this text's (0 for a base word it
        lacks).
        """
        counts = np.asarray(counts, dtype=np.int64)
        if int(counts.sum()) == 0:
            raise CorpusError("corpus is empty: it contains no words")
        seen = dict(zip(words, counts.tolist()))
        base_counts = [seen.get(w, 0) for w in base]
        known = set(base)
        room = None if max_vocab is None else max(0, max_vocab - len(base))
        new = [i for i in np.flatnonzero(counts >= min_count).tolist() if words[i] not in known]
        new = by_frequency(new, counts, words)[:room]
        return cls(list(base) + [words[i] for i in new], np.array(base_counts + counts[new].tolist(), dtype=np.int64))

    def __len__(self) -> int:
        return len(self.counts)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    @property
    def total(self) -> int:
        """Number of corpus words covered by the vocabulary."""
        return int(self.counts.sum())

    def keep_probabilities(self, sample: float) -> np.ndarray:
        """Probability of keeping each occurrence of a word, word2vec's subsampling formula.

        With ``t = sample * total`` and ``c`` a word's count, the C tool keeps a word with
        probability ``(sqrt(c / t) + 1) * t / c``, capped at 1. ``sample == 0`` keeps all.
        """
        if sample <= 0:
            return np.ones(len(self), dtype=np.float32)
        threshold = sample * self.total
        counts = self.counts.astype(np.float64)
        keep = np.ones(len(counts))
        seen = counts > 0  # a word of an earlier text this one lacks is never drawn
        keep[seen] = (np.sqrt(counts[seen] / threshold) + 1.0) * threshold / counts[seen]
        return np.minimum(keep, 1.0).astype(np.float32)

    def noise_distribution(self, power: float = 0.75) -> np.ndarray:
        """Negative-sampling distribution: counts raised to ``power``, normalised to sum 1."""
        weights = self.counts.astype(np.float64) ** power
        return weights / weights.sum()
