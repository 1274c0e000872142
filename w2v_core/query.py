"""Parsing a similarity query typed by a person: ``"king -man +woman"``.

One parser for every front end (the CLI's WORD arguments and ``-n`` values, the TUI's
query box), so the same text asks the same question everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from typing import NamedTuple

_SEPARATORS = re.compile(r"[\s,]+")


class Query(NamedTuple):
    """The words to add and the words to subtract."""

    positive: list[str]
    negative: list[str]


def parse_query(text: str, vocabulary: Container[str] | None = None) -> Query:
    """Split a signed query into positive and negative words, keeping each word whole.

    Terms are separated by whitespace or commas. A leading ``-`` subtracts a word and a
    leading ``+`` adds it; an unsigned word is added. Words are kept as typed (after NFC
    normalisation), so vocabulary entries such as ``New_York``, ``co-operate`` or ``2000``
    stay whole.

    With a ``vocabulary`` (exact membership, e.g. :attr:`KeyedVectors.index`):

    - a term that is itself a vocabulary word is that word, even if it starts with ``-``
      or ``+`` or holds a comma (``-lrb-`` in GloVe);
    - a word whose exact form is not in the vocabulary but whose lowercase form is, is
      lowercased (``King`` finds ``king``; ``US`` stays ``US`` if that is a word).

    Without one, case is left to the lookup (:class:`~w2v_core.vectors.KeyedVectors` tries
    the exact form, then the lowercase one).

    Parameters
    ----------
    text : str
        The query, e.g. ``"New_York -co-operate 2000"``.
    vocabulary : container of str, optional
        Words that exist, to resolve signs and case.

    Returns
    -------
    Query
        A ``(positive, negative)`` named tuple of word lists.

    Examples
    --------
    >>> parse_query("king -man +woman")
    Query(positive=['king', 'woman'], negative=['man'])
    >>> parse_query("New_York -co-operate 2000")
    Query(positive=['New_York', '2000'], negative=['co-operate'])
    """
    positive: list[str] = []
    negative: list[str] = []
    for chunk in unicodedata.normalize("NFC", text).split():
        whole = vocabulary is not None and chunk in vocabulary
        for term in [chunk] if whole else _SEPARATORS.split(chunk):
            sign, word = _signed(term, vocabulary)
            if word:
                (negative if sign == "-" else positive).append(_resolve_case(word, vocabulary))
    return Query(positive, negative)


def _signed(term: str, vocabulary: Container[str] | None) -> tuple[str, str]:
    """``(sign, word)``; a term that is a vocabulary word keeps its leading sign character."""
    if vocabulary is not None and term in vocabulary:
        return "+", term
    if term[:1] in ("+", "-"):
        return term[0], term[1:]
    return "+", term


def _resolve_case(word: str, vocabulary: Container[str] | None) -> str:
    if vocabulary is None or word in vocabulary:
        return word
    lower = word.lower()
    return lower if lower in vocabulary else word
