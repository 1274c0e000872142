"""Reading one text source as decoded lines: decompression, encodings, binaries and pipes.

A source is read as bytes exactly once per pass and decoded here, not by
:class:`io.TextIOWrapper`, so that a decoding error can name the byte offset where it
happened. Rules:

- compression: ``.gz``, ``.bz2`` and ``.xz`` by suffix, otherwise by magic number (so a
  compressed stream arriving through a pipe is recognised too);
- encoding: the one asked for; by default a byte-order mark chooses UTF-8, UTF-16 or
  UTF-32, and text without one is UTF-8;
- decoding errors: ``strict`` (a :class:`~w2v_core.errors.CorpusError` naming the source and
  the byte offset), or any Python error handler (``replace``, ``ignore``);
- binaries: a NUL character is refused, naming the offset;
- pipes and devices (non-seekable sources) are opened without blocking; when nothing is
  waiting to be read yet, ``on_wait`` is told before the read blocks;
- a line longer than :data:`LONG_LINE_CHARS` (text8 is one line of 100M characters) is handed
  on in pieces cut at whitespace, so that memory does not grow with a line's length.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import os
import re
import select
import stat
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import ConfigError, CorpusError

#: Bytes read at once; no more than LONG_LINE_CHARS, so that a line too long to hand on
#: whole always spans blocks, where it is cut (:func:`_decoded_lines`). A block, its text
#: and its lines then stay in the core's own cache while they are tokenised, leaving the
#: shared cache to the counting table: 1 MB blocks cost 6-11% more CPU a read
#: (benchmarks/README.md, "Blocks that fit the cache").
_READ_BYTES = 1 << 16
#: Characters of a line handed on at once; a longer line comes in pieces cut at whitespace
#: (a piece is one line to the reader: in line mode, a sentence boundary every few hundred
#: thousand words, where sentences are cut at 10,000 tokens anyway).
LONG_LINE_CHARS = 1 << 20
#: Bytes looked at to decide whether a file in a directory is text (git looks at 8000).
SNIFF_BYTES = 8192
_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_OPENERS: dict[str, Callable[[BinaryIO], BinaryIO]] = {
    ".gz": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),  # type: ignore[dict-item]
    ".bz2": lambda raw: bz2.BZ2File(raw, "rb"),  # type: ignore[dict-item]
    ".xz": lambda raw: lzma.LZMAFile(raw, "rb"),  # type: ignore[dict-item]
}
_MAGIC = (
    (re.compile(rb"\x1f\x8b"), ".gz"),
    (re.compile(rb"BZh[1-9](1AY&SY|\x17rE8P\x90)", re.DOTALL), ".bz2"),
    (re.compile(rb"\xfd7zXZ\x00"), ".xz"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_W2V_HEADER = re.compile(rb"[ \t]*(\d+)[ \t]+(\d+)[ \t]*\r?")
#: Errors a decompressor or the file system raises for a file that cannot be read.
READ_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


class BinaryFileError(CorpusError):
    """The source holds a NUL character: it is binary, not text."""


@dataclass(frozen=True)
class TextOptions:
    """How bytes become text.

    Parameters
    ----------
    encoding : str or None
        A Python codec name; None detects a byte-order mark and otherwise reads UTF-8.
    errors : str
        What to do with bytes that are not valid in the encoding: ``"strict"`` (refuse,
        naming the byte offset), ``"replace"``, ``"ignore"`` or any Python error handler.

    Raises
    ------
    ConfigError
        Unknown encoding or error handler.
    """

    encoding: str | None = None
    errors: str = "strict"

    def __post_init__(self) -> None:
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ConfigError(f"unknown text encoding {self.encoding!r}") from None
        try:
            codecs.lookup_error(self.errors)
        except LookupError:
            raise ConfigError(
                f"unknown encoding error handler {self.errors!r}; choose strict, replace or ignore"
            ) from None


WaitNotice = Callable[[str], None]


def is_stream(path: Path) -> bool:
    """True for a source that can be read only once: a pipe, a FIFO, a terminal, a device."""
    return not stat.S_ISREG(path.stat().st_mode)


class ByteMeter:
    """Bytes of a corpus's files read so far, for reading progress.

    Attributes
    ----------
    total : int or None
        The files' sizes summed; None when unknown (a pipe).
    done : int
        Bytes read (compressed bytes for a compressed file).
    """

    def __init__(self, total: int | None = None) -> None:
        self.total = total
        self.done = 0


def read_lines(
    path: Path,
    name: str,
    options: TextOptions,
    on_wait: WaitNotice | None = None,
    meter: ByteMeter | None = None,
    marks: Callable[[], bool] | None = None,
) -> Iterator[str | None]:
    """Decoded lines of ``path`` without their line ends, read as a stream (the bytes read
    are added to ``meter``). While ``marks()`` is true, a None goes before each run of
    pieces of a line too long to hand on whole, where a reader taking lines in batches ends
    one (:func:`w2v_core.corpus.line_sentences`).

    Raises
    ------
    CorpusError
        The source cannot be read, is binary, or is not valid in its encoding.
    """
    try:
        with _open_bytes(path, name, on_wait) as raw, _decompressed(raw, path) as data:
            count = None if meter is None else _counter(meter, raw)
            yield from _decoded_lines(data, name, options, count=count, marks=marks)
    except READ_ERRORS as exc:
        raise CorpusError(f"cannot read corpus {name}: {_reason(exc)}") from None


def read_range_lines(
    path: Path,
    name: str,
    options: TextOptions,
    start: int,
    end: int,
    encoding: str,
    meter: ByteMeter | None = None,
    marks: Callable[[], bool] | None = None,
) -> Iterator[str | None]:
    """Decoded lines of bytes ``start`` to ``end`` of the plain file ``path``, read in
    ``encoding`` (found once for the whole file: :func:`range_encoding`), as
    :func:`read_lines` would hand on the same lines when ``start`` begins one (``marks``
    too). Errors name offsets in the whole file.

    Raises
    ------
    CorpusError
        The file cannot be read, is binary, or is not valid in its encoding.
    """
    try:
        with open(path, "rb") as raw:
            raw.seek(start)
            data = _ByteRange(raw, end - start)
            count = None if meter is None else _counter(meter, data)
            yield from _decoded_lines(data, name, options, count=count, encoding=encoding,
                                      offset=start, marks=marks)
    except READ_ERRORS as exc:
        raise CorpusError(f"cannot read corpus {name}: {_reason(exc)}") from None


def range_encoding(path: Path, options: TextOptions) -> tuple[str, int] | None:
    """How byte ranges of the plain file ``path`` are decoded, if it can be cut at newlines:
    the encoding of every range after the first, and the length of the byte-order mark the
    first range skips. None when a newline byte can be part of another character (UTF-16,
    UTF-32, multi-byte legacy encodings) or the file is compressed: it is read whole."""
    with open(path, "rb") as raw:
        head = raw.read(16)
    if any(magic.match(head) for magic, _ in _MAGIC) or path.suffix.lower() in _OPENERS:
        return None
    encoding = options.encoding or next((enc for bom, enc in _BOMS if head.startswith(bom)), "utf-8")
    name = codecs.lookup(encoding).name
    if name == "utf-8-sig":
        return "utf-8", len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    if name == "utf-8":
        return "utf-8", 0
    try:  # a single-byte encoding decodes every byte alone, and "\n" is byte 10
        single = len(bytes(range(256)).decode(encoding, "replace")) == 256
        return (encoding, 0) if single and "\n".encode(encoding) == b"\n" else None
    except (UnicodeError, LookupError):
        return None


class _ByteRange:
    """At most ``size`` bytes of an open file from its position: what a range's reader sees."""

    def __init__(self, raw: BinaryIO, size: int) -> None:
        self.raw, self.left, self.size = raw, size, size

    def read(self, n: int) -> bytes:
        block = self.raw.read(min(n, self.left))
        self.left -= len(block)
        return block

    def tell(self) -> int:
        return self.size - self.left


