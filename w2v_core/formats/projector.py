"""The TensorBoard Embedding Projector pair: vectors and metadata TSV files; written only.

``NAME.tsv`` holds the vectors and ``NAME-metadata.tsv`` the words with their counts
(``vectors.tsv`` goes with ``metadata.tsv``, the names the Projector's own examples use).
It is an export: ``w2v export`` writes it, but it is no model file, so saving a model
(``-o``, the TUI) does not offer it.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import numpy as np

from ..atomic import atomic_write
from ..model import Model
from ..vectors import KeyedVectors
from .format import Format, PathLike
from .rules import check_words, keyed_vectors

def pair(vectors_tsv: Path) -> tuple[Path, Path]:
    """The Projector pair for ``vectors_tsv``: ``vectors.tsv`` goes with ``metadata.tsv``,
    any other ``NAME.tsv`` with ``NAME-metadata.tsv``."""
    stem = "metadata" if vectors_tsv.stem == "vectors" else f"{vectors_tsv.stem}-metadata"
    return vectors_tsv, vectors_tsv.with_name(stem + vectors_tsv.suffix)


def save(model: Model | KeyedVectors, path: Path) -> None:
    """Write the pair :func:`pair` names for ``path``."""
    export_projector(model, *pair(path))


def _report(path: Path) -> str:
    vectors_tsv, metadata_tsv = pair(path)
    return (f"{vectors_tsv} and words with counts to {metadata_tsv} "
            "(TensorBoard Projector: projector.tensorflow.org, Load)")


FORMAT = Format(
    "projector",
    "TensorBoard Projector TSV",
    (".tsv",),
    save=save,
    outputs=pair,
    help="NAME.tsv for the TensorBoard Projector pair (vectors in NAME.tsv, words and counts in "
    "NAME-metadata.tsv; vectors.tsv goes with metadata.tsv)",
    report=_report,
)


def export_projector(
    model: Model | KeyedVectors, vectors_tsv: PathLike, metadata_tsv: PathLike
) -> None:
    """Write the TensorBoard Embedding Projector pair, each file atomically.

    ``vectors_tsv`` holds one tab-separated row of values per word, without a header;
    ``metadata_tsv`` starts with the header ``word\\tcount`` and has one ``word\\tcount`` row per
    word in the same order (the count is empty when unknown). Load both at
    https://projector.tensorflow.org ("Load").

    Raises
    ------
    ModelFormatError
        A word contains a tab or a newline, which the TSV files cannot store, or a file cannot
        be written (:class:`UnwritablePathError`).
    """
    kv = keyed_vectors(model)
    check_words(kv.words, forbidden="\t\n\r", what="TSV files")
    vectors = np.asarray(kv.vectors, dtype=np.float32)
    counts = [""] * len(kv) if kv.counts is None else [str(int(c)) for c in kv.counts]

    row_format = "\t".join(["%.9g"] * kv.dim) + "\n"  # 9 digits give back the same float32

    def write_vectors(fh: IO[bytes]) -> None:
        for start in range(0, len(vectors), 4096):
            block = vectors[start : start + 4096].tolist()
            fh.write("".join([row_format % tuple(row) for row in block]).encode())

    def write_metadata(fh: IO[bytes]) -> None:
        fh.write(b"word\tcount\n")
        for start in range(0, len(kv), 4096):
            rows = zip(kv.words[start : start + 4096], counts[start : start + 4096])
            fh.write("".join([f"{word}\t{count}\n" for word, count in rows]).encode("utf-8"))

    atomic_write(Path(vectors_tsv).expanduser(), write_vectors)
    atomic_write(Path(metadata_tsv).expanduser(), write_metadata)
