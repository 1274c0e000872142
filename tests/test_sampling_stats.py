"""What a real ``train()`` draws, tested statistically against word2vec's distributions.

The fast kernel may share noise words across pairs, so these tests check distributions, not
bits: the noise words drawn (chi-square against counts^0.75), the reduced windows (uniform on
``1..window``), the words kept by subsampling (the C formula) and the learning rate passed to
each update (linear from ``alpha`` to ``min_alpha`` in the words read). Seeds are fixed, so
the outcomes are deterministic; every threshold is far from both the value the correct
engine gives and the value a broken one gives (noted next to each).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from training_spies import train_recorded
from w2v_core.config import TrainConfig

V = 60


def zipf_corpus(n_tokens: int = 60_000, seed: int = 3) -> list[list[str]]:
    """Sentences of 8-15 words drawn from a Zipf law over ``V`` words (~6 chunks of the engine)."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, V + 1) ** 1.1
    p /= p.sum()
    words = [f"w{i:02d}" for i in range(V)]
    tokens = rng.choice(V, size=n_tokens, p=p)
    cuts = np.cumsum(rng.integers(8, 16, size=n_tokens // 8))
    cuts = cuts[cuts < n_tokens]
    return [[words[i] for i in piece] for piece in np.split(tokens, cuts) if len(piece)]


#: the engine's default (fast) mode; one thread, so that updates come in stream order
CONFIG = TrainConfig(
    dim=8, window=5, negative=5, min_count=1, sample=1e-3, epochs=2, alpha=0.025,
    min_alpha=1e-4, seed=11, threads=1,
)


@pytest.fixture(scope="module")
def run():
    sentences = zipf_corpus()
    trainer, _, model, recording = train_recorded(sentences, CONFIG)
    counts = Counter(w for s in sentences for w in s)
    vocab_counts = np.array([counts[w] for w in trainer.corpus.vocab.words], dtype=np.float64)
    return trainer, model, recording, vocab_counts


def chi_square(observed: np.ndarray, expected_share: np.ndarray) -> float:
    expected = observed.sum() * expected_share
    return float(((observed - expected) ** 2 / expected).sum())


def test_noise_words_follow_counts_to_the_three_quarters(run):
    _, _, recording, counts = run
    drawn = np.bincount(recording.noise_words(), minlength=V)
    # enough draws to tell the powers apart: counts^1.0 gives a chi-square of ~0.14 per draw
    # (shared noise words, the default, draw ~12,000 here; per-pair draws ~10x more)
    assert drawn.sum() > 10_000
    chi2 = chi_square(drawn, counts**0.75 / (counts**0.75).sum())
    # 59 degrees of freedom: mean 59, sd 11; 200 is p < 1e-16 (this run: ~73)
    assert chi2 < 200
    assert chi_square(drawn, counts / counts.sum()) > 1000  # ~49,000 here


def test_effective_windows_are_uniform_up_to_the_window(run):
    _, _, recording, _ = run
    reduced = recording.reduced_windows()
    assert all(window == CONFIG.window for *_, window in recording.windows)
    assert reduced.min() >= 1 and reduced.max() <= CONFIG.window
    drawn = np.bincount(reduced, minlength=CONFIG.window + 1)[1:]
    chi2 = chi_square(drawn, np.full(CONFIG.window, 1 / CONFIG.window))
    # 4 degrees of freedom: 40 is p < 1e-7; a fixed window gives 4 x (number of draws) > 10^5
    assert chi2 < 40


def test_words_are_kept_at_the_c_subsampling_rate(run):
    trainer, _, recording, counts = run
    ids, kept = recording.concatenated_masks()
    assert len(ids) == trainer.corpus.n_words * CONFIG.epochs  # every word was offered once per epoch
    threshold = CONFIG.sample * counts.sum()
    p = np.minimum((np.sqrt(counts / threshold) + 1) * threshold / counts, 1.0)
    assert (p < 0.5).sum() >= 5  # several words are mostly discarded
    seen = np.bincount(ids, minlength=V).astype(float)
    kept_n = np.bincount(ids[kept], minlength=V).astype(float)
    assert np.all(kept_n[p == 1] == seen[p == 1])
    sub = p < 1
    z = (kept_n[sub] - seen[sub] * p[sub]) / np.sqrt(seen[sub] * p[sub] * (1 - p[sub]))
    # ~50 binomials: |z| < 6 for all of them; without subsampling the most frequent word's z > 100
    assert np.abs(z).max() < 6


def test_learning_rate_applied_falls_linearly_with_words_read(run):
    """Each step's rate lies between the linear schedule's values at its chunk's ends."""
    trainer, _, recording, _ = run
    total = trainer.corpus.n_words * CONFIG.epochs
    span = CONFIG.alpha - CONFIG.min_alpha

    def schedule(words: float) -> float:
        return CONFIG.alpha - span * min(words / total, 1.0)

    chunk_start = chunk_end = 0
    alphas, low, high = [], [], []
    for kind, value in recording.timeline:
        if kind == "words":
            chunk_start, chunk_end = chunk_end, chunk_end + value
        else:
            alphas.append(value)
            low.append(schedule(chunk_end))
            high.append(schedule(chunk_start))
    assert chunk_end == total and len(alphas) > 100
    alphas, low, high = map(np.array, (alphas, low, high))
    # chunks of 10k words are a tenth of the run; slack of 1% of the span on either side.
    # Passing config.alpha unchanged misses by up to the whole span.
    assert np.all(alphas <= high + 0.01 * span) and np.all(alphas >= low - 0.01 * span)
    assert alphas[0] == pytest.approx(CONFIG.alpha, abs=0.01 * span)
    assert alphas[-1] == pytest.approx(CONFIG.min_alpha, abs=0.02 * span)
