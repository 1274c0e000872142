"""Training configuration: every option once, with its validation and its help text.

:class:`TrainConfig` is plain data. Each field carries what its command-line option needs in
``field(metadata=...)``: help text, metavar, the parser of a typed value, the word that
means None. Both front ends (``w2v train`` and ``w2v-tui``) build their training options
from that metadata (:mod:`w2v_core.cli.arguments`), so the flags, defaults and help cannot
drift apart; the engine itself knows nothing of argparse. Validation errors name the flag
(``--min-alpha must be ...``), the name a user typed.

This module imports nothing else from :mod:`w2v_core` but its errors, so any module may
import it without creating an import cycle.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any

import numpy as np

from .errors import ConfigError

#: Words to train on when ``epochs`` is left to :func:`resolve_epochs`: enough passes over
#: a small corpus for its vectors to separate (Hamlet needs dozens; 5 leaves every cosine
#: near 1).
AUTO_EPOCHS_WORDS = 1_500_000
#: Distinct tokens held while counting, by default: some 2-3 GB of strings and table, far
#: above any natural language's vocabulary (English Wikipedia: about 10M).
DEFAULT_MAX_DISTINCT = 20_000_000
#: Fewest and most passes :func:`resolve_epochs` chooses.
AUTO_EPOCHS_MIN, AUTO_EPOCHS_MAX = 5, 50


def available_cpus() -> int:
    """The number of CPUs this process may run on (its affinity mask), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def resolve_epochs(epochs: int | None, corpus_words: int) -> tuple[int, str | None]:
    """The number of passes to train, and why when it was chosen automatically.

    Parameters
    ----------
    epochs : int or None
        The configured number of passes; None chooses enough passes to train on about
        :data:`AUTO_EPOCHS_WORDS` words, between :data:`AUTO_EPOCHS_MIN` and
        :data:`AUTO_EPOCHS_MAX`.
    corpus_words : int
        In-vocabulary words in one pass over the corpus.

    Returns
    -------
    tuple of (int, str or None)
        The passes, and a reason such as ``"auto: small corpus"`` (None when ``epochs``
        was given).
    """
    if epochs is not None:
        return epochs, None
    wanted = math.ceil(AUTO_EPOCHS_WORDS / max(corpus_words, 1))
    chosen = min(max(AUTO_EPOCHS_MIN, wanted), AUTO_EPOCHS_MAX)
    return chosen, "auto: large corpus" if chosen == AUTO_EPOCHS_MIN else "auto: small corpus"


# --------------------------------------------------------------------------- parsing
# A field's ``parse`` turns the text a user typed into its value; a ValueError's message is
# what the front end reports (``invalid integer: 'many'``).
def parse_int(text: str) -> int:
    """An integer typed by a user; ValueError names the text."""
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"invalid integer: {text!r}") from None


def parse_float(text: str) -> float:
    """A number typed by a user; ValueError names the text."""
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"invalid number: {text!r}") from None


def parse_int_or(word: str) -> Callable[[str], int | None]:
    """A parser of an integer, or of ``word`` (for example ``none``) meaning None."""

    def parse(text: str) -> int | None:
        if text.strip().lower() == word:
            return None
        return parse_int(text)

    return parse


def parse_passes(text: str) -> int:
    """``--phrases``' number of passes; ValueError says where a corpus name goes, since
    ``--phrases CORPUS`` takes the corpus for the optional number."""
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            f"invalid number of passes: {text!r} (0, 1 or 2; put the corpus before --phrases)"
        ) from None


def _option(
    default: Any = MISSING,
    *,
    help: str,
    metavar: str = "N",
    parse: Callable[[str], Any] = parse_int,
    none: str | None = None,
    default_factory: Any = MISSING,
    bare: Any = None,
) -> Any:
    """A TrainConfig field with its flag's metadata (the flag is derived from the name).

    ``none`` is the word a user types for a None value (``auto``, ``none``); ``bare``, if
    given, is the value of the flag typed without one (``--phrases`` means ``--phrases 1``).
    """
    metadata = {"help": help, "metavar": metavar, "parse": parse, "none": none, "bare": bare}
    if default_factory is not MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


