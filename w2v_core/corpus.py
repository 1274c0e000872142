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

Every corpus yields *sentences*: lists of lowercase, NFKC-normalised tokens (see
:func:`tokenize` for the rules of each script). A text file whose first 64 KB hold no
sentence punctuation (``. ! ?``, ``。！？``) is taken as one sentence per line, as gensim's
``LineSentence`` and the C tool read it; other text is split at blank lines and at sentence
punctuation, so wrapped prose keeps its context across line breaks. ``line_sentences``
(``--line-sentences``, ``--no-line-sentences``) forces either rule. A sentence longer than
:data:`MAX_SENTENCE_LENGTH` tokens is cut into pieces. Text is read as a stream: memory does
not grow with the corpus.
"""

from __future__ import annotations

import bisect
import errno
import functools
import itertools
import os
import re
import stat
import sys
import time
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TypeVar

from .config import DOTLESS_I_LANGUAGES, TextConfig
from .errors import CorpusError
from .path_list import PathList
from .reading import (
    BinaryFileError,
    ByteMeter,
    TextOptions,
    WaitNotice,
    is_stream,
    not_text_reason,
    range_encoding,
    read_lines,
    read_range_lines,
)
from .byte_ranges import cut_points, part_share

#: Longest sentence handed to the trainer; longer ones are cut (gensim uses 10000, the C tool 1000).
MAX_SENTENCE_LENGTH = 10_000
#: Lines :func:`line_sentences` tokenises at a time, and about the most characters: the
#: pieces of a one-line corpus (a million characters each) go one at a time, so that a batch
#: and its copies never hold much of the corpus.
_LINE_BATCH = 256
_BATCH_CHARS = 1 << 16

_TOKEN = re.compile(r"[^\W\d_]+")
#: ASCII letters, spaces and line breaks only: text whose words are its pieces between spaces
#: (a match is ~3x quicker than removing the spaces and asking ``isalpha``: benchmarks/README.md,
#: "Reading per core")
_PLAIN = re.compile(r"[A-Za-z \n]*")
#: Sentence punctuation: ASCII, the ideographic and full-width forms of CJK text, the
#: Devanagari danda and double danda (``। ॥``), the Arabic question mark ``؟`` and the Urdu
#: full stop ``۔``.
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f\uff0e\uff61\u0964\u0965\u061f\u06d4]+")
_SNIFF_CHARS = 65_536
_TEXT_SUFFIXES = {".txt", ".text", ".gz", ".bz2", ".xz", ".md", ".rst", ""}
#: Han ideographs (with the iteration mark 々 and the ideographic numbers 〇〡..〩), and kana.
_HAN = (
    "\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0003ffff"
)
_HIRAGANA = "\u3041-\u309f"
_KATAKANA = "\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
#: Runs of Han, of hiragana, of katakana: written without spaces, split by :func:`_cjk_words`.
_CJK_RUN = re.compile(f"([{_HAN}]+|[{_HIRAGANA}]+|[{_KATAKANA}]+)")
_MAYBE_CJK = re.compile("[\u3005-\U0003ffff]")
#: Characters :func:`_plain_words` looks at first, so that raw text fails quickly, and the
#: batches of lines in other scripts left unchecked after one failed (:class:`_PlainLines`).
_PLAIN_HEAD = 64
_PLAIN_WORDS_WAIT = 7
#: Characters of pieces a :class:`_Tokenizer` remembers before it starts afresh, and the
#: longest piece it remembers (a longer one is split each time): ~3 MB for words of 7
#: letters, ~12 MB at most (pieces of 32 Han characters, each its own word).
_PIECE_CHARS = 1 << 17
_PIECE_LONGEST = 32
#: Of the texts :meth:`_Tokenizer.other_script_words` splits, one in ``_PIECE_SAMPLE`` is
#: timed (a timing costs ~0.1 us) unless shorter than ``_PIECE_TIMED_CHARS``, one timed
#: text in ``_PIECE_PROBE`` goes the way that costs more, and each way's cost is a running
#: mean that gives a new timing ``_PIECE_COST_WEIGHT``.
_PIECE_SAMPLE = 8
_PIECE_TIMED_CHARS = 24
_PIECE_PROBE = 4
_PIECE_COST_WEIGHT = 0.2
#: Texts looked up whatever they cost, so that the lookups are judged on a table that holds
#: the frequent pieces, not an empty one.
_PIECE_WARM_UP = 512
#: Lowercasing of languages with a dotless i (``--lang tr``): ``I`` is ``ı``, ``İ`` is ``i``.
_DOTLESS_I = str.maketrans({"I": "\u0131", "\u0130": "i"})

T = TypeVar("T")
#: One source of a corpus's sentences for a reading process, counting its bytes in a meter.
Part = Callable[[ByteMeter], Iterator[list[str]]]

BUILTIN_CORPORA = {
    "hamlet": "hamlet-first-folio.txt",
    "shakespeare": "shakespeare-complete-modern.txt.gz",
}


def tokenize(text: str, lang: str | None = None) -> list[str]:
    """Split text into lowercase words: runs of letters, as the original NumPy demo did.

    Non-ASCII text is first normalised to NFKC, so that a letter followed by a combining
    accent (NFD, as macOS writes) is one letter, and compatibility forms (the ligature
    ``ﬁ``, full-width ``ｆｕｌｌ``, half-width kana, ``²``) read as the letters they stand
    for. Combining marks stay with their letter (``"हिन्दी"`` is one word); digits,
    punctuation, symbols and emoji separate words and are dropped. ``"King's"`` gives
    ``["king", "s"]``. ``İ`` lowercases to ``i`` (Python's ``lower()`` adds a stray
    combining dot).

    Scripts written without spaces: Han gives one token per character, or the words of
    jieba when it is installed (``pip install w2v-tui[chinese]``); hiragana one token per
    character; a katakana run (mostly loanwords) one token. Thai, Lao, Khmer and Burmese
    stay runs of letters between spaces (often whole phrases; :func:`open_corpus` warns).

    Parameters
    ----------
    text : str
        Any text; a line or a sentence.
    lang : {None, "tr", "az"}
        ``"tr"`` or ``"az"`` lowercase ``I`` to dotless ``ı``, as Turkish and Azerbaijani do.
    """
    return tokenizer(lang)(text)


def tokenizer(lang: str | None = None) -> Callable[[str], list[str]]:
    """The tokenising function for ``lang`` (see :func:`tokenize`), chosen once per corpus so
    that reading does not test the language at every line: a method of the corpus's own
    :class:`_Tokenizer`, gone when its reading ends.

    Raises
    ------
    ConfigError
        For a language without rules of its own (only ``tr`` and ``az`` have them).
    """
    TextConfig(lang=lang).validate()
    table = _Tokenizer()
    return table.tokens if lang is None else table.dotless_i_tokens


def normal_form(text: str) -> str:
    """``text`` as :func:`tokenize` sees it before splitting: NFKC, lowercase, ``İ`` as ``i``.

    Lookups use it too, so a word typed as ``İstanbul`` or ``ﬁle`` finds the ``istanbul``
    or ``file`` a corpus gave.
    """
    return unicodedata.normalize("NFKC", text).replace("\u0130", "i").lower()


def _words(text: str, table: _Tokenizer) -> list[str]:
    """The words of normalised, lowercase text. Text that is mostly ASCII goes piece by piece
    between whitespace (no word spans it): an ASCII piece by the ASCII rule, the others by
    :func:`_unicode_words`. Text mostly in another script goes by
    :meth:`_Tokenizer.other_script_words`."""
    if len(text.encode("utf-8", "surrogatepass")) - len(text) > len(text) // 8:
        return table.other_script_words(text)
    words: list[str] = []
    for piece in text.split():  # _Tokenizer.__missing__'s rule, inline: a call a piece costs 15-25%
        if not piece.isascii():
            words += _unicode_words(piece)
        elif piece.isalpha():
            words.append(piece)
        else:
            words += _TOKEN.findall(piece)
    return words


class _Tokenizer(dict):
    """A corpus's tokenizer (:func:`tokenizer`): the rule of :func:`tokenize`, with a table
    of the pieces of text between whitespace it has split. A piece is split by the rule the
    first time it is asked for (``__missing__``) and then looked up; the table holds pieces
    of at most :data:`_PIECE_LONGEST` characters and starts afresh at :data:`_PIECE_CHARS`
    characters, so it holds a few MB at most, whatever the text.

    Text mostly in another script is split whichever way has cost less per character so far
    (:meth:`other_script_words`): by :func:`_unicode_words` in one pass, whose Unicode classes
    cost 60-330 ns a character by script, or piece by piece in the table (~50 ns a piece
    found, ~2 us one missed). Lookups win where words repeat between spaces (Korean, Hindi,
    Chinese already cut into words) and lose where pieces rarely repeat (Chinese and Japanese
    clauses, Thai phrases): benchmarks/README.md, "Reading per core". Both ways give the same
    words; only the time differs.
    """

    def __init__(self) -> None:
        super().__init__()
        self.cost = [0.0, 0.0]  # running seconds a character: one pass, lookups
        self.texts = 0
        self.lookup = True  # the way texts go until the next timing
        self.chars = 0  # characters of the pieces held

    def tokens(self, text: str) -> list[str]:
        """:func:`tokenize` of ``text``."""
        if text.isascii():  # isascii is O(1); most lines need no normalising
            text = text.lower()
            # letters and spaces only (tokenised text, text8): the same words, split ~2x
            # faster than by the pattern; other text pays one failed match (a line break
            # splits words either way)
            if _PLAIN.fullmatch(text):
                return text.split()
            return _TOKEN.findall(text)
        return _words(normal_form(text), self)

    def dotless_i_tokens(self, text: str) -> list[str]:
        """:func:`tokenize` of ``text`` for a language with a dotless i."""
        if text.isascii() and "I" not in text:  # NFKC and the dotless i change nothing here
            return self.tokens(text)
        return _words(unicodedata.normalize("NFKC", text).translate(_DOTLESS_I).lower(), self)

    def other_script_words(self, text: str) -> list[str]:
        """The words of normalised text mostly in another script, split the way that has cost
        less so far (after :data:`_PIECE_WARM_UP` texts looked up). One text in
        :data:`_PIECE_SAMPLE` (long enough) is timed, and one timed text in
        :data:`_PIECE_PROBE` goes the other way, so that both costs stay known; the others
        pay one test for the choice."""
        self.texts += 1
        if self.texts % _PIECE_SAMPLE or len(text) < _PIECE_TIMED_CHARS:
            return self._looked_up(text) if self.lookup else _unicode_words(text)
        lookup = self.lookup ^ (not self.texts % (_PIECE_SAMPLE * _PIECE_PROBE))
        start = time.perf_counter()
        words = self._looked_up(text) if lookup else _unicode_words(text)
        spent = (time.perf_counter() - start) / len(text)
        self.cost[lookup] += (spent - self.cost[lookup]) * _PIECE_COST_WEIGHT
        # lookups get cheaper by being made (the table fills): the first texts make them
        self.lookup = self.cost[1] <= self.cost[0] or self.texts <= _PIECE_WARM_UP
        return words

    def _looked_up(self, text: str) -> list[str]:
        """The words of ``text`` piece by piece from the table; in one pass where its pieces
        are longer than :data:`_PIECE_LONGEST` on average (a run of Han without spaces), as
        no lookup could pay there."""
        if len(text) > _PIECE_LONGEST * (text.count(" ") + 1):
            return _unicode_words(text)
        return list(itertools.chain.from_iterable(map(self.__getitem__, text.split())))

    def __missing__(self, piece: str) -> Sequence[str]:
        if piece.isascii():
            words = [piece] if piece.isalpha() else _TOKEN.findall(piece)
        else:
            words = _unicode_words(piece)
        if len(piece) > _PIECE_LONGEST:
            return words
        if self.chars + len(piece) > _PIECE_CHARS:
            self.clear()
            self.chars = 0
        self[piece] = held = tuple(words)
        self.chars += len(piece)
        return held


def _plain_words(text: str) -> bool:
    """Is ``text`` (not all ASCII) letters between spaces and line breaks only, in NFKC,
    without ``İ`` and without Han or kana? Its lowercase split at whitespace is then what
    :func:`tokenize` gives (text already tokenised, in any other script), found 1.6-2.4x
    quicker than by the general rule (benchmarks/README.md, "Text tokenised in other
    scripts").

    The checks go from the quickest to fail: raw text fails in its first characters (a
    punctuation mark, a digit), and Han is found from the first character of its range on.
    """
    head = text[:_PLAIN_HEAD].replace(" ", "").replace("\n", "")
    if head and not head.isalpha():
        return False
    maybe = _MAYBE_CJK.search(text)
    if maybe is not None and _CJK_RUN.search(text, maybe.start()) is not None:
        return False
    return (text.replace(" ", "").replace("\n", "").isalpha() and "\u0130" not in text
            and unicodedata.is_normalized("NFKC", text))


def _unicode_words(text: str) -> list[str]:
    """:func:`_words` of text that is not all ASCII."""
    if _MAYBE_CJK.search(text) is None:  # one range: much quicker than _CJK_RUN's classes
        return _word_pattern().findall(text)
    if _han_segmenter() is list:  # one Han character a word: one findall gives them all
        return _cjk_word_pattern().findall(text)
    return _words_by_run(text)


def _words_by_run(text: str) -> list[str]:
    """:func:`_words` of text with CJK: the CJK runs cut out, each split by :func:`_cjk_words`."""
    words: list[str] = []
    for i, piece in enumerate(_CJK_RUN.split(text)):  # odd pieces are the CJK runs
        words.extend(_cjk_words(piece) if i % 2 else _word_pattern().findall(piece))
    return words


def _cjk_words(run: str) -> list[str]:
    """Words of one run of Han, of hiragana or of katakana (see :func:`tokenize`)."""
    first = run[0]
    if "\u30a1" <= first <= "\u30ff" or "\u31f0" <= first <= "\u31ff":
        return [run]
    if "\u3041" <= first <= "\u309f":
        return list(run)
    return _han_segmenter()(run)


def han_segmentation() -> str:
    """How Han text is cut into words here: ``jieba X.Y`` when installed, else
    ``characters`` (recorded with a run: the same corpus gives other words with the other)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"jieba {version('jieba')}"
    except PackageNotFoundError:
        return "characters"


@functools.cache
def _han_segmenter() -> Callable[[str], list[str]]:
    """jieba's word segmenter when installed (imported on the first Han text), else one token
    per character, common practice for Chinese character embeddings."""
    try:
        import jieba
    except ImportError:
        return list
    jieba.setLogLevel(60)  # its dictionary-loading messages are not this program's output
    return lambda run: jieba.lcut(run, HMM=True)


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    """Letters with the combining marks that follow them (Unicode categories Mn, Mc, Me).

    Without the marks, Devanagari, Tamil, Thai... words fall apart at every vowel sign:
    ``"हिन्दी"`` would give ``["ह", "न", "द"]``. Built on the first non-ASCII text, not at
    import (:func:`combining_marks`).
    """
    marks = _ranges_class(combining_marks())
    # (letter marks*)+ unrolled: the same words, found without trying the marks at every letter
    return re.compile(rf"[^\W\d_]+(?:[{marks}]+[^\W\d_]*)*")


@functools.cache
def _cjk_word_pattern() -> re.Pattern[str]:
    """:func:`_words_by_run` in one pattern when Han is one token per character: a Han or
    hiragana character, a katakana run, or a word of :func:`_word_pattern` made of letters
    and marks outside those three (where :data:`_CJK_RUN` would have cut it).

    On text with CJK (kernel documentation's translations: 5% of corpus (c)'s lines) it is
    ~2.5x quicker than cutting the runs out one by one; ``tests/test_corpus_scripts.py``
    checks it against :func:`_words_by_run`.
    """
    cjk = _HAN + _HIRAGANA + _KATAKANA
    inside = re.compile(f"[{cjk}]")
    marks = [(code, code) for a, b in combining_marks() for code in range(a, b + 1)
             if not inside.match(chr(code))]
    letter = rf"[^\W\d_{cjk}]"
    return re.compile(
        rf"[{_HAN}{_HIRAGANA}]|[{_KATAKANA}]+|{letter}+(?:[{_ranges_class(marks)}]+{letter}*)*"
    )


def _ranges_class(ranges: Iterable[tuple[int, int]]) -> str:
    """The body of a character class holding the code point ranges ``(first, last)``."""
    return "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


def combining_marks() -> list[tuple[int, int]]:
    """The first and last code point of each run of combining marks of this Python's Unicode
    version: read from ``data/combining-marks-VERSION.txt`` where one is shipped (listing
    them from ``unicodedata`` takes ~0.3 s, paid by every reading process: measurements in
    benchmarks/README.md, "w2v_core/corpus.py"), else listed (:func:`list_combining_marks`).
    """
    shipped = resources.files("w2v_core") / "data" / f"combining-marks-{unicodedata.unidata_version}.txt"
    try:
        text = shipped.read_text(encoding="ascii")
    except OSError:
        return list_combining_marks()
    return [(int(a, 16), int(b, 16)) for a, b in (line.split() for line in text.splitlines())]


def list_combining_marks() -> list[tuple[int, int]]:
    """:func:`combining_marks`, listed from ``unicodedata`` (``scripts/combining_marks.py``
    writes them to the file shipped for this Unicode version)."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return [(a, b) for a, b in ranges]


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
    warnings : list of str
        Lines for the user about the text, filled as it is read (its first file's first
        64 KB: :meth:`check_not_empty` is enough): words that look like whole phrases.
    files : sequence of Path
        The files read, in order (empty for a pipe and an NLTK corpus): what a checkpoint
        fingerprints to recognise the corpus (:mod:`w2v_core.corpus_identity`). A
        directory's are a :class:`~w2v_core.path_list.PathList` (no object per file).
    meter : ByteMeter
        Bytes of the files read in the current pass, and their total when known: reading
        progress (:class:`~w2v_core.callbacks.ReadingProgress`).
    parts : callable, optional
        ``parts(n)``: at most ``n`` sources of sentences which, read one after the other,
        give exactly :meth:`sentences` (byte ranges of a plain file, runs of a
        directory's or an NLTK corpus's files), each called with the :class:`ByteMeter` it counts its bytes in;
        None or a single part where the corpus can only be read in one pass (a pipe, a
        compressed file, sentences given as an iterable). See
        :mod:`w2v_core.parallel_reading`.
    """

    name: str
    _open_sentences: Callable[[], Iterator[list[str]]]
    rereadable: bool = True
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: Sequence[Path] = field(default_factory=list)
    meter: ByteMeter = field(default_factory=ByteMeter)
    parts: Callable[[int], list[Part]] | None = None
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
        self.meter.done = 0  # a new pass
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
    lang: str | None = None,
    line_sentences: bool | None = None,
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
    lang : {None, "tr", "az"}
        Lowercase ``I`` to dotless ``ı`` (Turkish, Azerbaijani); see :func:`tokenize`.
    line_sentences : bool or None
        True: one sentence per line; False: sentences end at ``. ! ?`` (``。！？``) and blank
        lines; None: one sentence per line when a file's first 64 KB hold no ``. ! ?``.
        NLTK corpora keep their own sentences.

    Raises
    ------
    CorpusError
        Missing, unreadable, binary or model file; symlink loop; no text file in a directory.
    ConfigError
        Unknown encoding or error handler, ``lang`` without rules of its own.
    """
    options = TextOptions(encoding, encoding_errors)
    text = TextConfig(lang, line_sentences).validate()
    warnings: list[str] = []
    clause_check = ClauseCheck(warnings, text.lang)
    meter = ByteMeter()

    def sentences_of(path: Path, name: str, options: TextOptions = options,
                     on_wait: WaitNotice | None = None,
                     meter: ByteMeter = meter) -> Iterator[list[str]]:
        return _file_sentences(path, name, options, on_wait, text, clause_check, meter)

    def file_groups(files: PathList) -> Callable[[int], list[Part]]:
        """Runs of whole files, a file larger than a run's share cut in byte ranges. A run
        holds ranges of file numbers, not an object per file (a directory of 100,000 files)."""
        def parts(n: int) -> list[Part]:
            sizes = array("q", (_size_of([f]) or 0 for f in files.names()))
            share = max(sum(sizes) // n, 1)
            pieces = {i: _file_ranges(files[i], str(files[i]), options, text, -(-size // share))
                      for i, size in enumerate(sizes) if size > share}

            def units() -> Iterator[tuple[int | Part, int]]:
                """(file number or piece of a large file, its bytes), in order."""
                for i, size in enumerate(sizes):
                    cut = pieces.get(i)
                    if cut is None:
                        yield i, size
                    else:
                        yield from ((piece, size // len(cut)) for piece in cut)

            ends = _part_ends((size for _, size in units()), n)
            groups: list[list[range | Part]] = [[] for _ in ends]
            for k, (unit, _) in enumerate(units()):
                group = groups[bisect.bisect_right(ends, k)]
                if not isinstance(unit, int):
                    group.append(unit)
                elif group and isinstance(group[-1], range) and group[-1].stop == unit:
                    group[-1] = range(group[-1].start, unit + 1)
                else:
                    group.append(range(unit, unit + 1))
            return [lambda meter, group=group: _run_sentences(group, files, sentences_of, meter)
                    for group in groups]
        return parts

    spec = str(spec).strip()
    if not spec:
        raise CorpusError("no corpus given")
    if spec.startswith("builtin:"):
        name = spec.split(":", 1)[1].strip().lower()
        if name not in BUILTIN_CORPORA:
            known = ", ".join(f"builtin:{n}" for n in BUILTIN_CORPORA)
            raise CorpusError(f"unknown built-in corpus {spec!r}; choose one of {known}")
        path = builtin_path(BUILTIN_CORPORA[name])
        meter.total = _size_of([path])
        return Corpus(
            spec, lambda: sentences_of(path, spec, TextOptions()), warnings=warnings, files=[path],
            meter=meter, parts=lambda n: _file_ranges(path, spec, TextOptions(), text, n),
        )
    if spec.startswith("nltk:"):
        return _open_nltk(spec, text.lang)
    path = Path(spec).expanduser()
    if stat.S_ISDIR(_stat_mode(path, spec)):
        files, skipped = _text_files_below(path, options)
        if not files:
            detail = f" ({len(skipped)} skipped, e.g. {skipped[0][0]}: {skipped[0][1]})" if skipped else ""
            raise CorpusError(f"corpus directory has no text files: {spec}{detail}")
        meter.total = _size_of(files.names())
        return Corpus(
            spec,
            lambda: (s for f in files.names() for s in sentences_of(Path(f), f)),
            skipped=skipped,
            warnings=warnings,
            files=files,
            meter=meter,
            parts=file_groups(files),
        )
    if not os.access(path, os.R_OK):
        raise CorpusError(f"corpus is not readable: {spec}")
    if is_stream(path):
        return Corpus(
            spec, lambda: sentences_of(path, spec, on_wait=on_wait), rereadable=False,
            warnings=warnings, meter=meter,
        )
    reason = not_text_reason(path, options)
    if reason:
        raise CorpusError(f"corpus {spec} is {reason}")
    meter.total = _size_of([path])
    return Corpus(spec, lambda: sentences_of(path, spec), warnings=warnings, files=[path], meter=meter,
                  parts=lambda n: _file_ranges(path, spec, options, text, n))


def split_sentences(lines: Iterable[str], lang: str | None = None) -> Iterator[list[str]]:
    """Turn lines of free text into tokenised sentences (``lang``: see :func:`tokenize`).

    A sentence ends at a blank line or at ``.``, ``!``, ``?``, their CJK forms ``。！？．｡``,
    the Devanagari ``। ॥``, the Arabic ``؟`` or the Urdu ``۔``; sentences longer than
    :data:`MAX_SENTENCE_LENGTH` are cut into pieces. A sentence of one word joins the next
    (it would give no pair): a play's speaker tags (``HAMLET.``, ``Hor.``) and stage
    directions (``Exeunt.``) are trained with the text they introduce, as a reader of lines
    (the C tool, gensim's ``LineSentence``) trains ``Hor. And then it started``.
    """
    words = tokenizer(lang)
    current: list[str] = []
    for line in lines:
        if not line.strip():
            if len(current) > 1:
                yield from _cut(current)
                current = []
            continue
        pieces = _SENTENCE_END.split(line)
        for i, piece in enumerate(pieces):
            current.extend(words(piece))
            if i < len(pieces) - 1 and len(current) > 1:
                yield from _cut(current)
                current = []
        if len(current) >= MAX_SENTENCE_LENGTH:
            yield from _cut(current[:MAX_SENTENCE_LENGTH])
            current = current[MAX_SENTENCE_LENGTH:]
    if current:
        yield from _cut(current)


def ends_sentence(line: str, words: Callable[[str], list[str]]) -> bool:
    """Does :func:`split_sentences` hold no words after ``line``, whatever came before it?

    True when the line's last sentence mark follows at least two words of this line (the
    sentence ends, even after a held one-word sentence) and no word follows the mark. A
    file may be read in byte ranges cut after such a line (:mod:`w2v_core.byte_ranges`).
    """
    pieces = _SENTENCE_END.split(line)
    return len(pieces) > 1 and len(words(pieces[-2])) > 1 and not words(pieces[-1])


def line_sentences(lines: Iterable[str], lang: str | None = None) -> Iterator[list[str]]:
    """One sentence per non-empty line (cut at :data:`MAX_SENTENCE_LENGTH` tokens)."""
    words = tokenizer(lang)
    plain_lines = _PlainLines() if lang is None else None
    next_line = iter(lines).__next__
    size = 1  # then as many lines as hold about _BATCH_CHARS characters, up to _LINE_BATCH
    while batch := _next_batch(next_line, size):
        if plain_lines is None:
            plain, chars = None, sum(map(len, batch))
        else:  # the batch joined for the check: its length for free
            plain, chars = plain_lines(batch), plain_lines.chars
        size = max(1, min(_LINE_BATCH, _BATCH_CHARS * len(batch) // max(chars, 1)))
        for tokens in map(words, batch) if plain is None else map(str.split, plain):
            if len(tokens) > MAX_SENTENCE_LENGTH:
                yield from _cut(tokens)
            elif tokens:
                yield tokens


def _next_batch(next_line: Callable[[], str | None], size: int) -> list[str]:
    """Up to ``size`` lines, ended early by a None (a reader's mark before the pieces of a
    huge line: :func:`w2v_core.reading.read_lines`), so that a batch of short lines never
    takes in a run of million-character pieces behind them; empty at the end of the lines.
    A mark is never followed by another, so one more try after an empty batch is enough."""
    return (list(itertools.islice(iter(next_line, None), size))
            or list(itertools.islice(iter(next_line, None), size)))


class _PlainLines:
    """Finds the batches of lines that are all letters and spaces (tokenised text such as
    corpus (a): ASCII, or :func:`_plain_words` in other scripts) and gives them lowercased;
    None for another batch.

    Such a line's tokens are its words split at spaces, as :meth:`_Tokenizer.tokens` finds
    them; one check of the batch saves four calls a line (benchmarks/README.md, "Reading per
    core"). The check of text in other scripts reads the whole batch (~5 ns a character where
    it passes), so after a batch that fails it (raw text, Han) the next
    :data:`_PLAIN_WORDS_WAIT` such batches go line by line unchecked: where few batches pass,
    as in corpus (c), the checks cost 1% of a read instead of 5%.
    """

    def __init__(self) -> None:
        self.wait = 0
        self.chars = 0  # characters of the last batch, its line breaks with them

    def __call__(self, lines: list[str]) -> list[str] | None:
        joined = "\n".join(lines)
        self.chars = len(joined)
        if joined.isascii():
            if not _PLAIN.fullmatch(joined):
                return None
        elif self.wait:
            self.wait -= 1
            return None
        elif not _plain_words(joined):
            self.wait = _PLAIN_WORDS_WAIT
            return None
        lowered = joined.lower().split("\n")
        return lowered if len(lowered) == len(lines) else None  # else a line held a break


def _cut(tokens: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(tokens), MAX_SENTENCE_LENGTH):
        yield tokens[start : start + MAX_SENTENCE_LENGTH]


def _size_of(paths: Iterable[str | Path]) -> int | None:
    """The files' sizes summed (what reading progress counts up to), None if one is unknown."""
    try:
        return sum(os.stat(p).st_size for p in paths)
    except OSError:
        return None


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
    path: Path,
    name: str,
    options: TextOptions,
    on_wait: WaitNotice | None = None,
    text: TextConfig = TextConfig(),
    clause_check: ClauseCheck | None = None,
    meter: ByteMeter | None = None,
) -> Iterator[list[str]]:
    """Sentences of one file or pipe; the first 64 KB choose prose or one sentence a line
    (unless ``text.line_sentences`` says), and are shown to ``clause_check``. The bytes read
    are added to ``meter``."""
    marking = [False]  # marks before a huge line's pieces, once lines are read one a sentence
    lines = read_lines(path, name, options, on_wait, meter, marks=lambda: marking[0])
    head = _head(lines)
    if clause_check is not None:
        clause_check(head, name)
    splitter = split_sentences if _is_prose(head, text) else line_sentences
    marking[0] = splitter is line_sentences
    yield from splitter(itertools.chain(head, lines), text.lang)


