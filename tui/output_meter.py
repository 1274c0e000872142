"""What the app writes to the terminal, against a budget of bytes a second.

Over SSH every byte drawn crosses the link, and a training dashboard could redraw five times
a second forever. The app's driver counts what it writes (:func:`metered_driver`); the
dashboard asks :meth:`OutputMeter.allows` before each redraw it can put off (the stats line,
the bar, the loss curve, the probe table) and skips it while the terminal has had more than
its share. So the rate follows the budget (``--max-terminal-rate``) whatever the speed of the
run, and a slow link gets a slower dashboard, not a backlog. What cannot wait (a run's end,
a pause, the user's own keys) is drawn at once and only counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from textual.driver import Driver

#: Bytes a second the dashboard may write while training, unless ``--max-terminal-rate``
#: says otherwise: under 4 KB/s at 80x24, half of a 64 kbit/s line.
DEFAULT_RATE = 3_500
#: Seconds of budget that may be spent at once (a burst after a quiet spell).
BURST_SECONDS = 2.0
#: Seconds of budget an epoch's snapshot waits for (it redraws the epoch's figures, the status
#: line and the probe table: a few KB), so that progress reports keep their share.
SNAPSHOT_RESERVE = 1.0
#: Seconds of budget a big redraw (a resize, another tab shown) may overdraw: the dashboard
#: pauses for at most this long afterwards. Small debts are paid in full, so redraws that
#: come in big lumps (an epoch's snapshot refills the probe table) cannot outrun the budget.
DEBT_SECONDS = 5.0


class OutputMeter:
    """A token bucket over the bytes written to the terminal.

    Parameters
    ----------
    rate : float
        Bytes a second; 0 or less: no limit (every redraw is allowed; bytes are still counted).
    clock : callable
        Seconds, monotonic (tests pass their own).
    """

    def __init__(self, rate: float = DEFAULT_RATE, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.clock = clock
        self.written = 0  #: bytes written in all
        self._tokens = rate * BURST_SECONDS
        self._last = clock()

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(self._tokens + (now - self._last) * self.rate, self.rate * BURST_SECONDS)
        self._last = now

    def restart(self) -> None:
        """Forget what was written so far (the first frame: the dashboard starts afresh)."""
        self._tokens, self._last = self.rate * BURST_SECONDS, self.clock()

    def add(self, nbytes: int) -> None:
        """``nbytes`` were written (whatever wrote them)."""
        self.written += nbytes
        if self.rate > 0:
            self._refill()
            self._tokens = max(self._tokens - nbytes, -self.rate * DEBT_SECONDS)

    def allows(self, reserve: float = 0.0) -> bool:
        """May a redraw that can wait happen now, leaving ``reserve`` seconds of budget?

        A big redraw asks for a reserve so that small frequent ones (a progress report) are
        not starved by it: they go first whenever there is any budget at all.
        """
        if self.rate <= 0:
            return True
        self._refill()
        return self._tokens > reserve * self.rate

    def wait(self, reserve: float = 0.0) -> float:
        """Seconds until :meth:`allows` holds again, if nothing more is written (0: now)."""
        if self.allows(reserve):
            return 0.0
        return reserve - self._tokens / self.rate + 1e-3


def metered_driver(driver_class: "type[Driver]", meter: OutputMeter) -> "type[Driver]":
    """``driver_class`` counting every byte it writes into ``meter``."""

    class MeteredDriver(driver_class):  # type: ignore[valid-type, misc]
        def write(self, data: str) -> None:
            meter.add(len(data.encode("utf-8", "replace")))
            super().write(data)

    MeteredDriver.__name__ = f"Metered{driver_class.__name__}"
    return MeteredDriver
