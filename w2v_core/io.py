"""Saving and loading models: the native ``.npz`` format, word2vec text/binary, GloVe text.

The native format keeps everything (input and output vectors, counts, training configuration
and summary); the word2vec formats keep only words and input vectors, written exactly as the
original C tool and gensim write them. Every unreadable file raises
:class:`~w2v_core.errors.ModelFormatError` with one line that names the file.

Saving
    Atomic: the model goes to a temporary ``.NAME.XXXX.tmp`` next to the destination, which
    replaces the destination only once complete. An existing file keeps its permission bits
    (and, for root, its owner); a read-only file (no write bit, even for root) is refused; a
    symbolic link is followed and its target is written, so the link stays a link. Any failure
    or interruption, a second Ctrl-C included, removes the temporary file and leaves the
    destination as it was. :func:`probe_writable` checks a destination before a long run, and
    :func:`save_with_fallback` saves elsewhere when the destination fails at the end.

Loading
    Files are read block by block (gzip and bz2 decompressed on the fly) into a matrix sized
    from the header, so the peak memory stays close to the size of the matrix.
    The same rules hold for every format:

    - a word that appears twice keeps its first vector (gensim's rule);
    - a vector holding NaN or infinity is refused: the error names its row and word;
    - 1-dimensional vectors (a word-count list such as ``the 1000``) are refused;
    - the fields of a text row are split at ASCII spaces and tabs only, after the trailing
      ASCII whitespace (``\\r`` included) is dropped, so words in every script keep their
      bytes (0x85 and 0xA0 occur inside UTF-8 letters); a value is what Python's ``float``
      reads, rounded to float32, as in gensim; a UTF-8 byte-order mark before the first line
      is ignored;
    - ``unicode_errors`` (``strict``, ``replace``, ``ignore``) says how words that are not valid
      UTF-8 are decoded; with ``ignore`` a word can become empty, and is then kept as ``""``
      like any other word, as gensim does;
    - ``limit=N`` reads only the first N vectors, as gensim's ``limit`` does.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import json
import os
import re
import secrets
import stat
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Any

import numpy as np

from .config import TrainConfig
from .errors import ConfigError, ModelFormatError, SaveInterrupted, UnwritablePathError
from .model import Model, TrainingSummary
from .vectors import KeyedVectors

__all__ = [
    "FORMAT_TAG",
    "FORMAT_VERSION",
    "UNICODE_ERRORS",
    "FORMATS",
    "ALLOWED_EXTENSIONS",
    "Format",
    "format_for",
    "free_name",
    "detect_format",
    "export_projector",
    "load",
    "load_word2vec_format",
    "probe_writable",
    "save",
    "save_with_fallback",
    "save_word2vec_format",
]

#: Written into every native file; an ``.npz`` without it is not ours.
FORMAT_TAG = "w2v-tui-model"
#: Version of the native layout; files from a newer version are refused.
FORMAT_VERSION = 1
#: The accepted values of ``unicode_errors`` (the CLI's ``--unicode-errors``).
UNICODE_ERRORS = ("strict", "replace", "ignore")

PathLike = str | os.PathLike


@dataclass(frozen=True)
class Format:
    """A model file format: its name, what users call it, and the extensions that select it."""

    name: str  #: as :func:`detect_format` reports it and ``save(format=...)`` takes it
    description: str
    extensions: tuple[str, ...] = ()  #: empty: read (detected by content), never written
    aliases: tuple[str, ...] = ()  #: other names ``save(format=...)`` accepts

    @property
    def writable(self) -> bool:
        return bool(self.extensions)


#: Every model format, the one list both front ends describe formats from.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("npz", "native .npz", (".npz",), ("native",)),
        Format("bin", "word2vec binary", (".bin",), ("binary",)),
        Format("txt", "word2vec text", (".txt", ".vec"), ("text", "vec")),
        Format("glove", "GloVe text (no header)"),
    )
}
_EXTENSIONS = {ext: f.name for f in FORMATS.values() for ext in f.extensions}
_FORMAT_NAMES = {
    alias: f.name for f in FORMATS.values() if f.writable for alias in (f.name, *f.aliases)
}
#: The writable formats by extension, for messages and help: ".npz (native .npz ...), ..."
ALLOWED_EXTENSIONS = ", ".join(
    f"{' or '.join(f.extensions)} ({f.description})" for f in FORMATS.values() if f.writable
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_GZIP_MAGIC = b"\x1f\x8b"
_BZ2_MAGIC = b"BZh"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed entry timestamp: identical models give identical files
_HEADER = re.compile(rb"\s*(\d+)[ \t]+(\d+)\s*")
_FLOAT32_LE = np.dtype("<f4")
_MAX_WORD_BYTES = 4096
_BLOCK = 2 << 20  # bytes read at a time (the temporaries of a block stay small)
_HEAD = 1 << 20  # bytes inspected to detect the format
_TRAILING = np.isin(np.arange(256), list(b" \t\r\x0b\x0c"))  # the bytes bytes.rstrip() drops
#: Bytes that ``loadtxt`` (reading Latin-1) takes for whitespace or a line end although they
#: separate no fields here: 0x85 and 0xA0 end many UTF-8 letters (Cyrillic х is d1 85).
_LOADTXT_SPACES = b"\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0"
_TO_LOADTXT = bytes(ord("x") if b in _LOADTXT_SPACES + b"\r" else b for b in range(256))
_PADDING = b" \t\r\n\x00"  # tolerated after the last binary vector (gensim ignores it)
_DEFLATE_MAX_RATIO = 1100  # deflate cannot expand data more than ~1032 times


# ---------------------------------------------------------------------- public API: saving
def save(model: Model | KeyedVectors, path: PathLike, format: str | None = None) -> None:
    """Write a model or bare vectors to ``path``, atomically.

    Parameters
    ----------
    model : Model or KeyedVectors
        What to save. The word2vec formats keep only the words and input vectors.
    path : str or path-like
        Destination; an existing file is replaced only once the new one is complete, and keeps
        its permission bits. A symbolic link is followed: its target is written.
    format : {"npz", "bin", "txt"}, optional
        Defaults to the one the extension names: ``.npz`` native, ``.bin`` word2vec binary,
        ``.txt``/``.vec`` word2vec text.

    Raises
    ------
    UnwritablePathError
        The destination cannot be written (read-only file, directory, permissions, disk full).
    ModelFormatError
        Unknown format or extension, or a word the format cannot store.
    SaveInterrupted
        Ctrl-C arrived while writing; the temporary file is gone, the message says whether the
        destination was already complete.
    """
    path = Path(path).expanduser()
    kind = format_for(path, format)
    if kind == "npz":
        arrays = _native_arrays(model)
        _atomic_write(path, lambda fh: _write_npz(fh, arrays))
    else:
        save_word2vec_format(_keyed_vectors(model), path, binary=kind == "bin")


def probe_writable(path: PathLike) -> Path:
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
        raise UnwritablePathError(f"cannot write {path}: {_reason(exc)}") from None
    finally:
        temp.remove()
    return target


def save_with_fallback(
    model: Model | KeyedVectors, path: PathLike, fmt: str | None = None
) -> Path:
    """Save to ``path``; if that cannot be written, save under the same name elsewhere.

    The places tried after ``path`` are the home directory, the current directory and the
    temporary directory; an existing file there is never replaced (``NAME-2.EXT``... is used).

    Returns
    -------
    Path
        Where the model was saved: compare it with ``path`` to tell the user.

    Raises
    ------
    UnwritablePathError
        No place could be written; the message gives the first reason.
    ModelFormatError
        The format cannot store the model (not retried elsewhere).
    """
    path = Path(path).expanduser()
    kind = format_for(path, fmt)
    try:
        save(model, path, kind)
        return path
    except UnwritablePathError as first:
        tried = {path.parent.resolve()}
        for directory in _fallback_directories():
            if directory.resolve() in tried:
                continue
            tried.add(directory.resolve())
            candidate = free_name(directory / path.name)
            try:
                save(model, candidate, kind)
                return candidate
            except UnwritablePathError:
                continue
        raise UnwritablePathError(
            f"{first}; the home, current and temporary directories failed too"
        ) from None


def save_word2vec_format(kv: KeyedVectors, path: PathLike, binary: bool = False) -> None:
    """Write vectors in the word2vec C tool's format, atomically (see :func:`save`).

    Header ``"N D\\n"``, then one row per word in index order: text rows are
    ``word v1 ... vD\\n`` with the shortest float32 repr of each value (as gensim writes them);
    binary rows are the UTF-8 word, a space, D little-endian float32 and ``"\\n"`` (as the C tool
    writes them).

    Raises
    ------
    ModelFormatError
        A word is empty or contains whitespace (the format cannot store it), or the file cannot be
        written (:class:`UnwritablePathError`).
    """
    path = Path(path).expanduser()
    _check_words(kv.words, forbidden=" \t\n\r", what="word2vec files")
    vectors = np.asarray(kv.vectors, dtype=_FLOAT32_LE)
    rows = _binary_rows if binary else _text_rows

    def write(fh: IO[bytes]) -> None:
        fh.write(f"{len(kv.words)} {vectors.shape[1]}\n".encode())
        for chunk in rows(kv.words, vectors):
            fh.write(chunk)

    _atomic_write(path, write)


def export_projector(
    model: Model | KeyedVectors, vectors_tsv: PathLike, metadata_tsv: PathLike
) -> None:
    """Write the TensorBoard Embedding Projector pair, each file atomically.

    ``vectors_tsv`` holds one tab-separated row of values per word, without a header;
    ``metadata_tsv`` starts with the header ``word\\tcount`` and has one ``word\\tcount`` row per
    word in the same order (the count is empty when unknown). Load both at
    https://projector.tensorflow.org ("Load").

    Raises
    ------
    ModelFormatError
        A word contains a tab or a newline, which the TSV files cannot store, or a file cannot
        be written (:class:`UnwritablePathError`).
    """
    kv = _keyed_vectors(model)
    _check_words(kv.words, forbidden="\t\n\r", what="TSV files")
    vectors = np.asarray(kv.vectors, dtype=np.float32)
    counts = [""] * len(kv) if kv.counts is None else [str(int(c)) for c in kv.counts]

    row_format = "\t".join(["%.9g"] * kv.dim) + "\n"  # 9 digits give back the same float32

    def write_vectors(fh: IO[bytes]) -> None:
        for start in range(0, len(vectors), 4096):
            block = vectors[start : start + 4096].tolist()
            fh.write("".join([row_format % tuple(row) for row in block]).encode())

    def write_metadata(fh: IO[bytes]) -> None:
        fh.write(b"word\tcount\n")
        for start in range(0, len(kv), 4096):
            rows = zip(kv.words[start : start + 4096], counts[start : start + 4096])
            fh.write("".join([f"{word}\t{count}\n" for word, count in rows]).encode("utf-8"))

    _atomic_write(Path(vectors_tsv).expanduser(), write_vectors)
    _atomic_write(Path(metadata_tsv).expanduser(), write_metadata)


# ---------------------------------------------------------------------- public API: loading
def load(
    path: PathLike, unicode_errors: str = "strict", limit: int | None = None
) -> Model:
    """Read a model, detecting the format from the file's content.

    Parameters
    ----------
    path : str or path-like
        A native ``.npz``, a word2vec binary or text file, or GloVe text; word2vec and GloVe
        files may be gzip- or bz2-compressed.
    unicode_errors : {"strict", "replace", "ignore"}
        How to decode words that are not valid UTF-8 (the C tool may cut multi-byte characters;
        some fastText files hold Latin-1 words). With "ignore" a word may become empty; it is
        then kept as ``""``, as gensim does.
    limit : int, optional
        Read only the first ``limit`` vectors (the most frequent ones in most files).

    Returns
    -------
    Model
        Word2vec and GloVe files give ``Model(wv, None, None, None)`` with ``wv.counts`` None.

    Raises
    ------
    ModelFormatError
        Missing, empty, truncated, corrupt or foreign file, NaN or infinite values (the message
        names the row and the word), or a word-count list instead of vectors.
    ConfigError
        ``unicode_errors`` or ``limit`` out of range.
    """
    path = Path(path).expanduser()
    _check_options(unicode_errors, limit)
    with _open_source(path) as source:
        if source.is_zip:
            return _load_native(path, unicode_errors, limit)
        return Model(_read_word2vec(path, source, None, unicode_errors, limit))


def load_word2vec_format(
    path: PathLike,
    binary: bool | None = None,
    unicode_errors: str = "strict",
    limit: int | None = None,
) -> KeyedVectors:
    """Read a word2vec text or binary file, or GloVe text (no header).

    Parameters
    ----------
    path : str or path-like
        The file; gzip- and bz2-compressed files are read too.
    binary : bool, optional
        Force binary (True) or text (False); detected from the content when None.
    unicode_errors : {"strict", "replace", "ignore"}
        See :func:`load`.
    limit : int, optional
        Read only the first ``limit`` vectors.

    Returns
    -------
    KeyedVectors
        Counts unknown (None). A word repeated in the file keeps its first vector, as in gensim.

    Raises
    ------
    ModelFormatError
        See :func:`load`.
    """
    path = Path(path).expanduser()
    _check_options(unicode_errors, limit)
    with _open_source(path) as source:
        if source.is_zip:
            raise ModelFormatError(f"{path}: this is an .npz archive, not a word2vec file")
        return _read_word2vec(path, source, binary, unicode_errors, limit)


def detect_format(path: PathLike) -> str:
    """Name the format of a model file from its content.

    Returns
    -------
    str
        ``"npz"``, ``"bin"`` (word2vec binary), ``"txt"`` (word2vec text) or ``"glove"``.

    Raises
    ------
    ModelFormatError
        The file is missing, empty, or none of these formats.
    """
    path = Path(path).expanduser()
    with _open_source(path) as source:
        if source.is_zip:
            return "npz"
        return _sniff_text_format(path, source.head)


# ---------------------------------------------------------------------- atomic writes
#: A temporary file left by a writer that no longer runs is removed once it is this old
#: (a live writer's file changes while it writes; one on another host has a PID we cannot see).
STALE_TEMP_SECONDS = 600


class _TempFile:
    """``.<name>.<pid>-<random>.tmp`` next to a destination, removed on every failure path.

    ``name`` is set *before* the file is created and cleared only when the file is known to be
    someone else's or gone, so an interruption at any point leaves nothing behind. Only
    ``kill -9`` (or a crash) can: such a file is removed by the next save to the same
    destination, once its writer's PID is gone and it is :data:`STALE_TEMP_SECONDS` old.
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
                return open(self.name, "xb", buffering=1 << 20)  # O_EXCL; mode 0o666 & ~umask
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
            if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                path.unlink()
        except OSError:
            continue


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or not ours to judge: keep its file
    return True


