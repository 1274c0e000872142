"""Pilot helpers shared by the TUI tests."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import DataTable


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds.

    The ceiling is generous on purpose: a busy machine may take many times longer than a
    quiet one (a t-SNE map, a worker thread); a healthy run stops waiting as soon as the
    condition holds.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)


async def ask(pilot: Pilot, text: str) -> None:
    """Focus the current pane's query input, type ``text`` and press Enter."""
    await pilot.press("slash")
    pilot.app.focused.value = ""  # type: ignore[union-attr]
    await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


def column(table: DataTable, key: str) -> list[str]:
    """The plain text of one column of a DataTable."""
    return [str(getattr(cell, "plain", cell)) for cell in table.get_column(key)]


def notifications(app: object) -> list[str]:
    """Messages of the notifications currently shown."""
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]
