"""The last step of reading: provisional id streams mapped to vocabulary rows, pruned words
dropped, and a sentence left without words dropped with its end mark, in one process or cut
at sentence ends into runs mapped in several (a parallel read), against a
sentence-by-sentence loop; and the runs' files appended in the kernel or, where it refuses,
through this process."""

from __future__ import annotations

import os

import numpy as np
import pytest

from w2v_core import remapping
from w2v_core.id_store import SENTENCE_END, IdSegment, IdStore, temporary_file
from w2v_core.processes import processes_supported
from w2v_core.remapping import PRUNED, cut_at_sentence_ends, remap_streams, with_mark_entry


def _naive(streams: list[tuple[np.ndarray, np.ndarray]]) -> tuple[list[int], int, int]:
    """Each sentence's words mapped, the pruned ones dropped; the sentences left with
    words, each followed by its mark."""
    out: list[int] = []
    words = sentences = 0
    for ids, remap in streams:
        sentence: list[int] = []
        for i in ids.tolist():
            if i == SENTENCE_END:
                if sentence:
                    out += sentence + [SENTENCE_END]
                    words, sentences = words + len(sentence), sentences + 1
                sentence = []
            elif remap[i] != PRUNED:
                sentence.append(int(remap[i]))
        assert not sentence  # a stream holds whole sentences
    return out, words, sentences


def _stream(rng: np.random.Generator, n_sentences: int, n_ids: int,
            lengths: tuple[int, ...] = (1, 1, 1, 2, 3, 6)) -> np.ndarray:
    """Sentences of 1 to 6 ids (many of one id: they are the ones pruning empties)."""
    parts = []
    for length in rng.choice(lengths, n_sentences):
        parts += rng.integers(0, n_ids, length).tolist() + [SENTENCE_END]
    return np.array(parts, np.int32)


