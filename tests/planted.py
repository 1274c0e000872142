"""Helpers shared by the engine tests: corpora with planted structure, finite differences.

A module of its own (not ``conftest``): ``tests/`` and ``tests/tui/`` both have a
``conftest``, and a run of files from both folders would import the wrong one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from w2v_core.callbacks import Callback, TrainingControl
from w2v_core.vectors import KeyedVectors

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SHARED_NLTK = SHARED / "nltk_data"

#: Word groups that share context words: a trained model must find the groups again.
PLANTED_GROUPS = {
    "animal": (["cat", "dog", "horse", "cow", "sheep", "goat"], ["feed", "barn", "farm", "tail", "fur"]),
    "colour": (["red", "green", "blue", "yellow", "purple", "orange"], ["paint", "bright", "shade", "hue", "dye"]),
    "tool": (["hammer", "saw", "drill", "wrench", "chisel", "pliers"], ["workshop", "build", "bench", "nail", "wood"]),
    "fruit": (["apple", "pear", "plum", "cherry", "grape", "peach"], ["eat", "ripe", "sweet", "juice", "orchard"]),
}
FILLER = ["the", "a", "and", "of", "with", "is", "was", "very"]


def letter_word(i: int) -> str:
    """A distinct lowercase word of letters for each number (the tokenizer keeps letters)."""
    letters = "w"
    while True:
        i, r = divmod(i, 26)
        letters += chr(ord("a") + r)
        if not i:
            return letters


def planted_sentences(n_sentences: int = 3000, seed: int = 0, length: int = 10) -> list[list[str]]:
    """Sentences each drawn from one group's members, its context words and filler."""
    rng = np.random.default_rng(seed)
    names = list(PLANTED_GROUPS)
    sentences = []
    for _ in range(n_sentences):
        members, contexts = PLANTED_GROUPS[names[rng.integers(len(names))]]
        pool = members + contexts + FILLER[:3]
        sentences.append([pool[i] for i in rng.integers(len(pool), size=length)])
    return sentences


def planted_hits(model, topn: int = 5) -> float:
    """Share of each planted member's ``topn`` neighbours that are its group's members or
    context words: near 1 when training found the planted structure."""
    hits = total = 0
    for members, contexts in PLANTED_GROUPS.values():
        for word in members:
            neighbours = [w for w, _ in model.wv.most_similar(word, topn=topn)]
            hits += sum(n in set(members) | set(contexts) for n in neighbours)
            total += len(neighbours)
    return hits / total


# ------------------------------------------------------------------ comparing models
#: The words whose vectors :func:`rotated` moves in the comparison tests (issue 24).
SWAPPED = ["w0017", "w0123", "w0200", "w0256", "w0311"]


def random_vectors(n: int = 400, dim: int = 32, seed: int = 0) -> KeyedVectors:
    """``n`` words ``w0000``... (frequency order) with Gaussian vectors: no structure to find."""
    rng = np.random.default_rng(seed)
    words = [f"w{i:04d}" for i in range(n)]
    return KeyedVectors(words, rng.normal(size=(n, dim)), np.arange(n, 0, -1) * 10)


def rotated(kv: KeyedVectors, seed: int = 1, swap: list[str] = ()) -> KeyedVectors:
    """``kv`` rotated by a random orthogonal matrix; the ``swap`` words' vectors moved one
    along (each takes the next one's vector); the rows in another order."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(kv.dim, kv.dim)))
    vectors = kv.vectors.astype(np.float64) @ q
    rows = [kv.index[w] for w in swap]
    vectors[rows] = vectors[rows[1:] + rows[:1]]
    order = rng.permutation(len(kv))
    return KeyedVectors([kv.words[i] for i in order], vectors[order], kv.counts[order])


def numeric_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of the scalar ``f()`` with respect to ``x`` (changed in place)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad



class StopAt(Callback):
    """Stops the run through ``control`` once ``fraction`` of it is done."""

    def __init__(self, control: TrainingControl, fraction: float) -> None:
        self.control, self.fraction = control, fraction

    def on_progress(self, event) -> None:
        if event.fraction >= self.fraction:
            self.control.stop()
