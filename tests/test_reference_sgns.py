"""The engine against a slow pure-Python SGNS that loops over tokens as the word2vec C tool does.

One epoch on a tiny corpus, one pair per minibatch, one thread. The reference is driven by
the engine's own random draws (its subsampling masks, reduced windows, noise words and
learning rates, recorded through the seams in :mod:`training_spies`), and each kind of draw is
checked against what the C tool would draw:

- the keep probabilities passed to ``subsample`` follow the C formula;
- the noise words are what a table of counts^0.75 yields from the same random stream;
- the reduced windows take every value of ``1..window``;
- the learning rate applied to each pair decays linearly with the words read.

With those draws, the engine's vectors after the epoch must equal the reference's to float
tolerance.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from training_spies import Recording, exact_config, train_recorded
from w2v_core.training.sampling import AliasTable

WORDS = "the of and a to in king queen man woman crown throne castle sword river".split()


def tiny_corpus(n_sentences: int = 60, seed: int = 11) -> list[list[str]]:
    """~450 tokens with a steep frequency curve, so that subsampling has work to do."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(WORDS) + 1) ** 1.3
    weights /= weights.sum()
    return [
        [WORDS[i] for i in rng.choice(len(WORDS), size=rng.integers(4, 12), p=weights)]
        for _ in range(n_sentences)
    ]


CONFIG = exact_config(
    dim=8, window=3, negative=4, min_count=1, sample=1e-2, epochs=1, alpha=0.05,
    min_alpha=1e-4, seed=7, batch_size=1, threads=1,
)


def c_keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """word2vec.c: ``ran = (sqrt(cn / (sample * train_words)) + 1) * (sample * train_words) / cn``."""
    threshold = sample * counts.sum()
    return np.minimum((np.sqrt(counts / threshold) + 1.0) * threshold / counts, 1.0)


def reference_epoch(
    sentences: list[np.ndarray],
    keep: np.ndarray,
    reduced: np.ndarray,
    noise: np.ndarray,
    alphas: np.ndarray,
    W_in: np.ndarray,
    W_out: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, int]]]:
    """One epoch of skip-gram with negative sampling, token by token, in float64.

    As in word2vec.c's ``TrainModelThread``: discarded words are dropped from the sentence
    before windows are taken; for each centre word with reduced window ``b``, each context
    word ``c`` within ``b`` positions (left to right) has its input vector trained to predict
    the centre word (label 1) and each noise word (label 0, skipped when equal to the
    centre word); then the output vectors and the input vector are updated.
    The sigmoid is exact (the C tool's lookup table approximates it), and a pair's K+1 terms are
    computed at the weights before the pair, as a minibatch of one pair does (the C tool
    updates an output vector before scoring the next noise word, so a noise word drawn twice
    for one pair would see its own first update there).

    Parameters
    ----------
    sentences : list of int arrays
        The corpus as word ids, sentence by sentence.
    keep : bool array
        Whether each token of the corpus stream is kept (subsampling).
    reduced : int array
        The reduced window of each kept token, in stream order.
    noise : int array (pairs, negative)
        The noise words of each pair, in training order.
    alphas : float array (pairs,)
        The learning rate of each pair.
    W_in, W_out : arrays (V, d)
        Weights before the epoch (copied).

    Returns
    -------
    W_in, W_out, pairs
        Weights after the epoch and ``(context, centre, stream position of the centre)`` per pair.
    """
    W_in, W_out = W_in.astype(np.float64), W_out.astype(np.float64)
    pairs: list[tuple[int, int, int]] = []
    position = kept_index = 0
    for sentence in sentences:
        kept = []  # (word, stream position)
        for word in sentence:
            if keep[position]:
                kept.append((int(word), position))
            position += 1
        for a, (centre, centre_position) in enumerate(kept):
            b = int(reduced[kept_index])
            kept_index += 1
            for c in range(a - b, a + b + 1):
                if c == a or c < 0 or c >= len(kept):
                    continue
                context = kept[c][0]
                p = len(pairs)
                alpha = alphas[p]
                h = W_in[context].copy()
                neu1e = np.zeros(W_in.shape[1])
                updates = []
                for d, target in enumerate([centre, *noise[p]]):
                    if d > 0 and target == centre:
                        continue
                    label = 1.0 if d == 0 else 0.0
                    f = h @ W_out[target]
                    g = (label - 1.0 / (1.0 + math.exp(-f))) * alpha
                    neu1e += g * W_out[target]
                    updates.append((target, g))
                for target, g in updates:
                    W_out[target] += g * h
                W_in[context] += neu1e
                pairs.append((context, centre, centre_position))
    assert position == len(keep) and kept_index == len(reduced)
    return W_in, W_out, pairs


@pytest.fixture(scope="module")
def run():
    sentences = tiny_corpus()
    trainer, initial, model, recording = train_recorded(sentences, CONFIG)
    return sentences, trainer, initial, model, recording


