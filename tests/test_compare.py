"""Comparing two models (issue 24): Procrustes alignment, the most and least changed words."""

from __future__ import annotations

import numpy as np
import pytest

from planted import PLANTED_GROUPS, SWAPPED, planted_sentences, random_vectors, rotated
from w2v_core.compare import (
    Comparison,
    IncomparableModelsError,
    NotComparedError,
    procrustes,
    shared_words,
    top_neighbours,
)
from w2v_core.config import TrainConfig
from w2v_core.training import train
from w2v_core.vectors import KeyedVectors

def test_procrustes_recovers_a_rotation():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 8))
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    r = procrustes(x @ q, x)
    np.testing.assert_allclose(r, q.T, atol=1e-10)
    np.testing.assert_allclose(r @ r.T, np.eye(8), atol=1e-10)


def test_a_rotated_copy_is_unchanged_everywhere():
    a = random_vectors()
    comparison = Comparison(a, rotated(a), k=10)
    changes = comparison.changes
    assert len(changes) == len(a)
    cosines = np.array([c.cosine for c in changes])
    assert cosines.min() > 0.9999, cosines.min()
    assert all(c.overlap == 1.0 for c in changes)
    # unaligned, the same vectors are unrelated: the alignment did the work
    raw = np.einsum("ij,ij->i", a.normed, rotated(a).normed[[rotated(a).index[w] for w in a.words]])
    assert np.abs(raw).mean() < 0.5


def test_five_swapped_words_rank_first():
    a = random_vectors()
    comparison = Comparison(a, rotated(a, swap=SWAPPED), k=10)
    first = comparison.most_changed(5)
    assert sorted(c.word for c in first) == sorted(SWAPPED)
    assert max(c.cosine for c in first) < 0.6
    sixth = comparison.most_changed(6)[5]
    assert sixth.cosine > 0.99
    assert all(c.word not in SWAPPED for c in comparison.least_changed(len(a) - 5))
    # a swapped word's neighbours in B are those of the word whose vector it took
    def unswapped(rows):
        return [w for w, _ in rows if w not in SWAPPED][:3]

    in_a, in_b = comparison.neighbours(SWAPPED[0], 8)
    assert unswapped(in_b) == unswapped(comparison.neighbours(SWAPPED[1], 8)[0])
    assert unswapped(in_a) != unswapped(in_b)


def test_shared_words_are_frequent_in_both_and_cut_to_top():
    a = KeyedVectors(["x", "y", "z", "only_a"], np.eye(4))
    b = KeyedVectors(["z", "only_b", "y", "x"], np.eye(4))
    assert shared_words(a, b, None) == ["y", "z", "x"]  # ranks (1,2), (2,0), (0,3)
    assert shared_words(a, b, 2) == ["y", "z"]
    comparison = Comparison(a, b, top=2)
    assert (comparison.shared, comparison.words) == (3, ["y", "z"])


def test_bad_pairs_are_refused_clearly():
    a = random_vectors(dim=8)
    with pytest.raises(IncomparableModelsError, match="different dimensions \\(8 and 9\\)"):
        Comparison(a, random_vectors(dim=9))
    other = KeyedVectors(["nothing", "shared"], np.eye(2, 8))
    with pytest.raises(IncomparableModelsError, match="share 0 words"):
        Comparison(a, other)
    comparison = Comparison(a, rotated(a), top=50)
    with pytest.raises(NotComparedError, match="not compared.*'w0300'"):
        comparison.neighbours("w0300")  # shared, but not among the 50 most frequent
    with pytest.raises(NotComparedError, match="did you mean 'w0010'"):
        comparison.change("w0010x")


