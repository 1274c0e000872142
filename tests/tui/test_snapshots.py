"""SVG snapshots of the dashboard and each pane at 80x24 (update: pytest --snapshot-update).

Everything time-dependent is fixed: the dashboard is driven by synthetic TrainingEvents from
FakeTrainer, the explorer shows a hand-built model, and inputs do not blink in headless mode.
"""

from __future__ import annotations

import numpy as np
from fakes import CONFIG, FakeTrainer, planted_model
from helpers import settled, wait_until
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable

from tui.app import W2VApp
from tui.widgets.dashboard import TrainingPane
from tui.widgets.map import MapPane
from tui.widgets.plots import LossPlot


def explorer() -> W2VApp:
    return W2VApp(model=planted_model(), model_path="planted.npz")


def test_dashboard(snap_compare) -> None:
    trainer = FakeTrainer(hold_after=1)

    async def run_before(pilot: Pilot) -> None:
        # A fixed state, whatever the order and number of messages drawn before it: the
        # trainer holds after epoch 1, the pane shows that epoch's last event and snapshot,
        # and focus has settled (which also refreshes the footer's key states).
        app = pilot.app
        pane = app.query_one(TrainingPane)
        stats = app.query_one("#train-stats")
        await wait_until(pilot, lambda: trainer.holding.is_set() and pane.snapshot_epoch == 1
                         and "words 5,000 / 10,000" in str(stats.content))
        await settled(pilot)
        # DataTable widens a column when idle, after its rows are drawn, and keeps the header
        # line it drew before in its cache: wait for the widths, then rewrite one cell, which
        # makes the table draw every line afresh with them
        table = app.query_one("#probe-table", DataTable)
        widest = max(cell.cell_len for cell in table.get_column("nn"))
        await wait_until(pilot, lambda: table.columns["nn"].content_width >= widest)
        table.update_cell_at(Coordinate(0, 0), table.get_cell_at(Coordinate(0, 0)))
        await wait_until(pilot, lambda: table.columns["nn"].content_width >= widest)
        app.query_one(LossPlot).redraw()

    app = W2VApp(corpus="planted", config=CONFIG, trainer=trainer)
    assert snap_compare(app, run_before=run_before)


def test_neighbours(snap_compare) -> None:
    assert snap_compare(explorer(), press=["slash", *"king -man +woman", "enter"])


def test_analogies(snap_compare) -> None:
    assert snap_compare(explorer(), press=["a", "_", "slash", *"man", "enter", *"king", "enter", *"woman", "enter"])


def fixed_projection(kv, method="tsne", top_n=500, seed=0, words=None):  # noqa: ANN001 - project_2d's
    """A stand-in for project_2d with a layout that no CPU, BLAS or t-SNE version can change.

    The snapshot checks how a map is drawn (labels, markers, info line); what t-SNE computes
    is checked in tests/test_projection*.py.
    """
    from w2v_core.projection import Projection

    words = list(kv.words[: min(top_n, len(kv))])
    rows = np.array([kv.get_index(w) for w in words])
    coords = np.round(kv.vectors[rows][:, [0, 4]].astype(np.float64) * 10 + rows[:, None] % 7 * 0.3, 2)
    return Projection(words, coords, method)


def test_map(snap_compare, monkeypatch) -> None:
    monkeypatch.setattr("w2v_core.projection.project_2d", fixed_projection)

    async def run_before(pilot: Pilot) -> None:
        await pilot.press("slash", *"cat", "enter", "m")
        pane = pilot.app.query_one(MapPane)
        await wait_until(pilot, lambda: pane.computed_key is not None and pane.placing is None)

    assert snap_compare(explorer(), run_before=run_before)


def test_evaluate(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await pilot.press("e", "_", "r")
        pane = pilot.app.query_one("#evaluate-pane")
        await wait_until(pilot, lambda: not pane.running)

    assert snap_compare(explorer(), run_before=run_before)


def test_compare(snap_compare) -> None:
    from planted import rotated

    from w2v_core.compare import Comparison

    model = planted_model()
    comparison = Comparison(model.wv, rotated(model.wv, swap=["cat", "paris"]))
    app = W2VApp(model=model, model_path="planted.npz", comparison=comparison)

    async def run_before(pilot: Pilot) -> None:
        changes = pilot.app.query_one("#cmp-changes")
        await wait_until(pilot, lambda: changes.row_count > 0 and pilot.app.focused is changes)
        await pilot.press("enter")
        await wait_until(pilot, lambda: pilot.app.query_one("#cmp-sides").row_count > 0)

    assert snap_compare(app, run_before=run_before)


def test_help(snap_compare) -> None:
    assert snap_compare(explorer(), press=["question_mark"])
