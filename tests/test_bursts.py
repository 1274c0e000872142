"""Bursty text: a row's updates per minibatch stay bounded, and a run that goes wrong says so.

Issue 19: a line that repeats one word 30 to 200 times (a register table, a path listing)
puts hundreds of updates of one row into one minibatch; summed at the same point, they blew
the vectors up to norms of 1e13 while the run exited 0 with "saved".
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from planted import planted_hits, planted_sentences
from training_spies import spy_on_steps
from w2v_core import Callback, TrainConfig, TrainingDivergedError, prepare_corpus, train, training
from w2v_core.callbacks import TrainingEvent
from w2v_core.diagnostics import NORM_LIMIT, largest_norm
from w2v_core.training.bursts import MAX_ROW_STEP, burst_cap, burst_weights
from w2v_core.training.cbow import Cbow, cbow_examples
from w2v_core.training.divergence import (
    MIN_WINDOW_EXAMPLES,
    ROWS_PER_CHECK,
    DivergenceGuard,
    initial_loss,
)
from w2v_core.training.objective import Batch
from w2v_core.training.pairs import make_pairs
from w2v_core.training.skipgram import SkipGram


# ------------------------------------------------------------------ corpora
def bursty_sentences(seed: int = 0) -> list[list[str]]:
    """Planted groups, with the shapes of code, logs and tables woven through them:

    - bursts: one word repeated 40 to 200 times in a line (also inside ordinary words);
    - boilerplate: one line repeated 400 times in a row, and scattered;
    - code-like lines and runs of one-word lines.
    """
    rng = np.random.default_rng(seed)
    burst_words = ["reg", "0x0", "sysfs", "dev", "todo"]
    boilerplate = "copyright all rights reserved see licence file for details".split()
    code = "def self return if else for in none true self value self index".split()
    sentences = []
    for i, sentence in enumerate(planted_sentences(3000, seed=seed)):
        sentences.append(sentence)
        if i % 40 == 0:
            word = burst_words[rng.integers(len(burst_words))]
            burst = [word] * int(rng.integers(40, 201))
            if i % 80 == 0:  # a few other words inside the burst, as in a table
                step = int(rng.integers(7, 15))
                burst[::step] = ["cat"] * len(burst[::step])
            sentences.append(burst)
        if i % 500 == 0:
            sentences += [boilerplate] * 400
        if i % 100 == 0:
            sentences.append([code[j] for j in rng.integers(len(code), size=60)])
            sentences += [[w] for w in rng.choice(FILLER_ONE_WORD, size=30)]
    return sentences


FILLER_ONE_WORD = ["cat", "red", "saw", "pear", "the", "end", "ok"]


def naive_batch_weights(ids, outputs, inputs, batch_size, cap, indptr=None):
    """``burst_weights`` written as loops over examples: the reference."""
    m = len(outputs)
    if indptr is None:
        indptr = np.arange(m + 1)
    weights = np.ones(m)
    for b0 in range(0, m, batch_size):
        batch = range(b0, min(b0 + batch_size, m))
        out_rows = [ids[outputs[i]] for i in batch]
        in_rows = [ids[p] for i in batch for p in inputs[indptr[i] : indptr[i + 1]]]
        for i in batch:
            busiest = out_rows.count(ids[outputs[i]])
            for p in inputs[indptr[i] : indptr[i + 1]]:
                busiest = max(busiest, in_rows.count(ids[p]))
            weights[i] = min(1.0, cap / busiest)
    return weights


# ------------------------------------------------------------------ burst weights
@pytest.mark.parametrize("cbow", [False, True])
def test_burst_weights_match_a_naive_count_per_minibatch(cbow):
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 30, size=300)
    ids[100:180] = 7  # a burst
    sentence_ids = np.zeros(300, dtype=np.int64)
    reduced = rng.integers(1, 4, size=300)
    centres, contexts = make_pairs(ids, sentence_ids, reduced, 3)
    indptr = None
    if cbow:
        centres, indptr, contexts = cbow_examples(centres, contexts, 3)
    weights = burst_weights(ids, centres, contexts, 64, 12, indptr)
    expected = naive_batch_weights(ids, centres, contexts, 64, 12, indptr)
    assert weights is not None and weights.dtype == np.float32
    np.testing.assert_allclose(weights, expected, rtol=1e-6)
    assert expected.min() < 0.5 and expected.max() == 1.0  # the burst is weighted, the rest not


@pytest.mark.parametrize("cbow", [False, True])
@pytest.mark.parametrize("seed, batch_size, cap", [(5, 50, 9), (6, 128, 20), (7, 37, 6)])
def test_burst_weights_match_the_naive_count_with_sparse_ids_and_several_bursts(
    cbow, seed, batch_size, cap
):
    """Ids far apart in a large vocabulary, bursts of several words, minibatches that cut
    through them: each word's count is kept apart from every other's."""
    rng = np.random.default_rng(seed)
    vocabulary = rng.choice(100_000, size=60, replace=False)
    ids = vocabulary[rng.integers(0, 60, size=400)]
    ids[40:90] = vocabulary[3]
    ids[200:230] = vocabulary[59]
    ids[300:340:2] = vocabulary[0]
    reduced = rng.integers(1, 5, size=400)
    sentence_ids = np.repeat(np.arange(4), 100)
    centres, contexts = make_pairs(ids, sentence_ids, reduced, 4)
    indptr = None
    if cbow:
        centres, indptr, contexts = cbow_examples(centres, contexts, 4)
    scratch = np.full(100_000, -7, dtype=np.int32)  # stale labels from an earlier chunk
    weights = burst_weights(ids, centres, contexts, batch_size, cap, indptr, scratch)
    expected = naive_batch_weights(ids, centres, contexts, batch_size, cap, indptr)
    assert weights is not None
    np.testing.assert_allclose(weights, expected, rtol=1e-6)


@pytest.mark.parametrize("cbow", [False, True])
@pytest.mark.parametrize("counted_batches", [1, 2, 3, 1000])
def test_burst_weights_counted_a_few_minibatches_at_a_time_match_the_naive_count(
    cbow, counted_batches, monkeypatch
):
    """The minibatches are counted a few at a time (less memory in every worker): a burst
    in the last minibatches (skip-gram: groups without one before it) and a short last
    minibatch give the weights of the naive count however the minibatches are grouped."""
    monkeypatch.setattr(training.bursts, "COUNTED_BATCHES", counted_batches)
    rng = np.random.default_rng(11)
    ids = rng.integers(0, 50_000, size=500)  # nothing else repeats
    ids[430:490] = 5  # the burst: only in the last minibatches
    centres, contexts = make_pairs(ids, np.zeros(500, np.int64), rng.integers(1, 4, 500), 3)
    indptr = None
    if cbow:
        centres, indptr, contexts = cbow_examples(centres, contexts, 3)
    batch_size = 30 if cbow else 100
    assert len(centres) % batch_size  # a short last minibatch
    assert -(-len(centres) // batch_size) > 3 * counted_batches or counted_batches == 1000
    weights = burst_weights(ids, centres, contexts, batch_size, 10, indptr)
    expected = naive_batch_weights(ids, centres, contexts, batch_size, 10, indptr)
    assert weights is not None
    np.testing.assert_allclose(weights, expected, rtol=1e-6)
    assert expected.max() == 1.0 and expected.min() < 0.5
    if not cbow:  # (CBOW's order spreads the burst's centres over all its minibatches)
        assert expected[: len(expected) // 2].min() == 1.0


def test_burst_weights_are_none_where_no_row_is_over_the_cap():
    rng = np.random.default_rng(4)
    ids = rng.integers(0, 5000, size=2000)  # a large vocabulary: nothing repeats much
    centres, contexts = make_pairs(ids, np.zeros(2000, np.int64), rng.integers(1, 6, 2000), 5)
    assert burst_weights(ids, centres, contexts, 1024, 40) is None
    # a minibatch of at most cap examples cannot hold more than cap updates of a row
    ids[:] = 1
    centres, contexts = make_pairs(ids, np.zeros(2000, np.int64), rng.integers(1, 6, 2000), 5)
    assert burst_weights(ids, centres, contexts, 40, 40) is None
    assert burst_weights(ids, centres, contexts, 41, 40) is not None
    assert burst_weights(ids, centres[:0], contexts[:0], 1024, 40) is None


def test_the_cap_is_one_full_step_of_the_learning_rate():
    assert burst_cap(0.025) == round(MAX_ROW_STEP / 0.025)
    assert burst_cap(1e-4) > burst_cap(0.025)  # late in training, bursts cost less
    assert burst_cap(100.0) == 1


def test_ordinary_text_trains_exactly_as_without_weights():
    """Where no row repeats past the cap, no minibatch is weighted: word2vec's semantics."""
    rng = np.random.default_rng(5)
    ranks = np.arange(1, 5001)
    p = 1.0 / ranks / (1.0 / ranks).sum()  # Zipf over 5,000 words
    sentences = [[f"w{i}" for i in rng.choice(5000, size=12, p=p)] for _ in range(8000)]
    seen = []
    trainer = training.Trainer(prepare_corpus(sentences, min_count=1), TrainConfig(dim=10, epochs=1, threads=1))
    spy_on_steps(trainer, lambda worker, batch, noise, alpha: seen.append(batch.weights)).train()
    assert len(seen) > 10 and all(w is None for w in seen)


