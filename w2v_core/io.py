"""Saving and loading models: the native ``.npz`` format, word2vec text/binary, GloVe text.

The native format keeps everything (input and output vectors, counts, training configuration
and summary); the word2vec formats keep only words and input vectors, written exactly as the
original C tool and gensim write them. Every save is atomic, and every unreadable file raises
:class:`~w2v_core.errors.ModelFormatError` with one line that names the file.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import json
import mmap
import os
import re
import secrets
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from .config import TrainConfig
from .errors import ModelFormatError
from .model import Model, TrainingSummary
from .vectors import KeyedVectors

__all__ = [
    "FORMAT_TAG",
    "FORMAT_VERSION",
    "detect_format",
    "load",
    "load_word2vec_format",
    "save",
    "save_word2vec_format",
]

#: Written into every native file; an ``.npz`` without it is not ours.
FORMAT_TAG = "w2v-tui-model"
#: Version of the native layout; files from a newer version are refused.
FORMAT_VERSION = 1

PathLike = str | os.PathLike
_EXTENSIONS = {".npz": "npz", ".bin": "bin", ".txt": "txt", ".vec": "txt"}
_FORMAT_NAMES = {
    "npz": "npz", "native": "npz",
    "bin": "bin", "binary": "bin",
    "txt": "txt", "text": "txt", "vec": "txt",
}
_ALLOWED = ".npz (native), .bin (word2vec binary), .txt or .vec (word2vec text)"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed entry timestamp: identical models give identical files
_HEADER = re.compile(rb"\s*(\d+)[ \t]+(\d+)\s*")
_FLOAT32_LE = np.dtype("<f4")
_MAX_WORD_BYTES = 4096


# ---------------------------------------------------------------------- public API
def save(model: Model | KeyedVectors, path: PathLike, format: str | None = None) -> None:
    """Write a model or bare vectors to ``path``, atomically.

    Parameters
    ----------
    model : Model or KeyedVectors
        What to save. The word2vec formats keep only the words and input vectors.
    path : str or path-like
        Destination; an existing file is replaced only once the new one is complete.
    format : {"npz", "bin", "txt"}, optional
        Defaults to the one the extension names: ``.npz`` native, ``.bin`` word2vec binary,
        ``.txt``/``.vec`` word2vec text.

    Raises
    ------
    ModelFormatError
        Unknown format or extension, a word the format cannot store, or the file cannot be written.
    """
    path = Path(path).expanduser()
    kind = _format_for(path, format)
    if kind == "npz":
        arrays = _native_arrays(model)
        _atomic_write(path, lambda fh: _write_npz(fh, arrays))
    else:
        save_word2vec_format(_keyed_vectors(model), path, binary=kind == "bin")


def load(path: PathLike, unicode_errors: str = "strict") -> Model:
    """Read a model, detecting the format from the file's content.

    Parameters
    ----------
    path : str or path-like
        A native ``.npz``, a word2vec binary or text file (optionally gzip-compressed), or GloVe
        text.
    unicode_errors : str
        How to treat words that are not valid UTF-8 in word2vec/GloVe files (``"strict"``,
        ``"replace"``, ``"ignore"``; the C tool may cut multi-byte characters).

    Returns
    -------
    Model
        Word2vec and GloVe files give ``Model(wv, None, None, None)`` with ``wv.counts`` None.

    Raises
    ------
    ModelFormatError
        Missing, empty, truncated, corrupt or foreign file.
    """
    path = Path(path).expanduser()
    with _open_content(path) as data:
        if data[:4] not in _ZIP_MAGIC:
            return Model(_read_word2vec(path, data, None, unicode_errors))
    return _load_native(path)


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
    with _open_content(path) as data:
        if data[:4] in _ZIP_MAGIC:
            return "npz"
        return _sniff_text_format(path, data)


def save_word2vec_format(kv: KeyedVectors, path: PathLike, binary: bool = False) -> None:
    """Write vectors in the word2vec C tool's format, atomically.

    Header ``"N D\\n"``, then one row per word in index order: text rows are
    ``word v1 ... vD\\n`` with the shortest float32 repr of each value (as gensim writes them);
    binary rows are the UTF-8 word, a space, D little-endian float32 and ``"\\n"`` (as the C tool
    writes them).

    Raises
    ------
    ModelFormatError
        A word is empty or contains whitespace (the format cannot store it), or the file cannot be
        written.
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


