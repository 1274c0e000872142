"""Time from launching ``w2v-tui --model MODEL`` to its first frame, in an 80x24 pty.

The first frame is the moment the terminal has received the tab bar and the footer's
``Quit`` key: the whole screen, as Textual writes it top to bottom. Each run is a fresh
process (``python -m tui``, from this checkout or ``--tree``); the median of ``--repeat`` runs
is printed, since other load on the host moves single runs by a few hundred milliseconds.

Usage::

    python -m w2v_core.cli train builtin:hamlet -o /tmp/hamlet.npz
    python benchmarks/first_frame.py /tmp/hamlet.npz --repeat 7
    python benchmarks/first_frame.py /tmp/hamlet.npz --tree /tmp/old-checkout   # before

Results: benchmarks/README.md ("Start-up and bytes to the terminal").
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from terminal import REPO, cpu_model, run_in_pty, visible_text


def first_frame_seen(output: bytes) -> bool:
    """The tab bar and the footer's last key are on the screen."""
    text = visible_text(output)
    return "Neighbours" in text and "Quit" in text


def time_to_first_frame(model: Path, tree: Path = REPO, columns: int = 80,
                        lines: int = 24) -> float:
    """Seconds from starting the process to its first full frame."""
    recording = run_in_pty(["--model", str(model)], first_frame_seen, columns=columns,
                           lines=lines, timeout=30, cwd=tree)
    if not first_frame_seen(recording.output()):
        raise RuntimeError(f"no frame within 30 s: {visible_text(recording.output())[-300:]!r}")
    return recording.stopped_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=Path, help="a saved model (e.g. hamlet.npz)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--tree", type=Path, default=REPO,
                        help="the checkout whose tui package runs (default: this one)")
    args = parser.parse_args()
    times = [time_to_first_frame(args.model.resolve(), args.tree) for _ in range(args.repeat)]
    print(f"first frame, {args.tree}: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}, {len(times)} runs; {cpu_model()})")


if __name__ == "__main__":
    main()