def _head(lines: Iterator[str]) -> list[str]:
    """The first lines, up to 64 KB of text: what decides prose or one sentence a line."""
    head: list[str] = []
    size = 0
    for line in lines:
        head.append(line)
        size += len(line)
        if size >= _SNIFF_CHARS:
            break
    return head


def _is_prose(head: list[str], text: TextConfig) -> bool:
    """Split ``head``'s file at sentence marks (else one sentence a line)?"""
    return text.line_sentences is False or (
        text.line_sentences is None and any(_SENTENCE_END.search(line) for line in head)
    )


def _file_ranges(path: Path, name: str, options: TextOptions, text: TextConfig,
                 n: int) -> list[Part]:
    """At most ``n`` byte ranges of a plain file, each read as a one-pass read reads it
    (:mod:`w2v_core.byte_ranges`); one part (the whole file) where it cannot be cut."""
    whole: list[Part] = [lambda meter: _file_sentences(path, name, options, None, text, None, meter)]
    coding = range_encoding(path, options) if n > 1 else None
    if coding is None:
        return whole
    encoding, bom = coding
    lines = read_lines(path, name, options)
    try:
        prose = _is_prose(_head(lines), text)
    finally:
        lines.close()
    words = tokenizer(text.lang)
    clean = (lambda line: ends_sentence(line, words)) if prose else None
    bounds = [bom, *cut_points(path, n, encoding, bom, clean), path.stat().st_size]
    if len(bounds) < 3:
        return whole
    splitter = split_sentences if prose else line_sentences
    return [
        lambda meter, start=start, end=end: splitter(
            read_range_lines(path, name, options, start, end, encoding, meter,
                             marks=lambda: not prose), text.lang)
        for start, end in zip(bounds, bounds[1:])
    ]


