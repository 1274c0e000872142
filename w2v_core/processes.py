"""Forked child processes sharing memory with their parent: training and reading past the GIL.

Threads share the weights for free but not the interpreter: between NumPy calls a training
thread holds the GIL, and two threads gained little over one (measurements:
benchmarks/README.md, "w2v_core/processes.py"). Processes forked from the trainer run their
own interpreters on the same weights, which live in anonymous shared memory (``mmap``),
lock-free as in word2vec's own threads (Hogwild).

Each epoch the trainer forks ``threads - 1`` children (:mod:`w2v_core.training.parallel`) and
trains in its own thread as worker 0, so that progress, pause, stop and callbacks stay where
they were. The children take
chunks from a shared counter, report words, pairs and loss through a small shared array,
and follow stop and pause through shared flags. Fork makes starting them cheap (no
re-import, the encoded corpus is shared copy-on-write) and adds only the pages a child
writes. The children ignore SIGINT, SIGTERM and SIGHUP (the trainer stops them through the
flags, so a Ctrl-C or a SIGTERM still ends in a saved model) and die with the thread that
forked them (``PR_SET_PDEATHSIG``).

A page that either process writes after the fork is then held twice, so both sides keep
their writes to fresh memory: free heap pages are handed back before forking
(:func:`release_freed_memory`), the trainer's objects stay frozen while the children run (a
full collection writes to every object), and the trainer makes its own worker's buffers
after forking (what the second process costs, and what a full collection in the trainer
added to it before the freeze: benchmarks/README.md, "w2v_core/processes.py").

Only on Linux: elsewhere, or where shared locks cannot be made (no ``/dev/shm``), the
trainer falls back to threads.
"""

from __future__ import annotations

import ctypes
import gc
import mmap
import multiprocessing
import os
import pickle
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from .callbacks import TrainingControl
from .errors import TrainingWorkerError

T = TypeVar("T")

#: Where the stop and pause switches sit in a shared array of flags (``shared_array((2,), int8)``).
STOP, PAUSE = 0, 1
#: Seconds between looks at the pause flag in a paused child.
_PAUSE_POLL = 0.02
_PR_SET_PDEATHSIG = 1


def processes_supported() -> bool:
    """Can training fork worker processes here (Linux, with the fork start method)?"""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def shared_array(shape: tuple[int, ...], dtype=np.float32) -> np.ndarray:
    """A zeroed array in anonymous shared memory: forked children write into the same pages.

    The memory is released when the array (and every view of it) is garbage collected.
    """
    dtype = np.dtype(dtype)
    size = int(np.prod(shape)) * dtype.itemsize
    buffer = mmap.mmap(-1, max(size, 1), flags=mmap.MAP_SHARED)
    return np.frombuffer(buffer, dtype=dtype, count=int(np.prod(shape))).reshape(shape)


def release_freed_memory() -> None:
    """Hand memory freed in this process back to the OS (glibc keeps it otherwise).

    It lowers the resident memory after counting and after unpickling a reading child's
    answer (measurements: benchmarks/README.md, "w2v_core/processes.py"). Before a fork it
    also keeps free pages from being shared, so that neither process later copies them on
    writing. Does nothing where the C library has no ``malloc_trim``.
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library's symbols, already loaded
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return
    trim(0)


def _flush_standard_streams() -> None:
    """Flush stdout and stderr before a fork, else the child's exit may write them twice."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError, OSError):
            pass


def _ignore_signals() -> None:
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)


def _fork() -> int:
    with warnings.catch_warnings():
        # Python 3.12+ warns when a process with threads (the TUI) forks; our children only
        # compute: they take no lock that another thread could hold
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        return os.fork()


#: Bytes a child's answer pipe holds (Linux's default is 64 KB): a reading process's table
#: (~15 MB at 600k tokens) then comes in 1 MB reads, not 64 KB ones, each a turn of the
#: parent's polling loop.
PIPE_BYTES = 1 << 20


def _widen(pipe: int) -> None:
    """Let ``pipe`` hold :data:`PIPE_BYTES` where the system allows it (else as it is)."""
    try:
        import fcntl

        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


