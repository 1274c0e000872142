"""Writing a benchmark corpus and describing its shape: the statistics that tell corpora apart.

Corpora (c) and (d) exist for their shape, not their size: long lines, and lines in which one
token fills most of the line (a register table, an option list, a path listing), which
crowd many updates of one word's vectors into one training batch. The summary printed by
their build scripts, and quoted in benchmarks/README.md, is :class:`CorpusStats`:

- words, lines and words per line;
- the vocabulary at ``min_count`` 5 (the benchmark's default), which sets the size of the
  weights and how much of the text is rare words;
- *burst lines*: lines in which one token occurs at least :data:`BURST` (30) times.

Usage (the statistics of any corpus file, or of the first N words the benchmark reads)::

    python benchmarks/corpus_stats.py FILE [--max-words 5000000]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: Where the corpora and the benchmark's results are written (git-ignored).
RESULTS = Path(__file__).resolve().parent / "results"
#: A line in which one token occurs this often counts as a burst line.
BURST = 30
#: The benchmark's min_count, at which the vocabulary is reported.
MIN_COUNT = 5


@dataclass(frozen=True)
class CorpusStats:
    """The shape of a one-sentence-per-line corpus."""

    words: int
    lines: int
    vocabulary: int  #: words seen at least ``min_count`` times
    burst_lines: int  #: lines in which one token occurs at least ``burst`` times
    min_count: int = MIN_COUNT
    burst: int = BURST

    @property
    def words_per_line(self) -> float:
        """Mean tokens per line (0 for an empty corpus)."""
        return self.words / self.lines if self.lines else 0.0

    def summary(self) -> str:
        """One line, as the build scripts print it and benchmarks/README.md quotes it."""
        return (f"{self.words:,} words in {self.lines:,} lines ({self.words_per_line:.1f} words "
                f"a line), {self.vocabulary:,} words seen at least {self.min_count} times, "
                f"{self.burst_lines:,} lines with one token repeated >= {self.burst} times")


class StatsCounter:
    """Accumulates :class:`CorpusStats` one line at a time (the corpus is never held whole)."""

    def __init__(self, min_count: int = MIN_COUNT, burst: int = BURST) -> None:
        self.min_count, self.burst = min_count, burst
        self.counts: Counter[str] = Counter()
        self.lines = 0
        self.burst_lines = 0

    def add(self, tokens: list[str]) -> None:
        """Count one line of tokens."""
        line = Counter(tokens)
        self.counts.update(line)
        self.lines += 1
        if len(tokens) >= self.burst and max(line.values()) >= self.burst:
            self.burst_lines += 1

    def stats(self) -> CorpusStats:
        """The statistics of the lines added so far."""
        return CorpusStats(
            words=sum(self.counts.values()),
            lines=self.lines,
            vocabulary=sum(1 for c in self.counts.values() if c >= self.min_count),
            burst_lines=self.burst_lines,
            min_count=self.min_count,
            burst=self.burst,
        )


def read_lines(path: Path) -> Iterator[list[str]]:
    """Token lists of a one-sentence-per-line file (blank lines skipped)."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            tokens = line.split()
            if tokens:
                yield tokens


def first_words(lines: Iterable[list[str]], words: int | None) -> Iterator[list[str]]:
    """Whole lines up to the one that reaches ``words`` words (all of them for None), as
    ``compare_gensim.py --max-words`` cuts a corpus."""
    seen = 0
    for tokens in lines:
        if words is not None and seen >= words:
            return
        seen += len(tokens)
        yield tokens


def measure(lines: Iterable[list[str]], min_count: int = MIN_COUNT,
            burst: int = BURST) -> CorpusStats:
    """:class:`CorpusStats` of token lines (e.g. ``measure(read_lines(path))``)."""
    counter = StatsCounter(min_count, burst)
    for tokens in lines:
        counter.add(tokens)
    return counter.stats()


def write_corpus(output: Path, lines: Iterable[list[str]]) -> CorpusStats:
    """Write token lines to ``output``, one space-separated line each, and describe them.

    The file is written beside ``output`` and renamed into place at the end, so an
    interrupted build never leaves a partial corpus where the benchmark would take it for a
    whole one. Empty lines are left out (gensim's ``LineSentence`` would yield them as empty
    sentences, w2v_core's reader skips them).
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    counter = StatsCounter()
    with open(partial, "w", encoding="utf-8") as handle:
        for tokens in lines:
            if tokens:
                handle.write(" ".join(tokens))
                handle.write("\n")
                counter.add(tokens)
    os.replace(partial, output)
    return counter.stats()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the statistics of a corpus file."""
    parser = argparse.ArgumentParser(description="Print the shape of a one-sentence-per-line "
                                     "corpus: words, lines, vocabulary, burst lines.")
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--max-words", type=int, help="only the first N words (whole lines)")
    args = parser.parse_args(argv)
    print(measure(first_words(read_lines(args.corpus), args.max_words)).summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