def _atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a temp file next to the target, fsync, then rename over the target."""
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
            raise UnwritablePathError(f"cannot write {path}: {_reason(exc)}") from exc
        if not done:
            raise


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
        raise UnwritablePathError(f"cannot write {path}: {_reason(exc)}") from None
    return Path(os.path.realpath(path))


def _check_target(path: Path, target: Path) -> os.stat_result | None:
    """Refuse directories, special files and read-only files; the stat of an existing file."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnwritablePathError(f"cannot write {path}: {_reason(exc)}") from None
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


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _fallback_directories() -> list[Path]:
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


# ---------------------------------------------------------------------- helpers
def format_for(path: PathLike, format: str | None = None) -> str:
    """The name of the format a save to ``path`` writes (a key of :data:`FORMATS`).

    ``format`` (a name or alias such as ``"binary"``) wins over the extension.

    Raises
    ------
    ModelFormatError
        An unknown format name, or an extension that selects no format.
    """
    path = Path(path)
    if format is not None:
        kind = _FORMAT_NAMES.get(format.lower().lstrip("."))
        if kind is None:
            raise ModelFormatError(
                f"unknown model format {format!r}: use one of npz, bin, txt"
            )
        return kind
    kind = _EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        shown = path.suffix or "no extension"
        raise ModelFormatError(
            f"cannot tell the model format of {path} ({shown}): use {ALLOWED_EXTENSIONS}"
        )
    return kind


