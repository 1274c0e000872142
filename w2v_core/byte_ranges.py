"""Where a plain text file can be cut so that each piece reads exactly as in one pass.

Parallel reading (:mod:`w2v_core.parallel_reading`) hands byte ranges of one file to
worker processes. A range must begin where a one-process read would begin a line with its
sentence splitter's state empty, so that the ranges' sentences, joined, are the file's:

- a cut lies just after a newline byte (``\\n``; ``\\r\\n`` ends there too), in an encoding where
  that byte is always a newline (:func:`w2v_core.reading.range_encoding`);
- inside a line longer than :data:`~w2v_core.reading.LONG_LINE_CHARS`, which the reader hands
  on in pieces cut at whitespace, a cut lies where the reader cuts: the chain of pieces is
  walked from the line's start (text8 is one line of 100 MB);
- in prose, a sentence may span lines and a one-word sentence joins the next, so a cut also
  needs the line (or piece) before it to end the splitter's sentence whatever came before:
  ``clean(text)`` says so (:func:`w2v_core.corpus.ends_sentence`). Line-sentence text needs
  no such test.

Where no such place is found near a wanted cut (prose without sentence ends, text that is
not valid in its encoding), fewer ranges are made, down to one: reading is never wrong,
only less parallel.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from .reading import LONG_LINE_CHARS

#: Bytes looked through after wanted cuts for safe ones, all cuts together, before giving
#: up the rest: a corpus cut in many parts costs no more to plan than one cut in two (a
#: search that fails, and prose, which is tokenised while it is looked through, count).
SEARCH_BYTES = 1 << 24
_BLOCK = 1 << 20
#: How far parts shrink over a read (:func:`part_share`): the first is ``1 + PART_TAPER``
#: times the average size, the last ``1 - PART_TAPER`` times it.
PART_TAPER = 0.75


def part_share(k: int, parts: int) -> float:
    """The share of a corpus before the ``k``-th cut of ``parts`` parts that shrink as the
    read goes on (by :data:`PART_TAPER`).

    Reading processes take parts as they go, so a process that finds none left waits for the
    others to end the parts they hold: small last parts keep that wait short (a quarter of
    equal parts'), large first ones keep the parts few (benchmarks/README.md, "Parts that
    shrink").
    """
    done = k / parts
    return done * (1 + PART_TAPER * (1 - done))


def cut_points(
    path: Path,
    parts: int,
    encoding: str,
    start: int = 0,
    clean: Callable[[str], bool] | None = None,
) -> list[int]:
    """Byte offsets, increasing, where ``path`` may be cut into at most ``parts`` ranges of
    shrinking size (:func:`part_share`; the first range begins at ``start``, after a
    byte-order mark).

    Parameters
    ----------
    path : Path
        A plain (uncompressed, seekable) file.
    parts : int
        Ranges wanted.
    encoding : str
        Its encoding, one where byte 10 is always a newline.
    clean : callable, optional
        Prose: is the splitter's state empty after this line whatever came before? None:
        every line is a sentence of its own.
    """
    size = path.stat().st_size
    points: list[int] = []
    with open(path, "rb") as file:
        walker = _Walker(file, size, encoding, start, clean)
        budget = SEARCH_BYTES
        for k in range(1, parts):
            target = max(start + int((size - start) * part_share(k, parts)),
                         points[-1] + 1 if points else 0)
            point = walker.first_cut_from(target, budget)
            # what was tokenised to find it (prose), or the whole window looked through
            budget -= budget if point is None else 0 if clean is None else point - target
            if point is not None and point < size and (not points or point > points[-1]):
                points.append(point)
            if budget <= 0:
                break
    return points


class _Walker:
    """Finds safe cuts in an open file (see the module notes)."""

    def __init__(self, file: BinaryIO, size: int, encoding: str, start: int,
                 clean: Callable[[str], bool] | None) -> None:
        self.file, self.size, self.encoding, self.start, self.clean = (
            file, size, encoding, start, clean)
        # the last line looked through (start, newline) and the last piece boundary found
        # in it: the next, later cut is looked for from there, so that cutting a one-line
        # corpus in many parts walks its pieces once, not once a cut
        self._line = (-1, -1)
        self._resume = -1

    def first_cut_from(self, target: int, within: int) -> int | None:
        """The first safe cut at or after ``target``, on a line that begins at most ``within``
        bytes after it (``target`` increasing from one call to the next)."""
        known, known_end = self._line
        line = known if known <= target <= known_end else self._line_start(target)
        while line < self.size and line <= target + within:
            # the size: a last line without a newline (text8)
            end = known_end if line == known else self._find(b"\n", line)
            if line != known:
                self._line, self._resume = (line, end), -1
            for text, cut in self._pieces(line, end):
                if target <= cut < self.size and (self.clean is None or self.clean(text)):
                    self._resume = cut
                    return cut
            line = end + 1
        return None

    def _pieces(self, line: int, end: int) -> Iterator[tuple[str, int]]:
        """``(text, next)``: the last line the reader hands on from bytes ``line`` to the
        newline at ``end``, or each piece of a long one, with the offset after it."""
        if end - line <= LONG_LINE_CHARS:  # no more characters than bytes: never cut
            text = self._decode(line, end, final=True)
            if text is None:
                return
            text = text[:-1] if text.endswith("\r") else text
            yield text.replace("\r\n", "\n").replace("\r", "\n").rsplit("\n", 1)[-1], end + 1
            return
        yield from self._long_line(self._resume if self._line[0] == line and self._resume > line
                                   else line, end)

    def _long_line(self, at: int, end: int) -> Iterator[tuple[str, int]]:
        """The reader's pieces of a long line from ``at``, its start or the start of one of
        its pieces (:func:`w2v_core.reading._cut_long`'s rule)."""
        while True:
            text = self._window(at, end)
            if text is None or "\r" in text:
                return  # invalid text, or a carriage return splitting the line: no cut here
            if len(text) <= LONG_LINE_CHARS:  # the line's last piece
                yield text, end + 1
                return
            limit = LONG_LINE_CHARS
            cut = max(text.rfind(" ", limit // 2, limit), text.rfind("\t", limit // 2, limit))
            piece, after = (text[:limit], limit) if cut < 0 else (text[:cut], cut + 1)
            at += len(text[:after].encode(self.encoding))
            yield piece, at

    def _window(self, at: int, end: int) -> str | None:
        """The text from byte ``at``: all of it to the line's ``end``, or at least one
        character more than a piece holds (a character takes at most 4 bytes)."""
        for size in (LONG_LINE_CHARS + 1, 4 * (LONG_LINE_CHARS + 1)):
            window = min(end, at + size)
            text = self._decode(at, window, final=window == end)
            if text is None or window == end:
                return text[:-1] if text and text.endswith("\r") else text
            if len(text) > LONG_LINE_CHARS:
                return text
        return None

    def _decode(self, start: int, end: int, final: bool) -> str | None:
        """Bytes ``start`` to ``end`` as text; None when not valid in the encoding."""
        self.file.seek(start)
        data = self.file.read(end - start)
        try:
            return codecs.getincrementaldecoder(self.encoding)("strict").decode(data, final)
        except UnicodeDecodeError:
            return None

    def _line_start(self, offset: int) -> int:
        """Where the line holding byte ``offset`` begins (after a newline, or at the start)."""
        for block in _growing_blocks():
            if offset <= self.start:
                break
            low = max(self.start, offset - block)
            self.file.seek(low)
            found = self.file.read(offset - low).rfind(b"\n")
            if found >= 0:
                return low + found + 1
            offset = low
        return self.start

    def _find(self, byte: bytes, offset: int) -> int:
        """The offset of the next ``byte`` from ``offset``, or the file's size."""
        for block in _growing_blocks():
            if offset >= self.size:
                break
            self.file.seek(offset)
            data = self.file.read(block)
            found = data.find(byte)
            if found >= 0:
                return offset + found
            offset += len(data)
        return self.size


def _growing_blocks() -> Iterator[int]:
    """Block sizes from 4 KB, doubling up to :data:`_BLOCK`: a line end is usually near, and
    a corpus cut in many parts looks for one at every cut (1 MB reads each had cost 30 ms
    for 32 parts of a 560 MB file)."""
    size = 1 << 12
    while True:
        yield size
        size = min(2 * size, _BLOCK)
