"""Intrinsic evaluation: word analogies (questions-words) and word-pair similarity (WordSim-353).

Semantics follow gensim's ``KeyedVectors.evaluate_word_analogies`` / ``evaluate_word_pairs`` and the
C tool's ``compute-accuracy``: only the ``restrict_vocab`` most frequent words are candidates, and
a question with a word outside them is skipped (it counts against coverage, not accuracy).
Analogies are answered in batches with one matrix product per batch.

An accuracy over no answered question is ``None`` (shown as n/a; ``null`` in JSON), never 0.
"""

from __future__ import annotations

import math
import os
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .analogy import check_analogy_method, cosmul_scores
from .corpus import builtin_path
from .errors import ConfigError, W2VError
from .vectors import KeyedVectors

__all__ = [
    "AnalogyReport",
    "EvaluationDataError",
    "EnsembleEvaluation",
    "EvaluationReport",
    "Spread",
    "PairReport",
    "SectionScore",
    "evaluate_analogies",
    "evaluate_word_pairs",
    "ensemble_evaluation",
    "evaluation_report",
]

ANALOGIES_FILE = "questions-words.txt"
PAIRS_FILE = "wordsim353.tsv"
_BUNDLED_PREFIX = "builtin:"
_BATCH_CELLS = 1 << 23  # score-matrix entries per batch (32 MiB of float32)


class EvaluationDataError(W2VError):
    """An evaluation file is missing or malformed; the message names the file and line."""


@dataclass(frozen=True)
class SectionScore:
    """Analogy results of one ``: section`` of the questions file."""

    name: str
    correct: int
    total: int  #: questions answered (all four words within restrict_vocab)
    questions: int = 0  #: questions in the section, answered or not

    @property
    def accuracy(self) -> float | None:
        """Correct / answered; None when none was answered."""
        return _ratio(self.correct, self.total)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: name, correct, total (answered), questions and accuracy."""
        return {
            "name": self.name,
            "correct": self.correct,
            "total": self.total,
            "questions": self.questions,
            "accuracy": self.accuracy,
        }


@dataclass(frozen=True)
class AnalogyReport:
    """Analogy accuracy per section and overall."""

    sections: list[SectionScore]
    correct: int
    total: int  #: questions answered
    questions: int  #: questions in the file
    method: str = "add"
    restrict_vocab: int | None = None  #: as asked; None: the whole vocabulary
    path: str = ""  #: the questions file, or ``builtin:questions-words.txt``
    candidates: int = 0  #: words that could be answers (restrict_vocab capped at the vocabulary)

    @property
    def skipped(self) -> int:
        """Questions with a word outside the restricted vocabulary."""
        return self.questions - self.total

    @property
    def accuracy(self) -> float | None:
        """Correct / answered, as gensim's score; None when no question was answered."""
        return _ratio(self.correct, self.total)

    @property
    def coverage(self) -> float | None:
        """Answered / all questions (None for a file without questions)."""
        return _ratio(self.total, self.questions)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report; ratios that cannot be computed are None."""
        return {
            "path": self.path,
            "method": self.method,
            "restrict_vocab": self.restrict_vocab,
            "accuracy": self.accuracy,
            "correct": self.correct,
            "total": self.total,
            "questions": self.questions,
            "skipped": self.skipped,
            "coverage": self.coverage,
            "sections": [section.to_dict() for section in self.sections],
        }


@dataclass(frozen=True)
class PairReport:
    """Correlation of model similarities with human judgements."""

    spearman: float  #: NaN when fewer than two pairs are usable
    pearson: float
    pairs: int  #: pairs in the file
    used: int  #: pairs with both words within restrict_vocab
    path: str = ""  #: the pairs file, or ``builtin:wordsim353.tsv``
    spearman_pvalue: float = field(default=math.nan, repr=False)
    pearson_pvalue: float = field(default=math.nan, repr=False)

    @property
    def oov_ratio(self) -> float | None:
        """Fraction (0..1) of pairs skipped for an unknown word (None without pairs)."""
        return _ratio(self.pairs - self.used, self.pairs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report; a correlation that cannot be computed (NaN) is None."""
        return {
            "path": self.path,
            "spearman": _finite_or_none(self.spearman),
            "pearson": _finite_or_none(self.pearson),
            "pairs": self.pairs,
            "used": self.used,
            "oov_ratio": self.oov_ratio,
        }


