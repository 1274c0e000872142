"""Tests of the ``w2v`` command line (w2v_core.cli), in-process and as a real subprocess."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

import w2v_core.cli
import w2v_core.cli.loading
import w2v_core.cli.training
import w2v_core.formats
import w2v_core.training
from w2v_core.callbacks import Callback
from w2v_core.cli import main
from w2v_core.evaluate import evaluate_analogies, evaluate_word_pairs

REPO = Path(__file__).resolve().parent.parent
TINY = ["--dim", "12", "--epochs", "1", "--min-count", "2"]

SUBJECTS = ["king", "queen", "man", "woman", "prince", "princess", "boy", "girl"]
VERBS = ["rules", "loves", "sees", "visits", "greets", "leaves"]
PLACES = ["castle", "kingdom", "garden", "city", "river", "forest", "palace"]


def write_corpus(path: Path, sentences: int = 600, seed: int = 0) -> Path:
    """A generated corpus of a few thousand words over a ~25-word vocabulary."""
    rng = random.Random(seed)
    lines = []
    for _ in range(sentences):
        words = ["the", rng.choice(SUBJECTS), rng.choice(VERBS), "the", rng.choice(PLACES)]
        if rng.random() < 0.5:
            words += ["with", "the", rng.choice(SUBJECTS)]
        lines.append(" ".join(words) + ".")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``w2v argv`` in-process; return (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error_line(err: str, *fragments: str) -> None:
    """stderr is exactly one ``w2v: error:`` line mentioning every fragment."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("w2v: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], err
    assert "Traceback" not in err


def table_rows(stdout: str) -> list[list[str]]:
    """The cells of every body row of the rich tables printed on ``stdout``."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in stdout.splitlines()
        if line.startswith("│")
    ]


def result_rows(stdout: str) -> list[tuple[str, float, str]]:
    """(word, score, frequency) of each row of a ranked result table, checking the ranks."""
    rows = [r for r in table_rows(stdout) if len(r) == 4 and r[0].isdigit()]
    assert [int(r[0]) for r in rows] == list(range(1, len(rows) + 1)), stdout
    return [(word, float(score), frequency) for _, word, score, frequency in rows]


def assert_rows_match(stdout: str, expected: list[tuple[str, float]], kv) -> None:
    """The printed rows are the library's answers: same words, same order, same scores."""
    rows = result_rows(stdout)
    assert [w for w, _, _ in rows] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s, _ in rows], [s for _, s in expected], atol=5.1e-5)
    for word, _, frequency in rows:
        known = kv.frequency(word)
        assert frequency == ("—" if known is None else f"{known:,}")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "corpus.txt")


