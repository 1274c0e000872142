"""Progress of a training run: the counters every worker adds to, the events callbacks see,
and the protocols the training loop is given.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np

from ..callbacks import Callback, TrainingEvent
from ..config import TrainConfig
from ..run_state import LossCurve, TrainingState
from .divergence import DivergenceGuard

#: Seconds between progress events (the hook promises 2 to a few dozen per second).
PROGRESS_INTERVAL = 0.2


class Control(Protocol):
    """Stop and pause switches as a worker reads them (:class:`~w2v_core.callbacks.TrainingControl`,
    or its mirror in a worker process)."""

    @property
    def stopped(self) -> bool: ...

    @property
    def paused(self) -> bool: ...

    def wait_while_paused(self) -> float: ...


class Reporter(Protocol):
    """Where a worker reports what it trained: :class:`Progress`, a silent view of it for the
    other threads, or a worker process's shared row."""

    #: the learning rate last reported
    alpha: float

    def add(self, words: int, pairs: int, loss_sum: float, alpha: float) -> None:
        """Count ``words`` read and ``pairs`` trained with summed loss ``loss_sum``."""
        ...

    def emit(self) -> object:
        """Tell the callbacks, if an event is due (only one worker's reporter does)."""
        ...

    def wait_while_paused(self, control: Control) -> None:
        """Block while ``control`` is paused, keeping paused time out of the speed."""
        ...


class Progress:
    """Shared, lock-protected counters turned into throttled :class:`TrainingEvent` s.

    Parameters
    ----------
    callbacks : Callback
        Told each event.
    config : TrainConfig
    corpus_words : int
        Words per epoch.
    clock : callable, optional
        Seconds, monotonic (default :func:`time.perf_counter`); tests pass their own.
    interval : float
        Least seconds between two events (the hook promises 2 to a few dozen per second).
    start : TrainingState, optional
        Where the run begins: a resumed run counts on from its words, pairs and time.
    curve : LossCurve, optional
        Given each event's loss.
    """

    def __init__(
        self,
        callbacks: Callback,
        config: TrainConfig,
        corpus_words: int,
        clock: Callable[[], float] | None = None,
        interval: float = PROGRESS_INTERVAL,
        start: TrainingState | None = None,
        curve: LossCurve | None = None,
    ) -> None:
        start = start or TrainingState()
        self.clock = clock or time.perf_counter
        self.interval = interval
        self.callbacks = callbacks
        self.config = config
        self.corpus_words = corpus_words
        self.words_total = corpus_words * config.epochs
        self.lock = threading.Lock()
        self.words_done = start.words_done
        self.pairs_total = start.pairs_done
        self.pairs = 0
        self.loss_sum = 0.0
        self.last_loss = math.nan
        self.epoch = start.epoch + 1
        self.alpha = config.alpha
        self.curve = curve if curve is not None else LossCurve()
        self.started = self.clock() - start.seconds
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
        return self.clock() - self.started - self.paused_seconds

    def wait_while_paused(self, control: Control) -> None:
        """Block while ``control`` is paused; the pause counts once however many threads wait.

        Paused time is the union of the threads' waits: from the moment the first thread
        starts waiting until the last one stops.
        """
        with self.lock:
            if self.waiting == 0:
                self.wait_started = self.clock()
            self.waiting += 1
        try:
            control.wait_while_paused()
        finally:
            with self.lock:
                self.waiting -= 1
                if self.waiting == 0:
                    self.paused_seconds += self.clock() - self.wait_started

    def totals(self) -> tuple[int, int]:
        """Words read and pairs trained so far, the worker processes' included."""
        self.collect()
        with self.lock:
            return self.words_done, self.pairs_total

    def epoch_trained(self, epochs_done: int) -> None:
        """Every chunk of ``epochs_done`` epochs was trained: count their words as read.

        A no-op in a run that was never stopped; a run resumed from a checkpoint written
        while other workers were mid-chunk skipped the rest of those chunks, and its count
        rejoins the plan here.
        """
        self.collect()
        with self.lock:
            self.words_done = epochs_done * self.corpus_words

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
        now = self.clock()
        if not force and now - self.last_emit < self.interval:
            return None
        self.last_emit = now
        event = self.event()
        if self.guard is not None:
            self.guard.check_event(event)
        self.curve.append(event.fraction * event.epochs, event.loss)
        self.callbacks.on_progress(event)
        return event


class SilentProgress:
    """A view of a :class:`Progress` for the workers that count but do not tell callbacks
    (callbacks are called from one thread only)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    @property
    def alpha(self) -> float:
        return self.progress.alpha

    def add(self, words: int, pairs: int, loss_sum: float, alpha: float) -> None:
        self.progress.add(words, pairs, loss_sum, alpha)

    def emit(self) -> None:
        return None

    def wait_while_paused(self, control: Control) -> None:
        self.progress.wait_while_paused(control)