def _keyed_vectors(model: Model | KeyedVectors) -> KeyedVectors:
    if isinstance(model, Model):
        return model.wv
    if isinstance(model, KeyedVectors):
        return model
    raise TypeError(f"expected a Model or KeyedVectors, got {type(model).__name__}")


def _check_words(words: Sequence[str], forbidden: str, what: str) -> None:
    for i, word in enumerate(words):
        if not word or any(ch in word for ch in forbidden):
            raise ModelFormatError(
                f"word {i + 1} ({word!r}) is empty or contains whitespace that {what} cannot store"
            )


def _check_options(unicode_errors: str, limit: int | None) -> None:
    if unicode_errors not in UNICODE_ERRORS:
        raise ConfigError(
            f"--unicode-errors must be one of {', '.join(UNICODE_ERRORS)}, not {unicode_errors!r}"
        )
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ConfigError(f"--limit must be a whole number of at least 1, not {limit!r}")


# ---------------------------------------------------------------------- the rules of every format
def _first_occurrences(words: Sequence[str]) -> np.ndarray | None:
    """Rows that keep each word's first vector (gensim's rule), or None if no word repeats."""
    first: dict[str, int] = {}
    for i, word in enumerate(words):
        first.setdefault(word, i)
    if len(first) == len(words):
        return None
    return np.fromiter(first.values(), dtype=np.int64, count=len(first))


def _dedupe(
    words: list[str], vectors: np.ndarray, *parallel: np.ndarray | None
) -> tuple[list[str], np.ndarray, list[np.ndarray | None]]:
    """Keep the first occurrence of a repeated word, in ``vectors`` and in every parallel array.

    Arrays are compacted in place (block by block, so no second copy of the matrix is made).
    """
    rows = _first_occurrences(words)
    if rows is None:
        return words, vectors, list(parallel)
    arrays = [vectors, *parallel]
    compacted = []
    for array in arrays:
        if array is None:
            compacted.append(None)
            continue
        for start in range(0, len(rows), 65536):
            block = rows[start : start + 65536]
            array[start : start + len(block)] = array[block]
        compacted.append(_shrink(array, len(rows)))
    return [words[i] for i in rows], compacted[0], compacted[1:]


