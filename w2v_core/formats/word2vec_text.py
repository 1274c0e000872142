"""Word2vec text: the header ``"N D"``, then ``word v1 ... vD`` rows (``.txt``, ``.vec``).

Written byte for byte as gensim writes it, each value the shortest repr of its float32, so
a file read and written again is the same file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from ..model import Model
from ..vectors import KeyedVectors
from . import word2vec
from .format import Format
from .source import Source
from .text_rows import read_rows


def row_bytes(words: Sequence[str], vectors: np.ndarray) -> Iterator[bytes]:
    """``word v1 ... vD\\n`` with ``str(np.float32)`` values: gensim's exact bytes."""
    for word, row in zip(words, vectors):
        yield f"{word} {' '.join([str(value) for value in row])}\n".encode("utf-8")


def save(model: Model | KeyedVectors, path: Path) -> None:
    """Write the words and input vectors, atomically."""
    word2vec.write_vectors(model, path, row_bytes)


def load(path: Path, source: Source, unicode_errors: str, limit: int | None) -> Model:
    """Read the rows the header announces (and no more, unless ``limit`` stops earlier)."""
    return word2vec.read_vectors(path, source, read_rows, unicode_errors, limit)


def sniff(path: Path, source: Source) -> bool:
    """A word2vec header followed by a text row."""
    return word2vec.layout(path, source.head) == "text"


FORMAT = Format(
    "txt", "word2vec text", (".txt", ".vec"), ("text", "vec"), save=save, load=load, sniff=sniff
)
