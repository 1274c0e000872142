"""Word2vec text, binary and GloVe files in every script load what gensim loads (issue 21).

The bytes 0x85 and 0xA0 are Unicode whitespace once read as Latin-1, and they occur inside
UTF-8 letters (Cyrillic х is d1 85, Arabic م d9 85, Hebrew נ d7 a0, Devanagari अ e0 a4 85),
so every vocabulary here holds such letters. Words and vectors are compared exactly.
"""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import numpy as np
import pytest

from w2v_core import formats
from w2v_core.formats import source, text_rows
from w2v_core.cli import main as cli_main
from w2v_core.errors import ModelFormatError
from w2v_core.vectors import KeyedVectors

DIM = 5


def _span(first: int, last: int) -> str:
    return "".join(chr(c) for c in range(first, last + 1))


#: Per script: words that must survive (each list holds a letter with a 0x85 or 0xA0 byte) and
#: the letters random words are made of.
LATIN = "abcdefghijklmnopqrstuvwxyz" + _span(0xC0, 0xD6) + _span(0xD8, 0xF6) + _span(0x100, 0x17F)
SCRIPTS: dict[str, tuple[list[str], str]] = {
    "latin": (["Å2", "à", "café", "Ångström", "naïve", "straße"], LATIN),
    "polish": (["ząb", "łódź", "gęś", "źdźbło", "ąę"], "aąbcćdeęfghijklłmnńoóprsśtuwyzźż"),
    "greek": (["υγεία", "λόγος", "Πόλη", "Ελλάδα"], _span(0x3B1, 0x3C9) + _span(0x391, 0x3A9)),
    "cyrillic": (["хорошо", "Россия", "привет", "съешь"], _span(0x410, 0x44F) + "ёЁ"),
    "arabic": (["مرحبا", "كتاب", "السلام"], _span(0x621, 0x64A)),
    "hebrew": (["שלום", "נר", "ספר"], _span(0x5D0, 0x5EA)),
    "devanagari": (["अच्छा", "नमस्ते", "हिन्दी"], _span(0x905, 0x939) + _span(0x93E, 0x94D)),
    "chinese": (["中文", "你好", "丅", "汉字", "北京"], _span(0x4E00, 0x9FFF)),
    "japanese": (["日本語", "ムーン", "ひらがな", "カタカナ"],
                 _span(0x3041, 0x3096) + _span(0x30A1, 0x30FA)),
    "korean": (["한국어", "안녕하세요", "갅"], _span(0xAC00, 0xD7A3)),
    "thai": (["ภาษาไทย", "สวัสดี"], _span(0xE01, 0xE2E) + _span(0xE30, 0xE39)),
    "emoji": (["😀", "🐅", "🏠", "👍🏽", "👨\u200d👩\u200d👧", "🇵🇱"], _span(0x1F300, 0x1F64F)),
    # Unicode whitespace inside words: str.split() would cut them, the C tool and gensim do not.
    "separators": (["a\u0085b", "no\u00a0break", "\u00a0lead", "trail\u0085", "u\u2028v",
                    "ideo\u3000space", "en\u2002space", "x\u200by", "z\ufeffw", "fs\x1cgs\x1d"],
                   "ab\u0085\u00a0\u2028\u3000"),
}


def _vocabulary(script: str, size: int = 60) -> list[str]:
    """The fixed words of ``script`` and ``size`` random ones, each word once."""
    fixed, letters = SCRIPTS[script]
    rng = np.random.default_rng(sum(script.encode()))
    drawn = ["".join(rng.choice(list(letters), int(rng.integers(1, 6)))) for _ in range(size)]
    words = list(dict.fromkeys(fixed + drawn))
    raw = "".join(words).encode()
    assert b"\x85" in raw or b"\xa0" in raw, f"{script}: no byte that broke the reader"
    return words


def _every_script() -> list[str]:
    return list(dict.fromkeys(w for script in SCRIPTS for w in _vocabulary(script)))


def _keyed_vectors(words: list[str]) -> KeyedVectors:
    """Values of every magnitude, so text files hold exponents, negative zero and 9 digits."""
    rng = np.random.default_rng(len(words))
    scale = 10.0 ** rng.integers(-8, 8, size=(len(words), 1))
    vectors = (rng.standard_normal((len(words), DIM)) * scale).astype(np.float32)
    vectors[0, 0] = -0.0
    return KeyedVectors(words, vectors)