def _shrink(array: np.ndarray, rows: int) -> np.ndarray:
    """``array[:rows]`` without keeping the rest allocated (realloc in place when possible)."""
    if len(array) == rows:
        return array
    if array.flags.owndata and array.flags.c_contiguous and array.base is None:
        array.resize((rows, *array.shape[1:]), refcheck=False)
        return array
    return array[:rows].copy()


def _check_finite(
    path: Path, vectors: np.ndarray, words: Sequence[str], what: str = "vector"
) -> None:
    """Refuse NaN or infinite values, naming the first bad row and its word."""
    for start in range(0, len(vectors), 65536):
        good = np.isfinite(vectors[start : start + 65536]).all(axis=1)
        if not good.all():
            row = start + int(np.argmin(good))
            word = words[row] if row < len(words) else "?"
            raise ModelFormatError(
                f"{path}: {what} {row + 1} (word {word!r}) holds NaN or infinite values; "
                "the file is damaged (NaN/inf models are refused)"
            )


def _check_dimension(path: Path, dim: int) -> None:
    if dim == 0:
        raise ModelFormatError(f"{path}: header says the vectors have 0 dimensions")
    if dim == 1:
        raise ModelFormatError(
            f"{path}: 1-dimensional vectors (every cosine would be 1 or -1): this looks like a "
            "word-count list, not word vectors"
        )


# ---------------------------------------------------------------------- reading bytes
class _Source:
    """The bytes of a model file read block by block, gzip and bz2 decompressed on the fly."""

    def __init__(self, path: Path, raw: IO[bytes]) -> None:
        self.path = path
        magic = raw.read(4)
        raw.seek(0)
        self.is_zip = magic in _ZIP_MAGIC
        self.compressed = magic[:2] == _GZIP_MAGIC or magic[:3] == _BZ2_MAGIC
        if magic[:2] == _GZIP_MAGIC:
            self._kind, self._stream = "gzip", gzip.GzipFile(fileobj=raw, mode="rb")
        elif magic[:3] == _BZ2_MAGIC:
            self._kind, self._stream = "bz2", bz2.BZ2File(raw, mode="rb")
        else:
            self._kind, self._stream = "", raw
        self.size = os.fstat(raw.fileno()).st_size  # of the file, compressed or not
        self.head = b"" if self.is_zip else self.read(_HEAD)
        if self.head.startswith(codecs.BOM_UTF8):  # an editor's mark: not part of the header
            self.head = self.head[len(codecs.BOM_UTF8) :]
        self._unread = self.head
        if not self.head and not self.is_zip:
            raise ModelFormatError(f"{path} is empty")
        if self.compressed and self.head[:4] in _ZIP_MAGIC:
            raise ModelFormatError(f"{path}: a compressed .npz; decompress it first")

    def read(self, size: int = _BLOCK) -> bytes:
        """The next ``size`` bytes (fewer only at the end); the head is returned first."""
        if getattr(self, "_unread", b""):
            data, self._unread = self._unread, b""
            return data
        try:
            return self._stream.read(size)
        except (OSError, EOFError, zlib.error, ValueError) as exc:
            if self._kind:
                raise ModelFormatError(f"{self.path}: corrupt {self._kind} data ({exc})") from None
            raise ModelFormatError(f"cannot read {self.path}: {exc}") from None


@contextlib.contextmanager
def _open_source(path: Path) -> Iterator[_Source]:
    if not path.exists():
        raise ModelFormatError(f"no such model file: {path}")
    if path.is_dir():
        raise ModelFormatError(f"{path} is a directory, not a model file")
    try:
        with open(path, "rb") as raw:
            if os.fstat(raw.fileno()).st_size == 0:
                raise ModelFormatError(f"{path} is empty")
            yield _Source(path, raw)
    except OSError as exc:
        raise ModelFormatError(f"cannot read {path}: {_reason(exc)}") from None


class _Matrix:
    """A float32 matrix filled row block by row block, grown and shrunk in place."""

    def __init__(self, dim: int, capacity: int) -> None:
        self.dim = dim
        self.rows = 0
        self.array = np.empty((max(capacity, 1), dim), dtype=np.float32)

    def reserve(self, extra: int) -> np.ndarray:
        """The next ``extra`` rows to fill (call :meth:`filled` after filling them)."""
        need = self.rows + extra
        if need > len(self.array):
            self.array.resize((max(need, 2 * len(self.array)), self.dim), refcheck=False)
        return self.array[self.rows : need]

    def filled(self, count: int) -> None:
        self.rows += count

    def finish(self) -> np.ndarray:
        self.array.resize((self.rows, self.dim), refcheck=False)
        return self.array


def _decode_words(
    path: Path, raw: Sequence[bytes], unicode_errors: str, first: int = 1
) -> list[str]:
    """UTF-8 words; the error names the vector and the option that reads it anyway."""
    words = []
    for number, word in enumerate(raw, start=first):
        try:
            words.append(word.decode("utf-8", errors=unicode_errors))
        except UnicodeDecodeError:
            raise ModelFormatError(
                f"{path}: the word of vector {number} is not valid UTF-8 "
                "(open it with --unicode-errors replace or ignore to read it anyway)"
            ) from None
    return words


# ---------------------------------------------------------------------- native .npz
def _native_arrays(model: Model | KeyedVectors) -> dict[str, np.ndarray]:
    """The named arrays of a native file, in the order they are written."""
    kv = _keyed_vectors(model)
    _check_words(kv.words, forbidden="\n", what="the native format")
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT_TAG),
        "format_version": np.array(FORMAT_VERSION, dtype=np.int64),
        "words": _utf8_array("\n".join(kv.words)),
        "vectors": np.asarray(kv.vectors, dtype=np.float32),
    }
    if kv.counts is not None:
        arrays["counts"] = np.asarray(kv.counts, dtype=np.int64)
    if isinstance(model, Model):
        if model.output_vectors is not None:
            arrays["output_vectors"] = np.asarray(model.output_vectors, dtype=np.float32)
        if model.config is not None:
            arrays["config"] = _json_array(model.config.to_dict())
        if model.summary is not None:
            arrays["summary"] = _json_array(model.summary.to_dict())
    return arrays


