"""Skip-gram with negative sampling, vectorised in NumPy, with word2vec's semantics.

Semantics follow the original C tool: a reduced window drawn per centre word, frequent
words subsampled with the C formula (re-drawn every epoch), negatives drawn from the
unigram distribution raised to 0.75, input vectors initialised uniform in
``(-0.5, 0.5) / dim`` (CBOW: ``(-1, 1) / dim``, as gensim 4; :data:`CBOW_INIT_SCALE`), output
vectors zero, and a learning rate decaying linearly over all
words of all epochs. Each context word's input vector predicts the centre word, as in the
C tool and gensim; with ``cbow=True`` the mean of the context vectors predicts it (CBOW).

Vectorised: pairs are generated per chunk of the corpus with array operations; updates
are applied per minibatch of pairs, gathered with ``take`` into preallocated buffers and
scattered back with a compiled sparse kernel (see :mod:`w2v_core.scatter`). No Python loop
runs per token or per pair. CBOW trains a chunk's centres interleaved (every
``2 * window + 1``-th position, then the next ones: :func:`cbow_examples`), so that the
centres of a minibatch do not share context positions.

Noise words: by default (``shared_negatives=16``) consecutive pairs of a minibatch form groups
that share their noise words, weighted so that each pair's expected gradient is word2vec's;
scores and gradients become small matrix products (several times less work per pair than
word2vec's dot products and row updates, and only a few noise rows to gather and update).
``shared_negatives=0`` draws ``negative`` noise words per pair, exactly as word2vec.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.connection import wait as wait_for_any
from dataclasses import replace

import numpy as np

from .blas import single_threaded_blas
from .callbacks import (
    Callback,
    CallbackList,
    StopTraining,
    TrainingControl,
    TrainingEvent,
    TrainingStart,
)
from .config import TrainConfig, flag, resolve_epochs
from .corpus import Corpus
from .divergence import DivergenceGuard
from .encoding import EncodedCorpus, encode_corpus
from .errors import CorpusError, TrainingWorkerError
from .model import Model, TrainingSummary
from .processes import (
    ChildControl,
    ChildProgress,
    MirroredControl,
    SharedState,
    processes_supported,
    shared_array,
)
from .sampling import AliasTable, subsample
from .scatter import scatter_outer, segment_scatter, segment_sum
from .vectors import KeyedVectors

#: Tokens per chunk of pair generation. Each training thread holds one chunk's pairs; 4k tokens
#: kept 2 MB less resident than 10k with two threads here (2M words, 20k-word vocabulary),
#: at the same speed, and loses ~0.05% of the pairs to chunk borders.
CHUNK_TOKENS = 4000
#: Most summed updates one word's vector may expect in one minibatch. Minibatch SGD sums the
#: updates of a repeated word computed at the same point; past ~100 such terms per row the
#: step overshoots and training diverges (measured on a 47-word corpus: 512 pairs per batch
#: trained, 1024 blew up). Small vocabularies therefore get smaller batches.
MAX_ROW_UPDATES = 80
#: CBOW's input vectors start uniform in ``(-1, 1) / dim``, twice word2vec's ``(-0.5, 0.5) / dim``,
#: as gensim 4 starts both modes. A CBOW hidden vector is a mean of context vectors, smaller
#: than each, and from the smaller start CBOW learnt slower: corpus a (4.8M words, 5 epochs,
#: one thread) analogy 10.8% -> 11.3%, gensim's CBOW 11.6%. Skip-gram keeps word2vec's start.
CBOW_INIT_SCALE = 2.0
#: Seconds between progress events (the hook promises 2 to a few dozen per second).
PROGRESS_INTERVAL = 0.2
_SCORE_CLIP = 30.0
#: The clock of progress and timing (a module attribute so that tests can drive time).
_clock = time.perf_counter


# --------------------------------------------------------------------------- kernels
def make_pairs(
    ids: np.ndarray, sentence_ids: np.ndarray, reduced_windows: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """All (centre, context) position pairs of a chunk, centre-major as word2vec visits them.

    Parameters
    ----------
    ids : ndarray (n,)
        Token ids after subsampling (only its length is used).
    sentence_ids : ndarray (n,)
        Sentence number per token; pairs never cross sentences.
    reduced_windows : ndarray (n,)
        Effective window of each centre, in ``1..window``.
    window : int
        The maximum window.

    Returns
    -------
    centres, contexts : ndarray of int32
        Positions into ``ids``; for each centre, contexts run from the leftmost to the
        rightmost, as in the C tool's loop.
    """
    n = len(ids)
    index = np.int32 if n < 2**31 - window else np.int64
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)]).astype(index)
    positions = np.arange(n, dtype=index)[:, None]
    contexts = positions + offsets[None, :]
    valid = np.abs(offsets)[None, :] <= reduced_windows[:, None]
    valid &= contexts >= 0
    valid &= contexts < n
    np.clip(contexts, 0, max(n - 1, 0), out=contexts)  # invalid ones are masked already
    valid &= sentence_ids[contexts] == sentence_ids[:, None]
    centres = np.broadcast_to(positions, contexts.shape)[valid]
    return centres, contexts[valid]


def sgns_loss_and_grads(
    h: np.ndarray, U: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss and gradients of one SGNS minibatch, written for checking against finite differences.

    Parameters
    ----------
    h : ndarray (B, d)
        Input vectors of the context words.
    U : ndarray (B, K+1, d)
        Output vectors: column 0 the centre (positive) word, columns 1.. the noise words.
    valid : ndarray (B, K+1) of bool
        False for noise words that equal the positive word (skipped, as word2vec does).

    Returns
    -------
    loss : ndarray (B,)
        ``-log s(u0.h) - sum_k log s(-uk.h)`` per pair.
    grad_h : ndarray (B, d)
        d loss / d h.
    grad_U : ndarray (B, K+1, d)
        d loss / d U.
    """
    scores = np.einsum("bkd,bd->bk", U, h)
    labels = np.zeros_like(scores)
    labels[:, 0] = 1.0
    sig = 1.0 / (1.0 + np.exp(-scores))
    dscores = (sig - labels) * valid
    signs = np.where(labels > 0, 1.0, -1.0)
    loss = (np.logaddexp(0.0, -signs * scores) * valid).sum(axis=1)
    grad_h = np.einsum("bk,bkd->bd", dscores, U)
    grad_U = dscores[:, :, None] * h[:, None, :]
    return loss, grad_h, grad_U


