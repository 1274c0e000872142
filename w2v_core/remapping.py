"""The last step of reading: provisional id streams mapped to vocabulary rows, in processes.

Once the vocabulary is known, every provisional id of the corpus is mapped to its row,
pruned words are dropped, and a sentence left without words loses its end mark too. After a
parallel read this pass over all the ids is the longest step left in one process, so it is
cut at sentence ends into as many runs as there were reading processes: this process maps
the first run into the final store while forked processes map the others into temporary
files, which are then appended in order (copied in the kernel where it can). Threads did not
help: NumPy's gather and mask hold the GIL for most of their time, and 2 threads took as long
as one (benchmarks/README.md, "The remap in processes").

A stream holds whole sentences, so each one, remapped, ends with a mark or is empty, and so
does each run cut after a mark: the runs' outputs joined are the output of one pass.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from .id_store import SENTENCE_END, IdSegment, IdStore, temporary_file
from .processes import ForkedChild, processes_supported

#: What a provisional id maps to when its word was pruned.
PRUNED = -2
#: Ids mapped at a time.
REMAP_BLOCK = 65_536
#: Fewest ids worth a second process (forking and joining cost a few ms).
MIN_IDS_PER_PROCESS = 1 << 20

#: ``(source, remap)``: a provisional stream (a store, or a part of one) and its map.
Stream = tuple[IdStore | IdSegment, np.ndarray]


def with_mark_entry(remap: np.ndarray) -> np.ndarray:
    """``remap`` with a last entry that maps the sentence end (-1) to itself: one gather
    maps words and marks."""
    return np.append(remap, np.int32(SENTENCE_END))


def remap_streams(streams: Sequence[Stream], store: IdStore,
                  processes: int = 1) -> tuple[IdStore, int, int]:
    """Map each stream's ids through its own ``remap`` (:func:`with_mark_entry`) into
    ``store``, in order, dropping ids mapped to :data:`PRUNED`; a sentence left without
    words loses its end mark too. Returns ``store`` finished, its number of words and of
    sentences.

    With ``processes`` > 1 (and at least :data:`MIN_IDS_PER_PROCESS` ids for each), the
    streams are cut at sentence ends into that many runs of about as many ids, mapped at
    once (see the module notes).
    """
    total = sum(end - start for _, start, end in (_bounds(source) for source, _ in streams))
    processes = min(processes, total // MIN_IDS_PER_PROCESS)
    if processes < 2 or not processes_supported():
        n_words, n_sentences = _appended(_mapped_blocks(streams), store)
        return store.finish(), n_words, n_sentences
    runs = cut_at_sentence_ends(streams, processes)
    files = [temporary_file() for _ in runs[1:]]
    children: list[ForkedChild] = []
    try:
        for run, file in zip(runs[1:], files):
            children.append(ForkedChild(lambda _control, run=run, file=file: _mapped_into(run, file),
                                        None))
        n_words, n_sentences = _appended(_mapped_blocks(runs[0]), store)
        for child, file in zip(children, files):
            size, words, sentences = child.result()
            store.extend(IdStore.adopt(file, size, 0))
            n_words, n_sentences = n_words + words, n_sentences + sentences
    finally:
        for child in children:
            child.wait()
        for file in files:
            file.close()
    return store.finish(), n_words, n_sentences


def cut_at_sentence_ends(streams: Sequence[Stream], runs: int) -> list[list[Stream]]:
    """``streams`` cut into at most ``runs`` runs of about as many ids, each cut right after
    a sentence end (or where a stream ends); empty runs are left out."""
    segments = [(*_bounds(source), remap) for source, remap in streams]
    ends = np.cumsum([end - start for _, start, end, _ in segments]).tolist()
    total = ends[-1] if ends else 0
    cuts: list[tuple[int, int]] = []  # (segment, position in its store) where a run starts
    for k in range(1, runs):
        at = bisect.bisect_right(ends, total * k // runs)
        if at == len(segments):
            break
        store, start, end, _ = segments[at]
        position = _after_next_mark(store, end - (ends[at] - total * k // runs), end)
        if cuts and (at, position) <= cuts[-1]:
            continue  # a sentence longer than a run: the run before took it whole
        cuts.append((at, position))
    result: list[list[Stream]] = []
    begin = (0, segments[0][1]) if segments else (0, 0)
    for stop in [*cuts, (len(segments), 0)]:
        run = []
        for index in range(begin[0], min(stop[0] + 1, len(segments))):
            store, start, end, remap = segments[index]
            start = begin[1] if index == begin[0] else start
            end = stop[1] if index == stop[0] else end
            if end > start:
                run.append((IdSegment(store, start, end), remap))
        if run:
            result.append(run)
        begin = stop
    return result


def _bounds(source: IdStore | IdSegment) -> tuple[IdStore, int, int]:
    """The store under ``source`` and the range of it that ``source`` covers."""
    if isinstance(source, IdSegment):
        return source.store, source.start, source.end
    return source, 0, source.size


def _after_next_mark(store: IdStore, position: int, end: int) -> int:
    """The position right after the first sentence end at or after ``position`` (``end``
    if there is none before it)."""
    for start, block in store.blocks(REMAP_BLOCK, position, end):
        found = np.flatnonzero(block == SENTENCE_END)
        if len(found):
            return start + int(found[0]) + 1
    return end


def _mapped_into(run: Sequence[Stream], file) -> tuple[int, int, int]:
    """In a remapping process: ``run`` mapped into ``file``; its ids, words and sentences."""
    store = IdStore(0, file)
    n_words, n_sentences = _appended(_mapped_blocks(run), store)
    return store.finish().size, n_words, n_sentences


def _mapped_blocks(streams: Iterable[Stream]) -> Iterator[np.ndarray]:
    """:func:`_mapped_block` of each block of ``streams``, in order."""
    for source, remap in streams:
        for _, block in source.blocks(REMAP_BLOCK):
            yield _mapped_block(block, remap)


def _mapped_block(block: np.ndarray, remap: np.ndarray) -> np.ndarray:
    """``block`` mapped through ``remap``, without the ids mapped to :data:`PRUNED` and
    without a mark right after a mark (a sentence left without words); it may begin with a
    mark that the block before makes redundant (:func:`_appended` drops it)."""
    # take, wrapping the sentence end (-1) to remap's last entry: a third quicker than
    # indexing
    mapped = remap.take(block, mode="wrap")
    mapped = mapped[mapped != PRUNED]
    marks = mapped == SENTENCE_END
    repeated = marks[1:] & marks[:-1]
    if repeated.any():  # only where a sentence lost all its words
        mapped = mapped[np.concatenate(([True], ~repeated))]
    return mapped


def _appended(mapped_blocks: Iterable[np.ndarray], store: IdStore) -> tuple[int, int]:
    """Append the mapped blocks to ``store`` in order, dropping a block's first mark where
    the stream so far ends with one (or is empty). Returns the words and sentences
    appended."""
    previous_was_mark = True  # no mark at the very start
    n_words = n_sentences = 0
    for mapped in mapped_blocks:
        if len(mapped) and previous_was_mark and mapped[0] == SENTENCE_END:
            mapped = mapped[1:]
        if not len(mapped):
            continue
        previous_was_mark = bool(mapped[-1] == SENTENCE_END)
        ends = int(np.count_nonzero(mapped == SENTENCE_END))
        n_sentences += ends
        n_words += len(mapped) - ends
        store.append(mapped)
    return n_words, n_sentences
