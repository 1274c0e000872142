"""Writing a file so that it is either complete or untouched, and finding another place for it.

Every format writes through :func:`atomic_write`: the bytes go to a temporary
``.NAME.PID-XXXX.tmp`` next to the destination, which replaces the destination only once
complete. An existing file keeps its permission bits (and, for root, its owner); a read-only
file (no write bit, even for root) is refused; a symbolic link is followed and its target is
written, so the link stays a link. Any failure or interruption, a second Ctrl-C included,
removes the temporary file and leaves the destination as it was.

:func:`probe_writable` checks a destination before a long run, and
:func:`write_with_fallback` writes elsewhere when the destination fails at the end. Nothing
here knows a file format, so any writer can use it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from .errors import SaveInterrupted, UnwritablePathError, os_error_reason

__all__ = [
    "STALE_TEMP_SECONDS",
    "atomic_write",
    "fallback_directories",
    "free_name",
    "probe_writable",
    "write_with_fallback",
]

#: A temporary file left by a writer that no longer runs is removed once it is this old
#: (a live writer's file changes while it writes; one on another host has a PID we cannot see).
STALE_TEMP_SECONDS = 600


class _TempFile:
    """``.<name>.<pid>-<random>.tmp`` next to a destination, removed on every failure path.

    ``name`` is set *before* the file is created and cleared only when the file is known to be
    someone else's or gone, so an interruption at any point leaves nothing behind. Only
    ``kill -9`` (or a crash) can: such a file is removed by the next save to the same
    destination. Its writer holds a lock (``flock``) on it while it writes, which the kernel
    drops when the writer dies; so a file whose writer's PID is gone here and that nobody
    holds is removed at once, and one still held (a writer on another host, sharing the
    directory) is kept. Without ``flock``, such a file is removed once it is
    :data:`STALE_TEMP_SECONDS` old.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self.name: str | None = None
        self.renaming: str | None = None  # the name given to ``os.replace``

    def open(self) -> IO[bytes]:
        _remove_stale_temps(self.target)
        while True:
            token = f"{os.getpid()}-{secrets.token_hex(4)}"
            self.name = str(self.target.parent / f".{self.target.name}.{token}.tmp")
            try:
                handle = open(self.name, "xb", buffering=1 << 20)  # O_EXCL; mode 0o666 & ~umask
                _hold(handle)
                return handle
            except FileExistsError:
                self.name = None  # another writer's file: never ours to remove
            # Any other exception keeps ``name``: the file may exist (Ctrl-C just after the
            # open), and removing a name that was never created is harmless.

    def remove(self) -> None:
        """Unlink the file (again if a further Ctrl-C interrupts the unlink itself)."""
        while self.name is not None:
            try:
                os.unlink(self.name)
            except KeyboardInterrupt:
                continue
            except OSError:
                pass
            self.name = None


