"""The format registry is the single source: every part that saves, loads, detects or lists
formats asks it, so a new format is one module and one registration line (issue 20)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import IO

import numpy as np
import pytest

from w2v_core import formats
from w2v_core.atomic import atomic_write
from w2v_core.cli import main
from w2v_core.cli import parser as cli_parser
from w2v_core.destination import check_output
from w2v_core.errors import ModelFormatError, UsageError
from w2v_core.formats.format import Format
from w2v_core.formats.registry import (
    FORMATS,
    export_formats,
    model_formats,
    readable_formats,
    register,
)
from w2v_core.formats.rules import checked_vectors, keyed_vectors
from w2v_core.model import Model
from w2v_core.vectors import KeyedVectors

MODEL_FORMATS = [f.name for f in model_formats()]
EXPORT_ONLY = [f.name for f in export_formats() if not f.readable]


@pytest.fixture
def kv() -> KeyedVectors:
    vectors = np.random.default_rng(1).standard_normal((6, 4)).astype(np.float32)
    return KeyedVectors(["the", "of", "käse", "日本", "x", "zebra"], vectors, np.arange(6, 0, -1))


def run(argv: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ------------------------------------------------------------------ every registered format
def test_model_formats_are_those_written_and_read_back() -> None:
    """What holds for any registry (a new format changes nothing here)."""
    assert {"npz", "bin", "txt"} <= set(MODEL_FORMATS) and "projector" in EXPORT_ONLY
    assert "glove" in [f.name for f in readable_formats()] and "glove" not in MODEL_FORMATS
    for fmt in FORMATS.values():
        assert fmt.sniff is not None or not fmt.readable
        assert all(s.startswith(".") and s == s.lower() for s in fmt.suffixes)


@pytest.mark.parametrize("name", MODEL_FORMATS)
def test_every_model_format_round_trips_and_is_detected_by_content(
    name: str, kv: KeyedVectors, tmp_path: Path
) -> None:
    fmt = FORMATS[name]
    for suffix in fmt.suffixes:
        path = tmp_path / f"m{suffix}"
        formats.save(kv, path)
        loaded = formats.load(path).wv
        assert loaded.words == kv.words
        assert loaded.vectors.tobytes() == kv.vectors.tobytes()
        assert formats.detect_format(path) == name
        misnamed = tmp_path / f"m{suffix}.dat"
        path.rename(misnamed)
        assert formats.detect_format(misnamed) == name


@pytest.mark.parametrize("name", MODEL_FORMATS)
def test_detection_by_suffix_and_name_matches_the_registry(name: str) -> None:
    fmt = FORMATS[name]
    for suffix in fmt.suffixes:
        assert formats.format_for(f"model{suffix}") == name
        assert formats.format_for(f"MODEL{suffix.upper()}") == name
    for alias in (fmt.name, *fmt.aliases):
        assert formats.format_for("model.whatever", alias) == name


@pytest.mark.parametrize("name", EXPORT_ONLY)
def test_export_only_formats_are_chosen_by_w2v_export_alone(name: str, tmp_path: Path) -> None:
    suffix = FORMATS[name].suffixes[0]
    assert formats.format_for(f"m{suffix}", exports=True) == name
    with pytest.raises(ModelFormatError, match="cannot tell the model format"):
        formats.format_for(f"m{suffix}")
    with pytest.raises(UsageError):
        check_output(tmp_path / f"m{suffix}")
    assert check_output(tmp_path / f"m{suffix}", exports=True) is FORMATS[name]


def test_formats_that_cannot_be_read_back_are_refused_by_name() -> None:
    for fmt in FORMATS.values():
        if fmt.name not in MODEL_FORMATS:
            with pytest.raises(ModelFormatError, match=f"use one of {', '.join(MODEL_FORMATS)}$"):
                formats.format_for("m.txt", fmt.name)


# ------------------------------------------------------------------ both front ends
def _suffixes_named_in(text: str) -> set[str]:
    return set(re.findall(r"\.[a-z]+\b", text))


def test_the_extensions_offered_for_saving_are_the_model_formats() -> None:
    offered = {s for f in model_formats() for s in f.suffixes}
    assert _suffixes_named_in(formats.ALLOWED_EXTENSIONS) == offered
    assert formats.ALLOWED_EXTENSIONS in cli_parser.OUT_HELP  # w2v train -o, w2v export
    import tui.screens.save

    assert tui.screens.save.ALLOWED_EXTENSIONS is formats.ALLOWED_EXTENSIONS  # the TUI's ctrl+s


def test_w2v_export_help_names_every_writable_format_and_model_help_every_readable_one() -> None:
    for fmt in export_formats():
        named = [fmt.help] if fmt.help else list(fmt.suffixes)
        assert all(text in cli_parser.EXPORT_HELP for text in named), fmt.name
    for fmt in readable_formats():
        assert fmt.description in cli_parser.MODEL_HELP


@pytest.mark.parametrize("name", [f.name for f in export_formats() if f.suffixes])
def test_w2v_export_writes_every_writable_format(
    name: str, kv: KeyedVectors, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "source.npz"
    formats.save(kv, source)
    fmt = FORMATS[name]
    out = tmp_path / f"out{fmt.suffixes[-1]}"
    code, stdout, err = run(["export", source, out], capsys)
    assert code == 0, err
    assert all(path.exists() for path in fmt.outputs(out))
    assert fmt.wrote(out) in stdout
    if fmt.readable:
        assert formats.load(out).wv.words == kv.words
        code, stdout, err = run(["info", out], capsys)
        assert code == 0 and fmt.description in stdout


# ------------------------------------------------------------------ a new format: one line
def _toy_save(model: Model | KeyedVectors, path: Path) -> None:
    vectors = keyed_vectors(model)
    data = {"words": vectors.words, "vectors": vectors.vectors.tolist()}

    def write(fh: IO[bytes]) -> None:
        fh.write(b"TOY\n" + json.dumps(data).encode())

    atomic_write(path, write)


def _toy_load(path: Path, source: object, unicode_errors: str, limit: int | None) -> Model:
    data = json.loads(path.read_bytes()[4:])
    vectors = np.array(data["vectors"], dtype=np.float32)[:limit]
    return Model(checked_vectors(path, data["words"][:limit], vectors)[0])


TOY = Format(
    "toy", "toy JSON vectors", (".toy",), save=_toy_save, load=_toy_load,
    sniff=lambda path, source: source.head.startswith(b"TOY\n"),  # type: ignore[attr-defined]
)


@pytest.fixture
def toy() -> Format:
    register(TOY)
    yield TOY
    del FORMATS[TOY.name]


def test_a_registered_format_is_saved_loaded_detected_and_offered_everywhere(
    toy: Format, kv: KeyedVectors, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.toy"
    formats.save(kv, path)
    assert formats.detect_format(path) == "toy"
    assert formats.load(path, limit=2).wv.words == kv.words[:2]
    assert formats.save_with_fallback(kv, tmp_path / "n.toy") == tmp_path / "n.toy"
    assert check_output(tmp_path / "o.toy") is toy
    source = tmp_path / "source.npz"
    formats.save(kv, source)
    code, stdout, err = run(["export", source, tmp_path / "e.toy"], capsys)
    assert code == 0 and "(toy JSON vectors)" in stdout, err
    code, stdout, err = run(["info", tmp_path / "e.toy"], capsys)
    assert code == 0 and "toy JSON vectors" in stdout, err


def test_a_format_cannot_take_another_formats_name_alias_or_suffix() -> None:
    before = list(FORMATS)
    for clash in (Format("npz", "x"), Format("x", "x", aliases=("binary",)),
                  Format("x", "x", (".vec",))):
        with pytest.raises(ValueError, match="already belongs to"):
            register(clash)
    with pytest.raises(ValueError, match="cannot be detected"):
        register(Format("x", "x", load=_toy_load))
    assert list(FORMATS) == before