@pytest.fixture(scope="module")
def model(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny native model trained through the CLI once for the query tests."""
    out = tmp_path_factory.mktemp("model") / "model.npz"
    assert main(["train", str(corpus), "-o", str(out), *TINY, "--epochs", "2"]) == 0
    return out


# ------------------------------------------------------------------------------ train


@pytest.mark.parametrize("suffix", [".npz", ".bin", ".txt", ".vec"])
def test_train_writes_each_format(corpus, tmp_path, capsys, suffix):
    out = tmp_path / f"model{suffix}"
    code, stdout, stderr = run(["train", corpus, "-o", out, *TINY], capsys)
    assert code == 0, stderr
    loaded = w2v_core.formats.load(out)
    assert "king" in loaded.wv and loaded.wv.dim == 12
    assert str(out) in stdout and "vocabulary" in stdout and "final loss" in stdout
    assert "epoch 1/1" in stderr  # plain progress: stderr is not a terminal here
    assert "Traceback" not in stderr


def test_train_progress_bar_on_a_terminal(corpus, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich then treats stderr as a terminal
    monkeypatch.setenv("TTY_INTERACTIVE", "1")
    out = tmp_path / "m.npz"
    code, stdout, stderr = run(["train", corpus, "-o", out, *TINY, "--epochs", "2"], capsys)
    assert code == 0, stderr
    assert "\x1b[" in stderr  # drawn with terminal control codes
    assert "epoch 2/2" in stderr and "words/s" in stderr and "ETA" in stderr
    assert out.exists() and "final loss" in stdout


def test_train_options_reach_the_config(corpus, tmp_path, capsys):
    out = tmp_path / "m.npz"
    argv = ["train", corpus, "-o", out, "--dim", "10", "--window", "3", "--negative", "3",
            "--min-count", "3", "--sample", "0", "--epochs", "2", "--alpha", "0.03",
            "--min-alpha", "0.001", "--seed", "7", "--batch-size", "256", "--threads", "1",
            "--max-vocab", "20"]
    code, _, stderr = run(argv, capsys)
    assert code == 0, stderr
    config = w2v_core.formats.load(out).config
    assert (config.dim, config.window, config.negative, config.min_count) == (10, 3, 3, 3)
    assert (config.sample, config.epochs, config.seed, config.batch_size) == (0, 2, 7, 256)
    assert (config.alpha, config.min_alpha, config.max_vocab) == (0.03, 0.001, 20)


@pytest.mark.parametrize(
    "option, value, name",
    [("--dim", "0", "dim"), ("--alpha", "-1", "alpha"), ("--window", "0", "window"),
     ("--negative", "-2", "negative"), ("--min-alpha", "1", "--min-alpha"),
     ("--epochs", "0", "epochs"), ("--sample", "2", "sample")],
)
def test_train_bad_parameter_exits_2_naming_it(corpus, tmp_path, capsys, option, value, name):
    code, _, stderr = run(["train", corpus, "-o", tmp_path / "m.npz", option, value], capsys)
    assert code == 2
    assert_one_error_line(stderr, name)
    assert not (tmp_path / "m.npz").exists()


def test_train_non_number_parameter_is_a_usage_error(corpus, tmp_path, capsys):
    code, _, stderr = run(["train", corpus, "-o", tmp_path / "m.npz", "--dim", "ten"], capsys)
    assert code == 2
    assert_one_error_line(stderr, "--dim", "ten")


def test_unknown_output_extension_is_rejected_before_training(corpus, tmp_path, capsys,
                                                            monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("training started despite a bad output extension")

    monkeypatch.setattr(w2v_core.cli.training, "train_or_resume", no_training)
    code, _, stderr = run(["train", corpus, "-o", tmp_path / "m.model"], capsys)
    assert code == 2
    assert_one_error_line(stderr, "m.model", ".npz")


def test_missing_output_directory_is_rejected_before_training(corpus, tmp_path, capsys):
    code, _, stderr = run(["train", corpus, "-o", tmp_path / "nope" / "m.npz"], capsys)
    assert code == 1
    assert_one_error_line(stderr, "nope")


@pytest.mark.parametrize(
    "content, extra, fragment",
    [
        (None, [], "not found"),  # missing file
        ("", [], "empty"),  # empty corpus
        ("... 123 !!!\n", [], "empty"),  # no words at all
        ("alpha beta gamma\n", [], "min_count"),  # no word reaches min-count
        ("hello world\n", ["--min-count", "1"], "too small"),  # smaller than the window
    ],
    ids=["missing", "empty", "no-words", "min-count", "too-small"],
)
def test_train_corpus_errors_exit_1(tmp_path, capsys, content, extra, fragment):
    path = tmp_path / "corpus.txt"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "m.npz"
    code, _, stderr = run(["train", path, "-o", out, *extra], capsys)
    assert code == 1
    if fragment == "too small":  # found after training: progress lines come first
        stderr = stderr.splitlines()[-1]
    assert_one_error_line(stderr, fragment)
    assert not out.exists()


def test_train_diverged_exits_1_and_saves_nothing(corpus, tmp_path, capsys):
    out = tmp_path / "m.npz"
    argv = ["train", corpus, "-o", out, "--dim", "50", "--epochs", "3", "--min-count", "1",
            "--alpha", "10", "--min-alpha", "10", "--batch-size", "4096", "--sample", "0"]
    code, _, stderr = run(argv, capsys)
    assert code == 1
    errors = [line for line in stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and errors[0].startswith("w2v: error: training diverged"), stderr
    assert "nothing saved" in errors[0] and "Warning" not in stderr
    assert not out.exists()


def _interrupting_train(monkeypatch, presses: int) -> None:
    """Make training press Ctrl-C ``presses`` times at its first progress event."""
    real_train = w2v_core.training.train

    class CtrlC(Callback):
        done = False

        def on_progress(self, event):
            if not self.done:
                self.done = True
                for _ in range(presses):
                    signal.raise_signal(signal.SIGINT)

    def train(corpus, config, callbacks=(), control=None, checkpoints=None):
        return real_train(corpus, config, [*callbacks, CtrlC()], control, checkpoints)

    monkeypatch.setattr(w2v_core.training, "train", train)


def test_ctrl_c_stops_training_and_saves_the_model_so_far(corpus, tmp_path, capsys,
                                                          monkeypatch):
    _interrupting_train(monkeypatch, presses=1)
    out = tmp_path / "m.npz"
    before = signal.getsignal(signal.SIGINT)  # SIG_IGN when run in the background by a shell
    code, stdout, stderr = run(["train", corpus, "-o", out, *TINY, "--epochs", "5"], capsys)
    assert code == 130
    assert "Interrupted" in stdout and "saved the model trained so far" in stdout
    assert "stopping" in stderr and "Traceback" not in stderr
    summary = w2v_core.formats.load(out).summary
    assert summary.stopped_early and summary.epochs_completed < 5
    assert signal.getsignal(signal.SIGINT) is before  # handler restored


def test_second_ctrl_c_aborts_without_saving(corpus, tmp_path, capsys, monkeypatch):
    _interrupting_train(monkeypatch, presses=2)
    out = tmp_path / "m.npz"
    code, _, stderr = run(["train", corpus, "-o", out, *TINY, "--epochs", "5"], capsys)
    assert code == 130
    assert "nothing saved" in stderr and "Traceback" not in stderr
    assert not out.exists()


# ------------------------------------------------------------------------------ queries


def test_neighbors_table(model, capsys):
    code, stdout, stderr = run(["neighbors", model, "king", "-k", "4"], capsys)
    assert code == 0, stderr
    for column in ("rank", "word", "cosine", "frequency"):
        assert column in stdout
    kv = w2v_core.formats.load(model).wv
    assert_rows_match(stdout, kv.most_similar("king", topn=4), kv)


def test_neighbors_with_negative_words(model, capsys):
    code, stdout, _ = run(["neighbors", model, "king", "woman", "--negative", "man", "-k", "6"],
                          capsys)
    assert code == 0
    assert "king + woman - man" in stdout
    kv = w2v_core.formats.load(model).wv
    expected = kv.most_similar(positive=["king", "woman"], negative=["man"], topn=6)
    assert expected != kv.most_similar(positive=["king", "woman"], topn=6)  # the sign matters
    assert_rows_match(stdout, expected, kv)


@pytest.mark.parametrize(
    "argv", [["king -man +woman"], ["king", "+woman", "--", "-man"], ["king", "woman", "-n", "man"]]
)
def test_neighbors_signed_query_forms(model, capsys, argv):
    code, stdout, stderr = run(["neighbors", model, *argv], capsys)
    assert code == 0, stderr
    assert "king + woman - man" in stdout
    kv = w2v_core.formats.load(model).wv
    assert_rows_match(stdout, kv.most_similar(positive=["king", "woman"], negative=["man"]), kv)


def test_neighbors_of_a_word2vec_file_show_unknown_frequency(corpus, tmp_path, capsys):
    out = tmp_path / "m.bin"
    assert main(["train", str(corpus), "-o", str(out), *TINY]) == 0
    capsys.readouterr()
    code, stdout, _ = run(["neighbors", out, "queen", "-k", "3"], capsys)
    assert code == 0
    kv = w2v_core.formats.load(out).wv
    assert kv.counts is None
    assert_rows_match(stdout, kv.most_similar("queen", topn=3), kv)  # frequency "—"


def test_unknown_word_names_it(model, capsys):
    code, stdout, stderr = run(["neighbors", model, "kingz"], capsys)
    assert code == 1
    assert_one_error_line(stderr, "'kingz'", "king")
    assert stdout == ""


@pytest.mark.parametrize("method, column", [("add", "cosine"), ("mul", "score")])
def test_analogy(model, capsys, method, column):
    code, stdout, stderr = run(["analogy", model, "man", "king", "woman", "-k", "3",
                                "--method", method], capsys)
    assert code == 0, stderr
    assert "man : king :: woman : ?" in stdout and column in stdout
    kv = w2v_core.formats.load(model).wv
    query = kv.most_similar if method == "add" else kv.most_similar_cosmul
    expected = query(positive=["king", "woman"], negative=["man"], topn=3)
    assert_rows_match(stdout, expected, kv)
    assert not {"man", "king", "woman"} & {w for w, _, _ in result_rows(stdout)}


def test_analogy_unknown_word(model, capsys):
    code, _, stderr = run(["analogy", model, "man", "king", "duchess"], capsys)
    assert code == 1
    assert_one_error_line(stderr, "'duchess'")


def test_query_k_must_be_positive(model, capsys):
    code, _, stderr = run(["neighbors", model, "king", "-k", "0"], capsys)
    assert code == 2
    assert_one_error_line(stderr, "-k")


# ------------------------------------------------------------------------------ eval


@pytest.fixture()
def eval_files(tmp_path: Path) -> tuple[Path, Path]:
    analogies = tmp_path / "analogies.txt"
    analogies.write_text(
        ": royals\nking queen prince princess\nman woman boy girl\n"
        ": places\ncastle palace city river\nking queen duke duchess\n",
        encoding="utf-8",
    )
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(
        "king\tqueen\t8.5\nman\twoman\t8.3\ncastle\tpalace\t8.0\nriver\tking\t1.0\n"
        "boy\tgirl\t8.1\ngarden\tforest\t6.0\nunicorn\tking\t3.0\n",
        encoding="utf-8",
    )
    return analogies, pairs


def test_eval_json(model, eval_files, capsys):
    analogies, pairs = eval_files
    code, stdout, stderr = run(["eval", model, "--analogies", analogies, "--pairs", pairs,
                                "--json"], capsys)
    assert code == 0, stderr
    report = json.loads(stdout)  # one valid JSON document, nothing else on stdout
    assert report["model"] == str(model)
    result = report["analogies"]
    assert [s["name"] for s in result["sections"]] == ["royals", "places"]
    assert result["questions"] == 4 and result["total"] == 3  # duke/duchess not covered
    assert result["coverage"] == pytest.approx(0.75)
    assert result["restrict_vocab"] == 30000
    # each answer is KeyedVectors' top 3CosAdd word
    kv = w2v_core.formats.load(model).wv
    questions = {"royals": [("king", "queen", "prince", "princess"), ("man", "woman", "boy", "girl")],
                 "places": [("castle", "palace", "city", "river")]}
    for section in result["sections"]:
        answers = [kv.most_similar(positive=[b, c], negative=[a], topn=1, restrict_vocab=30000)[0][0]
                   for a, b, c, _ in questions[section["name"]]]
        correct = sum(answer == d for answer, (*_, d) in zip(answers, questions[section["name"]]))
        assert (section["correct"], section["total"]) == (correct, len(answers))
    assert result["correct"] == sum(s["correct"] for s in result["sections"])
    (scores,) = report["word_pairs"]
    assert scores["pairs"] == 7 and scores["used"] == 6
    # Spearman of the model's cosines against the human scores, over the six usable pairs
    used = [line.split("\t") for line in pairs.read_text().splitlines() if "unicorn" not in line]
    cosines = [kv.similarity(a, b) for a, b, _ in used]
    expected = spearmanr(cosines, [float(score) for *_, score in used]).statistic
    assert abs(expected) < 0.999  # a value that says something about the model
    assert scores["spearman"] == pytest.approx(expected, abs=1e-9)


def test_eval_tables_with_bundled_files(model, capsys):
    code, stdout, stderr = run(["eval", model], capsys)
    assert code == 0, stderr
    assert "questions-words" in stdout and "wordsim353" in stdout
    assert "coverage:" in stdout and "Spearman" in stdout
    kv = w2v_core.formats.load(model).wv
    analogies = evaluate_analogies(kv)
    cells = {row[0]: row[1:] for row in table_rows(stdout)}
    assert analogies.total > 0  # the family section has answerable questions
    for section in analogies.sections:
        assert cells[section.name][:2] == [f"{section.correct:,}", f"{section.total:,}"]
    assert cells["total"][:2] == [f"{analogies.correct:,}", f"{analogies.total:,}"]
    pairs = evaluate_word_pairs(kv)
    spearman, pearson, used = cells["builtin:wordsim353.tsv"][:3]
    assert float(spearman) == pytest.approx(pairs.spearman, abs=5e-4)
    assert float(pearson) == pytest.approx(pairs.pearson, abs=5e-4)
    assert used == f"{pairs.used:,} / {pairs.pairs:,}"


def test_eval_several_pair_files_and_no_restriction(model, eval_files, capsys):
    analogies, pairs = eval_files
    code, stdout, _ = run(["eval", model, "--analogies", analogies, "--pairs", pairs, pairs,
                           "--restrict-vocab", "none", "--json"], capsys)
    assert code == 0
    report = json.loads(stdout)
    assert len(report["word_pairs"]) == 2
    assert report["analogies"]["restrict_vocab"] is None


def test_eval_missing_file(model, tmp_path, capsys):
    code, _, stderr = run(["eval", model, "--analogies", tmp_path / "nope.txt"], capsys)
    assert code == 1
    assert_one_error_line(stderr, "nope.txt")


# ------------------------------------------------------------------------------ export, info


@pytest.mark.parametrize("suffix", [".bin", ".txt", ".npz"])
def test_export_round_trip(model, tmp_path, capsys, suffix):
    out = tmp_path / f"exported{suffix}"
    code, stdout, stderr = run(["export", model, out], capsys)
    assert code == 0, stderr
    original = w2v_core.formats.load(model).wv
    exported = w2v_core.formats.load(out).wv
    assert exported.words == original.words
    assert abs(exported["king"] - original["king"]).max() < 1e-4
    assert str(out) in stdout


def test_export_unknown_extension(model, tmp_path, capsys):
    code, _, stderr = run(["export", model, tmp_path / "out.pickle"], capsys)
    assert code == 2
    assert_one_error_line(stderr, ".pickle")


def test_info(model, capsys):
    code, stdout, stderr = run(["info", model], capsys)
    assert code == 0, stderr
    fields = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in stdout.splitlines()
                  if re.match(r"[a-z][a-z ]*\S\s{2,}\S", line))
    loaded = w2v_core.formats.load(model)
    assert fields["format"] == "native .npz" and fields["dimensions"] == "12"
    assert fields["vocabulary"] == f"{len(loaded.wv):,} words"
    assert fields["most frequent"] == ", ".join(loaded.wv.words[:10])
    settings = {row[0]: row[1] for row in table_rows(stdout) if len(row) == 2}
    for key, value in loaded.config.to_dict().items():
        assert settings[key] == (f"{value:.6g}" if isinstance(value, float) else str(value))
    assert settings["pairs_trained"] == str(loaded.summary.pairs_trained)
    assert "configuration" in stdout and "window" in stdout


# ------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "content", [b"", b"not a model at all\n", b"PK\x03\x04 truncated zip", b"3 5\nking 0.1\n"],
    ids=["empty", "text", "zip", "truncated"],
)
@pytest.mark.parametrize("command", [["neighbors", "king"], ["eval"], ["info"],
                                     ["export", "out.txt"]])
def test_corrupt_model_exits_1(tmp_path, capsys, content, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    code, _, stderr = run([command[0], path, *command[1:]], capsys)
    assert code == 1
    assert_one_error_line(stderr)


def test_missing_model(tmp_path, capsys):
    code, _, stderr = run(["neighbors", tmp_path / "absent.npz", "king"], capsys)
    assert code == 1
    assert_one_error_line(stderr, "absent.npz")


@pytest.mark.parametrize("argv", [[], ["bogus"], ["neighbors"], ["train", "c.txt"],
                                  ["analogy", "m.npz", "a", "b"], ["eval", "m", "--method", "x"]])
def test_usage_errors_are_one_line_exit_2(capsys, argv):
    code, stdout, stderr = run(argv, capsys)
    assert code == 2
    assert_one_error_line(stderr)
    assert stdout == ""


def test_help_exits_0(capsys):
    code, stdout, _ = run(["train", "--help"], capsys)
    assert code == 0
    assert "--min-count" in stdout and "--batch-size" in stdout


def test_ctrl_c_outside_training_exits_130_quietly(model, capsys, monkeypatch):
    def interrupted(path, **options):
        raise KeyboardInterrupt

    monkeypatch.setattr(w2v_core.cli.loading, "load", interrupted)
    code, stdout, stderr = run(["neighbors", model, "king"], capsys)
    assert (code, stdout, stderr) == (130, "", "")


def test_unexpected_exception_is_one_line(model, capsys, monkeypatch):
    def broken(path, **options):
        raise RuntimeError("boom")

    monkeypatch.setattr(w2v_core.cli.loading, "load", broken)
    monkeypatch.delenv("W2V_DEBUG", raising=False)
    code, _, stderr = run(["info", model], capsys)
    assert code == 1
    assert_one_error_line(stderr, "internal error", "boom")


def test_a_model_too_large_for_memory_is_said_as_w2v_tui_says_it(model, capsys, monkeypatch):
    def too_large(path, **options):
        raise MemoryError

    monkeypatch.setattr(w2v_core.cli.loading, "load", too_large)
    code, _, stderr = run(["info", model], capsys)
    assert code == 1
    assert_one_error_line(stderr, f"{model}: not enough memory for the arrays it declares")


# ------------------------------------------------------------------------------ subprocess


def _subprocess(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    env.pop("W2V_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "w2v_core.cli", *argv],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120,
    )


def test_subprocess_train_and_query(corpus, tmp_path):
    done = _subprocess("train", str(corpus), "-o", "m.txt", *TINY, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "epoch 1/1" in done.stderr
    done = _subprocess("neighbors", "m.txt", "queen", "-k", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    kv = w2v_core.formats.load(tmp_path / "m.txt").wv
    assert_rows_match(done.stdout, kv.most_similar("queen", topn=2), kv)


@pytest.mark.parametrize(
    "argv, code",
    [(["neighbors", "corrupt.npz", "king"], 1), (["train", "absent.txt", "-o", "m.npz"], 1),
     (["train", "absent.txt", "-o", "m.npz", "--dim", "0"], 2), (["nonsense"], 2)],
)
def test_subprocess_errors_have_no_traceback(tmp_path, argv, code):
    (tmp_path / "corrupt.npz").write_bytes(b"PK\x03\x04 this is not a zip archive")
    done = _subprocess(*argv, cwd=tmp_path)
    assert done.returncode == code
    assert_one_error_line(done.stderr)
