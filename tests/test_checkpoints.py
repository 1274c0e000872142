"""Issue 22: a run resumes exactly where it stopped, checkpoints by time, and refuses a
changed corpus or changed settings.

Every wait is on state (a file replaced, a process ended), never on time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from planted import StopAt, planted_hits, planted_sentences

from w2v_core import TrainConfig
from w2v_core.callbacks import Callback, TrainingControl, TrainingStart
from w2v_core.checkpoints import (
    Checkpointer,
    NotResumableError,
    checkpoint_path_for,
    encode_like,
    load_checkpoint,
    resume,
)
from w2v_core.cli import main
from w2v_core.corpus import open_corpus
from w2v_core.corpus_identity import CorpusChangedError, identify
from w2v_core.formats import load, save
from w2v_core.run_state import LossCurve
from w2v_core.training import Trainer, prepare_corpus

CONFIG = TrainConfig(dim=12, window=3, min_count=1, epochs=3, seed=7, threads=1)
TINY = ["--dim", "12", "--window", "3", "--min-count", "1", "--seed", "7"]


class EveryBoundary:
    """A checkpoint sink that keeps a copy of every ``k``-th chunk boundary's checkpoint."""

    def __init__(self, k: int) -> None:
        self.k, self.asked, self.kept = k, 0, []

    def due(self, epoch_end: bool = False) -> bool:
        self.asked += 1
        return epoch_end or self.asked % self.k == 0

    def write(self, model) -> None:
        self.kept.append(replace(
            model,
            wv=type(model.wv)(model.wv.words, model.wv.vectors.copy(), model.wv.counts),
            output_vectors=model.output_vectors.copy(),
        ))


@pytest.fixture(scope="module")
def encoded():
    return prepare_corpus(planted_sentences(1500), min_count=1, isolate=False)  # 15k tokens


@pytest.fixture(scope="module")
def uninterrupted(encoded):
    return Trainer(encoded, CONFIG).train()


