"""The ``w2v`` command against hostile use: nothing lost, nothing silent, no traceback.

Items of issue 6 that belong to the command line: an output that would replace the corpus
(1), a directory that only looks writable (3), SIGTERM/SIGHUP during training (6), Ctrl-C
while the command is still starting (18), flags named in parameter errors (26).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import w2v_core.cli.training
import w2v_core.formats
from w2v_core.cli import main

REPO = Path(__file__).resolve().parent.parent
FAST = ["--dim", "8", "--epochs", "1", "--min-count", "1", "--threads", "1"]


def run(argv: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("w2v: error: "), err
    return lines[0]


@pytest.fixture
def no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """Training must not start: every check happens before it."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("training started")

    monkeypatch.setattr(w2v_core.cli.training, "train_or_resume", refuse)


# ------------------------------------------------------------------ 1: the corpus is safe
def test_output_equal_to_the_corpus_file_is_refused(tmp_path, capsys, no_training):
    corpus = tmp_path / "hamlet.txt"
    corpus.write_text("to be or not to be that is the question.\n" * 50)
    before = corpus.read_bytes()
    code, _, err = run(["train", corpus, "-o", corpus, *FAST], capsys)
    assert code == 2
    assert "is the corpus file" in one_error_line(err)
    assert corpus.read_bytes() == before


@pytest.mark.parametrize("spelling", ["dots", "symlink", "relative"])
def test_every_spelling_of_the_corpus_is_refused(tmp_path, capsys, monkeypatch, no_training,
                                                  spelling):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c d e f.\n" * 50)
    (tmp_path / "sub").mkdir()
    if spelling == "dots":
        output = tmp_path / "sub" / ".." / "c.txt"
    elif spelling == "symlink":
        output = tmp_path / "link.txt"
        output.symlink_to(corpus)
    else:
        monkeypatch.chdir(tmp_path / "sub")
        output = Path("../c.txt")
    code, _, err = run(["train", corpus, "-o", output, *FAST], capsys)
    assert code == 2, err
    assert "is the corpus file" in one_error_line(err)
    assert corpus.read_text() == "a b c d e f.\n" * 50


def test_output_inside_a_directory_corpus_is_refused(tmp_path, capsys, no_training):
    corpus = tmp_path / "texts"
    (corpus / "deep").mkdir(parents=True)
    (corpus / "one.txt").write_text("a b c d e f.\n" * 50)
    code, _, err = run(["train", corpus, "-o", corpus / "deep" / "model.npz", *FAST], capsys)
    assert code == 2
    assert "inside the corpus directory" in one_error_line(err)
    assert not (corpus / "deep" / "model.npz").exists()


def test_output_next_to_the_corpus_is_fine(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat. the dog sat on the log.\n" * 50)
    code, _, err = run(["train", corpus, "-o", tmp_path / "c.npz", *FAST], capsys)
    assert code == 0, err
    assert (tmp_path / "c.npz").exists()


# ------------------------------------------------------------------ 3: a real write probe
def test_a_directory_that_only_looks_writable_is_refused_before_training(
    tmp_path, capsys, monkeypatch, no_training
):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c d e f.\n" * 50)
    if os.geteuid() == 0:  # root may write anywhere but into a read-only mount like /sys
        if not os.path.isdir("/sys"):
            pytest.skip("no /sys to try as root")
        target = Path("/sys/w2v-model.npz")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        target = locked / "model.npz"
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: True)  # the check that lied
    code, _, err = run(["train", corpus, "-o", target, *FAST], capsys)
    assert code == 1
    assert f"cannot write {target}" in one_error_line(err)
    assert not target.exists()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")
                and p.name.endswith(".probe")]


# ------------------------------------------------------------------ 26: flags in errors
@pytest.mark.parametrize(
    "option, value", [("--min-alpha", "1"), ("--batch-size", "0"), ("--max-vocab", "0"),
                      ("--min-count", "0"), ("--threads", "0")],
)
def test_parameter_errors_name_the_flag(tmp_path, capsys, option, value, no_training):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c d e f.\n" * 50)
    code, _, err = run(["train", corpus, "-o", tmp_path / "m.npz", option, value], capsys)
    assert code == 2
    line = one_error_line(err)
    assert f"{option} must be" in line
    assert option[2:].replace("-", "_") not in line.replace(option, "")


