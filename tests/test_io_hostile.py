"""Hostile and unusual model files (issue 6 items 10, 11, 13, 17, 23, 24, 27; issue 9 --limit)."""

from __future__ import annotations

import bz2
import gzip
import zipfile
from pathlib import Path

import numpy as np
import pytest

from w2v_core import formats
from w2v_core.formats import native, rules, source
from w2v_core.errors import ConfigError, ModelFormatError
from w2v_core.model import Model
from w2v_core.vectors import KeyedVectors

WORDS = ["the", "of", "king", "queen", "käse", "x"]


@pytest.fixture
def kv() -> KeyedVectors:
    vectors = np.random.default_rng(5).standard_normal((len(WORDS), 6)).astype(np.float32)
    return KeyedVectors(WORDS, vectors, np.arange(len(WORDS), 0, -1) * 7)


def _one_line(excinfo: pytest.ExceptionInfo, path: Path) -> str:
    message = str(excinfo.value)
    assert "\n" not in message and path.name in message
    return message


def _write_glove(path: Path, kv: KeyedVectors) -> None:
    rows = [w + " " + " ".join(map(str, r)) + "\n" for w, r in zip(kv.words, kv.vectors)]
    path.write_text("".join(rows))


def _binary(words: list[bytes], vectors: np.ndarray, header: bytes | None = None) -> bytes:
    header = header or f"{len(words)} {vectors.shape[1]}\n".encode()
    rows = [w + b" " + v.astype("<f4").tobytes() + b"\n" for w, v in zip(words, vectors)]
    return header + b"".join(rows)


# ------------------------------------------------------------------ item 10: NaN / inf
@pytest.mark.parametrize("ext", ["npz", "bin", "txt", "glove"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_is_refused_naming_row_and_word(
    kv: KeyedVectors, tmp_path: Path, ext: str, bad: float
) -> None:
    kv.vectors[3, 2] = bad
    path = tmp_path / f"m.{ext}"
    if ext == "glove":
        _write_glove(path, kv)
    else:
        formats.save(kv, path)
    expected = r"vector 4 \(word 'queen'\) holds NaN or infinite"
    with pytest.raises(ModelFormatError, match=expected) as e:
        formats.load(path)
    _one_line(e, path)


def test_nan_in_native_output_vectors_is_refused(kv: KeyedVectors, tmp_path: Path) -> None:
    output = np.zeros_like(kv.vectors)
    output[1, 0] = np.nan
    formats.save(Model(kv, output), tmp_path / "m.npz")
    with pytest.raises(ModelFormatError, match=r"output vector 2 \(word 'of'\)"):
        formats.load(tmp_path / "m.npz")


# ------------------------------------------------------------------ item 11: one dedup rule
def test_duplicates_follow_one_rule_in_every_format(tmp_path: Path) -> None:
    words = ["a", "b", "a", "c", "b"]
    vectors = np.arange(10, dtype=np.float32).reshape(5, 2) + 1
    dup = KeyedVectors(words, vectors, np.array([9, 8, 7, 6, 5]))
    output = vectors * 10
    loaded = {}
    for ext in ("npz", "bin", "txt"):
        formats.save(Model(dup, output) if ext == "npz" else dup, tmp_path / f"d.{ext}")
        loaded[ext] = formats.load(tmp_path / f"d.{ext}")
    for model in loaded.values():
        assert model.wv.words == ["a", "b", "c"]
        np.testing.assert_array_equal(model.wv.vectors, vectors[[0, 1, 3]])
    np.testing.assert_array_equal(loaded["npz"].wv.counts, [9, 8, 6])
    np.testing.assert_array_equal(loaded["npz"].output_vectors, output[[0, 1, 3]])


def test_dedupe_is_shared_code(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = []
    real = rules.dedupe
    monkeypatch.setattr(rules, "dedupe", lambda *a: calls.append(1) or real(*a))
    kv = KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32))
    for ext in ("npz", "bin", "txt"):
        formats.save(kv, tmp_path / f"m.{ext}")
        formats.load(tmp_path / f"m.{ext}")
    assert len(calls) == 3


# ------------------------------------------------------------------ item 13: word counts
@pytest.mark.parametrize(
    "content", [b"the 1000\nof 900\nand 800\n", b"3 1\nthe 1000\nof 900\nand 800\n"]
)
def test_word_count_list_is_not_a_model(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "counts.txt"
    path.write_bytes(content)
    with pytest.raises(ModelFormatError, match="1-dimensional.*word-count list") as e:
        formats.load(path)
    _one_line(e, path)


# ------------------------------------------------------------------ item 17: declared shapes
def _npz_with_vectors_header(path: Path, shape: tuple[int, ...], payload: bytes) -> None:
    arrays = native.native_arrays(KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32)))
    with zipfile.ZipFile(path, "w") as zf:
        for name, array in arrays.items():
            if name == "vectors":
                with zf.open("vectors.npy", "w") as out:
                    header = {"descr": "<f4", "fortran_order": False, "shape": shape}
                    np.lib.format.write_array_header_1_0(out, header)
                    out.write(payload)
            else:
                with zf.open(f"{name}.npy", "w") as out:
                    np.lib.format.write_array(out, array)


