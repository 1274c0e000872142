"""Opening corpora and tokenising text.

A corpus is named by one *spec* string:

- a text file (``.gz``, ``.bz2`` and ``.xz`` are decompressed on the fly), UTF-8 unless
  another encoding is asked for or a byte-order mark says so (see :mod:`w2v_core.reading`);
- a pipe, FIFO or device (``/dev/stdin``, ``<(...)``): read once, as it arrives;
- a directory: every text file below it, in sorted order; binaries, model files and files
  without a text file name are left out and listed in :attr:`Corpus.skipped`;
- ``nltk:NAME`` for an installed NLTK corpus (``nltk:brown``), or ``nltk:NAME/FILEID`` for one
  file of it (``nltk:gutenberg/shakespeare-hamlet.txt``); ``NLTK_DATA`` is honoured;
- ``builtin:hamlet`` (Hamlet, First Folio) or ``builtin:shakespeare`` (the complete works),
  both shipped inside the package.

Every corpus yields *sentences*: lists of lowercase, NFC-normalised tokens. A text file whose
first 64 KB hold no sentence punctuation (``. ! ?``) is taken as one sentence per line, as
gensim's ``LineSentence`` and the C tool read it; other text is split at blank lines and at
sentence punctuation, so wrapped prose keeps its context across line breaks. A sentence
longer than :data:`MAX_SENTENCE_LENGTH` tokens is cut into pieces. Text is read as a stream:
memory does not grow with the corpus.
"""

from __future__ import annotations

import errno
import functools
import itertools
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import CorpusError
from .reading import (
    BinaryFileError,
    TextOptions,
    WaitNotice,
    is_stream,
    not_text_reason,
    read_lines,
)

#: Longest sentence handed to the trainer; longer ones are cut (gensim uses 10000, the C tool 1000).
MAX_SENTENCE_LENGTH = 10_000

_TOKEN = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?]+")
_SNIFF_CHARS = 65_536
_TEXT_SUFFIXES = {".txt", ".text", ".gz", ".bz2", ".xz", ".md", ".rst", ""}

BUILTIN_CORPORA = {
    "hamlet": "hamlet-first-folio.txt",
    "shakespeare": "shakespeare-complete-modern.txt.gz",
}


def tokenize(text: str) -> list[str]:
    """Split text into lowercase tokens: runs of letters, as the original NumPy demo did.

    Text is first normalised to NFC, so a letter followed by a combining accent (NFD, as
    macOS writes file names and some corpora their text) makes one letter, as its
    precomposed form does; combining marks stay with their letter (``"हिन्दी"`` is one
    word). ``"King's"`` gives ``["king", "s"]``.
    """
    if text.isascii():  # isascii is O(1); most lines need no normalising
        return _TOKEN.findall(text.lower())
    text = unicodedata.normalize("NFC", text)
    return _word_pattern().findall(text.lower())


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    """Letters with the combining marks that follow them (Unicode categories Mn, Mc, Me).

    Without the marks, Devanagari, Tamil, Thai... words fall apart at every vowel sign:
    ``"हिन्दी"`` would give ``["ह", "न", "द"]``. Built on the first non-ASCII text, not at
    import: the marks of this Python's Unicode version are listed from ``unicodedata``, which
    takes a noticeable moment (measurements: benchmarks/README.md, "w2v_core/corpus.py").
    """
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    marks = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(rf"(?:[^\W\d_][{marks}]*)+")


def builtin_path(filename: str) -> Path:
    """Path of a data file shipped in ``w2v_core/data`` (corpora and evaluation sets)."""
    path = Path(str(resources.files("w2v_core") / "data" / filename))
    if not path.is_file():
        raise CorpusError(f"bundled data file is missing from the installation: {filename}")
    return path


