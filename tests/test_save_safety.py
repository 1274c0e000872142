"""Saving never loses or widens anything (issue 6, items 2-4), and the projector export."""

from __future__ import annotations

import errno
import os
import signal
import stat
import time
from pathlib import Path

import numpy as np
import pytest

from w2v_core import atomic, formats
from w2v_core.formats import word2vec_binary
from w2v_core.errors import ModelFormatError, SaveInterrupted, UnwritablePathError
from w2v_core.vectors import KeyedVectors


_REAL_ROWS = word2vec_binary.row_bytes


@pytest.fixture
def kv() -> KeyedVectors:
    vectors = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32)
    return KeyedVectors(["a", "b", "c", "d", "e"], vectors, np.array([50, 40, 30, 20, 10]))


def _temps(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.endswith(".tmp")]


# ------------------------------------------------------------------ item 2: protections
@pytest.mark.parametrize("ext", ["npz", "bin", "txt"])
def test_existing_file_keeps_its_mode(kv: KeyedVectors, tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"model.{ext}"
    path.write_bytes(b"old")
    path.chmod(0o600)
    old = os.umask(0o022)
    try:
        formats.save(kv, path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert formats.load(path).wv.words == kv.words


def test_read_only_file_is_refused_even_as_root(kv: KeyedVectors, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(b"precious")
    path.chmod(0o444)
    with pytest.raises(UnwritablePathError, match=r"read-only \(mode 0444\)") as excinfo:
        formats.save(kv, path)
    assert "\n" not in str(excinfo.value)
    assert path.read_bytes() == b"precious"
    assert _temps(tmp_path) == []
    with pytest.raises(UnwritablePathError, match="read-only"):
        atomic.probe_writable(path)


def test_symlink_is_written_through_to_its_target(kv: KeyedVectors, tmp_path: Path) -> None:
    target = tmp_path / "store" / "real.npz"
    target.parent.mkdir()
    target.write_bytes(b"old")
    target.chmod(0o640)
    link = tmp_path / "model.npz"
    link.symlink_to(target)
    formats.save(kv, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert formats.load(target).wv.words == kv.words
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _temps(target.parent) == [] and _temps(tmp_path) == []


def test_dangling_symlink_creates_its_target(kv: KeyedVectors, tmp_path: Path) -> None:
    link = tmp_path / "model.bin"
    link.symlink_to(tmp_path / "new.bin")
    formats.save(kv, link)
    assert link.is_symlink() and formats.load(tmp_path / "new.bin").wv.words == kv.words


def test_symlink_loop_is_named_as_such(kv: KeyedVectors, tmp_path: Path) -> None:
    (tmp_path / "a.npz").symlink_to(tmp_path / "b.npz")
    (tmp_path / "b.npz").symlink_to(tmp_path / "a.npz")
    with pytest.raises(UnwritablePathError, match="symbolic links"):
        formats.save(kv, tmp_path / "a.npz")


def test_special_files_are_refused(kv: KeyedVectors) -> None:
    with pytest.raises(UnwritablePathError, match="not a regular file"):
        formats.save(kv, "/dev/null", format="npz")


# ------------------------------------------------------------------ item 3: probe and fallback
def test_probe_really_writes_and_leaves_nothing(tmp_path: Path) -> None:
    assert atomic.probe_writable(tmp_path / "model.npz") == tmp_path / "model.npz"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs /sys")
def test_probe_catches_sysfs_even_as_root() -> None:
    with pytest.raises(UnwritablePathError, match="cannot write /sys/kernel/model.npz"):
        atomic.probe_writable("/sys/kernel/model.npz")


def test_probe_reports_a_read_only_filesystem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(self: atomic._TempFile) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(atomic._TempFile, "open", read_only)
    with pytest.raises(UnwritablePathError, match="Read-only file system"):
        atomic.probe_writable(tmp_path / "m.npz")


def test_probe_missing_directory_and_directory_target(tmp_path: Path) -> None:
    with pytest.raises(UnwritablePathError, match="does not exist"):
        atomic.probe_writable(tmp_path / "nope" / "m.npz")
    with pytest.raises(UnwritablePathError, match="is a directory"):
        atomic.probe_writable(tmp_path)


def test_save_with_fallback_uses_the_destination_when_it_works(
    kv: KeyedVectors, tmp_path: Path
) -> None:
    assert formats.save_with_fallback(kv, tmp_path / "m.npz") == tmp_path / "m.npz"


def test_save_with_fallback_saves_home_without_replacing_files(
    kv: KeyedVectors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "m.bin").write_bytes(b"someone's file")
    monkeypatch.setenv("HOME", str(home))
    where = formats.save_with_fallback(kv, "/sys/kernel/m.bin")
    assert where == home / "m-2.bin"
    assert (home / "m.bin").read_bytes() == b"someone's file"
    assert formats.load(where).wv.words == kv.words


def test_save_with_fallback_does_not_retry_format_errors(tmp_path: Path) -> None:
    kv = KeyedVectors(["new york"], np.ones((1, 2), dtype=np.float32))
    with pytest.raises(ModelFormatError, match="'new york'") as excinfo:
        formats.save_with_fallback(kv, tmp_path / "m.txt")
    assert not isinstance(excinfo.value, UnwritablePathError)


# ------------------------------------------------------------------ item 4: interruptions
def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def _after(real):  # noqa: ANN001, ANN202
    def run_then_interrupt(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)
        raise KeyboardInterrupt

    return run_then_interrupt


def _rows_interrupted_at(k: int):  # noqa: ANN202
    def rows(words, vectors):  # noqa: ANN001, ANN202
        for i, row in enumerate(_REAL_ROWS(words, vectors)):
            if i == k:
                raise KeyboardInterrupt
            yield row

    return rows


BEFORE_RENAME = {
    "right after the temp file is created": lambda mp: mp.setattr(
        atomic._TempFile, "open", _after_open()
    ),
    "inside the open, just after it returns": lambda mp: mp.setattr(
        atomic, "open", _after_returning(open), raising=False
    ),
    "setting the mode": lambda mp: mp.setattr(atomic.os, "fchmod", _interrupt),
    "first row": lambda mp: mp.setattr(word2vec_binary, "row_bytes", _rows_interrupted_at(0)),
    "third row": lambda mp: mp.setattr(word2vec_binary, "row_bytes", _rows_interrupted_at(2)),
    "fsync": lambda mp: mp.setattr(atomic.os, "fsync", _interrupt),
    "rename": lambda mp: mp.setattr(atomic.os, "replace", _interrupt),
}


def _after_returning(real):  # noqa: ANN001, ANN202
    def call_then_interrupt(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # the result is dropped: the interrupt lands before it is stored
        raise KeyboardInterrupt

    return call_then_interrupt


def _after_open():  # noqa: ANN202
    real = atomic._TempFile.open

    def open_then_interrupt(self: atomic._TempFile) -> None:
        real(self)  # the file object is dropped, as when Ctrl-C lands before the try block
        raise KeyboardInterrupt

    return open_then_interrupt


@pytest.mark.parametrize("point", list(BEFORE_RENAME))
def test_interrupted_save_removes_temp_and_keeps_target(
    point: str, kv: KeyedVectors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"previous model")
    BEFORE_RENAME[point](monkeypatch)
    with pytest.raises(SaveInterrupted, match="was not written") as excinfo:
        formats.save(kv, path)
    assert isinstance(excinfo.value, KeyboardInterrupt)
    assert "\n" not in str(excinfo.value) and str(path) in str(excinfo.value)
    assert path.read_bytes() == b"previous model"
    assert _temps(tmp_path) == []


@pytest.mark.parametrize("ext", ["npz", "txt"])
def test_interrupt_after_rename_says_the_save_is_complete(
    ext: str, kv: KeyedVectors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"model.{ext}"
    monkeypatch.setattr(atomic.os, "replace", _after(os.replace))
    with pytest.raises(SaveInterrupted, match="saved completely"):
        formats.save(kv, path)
    monkeypatch.undo()
    assert formats.load(path).wv.words == kv.words
    assert _temps(tmp_path) == []


def test_a_further_ctrl_c_during_cleanup_still_removes_the_temp(
    kv: KeyedVectors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real_unlink = os.unlink

    def unlink_interrupted_once(name: str) -> None:
        calls.append(name)
        if len(calls) == 1:
            raise KeyboardInterrupt
        real_unlink(name)

    monkeypatch.setattr(atomic.os, "fsync", _interrupt)
    monkeypatch.setattr(atomic.os, "unlink", unlink_interrupted_once)
    with pytest.raises(SaveInterrupted):
        formats.save(kv, tmp_path / "model.npz")
    assert len(calls) == 2 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("k", range(5))
def test_any_exception_while_writing_leaves_no_temp(
    k: int, kv: KeyedVectors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def rows(words, vectors):  # noqa: ANN001, ANN202
        for i, row in enumerate(_REAL_ROWS(words, vectors)):
            if i == k:
                raise MemoryError
            yield row

    monkeypatch.setattr(word2vec_binary, "row_bytes", rows)
    with pytest.raises(MemoryError):
        formats.save(kv, tmp_path / "model.bin")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ projector export
def test_export_projector_writes_the_tensorboard_pair(kv: KeyedVectors, tmp_path: Path) -> None:
    vectors, metadata = tmp_path / "vectors.tsv", tmp_path / "metadata.tsv"
    formats.export_projector(kv, vectors, metadata)
    rows = [line.split("\t") for line in vectors.read_text().splitlines()]
    np.testing.assert_array_equal(np.array(rows, dtype=np.float32), kv.vectors)
    lines = metadata.read_text().splitlines()
    assert lines[0] == "word\tcount"
    assert lines[1:] == [f"{w}\t{c}" for w, c in zip(kv.words, kv.counts)]
    assert _temps(tmp_path) == []


def test_export_projector_without_counts_and_with_a_tab(tmp_path: Path) -> None:
    plain = KeyedVectors(["x", "y"], np.eye(2, dtype=np.float32))
    formats.export_projector(plain, tmp_path / "v.tsv", tmp_path / "m.tsv")
    assert (tmp_path / "m.tsv").read_text() == "word\tcount\nx\t\ny\t\n"
    tabbed = KeyedVectors(["a\tb"], np.ones((1, 2), dtype=np.float32))
    with pytest.raises(ModelFormatError, match="TSV"):
        formats.export_projector(tabbed, tmp_path / "v2.tsv", tmp_path / "m2.tsv")
    assert not (tmp_path / "v2.tsv").exists()


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX interval timers")
@pytest.mark.parametrize("ext", ["npz", "bin"])
def test_real_asynchronous_interrupts_never_leave_a_temp_file(ext: str, tmp_path: Path) -> None:
    """A timer raises KeyboardInterrupt at 150 moments spread over a save, as Ctrl-C would."""
    vectors = np.random.default_rng(0).standard_normal((3000, 50)).astype(np.float32)
    kv = KeyedVectors([f"w{i}" for i in range(3000)], vectors)
    path = tmp_path / f"model.{ext}"
    formats.save(kv, path)
    expected = path.read_bytes()
    start = time.perf_counter()
    formats.save(kv, path)
    duration = time.perf_counter() - start

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    outcomes = []
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        for i in range(150):
            try:
                try:
                    signal.setitimer(signal.ITIMER_REAL, max(1e-6, duration * i / 120))
                    formats.save(kv, path)
                    outcomes.append("saved")
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except KeyboardInterrupt as exc:
                outcomes.append(type(exc).__name__)
            assert _temps(tmp_path) == []
            assert path.read_bytes() == expected  # old or new: the same, never partial
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert "SaveInterrupted" in outcomes


def test_an_error_raised_while_an_interrupt_unwinds_is_reported_as_the_interrupt(tmp_path: Path) -> None:
    """zipfile's close raises ValueError when Ctrl-C left a member open: still SaveInterrupted."""
    path = tmp_path / "model.npz"

    def write(fh) -> None:  # noqa: ANN001
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ValueError("Can't close the ZIP file while there is an open writing handle") from None

    with pytest.raises(SaveInterrupted, match="was not written"):
        atomic.atomic_write(path, write)
    assert _temps(tmp_path) == [] and not path.exists()


def test_a_temp_file_left_by_a_killed_writer_is_removed_by_the_next_save(tmp_path: Path) -> None:
    """``kill -9`` during a save leaves ``.NAME.PID-XXXX.tmp``; the next save to the same
    destination removes it at once when its writer is gone and nobody holds its lock (issue 22)."""
    import fcntl

    dead = _a_dead_pid()
    stale = tmp_path / f".m.npz.{dead}-abcd1234.tmp"  # just written by a run killed since
    held = tmp_path / f".m.npz.{dead}-0000ffff.tmp"  # a writer on another host holds it
    alive = tmp_path / f".m.npz.{os.getpid()}-12345678.tmp"  # a live writer's
    other = tmp_path / f".other.npz.{dead}-abcd1234.tmp"  # another destination's
    for path in (stale, held, alive, other):
        path.write_bytes(b"partial")
    with open(held, "rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        kv = KeyedVectors(["a", "b"], np.ones((2, 3), dtype=np.float32))
        formats.save(kv, tmp_path / "m.npz")
        assert not stale.exists()
        assert held.exists() and alive.exists() and other.exists()
    assert formats.load(tmp_path / "m.npz").wv.words == ["a", "b"]


def test_a_writer_holds_its_temp_file_while_it_writes(tmp_path: Path) -> None:
    seen: list[bool | None] = []

    def write(fh) -> None:
        (temp,) = _temps(tmp_path)
        seen.append(atomic._held_by_a_writer(temp))
        fh.write(b"x")

    atomic.atomic_write(tmp_path / "m.bin", write)
    assert seen == [True]


def _a_dead_pid() -> int:
    """The PID of a child that has exited and been reaped (not reused this quickly)."""
    import subprocess

    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("where", ["constructor", "member"])
def test_an_interrupted_archive_leaves_nothing_to_complain_when_collected(
    kv: KeyedVectors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str,
) -> None:
    """A Ctrl-C inside ZipFile's constructor, or while a member is still open, leaves a half
    made archive; collecting it later must not print an "Exception ignored" traceback (its own
    ``__del__`` would close it again and raise)."""
    import gc
    import sys
    import zipfile

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    if where == "constructor":  # after the file is set, before ``_writing`` is
        monkeypatch.setattr(zipfile.threading, "RLock", interrupt)
    else:  # the member's close never runs: the archive still has a writing handle
        monkeypatch.setattr(zipfile._ZipWriteFile, "close", interrupt)
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(SaveInterrupted):
        formats.save(kv, tmp_path / "model.npz")
    monkeypatch.undo()  # the archive's member may now close when it is collected
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    gc.collect()
    assert unraisable == [] and _temps(tmp_path) == []
