"""KeyedVectors queries against brute-force references and gensim's semantics."""

from __future__ import annotations

import numpy as np
import pytest

from w2v_core import KeyedVectors, UnknownWordError, W2VError, parse_query


@pytest.fixture
def kv() -> KeyedVectors:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)] + ["king", "queen", "man", "woman", "kingdom"]
    vectors = rng.normal(size=(len(words), 20)).astype(np.float32)
    base, royal, female = rng.normal(size=(3, 20))
    vectors[-5] = base + royal
    vectors[-4] = base + royal + female
    vectors[-3] = base
    vectors[-2] = base + female
    counts = np.arange(len(words), 0, -1) * 10
    return KeyedVectors(words, vectors, counts)


def _brute_force(kv, positive, negative, topn):
    unit = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
    query = sum(unit[kv.index[w]] for w in positive) - sum(
        (unit[kv.index[w]] for w in negative), np.zeros(kv.dim)
    )
    query /= np.linalg.norm(query)
    scores = unit @ query
    ranked = [i for i in np.argsort(-scores) if kv.words[i] not in positive + negative]
    return [(kv.words[i], scores[i]) for i in ranked[:topn]]


@pytest.mark.parametrize(
    "positive, negative", [(["w5"], []), (["w5", "w9"], ["w17"]), (["king", "woman"], ["man"])]
)
def test_most_similar_matches_brute_force(kv, positive, negative):
    got = kv.most_similar(positive, negative, topn=7)
    expected = _brute_force(kv, positive, negative, 7)
    assert [w for w, _ in got] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], rtol=1e-5)


def test_planted_analogy_is_found(kv):
    assert kv.most_similar(["king", "woman"], ["man"], topn=1)[0][0] == "queen"
    assert kv.most_similar_cosmul(["king", "woman"], ["man"], topn=1)[0][0] == "queen"


def test_cosmul_follows_its_formula(kv):
    unit = kv.normed
    a, b, c = (kv.index[w] for w in ("man", "king", "woman"))
    sims = lambda i: (1 + unit @ unit[i]) / 2  # noqa: E731
    scores = sims(b) * sims(c) / (sims(a) + 1e-6)
    scores[[a, b, c]] = -np.inf
    best = np.argsort(-scores)[:5]
    got = kv.most_similar_cosmul(["king", "woman"], ["man"], topn=5)
    assert [w for w, _ in got] == [kv.words[i] for i in best]
    np.testing.assert_allclose([s for _, s in got], scores[best], rtol=1e-5)


def test_restrict_vocab_limits_candidates(kv):
    got = kv.most_similar("w5", topn=5, restrict_vocab=50)
    unit = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
    scores = unit[:50] @ unit[kv.index["w5"]]
    scores[5] = -np.inf  # the query word itself
    best = np.argsort(-scores)[:5]
    assert [w for w, _ in got] == [kv.words[i] for i in best]
    np.testing.assert_allclose([s for _, s in got], scores[best], rtol=1e-5)
    # the restriction changes the answer: some word beyond the first 50 would rank higher
    assert kv.most_similar("w5", topn=5) != got


def test_similarity_and_odd_one_out(kv):
    assert kv.similarity("king", "king") == pytest.approx(1.0, abs=1e-6)
    assert kv.similarity("king", "queen") == pytest.approx(kv.similarity("queen", "king"))
    assert kv.doesnt_match(["king", "queen", "kingdom", "w3"]) == "w3"
    with pytest.raises(W2VError):
        kv.doesnt_match(["king"])


def test_unknown_word_names_it_and_suggests(kv):
    with pytest.raises(UnknownWordError) as info:
        kv.most_similar("kingg")
    assert isinstance(info.value, KeyError)
    assert "'kingg'" in str(info.value) and "king" in info.value.suggestions


def test_lookup_is_case_insensitive_for_lowercase_vocabularies(kv):
    assert "King" in kv and kv.get_index(" KING ") == kv.index["king"]
    cased = KeyedVectors(["Paris", "paris"], np.eye(2, dtype=np.float32))
    assert cased.get_index("Paris") == 0 and cased.get_index("paris") == 1


def test_frequency_rank_and_completion(kv):
    assert kv.rank("w0") == 1 and kv.frequency("w0") == 3050
    assert kv.complete("kin") == ["king", "kingdom"]
    assert kv.complete("w1", limit=3) == ["w1", "w10", "w11"]
    assert kv.complete("zzz") == [] and kv.complete("") == []
    assert KeyedVectors(["a"], np.ones((1, 2))).frequency("a") is None


def test_topn_larger_than_vocabulary_and_empty_queries(kv):
    small = KeyedVectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
    assert len(small.most_similar("a", topn=10)) == 2
    with pytest.raises(W2VError):
        small.most_similar([], [])