# ---------------------------------------------------------------------- analogies
def evaluate_analogies(
    kv: KeyedVectors,
    path: str | os.PathLike | None = None,
    restrict_vocab: int | None = 30000,
    method: str = "add",
    case_insensitive: bool = True,
) -> AnalogyReport:
    """Score ``a : b :: c : d`` questions: is ``d`` the best candidate for ``b - a + c``?

    Parameters
    ----------
    kv : KeyedVectors
        Vectors in frequency order.
    path : str or path-like, optional
        Questions file (``: section`` headers, then four words a line); the bundled
        questions-words.txt when None.
    restrict_vocab : int or None
        Only this many most frequent words are candidates, and questions using any other word are
        skipped (the C tool's default is 30000); None uses the whole vocabulary.
    method : {"add", "mul"}
        3CosAdd (gensim's ``most_similar``) or 3CosMul (``most_similar_cosmul``); see
        :data:`~w2v_core.analogy.ANALOGY_METHODS`.
    case_insensitive : bool
        Compare words uppercased; a word with several case variants uses the most frequent one.

    Returns
    -------
    AnalogyReport

    Raises
    ------
    EvaluationDataError
        Missing or malformed questions file.
    ConfigError
        Unknown method or a restrict_vocab below 1.
    """
    check_analogy_method(method)
    limit = _limit(kv, restrict_vocab)
    shown, path = _resolve(path, ANALOGIES_FILE)
    sections = _read_analogies(path, case_insensitive)
    keys, group = _candidate_keys(kv, limit, case_insensitive)

    names, questions, rows, section_of = [], [], [], []
    for s, (name, quads) in enumerate(sections):
        names.append(name)
        questions.append(len(quads))
        for quad in quads:
            row = [keys.get(word) for word in quad]
            if None not in row:
                rows.append(row)
                section_of.append(s)
    abcd = np.array(rows, dtype=np.int64).reshape(-1, 4)
    hits = _answer(kv.normed[:limit], group, abcd, method)

    correct = np.bincount(np.array(section_of, dtype=np.int64), weights=hits, minlength=len(names))
    answered = np.bincount(np.array(section_of, dtype=np.int64), minlength=len(names))
    scores = [
        SectionScore(name, int(correct[s]), int(answered[s]), questions[s])
        for s, name in enumerate(names)
    ]
    return AnalogyReport(
        scores,
        int(hits.sum()),
        len(abcd),
        sum(questions),
        method=method,
        restrict_vocab=restrict_vocab,
        path=shown,
        candidates=limit,
    )


