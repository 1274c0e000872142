"""Model files: native .npz, word2vec text/binary, GloVe; round trips, bad files, atomicity."""

from __future__ import annotations

import gzip
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from w2v_core import formats
from w2v_core.formats import native, word2vec_binary, word2vec_text
from w2v_core.errors import ModelFormatError
from w2v_core.model import Model, TrainingSummary
from w2v_core.config import TrainConfig
from w2v_core.vectors import KeyedVectors

WORDS = ["the", "of", "and", "king", "queen", "käse", "日本", "naïve", "x", "zebra"]


@pytest.fixture
def kv() -> KeyedVectors:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((len(WORDS), 6)).astype(np.float32)
    vectors[0, 0] = 1e-5  # exponent notation in text files
    vectors[1, 1] = -0.0
    vectors[2, 2] = 123456789.0
    counts = np.arange(len(WORDS), 0, -1, dtype=np.int64) * 10
    return KeyedVectors(WORDS, vectors, counts)


@pytest.fixture
def model(kv: KeyedVectors) -> Model:
    output = np.random.default_rng(8).standard_normal(kv.vectors.shape).astype(np.float32)
    config = TrainConfig(dim=6, epochs=3, min_count=1, seed=11)
    summary = TrainingSummary(
        corpus_words=1234, words_trained=3702, pairs_trained=9999, epochs_completed=2.5,
        seconds=1.25, final_loss=float("nan"), stopped_early=True,
    )
    return Model(kv, output, config, summary)


def _rows(kv: KeyedVectors) -> list[tuple[str, np.ndarray]]:
    return list(zip(kv.words, kv.vectors))


def _single_line_error(excinfo: pytest.ExceptionInfo, path: Path) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    assert path.name in message
    return message


