"""Test doubles for the TUI tests: a hand-built model with planted structure and a fake trainer.

The fake trainer speaks the engine's callback protocol with synthetic, fixed TrainingEvents,
so dashboard tests and snapshots do not depend on timing or speed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from textual.worker import get_current_worker

from w2v_core.callbacks import Callback, StopTraining, TrainingControl, TrainingEvent, TrainingStart
from w2v_core.model import Model, TrainingSummary
from w2v_core.config import TrainConfig
from w2v_core.vectors import KeyedVectors

#: word -> (royal, male, young, parent, animal, country, capital) features
FEATURES = {
    "king": (1, 1, 0, 0, 0, 0, 0), "queen": (1, -1, 0, 0, 0, 0, 0),
    "prince": (1, 1, 1, 0, 0, 0, 0), "princess": (1, -1, 1, 0, 0, 0, 0),
    "man": (0, 1, 0, 0, 0, 0, 0), "woman": (0, -1, 0, 0, 0, 0, 0),
    "boy": (0, 1, 1, 0, 0, 0, 0), "girl": (0, -1, 1, 0, 0, 0, 0),
    "father": (0, 1, 0, 1, 0, 0, 0), "mother": (0, -1, 0, 1, 0, 0, 0),
    "cat": (0, 0, 0, 0, 1, 0, 0), "dog": (0, 0, 0, 0, 1, 0, 0),
    "horse": (0, 0, 0, 0, 1, 0, 0), "cow": (0, 0, 0, 0, 1, 0, 0),
    "france": (0, 0, 0, 0, 0, 1, 0), "paris": (0, 0, 0, 0, 0, 1, 1),
    "italy": (0, 0, 0, 0, 0, 1, 0), "rome": (0, 0, 0, 0, 0, 1, 1),
    "spain": (0, 0, 0, 0, 0, 1, 0), "madrid": (0, 0, 0, 0, 0, 1, 1),
}
DIM = 16
CONFIG = TrainConfig(dim=DIM, window=3, negative=5, min_count=1, epochs=2, seed=1)


def planted_vectors(n_filler: int = 60, seed: int = 0) -> KeyedVectors:
    """Vectors in which king - man + woman = queen, animals cluster, capitals pair with countries."""
    rng = np.random.default_rng(seed)
    words = ["the", "and", "of"] + list(FEATURES) + [f"filler{i:02d}" for i in range(n_filler)]
    vectors = rng.normal(0.0, 0.08, size=(len(words), DIM)).astype(np.float32)
    for i, word in enumerate(words):
        if word in FEATURES:
            vectors[i, : len(FEATURES[word])] += np.array(FEATURES[word], dtype=np.float32)
        else:
            vectors[i, 8:] += rng.normal(0.0, 1.0, size=DIM - 8)
    for country, capital, axis in (("france", "paris", 8), ("italy", "rome", 9), ("spain", "madrid", 10)):
        for w in (country, capital):
            vectors[words.index(w), axis] += 1.0
    counts = np.arange(len(words), 0, -1, dtype=np.int64) * 10
    return KeyedVectors(words, vectors, counts)


def planted_model() -> Model:
    kv = planted_vectors()
    summary = TrainingSummary(corpus_words=5000, words_trained=10000, pairs_trained=40000,
                              epochs_completed=2.0, seconds=1.5, final_loss=2.5, stopped_early=False)
    return Model(kv, np.zeros_like(kv.vectors), CONFIG, summary)


def event(epoch: int, step: int, steps: int = 5, epochs: int = 2, corpus_words: int = 5000) -> TrainingEvent:
    """A deterministic progress event: step ``step`` of ``steps`` in epoch ``epoch``."""
    total = corpus_words * epochs
    done = (epoch - 1) * corpus_words + corpus_words * step // steps
    fraction = done / total
    return TrainingEvent(
        epoch=epoch, epochs=epochs, words_done=done, words_total=total, fraction=fraction,
        loss=4.0 - 1.5 * fraction + 0.1 * (step % 2), pairs=1000, learning_rate=0.025 * (1 - fraction) + 1e-4,
        words_per_second=250_000.0, elapsed=10.0 * fraction, eta=10.0 * (1 - fraction),
    )


class FakeTrainer:
    """Calls the callbacks with synthetic events, like w2v_core.training.train.

    With ``hold_after`` set, it stops after that many epochs and waits until ``control``
    is stopped (or ``timeout``), so a test sees a dashboard in a fixed, running state.
    With ``gated=True`` it stays "reading the corpus" until the test sets :attr:`release`.
    No step waits for a fixed time.
    """

    def __init__(self, epochs: int = 2, steps: int = 5, hold_after: int | None = None, timeout: float = 120.0,
                 gated: bool = False) -> None:
        self.epochs, self.steps, self.hold_after, self.timeout = epochs, steps, hold_after, timeout
        self.release = threading.Event()  #: set: reading the corpus is over
        if not gated:
            self.release.set()
        self.holding = threading.Event()
        self.calls = 0

    def __call__(self, corpus: object, config: TrainConfig = CONFIG, callbacks: Sequence[Callback] = (),
                 control: TrainingControl | None = None, checkpoints: object = None) -> Model:
        self.calls += 1
        if not self.release.wait(self.timeout):
            raise TimeoutError("FakeTrainer: the test never released the reading phase")
        control = control or TrainingControl()
        model = planted_model()
        words_total = 5000 * self.epochs
        for cb in callbacks:
            cb.on_train_begin(TrainingStart(len(model.wv), 5000, words_total, replace(config, epochs=self.epochs)))
        last, stopped = None, False
        try:
            for epoch in range(1, self.epochs + 1):
                for step in range(1, self.steps + 1):
                    last = event(epoch, step, self.steps, self.epochs)
                    for cb in callbacks:
                        cb.on_progress(last)
                for cb in callbacks:
                    cb.on_epoch_end(last, model.wv)
                if self.hold_after == epoch:
                    self.holding.set()
                    worker = get_current_worker()
                    deadline = time.monotonic() + self.timeout
                    # poll: neither the control nor the worker offers an event to wait on
                    while not (control.stopped or worker.is_cancelled) and time.monotonic() < deadline:
                        time.sleep(0.01)
                if control.stopped:
                    stopped = True
                    break
        except StopTraining:
            stopped = True
        assert model.summary is not None
        model = replace(model, summary=replace(model.summary, stopped_early=stopped,
                                               epochs_completed=last.fraction * self.epochs if last else 0.0))
        for cb in callbacks:
            cb.on_train_end(last, model)  # type: ignore[arg-type]
        return model


def planted_ensemble_model(runs: int = 3) -> Model:
    """The first of ``runs`` planted models (same words, other noise), linked to the set."""
    from w2v_core.ensemble import Ensemble

    first = planted_model()
    others = [Model(planted_vectors(seed=seed)) for seed in range(1, runs)]
    return Ensemble([first, *others]).first
