"""``w2v-tui --resume``: the dashboard continues a stopped run (progress, loss curve) and ends
with the vectors of the run nobody stopped (issue 22). Waits are on state, never on time."""

from __future__ import annotations

import numpy as np
from helpers import wait_until
from textual.widgets import ProgressBar

from tui.app import W2VApp
from tui.options import resolve
from tui.widgets.dashboard import TrainingPane
from w2v_core.callbacks import Callback, TrainingControl
from w2v_core.checkpoints import Checkpointer
from w2v_core.config import TrainConfig
from w2v_core.corpus import open_corpus
from w2v_core.corpus_identity import identify
from w2v_core.formats import load
from w2v_core.training import Trainer, prepare_corpus

SIZE = (80, 24)
CONFIG = TrainConfig(dim=12, window=3, min_count=1, epochs=4, seed=5, threads=1)


class StopHalfway(Callback):
    def __init__(self, control: TrainingControl) -> None:
        self.control = control

    def on_progress(self, event) -> None:
        if event.fraction >= 0.5:
            self.control.stop()


def app_of(argv: list[str]) -> W2VApp:
    launch = resolve(argv)
    return W2VApp(corpus=launch.corpus, config=launch.config, output=launch.output,
                  checkpoints=launch.checkpoints, resume_from=launch.resume_from, notes=launch.notes,
                  init_from=launch.init_from)


async def test_resume_continues_the_dashboard_and_ends_with_the_uninterrupted_vectors(
    tmp_path, planted_file
) -> None:
    encoded = prepare_corpus(str(planted_file), min_count=1, isolate=False)
    expected = Trainer(encoded, CONFIG).train().wv.vectors
    control, ticks = TrainingControl(), iter(range(10**9))
    checkpoint, output = tmp_path / "run.checkpoint.npz", tmp_path / "run.npz"
    checkpointer = Checkpointer(checkpoint, identify(open_corpus(str(planted_file)), {}), every=None,
                                output=str(output))
    stopped = Trainer(encoded, CONFIG, [StopHalfway(control)], control, checkpoints=checkpointer,
                      clock=lambda: float(next(ticks))).train()
    checkpointer.finish(stopped)
    points_before = stopped.loss_curve.shape[1]

    app = app_of(["--resume", str(checkpoint)])
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(TrainingPane)
        await wait_until(pilot, lambda: len(pane.history) >= points_before)
        x, _ = pane.history.snapshot()
        assert x[:points_before] == list(stopped.loss_curve[0])  # the curve so far, first
        await wait_until(pilot, lambda: not app.training and app.model is not None)
        assert app.query_one(ProgressBar).percentage == 1.0
        assert app.saved_to == str(output)
    assert np.abs(load(output).wv.vectors - expected).max() <= 1e-6
    assert not checkpoint.exists()  # finished and saved: nothing left to resume


async def test_resume_with_a_model_to_open_is_refused(tmp_path) -> None:
    from tui.app import main

    assert main(["--model", str(tmp_path / "m.npz"), "--resume", str(tmp_path / "c.npz")]) == 2


async def test_init_trains_a_model_further_in_the_tui(tmp_path, planted_file) -> None:
    from w2v_core.formats import save
    from w2v_core.training import train

    base = train([["alpha", "beta", "gamma", "delta"]] * 50, TrainConfig(dim=12, min_count=1, epochs=2, threads=1))
    model = tmp_path / "base.npz"
    save(base, model)
    app = app_of([str(planted_file), "--init", str(model), "--min-count", "1", "--epochs", "2",
                  "--threads", "1"])
    assert app.init_from is not None and app.config.dim == 12
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: not app.training and app.model is not None)
    words = set(app.model.wv.words)
    assert {"alpha", "beta", "cat", "dog"} <= words  # the model's words and the new ones
    assert np.array_equal(app.model.wv["alpha"], base.wv["alpha"])  # not in the new text