def _same(loaded: KeyedVectors, kv: KeyedVectors) -> None:
    assert loaded.words == kv.words
    assert loaded.vectors.tobytes() == kv.vectors.tobytes()


def _glove(text_file: Path, glove: Path) -> Path:
    """GloVe text: a word2vec text file without its header line."""
    glove.write_bytes(text_file.read_bytes().split(b"\n", 1)[1])
    return glove


def _files(kv: KeyedVectors, folder: Path) -> dict[str, Path]:
    """Our exports of ``kv``: word2vec text and binary, and GloVe."""
    formats.save(kv, folder / "m.txt")
    formats.save(kv, folder / "m.bin")
    return {"txt": folder / "m.txt", "bin": folder / "m.bin",
            "glove": _glove(folder / "m.txt", folder / "m.glove")}


# ------------------------------------------------------------------ our files, our reader
@pytest.mark.parametrize("script", SCRIPTS)
def test_our_exports_load_back_exactly(script: str, tmp_path: Path) -> None:
    kv = _keyed_vectors(_vocabulary(script))
    for kind, path in _files(kv, tmp_path).items():
        assert formats.detect_format(path) == kind
        _same(formats.load(path).wv, kv)
        _same(formats.load_word2vec_format(path), kv)
        if kind != "glove":  # written again from what was read: the same bytes
            formats.save(formats.load(path), tmp_path / f"again.{kind}")
            assert (tmp_path / f"again.{kind}").read_bytes() == path.read_bytes()


