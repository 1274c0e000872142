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

Connector words (``--phrase-connectors english``: gensim's ``ENGLISH_CONNECTOR_WORDS``, the
articles, prepositions and conjunctions) may sit inside a phrase but never start or end one:
``bank of america`` gives ``bank_of_america``. As in gensim, the candidates are then the
neighbouring non-connector words with the connectors between them, a connector is not
counted among the tokens, and each distinct run of connectors between two words makes its
own candidate (the runs get small ids, :class:`ConnectorRuns`, so the keys stay integers).

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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .config import CONNECTOR_LISTS, ENGLISH_CONNECTORS, connector_words  # noqa: F401  (re-exported)
from .token_ids import SENTENCE_END, IdStore, provisional_ids

if TYPE_CHECKING:  # pragma: no cover
    from .config import TrainConfig

#: What joins the words of a phrase (gensim's default delimiter).
DELIMITER = "_"
#: Key dtype of a candidate with connectors: the run of connectors' id, then the word pair.
_CHAIN_KEY = np.dtype([("run", "<i8"), ("pair", "<i8")])
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
    connectors : frozenset of str
        Words that may sit inside a phrase but never start or end one (gensim's
        ``connector_words``; :data:`ENGLISH_CONNECTORS`). Empty: gensim's default.
    """

    passes: int = 1
    threshold: float = 10.0
    min_count: int = 5
    max_pairs: int = MAX_PAIRS
    connectors: frozenset[str] = frozenset()

    @classmethod
    def of(cls, config: "TrainConfig") -> "Phrasing | None":
        """The phrasing a training config asks for; None when ``--phrases`` is off."""
        if not config.phrases:
            return None
        return cls(config.phrases, config.phrase_threshold, config.phrase_min_count,
                   connectors=connector_words(config.phrase_connectors))

    def __call__(
        self, raw: IdStore, types: dict[str, int], new_store: Callable[[], IdStore],
        check: Callable[[int], Any] = lambda tokens: None,
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


def _candidates(block: np.ndarray, connector: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Where each candidate of a block starts and ends: neighbouring words within a sentence,
    or with connectors, neighbouring non-connector words with only connectors between them."""
    if connector is None:
        starts = np.flatnonzero((block[:-1] >= 0) & (block[1:] >= 0))
        return starts, starts + 1
    words = np.flatnonzero((block >= 0) & ~connector[np.maximum(block, 0)])
    sentence = np.cumsum(block == SENTENCE_END)[words]
    same = np.flatnonzero(sentence[1:] == sentence[:-1])
    return words[same], words[same + 1]


