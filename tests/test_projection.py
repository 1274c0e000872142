"""2-D projections: shapes, determinism, PCA against a NumPy SVD, caching, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from w2v_core.errors import ConfigError, UnknownWordError, W2VError
from w2v_core.projection import Projection, clear_cache, project_2d
from w2v_core.vectors import KeyedVectors


@pytest.fixture
def kv() -> KeyedVectors:
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((120, 12)).astype(np.float32) * rng.uniform(0.5, 3, (120, 1))
    return KeyedVectors([f"w{i}" for i in range(120)], vectors.astype(np.float32))


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_shapes_and_words(kv: KeyedVectors, method: str) -> None:
    projection = project_2d(kv, method=method, top_n=40)
    assert isinstance(projection, Projection)
    assert projection.words == kv.words[:40]
    assert projection.coords.shape == (40, 2) and projection.coords.dtype == np.float64
    assert projection.method == method
    assert np.isfinite(projection.coords).all()


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_deterministic_for_a_seed(kv: KeyedVectors, method: str) -> None:
    first = project_2d(kv, method=method, top_n=60, seed=3).coords.copy()
    clear_cache()
    again = project_2d(kv, method=method, top_n=60, seed=3).coords
    assert first.tobytes() == again.tobytes()


def test_pca_equals_numpy_svd_up_to_sign(kv: KeyedVectors) -> None:
    coords = project_2d(kv, method="pca", top_n=80).coords
    x = kv.vectors[:80].astype(np.float64)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    x -= x.mean(axis=0)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    expected = u[:, :2] * s[:2]
    signs = np.sign((coords * expected).sum(axis=0))
    np.testing.assert_allclose(coords * signs, expected, atol=1e-5)


def test_given_words_in_order_without_duplicates(kv: KeyedVectors) -> None:
    projection = project_2d(kv, method="pca", words=["w7", " W3", "w50", "w7", "w9"])
    assert projection.words == ["w7", "w3", "w50", "w9"]
    assert projection.coords.shape == (4, 2)


def test_tiny_tsne_clips_perplexity(kv: KeyedVectors) -> None:
    assert project_2d(kv, method="tsne", top_n=3).coords.shape == (3, 2)


def test_cache_returns_the_same_object(kv: KeyedVectors) -> None:
    first = project_2d(kv, method="tsne", top_n=50)
    assert project_2d(kv, method="tsne", top_n=50) is first
    assert project_2d(kv, method="tsne", top_n=50, seed=1) is not first
    assert project_2d(kv, method="pca", top_n=50) is not first
    assert not first.coords.flags.writeable  # shared, so read-only
    copy = KeyedVectors(kv.words, kv.vectors.copy())  # other vectors: computed afresh
    assert project_2d(copy, method="tsne", top_n=50) is not first


def test_bad_input(kv: KeyedVectors) -> None:
    with pytest.raises(W2VError, match="at least 3 words, got 2"):
        project_2d(kv, method="pca", words=["w1", "w2"])
    with pytest.raises(W2VError, match="at least 3 words, got 2"):
        project_2d(KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32)))
    with pytest.raises(UnknownWordError):
        project_2d(kv, method="pca", words=["w1", "w2", "nope"])
    with pytest.raises(ConfigError, match="method"):
        project_2d(kv, method="umap")
    with pytest.raises(ConfigError, match="top_n"):
        project_2d(kv, top_n=0)
    with pytest.raises(W2VError, match="2 dimensions"):
        project_2d(KeyedVectors(["a", "b", "c"], np.ones((3, 1), dtype=np.float32)), method="pca")