def _write_npz(fh: IO[bytes], arrays: dict[str, np.ndarray]) -> None:
    """``np.savez`` with a fixed entry timestamp, so equal content gives equal bytes."""
    with zipfile.ZipFile(fh, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.create_system = 3  # unix, on every platform
            info.external_attr = 0o644 << 16
            with zf.open(info, "w", force_zip64=True) as out:
                np.lib.format.write_array(out, np.asarray(array, order="C"), allow_pickle=False)


def _utf8_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _json_array(data: dict[str, Any]) -> np.ndarray:
    return _utf8_array(json.dumps(data, sort_keys=True, separators=(",", ":")))


_ROW_ARRAYS = ("vectors", "output_vectors", "counts")  # one row per word: ``limit`` applies
_NATIVE_ARRAYS = ("format", "format_version", "words", *_ROW_ARRAYS, "config", "summary")


def _load_native(path: Path, unicode_errors: str, limit: int | None) -> Model:
    try:
        with zipfile.ZipFile(path) as zf:
            members = {info.filename: info for info in zf.infolist()}
            size = path.stat().st_size

            def read(name: str) -> np.ndarray | None:
                info = members.get(f"{name}.npy")
                if info is None:
                    return None
                rows = limit if name in _ROW_ARRAYS else None
                return _read_npy(path, zf, info, size, rows)

            _check_tag(path, read("format"), read("format_version"))
            arrays = {name: read(name) for name in _NATIVE_ARRAYS[2:]}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile,
            zlib.error, NotImplementedError) as exc:
        raise ModelFormatError(f"{path}: corrupt .npz file ({exc})") from None
    return _model_from_arrays(path, arrays, unicode_errors, limit)


def _read_npy(
    path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive_size: int, rows: int | None
) -> np.ndarray:
    """One ``.npy`` member, its declared shape checked against the bytes it really holds."""
    name = info.filename[:-4]
    stored = info.compress_type == zipfile.ZIP_STORED
    if info.compress_size > archive_size or info.file_size > info.compress_size * (
        1 if stored else _DEFLATE_MAX_RATIO
    ):
        raise ModelFormatError(f"{path}: corrupt file: {name!r} declares more data than it holds")
    with zf.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise ModelFormatError(f"{path}: {name!r} uses an unknown .npy version {version}")
        if dtype.hasobject:
            raise ModelFormatError(f"{path}: {name!r} holds Python objects (refused)")
        available = info.file_size - fp.tell()
        declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if declared != available:
            raise ModelFormatError(
                f"{path}: corrupt file: {name!r} declares shape {tuple(shape)} "
                f"({declared:,} bytes) but holds {max(available, 0):,} bytes"
            )
        if fortran or not shape or rows is None or rows >= shape[0]:
            rows = shape[0] if shape else None
        out_shape = tuple(shape) if rows is None else (rows, *shape[1:])
        if fortran:
            out_shape = out_shape[::-1]
        array = np.empty(out_shape, dtype=dtype)
        view = memoryview(array.reshape(-1).view(np.uint8)) if array.size else memoryview(b"")
        done = 0
        while done < len(view):
            got = fp.readinto(view[done : done + _BLOCK])
            if not got:
                raise ModelFormatError(f"{path}: corrupt file: {name!r} is cut short")
            done += got
    return array.T if fortran else array


def _check_tag(path: Path, tag: np.ndarray | None, version: np.ndarray | None) -> None:
    if tag is None or tag.dtype.kind != "U" or tag.shape != () or str(tag) != FORMAT_TAG:
        raise ModelFormatError(f"{path} is a NumPy .npz archive but not a w2v-tui model")
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise ModelFormatError(f"{path}: w2v-tui model without a format version")
    if int(version) > FORMAT_VERSION:
        raise ModelFormatError(
            f"{path} was written by a newer w2v-tui (format version {int(version)}; "
            f"this version reads up to {FORMAT_VERSION})"
        )


def _model_from_arrays(
    path: Path, arrays: dict[str, np.ndarray | None], unicode_errors: str, limit: int | None
) -> Model:
    for name in ("words", "vectors"):
        if arrays.get(name) is None:
            raise ModelFormatError(f"{path}: w2v-tui model without {name!r}")
    vectors = arrays["vectors"]
    if vectors.ndim != 2 or vectors.dtype != np.float32:
        raise ModelFormatError(f"{path}: 'vectors' must be a 2-d float32 array")
    n = vectors.shape[0]
    words = _utf8_text(path, arrays["words"], "words", unicode_errors).split("\n")
    if limit is not None:
        words = words[:limit]
    if not n and words == [""]:
        words = []
    if len(words) != n:
        raise ModelFormatError(f"{path}: {len(words)} words for {n} vectors")
    counts = arrays.get("counts")
    if counts is not None and (counts.shape != (n,) or counts.dtype.kind not in "iu"):
        raise ModelFormatError(f"{path}: 'counts' must hold one integer per word")
    output = arrays.get("output_vectors")
    if output is not None and (output.shape != vectors.shape or output.dtype != np.float32):
        raise ModelFormatError(f"{path}: 'output_vectors' must have the shape of 'vectors'")
    _check_finite(path, vectors, words)
    if output is not None:
        _check_finite(path, output, words, what="output vector")
    config = summary = None
    if arrays.get("config") is not None:
        config = _from_json(path, arrays["config"], "config", TrainConfig.from_dict)
    if arrays.get("summary") is not None:
        summary = _from_json(path, arrays["summary"], "summary", TrainingSummary.from_dict)
    words, vectors, (counts, output) = _dedupe(words, vectors, counts, output)
    return Model(KeyedVectors(words, vectors, counts), output, config, summary)


def _utf8_text(path: Path, array: np.ndarray, name: str, unicode_errors: str = "strict") -> str:
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ModelFormatError(f"{path}: {name!r} must be UTF-8 bytes")
    try:
        return array.tobytes().decode("utf-8", errors=unicode_errors)
    except UnicodeDecodeError:
        raise ModelFormatError(
            f"{path}: {name!r} is not valid UTF-8"
            + (" (open it with --unicode-errors replace or ignore)" if name == "words" else "")
        ) from None