def test_checkpoints_leave_the_run_unchanged_and_each_resumes_to_the_same_vectors(encoded, uninterrupted):
    sink = EveryBoundary(2)
    with_checkpoints = Trainer(encoded, CONFIG, checkpoints=sink).train()
    assert np.array_equal(with_checkpoints.wv.vectors, uninterrupted.wv.vectors)
    mid_epoch = [m for m in sink.kept if m.state.chunk > 0]
    epoch_ends = [m for m in sink.kept if m.state.chunk == 0]
    assert mid_epoch and len(epoch_ends) == CONFIG.epochs
    for checkpoint in mid_epoch[:: max(1, len(mid_epoch) // 4)] + epoch_ends[:-1]:
        resumed = Trainer(encoded, CONFIG, resume_from=checkpoint).train()
        assert np.abs(resumed.wv.vectors - uninterrupted.wv.vectors).max() <= 1e-6
        assert np.abs(resumed.output_vectors - uninterrupted.output_vectors).max() <= 1e-6
        assert resumed.summary.words_trained == uninterrupted.summary.words_trained
        assert resumed.summary.pairs_trained == uninterrupted.summary.pairs_trained
        assert resumed.state.finished


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_a_stopped_run_resumes_from_its_model_to_the_same_vectors(encoded, uninterrupted, fraction):
    control = TrainingControl()
    ticks = iter(range(10**9))  # every progress event is due: stops land anywhere
    stopped = Trainer(encoded, CONFIG, [StopAt(control, fraction)], control,
                      clock=lambda: float(next(ticks))).train()
    assert stopped.summary.stopped_early and not stopped.state.finished
    resumed = Trainer(encoded, CONFIG, resume_from=stopped).train()
    assert np.abs(resumed.wv.vectors - uninterrupted.wv.vectors).max() <= 1e-6


def test_the_loss_curve_and_progress_continue_where_the_run_stopped(encoded):
    sink = EveryBoundary(3)
    Trainer(encoded, CONFIG, checkpoints=sink).train()
    checkpoint = next(m for m in sink.kept if m.state.epoch == 1 and m.state.chunk > 0)
    seen: list[TrainingStart] = []
    events = []

    class Watch(Callback):
        def on_train_begin(self, info):
            seen.append(info)

        def on_progress(self, event):
            events.append(event)

    resumed = Trainer(encoded, CONFIG, [Watch()], resume_from=checkpoint).train()
    x, y = seen[0].loss_curve
    assert seen[0].resumed == checkpoint.state and len(y) == checkpoint.loss_curve.shape[1] > 0
    assert np.array_equal(resumed.loss_curve[:, : len(y)], checkpoint.loss_curve)
    assert events[0].epoch == 2 and events[0].words_done > checkpoint.state.words_done
    assert resumed.summary.seconds >= checkpoint.state.seconds


def test_worker_processes_resume_to_the_planned_end_with_the_structure_found():
    encoded = prepare_corpus(planted_sentences(3000), min_count=1)
    config = replace(CONFIG, threads=2, epochs=4)
    sink = EveryBoundary(2)
    trainer = Trainer(encoded, config, checkpoints=sink)
    trainer.train()
    checkpoint = next(m for m in sink.kept if m.state.epoch == 1 and m.state.chunk > 0)
    assert checkpoint.state.rng_states == [] or not trainer.uses_processes
    resumed = Trainer(encoded, config, resume_from=checkpoint).train()
    assert resumed.state.finished and resumed.summary.words_trained == encoded.n_words * 4
    assert planted_hits(resumed) > 0.8


def test_a_checkpoint_is_written_mid_epoch_when_its_time_has_come(tmp_path, encoded, planted_file):
    now = [0.0]

    def clock() -> float:  # every look advances the time by a second
        now[0] += 1.0
        return now[0]

    corpus = open_corpus(str(planted_file))
    path = tmp_path / "run.checkpoint.npz"
    checkpointer = Checkpointer(path, identify(corpus), every=1.5, output="x.npz", clock=clock,
                                max_cost=1.0)
    Trainer(encoded, replace(CONFIG, epochs=1), checkpoints=checkpointer).train()
    assert checkpointer.written > 1  # mid-epoch ones, then the epoch end's
    model = load(path)
    assert model.state.finished and model.state.corpus["spec"] == str(planted_file)
    assert model.state.output == "x.npz"

    late = Checkpointer(tmp_path / "late.npz", {}, every=None, clock=clock, max_cost=1.0)
    Trainer(encoded, replace(CONFIG, epochs=1), checkpoints=late).train()
    assert late.written == 1  # 'epoch': only the epoch end


def test_checkpoints_wait_until_writing_them_is_cheap_against_training(tmp_path, monkeypatch):
    import w2v_core.formats as formats
    from w2v_core.model import Model
    from w2v_core.vectors import KeyedVectors

    now = [0.0]
    checkpointer = Checkpointer(tmp_path / "c.npz", {}, every=1.0, clock=lambda: now[0], max_cost=0.02)
    assert not checkpointer.due() and checkpointer.due(epoch_end=True)  # nothing written yet

    def half_a_second(*args, **kwargs) -> None:
        now[0] += 0.5

    monkeypatch.setattr(formats, "save", half_a_second)
    checkpointer.write(Model(KeyedVectors(["a"], np.ones((1, 2), dtype=np.float32))))
    assert checkpointer.seconds == 0.5 and checkpointer.written == 1
    now[0] += 24.9  # 49.8 times the write: not yet (2% of the time at most)
    assert not checkpointer.due() and not checkpointer.due(epoch_end=True)
    now[0] += 0.2
    assert checkpointer.due() and checkpointer.due(epoch_end=True)


def test_a_checkpoint_round_trips_byte_for_byte(tmp_path, encoded):
    control = TrainingControl()
    ticks = iter(range(10**9))
    model = Trainer(encoded, CONFIG, [StopAt(control, 0.4)], control,
                    clock=lambda: float(next(ticks))).train()
    assert not model.state.finished
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    save(model, first)
    loaded = load(first)
    assert loaded.state == model.state and np.array_equal(loaded.loss_curve, model.loss_curve)
    save(loaded, second)
    assert first.read_bytes() == second.read_bytes()


def test_the_loss_curve_stays_bounded_and_keeps_its_shape():
    curve = LossCurve(limit=100)
    for i in range(1000):
        curve.append(i / 100, 10.0 - i / 100)
    curve.append(11.0, float("nan"))
    x, y = curve.series()
    assert 50 <= len(y) <= 100 and x == sorted(x) and y == sorted(y, reverse=True)
    assert x[0] < 0.2 and x[-1] > 9.5


def test_a_changed_corpus_is_refused(tmp_path, planted_file, encoded):
    model = Trainer(encoded, CONFIG).train()
    corpus = open_corpus(str(planted_file))
    model.state = model.state.with_context(corpus=identify(corpus))
    model.state = replace(model.state, finished=False)
    same = tmp_path / "same-size.txt"
    text = planted_file.read_text()
    same.write_text(text.replace("the", "teh", 1) if "the" in text else "x" + text[1:])
    with pytest.raises(CorpusChangedError, match="changed since the checkpoint"):
        resume(model, corpus=str(same))
    longer = planted_file.read_text() + "one more line\n"
    planted_file.write_text(longer)
    with pytest.raises(CorpusChangedError, match="bytes with other content"):
        resume(model)


def test_a_corpus_of_many_files_is_recorded_as_one_digest_and_a_change_refused(tmp_path, monkeypatch):
    """Above LISTED_FILES files the identity is one digest, not a list (a checkpoint stays
    small); a touched file is the same corpus, an edited, added or removed one is not."""
    import json
    import os

    import w2v_core.corpus_identity as corpus_identity

    monkeypatch.setattr(corpus_identity, "LISTED_FILES", 5)
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(8):
        (folder / f"part{i}.txt").write_text(f"the cat sat on mat number {i}\n" * 20)
    recorded = identify(open_corpus(str(folder)))
    assert "files" not in recorded and recorded["file_count"] == 8
    assert len(json.dumps(recorded)) < 1000
    one = folder / "part3.txt"
    os.utime(one, ns=(1, 1))  # touched only
    assert corpus_identity.check_unchanged(recorded, open_corpus(str(folder))) == []
    one.write_text(one.read_text().replace("cat", "dog", 1))
    with pytest.raises(CorpusChangedError, match="8 file.* with other content"):
        corpus_identity.check_unchanged(recorded, open_corpus(str(folder)))
    one.write_text("the cat sat on mat number 3\n" * 20)
    assert corpus_identity.check_unchanged(recorded, open_corpus(str(folder))) == []
    (folder / "part8.txt").write_text("one more\n")
    with pytest.raises(CorpusChangedError, match="9 file.*checkpoint's corpus 8"):
        corpus_identity.check_unchanged(recorded, open_corpus(str(folder)))


def test_a_corpus_with_other_counts_is_refused_even_where_the_fingerprint_misses(planted_file):
    encoded = prepare_corpus(str(planted_file), min_count=1, isolate=False)
    model = Trainer(encoded, replace(CONFIG, epochs=1)).train()
    assert encode_like(open_corpus(str(planted_file)), model).vocab.words == encoded.vocab.words
    model.wv.counts[0] += 1  # as if one word had been edited in an unsampled block
    with pytest.raises(CorpusChangedError, match="other counts"):
        encode_like(open_corpus(str(planted_file)), model)


def test_checkpoint_paths_sit_beside_the_output():
    assert checkpoint_path_for("out/model.npz") == Path("out/model.checkpoint.npz")
    assert checkpoint_path_for("vectors.vec") == Path("vectors.checkpoint.npz")
    assert checkpoint_path_for("a.checkpoint.npz") == Path("a.checkpoint.npz")


# ----------------------------------------------------------------------------- the CLI
def test_cli_refuses_what_cannot_be_resumed(tmp_path, planted_file, capsys):
    out = tmp_path / "m.npz"
    assert main(["train", str(planted_file), "-o", str(out), *TINY, "--epochs", "1", "--threads", "1"]) == 0
    assert not (tmp_path / "m.checkpoint.npz").exists()  # a finished run keeps no checkpoint
    capsys.readouterr()
    assert main(["train", "--resume", str(out)]) == 1
    assert "finished its training (1 of 1 epochs): nothing to resume" in capsys.readouterr().err
    vec = tmp_path / "m.vec"
    assert main(["export", str(out), str(vec)]) == 0
    capsys.readouterr()
    assert main(["train", "--resume", str(vec)]) == 1
    assert "holds no training state" in capsys.readouterr().err
    with pytest.raises(NotResumableError):
        load_checkpoint(vec)


def test_cli_refuses_settings_that_differ_from_the_checkpoint(tmp_path, planted_file, capsys):
    checkpoint = _stopped_run(tmp_path, planted_file)
    capsys.readouterr()
    assert main(["train", "--resume", str(checkpoint), "--dim", "50"]) == 2
    err = capsys.readouterr().err
    assert "--dim 50 differs from the checkpoint's 12" in err and "only --threads" in err
    assert main(["train", "--resume", str(checkpoint), "--lang", "tr"]) == 2
    assert "--lang differs" in capsys.readouterr().err


def _stopped_run(tmp_path: Path, corpus: Path) -> Path:
    """A run stopped part-way, as a checkpoint file (written in-process)."""
    encoded = prepare_corpus(str(corpus), min_count=1, isolate=False)
    control = TrainingControl()
    opened = open_corpus(str(corpus))
    path = tmp_path / "run.checkpoint.npz"
    checkpointer = Checkpointer(path, identify(opened, {}), every=None, output=str(tmp_path / "run.npz"))
    ticks = iter(range(10**9))
    model = Trainer(encoded, CONFIG, [StopAt(control, 0.5)], control, checkpoints=checkpointer,
                    clock=lambda: float(next(ticks))).train()
    checkpointer.finish(model)
    assert load(path).state == model.state
    return path


def _replaced(path: Path, seen: set) -> bool:
    """Has ``path`` been replaced by a new file (atomic writes give a new inode) since last seen?"""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    key = (st.st_ino, st.st_mtime_ns)
    if key in seen:
        return False
    seen.add(key)
    return True


def _train_argv(corpus: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "w2v_core.cli", "train", str(corpus), "-o", str(out), *TINY,
            "--threads", "1", "--epochs", "200", *extra]


#: ``w2v train`` whose process stops itself (SIGSTOP) after writing each checkpoint, so that a
#: test can kill it at the k-th however busy the host is. Its checkpoints are never put off for
#: their cost: on a busy host a slow write spaced them out (``Checkpointer.due``) and the run
#: could end before its k-th.
_STOPPING_CHILD = """
import os, signal, sys
from w2v_core.checkpoints import Checkpointer
from w2v_core.cli import main
write, due = Checkpointer.write, Checkpointer.due
def stopping(self, model):
    write(self, model)
    os.kill(os.getpid(), signal.SIGSTOP)
def due_whatever_the_cost(self, epoch_end=False):
    self._last_cost = 0.0
    return due(self, epoch_end)
Checkpointer.write, Checkpointer.due = stopping, due_whatever_the_cost
sys.exit(main(sys.argv[1:]))
"""


def test_a_run_killed_at_any_moment_resumes_to_the_uninterrupted_vectors(tmp_path, planted_file):
    """SIGKILL a real ``w2v train`` after its 1st, 3rd and 6th checkpoint; each resumes
    (``w2v train --resume``) to the vectors of the run nobody stopped.

    The run stops itself after each checkpoint and is let go again (SIGCONT), so it cannot
    run to its end unseen however busy the host.
    """
    reference = tmp_path / "reference.npz"
    subprocess.run(_train_argv(planted_file, reference, "--checkpoint-every", "off"), check=True,
                   capture_output=True)
    expected = load(reference).wv.vectors
    for kill_after in (1, 3, 6):
        out = tmp_path / f"killed-{kill_after}.npz"
        checkpoint = checkpoint_path_for(out)
        argv = _train_argv(planted_file, out, "--checkpoint-every", "0.001s")
        process = subprocess.Popen([sys.executable, "-c", _STOPPING_CHILD, *argv[3:]],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for written in range(1, kill_after + 1):
                _, status = os.waitpid(process.pid, os.WUNTRACED)
                assert os.WIFSTOPPED(status), f"the run ended after {written - 1} checkpoints"
                if written < kill_after:
                    os.kill(process.pid, signal.SIGCONT)
            os.kill(process.pid, signal.SIGKILL)  # stopped just after its checkpoint
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
        assert not out.exists()  # killed: nothing but the checkpoint is left
        state = load(checkpoint).state
        assert not state.finished
        code = main(["train", "--resume", str(checkpoint)])
        assert code == 0
        assert np.abs(load(out).wv.vectors - expected).max() <= 1e-6
        assert not checkpoint.exists()  # finished and saved: the checkpoint is gone


def test_a_loss_curve_saved_while_filling_a_point_continues_as_if_never_saved():
    whole, first = LossCurve(limit=8), LossCurve(limit=8)
    for i in range(37):
        whole.append(i, 100 - i)
        first.append(i, 100 - i)
    second = LossCurve(first.array(), limit=8)
    for i in range(37, 90):
        whole.append(i, 100 - i)
        second.append(i, 100 - i)
    assert np.array_equal(whole.array(), second.array())


# ------------------------------------------------------------------ one run per output
def test_a_second_run_into_the_same_output_is_refused(tmp_path, planted_file, capsys):
    from w2v_core.destination import OutputLock

    out = tmp_path / "m.npz"
    held = OutputLock(out)  # the first run, still training
    try:
        assert main(["train", str(planted_file), "-o", str(out), *TINY, "--epochs", "1"]) == 1
        err = capsys.readouterr().err
        assert f"another run (PID {os.getpid()}) is training into {out}" in err
        assert not out.exists()
    finally:
        held.release()
    assert main(["train", str(planted_file), "-o", str(out), *TINY, "--epochs", "1",
                 "--threads", "1"]) == 0
    assert not (tmp_path / ".m.npz.lock").exists()  # released: nothing left behind


def test_a_run_that_died_never_leaves_its_output_locked(tmp_path):
    from w2v_core.destination import OutputLock

    out = tmp_path / "m.npz"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from w2v_core.destination import OutputLock; lock = OutputLock(sys.argv[1]); "
         "print('held', flush=True); sys.stdin.read()", str(out)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Exception, match=f"PID {holder.pid}"):
            OutputLock(out)
        holder.kill()  # SIGKILL: no chance to clean up
        holder.wait()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    OutputLock(out).release()  # free again, though the dead run's lock file is still there
