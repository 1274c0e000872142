"""Turning a corpus into int32 token ids, in one streaming pass.

Each token gets a provisional id as it is read (one pass of tokenising, no second read of
the corpus); once all counts are known, the vocabulary is pruned and the ids are remapped,
dropping out-of-vocabulary tokens as word2vec and gensim do. Ids are held in memory for
ordinary corpora and spill to a temporary file (read back through a memmap) for large
ones, so memory does not grow with the corpus.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .corpus import Corpus, open_corpus
from .errors import CorpusError
from .vocab import Vocabulary

#: Tokens kept in memory before ids spill to a temporary file (~256 MB of int32).
SPILL_TOKENS = 64_000_000
_BUFFER_TOKENS = 1_000_000


class _IdSink:
    """Collects int32 chunks in memory, moving them to a temp file past ``spill_tokens``."""

    def __init__(self, spill_tokens: int) -> None:
        self.spill_tokens = spill_tokens
        self.chunks: list[np.ndarray] = []
        self.size = 0
        self.file: tempfile._TemporaryFileWrapper | None = None

    def add(self, chunk: np.ndarray) -> None:
        chunk = np.ascontiguousarray(chunk, dtype=np.int32)
        self.size += len(chunk)
        if self.file is None and self.size > self.spill_tokens:
            self.file = tempfile.NamedTemporaryFile(prefix="w2v-ids-", suffix=".int32")
            for held in self.chunks:
                held.tofile(self.file)
            self.chunks = []
        if self.file is not None:
            chunk.tofile(self.file)
        else:
            self.chunks.append(chunk)

    def array(self) -> np.ndarray:
        if self.file is None:
            return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int32)
        self.file.flush()
        if self.size == 0:
            return np.zeros(0, np.int32)
        return np.memmap(self.file.name, dtype=np.int32, mode="r", shape=(self.size,))


@dataclass
class EncodedCorpus:
    """A corpus as in-vocabulary token ids, with its vocabulary and sentence boundaries.

    Attributes
    ----------
    vocab : Vocabulary
    ids : ndarray of int32
        Token ids, out-of-vocabulary tokens removed (possibly a memmap).
    sentence_ends : ndarray of int64
        Exclusive end offset in ``ids`` of each non-empty sentence, increasing.
    name : str
        Where the corpus came from.
    """

    vocab: Vocabulary
    ids: np.ndarray
    sentence_ends: np.ndarray
    name: str = ""
    _keepalive: object = field(default=None, repr=False)

    @property
    def n_words(self) -> int:
        """In-vocabulary tokens in one pass over the corpus."""
        return int(len(self.ids))

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
        """Sentence number of each token in ``ids[start:end]`` (only equality matters)."""
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
    sink = _IdSink(spill_tokens)
    ends: list[int] = []
    buffer: list[int] = []
    position = 0
    for sentence in sentences:
        if not sentence:
            continue
        buffer.extend([provisional.setdefault(w, len(provisional)) for w in sentence])
        position += len(sentence)
        ends.append(position)
        if len(buffer) >= _BUFFER_TOKENS:
            sink.add(np.array(buffer, dtype=np.int32))
            buffer = []
    if buffer:
        sink.add(np.array(buffer, dtype=np.int32))
    if position == 0:
        raise CorpusError(f"corpus is empty: {name} contains no words")

    raw_ids = sink.array()
    counts = _bincount(raw_ids, len(provisional))
    words = list(provisional)
    vocab = Vocabulary.from_counts(words, counts, min_count, max_vocab)

    remap = np.full(len(words), -1, dtype=np.int32)
    remap[[provisional[w] for w in vocab.words]] = np.arange(len(vocab), dtype=np.int32)
    ids, sentence_ends, backing_file = _remap(
        raw_ids, remap, np.asarray(ends, dtype=np.int64), spill_tokens
    )
    return EncodedCorpus(vocab, ids, sentence_ends, name, _keepalive=backing_file)


def _bincount(ids: np.ndarray, size: int) -> np.ndarray:
    counts = np.zeros(size, dtype=np.int64)
    for start in range(0, len(ids), _BUFFER_TOKENS * 8):
        counts += np.bincount(ids[start : start + _BUFFER_TOKENS * 8], minlength=size)
    return counts


def _remap(
    raw_ids: np.ndarray, remap: np.ndarray, raw_ends: np.ndarray, spill_tokens: int
) -> tuple[np.ndarray, np.ndarray, object]:
    """Map provisional ids to vocabulary ids, dropping pruned ones, chunk by chunk.

    Returns the new ids, the sentence ends moved to the new positions (empty sentences
    dropped), and the temporary file that backs the ids, if any (keep it alive).
    """
    sink = _IdSink(spill_tokens)
    step = _BUFFER_TOKENS * 8
    new_ends = np.empty(len(raw_ends), dtype=np.int64)
    kept_so_far = 0
    for start in range(0, len(raw_ids), step):
        kept = remap[raw_ids[start : start + step]]
        mask = kept >= 0
        sink.add(kept[mask])
        # sentence ends inside this block: kept tokens before them
        lo, hi = np.searchsorted(raw_ends, [start + 1, start + step + 1])
        cumulative = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
        new_ends[lo:hi] = kept_so_far + cumulative[raw_ends[lo:hi] - start]
        kept_so_far += int(mask.sum())
    sentence_ends = np.unique(new_ends)
    return sink.array(), sentence_ends[sentence_ends > 0], sink.file
