"""Where a model will be saved, checked before any long work starts.

Both front ends call :func:`check_output` on ``-o PATH`` before reading the corpus, so a
run never trains for minutes and then fails to save: the extension must name a format, the
path must not be (or be inside) the corpus, and its directory must really take a new file.
"""

from __future__ import annotations

import os
from pathlib import Path

from .atomic import free_name, probe_writable
from .errors import ModelFormatError, OutputInUseError, UnwritablePathError, UsageError
from .formats import FORMATS, Format, format_for


def check_not_corpus(output: Path, corpus: str) -> None:
    """Refuse an output that would replace the corpus or land inside a directory corpus.

    Symbolic links and ``..`` are resolved first, so no spelling of the corpus slips
    through. Built-in and NLTK corpora are never files a save could reach.

    Raises
    ------
    UsageError
        Naming both paths.
    """
    if corpus.startswith(("builtin:", "nltk:")):
        return
    source = Path(corpus).expanduser()
    if not source.exists():
        return
    source, target = source.resolve(), output.expanduser().resolve()
    if target == source:
        raise UsageError(f"output '{output}' is the corpus file: saving would replace the corpus")
    if source.is_dir() and target.is_relative_to(source):
        raise UsageError(
            f"output '{output}' is inside the corpus directory '{corpus}': the next run would "
            "read the model as text; save it elsewhere"
        )


def check_output(path: str | Path, corpus: str | None = None, exports: bool = False) -> Format:
    """Validate OUT before any long work starts; return the format it will be written in.

    The extension must name a format (with ``exports``, also one only ``w2v export`` writes,
    such as the TensorBoard Projector pair), OUT must not be the corpus, and a file must
    really be creatable where OUT goes (:func:`w2v_core.atomic.probe_writable`).

    Raises
    ------
    UsageError
        Unknown extension, a directory, or the corpus itself (exit 2).
    UnwritablePathError
        The directory is missing or does not take a new file (exit 1).
    """
    path = Path(path)
    if corpus is not None:
        check_not_corpus(path, corpus)
    try:
        fmt = FORMATS[format_for(path, exports=exports)]
    except ModelFormatError as exc:
        raise UsageError(str(exc)) from None
    if path.is_dir():
        raise UsageError(f"output '{path}' is a directory")
    probe_writable(path)
    return fmt


class DestinationWatch:
    """Notices when another process writes the output while this run trains.

    Two runs started with the same ``-o`` both used to print "saved", and the later save
    silently replaced the earlier one. The file's identity (device, inode, size, modification
    time) is noted when the run starts; if it differs at the final save, the file there is
    someone else's work, and :meth:`destination` names a free file beside it instead.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._identity = _identity(self.path)

    def destination(self) -> Path:
        """The output, or ``NAME-2.EXT`` (...) beside it if it changed since the start."""
        if _identity(self.path) == self._identity:
            return self.path
        return free_name(self.path)


class OutputLock:
    """This run's hold on its output: a second run given the same ``-o`` is refused at start.

    An advisory lock (``flock``) on ``.NAME.lock`` beside the output, holding the owner's PID.
    The kernel releases it when the process ends, however it ends (``kill -9``, a crash, a
    reboot), so a run that died never leaves the output locked; the file itself is removed by
    :meth:`release`, or left, harmless, by a run that died. Where locks are not available
    (no ``fcntl``, a directory that refuses the file), nothing is locked.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.lock_path = self.path.with_name(f".{self.path.name}.lock")
        self._file = None
        try:
            import fcntl
        except ImportError:  # not a POSIX system
            return
        try:
            handle = open(self.lock_path, "a+", encoding="utf-8")
        except OSError:
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip()
            handle.close()
            who = f" (PID {owner})" if owner.isdigit() else ""
            raise OutputInUseError(
                f"another run{who} is training into {self.path}; give this one another -o, "
                "or wait for that one to end"
            ) from None
        except OSError:  # a filesystem without locks
            handle.close()
            return
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Let another run use the output (removing the lock file first)."""
        if self._file is None:
            return
        try:
            self.lock_path.unlink()
        except OSError:
            pass
        self._file.close()
        self._file = None


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def unwritable_reason(path: str | Path) -> str:
    """Why ``path`` could not be written, as one line: probed again, since a save that went
    elsewhere (:func:`~w2v_core.formats.save_with_fallback`) answered its own error."""
    try:
        probe_writable(path)
    except UnwritablePathError as exc:
        return str(exc)
    return f"could not write {path}"
