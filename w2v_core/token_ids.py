"""Turning a corpus into int32 token ids, in one streaming pass.

Each token gets a provisional id as it is read (one pass of tokenising, no second read of
the corpus); once all counts are known, the vocabulary is pruned and the ids are remapped,
dropping out-of-vocabulary tokens as word2vec and gensim do. Small corpora keep their ids in
memory; larger ones write them to a temporary file and training reads it back chunk by
chunk, so memory does not grow with the corpus (holding ids and Python int lists in memory
cost a large share of the peak: benchmarks/README.md, "token_ids.py").

On Linux the reading runs in a forked child process (:func:`w2v_core.processes.run_isolated`)
that hands back the vocabulary and the id file. Counting leaves the allocator fragmented:
every distinct token was a string, and the few kept ones pin the memory of the many pruned
ones, and the process stays several times larger than its live objects; in a child, that
memory is returned when it exits (measurements: benchmarks/README.md, "token_ids.py").
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import IO, Protocol

import numpy as np

from .callbacks import ReadingProgress, ReadingStopped, TrainingControl
from .corpus import Corpus, open_corpus
from .errors import CorpusError
from .processes import processes_supported, release_freed_memory, run_isolated, shared_array
from .vocab import Vocabulary


class StreamRewrite(Protocol):
    """Rewrites the provisional id stream before the vocabulary is pruned (phrases:
    :class:`w2v_core.phrases.Phrasing`): ``types`` maps each token to its provisional id and
    takes the new tokens; ``new_store()`` makes the output's store; ``check()`` raises to stop.
    """

    def __call__(
        self, raw: "IdStore", types: dict[str, int], new_store: Callable[[], "IdStore"],
        check: Callable[[], None],
    ) -> "IdStore": ...

#: Corpora with more tokens than this keep their ids in a temporary file (4 MB of int32).
SPILL_TOKENS = 1_000_000
#: Marks the end of a sentence in the id stream.
SENTENCE_END = -1
_PRUNED = -2
#: Tokens gathered before a block is written out or remapped.
_BLOCK_TOKENS = 65_536
#: Least seconds between two reading-progress events.
READING_PROGRESS_INTERVAL = 0.2


def _temporary_file() -> IO[bytes]:
    """An anonymous temporary file: already unlinked, so nothing is left behind, ever."""
    return tempfile.TemporaryFile(prefix="w2v-ids-", suffix=".int32")


class IdStore:
    """Append-only int32 storage: in memory up to ``spill_tokens``, then in a temporary file.

    Parameters
    ----------
    spill_tokens : int
        Ids kept in memory before the store moves to a file.
    file : binary file, optional
        Write every id to this (empty) file from the start.
    """

    def __init__(self, spill_tokens: int = SPILL_TOKENS, file: IO[bytes] | None = None) -> None:
        self.spill_tokens = spill_tokens
        self._blocks: list[np.ndarray] = []
        self._memory: np.ndarray | None = None
        self._file: IO[bytes] | None = file
        self.size = 0

    @classmethod
    def adopt(cls, file: IO[bytes], size: int, spill_tokens: int = SPILL_TOKENS) -> "IdStore":
        """A finished store over ``size`` ids that were written to ``file`` (by a child
        process); up to ``spill_tokens`` ids are read into memory and the file closed."""
        store = cls(spill_tokens, file)
        store.size = size
        if size <= spill_tokens:
            store._memory = store.read(0, size).copy()
            store._file = None
            file.close()
        return store

    def append(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype=np.int32)
        self.size += len(block)
        if self._file is None and self.size > self.spill_tokens:
            self._file = _temporary_file()
            for held in self._blocks:
                self._file.write(held.data)
            self._blocks = []
        if self._file is not None:
            # plain file writes: numpy's tofile/fromfile left a small object alive per call
            # (seen with tracemalloc), each able to pin an allocator arena
            self._file.write(block.data)
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

    def close(self) -> None:
        """Release the temporary file (the store is empty afterwards)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._memory, self._blocks, self.size = None, [], 0

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
        ids = np.empty(end - start, dtype=np.int32)
        view, offset = memoryview(ids).cast("B"), 4 * start
        while view:  # pread: thread-safe; it may return less than asked for large reads
            got = os.preadv(self._file.fileno(), [view], offset)
            if got <= 0:
                raise CorpusError("the temporary file of token ids was cut short")
            view, offset = view[got:], offset + got
        return ids

    def blocks(self, size: int = _BLOCK_TOKENS) -> Iterator[tuple[int, np.ndarray]]:
        """``(start, ids)`` blocks of at most ``size`` ids, in order."""
        for start in range(0, self.size, size):
            yield start, self.read(start, start + size)


