"""Pilot helpers shared by the TUI tests."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import DataTable


#: Ceiling of every wait: generous, since CI may run on a slow host with other processes busy.
#: A wait normally ends within milliseconds, as soon as its condition holds.
WAIT_TIMEOUT = 120.0


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = WAIT_TIMEOUT) -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds (a ceiling, not a delay)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)


async def settled(pilot: Pilot) -> None:
    """Wait until the initial focus has moved into the active pane's body (keys then go to the app)."""
    app = pilot.app
    await wait_until(pilot, lambda: app.focused is not None and app.focused is app.active_pane().body())


async def ask(pilot: Pilot, text: str) -> None:
    """Focus the current pane's query input, type ``text`` and press Enter."""
    await pilot.press("slash")
    pilot.app.focused.value = ""  # type: ignore[union-attr]
    await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


async def evaluate(pilot: Pilot) -> str:
    """Show the Evaluate pane, press ``r`` and wait for its evaluation to end; return the
    summary line."""
    app = pilot.app
    await pilot.press("e")
    await pilot.pause()
    await pilot.press("r")
    pane = app.query_one("#evaluate-pane")
    await wait_until(pilot, lambda: "coverage" in str(app.query_one("#ev-summary").content))
    await wait_until(pilot, lambda: not pane.running)
    return str(app.query_one("#ev-summary").content)


def column(table: DataTable, key: str) -> list[str]:
    """The plain text of one column of a DataTable."""
    return [str(getattr(cell, "plain", cell)) for cell in table.get_column(key)]


def notifications(app: object) -> list[str]:
    """Messages of the notifications currently shown."""
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]
