"""The training dashboard and the training worker: fake trainer for the UI, real engine once."""

from __future__ import annotations

from fakes import CONFIG, FakeTrainer
from helpers import ask, column, settled, wait_until
from textual.widgets import DataTable, ProgressBar, TabbedContent, TabPane

from tui.app import W2VApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.save import SaveScreen
from tui.widgets.dashboard import TrainingPane
from tui.widgets.neighbours import NeighboursPane

SIZE = (80, 24)


def training_app(trainer: FakeTrainer) -> W2VApp:
    return W2VApp(corpus="planted", config=CONFIG, trainer=trainer)


async def test_dashboard_shows_progress_loss_and_probes() -> None:
    trainer = FakeTrainer(hold_after=1)
    app = training_app(trainer)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(TrainingPane)
        await wait_until(pilot, lambda: pane.snapshot_epoch == 1)
        assert app.query_one(TabbedContent).active == "training"
        assert app.query_one(ProgressBar).percentage == 0.5
        assert "epoch 1/2" in str(app.query_one("#train-epoch").content)
        stats = str(app.query_one("#train-stats").content)
        assert "words 5,000 / 10,000" in stats and "250,000 w/s" in stats and "lr" in stats
        assert len(pane.history) == 5
        assert pane.probes == ["king", "queen", "prince", "princess"]  # frequent, not stopwords
        assert column(app.query_one("#probe-table", DataTable), "probe") == pane.probes
        app.control.stop()
        await wait_until(pilot, lambda: not app.training)


async def test_keys_answer_while_training_pause_and_stop_keep_the_model() -> None:
    trainer = FakeTrainer(hold_after=1)
    app = training_app(trainer)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, trainer.holding.is_set)
        await settled(pilot)
        await pilot.press("n")  # a key while the training worker runs
        assert app.query_one(TabbedContent).active == "neighbours"
        await ask(pilot, "king")  # queries use the epoch snapshot meanwhile
        assert column(app.query_one("#nb-table", DataTable), "word")[0] == "prince"
        await pilot.press("t", "p")
        assert app.control.paused and "paused" in str(app.query_one("#train-state").content)
        await pilot.press("p")
        assert not app.control.paused
        await pilot.press("s")
        await wait_until(pilot, lambda: app.query_one(TabbedContent).active == "neighbours")
        assert app.model is not None and app.model.summary.stopped_early
        assert "stopped" in str(app.query_one("#train-state").content)
        await ask(pilot, "cat")
        assert column(app.query_one("#nb-table", DataTable), "word")[0] in {"dog", "horse", "cow"}


async def test_training_end_opens_the_explorer() -> None:
    app = training_app(FakeTrainer())
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.query_one(TabbedContent).active == "neighbours")
        assert app.query_one(NeighboursPane).current == "king"  # the first probe, asked for you
        assert app.dirty


async def test_a_late_focus_message_does_not_switch_the_tab_back() -> None:
    """The tabs hear of a focus late (a message); one from a pane the focus has left since
    must not show that pane again (training that ended as the start-up focus landed on the
    dashboard never opened the explorer). A focus that is still there is followed."""
    trainer = FakeTrainer(hold_after=1)
    app = training_app(trainer)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, trainer.holding.is_set)
        await settled(pilot)
        tabs = app.query_one(TabbedContent)
        app.action_show_pane("neighbours")
        handled: list[bool] = []
        tabs.post_message(TabPane.Focused(app.query_one("#training", TabPane)))  # the late one
        tabs.call_later(handled.append, True)  # runs after it: one queue, in order
        await wait_until(pilot, lambda: bool(handled))
        assert tabs.active == "neighbours"
        await settled(pilot)  # the switch's own focus has landed: it would move this one on
        app.screen.set_focus(app.query_one("#probe-table"))  # a focus into a hidden pane
        await wait_until(pilot, lambda: tabs.active == "training")
        app.control.stop()
        await wait_until(pilot, lambda: not app.training)


async def test_quit_asks_while_training_and_when_unsaved() -> None:
    trainer = FakeTrainer(hold_after=1)
    app = training_app(trainer)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, trainer.holding.is_set)
        await settled(pilot)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmScreen) and app.training
        await pilot.press("s")
        await wait_until(pilot, lambda: not app.training)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        assert "not saved" in str(app.screen.query_one(".dialog-text").content)
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0


async def test_save_then_quit_without_asking(tmp_path) -> None:
    app = training_app(FakeTrainer())
    path = tmp_path / "out.npz"
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.model is not None)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SaveScreen)
        app.screen.query_one("#save-path").value = str(path)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not app.dirty)
        assert path.exists()
        assert f"saved: {path}" in str(app.query_one("#status").content)
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)