def _part_groups(items: list[T], sizes: list[int], n: int) -> list[list[T]]:
    """``items`` (files) in at most ``n`` runs, in order, of ``sizes`` (bytes) summed that
    shrink as :func:`~w2v_core.byte_ranges.part_share` says."""
    ends = _part_ends(sizes, n)
    return [items[start:end] for start, end in zip([0, *ends], ends)]


def _part_ends(sizes: Iterable[int], n: int) -> list[int]:
    """Where each of at most ``n`` runs, in order, of items of ``sizes`` ends (exclusive):
    one number a run, none an item. The runs' sizes shrink as
    :func:`~w2v_core.byte_ranges.part_share` says."""
    sizes = array("q", (max(size, 1) for size in sizes))
    if not sizes:
        return []
    total, ends, done = sum(sizes), [], 0
    for k, size in enumerate(sizes):
        done += size
        if done >= total * part_share(len(ends) + 1, n) and len(ends) < n - 1:
            ends.append(k + 1)
    if ends[-1:] != [len(sizes)]:
        ends.append(len(sizes))
    return ends


def _run_sentences(run: list[range | Part], files: PathList,
                   sentences_of: Callable[..., Iterator[list[str]]],
                   meter: ByteMeter) -> Iterator[list[str]]:
    """The sentences of a run of a directory's files (:func:`open_corpus`'s ``parts``)."""
    for unit in run:
        if isinstance(unit, range):
            for name in files.names(unit.start, unit.stop):
                yield from sentences_of(Path(name), name, meter=meter)
        else:
            yield from unit(meter)


