"""The window's pairs made from run lengths (context_spans, window_contexts) and CBOW's examples
built in training order (interleaved_examples), against naive loops and the pairs' path."""

from __future__ import annotations

import numpy as np
import pytest

from w2v_core.training.cbow import cbow_examples, interleaved_examples
from w2v_core.training.pairs import context_spans, make_pairs, window_contexts


def _random_chunk(rng: np.random.Generator, n: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    sentence_ids = np.cumsum(rng.random(n) < rng.random()).astype(np.int32)
    return sentence_ids, rng.integers(1, window + 1, size=n)


@pytest.mark.parametrize("window", [1, 3, 5])
def test_context_spans_count_the_contexts_on_each_side(window):
    rng = np.random.default_rng(window)
    for n in (0, 1, 2, 7, 60):
        sentence_ids, reduced = _random_chunk(rng, n, window)
        left, right = context_spans(sentence_ids, reduced)
        for i in range(n):
            same = [j for j in range(n) if sentence_ids[j] == sentence_ids[i]]
            assert left[i] == sum(1 for j in same if 0 < i - j <= reduced[i])
            assert right[i] == sum(1 for j in same if 0 < j - i <= reduced[i])


def test_window_contexts_are_each_centres_run_without_it_in_the_order_given():
    rng = np.random.default_rng(7)
    centres = rng.permutation(40).astype(np.int32) + 10
    left, right = rng.integers(0, 6, size=40), rng.integers(0, 6, size=40)
    pair_centres, contexts = window_contexts(centres, left, right)
    expected = [
        (c, j) for c, a, b in zip(centres.tolist(), left, right)
        for j in range(c - a, c + b + 1) if j != c
    ]
    assert list(zip(pair_centres.tolist(), contexts.tolist())) == expected
    assert pair_centres.dtype == contexts.dtype == np.int32


@pytest.mark.parametrize("window", [1, 2, 5])
def test_interleaved_examples_are_cbow_examples_of_the_pairs(window):
    """Built without the pairs, CBOW's examples are those cbow_examples makes of them."""
    rng = np.random.default_rng(10 + window)
    for n in (0, 1, 2, 5, 40, 400):
        sentence_ids, reduced = _random_chunk(rng, n, window)
        centres, contexts = make_pairs(np.zeros(n), sentence_ids, reduced, window)
        expected = cbow_examples(centres, contexts, window)
        got = interleaved_examples(sentence_ids, reduced, window)
        for a, b in zip(got, expected, strict=True):
            assert a.dtype == b.dtype and a.tolist() == b.tolist()
