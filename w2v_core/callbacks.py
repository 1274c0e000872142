"""What training tells its listeners, and how a listener stops or pauses it.

The trainer calls every :class:`Callback` from the thread that trains. A callback that
hands events to another thread (a UI) should copy what it needs and return quickly; a
:class:`TrainingControl` may be used from any thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING

from .config import TrainConfig

if TYPE_CHECKING:  # pragma: no cover
    from .model import Model
    from .run_state import TrainingState
    from .vectors import KeyedVectors


@dataclass(frozen=True)
class ReadingProgress:
    """How far reading the corpus (counting words, building the vocabulary) has come.

    Sent a few times a second while the corpus is read, and once at its end.
    """

    bytes_read: int  #: of the corpus's files (compressed bytes for a compressed file)
    bytes_total: int | None  #: None for a pipe, a device or an NLTK corpus
    words: int  #: tokens counted so far
    vocabulary: int  #: distinct tokens so far, before min_count: a runaway shows early
    seconds: float  #: since reading began
    done: bool = False  #: the last report: the whole corpus is read
    #: in the last report: processes that read the corpus (1: it could not be cut)
    processes: int = 1
    #: in the last report: 0, or the distinct-token bound was reached and tokens seen at most
    #: this often in a stretch were forgotten (counts approximate: ``--max-distinct``)
    count_floor: int = 0
    #: None while the text is read; then, with ``--phrases``, the share of joining the
    #: phrases done (the text is read: each pass scans the ids twice)
    phrases: float | None = None

    @property
    def fraction(self) -> float | None:
        """Share of the bytes read, None when the total is unknown."""
        if not self.bytes_total:
            return None
        return min(self.bytes_read / self.bytes_total, 1.0)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left, from the bytes' rate; None when unknown."""
        fraction = self.fraction
        if fraction is None or fraction <= 0 or self.seconds <= 0:
            return None
        return self.seconds * (1 - fraction) / fraction


@dataclass(frozen=True)
class TrainingStart:
    """Sent once, before the first update."""

    vocab_size: int
    corpus_words: int  #: in-vocabulary words in one pass over the corpus
    words_total: int  #: corpus_words x epochs
    config: TrainConfig  #: with ``epochs`` resolved (never None)
    #: returns a copy of the current vectors; callable from any thread at any time
    snapshot: "Callable[[], KeyedVectors] | None" = None
    #: why ``config.epochs`` was chosen (``"auto: small corpus"``), None when it was given
    epochs_reason: str | None = None
    #: where a resumed run begins (None for a new run)
    resumed: "TrainingState | None" = None
    #: the loss so far against epochs done, (x, y): a resumed run's curve continues it
    loss_curve: tuple[list[float], list[float]] = ((), ())  # type: ignore[assignment]


@dataclass(frozen=True)
class TrainingEvent:
    """A progress report.

    ``loss`` is the true mean skip-gram negative-sampling loss per positive pair,
    ``-log s(u.v) - sum log s(-u_n.v)``, over the ``pairs`` trained since the previous event
    (NaN when no pair was trained in between). It is not cumulative.
    """

    epoch: int  #: 1-based epoch being trained
    epochs: int
    words_done: int  #: corpus words processed over all epochs so far (before subsampling)
    words_total: int
    fraction: float
    loss: float
    pairs: int
    learning_rate: float
    words_per_second: float
    elapsed: float  #: seconds since training began (pauses excluded)
    eta: float  #: estimated seconds left

    @property
    def finished(self) -> bool:
        """True once every word of every epoch has been trained."""
        return self.words_done >= self.words_total


class Callback:
    """Base class for training listeners; override the hooks you need.

    Raise :class:`StopTraining` from any hook to stop training; the model trained so far is
    kept.
    """

    #: Does :meth:`on_epoch_end` keep the vectors it is given (or hand them to another thread)?
    #: A callback that only reads them during the call says False: when no callback keeps
    #: them, the trainer passes the live vectors instead of a copy of the matrix, which set a
    #: large run's peak memory at every epoch's end (benchmarks/README.md, "Epoch ends
    #: without a copy").
    keeps_epoch_vectors: bool = True

    def on_reading(self, progress: ReadingProgress) -> None:
        """Reading the corpus goes on (before :meth:`on_train_begin`), a few times a second."""

    def on_run_begin(self, run: int, runs: int) -> None:
        """An ensemble's run ``run`` (1-based) of ``runs`` is about to read its sample and
        train (:func:`w2v_core.ensemble.train_ensemble`); a single run does not call it."""

    def on_train_begin(self, info: TrainingStart) -> None:
        """Training is about to start."""

    def on_progress(self, event: TrainingEvent) -> None:
        """Progress, a few times a second (at least twice, at most a few dozen)."""

    def on_epoch_end(self, event: TrainingEvent, vectors: "KeyedVectors") -> None:
        """An epoch ended; ``vectors`` is a snapshot copy, safe to keep and query (the live
        vectors, to read during the call only, when no callback :attr:`keeps_epoch_vectors`)."""

    def on_train_end(self, event: TrainingEvent, model: "Model") -> None:
        """Training ended, finished or stopped; ``model`` is the result."""


class StopTraining(Exception):
    """Raised by a callback to stop training early (the model trained so far is kept)."""


class ReadingStopped(StopTraining):
    """Stop was asked for while the corpus was still being read: there is no model yet."""


class TrainingControl:
    """Thread-safe stop and pause switches, shared between a trainer and its controller."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()

    def stop(self) -> None:
        """Ask training to stop at the next minibatch; also releases a pause."""
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        """Ask training to wait before its next minibatch until :meth:`resume` or :meth:`stop`."""
        self._running.clear()

    def resume(self) -> None:
        """Let a paused training go on."""
        self._running.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set() and not self._stop.is_set()

    def wait_while_paused(self) -> float:
        """Block while paused; return the seconds spent waiting."""
        if self._running.is_set():
            return 0.0
        started = time.perf_counter()
        self._running.wait()
        return time.perf_counter() - started


class CallbackList(Callback):
    """Fans each hook out to several callbacks, in order."""

    def __init__(self, callbacks: "list[Callback] | tuple[Callback, ...]" = ()) -> None:
        self.callbacks = list(callbacks)

    def on_reading(self, progress: ReadingProgress) -> None:
        for cb in self.callbacks:
            cb.on_reading(progress)

    def on_run_begin(self, run: int, runs: int) -> None:
        for cb in self.callbacks:
            cb.on_run_begin(run, runs)

    def on_train_begin(self, info: TrainingStart) -> None:
        for cb in self.callbacks:
            cb.on_train_begin(info)

    def on_progress(self, event: TrainingEvent) -> None:
        for cb in self.callbacks:
            cb.on_progress(event)

    def on_epoch_end(self, event: TrainingEvent, vectors: "KeyedVectors") -> None:
        for cb in self.callbacks:
            cb.on_epoch_end(event, vectors)

    def on_train_end(self, event: TrainingEvent, model: "Model") -> None:
        for cb in self.callbacks:
            cb.on_train_end(event, model)
