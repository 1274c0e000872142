"""Append-only storage of int32 token ids: in memory while small, then in a temporary file.

The id stream of a corpus grows with the corpus; past :data:`SPILL_TOKENS` ids it goes to an
anonymous temporary file and is read back block by block, so memory does not grow with the
corpus (benchmarks/README.md, "token_ids.py"). Reading processes write their streams to such
files, which their parent then adopts (:meth:`IdStore.adopt`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import IO

import numpy as np

from .errors import CorpusError

#: Marks the end of a sentence in the id stream.
SENTENCE_END = -1
#: Corpora with more tokens than this keep their ids in a temporary file (4 MB of int32).
SPILL_TOKENS = 1_000_000
_BLOCK_TOKENS = 65_536
#: Bytes copied at a time where the kernel cannot copy between files.
_COPY_BYTES = 1 << 22


def temporary_file() -> IO[bytes]:
    """An anonymous temporary file: already unlinked, so nothing is left behind, ever."""
    return tempfile.TemporaryFile(prefix="w2v-ids-", suffix=".int32")


class IdStore:
    """Append-only int32 storage: in memory up to ``spill_tokens``, then in a temporary file.

    Parameters
    ----------
    spill_tokens : int
        Ids kept in memory before the store moves to a file.
    file : binary file, optional
        Write every id to this (empty) file from the start.
    """

    def __init__(self, spill_tokens: int = SPILL_TOKENS, file: IO[bytes] | None = None) -> None:
        self.spill_tokens = spill_tokens
        self._blocks: list[np.ndarray] = []
        self._memory: np.ndarray | None = None
        self._file: IO[bytes] | None = file
        self.size = 0

    @classmethod
    def adopt(cls, file: IO[bytes], size: int, spill_tokens: int = SPILL_TOKENS) -> "IdStore":
        """A finished store over ``size`` ids that were written to ``file`` (by a child
        process); up to ``spill_tokens`` ids are read into memory and the file closed."""
        store = cls(spill_tokens, file)
        store.size = size
        if size <= spill_tokens:
            store._memory = store.read(0, size).copy()
            store._file = None
            file.close()
        return store

    def append(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype=np.int32)
        self.size += len(block)
        if self._file is None and self.size > self.spill_tokens:
            self._file = temporary_file()
            for held in self._blocks:
                self._file.write(held.data)
            self._blocks = []
        if self._file is not None:
            # plain file writes: numpy's tofile/fromfile left a small object alive per call
            # (seen with tracemalloc), each able to pin an allocator arena
            self._file.write(block.data)
        else:
            self._blocks.append(block)

    def extend(self, other: "IdStore") -> None:
        """Append the ids of the finished store ``other``: from file to file in the kernel
        where it can (``copy_file_range``), without passing through Python objects."""
        if self._file is None or other._file is None:
            for _, block in other.blocks():
                self.append(block)
            return
        self._file.flush()
        source, target = other._file.fileno(), self._file.fileno()
        offset, size = 4 * self.size, 4 * other.size
        done = 0
        while done < size:
            try:
                copied = os.copy_file_range(source, target, size - done, done, offset + done)
            except (AttributeError, OSError):  # not on this system or file system
                copied = 0
            if copied <= 0:
                break
            done += copied
        while done < size:
            data = os.pread(source, min(_COPY_BYTES, size - done), done)
            if not data:
                raise CorpusError("the temporary file of token ids was cut short")
            done += os.pwrite(target, data, offset + done)
        self.size += other.size
        self._file.seek(offset + size)

    def finish(self) -> "IdStore":
        """Stop appending; make the ids readable."""
        if self._file is not None:
            self._file.flush()
        else:
            self._memory = np.concatenate(self._blocks) if self._blocks else np.zeros(0, np.int32)
            self._blocks = []
        return self

    def flush(self) -> bool:
        """Make the ids appended so far readable: True where they are (in a file, its buffer
        written out; in memory, once finished), False for ids in memory still appended to."""
        if self._file is not None:
            self._file.flush()
            return True
        return self._memory is not None

    def close(self) -> None:
        """Release the temporary file (the store is empty afterwards)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._memory, self._blocks, self.size = None, [], 0

    @property
    def on_disk(self) -> bool:
        return self._file is not None

    def read(self, start: int, end: int) -> np.ndarray:
        """Ids ``start`` to ``end`` (exclusive) as a fresh or read-only array."""
        end = min(end, self.size)
        if start >= end:
            return np.zeros(0, np.int32)
        if self._memory is not None:
            return self._memory[start:end]
        ids = np.empty(end - start, dtype=np.int32)
        view, offset = memoryview(ids).cast("B"), 4 * start
        while view:  # pread: thread-safe; it may return less than asked for large reads
            got = os.preadv(self._file.fileno(), [view], offset)
            if got <= 0:
                raise CorpusError("the temporary file of token ids was cut short")
            view, offset = view[got:], offset + got
        return ids

    def blocks(self, size: int = _BLOCK_TOKENS, start: int = 0,
               end: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """``(start, ids)`` blocks of at most ``size`` ids, in order, from id ``start`` to
        ``end`` (default: all)."""
        end = self.size if end is None else min(end, self.size)
        for first in range(start, end, size):
            yield first, self.read(first, min(first + size, end))


class IdSegment:
    """Ids ``start`` to ``end`` of a finished ``store``: one part of a corpus among those a
    reading process wrote one after the other (:mod:`w2v_core.parallel_reading`)."""

    def __init__(self, store: IdStore, start: int, end: int) -> None:
        self.store, self.start, self.end = store, start, end

    def blocks(self, size: int = _BLOCK_TOKENS) -> Iterator[tuple[int, np.ndarray]]:
        """``(start, ids)`` blocks of at most ``size`` ids, in order (``start`` in the store)."""
        return self.store.blocks(size, self.start, self.end)