@pytest.mark.parametrize("shape", [(10**12, 300), (2, 10**9), (3, 2)])
def test_npz_declaring_more_than_it_holds_is_corrupt(tmp_path: Path, shape: tuple) -> None:
    path = tmp_path / "huge.npz"
    _npz_with_vectors_header(path, shape, np.eye(2, dtype=np.float32).tobytes())
    with pytest.raises(ModelFormatError, match=r"corrupt file: 'vectors' declares shape") as e:
        formats.load(path)
    _one_line(e, path)


def test_binary_header_with_a_huge_count_is_truncated_not_out_of_memory(
    kv: KeyedVectors, tmp_path: Path
) -> None:
    path = tmp_path / "m.bin"
    raw = [w.encode() for w in kv.words]
    path.write_bytes(_binary(raw, kv.vectors, header=b"900000000000 6\n"))
    with pytest.raises(ModelFormatError, match="truncated: expected 900000000000 vectors, found 6"):
        formats.load(path)


# ------------------------------------------------------------------ item 23: unicode errors
def _fasttext_vec_with_latin1(path: Path) -> np.ndarray:
    """A fastText-style .vec (trailing space on each row) with two Latin-1 words."""
    vectors = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    words = [b"the", b"caf\xe9", "naïve".encode(), b"\xe9\xe8", b"\xe0"]
    rows = [w + b" " + " ".join(map(str, v)).encode() + b" " for w, v in zip(words, vectors)]
    lines = [b"5 4", *rows]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return vectors


def test_latin1_words_name_the_cli_option(tmp_path: Path) -> None:
    path = tmp_path / "wiki.vec"
    _fasttext_vec_with_latin1(path)
    with pytest.raises(ModelFormatError) as e:
        formats.load(path)
    message = _one_line(e, path)
    assert "vector 2" in message and "--unicode-errors replace" in message
    assert "unicode_errors=" not in message


def test_latin1_vec_opens_with_replace(tmp_path: Path) -> None:
    path = tmp_path / "wiki.vec"
    vectors = _fasttext_vec_with_latin1(path)
    kv = formats.load(path, unicode_errors="replace").wv
    assert kv.words == ["the", "caf\ufffd", "naïve", "\ufffd\ufffd", "\ufffd"]
    np.testing.assert_array_equal(kv.vectors, vectors)


@pytest.mark.parametrize("binary", [False, True])
def test_ignore_keeps_empty_words_the_way_gensim_does(tmp_path: Path, binary: bool) -> None:
    gensim_models = pytest.importorskip("gensim.models")
    path = tmp_path / ("wiki.bin" if binary else "wiki.vec")
    vectors = _fasttext_vec_with_latin1(tmp_path / "wiki.vec")
    if binary:
        raw = [b"the", b"caf\xe9", "naïve".encode(), b"\xe9\xe8", b"\xe0"]
        path.write_bytes(_binary(raw, vectors))
    ours = formats.load_word2vec_format(path, unicode_errors="ignore")
    theirs = gensim_models.KeyedVectors.load_word2vec_format(
        str(path), binary=binary, unicode_errors="ignore"
    )
    # gensim 4.4 leaves a None key behind after dropping the repeated "" word
    keys = [key for key in theirs.index_to_key if key is not None]
    assert ours.words == keys == ["the", "caf", "naïve", ""]
    np.testing.assert_array_equal(ours.vectors, theirs.vectors[: len(keys)])


@pytest.mark.parametrize("loader", [formats.load, formats.load_word2vec_format])
def test_unknown_unicode_errors_value_names_the_option(loader, tmp_path: Path) -> None:  # noqa
    formats.save(KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32)), tmp_path / "m.txt")
    expected = "--unicode-errors must be one of strict, replace, ignore"
    with pytest.raises(ConfigError, match=expected):
        loader(tmp_path / "m.txt", unicode_errors="backslashreplace")


def test_native_words_accept_unicode_errors(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    arrays = native.native_arrays(KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32)))
    arrays["words"] = np.frombuffer(b"a\n\xff", dtype=np.uint8)
    with open(path, "wb") as fh:
        native.write_npz(fh, arrays)
    with pytest.raises(ModelFormatError, match="--unicode-errors"):
        formats.load(path)
    assert formats.load(path, unicode_errors="replace").wv.words == ["a", "\ufffd"]


# ------------------------------------------------------------------ item 24: messages
@pytest.mark.parametrize("declared", [4, 5, 7, 8, 12])
def test_binary_with_a_wrong_header_dimension_says_so(
    kv: KeyedVectors, tmp_path: Path, declared: int
) -> None:
    path = tmp_path / "m.bin"
    raw = [w.encode() for w in kv.words]
    path.write_bytes(_binary(raw, kv.vectors, header=f"6 {declared}\n".encode()))
    for errors in ("strict", "replace", "ignore"):
        with pytest.raises(ModelFormatError, match="header's dimension looks wrong") as e:
            formats.load(path, unicode_errors=errors)
        message = _one_line(e, path)
        assert f"says {declared}, but the rows fit 6" in message
        assert "UTF-8" not in message and "empty word" not in message


