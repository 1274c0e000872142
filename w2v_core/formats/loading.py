"""Loading a model: the format is detected from the file's content, never its name.

Word2vec and GloVe files may be gzip- or bz2-compressed. Every unreadable file raises
:class:`~w2v_core.errors.ModelFormatError` with one line that names the file; the rules every
format follows are in :mod:`w2v_core.formats.rules`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ModelFormatError
from ..model import Model
from ..vectors import KeyedVectors
from . import glove, word2vec_binary, word2vec_text
from .format import PathLike
from .registry import detect
from .rules import check_options
from .source import open_source

#: The formats :func:`load_word2vec_format` reads.
_WORD2VEC_FORMATS = (word2vec_binary.FORMAT, word2vec_text.FORMAT, glove.FORMAT)


def load(
    path: PathLike, unicode_errors: str = "strict", limit: int | None = None
) -> Model:
    """Read a model, detecting the format from the file's content.

    Parameters
    ----------
    path : str or path-like
        A file in a readable format (:func:`~w2v_core.formats.registry.readable_formats`:
        native ``.npz``, word2vec binary or text, GloVe text); text and binary files may be
        gzip- or bz2-compressed.
    unicode_errors : {"strict", "replace", "ignore"}
        How to decode words that are not valid UTF-8 (the C tool may cut multi-byte characters;
        some fastText files hold Latin-1 words). With "ignore" a word may become empty; it is
        then kept as ``""``, as gensim does.
    limit : int, optional
        Read only the first ``limit`` vectors (the most frequent ones in most files).

    Returns
    -------
    Model
        Word2vec and GloVe files give ``Model(wv, None, None, None)`` with ``wv.counts`` None.

    Raises
    ------
    ModelFormatError
        Missing, empty, truncated, corrupt or foreign file, NaN or infinite values (the message
        names the row and the word), or a word-count list instead of vectors.
    ConfigError
        ``unicode_errors`` or ``limit`` out of range.
    """
    path = Path(path).expanduser()
    check_options(unicode_errors, limit)
    with open_source(path) as source:
        return detect(path, source).load(path, source, unicode_errors, limit)  # type: ignore[misc]


def load_word2vec_format(
    path: PathLike,
    binary: bool | None = None,
    unicode_errors: str = "strict",
    limit: int | None = None,
) -> KeyedVectors:
    """Read a word2vec text or binary file, or GloVe text (no header).

    Parameters
    ----------
    path : str or path-like
        The file; gzip- and bz2-compressed files are read too.
    binary : bool, optional
        Force binary (True) or text (False); detected from the content when None.
    unicode_errors : {"strict", "replace", "ignore"}
        See :func:`load`.
    limit : int, optional
        Read only the first ``limit`` vectors.

    Returns
    -------
    KeyedVectors
        Counts unknown (None). A word repeated in the file keeps its first vector, as in gensim.

    Raises
    ------
    ModelFormatError
        See :func:`load`.
    """
    path = Path(path).expanduser()
    check_options(unicode_errors, limit)
    with open_source(path) as source:
        fmt = detect(path, source)
        if fmt not in _WORD2VEC_FORMATS:
            raise ModelFormatError(f"{path}: this is a {fmt.description} file, not a word2vec file")
        if binary is not None and fmt is not glove.FORMAT:
            fmt = word2vec_binary.FORMAT if binary else word2vec_text.FORMAT
        return fmt.load(path, source, unicode_errors, limit).wv  # type: ignore[misc]


def detect_format(path: PathLike) -> str:
    """Name the format of a model file from its content.

    Returns
    -------
    str
        The name of a readable format, a key of :data:`~w2v_core.formats.registry.FORMATS`
        (``"npz"``, ``"bin"``, ``"txt"``, ``"glove"``).

    Raises
    ------
    ModelFormatError
        The file is missing, empty, or none of these formats.
    """
    path = Path(path).expanduser()
    with open_source(path) as source:
        return detect(path, source).name