@dataclass
class EncodedCorpus:
    """A corpus as in-vocabulary token ids, with its vocabulary and sentence boundaries.

    The ids form one stream in which :data:`SENTENCE_END` follows every sentence, so
    boundaries cost no memory (an array of sentence ends would grow with the corpus).

    Attributes
    ----------
    vocab : Vocabulary
    store : IdStore
        The stream: token ids (out-of-vocabulary tokens removed) and end-of-sentence marks.
    n_words : int
        In-vocabulary tokens in one pass over the corpus.
    n_sentences : int
        Sentences with at least one such token.
    name : str
        Where the corpus came from.
    """

    vocab: Vocabulary
    store: IdStore
    n_words: int
    n_sentences: int
    name: str = ""

    def handed_over(self) -> tuple[tuple[str, np.ndarray], np.ndarray, int, int, int, str]:
        """What a reading process sends back when its ids went to a file the caller holds
        (the words packed: one string, not one object each)."""
        return (self.vocab.packed(), self.vocab.counts, self.store.size, self.n_words,
                self.n_sentences, self.name)

    def chunks(self, target: int) -> Iterator[tuple[int, int]]:
        """``(start, end)`` stream ranges of ``target`` positions covering the stream.

        A sentence cut by a chunk border loses the few pairs that would cross it (a tiny
        share: benchmarks/README.md, "training/trainer.py"), as the C tool's threads do at
        their file offsets.
        """
        for start in range(0, self.store.size, target):
            yield start, min(start + target, self.store.size)

    def read_chunk(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of a stream range and the sentence number of each (only equality matters)."""
        block = self.store.read(start, end)
        marks = block == SENTENCE_END
        sentence_ids = np.cumsum(marks, dtype=np.int32)
        words = ~marks
        return block[words], sentence_ids[words]

    @property
    def ids(self) -> np.ndarray:
        """All token ids at once, marks removed (reads the whole stream: for tests)."""
        return self.read_chunk(0, self.store.size)[0]

    @property
    def sentence_ends(self) -> np.ndarray:
        """Exclusive end of each sentence in :attr:`ids` (reads the whole stream: for tests)."""
        stream = self.store.read(0, self.store.size)
        marks = np.flatnonzero(stream == SENTENCE_END)
        return marks - np.arange(len(marks))


def encode_corpus(
    corpus: str | Corpus | Iterable[list[str]],
    min_count: int = 5,
    max_vocab: int | None = None,
    spill_tokens: int = SPILL_TOKENS,
    control: TrainingControl | None = None,
    isolate: bool | None = None,
    base_words: Sequence[str] | None = None,
    phrases: StreamRewrite | None = None,
    on_progress: Callable[[ReadingProgress], None] | None = None,
) -> EncodedCorpus:
    """Read a corpus once: count words, build the vocabulary and encode tokens as ids.

    Parameters
    ----------
    corpus : str, Corpus or iterable of token lists
    min_count, max_vocab : int
        Vocabulary pruning (see :meth:`Vocabulary.from_counts`).
    spill_tokens : int
        Streams longer than this are kept in a temporary file.
    control : TrainingControl, optional
        Checked after every block of tokens: once stopped, reading ends.
    isolate : bool, optional
        Read in a forked child process, so that the memory counting fragments is returned
        to the OS (see the module notes). None: wherever processes are supported (Linux).
        An iterable of sentences is then iterated in the child.
    base_words : sequence of str, optional
        Words that come first in the vocabulary, whatever their counts here (a model trained
        further on new text: :meth:`Vocabulary.extending`).
    phrases : Phrasing (a StreamRewrite), optional
        Join frequent collocations (``new_york``) before the vocabulary is pruned
        (:mod:`w2v_core.phrases`): ``min_count`` then applies to the joined tokens.
    on_progress : callable, optional
        Told how reading goes (:class:`~w2v_core.callbacks.ReadingProgress`) a few times a
        second, in this thread, and once when the whole corpus is read.

    Raises
    ------
    CorpusError
        If the corpus cannot be read, is empty, or no word reaches ``min_count``.
    ReadingStopped
        ``control`` was stopped before the corpus was read to its end.
    TrainingWorkerError
        The reading process died (killed, out of memory).
    """
    if isolate is None:
        isolate = processes_supported()
    def vocabulary(words: list[str], counts: np.ndarray) -> Vocabulary:
        if base_words is None:
            return Vocabulary.from_counts(words, counts, min_count, max_vocab)
        return Vocabulary.extending(base_words, words, counts, min_count, max_vocab)

    progress = _ReadingReporter(on_progress)
    if not isolate:
        encoded = _encode(corpus, vocabulary, spill_tokens, lambda: IdStore(spill_tokens), control,
                          progress.publish, phrases)
        progress.finish()
        return encoded
    ids_file = _temporary_file()
    shared = shared_array((4,), np.float64)  # what the child has read, for the parent to tell

    def publish(*figures: float) -> None:
        shared[:] = figures

    try:
        packed, counts, size, n_words, n_sentences, name = run_isolated(
            lambda child_control: _encode(
                corpus, vocabulary, spill_tokens, lambda: IdStore(0, ids_file), child_control,
                publish, phrases,
            ).handed_over(),
            control,
            on_poll=lambda: progress.publish(*shared),
        )
    except BaseException:
        ids_file.close()
        raise
    progress.publish(*shared)
    progress.finish()
    store = IdStore.adopt(ids_file, size, spill_tokens)
    release_freed_memory()  # the answer's pickle, freed (benchmarks/README.md, "token_ids.py")
    return EncodedCorpus(Vocabulary.from_packed(packed, counts), store, n_words, n_sentences, name)


def _encode(
    corpus: str | Corpus | Iterable[list[str]],
    vocabulary: Callable[[list[str], np.ndarray], Vocabulary],
    spill_tokens: int,
    new_store: Callable[[], IdStore],
    control,
    publish: Callable[..., None] = lambda *figures: None,
    phrases: StreamRewrite | None = None,
) -> EncodedCorpus:
    """:func:`encode_corpus` in this process; ``new_store()`` makes the final id store;
    ``publish(bytes_read, bytes_total, words, distinct)`` is told after each block (a total
    of -1: unknown)."""
    if isinstance(corpus, str):
        corpus = open_corpus(corpus)
    name = corpus.name if isinstance(corpus, Corpus) else "<sentences>"
    sentences = corpus.sentences() if isinstance(corpus, Corpus) else iter(corpus)
    meter = corpus.meter if isinstance(corpus, Corpus) else None

    def on_block(tokens: int, sentences_read: int, distinct: int) -> None:
        done, total = (0, -1) if meter is None else (meter.done, meter.total)
        # the blocks held a sentence-end mark after each sentence
        publish(done, -1 if total is None else total, tokens - sentences_read, distinct)
        _check_stop(control, name)

    raw, provisional = provisional_ids(sentences, spill_tokens, on_block)
    if not provisional:
        raise CorpusError(f"corpus is empty: {name} contains no words")
    if phrases is not None:
        raw = phrases(
            raw, provisional, lambda: IdStore(spill_tokens), lambda: _check_stop(control, name)
        )

    counts = np.zeros(len(provisional), dtype=np.int64)
    for _, block in raw.blocks():
        counts += np.bincount(block[block >= 0], minlength=len(provisional))
    words = list(provisional)
    del provisional
    vocab = vocabulary(words, counts)
    remap = np.array([vocab.index.get(w, _PRUNED) for w in words], dtype=np.int32)
    del words
    store, n_words, n_sentences = _remap(raw, remap, new_store())
    raw.close()
    del raw, remap
    release_freed_memory()
    return EncodedCorpus(vocab, store, n_words, n_sentences, name)


def provisional_ids(
    sentences: Iterable[list[str]],
    spill_tokens: int = SPILL_TOKENS,
    on_block: Callable[[int, int, int], None] = lambda tokens, sentences, distinct: None,
) -> tuple[IdStore, dict[str, int]]:
    """Sentences as one stream of provisional ids (in order of first sight) and sentence
    ends, with the token of each id; empty sentences are skipped. ``on_block(positions,
    sentences, distinct)`` is told the stream's length, the sentences and the distinct tokens
    so far after every block and at the end (it raises to stop reading)."""
    sentences_read = written = 0
    provisional: dict[str, int] = {}
    raw = IdStore(spill_tokens)
    buffer = array("i")
    for sentence in sentences:
        if not sentence:
            continue
        buffer.extend([provisional.setdefault(w, len(provisional)) for w in sentence])
        buffer.append(SENTENCE_END)
        sentences_read += 1
        if len(buffer) >= _BLOCK_TOKENS:
            raw.append(np.frombuffer(buffer, dtype=np.int32))
            written += len(buffer)
            buffer = array("i")
            on_block(written, sentences_read, len(provisional))
    raw.append(np.frombuffer(buffer, dtype=np.int32))
    on_block(written + len(buffer), sentences_read, len(provisional))  # also a short corpus
    return raw.finish(), provisional


class _ReadingReporter:
    """Turns the reader's figures into :class:`ReadingProgress` events, a few a second."""

    def __init__(self, on_progress: Callable[[ReadingProgress], None] | None) -> None:
        self.on_progress = on_progress
        self.started = time.perf_counter()
        self.last_told = -math.inf
        self.latest: ReadingProgress | None = None

    def publish(self, bytes_read: float, bytes_total: float, words: float, distinct: float) -> None:
        if self.on_progress is None:
            return
        now = time.perf_counter()
        self.latest = ReadingProgress(
            int(bytes_read), None if bytes_total < 0 else int(bytes_total), int(words),
            int(distinct), now - self.started,
        )
        if now - self.last_told >= READING_PROGRESS_INTERVAL:
            self.last_told = now
            self.on_progress(self.latest)

    def finish(self) -> None:
        """The whole corpus is read: the last event."""
        if self.on_progress is not None and self.latest is not None:
            latest = self.latest
            self.on_progress(replace(latest, bytes_read=latest.bytes_total or latest.bytes_read,
                                     seconds=time.perf_counter() - self.started, done=True))


def _check_stop(control, name: str) -> None:
    if control is not None and control.stopped:
        raise ReadingStopped(f"stopped while reading the corpus {name}")


def _remap(raw: IdStore, remap: np.ndarray, store: IdStore) -> tuple[IdStore, int, int]:
    """Map provisional ids to vocabulary ids block by block into ``store``, dropping pruned
    words.

    A sentence left without words loses its end mark too. Returns the new stream, its
    number of words and of sentences.
    """
    previous_was_mark = True  # no mark at the very start
    n_words = n_sentences = 0
    for _, block in raw.blocks():
        mapped = remap[np.maximum(block, 0)]
        mapped[block == SENTENCE_END] = SENTENCE_END
        mapped = mapped[mapped != _PRUNED]
        marks = mapped == SENTENCE_END
        repeated = marks & np.concatenate(([previous_was_mark], marks[:-1]))
        mapped, marks = mapped[~repeated], marks[~repeated]
        if len(mapped):
            previous_was_mark = bool(marks[-1])
        n_sentences += int(marks.sum())
        n_words += len(mapped) - int(marks.sum())
        store.append(mapped)
    return store.finish(), n_words, n_sentences