@dataclass
class Corpus:
    """A stream of tokenised sentences, re-iterable unless it comes from a pipe.

    Parameters
    ----------
    name : str
        The spec the corpus was opened from, for display.
    _open_sentences : callable
        Returns a fresh iterator over the sentences each time it is called.
    rereadable : bool
        False for a pipe, FIFO or device: it is read once, so :meth:`sentences` can be
        called once (after :meth:`check_not_empty`, which keeps what it read).
    skipped : list of (str, str)
        Files of a directory corpus left out, each with the reason (binary, a model file,
        not a text file name...). Front ends show them: see :meth:`skip_notes`.
    """

    name: str
    _open_sentences: Callable[[], Iterator[list[str]]]
    rereadable: bool = True
    skipped: list[tuple[str, str]] = field(default_factory=list)
    _pending: Iterator[list[str]] | None = field(default=None, init=False, repr=False)
    _started: bool = field(default=False, init=False, repr=False)

    def sentences(self) -> Iterator[list[str]]:
        """Iterate over the sentences (lists of tokens), from the start, streaming.

        Raises
        ------
        CorpusError
            For a pipe whose sentences were already handed out: it cannot be read twice.
        """
        if self._pending is not None:
            pending, self._pending = self._pending, None
            return pending
        if not self.rereadable and self._started:
            raise CorpusError(
                f"{self.name} is a pipe or device and was already read; it can be read only "
                "once (save it to a file to train on it again)"
            )
        self._started = True
        return self._open_sentences()

    def __iter__(self) -> Iterator[list[str]]:
        return self.sentences()

    def check_not_empty(self) -> "Corpus":
        """Raise :class:`CorpusError` if the corpus holds no word (reads up to the first one).

        For a pipe, what was read is kept: the next :meth:`sentences` starts with it.
        """
        sentences = self.sentences()
        first = next(sentences, None)
        if first is None:
            raise CorpusError(f"corpus is empty: {self.name} contains no words")
        if self.rereadable:
            getattr(sentences, "close", lambda: None)()  # a generator: close its file now
        else:
            self._pending = itertools.chain([first], sentences)
        return self

    def skip_notes(self, limit: int = 5) -> list[str]:
        """One printable line per skipped file (at most ``limit``, then a count of the rest)."""
        notes = [f"skipped {path}: {reason}" for path, reason in self.skipped[:limit]]
        if len(self.skipped) > limit:
            notes.append(f"skipped {len(self.skipped) - limit} more files")
        return notes


def open_corpus(
    spec: str,
    *,
    encoding: str | None = None,
    encoding_errors: str = "strict",
    on_wait: WaitNotice | None = None,
) -> Corpus:
    """Open a corpus spec; raise :class:`CorpusError` with one clear line if it cannot be read.

    Opening checks that the source exists, is readable and is text (the start of each file
    is read; a pipe is not touched). Emptiness is detected when the vocabulary is built, or
    at once by :meth:`Corpus.check_not_empty`.

    Parameters
    ----------
    spec : str
        A path (file, directory, pipe), ``nltk:NAME[/FILEID]`` or ``builtin:NAME``.
    encoding : str or None
        Text encoding of the files (a Python codec name). None detects a byte-order mark
        (UTF-8, UTF-16, UTF-32) and otherwise reads UTF-8.
    encoding_errors : str
        ``"strict"`` refuses bytes invalid in the encoding, naming the file and the byte
        offset; ``"replace"`` or ``"ignore"`` read on.
    on_wait : callable, optional
        Called with a one-line message when reading a pipe has to wait for input (a FIFO
        nobody writes to yet), so a front end can say so instead of hanging silently.

    Raises
    ------
    CorpusError
        Missing, unreadable, binary or model file; symlink loop; no text file in a directory.
    ConfigError
        Unknown encoding or error handler.
    """
    options = TextOptions(encoding, encoding_errors)
    spec = str(spec).strip()
    if not spec:
        raise CorpusError("no corpus given")
    if spec.startswith("builtin:"):
        name = spec.split(":", 1)[1].strip().lower()
        if name not in BUILTIN_CORPORA:
            known = ", ".join(f"builtin:{n}" for n in BUILTIN_CORPORA)
            raise CorpusError(f"unknown built-in corpus {spec!r}; choose one of {known}")
        path = builtin_path(BUILTIN_CORPORA[name])
        return Corpus(spec, lambda: _file_sentences(path, spec, TextOptions()))
    if spec.startswith("nltk:"):
        return _open_nltk(spec)
    path = Path(spec).expanduser()
    if stat.S_ISDIR(_stat_mode(path, spec)):
        files, skipped = _text_files_below(path, options)
        if not files:
            detail = f" ({len(skipped)} skipped, e.g. {skipped[0][0]}: {skipped[0][1]})" if skipped else ""
            raise CorpusError(f"corpus directory has no text files: {spec}{detail}")
        return Corpus(
            spec,
            lambda: (s for f in files for s in _file_sentences(f, str(f), options)),
            skipped=skipped,
        )
    if not os.access(path, os.R_OK):
        raise CorpusError(f"corpus is not readable: {spec}")
    if is_stream(path):
        return Corpus(spec, lambda: _file_sentences(path, spec, options, on_wait), rereadable=False)
    reason = not_text_reason(path, options)
    if reason:
        raise CorpusError(f"corpus {spec} is {reason}")
    return Corpus(spec, lambda: _file_sentences(path, spec, options))


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


