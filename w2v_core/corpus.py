"""Opening corpora and tokenising text.

A corpus is named by one *spec* string:

- a UTF-8 text file (``.gz`` and ``.bz2`` are decompressed on the fly);
- a directory: every text file below it, in sorted order;
- ``nltk:NAME`` for an installed NLTK corpus (``nltk:brown``), or ``nltk:NAME/FILEID`` for one
  file of it (``nltk:gutenberg/shakespeare-hamlet.txt``); ``NLTK_DATA`` is honoured;
- ``builtin:hamlet`` (Hamlet, First Folio) or ``builtin:shakespeare`` (the complete works),
  both shipped inside the package.

Every corpus yields *sentences*: lists of lowercase tokens. A text file whose first 64 KB
hold no sentence punctuation (``. ! ?``) is taken as one sentence per line, as gensim's
``LineSentence`` and the C tool read it; other text is split at blank lines and at sentence
punctuation, so wrapped prose keeps its context across line breaks. A sentence longer than
:data:`MAX_SENTENCE_LENGTH` tokens is cut into pieces. Text is read as a stream: memory does
not grow with the corpus.
"""

from __future__ import annotations

import bz2
import gzip
import io
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO

from .errors import CorpusError

#: Longest sentence handed to the trainer; longer ones are cut (gensim uses 10000, the C tool 1000).
MAX_SENTENCE_LENGTH = 10_000

_TOKEN = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?]+")
_SNIFF_CHARS = 65_536
_TEXT_SUFFIXES = {".txt", ".text", ".gz", ".bz2", ".md", ".rst", ""}

BUILTIN_CORPORA = {
    "hamlet": "hamlet-first-folio.txt",
    "shakespeare": "shakespeare-complete-modern.txt.gz",
}


def tokenize(text: str) -> list[str]:
    """Split text into lowercase tokens: runs of letters, as the original NumPy demo did.

    The same rule is used for training and for queries, so ``"King's"`` gives
    ``["king", "s"]`` in both places.
    """
    return _TOKEN.findall(text.lower())


def builtin_path(filename: str) -> Path:
    """Path of a data file shipped in ``w2v_core/data`` (corpora and evaluation sets)."""
    path = Path(str(resources.files("w2v_core") / "data" / filename))
    if not path.is_file():
        raise CorpusError(f"bundled data file is missing from the installation: {filename}")
    return path


@dataclass(frozen=True)
class Corpus:
    """A re-iterable stream of tokenised sentences.

    Parameters
    ----------
    name : str
        The spec the corpus was opened from, for display.
    _open_sentences : callable
        Returns a fresh iterator over the sentences each time it is called.
    """

    name: str
    _open_sentences: Callable[[], Iterator[list[str]]]

    def sentences(self) -> Iterator[list[str]]:
        """Iterate over the sentences (lists of tokens), from the start, streaming."""
        return self._open_sentences()

    def __iter__(self) -> Iterator[list[str]]:
        return self.sentences()

    def check_not_empty(self) -> "Corpus":
        """Raise :class:`CorpusError` if the corpus holds no word (reads up to the first one)."""
        if next(self.sentences(), None) is None:
            raise CorpusError(f"corpus is empty: {self.name} contains no words")
        return self


def open_corpus(spec: str) -> Corpus:
    """Open a corpus spec; raise :class:`CorpusError` with one clear line if it cannot be read.

    Opening checks that the source exists and is readable; emptiness is detected when the
    vocabulary is built.
    """
    spec = str(spec).strip()
    if not spec:
        raise CorpusError("no corpus given")
    if spec.startswith("builtin:"):
        name = spec.split(":", 1)[1].strip().lower()
        if name not in BUILTIN_CORPORA:
            known = ", ".join(f"builtin:{n}" for n in BUILTIN_CORPORA)
            raise CorpusError(f"unknown built-in corpus {spec!r}; choose one of {known}")
        path = builtin_path(BUILTIN_CORPORA[name])
        return Corpus(spec, lambda: _file_sentences(path))
    if spec.startswith("nltk:"):
        return _open_nltk(spec)
    path = Path(spec).expanduser()
    if path.is_dir():
        files = _text_files_below(path)
        if not files:
            raise CorpusError(f"corpus directory has no text files: {spec}")
        return Corpus(spec, lambda: (s for f in files for s in _file_sentences(f)))
    if not path.exists():
        raise CorpusError(f"corpus not found: {spec}")
    if not os.access(path, os.R_OK):
        raise CorpusError(f"corpus is not readable: {spec}")
    _check_readable(path)
    return Corpus(spec, lambda: _file_sentences(path))


