"""Reading a model file block by block: its bytes, and the matrix its rows fill.

Files are read block by block (gzip and bz2 decompressed on the fly) into a matrix sized
from the header, so the peak memory of a load stays close to the size of the matrix.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from ..errors import ModelFormatError, os_error_reason

#: Bytes read at a time (the temporaries of a block stay small).
BLOCK_BYTES = 2 << 20
#: Bytes inspected to detect the format.
HEAD_BYTES = 1 << 20
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_GZIP_MAGIC = b"\x1f\x8b"
_BZ2_MAGIC = b"BZh"


class Source:
    """The bytes of a model file read block by block, gzip and bz2 decompressed on the fly.

    ``head`` (the first :data:`HEAD_BYTES`, without a UTF-8 byte-order mark) is what formats
    are detected from; it is also the first block :meth:`read` returns. A zip archive is not
    read here: ``is_zip`` says so, and the archive is opened by name.
    """

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
        self.head = b"" if self.is_zip else self.read(HEAD_BYTES)
        if self.head.startswith(codecs.BOM_UTF8):  # an editor's mark: not part of the header
            self.head = self.head[len(codecs.BOM_UTF8) :]
        self._unread = self.head
        if not self.head and not self.is_zip:
            raise ModelFormatError(f"{path} is empty")
        if self.compressed and self.head[:4] in _ZIP_MAGIC:
            raise ModelFormatError(f"{path}: a compressed .npz; decompress it first")

    def read(self, size: int | None = None) -> bytes:
        """The next ``size`` bytes (:data:`BLOCK_BYTES` by default; fewer only at the end);
        the head is returned first."""
        if getattr(self, "_unread", b""):
            data, self._unread = self._unread, b""
            return data
        try:
            return self._stream.read(BLOCK_BYTES if size is None else size)
        except (OSError, EOFError, zlib.error, ValueError) as exc:
            if self._kind:
                raise ModelFormatError(f"{self.path}: corrupt {self._kind} data ({exc})") from None
            raise ModelFormatError(f"cannot read {self.path}: {exc}") from None


@contextlib.contextmanager
def open_source(path: Path) -> Iterator[Source]:
    """``path`` opened as a :class:`Source`; a missing, empty or unreadable file is refused."""
    if not path.exists():
        raise ModelFormatError(f"no such model file: {path}")
    if path.is_dir():
        raise ModelFormatError(f"{path} is a directory, not a model file")
    try:
        with open(path, "rb") as raw:
            if os.fstat(raw.fileno()).st_size == 0:
                raise ModelFormatError(f"{path} is empty")
            yield Source(path, raw)
    except OSError as exc:
        raise ModelFormatError(f"cannot read {path}: {os_error_reason(exc)}") from None


class Matrix:
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