# ------------------------------------------------------------------ weighted steps
def _step_delta(worker_args, batch, noise, alpha):
    W_in, W_out, config, batch_size, group = worker_args
    fast_in, fast_out = W_in.copy(), W_out.copy()
    objective = Cbow() if config.cbow else SkipGram()
    worker = training.Worker(fast_in, fast_out, config, 0, batch_size, group_size=group)
    loss = objective.step(worker, batch, noise, alpha)
    return fast_in - W_in, fast_out - W_out, loss


@pytest.mark.parametrize("shared", [0, 2])
def test_a_weighted_skipgram_step_sums_each_pairs_own_step_times_its_weight(shared):
    """A minibatch step sums per-pair steps taken from the same point; a weight scales one
    pair's share. The unweighted step is checked against finite differences in test_kernel."""
    rng = np.random.default_rng(8)
    V, d, K, m, group = 10, 4, 3, 7, 3
    W_in = rng.normal(scale=0.5, size=(V, d)).astype(np.float32)
    W_out = rng.normal(scale=0.5, size=(V, d)).astype(np.float32)
    inputs = np.array([1, 1, 1, 2, 3, 1, 4], dtype=np.int32)
    outputs = np.array([5, 5, 6, 5, 7, 8, 9], dtype=np.int32)
    noise = rng.integers(V, size=(-(-m // group), shared) if shared else (m, K)).astype(np.int32)
    weights = np.array([0.25, 0.5, 1.0, 0.75, 1.0, 0.1, 0.6], dtype=np.float32)
    config = TrainConfig(dim=d, negative=K, shared_negatives=shared)
    setup = (W_in, W_out, config, 16, group if shared else None)
    d_in, d_out, loss = _step_delta(setup, Batch(outputs, inputs, None, weights), noise, 0.1)
    expected_in, expected_out, expected_loss = np.zeros_like(W_in), np.zeros_like(W_out), 0.0
    for i in range(m):
        own = noise[[i // group]] if shared else noise[[i]]
        # a lone pair keeps its group's noise words: a worker with groups of one
        solo = (W_in, W_out, config, 16, 1 if shared else None)
        di, do, li = _step_delta(solo, Batch(outputs[[i]], inputs[[i]]), own, 0.1)
        expected_in += weights[i] * di
        expected_out += weights[i] * do
        expected_loss += li
    np.testing.assert_allclose(d_in, expected_in, atol=1e-6)
    np.testing.assert_allclose(d_out, expected_out, atol=1e-6)
    assert loss == pytest.approx(expected_loss, rel=1e-5)  # the loss itself is not weighted


@pytest.mark.parametrize("shared", [0, 2])
def test_a_weighted_cbow_step_sums_each_examples_own_step_times_its_weight(shared):
    rng = np.random.default_rng(9)
    V, d, K, group = 9, 3, 3, 2
    W_in = rng.normal(scale=0.5, size=(V, d)).astype(np.float32)
    W_out = rng.normal(scale=0.5, size=(V, d)).astype(np.float32)
    contexts = np.array([1, 2, 2, 2, 2, 4, 5, 6, 2, 0, 1], dtype=np.int32)
    indptr = np.array([0, 1, 3, 7, 9, 11], dtype=np.int32)
    outputs = np.array([4, 0, 2, 3, 5], dtype=np.int32)
    noise = rng.integers(V, size=(3, shared) if shared else (5, K)).astype(np.int32)
    weights = np.array([0.5, 1.0, 0.2, 0.8, 0.3], dtype=np.float32)
    config = TrainConfig(dim=d, negative=K, shared_negatives=shared, cbow=True)
    setup = (W_in, W_out, config, 8, group if shared else None)
    d_in, d_out, loss = _step_delta(setup, Batch(outputs, contexts, indptr, weights), noise, 0.1)
    expected_in, expected_out, expected_loss = np.zeros_like(W_in), np.zeros_like(W_out), 0.0
    for i in range(len(outputs)):
        own = noise[[i // group]] if shared else noise[[i]]
        members = contexts[indptr[i] : indptr[i + 1]]
        solo = (W_in, W_out, config, 8, 1 if shared else None)
        lone = Batch(outputs[[i]], members, np.array([0, len(members)], np.int32))
        di, do, li = _step_delta(solo, lone, own, 0.1)
        expected_in += weights[i] * di
        expected_out += weights[i] * do
        expected_loss += li
    np.testing.assert_allclose(d_in, expected_in, atol=1e-6)
    np.testing.assert_allclose(d_out, expected_out, atol=1e-6)
    assert loss == pytest.approx(expected_loss, rel=1e-5)


# ------------------------------------------------------------------ training on bursty text
@pytest.fixture(scope="module")
def bursty():
    return prepare_corpus(bursty_sentences(), min_count=5, isolate=False)


@pytest.mark.parametrize("cbow", [False, True], ids=["skipgram", "cbow"])
@pytest.mark.parametrize("threads", [1, 2])
def test_bursty_text_trains_at_the_defaults(bursty, cbow, threads):
    """Bursts, boilerplate, code and one-word lines: the loss stays below its start, the
    norms stay as small as on ordinary text, and the planted groups are found."""
    losses = []

    class Losses(Callback):
        def on_progress(self, event):
            if event.pairs:
                losses.append(event.loss)

    model = train(bursty, TrainConfig(cbow=cbow, threads=threads, seed=2), [Losses()])
    assert model.summary.epochs_completed == model.config.epochs
    assert max(losses) < initial_loss(5) * 1.2
    # one thread: 5.7 (skip-gram) and 7.8 (CBOW); two processes racing on these 73 rows vary
    # from run to run (skip-gram 6.3-12.7 in 60 runs); without the cap the run diverges (below)
    assert largest_norm(model.wv.vectors) < 20 and largest_norm(model.output_vectors) < 20
    assert planted_hits(model) > 0.8


def test_without_the_cap_the_same_text_diverges_and_the_run_says_so(bursty):
    """The guard stops the uncapped run on its loss or its norms, long before NaN."""
    trainer = training.Trainer(bursty, TrainConfig(threads=1, seed=2))
    trainer.max_row_step = 1e9  # no cap
    with pytest.raises(TrainingDivergedError) as error:
        trainer.train()
    message = str(error.value)
    assert "\n" not in message and "nan" not in message.lower()
    assert ("norm reached" in message or "loss rose" in message) and "at epoch" in message
    assert "--alpha" in message


# ------------------------------------------------------------------ the guard
def _event(loss: float, pairs: int = 10_000, epoch: int = 2) -> TrainingEvent:
    return TrainingEvent(epoch=epoch, epochs=5, words_done=30, words_total=100, fraction=0.3,
                         loss=loss, pairs=pairs, learning_rate=0.01, words_per_second=1.0,
                         elapsed=1.0, eta=1.0)


def test_the_loss_before_training_is_the_guards_reference():
    """Untrained (output vectors zero), every example's loss is (1 + negative) ln 2."""
    for shared, cbow in ((0, False), (16, False), (0, True), (4, True)):
        config = TrainConfig(dim=8, negative=5, shared_negatives=shared, cbow=cbow, min_count=1)
        trainer = training.Trainer(prepare_corpus(planted_sentences(200), 1, isolate=False), config)
        worker = trainer.worker(0, batch_size=64)
        m = 40
        noise = np.ones(worker.layer.noise_shape(m), dtype=np.int32) * 3
        outputs = np.zeros(m, dtype=np.int32)  # never equal to the noise word
        if cbow:
            batch = Batch(outputs=outputs, inputs=np.arange(2 * m, dtype=np.int32) % 20,
                          indptr=np.arange(0, 2 * m + 1, 2, dtype=np.int32))
        else:
            batch = Batch(outputs=outputs, inputs=np.arange(m, dtype=np.int32) % 20)
        loss = trainer.objective.step(worker, batch, noise, 0.0)
        assert loss / m == pytest.approx(initial_loss(5), rel=1e-5)


def test_guard_judges_the_loss_window():
    matrices = [np.zeros((10, 3), np.float32)]
    guard = DivergenceGuard(matrices, negative=5, remedy="lower --alpha (now 0.025)")
    guard.check_event(_event(initial_loss(5)))  # the start: fine
    guard.check_event(_event(1.9 * initial_loss(5)))
    guard.check_event(_event(100.0, pairs=MIN_WINDOW_EXAMPLES - 1))  # too few to judge
    guard.check_event(_event(math.nan, pairs=0))  # no pair trained: no loss
    with pytest.raises(TrainingDivergedError, match=r"loss rose to 22\.0.* at epoch 2 \(30% done\); lower --alpha"):
        guard.check_event(_event(22.0))
    with pytest.raises(TrainingDivergedError, match="loss became nan"):
        guard.check_event(_event(math.nan))


def test_guard_reads_every_row_within_a_few_events_and_all_at_an_epoch_end():
    V = 3 * ROWS_PER_CHECK + 5
    W_in, W_out = np.ones((V, 4), np.float32), np.zeros((V, 4), np.float32)
    guard = DivergenceGuard([W_in, W_out], negative=5, remedy="lower --alpha")
    W_out[V - 2] = NORM_LIMIT  # norm 2 * NORM_LIMIT, in the last slice
    for _ in range(3):
        guard.check_event(_event(2.0))
    with pytest.raises(TrainingDivergedError, match=r"norm reached 200 .* at epoch 2"):
        guard.check_event(_event(2.0))
    guard.check_event(_event(2.0))  # round again from the first slice
    with pytest.raises(TrainingDivergedError, match="norm reached"):
        guard.check_all(3, 0.6)
    W_out[V - 2] = np.inf
    with pytest.raises(TrainingDivergedError, match="infinite or NaN"):
        guard.check_all(3, 0.6)


def test_largest_norm_reads_in_blocks():
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(20_000, 7)).astype(np.float32)
    assert largest_norm(matrix) == pytest.approx(np.linalg.norm(matrix, axis=1).max(), rel=1e-6)
    assert largest_norm(matrix[:0]) == 0.0
    matrix[19_999, 0] = np.nan
    assert math.isnan(largest_norm(matrix))
