"""The training engine: kernels against references, sampling against formulas, training end to end."""

from __future__ import annotations

import itertools
import math
import threading
import time

import numpy as np
import pytest

from planted import PLANTED_GROUPS, numeric_gradient, planted_sentences
from training_spies import PauseProbe
from w2v_core import (
    Callback,
    ConfigError,
    CorpusError,
    StopTraining,
    TrainConfig,
    TrainingControl,
    TrainingDivergedError,
    prepare_corpus,
    train,
)
from oracles import sgns_loss_and_grads
from w2v_core import training
from w2v_core.training.objective import Batch
from w2v_core.training.pairs import make_pairs
from w2v_core.training.skipgram import SkipGram
from w2v_core.training.sampling import AliasTable, subsample
from w2v_core.training.scatter import _scatter_public, scatter_outer
from w2v_core.vocab import Vocabulary

TINY = dict(dim=16, epochs=2, min_count=1, batch_size=256, seed=3, threads=1)


# ------------------------------------------------------------------ gradients
def test_sgns_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    B, K, d = 4, 3, 5
    h = rng.normal(size=(B, d))
    U = rng.normal(size=(B, K + 1, d))
    valid = np.ones((B, K + 1), dtype=bool)
    valid[1, 2] = False  # a noise word equal to the positive one is skipped

    def total_loss() -> float:
        return float(sgns_loss_and_grads(h, U, valid)[0].sum())

    loss, grad_h, grad_U = sgns_loss_and_grads(h, U, valid)
    np.testing.assert_allclose(grad_h, numeric_gradient(total_loss, h), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(grad_U, numeric_gradient(total_loss, U), rtol=1e-5, atol=1e-7)
    # the skipped noise word contributes nothing
    assert np.all(grad_U[1, 2] == 0)


def test_loss_formula_by_hand():
    h = np.array([[1.0, 0.0]])
    U = np.array([[[2.0, 0.0], [-1.0, 0.0]]])
    loss, _, _ = sgns_loss_and_grads(h, U, np.ones((1, 2), bool))
    expected = -math.log(1 / (1 + math.exp(-2))) - math.log(1 / (1 + math.exp(-1)))
    assert loss[0] == pytest.approx(expected)


def test_worker_step_applies_minus_alpha_times_gradient():
    """The fast float32 step equals one SGD step along the reference gradient."""
    rng = np.random.default_rng(1)
    V, d, K, B = 12, 6, 4, 9
    config = TrainConfig(dim=d, negative=K, batch_size=B, shared_negatives=0)
    W_in = rng.normal(scale=0.3, size=(V, d)).astype(np.float32)
    W_out = rng.normal(scale=0.3, size=(V, d)).astype(np.float32)
    inputs = rng.integers(V, size=B).astype(np.int32)
    outputs = rng.integers(V, size=B).astype(np.int32)
    noise = rng.integers(V, size=(B, K)).astype(np.int32)
    noise[0, 0] = outputs[0]  # must be skipped
    alpha = 0.05

    targets = np.concatenate([outputs[:, None], noise], axis=1)
    valid = np.ones_like(targets, dtype=bool)
    valid[:, 1:] = noise != outputs[:, None]
    loss, grad_h, grad_U = sgns_loss_and_grads(
        W_in[inputs].astype(np.float64), W_out[targets].astype(np.float64), valid
    )
    expected_in = W_in.astype(np.float64)
    expected_out = W_out.astype(np.float64)
    np.add.at(expected_in, inputs, -alpha * grad_h)
    np.add.at(expected_out, targets.ravel(), -alpha * grad_U.reshape(-1, d))

    worker = training.Worker(W_in, W_out, config, 0, B)
    step_loss = SkipGram().step(worker, Batch(outputs=outputs, inputs=inputs), noise, alpha)
    assert step_loss == pytest.approx(loss.sum(), rel=1e-5)
    np.testing.assert_allclose(W_in, expected_in, atol=1e-5)
    np.testing.assert_allclose(W_out, expected_out, atol=1e-5)


def test_scatter_matches_add_at_with_duplicates():
    rng = np.random.default_rng(2)
    W = rng.normal(size=(10, 4)).astype(np.float32)
    rows = rng.integers(0, 3, size=(50, 3)).astype(np.int32)  # many duplicates
    coefs = rng.normal(size=(50, 3)).astype(np.float32)
    X = rng.normal(size=(50, 4)).astype(np.float32)
    expected = W.astype(np.float64)
    np.add.at(expected, rows.ravel(), (coefs[:, :, None] * X[:, None, :]).reshape(-1, 4))
    fast, public = W.copy(), W.copy()
    scatter_outer(fast, rows, coefs, X)
    _scatter_public(public, rows, coefs, X)
    np.testing.assert_allclose(fast, expected, atol=1e-5)
    np.testing.assert_allclose(public, expected, atol=1e-5)


# ------------------------------------------------------------------ pairs and sampling
def _naive_pairs(sentence_ids, reduced, window):
    pairs = []
    n = len(sentence_ids)
    for i in range(n):
        for j in range(i - window, i + window + 1):
            if j == i or j < 0 or j >= n:
                continue
            if abs(j - i) <= reduced[i] and sentence_ids[j] == sentence_ids[i]:
                pairs.append((i, j))
    return pairs


@pytest.mark.parametrize("window", [1, 2, 5])
def test_pairs_match_naive_double_loop(window):
    rng = np.random.default_rng(window)
    n = 200
    sentence_ids = np.cumsum(rng.random(n) < 0.15)
    reduced = rng.integers(1, window + 1, size=n)
    centres, contexts = make_pairs(np.zeros(n), sentence_ids, reduced, window)
    assert list(zip(centres.tolist(), contexts.tolist())) == _naive_pairs(sentence_ids, reduced, window)


def test_pairs_of_empty_and_single_token_chunks():
    for n in (0, 1):
        centres, contexts = make_pairs(np.zeros(n), np.zeros(n, int), np.ones(n, int), 3)
        assert len(centres) == len(contexts) == 0


def test_keep_probabilities_follow_the_c_formula():
    vocab = Vocabulary(["the", "cat", "sat"], [9000, 900, 100])
    keep = vocab.keep_probabilities(1e-3)
    t = 1e-3 * 10000
    for count, p in zip([9000, 900, 100], keep):
        assert p == pytest.approx(min(1.0, (math.sqrt(count / t) + 1) * t / count), rel=1e-6)
    assert np.all(vocab.keep_probabilities(0) == 1)


def test_subsampling_keeps_each_word_at_its_probability():
    vocab = Vocabulary(["a", "b", "c"], [1, 1, 1])
    keep_prob = np.array([0.2, 0.5, 0.9], dtype=np.float32)
    ids = np.repeat(np.arange(3, dtype=np.int32), 40_000)
    kept = subsample(ids, keep_prob, np.random.default_rng(0))
    rates = np.array([kept[ids == w].mean() for w in range(3)])
    # binomial standard error is at most 0.0025 here: 4 sigma
    np.testing.assert_allclose(rates, keep_prob, atol=0.01)
    assert len(vocab) == 3


def test_noise_distribution_is_unigram_to_the_three_quarters():
    counts = np.array([1000, 300, 50, 10, 1])
    vocab = Vocabulary(list("abcde"), counts)
    expected = counts**0.75 / (counts**0.75).sum()
    np.testing.assert_allclose(vocab.noise_distribution(), expected)
    table = AliasTable(vocab.noise_distribution())
    np.testing.assert_allclose(table.probabilities(), expected, rtol=1e-6)
    draws = table.draw((100_000, 5), np.random.default_rng(0))
    assert draws.dtype == np.int32 and draws.shape == (100_000, 5)
    observed = np.bincount(draws.ravel(), minlength=5) / draws.size
    # chi-square goodness of fit, 4 degrees of freedom: 18.47 is the 0.999 quantile
    chi2 = (draws.size * (observed - expected) ** 2 / expected).sum()
    assert chi2 < 18.47


# ------------------------------------------------------------------ configuration
@pytest.mark.parametrize(
    "field, value",
    [("dim", 0), ("window", 0), ("negative", 0), ("min_count", 0), ("sample", -0.1),
     ("sample", 1.0), ("epochs", 0), ("alpha", 0.0), ("alpha", -1.0), ("alpha", float("nan")),
     ("batch_size", 0), ("threads", 0), ("dim", 2.5), ("dim", True), ("max_vocab", 0),
     ("seed", -1)],
)
def test_bad_parameters_are_named(field, value):
    with pytest.raises(ConfigError, match="--" + field.replace("_", "-")):
        TrainConfig(**{field: value}).validate()


def test_min_alpha_may_not_exceed_alpha():
    with pytest.raises(ConfigError, match="--min-alpha"):
        TrainConfig(alpha=0.01, min_alpha=0.02).validate()


def test_config_round_trips_through_a_dict():
    config = TrainConfig(dim=7, max_vocab=100, sample=0)
    assert TrainConfig.from_dict({**config.to_dict(), "unknown": 1}) == config


# ------------------------------------------------------------------ training
def test_trained_model_finds_planted_groups(planted):
    model = train(planted, TrainConfig(dim=20, epochs=5, min_count=1, sample=0, seed=1))
    hits = 0
    total = 0
    for members, _ in PLANTED_GROUPS.values():
        for word in members:
            neighbours = [w for w, _ in model.wv.most_similar(word, topn=5)]
            group_words = set(members) | set(PLANTED_GROUPS_CONTEXT[word])
            hits += sum(n in group_words for n in neighbours)
            total += len(neighbours)
    assert hits / total > 0.9
    # an analogy-free check: members of one group are closer than members of two groups
    assert model.wv.similarity("cat", "dog") > model.wv.similarity("cat", "red") + 0.3


PLANTED_GROUPS_CONTEXT = {m: ctx for members, ctx in PLANTED_GROUPS.values() for m in members}


def test_same_seed_single_thread_is_deterministic(planted):
    config = TrainConfig(**TINY)
    a = train(planted, config)
    b = train(planted, config)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    c = train(planted, TrainConfig(**{**TINY, "seed": 4}))
    assert not np.array_equal(a.wv.vectors, c.wv.vectors)


def test_initialisation_follows_word2vec(planted):
    corpus = prepare_corpus(planted, min_count=1)
    trainer = training.Trainer(corpus, TrainConfig(dim=50, seed=0))
    assert np.all(trainer.W_out == 0)
    assert trainer.W_in.dtype == np.float32
    assert np.abs(trainer.W_in).max() <= 0.5 / 50
    assert np.abs(trainer.W_in).max() > 0.45 / 50
    assert abs(trainer.W_in.mean()) < 0.001


def test_cbow_initialisation_follows_gensim(planted):
    """CBOW's input vectors start uniform in (-1, 1) / dim (gensim 4), twice word2vec's."""
    corpus = prepare_corpus(planted, min_count=1)
    sg = training.Trainer(corpus, TrainConfig(dim=50, seed=0))
    cbow = training.Trainer(corpus, TrainConfig(dim=50, seed=0, cbow=True))
    assert np.all(cbow.W_out == 0)
    np.testing.assert_array_equal(cbow.W_in, 2 * sg.W_in)
    assert np.abs(cbow.W_in).max() <= 1.0 / 50
    assert np.abs(cbow.W_in).max() > 0.9 / 50


def test_two_threads_train_as_well(planted):
    model = train(planted, TrainConfig(**{**TINY, "threads": 2, "epochs": 4}))
    neighbours = [w for w, _ in model.wv.most_similar("cat", topn=3)]
    assert set(neighbours) <= set(PLANTED_GROUPS["animal"][0]) | set(PLANTED_GROUPS["animal"][1])


class Recorder(Callback):
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.events = []
        self.snapshots = []

    def on_train_begin(self, info):
        self.calls.append("begin")
        self.info = info

    def on_progress(self, event):
        self.calls.append("progress")
        self.events.append(event)

    def on_epoch_end(self, event, vectors):
        self.calls.append("epoch")
        self.snapshots.append(vectors)

    def on_train_end(self, event, model):
        self.calls.append("end")
        self.final = (event, model)


class Sampler(Recorder):
    """Reads an epoch's vectors during the call only: a copy is not needed."""

    keeps_epoch_vectors = False

    def on_epoch_end(self, event, vectors):
        super().on_epoch_end(event, vectors)
        self.rows = vectors.vectors[:3].copy()


@pytest.mark.parametrize("threads", [1, 2])
def test_epoch_end_vectors_are_copied_only_for_a_callback_that_keeps_them(planted, threads):
    """The CLI's reporter only samples an epoch's vectors: alone, it gets the live vectors (no
    copy of the matrix at every epoch's end); beside a callback that keeps them, a copy."""
    from w2v_core.cli.progress import ProgressReporter

    assert ProgressReporter.keeps_epoch_vectors is False
    config = TrainConfig(dim=8, epochs=2, min_count=1, sample=0, threads=threads, seed=3)
    corpus = prepare_corpus(planted, min_count=1)
    sampler = Sampler()
    model = training.Trainer(corpus, config, [sampler]).train()
    assert len(sampler.snapshots) == 2
    assert all(np.shares_memory(kv.vectors, model.wv.vectors) for kv in sampler.snapshots)
    assert np.array_equal(sampler.rows, model.wv.vectors[:3])  # the last epoch's, read live
    sampler, keeper = Sampler(), Recorder()
    model = training.Trainer(corpus, config, [sampler, keeper]).train()
    assert not any(np.shares_memory(kv.vectors, model.wv.vectors)
                   for kv in sampler.snapshots + keeper.snapshots)
    first, last = keeper.snapshots
    assert not np.array_equal(first.vectors, last.vectors)  # each epoch's own copy


def test_callbacks_report_true_mean_loss_and_linear_learning_rate(planted):
    config = TrainConfig(dim=8, epochs=3, min_count=1, batch_size=128, sample=0, negative=5, threads=1)
    recorder = Recorder()
    seconds = itertools.count(step=1.0)  # a second per look at the clock: one event per minibatch
    trainer = training.Trainer(prepare_corpus(planted, min_count=1), config, [recorder], clock=seconds.__next__)
    model = trainer.train()
    assert recorder.calls[0] == "begin" and recorder.calls[-1] == "end"
    mid_training = recorder.info.snapshot()  # callable any time, also after training
    np.testing.assert_array_equal(mid_training.vectors, model.wv.vectors)
    assert not np.shares_memory(mid_training.vectors, model.wv.vectors)
    assert recorder.calls.count("epoch") == 3
    events = recorder.events
    # output vectors start at zero: every score is 0, so the first batch's loss per pair is
    # (1 + number of valid noise words) * log 2, i.e. at most 6 log 2 and close to it
    first = events[0]
    assert first.pairs == 128
    assert 5.5 * math.log(2) < first.loss <= 6 * math.log(2) + 1e-6
    trained = [e for e in events if e.pairs]
    assert trained[-1].loss < first.loss - 1.0
    assert all(math.isnan(e.loss) for e in events if not e.pairs)
    # pairs in events add up to all pairs trained: the mean is over every pair exactly once
    assert sum(e.pairs for e in events) == model.summary.pairs_trained
    # learning rate falls linearly with the fraction of words done
    for e in events[::10]:
        expected = config.alpha - (config.alpha - config.min_alpha) * e.fraction
        assert e.learning_rate == pytest.approx(expected, abs=0.002)
    assert events[-1].fraction == 1.0 and events[-1].words_done == recorder.info.words_total
    assert [e.epoch for e in events] == sorted(e.epoch for e in events)
    # the epoch snapshots are copies that stop changing
    assert not np.shares_memory(recorder.snapshots[0].vectors, model.wv.vectors)
    assert not np.array_equal(recorder.snapshots[0].vectors, model.wv.vectors)


def test_stop_from_callback_keeps_a_usable_model(planted):
    class StopEarly(Callback):
        def on_progress(self, event):
            if event.fraction > 0.2:
                raise StopTraining

    recorder = Recorder()
    config = TrainConfig(**{**TINY, "epochs": 50})
    model = train(planted, config, [StopEarly(), recorder])
    assert model.summary.stopped_early
    assert 0.2 < model.summary.epochs_completed < 50
    assert len(model.wv.most_similar("cat", topn=3)) == 3
    assert recorder.calls[-1] == "end"


def _wait_for(condition, timeout: float = 120.0) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def test_pause_holds_training_until_resumed_and_stop_ends_it(planted, monkeypatch):
    control = TrainingControl()
    probe = PauseProbe().watch(control, monkeypatch)
    started = threading.Event()
    look: dict = {}

    class Signal(Callback):
        def on_train_begin(self, info):
            look["snapshot"] = info.snapshot

        def on_progress(self, event):
            started.set()

    result = {}
    # one training thread: with several, each reaches its pause point at its own time
    config = TrainConfig(**{**TINY, "epochs": 1000, "threads": 1})
    thread = threading.Thread(
        target=lambda: result.setdefault("model", probe.train(planted, config, [Signal()], control)),
        daemon=True,
    )
    thread.start()
    assert started.wait(120)
    control.pause()
    assert probe.acknowledged.wait(120), "the trainer never reached its pause point"
    vectors = look["snapshot"]().vectors
    # observe again once the trainer is blocked (or, if it does not block, has trained on)
    assert _wait_for(probe.settled)
    assert probe.steps_while_paused == 0, "updates happened after the trainer acknowledged the pause"
    np.testing.assert_array_equal(look["snapshot"]().vectors, vectors)
    control.resume()
    assert _wait_for(lambda: probe.steps_while_paused > 0), "training did not go on after resume"
    control.stop()
    thread.join(120)
    assert not thread.is_alive()
    model = result["model"]
    assert model.summary.stopped_early and model.summary.epochs_completed < 1000
    assert model.wv.most_similar("dog", topn=2)


def test_diverging_run_stops_with_a_clear_error(planted):
    config = TrainConfig(dim=50, epochs=3, min_count=1, alpha=10.0, min_alpha=10.0, batch_size=4096, sample=0)
    with pytest.raises(TrainingDivergedError, match="diverged"):
        train(planted, config)


def test_corpus_too_small_to_train():
    with pytest.raises(CorpusError, match="too small"):
        train([["alone"], ["again"]], TrainConfig(min_count=1))


def test_no_word_reaches_min_count():
    with pytest.raises(CorpusError, match="min_count"):
        train([["a", "b", "c"]], TrainConfig(min_count=5))


def test_planted_sentences_are_reproducible():
    assert planted_sentences(5, seed=1) == planted_sentences(5, seed=1)


def test_corpus_that_yields_no_pairs_after_subsampling():
    with pytest.raises(CorpusError, match="no \\(centre, context\\) pair"):
        train([["hello", "world"]], TrainConfig(min_count=1, sample=1e-3, epochs=3))
