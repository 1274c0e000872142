"""``w2v`` commands added for issues 6 and 9: odd, --unicode-errors, auto epochs, and more."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import w2v_core.io
from w2v_core.cli import main
from w2v_core.vectors import KeyedVectors

FRUIT = ["apple", "pear", "plum", "cherry"]
TOOLS = ["hammer", "saw", "drill"]


def run(argv: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def vectors_file(tmp_path: Path) -> Path:
    """Fruit along one axis, tools along another, with known counts."""
    rng = np.random.default_rng(0)
    words = FRUIT + TOOLS + [f"filler{i}" for i in range(20)]
    vectors = rng.normal(0, 0.05, size=(len(words), 6)).astype(np.float32)
    vectors[: len(FRUIT), 0] += 1.0
    vectors[len(FRUIT) : len(FRUIT) + len(TOOLS), 1] += 1.0
    vectors[len(FRUIT) + len(TOOLS) :, 2:] += rng.normal(0, 1, size=(20, 4))
    counts = np.arange(len(words), 0, -1) * 10
    path = tmp_path / "v.npz"
    w2v_core.io.save(KeyedVectors(words, vectors, counts), path)
    return path


# ------------------------------------------------------------------ odd one out
def test_odd_names_the_odd_word_and_shows_each_cosine_to_the_mean(vectors_file, capsys):
    code, out, err = run(["odd", vectors_file, "apple", "pear", "hammer", "plum"], capsys)
    assert code == 0, err
    assert "odd one out: hammer" in out
    rows = [line for line in out.splitlines() if any(w in line for w in FRUIT + TOOLS)]
    assert [next(w for w in FRUIT + TOOLS if w in row) for row in rows[1:]][0] == "hammer"
    kv = w2v_core.io.load(vectors_file).wv
    for word, cosine in kv.cosines_to_mean(["apple", "pear", "hammer", "plum"]):
        assert any(word in row and f"{cosine:.4f}" in row for row in rows)


def test_odd_accepts_comma_separated_words(vectors_file, capsys):
    code, out, _ = run(["odd", vectors_file, "apple,pear,saw"], capsys)
    assert code == 0 and "odd one out: saw" in out


def test_odd_needs_two_words(vectors_file, capsys):
    code, _, err = run(["odd", vectors_file, "apple"], capsys)
    assert code == 2
    assert err.startswith("w2v: error: ") and "two words" in err


def test_cosines_to_mean_put_the_doesnt_match_word_first(vectors_file):
    kv = w2v_core.io.load(vectors_file).wv
    ranked = kv.cosines_to_mean(["saw", "apple", "drill", "hammer"])
    assert ranked[0][0] == kv.doesnt_match(["saw", "apple", "drill", "hammer"]) == "apple"
    assert [c for _, c in ranked] == sorted(c for _, c in ranked)
    mean = kv.normed[[kv.get_index(w) for w in ["saw", "apple", "drill", "hammer"]]].mean(0)
    expected = kv.normed[kv.get_index("apple")] @ (mean / np.linalg.norm(mean))
    assert ranked[0][1] == pytest.approx(float(expected), abs=1e-6)


# ------------------------------------------------------------------ --unicode-errors
@pytest.fixture
def latin1_vec(tmp_path: Path) -> Path:
    """A fastText-style .vec whose few non-ASCII words are Latin-1, not UTF-8."""
    rows = [b"3 4", b"the 0.1 0.2 0.3 0.4", "caf\u00e9".encode("latin-1") + b" 0.2 0.1 0.0 0.3",
            b"tea 0.3 0.1 0.2 0.0"]
    path = tmp_path / "latin1.vec"
    path.write_bytes(b"\n".join(rows) + b"\n")
    return path


@pytest.mark.parametrize("command", [["info"], ["neighbors", "-", "tea"], ["odd", "-", "tea", "the"],
                                     ["analogy", "-", "the", "tea", "the"], ["eval", "-"],
                                     ["export", "-", "OUT"]])
def test_every_loading_command_takes_unicode_errors(latin1_vec, tmp_path, capsys, command):
    argv = [latin1_vec if a == "-" else tmp_path / "out.npz" if a == "OUT" else a for a in command]
    if len(argv) == 1:
        argv.append(latin1_vec)
    code, _, err = run(argv, capsys)
    assert code == 1 and "UTF-8" in err, err
    code, out, err = run([*argv, "--unicode-errors", "replace"], capsys)
    assert code == 0, err


def test_unicode_errors_replace_keeps_the_word_readable(latin1_vec, capsys):
    code, out, err = run(["neighbors", latin1_vec, "tea", "--unicode-errors", "replace"], capsys)
    assert code == 0, err
    assert "caf\ufffd" in out