#: gensim's ``ENGLISH_CONNECTOR_WORDS``: words that may sit inside a phrase, never at its ends.
ENGLISH_CONNECTORS = frozenset(
    {"a", "an", "the", "for", "of", "with", "without", "at", "from", "to", "in", "on", "by",
     "and", "or"}
)
#: The named connector lists ``--phrase-connectors`` takes (else: comma-separated words).
CONNECTOR_LISTS = {"none": frozenset(), "english": ENGLISH_CONNECTORS}


def connector_words(spec: str) -> frozenset[str]:
    """The connector words ``--phrase-connectors`` names: ``none``, ``english`` or words
    separated by commas (lowercased, as the corpus's tokens are)."""
    named = CONNECTOR_LISTS.get(spec.strip().lower())
    if named is not None:
        return named
    return frozenset(w.strip().lower() for w in spec.split(",") if w.strip())


def _check_connectors(spec: object) -> None:
    if not isinstance(spec, str):
        raise ConfigError(f"{flag('phrase_connectors')} must be a list of words, not {spec!r}")
    words = connector_words(spec)
    bad = sorted(w for w in words if not w.isalpha())
    if bad:
        raise ConfigError(f"{flag('phrase_connectors')}: {bad[0]!r} is not a word (give 'english', "
                          "'none' or words separated by commas)")
    if not words and spec.strip().lower() != "none":
        raise ConfigError(f"{flag('phrase_connectors')}: no words in {spec!r} (give 'english', "
                          "'none' or words separated by commas)")


def flag(name: str) -> str:
    """The command-line flag of a TrainConfig field: ``min_alpha`` -> ``--min-alpha``."""
    return "--" + name.replace("_", "-")


