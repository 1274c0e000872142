"""The shared-noise kernel against finite differences, and pause accounting."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from planted import numeric_gradient, planted_hits, planted_sentences
from w2v_core import TrainConfig, TrainingControl, prepare_corpus, train
from training_spies import spy_on, spy_on_steps
from w2v_core import training
from w2v_core.training.negative_sampling import (
    SCORE_CLIP,
    SHARED_ROW_UPDATES,
    NegativeSampling,
    shared_group_size,
    sum_of_logs,
    whole_groups,
)
from w2v_core.training.cbow import Cbow, cbow_examples
from w2v_core.training.objective import Batch
from w2v_core.training.pairs import make_pairs
from w2v_core.training.skipgram import SkipGram


def _shared_objective(
    W_in, W_out, inputs, outputs, noise, group, negative, clip=np.inf
) -> float:
    """The shared-noise loss written pair by pair in float64 (scores clipped at ``clip``
    on the side that overflows): the reference."""
    total = 0.0
    weight = negative / noise.shape[1]
    for b, (i, o) in enumerate(zip(inputs, outputs)):
        h = W_in[i]
        total += np.logaddexp(0.0, min(-W_out[o] @ h, clip))
        for n in noise[b // group]:
            if n != o:  # a noise word equal to the centre word is skipped
                total += weight * np.logaddexp(0.0, min(W_out[n] @ h, clip))
    return total


@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 16 * 37 + 5])
def test_sum_of_logs_matches_float64_logs_from_one_to_the_clip(length):
    rng = np.random.default_rng(length)
    q = (1.0 + np.exp(rng.uniform(-40, SCORE_CLIP, size=length))).astype(np.float32)
    q[: length // 3] = np.float32(1.0 + np.exp(SCORE_CLIP))  # a run of the largest terms
    expected = float(np.log(q.astype(np.float64)).sum())
    assert sum_of_logs(q) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert sum_of_logs(q.reshape(-1, 1)) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_sum_of_logs_propagates_nan():
    q = np.full(40, 2.0, dtype=np.float32)
    q[33] = np.nan
    assert np.isnan(sum_of_logs(q))
    assert np.isnan(sum_of_logs(q[32:]))  # in the rest past the products too


def test_shared_step_clips_scores_past_the_clip_and_reports_nan():
    rng = np.random.default_rng(6)
    V, d, K, N, group, pairs = 8, 3, 4, 2, 3, 6
    W_in = rng.normal(scale=0.5, size=(V, d))
    W_out = rng.normal(scale=0.5, size=(V, d))
    inputs = np.array([0, 1, 2, 3, 4, 5], dtype=np.int32)
    outputs = np.array([6, 7, 6, 7, 6, 7], dtype=np.int32)
    noise = np.array([[5, 4], [1, 0]], dtype=np.int32)
    W_out[5] = 40.0 * W_in[0] / (W_in[0] @ W_in[0])  # pair 0's noise score 40: past the clip
    W_out[6] = -50.0 * W_in[2] / (W_in[2] @ W_in[2])  # pair 2's positive score -50
    expected = _shared_objective(W_in, W_out, inputs, outputs, noise, group, K, SCORE_CLIP)
    config = TrainConfig(dim=d, negative=K, shared_negatives=N)
    fast_in, fast_out = W_in.astype(np.float32), W_out.astype(np.float32)
    worker = training.Worker(fast_in, fast_out, config, 0, 16, group_size=group)
    batch = Batch(outputs=outputs, inputs=inputs)
    assert SkipGram().step(worker, batch, noise, 0.0) == pytest.approx(expected, rel=1e-5)
    assert expected > 40.0  # the clipped terms count ~30 each
    fast_in[3] = np.nan  # a diverged row: the loss says so
    assert np.isnan(SkipGram().step(worker, batch, noise, 0.0))


@pytest.mark.parametrize("pairs", [7, 9])  # a partial last group, and full groups only
def test_shared_step_is_one_sgd_step_on_the_shared_objective(pairs):
    rng = np.random.default_rng(4)
    V, d, K, N, group = 8, 3, 4, 2, 3
    W_in = rng.normal(scale=0.5, size=(V, d))
    W_out = rng.normal(scale=0.5, size=(V, d))
    inputs = rng.integers(V, size=pairs).astype(np.int32)
    outputs = rng.integers(V, size=pairs).astype(np.int32)
    noise = rng.integers(V, size=(-(-pairs // group), N)).astype(np.int32)
    noise[0, 1] = outputs[1]  # skipped for pair 1 only, used for pairs 0 and 2
    alpha = 0.1

    def loss() -> float:
        return _shared_objective(W_in, W_out, inputs, outputs, noise, group, K)

    expected_loss = loss()
    expected_in = W_in - alpha * numeric_gradient(loss, W_in)
    expected_out = W_out - alpha * numeric_gradient(loss, W_out)

    config = TrainConfig(dim=d, negative=K, shared_negatives=N)
    fast_in, fast_out = W_in.astype(np.float32), W_out.astype(np.float32)
    worker = training.Worker(fast_in, fast_out, config, 0, 16, group_size=group)
    assert worker.layer.noise_shape(pairs) == noise.shape
    batch = Batch(outputs=outputs, inputs=inputs)
    SkipGram().step(worker, batch, np.zeros((3, N), np.int32), 0.0)  # dirty the buffers first
    step_loss = SkipGram().step(worker, batch, noise, alpha)
    assert step_loss == pytest.approx(expected_loss, rel=1e-5)
    np.testing.assert_allclose(fast_in, expected_in, atol=1e-5)
    np.testing.assert_allclose(fast_out, expected_out, atol=1e-5)


def test_group_size_bounds_the_weighted_updates_of_a_noise_row():
    # a drawn noise word's row gets group * negative / shared weighted updates per minibatch
    assert shared_group_size(1024, 5, 16) * 5 / 16 <= SHARED_ROW_UPDATES
    assert shared_group_size(50, 5, 16) == 50  # never above the minibatch
    assert shared_group_size(1024, 100, 1) == 1


def test_minibatches_hold_whole_groups():
    # a padded last group would cost a whole group's products
    assert whole_groups(718, 5, 16) == 704 == 11 * shared_group_size(718, 5, 16)
    assert whole_groups(50, 5, 16) == 50  # one group, the minibatch
    assert whole_groups(260, 5, 16) == 260  # fewer than 8 groups: small minibatches keep theirs
    assert whole_groups(718, 5, 0) == 718  # per-example noise has no groups


@pytest.mark.parametrize("batch_size", [12, 10])  # whole groups, and a padded last group
def test_a_chunks_centre_collisions_are_each_minibatchs(batch_size):
    rng = np.random.default_rng(7)
    V, N, group, examples = 6, 3, 4, 47
    layer = NegativeSampling(np.zeros((V, 2), np.float32), TrainConfig(dim=2, shared_negatives=N),
                             batch_size, group_size=group)
    outputs = rng.integers(V, size=examples).astype(np.int32)
    block = rng.integers(V, size=(-(-examples // batch_size) * -(-batch_size // group), N)).astype(np.int32)
    noise_and_hits = list(layer.noise_batches(lambda shape, rng: block, outputs, rng))
    assert len(noise_and_hits) == -(-examples // batch_size)
    for k, (noise, hits) in enumerate(noise_and_hits):
        centres = outputs[k * batch_size : (k + 1) * batch_size]
        expected = [
            (i // group * group + i % group) * N + j  # flat in the (G, group, N) scores
            for i, centre in enumerate(centres) for j in range(N) if noise[i // group, j] == centre
        ]
        assert sorted(hits.tolist()) == sorted(expected)
        assert layer.centre_collisions(noise, centres)[0].tolist() == hits.tolist()
    assert sum(len(hits) for _, hits in noise_and_hits) > 0  # V = 6: collisions are common


@pytest.mark.parametrize("compared", [1, 5, 12, 1 << 16])
def test_centre_collisions_compared_in_slices_are_the_whole_comparisons(compared, monkeypatch):
    """The noise terms are compared with the centres a slice of rows at a time (less memory
    in every worker): the same hits, at the same flat positions, whatever the slice."""
    rng = np.random.default_rng(8)
    V, N, group, batch_size, examples = 5, 3, 4, 12, 61
    layer = NegativeSampling(np.zeros((V, 2), np.float32), TrainConfig(dim=2, shared_negatives=N),
                             batch_size, group_size=group)
    outputs = rng.integers(V, size=examples).astype(np.int32)
    block = rng.integers(V, size=(-(-examples // batch_size) * (batch_size // group), N))
    whole = layer.centre_collisions(block, outputs)
    monkeypatch.setattr(training.negative_sampling, "COMPARED_TERMS", compared)
    sliced = layer.centre_collisions(block, outputs)
    assert [hits.tolist() for hits in sliced] == [hits.tolist() for hits in whole]
    for k, hits in enumerate(sliced):  # each against the comparison written out
        noise = block[k * (batch_size // group) : (k + 1) * (batch_size // group)]
        centres = outputs[k * batch_size : (k + 1) * batch_size]
        expected = [(i // group * group + i % group) * N + j for i, centre in enumerate(centres)
                    for j in range(N) if noise[i // group, j] == centre]
        assert sorted(hits.tolist()) == expected
    assert sum(len(hits) for hits in sliced) > 10


def test_exact_mode_draws_noise_per_pair():
    shapes = []

    def spy(worker, batch, noise, alpha) -> None:
        shapes.append((len(batch), noise.shape))

    corpus = prepare_corpus(planted_sentences(300), min_count=1)
    for shared in (0, 4):
        config = TrainConfig(dim=8, epochs=1, min_count=1, negative=3, shared_negatives=shared, threads=1)
        spy_on_steps(training.Trainer(corpus, config), spy).train()
        if not shared:
            assert shapes and all(noise == (m, 3) for m, noise in shapes)
            shapes.clear()
    group = shared_group_size(1024, 3, 4)
    assert shapes and all(noise == (-(-m // group), 4) for m, noise in shapes)


# ------------------------------------------------------------------ pause accounting
class _CountingControl(TrainingControl):
    """Signals when ``threads`` training threads are all waiting in a pause."""

    def __init__(self, threads: int) -> None:
        super().__init__()
        self.threads = threads
        self.waiting = 0
        self.lock = threading.Lock()
        self.all_waiting = threading.Event()

    def wait_while_paused(self) -> float:
        with self.lock:
            self.waiting += 1
            if self.waiting == self.threads:
                self.all_waiting.set()
        return super().wait_while_paused()


def test_a_pause_counts_once_however_many_threads_wait(monkeypatch):
    """Time is a fake clock that moves only during the pause: the pause is the whole run."""
    now = [1000.0]

    def clock() -> float:
        return now[0]

    monkeypatch.setattr(time, "perf_counter", clock)  # what TrainingControl measures
    control = _CountingControl(threads=2)
    control.pause()  # both threads stop at their first minibatch
    corpus = prepare_corpus(planted_sentences(3000), min_count=1)  # 30k tokens: several chunks
    config = TrainConfig(dim=8, epochs=1, min_count=1, threads=2)

    def pause_for_100_seconds() -> None:
        assert control.all_waiting.wait(timeout=60)
        now[0] += 100.0
        control.resume()

    helper = threading.Thread(target=pause_for_100_seconds)
    helper.start()
    model = training.Trainer(corpus, config, control=control, processes=False, clock=clock).train()
    helper.join()
    assert control.waiting == 2
    # 100 s of wall time, all of it paused: counted once, not once per thread (-100 s)
    assert model.summary.seconds == pytest.approx(0.0)


# ------------------------------------------------------------------ CBOW
def _cbow_objective(W_in, W_out, contexts, indptr, outputs, noise, group, negative) -> float:
    """CBOW loss in float64, centre by centre: the mean of the context vectors predicts the
    centre word against noise words (per example, or shared by ``group`` examples)."""
    total = 0.0
    for i, o in enumerate(outputs):
        h = W_in[contexts[indptr[i] : indptr[i + 1]]].mean(axis=0)
        total += np.logaddexp(0.0, -W_out[o] @ h)
        words = noise[i] if group == 0 else noise[i // group]
        weight = 1.0 if group == 0 else negative / noise.shape[1]
        for n in words:
            if n != o:
                total += weight * np.logaddexp(0.0, W_out[n] @ h)
    return total


@pytest.mark.parametrize("shared", [0, 2])
def test_cbow_step_follows_the_gradient_with_word2vec_input_update(shared):
    """Output vectors move along minus alpha times the gradient. Input vectors move as in
    word2vec and gensim (cbow_mean=1): every context word gets the full gradient with respect
    to the mean, i.e. ``count`` times the gradient with respect to its own vector."""
    rng = np.random.default_rng(6)
    V, d, K, group = 9, 3, 3, 2
    W_in = rng.normal(scale=0.5, size=(V, d))
    W_out = rng.normal(scale=0.5, size=(V, d))
    # 5 centres with 1 to 4 context words; word 2 is a context of two centres
    contexts = np.array([1, 2, 3, 2, 4, 5, 6, 7, 8, 0, 1], dtype=np.int32)
    indptr = np.array([0, 1, 3, 7, 9, 11], dtype=np.int32)
    outputs = np.array([4, 0, 8, 3, 5], dtype=np.int32)
    if shared:
        noise = rng.integers(V, size=(3, shared)).astype(np.int32)
        noise[0, 0] = outputs[1]  # skipped for centre 1 only
    else:
        noise = rng.integers(V, size=(5, K)).astype(np.int32)
        noise[2, 1] = outputs[2]  # skipped
    alpha = 0.1

    def loss() -> float:
        return _cbow_objective(W_in, W_out, contexts, indptr, outputs, noise, group if shared else 0, K)

    expected_loss = loss()
    grad_in = numeric_gradient(loss, W_in)
    grad_out = numeric_gradient(loss, W_out)
    # word2vec's input update: each occurrence as a context gets count x its gradient share;
    # rebuild it per occurrence from the gradient with respect to each centre's mean
    expected_in = W_in.copy()
    for i in range(len(outputs)):
        members = contexts[indptr[i] : indptr[i + 1]]
        own_ptr = np.array([0, len(members)], dtype=np.int32)
        own_noise = noise[[i // group]] if shared else noise[[i]]

        def loss_i(members=members, own_ptr=own_ptr, own_noise=own_noise, i=i) -> float:
            """The loss of centre i alone."""
            return _cbow_objective(
                W_in, W_out, members, own_ptr, outputs[[i]], own_noise, 1 if shared else 0, K
            )

        mean_grad = numeric_gradient(loss_i, W_in)[members].sum(axis=0)  # = d loss_i / d mean
        for word in members:
            expected_in[word] -= alpha * mean_grad
    config = TrainConfig(dim=d, negative=K, shared_negatives=shared, cbow=True)
    fast_in, fast_out = W_in.astype(np.float32), W_out.astype(np.float32)
    worker = training.Worker(fast_in, fast_out, config, 0, 8, group_size=group if shared else None)
    assert worker.layer.noise_shape(len(outputs)) == noise.shape
    step_loss = Cbow().step(worker, Batch(outputs=outputs, inputs=contexts, indptr=indptr), noise, alpha)
    assert step_loss == pytest.approx(expected_loss, rel=1e-5)
    np.testing.assert_allclose(fast_out, W_out - alpha * grad_out, atol=1e-5)
    np.testing.assert_allclose(fast_in, expected_in, atol=1e-5)
    # the mean's gradient, summed over a centre's contexts, is what reached each of them
    assert not np.allclose(fast_in, W_in - alpha * grad_in, atol=1e-4)


def test_segment_kernels_match_loops():
    from w2v_core.training.scatter import segment_scatter, segment_sum

    rng = np.random.default_rng(7)
    X = rng.normal(size=(6, 4)).astype(np.float32)
    indptr = np.array([0, 3, 3, 5], dtype=np.int32)
    rows = np.array([1, 1, 4, 0, 5], dtype=np.int32)
    weights = rng.normal(size=5).astype(np.float32)
    Y = np.zeros((3, 4), np.float32)
    segment_sum(Y, indptr, rows, weights, X)
    expected = np.zeros((3, 4))
    W = X.copy()
    expected_W = X.astype(np.float64)
    for i in range(3):
        for j in range(indptr[i], indptr[i + 1]):
            expected[i] += weights[j] * X[rows[j]]
    np.testing.assert_allclose(Y, expected, atol=1e-5)
    G = rng.normal(size=(3, 4)).astype(np.float32)
    segment_scatter(W, indptr, rows, G)
    for i in range(3):
        for j in range(indptr[i], indptr[i + 1]):
            expected_W[rows[j]] += G[i]
    np.testing.assert_allclose(W, expected_W, atol=1e-5)


@pytest.mark.parametrize("shared", [16, 0])
def test_cbow_finds_planted_groups(shared):
    sentences = planted_sentences()
    config = TrainConfig(dim=20, epochs=5, min_count=1, sample=0, seed=1, threads=1,
                         cbow=True, shared_negatives=shared)
    model = train(sentences, config)
    assert model.config.cbow
    assert planted_hits(model) > 0.9
    assert model.wv.similarity("cat", "dog") > model.wv.similarity("cat", "red") + 0.3


def test_cbow_steps_cover_every_centre_once():
    """Each centre with a context is one example per epoch, its contexts those of make_pairs."""
    seen, pairs = [], []

    def step_spy(worker, batch, noise, alpha) -> None:
        indptr = batch.indptr
        assert indptr[0] == 0 and indptr[-1] == len(batch.inputs) and np.all(np.diff(indptr) >= 1)
        seen.append(len(batch))

    def examples_spy(centres, contexts, window, examples) -> None:
        pairs.append(len(np.unique(centres)))

    corpus = prepare_corpus(planted_sentences(500), min_count=1)
    trainer = training.Trainer(corpus, TrainConfig(dim=8, epochs=1, min_count=1, cbow=True, threads=1))
    model = spy_on_steps(trainer, step_spy, examples_spy).train()
    assert sum(seen) == sum(pairs) == model.summary.pairs_trained


@pytest.mark.parametrize("window", [1, 2, 5])
def test_cbow_examples_interleave_centres_by_position_modulo_the_span(window):
    """Every centre with a context is one example, with exactly its make_pairs contexts;
    examples come by position modulo 2 * window + 1, so consecutive examples of a run share
    no context position (their updates, summed in one minibatch, are not all stale)."""
    rng = np.random.default_rng(window)
    n = 300
    sentence_ids = np.cumsum(rng.random(n) < 0.1)
    reduced = rng.integers(1, window + 1, size=n)
    centres, contexts = make_pairs(np.zeros(n), sentence_ids, reduced, window)
    example_centres, indptr, example_contexts = cbow_examples(centres, contexts, window)

    stride = 2 * window + 1
    assert example_centres.tolist() == sorted(set(centres.tolist()), key=lambda p: (p % stride, p))
    assert indptr[0] == 0 and indptr[-1] == len(contexts) and np.all(np.diff(indptr) >= 1)
    for i, centre in enumerate(example_centres):
        expected = contexts[centres == centre]
        assert example_contexts[indptr[i] : indptr[i + 1]].tolist() == expected.tolist()
    run = [i for i, c in enumerate(example_centres) if c % stride == 0]
    for a, b in zip(run, run[1:]):
        left = set(example_contexts[indptr[a] : indptr[a + 1]].tolist()) | {example_centres[a]}
        right = set(example_contexts[indptr[b] : indptr[b + 1]].tolist()) | {example_centres[b]}
        assert not left & right


def test_cbow_examples_of_an_empty_chunk():
    empty = np.zeros(0, dtype=np.int32)
    example_centres, indptr, contexts = cbow_examples(empty, empty, 5)
    assert len(example_centres) == len(contexts) == 0 and indptr.tolist() == [0]


def test_cbow_trains_centres_in_interleaved_order():
    """The trainer feeds CBOW minibatches in cbow_examples' order, not in text order."""
    pairs, trained = [], []
    config = TrainConfig(dim=8, epochs=1, min_count=1, cbow=True, threads=1, batch_size=16)
    trainer = training.Trainer(prepare_corpus(planted_sentences(300), min_count=1), config)
    recording = spy_on(trainer)  # the chunks' ids and what subsampling kept of them
    spy_on_steps(
        trainer,
        on_step=lambda worker, batch, noise, alpha: trained.append(np.array(batch.outputs)),
        on_examples=lambda centres, contexts, window, examples: pairs.append((centres, window)),
    )
    trainer.train()
    chunks = [
        (ids[kept], centres, window)
        for (ids, _, kept), (centres, window) in zip(recording.subsamples, pairs, strict=True)
    ]
    expected = []
    for ids, centres, window in chunks:
        order = sorted(set(centres.tolist()), key=lambda p: (p % (2 * window + 1), p))
        expected += ids[order].tolist()
    assert np.concatenate(trained).tolist() == expected
    assert expected != [w for ids, centres, _ in chunks for w in ids[np.unique(centres)]]
