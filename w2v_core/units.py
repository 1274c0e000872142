"""How numbers that both front ends show are written: durations."""

from __future__ import annotations

import math

#: Shown for a duration that is not known (yet): NaN, infinite or negative.
UNKNOWN_DURATION = "--:--"


def format_duration(seconds: float) -> str:
    """A duration as ``m:ss``, or ``h:mm:ss`` from an hour on.

    >>> format_duration(75.4), format_duration(3725), format_duration(float("nan"))
    ('1:15', '1:02:05', '--:--')
    """
    if not math.isfinite(seconds) or seconds < 0:
        return UNKNOWN_DURATION
    hours, rest = divmod(int(round(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
