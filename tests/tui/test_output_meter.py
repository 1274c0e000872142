"""The terminal's byte budget (issue 24, light over SSH): the meter's arithmetic, the driver
that feeds it, and a dashboard that holds back what can wait while the budget is spent."""

from __future__ import annotations

import pytest
from fakes import FakeTrainer, event
from helpers import wait_until

from tui.app import W2VApp
from tui.messages import ReadingReport, TrainingProgress
from tui.options import resolve
from tui.output_meter import (
    BURST_SECONDS,
    DEBT_SECONDS,
    DEFAULT_RATE,
    SNAPSHOT_RESERVE,
    OutputMeter,
    metered_driver,
)
from tui.widgets.dashboard import TrainingPane
from tui.widgets.plots import LossPlot
from w2v_core.callbacks import ReadingProgress
from w2v_core.errors import UsageError

SIZE = (80, 24)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_meter_is_a_token_bucket_with_a_bounded_debt() -> None:
    clock = Clock()
    meter = OutputMeter(1000, clock)
    assert meter.allows() and meter.wait() == 0
    meter.add(int(1000 * BURST_SECONDS) + 300)  # the burst spent, and 300 bytes more
    assert not meter.allows()
    assert meter.wait() == pytest.approx(0.3, abs=0.01)
    clock.now += 0.29
    assert not meter.allows()
    clock.now += 0.02
    assert meter.allows()
    meter.add(10**9)  # a huge redraw (a resize): the dashboard waits DEBT_SECONDS at most
    assert meter.wait() == pytest.approx(DEBT_SECONDS, abs=0.01)
    clock.now += 3600  # a quiet hour buys no more than the burst
    meter.add(int(1000 * BURST_SECONDS) + 1)
    assert not meter.allows()
    assert meter.written == 2 * int(1000 * BURST_SECONDS) + 300 + 10**9 + 1


def test_a_reserve_lets_small_redraws_go_first() -> None:
    clock = Clock()
    meter = OutputMeter(1000, clock)
    meter.add(int(1000 * BURST_SECONDS) - 500)  # half a second of budget left
    assert meter.allows() and not meter.allows(reserve=1.0)
    assert meter.wait(reserve=1.0) == pytest.approx(0.5, abs=0.01)
    clock.now += 0.51
    assert meter.allows(reserve=1.0)


def test_no_limit_allows_everything_and_still_counts() -> None:
    meter = OutputMeter(0, Clock())
    meter.add(10**9)
    assert meter.allows() and meter.wait() == 0 and meter.written == 10**9


def test_the_metered_driver_counts_the_utf8_bytes_it_writes() -> None:
    written: list[str] = []

    class Driver:
        def write(self, data: str) -> None:
            written.append(data)

    meter = OutputMeter(1000, Clock())
    driver = metered_driver(Driver, meter)()  # type: ignore[arg-type]
    driver.write("ab")
    driver.write("▁◆")  # three bytes each in UTF-8
    assert written == ["ab", "▁◆"] and meter.written == 8


def test_the_option_reaches_the_app(tmp_path) -> None:
    assert resolve(["builtin:hamlet"]).terminal_rate == DEFAULT_RATE
    assert resolve(["builtin:hamlet", "--max-terminal-rate", "800"]).terminal_rate == 800
    app = W2VApp(corpus="planted", terminal_rate=800)
    assert app.output_meter.rate == 800 and app.driver_class.__name__.startswith("Metered")
    for bad in ("-5", "fast", "inf"):
        with pytest.raises((SystemExit, UsageError)):
            resolve(["builtin:hamlet", "--max-terminal-rate", bad])