def not_text_reason(path: Path, options: TextOptions) -> str | None:
    """Why the regular file ``path`` is no text corpus (binary, a model file...), or None.

    Reads at most :data:`SNIFF_BYTES` of it (after decompression).

    Raises
    ------
    CorpusError
        It cannot be read, or its start is not valid in the chosen encoding.
    """
    try:
        with open(path, "rb") as raw, _decompressed(raw, path) as data:
            head = data.read(SNIFF_BYTES)
    except READ_ERRORS as exc:
        raise CorpusError(f"cannot read corpus {path}: {_reason(exc)}") from None
    if head.startswith(_ZIP_MAGIC):
        return "a zip archive (a .npz model?), not text"
    model = _vector_file_kind(head)
    if model:
        return f"a {model} file, not a corpus"
    for _ in _decoded_lines(io.BytesIO(head), str(path), options, final=False):
        pass
    return None


def _open_bytes(path: Path, name: str, on_wait: WaitNotice | None) -> BinaryIO:
    """Open for reading bytes; a pipe is opened without blocking, then waited on."""
    if not is_stream(path) or not hasattr(select, "poll"):  # no poll(): Windows
        return open(path, "rb")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO's open would block for a writer
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(0):
            if on_wait is not None:
                on_wait(f"waiting for input on {name} (nothing has been written to it yet)")
            # Linux: no POLLHUP before a first writer has come and gone, so this waits
            while not poller.poll():
                pass
        os.set_blocking(fd, True)
        return open(fd, "rb", buffering=_READ_BYTES)
    except BaseException:
        os.close(fd)
        raise


