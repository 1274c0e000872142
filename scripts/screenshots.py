"""Make the README's SVG screenshots and print its key table.

Run from the repository root: ``python scripts/screenshots.py``. Writes docs/dashboard.svg,
docs/neighbours.svg, docs/map.svg, docs/compare.svg, docs/compare-map.svg and
docs/stability.svg at 80x24 with the real engine: the dashboard is captured mid-training on
builtin:hamlet (paused, so the frame is stable); the explorer panes show the model that run
produced; the Compare pane aligns a second run, with another seed, onto it (which neighbours
are the seed's), and the Map then marks where the query sits in that run; the stability column is an
ensemble of three runs on bootstrap samples (``w2v train --runs 3``).
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from w2v_core.config import TrainConfig  # noqa: E402
from w2v_core.model import Model  # noqa: E402

from tui.app import W2VApp  # noqa: E402
from tui.keys import key_rows, markdown_table  # noqa: E402
from tui.widgets.map import MapPane  # noqa: E402
from tui.widgets.plots import LossPlot  # noqa: E402

DOCS = ROOT / "docs"
SIZE = (80, 24)


async def _wait(pilot, condition, timeout: float = 120.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        await pilot.pause(0.05)


async def shoot(corpus: str, query: str) -> tuple[list[Path], "Model"]:
    """Train on ``corpus``, screenshot the dashboard mid-run, then the explorer panes; return
    the screenshots and the model."""
    config = TrainConfig(seed=1)  # the defaults, epochs chosen from the corpus size as a user gets them
    app = W2VApp(corpus=corpus, config=config)
    saved: list[Path] = []
    async with app.run_test(size=SIZE) as pilot:
        dashboard = app.pane("training")
        await _wait(pilot, lambda: getattr(dashboard, "snapshot_epoch", 0) >= 20)
        await pilot.press("p")  # pause: a steady frame
        await pilot.pause(0.5)
        app.query_one(LossPlot).redraw()
        await pilot.pause()
        saved.append(Path(app.save_screenshot("dashboard.svg", str(DOCS))))
        await pilot.press("p")
        await _wait(pilot, lambda: app.model is not None)
        app.clear_notifications()
        await pilot.press("slash", *query, "enter")
        await pilot.pause()
        saved.append(Path(app.save_screenshot("neighbours.svg", str(DOCS))))
        await pilot.press("m")
        pane = app.query_one(MapPane)
        await _wait(pilot, lambda: pane.computed_key is not None)
        await pilot.pause()
        saved.append(Path(app.save_screenshot("map.svg", str(DOCS))))
        app.dirty = False
        model = app.model
        app.exit()
    return saved, model


async def shoot_compare(corpus: str, model: "Model", query: str) -> Path:
    """Train ``corpus`` again with another seed, align it onto ``model``, screenshot the
    Compare pane with ``query``'s neighbours in both."""
    from w2v_core.compare import Comparison
    from w2v_core.training import train

    other = train(corpus, TrainConfig(seed=2))
    app = W2VApp(model=model, model_path="seed1.npz", comparison=Comparison(model.wv, other.wv))
    async with app.run_test(size=SIZE) as pilot:
        changes = app.query_one("#cmp-changes")
        await _wait(pilot, lambda: changes.row_count > 0)
        await pilot.press("slash", *query, "enter")
        await _wait(pilot, lambda: app.query_one("#cmp-sides").row_count > 0)
        await pilot.pause()
        path = Path(app.save_screenshot("compare.svg", str(DOCS)))
        # the Map marks where the query sits in the second run (◈)
        await pilot.press("n", "slash", *query, "enter")
        await _wait(pilot, lambda: app.query_one("#nb-table").row_count > 0)
        map_pane = app.query_one(MapPane)
        await pilot.press("m")
        await _wait(pilot, lambda: map_pane.computed_key is not None and map_pane.pending_key is None)
        await _wait(pilot, lambda: bool(map_pane.compared))
        await pilot.pause()
        app.save_screenshot("compare-map.svg", str(DOCS))
        app.exit()
    return path


async def shoot_stability(corpus: str, query: str, runs: int = 3) -> Path:
    """Train ``runs`` models on bootstrap samples of ``corpus``, screenshot the Neighbours
    pane's stability column for ``query``."""
    from w2v_core.ensemble import train_ensemble

    ensemble = train_ensemble(corpus, TrainConfig(seed=1), runs=runs)
    app = W2VApp(model=ensemble.first, model_path=f"hamlet-{runs}-runs.npz")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *query, "enter")
        table = app.query_one("#nb-table")
        await _wait(pilot, lambda: table.row_count > 0)
        await pilot.pause()
        path = Path(app.save_screenshot("stability.svg", str(DOCS)))
        app.exit()
    return path


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    saved, model = asyncio.run(shoot("builtin:hamlet", "king"))
    saved.append(asyncio.run(shoot_compare("builtin:hamlet", model, "king")))
    saved.append(asyncio.run(shoot_stability("builtin:hamlet", "king")))
    for path in saved:
        print(f"wrote {path.relative_to(ROOT)}")
    print()
    print(markdown_table(key_rows(W2VApp.binding_sections())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
