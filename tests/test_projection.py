"""2-D projections: shapes, determinism, PCA against a NumPy SVD, caching, bad input, placing words, neighbourhoods."""

from __future__ import annotations

import numpy as np
import pytest

from w2v_core.errors import ConfigError, UnknownWordError, W2VError
from w2v_core.projection import Projection, clear_cache, project_2d, project_neighbourhood
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


# ---------------------------------------------------------------- placing words into a map
def clustered(n_clusters: int = 6, per_cluster: int = 40, dim: int = 16, seed: int = 2) -> KeyedVectors:
    """Planted clusters; word i belongs to cluster i % n_clusters, so every top-N holds each."""
    rng = np.random.default_rng(seed)
    centres = 3.0 * rng.standard_normal((n_clusters, dim))
    n = n_clusters * per_cluster
    vectors = centres[np.arange(n) % n_clusters] + 0.6 * rng.standard_normal((n, dim))
    return KeyedVectors([f"c{i % n_clusters}_{i}" for i in range(n)], vectors.astype(np.float32))


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_placed_words_land_among_their_neighbours(method: str) -> None:
    kv = clustered()
    base = project_2d(kv, method=method, top_n=120)
    new = kv.words[120:]
    placed = base.place(kv, new)
    assert placed.words == base.words + new
    assert placed.placed == frozenset(new) and base.placed == frozenset()
    assert placed.coords.shape == (240, 2) and not placed.coords.flags.writeable
    np.testing.assert_array_equal(placed.coords[:120], base.coords)  # the map itself is not moved
    mapped = base.coords
    hits = 0
    for i, word in enumerate(new, start=120):
        nearest = int(np.argmin(((mapped - placed.coords[i]) ** 2).sum(axis=1)))
        hits += base.words[nearest].split("_")[0] == word.split("_")[0]
    assert hits >= 0.9 * len(new)


def test_pca_placement_is_the_projection_onto_the_fitted_components(kv: KeyedVectors) -> None:
    base = project_2d(kv, method="pca", top_n=40)
    placed = base.place(kv, kv.words[40:80])
    x = kv.vectors[:80].astype(np.float64)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    mean = x[:40].mean(axis=0)
    _, _, vt = np.linalg.svd(x[:40] - mean, full_matrices=False)
    expected = (x - mean) @ vt[:2].T
    signs = np.sign((base.coords * expected[:40]).sum(axis=0))
    np.testing.assert_allclose(placed.coords * signs, expected, atol=1e-5)


def test_place_skips_mapped_words_and_rejects_other_vectors(kv: KeyedVectors) -> None:
    base = project_2d(kv, method="pca", top_n=30)
    assert base.place(kv, ["w1", "w2"]) is base
    placed = base.place(kv, ["w40", "w3", "W40", "w41"])
    assert placed.words[30:] == ["w40", "w41"] and placed.placed == {"w40", "w41"}
    assert placed.place(kv, ["w50"]).placed == {"w40", "w41", "w50"}
    with pytest.raises(UnknownWordError):
        base.place(kv, ["nope"])
    other = KeyedVectors(kv.words, kv.vectors.copy())
    with pytest.raises(W2VError, match="same vectors"):
        base.place(other, ["w40"])


def test_tsne_placement_into_a_tiny_map(kv: KeyedVectors) -> None:
    base = project_2d(kv, method="tsne", top_n=4)
    placed = base.place(kv, ["w10", "w11"])
    assert placed.coords.shape == (6, 2) and np.isfinite(placed.coords).all()


def test_neighbourhood_maps_a_word_and_its_nearest_neighbours(kv: KeyedVectors) -> None:
    hood = project_neighbourhood(kv, " W5", n=30)
    assert hood.words == ["w5"] + [w for w, _ in kv.most_similar("w5", topn=30)]
    assert hood.coords.shape == (31, 2) and hood.method == "tsne"
    assert project_neighbourhood(kv, "w5", n=30) is hood  # cached
    assert len(project_neighbourhood(kv, "w5", n=500, method="pca").words) == len(kv)
    with pytest.raises(ConfigError, match="n must be"):
        project_neighbourhood(kv, "w5", n=1)
    with pytest.raises(UnknownWordError):
        project_neighbourhood(kv, "nope")


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_locate_puts_a_vector_where_the_map_would_place_it_and_leaves_the_map(kv: KeyedVectors, method: str) -> None:
    """The Map marks a compared model's aligned vector with ``locate``: a mapped word's own unit
    vector lands on (PCA: exactly; t-SNE: beside) its point, and the map is not extended."""
    base = project_2d(kv, method=method, top_n=60)
    located = base.locate(kv.normed[[3, 7]])
    assert located.shape == (2, 2) and len(base.words) == 60
    spread = np.ptp(base.coords, axis=0).max()
    tolerance = 1e-5 if method == "pca" else 0.15 * spread
    np.testing.assert_allclose(located, base.coords[[3, 7]], atol=tolerance)
    assert base.locate(kv.normed[5]).shape == (1, 2)