def _decompressed(raw: BinaryIO, path: Path) -> BinaryIO:
    suffix = path.suffix.lower()
    if suffix not in _OPENERS:
        head = raw.peek(16)[:16] if hasattr(raw, "peek") else b""
        suffix = next((s for magic, s in _MAGIC if magic.match(head)), "")
    return _OPENERS[suffix](raw) if suffix else raw


def _counter(meter: ByteMeter, raw: BinaryIO) -> Callable[[int], None]:
    """Adds to ``meter`` the raw bytes read since the last call (given a block's length,
    used where the raw position is unknown: a pipe)."""
    last = [0]

    def count(block_length: int) -> None:
        try:
            position = raw.tell()
        except (OSError, ValueError):
            position = last[0] + block_length
        meter.done += position - last[0]
        last[0] = position

    return count


def _decoded_lines(
    data: BinaryIO,
    name: str,
    options: TextOptions,
    final: bool = True,
    count: Callable[[int], None] | None = None,
    encoding: str | None = None,
    offset: int = 0,
    marks: Callable[[], bool] | None = None,
) -> Iterator[str | None]:
    """Lines of ``data`` decoded by ``options``, without their ends (``\\n``, ``\\r\\n``, ``\\r``).

    With ``final=False`` an incomplete character at the very end is no error (a cut sample).
    ``count`` is told each block's length after it is read. ``encoding`` overrides the
    detection (a range of a file); ``offset`` is where ``data`` starts, for error messages.
    While ``marks()`` is true, a None goes before each run of pieces of a huge line
    (:func:`read_lines`).
    """
    first = data.read(_READ_BYTES)
    if count is not None:
        count(len(first))
    encoding = encoding or options.encoding or next(
        (enc for bom, enc in _BOMS if first.startswith(bom)), "utf-8")
    decoder = codecs.getincrementaldecoder(encoding)(options.errors)
    # UTF-8 and 8-bit codecs: a NUL byte is a NUL character, and its offset is exact
    nul_is_zero_byte = encoding == "utf-8-sig" or "\x00".encode(encoding, "ignore") == b"\x00"
    # ``offset``: bytes handed to the decoder before ``block``
    pending: list[str] = []  # pieces of an unfinished line (a list: long lines stay linear)
    pending_chars = 0
    held_cr = False  # a block ended in "\r": maybe the first half of "\r\n"
    block = first
    while True:
        last = not block
        if nul_is_zero_byte and (i := block.find(b"\x00")) >= 0:
            raise BinaryFileError(_binary_message(name, offset + i))
        held = len(decoder.getstate()[0])
        try:
            text = decoder.decode(block, last and final)
        except UnicodeDecodeError as exc:
            raise CorpusError(_decode_message(name, encoding, offset - held + exc.start, exc)) from None
        if not nul_is_zero_byte and "\x00" in text:
            raise BinaryFileError(_binary_message(name, None))
        offset += len(block)
        if held_cr:
            text = "\r" + text
        held_cr = not last and text.endswith("\r")
        if held_cr:
            text = text[:-1]
        if "\r" in text:  # one scan where there is none (most text), not two
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        if len(lines) > 1:
            lines[0] = "".join(pending) + lines[0]
            pending = [lines.pop()]
            pending_chars = len(pending[0])
            if len(lines[0]) > LONG_LINE_CHARS:  # the end of a huge line
                *front, lines[0] = _cut_long(lines[0])
                if marks is not None and marks():
                    yield None
                yield from front
            yield from lines
        else:
            pending.append(lines[0])
            pending_chars += len(lines[0])
            if pending_chars > LONG_LINE_CHARS:  # a huge line goes on: hand on its start
                *front, rest = _cut_long("".join(pending))
                if marks is not None and marks():
                    yield None
                yield from front
                pending, pending_chars = [rest], len(rest)
        if last:
            tail = "".join(pending)
            if tail:
                yield tail
            return
        block = data.read(_READ_BYTES)
        if count is not None:
            count(len(block))


