"""Neighbour stability over an ensemble (issue 24, part 2), on vectors built so that every
cosine is known: counts, means and spreads computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from w2v_core.stability import by_stability, neighbour_stability
from w2v_core.vectors import KeyedVectors

WORDS = ["q", "a", "b", "c", "d"]
#: each member's cosine of a, b, c, d to q
COSINES = [(0.9, 0.8, 0.1, 0.5), (0.7, 0.9, 0.2, 0.6), (0.8, 0.1, 0.3, 0.95)]


def planted_members() -> list[KeyedVectors]:
    """q = (1, 0); a word of cosine c to q is (c, sqrt(1 - c^2)), so cosines are exact."""
    members = []
    for cosines in COSINES:
        rows = [(1.0, 0.0)] + [(c, math.sqrt(1 - c * c)) for c in cosines]
        members.append(KeyedVectors(WORDS, np.array(rows, dtype=np.float32)))
    return members


def _figures(neighbours) -> list[tuple[str, int, float, float]]:
    return [(n.word, n.count, n.mean, n.std) for n in neighbours]


def test_top_2_by_mean_cosine_with_counts_means_and_spreads() -> None:
    # top 2 per member: {a, b}, {b, a}, {d, a}; means a 0.8, d 0.6833, b 0.6, c 0.2
    found = neighbour_stability(planted_members(), "q", k=2)
    expected = [("a", 3, 0.8, math.sqrt(0.02 / 3)), ("d", 1, 2.05 / 3, float(np.std([0.5, 0.6, 0.95])))]
    assert [n.word for n in found] == ["a", "d"]
    for got, want in zip(_figures(found), expected):
        assert got[:2] == want[:2]
        assert got[2:] == pytest.approx(want[2:], abs=1e-6)
    assert [n.share for n in found] == ["3/3", "1/3"] and found[0].runs == 3


def test_sorted_by_stability_most_members_first_then_mean() -> None:
    # top 3 per member: {a, b, d}, {b, a, d}, {d, a, c}: a 3, d 3, b 2
    found = neighbour_stability(planted_members(), "q", k=3)
    assert [(n.word, n.count) for n in found] == [("a", 3), ("d", 3), ("b", 2)]
    assert [n.word for n in by_stability(list(reversed(found)))] == ["a", "d", "b"]
    flipped = neighbour_stability(planted_members(), "q", k=2)
    assert [n.word for n in by_stability(flipped)] == ["a", "d"]


def test_one_member_agrees_with_most_similar_for_a_signed_query() -> None:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(50)]
    kv = KeyedVectors(words, rng.normal(size=(50, 8)).astype(np.float32))
    found = neighbour_stability([kv], ["w1", "w2"], ["w3"], k=7)
    expected = kv.most_similar(["w1", "w2"], ["w3"], topn=7)
    assert [n.word for n in found] == [w for w, _ in expected]
    assert [n.mean for n in found] == pytest.approx([c for _, c in expected], abs=1e-6)
    assert all(n.count == 1 and n.std == 0 for n in found)


def test_k_beyond_the_vocabulary_lists_every_other_word() -> None:
    found = neighbour_stability(planted_members(), "q", k=50)
    assert sorted(n.word for n in found) == ["a", "b", "c", "d"]
    assert all(n.count == 3 for n in found)
