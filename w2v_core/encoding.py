"""Turning a corpus into int32 token ids, in one streaming pass.

Each token gets a provisional id as it is read (one pass of tokenising, no second read of
the corpus); once all counts are known, the vocabulary is pruned and the ids are remapped,
dropping out-of-vocabulary tokens as word2vec and gensim do. Small corpora keep their ids in
memory; larger ones write them to a temporary file and training reads it back chunk by
chunk, so memory does not grow with the corpus (measured on a 4.8M-word corpus: holding ids
and Python int lists in memory cost ~130 MB of peak RSS).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from .corpus import Corpus, open_corpus
from .errors import CorpusError
from .vocab import Vocabulary

#: Corpora with more tokens than this keep their ids in a temporary file (4 MB of int32).
SPILL_TOKENS = 1_000_000
#: Tokens gathered before a block is written out or remapped.
_BLOCK_TOKENS = 65_536


class IdStore:
    """Append-only int32 storage: in memory up to ``spill_tokens``, then in a temporary file."""

    def __init__(self, spill_tokens: int = SPILL_TOKENS) -> None:
        self.spill_tokens = spill_tokens
        self._blocks: list[np.ndarray] = []
        self._memory: np.ndarray | None = None
        self._file: tempfile._TemporaryFileWrapper | None = None
        self.size = 0

    def append(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype=np.int32)
        self.size += len(block)
        if self._file is None and self.size > self.spill_tokens:
            self._file = tempfile.NamedTemporaryFile(prefix="w2v-ids-", suffix=".int32")
            for held in self._blocks:
                held.tofile(self._file)
            self._blocks = []
        if self._file is not None:
            block.tofile(self._file)
        else:
            self._blocks.append(block)

    def finish(self) -> "IdStore":
        """Stop appending; make the ids readable."""
        if self._file is not None:
            self._file.flush()
        else:
            self._memory = np.concatenate(self._blocks) if self._blocks else np.zeros(0, np.int32)
            self._blocks = []
        return self

    @property
    def on_disk(self) -> bool:
        return self._file is not None

    def read(self, start: int, end: int) -> np.ndarray:
        """Ids ``start`` to ``end`` (exclusive) as a fresh or read-only array."""
        end = min(end, self.size)
        if start >= end:
            return np.zeros(0, np.int32)
        if self._memory is not None:
            return self._memory[start:end]
        return np.fromfile(self._file.name, dtype=np.int32, count=end - start, offset=4 * start)

    def blocks(self, size: int = _BLOCK_TOKENS) -> Iterator[tuple[int, np.ndarray]]:
        """``(start, ids)`` blocks of at most ``size`` ids, in order."""
        for start in range(0, self.size, size):
            yield start, self.read(start, start + size)


@dataclass
class EncodedCorpus:
    """A corpus as in-vocabulary token ids, with its vocabulary and sentence boundaries.

    Attributes
    ----------
    vocab : Vocabulary
    store : IdStore
        The token ids, out-of-vocabulary tokens removed (in memory or in a temp file).
    sentence_ends : ndarray of int64
        Exclusive end offset of each non-empty sentence, increasing.
    name : str
        Where the corpus came from.
    """

    vocab: Vocabulary
    store: IdStore
    sentence_ends: np.ndarray
    name: str = ""

    @property
    def n_words(self) -> int:
        """In-vocabulary tokens in one pass over the corpus."""
        return self.store.size

    @property
    def ids(self) -> np.ndarray:
        """All ids at once (reads the whole file for large corpora: for inspection and tests)."""
        return self.store.read(0, self.store.size)

    def read(self, start: int, end: int) -> np.ndarray:
        return self.store.read(start, end)

    def chunks(self, target: int) -> Iterator[tuple[int, int]]:
        """``(start, end)`` ranges of about ``target`` tokens, ending at sentence ends."""
        start = 0
        n = self.n_words
        while start < n:
            goal = min(start + target, n)
            k = int(np.searchsorted(self.sentence_ends, goal, side="right"))
            end = int(self.sentence_ends[k - 1]) if k > 0 else goal
            if end <= start:  # one sentence longer than target: cut it
                end = goal
            yield start, end
            start = end

    def sentence_ids(self, start: int, end: int) -> np.ndarray:
        """Sentence number of each token in ``[start, end)`` (only equality matters)."""
        lo = int(np.searchsorted(self.sentence_ends, start, side="right"))
        hi = int(np.searchsorted(self.sentence_ends, end, side="left"))
        marks = np.zeros(end - start, dtype=np.int32)
        inner = self.sentence_ends[lo:hi] - start
        marks[inner[inner < end - start]] = 1
        return np.cumsum(marks, dtype=np.int32)


def encode_corpus(
    corpus: str | Corpus | Iterable[list[str]],
    min_count: int = 5,
    max_vocab: int | None = None,
    spill_tokens: int = SPILL_TOKENS,
) -> EncodedCorpus:
    """Read a corpus once: count words, build the vocabulary and encode tokens as ids.

    Raises
    ------
    CorpusError
        If the corpus cannot be read, is empty, or no word reaches ``min_count``.
    """
    if isinstance(corpus, str):
        corpus = open_corpus(corpus)
    name = corpus.name if isinstance(corpus, Corpus) else "<sentences>"
    sentences = corpus.sentences() if isinstance(corpus, Corpus) else iter(corpus)

    provisional: dict[str, int] = {}
    raw = IdStore(spill_tokens)
    ends = array("q")
    buffer = array("i")
    position = 0
    for sentence in sentences:
        if not sentence:
            continue
        buffer.extend([provisional.setdefault(w, len(provisional)) for w in sentence])
        position += len(sentence)
        ends.append(position)
        if len(buffer) >= _BLOCK_TOKENS:
            raw.append(np.frombuffer(buffer, dtype=np.int32))
            buffer = array("i")
    raw.append(np.frombuffer(buffer, dtype=np.int32))
    raw.finish()
    if position == 0:
        raise CorpusError(f"corpus is empty: {name} contains no words")

    counts = np.zeros(len(provisional), dtype=np.int64)
    for _, block in raw.blocks():
        counts += np.bincount(block, minlength=len(provisional))
    words = list(provisional)
    del provisional
    vocab = Vocabulary.from_counts(words, counts, min_count, max_vocab)

    remap = _remap_table(words, vocab)
    store, sentence_ends = _remap(raw, remap, np.frombuffer(ends, dtype=np.int64), spill_tokens)
    del raw, remap, ends, words
    _release_freed_memory()
    return EncodedCorpus(vocab, store, sentence_ends, name)


def _release_freed_memory() -> None:
    """Hand memory freed by the counting pass back to the OS (glibc keeps it otherwise).

    Measured on a 4.8M-word corpus: 9 MB less resident memory for the rest of the run.
    Does nothing where the C library has no ``malloc_trim``.
    """
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is not None:
        trim(0)


def _remap_table(words: list[str], vocab: Vocabulary) -> np.ndarray:
    """Provisional id -> vocabulary id, -1 for pruned words."""
    return np.array([vocab.index.get(w, -1) for w in words], dtype=np.int32)


def _remap(
    raw: IdStore, remap: np.ndarray, raw_ends: np.ndarray, spill_tokens: int
) -> tuple[IdStore, np.ndarray]:
    """Map provisional ids to vocabulary ids, dropping pruned ones, block by block.

    Returns the new ids and the sentence ends moved to the new positions (sentences left
    empty are dropped).
    """
    store = IdStore(spill_tokens)
    new_ends = np.empty(len(raw_ends), dtype=np.int64)
    kept_so_far = 0
    for start, block in raw.blocks():
        mapped = remap[block]
        mask = mapped >= 0
        store.append(mapped[mask])
        # sentence ends inside this block: kept tokens before them
        lo, hi = np.searchsorted(raw_ends, [start + 1, start + len(block) + 1])
        cumulative = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
        new_ends[lo:hi] = kept_so_far + cumulative[raw_ends[lo:hi] - start]
        kept_so_far += int(mask.sum())
    sentence_ends = np.unique(new_ends)
    return store.finish(), sentence_ends[sentence_ends > 0]
