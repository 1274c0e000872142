"""``w2v`` commands added for issues 6 and 9: odd, --unicode-errors, auto epochs, and more."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import w2v_core.formats
from w2v_core.cli import main
from w2v_core.vectors import KeyedVectors

FRUIT = ["apple", "pear", "plum", "cherry"]
TOOLS = ["hammer", "saw", "drill"]


def run(argv: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def vectors_file(tmp_path: Path) -> Path:
    """Fruit along one axis, tools along another, with known counts."""
    rng = np.random.default_rng(0)
    words = FRUIT + TOOLS + [f"filler{i}" for i in range(20)]
    vectors = rng.normal(0, 0.05, size=(len(words), 6)).astype(np.float32)
    vectors[: len(FRUIT), 0] += 1.0
    vectors[len(FRUIT) : len(FRUIT) + len(TOOLS), 1] += 1.0
    vectors[len(FRUIT) + len(TOOLS) :, 2:] += rng.normal(0, 1, size=(20, 4))
    counts = np.arange(len(words), 0, -1) * 10
    path = tmp_path / "v.npz"
    w2v_core.formats.save(KeyedVectors(words, vectors, counts), path)
    return path


# ------------------------------------------------------------------ odd one out
def test_odd_names_the_odd_word_and_shows_each_cosine_to_the_mean(vectors_file, capsys):
    code, out, err = run(["odd", vectors_file, "apple", "pear", "hammer", "plum"], capsys)
    assert code == 0, err
    assert "odd one out: hammer" in out
    rows = [line for line in out.splitlines() if any(w in line for w in FRUIT + TOOLS)]
    assert [next(w for w in FRUIT + TOOLS if w in row) for row in rows[1:]][0] == "hammer"
    kv = w2v_core.formats.load(vectors_file).wv
    for word, cosine in kv.cosines_to_mean(["apple", "pear", "hammer", "plum"]):
        assert any(word in row and f"{cosine:.4f}" in row for row in rows)


def test_odd_accepts_comma_separated_words(vectors_file, capsys):
    code, out, _ = run(["odd", vectors_file, "apple,pear,saw"], capsys)
    assert code == 0 and "odd one out: saw" in out


def test_odd_needs_two_words(vectors_file, capsys):
    code, _, err = run(["odd", vectors_file, "apple"], capsys)
    assert code == 2
    assert err.startswith("w2v: error: ") and "two words" in err


def test_cosines_to_mean_put_the_doesnt_match_word_first(vectors_file):
    kv = w2v_core.formats.load(vectors_file).wv
    ranked = kv.cosines_to_mean(["saw", "apple", "drill", "hammer"])
    assert ranked[0][0] == kv.doesnt_match(["saw", "apple", "drill", "hammer"]) == "apple"
    assert [c for _, c in ranked] == sorted(c for _, c in ranked)
    mean = kv.normed[[kv.get_index(w) for w in ["saw", "apple", "drill", "hammer"]]].mean(0)
    expected = kv.normed[kv.get_index("apple")] @ (mean / np.linalg.norm(mean))
    assert ranked[0][1] == pytest.approx(float(expected), abs=1e-6)


# ------------------------------------------------------------------ --unicode-errors
@pytest.fixture
def latin1_vec(tmp_path: Path) -> Path:
    """A fastText-style .vec whose few non-ASCII words are Latin-1, not UTF-8."""
    rows = [b"3 4", b"the 0.1 0.2 0.3 0.4", "caf\u00e9".encode("latin-1") + b" 0.2 0.1 0.0 0.3",
            b"tea 0.3 0.1 0.2 0.0"]
    path = tmp_path / "latin1.vec"
    path.write_bytes(b"\n".join(rows) + b"\n")
    return path


@pytest.mark.parametrize("command", [["info"], ["neighbors", "-", "tea"], ["odd", "-", "tea", "the"],
                                     ["analogy", "-", "the", "tea", "the"], ["eval", "-"],
                                     ["export", "-", "OUT"]])
def test_every_loading_command_takes_unicode_errors(latin1_vec, tmp_path, capsys, command):
    argv = [latin1_vec if a == "-" else tmp_path / "out.npz" if a == "OUT" else a for a in command]
    if len(argv) == 1:
        argv.append(latin1_vec)
    code, _, err = run(argv, capsys)
    assert code == 1 and "UTF-8" in err, err
    code, out, err = run([*argv, "--unicode-errors", "replace"], capsys)
    assert code == 0, err


def test_unicode_errors_replace_keeps_the_word_readable(latin1_vec, capsys):
    code, out, err = run(["neighbors", latin1_vec, "tea", "--unicode-errors", "replace"], capsys)
    assert code == 0, err
    assert "caf\ufffd" in out


# ------------------------------------------------------------------ -n/--negative (issue 6 #25)
def _title(out: str) -> str:
    """The table's title (rich wraps a long one to the table's width)."""
    return " ".join(out.split("\u250f")[0].split())


def test_negative_option_does_not_swallow_the_query_words(vectors_file, capsys):
    code, out, err = run(["neighbors", vectors_file, "-n", "pear", "apple", "-k", "3"], capsys)
    assert code == 0, err
    assert _title(out) == "nearest to apple - pear"


@pytest.mark.parametrize("negative", [["-n", "pear", "-n", "plum"], ["-n", "pear,plum"],
                                      ["-n", "pear plum"], ["--negative", "pear, plum"]])
def test_negative_words_repeat_or_split_like_query_words(vectors_file, capsys, negative):
    code, out, err = run(["neighbors", vectors_file, "apple", *negative, "-k", "4"], capsys)
    assert code == 0, err
    assert _title(out) == "nearest to apple - pear - plum"
    kv = w2v_core.formats.load(vectors_file).wv
    for word, cosine in kv.most_similar(positive=["apple"], negative=["pear", "plum"], topn=4):
        assert any(word in line and f"{cosine:.4f}" in line for line in out.splitlines())


def test_query_words_keep_vocabulary_words_whole(tmp_path, capsys):
    words = ["New_York", "-lrb-", "co-operate", "2000", "paris"]
    vectors = np.eye(5, 4, dtype=np.float32) + 0.1
    path = tmp_path / "odd.txt"
    w2v_core.formats.save(KeyedVectors(words, vectors), path)
    code, out, err = run(["neighbors", path, "New_York -co-operate", "2000", "-k", "2"], capsys)
    assert code == 0, err
    assert _title(out) == "nearest to New_York + 2000 - co-operate"
    code, out, err = run(["neighbors", path, "-k", "2", "--", "-lrb-"], capsys)
    assert code == 0, err
    assert _title(out) == "nearest to -lrb-"


# ------------------------------------------------------------------ eval with nothing answered (#16)
def test_eval_shows_na_and_null_when_no_question_is_answered(vectors_file, tmp_path, capsys):
    questions = tmp_path / "q.txt"
    questions.write_text(": unknown\nking queen man woman\nparis france rome italy\n")
    code, out, err = run(["eval", vectors_file, "--analogies", questions], capsys)
    assert code == 0, err
    total = next(line for line in out.splitlines() if "total" in line)
    assert "n/a" in total and "0.0%" not in total
    code, out, err = run(["eval", vectors_file, "--analogies", questions, "--json"], capsys)
    report = json.loads(out)["analogies"]
    assert report["accuracy"] is None and report["total"] == 0
    assert report["sections"][0]["accuracy"] is None


# ------------------------------------------------------------------ --limit (issue 9 §4)
def test_limit_loads_only_the_first_vectors(vectors_file, capsys):
    code, out, err = run(["info", vectors_file, "--limit", "5"], capsys)
    assert code == 0, err
    assert "5 words" in out
    code, out, err = run(["neighbors", vectors_file, "apple", "-k", "10", "--limit", "5"], capsys)
    assert code == 0, err
    listed = [line for line in out.splitlines() if line.lstrip("│ ").split(" ")[0].isdigit()]
    assert len(listed) == 4  # the other four of the first five words
    code, _, err = run(["neighbors", vectors_file, "drill", "--limit", "5"], capsys)
    assert code == 1 and "drill" in err


@pytest.mark.parametrize("command", [["info"], ["neighbors", "apple"], ["odd", "apple", "pear"],
                                     ["analogy", "apple", "pear", "plum"], ["eval"],
                                     ["export", "OUT"]])
def test_every_loading_command_takes_limit(vectors_file, tmp_path, capsys, command):
    argv = [command[0], vectors_file, *[tmp_path / "o.npz" if a == "OUT" else a for a in command[1:]]]
    code, _, err = run([*argv, "--limit", "6"], capsys)
    assert code == 0, err
    code, _, err = run([*argv, "--limit", "0"], capsys)
    assert code == 2


# ------------------------------------------------------------------ projector export (issue 9 §5)
@pytest.mark.parametrize("name, metadata", [("out.tsv", "out-metadata.tsv"),
                                            ("vectors.tsv", "metadata.tsv")])
def test_export_writes_the_projector_pair(vectors_file, tmp_path, capsys, name, metadata):
    code, out, err = run(["export", vectors_file, tmp_path / name], capsys)
    assert code == 0, err
    kv = w2v_core.formats.load(vectors_file).wv
    rows = (tmp_path / name).read_text().splitlines()
    assert len(rows) == len(kv)
    np.testing.assert_allclose(np.array([r.split("\t") for r in rows], dtype=np.float32),
                               kv.vectors, rtol=1e-6)
    meta = (tmp_path / metadata).read_text().splitlines()
    assert meta[0] == "word\tcount"
    assert meta[1:] == [f"{w}\t{kv.frequency(w)}" for w in kv.words]
    assert metadata in out


# ------------------------------------------------------------------ corpus text (issue 6 #8, #9, #26)
def test_train_reads_other_encodings_when_asked(tmp_path, capsys):
    corpus = tmp_path / "latin1.txt"
    corpus.write_bytes("le caf\u00e9 est chaud. le th\u00e9 est froid.\n".encode("latin-1") * 40)
    argv = ["train", corpus, "-o", tmp_path / "m.npz", "--dim", "8", "--min-count", "1",
            "--epochs", "1", "--threads", "1"]
    code, _, err = run(argv, capsys)
    assert code == 1 and "latin1.txt" in err and "byte" in err and "Traceback" not in err
    code, _, err = run([*argv, "--encoding", "latin-1"], capsys)
    assert code == 0, err
    assert "caf\u00e9" in w2v_core.formats.load(tmp_path / "m.npz").wv
    code, _, err = run([*argv, "--encoding-errors", "replace"], capsys)
    assert code == 0, err


def test_train_reports_the_files_a_directory_corpus_skips(tmp_path, capsys):
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("the cat sat on the mat. the dog sat on the log.\n" * 30)
    (texts / "program").write_bytes(b"\x7fELF\x00\x00binary\x00" * 50)
    code, _, err = run(["train", texts, "-o", tmp_path / "m.npz", "--dim", "8", "--min-count",
                        "1", "--epochs", "1", "--threads", "1"], capsys)
    assert code == 0, err
    assert any(line.startswith("w2v: skipped") and "program" in line for line in err.splitlines())


# ------------------------------------------------------------------ auto epochs (issue 9 §2)
def test_train_says_how_many_epochs_it_chose_and_why(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat. the dog sat on the log.\n" * 30)
    code, _, err = run(["train", corpus, "-o", tmp_path / "m.npz", "--dim", "8",
                        "--min-count", "1", "--threads", "1"], capsys)
    assert code == 0, err
    assert "epochs 50 (auto: small corpus)" in err
    assert w2v_core.formats.load(tmp_path / "m.npz").config.epochs == 50
    code, _, err = run(["train", corpus, "-o", tmp_path / "m.npz", "--dim", "8", "--epochs",
                        "2", "--min-count", "1", "--threads", "1"], capsys)
    assert "epochs 2" in err and "auto" not in err


def test_two_runs_onto_one_output_never_replace_each_other(tmp_path, capsys, monkeypatch):
    """Another run that saves to the same -o while this one trains keeps its file (issue 22)."""
    import w2v_core.cli.training as training

    out = tmp_path / "m.npz"
    real_train = training.train_or_resume

    def train_while_another_run_saves(*args, **kwargs):
        model = real_train(*args, **kwargs)
        out.write_bytes(b"the other run's model")  # it finished first
        return model

    monkeypatch.setattr(training, "train_or_resume", train_while_another_run_saves)
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat. the dog sat on the log.\n" * 30)
    code, _, err = run(["train", corpus, "-o", out, "--dim", "8", "--epochs", "1",
                        "--min-count", "1", "--threads", "1"], capsys)
    assert code == 3, err  # saved, but not to -o
    assert out.read_bytes() == b"the other run's model"
    mine = tmp_path / "m-2.npz"
    assert w2v_core.formats.load(mine).wv.dim == 8
    assert (f"{out} was written by another process while this run trained; saved the model "
            f"to {mine} instead") in err


def test_a_file_there_before_the_run_is_replaced_as_asked(tmp_path, capsys):
    out = tmp_path / "m.npz"
    out.write_bytes(b"an old model")
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat. the dog sat on the log.\n" * 30)
    code, _, err = run(["train", corpus, "-o", out, "--dim", "8", "--epochs", "1",
                        "--min-count", "1", "--threads", "1"], capsys)
    assert code == 0, err
    assert w2v_core.formats.load(out).wv.dim == 8 and not (tmp_path / "m-2.npz").exists()


def test_an_output_under_the_home_tilde_is_not_taken_for_elsewhere(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat. the dog sat on the log.\n" * 30)
    code, _, err = run(["train", corpus, "-o", "~/m.npz", "--dim", "8", "--epochs", "1",
                        "--min-count", "1", "--threads", "1"], capsys)
    assert code == 0, err
    assert "instead" not in err and (tmp_path / "m.npz").exists()


def test_the_reason_a_destination_failed_is_probed_again(tmp_path):
    from w2v_core.destination import unwritable_reason

    gone = tmp_path / "gone" / "m.npz"
    assert unwritable_reason(gone) == f"cannot write {gone}: directory {gone.parent} does not exist"
    assert unwritable_reason(tmp_path / "m.npz") == f"could not write {tmp_path / 'm.npz'}"


def test_a_failed_final_save_says_where_the_model_went(tmp_path, capsys, monkeypatch):
    import w2v_core.cli.training as training

    elsewhere = tmp_path / "elsewhere.npz"

    def fallback(model, path, fmt=None):
        w2v_core.formats.save(model, elsewhere)
        return elsewhere

    monkeypatch.setattr(training, "save_with_fallback", fallback)
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat. the dog sat on the log.\n" * 30)
    code, out, err = run(["train", corpus, "-o", tmp_path / "m.npz", "--dim", "8",
                          "--epochs", "1", "--min-count", "1", "--threads", "1"], capsys)
    assert code == 3, err  # the model is safe elsewhere, but -o was not written (issue 22)
    assert f"saved the model to {elsewhere} instead (exit code 3: {tmp_path / 'm.npz'} was not written)" in err
    assert str(elsewhere) in out


# ------------------------------------------------------------------ separation (issue 9 §2)
def test_info_shows_separation_and_warns_when_collapsed(vectors_file, tmp_path, capsys):
    code, out, err = run(["info", vectors_file], capsys)
    assert code == 0, err
    line = next(line for line in out.splitlines() if line.startswith("separation"))
    assert "mean cosine of random pairs" in line and "collapsed" not in line
    assert "collapsed" not in err
    rng = np.random.default_rng(1)
    same = np.ones((30, 8), dtype=np.float32) + rng.normal(0, 0.01, size=(30, 8)).astype(np.float32)
    collapsed = tmp_path / "collapsed.npz"
    w2v_core.formats.save(KeyedVectors([f"w{i}" for i in range(30)], same), collapsed)
    code, out, err = run(["info", collapsed], capsys)
    assert code == 0, err
    assert "collapsed" in next(line for line in out.splitlines() if line.startswith("separation"))
    assert err.startswith("w2v: warning: the vectors have collapsed")


def test_info_shows_the_largest_norm_and_warns_when_absurd(vectors_file, tmp_path, capsys):
    code, out, err = run(["info", vectors_file], capsys)
    assert code == 0, err
    loaded = w2v_core.formats.load(vectors_file).wv
    line = next(line for line in out.splitlines() if line.startswith("largest norm"))
    assert line.split()[-1] == f"{np.linalg.norm(loaded.vectors, axis=1).max():.3g}"
    assert "norm" not in err
    rng = np.random.default_rng(2)
    vectors = rng.normal(size=(30, 8)).astype(np.float32)
    vectors[17] *= 1e6  # what a diverged run leaves
    broken = tmp_path / "broken.vec"
    w2v_core.formats.save(KeyedVectors([f"w{i}" for i in range(30)], vectors), broken)
    code, out, err = run(["info", broken], capsys)
    assert code == 0, err
    assert "far above" in next(line for line in out.splitlines() if line.startswith("largest norm"))
    assert err.startswith("w2v: warning: a vector's norm is") and len(err.splitlines()) == 1


def test_train_shows_separation_per_epoch_and_at_the_end(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat. the dog sat on the log.\n" * 30)
    code, out, err = run(["train", corpus, "-o", tmp_path / "m.npz", "--dim", "8", "--epochs", "2",
                          "--min-count", "1", "--threads", "1"], capsys)
    assert code == 0, err
    assert any(line.startswith("epoch 2/2") and " sep " in line for line in err.splitlines())
    assert any(line.startswith("separation") for line in out.splitlines())
    assert any(line.startswith("largest norm") for line in out.splitlines())
    assert any(line.split() == ["epochs", "2"] for line in out.splitlines())


# ------------------------------------------------------------------ analogy methods (issue 7 §3)
def test_analogy_methods_come_from_the_engine(vectors_file, capsys):
    from w2v_core.vectors import ANALOGY_METHODS

    kv = w2v_core.formats.load(vectors_file).wv
    for method, title in ANALOGY_METHODS.items():
        code, out, err = run(["analogy", vectors_file, "apple", "pear", "hammer", "--method",
                              method, "-k", "3"], capsys)
        assert code == 0, err
        assert f"({title})" in out
        expected = (kv.most_similar if method == "add" else kv.most_similar_cosmul)(
            positive=["pear", "hammer"], negative=["apple"], topn=3)
        assert kv.analogy("apple", "pear", "hammer", method=method, topn=3) == expected
    code, _, err = run(["analogy", vectors_file, "a", "b", "c", "--method", "cos"], capsys)
    assert code == 2


# ------------------------------------------------------------------ approximate neighbours (issue 9 §4)
@pytest.fixture
def wide_file(tmp_path: Path) -> Path:
    """3,000 words of 80 dimensions in clusters of 20: large enough once the threshold is lowered."""
    rng = np.random.default_rng(2)
    centres = rng.standard_normal((150, 80))
    vectors = centres[np.arange(3000) // 20] + 0.8 * rng.standard_normal((3000, 80))
    path = tmp_path / "wide.npz"
    w2v_core.formats.save(KeyedVectors([f"w{i}" for i in range(3000)], vectors.astype(np.float32)), path)
    return path


@pytest.fixture
def approximate_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each query the approximate path answers (the vocabulary threshold lowered to 1,000)."""
    import w2v_core.vectors as vectors

    monkeypatch.setattr(vectors, "_APPROX_MIN_WORDS", 1000)
    calls: list[int] = []
    original = KeyedVectors._top_approximate
    monkeypatch.setattr(KeyedVectors, "_top_approximate",
                        lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    return calls


def _words(out: str) -> list[str]:
    """The word column of a results table."""
    cells = [line.strip("│ ").split() for line in out.splitlines() if line.startswith("│")]
    return [row[2] for row in cells if row and row[0].isdigit()]


@pytest.mark.parametrize("command", [["neighbors", "w40", "-k", "5"], ["analogy", "w0", "w20", "w40", "-k", "5"]])
def test_approximate_option_reaches_the_approximate_search(wide_file, capsys, approximate_calls, command):
    code, exact, err = run([command[0], wide_file, *command[1:]], capsys)
    assert code == 0, err
    assert approximate_calls == []
    code, approx, err = run([command[0], wide_file, *command[1:], "--approximate"], capsys)
    assert code == 0, err
    assert approximate_calls == [1]
    assert len(_words(approx)) == 5 and _words(approx) == _words(exact)  # planted clusters


def test_approximate_analogy_needs_3cosadd(wide_file, capsys, approximate_calls):
    code, _, err = run(["analogy", wide_file, "w0", "w20", "w40", "--method", "mul", "--approximate"], capsys)
    assert code == 2 and "--method add" in err
    assert approximate_calls == []


def test_approximate_option_is_documented(capsys):
    for command in ("neighbors", "analogy"):
        code, out, _ = run([command, "--help"], capsys)
        assert code == 0 and "--approximate" in out and "int8 projection" in " ".join(out.split())


def test_info_names_the_corpus_and_how_its_text_was_read(tmp_path, capsys) -> None:
    """A model records how its corpus was read (#21): ``--lang``, ``--line-sentences``, and for
    Han text whether jieba or one character a word made the words."""
    from w2v_core.corpus import han_segmentation

    turkish = tmp_path / "tr.txt"
    turkish.write_text("İstanbul güzel bir şehir. Ankara başkent.\n" * 50, encoding="utf-8")
    code, _, _ = run(["train", turkish, "--lang", "tr", "--line-sentences", "--min-count", "1",
                      "--epochs", "1", "--dim", "8", "-o", tmp_path / "tr.npz"], capsys)
    assert code == 0
    code, out, _ = run(["info", tmp_path / "tr.npz"], capsys)
    assert code == 0
    assert f"corpus          {turkish} read with --lang tr --line-sentences\n" in out
    assert "Han text" not in out
    chinese = tmp_path / "zh.txt"
    chinese.write_text("我们喜欢学习中文。今天天气很好。\n" * 50, encoding="utf-8")
    run(["train", chinese, "--min-count", "1", "--epochs", "1", "--dim", "8", "-o", tmp_path / "zh.npz"], capsys)
    code, out, _ = run(["info", tmp_path / "zh.npz"], capsys)
    split = han_segmentation()
    words = "one character a word" if split == "characters" else f"split by {split}"
    assert f"corpus          {chinese}; Han text {words}\n" in out
