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

A plain file, a directory or an NLTK corpus is counted in parts by several processes
(:mod:`w2v_core.parallel_reading`), each with one table for the parts it read;
:func:`merge_parts` joins the tables and the parts' streams are remapped in the corpus's
order (in as many processes: :mod:`w2v_core.remapping`). The vocabulary is
ordered by count, ties by word, whatever order tokens were first seen in, so the vocabulary
and the ids are those of a one-process read. The counting table can be bounded
(:class:`DistinctBound`, ``--max-distinct``).
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from .callbacks import ReadingProgress, ReadingStopped, TrainingControl
from .corpus import Corpus, Part, open_corpus
from .errors import CorpusError
from .config import available_cpus
from .id_store import SENTENCE_END, SPILL_TOKENS, IdSegment, IdStore, temporary_file
from .parallel_reading import MAX_WORKERS, read_in_processes, reading_parts
from .processes import processes_supported, release_freed_memory, run_isolated, shared_array
from .remapping import PRUNED, remap_streams, with_mark_entry
from .vocab import Vocabulary, kept_words, pack_words, unpack_words


class StreamRewrite(Protocol):
    """Rewrites the provisional id stream before the vocabulary is pruned (phrases:
    :class:`w2v_core.phrases.Phrasing`): ``types`` maps each token to its provisional id and
    takes the new tokens; ``new_store()`` makes the output's store; ``check()`` raises to stop.
    """

    def __call__(
        self, raw: "IdStore", types: dict[str, int], new_store: Callable[[], "IdStore"],
        check: Callable[[], None],
    ) -> "IdStore": ...

#: Tokens gathered before a block is written out or remapped.
_BLOCK_TOKENS = 65_536
#: Most sentences looked up at a time while counting, and about the most tokens: sentences
#: of 10,000 tokens (a one-line corpus cut) go one at a time, so the batch holds no more
#: than a sentence-at-a-time loop did.
_SENTENCE_BATCH = 64
_BATCH_TOKENS = 4_096
#: Least seconds between two reading-progress events.
READING_PROGRESS_INTERVAL = 0.2


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
    reading_processes : int
        Processes that read it: 1 where it can only be read in one pass (a pipe, a
        compressed file, an iterable of sentences, ``workers=1``).
    count_floor : int
        0 when every count is exact; else the distinct-token bound was reached and tokens
        seen at most this often in a stretch of the corpus were forgotten while counting
        (:class:`DistinctBound`).
    phrase_passes : int
        Passes of phrase joining applied as it was read (``--phrases``; 0: none): a run
        records what its corpus had, so the trainer checks its config against it.
    """

    vocab: Vocabulary
    store: IdStore
    n_words: int
    n_sentences: int
    name: str = ""
    reading_processes: int = 1
    count_floor: int = 0
    phrase_passes: int = 0

    def handed_over(self) -> tuple[tuple[str, np.ndarray], np.ndarray, int, int, int, str, int, int]:
        """What a reading process sends back when its ids went to a file the caller holds
        (the words packed: one string, not one object each)."""
        return (self.vocab.packed(), self.vocab.counts, self.store.size, self.n_words,
                self.n_sentences, self.name, self.reading_processes, self.count_floor)

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
    workers: int | None = None,
    max_distinct: int | None = None,
) -> EncodedCorpus:
    """Read a corpus once: count words, build the vocabulary and encode tokens as ids.

    A plain file or a directory is read by ``workers`` processes at once, with the
    vocabulary and ids of a one-process read; pipes, compressed files, NLTK corpora and
    iterables of sentences are read in one (:mod:`w2v_core.parallel_reading`).

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
    workers : int, optional
        Reading processes, and remapping ones (a compressed file, read in one, is remapped
        in as many: :mod:`w2v_core.remapping`); None: the CPUs this process may use, at most
        :data:`~w2v_core.parallel_reading.MAX_WORKERS`; 1: read in one.
    max_distinct : int, optional
        Most distinct tokens held while counting, over all reading processes; past it the
        rarest are forgotten and counts become approximate (:class:`DistinctBound`;
        :attr:`EncodedCorpus.count_floor` says so). None: no bound.

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
    if workers is None:
        workers = min(available_cpus(), MAX_WORKERS)
    def vocabulary(words: list[str], counts: np.ndarray) -> tuple[Vocabulary, list[int] | None]:
        """The vocabulary, and the index in ``words`` of each of its words (None: look them
        up; a base word may not be in ``words``)."""
        if base_words is None:
            keep = kept_words(words, counts, min_count, max_vocab)
            return Vocabulary([words[i] for i in keep], counts[keep]), keep
        return Vocabulary.extending(base_words, words, counts, min_count, max_vocab), None

    progress = _ReadingReporter(on_progress)
    if not isolate:
        encoded = _encode(corpus, vocabulary, spill_tokens, lambda: IdStore(spill_tokens), control,
                          progress.publish, phrases, workers, max_distinct)
        progress.finish(encoded)
        return encoded
    ids_file = temporary_file()
    # what the child has read (and how far joining phrases is: -1 not begun), for the parent
    shared = shared_array((5,), np.float64)
    shared[4] = -1.0

    def publish(*figures: float) -> None:
        shared[: len(figures)] = figures

    try:
        packed, counts, size, n_words, n_sentences, name, processes, floor = run_isolated(
            lambda child_control: _encode(
                corpus, vocabulary, spill_tokens, lambda: IdStore(0, ids_file), child_control,
                publish, phrases, workers, max_distinct,
            ).handed_over(),
            control,
            on_poll=lambda: progress.publish(*shared),
        )
    except BaseException:
        ids_file.close()
        raise
    progress.publish(*shared)
    store = IdStore.adopt(ids_file, size, spill_tokens)
    release_freed_memory()  # the answer's pickle, freed (benchmarks/README.md, "token_ids.py")
    encoded = EncodedCorpus(Vocabulary.from_packed(packed, counts), store, n_words, n_sentences,
                            name, processes, floor, 0 if phrases is None else phrases.passes)
    progress.finish(encoded)
    return encoded