class ForkedChild:
    """``function(control)`` running in a forked child process; its answer comes back here.

    The child ignores SIGINT, SIGTERM and SIGHUP (its parent stops it), dies with the thread
    that forked it, does not collect garbage (collecting would copy the pages it shares),
    and sends back its pickled result or exception through a pipe. Read that pipe while
    waiting (:meth:`read`, or wait on :meth:`fileno`): a large answer fills it.
    """

    def __init__(self, function: Callable[[Any], Any], control: Any) -> None:
        parent = os.getpid()
        read_end, write_end = os.pipe()
        _widen(write_end)
        _flush_standard_streams()
        pid = _fork()
        if pid == 0:  # the child: never returns
            status = 1
            try:
                os.close(read_end)
                gc.disable()
                _ignore_signals()
                _die_with_parent(parent)
                with os.fdopen(write_end, "wb") as answer:
                    answer.write(_outcome(function, control))
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.pid, self._pipe = pid, read_end
        self._received: list[bytes] = []
        self._status: int | None = None

    def fileno(self) -> int:
        return self._pipe

    def read(self, timeout: float | None = None) -> bool:
        """Take what the child has sent within ``timeout`` seconds; False once it is all in."""
        if self._status is not None:
            return False
        ready, _, _ = select.select([self._pipe], [], [], timeout)
        if ready:
            data = os.read(self._pipe, 1 << 20)
            if not data:
                self.wait()
                return False
            self._received.append(data)
        return True

    def wait(self) -> None:
        """Read the answer to its end and reap the child."""
        while self._status is None:
            data = os.read(self._pipe, 1 << 20)
            if data:
                self._received.append(data)
                continue
            os.close(self._pipe)
            self._status = os.waitpid(self.pid, 0)[1]

    def result(self) -> Any:
        """The child's result, or its exception raised here.

        Raises
        ------
        TrainingWorkerError
            The child died without an answer (killed, out of memory), or its exception
            could not travel back.
        """
        self.wait()
        status = self._status
        assert status is not None
        if not self._received:
            if os.WIFSIGNALED(status):
                signum = os.WTERMSIG(status)
                raise TrainingWorkerError(
                    f"a worker process was killed by signal {signum} "
                    f"({signal.Signals(signum).name})"
                )
            raise TrainingWorkerError(
                f"a worker process ended with status {status} without an answer"
            )
        kind, value = pickle.loads(b"".join(self._received))
        if kind == "ok":
            return value
        if kind == "error":
            raise value
        raise TrainingWorkerError(f"a worker process failed: {value}")


def run_isolated(
    function: Callable[[Any], T],
    control: TrainingControl | None = None,
    on_poll: Callable[[], None] | None = None,
) -> T:
    """``function(control)`` in a forked child process; its result or its exception, here.

    Everything the function allocates dies with the child, so memory it fragments is given
    back to the OS instead of staying in this process's allocator. The result and any
    exception travel back pickled. ``control`` is passed on: a stop asked here reaches the
    child through shared flags (and a stop asked inside the child is seen there too).
    ``on_poll()`` is called here every 50 ms while the child runs (to report its progress).

    Raises
    ------
    TrainingWorkerError
        The child died without an answer (killed, out of memory).
    """
    flags = shared_array((2,), np.int8)
    mirror = MirroredControl(control or TrainingControl(), flags)
    mirror.publish()
    child = ForkedChild(function, _EitherControl(mirror.control, flags))
    try:
        while child.read(timeout=0.05):
            mirror.publish()
            if on_poll is not None:
                on_poll()
    except BaseException:
        flags[STOP] = 1
        child.wait()
        raise
    return child.result()


def _outcome(function: Callable[[Any], Any], control) -> bytes:
    """The pickled ("ok", result) or ("error", exception) of ``function(control)``."""
    try:
        payload: tuple[str, Any] = ("ok", function(control))
    except BaseException as exc:
        payload = ("error", exc)
    try:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        # an exception may pickle but not unpickle: tried here; a result is plain data, not
        # unpickled twice (a reading process's table is megabytes)
        if payload[0] == "error":
            pickle.loads(data)
        return data
    except Exception:
        text = f"{type(payload[1]).__name__}: {payload[1]}"
        return pickle.dumps(("failed", text))


class _EitherControl:
    """In a child: stopped when the parent says so (shared flags) or when the child's own
    copy of the control was stopped (by code running in the child)."""

    def __init__(self, own: TrainingControl, flags: np.ndarray) -> None:
        self.own, self.flags = own, flags

    @property
    def stopped(self) -> bool:
        return self.own.stopped or bool(self.flags[STOP])


def _die_with_parent(parent: int) -> None:
    """Be killed when the forking thread ends (a killed trainer leaves no orphans)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class ChildControl:
    """A child's view of the trainer's stop and pause switches, read from shared flags."""

    def __init__(self, flags: np.ndarray) -> None:
        self.flags = flags

    @property
    def stopped(self) -> bool:
        return bool(self.flags[STOP])

    @property
    def paused(self) -> bool:
        return bool(self.flags[PAUSE]) and not self.stopped

    def wait_while_paused(self) -> float:
        started = time.perf_counter()
        while self.paused:
            time.sleep(_PAUSE_POLL)
        return time.perf_counter() - started


class MirroredControl:
    """The trainer's own control, copying its state to the children's flags at every look."""

    def __init__(self, control: TrainingControl, flags: np.ndarray) -> None:
        self.control, self.flags = control, flags

    def publish(self) -> None:
        """Copy stop and pause to the shared flags."""
        self.flags[STOP] = self.control.stopped
        self.flags[PAUSE] = self.control.paused

    @property
    def stopped(self) -> bool:
        self.publish()
        return bool(self.flags[STOP])

    @property
    def paused(self) -> bool:
        self.publish()
        return bool(self.flags[PAUSE])

    def wait_while_paused(self) -> float:
        return self.control.wait_while_paused()
