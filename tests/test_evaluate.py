"""Analogy and word-pair evaluation: planted vectors, gensim parity, bad files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from w2v_core.errors import ConfigError, W2VError
from w2v_core.evaluate import (
    EvaluationDataError,
    evaluate_analogies,
    evaluate_word_pairs,
)
from w2v_core.vectors import KeyedVectors

#: section -> (first words, second words); the planted relation maps first[i] to second[i].
SECTIONS = {
    "capital-common-countries": (["athens", "paris", "rome", "berlin", "oslo"],
                                 ["greece", "france", "italy", "germany", "norway"]),
    "gram1-adjective-to-adverb": (["calm", "quick", "rapid", "quiet", "slow"],
                                  ["calmly", "quickly", "rapidly", "quietly", "slowly"]),
    "family": (["boy", "brother", "father", "king", "son"],
               ["girl", "sister", "mother", "queen", "daughter"]),
}
PAIRS = 5
QUESTIONS_PER_SECTION = PAIRS * (PAIRS - 1)


def planted_vectors() -> KeyedVectors:
    """One-hot first words; second word = (first + section's relation axis) / sqrt(2).

    For ``x_i : y_i :: x_j : ?`` the best non-input candidate is exactly ``y_j``, under both 3CosAdd
    and 3CosMul.
    """
    words = [w for firsts, seconds in SECTIONS.values() for w in firsts + seconds]
    n_first = len(SECTIONS) * PAIRS
    dim = n_first + len(SECTIONS) + 2  # + relation axes + spare axes
    vectors = np.zeros((len(words), dim), dtype=np.float32)
    row = 0
    for s, (firsts, seconds) in enumerate(SECTIONS.values()):
        for i in range(PAIRS):
            axis = s * PAIRS + i
            vectors[row + i, axis] = 1.0
            vectors[row + PAIRS + i, [axis, n_first + s]] = 1.0 / math.sqrt(2)
        row += 2 * PAIRS
    return KeyedVectors(words, vectors)


def _random(n: int, dim: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def write_questions(path: Path) -> Path:
    lines = []
    for name, (firsts, seconds) in SECTIONS.items():
        lines.append(f": {name}")
        for i in range(PAIRS):
            for j in range(PAIRS):
                if i != j:  # capitalised as in questions-words.txt; the vocabulary is lowercase
                    lines.append(f"{firsts[i].title()} {seconds[i].title()} {firsts[j].title()} "
                                 f"{seconds[j].title()}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    return write_questions(tmp_path / "questions.txt")


# ------------------------------------------------------------------ analogies
@pytest.mark.parametrize("method", ["add", "mul"])
def test_planted_analogies_are_all_solved(questions: Path, method: str) -> None:
    report = evaluate_analogies(planted_vectors(), questions, method=method)
    assert [s.name for s in report.sections] == list(SECTIONS)
    for section in report.sections:
        assert section.correct == section.total == section.questions == QUESTIONS_PER_SECTION
    assert report.accuracy == 1.0 and report.coverage == 1.0
    assert (report.correct, report.total, report.questions, report.skipped) == (60, 60, 60, 0)


@pytest.mark.parametrize("method", ["add", "mul"])
def test_breaking_one_vector_drops_exactly_its_questions(questions: Path, method: str) -> None:
    kv = planted_vectors()
    row = kv.get_index("queen")  # moved to an axis of its own: no longer "king" + royalty
    kv.vectors[row] = 0.0
    kv.vectors[row, -1] = 1.0
    report = evaluate_analogies(kv, questions, method=method)
    by_name = {s.name: s for s in report.sections}
    # only the questions answered by "queen" ("x : y :: king : queen") fail
    assert by_name["family"].correct == QUESTIONS_PER_SECTION - (PAIRS - 1)
    assert by_name["family"].total == QUESTIONS_PER_SECTION
    assert by_name["capital-common-countries"].correct == QUESTIONS_PER_SECTION
    assert report.correct == 60 - (PAIRS - 1)


def test_restrict_vocab_skips_questions_and_lowers_coverage(questions: Path) -> None:
    kv = planted_vectors()
    report = evaluate_analogies(kv, questions, restrict_vocab=2 * PAIRS)  # capitals only
    assert [(s.correct, s.total) for s in report.sections] == [(20, 20), (0, 0), (0, 0)]
    assert report.skipped == 40 and report.coverage == pytest.approx(1 / 3)
    assert report.accuracy == 1.0


def test_case_sensitive_skips_capitalised_questions(questions: Path) -> None:
    report = evaluate_analogies(planted_vectors(), questions, case_insensitive=False)
    assert report.total == 0 and report.accuracy is None and report.coverage == 0.0


def _noisy_vectors(seed: int = 0, variants: bool = True) -> KeyedVectors:
    """Planted vectors blurred by noise, distractors, and case variants of some question words."""
    rng = np.random.default_rng(seed)
    planted = planted_vectors()
    dim = planted.dim
    words = list(planted.words)
    vectors = planted.vectors + rng.normal(0, 0.35, planted.vectors.shape).astype(np.float32)
    distractors = [f"d{i}" for i in range(40)]
    variants = [w.title() for w in words[::3]] if variants else []  # close to the original
    extra = np.concatenate([
        rng.normal(0, 0.6, (len(distractors), dim)),
        vectors[::3][: len(variants)] + rng.normal(0, 0.05, (len(variants), dim)),
    ]).astype(np.float32)
    order = rng.permutation(len(words) + len(distractors))  # interleave words and distractors
    base = np.concatenate([vectors, extra[: len(distractors)]])[order]
    base_words = [(words + distractors)[i] for i in order]
    return KeyedVectors(base_words + variants, np.concatenate([base, extra[len(distractors):]]))


def _gensim_kv(kv: KeyedVectors):
    gensim_models = pytest.importorskip("gensim.models")
    gkv = gensim_models.KeyedVectors(kv.dim)
    gkv.add_vectors(kv.words, kv.vectors)
    return gkv


@pytest.mark.parametrize("restrict_vocab", [40, 60, 1000])
def test_add_matches_gensim_per_section(questions: Path, restrict_vocab: int) -> None:
    for seed in range(3):
        kv = _noisy_vectors(seed)
        gkv = _gensim_kv(kv)
        _, sections = gkv.evaluate_word_analogies(str(questions), restrict_vocab=restrict_vocab)
        ours = evaluate_analogies(kv, questions, restrict_vocab=restrict_vocab)
        expected = [(s["section"], len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
                    for s in sections[:-1]]
        assert [(s.name, s.correct, s.total) for s in ours.sections] == expected
        assert 0 < ours.correct < ours.total  # the comparison is not trivial


def test_mul_matches_gensim_cosmul(questions: Path) -> None:
    kv = _noisy_vectors(1, variants=False)  # gensim's cosmul has no case folding
    gkv = _gensim_kv(kv)
    expected = 0
    for line in questions.read_text().lower().splitlines():
        if not line.startswith(":"):
            a, b, c, d = line.split()
            expected += gkv.most_similar_cosmul(positive=[b, c], negative=[a], topn=1)[0][0] == d
    report = evaluate_analogies(kv, questions, method="mul", restrict_vocab=None)
    assert report.correct == expected and 0 < expected < report.total


def test_mul_evaluation_answers_as_single_queries_do(tmp_path: Path) -> None:
    """A question evaluate_analogies counts as correct is one KeyedVectors.analogy answers
    with the expected word: both score 3CosMul with the same function."""
    rng = np.random.default_rng(3)
    kv = KeyedVectors([f"w{i}" for i in range(300)], _random(300, 16, 3))
    quads, correct = [], 0
    for a, b, c in rng.choice(len(kv), size=(80, 3)):
        if len({a, b, c}) < 3:
            continue
        a, b, c = kv.words[a], kv.words[b], kv.words[c]
        answer = kv.analogy(a, b, c, method="mul", topn=1)[0][0]
        d = answer if len(quads) % 2 else kv.words[int(rng.integers(len(kv)))]
        correct += d == answer
        quads.append(f"{a} {b} {c} {d}")
    path = tmp_path / "q.txt"
    path.write_text(": random\n" + "\n".join(quads) + "\n")
    report = evaluate_analogies(kv, path, restrict_vocab=None, method="mul", case_insensitive=False)
    assert report.total == len(quads) and report.correct == correct >= len(quads) // 2


def test_bundled_questions_file() -> None:
    from w2v_core.corpus import builtin_path

    text = builtin_path("questions-words.txt").read_text(encoding="utf-8").lower()
    words = sorted({w for line in text.splitlines() if line[:1] != ":" for w in line.split()})
    kv = KeyedVectors(words, _random(len(words), 16, seed=0))
    report = evaluate_analogies(kv)
    assert report.questions == 19544 and report.total == 19544 and len(report.sections) == 14
    assert report.sections[0].name == "capital-common-countries"
    assert report.path.endswith("questions-words.txt")
    empty = evaluate_analogies(KeyedVectors(["zzz"] * 0, np.zeros((0, 4), np.float32)))
    assert (empty.total, empty.coverage, empty.accuracy) == (0, 0.0, None)


# ------------------------------------------------------------------ word pairs
def _pair_vectors() -> tuple[KeyedVectors, list[tuple[str, str, float]]]:
    """``w0`` on the x axis; ``u_i`` at a decreasing angle from it: similarity grows with i."""
    angles = np.linspace(1.5, 0.1, 8)
    words = ["w0"] + [f"u{i}" for i in range(8)]
    vectors = np.zeros((9, 3), dtype=np.float32)
    vectors[0, 0] = 1.0
    vectors[1:, 0], vectors[1:, 1] = np.cos(angles), np.sin(angles)
    pairs = [("w0", f"u{i}", float(i) ** 2) for i in range(8)]
    return KeyedVectors(words, vectors), pairs


def test_word_pairs_planted_correlation(tmp_path: Path) -> None:
    kv, pairs = _pair_vectors()
    path = tmp_path / "pairs.tsv"
    lines = ["# comment", "# Word 1\tWord 2\tHuman (mean)", ""]
    lines += [f"{a.upper()}\t{b}\t{s}" for a, b, s in pairs] + ["w0\tunknown\t5.0"]
    path.write_text("\n".join(lines) + "\n")
    report = evaluate_word_pairs(kv, path)
    from scipy import stats

    assert report.spearman == pytest.approx(1.0)
    model = [kv.similarity(a, b) for a, b, _ in pairs]
    assert report.pearson == pytest.approx(stats.pearsonr([s for *_, s in pairs], model).statistic)
    assert (report.pairs, report.used) == (9, 8)
    assert report.oov_ratio == pytest.approx(1 / 9)


def test_word_pairs_match_gensim(tmp_path: Path) -> None:
    from w2v_core.corpus import builtin_path

    wordsim = builtin_path("wordsim353.tsv")
    text = wordsim.read_text(encoding="utf-8").lower()
    words = sorted({w for line in text.splitlines() if not line.startswith("#")
                    for w in line.split("\t")[:2]})[::2]  # half the words: some pairs OOV
    kv = KeyedVectors(words, _random(len(words), 10, seed=3))
    pearson, spearman, oov_percent = _gensim_kv(kv).evaluate_word_pairs(str(wordsim))
    ours = evaluate_word_pairs(kv)
    assert ours.pairs == 353
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert ours.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert ours.oov_ratio * 100 == pytest.approx(oov_percent)


def test_word_pairs_with_too_few_known_pairs_are_nan(tmp_path: Path) -> None:
    kv, _ = _pair_vectors()
    path = tmp_path / "pairs.tsv"
    path.write_text("w0\tu1\t3\nfoo\tbar\t2\n")
    report = evaluate_word_pairs(kv, path)
    assert math.isnan(report.spearman) and math.isnan(report.pearson)
    assert (report.pairs, report.used, report.oov_ratio) == (2, 1, 0.5)


# ------------------------------------------------------------------ bad input
BAD_ANALOGIES = {
    "three words": (": s\na b c d\na b c\n", "line 3: expected four words"),
    "no header": ("a b c d\n", "line 1: question before the first ': section' header"),
    "no questions": (": s\n# nothing\n", "no analogy questions"),
    "not utf-8": (b": s\na b c d\nd\xe9j\xe0 b c d\n", "line 3: not valid UTF-8"),
}
BAD_PAIRS = {
    "two fields": ("a\tb\t1\na\tb\n", "line 2: expected 'word1<TAB>word2<TAB>score', found 2"),
    "score not a number": ("a\tb\thigh\n", "line 1: score 'high' is not a number"),
    "no pairs": ("# only a comment\n", "no word pairs"),
}


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


@pytest.mark.parametrize("case", list(BAD_ANALOGIES))
def test_malformed_questions_file(case: str, tmp_path: Path) -> None:
    content, message = BAD_ANALOGIES[case]
    path = _write(tmp_path / "q.txt", content)
    with pytest.raises(EvaluationDataError, match=message) as excinfo:
        evaluate_analogies(planted_vectors(), path)
    assert str(path) in str(excinfo.value) and "\n" not in str(excinfo.value)


@pytest.mark.parametrize("case", list(BAD_PAIRS))
def test_malformed_pairs_file(case: str, tmp_path: Path) -> None:
    content, message = BAD_PAIRS[case]
    path = _write(tmp_path / "p.tsv", content)
    with pytest.raises(EvaluationDataError, match=message) as excinfo:
        evaluate_word_pairs(planted_vectors(), path)
    assert str(path) in str(excinfo.value)


def test_missing_files_and_bad_parameters(tmp_path: Path) -> None:
    kv = planted_vectors()
    with pytest.raises(EvaluationDataError, match="not found: .*nope.txt"):
        evaluate_analogies(kv, tmp_path / "nope.txt")
    with pytest.raises(EvaluationDataError, match="is a directory"):
        evaluate_word_pairs(kv, tmp_path)
    with pytest.raises(ConfigError, match="analogy method must be one of add, mul, got 'cosadd'"):
        evaluate_analogies(kv, method="cosadd")
    with pytest.raises(ConfigError, match="restrict_vocab"):
        evaluate_analogies(kv, restrict_vocab=0)
    assert issubclass(EvaluationDataError, W2VError)
