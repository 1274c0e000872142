"""Spies on the SGNS trainer's seams: what a real ``train()`` draws and applies.

The trainer's random draws go through a few stable seams, which these spies wrap without
changing what they return:

- ``w2v_core.sgns.subsample(ids, keep_prob, rng)``: the subsampling mask of a chunk;
- ``w2v_core.sgns.make_pairs(ids, sentence_ids, reduced_windows, window)``: called with the
  reduced windows the trainer drew;
- ``Trainer._noise.draw(shape, rng)``: the noise words;
- ``_Worker.step(inputs, outputs, noise, alpha)``: one minibatch update, with the learning
  rate actually applied;
- ``TrainingControl.wait_while_paused()``: where the trainer holds while paused.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from w2v_core import sgns
from w2v_core.callbacks import TrainingControl
from w2v_core.model import Model
from w2v_core.sgns import TrainConfig


def exact_config(**options: Any) -> TrainConfig:
    """A TrainConfig in the engine's exact per-pair mode (``shared_negatives=0`` where it exists)."""
    if "shared_negatives" in {f.name for f in dataclasses.fields(TrainConfig)}:
        options.setdefault("shared_negatives", 0)
    return TrainConfig(**options)


@dataclass
class NoiseDraw:
    shape: tuple[int, ...]
    rng_state: dict  #: the generator's state just before the draw
    rng_type: type
    words: np.ndarray

    def generator(self) -> np.random.Generator:
        """A generator in the state the trainer's was in before this draw."""
        bit_generator = self.rng_type()
        bit_generator.state = self.rng_state
        return np.random.Generator(bit_generator)


@dataclass
class Recording:
    """Everything the trainer drew and applied, in call order."""

    #: (chunk ids, keep probabilities passed, mask returned)
    subsamples: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    #: (ids, sentence ids, reduced windows, window)
    pairs: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = field(default_factory=list)
    noise: list[NoiseDraw] = field(default_factory=list)
    #: (inputs, outputs, noise, alpha) per minibatch step
    steps: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]] = field(default_factory=list)
    #: ("words", chunk length) at each subsample call and ("alpha", alpha) at each step
    timeline: list[tuple[str, float]] = field(default_factory=list)

    def concatenated_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """All subsampled ids and their keep masks, in stream order."""
        assert self.subsamples, "the trainer never called subsample()"
        ids = np.concatenate([ids for ids, _, _ in self.subsamples])
        masks = np.concatenate([mask for _, _, mask in self.subsamples])
        return ids, masks

    def reduced_windows(self) -> np.ndarray:
        assert self.pairs, "the trainer never called make_pairs()"
        return np.concatenate([reduced for _, _, reduced, _ in self.pairs])

    def noise_words(self) -> np.ndarray:
        assert self.noise, "the trainer never drew noise words"
        return np.concatenate([draw.words.ravel() for draw in self.noise])


class _RecordingNoise:
    """Wraps the trainer's noise table; every draw is recorded with the generator state."""

    def __init__(self, table: Any, recording: Recording) -> None:
        self._table, self._recording = table, recording

    def draw(self, shape, rng: np.random.Generator) -> np.ndarray:
        state = rng.bit_generator.state
        words = self._table.draw(shape, rng)
        shape = tuple(shape) if isinstance(shape, Iterable) else (int(shape),)
        self._recording.noise.append(NoiseDraw(shape, state, type(rng.bit_generator), np.array(words)))
        return words

    def __getattr__(self, name: str) -> Any:  # anything else the trainer asks of its table
        return getattr(self._table, name)

    def __len__(self) -> int:
        return len(self._table)


def spy_on(trainer: sgns.Trainer, monkeypatch: pytest.MonkeyPatch) -> Recording:
    """Install the spies for ``trainer`` (undone with ``monkeypatch``); return their recording."""
    recording = Recording()
    real_subsample, real_pairs, real_step = sgns.subsample, sgns.make_pairs, sgns._Worker.step

    def subsample(ids, keep_prob, rng):
        mask = real_subsample(ids, keep_prob, rng)
        recording.subsamples.append((np.array(ids), np.array(keep_prob), np.array(mask, dtype=bool)))
        recording.timeline.append(("words", len(ids)))
        return mask

    def make_pairs(ids, sentence_ids, reduced_windows, window):
        recording.pairs.append(
            (np.array(ids), np.array(sentence_ids), np.array(reduced_windows), int(window))
        )
        return real_pairs(ids, sentence_ids, reduced_windows, window)

    def step(self, inputs, outputs, noise, alpha, weights=None):
        recording.steps.append((np.array(inputs), np.array(outputs), np.array(noise), float(alpha)))
        recording.timeline.append(("alpha", float(alpha)))
        return real_step(self, inputs, outputs, noise, alpha, weights)

    monkeypatch.setattr(sgns, "subsample", subsample)
    monkeypatch.setattr(sgns, "make_pairs", make_pairs)
    monkeypatch.setattr(sgns._Worker, "step", step)
    monkeypatch.setattr(trainer, "_noise", _RecordingNoise(trainer._noise, recording))
    return recording


def train_recorded(
    sentences: list[list[str]], config: TrainConfig
) -> tuple[sgns.Trainer, np.ndarray, Model, Recording]:
    """Train on ``sentences`` with every seam spied on.

    Returns the trainer, the input vectors before training, the model and the recording.
    """
    corpus = sgns.prepare_corpus(sentences, config.min_count, config.max_vocab)
    trainer = sgns.Trainer(corpus, config)
    initial = trainer.W_in.copy()
    with pytest.MonkeyPatch.context() as monkeypatch:
        recording = spy_on(trainer, monkeypatch)
        model = trainer.train()
    return trainer, initial, model, recording


class PauseProbe:
    """Sees a trainer reach its pause point, and whether it trains on after that.

    It wraps ``control.wait_while_paused`` (the trainer calls it before a minibatch while
    paused) to note the moment and the thread, and counts ``_Worker.step`` calls. Use it
    with ``threads=1``: several threads each reach their pause point at their own time.
    """

    def __init__(self) -> None:
        self.acknowledged = threading.Event()
        self.thread: threading.Thread | None = None
        self.steps = 0
        self.steps_at_pause = -1

    def watch(self, control: TrainingControl, monkeypatch: pytest.MonkeyPatch) -> "PauseProbe":
        real_wait, real_step = control.wait_while_paused, sgns._Worker.step

        def wait_while_paused() -> float:
            if control.paused and not self.acknowledged.is_set():
                self.thread, self.steps_at_pause = threading.current_thread(), self.steps
                self.acknowledged.set()
            return real_wait()

        def step(worker, *args):
            self.steps += 1
            return real_step(worker, *args)

        monkeypatch.setattr(control, "wait_while_paused", wait_while_paused)
        monkeypatch.setattr(sgns._Worker, "step", step)
        return self

    def blocked(self) -> bool:
        """Is the trainer's thread blocked on a lock inside ``wait_while_paused`` now?"""
        frame = sys._current_frames().get(self.thread.ident) if self.thread else None
        if frame is None or frame.f_code.co_name != "wait" or not frame.f_code.co_filename.endswith("threading.py"):
            return False
        while frame is not None:
            if frame.f_code.co_name == "wait_while_paused":
                return True
            frame = frame.f_back
        return False

    def settled(self) -> bool:
        """The pause was acknowledged, and the trainer is now blocked in it or trained on past it."""
        return self.acknowledged.is_set() and (self.blocked() or self.steps > self.steps_at_pause)

    @property
    def steps_while_paused(self) -> int:
        return self.steps - self.steps_at_pause