def _corpus_ids(sentences, vocab) -> list[np.ndarray]:
    return [np.array([vocab.index[w] for w in s], dtype=np.int64) for s in sentences]


def test_engine_draws_one_pair_per_step_in_exact_mode(run):
    _, trainer, _, _, recording = run
    assert trainer.batch_size == 1
    assert recording.steps and all(len(inputs) == 1 for inputs, *_ in recording.steps)
    assert all(noise.shape == (1, CONFIG.negative) for _, _, noise, _ in recording.steps)


def test_keep_probabilities_passed_to_subsample_follow_the_c_formula(run):
    sentences, trainer, _, _, recording = run
    vocab = trainer.corpus.vocab
    counts = Counter(w for s in sentences for w in s)
    expected = c_keep_probabilities(np.array([counts[w] for w in vocab.words], float), CONFIG.sample)
    assert expected.min() < 0.5  # subsampling matters on this corpus
    assert recording.subsamples, "the trainer never subsampled"
    for _, keep_prob, _ in recording.subsamples:
        np.testing.assert_allclose(keep_prob, expected, rtol=1e-5)
    ids, masks = recording.concatenated_masks()
    np.testing.assert_array_equal(ids, np.concatenate(_corpus_ids(sentences, vocab)))
    assert 0 < masks.sum() < len(masks)


def test_noise_words_are_drawn_from_counts_to_the_three_quarters(run):
    """The same random stream through a counts^0.75 table yields the very same noise words."""
    _, trainer, _, _, recording = run
    counts = trainer.corpus.vocab.counts.astype(np.float64)
    reference = AliasTable(counts**0.75 / (counts**0.75).sum())
    assert recording.noise, "the trainer never drew noise words"
    for draw in recording.noise:
        np.testing.assert_array_equal(draw.words, reference.draw(draw.shape, draw.generator()))


def test_reduced_windows_take_every_value_up_to_the_window(run):
    _, _, _, _, recording = run
    reduced = recording.reduced_windows()
    assert all(window == CONFIG.window for *_, window in recording.windows)
    assert reduced.min() >= 1 and reduced.max() <= CONFIG.window
    share = np.bincount(reduced, minlength=CONFIG.window + 1)[1:] / len(reduced)
    # uniform: a third each; ~180 draws put each share within 0.15 of it (over 4 sigma)
    np.testing.assert_allclose(share, 1 / CONFIG.window, atol=0.15)


def _replay(run) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, int]], Recording]:
    sentences, trainer, initial, _, recording = run
    _, masks = recording.concatenated_masks()
    noise = np.concatenate([noise.reshape(len(inputs), -1) for inputs, _, noise, _ in recording.steps])
    alphas = np.concatenate([np.full(len(inputs), alpha) for inputs, _, _, alpha in recording.steps])
    W_in, W_out, pairs = reference_epoch(
        _corpus_ids(sentences, trainer.corpus.vocab), masks, recording.reduced_windows(), noise,
        alphas, initial, np.zeros_like(initial),
    )
    return W_in, W_out, pairs, recording


def test_learning_rate_applied_decays_linearly_with_the_words_read(run):
    """Each pair's rate is alpha - (alpha - min_alpha) * (words read / words to read)."""
    _, trainer, _, _, _ = run
    _, _, pairs, recording = _replay(run)
    alphas = np.concatenate([np.full(len(inputs), alpha) for inputs, _, _, alpha in recording.steps])
    total = trainer.corpus.n_words * CONFIG.epochs
    positions = np.array([position for *_, position in pairs], dtype=float)
    expected = CONFIG.alpha - (CONFIG.alpha - CONFIG.min_alpha) * positions / total
    span = CONFIG.alpha - CONFIG.min_alpha
    # the engine computes the rate per minibatch from its place in the chunk's pairs, up to
    # 8% of the span away from the centre word's place in the stream here; a rate that does
    # not decay is ~100% away by the end
    assert np.abs(alphas - expected).max() < 0.25 * span
    assert alphas[0] > CONFIG.alpha - 0.05 * span and alphas[-1] < CONFIG.min_alpha + 0.1 * span


def test_one_epoch_equals_the_reference_loop(run):
    _, _, initial, model, recording = run
    W_in, W_out, pairs, _ = _replay(run)
    inputs = np.concatenate([inputs for inputs, *_ in recording.steps])
    outputs = np.concatenate([outputs for _, outputs, *_ in recording.steps])
    # the engine trains the same pairs in the same order as the C loop
    assert list(zip(inputs.tolist(), outputs.tolist())) == [(c, w) for c, w, _ in pairs]
    moved = np.abs(W_in - initial).max()
    assert moved > 1e-2  # the epoch changed the vectors by far more than the tolerance
    np.testing.assert_allclose(model.wv.vectors, W_in, atol=2e-6, rtol=0)
    np.testing.assert_allclose(model.output_vectors, W_out, atol=2e-6, rtol=0)