async def test_saving_onto_another_file_asks_first(tmp_path) -> None:
    """Ctrl+S onto a file this app did not write asks before replacing it (issue 22)."""
    app = training_app(FakeTrainer())
    path = tmp_path / "precious.npz"
    path.write_bytes(b"someone else's model")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.model is not None)
        for answer in ("n", "y"):
            await pilot.press("ctrl+s")
            app.screen.query_one("#save-path").value = str(path)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert "exists" in str(app.screen.question)
            await pilot.press(answer)
            if answer == "n":
                await wait_until(pilot, lambda: any("left as it was" in n.message
                                                    for n in app._notifications))
                assert path.read_bytes() == b"someone else's model" and app.dirty
        await wait_until(pilot, lambda: not app.dirty)
        assert path.read_bytes().startswith(b"PK")  # replaced by the model (.npz is a zip)
        await pilot.press("ctrl+s")  # the file it saved itself: no question
        app.screen.query_one("#save-path").value = str(path)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)


async def test_save_to_a_bad_path_notifies(tmp_path) -> None:
    app = training_app(FakeTrainer())
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.model is not None)
        await pilot.press("ctrl+s")
        app.screen.query_one("#save-path").value = str(tmp_path / "no" / "such" / "dir" / "m.npz")
        await pilot.press("enter")
        await wait_until(pilot, lambda: any(n.title == "Save failed" for n in app._notifications))
        assert app.dirty


async def test_a_failing_corpus_is_reported_not_raised() -> None:
    app = W2VApp(corpus="/no/such/corpus.txt", config=CONFIG)  # the real engine
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: not app.training)
        assert "failed" in str(app.query_one("#train-state").content)
        assert any(n.title == "Training failed" for n in app._notifications)


async def test_a_diverging_run_stops_and_says_why(planted_file) -> None:
    """The real engine's divergence guard reaches the dashboard as one line; no model."""
    from w2v_core.config import TrainConfig

    config = TrainConfig(dim=50, min_count=1, epochs=3, alpha=10.0, min_alpha=10.0,
                         batch_size=4096, sample=0, threads=1)
    app = W2VApp(corpus=str(planted_file), config=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: not app.training)
        assert app.failed and app.model is None
        assert "failed" in str(app.query_one("#train-state").content)
        failure = next(n for n in app._notifications if n.title == "Training failed")
        assert failure.message.startswith("training diverged") and "\n" not in failure.message
        assert "--alpha" in failure.message


async def test_real_engine_stop_keeps_a_model_that_answers(planted_file) -> None:
    from w2v_core.config import TrainConfig

    config = TrainConfig(dim=16, window=3, min_count=1, epochs=5000, seed=1)  # never ends by itself
    app = W2VApp(corpus=str(planted_file), config=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.snapshot is not None)
        # paused, r shows probes from the vectors as they are now, not the last epoch's copy
        pane = app.query_one(TrainingPane)
        await pilot.press("p")
        await wait_until(pilot, lambda: app.control.paused)
        label = app.query_one("#probe-label")

        def probes_now() -> bool:
            # an epoch-end message still in flight when the pause began may relabel the
            # probes "epoch N" after r; r again until "now" is what is shown
            if "(now)" in str(label.content):
                return True
            app.query_one(TrainingPane).action_refresh_probes()
            return False

        await wait_until(pilot, probes_now)
        assert app.query_one("#probe-table", DataTable).row_count == len(pane.probes) > 0
        await pilot.press("s")
        await wait_until(pilot, lambda: not app.training)
        assert app.model is not None and app.model.summary.stopped_early
        await ask(pilot, "cat")
        assert app.query_one("#nb-table", DataTable).row_count == 10


