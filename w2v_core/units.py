"""How numbers that both front ends show are written: durations, sizes, reading progress."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .callbacks import ReadingProgress

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


def format_bytes(n: float) -> str:
    """A size in bytes as ``535 MB``, ``1.2 GB``, ``812 KB``.

    >>> format_bytes(535_000_000), format_bytes(1_234_000_000), format_bytes(812_000)
    ('535 MB', '1.23 GB', '812 KB')
    """
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            value = n / size
            return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{int(n)} B"


def _count(n: float) -> str:
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{int(n):,}"


def reading_text(progress: "ReadingProgress") -> str:
    """One line on reading progress, as both front ends show it: how much of the corpus,
    words, distinct words so far, rate and time left (what is unknown for a pipe is left out).
    """
    if progress.phrases is not None and not progress.done:
        return (f"joining phrases: {progress.phrases:.0%} · {_count(progress.words)} words · "
                f"{progress.vocabulary:,} distinct")
    parts = []
    if progress.fraction is not None:
        parts.append(f"{progress.fraction:.0%} of {format_bytes(progress.bytes_total or 0)}")
    else:
        parts.append(f"{format_bytes(progress.bytes_read)} read")
    parts.append(f"{_count(progress.words)} words")
    parts.append(f"{progress.vocabulary:,} distinct")
    parts.append(f"{_count(progress.words_per_second)} words/s")
    if progress.eta is not None and not progress.done:
        parts.append(f"ETA {format_duration(progress.eta)}")
    if progress.processes > 1:
        parts.append(f"{progress.processes} processes")
    return " · ".join(parts)


def bound_notice(progress: "ReadingProgress") -> str | None:
    """The line that says counting forgot rare tokens (the distinct-token bound was
    reached), or None when every count is exact."""
    if not progress.count_floor:
        return None
    return (
        "note: the corpus holds more distinct tokens than --max-distinct; tokens seen at most "
        f"{progress.count_floor} times in a stretch were forgotten while counting, so rare "
        "words' counts are approximate (raise --max-distinct for exact counts)"
    )
