"""The native ``.npz`` format: everything a model holds, in a NumPy ``.npz`` archive.

Input and output vectors, counts, the training configuration and summary, each an ``.npy``
member (words as UTF-8 text, configuration and summary as JSON), stored uncompressed with a
fixed timestamp so that equal models give equal files. Loading checks every member's
declared shape against the bytes it really holds before allocating it, and never unpickles.

An ensemble (:mod:`w2v_core.ensemble`) is its first model's file plus two members: the
other models' input vectors, ``ensemble_vectors`` (K - 1, words, dimensions), and
``ensemble`` (JSON: each run's seed and summary). The words are stored once. A reader that
ignores the two (an older w2v-tui) opens the first model.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..atomic import atomic_write
from ..config import TrainConfig
from ..errors import ModelFormatError
from ..model import Ensemble, Model, TrainingSummary
from ..run_state import TrainingState
from ..vectors import KeyedVectors
from .format import Format
from .rules import check_finite, check_words, checked_vectors, keyed_vectors
from .source import BLOCK_BYTES, Source

#: Written into every native file; an ``.npz`` without it is not ours.
FORMAT_TAG = "w2v-tui-model"
#: Version of the native layout; files from a newer version are refused.
FORMAT_VERSION = 1
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed entry timestamp: identical models give identical files
_WRITE_BYTES = 1 << 22  # bytes of an array handed to the zip member at a time (a view, not a copy)
_DEFLATE_MAX_RATIO = 1100  # deflate cannot expand data more than ~1032 times
_ROW_ARRAYS = ("vectors", "output_vectors", "counts")  # one row per word: ``limit`` applies
_NATIVE_ARRAYS = (
    "format", "format_version", "words", *_ROW_ARRAYS, "config", "summary", "training_state",
    "loss_curve", "ensemble", "ensemble_vectors",
)


def save(model: Model | KeyedVectors, path: Path) -> None:
    """Write everything ``model`` holds, atomically (bare vectors: words, vectors, counts)."""
    arrays = native_arrays(model)
    atomic_write(path, lambda fh: write_npz(fh, arrays))


def load(path: Path, source: Source, unicode_errors: str, limit: int | None) -> Model:
    """Read the archive at ``path`` by name (``source`` only told that it is a zip)."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = {info.filename: info for info in zf.infolist()}
            size = path.stat().st_size

            def read(name: str) -> np.ndarray | None:
                info = members.get(f"{name}.npy")
                if info is None:
                    return None
                rows = limit if name in _ROW_ARRAYS else None
                array = _read_npy(path, zf, info, size, rows)
                if name == "ensemble_vectors" and limit is not None and array.ndim == 3:
                    array = np.ascontiguousarray(array[:, :limit])  # rows are axis 1 here
                return array

            _check_tag(path, read("format"), read("format_version"))
            arrays = {name: read(name) for name in _NATIVE_ARRAYS[2:]}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile,
            zlib.error, NotImplementedError) as exc:
        raise ModelFormatError(f"{path}: corrupt .npz file ({exc})") from None
    return _model_from_arrays(path, arrays, unicode_errors, limit)


def sniff(path: Path, source: Source) -> bool:
    """A zip archive; whether it is ours is checked when it is loaded."""
    return source.is_zip


FORMAT = Format("npz", "native .npz", (".npz",), ("native",), save=save, load=load, sniff=sniff)


def native_arrays(model: Model | KeyedVectors) -> dict[str, np.ndarray]:
    """The named arrays of a native file, in the order they are written."""
    kv = keyed_vectors(model)
    check_words(kv.words, forbidden="\n", what="the native format")
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT_TAG),
        "format_version": np.array(FORMAT_VERSION, dtype=np.int64),
        "words": _utf8_array("\n".join(kv.words)),
        "vectors": np.asarray(kv.vectors, dtype=np.float32),
    }
    if kv.counts is not None:
        arrays["counts"] = np.asarray(kv.counts, dtype=np.int64)
    if isinstance(model, Model):
        if model.output_vectors is not None:
            arrays["output_vectors"] = np.asarray(model.output_vectors, dtype=np.float32)
        if model.config is not None:
            arrays["config"] = _json_array(model.config.to_dict())
        if model.summary is not None:
            arrays["summary"] = _json_array(model.summary.to_dict())
        if model.state is not None:
            arrays["training_state"] = _json_array(model.state.to_dict())
        if model.loss_curve is not None:
            arrays["loss_curve"] = np.asarray(model.loss_curve, dtype=np.float64)
        if model.ensemble is not None and len(model.ensemble) > 1:
            arrays.update(_ensemble_arrays(model))
    return arrays


