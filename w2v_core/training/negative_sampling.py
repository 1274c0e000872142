"""The output layer of word2vec: negative sampling, scored and updated a minibatch at a time.

Whatever forms the hidden vectors (a context word's vector in skip-gram, a mean of them in
CBOW: :mod:`w2v_core.training.objective`), this layer scores them against the centre word
and the noise words, updates the output vectors and hands back the hidden vectors'
gradient. Two kernels, chosen by ``config.shared_negatives``:

- exact (0): every example has its own ``negative`` noise words, as in word2vec;
- shared (N > 0): the examples of a minibatch are cut into groups of ``group_size``
  consecutive examples that share N noise words. A group's noise scores are one
  ``(group_size, d) @ (d, N)`` product; each noise term is weighted by ``negative / N``, so
  that an example's expected gradient equals word2vec's. Several times less work per
  example than word2vec's dot products and row updates (measurements: benchmarks/README.md,
  "The kernel alone").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from ..config import TrainConfig
from .scatter import scatter_outer

#: Weighted updates a drawn shared noise word's row gets from one group of examples
#: (``group * negative / shared``). They add up coherently (the group's hidden vectors share
#: a common direction): 80 diverged where 20 did not (measurements: benchmarks/README.md,
#: "training/negative_sampling.py").
SHARED_ROW_UPDATES = 20
#: Noise terms compared with their examples' centre words at once (one byte each).
COMPARED_TERMS = 1 << 16
#: Scores are clipped here before ``exp``: past it the sigmoid is 0 or 1 in float32 anyway.
SCORE_CLIP = 30.0
#: Loss terms ``1 + e`` (each at most ``1 + e**SCORE_CLIP``) multiplied in float64 before one
#: ``log``: 23 such factors still fit (23 * 30 < 709).
LOG_FACTORS = 16


def sum_of_logs(q: np.ndarray) -> float:
    """Sum of ``log(q)`` over ``q >= 1`` (each at most ``1 + e**SCORE_CLIP``; NaN propagates).

    The values are multiplied :data:`LOG_FACTORS` at a time in float64 and the products'
    logs summed: a sixteenth of the logs, and more exact than float32 logs summed. On AVX2
    hosts NumPy's float32 ``log`` is slow enough to be a visible share of training
    (measurements: benchmarks/README.md, "training/negative_sampling.py").
    """
    flat = q.reshape(-1)
    cut = len(flat) - len(flat) % LOG_FACTORS
    products = np.multiply.reduce(flat[:cut].reshape(LOG_FACTORS, -1), axis=0, dtype=np.float64)
    return float(np.log(products).sum() + np.log(flat[cut:].astype(np.float64)).sum())


def shared_group_size(batch_size: int, negative: int, shared: int) -> int:
    """Examples per group sharing noise words: a drawn noise word's row then gets at most
    :data:`SHARED_ROW_UPDATES` weighted updates per group (``group * negative / shared``)."""
    return max(1, min(batch_size, SHARED_ROW_UPDATES * shared // negative))


def whole_groups(batch_size: int, negative: int, shared: int) -> int:
    """``batch_size`` cut down to whole groups of :func:`shared_group_size` when it holds at
    least 8 of them (the cut is then under an eighth): a padded group costs a whole group's
    products (measurements: benchmarks/README.md, "training/negative_sampling.py"). Smaller
    minibatches (small vocabularies) and per-example noise keep their size."""
    if not shared:
        return batch_size
    group = shared_group_size(batch_size, negative, shared)
    return batch_size - batch_size % group if batch_size >= 8 * group else batch_size


class NegativeSampling:
    """One worker's negative-sampling layer: its buffers, sized for minibatches of ``batch_size``.

    The objective writes the hidden vectors of a minibatch of ``m`` examples into
    ``hidden(m)``; :meth:`update` then scores them, updates ``W_out`` and returns the
    hidden vectors' gradient (in place of them: the buffer is reused).
    """

    def __init__(
        self, W_out: np.ndarray, config: TrainConfig, batch_size: int, group_size: int | None = None
    ) -> None:
        self.W_out = W_out
        self.negative, self.shared = config.negative, config.shared_negatives
        B, K, d = batch_size, config.negative, config.dim
        self.batch_size = B
        self.ones = np.ones((B, 1), dtype=np.float32)
        if self.shared:
            S = group_size or shared_group_size(B, K, self.shared)
            G, N = -(-B // S), self.shared
            self.group_size = S
            self.h = np.empty((G * S, d), dtype=np.float32)
            self.up = np.empty((B, d), dtype=np.float32)
            self.un = np.empty((G * N, d), dtype=np.float32)
            self.neg = np.empty((G, S, N), dtype=np.float32)
            self.grad_un = np.empty((G, N, d), dtype=np.float32)
            self.rows = np.arange(B, dtype=np.int32)[:, None]
            self.ones = np.ones((max(B, G * N), 1), dtype=np.float32)
        else:
            self.group_size = 1
            self.h = np.empty((B, d), dtype=np.float32)
            self.U = np.empty((B * (K + 1), d), dtype=np.float32)
            self.targets = np.empty((B, K + 1), dtype=np.int32)
            self.signs = np.full((B, K + 1), -1.0, dtype=np.float32)
            self.signs[:, 0] = 1.0
            self.grad_h3 = self.h[:, None, :]

    def hidden(self, m: int) -> np.ndarray:
        """The buffer for the hidden vectors of a minibatch of ``m`` examples, ``(m, dim)``."""
        return self.h[:m]

    def noise_shape(self, examples: int) -> tuple[int, int]:
        """Shape of the noise words :meth:`update` expects for a minibatch of ``examples``."""
        if self.shared:
            return (-(-examples // self.group_size), self.shared)
        return (examples, self.negative)

    def noise_batches(
        self,
        draw: Callable[[tuple[int, int], np.random.Generator], np.ndarray],
        outputs: np.ndarray,
        rng: np.random.Generator,
    ) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        """The noise words of each minibatch of a chunk whose examples have the centre words
        ``outputs``, in :meth:`noise_shape`, drawn with ``draw(shape, rng)``, each with its
        :meth:`centre_collisions` (None for per-example noise: compared in :meth:`update`).

        Shared noise is drawn, and compared with the centre words, once per chunk (one draw
        and one comparison instead of one per minibatch); per-example noise is drawn per
        minibatch, so that the draw's temporaries stay small.
        """
        B, n_examples = self.batch_size, len(outputs)
        if not self.shared:
            for b0 in range(0, n_examples, B):
                yield draw(self.noise_shape(min(B, n_examples - b0)), rng), None
            return
        rows, width = self.noise_shape(B)
        n_batches = -(-n_examples // B)
        block = draw((n_batches * rows, width), rng)
        collisions = self.centre_collisions(block, outputs)
        for i, b0 in enumerate(range(0, n_examples, B)):
            used = self.noise_shape(min(B, n_examples - b0))[0]
            yield block[i * rows : i * rows + used], collisions[i]

    def centre_collisions(self, noise: np.ndarray, outputs: np.ndarray) -> list[np.ndarray]:
        """Where a shared noise word is its example's own centre word (word2vec skips it).

        Parameters
        ----------
        noise : ndarray (rows, N) of int
            The noise words of consecutive minibatches of ``batch_size`` examples, in
            :meth:`noise_shape` each (the last may have fewer rows).
        outputs : ndarray (m,) of int
            The centre word of each example of those minibatches.

        Returns
        -------
        list of ndarray of intp
            For each minibatch, the flat positions of the colliding terms in its
            ``(G, group_size, N)`` noise scores. Collisions are few, so all minibatches of a
            chunk are compared together, in ``(rows, N, group_size)`` comparisons (their inner
            loop over the group: several times faster than over N) of at most
            :data:`COMPARED_TERMS` terms each.
        """
        B, S, N = self.batch_size, self.group_size, noise.shape[1]
        per_batch = -(-B // S)  # groups of a full minibatch
        m = len(outputs)
        n_batches = max(1, -(-m // B))
        centres = np.full(n_batches * per_batch * S, -1, dtype=np.result_type(noise, np.int8))
        if per_batch * S == B:
            centres[:m] = outputs
        else:  # each minibatch's last group is padded
            example = np.arange(m)
            centres[example // B * (per_batch * S) + example % B] = outputs
        table = centres.reshape(-1, 1, S)[: len(noise)]
        # compared COMPARED_TERMS at a time: a whole chunk's comparison at once was ~0.3 MB of
        # booleans in every worker process
        step = max(1, COMPARED_TERMS // (N * S))
        pieces = [np.flatnonzero(noise[r : r + step, :, None] == table[r : r + step]) + r * N * S
                  for r in range(0, len(noise), step)]
        hits = np.concatenate(pieces) if pieces else np.zeros(0, np.intp)
        group, word, pair = np.unravel_index(hits, (len(noise), N, S))
        batch = group // per_batch
        flat = ((group - batch * per_batch) * S + pair) * N + word
        bounds = np.searchsorted(batch, np.arange(n_batches + 1))
        return [flat[bounds[k] : bounds[k + 1]] for k in range(n_batches)]

    def update(
        self,
        outputs: np.ndarray,
        noise: np.ndarray,
        alpha: float,
        weights: np.ndarray | None,
        collisions: np.ndarray | None = None,
    ) -> tuple[float, np.ndarray]:
        """Score ``hidden(m)`` against the centre and noise words and update the output vectors.

        Parameters
        ----------
        outputs : ndarray (m,) of int32
            The centre word of each example.
        noise : ndarray of int32
            The noise words, shaped as :meth:`noise_shape` says. Shared mode: row ``g`` is
            shared by examples ``g * group_size`` to ``(g + 1) * group_size - 1``.
        alpha : float
            The learning rate.
        weights : ndarray (m,) of float32, or None
            Each example's share of its gradient (:func:`~w2v_core.training.bursts.burst_weights`);
            the loss is not weighted.
        collisions : ndarray of intp, optional
            Shared mode: this minibatch's :meth:`centre_collisions`, when found beforehand
            for its chunk (None: found here).

        Returns
        -------
        loss : float
            Summed loss of the examples (shared mode: noise terms weighted like the gradient).
        grad_h : ndarray (m, dim)
            The alpha-scaled ascent direction for the hidden vectors, to add to the input side.
        """
        if self.shared:
            if collisions is None:
                collisions = self.centre_collisions(noise, outputs)[0]
            return self._update_shared(outputs, noise, alpha, weights, collisions)
        return self._update_exact(outputs, noise, alpha, weights)

    def _update_exact(
        self, outputs: np.ndarray, noise: np.ndarray, alpha: float, weights: np.ndarray | None
    ) -> tuple[float, np.ndarray]:
        m, K1 = len(outputs), self.negative + 1
        h = self.h[:m]
        targets = self.targets[:m]
        targets[:, 0] = outputs
        targets[:, 1:] = noise
        U = self.W_out.take(targets.ravel(), axis=0, out=self.U[: m * K1], mode="clip")
        U = U.reshape(m, K1, -1)
        # vecdot: faster than matmul for these shapes (measurements: benchmarks/README.md,
        # "training/negative_sampling.py")
        scores = np.vecdot(U, h[:, None, :])
        np.clip(scores, -SCORE_CLIP, SCORE_CLIP, out=scores)
        signs = self.signs[:m]
        # loss and sigmoid from one exp: e = exp(-sign * score); a noise word that is the
        # example's centre gets e = 0: no loss (log 1), no gradient
        e = np.exp(-signs * scores)
        e[:, 1:] *= noise != outputs[:, None]
        q = e + 1.0
        loss = sum_of_logs(q)  # log(1 + e): see _update_shared
        # gradient of the log-likelihood: (label - sigmoid(score)) = sign * e / (1 + e)
        g = signs * e / q
        g *= np.float32(alpha)
        if weights is not None:
            g *= weights[:, None]
        scatter_outer(self.W_out, targets, g, h)  # (U is a copy: h's gradient sees old rows)
        grad_h = np.matmul(g[:, None, :], U, out=self.grad_h3[:m])[:, 0, :]  # over h
        return loss, grad_h

    def _update_shared(
        self,
        outputs: np.ndarray,
        noise: np.ndarray,
        alpha: float,
        weights: np.ndarray | None,
        collisions: np.ndarray,
    ) -> tuple[float, np.ndarray]:
        m, S, (G, N) = len(outputs), self.group_size, noise.shape
        n, d = G * S, self.W_out.shape[1]
        weight = self.negative / N
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
        # only the side that could overflow exp is clipped; the noise scores only when one is
        # past the clip or NaN: their max is cheaper than np.minimum (measurements:
        # benchmarks/README.md, "training/negative_sampling.py")
        np.maximum(pos, -SCORE_CLIP, out=pos)
        if not neg.max() <= SCORE_CLIP:
            np.minimum(neg, SCORE_CLIP, out=neg)
        e_pos = np.exp(-pos)  # 1 - sigmoid(pos) = e_pos / (1 + e_pos)
        e_neg = np.exp(neg)  # sigmoid(neg) = e_neg / (1 + e_neg)
        if collisions.size:  # a noise word that is the example's centre: no loss, no gradient
            e_neg.reshape(-1)[collisions] = 0.0
        # one denominator for loss and gradient; log(1 + e), not log1p(e): NumPy's float32
        # log1p is a scalar loop, and they differ only where the term is below float32's
        # resolution of 1 (measurements: benchmarks/README.md, "training/negative_sampling.py")
        q_pos = e_pos + 1.0
        q_neg = np.add(e_neg, 1.0, out=neg)
        loss = sum_of_logs(q_pos) + weight * sum_of_logs(q_neg.reshape(n, N)[:m])
        g_pos = np.divide(e_pos, q_pos, out=e_pos)
        g_pos *= np.float32(alpha)
        g_neg = np.divide(e_neg, q_neg, out=neg)
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