def _segments(rng: np.random.Generator, lengths: tuple[int, ...] = (1, 1, 1, 2, 3, 6),
              ) -> tuple[list, list[tuple[np.ndarray, np.ndarray]]]:
    """Three streams with a map each, as segments of one store (a reading process writes
    its parts one after the other), and the same as arrays."""
    streams = []
    for n_ids in (7, 30, 3):  # one map per stream, as each reading process has its own
        remap = np.full(n_ids, PRUNED, np.int32)
        kept = rng.choice(n_ids, n_ids // 2, replace=False)  # half the ids pruned
        remap[kept] = rng.permutation(len(kept))
        streams.append((_stream(rng, 200, n_ids, lengths), remap))
    store = IdStore(0)
    for ids, _ in streams:
        store.append(ids)
    store.finish()
    bounds = np.cumsum([0] + [len(ids) for ids, _ in streams])
    segments = [(IdSegment(store, int(a), int(b)), with_mark_entry(remap))
                for (a, b), (_, remap) in zip(zip(bounds, bounds[1:]), streams)]
    return segments, streams


@pytest.fixture
def small_runs(monkeypatch):
    """Runs of a few ids are worth a process, so that small streams are cut."""
    monkeypatch.setattr(remapping, "MIN_IDS_PER_PROCESS", 1)


@pytest.mark.parametrize("processes", [1, 2, 3])
@pytest.mark.parametrize("block", [1, 2, 5, 64])
@pytest.mark.parametrize("on_disk", [False, True])
def test_remap_in_blocks_and_processes_equals_a_sentence_loop(monkeypatch, small_runs, processes,
                                                              block, on_disk):
    monkeypatch.setattr(remapping, "REMAP_BLOCK", block)
    rng = np.random.default_rng(block * 10 + processes)
    segments, streams = _segments(rng)
    output = IdStore(0, temporary_file()) if on_disk else IdStore(10**9)
    result, n_words, n_sentences = remap_streams(segments, output, processes)
    expected, words, sentences = _naive(streams)
    assert result is output and result.on_disk == on_disk
    assert result.read(0, result.size).tolist() == expected
    assert (n_words, n_sentences) == (words, sentences)
    assert sentences < 600  # some sentences were left without words and dropped
    if on_disk:  # a file appended to in the kernel: later appends go on after it
        result.append(np.array([5, SENTENCE_END], np.int32))
        assert result.finish().read(0, result.size).tolist() == expected + [5, SENTENCE_END]


def test_remap_of_one_stream_in_processes(small_runs):
    """One stream (the ids of a read in one process, or joined into phrases) is cut inside."""
    rng = np.random.default_rng(3)
    remap = np.arange(20, dtype=np.int32)
    remap[::3] = PRUNED
    ids = _stream(rng, 500, 20)
    store = IdStore(0)
    store.append(ids)
    result, n_words, n_sentences = remap_streams([(store.finish(), with_mark_entry(remap))],
                                                 IdStore(0, temporary_file()), 4)
    expected, words, sentences = _naive([(ids, remap)])
    assert result.read(0, result.size).tolist() == expected
    assert (n_words, n_sentences) == (words, sentences)


@pytest.mark.parametrize("runs", [2, 3, 7, 50])
def test_runs_are_cut_right_after_sentence_ends_and_cover_every_id_once(runs):
    rng = np.random.default_rng(runs)
    segments, streams = _segments(rng, lengths=(1, 4, 9))
    cut = cut_at_sentence_ends(segments, runs)
    assert 1 < len(cut) <= runs
    pieces = [(source.store, source.start, source.end) for run in cut for source, _ in run]
    whole = np.concatenate([store.read(start, end) for store, start, end in pieces])
    assert whole.tolist() == np.concatenate([ids for ids, _ in streams]).tolist()
    for run in cut:
        last, _ = run[-1]
        assert last.store.read(last.end - 1, last.end).tolist() == [SENTENCE_END]
    # each piece keeps its stream's own map
    maps = {id(remap) for run in cut for _, remap in run}
    assert maps == {id(remap) for _, remap in segments}
    sizes = [sum(source.end - source.start for source, _ in run) for run in cut]
    if runs <= 3:  # sentences of at most 9 ids: runs of about as many ids
        assert max(sizes) - min(sizes) <= 2 * 10


def test_a_sentence_longer_than_a_run_stays_whole():
    ids = np.array([1, 2, SENTENCE_END] + [3] * 100 + [SENTENCE_END, 4, SENTENCE_END], np.int32)
    store = IdStore(0)
    store.append(ids)
    cut = cut_at_sentence_ends([(store.finish(), with_mark_entry(np.arange(5, dtype=np.int32)))], 10)
    pieces = [source.store.read(source.start, source.end).tolist() for run in cut
              for source, _ in run]
    # each cut is at the first sentence end after its share: the long sentence, cut nowhere,
    # ends the first run, and the cuts that fell inside it are one
    assert pieces == [[1, 2, SENTENCE_END] + [3] * 100 + [SENTENCE_END], [4, SENTENCE_END]]


@pytest.mark.skipif(not processes_supported(), reason="remaps in processes only where they fork")
def test_an_error_in_a_remapping_process_is_raised_here(monkeypatch, small_runs):
    def failing(run, file):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(remapping, "_mapped_into", failing)
    segments, _ = _segments(np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="the disk is full"):
        remap_streams(segments, IdStore(0, temporary_file()), 2)


@pytest.mark.parametrize("kernel_copy", ["works", "refused", "missing"])
def test_a_store_extended_from_file_to_file(monkeypatch, kernel_copy):
    if kernel_copy == "refused":
        def refuse(*args):
            raise OSError(18, "Invalid cross-device link")

        monkeypatch.setattr(os, "copy_file_range", refuse, raising=False)
    elif kernel_copy == "missing":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    monkeypatch.setattr("w2v_core.id_store._COPY_BYTES", 12)  # several reads and writes
    first = IdStore(0, temporary_file())
    first.append(np.arange(10, dtype=np.int32))
    other = IdStore(0, temporary_file())
    other.append(np.arange(100, 137, dtype=np.int32))
    first.extend(other.finish())
    first.append(np.array([-1], np.int32))
    assert first.finish().read(0, first.size).tolist() == [*range(10), *range(100, 137), -1]
