"""Saving a model: the format follows the extension (or ``format=``), and every write is
atomic (:mod:`w2v_core.atomic`).

The native format keeps everything (input and output vectors, counts, training configuration
and summary); the word2vec formats keep only words and input vectors, written exactly as the
original C tool and gensim write them.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import write_with_fallback
from ..model import Model
from ..vectors import KeyedVectors
from . import word2vec_binary, word2vec_text
from .format import PathLike
from .registry import FORMATS, format_for


def save(model: Model | KeyedVectors, path: PathLike, format: str | None = None) -> None:
    """Write a model or bare vectors to ``path``, atomically.

    Parameters
    ----------
    model : Model or KeyedVectors
        What to save. The word2vec formats keep only the words and input vectors.
    path : str or path-like
        Destination; an existing file is replaced only once the new one is complete, and keeps
        its permission bits. A symbolic link is followed: its target is written.
    format : str, optional
        The name or an alias of a model format (``"npz"``, ``"binary"``...: see
        :func:`~w2v_core.formats.registry.model_formats`). Defaults to the one the extension
        names (:data:`~w2v_core.formats.registry.ALLOWED_EXTENSIONS`).

    Raises
    ------
    UnwritablePathError
        The destination cannot be written (read-only file, directory, permissions, disk full).
    ModelFormatError
        Unknown format or extension, or a word the format cannot store.
    SaveInterrupted
        Ctrl-C arrived while writing; the temporary file is gone, the message says whether the
        destination was already complete.
    """
    path = Path(path).expanduser()
    FORMATS[format_for(path, format)].save(model, path)  # type: ignore[misc]


def save_with_fallback(
    model: Model | KeyedVectors, path: PathLike, fmt: str | None = None
) -> Path:
    """Save to ``path``; if that cannot be written, save under the same name elsewhere.

    The places tried after ``path`` are the home directory, the current directory and the
    temporary directory; an existing file there is never replaced (``NAME-2.EXT``... is used).

    Returns
    -------
    Path
        Where the model was saved: compare it with ``path`` to tell the user.

    Raises
    ------
    UnwritablePathError
        No place could be written; the message gives the first reason.
    ModelFormatError
        The format cannot store the model (not retried elsewhere).
    """
    path = Path(path).expanduser()
    kind = format_for(path, fmt)
    return write_with_fallback(path, lambda target: save(model, target, kind))


def save_word2vec_format(kv: KeyedVectors, path: PathLike, binary: bool = False) -> None:
    """Write vectors in the word2vec C tool's format, atomically (see :func:`save`).

    Header ``"N D\\n"``, then one row per word in index order: text rows are
    ``word v1 ... vD\\n`` with the shortest float32 repr of each value (as gensim writes them);
    binary rows are the UTF-8 word, a space, D little-endian float32 and ``"\\n"`` (as the C tool
    writes them).

    Raises
    ------
    ModelFormatError
        A word is empty or contains whitespace (the format cannot store it), or the file cannot be
        written (:class:`UnwritablePathError`).
    """
    write = word2vec_binary.save if binary else word2vec_text.save
    write(kv, Path(path).expanduser())
