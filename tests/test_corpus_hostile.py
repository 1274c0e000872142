"""Corpora a hostile user would try: pipes, FIFOs, wrong encodings, binaries, model files in a
directory, decomposed Unicode, symlink loops, and a stop while reading (issue 6, items 7, 8,
9, 12, 21, 26)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from w2v_core import ConfigError, CorpusError, KeyedVectors, open_corpus, tokenize
from w2v_core.callbacks import ReadingStopped, StopTraining, TrainingControl
from w2v_core.corpus import builtin_path
from w2v_core.formats import load, save
from w2v_core.token_ids import encode_corpus

REPO = Path(__file__).resolve().parents[1]
HAMLET = builtin_path("hamlet-first-folio.txt")


def _words(corpus) -> int:
    return sum(len(s) for s in corpus.sentences())


@pytest.fixture(scope="module")
def hamlet_words() -> int:
    return _words(open_corpus(str(HAMLET)))


def _write_in_thread(target, data: bytes, after: threading.Event | None = None) -> threading.Thread:
    """Write ``data`` to ``target`` (a path or a pipe fd) from a thread, then close it."""

    def write() -> None:
        if after is not None:
            after.wait(60)  # safety net only: a missing notice fails the assertion below
        with open(target, "wb") as handle:
            handle.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


# ------------------------------------------------------------------ item 7: pipes read once
def test_an_anonymous_pipe_loses_nothing(hamlet_words):
    """``<(cat f)``: the check for emptiness must not eat the start."""
    read_end, write_end = os.pipe()
    writer = _write_in_thread(write_end, HAMLET.read_bytes())
    try:
        corpus = open_corpus(f"/dev/fd/{read_end}").check_not_empty()
        assert _words(corpus) == hamlet_words
    finally:
        writer.join()
        os.close(read_end)


def test_a_fifo_says_it_waits_for_a_writer_and_loses_nothing(tmp_path, hamlet_words):
    fifo = tmp_path / "corpus.fifo"
    os.mkfifo(fifo)
    notices: list[str] = []
    waiting = threading.Event()

    def on_wait(message: str) -> None:
        notices.append(message)
        waiting.set()

    corpus = open_corpus(str(fifo), on_wait=on_wait)  # does not block: nothing is read yet
    writer = _write_in_thread(fifo, HAMLET.read_bytes(), after=waiting)
    corpus.check_not_empty()
    assert _words(corpus) == hamlet_words
    writer.join()
    assert len(notices) == 1 and "waiting for input" in notices[0] and str(fifo) in notices[0]
    with pytest.raises(CorpusError, match="read only once"):
        corpus.sentences()


def test_train_from_dev_stdin_reads_every_word(tmp_path, hamlet_words):
    """``cat f | w2v train /dev/stdin``: the model counts every word of the file."""
    out = tmp_path / "model.npz"
    result = subprocess.run(
        [sys.executable, "-m", "w2v_core.cli", "train", "/dev/stdin", "-o", str(out),
         "--dim", "8", "--epochs", "1", "--min-count", "1"],
        input=HAMLET.read_bytes(), capture_output=True, cwd=REPO,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert int(load(out).wv.counts.sum()) == hamlet_words


# ------------------------------------------------------------------ item 8: encodings, binaries
def test_invalid_utf8_names_the_file_and_the_byte_offset(tmp_path):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("the cafe and the caf\u00e9\n".encode("latin-1"))
    with pytest.raises(CorpusError) as info:
        open_corpus(str(latin1))
    message = str(info.value)
    assert str(latin1) in message and "byte 20" in message and "\n" not in message


def test_invalid_utf8_after_the_first_block_names_its_offset(tmp_path):
    path = tmp_path / "late.txt"
    good = b"plain words here\n" * 100_000  # 1.7 MB: past the sniffed start and a read block
    path.write_bytes(good + b"caf\xe9\n")
    corpus = open_corpus(str(path))  # the start is fine
    with pytest.raises(CorpusError, match=f"byte {len(good) + 3:,}"):
        _words(corpus)


def test_encoding_and_encoding_errors_are_chosen_by_the_caller(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\u00e9 cr\u00e8me.\n".encode("latin-1"))
    assert list(open_corpus(str(path), encoding="latin-1").sentences()) == [["café", "crème"]]
    assert list(open_corpus(str(path), encoding_errors="replace").sentences()) == [
        ["caf", "cr", "me"]
    ]
    with pytest.raises(ConfigError, match="unknown text encoding"):
        open_corpus(str(path), encoding="no-such-codec")
    with pytest.raises(ConfigError, match="error handler"):
        open_corpus(str(path), encoding_errors="sometimes")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_byte_order_mark_chooses_the_encoding(tmp_path, codec):
    text = "Once more unto the breach, dear friends.\nCafé crème!\n"
    path = tmp_path / "bom.txt"
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    path.write_bytes(data)
    assert list(open_corpus(str(path)).sentences()) == [
        ["once", "more", "unto", "the", "breach", "dear", "friends"], ["café", "crème"],
    ]


def test_a_binary_file_is_refused(tmp_path):
    program = tmp_path / "program"
    program.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    with pytest.raises(CorpusError, match="binary") as info:
        open_corpus(str(program))
    assert "byte 7" in str(info.value)


def test_utf16_without_a_bom_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("some words".encode("utf-16-le"))
    with pytest.raises(CorpusError, match="--encoding utf-16-le"):
        open_corpus(str(path))
    assert list(open_corpus(str(path), encoding="utf-16-le").sentences()) == [["some", "words"]]


def test_a_binary_stream_is_refused_while_read():
    read_end, write_end = os.pipe()
    writer = _write_in_thread(write_end, b"words first " + b"\x00" * 100)
    try:
        with pytest.raises(CorpusError, match="binary"):
            open_corpus(f"/dev/fd/{read_end}").check_not_empty()
    finally:
        writer.join()
        os.close(read_end)


# ------------------------------------------------------------------ item 9: directories
def test_a_directory_reads_only_text_and_reports_what_it_skipped(tmp_path):
    (tmp_path / "a.txt").write_text("The king is dead. Long live the king!\n")
    (tmp_path / "notes").write_text("no punctuation here\n")
    (tmp_path / "program").write_bytes(b"\x7fELF\x02\x01\x01\x00binary bytes here")
    kv = KeyedVectors(["king", "queen", "castle"], np.arange(12, dtype=np.float32).reshape(3, 4))
    for name in ("model.npz", "model.bin", "model.txt", "model.vec"):
        save(kv, tmp_path / name)
    save(kv, tmp_path / "model-no-suffix", format="txt")
    save(kv, tmp_path / "npz-named.txt", format="npz")
    (tmp_path / "glove.txt").write_text(
        "".join(f"{w} 0.1 0.2 0.3 0.4 0.5\n" for w in ("king", "queen", "castle"))
    )
    (tmp_path / "table.csv").write_text("king,queen\n")
    (tmp_path / ".hidden.txt").write_text("secret words\n")

    corpus = open_corpus(str(tmp_path))
    assert list(corpus.sentences()) == [
        ["the", "king", "is", "dead"], ["long", "live", "the", "king"],
        ["no", "punctuation", "here"],
    ]
    reasons = {Path(path).name: reason for path, reason in corpus.skipped}
    assert set(reasons) == {
        "program", "model.npz", "model.bin", "model.txt", "model.vec", "model-no-suffix",
        "npz-named.txt", "glove.txt", "table.csv",
    }
    assert "binary" in reasons["program"]
    assert reasons["model.npz"] == "not a text file name (.npz)"
    assert "zip" in reasons["npz-named.txt"]
    assert all("word2vec model" in reasons[n] for n in ("model.txt", "model-no-suffix"))
    assert "GloVe" in reasons["glove.txt"]
    assert "not a text file name (.csv)" == reasons["table.csv"]
    notes = corpus.skip_notes(limit=3)
    assert len(notes) == 4 and notes[-1] == "skipped 6 more files"


def test_a_model_file_given_as_the_corpus_is_refused(tmp_path):
    kv = KeyedVectors(["king", "queen"], np.ones((2, 3), dtype=np.float32))
    save(kv, tmp_path / "model.txt")
    with pytest.raises(CorpusError, match="word2vec model"):
        open_corpus(str(tmp_path / "model.txt"))


@pytest.mark.parametrize("kind, rows", [
    ("word2vec model", b"2 3\n\xd1\x85\xd0\xbe .1 .2 .3\nking .4 .5 .6\n"),
    ("GloVe vectors", b"".join(b"w%d .1 .2 .3 .4 .5\n" % i for i in range(4))),
])
def test_a_vector_file_with_a_byte_order_mark_is_no_corpus_either(tmp_path, kind, rows):
    path = tmp_path / "bom.vec"
    path.write_bytes(b"\xef\xbb\xbf" + rows)
    with pytest.raises(CorpusError, match=kind):
        open_corpus(str(path))


def test_a_directory_of_only_skipped_files_says_why(tmp_path):
    (tmp_path / "program").write_bytes(b"\x00\x01\x02")
    with pytest.raises(CorpusError, match="no text files.*program: binary"):
        open_corpus(str(tmp_path))


def test_fifos_and_links_inside_a_directory_are_skipped_and_listed(tmp_path):
    (tmp_path / "a.txt").write_text("words\n")
    os.mkfifo(tmp_path / "pipe")  # never waited on
    os.symlink(tmp_path, tmp_path / "loop")  # a folder linking to its parent
    os.symlink(tmp_path / "b", tmp_path / "c")
    os.symlink(tmp_path / "c", tmp_path / "b")
    os.symlink(tmp_path / "gone", tmp_path / "dangling")
    corpus = open_corpus(str(tmp_path))
    assert list(corpus.sentences()) == [["words"]]
    assert sorted(corpus.skipped) == [
        (str(tmp_path / "b"), "symlink loop"),
        (str(tmp_path / "c"), "symlink loop"),
        (str(tmp_path / "dangling"), "broken symlink"),
        (str(tmp_path / "loop"), "symlink to a folder, not followed"),
        (str(tmp_path / "pipe"), "not a regular file"),
    ]


# ------------------------------------------------------------------ item 12: NFC
def test_decomposed_text_gives_the_same_words_as_composed_text(tmp_path):
    composed = "Café naïve Straße. Ångström résumé!"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert tokenize(decomposed) == tokenize(composed) == [
        "café", "naïve", "straße", "ångström", "résumé",
    ]
    path = tmp_path / "nfd.txt"
    path.write_text(decomposed, encoding="utf-8")
    assert list(open_corpus(str(path)).sentences()) == [
        ["café", "naïve", "straße"], ["ångström", "résumé"],
    ]


def test_decomposed_queries_find_composed_words():
    kv = KeyedVectors(["café", "thé"], np.eye(2, dtype=np.float32))
    nfd = unicodedata.normalize("NFD", "café")
    assert kv.get_index(nfd) == 0 and nfd in kv


# ------------------------------------------------------------------ item 26: links
def test_a_symlink_loop_is_reported_as_such(tmp_path):
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    with pytest.raises(CorpusError, match="symlink loop"):
        open_corpus(str(tmp_path / "a"))


def test_a_broken_symlink_names_its_target(tmp_path):
    os.symlink(tmp_path / "gone.txt", tmp_path / "link.txt")
    with pytest.raises(CorpusError, match="gone.txt, which does not exist"):
        open_corpus(str(tmp_path / "link.txt"))


# ------------------------------------------------------------------ item 21: stop while reading
def test_stop_interrupts_reading_the_corpus(monkeypatch):
    import w2v_core.token_ids as encoding

    monkeypatch.setattr(encoding, "_BLOCK_TOKENS", 100)
    control = TrainingControl()
    read = 0

    def sentences():
        nonlocal read
        for read in range(1, 100_001):
            if read == 50:
                control.stop()  # as a UI thread would, while the corpus is read
            yield ["some", "words", "here"]

    with pytest.raises(ReadingStopped) as info:
        encode_corpus(sentences(), min_count=1, control=control)
    assert isinstance(info.value, StopTraining) and "reading" in str(info.value)
    assert read < 1000  # stopped after the next block, not at the end of the corpus


# ------------------------------------------------------------------ decoding by blocks
@pytest.mark.parametrize("block", [1, 2, 3, 7, 1 << 20])
def test_blocks_cut_anywhere_give_the_same_lines_and_offsets(tmp_path, monkeypatch, block):
    import w2v_core.reading as reading

    monkeypatch.setattr(reading, "_READ_BYTES", block)
    path = tmp_path / "lines.txt"
    path.write_bytes("one café\r\ntwo crème\rthree\n\nfour brûlée".encode())
    assert list(open_corpus(str(path)).sentences()) == [
        ["one", "café"], ["two", "crème"], ["three"], ["four", "brûlée"],
    ]
    bad = tmp_path / "bad.txt"
    data = "né\r\nnà\n".encode() + b"x\xff"
    bad.write_bytes(data)
    with pytest.raises(CorpusError, match=f"at byte {len(data) - 1} "):
        _words(open_corpus(str(bad)))
