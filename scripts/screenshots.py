"""Make the README's SVG screenshots and print its key table.

Run from the repository root: ``python scripts/screenshots.py``. Writes docs/dashboard.svg,
docs/neighbours.svg and docs/map.svg at 80x24 with the real engine: the dashboard is captured
mid-training on builtin:hamlet (paused, so the frame is stable); the explorer panes show
the model that run produced.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from w2v_core.config import TrainConfig  # noqa: E402

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


async def shoot(corpus: str, query: str) -> list[Path]:
    """Train on ``corpus``, screenshot the dashboard mid-run, then the explorer panes."""
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
        app.exit()
    return saved


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    for path in asyncio.run(shoot("builtin:hamlet", "king")):
        print(f"wrote {path.relative_to(ROOT)}")
    print()
    print(markdown_table(key_rows(W2VApp.binding_sections())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