async def test_ctrl_s_before_the_first_epoch_says_why_nothing_can_be_saved() -> None:
    from fakes import CONFIG as FAKE_CONFIG
    from fakes import FakeTrainer
    from helpers import notifications

    trainer = FakeTrainer(gated=True)  # still reading the corpus
    app = W2VApp(corpus="planted", config=FAKE_CONFIG, trainer=trainer)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.training)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any("Nothing to save yet" in m for m in notifications(app)))
        assert any("end of epoch 1" in m for m in notifications(app))
        trainer.release.set()
        app.control.stop()
        await wait_until(pilot, lambda: not app.training)


def test_the_tui_refuses_an_output_another_run_is_training_into(tmp_path, planted_file, capsys) -> None:
    from tui.app import main
    from w2v_core.destination import OutputLock

    out = tmp_path / "run.npz"
    held = OutputLock(out)
    try:
        assert main([str(planted_file), "-o", str(out)]) == 1
        assert "is training into" in capsys.readouterr().err
    finally:
        held.release()


async def test_the_dashboard_shows_how_far_reading_the_corpus_has_come(tmp_path) -> None:
    """A reading report during the 'reading' state moves the bar by bytes and names the words,
    the distinct words and the rate (issue 23)."""
    from fakes import CONFIG as FAKE_CONFIG
    from fakes import FakeTrainer

    from w2v_core.callbacks import ReadingProgress

    trainer = FakeTrainer(gated=True)  # stays 'reading' until released
    app = W2VApp(corpus="planted", config=FAKE_CONFIG, trainer=trainer)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(TrainingPane)
        await wait_until(pilot, lambda: pane.reading)
        # not an indeterminate bar: its animation spent the terminal's byte budget, and no
        # reading report was drawn on a real terminal
        assert app.query_one(ProgressBar).total is not None
        from tui.training import TrainingBridge

        bridge = TrainingBridge(pane, pane.history)
        bridge.on_reading(ReadingProgress(4_000_000, 10_000_000, 2_500_000, 81_280, 2.0))
        stats = app.query_one("#train-stats")
        await wait_until(pilot, lambda: "40% of 10 MB" in str(stats.content))
        assert "2.5M words" in str(stats.content) and "81,280 distinct" in str(stats.content)
        assert app.query_one(ProgressBar).percentage == 0.4
        # read to the end, then --phrases: the bar and the line follow joining the phrases
        bridge.on_reading(ReadingProgress(10_000_000, 10_000_000, 6_000_000, 90_000, 5.0,
                                          phrases=0.25))
        await wait_until(pilot, lambda: "joining phrases: 25%" in str(stats.content))
        assert "6.0M words" in str(stats.content)
        assert app.query_one(ProgressBar).percentage == 0.25
        assert "joining phrases" in str(app.query_one("#train-state").content)
        trainer.release.set()
        app.control.stop()
        await wait_until(pilot, lambda: not app.training)


async def test_a_run_without_output_keeps_a_resumable_checkpoint_when_the_session_ends(
    planted_file, state_home, capfd
) -> None:
    """``w2v-tui CORPUS`` (no -o) and the terminal goes away: nothing could be saved, but the
    run so far is a checkpoint in $XDG_STATE_HOME/w2v-tui, and stderr says how to resume."""
    import signal

    launch = resolve([str(planted_file), "--epochs", "10000", "--dim", "8", "--min-count", "1",
                      "--threads", "1", "--checkpoint-every", "epoch"])
    checkpoint = launch.checkpoints.path
    assert checkpoint.parent == state_home / "w2v-tui" and launch.output is None
    app = W2VApp(corpus=launch.corpus, config=launch.config, checkpoints=launch.checkpoints)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, checkpoint.exists)  # epoch 1's
        app.hang_up(signal.SIGHUP)
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 128 + signal.SIGHUP
    stopped = load(checkpoint)
    assert stopped.state is not None and not stopped.state.finished and stopped.state.output is None
    assert f"continue it with: w2v-tui --resume {checkpoint}" in capfd.readouterr().err
    again = resolve(["--resume", str(checkpoint)])
    assert again.resume_from is not None and again.checkpoints.path == checkpoint
