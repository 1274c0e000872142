"""Text rows ``word v1 ... vD``: the parser word2vec text and GloVe files share.

GloVe is word2vec text without the header line, so both formats read their rows here; only
the header (and what it announces) differs. The rules of a row:

- the fields are split at ASCII spaces and tabs only, after the trailing ASCII whitespace
  (``\\r`` included) is dropped, so words in every script keep their bytes (0x85 and 0xA0
  occur inside UTF-8 letters);
- a value is what Python's ``float`` reads, rounded to float32, as in gensim;
- a row that only reads when split at single spaces (a word holding a tab) is read that way.

:func:`parse_row` is the rule; the vectorised block parser behind :func:`read_rows` only
speeds up the rows it gives the same answer for.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import numpy as np

from ..errors import ModelFormatError
from .rules import decode_words, truncated
from .source import Matrix, Source

_TRAILING = np.isin(np.arange(256), list(b" \t\r\x0b\x0c"))  # the bytes bytes.rstrip() drops
#: Bytes that ``loadtxt`` (reading Latin-1) takes for whitespace or a line end although they
#: separate no fields here: 0x85 and 0xA0 end many UTF-8 letters (Cyrillic х is d1 85).
_LOADTXT_SPACES = b"\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0"
_TO_LOADTXT = bytes(ord("x") if b in _LOADTXT_SPACES + b"\r" else b for b in range(256))


def row_at(data: bytes, start: int) -> tuple[bytes, list[float]] | None:
    """The row of the line that starts at ``start`` in ``data``, or None if it is no row."""
    return parse_row(_line(data, start))


def starts_text_rows(data: bytes, start: int, dim: int) -> bool:
    """Whether the rows at ``start``, after a word2vec header announcing ``dim``, are text.

    A row of ``dim`` values decides. A row of another count (a wrong header) or one whose
    values are only partly numbers (a damaged text file; at least half must be) is text only
    if the line after it is blank, a row too, or absent: the bytes of a binary vector can read
    as a short row (``word 6`` when a value is ``36 0a 00 3f``, 0.5001558), but what follows
    them does not, and such a file taken for text would not load.
    """
    line = _line(data, start)
    if parse_row(line, dim) is not None:
        return True
    if parse_row(line) is None and not _is_damaged_row(line, dim):
        return False
    after = start + len(line) + 1
    following = _line(data, after)
    return after >= len(data) or not following.strip() or parse_row(following) is not None


def _is_damaged_row(line: bytes, dim: int) -> bool:
    """A word and ``dim`` fields, at least half of them numbers, and no NUL byte."""
    fields = _fields(line)
    if b"\x00" in line or len(fields) != dim + 1:
        return False
    return 2 * sum(parse_row(b"w " + value) is not None for value in fields[1:]) >= dim


def _line(data: bytes, start: int) -> bytes:
    """The line that starts at ``start``, without its newline."""
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


def parse_row(line: bytes, dim: int | None = None) -> tuple[bytes, list[float]] | None:
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
            with np.errstate(over="ignore"):  # beyond float32: inf, refused by check_finite
                return fields[0], [float(np.float32(f.decode("utf-8"))) for f in fields[1:]]
        except ValueError:  # UnicodeDecodeError included
            continue
    return None


def read_rows(
    path: Path,
    source: Source,
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
    matrix = Matrix(dim, capacity)
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
            words.extend(decode_words(path, block_words, unicode_errors, len(words) + 1))
            pending = text[used:] + pending  # rows after ``limit`` or the announced count
        if not chunk:
            break
    if n is not None and len(words) < n and (limit is None or len(words) < limit):
        raise truncated(path, n, len(words))
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
    matrix: Matrix,
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
    runs per value. Rows it cannot read are read by :func:`parse_row`, which decides.
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
    value holding one then fails and is left to :func:`parse_row`), and trailing whitespace a
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
    """Read the lines ``text`` with :func:`parse_row`, or name the first line that is no row."""
    words = []
    for i, line in enumerate(text.split(b"\n", len(rows) - 1)):
        row = parse_row(line, dim)
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


def _count_more_lines(source: Source, pending: bytes) -> int:
    """Non-blank lines left in the file (after the rows the header announced)."""
    extra = 0
    data = pending
    while True:
        extra += sum(1 for line in data.split(b"\n") if line.strip())
        data = source.read()
        if not data:
            return extra