def test_every_script_in_one_file_across_block_boundaries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Blocks of 97 bytes cut rows inside multi-byte letters."""
    monkeypatch.setattr(source, "BLOCK_BYTES", 97)
    monkeypatch.setattr(source, "HEAD_BYTES", 64)
    kv = _keyed_vectors(_every_script())
    for path in _files(kv, tmp_path).values():
        _same(formats.load(path).wv, kv)
    limited = formats.load(tmp_path / "m.txt", limit=100).wv
    assert limited.words == kv.words[:100]


# ------------------------------------------------------------------ gensim's files and ours
@pytest.mark.parametrize("script", SCRIPTS)
def test_gensim_and_we_read_each_others_files(script: str, tmp_path: Path) -> None:
    models = pytest.importorskip("gensim.models")
    kv = _keyed_vectors(_vocabulary(script))
    theirs = models.KeyedVectors(DIM)
    theirs.add_vectors(kv.words, kv.vectors)
    for binary, ext in ((False, "txt"), (True, "bin")):
        path = tmp_path / f"gensim.{ext}"
        theirs.save_word2vec_format(str(path), binary=binary)
        _same(formats.load(path).wv, kv)
    assert (tmp_path / "gensim.txt").read_bytes() == _files(kv, tmp_path)["txt"].read_bytes()
    for kind, path in _files(kv, tmp_path).items():
        read = models.KeyedVectors.load_word2vec_format(
            str(path), binary=kind == "bin", no_header=kind == "glove"
        )
        assert read.index_to_key == kv.words
        assert read.vectors.tobytes() == kv.vectors.tobytes()


@pytest.mark.parametrize("unicode_errors", ["replace", "ignore"])
def test_stray_0x85_and_0xa0_bytes_in_words_read_as_gensim_reads_them(
    unicode_errors: str, tmp_path: Path
) -> None:
    """Latin-1 words (not UTF-8) holding the bytes themselves, in text and binary files."""
    models = pytest.importorskip("gensim.models")
    words = [b"x\x85y", b"\xa0z", b"caf\xe9", b"\xd1\x85\xa0", b"king"]
    vectors = np.arange(len(words) * DIM, dtype=np.float32).reshape(-1, DIM) / 7
    header = f"{len(words)} {DIM}\n".encode()
    text = header + b"".join(
        w + b" " + " ".join(str(v) for v in row).encode() + b"\n" for w, row in zip(words, vectors)
    )
    binary = header + b"".join(w + b" " + row.tobytes() + b"\n" for w, row in zip(words, vectors))
    for is_binary, data in ((False, text), (True, binary)):
        path = tmp_path / ("m.bin" if is_binary else "m.txt")
        path.write_bytes(data)
        expected = models.KeyedVectors.load_word2vec_format(
            str(path), binary=is_binary, unicode_errors=unicode_errors
        )
        loaded = formats.load(path, unicode_errors=unicode_errors).wv
        assert loaded.words == expected.index_to_key
        assert loaded.vectors.tobytes() == expected.vectors.tobytes()


def test_binary_words_keep_carriage_returns_as_gensim_does(tmp_path: Path) -> None:
    """Only the ``\\n`` the C tool ends rows with is skipped before a binary word (gensim's
    ``lstrip("\\n")``); a ``\\r`` at the start of a word is a letter of it."""
    models = pytest.importorskip("gensim.models")
    words = ["\rking", "ca\rt", "end\r", "\u00a0a", "t\tab", "x\x0by", "хорошо"]
    theirs = models.KeyedVectors(DIM)
    theirs.add_vectors(words, np.arange(len(words) * DIM, dtype=np.float32).reshape(-1, DIM))
    for binary in (True, False):
        path = tmp_path / ("g.bin" if binary else "g.txt")
        theirs.save_word2vec_format(str(path), binary=binary)
        expected = models.KeyedVectors.load_word2vec_format(str(path), binary=binary)
        loaded = formats.load(path).wv
        assert loaded.words == expected.index_to_key
        assert loaded.vectors.tobytes() == expected.vectors.tobytes()


@pytest.mark.parametrize("first", [b"6\n\x00?", b"12\n?", b"1 2\n"])
def test_binary_vectors_whose_bytes_read_as_a_short_text_row_stay_binary(
    first: bytes, tmp_path: Path
) -> None:
    """``word 6\\n...``: about one binary file in 5,000 was taken for text and did not load."""
    kv = _keyed_vectors(_vocabulary("cyrillic"))
    kv.vectors[0, : len(first) // 4] = np.frombuffer(first[: len(first) // 4 * 4], "<f4")
    path = tmp_path / "m.bin"
    formats.save(kv, path)
    assert path.read_bytes().split(b"\n", 1)[1].startswith(kv.words[0].encode() + b" " + first)
    assert formats.detect_format(path) == "bin"
    _same(formats.load(path).wv, kv)


# ------------------------------------------------------------------ how a row is split
ROWS = "хорошо .1 .2 .3\nking .4 .5 .6\n"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(("2 3\n" + ROWS).encode(), id="plain"),
        pytest.param(("2 3\n" + ROWS).replace("\n", " \t \n").encode(), id="trailing-spaces"),
        pytest.param(("2 3\n" + ROWS).replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(("2 3\n" + ROWS).replace("\n", "\x0b\x0c \r\n").encode(), id="trailing-ff"),
        pytest.param("2 3\nхо\tро .1 .2 .3\nki\x0bng\r .4 .5 .6\n".encode(), id="in-words"),
        pytest.param("2 3\nхорошо .1\u00a0 .2 .3\nking \uff14 1_5 .6\n".encode(), id="values"),
        pytest.param(("2 3\n" + ROWS).encode()[:-1], id="no-final-newline"),
    ],
)
def test_rows_split_as_gensim_splits_them(data: bytes, tmp_path: Path) -> None:
    """Trailing whitespace and CR are dropped; a tab, VT or CR inside a word stays in it; a
    value is what Python's float reads (gensim's rule)."""
    models = pytest.importorskip("gensim.models")
    path = tmp_path / "m.vec"
    path.write_bytes(data)
    expected = models.KeyedVectors.load_word2vec_format(str(path))
    loaded = formats.load(path).wv
    assert loaded.words == expected.index_to_key
    assert loaded.vectors.tobytes() == expected.vectors.tobytes()


def test_tab_separated_and_double_spaced_rows_read_like_single_spaced_ones(tmp_path: Path) -> None:
    """The C tool splits at spaces and tabs; gensim refuses these files, we read them."""
    (tmp_path / "plain.vec").write_text("2 3\n" + ROWS)
    (tmp_path / "tabs.vec").write_text("2 3\n" + ROWS.replace(" ", "\t"))
    (tmp_path / "spaces.vec").write_text("2 3\n" + ROWS.replace(" ", "  \t "))
    plain = formats.load(tmp_path / "plain.vec").wv
    assert plain.words == ["хорошо", "king"]
    for name in ("tabs.vec", "spaces.vec"):
        _same(formats.load(tmp_path / name).wv, plain)


def test_a_stray_byte_inside_a_value_is_refused_not_split(tmp_path: Path) -> None:
    """``1\\x852`` once read as the two values 1 and 2, shifting the row."""
    path = tmp_path / "m.vec"
    path.write_bytes(b"2 2\nab .1 .2\ncd 1\x852 3\n")
    with pytest.raises(ModelFormatError, match=r"m\.vec: line 3: a value is not a number"):
        formats.load(path)


@pytest.mark.parametrize("value", [b"1\x852", b"\xd1\x85", b"abc", b"1,5"])
def test_a_bad_value_in_the_first_row_is_named_not_blamed_on_the_header(
    value: bytes, tmp_path: Path
) -> None:
    """Such a file was taken for binary: "the rows fit 1" or "truncated" (gensim: ValueError
    or UnicodeDecodeError). Binary files stay binary (every other test here)."""
    path = tmp_path / "m.vec"
    path.write_bytes("2 3\nхорошо .1 ".encode() + value + " .3\nмир .4 .5 .6\n".encode())
    assert formats.detect_format(path) == "txt"
    with pytest.raises(ModelFormatError, match=r"m\.vec: line 2: a value is not a number"):
        formats.load(path)


# ------------------------------------------------------------------ byte-order marks
@pytest.mark.parametrize("kind", ["txt", "glove", "bin", "txt.gz"])
def test_a_byte_order_mark_before_the_first_line_is_ignored(kind: str, tmp_path: Path) -> None:
    kv = _keyed_vectors(_vocabulary("cyrillic"))
    files = _files(kv, tmp_path)
    data = codecs.BOM_UTF8 + files[kind.split(".")[0]].read_bytes()
    path = tmp_path / f"bom.{kind}"
    path.write_bytes(gzip.compress(data) if kind.endswith(".gz") else data)
    _same(formats.load(path).wv, kv)


# ------------------------------------------------------------------ the issue's files, CLI and TUI
def test_the_issue_examples_in_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    russian, shifted = tmp_path / "r.vec", tmp_path / "s.vec"
    russian.write_bytes("2 3\nхорошо .1 .2 .3\nking .4 .5 .6\n".encode())
    shifted.write_bytes(b"2 3\n\xc3\x852 .1 .2 .3\nking .4 .5 .6\n")
    assert cli_main(["info", str(russian)]) == 0
    assert "хорошо" in capsys.readouterr().out
    loaded = formats.load(shifted).wv
    assert loaded.words == ["Å2", "king"]
    assert loaded.vectors[0].tolist() == np.array([0.1, 0.2, 0.3], dtype=np.float32).tolist()


def test_cli_and_tui_open_a_model_in_every_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.options import resolve

    kv = _keyed_vectors(_every_script())
    for kind, path in _files(kv, tmp_path).items():
        assert cli_main(["info", str(path)]) == 0, kind
        out = capsys.readouterr().out
        assert f"{len(kv)} words" in out and kv.words[0] in out
        _same(resolve(["--model", str(path)]).model.wv, kv)


def test_files_in_every_script_stay_on_the_vectorised_parser(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Non-Latin words, CRLF line ends and trailing spaces need no row-by-row parsing."""

    def refuse(*args: object) -> None:
        raise AssertionError("a block was parsed row by row")

    monkeypatch.setattr(text_rows, "_read_rows_one_by_one", refuse)
    kv = _keyed_vectors(_every_script())
    files = _files(kv, tmp_path)
    text = files["txt"].read_bytes()
    (tmp_path / "crlf.txt").write_bytes(text.replace(b"\n", b"\r\n"))
    (tmp_path / "spaces.txt").write_bytes(text.replace(b"\n", b"  \t\x0c\r\n"))
    for path in (files["txt"], files["glove"], tmp_path / "crlf.txt", tmp_path / "spaces.txt"):
        _same(formats.load(path).wv, kv)