#: Fewest tokens :func:`clause_words_warning` judges, and what it takes as clause-long:
#: a median token of at least this many characters, with at least this share seen once.
CLAUSE_MIN_TOKENS, CLAUSE_MEDIAN_CHARS, CLAUSE_SINGLETON_SHARE = 20, 12, 0.5


def clause_words_warning(tokens: list[str], name: str) -> str | None:
    """A warning when ``tokens`` (the start of a corpus) look like clauses, not words.

    Text in a script written without spaces (Thai, Lao, Khmer, Burmese...) gives one token
    per phrase: long, and nearly all seen once, so training learns nothing useful. Words of
    natural language have a median length of 2 to 8 characters, repeat, and stay silent.

    Returns
    -------
    str or None
        One line naming the remedy, or None when the tokens look like words.
    """
    if len(tokens) < CLAUSE_MIN_TOKENS:
        return None
    median = sorted(map(len, tokens))[len(tokens) // 2]
    counts: dict[str, int] = {}
    for token in tokens:
        counts[token] = counts.get(token, 0) + 1
    once = sum(1 for n in counts.values() if n == 1) / len(tokens)
    if median < CLAUSE_MEDIAN_CHARS or once < CLAUSE_SINGLETON_SHARE:
        return None
    return (
        f"warning: the words of {name} look like whole phrases (median {median} characters, "
        f"{once:.0%} seen once): text written without spaces between words (Thai, Lao, Khmer, "
        "Burmese...) must be segmented first, e.g. with PyThaiNLP or ICU, writing one space "
        "between words"
    )


class ClauseCheck:
    """A corpus's words judged once by :func:`clause_words_warning`: on the head of its first
    file with enough tokens for a verdict, not on every file of a directory (each would be
    tokenized twice). A warning is added to ``warnings``.
    """

    def __init__(self, warnings: list[str], lang: str | None = None) -> None:
        self.warnings, self.lang, self.judged = warnings, lang, False

    def __call__(self, head: list[str], name: str) -> None:
        if self.judged:
            return
        words = tokenizer(self.lang)
        tokens = [t for line in head for t in words(line)]
        self.judged = len(tokens) >= CLAUSE_MIN_TOKENS
        note = clause_words_warning(tokens, name)
        if note:
            self.warnings.append(note)


def _text_files_below(
    root: Path, options: TextOptions
) -> tuple[PathList, list[tuple[str, str]]]:
    """Text files below ``root`` in sorted order (held compactly: :class:`PathList`), and
    ``(path, reason)`` for those left out.

    Hidden files and folders (``.git``, w2v's own ``.NAME.XXXX.tmp``) are left out silently.
    """
    files = PathList(str(root))
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


def _open_nltk(spec: str, lang: str | None) -> Corpus:
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

    def sentences(ids: list[str]) -> Iterator[list[str]]:
        tokenized = _nltk_sentences(reader, ids)
        if tokenized is not None:
            words = tokenizer(lang)
            for sent in tokenized:
                tokens = words(" ".join(sent))
                if tokens:
                    yield from _cut(tokens)
        else:
            for fid in ids:
                yield from split_sentences(reader.raw(fid).splitlines(), lang)

    def parts(n: int) -> list[Part]:
        return [lambda meter, group=group: sentences(group)
                for group in _part_groups(fileids, [1] * len(fileids), n)]

    return Corpus(spec, lambda: sentences(fileids), parts=parts)


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