def _from_json(path: Path, array: np.ndarray, name: str, build: Callable[[dict], Any]) -> Any:
    try:
        return build(json.loads(_utf8_text(path, array, name)))
    except ModelFormatError:
        raise
    except (ValueError, TypeError, KeyError) as exc:  # ConfigError is a ValueError
        raise ModelFormatError(f"{path}: unreadable {name} ({exc})") from None


# ---------------------------------------------------------------------- word2vec writing
def _text_rows(words: Sequence[str], vectors: np.ndarray) -> Iterator[bytes]:
    """``word v1 ... vD\\n`` with ``str(np.float32)`` values: gensim's exact bytes."""
    for word, row in zip(words, vectors):
        yield f"{word} {' '.join([str(value) for value in row])}\n".encode("utf-8")


def _binary_rows(words: Sequence[str], vectors: np.ndarray) -> Iterator[bytes]:
    """``word``, a space, D little-endian float32 and a newline: the C tool's exact bytes."""
    for word, row in zip(words, vectors):
        yield word.encode("utf-8") + b" " + row.tobytes() + b"\n"


# ---------------------------------------------------------------------- word2vec reading
def _read_word2vec(
    path: Path, source: _Source, binary: bool | None, unicode_errors: str, limit: int | None
) -> KeyedVectors:
    kind = _sniff_text_format(path, source.head)
    if binary is not None and kind != "glove":
        kind = "bin" if binary else "txt"
    header = _header(source.head)
    if kind == "glove":
        dim = len(_parse_row(_line(source.head, 0))[1])  # type: ignore[index]  # sniffed
        _check_dimension(path, dim)
        words, vectors = _read_text(path, source, None, dim, 0, limit, unicode_errors)
    else:
        n, dim, offset = header  # type: ignore[misc]  # sniffing found the header
        _check_dimension(path, dim)
        reader = _read_binary if kind == "bin" else _read_text
        words, vectors = reader(path, source, n, dim, offset, limit, unicode_errors)
    _check_finite(path, vectors, words)
    words, vectors, _ = _dedupe(words, vectors)
    return KeyedVectors(words, vectors)


def _header(data: bytes) -> tuple[int, int, int] | None:
    """``(n, dim, offset of the first row)`` if the first line is ``"N D"``, else None."""
    end = data.find(b"\n", 0, 256)
    line = data[: end if end >= 0 else min(len(data), 256)]
    match = _HEADER.fullmatch(line)
    if match is None:
        return None
    return int(match[1]), int(match[2]), (end + 1 if end >= 0 else len(data))


def _sniff_text_format(path: Path, head: bytes) -> str:
    """``"bin"`` or ``"txt"`` after a word2vec header, ``"glove"`` without one."""
    header = _header(head)
    if header is None:
        if _parse_row(_line(head, 0)) is None:
            raise ModelFormatError(
                f"{path}: not a model file (expected a w2v-tui .npz, a word2vec .bin/.txt/.vec "
                "file, or GloVe text)"
            )
        return "glove"
    _, dim, offset = header
    if dim == 0:
        raise ModelFormatError(f"{path}: header says the vectors have 0 dimensions")
    return "txt" if _parse_row(_line(head, offset)) is not None else "bin"


def _line(data: bytes, start: int) -> bytes:
    end = data.find(b"\n", start)
    return data[start : end if end >= 0 else len(data)]


def _fields(line: bytes) -> list[bytes]:
    """The fields of a text row: what lies between runs of ASCII spaces and tabs.

    Trailing ASCII whitespace (the ``\\r`` of a CRLF line too) is dropped first, as gensim's
    ``bytes.rstrip()`` does. Nothing else separates fields: the bytes 0x85 and 0xA0 occur inside
    UTF-8 letters (Cyrillic х is d1 85, Hangul and CJK characters end in them), and vertical
    tab, form feed or a lone carriage return inside a word stay in the word, as in gensim.
    """
    return [field for field in line.rstrip().replace(b"\t", b" ").split(b" ") if field]


def _parse_row(line: bytes, dim: int | None = None) -> tuple[bytes, list[float]] | None:
    """The word and values of a text row ``word v1 ... vD``, or None if it is not one.

    This is the rule every text row follows; the vectorised block parser only speeds up the
    rows it gives the same answer for. With ``dim``, the row must hold ``dim`` values. A row
    that only reads when split at single spaces (a word holding a tab) is read that way, as
    gensim reads it. A value is what gensim reads: Python's ``float`` of its UTF-8 text,
    rounded to float32.
    """
    stripped = line.rstrip()
    for fields in (_fields(stripped), stripped.split(b" ")):
        if len(fields) < 2 or (dim is not None and len(fields) != dim + 1):
            continue
        try:
            with np.errstate(over="ignore"):  # beyond float32: inf, refused by _check_finite
                return fields[0], [float(np.float32(f.decode("utf-8"))) for f in fields[1:]]
        except ValueError:  # UnicodeDecodeError included
            continue
    return None


def _truncated(path: Path, expected: int, found: int) -> ModelFormatError:
    return ModelFormatError(f"{path}: truncated: expected {expected} vectors, found {found}")


