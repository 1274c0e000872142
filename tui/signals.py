"""Hang-up signals: the session ends the way a dropped SSH connection or ``kill`` ends it."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from textual.app import App

#: Signals that end a session the way a dropped SSH connection or ``kill`` does.
HANGUP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


def install_hang_up_handlers(handler: Callable[[int], None]) -> None:
    """Call ``handler(signum)`` on the app's event loop when a hang-up signal arrives."""
    import asyncio

    loop = asyncio.get_running_loop()
    for signum in HANGUP_SIGNALS:
        loop.add_signal_handler(signum, handler, signum)


def exit_after_hang_up(app: App, signum: int) -> None:
    """Exit with 128 + the signal's number, as a shell reports a process a signal ended.

    After SIGHUP the terminal is gone: restoring it would block for ever on writes that
    nobody reads (what is trained is saved by now), so the process ends at once.
    """
    code = 128 + signum
    if signum == signal.SIGHUP and not app.is_headless:
        os._exit(code)
    app.exit(return_code=code)
