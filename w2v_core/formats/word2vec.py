"""What the word2vec text and binary layouts share: the ``"N D"`` header line before the rows.

Both are written as the original C tool and gensim write them: the header, then one row per
word in index order. The rows after the header tell the two layouts apart
(:func:`~w2v_core.formats.text_rows.starts_text_rows`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Literal

import numpy as np

from ..atomic import atomic_write
from ..errors import ModelFormatError
from ..model import Model
from ..vectors import KeyedVectors
from .rules import check_dimension, check_words, checked_vectors, keyed_vectors
from .source import Source
from .text_rows import starts_text_rows

#: How values are stored: little-endian float32 (binary rows; text rows print these values).
FLOAT32_LE = np.dtype("<f4")
_HEADER = re.compile(rb"\s*(\d+)[ \t]+(\d+)\s*")

#: The bytes of each row, from the words and their ``FLOAT32_LE`` vectors.
RowWriter = Callable[[Sequence[str], np.ndarray], Iterator[bytes]]
#: Reads ``n`` rows of ``dim`` values after ``offset``: ``(path, source, n, dim, offset, limit,
#: unicode_errors)`` gives the words and the matrix.
RowReader = Callable[
    [Path, Source, int, int, int, "int | None", str], tuple[list[str], np.ndarray]
]


def read_header(data: bytes) -> tuple[int, int, int] | None:
    """``(n, dim, offset of the first row)`` if the first line is ``"N D"``, else None."""
    end = data.find(b"\n", 0, 256)
    line = data[: end if end >= 0 else min(len(data), 256)]
    match = _HEADER.fullmatch(line)
    if match is None:
        return None
    return int(match[1]), int(match[2]), (end + 1 if end >= 0 else len(data))


def layout(path: Path, head: bytes) -> Literal["text", "binary"] | None:
    """Which rows follow a word2vec header at the start of ``head``; None without a header.

    Raises
    ------
    ModelFormatError
        The header announces 0 dimensions.
    """
    header = read_header(head)
    if header is None:
        return None
    _, dim, offset = header
    if dim == 0:
        raise ModelFormatError(f"{path}: header says the vectors have 0 dimensions")
    return "text" if starts_text_rows(head, offset, dim) else "binary"


def write_vectors(model: Model | KeyedVectors, path: Path, rows: RowWriter) -> None:
    """The header and ``rows``, atomically; a word the rows cannot hold is refused first."""
    kv = keyed_vectors(model)
    check_words(kv.words, forbidden=" \t\n\r", what="word2vec files")
    vectors = np.asarray(kv.vectors, dtype=FLOAT32_LE)

    def write(fh: IO[bytes]) -> None:
        fh.write(f"{len(kv.words)} {vectors.shape[1]}\n".encode())
        for chunk in rows(kv.words, vectors):
            fh.write(chunk)

    atomic_write(path, write)


def read_vectors(
    path: Path, source: Source, rows: RowReader, unicode_errors: str, limit: int | None
) -> Model:
    """The vectors after the header, read by ``rows``; counts are unknown (None)."""
    n, dim, offset = read_header(source.head)  # type: ignore[misc]  # detection found it
    check_dimension(path, dim)
    words, vectors = rows(path, source, n, dim, offset, limit, unicode_errors)
    return Model(checked_vectors(path, words, vectors)[0])