# ------------------------------------------------------------------------------- text rows
def _read_text(
    path: Path,
    source: _Source,
    n: int | None,
    dim: int,
    offset: int,
    limit: int | None,
    unicode_errors: str,
) -> tuple[list[str], np.ndarray]:
    """Word2vec text (``n`` from the header) or GloVe (``n`` None) rows, block by block."""
    wanted = n if limit is None else (limit if n is None else min(n, limit))
    first_line = 1 if n is None else 2
    estimate = max(source.size - offset, 0) // (2 * dim) + 1  # a value takes >= 2 bytes
    capacity = 65536 if wanted is None or source.compressed else min(wanted, estimate)
    matrix = _Matrix(dim, capacity)
    words: list[str] = []
    pending = b""
    blank_at: int | None = None  # the first of the blank lines seen last (allowed at the end)
    skip = offset
    while wanted is None or len(words) < wanted:
        chunk = source.read()
        if skip:
            chunk, skip = chunk[skip:], 0
        data = pending + chunk
        if chunk:
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                pending = data
                continue
            text, pending = data[:cut], data[cut:]
        else:
            text, pending = (data if data.endswith(b"\n") or not data else data + b"\n"), b""
        if text:
            room = None if wanted is None else wanted - len(words)
            block_words, blank_at, used = _parse_text_block(
                path, text, dim, matrix, first_line + len(words), n, room, blank_at
            )
            words.extend(_decode_words(path, block_words, unicode_errors, len(words) + 1))
            pending = text[used:] + pending  # rows after ``limit`` or the announced count
        if not chunk:
            break
    if n is not None and len(words) < n and (limit is None or len(words) < limit):
        raise _truncated(path, n, len(words))
    if n is not None and limit is None:
        extra = _count_more_lines(source, pending)
        if extra:
            raise ModelFormatError(
                f"{path}: {n + extra} rows but the header announces {n} (wrong header?)"
            )
    return words, matrix.finish()


def _parse_text_block(
    path: Path,
    text: bytes,
    dim: int,
    matrix: _Matrix,
    first_line: int,
    n: int | None,
    room: int | None,
    blank_before: int | None,
) -> tuple[list[bytes], int | None, int]:
    """Parse whole lines ``text`` into ``matrix``.

    Returns the words, the number of a trailing blank line, and how many bytes were used
    (fewer than all when ``room`` rows are wanted).

    The fields of every line are counted with array operations, split as :func:`_fields`
    splits them, and the numbers are read by NumPy's C parser (``loadtxt``), so no Python code
    runs per value. Rows it cannot read are read by :func:`_parse_row`, which decides.
    """
    a = np.frombuffer(text, dtype=np.uint8)
    newline = a == 10
    ends = np.flatnonzero(newline)
    line_starts = np.zeros_like(ends)
    line_starts[1:] = ends[:-1] + 1
    blank = newline | (a == 32) | (a == 9)
    trailing_whitespace = _trailing_whitespace(a, line_starts, ends)
    blank[trailing_whitespace] = True
    starts = ~blank
    starts[1:] &= blank[:-1]
    counts = np.add.reduceat(starts, line_starts, dtype=np.int64)
    filled = np.flatnonzero(counts)
    if not len(filled):
        return [], blank_before if blank_before is not None else first_line, len(text)
    if blank_before is not None:
        raise ModelFormatError(f"{path}: line {blank_before} is empty")
    last = int(filled[-1])
    gaps = np.flatnonzero(counts[:last] == 0)
    if len(gaps):
        raise ModelFormatError(f"{path}: line {first_line + int(gaps[0])} is empty")
    trailing = first_line + last + 1 if last + 1 < len(counts) else None
    take = last + 1 if room is None else min(last + 1, room)
    size = int(ends[take - 1]) + 1
    rows = matrix.reserve(take)
    words = None
    if (counts[:take] == dim + 1).all():
        plain = _for_loadtxt(text[:size], a, ends[:take], trailing_whitespace)
        words = _read_plain_rows(text, plain, line_starts[:take], ends[:take], rows)
    if words is None:
        words = _read_rows_one_by_one(path, text[:size], dim, rows, first_line, n)
    matrix.filled(take)
    return words, trailing, size


