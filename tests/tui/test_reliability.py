"""Issue 6, TUI items: nothing lost (5, 6), exit codes (19), panes never stuck (20), queries
keep vocabulary words whole (14), and issue 7's snapshot normalisation on the training thread.

Every wait is on state (helpers.wait_until), never on time.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fakes import CONFIG, FakeTrainer, planted_model
from helpers import ask, column, notifications, settled, wait_until
from textual.widgets import DataTable

from tui.app import W2VApp, main
from tui.screens.save import SaveScreen
from tui.training import LossHistory, TrainingBridge
from tui.widgets.evaluate import EvaluatePane
from tui.widgets.map import MapPane
from tui.widgets.neighbours import NeighboursPane
from w2v_core.errors import W2VError
from w2v_core.formats import FORMATS, load, save
from w2v_core.model import Model
from w2v_core.vectors import KeyedVectors

SIZE = (80, 24)


def boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def route_npz_saves(monkeypatch, through: Callable[[object, Path], None]) -> Callable[[object, Path], None]:
    """Make every ``.npz`` save (the save screen's, checkpoints, ``save_with_fallback``'s)
    call ``through(what, path)``, by replacing the native format in the registry; return the
    real saver."""
    real = FORMATS["npz"].save
    monkeypatch.setitem(FORMATS, "npz", dataclasses.replace(FORMATS["npz"], save=through))
    return real  # type: ignore[return-value]


# ----------------------------------------------------------------------------- item 20
async def test_map_pane_recovers_from_an_unexpected_worker_exception(model, monkeypatch) -> None:
    import w2v_core.projection

    monkeypatch.setattr(w2v_core.projection, "project_2d", boom)
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        pane = app.query_one(MapPane)
        await wait_until(pilot, lambda: pane.pending_key is None and not pane.plot.loading)
        info = str(app.query_one("#map-info").content)
        assert "computing" not in info and "failed" in info
        await wait_until(pilot, lambda: any("RuntimeError: boom" in m for m in notifications(app)))  # notify posts a message
        monkeypatch.undo()  # the next request computes: nothing is left "on its way"
        await pilot.press("x")
        await wait_until(pilot, lambda: pane.computed_key is not None)
        assert pane.computed_key[1] == "pca"


async def test_evaluate_pane_recovers_from_an_unexpected_worker_exception(model, monkeypatch) -> None:
    import w2v_core.evaluate

    monkeypatch.setattr(w2v_core.evaluate, "evaluate_analogies", boom)
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await settled(pilot)
        await pilot.press("r")
        pane = app.query_one(EvaluatePane)
        await wait_until(pilot, lambda: not pane.running)
        summary = str(app.query_one("#ev-summary").content)
        assert "evaluating" not in summary and "RuntimeError: boom" in summary
        assert not app.query_one("#ev-table", DataTable).loading
        monkeypatch.undo()
        await pilot.press("r")  # not "already running"
        await wait_until(pilot, lambda: not pane.running and "coverage" in str(app.query_one("#ev-summary").content))
        assert not any("already running" in m for m in notifications(app))


# ----------------------------------------------------------------------------- item 5
async def test_a_snapshot_save_that_returns_after_training_ended_leaves_the_model_unsaved(
    tmp_path, monkeypatch
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_save(what: object, path: Path) -> None:
        started.set()
        release.wait(60)
        real_save(what, path)

    real_save = route_npz_saves(monkeypatch, slow_save)
    trainer = FakeTrainer(hold_after=1)
    app = W2VApp(corpus="planted", config=CONFIG, trainer=trainer)
    path = tmp_path / "snapshot.npz"
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, trainer.holding.is_set)
        await wait_until(pilot, lambda: app.snapshot is not None)
        await settled(pilot)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SaveScreen)
        app.screen.query_one("#save-path").value = str(path)
        await pilot.press("enter")
        await wait_until(pilot, started.is_set)  # the epoch-1 snapshot is being written
        app.control.stop()
        await wait_until(pilot, lambda: not app.training and app.model is not None)
        release.set()
        await wait_until(pilot, lambda: path.exists() and any("snapshot" in m for m in notifications(app)))
        await wait_until(pilot, lambda: not app.workers)
        assert app.dirty
        assert "unsaved" in str(app.query_one("#status").content)


# ----------------------------------------------------------------------------- item 6
async def test_a_run_with_output_writes_resumable_checkpoints_and_its_stop_resumes(
    tmp_path, planted_file
) -> None:
    """-o PATH: checkpoints go to PATH's NAME.checkpoint.npz while training (here at epoch
    ends); a stop saves the model to -o and the exact stop point to the checkpoint, which
    ``--resume`` continues (issue 22)."""
    from tui.options import resolve

    path = tmp_path / "run.npz"
    checkpoint = tmp_path / "run.checkpoint.npz"
    launch = resolve([str(planted_file), "-o", str(path), "--epochs", "10000", "--dim", "8",
                      "--min-count", "1", "--threads", "1", "--checkpoint-every", "epoch"])
    assert launch.checkpoints is not None and launch.checkpoints.path == checkpoint
    app = W2VApp(corpus=launch.corpus, config=launch.config, output=launch.output,
                 checkpoints=launch.checkpoints)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, checkpoint.exists)  # epoch 1's, written on the training thread
        assert not path.exists()  # -o is written once, at the end
        app.control.stop()
        await wait_until(pilot, lambda: not app.training)
        assert not app.dirty and app.saved_to == str(path)
        await wait_until(pilot, lambda: any("--resume" in m for m in notifications(app)))
    final, stop = load(path), load(checkpoint)
    assert final.summary is not None and final.summary.stopped_early
    assert stop.state is not None and not stop.state.finished and stop.state.epoch >= 1
    assert stop.state == final.state and np.array_equal(stop.wv.vectors, final.wv.vectors)
    assert stop.state.output == str(path.resolve())
    launch.lock.release()  # the first session ended: its output is free again
    resumed = resolve(["--resume", str(checkpoint)])
    assert resumed.resume_from is not None and resumed.output == str(path.resolve())
    assert resumed.config == final.config and resumed.notes[0].startswith(f"resuming {checkpoint}")


async def hang_up_while_training(output: Path, signum: int) -> W2VApp:
    """Train with ``-o output``, send ``signum`` mid-training, wait for the app to exit."""
    trainer = FakeTrainer(hold_after=1)
    app = W2VApp(corpus="planted", config=CONFIG, trainer=trainer, output=str(output))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, trainer.holding.is_set)
        app.hang_up(signum)
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 128 + signum
    return app


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
async def test_a_hang_up_while_training_saves_what_is_trained_and_exits(tmp_path, signum) -> None:
    path = tmp_path / "run.npz"
    await hang_up_while_training(path, signum)
    model = load(path)
    assert model.summary is not None and model.summary.stopped_early  # the model, not a checkpoint


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
async def test_a_hang_up_with_an_unwritable_output_saves_elsewhere_and_says_where(
    tmp_path, monkeypatch, capfd, signum
) -> None:
    """-o became unwritable (disk full) during training: the model still lands somewhere,
    and stderr names the place and the reason (issue 22, way 1 of losing a model)."""
    import w2v_core.atomic
    import w2v_core.destination
    from w2v_core.errors import UnwritablePathError

    path = tmp_path / "full" / "run.npz"
    path.parent.mkdir()
    fallback = tmp_path / "home"
    fallback.mkdir()

    def disk_full(what: object, where: object) -> None:
        if str(where).startswith(str(path.parent)):
            raise UnwritablePathError(f"cannot write {where}: No space left on device")
        real_save(what, where)  # type: ignore[arg-type]

    real_save = route_npz_saves(monkeypatch, disk_full)
    monkeypatch.setattr(w2v_core.atomic, "fallback_directories", lambda: [fallback])
    monkeypatch.setattr(w2v_core.destination, "probe_writable",
                        lambda where: disk_full(None, f"{where}.probe"))
    await hang_up_while_training(path, signum)
    assert not path.exists()
    model = load(fallback / "run.npz")
    assert model.summary is not None and model.summary.stopped_early
    err = capfd.readouterr().err
    assert "No space left on device" in err and f"saved the model to {fallback / 'run.npz'}" in err


async def test_a_hang_up_after_training_saves_an_unsaved_model(tmp_path, monkeypatch) -> None:
    path = tmp_path / "run.npz"
    calls: list[object] = []

    def failing_once(what: object, where: Path) -> None:
        """The first save of the model fails."""
        if isinstance(what, Model):
            calls.append(what)
            if len(calls) == 1:
                raise OSError(28, "No space left on device")
        real_save(what, where)

    real_save = route_npz_saves(monkeypatch, failing_once)
    app = W2VApp(corpus="planted", config=CONFIG, trainer=FakeTrainer(), output=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: not app.training and app.model is not None)
        assert app.dirty and not path.exists()  # the autosave failed
        await wait_until(pilot, lambda: any("No space left" in m for m in notifications(app)))  # notify posts a message
        app.hang_up(signal.SIGHUP)
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 128 + signal.SIGHUP
    assert isinstance(calls[-1], Model) and load(path).summary is not None


@pytest.mark.parametrize(
    ("argv", "code", "text"),
    [
        (["--model", "m.npz", "-o", "x.npz"], 2, "for training"),
        (["--model", "m.npz", "--epochs", "5"], 2, "--epochs is for training a corpus"),
        (["--model", "m.npz", "--cbow"], 2, "--cbow is for training a corpus"),
        (["builtin:hamlet", "-o", "model.xyz"], 2, "format"),
        (["builtin:hamlet", "--limit", "5"], 2, "--limit applies to --model"),
    ],
)
def test_output_and_model_options_are_checked_before_the_ui(argv, code, text, capsys) -> None:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and text in err


def test_output_in_a_missing_directory_fails_before_training(tmp_path, capsys) -> None:
    assert main(["builtin:hamlet", "-o", str(tmp_path / "no" / "m.npz")]) == 1
    assert capsys.readouterr().err.count("\n") == 1


# ----------------------------------------------------------------------------- item 19
async def test_exit_status_is_non_zero_after_a_failed_training(tmp_path) -> None:
    from w2v_core.config import TrainConfig

    corpus = tmp_path / "c.txt"
    corpus.write_text("one two three\n")
    app = W2VApp(corpus=str(corpus), config=TrainConfig(min_count=50, epochs=1))  # the real engine
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "failed" in str(app.query_one("#train-state").content))
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 1


def test_main_exits_non_zero_after_a_crash(tmp_path, monkeypatch, model) -> None:
    from textual.app import App

    path = tmp_path / "m.npz"
    save(model, path)
    monkeypatch.setattr(W2VApp, "on_mount", boom)
    monkeypatch.setattr(W2VApp, "run", lambda self: App.run(self, headless=True))
    assert main(["--model", str(path)]) == 1


# ----------------------------------------------------------------------------- item 14
def special_vectors() -> KeyedVectors:
    words = ["New_York", "co-operate", "2000", "city", "year", "work", "new", "york"]
    rng = np.random.default_rng(0)
    return KeyedVectors(words, rng.normal(size=(len(words), 8)), np.arange(len(words), 0, -1))


async def test_neighbours_keep_vocabulary_words_whole() -> None:
    kv = special_vectors()
    app = W2VApp(model=Model(kv, None, None, None))
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "New_York -co-operate 2000")
        expected = kv.most_similar(positive=["New_York", "2000"], negative=["co-operate"], topn=10)
        assert column(app.query_one("#nb-table", DataTable), "word") == [w for w, _ in expected]
        pane = app.query_one(NeighboursPane)
        assert (pane.positive, pane.negative) == (["New_York", "2000"], ["co-operate"])


# ----------------------------------------------------------------------------- issue 7
def test_epoch_snapshots_are_normalised_on_the_training_thread(kv) -> None:
    class Target:
        def post_message(self, message: object) -> bool:
            return True

    from fakes import event

    bridge = TrainingBridge(Target(), LossHistory())  # type: ignore[arg-type]
    assert "normed" not in kv.__dict__
    bridge.on_epoch_end(event(1, 5), kv)
    assert "normed" in kv.__dict__  # computed here, not at the UI's first query


# ----------------------------------------------------------------------------- items 17, 23, --limit
def test_model_with_a_huge_declared_shape_is_one_line(tmp_path, capsys) -> None:
    import io
    import zipfile

    header = np.lib.format.header_data_from_array_1_0(np.zeros((1, 1), dtype=np.float32))
    header["shape"] = (10**9, 10**4)
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("vectors.npy", buffer.getvalue() + b"\0" * 64)
        z.writestr("words.npy", b"")
    assert main(["--model", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "huge.npz" in err


def test_model_unicode_errors_option(tmp_path, capsys) -> None:
    path = tmp_path / "latin1.vec"
    path.write_bytes(b"2 3\ncaf\xe9 0.1 0.2 0.3\ntea 0.3 0.2 0.1\n")
    assert main(["--model", str(path)]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    from tui.options import resolve

    launch = resolve(["--model", str(path), "--unicode-errors", "replace"])
    assert launch.model is not None and launch.model.wv.words == ["caf\ufffd", "tea"]


def test_model_limit_option(tmp_path, model) -> None:
    from tui.options import resolve

    path = tmp_path / "m.npz"
    save(model, path)
    launch = resolve(["--model", str(path), "--limit", "5"])
    assert launch.model is not None and launch.model.wv.words == model.wv.words[:5]


def test_w2v_error_is_the_engines() -> None:
    from tui import options
    from w2v_core.errors import UsageError

    assert options.UsageError is UsageError and issubclass(UsageError, W2VError)


# ----------------------------------------------------------------------------- item 21
async def test_stop_while_reading_the_corpus_ends_the_reading(tmp_path) -> None:
    import os

    from w2v_core.config import TrainConfig

    fifo = tmp_path / "corpus.fifo"
    os.mkfifo(fifo)
    done = threading.Event()

    def write_forever() -> None:  # a corpus that never ends by itself
        try:
            with open(fifo, "w") as fh:
                while not done.is_set():
                    fh.write("the king and the queen walk in the garden\n" * 200)
                    fh.flush()
        except BrokenPipeError:  # the reader stopped and closed its end
            pass

    writer = threading.Thread(target=write_forever, daemon=True)
    writer.start()
    app = W2VApp(corpus=str(fifo), config=TrainConfig(min_count=1, epochs=1))  # the real engine
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: "reading" in str(app.query_one("#train-state").content))
            await settled(pilot)
            await pilot.press("s")
            await wait_until(pilot, lambda: not app.training)
            assert "stopped" in str(app.query_one("#train-state").content)
            assert "nothing was trained" in str(app.query_one("#train-stats").content)
            assert app.model is None and not app.failed
            await pilot.press("q")
            await wait_until(pilot, lambda: not app.is_running)
        assert app.return_code == 0
    finally:
        done.set()


def test_ctrl_c_while_a_model_loads_exits_quietly(monkeypatch, capsys) -> None:
    import tui.options

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(tui.options, "load_model", interrupted)
    assert main(["--model", "big.bin"]) == 130
    assert capsys.readouterr().err == "w2v-tui: interrupted\n"


@pytest.mark.parametrize("how", ["terminal closed", "SIGTERM"])
def test_a_real_session_ended_while_training_saves_the_model_so_far(tmp_path, planted_file, how) -> None:
    """The whole path: a w2v-tui process on its own terminal, -o PATH, and the terminal goes
    away (the kernel sends SIGHUP, as when an SSH connection drops) or SIGTERM arrives."""
    import os
    import pty
    import sys
    import time

    from helpers import WAIT_TIMEOUT

    path = tmp_path / "run.npz"
    argv = [sys.executable, "-m", "tui", str(planted_file), "-o", str(path),
            "--epochs", "10000", "--dim", "8", "--min-count", "1", "--checkpoint-every", "epoch"]
    pid, master = pty.fork()
    if pid == 0:  # the child: its terminal is the pty, as a login session's is
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, argv)

    def drain() -> None:  # the terminal's output must be read, or the app blocks writing it
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()
    status = None
    try:
        deadline = time.monotonic() + WAIT_TIMEOUT
        while not (tmp_path / "run.checkpoint.npz").exists():  # epoch 1's checkpoint: training runs
            assert os.waitpid(pid, os.WNOHANG)[0] == 0 and time.monotonic() < deadline
            time.sleep(0.05)
        if how == "SIGTERM":
            os.kill(pid, signal.SIGTERM)
        else:
            os.close(master)
            master = -1
        while status is None:
            done, raw = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(raw)
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        if master >= 0:
            os.close(master)
    expected = signal.SIGTERM if how == "SIGTERM" else signal.SIGHUP
    assert status == 128 + expected
    model = load(path)
    assert model.summary is not None and model.summary.stopped_early  # the model, not a checkpoint


# ------------------------------------------------- late messages while the app shuts down
# The training thread and the panes' workers report at any moment, also after the app has
# begun shutting down (is_running False) and while its widgets are being removed: handling
# such a report then raised NoMatches on a clean CI clone. The reports must be dropped. The
# tests stand the app in that state (is_running False, widgets still there) and check that
# no widget changes: a handler that would touch one would fail for real once it is gone.
def _shutting_down(monkeypatch) -> None:
    monkeypatch.setattr(W2VApp, "is_running", property(lambda self: False))


async def test_training_reports_that_arrive_while_the_app_shuts_down_are_dropped(monkeypatch) -> None:
    from fakes import event

    from tui.messages import EpochEnded, SeparationMeasured, TrainingFinished, TrainingProgress, TrainingStarted
    from tui.training_run import TrainingOutcome
    from tui.widgets.dashboard import TrainingPane
    from w2v_core.callbacks import TrainingStart

    trainer = FakeTrainer(hold_after=1)
    app = W2VApp(corpus="planted", config=CONFIG, trainer=trainer)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, trainer.holding.is_set)
        await wait_until(pilot, lambda: app.snapshot_epoch == 1)
        await settled(pilot)
        dashboard = app.query_one(TrainingPane)
        shown = [str(s.content) for s in dashboard.query("Static")]
        before = (shown, app.snapshot, app.snapshot_epoch, dashboard.live_snapshot)
        late = event(2, 5)  # epoch 2's end: other numbers than everything shown
        _shutting_down(monkeypatch)
        dashboard.on_training_started(TrainingStarted(TrainingStart(7, 70, 140, CONFIG, snapshot=boom)))
        dashboard.on_training_progress(TrainingProgress(late))
        ended = EpochEnded(late, planted_model().wv, 0.5)
        dashboard.on_epoch_ended(ended)  # the dashboard, then the app, as the message bubbles
        app.on_epoch_ended(ended)
        finished = TrainingFinished(TrainingOutcome(planted_model(), late, 0.5))
        dashboard.on_training_finished(finished)
        app.on_training_finished(finished)
        dashboard.on_separation_measured(SeparationMeasured(0.9, "loaded"))
        shown = [str(s.content) for s in dashboard.query("Static")]
        after = (shown, app.snapshot, app.snapshot_epoch, dashboard.live_snapshot)
        monkeypatch.undo()
        assert after == before
        assert app.training and app.model is None


@pytest.mark.parametrize("pane_type, group", [(EvaluatePane, "evaluate"), (MapPane, "map")])
async def test_a_pane_worker_that_ends_while_the_app_shuts_down_changes_nothing(
    model, monkeypatch, pane_type, group
) -> None:
    from types import SimpleNamespace

    from textual.worker import Worker, WorkerState

    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e" if pane_type is EvaluatePane else "m")
        pane = app.query_one(pane_type)
        if pane_type is MapPane:
            await wait_until(pilot, lambda: pane.computed_key is not None)
        await settled(pilot)
        shown = [str(s.content) for s in pane.query("Static")]
        told: list[object] = []
        failed = SimpleNamespace(group=group, error=RuntimeError("late"), result=None)
        _shutting_down(monkeypatch)
        monkeypatch.setattr(app, "notify", lambda *args, **kwargs: told.append(args))
        pane.on_worker_state_changed(Worker.StateChanged(failed, WorkerState.ERROR))
        after = [str(s.content) for s in pane.query("Static")]
        monkeypatch.undo()
        assert after == shown and not told
