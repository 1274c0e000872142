"""What w2v-tui's command line hands the app: the corpus opened once, a safe -o, its encoding.

The output check is the engine's, as for ``w2v train`` (:func:`w2v_core.destination.check_output`).
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


def test_a_piped_corpus_reaches_training_from_its_first_word() -> None:
    """resolve() checks the corpus is not empty; training must still see every word of a pipe."""
    import os

    from w2v_core.training import prepare_corpus

    text = "opening words here\n" + "the king and the queen\n" * 300  # < a pipe's buffer
    read_end, write_end = os.pipe()
    os.write(write_end, text.encode("utf-8"))
    os.close(write_end)
    try:
        launch = resolve([f"/dev/fd/{read_end}"])
        encoded = prepare_corpus(launch.corpus, min_count=1)
    finally:
        os.close(read_end)
    assert encoded.n_words == len(text.split())
    assert "opening" in encoded.vocab.index


def test_encoding_options_reach_the_corpus_reader(tmp_path) -> None:
    from w2v_core.errors import CorpusError
    from w2v_core.training import prepare_corpus

    corpus = tmp_path / "latin1.txt"
    corpus.write_bytes("le café et la crème\n".encode("latin-1") * 20)
    with pytest.raises(CorpusError, match="not valid UTF-8 at byte 6"):
        resolve([str(corpus)])
    launch = resolve([str(corpus), "--encoding", "latin-1"])
    assert "café" in prepare_corpus(launch.corpus, min_count=1).vocab.index
    launch = resolve([str(corpus), "--encoding-errors", "replace"])
    assert "crème" not in prepare_corpus(launch.corpus, min_count=1).vocab.index


async def test_files_left_out_of_a_directory_corpus_are_reported(tmp_path) -> None:
    from fakes import CONFIG, FakeTrainer
    from helpers import notifications, wait_until

    from tui.app import W2VApp

    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("the king and the queen\n" * 50, encoding="utf-8")
    (folder / "tool").write_bytes(b"\x7fELF\x00\x01binary")
    launch = resolve([str(folder)])
    app = W2VApp(corpus=launch.corpus, config=CONFIG, trainer=FakeTrainer())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: any("tool" in n for n in notifications(app)))