def _trailing_whitespace(a: np.ndarray, line_starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Where the trailing ASCII whitespace of each line is, which :func:`_fields` drops.

    Walks back from every newline at once: one step per trailing byte (one for a CRLF file),
    not one per line.
    """
    found = []
    position, first = ends - 1, line_starts
    while len(position):
        inside = position >= first
        position, first = position[inside], first[inside]
        inside = _TRAILING[a[position]]
        position, first = position[inside], first[inside]
        found.append(position)
        position = position - 1
    return np.concatenate(found)


def _for_loadtxt(
    text: bytes, a: np.ndarray, ends: np.ndarray, trailing_whitespace: np.ndarray
) -> bytes | bytearray:
    """``text`` as ``loadtxt`` splits it exactly where :func:`_fields` does.

    ``loadtxt`` decodes the bytes as Latin-1 and splits at every Unicode whitespace character
    and carriage return, so those bytes (:data:`_LOADTXT_SPACES`, ``\\r``) are made ``x`` (a
    value holding one then fails and is left to :func:`_parse_row`), and trailing whitespace a
    space. Most blocks hold none of them, or only the carriage returns of CRLF line ends, and
    are given as they are (no copy).
    """
    lone_carriage_returns = b"\r" in text and text.count(b"\r") != np.count_nonzero(
        a[ends[ends > 0] - 1] == 13
    )
    if not lone_carriage_returns and not any(byte in text for byte in _LOADTXT_SPACES):
        return text
    plain = bytearray(text).translate(_TO_LOADTXT)
    np.frombuffer(plain, dtype=np.uint8)[trailing_whitespace[trailing_whitespace < len(text)]] = 32
    return plain


def _read_plain_rows(
    text: bytes,
    plain: bytes | bytearray,
    line_starts: np.ndarray,
    ends: np.ndarray,
    rows: np.ndarray,
) -> list[bytes] | None:
    """Read rows of a word and ``D`` values with NumPy's C parser; None if it refuses one.

    ``plain`` is the text prepared by :func:`_for_loadtxt`. No Python code runs per value;
    the words are cut from ``text`` at the first separator of each line.
    """
    try:
        rows[...] = np.loadtxt(
            BytesIO(plain), dtype=np.float32, usecols=range(1, rows.shape[1] + 1),
            comments=None, encoding="latin-1", ndmin=2,
        )
    except ValueError:
        return None
    words = []
    find = text.find
    for start, end in zip(line_starts.tolist(), ends.tolist()):
        space = find(b" ", start, end)
        word = text[start:space] if space >= 0 else b""
        if not word or b"\t" in word:  # a tab-separated row or a leading separator
            word = _fields(text[start:end])[0]
        words.append(word)
    return words


def _read_rows_one_by_one(
    path: Path, text: bytes, dim: int, rows: np.ndarray, first_line: int, n: int | None
) -> list[bytes]:
    """Read the lines ``text`` with :func:`_parse_row`, or name the first line that is no row."""
    words = []
    for i, line in enumerate(text.split(b"\n", len(rows) - 1)):
        row = _parse_row(line, dim)
        if row is None:
            raise _row_error(path, line, dim, first_line + i, n)
        words.append(row[0])
        rows[i] = row[1]
    return words


def _row_error(path: Path, line: bytes, dim: int, number: int, n: int | None) -> ModelFormatError:
    """Why line ``number`` is not a row of a word and ``dim`` values."""
    found = len(_fields(line)) - 1
    if found == dim:
        return ModelFormatError(f"{path}: line {number}: a value is not a number")
    values = f"{found} value{'s' if found != 1 else ''}"
    if n is not None and number == 2:
        return ModelFormatError(
            f"{path}: the header says {dim} dimensions but line 2 has a word and {values} "
            "(the header's dimension looks wrong)"
        )
    return ModelFormatError(
        f"{path}: line {number}: expected a word and {dim} values, found a word and {values}"
    )


def _count_more_lines(source: _Source, pending: bytes) -> int:
    """Non-blank lines left in the file (after the rows the header announced)."""
    extra = 0
    data = pending
    while True:
        extra += sum(1 for line in data.split(b"\n") if line.strip())
        data = source.read()
        if not data:
            return extra


# ------------------------------------------------------------------------------- binary rows
def _read_binary(
    path: Path,
    source: _Source,
    n: int,
    dim: int,
    offset: int,
    limit: int | None,
    unicode_errors: str,
) -> tuple[list[str], np.ndarray]:
    """``word`` SPACE ``dim`` little-endian float32 [NEWLINE], block by block, into the matrix."""
    wanted = n if limit is None else min(n, limit)
    width = dim * _FLOAT32_LE.itemsize
    estimate = max(source.size - offset, 0) // (width + 2) + 1
    matrix = _Matrix(dim, min(wanted, estimate) if not source.compressed else min(wanted, 65536))
    words: list[str] = []
    data = source.read()[offset:]
    pos = 0
    end_of_file = False
    while len(words) < wanted:
        rows = matrix.reserve(min(wanted - len(words), 65536))
        flat = memoryview(rows.reshape(-1).view(np.uint8))
        raw: list[bytes] = []
        got = 0
        size = len(data)
        while got < len(rows):
            while pos < size and data[pos] in (10, 13):
                pos += 1  # the C tool ends rows with "\n"; gensim 4 does not
            space = data.find(b" ", pos, pos + _MAX_WORD_BYTES)
            if space < 0 or space + 1 + width > size:
                if end_of_file or (space < 0 and size - pos >= _MAX_WORD_BYTES):
                    break
                more = source.read()
                end_of_file = not more
                data, pos, size = data[pos:] + more, 0, len(data) - pos + len(more)
                continue
            if space == pos:
                raise _binary_error(path, source, n, dim, len(words) + got + 1, "has an empty word")
            raw.append(data[pos:space])
            flat[got * width : (got + 1) * width] = data[space + 1 : space + 1 + width]
            got += 1
            pos = space + 1 + width
        del flat
        matrix.filled(got)
        _check_binary_words(path, source, n, dim, raw)
        words.extend(_decode_words(path, raw, unicode_errors, len(words) + 1))
        if got < len(rows):
            if end_of_file:
                raise _binary_error(path, source, n, dim, len(words), "truncated")
            raise _binary_error(path, source, n, dim, len(words) + 1, "no word found")
    if limit is None or limit >= n:
        rest = data[pos:]
        while not rest.strip(_PADDING) and not end_of_file:
            more = source.read()
            end_of_file = not more
            rest = more
        if rest.strip(_PADDING):
            raise _binary_error(path, source, n, dim, n, "data after")
    vectors = matrix.finish()
    if sys.byteorder != "little":  # pragma: no cover
        vectors.byteswap(inplace=True)
    return words, vectors


def _check_binary_words(path: Path, source: _Source, n: int, dim: int, words: list[bytes]) -> None:
    """Words that are not clean text may be floats read as words: a wrong header dimension."""
    joined = b" ".join(words)
    suspicious = re.search(rb"[\x00-\x1f]", joined) is not None
    if not suspicious:
        try:
            joined.decode("utf-8")
        except UnicodeDecodeError:
            suspicious = True
    if suspicious and _fitting_dimension(source.head, n, dim) is not None:
        raise _binary_error(path, source, n, dim, 1, "has an unreadable word")


def _binary_error(
    path: Path, source: _Source, n: int, dim: int, number: int, problem: str
) -> ModelFormatError:
    """The clearest message for a binary file that does not parse as its header says."""
    fits = _fitting_dimension(source.head, n, dim)
    if fits is not None:
        return ModelFormatError(
            f"{path}: the header's dimension looks wrong: it says {dim}, but the rows fit {fits}"
        )
    if problem == "truncated":
        return _truncated(path, n, number)
    if problem == "data after":
        return ModelFormatError(
            f"{path}: data after the {n} vectors the header announces (wrong header?)"
        )
    return ModelFormatError(f"{path}: vector {number} {problem} (corrupt file)")


def _fitting_dimension(head: bytes, n: int, dim: int, rows: int = 20) -> int | None:
    """Another dimension whose rows parse cleanly in ``head`` when ``dim``'s do not, or None."""
    header = _header(head)
    if header is None:
        return None
    offset = header[2]

    def clean(d: int) -> bool:
        pos, width, parsed, needed = offset, 4 * d, 0, min(n, rows)
        while parsed < needed:
            while pos < len(head) and head[pos] in (10, 13):
                pos += 1
            space = head.find(b" ", pos, pos + 256)
            if space < 0 or space + 1 + width > len(head):  # the head ends: enough rows seen?
                return parsed >= min(needed, 3) and (space >= 0 or len(head) - pos < 256)
            try:
                word = head[pos:space].decode("utf-8")
            except UnicodeDecodeError:
                return False
            if not word or not word.isprintable():
                return False
            pos = space + 1 + width
            parsed += 1
        return True

    if clean(dim):
        return None
    for candidate in range(1, max(2 * dim, dim + 1024)):
        if candidate != dim and clean(candidate):
            return candidate
    return None