class ConnectorRuns:
    """Small ids for the distinct runs of connector words between two phrase words
    (``of``, ``of the``...), the same in every block and pass.

    A block's runs are told apart by a 64-bit hash of their words (vectorised); one member of
    each distinct hash is looked up by its words, then every member is checked against the
    words of the run it got, so a hash collision cannot merge two runs.
    """

    def __init__(self) -> None:
        self.runs: list[tuple[int, ...]] = []  #: the connector ids of each run, by run id
        self._ids: dict[tuple[int, ...], int] = {}
        self._weights = np.random.default_rng(0x5EED).integers(1, 2**62, size=256) * 2 + 1

    def ids(self, block: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The run id of the connectors between ``starts[i]`` and ``ends[i]`` (each with a gap)."""
        gaps = ends - starts - 1
        offsets = _offsets(gaps)
        inside = np.repeat(starts + 1, gaps) + offsets
        with np.errstate(over="ignore"):  # the hash wraps around 2**64, as it should
            terms = (block[inside].astype(np.int64) + 1) * self._weights[offsets % len(self._weights)]
            hashes = np.add.reduceat(terms, np.cumsum(gaps) - gaps) * 1_000_003 + gaps
        _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        found = np.array([self._run_id(block[starts[i] + 1 : ends[i]]) for i in first.tolist()],
                         np.int64)
        run_ids = found[inverse.ravel()]
        for i in np.flatnonzero(_run_mismatch(block, starts, gaps, run_ids, self.runs)).tolist():
            run_ids[i] = self._run_id(block[starts[i] + 1 : ends[i]])  # pragma: no cover
        return run_ids

    def _run_id(self, words: np.ndarray) -> int:
        key = tuple(words.tolist())
        known = self._ids.get(key)
        if known is None:
            known = self._ids[key] = len(self.runs)
            self.runs.append(key)
        return known


def _offsets(lengths: np.ndarray) -> np.ndarray:
    """0, 1, ..., n-1 for each length n, concatenated."""
    total = int(lengths.sum())
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(total, dtype=np.int64) - starts


def _run_mismatch(block: np.ndarray, starts: np.ndarray, gaps: np.ndarray, run_ids: np.ndarray,
                  runs: list[tuple[int, ...]]) -> np.ndarray:
    """Whether each candidate's connectors differ from those of the run id it was given."""
    lengths = np.array([len(r) for r in runs], np.int64)
    wrong = lengths[run_ids] != gaps
    flat = np.array([w for r in runs for w in r], np.int64)
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(runs) else np.zeros(0, np.int64)
    ok = np.flatnonzero(~wrong)
    inside = np.repeat(starts[ok] + 1, gaps[ok]) + _offsets(gaps[ok])
    expected = flat[np.repeat(offsets[run_ids[ok]], gaps[ok]) + _offsets(gaps[ok])]
    if len(ok):
        differs = (block[inside] != expected).astype(np.int32)
        wrong[ok] = np.add.reduceat(differs, np.cumsum(gaps[ok]) - gaps[ok]) > 0
    return wrong


class PairCounts:
    """Counts of int64 pair keys, as sorted unique keys and their counts, capped in size.

    Keys are gathered in batches at least as large as the table; each batch is sorted and
    merged into the table (a stable sort of two sorted runs is a merge), so the merges copy
    each key a bounded number of times. See the module notes for the cap.
    """

    def __init__(self, max_pairs: int = MAX_PAIRS, dtype: np.dtype | type = np.int64) -> None:
        self.max_pairs = max_pairs
        self.keys = np.zeros(0, dtype)
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


@dataclass
class Phrases:
    """The phrases of one pass: plain pairs by key ``a * n_types + b`` (sorted), pairs with
    connectors between by (run id, pair key) (:data:`_CHAIN_KEY`, sorted), with their scores
    and, once named, the id of each joined token."""

    keys: np.ndarray
    scores: np.ndarray
    chain_keys: np.ndarray
    chain_scores: np.ndarray
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    chain_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))

    def __len__(self) -> int:
        return len(self.keys) + len(self.chain_keys)


def _chain_keys(block: np.ndarray, starts: np.ndarray, ends: np.ndarray, pair_keys: np.ndarray,
                runs: ConnectorRuns) -> np.ndarray:
    """The (run, pair) keys of candidates with connectors between their words."""
    keys = np.zeros(len(starts), _CHAIN_KEY)
    keys["run"] = runs.ids(block, starts, ends)
    keys["pair"] = pair_keys
    return keys


def _candidate_keys(block: np.ndarray, n_types: int, connector: np.ndarray | None,
                    runs: ConnectorRuns) -> tuple[np.ndarray, np.ndarray]:
    """The keys of a block's candidates: plain pairs, then those with connectors between."""
    starts, ends = _candidates(block, connector)
    keys = block[starts].astype(np.int64) * n_types + block[ends]
    gap = None if connector is None else ends > starts + 1
    if gap is None or not gap.any():
        return keys, np.zeros(0, _CHAIN_KEY)
    return keys[~gap], _chain_keys(block, starts[gap], ends[gap], keys[gap], runs)


