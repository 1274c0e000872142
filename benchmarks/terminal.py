"""Run ``python -m tui`` in a pseudo-terminal of a given size and record what it writes.

The shared part of ``first_frame.py`` and ``terminal_bytes.py``: what a user's terminal (or an
SSH link) receives is the output of a real pty, timed from the moment the process is started,
not Textual's headless driver (which writes nothing).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: CSI and OSC escape sequences and lone control bytes: what is left is the text drawn.
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]"
                      rb"|[\x00-\x1f]")


def visible_text(output: bytes) -> str:
    """The characters drawn by ``output``, escape sequences and control bytes removed."""
    return _ESCAPES.sub(b"", output).decode("utf-8", "replace")


@dataclass
class Recording:
    """What the app wrote: ``chunks`` as (seconds since the start, bytes) pairs."""

    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    stopped_at: float = 0.0  #: seconds from the start to when ``until`` held (or the timeout)

    def output(self) -> bytes:
        return b"".join(chunk for _, chunk in self.chunks)

    def bytes_between(self, start: float, end: float) -> int:
        return sum(len(chunk) for at, chunk in self.chunks if start <= at < end)


def _set_size(fd: int, columns: int, lines: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))


def run_in_pty(args: Sequence[str], until: Callable[[bytes], bool], *, columns: int = 80,
               lines: int = 24, timeout: float = 60.0, cwd: Path = REPO,
               idle: float | None = None) -> Recording:
    """Start ``python -m tui *args`` in an ``columns`` x ``lines`` pty; read until ``until``.

    ``until`` sees all the output so far after each read; with ``idle``, reading also stops
    once ``until`` has seen output and nothing more came for ``idle`` seconds. The app is then sent SIGTERM (its
    hang-up handler exits it) and, if still alive after 5 s, SIGKILL; its exit is awaited.
    """
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines),
               COLORTERM="truecolor")
    env.pop("TEXTUAL", None)
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, in the pty
        os.chdir(cwd)
        os.execvpe(sys.executable, [sys.executable, "-m", "tui", *args], env)
    _set_size(fd, columns, lines)
    recording = Recording()
    output = b""
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                quiet = recording.chunks and time.perf_counter() - start - recording.chunks[-1][0]
                if idle is not None and quiet and quiet > idle:
                    break
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child exited
                break
            if not chunk:
                break
            at = time.perf_counter() - start
            recording.chunks.append((at, chunk))
            output += chunk
            if until(output):
                break
        recording.stopped_at = time.perf_counter() - start
    finally:
        _stop(pid, fd)
    return recording


def _stop(pid: int, fd: int) -> None:
    """End the app started by :func:`run_in_pty` (only that process), draining its output."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.perf_counter() + 5
    while time.perf_counter() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if select.select([fd], [], [], 0.05)[0]:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)


def cpu_model() -> str:
    """The CPU's model name (as ``lscpu`` gives it) and the number of cores this process has."""
    name = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{name}, {len(os.sched_getaffinity(0))} vCPUs"
