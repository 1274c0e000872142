"""Spies on the trainer's public seams: what a real ``train()`` draws and applies.

The trainer's random draws all go through ``Trainer.draws`` and its steps through
``Trainer.objective``; these spies wrap both without changing what they return:

- ``draws.kept(ids, rng)``: the subsampling mask of a chunk;
- ``draws.windows(n, window, rng)``: the reduced windows;
- ``draws.noise(shape, rng)``: the noise words;
- ``objective.examples(sentence_ids, reduced_windows, window)``: a chunk's examples (its
  pairs handed to ``on_examples`` as ``make_pairs`` makes them);
- ``objective.step(worker, batch, noise, alpha)``: one minibatch update, with the learning
  rate actually applied;
- ``TrainingControl.wait_while_paused()``: where the trainer holds while paused.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from w2v_core import training
from w2v_core.callbacks import TrainingControl
from w2v_core.model import Model
from w2v_core.config import TrainConfig
from w2v_core.token_ids import EncodedCorpus
from w2v_core.training.pairs import make_pairs


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
    #: (reduced windows, window) per chunk
    windows: list[tuple[np.ndarray, int]] = field(default_factory=list)
    noise: list[NoiseDraw] = field(default_factory=list)
    #: (inputs, outputs, noise, alpha) per minibatch step
    steps: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]] = field(default_factory=list)
    #: ("words", chunk length) at each subsample call and ("alpha", alpha) at each step
    timeline: list[tuple[str, float]] = field(default_factory=list)

    def concatenated_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """All subsampled ids and their keep masks, in stream order."""
        assert self.subsamples, "the trainer never subsampled"
        ids = np.concatenate([ids for ids, _, _ in self.subsamples])
        masks = np.concatenate([mask for _, _, mask in self.subsamples])
        return ids, masks

    def reduced_windows(self) -> np.ndarray:
        assert self.windows, "the trainer never drew windows"
        return np.concatenate([reduced for reduced, _ in self.windows])

    def noise_words(self) -> np.ndarray:
        assert self.noise, "the trainer never drew noise words"
        return np.concatenate([draw.words.ravel() for draw in self.noise])


class _RecordingDraws:
    """Wraps a trainer's :class:`~w2v_core.training.sampling.Draws`; records every draw."""

    def __init__(self, draws: Any, recording: Recording) -> None:
        self._draws, self._recording = draws, recording
        self.keep_probabilities = draws.keep_probabilities

    def kept(self, ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        mask = self._draws.kept(ids, rng)
        self._recording.subsamples.append(
            (np.array(ids), np.array(self.keep_probabilities), np.array(mask, dtype=bool))
        )
        self._recording.timeline.append(("words", len(ids)))
        return mask

    def windows(self, n: int, window: int, rng: np.random.Generator) -> np.ndarray:
        reduced = self._draws.windows(n, window, rng)
        self._recording.windows.append((np.array(reduced), int(window)))
        return reduced

    def noise(self, shape, rng: np.random.Generator) -> np.ndarray:
        state = rng.bit_generator.state
        words = self._draws.noise(shape, rng)
        shape = tuple(shape) if isinstance(shape, Iterable) else (int(shape),)
        self._recording.noise.append(NoiseDraw(shape, state, type(rng.bit_generator), np.array(words)))
        return words


class ObjectiveSpy:
    """Wraps an objective: ``on_step(worker, batch, noise, alpha)`` sees every step first,
    ``on_examples(centres, contexts, window, examples)`` every chunk's examples."""

    def __init__(
        self,
        objective: Any,
        on_step: Callable[..., None] | None = None,
        on_examples: Callable[..., None] | None = None,
    ) -> None:
        self._objective, self._on_step, self._on_examples = objective, on_step, on_examples

    def examples(self, sentence_ids, reduced_windows, window):
        examples = self._objective.examples(sentence_ids, reduced_windows, window)
        if self._on_examples is not None:  # the chunk's pairs, as make_pairs makes them
            centres, contexts = make_pairs(sentence_ids, sentence_ids, reduced_windows, window)
            self._on_examples(centres, contexts, window, examples)
        return examples

    def step(self, worker, batch, noise, alpha) -> float:
        if self._on_step is not None:
            self._on_step(worker, batch, noise, alpha)
        return self._objective.step(worker, batch, noise, alpha)

    def __getattr__(self, name: str) -> Any:  # examples(), init_scale...: the real one's
        return getattr(self._objective, name)


def spy_on_steps(
    trainer: training.Trainer,
    on_step: Callable[..., None] | None = None,
    on_examples: Callable[..., None] | None = None,
) -> training.Trainer:
    """Wrap ``trainer``'s objective in an :class:`ObjectiveSpy` with these hooks; return it."""
    trainer.objective = ObjectiveSpy(trainer.objective, on_step, on_examples)
    return trainer


def spy_on(trainer: training.Trainer) -> Recording:
    """Wrap ``trainer``'s draws and objective in spies; return their recording."""
    recording = Recording()
    trainer.draws = _RecordingDraws(trainer.draws, recording)

    def record(worker, batch, noise, alpha) -> None:
        recording.steps.append((np.array(batch.inputs), np.array(batch.outputs), np.array(noise), float(alpha)))
        recording.timeline.append(("alpha", float(alpha)))

    spy_on_steps(trainer, record)
    return recording


def train_recorded(
    sentences: list[list[str]], config: TrainConfig
) -> tuple[training.Trainer, np.ndarray, Model, Recording]:
    """Train on ``sentences`` with every seam spied on.

    Returns the trainer, the input vectors before training, the model and the recording.
    """
    corpus = training.prepare_corpus(sentences, config.min_count, config.max_vocab)
    trainer = training.Trainer(corpus, config)
    initial = trainer.W_in.copy()
    recording = spy_on(trainer)
    return trainer, initial, trainer.train(), recording


class PauseProbe:
    """Sees a trainer reach its pause point, and whether it trains on after that.

    It wraps ``control.wait_while_paused`` (the trainer calls it before a minibatch while
    paused) to note the moment and the thread, and counts the steps of the runs started
    with :meth:`train`. Use it with ``threads=1``: several threads each reach their pause
    point at their own time.
    """

    def __init__(self) -> None:
        self.acknowledged = threading.Event()
        self.thread: threading.Thread | None = None
        self.steps = 0
        self.steps_at_pause = -1

    def watch(self, control: TrainingControl, monkeypatch: pytest.MonkeyPatch) -> "PauseProbe":
        real_wait = control.wait_while_paused

        def wait_while_paused() -> float:
            if control.paused and not self.acknowledged.is_set():
                self.thread, self.steps_at_pause = threading.current_thread(), self.steps
                self.acknowledged.set()
            return real_wait()

        monkeypatch.setattr(control, "wait_while_paused", wait_while_paused)
        return self

    def train(self, corpus, config: TrainConfig, callbacks=(), control=None, checkpoints=None) -> Model:
        """:func:`w2v_core.training.train`, with this probe counting the steps."""
        if not isinstance(corpus, EncodedCorpus):
            corpus = training.prepare_corpus(corpus, config.min_count, config.max_vocab, control)

        def count(*step) -> None:
            self.steps += 1

        trainer = training.Trainer(corpus, config, callbacks, control, checkpoints=checkpoints)
        return spy_on_steps(trainer, count).train()

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
