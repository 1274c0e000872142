"""The shared-noise SGNS kernel against finite differences, and pause accounting."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from conftest import planted_sentences
from w2v_core import TrainConfig, TrainingControl, prepare_corpus, train
from w2v_core import sgns


def _shared_objective(W_in, W_out, inputs, outputs, noise, group, negative) -> float:
    """The shared-noise loss written pair by pair in float64: the reference."""
    total = 0.0
    weight = negative / noise.shape[1]
    for b, (i, o) in enumerate(zip(inputs, outputs)):
        h = W_in[i]
        total += np.logaddexp(0.0, -W_out[o] @ h)
        for n in noise[b // group]:
            if n != o:  # a noise word equal to the centre word is skipped
                total += weight * np.logaddexp(0.0, W_out[n] @ h)
    return total


def _numeric_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


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
    expected_in = W_in - alpha * _numeric_gradient(loss, W_in)
    expected_out = W_out - alpha * _numeric_gradient(loss, W_out)

    config = TrainConfig(dim=d, negative=K, shared_negatives=N)
    fast_in, fast_out = W_in.astype(np.float32), W_out.astype(np.float32)
    worker = sgns._Worker(fast_in, fast_out, config, 0, 16, group_size=group)
    assert worker.noise_shape(pairs) == noise.shape
    worker.step(inputs, outputs, np.zeros((3, N), np.int32), 0.0)  # dirty the buffers first
    step_loss = worker.step(inputs, outputs, noise, alpha)
    assert step_loss == pytest.approx(expected_loss, rel=1e-5)
    np.testing.assert_allclose(fast_in, expected_in, atol=1e-5)
    np.testing.assert_allclose(fast_out, expected_out, atol=1e-5)


def test_group_size_bounds_the_weighted_updates_of_a_noise_row():
    # a drawn noise word's row gets group * negative / shared weighted updates per minibatch
    assert sgns.shared_group_size(1024, 5, 16) * 5 / 16 <= sgns.MAX_ROW_UPDATES
    assert sgns.shared_group_size(100, 5, 16) == 100  # never above the minibatch
    assert sgns.shared_group_size(1024, 100, 1) == 1


def test_exact_mode_draws_noise_per_pair(monkeypatch):
    shapes = []
    real = sgns._Worker.step

    def spy(self, inputs, outputs, noise, alpha):
        shapes.append((len(inputs), noise.shape))
        return real(self, inputs, outputs, noise, alpha)

    monkeypatch.setattr(sgns._Worker, "step", spy)
    corpus = prepare_corpus(planted_sentences(300), min_count=1)
    train(corpus, TrainConfig(dim=8, epochs=1, min_count=1, negative=3, shared_negatives=0))
    assert shapes and all(noise == (m, 3) for m, noise in shapes)
    shapes.clear()
    train(corpus, TrainConfig(dim=8, epochs=1, min_count=1, negative=3, shared_negatives=4))
    group = sgns.shared_group_size(1024, 3, 4)
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

    monkeypatch.setattr(sgns, "_clock", clock)
    monkeypatch.setattr(time, "perf_counter", clock)  # also what TrainingControl measures
    control = _CountingControl(threads=2)
    control.pause()  # both threads stop at their first minibatch
    corpus = prepare_corpus(planted_sentences(3000), min_count=1)  # 3 chunks of 10k tokens
    config = TrainConfig(dim=8, epochs=1, min_count=1, threads=2)

    def pause_for_100_seconds() -> None:
        assert control.all_waiting.wait(timeout=60)
        now[0] += 100.0
        control.resume()

    helper = threading.Thread(target=pause_for_100_seconds)
    helper.start()
    model = train(corpus, config, control=control)
    helper.join()
    assert control.waiting == 2
    # 100 s of wall time, all of it paused: counted once, not once per thread (-100 s)
    assert model.summary.seconds == pytest.approx(0.0)