# ------------------------------------------------------------------ round trips
def test_native_round_trip_is_bit_exact(model: Model, tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    formats.save(model, path)
    loaded = formats.load(path)
    assert loaded.wv.words == model.wv.words
    assert loaded.wv.vectors.dtype == np.float32
    assert loaded.wv.vectors.tobytes() == model.wv.vectors.tobytes()
    assert loaded.output_vectors.tobytes() == model.output_vectors.tobytes()
    np.testing.assert_array_equal(loaded.wv.counts, model.wv.counts)
    assert loaded.config == model.config
    assert loaded.summary.to_dict().keys() == model.summary.to_dict().keys()
    assert loaded.summary.stopped_early and np.isnan(loaded.summary.final_loss)
    assert loaded.summary.epochs_completed == 2.5


def test_native_keyed_vectors_only(kv: KeyedVectors, tmp_path: Path) -> None:
    path = tmp_path / "kv.npz"
    formats.save(kv, path)
    loaded = formats.load(path)
    assert (loaded.output_vectors, loaded.config, loaded.summary) == (None, None, None)
    np.testing.assert_array_equal(loaded.wv.counts, kv.counts)
    assert loaded.wv.vectors.tobytes() == kv.vectors.tobytes()


def test_native_without_counts(tmp_path: Path) -> None:
    kv = KeyedVectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
    formats.save(kv, tmp_path / "m.npz")
    assert formats.load(tmp_path / "m.npz").wv.counts is None


@pytest.mark.parametrize("ext", ["bin", "txt", "vec"])
def test_word2vec_round_trip(kv: KeyedVectors, tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"v.{ext}"
    formats.save(kv, path)
    loaded = formats.load(path)
    assert (loaded.output_vectors, loaded.config, loaded.summary) == (None, None, None)
    assert loaded.wv.counts is None
    assert loaded.wv.words == kv.words
    # Text holds the shortest repr of each float32, so it is exact too.
    assert loaded.wv.vectors.tobytes() == kv.vectors.tobytes()


@pytest.mark.parametrize("ext", ["npz", "bin", "txt"])
def test_save_load_save_is_byte_identical(model: Model, tmp_path: Path, ext: str) -> None:
    first, second = tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"
    formats.save(model, first)
    formats.save(formats.load(first), second)
    assert first.read_bytes() == second.read_bytes()


def test_npz_entries_have_a_fixed_timestamp(model: Model, tmp_path: Path) -> None:
    formats.save(model, tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "format.npy" in zf.namelist()


def test_explicit_format_overrides_extension(kv: KeyedVectors, tmp_path: Path) -> None:
    path = tmp_path / "vectors.data"
    formats.save(kv, path, format="bin")
    assert formats.detect_format(path) == "bin"
    assert formats.load(path).wv.words == kv.words


def test_formats_are_detected_from_content(kv: KeyedVectors, tmp_path: Path) -> None:
    for ext, expected in [("npz", "npz"), ("bin", "bin"), ("txt", "txt")]:
        formats.save(kv, tmp_path / f"v.{ext}")
        misnamed = tmp_path / f"v-{ext}.bin" if ext != "bin" else tmp_path / "v-bin.txt"
        (tmp_path / f"v.{ext}").rename(misnamed)
        assert formats.detect_format(misnamed) == expected
        assert formats.load(misnamed).wv.words == kv.words


def test_text_format_matches_gensim_layout(tmp_path: Path) -> None:
    kv = KeyedVectors(["a", "b"], np.array([[0.1, -2.5], [1e-5, 3.0]], dtype=np.float32))
    formats.save(kv, tmp_path / "v.txt")
    assert (tmp_path / "v.txt").read_bytes() == b"2 2\na 0.1 -2.5\nb 1e-05 3.0\n"
    formats.save(kv, tmp_path / "v.bin")
    expected = b"2 2\n" + b"".join(
        w.encode() + b" " + row.astype("<f4").tobytes() + b"\n" for w, row in _rows(kv)
    )
    assert (tmp_path / "v.bin").read_bytes() == expected


# ------------------------------------------------------------------ other writers' files
def test_reads_c_tool_text_to_printed_precision(kv: KeyedVectors, tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    lines = [f"{len(kv)} {kv.dim}"]  # the C tool: "%s " then "%lf " per value
    lines += [w + " " + "".join(f"{v:f} " for v in row) for w, row in _rows(kv)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    loaded = formats.load(path).wv
    assert loaded.words == kv.words
    np.testing.assert_allclose(loaded.vectors, kv.vectors, rtol=0, atol=5e-7)


@pytest.mark.parametrize("newline", [b"\n", b""], ids=["c-tool", "gensim4"])
def test_reads_binary_with_or_without_row_newline(
    kv: KeyedVectors, tmp_path: Path, newline: bytes
) -> None:
    path = tmp_path / "v.bin"
    body = b"".join(w.encode() + b" " + r.astype("<f4").tobytes() + newline for w, r in _rows(kv))
    path.write_bytes(f"{len(kv)} {kv.dim}\n".encode() + body)
    loaded = formats.load(path).wv
    assert loaded.words == kv.words
    assert loaded.vectors.tobytes() == kv.vectors.tobytes()


def test_reads_glove_text(kv: KeyedVectors, tmp_path: Path) -> None:
    path = tmp_path / "glove.6B.6d.txt"
    path.write_text("".join(w + " " + " ".join(map(str, r)) + "\n" for w, r in _rows(kv)), "utf-8")
    assert formats.detect_format(path) == "glove"
    loaded = formats.load(path).wv
    assert loaded.words == kv.words
    assert loaded.vectors.tobytes() == kv.vectors.tobytes()


def test_reads_gzip_compressed_files(kv: KeyedVectors, tmp_path: Path) -> None:
    formats.save(kv, tmp_path / "v.bin")
    packed = tmp_path / "v.bin.gz"
    packed.write_bytes(gzip.compress((tmp_path / "v.bin").read_bytes()))
    assert formats.load(packed).wv.vectors.tobytes() == kv.vectors.tobytes()


def test_repeated_word_keeps_first_vector(tmp_path: Path) -> None:
    path = tmp_path / "dup.txt"
    path.write_text("3 2\na 1.0 2.0\nb 3.0 4.0\na 5.0 6.0\n")
    loaded = formats.load(path).wv
    assert loaded.words == ["a", "b"]
    np.testing.assert_array_equal(loaded["a"], [1.0, 2.0])


def test_invalid_utf8_word(tmp_path: Path) -> None:
    path = tmp_path / "cut.bin"
    vector = np.ones(2, "<f4").tobytes()
    path.write_bytes(b"2 2\nok " + vector + b"\ncaf\xc3 " + vector + b"\n")
    with pytest.raises(ModelFormatError, match="vector 2 is not valid UTF-8") as excinfo:
        formats.load(path)
    _single_line_error(excinfo, path)
    assert formats.load(path, unicode_errors="replace").wv.words == ["ok", "caf\ufffd"]
    assert formats.load_word2vec_format(path, unicode_errors="ignore").words == ["ok", "caf"]


def test_load_word2vec_format_forced_binary_flag(kv: KeyedVectors, tmp_path: Path) -> None:
    formats.save_word2vec_format(kv, tmp_path / "v.txt", binary=False)
    assert formats.load_word2vec_format(tmp_path / "v.txt", binary=False).words == kv.words
    with pytest.raises(ModelFormatError):
        formats.load_word2vec_format(tmp_path / "v.txt", binary=True)


def test_gensim_interoperability(kv: KeyedVectors, tmp_path: Path) -> None:
    gensim_models = pytest.importorskip("gensim.models")
    for binary, ext in [(True, "bin"), (False, "txt")]:
        ours, theirs = tmp_path / f"ours.{ext}", tmp_path / f"theirs.{ext}"
        formats.save(kv, ours)
        gkv = gensim_models.KeyedVectors.load_word2vec_format(str(ours), binary=binary)
        assert gkv.index_to_key == kv.words
        assert gkv.vectors.tobytes() == kv.vectors.tobytes()
        gkv.save_word2vec_format(str(theirs), binary=binary)
        back = formats.load(theirs).wv
        assert back.words == kv.words
        assert back.vectors.tobytes() == kv.vectors.tobytes()
    assert (tmp_path / "ours.txt").read_bytes() == (tmp_path / "theirs.txt").read_bytes()


# ------------------------------------------------------------------ bad files
def _foreign_npz(path: Path) -> None:
    with open(path, "wb") as fh:  # np.savez would append ".npz" to a path
        np.savez(fh, vectors=np.zeros((2, 2)))


def _newer_npz(path: Path, model: Model) -> None:
    arrays = native.native_arrays(model)
    arrays["format_version"] = np.array(native.FORMAT_VERSION + 1)
    with open(path, "wb") as fh:
        native.write_npz(fh, arrays)


def _drop_last_lines(path: Path, count: int) -> None:
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:-count]))


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


BAD_FILES = {
    "missing": (lambda p, m: None, "no such model file"),
    "directory": (lambda p, m: p.mkdir(), "is a directory"),
    "empty": (lambda p, m: p.write_bytes(b""), "is empty"),
    "random bytes": (
        lambda p, m: p.write_bytes(np.random.default_rng(0).bytes(3000)), "not a model file"
    ),
    "plain text": (lambda p, m: p.write_text("hello world\nthis is a corpus\n"), "not a model"),
    "foreign npz": (lambda p, m: _foreign_npz(p), "not a w2v-tui model"),
    "newer npz": (lambda p, m: _newer_npz(p, m), "newer w2v-tui"),
    "truncated npz": (
        lambda p, m: (formats.save(m, p, format="npz"), _truncate(p, 0.5)), "corrupt .npz"
    ),
    "truncated bin": (
        lambda p, m: (formats.save(m, p, format="bin"), _truncate(p, 0.5)),
        "truncated: expected 10 vectors, found 5",
    ),
    "truncated txt": (
        lambda p, m: (formats.save(m, p, format="txt"), _drop_last_lines(p, 3)),
        "truncated: expected 10 vectors, found 7",
    ),
    "header count too small": (
        lambda p, m: (formats.save(m, p, format="txt"), p.write_bytes(b"9" + p.read_bytes()[2:])),
        "header announces 9",
    ),
    "header count too small bin": (
        lambda p, m: (formats.save(m, p, format="bin"), p.write_bytes(b"9" + p.read_bytes()[2:])),
        "data after the 9 vectors",
    ),
    "header dim wrong": (
        lambda p, m: (formats.save(m, p, format="txt"), p.write_bytes(b"10 5" + p.read_bytes()[4:])),
        "header says 5 dimensions but line 2 has a word and 6 values .the header's dimension",
    ),
    "header zero dims": (lambda p, m: p.write_text("3 0\n"), "0 dimensions"),
    "not a number": (
        lambda p, m: p.write_text("2 2\na 1.0 2.0\nb 1.0 x\n"), "line 3: a value is not a number"
    ),
    "ragged glove": (
        lambda p, m: p.write_text("a 1.0 2.0\nb 1.0\n"), "line 2: expected a word and 2 values"
    ),
    "corrupt gzip": (lambda p, m: p.write_bytes(b"\x1f\x8b\x08\x00garbage"), "corrupt gzip"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_give_one_clear_line(case: str, model: Model, tmp_path: Path) -> None:
    make, expected = BAD_FILES[case]
    path = tmp_path / "model.bin"
    make(path, model)
    with pytest.raises(ModelFormatError, match=expected) as excinfo:
        formats.load(path)
    _single_line_error(excinfo, path)


def test_unknown_extension_names_the_allowed_ones(kv: KeyedVectors, tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match=r"\.npz.*\.bin.*\.txt.*\.vec"):
        formats.save(kv, tmp_path / "model.pkl")
    with pytest.raises(ModelFormatError, match="unknown model format"):
        formats.save(kv, tmp_path / "model.npz", format="pickle")
    assert list(tmp_path.iterdir()) == []


def test_words_the_format_cannot_store(tmp_path: Path) -> None:
    kv = KeyedVectors(["new york", "b"], np.ones((2, 2), dtype=np.float32))
    with pytest.raises(ModelFormatError, match="'new york'"):
        formats.save(kv, tmp_path / "v.txt")
    formats.save(kv, tmp_path / "v.npz")  # the native format stores spaces
    assert formats.load(tmp_path / "v.npz").wv.words == ["new york", "b"]
    assert list(tmp_path.iterdir()) == [tmp_path / "v.npz"]


def test_save_into_missing_directory(kv: KeyedVectors, tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match="cannot write"):
        formats.save(kv, tmp_path / "nope" / "v.npz")
    with pytest.raises(ModelFormatError, match="is a directory"):
        formats.save(kv, tmp_path, format="npz")


# ------------------------------------------------------------------ members without copies
@pytest.mark.parametrize("array", [
    np.array("w2v-tui-model"), np.array(3, dtype=np.int64), np.zeros((0, 4), np.float32),
    np.arange(12, dtype=np.float32).reshape(3, 4), np.asfortranarray(np.ones((3, 2))),
    np.arange(20)[::3], np.frombuffer("a\nbé".encode(), np.uint8),
    np.linspace(0, 1, 3_000_000, dtype=np.float32),  # several slices
])
def test_a_member_has_the_bytes_numpy_writes(array: np.ndarray) -> None:
    import io

    ours, numpys = io.BytesIO(), io.BytesIO()
    native.write_npy(ours, array)
    np.lib.format.write_array(numpys, np.asarray(array, order="C"), allow_pickle=False)
    assert ours.getvalue() == numpys.getvalue()
    assert np.array_equal(np.lib.format.read_array(io.BytesIO(ours.getvalue())), array)


def test_saving_a_large_model_copies_no_array(tmp_path: Path) -> None:
    """A zip member is written from the arrays' own bytes: saving 2 x 24 MB of vectors
    allocates far less than one of them (NumPy's own writer held two 16 MB copies)."""
    import tracemalloc

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(60_000)]
    model = Model(KeyedVectors(words, rng.random((60_000, 100), dtype=np.float32)),
                  rng.random((60_000, 100), dtype=np.float32))
    arrays = native.native_arrays(model)
    tracemalloc.start()
    try:
        with open(tmp_path / "m.npz", "wb") as fh:
            native.write_npz(fh, arrays)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20
    loaded = formats.load(tmp_path / "m.npz")
    assert np.array_equal(loaded.wv.vectors, model.wv.vectors)


# ------------------------------------------------------------------ atomicity
@pytest.mark.parametrize("ext", ["npz", "bin", "txt"])
def test_failed_save_keeps_old_file_and_leaves_no_temp(
    kv: KeyedVectors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ext: str
) -> None:
    path = tmp_path / f"model.{ext}"
    path.write_bytes(b"old contents")

    def failing_rows(words, vectors):
        yield b"half a row"
        raise RuntimeError("disk on fire")

    def failing_write_array(fh, array, **kwargs):
        fh.write(b"\x93NUMPY partial")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(word2vec_binary, "row_bytes", failing_rows)
    monkeypatch.setattr(word2vec_text, "row_bytes", failing_rows)
    monkeypatch.setattr(native, "write_npy", failing_write_array)
    with pytest.raises(RuntimeError, match="disk on fire"):
        formats.save(kv, path)
    assert path.read_bytes() == b"old contents"
    assert list(tmp_path.iterdir()) == [path]


def test_os_error_during_save_is_a_model_format_error(
    kv: KeyedVectors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model.npz"
    formats.save(kv, path)
    before = path.read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(ModelFormatError, match="No space left on device"):
        formats.save(KeyedVectors(["a", "b", "c"], np.eye(3, dtype=np.float32)), path)
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_saved_file_mode_follows_umask(kv: KeyedVectors, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        formats.save(kv, tmp_path / "v.npz")
    finally:
        os.umask(old)
    assert (tmp_path / "v.npz").stat().st_mode & 0o777 == 0o644
