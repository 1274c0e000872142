"""Running an epoch's chunks on several workers: threads, or forked processes sharing the weights.

Threads share the weights for free but not the interpreter; worker processes, forked each
epoch (:mod:`w2v_core.processes`), run their own. Either way every worker takes chunks from
one queue until it is empty, and worker 0 runs in the calling thread, so that progress,
pause, stop and callbacks stay where they were.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait as wait_for_any

import numpy as np

from ..callbacks import TrainingControl
from ..errors import TrainingWorkerError
from ..processes import (
    STOP,
    ChildControl,
    ForkedChild,
    MirroredControl,
    release_freed_memory,
    shared_array,
)
from .progress import PROGRESS_INTERVAL, Control, Progress, Reporter, SilentProgress
from .worker import Worker

class LocalCounter:
    """A counter for threads of one process, with the interface of ``multiprocessing.Value``
    (``value`` and ``get_lock()``)."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def get_lock(self) -> threading.Lock:
        return self._lock


class ChunkQueue:
    """An epoch's chunks, handed out once each to whichever worker asks first; the count of
    chunks handed out lives in ``counter`` (shared memory for forked processes)."""

    def __init__(self, chunks: Sequence[tuple[int, int]], counter=None) -> None:
        self._chunks = chunks
        self._counter = LocalCounter() if counter is None else counter

    def take(self) -> tuple[int, int] | None:
        """The next chunk (start, end) of the epoch, or None once all are taken."""
        with self._counter.get_lock():
            i = self._counter.value
            if i >= len(self._chunks):
                return None
            self._counter.value = i + 1
        return self._chunks[i]

    @property
    def taken(self) -> int:
        """Chunks handed out so far: once the workers are done, the chunks trained."""
        return self._counter.value

    @property
    def exhausted(self) -> bool:
        """Have all chunks been handed out?"""
        return self._counter.value >= len(self._chunks)


#: Trains the chunks a worker takes from the queue, reporting to a reporter; returns True
#: if stopped.
Consume = Callable[[ChunkQueue, Worker, Reporter, Control], bool]


def train_in_threads(
    queue: ChunkQueue,
    workers: Sequence[Worker],
    progress: Progress,
    control: TrainingControl,
    consume: Consume,
) -> bool:
    """Train the queue's chunks with one thread per worker; worker 0 in this thread reports
    progress.

    Returns True if stopped. An exception in any thread stops the others and is raised here.
    """
    if len(workers) == 1:
        return consume(queue, workers[0], progress, control)
    results: list[bool] = []
    errors: list[BaseException] = []

    def run(worker: Worker, reporter: Reporter) -> None:
        try:
            results.append(consume(queue, worker, reporter, control))
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)
            control.stop()

    silent = SilentProgress(progress)
    threads = [threading.Thread(target=run, args=(w, silent), daemon=True) for w in workers[1:]]
    for t in threads:
        t.start()
    run(workers[0], progress)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return any(results) or control.stopped


class SharedState:
    """What the trainer and its worker processes share for a whole training run.

    Attributes
    ----------
    flags : ndarray (2,) of int8
        The stop and pause switches (:data:`~w2v_core.processes.STOP`, ``PAUSE``).
    totals : ndarray (children, 3) of float64
        Per child, cumulative words read, pairs trained and summed loss.
    """

    def __init__(self, children: int) -> None:
        self._context = multiprocessing.get_context("fork")
        self._next_chunk = self._context.Value("q", 0)  # OSError without /dev/shm
        self.flags = shared_array((2,), np.int8)
        self.totals = shared_array((children, 3), np.float64)
        self.children = children

    def chunk_queue(self, chunks: Sequence[tuple[int, int]]) -> ChunkQueue:
        """The epoch's chunks, taken by any process (the count starts again at 0)."""
        with self._next_chunk.get_lock():
            self._next_chunk.value = 0
        return ChunkQueue(chunks, self._next_chunk)

    def run_children(self, target: Callable[[int], object]) -> list[ForkedChild]:
        """Fork the children; child ``i`` calls ``target(i)`` (see :class:`ForkedChild`).

        Until :meth:`children_ended`, this process's objects stay frozen (out of reach of its
        garbage collector): a full collection writes to every object and would copy every
        page the children still share.
        """
        children: list[ForkedChild] = []
        release_freed_memory()
        gc.freeze()
        try:
            for i in range(self.children):
                children.append(ForkedChild(lambda control, i=i: target(i), None))
        except BaseException:
            self.flags[STOP] = 1
            for child in children:
                child.wait()
            gc.unfreeze()
            raise
        return children

    @staticmethod
    def children_ended() -> None:
        """The children of :meth:`run_children` are done: collect garbage as usual again."""
        gc.unfreeze()


class ChildProgress:
    """Where a child adds its words, pairs and loss: its row of :attr:`SharedState.totals`."""

    def __init__(self, totals: np.ndarray) -> None:
        self.row = totals
        self.alpha = 0.0

    def add(self, words: int, pairs: int, loss_sum: float, alpha: float) -> None:
        self.row[0] += words
        self.row[1] += pairs
        self.row[2] += loss_sum
        self.alpha = alpha

    def emit(self) -> None:
        return None  # the trainer reads the rows and reports

    def wait_while_paused(self, control: Control) -> None:
        control.wait_while_paused()


def train_in_processes(
    shared: SharedState,
    queue: ChunkQueue,
    progress: Progress,
    control: TrainingControl,
    new_worker: Callable[[int], Worker],
    consume: Consume,
) -> bool:
    """One epoch with workers 1.. forked as processes and worker 0 in this thread.

    ``new_worker(i)`` makes worker ``i``, in the process that runs it. Returns True if stopped.

    Raises
    ------
    TrainingWorkerError
        A worker process failed or died.
    """
    mirror = MirroredControl(control, shared.flags)
    mirror.publish()
    child_control = ChildControl(shared.flags)

    def child(i: int) -> None:  # runs in the forked process
        consume(queue, new_worker(i + 1), ChildProgress(shared.totals[i]), child_control)

    children = shared.run_children(child)
    try:
        # made after the fork: pages this process writes are then not also kept, as
        # copy-on-write originals, by the children (measurements: benchmarks/README.md,
        # "training/parallel.py")
        worker = new_worker(0)
        stopped = consume(queue, worker, progress, mirror)
        del worker
        pending = list(children)
        while pending:  # report their progress and pass on pause and stop meanwhile
            if mirror.paused:
                progress.wait_while_paused(mirror)
            stopped = mirror.stopped or stopped
            for c in wait_for_any(pending, timeout=PROGRESS_INTERVAL):
                if not c.read(timeout=0):  # its answer is all in
                    pending.remove(c)
            progress.emit()
    except BaseException:
        shared.flags[STOP] = 1
        for c in children:
            c.wait()
        raise
    finally:
        shared.children_ended()
    progress.collect()
    for c in children:
        try:
            c.result()
        except TrainingWorkerError:
            raise
        except Exception as error:  # the child's own exception, sent back
            raise TrainingWorkerError(
                f"a training worker process failed: {type(error).__name__}: {error}"
            ) from error
    return stopped or control.stopped