def load_word2vec_format(
    path: PathLike, binary: bool | None = None, unicode_errors: str = "strict"
) -> KeyedVectors:
    """Read a word2vec text or binary file, or GloVe text (no header).

    Parameters
    ----------
    path : str or path-like
        The file; gzip-compressed files are read too.
    binary : bool, optional
        Force binary (True) or text (False); detected from the content when None.
    unicode_errors : str
        Passed to ``bytes.decode`` for every word (gensim's ``unicode_errors``).

    Returns
    -------
    KeyedVectors
        Counts unknown (None). A word repeated in the file keeps its first vector, as in gensim.

    Raises
    ------
    ModelFormatError
        Missing, empty, truncated or corrupt file, or a header that disagrees with the rows.
    """
    path = Path(path).expanduser()
    with _open_content(path) as data:
        if data[:4] in _ZIP_MAGIC:
            raise ModelFormatError(f"{path}: this is an .npz archive, not a word2vec file")
        return _read_word2vec(path, data, binary, unicode_errors)


# ---------------------------------------------------------------------- atomic writes
def _atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a temp file in the same directory, fsync, then rename over ``path``."""
    if path.is_dir():
        raise ModelFormatError(f"cannot save to {path}: it is a directory")
    try:
        fd, temp = _create_temp(path)
    except OSError as exc:
        raise ModelFormatError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise ModelFormatError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
    _fsync_directory(path.parent)


def _create_temp(path: Path) -> tuple[int, str]:
    """Create ``.<name>.<random>.tmp`` next to ``path``; mode 0o666 lets the umask apply."""
    while True:
        temp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), str(temp)
        except FileExistsError:
            continue


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); silently skipped where directories cannot be opened."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY"))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------------- helpers
def _format_for(path: Path, format: str | None) -> str:
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
            f"cannot tell the model format of {path} ({shown}): use {_ALLOWED}"
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


def _dedupe(words: list[str], vectors: np.ndarray) -> KeyedVectors:
    """Keep the first occurrence of a repeated word, like gensim."""
    first: dict[str, int] = {}
    for i, word in enumerate(words):
        first.setdefault(word, i)
    if len(first) != len(words):
        rows = np.fromiter(first.values(), dtype=np.int64, count=len(first))
        words, vectors = list(first), vectors[rows]
    return KeyedVectors(words, vectors)


@contextlib.contextmanager
def _open_content(path: Path) -> Iterator[Any]:
    """Yield the file's bytes (memory-mapped, or decompressed when gzip)."""
    if not path.exists():
        raise ModelFormatError(f"no such model file: {path}")
    if path.is_dir():
        raise ModelFormatError(f"{path} is a directory, not a model file")
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                raise ModelFormatError(f"{path} is empty")
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                if mapped[:2] == _GZIP_MAGIC:
                    data = _gunzip(path, mapped)
                    if not data:
                        raise ModelFormatError(f"{path} is empty")
                    yield data
                else:
                    yield mapped
    except OSError as exc:
        raise ModelFormatError(f"cannot read {path}: {exc.strerror or exc}") from None


def _gunzip(path: Path, data: Any) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise ModelFormatError(f"{path}: corrupt gzip data ({exc})") from None


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


