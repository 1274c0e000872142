"""Bytes per second the training dashboard writes to an 80x24 terminal (what an SSH link carries).

Starts ``python -m tui CORPUS --epochs N`` in a pty and counts every byte the app writes from
the first progress report on screen (the stats line shows ``w/s``) to the last, or for
``--seconds`` seconds. Progress reports come every 0.2 s, so the figure is also given per report
(the number of stats lines drawn in the window). Runs ``--repeat`` times, prints the median;
byte counts move with the machine's load, which changes how many reports and redraws fit in
the window.

Usage::

    python benchmarks/terminal_bytes.py                          # builtin:shakespeare, 15 epochs
    python benchmarks/terminal_bytes.py --tree /tmp/old-checkout  # before
    python benchmarks/terminal_bytes.py --tui-args '--threads 1'  # a slower run

Results: benchmarks/README.md ("Start-up and bytes to the terminal").
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from terminal import REPO, cpu_model, run_in_pty, visible_text

STATS_MARK = b" w/s"  #: in the stats line of every progress report, and only there


@dataclass
class Rate:
    seconds: float
    written: int
    reports: int

    @property
    def per_second(self) -> float:
        return self.written / self.seconds

    @property
    def per_report(self) -> float:
        return self.written / max(self.reports, 1)


def training_rate(corpus: str, epochs: int, seconds: float | None = None, tree: Path = REPO,
                  columns: int = 80, lines: int = 24, extra: Sequence[str] = ()) -> Rate:
    """The bytes written from the first progress report to the end (or for ``seconds``)."""
    # the run ends by opening the explorer, and the app is then idle: stop after 5 quiet s
    recording = run_in_pty([corpus, "--epochs", str(epochs), *extra], lambda _: False, columns=columns,
                           lines=lines, timeout=(seconds or 1200) + 120, cwd=tree, idle=5.0)
    # the window: from the chunk that held the first report to the last, or ``seconds`` after
    output, start = b"", None
    for at, chunk in recording.chunks:
        output += chunk
        if start is None and STATS_MARK in output:
            start = at
    if start is None:
        raise RuntimeError(f"training never reported: {visible_text(output)[-300:]!r}")
    last_report = max(at for at, chunk in recording.chunks if STATS_MARK in chunk)
    end = last_report if seconds is None else min(start + seconds, last_report)
    window = b"".join(c for at, c in recording.chunks if start < at <= end)
    return Rate(end - start, len(window), window.count(STATS_MARK))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default="builtin:shakespeare")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=None,
                        help="length of the measured window (default: until training ends)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tui-args", default="",
                        help="more options for w2v-tui, e.g. '--threads 1' (a slower run)")
    parser.add_argument("--tree", type=Path, default=REPO,
                        help="the checkout whose tui package runs (default: this one)")
    args = parser.parse_args()
    rates = [training_rate(args.corpus, args.epochs, args.seconds, args.tree,
                           extra=args.tui_args.split())
             for _ in range(args.repeat)]
    for rate in rates:
        print(f"  {rate.written:,} bytes in {rate.seconds:.1f} s, {rate.reports} reports drawn")
    print(f"bytes to an 80x24 terminal while training, {args.tree}: median "
          f"{statistics.median(r.per_second for r in rates) / 1000:.1f} KB/s, "
          f"{statistics.median(r.per_report for r in rates):,.0f} bytes a report "
          f"({len(rates)} runs; {cpu_model()})")


if __name__ == "__main__":
    main()
