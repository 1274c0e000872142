"""One compact Markdown table of a ``compare_gensim.py`` run, for README.md.

``compare_gensim.py`` prints one table per corpus and mode; README shows them all at once,
one row per corpus and mode, so that the four corpora can be read side by side::

    python benchmarks/summary_table.py benchmarks/results/final-2026-12-06.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

#: Corpus letter -> the short name README gives it.
NAMES = {"a": "(a) prose", "b": "(b) dictionaries", "c": "(c) documentation", "d": "(d) adversarial"}
MODES = {"sg": "skip-gram", "cbow": "CBOW"}


def _speed(value: float | None) -> str:
    if value is None:
        return "diverged"
    return f"{value / 1e6:.2f}M" if value >= 1e6 else f"{value / 1e3:.0f}k"


def _pair(medians: dict[str, Any], key: str, fmt: str, diff: str, scale: float = 1.0) -> str:
    """``w2v / gensim (w2v - gensim)`` for a quality measure; the difference times ``scale``."""
    numbers = medians.get(key) or {}
    a, b = numbers.get("w2v_core"), numbers.get("gensim")
    if a is None or b is None:
        return "n/a"
    return f"{fmt.format(a)} / {fmt.format(b)} ({diff.format(scale * (a - b))})"


def summary_table(results: dict[str, Any]) -> str:
    """The Markdown table: speed and its ratio, quality and its difference, peak memory."""
    lines = [
        "| corpus | mode | words/s w2v / gensim | ratio | analogy w2v / gensim | "
        "WordSim353 | SimLex-999 | peak memory w2v / gensim |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for letter, corpus in results["corpora"].items():
        for mode, label in MODES.items():
            if mode not in corpus:
                continue
            medians = corpus[mode]["medians"]
            speed, memory = medians["words_per_second"], medians["peak_above_baseline_mb"]
            ratio = "diverged" if speed.get("ratio") is None else f"**{speed['ratio']:.2f}x**"
            cells = [
                NAMES.get(letter, letter),
                label,
                f"{_speed(speed['w2v_core'])} / {_speed(speed['gensim'])}",
                ratio,
                _pair(medians, "analogy_accuracy", "{:.1%}", "{:+.1f} pt", scale=100.0),
                _pair(medians, "wordsim_spearman", "{:.3f}", "{:+.3f}"),
                _pair(medians, "simlex_spearman", "{:.3f}", "{:+.3f}"),
                f"{memory['w2v_core']:.0f} / {memory['gensim']:.0f} MB",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="a compare_gensim.py JSON file")
    args = parser.parse_args(argv)
    print(summary_table(json.loads(args.results.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
