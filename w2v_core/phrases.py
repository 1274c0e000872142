"""Phrases: frequent collocations joined into one token (``new york`` -> ``new_york``).

Detection and joining work on the provisional int32 id stream of
:func:`w2v_core.token_ids.encode_corpus`, before the vocabulary is pruned by ``min_count``, as
gensim's ``Phrases`` runs on the raw tokens before ``Word2Vec`` counts them. Each pass:

1. counts every token (``bincount``) and every pair of adjacent tokens within a sentence,
   as int64 keys ``a * n_types + b`` (sorted, unique with counts; no Python loop per token);
2. scores each pair as gensim's default scorer (and word2phrase) does,
   ``(count(ab) - min_count) / (count(a) * count(b)) * n``, where ``n`` is gensim's
   ``len(vocab)``: the distinct tokens plus the distinct pairs counted. A pair is a phrase
   when its score is above ``threshold``;
3. rewrites the stream, joining phrases greedily from the left as gensim does: in ``a b c``
   where ``a b`` and ``b c`` are both phrases, ``a_b c`` results.

A second pass over the joined stream makes phrases of phrases: ``new_york city`` gives
``new_york_city`` (3 and 4 words).

Memory. The token counts take 8 bytes per distinct token. The pair counts take 16 bytes per
distinct pair, and about four times that while a batch (as large as the table) is merged in;
on a billion-word corpus that could be hundreds of millions of pairs, so the table is capped
at ``max_pairs`` (40M: about 0.6 GB, 2.5 GB while merging, in the reading child): above it,
pairs seen at most ``floor`` times are dropped and ``floor`` rises by one each time, which is
word2phrase's ``ReduceVocab`` (gensim's ``max_vocab_size`` does the same). Every pair is
counted, not only the pairs of words that could score (both seen more than ``min_count``
times), because gensim's ``n`` counts the distinct pairs: counting only the candidates would
change every score. Below the cap, the phrases are exactly gensim's (``connector_words``
empty); above it, both tools approximate alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .token_ids import SENTENCE_END, IdStore, provisional_ids

if TYPE_CHECKING:  # pragma: no cover
    from .config import TrainConfig

#: What joins the words of a phrase (gensim's default delimiter).
DELIMITER = "_"
#: Distinct pairs held before the rarest are dropped (see the module notes).
MAX_PAIRS = 40_000_000
#: Pairs gathered before they are sorted and merged into the table.
_BATCH_PAIRS = 4_000_000
_BLOCK_TOKENS = 1 << 20


@dataclass(frozen=True)
class Phrasing:
    """How phrases are found.

    Attributes
    ----------
    passes : int
        1: two-word phrases; 2: also phrases of phrases (3 and 4 words).
    threshold : float
        A pair whose score is above this is a phrase (gensim's default 10).
    min_count : int
        Subtracted from a pair's count in its score: pairs seen at most this often never join.
    max_pairs : int
        Distinct pairs counted before the rarest are dropped.
    """

    passes: int = 1
    threshold: float = 10.0
    min_count: int = 5
    max_pairs: int = MAX_PAIRS

    @classmethod
    def of(cls, config: "TrainConfig") -> "Phrasing | None":
        """The phrasing a training config asks for; None when ``--phrases`` is off."""
        if not config.phrases:
            return None
        return cls(config.phrases, config.phrase_threshold, config.phrase_min_count)

    def __call__(
        self, raw: IdStore, types: dict[str, int], new_store: Callable[[], IdStore],
        check: Callable[[], Any] = lambda: None,
    ) -> IdStore:
        """``raw`` with its phrases joined (:func:`join_phrases`): how
        :func:`w2v_core.token_ids.encode_corpus` applies a phrasing."""
        return join_phrases(raw, types, self, new_store, check)[0]


def sentence_blocks(store: IdStore, size: int = _BLOCK_TOKENS) -> Iterator[np.ndarray]:
    """Blocks of about ``size`` ids from ``store``, each ending with a sentence end, so that no
    pair of neighbours is split between two blocks."""
    carry = np.zeros(0, np.int32)
    for _, block in store.blocks(size):
        block = np.concatenate((carry, block)) if len(carry) else block
        marks = np.flatnonzero(block == SENTENCE_END)
        cut = int(marks[-1]) + 1 if len(marks) else 0
        carry = block[cut:]
        if cut:
            yield block[:cut]
    if len(carry):
        yield np.concatenate((carry, [SENTENCE_END])).astype(np.int32)


def _pair_keys(block: np.ndarray, n_types: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys of the pairs of neighbours within sentences, and where each pair starts."""
    first, second = block[:-1], block[1:]
    starts = np.flatnonzero((first >= 0) & (second >= 0))
    keys = first[starts].astype(np.int64) * n_types + second[starts]
    return keys, starts


class PairCounts:
    """Counts of int64 pair keys, as sorted unique keys and their counts, capped in size.

    Keys are gathered in batches at least as large as the table; each batch is sorted and
    merged into the table (a stable sort of two sorted runs is a merge), so the merges copy
    each key a bounded number of times. See the module notes for the cap.
    """

    def __init__(self, max_pairs: int = MAX_PAIRS) -> None:
        self.max_pairs = max_pairs
        self.keys = np.zeros(0, np.int64)
        self.counts = np.zeros(0, np.int64)
        self.floor = 1  # pairs seen at most this often go when the table is full
        self._batch: list[np.ndarray] = []
        self._batched = 0

    def add(self, keys: np.ndarray) -> None:
        self._batch.append(keys)
        self._batched += len(keys)
        if self._batched >= max(_BATCH_PAIRS, len(self.keys)):  # merges cost O(pairs) in all
            self._merge()

    def finish(self) -> "PairCounts":
        self._merge()
        return self

    def _merge(self) -> None:
        if not self._batch:
            return
        keys, counts = np.unique(np.concatenate(self._batch), return_counts=True)
        self._batch, self._batched = [], 0
        keys = np.concatenate((self.keys, keys))
        counts = np.concatenate((self.counts, counts))
        order = np.argsort(keys, kind="stable")
        keys, counts = keys[order], counts[order]
        del order
        first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        self.keys, self.counts = keys[first], np.add.reduceat(counts, first)
        while len(self.keys) > self.max_pairs:
            kept = self.counts > self.floor
            self.keys, self.counts = self.keys[kept], self.counts[kept]
            self.floor += 1


def find_phrases(
    store: IdStore, n_types: int, phrasing: Phrasing, check: Callable[[], Any] = lambda: None
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of ``store`` that are phrases: their keys (sorted) and scores.

    Parameters
    ----------
    store : IdStore
        A stream of ids below ``n_types`` and :data:`SENTENCE_END` marks.
    n_types : int
        Ids in use are ``0 .. n_types - 1``.
    check : callable
        Called after every block (it raises to stop reading).
    """
    counts = np.zeros(n_types, np.int64)
    pairs = PairCounts(phrasing.max_pairs)
    for block in sentence_blocks(store):
        counts += np.bincount(block[block >= 0], minlength=n_types)
        pairs.add(_pair_keys(block, n_types)[0])
        check()
    pairs.finish()
    n = np.count_nonzero(counts) + len(pairs.keys)  # gensim's len(vocab)
    a, b = np.divmod(pairs.keys, n_types)
    # gensim's arithmetic, in its order, so that ties at the threshold fall alike
    scores = (pairs.counts - phrasing.min_count) / (counts[a] * counts[b]).astype(np.float64) * n
    chosen = scores > phrasing.threshold
    return pairs.keys[chosen], scores[chosen]


def join_pairs(
    store: IdStore,
    n_types: int,
    phrase_keys: np.ndarray,
    phrase_ids: np.ndarray,
    out: IdStore,
    check: Callable[[], Any] = lambda: None,
) -> IdStore:
    """Copy ``store`` into ``out`` with the phrases joined greedily from the left.

    ``phrase_ids[i]`` is the id of the joined token of the pair ``phrase_keys[i]`` (sorted).
    """
    if not len(phrase_keys):
        for block in sentence_blocks(store):
            out.append(block)
        return out.finish()
    first_ok = np.zeros(n_types, bool)
    second_ok = np.zeros(n_types, bool)
    first_ok[phrase_keys // n_types] = True
    second_ok[phrase_keys % n_types] = True
    for block in sentence_blocks(store):
        ids = np.maximum(block, 0)
        maybe = np.flatnonzero(
            (block[:-1] >= 0) & (block[1:] >= 0) & first_ok[ids[:-1]] & second_ok[ids[1:]]
        )
        keys = block[maybe].astype(np.int64) * n_types + block[maybe + 1]
        where = np.minimum(np.searchsorted(phrase_keys, keys), len(phrase_keys) - 1)
        found = phrase_keys[where] == keys
        starts, where = maybe[found], where[found]
        # in a run of overlapping phrases (pairs at i, i+1, i+2...) gensim takes i, i+2...
        run_start = np.ones(len(starts), bool)
        run_start[1:] = starts[1:] != starts[:-1] + 1
        first_of_run = np.maximum.accumulate(np.where(run_start, np.arange(len(starts)), 0))
        taken = (np.arange(len(starts)) - first_of_run) % 2 == 0
        starts, where = starts[taken], where[taken]
        joined = block.copy()
        joined[starts] = phrase_ids[where]
        keep = np.ones(len(block), bool)
        keep[starts + 1] = False
        out.append(joined[keep])
        check()
    return out.finish()


def join_phrases(
    raw: IdStore,
    types: dict[str, int],
    phrasing: Phrasing,
    new_store: Callable[[], IdStore],
    check: Callable[[], Any] = lambda: None,
) -> tuple[IdStore, list[tuple[str, float]]]:
    """Find and join the phrases of a provisional id stream, ``phrasing.passes`` times.

    Parameters
    ----------
    raw : IdStore
        Provisional ids (``types``' values) and sentence ends; closed once replaced.
    types : dict of str to int
        The token of each provisional id; joined tokens (``new_york``) are added to it, or
        take the id of the same token written in the text.
    new_store : callable
        Makes an empty store for each pass's output.

    Returns
    -------
    IdStore, list of (str, float)
        The joined stream, and each phrase found with its score (highest first).
    """
    words = list(types)
    found: list[tuple[str, float]] = []
    for _ in range(phrasing.passes):
        n_types = len(words)
        keys, scores = find_phrases(raw, n_types, phrasing, check)
        a, b = np.divmod(keys, n_types)
        names = [words[i] + DELIMITER + words[j] for i, j in zip(a.tolist(), b.tolist())]
        ids = np.array([types.setdefault(name, len(types)) for name in names], np.int32)
        words.extend(list(types)[len(words):])
        found.extend(zip(names, scores.tolist()))
        joined = join_pairs(raw, n_types, keys, ids, new_store(), check)
        raw.close()
        raw = joined
    found.sort(key=lambda item: -item[1])
    return raw, found


def phrase_sentences(
    sentences: Iterable[list[str]], phrasing: Phrasing = Phrasing()
) -> tuple[list[list[str]], list[tuple[str, float]]]:
    """Sentences with their phrases joined, and the phrases found with their scores (highest
    first): what ``--phrases`` does to a corpus before training, for a look at its phrases.

    Examples
    --------
    >>> joined, found = phrase_sentences(sentences, Phrasing(passes=2))   # doctest: +SKIP
    >>> found[:3]                                                          # doctest: +SKIP
    [('hong_kong', 22200.1), ('ruanda_urundi', 20986.1), ('avant_garde', 18273.6)]
    """
    raw, types = provisional_ids(sentences)
    store, found = join_phrases(raw, types, phrasing, IdStore)
    words = list(types)
    joined = [[words[i] for i in block.tolist()] for block in _sentences_of(store)]
    store.close()
    return joined, found


def _sentences_of(store: IdStore) -> Iterator[np.ndarray]:
    for block in sentence_blocks(store):
        ends = np.flatnonzero(block == SENTENCE_END)
        for piece in np.split(block, ends + 1)[:-1]:
            yield piece[:-1]  # without its end mark