async def test_real_engine_pause_holds_training_until_resumed(planted_file, monkeypatch) -> None:
    import numpy as np
    from training_spies import PauseProbe

    from w2v_core.config import TrainConfig

    # one training thread: with several, each reaches its pause point at its own time
    config = TrainConfig(dim=16, window=3, min_count=1, epochs=5000, seed=1, threads=1)
    probe = PauseProbe()
    app = W2VApp(corpus=str(planted_file), config=config, trainer=probe.train)
    probe.watch(app.control, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(TrainingPane)
        await wait_until(pilot, lambda: app.snapshot is not None and probe.steps > 0)
        await settled(pilot)
        await pilot.press("p")
        assert app.control.paused
        await wait_until(pilot, probe.settled)  # the worker reached its pause point and holds
        assert probe.steps_while_paused == 0
        vectors = pane.live_snapshot().vectors
        await wait_until(pilot, lambda: "paused" in str(app.query_one("#train-state").content))
        await pilot.pause()
        assert probe.steps_while_paused == 0 and probe.blocked()
        np.testing.assert_array_equal(pane.live_snapshot().vectors, vectors)
        await pilot.press("p")
        assert not app.control.paused
        await wait_until(pilot, lambda: probe.steps_while_paused > 0)  # training goes on
        await pilot.press("s")
        await wait_until(pilot, lambda: not app.training)
        assert app.model is not None and app.model.summary.stopped_early


async def test_dashboard_shows_the_separation_and_warns_when_collapsed() -> None:
    from w2v_core.diagnostics import separation

    trainer = FakeTrainer(hold_after=1)
    app = training_app(trainer)
    async with app.run_test(size=SIZE) as pilot:
        health = app.query_one("#train-health")
        await wait_until(pilot, lambda: "epoch 1" in str(health.content))
        expected = separation(app.snapshot)
        assert f"random-pair cosine {expected:.3f} (epoch 1)" in str(health.content)
        assert not health.has_class("-collapsed")
        app.query_one(TrainingPane).show_separation(0.97, "epoch 2")
        assert "collapsed" in str(health.content) and health.has_class("-collapsed")
        app.control.stop()
        await wait_until(pilot, lambda: not app.training)
        assert "(final)" in str(health.content)


async def test_dashboard_names_automatically_chosen_epochs(planted_file) -> None:
    from w2v_core.config import TrainConfig

    app = W2VApp(corpus=str(planted_file), config=TrainConfig(dim=8, min_count=1, epochs=None))
    async with app.run_test(size=SIZE) as pilot:
        title = app.query_one("#train-title")
        await wait_until(pilot, lambda: "(auto:" in str(title.content))  # the path may hold "auto"
        assert "(auto: small corpus)" in str(title.content)
        epochs = app.query_one(TrainingPane).epochs
        assert 5 <= epochs <= 50 and f"epochs {epochs} (auto: small corpus)" in str(title.content)
        app.control.stop()
        await wait_until(pilot, lambda: not app.training)


async def test_a_corpus_warning_is_shown_when_training_starts(tmp_path) -> None:
    """A corpus whose "words" are whole phrases (Thai without segmentation) says so."""
    import random

    from helpers import notifications

    from w2v_core.corpus import open_corpus

    path = tmp_path / "th.txt"
    words = ["สวัสดี", "ครับ", "ผม", "ชื่อ", "สมชาย", "ไป", "ตลาด", "กิน", "ข้าว", "แล้ว"]
    rng = random.Random(0)
    phrases = ("".join(rng.choices(words, k=rng.randint(4, 8))) for _ in range(120))
    path.write_text("\n".join(" ".join(next(phrases) for _ in range(3)) for _ in range(40)),
                    encoding="utf-8")
    corpus = open_corpus(str(path)).check_not_empty()
    assert corpus.warnings
    trainer = FakeTrainer(hold_after=1)
    app = W2VApp(corpus=corpus, config=CONFIG, trainer=trainer)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: any("segmented first" in m for m in notifications(app)))
        app.control.stop()
        await wait_until(pilot, lambda: not app.training)


async def test_a_progress_report_sends_few_bytes_to_the_terminal() -> None:
    """Over SSH the bytes written are the cost: a report redraws only what changed on screen.

    Each report moves 0.2% of the run, as the engine's five reports a second do on a run of a
    few minutes. Under 400 bytes a report is under 2 KB/s at that pace (the 80x24 goal is 4);
    redrawing the progress row and the whole loss curve, it was about 900.
    """
    from textual._compositor import CompositorUpdate

    from fakes import event
    from tui.messages import TrainingProgress

    trainer = FakeTrainer(hold_after=1)
    app = training_app(trainer)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(TrainingPane)
        await wait_until(pilot, lambda: pane.snapshot_epoch == 1)
        await pilot.pause()
        written: list[int] = []
        display = app._display

        def counting(screen, renderable):  # what the driver would write, headless or not
            if isinstance(renderable, CompositorUpdate):
                written.append(len(renderable.render_segments(app.console).encode()))
            return display(screen, renderable)

        app._display = counting
        stats = app.query_one("#train-stats")
        reports = 50
        for step in range(1, reports + 1):
            report = event(2, step, steps=250)
            pane.post_message(TrainingProgress(report))
            await wait_until(pilot, lambda: f"words {report.words_done:,} " in str(stats.content))
            await pilot.pause()
        assert len(written) >= reports  # every report was drawn
        assert sum(written) / reports < 400