def test_ragged_text_row_does_not_read_as_a_contradiction(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    rows = ["w%d " % i + " ".join(["0.5"] * 20) for i in range(3)]
    rows[2] = "w2 " + " ".join(["0.5"] * 19)
    path.write_text("3 20\n" + "\n".join(rows) + "\n")
    with pytest.raises(ModelFormatError) as e:
        formats.load(path)
    message = _one_line(e, path)
    assert "line 4: expected a word and 20 values, found a word and 19 values" in message
    assert "20 fields" not in message


def test_text_with_a_wrong_header_dimension_says_so(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    path.write_text("2 3\na 1 2\nb 3 4\n")
    with pytest.raises(ModelFormatError, match="header's dimension looks wrong"):
        formats.load(path)


# ------------------------------------------------------------------ item 27: bz2 and padding
@pytest.mark.parametrize("ext", ["bin", "txt"])
@pytest.mark.parametrize("compress", [bz2.compress, gzip.compress], ids=["bz2", "gz"])
def test_compressed_files(kv: KeyedVectors, tmp_path: Path, ext: str, compress) -> None:  # noqa
    formats.save(kv, tmp_path / f"m.{ext}")
    packed = tmp_path / f"m.{ext}.{compress.__module__}"
    packed.write_bytes(compress((tmp_path / f"m.{ext}").read_bytes()))
    loaded = formats.load(packed).wv
    assert loaded.words == kv.words and loaded.vectors.tobytes() == kv.vectors.tobytes()
    assert formats.detect_format(packed) == ext


def test_corrupt_bz2_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.bin.bz2"
    path.write_bytes(b"BZh91AY&SYgarbage-garbage")
    with pytest.raises(ModelFormatError, match="corrupt bz2 data") as e:
        formats.load(path)
    _one_line(e, path)


@pytest.mark.parametrize("padding", [b"\n", b"\n\n\n", b"   \n", b"\x00" * 100, b"\n\x00\x00 \t"])
def test_trailing_padding_after_binary_vectors_is_tolerated(
    kv: KeyedVectors, tmp_path: Path, padding: bytes
) -> None:
    path = tmp_path / "m.bin"
    formats.save(kv, path)
    path.write_bytes(path.read_bytes() + padding)
    assert formats.load(path).wv.vectors.tobytes() == kv.vectors.tobytes()
    gensim_models = pytest.importorskip("gensim.models")
    theirs = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=True)
    assert theirs.index_to_key == kv.words


# ------------------------------------------------------------------ --limit
@pytest.mark.parametrize("ext", ["npz", "bin", "txt", "glove", "txt.gz", "bin.bz2"])
def test_limit_reads_only_the_first_vectors(kv: KeyedVectors, tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"m.{ext}"
    if ext == "glove":
        _write_glove(path, kv)
    elif ext.endswith((".gz", ".bz2")):
        plain = tmp_path / f"plain.{ext.split('.')[0]}"
        formats.save(kv, plain)
        packer = gzip.compress if ext.endswith(".gz") else bz2.compress
        path.write_bytes(packer(plain.read_bytes()))
    else:
        formats.save(kv, path)
    model = formats.load(path, limit=3)
    assert model.wv.words == kv.words[:3]
    assert model.wv.vectors.tobytes() == kv.vectors[:3].tobytes()
    if ext == "npz":
        np.testing.assert_array_equal(model.wv.counts, kv.counts[:3])
    assert formats.load(path, limit=100).wv.words == kv.words


def test_limit_reads_a_file_damaged_after_the_limit(kv: KeyedVectors, tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    formats.save(kv, path)
    path.write_bytes(path.read_bytes() + b"junk row\n")
    with pytest.raises(ModelFormatError):
        formats.load(path)
    assert formats.load(path, limit=4).wv.words == kv.words[:4]
    assert formats.load_word2vec_format(path, limit=2).words == kv.words[:2]


@pytest.mark.parametrize("limit", [0, -1, 2.5, True])
def test_limit_must_be_a_positive_whole_number(kv: KeyedVectors, tmp_path: Path, limit) -> None:
    formats.save(kv, tmp_path / "m.npz")
    with pytest.raises(ConfigError, match="--limit"):
        formats.load(tmp_path / "m.npz", limit=limit)


def test_blocks_larger_than_one_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Rows that straddle block boundaries, in both formats, give the same vectors."""
    monkeypatch.setattr(source, "BLOCK_BYTES", 97)
    monkeypatch.setattr(source, "HEAD_BYTES", 64)
    rng = np.random.default_rng(2)
    vectors = rng.standard_normal((300, 7)).astype(np.float32)
    kv = KeyedVectors([f"word{i}" for i in range(300)], vectors)
    for ext in ("bin", "txt"):
        formats.save(kv, tmp_path / f"m.{ext}")
        loaded = formats.load(tmp_path / f"m.{ext}").wv
        assert loaded.words == kv.words and loaded.vectors.tobytes() == kv.vectors.tobytes()