def _encode(
    corpus: str | Corpus | Iterable[list[str]],
    vocabulary: Callable[[list[str], np.ndarray], tuple[Vocabulary, list[int] | None]],
    spill_tokens: int,
    new_store: Callable[[], IdStore],
    control,
    publish: Callable[..., None] = lambda *figures: None,
    phrases: StreamRewrite | None = None,
    workers: int = 1,
    max_distinct: int | None = None,
) -> EncodedCorpus:
    """:func:`encode_corpus` in this process and ``workers`` reading processes;
    ``new_store()`` makes the final id store; ``publish(bytes_read, bytes_total, words,
    distinct)`` is told after each block (a total of -1: unknown)."""
    if isinstance(corpus, str):
        corpus = open_corpus(corpus)
    name = corpus.name if isinstance(corpus, Corpus) else "<sentences>"
    sources, processes = reading_parts(corpus, workers)
    total = corpus.meter.total if isinstance(corpus, Corpus) else None
    if sources:
        parts, (provisional, maps, counts) = _count_in_processes(
            sources, processes, spill_tokens, control, name, total, publish, max_distinct)
    else:
        parts = [_count_here(corpus, name, spill_tokens, control, publish, max_distinct)]
        provisional, maps, counts = merge_parts(parts)
    if not provisional:
        raise CorpusError(f"corpus is empty: {name} contains no words")
    if len(parts) > 1:  # the distinct tokens summed over parts were an upper bound
        publish(total or 0, -1 if total is None else total, int(counts.sum()), len(provisional))
    bound = combined_bound(parts)
    if phrases is not None:
        raw = remap_streams(_streams_in_order(parts, [with_mark_entry(local) for local in maps]),
                            IdStore(spill_tokens), workers)[0]
        for part in parts:
            part.store.close()
        raw = phrases(
            raw, provisional, lambda: IdStore(spill_tokens),
            _PhraseProgress(raw.size * 2 * phrases.passes, publish, control, name,
                            (_bytes_read(corpus), -1 if total is None else total,
                             int(counts.sum()), len(provisional))),
        )
        counts = np.zeros(len(provisional), dtype=np.int64)
        for _, block in raw.blocks():
            counts += np.bincount(block[block >= 0], minlength=len(provisional))
    words = list(provisional)
    del provisional
    vocab, kept = vocabulary(words, counts)
    if kept is not None:
        remap = np.full(len(words), PRUNED, np.int32)
        remap[kept] = np.arange(len(kept), dtype=np.int32)
    else:  # a row per word here, not vocab.index: that one would stay with the vocabulary
        rows = dict(zip(vocab.words, range(len(vocab))))
        remap = np.fromiter(map(rows.get, words, itertools.repeat(PRUNED)), np.int32, len(words))
        del rows
    del words, kept
    if phrases is not None:
        store, n_words, n_sentences = remap_streams([(raw, with_mark_entry(remap))], new_store(),
                                                    workers)
    else:  # each process's map from its ids to rows, made once for all its pieces
        streams = _streams_in_order(parts, [
            with_mark_entry(np.where(local >= 0, remap[np.maximum(local, 0)], PRUNED))
            for local in maps])
        store, n_words, n_sentences = remap_streams(streams, new_store(), workers)
        del streams
    for part in parts:
        part.store.close()
    if phrases is not None:
        raw.close()
    del remap
    release_freed_memory()
    return EncodedCorpus(vocab, store, n_words, n_sentences, name, len(parts),
                         0 if bound is None else bound.floor,
                         0 if phrases is None else phrases.passes)