def test_normed_is_cached_and_unit_length(kv):
    assert kv.normed is kv.normed
    np.testing.assert_allclose(np.linalg.norm(kv.normed, axis=1), 1.0, rtol=1e-5)


def test_parse_query():
    assert parse_query("king -man +woman") == (["king", "woman"], ["man"])
    assert parse_query("  Paris  ") == (["Paris"], [])  # case is left to the lookup
    assert parse_query("") == ([], [])


def test_a_single_zero_vector_is_named_not_cancelled_out():
    kv = KeyedVectors(["a", "b", "c"], np.array([[0, 0], [1, 0], [0, 1]], dtype=np.float32))
    with pytest.raises(W2VError, match="'a' has a zero vector") as info:
        kv.most_similar("a")
    assert "cancel" not in str(info.value)
    with pytest.raises(W2VError, match="cancel out"):
        kv.most_similar(["b"], ["b"])


def test_completion_ignores_case_and_keeps_frequency_order():
    words = ["the", "New_York", "new", "News", "newt", "Newark"]
    kv = KeyedVectors(words, np.ones((len(words), 2), dtype=np.float32))
    assert kv.complete("new") == ["New_York", "new", "News", "newt", "Newark"]
    assert kv.complete("NEW", limit=2) == ["New_York", "new"]
    assert kv.complete("news") == ["News"]


@pytest.mark.parametrize("scan_above", [0, 10_000])
def test_completion_by_scan_and_by_index_agree(kv, monkeypatch, scan_above):
    import w2v_core.vectors as vectors

    monkeypatch.setattr(vectors, "_SCAN_ABOVE", scan_above)
    assert kv.complete("w1", limit=4) == ["w1", "w10", "w11", "w12"]
    assert kv.complete("w29", limit=20) == ["w29"] + [f"w29{i}" for i in range(10)]
    assert kv.complete("kin") == ["king", "kingdom"]


def test_approximate_neighbours_match_exact_on_clustered_vectors(monkeypatch):
    import w2v_core.vectors as vectors

    monkeypatch.setattr(vectors, "_APPROX_MIN_WORDS", 1000)
    monkeypatch.setattr(vectors, "_APPROX_CANDIDATES", 200)
    rng = np.random.default_rng(4)
    centres = rng.standard_normal((300, 160)).astype(np.float32)
    data = centres[rng.integers(300, size=6000)] + 0.8 * rng.standard_normal((6000, 160))
    kv = KeyedVectors([f"w{i}" for i in range(6000)], data.astype(np.float32))
    for word in ("w0", "w17", "w4242"):
        exact = kv.most_similar(word, topn=10)
        approx = kv.most_similar(word, topn=10, approximate=True)
        assert [w for w, _ in approx] == [w for w, _ in exact]
        np.testing.assert_allclose([s for _, s in approx], [s for _, s in exact], rtol=1e-5)
    basis, projected = kv._projection
    assert projected.shape == (6000, 64) and projected.dtype == np.int8
    # int8 codes: each column on its own scale (the length of the returned basis column),
    # within half a step of the float projection on the PCA basis
    scale = np.linalg.norm(basis, axis=0)
    error = projected * scale - kv.normed @ (basis / scale)
    assert np.all(np.abs(error) <= scale / 2 + 1e-6)
    assert np.abs(projected).max() >= 64  # the codes use their range
    small = kv.most_similar("w0", topn=5, restrict_vocab=100, approximate=True)
    assert small == kv.most_similar("w0", topn=5, restrict_vocab=100)