@pytest.fixture(scope="module")
def halves() -> Comparison:
    """Models of the two halves of the planted corpus; in the second, "apple" and "hammer"
    trade places (each is used as the other was), as a word's sense moves between corpora."""
    sentences = planted_sentences(3000, seed=0)
    swap = {"apple": "hammer", "hammer": "apple"}
    second = [[swap.get(w, w) for w in s] for s in sentences[1500:]]
    config = TrainConfig(dim=20, epochs=5, min_count=1, sample=0, seed=1)
    return Comparison(train(sentences[:1500], config).wv, train(second, config).wv, k=5)


def test_halves_of_a_corpus_show_the_word_that_moved(halves):
    first = halves.most_changed(2)
    assert {c.word for c in first} == {"apple", "hammer"}
    assert all(c.cosine < 0.6 and c.overlap <= 0.2 for c in first)
    fruit, tool = (set(PLANTED_GROUPS[g][0]) | set(PLANTED_GROUPS[g][1]) for g in ("fruit", "tool"))
    in_a, in_b = halves.neighbours("apple", 5)
    assert sum(w in fruit for w, _ in in_a) >= 4
    assert sum(w in tool for w, _ in in_b) >= 4
    # the groups' other words stay where they were, with their neighbours
    members = [w for members, _ in PLANTED_GROUPS.values() for w in members if w not in ("apple", "hammer")]
    stable = {c.word: c for c in halves.changes if c.word in members}
    assert min(c.cosine for c in stable.values()) > 0.9
    # a member has ten group peers, all about as near: which five are its top 5 is chance, that
    # they are its group's is not
    for word in stable:
        group = next(set(m) | set(c) for m, c in PLANTED_GROUPS.values() if word in m)
        assert sum(w in group for w, _ in halves.neighbours(word, 5)[1]) >= 4, word
    assert halves.least_changed(1)[0].cosine > first[-1].cosine


def test_report_is_json_ready(halves):
    import json

    report = json.loads(json.dumps(halves.report(n=3)))
    assert report["compared"] == report["shared"] == len(halves.words)
    assert report["k"] == 5
    assert {c["word"] for c in report["most_changed"][:2]} == {"apple", "hammer"}
    assert len(report["least_changed"]) == 3
    one = json.loads(json.dumps(halves.report(word="Apple", neighbours=4)))["word"]
    assert set(one) == {"word", "cosine", "overlap", "a", "b"}
    assert one["word"] == "apple" and len(one["a"]) == len(one["b"]) == 4


def test_top_neighbours_match_a_full_sort_across_blocks():
    kv = random_vectors(n=1100, dim=8, seed=4)  # more rows than one block of similarities
    found = top_neighbours(kv.normed, 7)
    sims = kv.normed @ kv.normed.T
    np.fill_diagonal(sims, -np.inf)
    np.testing.assert_array_equal(found, np.argsort(-sims, axis=1, kind="stable")[:, :7])
    assert top_neighbours(kv.normed[:3], 10).shape == (3, 2)  # at most every other row


def test_aligned_vectors_cosines_and_realignment() -> None:
    """A moved word's aligned vector in B is the vector of the word whose place it took in A;
    ``cosine`` alone equals the one :attr:`changes` computes; a newer A aligns the same B."""
    a = random_vectors()
    b = rotated(a, swap=SWAPPED)
    comparison = Comparison(a, b)
    assert comparison.other is b
    moved_into = comparison.a.normed[comparison.row(SWAPPED[1])]
    assert float(comparison.aligned_vector(SWAPPED[0]) @ moved_into) > 0.99
    assert float(comparison.aligned_vector("w0050") @ comparison.a.normed[comparison.row("w0050")]) > 0.99
    for word in (SWAPPED[0], "w0050", "W0051"):
        assert comparison.cosine(word) == pytest.approx(comparison.change(word).cosine, abs=1e-6)
    newer = rotated(a, seed=7)  # A's next epoch: the same words, turned
    again = comparison.realigned(newer)
    assert again.other is b and again.k == comparison.k and len(again.words) == len(comparison.words)
    assert {c.word for c in again.most_changed(5)} == set(SWAPPED)
    with pytest.raises(NotComparedError):
        comparison.cosine("zebra")