def split_sentences(lines: Iterable[str]) -> Iterator[list[str]]:
    """Turn lines of free text into tokenised sentences.

    A sentence ends at a blank line or at ``.``, ``!`` or ``?``; sentences longer than
    :data:`MAX_SENTENCE_LENGTH` are cut into pieces.
    """
    current: list[str] = []
    for line in lines:
        if not line.strip():
            if current:
                yield from _cut(current)
                current = []
            continue
        pieces = _SENTENCE_END.split(line)
        for i, piece in enumerate(pieces):
            current.extend(tokenize(piece))
            if i < len(pieces) - 1 and current:
                yield from _cut(current)
                current = []
        if len(current) >= MAX_SENTENCE_LENGTH:
            yield from _cut(current[:MAX_SENTENCE_LENGTH])
            current = current[MAX_SENTENCE_LENGTH:]
    if current:
        yield from _cut(current)


def line_sentences(lines: Iterable[str]) -> Iterator[list[str]]:
    """One sentence per non-empty line (cut at :data:`MAX_SENTENCE_LENGTH` tokens)."""
    for line in lines:
        tokens = tokenize(line)
        if tokens:
            yield from _cut(tokens)


def _cut(tokens: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(tokens), MAX_SENTENCE_LENGTH):
        yield tokens[start : start + MAX_SENTENCE_LENGTH]


def _open_text(path: Path) -> IO[str]:
    suffix = path.suffix.lower()
    if suffix == ".gz":
        raw: IO[bytes] = gzip.open(path, "rb")
    elif suffix == ".bz2":
        raw = bz2.open(path, "rb")
    else:
        raw = open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace")


def _check_readable(path: Path) -> None:
    """Read the first bytes so a corrupt archive fails before training, not during it."""
    try:
        with _open_text(path) as handle:
            handle.read(4096)
    except (OSError, EOFError, UnicodeError) as exc:
        raise CorpusError(f"cannot read corpus {path}: {exc}") from None


def _file_sentences(path: Path) -> Iterator[list[str]]:
    try:
        with _open_text(path) as handle:
            head = handle.read(_SNIFF_CHARS)
            lines = itertools.chain(io.StringIO(head + handle.readline()), handle)
            splitter = split_sentences if _SENTENCE_END.search(head) else line_sentences
            yield from splitter(lines)
    except (OSError, EOFError) as exc:
        raise CorpusError(f"cannot read corpus {path}: {exc}") from None


def _text_files_below(root: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith(".") or path.suffix.lower() not in _TEXT_SUFFIXES:
                continue
            files.append(path)
    return files


def _open_nltk(spec: str) -> Corpus:
    """Open ``nltk:NAME`` or ``nltk:NAME/FILEID`` without ever trying to download."""
    target = spec.split(":", 1)[1].strip()
    name, _, fileid = target.partition("/")
    if not name.isidentifier():
        raise CorpusError(f"not an NLTK corpus name: {spec!r} (use nltk:NAME or nltk:NAME/FILEID)")
    try:
        import nltk.corpus
        from nltk.data import path as nltk_paths
    except ImportError:  # pragma: no cover - nltk is a runtime dependency
        raise CorpusError("nltk is not installed; install it with: pip install nltk") from None
    reader = getattr(nltk.corpus, name, None)
    if reader is None:
        raise CorpusError(f"NLTK has no corpus called {name!r}")
    try:
        fileids = reader.fileids()
    except LookupError:
        searched = os.pathsep.join(nltk_paths[:4])
        raise CorpusError(
            f"NLTK corpus {name!r} is not installed; run: python -m nltk.downloader {name} "
            f"(needs network), or point NLTK_DATA at a folder containing corpora/{name} "
            f"(searched {searched})"
        ) from None
    if fileid:
        if fileid not in fileids:
            raise CorpusError(f"NLTK corpus {name!r} has no file {fileid!r}")
        fileids = [fileid]

    def sentences() -> Iterator[list[str]]:
        tokenized = _nltk_sentences(reader, fileids)
        if tokenized is not None:
            for sent in tokenized:
                tokens = tokenize(" ".join(sent))
                if tokens:
                    yield from _cut(tokens)
        else:
            for fid in fileids:
                yield from split_sentences(reader.raw(fid).splitlines())

    return Corpus(spec, sentences)


def _nltk_sentences(reader, fileids: list[str]) -> Iterator[list[str]] | None:
    """The reader's own sentences, or None when it has none without extra models.

    Plain-text NLTK corpora (abc, webtext, inaugural...) split sentences with the punkt
    model, which is often not installed; their raw text is split here instead.
    """
    if not hasattr(reader, "sents"):
        return None
    try:
        sents = iter(reader.sents(fileids))
        first = next(sents, None)
    except (LookupError, ValueError):
        return None
    return sents if first is None else itertools.chain([first], sents)
