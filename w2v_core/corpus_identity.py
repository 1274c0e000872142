"""Recognising a corpus again: what a checkpoint records so that a resumed run refuses a
changed corpus.

A corpus is identified by its spec and, for each file it reads, the file's size,
modification time and a fingerprint: a hash of the size and of 16 blocks of 64 KiB spread
over the file (the whole file below 1 MiB). Reading 1 MiB per file keeps the check quick on a
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
    files = []
    for path in corpus.files:
        try:
            st = path.stat()
            files.append({
                "path": str(path.resolve()),
                "size": st.st_size,
                "mtime_ns": st.st_mtime_ns,
                "fingerprint": fingerprint(path),
            })
        except OSError as exc:
            raise CorpusError(f"cannot read corpus file {path}: {os_error_reason(exc)}") from None
    return {
        "spec": corpus.name,
        "resolved": _resolved_spec(corpus),
        "rereadable": corpus.rereadable,
        "files": files,
        "text": dict(text or {}),
        "han_words": han_segmentation(),
    }


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