def _remove_stale_temps(target: Path) -> None:
    """Remove ``target``'s temporary files whose writer died (see :class:`_TempFile`)."""
    prefix, now = f".{target.name}.", time.time()
    try:
        candidates = [p for p in target.parent.iterdir()
                      if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    except OSError:
        return
    for path in candidates:
        pid = path.name[len(prefix):-len(".tmp")].split("-", 1)[0]
        if not pid.isdigit() or _process_alive(int(pid)):
            continue
        try:
            held = _held_by_a_writer(path)
            if held is False or (held is None and now - path.stat().st_mtime > STALE_TEMP_SECONDS):
                path.unlink()
        except OSError:
            continue


def _hold(handle: IO[bytes]) -> None:
    """Lock a temporary file for as long as its writer has it open (see :class:`_TempFile`)."""
    try:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (ImportError, OSError):
        pass  # no locks here: the age rule applies to this file


def _held_by_a_writer(path: Path) -> bool | None:
    """Does a live writer hold ``path``'s lock? None when locks cannot tell."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        with open(path, "rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    return False


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or not ours to judge: keep its file
    return True


def atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a temp file next to the target, fsync, then rename over the target.

    Parameters
    ----------
    path : Path
        The destination (already expanded); a symbolic link is followed.
    write : callable
        Writes the whole content to the binary file object it is given.

    Raises
    ------
    UnwritablePathError
        The destination or its directory cannot be written (an ``OSError`` while writing).
    SaveInterrupted
        Ctrl-C arrived; the message says whether the destination was already complete.
    """
    target = _resolve_target(path)
    existing = _check_target(path, target)
    temp = _TempFile(target)
    try:
        with temp.open() as fh:
            if existing is not None:
                _copy_permissions(fh.fileno(), existing)
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        temp.renaming = temp.name
        os.replace(temp.name, target)  # type: ignore[arg-type]
        temp.name = None
        _fsync_directory(target.parent)
    except BaseException as exc:
        done = temp.renaming is not None and not os.path.lexists(temp.renaming)
        if done:
            temp.name = None  # renamed before the interruption: the save is complete
        temp.remove()
        if _interrupted(exc):
            if done:
                raise SaveInterrupted(f"interrupted, but {path} was saved completely") from None
            raise SaveInterrupted(
                f"save interrupted: {path} was not written (any previous file is unchanged, "
                "no temporary file is left)"
            ) from None
        if isinstance(exc, OSError) and not done:
            raise UnwritablePathError(f"cannot write {path}: {os_error_reason(exc)}") from exc
        if not done:
            raise


def probe_writable(path: str | os.PathLike) -> Path:
    """Check that a model can be saved at ``path`` by really writing a file next to it.

    A temporary ``.NAME.XXXX.tmp`` is created in the destination directory, written and
    removed, so a read-only mount, ``/sys`` or a full disk is caught before a long training
    run rather than at the final save.

    Returns
    -------
    Path
        The file a save will write (the target of a symbolic link).

    Raises
    ------
    UnwritablePathError
        With one line naming the path and the reason.
    """
    path = Path(path).expanduser()
    target = _resolve_target(path)
    _check_target(path, target)
    if not target.parent.is_dir():
        raise UnwritablePathError(f"cannot write {path}: directory {target.parent} does not exist")
    temp = _TempFile(target)
    try:
        with temp.open() as fh:
            fh.write(b"w2v")
            fh.flush()
    except OSError as exc:
        raise UnwritablePathError(f"cannot write {path}: {os_error_reason(exc)}") from None
    finally:
        temp.remove()
    return target


def write_with_fallback(path: Path, write: Callable[[Path], None]) -> Path:
    """``write(path)``; if that cannot be written, ``write`` the same name elsewhere.

    The places tried after ``path`` are :func:`fallback_directories`; an existing file there
    is never replaced (:func:`free_name`). Only :class:`UnwritablePathError` is retried: any
    other error says the content itself cannot be written, wherever it goes.

    Returns
    -------
    Path
        Where it was written: compare it with ``path`` to tell the user.

    Raises
    ------
    UnwritablePathError
        No place could be written; the message gives the first reason.
    """
    try:
        write(path)
        return path
    except UnwritablePathError as first:
        tried = {path.parent.resolve()}
        for directory in fallback_directories():
            if directory.resolve() in tried:
                continue
            tried.add(directory.resolve())
            candidate = free_name(directory / path.name)
            try:
                write(candidate)
                return candidate
            except UnwritablePathError:
                continue
        raise UnwritablePathError(
            f"{first}; the home, current and temporary directories failed too"
        ) from None


def fallback_directories() -> list[Path]:
    """Where a save goes when its destination fails: home, current and temporary directory."""
    places = []
    home = os.environ.get("HOME")
    if home:
        places.append(Path(home))
    with contextlib.suppress(OSError):
        places.append(Path.cwd())
    places.append(Path(tempfile.gettempdir()))
    return [p for p in places if p.is_dir()]


def free_name(path: Path) -> Path:
    """``path`` if nothing is there, else ``NAME-2.EXT``, ``NAME-3.EXT``..."""
    candidate, number = path, 2
    while os.path.lexists(candidate):
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return candidate


def _interrupted(exc: BaseException) -> bool:
    """A Ctrl-C, or an error raised while one unwound (zipfile's close can replace it)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__context__
    return False


def _resolve_target(path: Path) -> Path:
    """The file a save to ``path`` writes: the path itself, or the file its symlink names."""
    if not path.is_symlink():
        return path
    try:
        os.stat(path)
    except FileNotFoundError:
        pass  # a dangling link: create its target
    except OSError as exc:
        raise UnwritablePathError(f"cannot write {path}: {os_error_reason(exc)}") from None
    return Path(os.path.realpath(path))


def _check_target(path: Path, target: Path) -> os.stat_result | None:
    """Refuse directories, special files and read-only files; the stat of an existing file."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnwritablePathError(f"cannot write {path}: {os_error_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UnwritablePathError(f"cannot save to {path}: it is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise UnwritablePathError(f"cannot save to {path}: it is not a regular file")
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o222:  # checked on the bits: root may write anything
        raise UnwritablePathError(
            f"cannot save to {path}: the file is read-only (mode {mode:04o}); "
            "make it writable or choose another name"
        )
    if not os.access(target, os.W_OK):
        raise UnwritablePathError(f"cannot save to {path}: permission denied")
    return info


def _copy_permissions(fd: int, existing: os.stat_result) -> None:
    """Give the new file the old one's mode (and, when allowed, its owner)."""
    if not hasattr(os, "fchmod"):  # pragma: no cover  # Windows
        return
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))
    if hasattr(os, "fchown") and (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):
            os.fchown(fd, existing.st_uid, existing.st_gid)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); silently skipped where directories cannot be opened."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY"))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
