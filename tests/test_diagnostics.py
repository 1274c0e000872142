"""The separation figure: random-pair cosines of healthy, collapsed and mixed vectors."""

from __future__ import annotations

import numpy as np
import pytest

from w2v_core.diagnostics import COLLAPSE_THRESHOLD, describe_separation, is_collapsed, separation
from w2v_core.errors import ConfigError, W2VError
from w2v_core.vectors import KeyedVectors


def _kv(vectors: np.ndarray) -> KeyedVectors:
    return KeyedVectors([f"w{i}" for i in range(len(vectors))], vectors.astype(np.float32))


def healthy(n: int = 400, dim: int = 32, seed: int = 0) -> KeyedVectors:
    """Planted clusters around independent random centres: random pairs are near-orthogonal."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((8, dim))
    return _kv(centres[np.arange(n) % 8] + 0.3 * rng.standard_normal((n, dim)))


def collapsed(n: int = 400, dim: int = 32, seed: int = 0) -> KeyedVectors:
    """Every vector is one shared direction plus a little noise, like Hamlet after 5 epochs."""
    rng = np.random.default_rng(seed)
    return _kv(rng.standard_normal(dim) + 0.02 * rng.standard_normal((n, dim)))


def test_healthy_vectors_are_separated() -> None:
    value = separation(healthy())
    assert -0.2 < value < 0.3
    assert not is_collapsed(value)
    assert "collapsed" not in describe_separation(value)


def test_collapsed_vectors_are_flagged() -> None:
    value = separation(collapsed())
    assert value > 0.99
    assert is_collapsed(value)
    assert "collapsed" in describe_separation(value)


def test_figure_matches_the_mean_cosine_of_all_pairs() -> None:
    kv = healthy(n=60)
    normed = kv.normed.astype(np.float64)
    cosines = normed @ normed.T
    exact = cosines[~np.eye(60, dtype=bool)].mean()
    assert separation(kv, pairs=200_000, restrict=60) == pytest.approx(exact, abs=0.01)


def test_pairs_come_from_the_most_frequent_words() -> None:
    vectors = np.vstack([collapsed(n=50).vectors, healthy(n=350).vectors])
    kv = _kv(vectors)
    assert is_collapsed(separation(kv, restrict=50))
    assert not is_collapsed(separation(kv, restrict=400))


def test_deterministic_for_a_seed_and_never_pairs_a_word_with_itself() -> None:
    kv = healthy()
    assert separation(kv, seed=4) == separation(kv, seed=4)
    assert separation(kv, seed=4) != separation(kv, seed=5)
    two = _kv(np.array([[1.0, 0.0], [0.0, 1.0]]))  # a self-pair would give cosine 1
    assert separation(two, pairs=500) == pytest.approx(0.0)


def test_threshold() -> None:
    assert is_collapsed(COLLAPSE_THRESHOLD + 0.01) and not is_collapsed(COLLAPSE_THRESHOLD - 0.01)
    assert is_collapsed(0.5, threshold=0.4)


def test_bad_input() -> None:
    with pytest.raises(ConfigError, match="pairs"):
        separation(healthy(), pairs=0)
    with pytest.raises(ConfigError, match="restrict"):
        separation(healthy(), restrict=0)
    with pytest.raises(W2VError, match="at least 2 words"):
        separation(_kv(np.ones((1, 4))))


def test_zero_vectors_count_as_orthogonal() -> None:
    kv = _kv(np.vstack([np.ones((2, 4)), np.zeros((1, 4))]))
    value = separation(kv, pairs=3000)
    assert 0.28 < value < 0.39  # a third of the pairs are the two equal vectors (cosine 1), the rest 0