def _answer(normed: np.ndarray, group: np.ndarray, abcd: np.ndarray, method: str) -> np.ndarray:
    """Boolean per question: is the best candidate (inputs excluded) the expected word?"""
    hits = np.zeros(len(abcd), dtype=bool)
    batch = max(1, _BATCH_CELLS // max(1, len(normed)))
    for start in range(0, len(abcd), batch):
        a, b, c, d = abcd[start : start + batch].T
        scores = _scores(normed, a, b, c, method)
        rows = np.arange(len(a))
        for excluded in (a, b, c):
            scores[rows, excluded] = -np.inf
        best = group[scores.argmax(axis=1)]
        # A case variant of an input word may win; gensim then takes the next of its top 5.
        clash = (best == a) | (best == b) | (best == c)
        for i in np.flatnonzero(clash):
            best[i] = _first_not_input(scores[i], group, (a[i], b[i], c[i]))
        hits[start : start + batch] = best == d
    return hits


def _scores(
    normed: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray, method: str
) -> np.ndarray:
    """(batch, candidates) scores of every candidate for every question; argmax is the answer."""
    if method == "add":  # cos(x, b - a + c), up to the positive factor |b - a + c|
        return (normed[b] + normed[c] - normed[a]) @ normed.T
    return cosmul_scores(normed, normed, np.stack([b, c], axis=1), a[:, None])


def _first_not_input(scores: np.ndarray, group: np.ndarray, inputs: tuple[int, ...]) -> int:
    """gensim's rule: the first of the top 5 that is no input word (else the fifth)."""
    top = np.argsort(-scores, kind="stable")[:5]
    predicted = -1
    for candidate in group[top]:
        predicted = int(candidate)
        if predicted not in inputs:
            break
    return predicted


def _read_analogies(path: Path, case_insensitive: bool) -> list[tuple[str, list[tuple[str, ...]]]]:
    sections: list[tuple[str, list[tuple[str, ...]]]] = []
    for number, line in _data_lines(path):
        if line.startswith(":"):
            sections.append((line[1:].strip(), []))
            continue
        words = line.upper().split() if case_insensitive else line.split()
        if len(words) != 4:
            raise EvaluationDataError(
                f"{path}, line {number}: expected four words or a ': section' header, "
                f"found {len(words)} words"
            )
        if not sections:
            raise EvaluationDataError(
                f"{path}, line {number}: question before the first ': section' header"
            )
        sections[-1][1].append(tuple(words))
    if not any(quads for _, quads in sections):
        raise EvaluationDataError(f"{path}: no analogy questions in the file")
    return sections


# ---------------------------------------------------------------------- word pairs
def evaluate_word_pairs(
    kv: KeyedVectors,
    path: str | os.PathLike | None = None,
    restrict_vocab: int | None = 300000,
    case_insensitive: bool = True,
) -> PairReport:
    """Correlate cosine similarities with human scores (Spearman and Pearson, as gensim).

    Parameters
    ----------
    kv : KeyedVectors
    path : str or path-like, optional
        Tab-separated ``word1, word2, score`` lines, ``#`` comments; the bundled wordsim353.tsv when
        None.
    restrict_vocab : int or None
        Pairs with a word outside the most frequent ``restrict_vocab`` are skipped.
    case_insensitive : bool
        Compare words uppercased; a word with several case variants uses the most frequent one.

    Returns
    -------
    PairReport
        Correlations are NaN when fewer than two pairs are usable.

    Raises
    ------
    EvaluationDataError
        Missing or malformed pairs file.
    """
    limit = _limit(kv, restrict_vocab)
    shown, path = _resolve(path, PAIRS_FILE)
    pairs = _read_pairs(path, case_insensitive)
    keys, _ = _candidate_keys(kv, limit, case_insensitive)
    rows = [(keys.get(w1), keys.get(w2), gold) for w1, w2, gold in pairs]
    known = [(i, j, gold) for i, j, gold in rows if i is not None and j is not None]
    spearman = pearson = spearman_p = pearson_p = math.nan
    if len(known) >= 2:
        first, second, gold = (np.array(column) for column in zip(*known))
        normed = kv.normed
        model = np.einsum("ij,ij->i", normed[first], normed[second]).astype(np.float64)
        spearman, spearman_p, pearson, pearson_p = _correlations(gold, model)
    return PairReport(spearman, pearson, len(pairs), len(known), shown, spearman_p, pearson_p)


def _correlations(gold: np.ndarray, model: np.ndarray) -> tuple[float, float, float, float]:
    from scipy import stats  # scipy is slow to import; only pair evaluation needs it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant input: NaN is the honest answer
        spearman = stats.spearmanr(gold, model)
        pearson = stats.pearsonr(gold, model)
    return (
        float(spearman.statistic),
        float(spearman.pvalue),
        float(pearson.statistic),
        float(pearson.pvalue),
    )


def _read_pairs(path: Path, case_insensitive: bool) -> list[tuple[str, str, float]]:
    pairs = []
    for number, line in _data_lines(path):
        fields = [f.strip() for f in line.split("\t")] if "\t" in line else line.split()
        if len(fields) != 3:
            raise EvaluationDataError(
                f"{path}, line {number}: expected 'word1<TAB>word2<TAB>score', "
                f"found {len(fields)} fields"
            )
        try:
            score = float(fields[2])
        except ValueError:
            raise EvaluationDataError(
                f"{path}, line {number}: score {fields[2]!r} is not a number"
            ) from None
        if not math.isfinite(score):
            raise EvaluationDataError(
                f"{path}, line {number}: score {fields[2]!r} is not a finite number"
            )
        w1, w2 = (f.upper() for f in fields[:2]) if case_insensitive else fields[:2]
        pairs.append((w1, w2, score))
    if not pairs:
        raise EvaluationDataError(f"{path}: no word pairs in the file")
    return pairs


# ---------------------------------------------------------------------- both
@dataclass(frozen=True)
class EvaluationReport:
    """Analogy accuracy and word-pair correlations of one set of vectors: what ``w2v eval``
    prints and the TUI's Evaluate pane shows."""

    analogies: AnalogyReport
    word_pairs: list[PairReport]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"analogies": {...}, "word_pairs": [{...}, ...]}``; a ratio that
        cannot be computed (no question answered) is None, ``null`` in JSON."""
        return {
            "analogies": self.analogies.to_dict(),
            "word_pairs": [pairs.to_dict() for pairs in self.word_pairs],
        }


def evaluation_report(
    kv: KeyedVectors,
    analogies: str | os.PathLike | None = None,
    pairs: Sequence[str | os.PathLike] | None = None,
    restrict_vocab: int | None = 30000,
    method: str = "add",
) -> EvaluationReport:
    """Evaluate vectors on an analogy file and on word-pair files, as both front ends do.

    Parameters
    ----------
    kv : KeyedVectors
    analogies : str or path-like, optional
        Questions file; the bundled questions-words.txt when None.
    pairs : sequence of str or path-like, optional
        Word-pair files, one report each; the bundled wordsim353.tsv when None or empty.
    restrict_vocab : int or None
        Candidates for the analogies' answers (see :func:`evaluate_analogies`).
    method : {"add", "mul"}
        The analogy method.

    Returns
    -------
    EvaluationReport

    Raises
    ------
    EvaluationDataError, ConfigError
        As :func:`evaluate_analogies` and :func:`evaluate_word_pairs`.
    """
    report = evaluate_analogies(kv, analogies, restrict_vocab=restrict_vocab, method=method)
    return EvaluationReport(
        report, [evaluate_word_pairs(kv, path) for path in pairs or [None]]
    )


# ---------------------------------------------------------------------- ensembles
@dataclass(frozen=True)
class Spread:
    """One figure over an ensemble's models: its mean and population standard deviation
    over the models where it could be computed (None when none could)."""

    benchmark: str  #: the file, as its report names it
    figure: str  #: "accuracy", "Spearman", "Pearson"
    values: tuple[float | None, ...]  #: per model, in member order

    @property
    def mean(self) -> float | None:
        known = [v for v in self.values if v is not None]
        return float(np.mean(known)) if known else None

    @property
    def std(self) -> float | None:
        known = [v for v in self.values if v is not None]
        return float(np.std(known)) if known else None

    def to_dict(self) -> dict[str, Any]:
        return {"benchmark": self.benchmark, "figure": self.figure, "mean": self.mean,
                "std": self.std, "values": list(self.values)}


@dataclass(frozen=True)
class EnsembleEvaluation:
    """Every member's :class:`EvaluationReport`, and each benchmark's figures over them."""

    reports: list[EvaluationReport]

    @property
    def spreads(self) -> list[Spread]:
        """Analogy accuracy, then each word-pair file's Spearman and Pearson correlations."""
        first = self.reports[0]
        rows = [Spread(first.analogies.path, "accuracy",
                       tuple(r.analogies.accuracy for r in self.reports))]
        for i, pairs in enumerate(first.word_pairs):
            for figure in ("spearman", "pearson"):
                values = tuple(_finite_or_none(getattr(r.word_pairs[i], figure)) for r in self.reports)
                rows.append(Spread(pairs.path, figure.capitalize(), values))
        return rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the models' count and each figure's mean, spread and values."""
        return {"runs": len(self.reports), "figures": [s.to_dict() for s in self.spreads]}


def ensemble_evaluation(
    members: Sequence[KeyedVectors],
    analogies: str | os.PathLike | None = None,
    pairs: Sequence[str | os.PathLike] | None = None,
    restrict_vocab: int | None = 30000,
    method: str = "add",
) -> EnsembleEvaluation:
    """:func:`evaluation_report` of each member of an ensemble (K times the cost of one):
    how much a benchmark's figure owes to the run rather than to the corpus."""
    return EnsembleEvaluation(
        [evaluation_report(kv, analogies, pairs, restrict_vocab, method) for kv in members]
    )


