"""``w2v`` on ensembles (issue 24, part 2): train --runs, neighbors' stability column and its
JSON, eval's spread, info, export --member, and a stop that keeps the finished runs."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest
from test_cli_commands import run
from test_ensemble import planted_corpus
from test_stability import COSINES, planted_members

import w2v_core.formats
from w2v_core.cli.progress import ProgressReporter
from w2v_core.ensemble import Ensemble
from w2v_core.errors import EXIT_INTERRUPTED, EXIT_USAGE
from w2v_core.model import Model


@pytest.fixture
def ensemble_file(tmp_path: Path) -> Path:
    """The planted ensemble of tests/test_stability.py: every cosine known."""
    counts = np.array([50, 40, 30, 20, 10])
    members = [Model(kv.__class__(kv.words, kv.vectors, counts)) for kv in planted_members()]
    path = tmp_path / "ens.npz"
    w2v_core.formats.save(Ensemble(members).first, path)
    return path


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in planted_corpus()) + "\n")
    return path


def test_neighbors_of_an_ensemble_show_the_stability_column(ensemble_file, capsys) -> None:
    code, out, _ = run(["neighbors", ensemble_file, "q", "-k", "2"], capsys)
    assert code == 0
    assert "mean over 3 models" in out and "in top 2" in out and "± sd" in out
    rows = [line.split("│")[1:-1] for line in out.splitlines() if "│" in line]
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["1", "a", "0.8000", "0.0816", "3/3", "40"],
        ["2", "d", "0.6833", "0.1929", "1/3", "10"],
    ]


def test_neighbors_json_holds_the_figures(ensemble_file, capsys) -> None:
    code, out, _ = run(["neighbors", ensemble_file, "q", "-k", "2", "--json"], capsys)
    report = json.loads(out)
    assert code == 0 and report["runs"] == 3 and report["k"] == 2 and report["query"] == "q"
    first, second = report["neighbours"]
    assert (first["word"], first["count"], first["runs"], first["frequency"]) == ("a", 3, 3, 40)
    assert first["mean"] == pytest.approx(0.8, abs=1e-6)
    assert second["std"] == pytest.approx(float(np.std([c[3] for c in COSINES])), abs=1e-6)


def test_a_single_model_has_no_stability_figures(ensemble_file, tmp_path, capsys) -> None:
    single = tmp_path / "one.npz"
    assert run(["export", ensemble_file, single, "--member", "3"], capsys)[0] == 0
    code, out, _ = run(["neighbors", single, "q", "-k", "2"], capsys)
    assert code == 0 and "in top" not in out and "models" not in out
    report = json.loads(run(["neighbors", single, "q", "-k", "2", "--json"], capsys)[1])
    assert "runs" not in report and [n["word"] for n in report["neighbours"]] == ["d", "a"]
    assert set(report["neighbours"][0]) == {"word", "cosine", "frequency"}


def test_info_and_eval_of_an_ensemble(ensemble_file, capsys) -> None:
    code, out, _ = run(["info", ensemble_file], capsys)
    assert code == 0 and "ensemble" in out and "3 models on bootstrap samples" in out
    code, out, _ = run(["eval", ensemble_file, "--json"], capsys)
    spread = json.loads(out)["ensemble"]
    assert code == 0 and spread["runs"] == 3
    assert [f["figure"] for f in spread["figures"]] == ["accuracy", "Spearman", "Pearson"]
    assert all(len(f["values"]) == 3 for f in spread["figures"])
    code, out, _ = run(["eval", ensemble_file], capsys)
    assert code == 0 and "over the ensemble's 3 models" in out and "± sd" in out


def test_export_says_which_member(ensemble_file, tmp_path, capsys) -> None:
    code, out, _ = run(["export", ensemble_file, tmp_path / "v.txt"], capsys)
    assert code == 0 and "model 1 of the ensemble's 3; --member I exports another" in out
    code, out, _ = run(["export", ensemble_file, tmp_path / "v2.txt", "--member", "2"], capsys)
    assert code == 0 and "model 2 of the ensemble's 3" in out
    vectors = w2v_core.formats.load(tmp_path / "v2.txt").wv.vectors
    assert np.allclose(vectors, planted_members()[1].vectors)
    code, _, err = run(["export", ensemble_file, tmp_path / "v3.txt", "--member", "4"], capsys)
    assert code == EXIT_USAGE and err.strip().endswith("is an ensemble of 3 models")
    assert len(err.strip().splitlines()) == 1


def test_train_runs_tells_each_run_and_saves_one_file(corpus_file, tmp_path, capsys) -> None:
    out_path = tmp_path / "ens.npz"
    code, out, err = run(["train", corpus_file, "--runs", "2", "-o", out_path, "--threads", "1",
                          "--min-count", "1", "--epochs", "2", "--dim", "8"], capsys)
    assert code == 0
    assert "run 1/2: training on" in err and "run 2/2: training on" in err
    assert "2 models on bootstrap samples" in out
    assert len(w2v_core.formats.load(out_path).ensemble) == 2


def test_runs_1_equals_a_plain_run_bit_for_bit(corpus_file, tmp_path, capsys) -> None:
    common = [corpus_file, "--threads", "1", "--seed", "5", "--min-count", "1", "--epochs", "2",
              "--dim", "8"]
    assert run(["train", *common, "-o", tmp_path / "plain.npz"], capsys)[0] == 0
    assert run(["train", *common, "--runs", "1", "-o", tmp_path / "one.npz"], capsys)[0] == 0
    plain, one = (w2v_core.formats.load(tmp_path / n) for n in ("plain.npz", "one.npz"))
    assert one.ensemble is None
    assert np.array_equal(plain.wv.vectors, one.wv.vectors)
    assert np.array_equal(plain.output_vectors, one.output_vectors)


def test_runs_refuses_resume(corpus_file, tmp_path, capsys) -> None:
    code, _, err = run(["train", "--resume", tmp_path / "x.npz", "--runs", "2"], capsys)
    assert code == EXIT_USAGE and "--runs" in err and "--resume" in err


def test_ctrl_c_keeps_the_finished_runs(corpus_file, tmp_path, capsys, monkeypatch) -> None:
    begin = ProgressReporter.on_run_begin

    def interrupt_at_run_3(self, run_number: int, runs: int) -> None:
        begin(self, run_number, runs)
        if run_number == 3:
            os.kill(os.getpid(), signal.SIGINT)  # the handler stops training: Ctrl-C

    monkeypatch.setattr(ProgressReporter, "on_run_begin", interrupt_at_run_3)
    out_path = tmp_path / "ens.npz"
    code, out, _ = run(["train", corpus_file, "--runs", "4", "-o", out_path, "--threads", "1",
                        "--min-count", "1", "--epochs", "2", "--dim", "8"], capsys)
    assert code == EXIT_INTERRUPTED
    assert "Interrupted in run 3/4: saved the 2 finished runs" in out and "run 3 was dropped" in out
    assert "2 models of 4 planned" in out
    loaded = w2v_core.formats.load(out_path)
    assert len(loaded.ensemble) == 2 and loaded.ensemble.planned == 4


def test_a_diverged_later_run_saves_the_finished_runs_and_fails(tmp_path, corpus_file, capsys, monkeypatch) -> None:
    """Run 3 of 3 diverges: the two finished runs are sound and saved; the command says so
    in one line and exits 1 (not 0: the run asked for did not happen)."""
    import w2v_core.cli.training as cli_training
    from w2v_core.ensemble import train_ensemble
    from w2v_core.errors import TrainingDivergedError

    def diverging(corpus, config, runs, callbacks, control):  # noqa: ANN001
        two = train_ensemble(corpus, config, 2, callbacks, control)
        error = TrainingDivergedError("run 3/3: the loss rose to 40 in epoch 2")
        error.kept = Ensemble(two.members, 3)
        raise error

    monkeypatch.setattr(cli_training, "train_ensemble", diverging)
    out = tmp_path / "ens.npz"
    code, stdout, stderr = run(["train", corpus_file, "--runs", "3", "--epochs", "2", "--dim", "8",
                                "--min-count", "1", "-o", out], capsys)
    assert code == 1
    assert "run 3/3: the loss rose to 40 in epoch 2; saved the 2 finished runs to" in stderr
    assert len(stderr.strip().splitlines()[-1]) < 300 and "Traceback" not in stderr
    assert len(w2v_core.formats.load(out).ensemble) == 2