def _stat_mode(path: Path, spec: str) -> int:
    """``st_mode`` of ``path``, with a clear error for a missing path, broken link or loop."""
    try:
        return path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise CorpusError(f"corpus path is a symlink loop: {spec}") from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            if path.is_symlink():
                raise CorpusError(
                    f"corpus not found: {spec} is a symlink to {os.readlink(path)}, "
                    "which does not exist"
                ) from None
            raise CorpusError(f"corpus not found: {spec}") from None
        if exc.errno == errno.EACCES:
            raise CorpusError(f"corpus is not readable: {spec}") from None
        raise CorpusError(f"cannot open corpus {spec}: {exc.strerror or exc}") from None


def _file_sentences(
    path: Path, name: str, options: TextOptions, on_wait: WaitNotice | None = None
) -> Iterator[list[str]]:
    """Sentences of one file or pipe; the first 64 KB choose prose or one sentence a line."""
    lines = read_lines(path, name, options, on_wait)
    head: list[str] = []
    size = 0
    for line in lines:
        head.append(line)
        size += len(line)
        if size >= _SNIFF_CHARS:
            break
    prose = any(_SENTENCE_END.search(line) for line in head)
    splitter = split_sentences if prose else line_sentences
    yield from splitter(itertools.chain(head, lines))


def _text_files_below(
    root: Path, options: TextOptions
) -> tuple[list[Path], list[tuple[str, str]]]:
    """Text files below ``root`` in sorted order, and ``(path, reason)`` for those left out.

    Hidden files and folders (``.git``, w2v's own ``.NAME.XXXX.tmp``) are left out silently.
    """
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []

    def unlistable(exc: OSError) -> None:
        skipped.append((str(exc.filename), f"folder cannot be read ({exc.strerror})"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in dirnames:  # os.walk does not descend into them (no loops)
            if os.path.islink(os.path.join(dirpath, name)):
                skipped.append((os.path.join(dirpath, name), "symlink to a folder, not followed"))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            reason = _skip_reason(path, options)
            if reason:
                skipped.append((str(path), reason))
            else:
                files.append(path)
    return files, skipped


def _skip_reason(path: Path, options: TextOptions) -> str | None:
    """Why a file in a directory corpus is not read, or None to read it."""
    suffix = path.suffix.lower()
    if suffix not in _TEXT_SUFFIXES:
        return f"not a text file name ({suffix})"
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return "symlink loop" if exc.errno == errno.ELOOP else "broken symlink"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if not os.access(path, os.R_OK):
        return "not readable"
    try:
        return not_text_reason(path, options)
    except BinaryFileError:
        return "binary, not text"


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