def _cut_long(text: str) -> list[str]:
    """``text`` in pieces of at most :data:`LONG_LINE_CHARS`, each cut at a space or tab in its
    second half (the space dropped) so that no word is cut; text without one there (a script
    written without spaces) is cut where the limit falls. The last piece may be short."""
    pieces, start = [], 0
    while len(text) - start > LONG_LINE_CHARS:
        end = start + LONG_LINE_CHARS
        cut = max(text.rfind(" ", start + LONG_LINE_CHARS // 2, end),
                  text.rfind("\t", start + LONG_LINE_CHARS // 2, end))
        if cut < 0:
            pieces.append(text[start:end])
            start = end
        else:
            pieces.append(text[start:cut])
            start = cut + 1
    pieces.append(text[start:])
    return pieces


def _vector_file_kind(head: bytes) -> str | None:
    """``"word2vec model"`` or ``"GloVe vectors"`` if ``head`` starts like such a file (after
    a UTF-8 byte-order mark, which the vector reader skips too)."""
    lines = head.removeprefix(codecs.BOM_UTF8).split(b"\n", 3)
    header = _W2V_HEADER.fullmatch(lines[0])
    if header and int(header[1]) > 0 and int(header[2]) > 0:
        dim = int(header[2])
        if len(lines) == 1 or not lines[1]:
            return "word2vec model"
        row = _vector_row(lines[1])
        if row == dim or b"\x00" in head or not _is_utf8_prefix(head):
            return "word2vec model"
    rows = [_vector_row(line) for line in lines[:2]]
    if len(lines) > 2 and rows[0] is not None and rows[0] >= 5 and rows[0] == rows[1]:
        return "GloVe vectors"
    return None


def _vector_row(line: bytes) -> int | None:
    """Number of values after the first field, if every later field is a number."""
    fields = line.split()
    try:
        [float(f) for f in fields[1:]]
    except ValueError:
        return None
    return len(fields) - 1 if len(fields) > 1 else None


def _is_utf8_prefix(data: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _binary_message(name: str, offset: int | None) -> str:
    where = f" at byte {offset:,}" if offset is not None else ""
    return (
        f"{name} is a binary file, not text (NUL{where}); if it is text in UTF-16 or UTF-32 "
        "without a byte-order mark, give its encoding (--encoding utf-16-le)"
    )


def _decode_message(name: str, encoding: str, offset: int, exc: UnicodeDecodeError) -> str:
    bad = exc.object[exc.start : exc.end]
    return (
        f"{name} is not valid {encoding.upper()} at byte {offset:,} ({bad!r}); give its "
        "encoding (--encoding latin-1) or replace bad bytes (--encoding-errors replace)"
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