# ------------------------------------------------------------------ subprocesses
def _start(*argv: str, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    env.pop("W2V_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "w2v_core.cli", *argv], cwd=cwd, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr


# ------------------------------------------------------------------ 6: SIGTERM and SIGHUP
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_termination_during_training_saves_the_model_so_far(planted_file, tmp_path, signum):
    process = _start("train", str(planted_file), "-o", "m.npz", "--dim", "8", "--epochs",
                     "10000", "--min-count", "1", "--threads", "1", cwd=tmp_path)
    seen = []
    for line in process.stderr:  # wait on state: the first progress line means words trained
        seen.append(line)
        if line.startswith("epoch "):
            break
    else:
        pytest.fail("no progress line: " + "".join(seen) + process.stdout.read())
    process.send_signal(signum)
    code, _, rest = _finish(process)
    assert code == 128 + signum, "".join(seen) + rest
    assert "Traceback" not in rest
    model = w2v_core.formats.load(tmp_path / "m.npz")
    assert model.summary.stopped_early
    assert 0 < model.summary.words_trained < model.summary.corpus_words * 10000
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# ------------------------------------------------------------------ 18: Ctrl-C while starting
def _wait_for_mapped(process: subprocess.Popen[str], library: str) -> bool:
    """Wait until ``library`` is mapped into the process (it is importing), or it exited."""
    maps = Path(f"/proc/{process.pid}/maps")
    while process.poll() is None:
        try:
            if library in maps.read_text():
                return True
        except OSError:  # exiting
            return False
    return False


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
@pytest.mark.parametrize("command", [["info", "m.npz"], ["neighbors", "m.npz", "king"],
                                     ["train", "builtin:hamlet", "-o", "m.npz"], ["--help"]])
def test_ctrl_c_while_the_command_starts_exits_130_without_a_traceback(tmp_path, command):
    process = _start(*command, cwd=tmp_path)
    # NumPy's extension is mapped as soon as its import starts: the heavy imports are under way
    if not _wait_for_mapped(process, "numpy"):
        pytest.fail("the command ended before importing NumPy: " + process.stderr.read())
    process.send_signal(signal.SIGINT)
    code, _, stderr = _finish(process)
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert code == 130, stderr


# ------------------------------------------------------------------ 4: Ctrl-C during the save
def test_ctrl_c_during_the_final_save_says_what_happened(tmp_path, capsys, monkeypatch):
    from w2v_core.errors import SaveInterrupted

    message = f"save interrupted: {tmp_path / 'm.npz'} was not written (no temporary file is left)"

    def interrupted(model, path, fmt=None):
        raise SaveInterrupted(message)

    monkeypatch.setattr(w2v_core.cli.training, "save_with_fallback", interrupted)
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat. the dog sat on the log.\n" * 30)
    code, _, err = run(["train", corpus, "-o", tmp_path / "m.npz", *FAST], capsys)
    assert code == 130
    assert err.splitlines()[-1] == f"w2v: {message}"


# ------------------------------------------------------------------ 26: a FIFO with no writer
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_with_no_writer_says_it_is_waiting(tmp_path):
    fifo = tmp_path / "corpus.fifo"
    os.mkfifo(fifo)
    process = _start("train", str(fifo), "-o", "m.npz", *FAST, cwd=tmp_path)
    ceiling = threading.Timer(120, process.kill)  # a silent hang ends the test, not the run
    ceiling.start()
    seen = []
    try:
        for line in process.stderr:  # wait on state: the notice, printed before the read blocks
            seen.append(line)
            if "waiting for input" in line:
                break
        else:
            pytest.fail("no waiting notice: " + "".join(seen))
    finally:
        ceiling.cancel()
    with open(fifo, "w") as writer:
        writer.write("the cat sat on the mat. the dog sat on the log.\n" * 30)
    code, _, rest = _finish(process)
    assert code == 0, "".join(seen) + rest
    assert (tmp_path / "m.npz").exists()
