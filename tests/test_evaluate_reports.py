"""Evaluation reports as data: n/a instead of 0% when nothing was answered, JSON-ready dicts,
and pairs files with non-finite scores refused (issue 6 item 16, issue 7 section 3)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from w2v_core.evaluate import (
    EvaluationDataError,
    evaluate_analogies,
    evaluate_word_pairs,
    evaluation_report,
)
from w2v_core.vectors import KeyedVectors

WORDS = ["king", "queen", "man", "woman", "paris", "france", "rome", "italy"]


@pytest.fixture
def kv() -> KeyedVectors:
    vectors = np.random.default_rng(0).standard_normal((len(WORDS), 6)).astype(np.float32)
    return KeyedVectors(WORDS, vectors)


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    path = tmp_path / "questions.txt"
    path.write_text(
        ": royals\nking queen man woman\n: capitals\nparis france rome italy\n"
        ": unknown\nduke duchess lord lady\n"
    )
    return path


def test_no_answered_question_is_not_zero_percent(kv, tmp_path):
    path = tmp_path / "oov.txt"
    path.write_text(": unknown\nduke duchess lord lady\n")
    report = evaluate_analogies(kv, path)
    assert report.total == 0 and report.accuracy is None and report.coverage == 0.0
    assert report.sections[0].accuracy is None
    data = json.loads(json.dumps(report.to_dict()))  # JSON-ready: no NaN, no objects
    assert data["accuracy"] is None and data["sections"][0]["accuracy"] is None


def test_analogy_report_to_dict(kv, questions):
    report = evaluate_analogies(kv, questions, restrict_vocab=None, method="mul")
    data = report.to_dict()
    assert data == {
        "path": str(questions),
        "method": "mul",
        "restrict_vocab": None,
        "accuracy": report.correct / 2,
        "correct": report.correct,
        "total": 2,
        "questions": 3,
        "skipped": 1,
        "coverage": pytest.approx(2 / 3),
        "sections": [
            {"name": "royals", "correct": data["sections"][0]["correct"], "total": 1,
             "questions": 1, "accuracy": data["sections"][0]["correct"] / 1},
            {"name": "capitals", "correct": data["sections"][1]["correct"], "total": 1,
             "questions": 1, "accuracy": data["sections"][1]["correct"] / 1},
            {"name": "unknown", "correct": 0, "total": 0, "questions": 1, "accuracy": None},
        ],
    }
    assert report.candidates == len(WORDS)
    assert evaluate_analogies(kv, questions, restrict_vocab=30000).to_dict()["restrict_vocab"] == 30000


def test_bundled_files_are_named_as_such(kv):
    assert evaluate_analogies(kv).to_dict()["path"] == "builtin:questions-words.txt"
    assert evaluate_word_pairs(kv).to_dict()["path"] == "builtin:wordsim353.tsv"


def test_pair_report_to_dict(kv, tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("king\tqueen\t8\nman\twoman\t7\nparis\trome\t5\nduke\tlord\t6\n")
    report = evaluate_word_pairs(kv, path)
    data = report.to_dict()
    assert data["path"] == str(path) and data["pairs"] == 4 and data["used"] == 3
    assert data["oov_ratio"] == pytest.approx(0.25)
    assert data["spearman"] == pytest.approx(report.spearman)
    one = tmp_path / "one.tsv"
    one.write_text("king\tqueen\t8\n")
    nan = evaluate_word_pairs(kv, one).to_dict()  # one pair: no correlation
    assert nan["spearman"] is None and nan["pearson"] is None
    json.dumps(nan, allow_nan=False)


def test_evaluation_report_is_both_reports(kv, questions, tmp_path):
    """What ``w2v eval`` prints and the TUI's Evaluate pane shows: one analogy report and a
    pairs report per file, the bundled file when none is named."""
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("king\tqueen\t8\nman\twoman\t7\nparis\trome\t5\n")
    report = evaluation_report(kv, questions, [pairs, pairs], restrict_vocab=None, method="mul")
    assert report.analogies == evaluate_analogies(kv, questions, restrict_vocab=None, method="mul")
    assert report.word_pairs == [evaluate_word_pairs(kv, pairs)] * 2
    assert json.loads(json.dumps(report.to_dict(), allow_nan=False)) == {
        "analogies": report.analogies.to_dict(),
        "word_pairs": [report.word_pairs[0].to_dict()] * 2,
    }
    assert [p.path for p in evaluation_report(kv).word_pairs] == ["builtin:wordsim353.tsv"]


@pytest.mark.parametrize("score", ["nan", "NaN", "inf", "-inf"])
def test_non_finite_scores_are_refused_with_the_line(kv, tmp_path, score):
    path = tmp_path / "pairs.tsv"
    path.write_text(f"# header\nking\tqueen\t8\nman\twoman\t{score}\n")
    with pytest.raises(EvaluationDataError, match=f"line 3: score '{score}' is not a finite number"):
        evaluate_word_pairs(kv, path)


def test_decomposed_words_in_evaluation_files_match_composed_vocabulary(tmp_path):
    import unicodedata

    kv = KeyedVectors(["café", "thé", "crème"], np.eye(3, dtype=np.float32))
    path = tmp_path / "pairs.tsv"
    path.write_text(unicodedata.normalize("NFD", "café\tthé\t5\ncafé\tcrème\t3\n"), encoding="utf-8")
    assert evaluate_word_pairs(kv, path).used == 2