# --------------------------------------------------------------------------- the config
@dataclass(frozen=True)
class TrainConfig:
    """Training parameters (plain data; validated once by :meth:`validate`).

    Each field's help text is in its metadata (``fields(TrainConfig)[i].metadata["help"]``),
    which is also the help of its command-line flag.

    Parameters
    ----------
    dim : int
        Vector dimensionality.
    window : int
        Maximum distance between centre and context word; the effective window of each
        centre word is drawn uniformly from ``1..window``.
    negative : int
        Noise words per positive pair.
    min_count : int
        Words seen fewer times are dropped.
    max_vocab : int or None
        Keep only the most frequent words.
    max_distinct : int or None
        Most distinct tokens held while the corpus is counted (all reading processes
        together). A corpus of logs, URLs or IDs can hold tens of millions; past the bound
        the rarest so far are forgotten, as gensim's ``max_vocab_size`` does, and counts
        become approximate (:class:`w2v_core.token_ids.DistinctBound`; a notice says so).
        None: no bound.
    sample : float
        Subsampling threshold for frequent words (0 disables).
    epochs : int or None
        Passes over the corpus; None chooses them from the corpus size when training
        starts (:func:`resolve_epochs`).
    alpha, min_alpha : float
        Learning rate at the start and at the end (linear decay in between).
    seed : int
        Random seed; with ``threads=1`` the same seed gives the same vectors.
    batch_size : int
        Positive pairs per minibatch.
    threads : int
        Parallel workers sharing the weights (lock-free, as in word2vec): on Linux
        processes forked by the trainer (see :mod:`w2v_core.processes`), elsewhere threads;
        by default the CPUs this process may use.
    shared_negatives : int
        Noise words shared by each group of pairs of a minibatch (0: ``negative`` noise
        words drawn for every pair, exactly as word2vec). Shared noise turns scores and
        gradients into small matrix products; each noise term is weighted by
        ``negative / shared_negatives``, so a pair's expected gradient is word2vec's.
    cbow : bool
        Continuous bag of words instead of skip-gram: the mean of a word's context vectors
        predicts it (word2vec ``-cbow 1``, gensim ``sg=0, cbow_mean=1``).
    phrases : int
        Passes joining frequent collocations into one token before training (``new_york``;
        :mod:`w2v_core.phrases`): 0 none, 1 two-word phrases, 2 also three and four words.
        ``min_count`` and ``max_vocab`` then apply to the joined tokens.
    phrase_threshold : float
        A pair of words joins when its score, ``(count(ab) - phrase_min_count) * n /
        (count(a) * count(b))``, is above this (gensim's ``Phrases`` default).
    phrase_min_count : int
        Subtracted from a pair's count in its score: pairs seen at most this often never join.
    phrase_connectors : str
        Words that may sit inside a phrase but never at its ends (gensim's
        ``connector_words``): ``none``, ``english`` (:data:`ENGLISH_CONNECTORS`)
        or words separated by commas.
    """

    dim: int = _option(100, help="vector dimensions")
    window: int = _option(5, help="maximum context window (a reduced window is sampled per word)")
    negative: int = _option(5, help="negative samples per positive pair")
    min_count: int = _option(5, help="ignore words seen fewer times than this")
    max_vocab: int | None = _option(
        None,
        help="keep at most this many most frequent words ('none': no limit)",
        parse=parse_int_or("none"),
        none="none",
    )
    max_distinct: int | None = _option(
        DEFAULT_MAX_DISTINCT,
        help="most distinct tokens held while counting the corpus; past it the rarest so far "
        "are forgotten and counts become approximate, as gensim's max_vocab_size (a notice "
        "says so; 'none': no bound)",
        parse=parse_int_or("none"),
        none="none",
    )
    sample: float = _option(
        1e-3, help="subsampling threshold for frequent words (0 disables)", metavar="X",
        parse=parse_float,
    )
    epochs: int | None = _option(
        None,
        help="passes over the corpus ('auto': enough to train on about 1.5M words, 5 to 50)",
        parse=parse_int_or("auto"),
        none="auto",
    )
    alpha: float = _option(0.025, help="initial learning rate", metavar="X", parse=parse_float)
    min_alpha: float = _option(
        1e-4, help="final learning rate (linear decay)", metavar="X", parse=parse_float
    )
    seed: int = _option(1, help="random seed (identical vectors need --threads 1)")
    batch_size: int = _option(1024, help="positive pairs per minibatch")
    threads: int = _option(
        help="parallel training workers, processes on Linux (default: the CPUs this "
        "process may use)",
        default_factory=available_cpus,
    )
    shared_negatives: int = _option(
        16,
        help="noise words shared by each group of pairs of a minibatch, weighted to stay "
        "unbiased (much faster); 0: drawn per pair, exactly as word2vec",
    )
    cbow: bool = _option(
        False,
        help="continuous bag of words: the mean of the context vectors predicts the word "
        "(word2vec -cbow 1, gensim sg=0) instead of skip-gram",
    )
    phrases: int = _option(
        0,
        help="join frequent collocations into one token before training, as gensim's Phrases "
        "and word2phrase do (new york -> new_york): 1 pass (--phrases alone) makes two-word "
        "phrases, 2 also three- and four-word ones; 0: off",
        parse=parse_passes,
        bare=1,
    )
    phrase_threshold: float = _option(
        10.0, help="with --phrases: join a pair whose score (count(ab) - phrase-min-count) * n "
        "/ (count(a) * count(b)) is above this; higher: fewer phrases", metavar="X",
        parse=parse_float,
    )
    phrase_min_count: int = _option(
        5, help="with --phrases: pairs seen at most this often never join"
    )
    phrase_connectors: str = _option(
        "none", help="with --phrases: words that may sit inside a phrase but never start or end "
        "one, as gensim's connector_words: 'english' (a, an, the, of, for, with, without, at, "
        "from, to, in, on, by, and, or: bank of america -> bank_of_america), 'none', or words "
        "separated by commas", metavar="WORDS", parse=str,
    )

    def validate(self) -> "TrainConfig":
        """Check every parameter; raise :class:`ConfigError` naming the first bad one's flag."""
        _check_int("dim", self.dim, 1, 10_000)
        _check_int("window", self.window, 1, 1_000)
        _check_int("negative", self.negative, 1, 100)
        _check_int("min_count", self.min_count, 1, None)
        if self.max_vocab is not None:
            _check_int("max_vocab", self.max_vocab, 1, None)
        if self.max_distinct is not None:
            _check_int("max_distinct", self.max_distinct, 1_000, None)
        _check_float("sample", self.sample, 0.0, 1.0, high_open=True)
        if self.epochs is not None:
            _check_int("epochs", self.epochs, 1, 10_000)
        _check_float("alpha", self.alpha, 0.0, 10.0, low_open=True)
        _check_float("min_alpha", self.min_alpha, 0.0, self.alpha, high_name="--alpha")
        _check_int("seed", self.seed, 0, 2**63 - 1)
        _check_int("batch_size", self.batch_size, 1, 1_000_000)
        _check_int("threads", self.threads, 1, 256)
        _check_int("shared_negatives", self.shared_negatives, 0, 10_000)
        if not isinstance(self.cbow, (bool, np.bool_)):
            raise ConfigError(f"{flag('cbow')} must be true or false, got {self.cbow!r}")
        _check_int("phrases", self.phrases, 0, 2)
        _check_float("phrase_threshold", self.phrase_threshold, 0.0, math.inf, low_open=True)
        _check_int("phrase_min_count", self.phrase_min_count, 1, None)
        _check_connectors(self.phrase_connectors)
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        """Build from a dict, ignoring unknown keys (files written by newer versions)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


#: Languages whose case rules differ from Unicode's default (``--lang``): Turkish and
#: Azerbaijani lowercase ``I`` to dotless ``ı`` (and ``İ`` to ``i``, as every language does here).
DOTLESS_I_LANGUAGES = {"tr": "Turkish", "az": "Azerbaijani"}


def parse_lang(text: str) -> str:
    """A ``--lang`` code typed by a user; ValueError names the codes that have rules."""
    code = text.strip().lower()
    if code not in DOTLESS_I_LANGUAGES:
        known = ", ".join(f"{c} ({name})" for c, name in DOTLESS_I_LANGUAGES.items())
        raise ValueError(
            f"no language rules for {text!r}: only {known} tokenise differently; "
            "leave --lang out for any other language"
        )
    return code


@dataclass(frozen=True)
class TextConfig:
    """How corpus text becomes sentences of words (plain data; see :meth:`validate`).

    Declared here, with its flags' metadata, so that ``w2v train``, ``w2v-tui`` and
    :func:`w2v_core.corpus.open_corpus` share one definition of each option.

    Parameters
    ----------
    lang : str or None
        ``"tr"`` or ``"az"``: lowercase ``I`` to ``ı`` as those languages do. None: Unicode's
        default (``I`` to ``i``).
    line_sentences : bool or None
        True: every line is one sentence; False: sentences end at ``. ! ?`` (and ``。！？ । ॥ ؟ ۔``)
        and blank lines; None: decided from the first 64 KB of each file.
    """

    lang: str | None = _option(
        None,
        help="language whose lowercasing differs: tr or az lowercase I to dotless ı",
        metavar="CODE",
        parse=parse_lang,
    )
    line_sentences: bool | None = _option(
        None,
        help="one sentence per line (--no-line-sentences: sentences end at . ! ? and blank "
        "lines); default: one sentence per line when the first 64 KB hold no . ! ?",
    )

    def validate(self) -> "TextConfig":
        """Check both options; raise :class:`ConfigError` naming the flag of a bad one."""
        if self.lang is not None and self.lang not in DOTLESS_I_LANGUAGES:
            try:
                parse_lang(str(self.lang))
            except ValueError as exc:
                raise ConfigError(f"{flag('lang')}: {exc}") from None
            raise ConfigError(f"{flag('lang')} must be lowercase, got {self.lang!r}")
        if self.line_sentences is not None and not isinstance(self.line_sentences, bool):
            raise ConfigError(
                f"{flag('line_sentences')} must be true, false or None, got {self.line_sentences!r}"
            )
        return self


def _check_int(name: str, value: Any, low: int, high: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ConfigError(f"{flag(name)} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"from {low} to {high}"
        raise ConfigError(f"{flag(name)} must be {allowed}, got {value}")


def _check_float(
    name: str,
    value: Any,
    low: float,
    high: float,
    low_open: bool = False,
    high_open: bool = False,
    high_name: str | None = None,
) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ConfigError(f"{flag(name)} must be a number, got {value!r}")
    value = float(value)
    bad = (
        not math.isfinite(value)
        or (value <= low if low_open else value < low)
        or (value >= high if high_open else value > high)
    )
    if bad:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        upper = f"{high:g}" if high_name is None else f"{high_name} ({high:g})"
        if high == math.inf:
            raise ConfigError(f"{flag(name)} must be a finite number > {low:g}, got {value:g}")
        raise ConfigError(
            f"{flag(name)} must be in {left}{low:g}, {upper}{right}, got {value:g}"
        )