def _bytes_read(corpus: Corpus | Iterable[list[str]]) -> int:
    """Bytes of the corpus read, once it is all read (its size; what a pipe gave)."""
    if not isinstance(corpus, Corpus):
        return 0
    return corpus.meter.total if corpus.meter.total is not None else corpus.meter.done


def _count_here(
    corpus: Corpus | Iterable[list[str]],
    name: str,
    spill_tokens: int,
    control,
    publish: Callable[..., None],
    max_distinct: int | None,
) -> CountedPart:
    """Count the whole corpus in this process."""
    sentences = corpus.sentences() if isinstance(corpus, Corpus) else iter(corpus)
    meter = corpus.meter if isinstance(corpus, Corpus) else None

    def on_block(tokens: int, sentences_read: int, distinct: int) -> None:
        done, total = (0, -1) if meter is None else (meter.done, meter.total)
        # the blocks held a sentence-end mark after each sentence
        publish(done, -1 if total is None else total, tokens - sentences_read, distinct)
        _check_stop(control, name)

    bound = None if max_distinct is None else DistinctBound(max_distinct)
    return count_part(sentences, IdStore(spill_tokens), on_block, bound)


def _count_in_processes(
    sources: Sequence[Part],
    processes: int,
    spill_tokens: int,
    control,
    name: str,
    total: int | None,
    publish: Callable[..., None],
    max_distinct: int | None,
) -> tuple[list[CountedPart], tuple[dict[str, int], list[np.ndarray], np.ndarray]]:
    """Count the parts in ``processes`` processes (:mod:`w2v_core.parallel_reading`); a
    bound is shared out, so that all processes together hold at most ``max_distinct``.
    Returns what each process counted, and their tables merged as :func:`merge_parts` does."""
    limit = None if max_distinct is None else max(max_distinct // processes, 1)

    def work(taken, file, on_block, stopped) -> tuple:
        def on_part_block(tokens: int, sentences_read: int, distinct: int) -> None:
            on_block(tokens - sentences_read, distinct)
            if stopped():
                raise ReadingStopped(f"stopped while reading the corpus {name}")

        table = ProvisionalTable(IdStore(0, file), None if limit is None else DistinctBound(limit))
        pieces = []
        for number, sentences in taken:
            start = table.written
            table.read(sentences, on_part_block)
            table.count_read_back()
            pieces.append((number, start, table.written))
        part = counted(table)
        # without a bound nothing is forgotten: the ids are 0, 1, 2... and need not travel
        return (_pack_table(part.words), None if part.bound is None else part.ids, part.counts,
                part.given, part.store.size, part.bound, pieces)

    merger = TableMerger()

    def receive(answer: tuple, file) -> tuple[CountedPart, np.ndarray]:
        """A process's table, unpacked and merged while the others may still read."""
        words, ids, counts, given, size, bound, pieces = answer
        words = _unpack_table(words)
        part = CountedPart(IdStore.adopt(file, size, spill_tokens), words,
                           np.arange(len(words)) if ids is None else ids, counts, given, bound,
                           pieces)
        return part, merger.add(part)

    received = read_in_processes(
        sources, processes, work, control,
        lambda done, words, distinct: publish(done, -1 if total is None else total, words, distinct),
        receive,
    )
    parts = [part for part, _ in received]
    try:
        _check_stop(control, name)  # asked after the processes' last look, as a one-process read sees it
    except ReadingStopped:
        for part in parts:
            part.store.close()
        raise
    maps = [local for _, local in received]
    return parts, (merger.provisional, maps, merger.counts(parts, maps))


def _pack_table(words: list[str]) -> str | tuple[str, np.ndarray]:
    """A reading process's tokens for the trip to its parent: joined by NUL, which a text
    corpus cannot hold (split 3x quicker than :func:`pack_words` is unpacked), or packed."""
    joined = "\0".join(words)
    return joined if joined.count("\0") == max(len(words) - 1, 0) else pack_words(words)


def _unpack_table(packed: str | tuple[str, np.ndarray]) -> list[str]:
    """The tokens of :func:`_pack_table`."""
    if isinstance(packed, str):
        return packed.split("\0") if packed else []
    return unpack_words(packed)


def _streams_in_order(parts: Sequence[CountedPart], maps: Sequence[np.ndarray],
                      ) -> list[tuple[IdStore | IdSegment, np.ndarray]]:
    """Each stream with its map to merged ids, in the corpus's order: the processes' pieces
    ordered by part (a process's whole store when it read it all)."""
    if not any(part.pieces for part in parts):
        return [(part.store, local) for part, local in zip(parts, maps)]
    pieces = [(number, IdSegment(part.store, start, end), local)
              for part, local in zip(parts, maps) for number, start, end in part.pieces]
    return [(segment, local) for _, segment, local in sorted(pieces, key=lambda piece: piece[0])]


def combined_bound(parts: Sequence[CountedPart]) -> DistinctBound | None:
    """The parts' bounds as one: its limit, peak and forgotten tokens summed, the highest
    floor."""
    bounds = [part.bound for part in parts if part.bound is not None]
    if not bounds:
        return None
    return DistinctBound(sum(b.limit for b in bounds), max(b.floor for b in bounds),
                         sum(b.peak for b in bounds), sum(b.forgotten for b in bounds))


@dataclass
class DistinctBound:
    """A cap on the distinct tokens one reading process holds while it counts.

    A corpus of logs, URLs or IDs may hold tens of millions of distinct tokens, each a
    string in the counting table. When a sentence would take the table past ``limit``, the
    rarest tokens so far are forgotten: every token seen at most ``f`` times, for the least
    ``f`` that frees half the table (so that forgetting is rare, and frequent words, whose
    counts are far above ``f``, are never forgotten). This is gensim's ``max_vocab_size``
    and word2vec's ``ReduceVocab``, but they raise ``f`` by one at every pruning, which on a
    corpus far above the bound climbs until frequent words go too. A forgotten token seen
    again starts counting afresh, so its count is too low: counts are approximate once the
    bound was reached, for words seen a few times. Below it, every count is exact. Each
    reading process has its share of the bound, and which parts a process reads depends on
    timing (:mod:`w2v_core.parallel_reading`), so approximate counts of a parallel read can
    differ a little from run to run; exact ones never do.

    Attributes
    ----------
    limit : int
        Most distinct tokens held (a sentence with more distinct tokens than this is the
        only thing that can exceed it).
    floor : int
        0 while nothing was forgotten; else the highest ``f``: tokens seen at most this often
        may have been forgotten.
    peak : int
        Most distinct tokens held at once.
    forgotten : int
        Distinct tokens dropped from the table (a token may be dropped more than once).
    """

    limit: int
    floor: int = 0
    peak: int = 0
    forgotten: int = 0

    def forget(self, provisional: dict[str, int], counts: np.ndarray, room: int) -> None:
        """Drop the rarest tokens from ``provisional``: at least half the table, and enough
        for ``room`` more."""
        ids = np.fromiter(provisional.values(), np.int64, len(provisional))
        seen = counts[ids]
        need = min(len(seen), max(len(seen) - self.limit // 2, len(seen) + room - self.limit, 1))
        cutoff = max(int(np.partition(seen, need - 1)[need - 1]), 1)
        drop = seen <= cutoff
        for word in [w for w, d in zip(provisional, drop.tolist()) if d]:
            del provisional[word]
        self.floor = max(self.floor, cutoff)
        self.forgotten += int(drop.sum())


def provisional_ids(
    sentences: Iterable[list[str]],
    spill_tokens: int = SPILL_TOKENS,
    on_block: Callable[[int, int, int], None] = lambda tokens, sentences, distinct: None,
    store: IdStore | None = None,
    bound: DistinctBound | None = None,
) -> tuple[IdStore, dict[str, int]]:
    """Sentences as one stream of provisional ids (in order of first sight) and sentence
    ends, with the token of each id; empty sentences are skipped. ``on_block(positions,
    sentences, distinct)`` is told the stream's length, the sentences and the distinct tokens
    so far after every block and at the end (it raises to stop reading). The stream goes to
    ``store`` (default: a new one). With a ``bound``, rare tokens may be forgotten: their ids
    then stay in the stream but not in the returned table."""
    table = ProvisionalTable(IdStore(spill_tokens) if store is None else store, bound)
    table.read(sentences, on_block)
    return table.store.finish(), table.finish()


class ProvisionalTable:
    """A counting table that gives each token a provisional id as it is first seen, and
    the stream of those ids and sentence ends in ``store``; several runs of sentences may be
    read into it one after the other (a reading process's parts).

    Attributes
    ----------
    store : IdStore
    provisional : dict
        Token to provisional id.
    written, sentences : int
        Ids in the stream (sentence ends included) and sentences read, over all runs.
    """

    def __init__(self, store: IdStore, bound: DistinctBound | None = None) -> None:
        # a missing token gets the next id from the factory, all in C: map(table.__getitem__)
        # runs about twice as fast as a comprehension of setdefault calls
        self.provisional: defaultdict[str, int] = defaultdict()
        self.provisional.default_factory = self.provisional.__len__
        self.store, self.bound = store, bound
        self.written = self.sentences = 0
        self.forgotten = 0  # ids handed out, then forgotten (ids are never reused)
        # each id's count in the stream: with a bound, block by block as they are written;
        # without, the stream's first ``counted_to`` ids, read back (:meth:`count_read_back`)
        self.counts = np.zeros(0, np.int64)
        self.counted_to = 0

    def read(self, sentences: Iterable[list[str]],
             on_block: Callable[[int, int, int], None] = lambda tokens, sentences, distinct: None,
             ) -> None:
        """Append ``sentences`` to the stream; ``on_block(written, sentences, distinct)``
        after every block and at the end (it raises to stop reading). The last block is
        written out: the stream's length is then where the next run begins."""
        provisional, bound = self.provisional, self.bound
        lookup = provisional.__getitem__
        # a batch of sentences is looked up in one C loop straight into an int32 array (no
        # list of ids in between: ~1.5% less CPU a read), and each sentence's length is
        # kept: the sentence ends go in with one NumPy scatter a block (benchmarks/README.md,
        # "Reading per core" and "Blocks that fit the cache")
        buffer: list[np.ndarray] = []  # the batches' ids; ``held`` of them in all
        lengths: list[int] = []
        held = 0
        limit = math.inf if bound is None else bound.limit

        def flush() -> None:
            nonlocal buffer, lengths, held
            block = _with_sentence_ends(buffer, lengths)
            self.store.append(block)
            if bound is not None:
                self.counts = np.pad(self.counts, (0, len(provisional) + self.forgotten - len(self.counts)))
                self.counts += np.bincount(block[block >= 0], minlength=len(self.counts))
                bound.peak = max(bound.peak, len(provisional))
            self.written += len(block)
            buffer, lengths, held = [], [], 0

        sentences = iter(sentences)
        batch_size = 1  # then as many sentences as hold about _BATCH_TOKENS tokens, up to 64
        while chunk := list(itertools.islice(sentences, batch_size)):
            batch = list(filter(None, chunk))  # empty sentences are skipped
            try:
                sizes = list(map(len, batch))
            except TypeError:  # sentences without a length (generators): made lists
                batch = [tokens for tokens in map(list, batch) if tokens]
                sizes = list(map(len, batch))
            tokens = sum(sizes)
            if len(provisional) + tokens <= limit:
                buffer.append(np.fromiter(map(lookup, itertools.chain.from_iterable(batch)),
                                          np.int32, tokens))
                lengths += sizes
                held += tokens
            else:
                for sentence, size in zip(batch, sizes):
                    if len(provisional) + size > limit:
                        flush()
                        self._forget(size)
                    buffer.append(np.fromiter(map(lookup, sentence), np.int32, size))
                    lengths.append(size)
                    held += size
            self.sentences += len(batch)
            batch_size = max(1, min(_SENTENCE_BATCH, _BATCH_TOKENS * len(chunk) // max(tokens, 1)))
            if held + len(lengths) >= _BLOCK_TOKENS:
                flush()
                on_block(self.written, self.sentences, len(provisional))
        if buffer or lengths:
            flush()
        on_block(self.written, self.sentences, len(provisional))  # also a short run

    def count_read_back(self) -> np.ndarray:
        """Without a bound: count the ids written since the last call, read back from the
        store where it is readable (:meth:`IdStore.flush`). Returns each id's count so far.

        A reading process calls it after each part, while the part is fresh in the page
        cache, so that at its end only its last part, a small one, is left to count
        (benchmarks/README.md, "Counting part by part"). A count kept per block instead would
        grow with the table at every block.
        """
        if self.bound is not None or self.counted_to == self.written or not self.store.flush():
            return self.counts
        given = len(self.provisional)
        self.counts = np.pad(self.counts, (0, given - len(self.counts)))
        for _, block in self.store.blocks(start=self.counted_to, end=self.written):
            self.counts += np.bincount(block[block >= 0], minlength=given)
        self.counted_to = self.written
        return self.counts

    def _forget(self, room: int) -> None:
        """Let the bound drop the rarest tokens, making room for ``room`` more."""
        provisional = self.provisional
        held = len(provisional)
        self.bound.forget(provisional, self.counts, room)
        self.forgotten += held - len(provisional)
        provisional.default_factory = lambda: len(provisional) + self.forgotten

    def finish(self) -> dict[str, int]:
        """The table, a plain one from now on: a missing token is an error."""
        self.provisional.default_factory = None
        return self.provisional


def _with_sentence_ends(ids: list[np.ndarray], lengths: list[int]) -> np.ndarray:
    """The stream block of sentences with these token ``ids`` (arrays one after the other)
    and ``lengths``: each sentence's ids, then :data:`SENTENCE_END`."""
    ends = np.cumsum(np.asarray(lengths, np.int64)) + np.arange(len(lengths))
    words = np.concatenate(ids) if ids else np.zeros(0, np.int32)
    block = np.full(len(words) + len(lengths), SENTENCE_END, np.int32)
    is_word = np.ones(len(block), bool)
    is_word[ends] = False
    block[is_word] = words
    return block


@dataclass
class CountedPart:
    """What one reading process counted: its provisional streams and table.

    Attributes
    ----------
    store : IdStore
        Local provisional ids (in order of first sight here) and sentence ends.
    words : list of str
        The tokens held at the end, in order of their ids.
    ids : ndarray of int
        Each word's local id (increasing; forgotten tokens leave gaps).
    counts : ndarray of int64
        Each word's count in the part.
    given : int
        Local ids handed out: the stream's ids are below it.
    bound : DistinctBound or None
    pieces : list of (int, int, int)
        ``(part, start, end)``: the corpus's parts this process read, and where each one's
        stream lies in ``store``, in order; empty: the store is one stream.
    table : dict or None
        The counting table itself, token to local id, where it was counted in this process
        (None: it came from a reading process as ``words``).
    """

    store: IdStore
    words: list[str]
    ids: np.ndarray
    counts: np.ndarray
    given: int
    bound: DistinctBound | None = None
    pieces: list[tuple[int, int, int]] = field(default_factory=list)
    table: dict[str, int] | None = None


def count_part(
    sentences: Iterable[list[str]],
    store: IdStore,
    on_block: Callable[[int, int, int], None],
    bound: DistinctBound | None = None,
) -> CountedPart:
    """Read ``sentences`` into ``store`` as provisional ids, and count them."""
    table = ProvisionalTable(store, bound)
    table.read(sentences, on_block)
    return counted(table)


def counted(table: ProvisionalTable) -> CountedPart:
    """What ``table`` read, counted; its store is finished."""
    raw, provisional, bound = table.store.finish(), table.finish(), table.bound
    given = len(provisional) + table.forgotten
    if bound is not None:  # counted block by block as they were written
        ids = np.fromiter(provisional.values(), np.int64, len(provisional))
        counts = np.pad(table.counts, (0, given - len(table.counts)))[ids]
    else:  # nothing forgotten: the ids are 0, 1, 2... in the table's order (no lookup)
        ids = np.arange(given)
        counts = table.count_read_back()  # the finished store is readable: all counted
    return CountedPart(raw, list(provisional), ids, counts, given, bound, table=provisional)


def merge_parts(parts: Sequence[CountedPart]) -> tuple[dict[str, int], list[np.ndarray], np.ndarray]:
    """One table for the tables of several processes (:class:`TableMerger`). Returns the
    table, each part's map from local to merged ids (:data:`PRUNED` for forgotten ids) and
    the merged counts.

    One part counted here with nothing forgotten is its own merged table: its ids are
    already 0, 1, 2... (a copy would cost a one-process read ~30 ms at 20M words:
    benchmarks/README.md, "Blocks that fit the cache").
    """
    if len(parts) == 1 and parts[0].table is not None and parts[0].bound is None:
        part = parts[0]
        table, part.table = part.table, None  # the caller's now, freed when it lets go
        return table, [np.arange(part.given, dtype=np.int32)], part.counts
    merger = TableMerger()
    maps = [merger.add(part) for part in parts]
    return merger.provisional, maps, merger.counts(parts, maps)


class TableMerger:
    """Joins the tables of reading processes one at a time, as they come in: the first
    one's tokens, then the next one's new ones, ... (one process: its own order of first
    sight). The vocabulary does not depend on this order.

    Attributes
    ----------
    provisional : dict
        Each token seen so far, to its merged id.
    """

    def __init__(self) -> None:
        self.provisional: dict[str, int] = defaultdict()

    def add(self, part: CountedPart) -> np.ndarray:
        """Take in ``part``'s table; its map from local to merged ids."""
        provisional = self.provisional
        local = np.full(part.given, PRUNED, np.int32)
        if not provisional:  # every token is new: numbered in order, nothing looked up
            provisional.update(zip(part.words, itertools.count()))
            local[part.ids] = np.arange(len(part.words), dtype=np.int32)
            return local
        # each token looked up once, a new one numbered on by the factory, all in one C loop
        # (~40% quicker than finding the new tokens first and then looking all up:
        # benchmarks/README.md, "The last table's merge"); a plain table again afterwards
        provisional.default_factory = provisional.__len__
        try:
            local[part.ids] = np.fromiter(map(provisional.__getitem__, part.words), np.int32,
                                          len(part.words))
        finally:
            provisional.default_factory = None
        return local

    def counts(self, parts: Sequence[CountedPart], maps: Sequence[np.ndarray]) -> np.ndarray:
        """Each merged id's count over ``parts`` (all of them added, with their ``maps``)."""
        counts = np.zeros(len(self.provisional), np.int64)
        for part, local in zip(parts, maps):
            counts[local[part.ids]] += part.counts
        return counts


class _PhraseProgress:
    """What joining phrases calls after each block of ids: a stop is obeyed, and the share of
    the ids to scan (each pass scans them twice) is published beside the reading figures."""

    def __init__(self, work: int, publish: Callable[..., None], control, name: str,
                 figures: tuple[float, float, float, float]) -> None:
        self.work, self.publish, self.control, self.name = max(work, 1), publish, control, name
        self.figures, self.done = figures, 0
        publish(*figures, 0.0)

    def __call__(self, tokens: int) -> None:
        _check_stop(self.control, self.name)
        self.done += tokens
        self.publish(*self.figures, min(self.done / self.work, 1.0))


class _ReadingReporter:
    """Turns the reader's figures into :class:`ReadingProgress` events, a few a second."""

    def __init__(self, on_progress: Callable[[ReadingProgress], None] | None) -> None:
        self.on_progress = on_progress
        self.started = time.perf_counter()
        self.last_told = -math.inf
        self.latest: ReadingProgress | None = None

    def publish(self, bytes_read: float, bytes_total: float, words: float, distinct: float,
                phrases: float = -1.0) -> None:
        """A report (a few a second); ``phrases``: the share of joining phrases done, or -1
        while the text is read."""
        if self.on_progress is None:
            return
        now = time.perf_counter()
        self.latest = ReadingProgress(
            int(bytes_read), None if bytes_total < 0 else int(bytes_total), int(words),
            int(distinct), now - self.started, phrases=None if phrases < 0 else float(phrases),
        )
        if now - self.last_told >= READING_PROGRESS_INTERVAL:
            self.last_told = now
            self.on_progress(self.latest)

    def finish(self, encoded: EncodedCorpus) -> None:
        """The whole corpus is read: the last event."""
        if self.on_progress is not None and self.latest is not None:
            latest = self.latest
            self.on_progress(replace(latest, bytes_read=latest.bytes_total or latest.bytes_read,
                                     seconds=time.perf_counter() - self.started, done=True,
                                     processes=encoded.reading_processes,
                                     count_floor=encoded.count_floor))


def _check_stop(control, name: str) -> None:
    if control is not None and control.stopped:
        raise ReadingStopped(f"stopped while reading the corpus {name}")
