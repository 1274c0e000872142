"""The one query parser shared by the CLI and the TUI (issue 6 items 12, 14 and 25)."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from w2v_core import KeyedVectors
from w2v_core.query import Query, parse_query
from w2v_core.vectors import parse_query as reexported

VOCABULARY = {"New_York", "co-operate", "2000", "king", "queen", "US", "us", "-lrb-", "a,b", "café"}


def test_vocabulary_words_stay_whole():
    assert parse_query("New_York -co-operate 2000", VOCABULARY) == Query(
        ["New_York", "2000"], ["co-operate"]
    )
    assert parse_query("New_York -co-operate 2000") == (["New_York", "2000"], ["co-operate"])


@pytest.mark.parametrize(
    "text, positive, negative",
    [
        ("king -man +woman", ["king", "woman"], ["man"]),
        ("king,queen", ["king", "queen"], []),
        ("king, -queen ,", ["king"], ["queen"]),
        ("  + - ", [], []),
        ("", [], []),
        ("-lrb- king", ["-lrb-", "king"], []),  # a leading '-' that belongs to the word
        ("--lrb-", [], ["-lrb-"]),
        ("a,b", ["a,b"], []),  # a comma inside a vocabulary word
        ("King QUEEN", ["king", "queen"], []),  # folded: the exact forms are unknown
        ("US us", ["US", "us"], []),  # not folded: both forms exist
        ("Nowhere", ["Nowhere"], []),  # unknown words are kept as typed for the error
    ],
)
def test_signs_separators_and_case(text, positive, negative):
    assert parse_query(text, VOCABULARY) == (positive, negative)


def test_queries_are_normalised_to_nfc():
    nfd = unicodedata.normalize("NFD", "café")
    assert parse_query(f"-{nfd}", VOCABULARY) == ([], ["café"])
    assert parse_query(nfd) == (["café"], [])


def test_a_keyed_vectors_index_is_a_vocabulary_and_the_old_import_still_works():
    kv = KeyedVectors(["New_York", "-lrb-", "king"], np.eye(3, dtype=np.float32))
    assert reexported is parse_query
    assert parse_query("-lrb- New_York -King", kv.index) == (["-lrb-", "New_York"], ["king"])
