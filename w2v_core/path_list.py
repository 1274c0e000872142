"""A long list of file paths held compactly, for a directory corpus of many files.

Held as ``Path`` objects, a directory of 100,000 small files took ~37 MB before a word was
read (more than the ids of its 3M words); here each path is its bytes after the directory's
own path, in one ``bytearray``, with one end offset each (benchmarks/README.md, "Memory on
many small files").
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import overload


class PathList(Sequence[Path]):
    """Paths below ``root``, in the order appended; items are ``Path`` objects made on access.

    Parameters
    ----------
    root : str
        What every path appended starts with (a directory); a path that does not is held whole.
    paths : iterable of str or PathLike, optional
        Paths to append at once.
    """

    def __init__(self, root: str = "", paths: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.root = os.fspath(root)
        self._bytes = bytearray()
        self._ends = array("q")
        self._whole = array("b")  # 1 where a path was held whole (not below root)
        for path in paths:
            self.append(path)

    def append(self, path: str | os.PathLike[str]) -> None:
        """Add ``path`` at the end."""
        text = os.fspath(path)
        below = bool(self.root) and text.startswith(self.root)
        self._bytes += os.fsencode(text[len(self.root):] if below else text)
        self._ends.append(len(self._bytes))
        self._whole.append(0 if below else 1)

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> Path: ...

    @overload
    def __getitem__(self, index: slice) -> "PathList": ...

    def __getitem__(self, index: int | slice) -> Path | "PathList":
        if isinstance(index, slice):
            return PathList(self.root, (self._text(i) for i in range(*index.indices(len(self)))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("PathList index out of range")
        return Path(self._text(index))

    def __iter__(self) -> Iterator[Path]:
        for i in range(len(self)):
            yield Path(self._text(i))

    def names(self, start: int = 0, stop: int | None = None) -> Iterator[str]:
        """The paths from ``start`` to ``stop`` as strings, in order: no ``Path`` made
        (~4 us each), for a pass over many files (their sizes, their sentences)."""
        for i in range(*slice(start, stop).indices(len(self))):
            yield self._text(i)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes)):
            return len(self) == len(other) and all(a == Path(b) for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self) -> str:
        return f"PathList({len(self)} paths below {self.root!r})"

    def _text(self, i: int) -> str:
        start = self._ends[i - 1] if i else 0
        text = os.fsdecode(bytes(self._bytes[start:self._ends[i]]))
        return text if self._whole[i] else self.root + text
