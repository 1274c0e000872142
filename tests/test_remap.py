"""The last step of reading: provisional id streams mapped to vocabulary rows, pruned words
dropped, and a sentence left without words dropped with its end mark, in one thread or in
several (a parallel read), against a sentence-by-sentence loop."""

from __future__ import annotations

import numpy as np
import pytest

from w2v_core import token_ids
from w2v_core.id_store import IdSegment, IdStore
from w2v_core.token_ids import SENTENCE_END, _PRUNED, _remap, _with_mark_entry


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
            elif remap[i] != _PRUNED:
                sentence.append(int(remap[i]))
        assert not sentence  # a stream holds whole sentences
    return out, words, sentences


def _stream(rng: np.random.Generator, n_sentences: int, n_ids: int) -> np.ndarray:
    """Sentences of 1 to 6 ids (many of one id: they are the ones pruning empties)."""
    parts = []
    for length in rng.choice([1, 1, 1, 2, 3, 6], n_sentences):
        parts += rng.integers(0, n_ids, length).tolist() + [SENTENCE_END]
    return np.array(parts, np.int32)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("block", [1, 2, 5, 64])
def test_remap_in_blocks_and_threads_equals_a_sentence_loop(monkeypatch, threads, block):
    monkeypatch.setattr(token_ids, "_REMAP_BLOCK", block)
    rng = np.random.default_rng(block * 10 + threads)
    streams = []
    for n_ids in (7, 30, 3):  # one map per stream, as each reading process has its own
        remap = np.full(n_ids, _PRUNED, np.int32)
        kept = rng.choice(n_ids, n_ids // 2, replace=False)  # half the ids pruned
        remap[kept] = rng.permutation(len(kept))
        streams.append((_stream(rng, 200, n_ids), remap))
    # segments of one store, as a reading process writes its parts one after the other
    store = IdStore(0)
    for ids, _ in streams:
        store.append(ids)
    store.finish()
    bounds = np.cumsum([0] + [len(ids) for ids, _ in streams])
    segments = [(IdSegment(store, int(a), int(b)), _with_mark_entry(remap))
                for (a, b), (_, remap) in zip(zip(bounds, bounds[1:]), streams)]
    result, n_words, n_sentences = _remap(segments, IdStore(10**9), threads)
    expected, words, sentences = _naive(streams)
    assert result.read(0, result.size).tolist() == expected
    assert (n_words, n_sentences) == (words, sentences)
    assert sentences < 600  # some sentences were left without words and dropped
