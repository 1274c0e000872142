"""CBOW: the mean of a centre's context vectors predicts the centre (word2vec ``-cbow 1``).

As in word2vec (and gensim with ``cbow_mean=1``), the gradient with respect to the mean is
added in full to every context word's input vector (not divided by their number).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .objective import Batch, Examples
from .pairs import context_spans, segment_starts, window_contexts
from .scatter import segment_scatter, segment_sum

if TYPE_CHECKING:
    from .worker import Worker


class Cbow:
    """One example per centre with a context; centres interleaved (:func:`cbow_examples`,
    built as :func:`interleaved_examples`)."""

    name: ClassVar[str] = "CBOW"
    #: twice word2vec's start, as gensim 4 starts both modes: a mean of context vectors is
    #: smaller than each, and CBOW learnt slower from the smaller start (measurements:
    #: benchmarks/README.md, "training/cbow.py")
    init_scale: ClassVar[float] = 2.0

    def inputs_per_example(self, window: int) -> float:
        return window + 1.0  # about half of the 2 * window contexts, after reduced windows

    def examples(
        self, sentence_ids: np.ndarray, reduced_windows: np.ndarray, window: int
    ) -> Examples:
        centres, indptr, inputs = interleaved_examples(sentence_ids, reduced_windows, window)
        return Examples(outputs=centres, inputs=inputs, indptr=indptr)

    def step(self, worker: Worker, batch: Batch, noise: np.ndarray, alpha: float) -> float:
        assert batch.indptr is not None
        m = len(batch)
        h = worker.layer.hidden(m)
        h.fill(0.0)
        counts = np.diff(batch.indptr)
        means = np.repeat(np.reciprocal(counts, dtype=np.float32), counts)
        segment_sum(h, batch.indptr, batch.inputs, means, worker.W_in)  # h[i] = mean of its contexts
        loss, grad_h = worker.layer.update(
            batch.outputs, noise, alpha, batch.weights, batch.collisions
        )
        segment_scatter(worker.W_in, batch.indptr, batch.inputs, grad_h)
        return loss


def cbow_examples(
    centres: np.ndarray, contexts: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A chunk's CBOW examples from its centre-major pairs, in the order CBOW trains them.

    Every centre with a context is one example. Examples are visited by position modulo
    ``2 * window + 1``: the centres at positions 0, 11, 22, ... (window 5), then 1, 12,
    23, ..., and so on. Centres close in text share most of their context words, and a
    minibatch sums updates computed at the same point; in text order each input vector got
    up to ``2 * window`` such stale updates per minibatch, one per neighbouring centre, and
    CBOW's analogy accuracy was below gensim's (sequential SGD; measurements:
    benchmarks/README.md, "training/cbow.py"). Centres ``2 * window + 1`` apart share no
    context position, and the next run of the order sees the updates of the previous one,
    much as sequential SGD would.

    Parameters
    ----------
    centres, contexts : ndarray of int
        Centre-major pairs of positions, as :func:`make_pairs` returns them.
    window : int
        The maximum window.

    Returns
    -------
    example_centres : ndarray (m,)
        Position of each example's centre, in training order.
    indptr : ndarray (m + 1,) of int32
        Example ``i``'s context positions are ``contexts[indptr[i]:indptr[i + 1]]``.
    contexts : ndarray
        The context positions, example after example (each example's in text order).
    """
    starts = segment_starts(centres)
    first = centres[starts[:-1]]
    stride = 2 * window + 1  # at most 2001 (window <= 1000): int16 keys sort by radix
    order = np.argsort((first % stride).astype(np.int16), kind="stable")
    lengths = np.diff(starts)[order]
    indptr = np.zeros(len(order) + 1, dtype=np.int32)
    np.cumsum(lengths, out=indptr[1:])
    shift = np.repeat(starts[:-1][order] - indptr[:-1], lengths)
    return first[order], indptr, contexts[shift + np.arange(indptr[-1], dtype=np.int32)]


def interleaved_examples(
    sentence_ids: np.ndarray, reduced_windows: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`cbow_examples` of a chunk's pairs, built in training order without the pairs.

    The centres are visited by position modulo ``2 * window + 1`` from the start, and each
    one's contexts made as a run around it (:func:`~w2v_core.training.pairs.window_contexts`):
    no centre-major pairs to group, sort and gather again (measurements:
    benchmarks/README.md, "training/cbow.py").

    ``sentence_ids``, ``reduced_windows`` and ``window`` are the chunk's, as
    :func:`~w2v_core.training.pairs.make_pairs` takes them.

    Returns
    -------
    example_centres, indptr, contexts
        As :func:`cbow_examples` returns them for ``make_pairs``' pairs of the chunk.
    """
    n = len(sentence_ids)
    stride = 2 * window + 1
    rows = -(-n // stride)
    order = np.arange(rows * stride, dtype=np.int32).reshape(rows, stride).T.ravel()
    order = order[order < n]  # by position modulo the stride, then by position
    left, right = context_spans(sentence_ids, reduced_windows)
    left, right = left[order], right[order]
    has_context = (left + right) > 0
    centres, left, right = order[has_context], left[has_context], right[has_context]
    indptr = np.zeros(len(centres) + 1, dtype=np.int32)
    np.cumsum(left + right, out=indptr[1:])
    return centres, indptr, window_contexts(centres, left, right)[1]
