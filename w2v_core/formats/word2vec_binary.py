"""Word2vec binary: the header ``"N D"``, then rows of a word, a space and D float32 (``.bin``).

Written byte for byte as the original C tool writes it (each row ends in ``"\\n"``); read
also without the newlines (gensim 4 writes none), with tolerated padding after the last
vector. A word runs from the end of the previous vector, after any ``"\\n"`` (gensim strips
those), to the next ASCII space; every other byte, ``"\\r"``, tab, 0x85 or 0xA0, is part of
it, as in gensim and the C tool. When the rows do not parse as the header says, the error
names the dimension they fit, since a wrong header is the usual cause.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelFormatError
from ..model import Model
from ..vectors import KeyedVectors
from . import word2vec
from .format import Format
from .rules import decode_words, truncated
from .source import Matrix, Source

_MAX_WORD_BYTES = 4096
_PADDING = b" \t\r\n\x00"  # tolerated after the last binary vector (gensim ignores it)


def row_bytes(words: Sequence[str], vectors: np.ndarray) -> Iterator[bytes]:
    """``word``, a space, D little-endian float32 and a newline: the C tool's exact bytes."""
    for word, row in zip(words, vectors):
        yield word.encode("utf-8") + b" " + row.tobytes() + b"\n"


def save(model: Model | KeyedVectors, path: Path) -> None:
    """Write the words and input vectors, atomically."""
    word2vec.write_vectors(model, path, row_bytes)


def load(path: Path, source: Source, unicode_errors: str, limit: int | None) -> Model:
    """Read the rows the header announces (and no more, unless ``limit`` stops earlier)."""
    return word2vec.read_vectors(path, source, read_binary_rows, unicode_errors, limit)


def sniff(path: Path, source: Source) -> bool:
    """A word2vec header followed by a row that is not text."""
    return word2vec.layout(path, source.head) == "binary"


FORMAT = Format("bin", "word2vec binary", (".bin",), ("binary",), save=save, load=load, sniff=sniff)


def read_binary_rows(
    path: Path,
    source: Source,
    n: int,
    dim: int,
    offset: int,
    limit: int | None,
    unicode_errors: str,
) -> tuple[list[str], np.ndarray]:
    """``word`` SPACE ``dim`` little-endian float32 [NEWLINE], block by block, into the matrix."""
    wanted = n if limit is None else min(n, limit)
    width = dim * word2vec.FLOAT32_LE.itemsize
    estimate = max(source.size - offset, 0) // (width + 2) + 1
    matrix = Matrix(dim, min(wanted, estimate) if not source.compressed else min(wanted, 65536))
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
            while pos < size and data[pos] == 10:
                pos += 1  # the C tool ends rows with "\n"; gensim 4 does not (a "\r" is a letter)
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
        words.extend(decode_words(path, raw, unicode_errors, len(words) + 1))
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


def _check_binary_words(path: Path, source: Source, n: int, dim: int, words: list[bytes]) -> None:
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
    path: Path, source: Source, n: int, dim: int, number: int, problem: str
) -> ModelFormatError:
    """The clearest message for a binary file that does not parse as its header says."""
    fits = _fitting_dimension(source.head, n, dim)
    if fits is not None:
        return ModelFormatError(
            f"{path}: the header's dimension looks wrong: it says {dim}, but the rows fit {fits}"
        )
    if problem == "truncated":
        return truncated(path, n, number)
    if problem == "data after":
        return ModelFormatError(
            f"{path}: data after the {n} vectors the header announces (wrong header?)"
        )
    return ModelFormatError(f"{path}: vector {number} {problem} (corrupt file)")


def _fitting_dimension(head: bytes, n: int, dim: int, rows: int = 20) -> int | None:
    """Another dimension whose rows parse cleanly in ``head`` when ``dim``'s do not, or None."""
    header = word2vec.read_header(head)
    if header is None:
        return None
    offset = header[2]

    def clean(d: int) -> bool:
        pos, width, parsed, needed = offset, 4 * d, 0, min(n, rows)
        while parsed < needed:
            while pos < len(head) and head[pos] == 10:
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
