"""GloVe text: word2vec text rows without the header line; read, never written.

The number of dimensions is that of the first row, and the file is read to its end.
"""

from __future__ import annotations

from pathlib import Path

from ..model import Model
from . import word2vec
from .format import Format
from .rules import check_dimension, checked_vectors
from .source import Source
from .text_rows import read_rows, row_at


def load(path: Path, source: Source, unicode_errors: str, limit: int | None) -> Model:
    """Read every row (or the first ``limit``); counts are unknown (None)."""
    dim = len(row_at(source.head, 0)[1])  # type: ignore[index]  # detection read this row
    check_dimension(path, dim)
    words, vectors = read_rows(path, source, None, dim, 0, limit, unicode_errors)
    return Model(checked_vectors(path, words, vectors)[0])


def sniff(path: Path, source: Source) -> bool:
    """No word2vec header, and a first line that is a text row."""
    return word2vec.read_header(source.head) is None and row_at(source.head, 0) is not None


FORMAT = Format("glove", "GloVe text (no header)", load=load, sniff=sniff)
