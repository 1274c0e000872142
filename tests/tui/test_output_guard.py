"""w2v-tui -o refuses, before training, an output that would replace or join the corpus.

The same engine check as ``w2v train`` (:func:`w2v_core.destination.check_output`).
"""

from __future__ import annotations

import pytest

from tui.options import resolve
from w2v_core.errors import UsageError


def test_output_that_is_the_corpus_is_refused_and_the_corpus_kept(tmp_path) -> None:
    corpus = tmp_path / "corpus.txt"
    text = "the king and the queen\n" * 50
    corpus.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match="is the corpus file"):
        resolve([str(corpus), "-o", str(tmp_path / "." / "corpus.txt")])
    assert corpus.read_text(encoding="utf-8") == text


def test_output_inside_a_directory_corpus_is_refused(tmp_path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("the king and the queen\n" * 50, encoding="utf-8")
    with pytest.raises(UsageError, match="inside the corpus directory"):
        resolve([str(folder), "-o", str(folder / "model.npz")])


def test_output_elsewhere_is_accepted(tmp_path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the king and the queen\n" * 50, encoding="utf-8")
    launch = resolve([str(corpus), "-o", str(tmp_path / "model.npz")])
    assert launch.output == str(tmp_path / "model.npz")