async def test_a_spent_budget_holds_back_reports_and_epoch_snapshots_until_it_refills() -> None:
    """While the terminal has had more than its share, reports change nothing on screen and an
    epoch's snapshot waits; once the budget refills, the latest report and snapshot show."""
    clock = Clock()
    trainer = FakeTrainer(epochs=3, hold_after=1)
    app = W2VApp(corpus="planted", trainer=trainer)
    app.output_meter = OutputMeter(1000, clock)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(TrainingPane)
        await wait_until(pilot, lambda: pane.snapshot_epoch == 1)
        await pilot.pause()
        stats, plot = app.query_one("#train-stats"), app.query_one(LossPlot)
        shown, redraws = str(stats.content), plot.redraws
        app.output_meter.add(10**6)  # spent: DEBT_SECONDS of budget owed
        for step in range(1, 31):  # one at a time: a newer report replaces a waiting one
            before = pane._reports
            pane.post_message(TrainingProgress(event(2, step, steps=40, epochs=3)))
            await wait_until(pilot, lambda: pane._reports == before + 1)
        await pilot.pause()
        assert str(stats.content) == shown and plot.redraws == redraws  # nothing drawn
        # an epoch ends while the budget is spent: the explorer keeps epoch 1's vectors
        first = app.vectors
        from tui.messages import EpochEnded

        pane.post_message(EpochEnded(event(2, 40, steps=40, epochs=3), first.__class__(
            first.words, first.vectors * 2)))
        await wait_until(pilot, lambda: app._epoch_waiting is not None)
        assert app.snapshot_epoch == 1 and app.vectors is first
        clock.now += DEBT_SECONDS + 0.01  # the debt is paid: reports may draw, not yet the snapshot
        assert app.output_meter.allows() and not app.output_meter.allows(SNAPSHOT_RESERVE)
        clock.now += SNAPSHOT_RESERVE  # and now a second of budget is saved up for it
        await wait_until(pilot, lambda: app.snapshot_epoch == 2)  # its timer fired: taken up
        report = event(3, 1, steps=40, epochs=3)
        pane.post_message(TrainingProgress(report))
        await wait_until(pilot, lambda: f"words {report.words_done:,} " in str(stats.content))
        assert plot.redraws > redraws  # the curve held back is drawn with the first allowed report
        app.control.stop()
        await wait_until(pilot, lambda: not app.training)


def _reading_app() -> tuple[W2VApp, FakeTrainer]:
    """An app whose run stays in the reading phase until ``trainer.release`` is set, with a
    budget of 1,000 bytes a second on a clock that stands still."""
    trainer = FakeTrainer(gated=True)
    app = W2VApp(corpus="planted", trainer=trainer)
    app.output_meter = OutputMeter(1000, Clock())
    return app, trainer


async def _end_reading_run(pilot, app: W2VApp, trainer: FakeTrainer) -> None:
    trainer.release.set()
    app.control.stop()
    await wait_until(pilot, lambda: not app.training)


async def test_the_counting_bound_notice_is_told_once_even_with_the_budget_spent() -> None:
    """The last reading report says the distinct-token bound was reached: the one notice is
    shown even when the byte budget holds reports back; earlier reports say nothing."""
    from helpers import notifications

    app, trainer = _reading_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(TrainingPane)
        await wait_until(pilot, lambda: pane.reading)
        app.output_meter.add(10**6)  # spent
        for done in (False, True):
            pane.post_message(ReadingReport(ReadingProgress(10, 100, 5, 5, 0.1, done=done, count_floor=3)))
            await pilot.pause()
        await wait_until(pilot, lambda: any("--max-distinct" in m for m in notifications(app)))
        assert sum("--max-distinct" in m for m in notifications(app)) == 1
        await _end_reading_run(pilot, app, trainer)


async def test_the_reading_phases_first_frame_is_not_held_against_the_budget() -> None:
    """Setting up the reading phase (title, state, bar) and its first report repaint the
    whole screen; like the app's first frame they are not held against the byte budget: the
    first report is drawn with the budget spent, the budget starts afresh after it, and only
    later reports wait for the budget (before, the bar stood still for the first ~3 s of a
    run on a real terminal)."""
    app, trainer = _reading_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(TrainingPane)
        stats = app.query_one("#train-stats")
        await wait_until(pilot, lambda: pane.reading)
        app.output_meter.add(10**6)  # what the reading phase's setup wrote: the budget spent
        pane.post_message(ReadingReport(ReadingProgress(10, 100, 5, 5, 0.1)))
        await wait_until(pilot, lambda: "10% of 100 B" in str(stats.content))  # drawn anyway
        await wait_until(pilot, lambda: app.output_meter.allows())  # the clock stood still
        pane.post_message(ReadingReport(ReadingProgress(20, 100, 9, 7, 0.2)))
        await wait_until(pilot, lambda: "20% of 100 B" in str(stats.content))
        app.output_meter.add(10**6)  # spent again: later reports wait
        pane.post_message(ReadingReport(ReadingProgress(30, 100, 12, 8, 0.3)))
        await pilot.pause()
        await pilot.pause()
        assert "20% of 100 B" in str(stats.content)
        await _end_reading_run(pilot, app, trainer)