# ---------------------------------------------------------------------- shared
def _resolve(path: str | os.PathLike | None, bundled: str) -> tuple[str, Path]:
    """``(name to show, path to read)`` of an evaluation file; None is the bundled one."""
    if path is None:
        return _BUNDLED_PREFIX + bundled, builtin_path(bundled)
    return str(path), Path(path).expanduser()


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _limit(kv: KeyedVectors, restrict_vocab: int | None) -> int:
    if restrict_vocab is None:
        return len(kv)
    if isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, int | np.integer):
        raise ConfigError(f"restrict_vocab must be a positive integer, got {restrict_vocab!r}")
    if restrict_vocab < 1:
        raise ConfigError(f"restrict_vocab must be at least 1, got {restrict_vocab}")
    return min(int(restrict_vocab), len(kv))


def _candidate_keys(
    kv: KeyedVectors, limit: int, case_insensitive: bool
) -> tuple[dict[str, int], np.ndarray]:
    """Lookup key -> row among the first ``limit`` words, and each row's key's row.

    With case folding, all case variants of a key share the row of the most frequent one; that
    shared row (the "group") decides whether a predicted word equals an expected one.
    """
    keys: dict[str, int] = {}
    group = np.empty(limit, dtype=np.int64)
    for row, word in enumerate(kv.words[:limit]):
        key = word.upper() if case_insensitive else word
        group[row] = keys.setdefault(key, row)
    return keys, group


def _data_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered, stripped, non-blank lines that are not ``#`` comments."""
    try:
        with open(path, "rb") as fh:
            raw_lines = fh.read().splitlines()
    except FileNotFoundError:
        raise EvaluationDataError(f"evaluation file not found: {path}") from None
    except IsADirectoryError:
        raise EvaluationDataError(f"{path} is a directory, not an evaluation file") from None
    except OSError as exc:
        raise EvaluationDataError(f"cannot read {path}: {exc.strerror or exc}") from None
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = unicodedata.normalize("NFC", raw.decode("utf-8")).strip()
        except UnicodeDecodeError:
            raise EvaluationDataError(f"{path}, line {number}: not valid UTF-8") from None
        if line and not line.startswith("#"):
            yield number, line
