"""The rules every format follows, written once so that no reader can drift from them.

- a word that appears twice keeps its first vector (gensim's rule);
- a vector holding NaN or infinity is refused: the error names its row and word;
- 1-dimensional vectors (a word-count list such as ``the 1000``) are refused;
- ``unicode_errors`` (``strict``, ``replace``, ``ignore``) says how words that are not valid
  UTF-8 are decoded; with ``ignore`` a word can become empty, and is then kept as ``""``
  like any other word, as gensim does;
- ``limit=N`` reads only the first N vectors, as gensim's ``limit`` does;
- a word a format cannot store (a separator inside it) is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ConfigError, ModelFormatError
from ..model import Model
from ..vectors import KeyedVectors

#: The accepted values of ``unicode_errors`` (the CLI's ``--unicode-errors``).
UNICODE_ERRORS = ("strict", "replace", "ignore")


def check_options(unicode_errors: str, limit: int | None) -> None:
    """Refuse a ``unicode_errors`` or ``limit`` a loader does not take, naming the option."""
    if unicode_errors not in UNICODE_ERRORS:
        raise ConfigError(
            f"--unicode-errors must be one of {', '.join(UNICODE_ERRORS)}, not {unicode_errors!r}"
        )
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ConfigError(f"--limit must be a whole number of at least 1, not {limit!r}")


def keyed_vectors(model: Model | KeyedVectors) -> KeyedVectors:
    """The words and input vectors of what is being saved."""
    if isinstance(model, Model):
        return model.wv
    if isinstance(model, KeyedVectors):
        return model
    raise TypeError(f"expected a Model or KeyedVectors, got {type(model).__name__}")


def check_words(words: Sequence[str], forbidden: str, what: str) -> None:
    """Refuse an empty word or one holding a character of ``forbidden`` (``what`` cannot
    store it)."""
    for i, word in enumerate(words):
        if not word or any(ch in word for ch in forbidden):
            raise ModelFormatError(
                f"word {i + 1} ({word!r}) is empty or contains whitespace that {what} cannot store"
            )


def decode_words(
    path: Path, raw: Sequence[bytes], unicode_errors: str, first: int = 1
) -> list[str]:
    """UTF-8 words; the error names the vector and the option that reads it anyway."""
    words = []
    for number, word in enumerate(raw, start=first):
        try:
            words.append(word.decode("utf-8", errors=unicode_errors))
        except UnicodeDecodeError:
            raise ModelFormatError(
                f"{path}: the word of vector {number} is not valid UTF-8 "
                "(open it with --unicode-errors replace or ignore to read it anyway)"
            ) from None
    return words


def check_dimension(path: Path, dim: int) -> None:
    """Refuse 0- and 1-dimensional vectors (a 1-d file is a word-count list)."""
    if dim == 0:
        raise ModelFormatError(f"{path}: header says the vectors have 0 dimensions")
    if dim == 1:
        raise ModelFormatError(
            f"{path}: 1-dimensional vectors (every cosine would be 1 or -1): this looks like a "
            "word-count list, not word vectors"
        )


def truncated(path: Path, expected: int, found: int) -> ModelFormatError:
    """The error for a file that ends before the vectors its header announces."""
    return ModelFormatError(f"{path}: truncated: expected {expected} vectors, found {found}")


def checked_vectors(
    path: Path,
    words: list[str],
    vectors: np.ndarray,
    counts: np.ndarray | None = None,
    output: np.ndarray | None = None,
) -> tuple[KeyedVectors, np.ndarray | None]:
    """The vectors a reader found, once the rules hold: no NaN or infinity, one row a word.

    Every reader ends here, so the rules are applied by one piece of code. ``counts`` and
    the ``output`` vectors, when a format stores them, follow the rows that are kept.

    Returns
    -------
    tuple
        The keyed vectors and the output vectors (None when the file holds none).
    """
    check_finite(path, vectors, words)
    if output is not None:
        check_finite(path, output, words, what="output vector")
    words, vectors, (counts, output) = dedupe(words, vectors, counts, output)
    return KeyedVectors(words, vectors, counts), output


def check_finite(
    path: Path, vectors: np.ndarray, words: Sequence[str], what: str = "vector"
) -> None:
    """Refuse NaN or infinite values, naming the first bad row and its word."""
    for start in range(0, len(vectors), 65536):
        good = np.isfinite(vectors[start : start + 65536]).all(axis=1)
        if not good.all():
            row = start + int(np.argmin(good))
            word = words[row] if row < len(words) else "?"
            raise ModelFormatError(
                f"{path}: {what} {row + 1} (word {word!r}) holds NaN or infinite values; "
                "the file is damaged (NaN/inf models are refused)"
            )


def dedupe(
    words: list[str], vectors: np.ndarray, *parallel: np.ndarray | None
) -> tuple[list[str], np.ndarray, list[np.ndarray | None]]:
    """Keep the first occurrence of a repeated word, in ``vectors`` and in every parallel array.

    Arrays are compacted in place (block by block, so no second copy of the matrix is made).
    """
    rows = _first_occurrences(words)
    if rows is None:
        return words, vectors, list(parallel)
    arrays = [vectors, *parallel]
    compacted = []
    for array in arrays:
        if array is None:
            compacted.append(None)
            continue
        for start in range(0, len(rows), 65536):
            block = rows[start : start + 65536]
            array[start : start + len(block)] = array[block]
        compacted.append(_shrink(array, len(rows)))
    return [words[i] for i in rows], compacted[0], compacted[1:]


def _first_occurrences(words: Sequence[str]) -> np.ndarray | None:
    """Rows that keep each word's first vector (gensim's rule), or None if no word repeats."""
    first: dict[str, int] = {}
    for i, word in enumerate(words):
        first.setdefault(word, i)
    if len(first) == len(words):
        return None
    return np.fromiter(first.values(), dtype=np.int64, count=len(first))


def _shrink(array: np.ndarray, rows: int) -> np.ndarray:
    """``array[:rows]`` without keeping the rest allocated (realloc in place when possible)."""
    if len(array) == rows:
        return array
    if array.flags.owndata and array.flags.c_contiguous and array.base is None:
        array.resize((rows, *array.shape[1:]), refcheck=False)
        return array
    return array[:rows].copy()
