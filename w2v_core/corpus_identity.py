"""Recognising a corpus again: what a checkpoint records so that a resumed run refuses a
changed corpus.

A corpus is identified by its spec and, for each file it reads, the file's size,
modification time and a fingerprint: a hash of the size and of 16 blocks of 64 KiB spread
over the file (the whole file below 1 MiB); a corpus of more than :data:`LISTED_FILES` files
by one digest of them all. Reading 1 MiB per file keeps the check quick on a
corpus of many gigabytes; an edit the blocks miss still changes the word counts, which the
resumed run compares with the checkpoint's vocabulary (:func:`w2v_core.resume.reopen_corpus`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from .corpus import Corpus, han_segmentation
from .errors import CorpusError, os_error_reason

#: Blocks hashed per file, and their size.
FINGERPRINT_BLOCKS, FINGERPRINT_BLOCK_BYTES = 16, 1 << 16
#: Corpora of more files than this are recorded as one digest of every file's path, size and
#: fingerprint (a checkpoint of 100,000 files listed one by one held ~15 MB of JSON).
LISTED_FILES = 1000


class CorpusChangedError(CorpusError):
    """The corpus a checkpoint was trained on is not the one given now."""


def fingerprint(path: Path) -> str:
    """A hex digest of ``path``'s size and of blocks spread over it (see the module notes)."""
    digest = hashlib.blake2b(digest_size=16)
    size = path.stat().st_size
    digest.update(size.to_bytes(8, "little"))
    with open(path, "rb") as fh:
        if size <= FINGERPRINT_BLOCKS * FINGERPRINT_BLOCK_BYTES:
            digest.update(fh.read())
        else:
            step = (size - FINGERPRINT_BLOCK_BYTES) // (FINGERPRINT_BLOCKS - 1)
            for i in range(FINGERPRINT_BLOCKS):
                fh.seek(i * step)
                digest.update(fh.read(FINGERPRINT_BLOCK_BYTES))
    return digest.hexdigest()


def identify(corpus: Corpus, text: dict[str, Any] | None = None) -> dict[str, Any]:
    """The identity a checkpoint records for ``corpus`` (plain data, JSON-able).

    Parameters
    ----------
    corpus : Corpus
    text : dict, optional
        How its text is read: the keyword arguments of
        :func:`~w2v_core.corpus.open_corpus`, recorded so that a resumed run reads it the same
        way.

    Raises
    ------
    CorpusError
        A file of the corpus cannot be read.
    """
    listed: list[dict[str, Any]] = []
    digest = hashlib.blake2b(digest_size=16)  # of them all, for a corpus of many files
    size = 0
    for path in corpus.files:
        entry = _file_entry(path)
        if len(listed) < LISTED_FILES:  # no dict per file past it (100,000 files: ~40 MB)
            listed.append(entry)
        digest.update(_digest_line(entry))
        size += entry["size"]
    identity: dict[str, Any] = {
        "spec": corpus.name,
        "resolved": _resolved_spec(corpus),
        "rereadable": corpus.rereadable,
        "text": dict(text or {}),
        "han_words": han_segmentation(),
    }
    if len(corpus.files) > LISTED_FILES:
        identity["files_digest"] = digest.hexdigest()
        identity["file_count"] = len(corpus.files)
        identity["bytes"] = size
    else:
        identity["files"] = listed
    return identity


def _file_entry(path: Path) -> dict[str, Any]:
    """What is recorded of one file of the corpus."""
    try:
        st = path.stat()
        return {
            "path": str(path.resolve()),
            "size": st.st_size,
            "mtime_ns": st.st_mtime_ns,
            "fingerprint": fingerprint(path),
        }
    except OSError as exc:
        raise CorpusError(f"cannot read corpus file {path}: {os_error_reason(exc)}") from None


def _digest_line(f: dict[str, Any]) -> bytes:
    """A file's part of the digest of many files: its path, size and fingerprint (not the
    modification time: a corpus copied elsewhere, or only touched, is the same corpus)."""
    return f"{f['path']}\0{f['size']}\0{f['fingerprint']}\n".encode("utf-8", "surrogateescape")


def check_unchanged(recorded: dict[str, Any], corpus: Corpus) -> list[str]:
    """Refuse ``corpus`` unless it is the one ``recorded``; return notes for the user.

    The files must have the recorded sizes and fingerprints, in order; a file only touched
    (same content, newer modification time, e.g. copied to another machine) gives a note.

    Raises
    ------
    CorpusChangedError
        Naming the first difference and what to do.
    """
    if not recorded.get("rereadable", True):
        return [f"the checkpoint's corpus was a pipe ({recorded.get('spec')}): it cannot be "
                "compared; the vocabulary is checked instead"]
    now = identify(corpus)
    if "files_digest" in recorded or "files_digest" in now:
        return _check_digest(recorded, now, corpus)
    was, files = recorded.get("files", []), now["files"]
    if len(was) != len(files):
        raise CorpusChangedError(
            f"the corpus changed since the checkpoint: {corpus.name} holds {len(files)} "
            f"file(s), the checkpoint's corpus held {len(was)}; resume needs the same text"
        )
    notes = []
    for old, new in zip(was, files):
        if old["size"] != new["size"] or old["fingerprint"] != new["fingerprint"]:
            raise CorpusChangedError(
                f"the corpus changed since the checkpoint: {new['path']} is "
                f"{new['size']:,} bytes with other content (it was {old['size']:,} bytes); "
                "resume needs the same text (to train further on new text, use --init)"
            )
        if old["mtime_ns"] != new["mtime_ns"]:
            notes.append(f"{new['path']} has a new modification time but the same content")
    return notes


def _check_digest(recorded: dict[str, Any], now: dict[str, Any], corpus: Corpus) -> list[str]:
    """:func:`check_unchanged` for a corpus of many files, recorded as one digest."""
    if recorded.get("files_digest") == now.get("files_digest") is not None:
        return []
    count, was_count = now.get("file_count", len(now.get("files", []))), recorded.get(
        "file_count", len(recorded.get("files", [])))
    size = now.get("bytes", sum(f["size"] for f in now.get("files", [])))
    was_size = recorded.get("bytes", sum(f["size"] for f in recorded.get("files", [])))
    raise CorpusChangedError(
        f"the corpus changed since the checkpoint: {corpus.name} holds {count:,} file(s) of "
        f"{size:,} bytes, the checkpoint's corpus {was_count:,} of {was_size:,} bytes"
        f"{' with other content' if (count, size) == (was_count, was_size) else ''}; "
        "resume needs the same text (to train further on new text, use --init)"
    )


def _resolved_spec(corpus: Corpus) -> str:
    """The spec with a path made absolute, so a resumed run finds it from another directory
    (a pipe, a built-in or an NLTK corpus keeps its spec)."""
    spec = corpus.name
    if not corpus.files or not corpus.rereadable or spec.startswith(("builtin:", "nltk:")):
        return spec
    try:
        return str(Path(spec).expanduser().resolve())
    except OSError:
        return spec
