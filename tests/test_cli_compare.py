"""``w2v compare A B`` (issue 24): the lists, one word side by side, --json, bad pairs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import w2v_core.formats
from planted import SWAPPED, random_vectors, rotated
from w2v_core.cli import main
from w2v_core.vectors import KeyedVectors


def run(argv: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_glove(kv: KeyedVectors, path: Path) -> Path:
    """GloVe text: no header, one ``word v1 v2 ...`` row per word (nothing here writes it)."""
    path.write_text("".join(w + " " + " ".join(f"{x:.7f}" for x in v) + "\n" for w, v in zip(kv.words, kv.vectors)))
    return path


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, KeyedVectors]:
    """A (native .npz) and the rotation of A with five words swapped, still in memory."""
    a = random_vectors()
    path = tmp_path / "a.npz"
    w2v_core.formats.save(a, path)
    return path, rotated(a, swap=SWAPPED)


def save_as(kv: KeyedVectors, path: Path) -> Path:
    if path.suffix == ".glove":
        return write_glove(kv, path)
    w2v_core.formats.save(kv, path)
    return path


@pytest.mark.parametrize("name", ["b.npz", "b.txt", "b.bin", "b.glove"])
def test_json_ranks_the_swapped_words_first_whatever_b_is_saved_as(pair, tmp_path, capsys, name):
    a_path, b = pair
    b_path = save_as(b, tmp_path / name)
    code, out, err = run(["compare", a_path, b_path, "--json", "--show", "6"], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert (report["a"], report["b"]) == (str(a_path), str(b_path))
    assert report["shared"] == report["compared"] == 400 and report["k"] == 10
    assert {c["word"] for c in report["most_changed"][:5]} == set(SWAPPED)
    assert report["most_changed"][5]["cosine"] > 0.99
    assert all(c["cosine"] > 0.9999 and c["overlap"] == 1.0 for c in report["least_changed"])


def rows(out: str, title: str) -> list[list[str]]:
    """The cells of the table after ``title``, one list per row."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(title))
    table = []
    for line in lines[start + 4 :]:
        if not line.startswith("│"):
            break
        table.append([cell.strip() for cell in line.strip("│").split("│")])
    return table


def test_text_lists_the_most_and_least_changed(pair, tmp_path, capsys):
    a_path, b = pair
    b_path = save_as(b, tmp_path / "b.txt")
    code, out, err = run(["compare", a_path, b_path, "--show", "5", "-k", "8"], capsys)
    assert code == 0, err
    assert "400 shared words, compared every shared word" in out
    most = rows(out, "changed most")
    assert [r[0] for r in most] == ["1", "2", "3", "4", "5"]
    assert {r[1] for r in most} == set(SWAPPED)
    assert "top-8 overlap" in out
    least = rows(out, "changed least")
    assert len(least) == 5 and all(r[2] == "1.0000" and r[3] == "1.00" for r in least)


def test_top_compares_the_most_frequent_words_only(pair, tmp_path, capsys):
    a_path, b = pair
    code, out, err = run(["compare", a_path, save_as(b, tmp_path / "b.npz"), "--top", "100", "--json"], capsys)
    report = json.loads(out)
    assert (report["shared"], report["compared"]) == (400, 100)
    assert [c["word"] for c in report["most_changed"][:1]] == ["w0017"]  # the one swapped word of the top 100


def test_word_shows_its_neighbours_side_by_side(pair, tmp_path, capsys):
    a_path, b = pair
    code, out, err = run(["compare", a_path, save_as(b, tmp_path / "b.npz"), "--word", "w0123", "-k", "4"], capsys)
    assert code == 0, err
    assert "w0123: aligned cosine" in out and "top-4 overlap" in out
    table = rows(out, "nearest to w0123")
    assert len(table) == 4 and all(len(r) == 5 for r in table)
    expected_a = [w for w, _ in random_vectors().most_similar("w0123", topn=4)]
    assert [r[1] for r in table] == expected_a
    assert [r[3] for r in table] != expected_a
    code, out, err = run(["compare", a_path, save_as(b, tmp_path / "b.npz"), "--word", "w0123", "--json"], capsys)
    word = json.loads(out)["word"]
    assert word["word"] == "w0123" and [w for w, _ in word["a"]][:4] == expected_a
    assert "most_changed" not in json.loads(out)


def one_line_error(code: int, out: str, err: str, expected: str) -> None:
    assert code == 1, (out, err)
    assert err.count("\n") == 1 and err.startswith("w2v: error: ") and "Traceback" not in err
    assert expected in err, err


def test_bad_pairs_end_in_one_line(pair, tmp_path, capsys):
    a_path, b = pair
    b_path = save_as(b, tmp_path / "b.npz")
    one_line_error(*run(["compare", a_path, b_path, "--word", "zebra"], capsys), "word not compared")
    narrow = save_as(random_vectors(dim=16), tmp_path / "narrow.npz")
    one_line_error(*run(["compare", a_path, narrow], capsys), "different dimensions (32 and 16)")
    other = save_as(KeyedVectors(["zebra", "yak"], np.ones((2, 32))), tmp_path / "other.npz")
    one_line_error(*run(["compare", a_path, other], capsys), "share 0 words")
    one_line_error(*run(["compare", a_path, tmp_path / "missing.npz"], capsys), "missing.npz")
    code, _, err = run(["compare", a_path, b_path, "--top", "0"], capsys)
    assert code == 2 and err.count("\n") == 1