def _ensemble_arrays(model: Model) -> dict[str, np.ndarray]:
    """The other members' vectors and each run's seed and summary (``model`` is the first)."""
    ensemble = model.ensemble
    assert ensemble is not None
    if ensemble.members[0].wv.words != model.wv.words:
        raise ModelFormatError("an ensemble is saved from its first member")
    runs = {
        "planned": ensemble.planned,
        "seeds": ensemble.seeds,
        "summaries": [None if m.summary is None else m.summary.to_dict() for m in ensemble.members],
    }
    return {
        "ensemble": _json_array(runs),
        "ensemble_vectors": np.stack([np.asarray(m.wv.vectors, dtype=np.float32)
                                      for m in ensemble.members[1:]]),
    }


class _ArchiveWriter(zipfile.ZipFile):
    """A ``ZipFile`` closed by its ``with`` block only, never when collected.

    A Ctrl-C inside the constructor or while a member is open leaves it half made; its own
    ``__del__`` would then close it again and print an "Exception ignored" traceback over the
    terminal. The save it belongs to is abandoned with its temporary file
    (:func:`w2v_core.atomic.atomic_write`), so nothing is left to close.
    """

    def __del__(self) -> None:
        pass


def write_npz(fh: IO[bytes], arrays: dict[str, np.ndarray]) -> None:
    """``np.savez`` with a fixed entry timestamp, so equal content gives equal bytes."""
    with _ArchiveWriter(fh, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.create_system = 3  # unix, on every platform
            info.external_attr = 0o644 << 16
            with zf.open(info, "w", force_zip64=True) as out:
                write_npy(out, array)


def write_npy(out: IO[bytes], array: np.ndarray) -> None:
    """``array`` as ``np.lib.format.write_array`` writes it (the same bytes), without copies.

    NumPy writes to a stream that is not a real file, such as a zip member, through a
    buffered iterator and ``tobytes``: two copies of 16 MB at a time, which set the peak
    memory of a large run at its save (benchmarks/README.md, "Saving without copies"). Here
    the header, then slices of the array's own bytes.
    """
    array = np.asarray(array, order="C")  # keeps a 0-d array 0-d, unlike ascontiguousarray
    if array.dtype.hasobject:
        raise ValueError("object arrays cannot be saved without pickling")
    np.lib.format.write_array_header_1_0(out, np.lib.format.header_data_from_array_1_0(array))
    data = memoryview(array.reshape(-1).view(np.uint8))
    for start in range(0, len(data), _WRITE_BYTES):
        out.write(data[start : start + _WRITE_BYTES])


def _utf8_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _json_array(data: dict[str, Any]) -> np.ndarray:
    return _utf8_array(json.dumps(data, sort_keys=True, separators=(",", ":")))


def _read_npy(
    path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive_size: int, rows: int | None
) -> np.ndarray:
    """One ``.npy`` member, its declared shape checked against the bytes it really holds."""
    name = info.filename[:-4]
    stored = info.compress_type == zipfile.ZIP_STORED
    if info.compress_size > archive_size or info.file_size > info.compress_size * (
        1 if stored else _DEFLATE_MAX_RATIO
    ):
        raise ModelFormatError(f"{path}: corrupt file: {name!r} declares more data than it holds")
    with zf.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise ModelFormatError(f"{path}: {name!r} uses an unknown .npy version {version}")
        if dtype.hasobject:
            raise ModelFormatError(f"{path}: {name!r} holds Python objects (refused)")
        available = info.file_size - fp.tell()
        declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if declared != available:
            raise ModelFormatError(
                f"{path}: corrupt file: {name!r} declares shape {tuple(shape)} "
                f"({declared:,} bytes) but holds {max(available, 0):,} bytes"
            )
        if fortran or not shape or rows is None or rows >= shape[0]:
            rows = shape[0] if shape else None
        out_shape = tuple(shape) if rows is None else (rows, *shape[1:])
        if fortran:
            out_shape = out_shape[::-1]
        array = np.empty(out_shape, dtype=dtype)
        view = memoryview(array.reshape(-1).view(np.uint8)) if array.size else memoryview(b"")
        done = 0
        while done < len(view):
            got = fp.readinto(view[done : done + BLOCK_BYTES])
            if not got:
                raise ModelFormatError(f"{path}: corrupt file: {name!r} is cut short")
            done += got
    return array.T if fortran else array


def _check_tag(path: Path, tag: np.ndarray | None, version: np.ndarray | None) -> None:
    if tag is None or tag.dtype.kind != "U" or tag.shape != () or str(tag) != FORMAT_TAG:
        raise ModelFormatError(f"{path} is a NumPy .npz archive but not a w2v-tui model")
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise ModelFormatError(f"{path}: w2v-tui model without a format version")
    if int(version) > FORMAT_VERSION:
        raise ModelFormatError(
            f"{path} was written by a newer w2v-tui (format version {int(version)}; "
            f"this version reads up to {FORMAT_VERSION})"
        )


def _model_from_arrays(
    path: Path, arrays: dict[str, np.ndarray | None], unicode_errors: str, limit: int | None
) -> Model:
    for name in ("words", "vectors"):
        if arrays.get(name) is None:
            raise ModelFormatError(f"{path}: w2v-tui model without {name!r}")
    vectors = arrays["vectors"]
    if vectors.ndim != 2 or vectors.dtype != np.float32:
        raise ModelFormatError(f"{path}: 'vectors' must be a 2-d float32 array")
    n = vectors.shape[0]
    words = _utf8_text(path, arrays["words"], "words", unicode_errors).split("\n")
    if limit is not None:
        words = words[:limit]
    if not n and words == [""]:
        words = []
    if len(words) != n:
        raise ModelFormatError(f"{path}: {len(words)} words for {n} vectors")
    counts = arrays.get("counts")
    if counts is not None and (counts.shape != (n,) or counts.dtype.kind not in "iu"):
        raise ModelFormatError(f"{path}: 'counts' must hold one integer per word")
    output = arrays.get("output_vectors")
    if output is not None and (output.shape != vectors.shape or output.dtype != np.float32):
        raise ModelFormatError(f"{path}: 'output_vectors' must have the shape of 'vectors'")
    kv, output = checked_vectors(path, words, vectors, counts, output)
    config = summary = None
    if arrays.get("config") is not None:
        config = _from_json(path, arrays["config"], "config", TrainConfig.from_dict)
    if arrays.get("summary") is not None:
        summary = _from_json(path, arrays["summary"], "summary", TrainingSummary.from_dict)
    state, curve = None, arrays.get("loss_curve")
    if arrays.get("training_state") is not None and limit is None:  # a part cannot resume
        state = _from_json(path, arrays["training_state"], "training_state", TrainingState.from_dict)
    if curve is not None and (curve.ndim != 2 or curve.shape[0] != 3 or curve.dtype != np.float64):
        raise ModelFormatError(f"{path}: 'loss_curve' must be a (3, n) float64 array")
    model = Model(kv, output, config, summary, state, curve)
    if arrays.get("ensemble") is None and arrays.get("ensemble_vectors") is None:
        return model
    return _ensemble_from_arrays(path, model, arrays, vectors.shape)


def _ensemble_from_arrays(
    path: Path, first: Model, arrays: dict[str, np.ndarray | None], shape: tuple[int, ...]
) -> Model:
    """The first model linked to its ensemble, every member checked like a model's vectors."""
    others, runs = arrays.get("ensemble_vectors"), arrays.get("ensemble")
    if others is None or runs is None:
        raise ModelFormatError(f"{path}: an ensemble needs both 'ensemble' and 'ensemble_vectors'")
    if others.ndim != 3 or others.shape[1:] != shape or others.dtype != np.float32:
        raise ModelFormatError(
            f"{path}: 'ensemble_vectors' must be a (runs - 1, {shape[0]}, {shape[1]}) float32 array"
        )
    info = _from_json(path, runs, "ensemble", _ensemble_info)
    k = others.shape[0] + 1
    if len(info["seeds"]) != k or len(info["summaries"]) != k:
        raise ModelFormatError(f"{path}: 'ensemble' describes {len(info['seeds'])} runs for {k} models")
    if len(first.wv) != shape[0]:  # a repeated word was dropped: the members' rows would not match
        raise ModelFormatError(f"{path}: an ensemble's words must be distinct")
    members = [first]
    for vectors, seed, summary in zip(others, info["seeds"][1:], info["summaries"][1:]):
        check_finite(path, vectors, first.wv.words)
        config = None if first.config is None or seed is None else replace(first.config, seed=seed)
        members.append(Model(KeyedVectors(first.wv.words, vectors, first.wv.counts), None, config,
                             summary))
    return Ensemble(members, info["planned"]).first


def _ensemble_info(data: dict) -> dict:
    """The ``ensemble`` member's JSON, its fields checked and the summaries built."""
    seeds, summaries, planned = data["seeds"], data["summaries"], data["planned"]
    if not isinstance(seeds, list) or not isinstance(summaries, list) or not isinstance(planned, int):
        raise ValueError("seeds and summaries must be lists, planned an integer")
    if not all(seed is None or isinstance(seed, int) for seed in seeds):
        raise ValueError("a seed must be an integer")
    summaries = [None if s is None else TrainingSummary.from_dict(s) for s in summaries]
    return {"seeds": seeds, "summaries": summaries, "planned": planned}


def _utf8_text(path: Path, array: np.ndarray, name: str, unicode_errors: str = "strict") -> str:
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ModelFormatError(f"{path}: {name!r} must be UTF-8 bytes")
    try:
        return array.tobytes().decode("utf-8", errors=unicode_errors)
    except UnicodeDecodeError:
        raise ModelFormatError(
            f"{path}: {name!r} is not valid UTF-8"
            + (" (open it with --unicode-errors replace or ignore)" if name == "words" else "")
        ) from None


def _from_json(path: Path, array: np.ndarray, name: str, build: Callable[[dict], Any]) -> Any:
    try:
        return build(json.loads(_utf8_text(path, array, name)))
    except ModelFormatError:
        raise
    except (ValueError, TypeError, KeyError) as exc:  # ConfigError is a ValueError
        raise ModelFormatError(f"{path}: unreadable {name} ({exc})") from None