def _load_native(path: Path) -> Model:
    try:
        with np.load(path, allow_pickle=False) as npz:
            _check_tag(path, _member(npz, "format"), _member(npz, "format_version"))
            arrays = {name: _member(npz, name) for name in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise ModelFormatError(f"{path}: corrupt .npz file ({exc})") from None
    return _model_from_arrays(path, arrays)


def _member(npz: Any, name: str) -> np.ndarray | None:
    """An array of the archive, or None when absent or not a ``.npy`` member."""
    value = npz[name] if name in npz.files else None
    return value if isinstance(value, np.ndarray) else None


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


def _model_from_arrays(path: Path, arrays: dict[str, np.ndarray | None]) -> Model:
    for name in ("words", "vectors"):
        if arrays.get(name) is None:
            raise ModelFormatError(f"{path}: w2v-tui model without {name!r}")
    vectors = arrays["vectors"]
    if vectors.ndim != 2 or vectors.dtype != np.float32:
        raise ModelFormatError(f"{path}: 'vectors' must be a 2-d float32 array")
    n = vectors.shape[0]
    text = _utf8_text(path, arrays["words"], "words")
    words = text.split("\n") if n else []
    if len(words) != n:
        raise ModelFormatError(f"{path}: {len(words)} words for {n} vectors")
    counts = arrays.get("counts")
    if counts is not None and (counts.shape != (n,) or counts.dtype.kind not in "iu"):
        raise ModelFormatError(f"{path}: 'counts' must hold one integer per word")
    output = arrays.get("output_vectors")
    if output is not None and (output.shape != vectors.shape or output.dtype != np.float32):
        raise ModelFormatError(f"{path}: 'output_vectors' must have the shape of 'vectors'")
    config = summary = None
    if arrays.get("config") is not None:
        config = _from_json(path, arrays["config"], "config", TrainConfig.from_dict)
    if arrays.get("summary") is not None:
        summary = _from_json(path, arrays["summary"], "summary", TrainingSummary.from_dict)
    return Model(KeyedVectors(words, vectors, counts), output, config, summary)


def _utf8_text(path: Path, array: np.ndarray, name: str) -> str:
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ModelFormatError(f"{path}: {name!r} must be UTF-8 bytes")
    try:
        return array.tobytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFormatError(f"{path}: {name!r} is not valid UTF-8") from None


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
def _read_word2vec(path: Path, data: Any, binary: bool | None, unicode_errors: str) -> KeyedVectors:
    try:
        codecs.lookup_error(unicode_errors)
    except LookupError:
        raise ModelFormatError(
            f"unknown unicode_errors {unicode_errors!r}: use 'strict', 'replace' or 'ignore'"
        ) from None
    kind = _sniff_text_format(path, data)
    if binary is not None and kind != "glove":
        kind = "bin" if binary else "txt"
    reader = {"bin": _read_binary, "txt": _read_text, "glove": _read_glove}[kind]
    words, vectors = reader(path, data, unicode_errors)
    return _dedupe(words, vectors)


def _header(data: Any) -> tuple[int, int, int] | None:
    """``(n, dim, offset of the first row)`` if the first line is ``"N D"``, else None."""
    end = data.find(b"\n", 0, 256)
    line = data[: end if end >= 0 else min(len(data), 256)]
    match = _HEADER.fullmatch(line)
    if match is None:
        return None
    return int(match[1]), int(match[2]), (end + 1 if end >= 0 else len(data))


def _sniff_text_format(path: Path, data: Any) -> str:
    """``"bin"`` or ``"txt"`` after a word2vec header, ``"glove"`` without one."""
    header = _header(data)
    if header is None:
        if _parse_row(_line(data, 0), "replace") is None:
            raise ModelFormatError(
                f"{path}: not a model file (expected a w2v-tui .npz, a word2vec .bin/.txt/.vec "
                "file, or GloVe text)"
            )
        return "glove"
    _, dim, offset = header
    if dim == 0:
        raise ModelFormatError(f"{path}: header says the vectors have 0 dimensions")
    return "txt" if _parse_row(_line(data, offset), "replace") is not None else "bin"


def _line(data: Any, start: int) -> bytes:
    end = data.find(b"\n", start)
    return data[start : end if end >= 0 else len(data)]


def _parse_row(line: bytes, unicode_errors: str) -> tuple[str, list[float]] | None:
    """``(word, values)`` of a text row, or None if it is not one."""
    parts = [p for p in line.rstrip(b" \t\r\n").split(b" ") if p]
    if len(parts) < 2:
        return None
    try:
        word = parts[0].decode("utf-8", errors=unicode_errors)
        return word, [float(p) for p in parts[1:]]
    except (UnicodeDecodeError, ValueError):
        return None


def _decode_word(path: Path, raw: bytes, number: int, unicode_errors: str) -> str:
    try:
        word = raw.decode("utf-8", errors=unicode_errors)
    except UnicodeDecodeError:
        raise ModelFormatError(
            f"{path}: word of vector {number} is not valid UTF-8 (load with "
            "unicode_errors='replace' or 'ignore' to read it anyway)"
        ) from None
    if not word:
        raise ModelFormatError(f"{path}: vector {number} has an empty word")
    return word


def _truncated(path: Path, expected: int, found: int) -> ModelFormatError:
    return ModelFormatError(f"{path}: truncated: expected {expected} vectors, found {found}")


def _read_binary(path: Path, data: Any, unicode_errors: str) -> tuple[list[str], np.ndarray]:
    n, dim, pos = _header(data)  # type: ignore[misc]  # sniffing found the header
    width = dim * _FLOAT32_LE.itemsize
    size = len(data)
    vectors = np.empty((min(n, (size - pos) // (width + 2)), dim), dtype=np.float32)
    words: list[str] = []
    while len(words) < n:
        while pos < size and data[pos : pos + 1] in (b"\n", b"\r"):
            pos += 1  # the C tool ends rows with "\n"; gensim 4 does not
        space = data.find(b" ", pos, pos + _MAX_WORD_BYTES)
        if space < 0 and pos + _MAX_WORD_BYTES < size:
            raise ModelFormatError(f"{path}: vector {len(words) + 1}: no word found (corrupt file)")
        if space < 0 or space + 1 + width > size or len(words) == len(vectors):
            raise _truncated(path, n, len(words))
        words.append(_decode_word(path, data[pos:space], len(words) + 1, unicode_errors))
        vectors[len(words) - 1] = np.frombuffer(data[space + 1 : space + 1 + width], _FLOAT32_LE)
        pos = space + 1 + width
    if data[pos:].strip():
        raise ModelFormatError(
            f"{path}: data after the {n} vectors the header announces (wrong header?)"
        )
    return words, vectors


def _read_text(path: Path, data: Any, unicode_errors: str) -> tuple[list[str], np.ndarray]:
    n, dim, offset = _header(data)  # type: ignore[misc]  # sniffing found the header
    lines = bytes(data[offset:]).split(b"\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < n:
        raise _truncated(path, n, len(lines))
    if len(lines) > n:
        raise ModelFormatError(
            f"{path}: {len(lines)} rows but the header announces {n} (wrong header?)"
        )
    return _parse_rows(path, lines, dim, first_line=2, unicode_errors=unicode_errors)


def _read_glove(path: Path, data: Any, unicode_errors: str) -> tuple[list[str], np.ndarray]:
    lines = bytes(data).split(b"\n")
    while lines and not lines[-1].strip():
        lines.pop()
    dim = len(_parse_row(lines[0], "replace")[1])  # type: ignore[index]  # sniffed
    return _parse_rows(path, lines, dim, first_line=1, unicode_errors=unicode_errors)


def _parse_rows(
    path: Path, lines: list[bytes], dim: int, first_line: int, unicode_errors: str
) -> tuple[list[str], np.ndarray]:
    """Parse ``word v1 ... vD`` rows (C tool's trailing space and CRLF accepted)."""
    words: list[str] = []
    values: list[float] = []
    for number, line in enumerate(lines, start=first_line):
        parts = [p for p in line.rstrip(b" \t\r\n").split(b" ") if p]
        if len(parts) != dim + 1:
            raise ModelFormatError(
                f"{path}: line {number}: expected a word and {dim} values, found "
                f"{len(parts)} fields"
            )
        words.append(_decode_word(path, parts[0], number - first_line + 1, unicode_errors))
        try:
            values.extend([float(p) for p in parts[1:]])
        except ValueError:
            raise ModelFormatError(f"{path}: line {number}: a value is not a number") from None
    vectors = np.array(values, dtype=np.float64).astype(np.float32)
    return words, vectors.reshape(len(words), dim)
