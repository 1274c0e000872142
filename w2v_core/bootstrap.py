"""Bootstrap samples of an encoded corpus: its sentences drawn with replacement.

Antoniak & Mimno (2018) measure how stable a word's neighbours are by training on bootstrap
samples of a corpus's documents. Here the unit is the sentence of the encoded id stream
(:class:`~w2v_core.token_ids.EncodedCorpus`): the corpus is read and encoded once, and each
sample is built from that stream with NumPy, never by reading the text again.

A sample of ``n`` sentences draws ``n`` with replacement, so each sentence appears
``Binomial(n, 1/n)`` times (:func:`multiplicities`). The copies are written in the corpus's
order, each sentence repeated in place, so the stream is read once, front to back, in
blocks: a stream kept in a file is never read at random, and the sample goes to an
:class:`~w2v_core.token_ids.IdStore` that moves to a file of its own once it is large.
"""

from __future__ import annotations

import numpy as np

from .token_ids import SENTENCE_END, SPILL_TOKENS, EncodedCorpus, IdStore

#: Stream positions read from the corpus at once while a sample is built.
BLOCK_POSITIONS = 1 << 20


def sentence_ends(store: IdStore) -> np.ndarray:
    """Stream position of every sentence's end mark, read block by block (int64); every
    sentence of an encoded stream is followed by its mark."""
    found = [start + np.flatnonzero(block == SENTENCE_END) for start, block in store.blocks(BLOCK_POSITIONS)]
    return np.concatenate(found).astype(np.int64) if found else np.zeros(0, np.int64)


def multiplicities(n: int, rng: np.random.Generator) -> np.ndarray:
    """How often each of ``n`` sentences is drawn in ``n`` draws with replacement.

    Each count is ``Binomial(n, 1/n)``; together they sum to ``n`` (a multinomial).
    """
    if n == 0:
        return np.zeros(0, np.int64)
    return np.bincount(rng.integers(0, n, size=n), minlength=n).astype(np.int64)


def repeat_segments(block: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                    counts: np.ndarray) -> np.ndarray:
    """``block[starts[i] : starts[i] + lengths[i]]`` repeated ``counts[i]`` times, in order,
    as one array (one gather, no Python loop per sentence)."""
    seg_starts = np.repeat(starts, counts)
    seg_lengths = np.repeat(lengths, counts)
    total = int(seg_lengths.sum())
    if total == 0:
        return block[:0]
    offsets = np.cumsum(seg_lengths) - seg_lengths  # where each copy begins in the output
    index = np.arange(total, dtype=np.int64) + np.repeat(seg_starts - offsets, seg_lengths)
    return block[index]


def bootstrap_sample(
    corpus: EncodedCorpus,
    rng: np.random.Generator,
    spill_tokens: int = SPILL_TOKENS,
    counts: np.ndarray | None = None,
) -> EncodedCorpus:
    """A bootstrap sample of ``corpus``'s sentences, as an encoded corpus of its own.

    Parameters
    ----------
    corpus : EncodedCorpus
    rng : numpy.random.Generator
        Draws the sample (:func:`multiplicities`).
    spill_tokens : int
        A sample longer than this is kept in a temporary file (:class:`IdStore`).
    counts : ndarray, optional
        Each sentence's multiplicity, instead of drawing them (for tests).

    Returns
    -------
    EncodedCorpus
        The same vocabulary (the corpus's counts: the sample's expected counts, so every
        run of an ensemble shares one vocabulary, subsampling and noise), and a new stream;
        close its ``store`` when done.
    """
    ends = sentence_ends(corpus.store)
    n = len(ends)
    counts = multiplicities(n, rng) if counts is None else np.asarray(counts, dtype=np.int64)
    if counts.shape != (n,):
        raise ValueError(f"counts must hold one multiplicity per sentence ({n})")
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    lengths = ends - starts + 1  # with the end mark
    store = IdStore(spill_tokens)
    first = 0
    while first < n:
        last = max(first + 1, int(np.searchsorted(ends, starts[first] + BLOCK_POSITIONS, "left")))
        block = corpus.store.read(int(starts[first]), int(ends[last - 1]) + 1)
        store.append(repeat_segments(block, starts[first:last] - starts[first],
                                     lengths[first:last], counts[first:last]))
        first = last
    n_words = int(np.dot(counts, lengths - 1))
    return EncodedCorpus(corpus.vocab, store.finish(), n_words, int(counts.sum()),
                         f"{corpus.name} (bootstrap sample)", phrase_passes=corpus.phrase_passes)
