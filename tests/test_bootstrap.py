"""Bootstrap samples of the encoded sentence stream (issue 24, part 2): the draws against
their formula, the stream against a naive construction, the seeds."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import w2v_core.bootstrap as bootstrap
from w2v_core.bootstrap import bootstrap_sample, multiplicities, sentence_ends
from w2v_core.ensemble import run_seed, sample_generator
from w2v_core.token_ids import SENTENCE_END, encode_corpus


def _chi_square_p(observed: np.ndarray, n: int) -> float:
    """p-value of counts of multiplicities 0, 1, 2, 3, 4+ against Binomial(n, 1/n)."""
    pmf = stats.binom.pmf(np.arange(4), n, 1 / n)
    expected = np.append(pmf, 1 - pmf.sum()) * observed.sum()
    return float(stats.chisquare(observed, expected).pvalue)


def _binned(counts: np.ndarray) -> np.ndarray:
    return np.bincount(np.minimum(counts, 4), minlength=5)


def test_one_sample_holds_n_sentences_with_binomial_multiplicities() -> None:
    n = 20_000
    counts = multiplicities(n, np.random.default_rng(5))
    assert counts.sum() == n and counts.min() >= 0
    # a sentence is left out with probability (1 - 1/n)^n ~ 1/e
    assert np.mean(counts == 0) == pytest.approx((1 - 1 / n) ** n, abs=0.01)
    assert _chi_square_p(_binned(counts), n) > 0.001


def test_each_sentence_over_many_samples_is_binomial_n_one_over_n() -> None:
    n, samples = 40, 5000
    rng = np.random.default_rng(11)
    draws = np.stack([multiplicities(n, rng) for _ in range(samples)])
    for sentence in (0, n - 1):
        column = draws[:, sentence]
        assert column.mean() == pytest.approx(1.0, abs=0.05)  # n * 1/n
        assert column.var() == pytest.approx(1 - 1 / n, abs=0.07)  # n * 1/n * (1 - 1/n)
        assert _chi_square_p(_binned(column), n) > 0.001


def test_seeds_differ_between_runs_and_are_reproducible() -> None:
    seeds = [run_seed(1, run) for run in range(8)]
    assert len(set(seeds)) == 8 and seeds == [run_seed(1, run) for run in range(8)]
    assert run_seed(2, 0) != run_seed(1, 0)
    first = multiplicities(500, sample_generator(1, 0))
    assert np.array_equal(first, multiplicities(500, sample_generator(1, 0)))
    assert not np.array_equal(first, multiplicities(500, sample_generator(1, 1)))


def _sentences(rng: np.random.Generator, n: int) -> list[list[str]]:
    words = [f"w{i}" for i in range(30)]
    return [[words[j] for j in rng.integers(30, size=rng.integers(1, 12))] for _ in range(n)]


@pytest.mark.parametrize("spill", [10**9, 16])  # in memory; in a temporary file
def test_the_sample_stream_repeats_each_sentence_in_place(monkeypatch, spill: int) -> None:
    monkeypatch.setattr(bootstrap, "BLOCK_POSITIONS", 7)  # many blocks, sentences across them
    rng = np.random.default_rng(3)
    encoded = encode_corpus(_sentences(rng, 60), min_count=1, isolate=False, spill_tokens=spill)
    stream = encoded.store.read(0, encoded.store.size)
    ends = sentence_ends(encoded.store)
    assert np.array_equal(ends, np.flatnonzero(stream == SENTENCE_END))
    pieces = np.split(stream, ends[:-1] + 1)
    counts = multiplicities(len(pieces), rng)
    sample = bootstrap_sample(encoded, rng, spill_tokens=spill, counts=counts)
    expected = np.concatenate([piece for piece, c in zip(pieces, counts) for _ in range(c)])
    assert sample.store.on_disk == (spill == 16)
    assert np.array_equal(sample.store.read(0, sample.store.size), expected)
    assert sample.n_sentences == len(pieces) and sample.n_words == int(np.sum(expected >= 0))
    assert sample.vocab is encoded.vocab  # one vocabulary for every run
    sample.store.close()


def test_a_drawn_sample_has_as_many_sentences() -> None:
    encoded = encode_corpus(_sentences(np.random.default_rng(0), 200), min_count=1, isolate=False)
    sample = bootstrap_sample(encoded, np.random.default_rng(1))
    assert sample.n_sentences == 200 == encoded.n_sentences
    assert sample.store.read(0, sample.store.size)[-1] == SENTENCE_END