def _clusters(n: int, dim: int, size: int = 20, seed: int = 5) -> KeyedVectors:
    """``n`` words in clusters of about ``size`` around random centres (the benchmark's kind)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n // size, dim)).astype(np.float32)
    data = centres[rng.integers(len(centres), size=n)] + 0.8 * rng.standard_normal((n, dim))
    return KeyedVectors([f"w{i}" for i in range(n)], data.astype(np.float32))


def test_approximate_top10_recall_on_planted_clusters(monkeypatch):
    """Over many queries, the approximate top 10 holds (nearly) every exact top-10 word, and
    it really is the approximate path that answered (a spy on the projection's ranking)."""
    import w2v_core.vectors as vectors

    monkeypatch.setattr(vectors, "_APPROX_MIN_WORDS", 1000)
    monkeypatch.setattr(vectors, "_APPROX_CANDIDATES", 100)
    kv = _clusters(8000, 120)
    calls = []
    original = KeyedVectors._top_approximate
    monkeypatch.setattr(KeyedVectors, "_top_approximate",
                        lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    found = 0
    queries = [f"w{i}" for i in range(0, 8000, 40)]
    for word in queries:
        exact = {w for w, _ in kv.most_similar(word, topn=10)}
        approx = kv.most_similar(word, topn=10, approximate=True)
        assert len(approx) == 10 and word not in {w for w, _ in approx}
        found += len(exact & {w for w, _ in approx})
    assert len(calls) == len(queries)
    assert found / (10 * len(queries)) >= 0.99


def test_approximate_search_applies_to_large_vocabularies_of_enough_dimensions(monkeypatch):
    import w2v_core.vectors as vectors

    monkeypatch.setattr(vectors, "_APPROX_MIN_WORDS", 1000)
    wide, narrow = _clusters(1500, 80), _clusters(1500, 64)
    assert wide.approximates() and not narrow.approximates()
    assert not wide.approximates(restrict_vocab=1000) and wide.approximates(restrict_vocab=1200)
    monkeypatch.setattr(KeyedVectors, "_top_approximate", lambda *a, **k: pytest.fail("not exact"))
    assert narrow.most_similar("w3", approximate=True) == narrow.most_similar("w3")
    assert wide.most_similar("w3", restrict_vocab=900, approximate=True) == wide.most_similar(
        "w3", restrict_vocab=900)
    narrow.prepare_approximate()
    assert "_projection" not in narrow.__dict__


def test_approximate_analogy_is_3cosadd_only(monkeypatch):
    import w2v_core.vectors as vectors

    monkeypatch.setattr(vectors, "_APPROX_MIN_WORDS", 1000)
    kv = _clusters(3000, 80)
    asked = []
    original = KeyedVectors.most_similar
    monkeypatch.setattr(KeyedVectors, "most_similar",
                        lambda self, *a, **k: asked.append(k["approximate"]) or original(self, *a, **k))
    assert kv.analogy("w1", "w2", "w3", approximate=True) == kv.analogy("w1", "w2", "w3")
    assert asked == [True, False]
    with pytest.raises(W2VError, match="3CosAdd"):
        kv.analogy("w1", "w2", "w3", method="mul", approximate=True)


@pytest.mark.parametrize("count", [10, 2000])
def test_best_rows_rarely_needs_a_full_partition(monkeypatch, count):
    """The sampled threshold leaves at least ``count`` rows (the fast path) on typical scores:
    falling back to ``argpartition`` over every row costs ~10 ms at a million rows."""
    from w2v_core.vectors import _best_rows

    full = []
    original = np.argpartition
    monkeypatch.setattr(np, "argpartition",
                        lambda a, *args, **kw: full.append(len(a) >= 100_000) or original(a, *args, **kw))
    for seed in range(40):
        scores = np.random.default_rng(seed).standard_normal(200_000).astype(np.float32)
        rows = _best_rows(scores, count)
        assert np.sort(scores[rows])[-count:].tolist() == np.sort(scores)[-count:].tolist()
    assert not any(full)


@pytest.mark.parametrize("count", [1, 10, 2000])
def test_best_rows_by_threshold_equals_a_full_sort(count):
    from w2v_core.vectors import _best_rows

    rng = np.random.default_rng(count)
    scores = rng.standard_normal(250_000).astype(np.float32)
    scores[rng.integers(250_000, size=50)] = -np.inf
    scores[:3] = scores.max()  # ties at the top
    got = _best_rows(scores, count)
    assert len(got) >= count
    assert np.sort(scores[got])[::-1][:count].tolist() == np.sort(scores)[::-1][:count].tolist()


def test_completion_of_a_decomposed_prefix():
    kv = KeyedVectors(["café", "cafés", "cab"], np.ones((3, 2), dtype=np.float32))
    assert kv.complete("cafe\u0301") == ["café", "cafés"]


def test_cosmul_of_one_query_is_a_row_of_the_batched_scores():
    """most_similar_cosmul (one query) and the batches evaluate_analogies scores rank every
    candidate with the same 3CosMul: same words, same scores."""
    from w2v_core.analogy import cosmul_scores

    rng = np.random.default_rng(7)
    kv = KeyedVectors([f"w{i}" for i in range(400)], rng.normal(size=(400, 24)))
    a, b, c = rng.choice(len(kv), size=(3, 60))
    batched = cosmul_scores(kv.normed, kv.normed, np.stack([b, c], axis=1), a[:, None])
    for i in range(len(a)):
        if len({a[i], b[i], c[i]}) < 3:
            continue
        got = kv.most_similar_cosmul([kv.words[b[i]], kv.words[c[i]]], [kv.words[a[i]]], topn=10)
        row = batched[i].copy()
        row[[a[i], b[i], c[i]]] = -np.inf
        best = np.argsort(-row, kind="stable")[:10]
        assert [w for w, _ in got] == [kv.words[j] for j in best]
        np.testing.assert_allclose([s for _, s in got], row[best], rtol=1e-6)


def test_an_unknown_analogy_method_is_one_error(kv):
    from w2v_core import ConfigError

    with pytest.raises(ConfigError, match="analogy method must be one of add, mul, got 'cosadd'"):
        kv.analogy("man", "king", "woman", method="cosadd")