class _Worker:
    """One training thread's buffers and random stream; applies minibatch SGD steps.

    Two kernels, chosen by ``config.shared_negatives``:

    - exact (0): every pair has its own ``negative`` noise words, as in word2vec;
    - shared (N > 0): the pairs of a minibatch are cut into groups of ``group_size``
      consecutive pairs, and the pairs of one group share N noise words. A group's noise
      scores are one ``(group_size, d) @ (d, N)`` product; each noise term is weighted by
      ``negative / N`` so that a pair's expected gradient equals word2vec's.
    """

    def __init__(
        self,
        W_in: np.ndarray,
        W_out: np.ndarray,
        config: TrainConfig,
        seed,
        batch_size: int,
        group_size: int | None = None,
    ) -> None:
        self.W_in, self.W_out, self.config = W_in, W_out, config
        self.rng = np.random.default_rng(seed)
        self.shared = config.shared_negatives
        B, K, d = batch_size, config.negative, config.dim
        self.batch_size = B
        # the hidden vectors; once the output side is done with them, their gradient goes here
        self.h = np.empty((B, d), dtype=np.float32)
        self.ones = np.ones((B, 1), dtype=np.float32)
        self.labels = np.empty(len(W_in), dtype=np.int32)  #: scratch of burst_weights
        if self.shared:
            S = group_size or shared_group_size(B, K, self.shared)
            G, N = -(-B // S), self.shared
            self.group_size = S
            self.h = np.empty((G * S, d), dtype=np.float32)
            self.up = np.empty((B, d), dtype=np.float32)
            self.un = np.empty((G * N, d), dtype=np.float32)
            self.outputs = np.empty(G * S, dtype=np.int32)
            self.neg = np.empty((G, S, N), dtype=np.float32)
            self.grad_un = np.empty((G, N, d), dtype=np.float32)
            self.rows = np.arange(B, dtype=np.int32)[:, None]
            self.ones = np.ones((max(B, G * N), 1), dtype=np.float32)
        else:
            self.group_size = 1
            self.U = np.empty((B * (K + 1), d), dtype=np.float32)
            self.targets = np.empty((B, K + 1), dtype=np.int32)
            self.signs = np.full((B, K + 1), -1.0, dtype=np.float32)
            self.signs[:, 0] = 1.0
            self.grad_h3 = self.h[:, None, :]

    def noise_shape(self, pairs: int) -> tuple[int, int]:
        """Shape of the noise words :meth:`step` expects for a minibatch of ``pairs`` pairs."""
        if self.shared:
            return (-(-pairs // self.group_size), self.shared)
        return (pairs, self.config.negative)

    def step(
        self,
        inputs: np.ndarray,
        outputs: np.ndarray,
        noise: np.ndarray,
        alpha: float,
        weights: np.ndarray | None = None,
    ) -> float:
        """One skip-gram SGD step on a minibatch; returns the summed loss of its pairs.

        Parameters
        ----------
        inputs, outputs : ndarray (m,) of int32
            Context word (input vector) and centre word (output vector) of each pair.
        noise : ndarray of int32
            Exact mode: ``(m, negative)``, the noise words of each pair. Shared mode:
            ``(ceil(m / group_size), shared_negatives)``, row ``g`` shared by pairs
            ``g * group_size`` to ``(g + 1) * group_size - 1``. :meth:`noise_shape` gives it.
        alpha : float
            The learning rate applied.
        weights : ndarray (m,) of float32, optional
            Each pair's share of its gradient (:func:`burst_weights`); None: all 1.

        Returns
        -------
        float
            Summed loss of the pairs (shared mode: the noise terms weighted like the gradient).
        """
        m = len(inputs)
        # mode="clip": with out=, the default mode="raise" buffers the output (2.6x slower)
        self.W_in.take(inputs, axis=0, out=self.h[:m], mode="clip")
        loss, grad_h = self._output_step(outputs, noise, alpha, weights)
        scatter_outer(self.W_in, inputs[:, None], self.ones[:m], grad_h)
        return loss

    def step_cbow(
        self,
        contexts: np.ndarray,
        indptr: np.ndarray,
        outputs: np.ndarray,
        noise: np.ndarray,
        alpha: float,
        weights: np.ndarray | None = None,
    ) -> float:
        """One CBOW SGD step: the mean of each centre's context vectors predicts the centre.

        As in word2vec (and gensim with ``cbow_mean=1``), the gradient with respect to the
        mean is added in full to every context word's input vector (not divided by the
        number of context words).

        Parameters
        ----------
        contexts : ndarray (P,) of int32
            Context words of all centres, centre after centre.
        indptr : ndarray (m + 1,) of int32
            Centre ``i``'s context words are ``contexts[indptr[i]:indptr[i + 1]]`` (at least one).
        outputs : ndarray (m,) of int32
            The centre words.
        noise : ndarray of int32
            As in :meth:`step`, with one example per centre.
        alpha : float
            The learning rate applied.
        weights : ndarray (m,) of float32, optional
            Each example's share of its gradient (:func:`burst_weights`); None: all 1.

        Returns
        -------
        float
            Summed loss of the m examples.
        """
        m = len(outputs)
        h = self.h[:m]
        h.fill(0.0)
        counts = np.diff(indptr)
        means = np.repeat(np.reciprocal(counts, dtype=np.float32), counts)
        segment_sum(h, indptr, contexts, means, self.W_in)  # h[i] = mean of its contexts
        loss, grad_h = self._output_step(outputs, noise, alpha, weights)
        segment_scatter(self.W_in, indptr, contexts, grad_h)
        return loss

    def _output_step(
        self, outputs: np.ndarray, noise: np.ndarray, alpha: float, weights: np.ndarray | None
    ) -> tuple[float, np.ndarray]:
        """Scores of the hidden vectors in ``self.h[:m]`` against the centre words and the noise
        words; updates the output vectors; returns the loss and the (alpha-scaled) ascent
        direction for the hidden vectors, to be added to the input side. ``weights`` scale
        each example's gradient (not its loss)."""
        if self.shared:
            return self._output_shared(outputs, noise, alpha, weights)
        return self._output_exact(outputs, noise, alpha, weights)

    def _output_exact(
        self, outputs: np.ndarray, noise: np.ndarray, alpha: float, weights: np.ndarray | None
    ) -> tuple[float, np.ndarray]:
        m, K1 = len(outputs), self.config.negative + 1
        h = self.h[:m]
        targets = self.targets[:m]
        targets[:, 0] = outputs
        targets[:, 1:] = noise
        U = self.W_out.take(targets.ravel(), axis=0, out=self.U[: m * K1], mode="clip")
        U = U.reshape(m, K1, -1)
        scores = np.vecdot(U, h[:, None, :])  # 18% faster than matmul for these shapes
        np.clip(scores, -_SCORE_CLIP, _SCORE_CLIP, out=scores)
        signs = self.signs[:m]
        # loss and sigmoid from one exp: e = exp(-sign * score)
        e = np.exp(-signs * scores)
        valid = noise != outputs[:, None]
        per_term = np.log1p(e)
        per_term[:, 1:] *= valid
        loss = float(per_term.sum(dtype=np.float64))
        # gradient of the log-likelihood: (label - sigmoid(score)) = sign * e / (1 + e)
        g = signs * e / (1.0 + e)
        g[:, 1:] *= valid
        g *= np.float32(alpha)
        if weights is not None:
            g *= weights[:, None]
        scatter_outer(self.W_out, targets, g, h)  # (U is a copy: h's gradient sees old rows)
        grad_h = np.matmul(g[:, None, :], U, out=self.grad_h3[:m])[:, 0, :]  # over h
        return loss, grad_h

    def _output_shared(
        self, outputs: np.ndarray, noise: np.ndarray, alpha: float, weights: np.ndarray | None
    ) -> tuple[float, np.ndarray]:
        m, S, (G, N) = len(outputs), self.group_size, noise.shape
        n, d = G * S, self.W_in.shape[1]
        weight = self.config.negative / N
        h_all = self.h[:n]
        h = h_all[:m]
        if n > m:  # padding rows (last group) must give zero noise gradients
            h_all[m:] = 0.0
        up = self.W_out.take(outputs, axis=0, out=self.up[:m], mode="clip")
        un = self.W_out.take(noise.ravel(), axis=0, out=self.un[: G * N], mode="clip")
        un = un.reshape(G, N, d)
        hg = h_all.reshape(G, S, d)
        # positive scores row by row, noise scores as one product per group
        pos = np.vecdot(h, up)
        neg = np.matmul(hg, un.transpose(0, 2, 1), out=self.neg[:G])
        # only the side that could overflow exp is clipped (two ufuncs, not np.clip's four)
        np.maximum(pos, -_SCORE_CLIP, out=pos)
        np.minimum(neg, _SCORE_CLIP, out=neg)
        e_pos = np.exp(-pos)  # 1 - sigmoid(pos) = e_pos / (1 + e_pos)
        e_neg = np.exp(neg)  # sigmoid(neg) = e_neg / (1 + e_neg)
        self._skip_centres(e_neg, noise, outputs)  # e_neg = 0: no loss, no gradient
        loss = float(np.log1p(e_pos).sum()) + weight * float(
            np.log1p(e_neg).reshape(n, N)[:m].sum()
        )
        g_pos = e_pos / (1.0 + e_pos)
        g_pos *= np.float32(alpha)
        g_neg = np.divide(e_neg, 1.0 + e_neg, out=neg)
        g_neg *= np.float32(-alpha * weight)
        if weights is not None:
            g_pos *= weights
            g_neg.reshape(n, N)[:m] *= weights[:, None]
        # all gradients from the weights as they were (up and un are copies), then the updates
        grad_un = np.matmul(g_neg.transpose(0, 2, 1), hg, out=self.grad_un[:G])
        scatter_outer(self.W_out, outputs[:, None], g_pos[:, None], h)
        # h is used up: its gradient overwrites it (one (B, d) buffer less per worker)
        grad_h = np.matmul(g_neg, un, out=hg).reshape(n, d)[:m]
        scatter_outer(grad_h, self.rows[:m], g_pos[:, None], up)  # + g_pos * up, row-wise
        scatter_outer(self.W_out, noise.reshape(-1, 1), self.ones[: G * N], grad_un.reshape(G * N, d))
        return loss, grad_h

    def _skip_centres(self, e_neg: np.ndarray, noise: np.ndarray, outputs: np.ndarray) -> None:
        """Zero the terms whose noise word is the pair's own centre word, as word2vec skips them.

        Such collisions are few, so they are found in a (G, N, S) comparison, whose inner loop
        runs over S (several times faster than over N), and zeroed by flat index.
        """
        G, S, N = e_neg.shape
        centres = self.outputs[: G * S]
        m = len(outputs)
        centres[:m] = outputs
        centres[m:] = -1
        hits = np.flatnonzero(noise[:, :, None] == centres.reshape(G, 1, S))
        if hits.size:
            group, word, pair = np.unravel_index(hits, (G, N, S))
            e_neg[group, pair, word] = 0.0


def _segment_starts(centres: np.ndarray) -> np.ndarray:
    """Where each centre's run of pairs starts in centre-major pairs, and the end: an indptr."""
    if not len(centres):
        return np.zeros(1, dtype=np.int32)
    change = np.flatnonzero(centres[1:] != centres[:-1]) + 1
    return np.concatenate(([0], change, [len(centres)])).astype(np.int32)


def cbow_examples(
    centres: np.ndarray, contexts: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A chunk's CBOW examples from its centre-major pairs, in the order CBOW trains them.

    Every centre with a context is one example. Examples are visited by position modulo
    ``2 * window + 1``: the centres at positions 0, 11, 22, ... (window 5), then 1, 12,
    23, ..., and so on. Centres close in text share most of their context words, and a
    minibatch sums updates computed at the same point; in text order each input vector got
    up to ``2 * window`` such stale updates per minibatch, one per neighbouring centre, and
    CBOW's analogy accuracy was 1-1.6 points below gensim's (sequential SGD). Centres
    ``2 * window + 1`` apart share no context position, and the next run of the order sees
    the updates of the previous one, much as sequential SGD would.

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
    starts = _segment_starts(centres)
    first = centres[starts[:-1]]
    stride = 2 * window + 1  # at most 2001 (window <= 1000): int16 keys sort by radix
    order = np.argsort((first % stride).astype(np.int16), kind="stable")
    lengths = np.diff(starts)[order]
    indptr = np.zeros(len(order) + 1, dtype=np.int32)
    np.cumsum(lengths, out=indptr[1:])
    shift = np.repeat(starts[:-1][order] - indptr[:-1], lengths)
    return first[order], indptr, contexts[shift + np.arange(indptr[-1], dtype=np.int32)]


#: Weighted updates a drawn shared noise word's row gets from one group of pairs
#: (``group * negative / shared``). They add up coherently (the group's input vectors share
#: a common direction): 80 (groups of 256) diverged with two threads on the dictionary
#: corpus (10.4M words, 3 epochs; norms in the thousands), 20 (groups of 64) did not.
SHARED_ROW_UPDATES = 20


def shared_group_size(batch_size: int, negative: int, shared: int) -> int:
    """Pairs per group sharing noise words: a drawn noise word's row then gets at most
    :data:`SHARED_ROW_UPDATES` weighted updates per group (``group * negative / shared``)."""
    return max(1, min(batch_size, SHARED_ROW_UPDATES * shared // negative))


def effective_batch_size(
    batch_size: int,
    negative: int,
    counts: np.ndarray,
    keep_probabilities: np.ndarray,
    noise: np.ndarray,
    contexts_per_example: float = 1.0,
) -> int:
    """The minibatch size actually used: ``batch_size``, lowered for small vocabularies.

    The busiest output row expects ``B * (negative * noise[w] + kept_share[w])`` updates per
    minibatch of ``B`` examples, the busiest input row ``B * contexts_per_example *
    kept_share[w]`` (skip-gram: 1, one context per pair; CBOW: about ``window + 1``
    contexts per centre); ``B`` is capped so that both stay under
    :data:`MAX_ROW_UPDATES`. On ordinary corpora (thousands of words and more) the cap is
    above the default of 1024 for skip-gram and changes nothing.
    """
    kept = counts * keep_probabilities.astype(np.float64)
    kept_share = kept / kept.sum()
    share = np.maximum(negative * noise + kept_share, contexts_per_example * kept_share)
    cap = int(MAX_ROW_UPDATES / share.max())
    return max(1, min(batch_size, cap))


#: Largest step one row may take from one minibatch: the learning rate times its (weighted)
#: number of updates. At the default alpha 0.025 that is 40 updates of a row per minibatch.
MAX_ROW_STEP = 1.0


def burst_cap(alpha: float) -> int:
    """Most updates of one row per minibatch at learning rate ``alpha`` (:data:`MAX_ROW_STEP`)."""
    return max(1, int(MAX_ROW_STEP / alpha))


def burst_weights(
    ids: np.ndarray,
    outputs: np.ndarray,
    inputs: np.ndarray,
    batch_size: int,
    cap: int,
    indptr: np.ndarray | None = None,
    scratch: np.ndarray | None = None,
) -> np.ndarray | None:
    """Weights that keep every row's updates in each minibatch of a chunk under ``cap``.

    A minibatch sums the updates of a repeated row, all computed at the same point; past
    about one full step's worth of them (:func:`burst_cap`) the step overshoots.
    :func:`effective_batch_size` bounds the *expected* count from the words' frequencies, but
    text has bursts:
    a table or a listing repeats one word 30 to 200 times in a line, and a boilerplate line
    repeats whole. Here the rows are counted in the minibatches actually drawn, and an
    example whose output row or one of whose input rows occurs ``c > cap`` times in its
    minibatch gets the weight ``cap / c`` (its share of ``cap`` updates). Sequential SGD,
    which word2vec runs, saturates on a burst after a few updates; the weighted sum stays
    within ``cap`` updates' worth instead of growing with the burst. Where no row is over
    the cap the result is None and training is exactly word2vec's.

    Parameters
    ----------
    ids : ndarray (n,)
        The chunk's token ids (after subsampling).
    outputs : ndarray (m,)
        Position in ``ids`` of each example's output (centre) word, in training order.
    inputs : ndarray
        Positions in ``ids`` of the input words: one per example (skip-gram's context word),
        or example after example as ``indptr`` says (CBOW's context words).
    batch_size : int
        Examples per minibatch; example ``i`` is in minibatch ``i // batch_size``.
    cap : int
        Most updates of one row per minibatch.
    indptr : ndarray (m + 1,), optional
        Example ``i``'s inputs are ``inputs[indptr[i]:indptr[i + 1]]`` (each at least one).
    scratch : ndarray (V,) of int32, optional
        Room for a label per vocabulary word (``V > ids.max()``), reused from chunk to chunk.

    Returns
    -------
    ndarray (m,) of float32, or None
        Each example's weight in ``(0, 1]``; None when every weight would be 1.
    """
    m = len(outputs)
    per_example = 1 if indptr is None else int(np.diff(indptr).max(initial=0))
    if m == 0 or min(batch_size, m) * per_example <= cap:
        return None  # no minibatch holds more than cap updates of any row
    if scratch is None:
        scratch = np.empty(int(ids.max()) + 1, dtype=np.int32)
    # each word labelled by one of its positions: equal words share a label below n
    # (5x faster than np.unique's inverse, which sorts)
    n_rows = len(ids)
    scratch[ids] = np.arange(n_rows, dtype=np.int32)
    rows = scratch[ids]
    n_batches = -(-m // batch_size)
    batch = np.repeat(np.arange(0, n_batches * n_rows, n_rows, dtype=np.int64), batch_size)[:m]
    output_keys = batch + rows[outputs]  # (minibatch, row) as one number
    if indptr is not None:
        batch = np.repeat(batch, np.diff(indptr))
    input_keys = batch + rows[inputs]
    output_counts, input_counts = np.bincount(output_keys), np.bincount(input_keys)
    if max(output_counts.max(), input_counts.max()) <= cap:
        return None  # the common case: nothing over the cap, no count to look up per example
    busiest = output_counts[output_keys]
    if indptr is None:
        np.maximum(busiest, input_counts[input_keys], out=busiest)
    else:
        np.maximum(busiest, np.maximum.reduceat(input_counts[input_keys], indptr[:-1]), out=busiest)
    return np.minimum(np.float32(cap) / busiest.astype(np.float32), np.float32(1.0))


# --------------------------------------------------------------------------- training loop
class _Progress:
    """Shared, lock-protected counters turned into throttled :class:`TrainingEvent` s."""

    def __init__(self, callbacks: Callback, config: TrainConfig, corpus_words: int) -> None:
        self.callbacks = callbacks
        self.config = config
        self.corpus_words = corpus_words
        self.words_total = corpus_words * config.epochs
        self.lock = threading.Lock()
        self.words_done = 0
        self.pairs_total = 0
        self.pairs = 0
        self.loss_sum = 0.0
        self.last_loss = math.nan
        self.epoch = 1
        self.alpha = config.alpha
        self.started = _clock()
        self.paused_seconds = 0.0
        self.waiting = 0  # threads waiting in a pause
        self.wait_started = self.started
        self.last_emit = self.started
        #: cumulative (words, pairs, loss) per worker process, written by the processes
        self.children: np.ndarray | None = None
        self._children_seen = np.zeros(3)
        #: judges each event before the callbacks see it (raises TrainingDivergedError)
        self.guard: DivergenceGuard | None = None

    def elapsed(self) -> float:
        return _clock() - self.started - self.paused_seconds

    def wait_while_paused(self, control: TrainingControl) -> None:
        """Block while ``control`` is paused; the pause counts once however many threads wait.

        Paused time is the union of the threads' waits: from the moment the first thread
        starts waiting until the last one stops.
        """
        with self.lock:
            if self.waiting == 0:
                self.wait_started = _clock()
            self.waiting += 1
        try:
            control.wait_while_paused()
        finally:
            with self.lock:
                self.waiting -= 1
                if self.waiting == 0:
                    self.paused_seconds += _clock() - self.wait_started

    def add(self, words: int, pairs: int, loss_sum: float, alpha: float) -> None:
        with self.lock:
            self.words_done += words
            self.pairs += pairs
            self.pairs_total += pairs
            self.loss_sum += loss_sum
            self.alpha = alpha

    def collect(self) -> None:
        """Add what the worker processes reported since the last look."""
        if self.children is None:
            return
        totals = self.children.sum(axis=0)
        words, pairs, loss_sum = totals - self._children_seen
        self._children_seen = totals
        with self.lock:
            self.words_done += int(words)
            self.pairs += int(pairs)
            self.pairs_total += int(pairs)
            self.loss_sum += float(loss_sum)

    def event(self) -> TrainingEvent:
        """Build an event and reset the loss window (call with the lock free)."""
        self.collect()
        with self.lock:
            loss = self.loss_sum / self.pairs if self.pairs else math.nan
            if self.pairs:
                self.last_loss = loss
            pairs = self.pairs
            self.pairs, self.loss_sum = 0, 0.0
            words_done = min(self.words_done, self.words_total)
        elapsed = self.elapsed()
        speed = words_done / elapsed if elapsed > 0 else 0.0
        left = self.words_total - words_done
        return TrainingEvent(
            epoch=self.epoch,
            epochs=self.config.epochs,
            words_done=words_done,
            words_total=self.words_total,
            fraction=words_done / self.words_total if self.words_total else 1.0,
            loss=loss,
            pairs=pairs,
            learning_rate=self.alpha,
            words_per_second=speed,
            elapsed=elapsed,
            eta=left / speed if speed > 0 else math.inf,
        )

    def emit(self, force: bool = False) -> TrainingEvent | None:
        now = _clock()
        if not force and now - self.last_emit < PROGRESS_INTERVAL:
            return None
        self.last_emit = now
        event = self.event()
        if self.guard is not None:
            self.guard.check_event(event)
        self.callbacks.on_progress(event)
        return event


class Trainer:
    """Trains SGNS vectors on an encoded corpus.

    Use :func:`train` for the one-call version. A :class:`Trainer` exposes
    :meth:`snapshot` so another thread can look at the vectors while training runs.
    """

    def __init__(
        self,
        corpus: EncodedCorpus,
        config: TrainConfig = TrainConfig(),
        callbacks: Sequence[Callback] = (),
        control: TrainingControl | None = None,
        processes: bool | None = None,
    ) -> None:
        epochs, self.epochs_reason = resolve_epochs(config.validate().epochs, corpus.n_words)
        self.config = config = replace(config, epochs=epochs)  #: epochs resolved
        self.corpus = corpus
        self.callbacks = CallbackList(list(callbacks))
        self.control = control or TrainingControl()
        vocab = corpus.vocab
        if corpus.n_words <= 1 or corpus.n_sentences >= corpus.n_words:
            raise CorpusError(
                f"corpus is too small to train on: {corpus.n_words} words in the vocabulary "
                "and no sentence with two of them"
            )
        rng = np.random.default_rng(config.seed)
        V, d = len(vocab), config.dim
        self._shared = self._shared_state(config.threads, processes)
        if self._shared is not None:  # weights in shared memory, for the worker processes
            self.W_in = rng.random(out=shared_array((V, d)), dtype=np.float32)
            self.W_out = shared_array((V, d))
        else:
            self.W_in = rng.random((V, d), dtype=np.float32)  # in place: no (V, d) temporaries
            self.W_out = np.zeros((V, d), dtype=np.float32)
        self.W_in -= 0.5
        self.W_in /= d
        if config.cbow:
            self.W_in *= CBOW_INIT_SCALE
        self._keep_prob = vocab.keep_probabilities(config.sample)
        noise = vocab.noise_distribution(0.75)
        self._noise = AliasTable(noise)
        self.batch_size = effective_batch_size(
            config.batch_size, config.negative, vocab.counts, self._keep_prob, noise,
            contexts_per_example=config.window + 1 if config.cbow else 1,
        )
        self._seeds = np.random.SeedSequence(config.seed).spawn(config.threads)

    @staticmethod
    def _shared_state(threads: int, processes: bool | None) -> SharedState | None:
        """Shared state for ``threads - 1`` worker processes, or None to train in threads.

        ``processes``: None chooses processes wherever they work (Linux), True asks for them
        (still threads where they do not work), False keeps threads.
        """
        if threads < 2 or processes is False or not processes_supported():
            return None
        try:
            return SharedState(threads - 1)
        except OSError:  # no shared semaphores here (e.g. no /dev/shm): threads
            return None

    @property
    def uses_processes(self) -> bool:
        """Does training run in worker processes (else in threads)?"""
        return self._shared is not None

    @property
    def _wants_epoch_snapshots(self) -> bool:
        """Copy the vectors at epoch ends only for callbacks that look at them."""
        return any(
            type(cb).on_epoch_end is not Callback.on_epoch_end for cb in self.callbacks.callbacks
        )

    # ------------------------------------------------------------------ public
    def snapshot(self) -> KeyedVectors:
        """A copy of the current input vectors (safe to query while training goes on)."""
        vocab = self.corpus.vocab
        return KeyedVectors(vocab.words, self.W_in.copy(), vocab.counts)

    def model(self, summary: TrainingSummary | None = None) -> Model:
        vocab = self.corpus.vocab
        return Model(KeyedVectors(vocab.words, self.W_in, vocab.counts), self.W_out, self.config, summary)

    def train(self) -> Model:
        """Run all epochs (or until stopped); return the model trained so far."""
        config = self.config
        progress = _Progress(self.callbacks, config, self.corpus.n_words)
        progress.guard = guard = DivergenceGuard(
            (self.W_in, self.W_out),
            config.negative,
            remedy=f"lower {flag('alpha')} (now {config.alpha:g}) or {flag('batch_size')} "
            f"(now {config.batch_size})",
        )
        if self._shared is not None:
            progress.children = self._shared.totals
        # with worker processes, each epoch makes its workers after forking (see
        # _run_epoch_in_processes)
        seeds = [] if self._shared is not None else self._seeds
        workers = [_Worker(self.W_in, self.W_out, config, s, self.batch_size) for s in seeds]
        stopped = False
        # minibatch products are small: BLAS threads would only compete with ours
        limit = single_threaded_blas()
        try:
            self.callbacks.on_train_begin(
                TrainingStart(
                    len(self.corpus.vocab),
                    self.corpus.n_words,
                    progress.words_total,
                    config,
                    snapshot=self.snapshot,
                    epochs_reason=self.epochs_reason,
                )
            )
            for epoch in range(config.epochs):
                progress.epoch = epoch + 1
                stopped = self._run_epoch(epoch, workers, progress)
                if stopped:
                    break
                if progress.pairs_total == 0:
                    raise CorpusError(
                        f"corpus is too small to train on: {self.corpus.n_words} words gave no "
                        f"(centre, context) pair in a whole epoch after subsampling "
                        f"(sample={config.sample:g}); add text or lower sample"
                    )
                event = progress.emit(force=True)
                guard.check_all(event.epoch, event.fraction)  # before anything is saved
                if self._wants_epoch_snapshots:
                    self.callbacks.on_epoch_end(event, self.snapshot())
        except StopTraining:
            stopped = True
        finally:
            limit.restore_original_limits()
        final = progress.event()
        guard.check_all(final.epoch, final.fraction)  # stopped mid-epoch: still never garbage
        seconds = progress.elapsed()
        summary = TrainingSummary(
            corpus_words=self.corpus.n_words,
            words_trained=final.words_done,
            pairs_trained=progress.pairs_total,
            epochs_completed=final.words_done / max(self.corpus.n_words, 1),
            seconds=seconds,
            final_loss=progress.last_loss,
            stopped_early=stopped,
        )
        model = self.model(summary)
        self.callbacks.on_train_end(final, model)
        return model

    # ------------------------------------------------------------------ internals
    def _run_epoch(self, epoch: int, workers: list[_Worker], progress: _Progress) -> bool:
        """Train one epoch; return True if stopped."""
        chunks = list(self.corpus.chunks(CHUNK_TOKENS))
        if self._shared is not None:
            return self._run_epoch_in_processes(epoch, chunks, progress)
        lock = threading.Lock()
        queue = iter(chunks)

        def take() -> tuple[int, int] | None:
            with lock:
                return next(queue, None)

        if len(workers) == 1:
            return self._consume(take, workers[0], epoch, progress, self.control, True)
        results: list[bool] = []
        errors: list[BaseException] = []

        def run(worker: _Worker) -> None:
            try:
                emitter = worker is workers[0]
                results.append(self._consume(take, worker, epoch, progress, self.control, emitter))
            except BaseException as exc:  # re-raised in the calling thread
                errors.append(exc)
                self.control.stop()

        threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in workers[1:]]
        for t in threads:
            t.start()
        run(workers[0])
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return any(results) or self.control.stopped

    def _run_epoch_in_processes(
        self, epoch: int, chunks: list[tuple[int, int]], progress: _Progress
    ) -> bool:
        """One epoch with workers 1.. forked as processes and worker 0 in this thread."""
        shared = self._shared
        assert shared is not None
        shared.reset_chunks()
        take = shared.chunk_taker(chunks)
        control = MirroredControl(self.control, shared.flags)
        control.publish()
        child_control = ChildControl(shared.flags)
        seeds = [seed.spawn(1)[0] for seed in self._seeds]  # a new stream each epoch

        def child(i: int) -> None:  # runs in the forked process
            worker = _Worker(self.W_in, self.W_out, self.config, seeds[i + 1], self.batch_size)
            child_progress = ChildProgress(shared.totals[i])
            self._consume(take, worker, epoch, child_progress, child_control, False)

        children = shared.run_children(child)
        try:
            # made after the fork: pages this process writes are then not also kept, as
            # copy-on-write originals, by the children (1.5 MB less at 1024 pairs x 100 dims)
            worker = _Worker(self.W_in, self.W_out, self.config, seeds[0], self.batch_size)
            stopped = self._consume(take, worker, epoch, progress, control, True)
            del worker
            pending = list(children)
            while pending:  # report their progress and pass on pause and stop meanwhile
                if control.paused:
                    progress.wait_while_paused(control)
                stopped = control.stopped or stopped
                for c in wait_for_any(pending, timeout=PROGRESS_INTERVAL):
                    if not c.read(timeout=0):  # its answer is all in
                        pending.remove(c)
                progress.emit()
        except BaseException:
            shared.flags[SharedState.STOP] = 1
            for c in children:
                c.wait()
            raise
        finally:
            shared.children_ended()
        progress.collect()
        for c in children:
            try:
                c.result()
            except TrainingWorkerError:
                raise
            except Exception as error:  # the child's own exception, sent back
                raise TrainingWorkerError(
                    f"a training worker process failed: {type(error).__name__}: {error}"
                ) from error
        return stopped or self.control.stopped

    def _consume(self, take, worker: _Worker, epoch: int, progress, control, emitter: bool) -> bool:
        """Train the chunks this worker takes with ``take()``; the emitter also reports."""
        # overflow only happens in a diverging run, which the loss check reports clearly
        with np.errstate(over="ignore", invalid="ignore"):
            return self._consume_chunks(take, worker, epoch, progress, control, emitter)

    def _consume_chunks(
        self,
        take: Callable[[], tuple[int, int] | None],
        worker: _Worker,
        epoch: int,
        progress,
        control,
        emitter: bool,
    ) -> bool:
        config, corpus = self.config, self.corpus
        stream = corpus.store.size
        total = stream * config.epochs
        B = self.batch_size

        def learning_rate(position: float) -> float:
            """word2vec's linear decay over the stream of all epochs."""
            alpha = config.alpha - (config.alpha - config.min_alpha) * (position / total)
            return max(alpha, config.min_alpha)

        while True:
            chunk = take()
            if chunk is None:
                return False
            start, end = chunk
            ids, sentence_ids = corpus.read_chunk(start, end)
            chunk_words = len(ids)
            rng = worker.rng
            keep = subsample(ids, self._keep_prob, rng)
            ids, sentence_ids = ids[keep], sentence_ids[keep]
            reduced = rng.integers(1, config.window + 1, size=len(ids))
            centres, contexts = make_pairs(ids, sentence_ids, reduced, config.window)
            # the learning rate falls with the position in the stream, a close proxy for words
            position = epoch * stream + start
            cap = burst_cap(learning_rate(position))
            if config.cbow:  # one example per centre: its contexts are a segment of the pairs
                example_centres, segments, contexts = cbow_examples(centres, contexts, config.window)
                weights = burst_weights(ids, example_centres, contexts, B, cap, segments, worker.labels)
                outputs = ids[example_centres]
            else:
                weights = burst_weights(ids, centres, contexts, B, cap, scratch=worker.labels)
                outputs = ids[centres]
            inputs = ids[contexts]
            n_examples = len(outputs)
            chunk_length = end - start
            words_reported = 0
            noise_batches = self._noise_batches(worker, n_examples, B, rng)
            for b0, noise in zip(range(0, n_examples, B), noise_batches):
                if control.stopped:
                    return True
                if control.paused:
                    progress.wait_while_paused(control)
                b1 = min(b0 + B, n_examples)
                done_here = chunk_words * b1 // n_examples
                alpha = learning_rate(position + chunk_length * b0 / n_examples)
                batch_weights = None if weights is None else weights[b0:b1]
                if config.cbow:
                    first, last = segments[b0], segments[b1]
                    loss = worker.step_cbow(
                        inputs[first:last], segments[b0 : b1 + 1] - first, outputs[b0:b1], noise,
                        alpha, batch_weights,
                    )
                else:
                    loss = worker.step(inputs[b0:b1], outputs[b0:b1], noise, alpha, batch_weights)
                progress.add(done_here - words_reported, b1 - b0, loss, alpha)
                words_reported = done_here
                if emitter:
                    progress.emit()
            progress.add(chunk_words - words_reported, 0, 0.0, progress.alpha)
            if emitter:
                progress.emit()


    def _noise_batches(self, worker: _Worker, n_pairs: int, B: int, rng) -> Iterable[np.ndarray]:
        """The noise words of each minibatch of a chunk, in the shape ``worker.step`` takes.

        Shared noise is drawn once per chunk (a few thousand words; one draw instead of one
        per minibatch). Per-pair noise is drawn per minibatch, so that the draw's
        temporaries stay small.
        """
        if not worker.shared:
            for b0 in range(0, n_pairs, B):
                yield self._noise.draw(worker.noise_shape(min(B, n_pairs - b0)), rng)
            return
        rows, width = worker.noise_shape(B)
        n_batches = -(-n_pairs // B)
        block = self._noise.draw((n_batches * rows, width), rng)
        for i, b0 in enumerate(range(0, n_pairs, B)):
            used = worker.noise_shape(min(B, n_pairs - b0))[0]
            yield block[i * rows : i * rows + used]


def prepare_corpus(
    corpus: str | Corpus | Iterable[list[str]],
    min_count: int = 5,
    max_vocab: int | None = None,
    control: TrainingControl | None = None,
    isolate: bool | None = None,
) -> EncodedCorpus:
    """Read, count and encode a corpus (see :func:`w2v_core.encoding.encode_corpus`).

    A stop asked through ``control`` while the corpus is read raises
    :class:`~w2v_core.callbacks.ReadingStopped`. On Linux the corpus is read in a forked
    child process (``isolate``; False reads here, e.g. for an iterable with side effects).
    """
    return encode_corpus(
        corpus, min_count=min_count, max_vocab=max_vocab, control=control, isolate=isolate
    )


def train(
    corpus: str | Corpus | EncodedCorpus | Iterable[list[str]],
    config: TrainConfig = TrainConfig(),
    callbacks: Sequence[Callback] = (),
    control: TrainingControl | None = None,
) -> Model:
    """Train SGNS word vectors.

    Parameters
    ----------
    corpus : str, Corpus, EncodedCorpus or iterable of token lists
        A corpus spec (see :func:`w2v_core.corpus.open_corpus`), an opened corpus, an
        already encoded corpus (its vocabulary is used as is), or sentences.
    config : TrainConfig
    callbacks : sequence of Callback
        Told about the start, progress, epoch ends and the end.
    control : TrainingControl, optional
        Lets another thread pause or stop training.

    Returns
    -------
    Model
        The trained model; if stopped early, the model trained so far.

    Raises
    ------
    ConfigError, CorpusError, TrainingDivergedError
    ReadingStopped
        Stopped through ``control`` before training began (nothing trained yet).
    """
    config.validate()
    if not isinstance(corpus, EncodedCorpus):
        corpus = prepare_corpus(corpus, config.min_count, config.max_vocab, control)
    return Trainer(corpus, config, callbacks, control).train()