def find_phrases(
    store: IdStore, n_types: int, phrasing: Phrasing, check: Callable[[int], Any] = lambda tokens: None,
    connector: np.ndarray | None = None, runs: ConnectorRuns | None = None,
) -> Phrases:
    """The candidates of ``store`` that are phrases, with their scores.

    Parameters
    ----------
    store : IdStore
        A stream of ids below ``n_types`` and :data:`SENTENCE_END` marks.
    n_types : int
        Ids in use are ``0 .. n_types - 1``.
    check : callable
        Called after every block with its number of ids (it raises to stop reading; the
        ids scanned are what progress counts).
    connector : ndarray of bool, optional
        Which ids are connector words (:attr:`Phrasing.connectors`); None: none are.
    runs : ConnectorRuns, optional
        The ids of the runs of connectors (kept for joining and naming).
    """
    runs = runs or ConnectorRuns()
    counts = np.zeros(n_types, np.int64)
    pairs, chains = PairCounts(phrasing.max_pairs), PairCounts(phrasing.max_pairs, _CHAIN_KEY)
    for block in sentence_blocks(store):
        counts += np.bincount(block[block >= 0], minlength=n_types)
        keys, chained = _candidate_keys(block, n_types, connector, runs)
        pairs.add(keys)
        if len(chained):
            chains.add(chained)
        check(len(block))
    pairs.finish()
    chains.finish()
    if connector is not None:
        counts[connector] = 0  # gensim counts no connector word
    n = np.count_nonzero(counts) + len(pairs.keys) + len(chains.keys)  # gensim's len(vocab)

    def scored(keys: np.ndarray, pair_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = np.divmod(keys, n_types)
        # gensim's arithmetic, in its order, so that ties at the threshold fall alike
        scores = (pair_counts - phrasing.min_count) / (counts[a] * counts[b]).astype(np.float64) * n
        chosen = scores > phrasing.threshold
        return chosen, scores[chosen]

    chosen, scores = scored(pairs.keys, pairs.counts)
    chain_chosen, chain_scores = scored(chains.keys["pair"], chains.counts)
    return Phrases(pairs.keys[chosen], scores, chains.keys[chain_chosen], chain_scores)


def join_pairs(
    store: IdStore,
    n_types: int,
    phrases: Phrases,
    out: IdStore,
    check: Callable[[int], Any] = lambda tokens: None,
    connector: np.ndarray | None = None,
    runs: ConnectorRuns | None = None,
) -> IdStore:
    """Copy ``store`` into ``out`` with the phrases joined greedily from the left, as gensim's
    ``analyze_sentence`` does: a joined phrase's last word starts no other phrase."""
    if not len(phrases):
        for block in sentence_blocks(store):
            out.append(block)
            check(len(block))
        return out.finish()
    runs = runs or ConnectorRuns()
    # only candidates whose words start and end some phrase are looked up
    first_ok, second_ok = np.zeros(n_types, bool), np.zeros(n_types, bool)
    for pair_keys in (phrases.keys, phrases.chain_keys["pair"]):
        first_ok[pair_keys // n_types] = True
        second_ok[pair_keys % n_types] = True
    for block in sentence_blocks(store):
        if connector is None:  # neighbours, in one pass over the block
            ids = np.maximum(block, 0)
            starts = np.flatnonzero((block[:-1] >= 0) & (block[1:] >= 0)
                                    & first_ok[ids[:-1]] & second_ok[ids[1:]])
            ends = starts + 1
        else:
            starts, ends = _candidates(block, connector)
            maybe = np.flatnonzero(first_ok[block[starts]] & second_ok[block[ends]])
            starts, ends = starts[maybe], ends[maybe]
        keys = block[starts].astype(np.int64) * n_types + block[ends]
        if connector is None:
            phrase_id = _lookup(phrases.keys, phrases.ids, keys)
        else:
            phrase_id = np.full(len(starts), -1, np.int64)
            gap = ends > starts + 1
            plain = np.flatnonzero(~gap)
            phrase_id[plain] = _lookup(phrases.keys, phrases.ids, keys[plain])
            if gap.any() and len(phrases.chain_keys):
                chained = _chain_keys(block, starts[gap], ends[gap], keys[gap], runs)
                phrase_id[gap] = _lookup(phrases.chain_keys, phrases.chain_ids, chained)
        # in a run of phrases each sharing a word with the next, gensim takes the 1st, 3rd...
        found = np.flatnonzero(phrase_id >= 0)
        run_start = np.ones(len(found), bool)
        run_start[1:] = starts[found[1:]] != ends[found[:-1]]
        first_of_run = np.maximum.accumulate(np.where(run_start, np.arange(len(found)), 0))
        taken = found[(np.arange(len(found)) - first_of_run) % 2 == 0]
        joined = block.copy()
        joined[starts[taken]] = phrase_id[taken]
        # a phrase keeps its first position; the rest of it, up to its last word, goes
        if connector is None:  # two words: one position goes
            keep = np.ones(len(block), bool)
            keep[ends[taken]] = False
        else:
            inside = np.bincount(starts[taken] + 1, minlength=len(block) + 1)
            inside -= np.bincount(ends[taken] + 1, minlength=len(block) + 1)
            keep = np.cumsum(inside[:-1]) == 0
        out.append(joined[keep])
        check(len(block))
    return out.finish()


def _lookup(keys: np.ndarray, ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The id of each ``wanted`` key in the sorted ``keys``, -1 where it is not there."""
    if not len(keys) or not len(wanted):
        return np.full(len(wanted), -1, np.int64)
    where = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[where] == wanted, ids[where], -1)


def join_phrases(
    raw: IdStore,
    types: dict[str, int],
    phrasing: Phrasing,
    new_store: Callable[[], IdStore],
    check: Callable[[int], Any] = lambda tokens: None,
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
    check : callable
        As in :func:`find_phrases`: each pass scans the stream twice (counting, joining).

    Returns
    -------
    IdStore, list of (str, float)
        The joined stream, and each phrase found with its score (highest first, ties by
        token).
    """
    words = list(types)
    found: list[tuple[str, float]] = []
    runs = ConnectorRuns()
    for _ in range(phrasing.passes):
        n_types = len(words)
        connector = None
        if phrasing.connectors:
            connector = np.zeros(n_types, bool)
            connector[[types[w] for w in phrasing.connectors if w in types]] = True
        phrases = find_phrases(raw, n_types, phrasing, check, connector, runs)
        names = _names(phrases.keys, n_types, words, None)
        chain_names = _names(phrases.chain_keys, n_types, words, runs)
        phrases.ids = np.array([types.setdefault(name, len(types)) for name in names], np.int32)
        phrases.chain_ids = np.array([types.setdefault(name, len(types)) for name in chain_names],
                                     np.int32)
        words.extend(list(types)[len(words):])
        found.extend(zip(names, phrases.scores.tolist()))
        found.extend(zip(chain_names, phrases.chain_scores.tolist()))
        joined = join_pairs(raw, n_types, phrases, new_store(), check, connector, runs)
        raw.close()
        raw = joined
    found.sort(key=lambda item: (-item[1], item[0]))  # ties by token: no reading order shows
    return raw, found


def _names(keys: np.ndarray, n_types: int, words: list[str], runs: ConnectorRuns | None) -> list[str]:
    """The joined tokens of phrase keys: ``new_york``, or with connectors ``bank_of_america``."""
    if runs is None:
        a, b = np.divmod(keys, n_types)
        return [words[i] + DELIMITER + words[j] for i, j in zip(a.tolist(), b.tolist())]
    a, b = np.divmod(keys["pair"], n_types)
    return [DELIMITER.join([words[i], *(words[c] for c in runs.runs[r]), words[j]])
            for r, i, j in zip(keys["run"].tolist(), a.tolist(), b.tolist())]


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
