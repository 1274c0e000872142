"""Build benchmark corpus (d): the natural text of corpus (a) with adversarial lines through it.

Training that is stable on prose can still diverge on text scraped from the web or from
source trees (issue #19). Corpus (d) puts the shapes of such text, in known amounts, into
text whose quality can still be measured: the sentences of corpus (a) (so analogies,
WordSim353 and SimLex-999 keep their meaning) with four kinds of generated lines interleaved
at random places:

===========  ================================================================================
kind         lines
===========  ================================================================================
burst        one word repeated 40-200 times, the word drawn from the frequent, the middle or
             the rare words of (a); some bursts have a few other words mixed in
boilerplate  the same line (a licence sentence, a navigation menu, a cookie notice...)
             repeated thousands of times, in consecutive blocks and scattered one by one
code         code-like text, one function a line: keywords (``def return self if else for
             in``), identifiers (snake_case split into words, camelCase kept whole), the same
             variable names again and again, 20 to several hundred tokens a line
one-word     runs of one-word lines: word lists, and columns of one repeated word
===========  ================================================================================

The lines of (a) are kept with a fixed probability so that the whole is ``--words`` words
(default 5M, about the size of (a)) of which ``--share`` (default 20%) are adversarial. Every
line is tokenised with :func:`w2v_core.corpus.tokenize`, as the other corpora are. The
generator is seeded (``--seed``): the same base, words, share and seed give the same file.

Usage::

    python benchmarks/make_adversarial_corpus.py [-o benchmarks/results/adversarial-corpus.txt]
        [--base benchmarks/results/corpus.txt] [--words 5000000] [--share 0.2] [--seed 19]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

from corpus_stats import MIN_COUNT, RESULTS, CorpusStats, write_corpus  # noqa: E402
from w2v_core.corpus import tokenize  # noqa: E402

DEFAULT_OUTPUT = RESULTS / "adversarial-corpus.txt"
DEFAULT_BASE = RESULTS / "corpus.txt"
DEFAULT_WORDS = 5_000_000
DEFAULT_SHARE = 0.2
DEFAULT_SEED = 19  # the issue's number

#: Each kind's part of the adversarial words.
KINDS = {"burst": 0.30, "boilerplate": 0.30, "code": 0.30, "one-word": 0.10}

#: Lines that web pages and source files repeat verbatim.
BOILERPLATE = (
    "This program is free software; you can redistribute it and/or modify it under the "
    "terms of the GNU General Public License as published by the Free Software Foundation; "
    "either version 2 of the License, or (at your option) any later version.",
    "Home | About us | Products | Services | Blog | News | Careers | Contact | Privacy policy "
    "| Terms of use | Sitemap",
    "We use cookies to improve your experience on our website. By continuing to browse you "
    "agree to our use of cookies. Accept all | Manage preferences",
    "Copyright (c) 2009-2024 Example Corporation and its affiliates. All rights reserved.",
    "Skip to main content",
    "Click here to subscribe to our newsletter and never miss an update!",
    "Posted by admin in Uncategorized | Leave a comment | Share on Facebook | Tweet this",
)

#: Parts of made-up identifiers and the keywords of code-like lines.
IDENTIFIER_PARTS = (
    "user", "id", "count", "index", "value", "node", "buffer", "config", "item", "result",
    "data", "request", "response", "handler", "cache", "key", "size", "offset", "tmp", "ctx",
    "obj", "args", "kwargs", "len", "path", "name", "list", "map", "get", "set", "init", "max",
    "min", "next", "prev", "head", "tail", "str", "num", "flag", "state", "queue", "err",
)
PYTHON_STATEMENTS = (
    "if {a} is None: return {b}",
    "for {a} in self.{b}: {c}.append({a})",
    "{a} = self.{b}.get({c}, None)",
    "else: raise ValueError({a})",
    "return self.{a}",
    "while {a} < len(self.{b}): {a} += 1",
    "try: {a} = {b}({c}) except Exception as e: return None",
    "self.{a} = {b}",
    "if not {a}: continue",
    "{a}, {b} = {b}, {a}",
    "elif {a} in {b}: return True",
)
C_STATEMENTS = (
    "if (!{a}) return -EINVAL;",
    "for (i = 0; i < {a}->{b}; i++) {c}[i] = {a}->{c}[i];",
    "{a} = kmalloc(sizeof(*{a}), GFP_KERNEL);",
    "struct {a} *{b} = {c}->{a};",
    "else {a}->{b} = NULL;",
    "return {a};",
    "while ({a}--) {b} += {c};",
    "static const int {a} = {b};",
    "if ({a} == NULL) goto out;",
)


@dataclass(frozen=True)
class Tiers:
    """The base's vocabulary (words seen at least ``MIN_COUNT`` times) by frequency."""

    frequent: list[str]  #: the top 100 (or 5%)
    middle: list[str]  #: ranks 3% to 30% (about 1,000 to 10,000 on corpus (a))
    rare: list[str]  #: the least frequent 30%

    @classmethod
    def of(cls, counts: Counter[str]) -> Tiers:
        """Tiers of a word count (ties broken alphabetically, so builds are reproducible)."""
        ranked = [w for w, c in sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))
                  if c >= MIN_COUNT] or sorted(counts)
        n = len(ranked)
        return cls(frequent=ranked[:max(1, min(100, n // 20))],
                   middle=ranked[n * 3 // 100:max(1, n * 30 // 100)] or ranked[:1],
                   rare=ranked[n * 70 // 100:] or ranked[-1:])


class Generator:
    """Adversarial blocks of lines (each a list of token lists), from one seeded RNG."""

    def __init__(self, tiers: Tiers, rng: np.random.Generator) -> None:
        self.tiers, self.rng = tiers, rng
        self.boilerplate = [tokenize(line) for line in BOILERPLATE]
        self.vocabulary = tiers.frequent + tiers.middle + tiers.rare

    def _pick(self, words: list[str]) -> str:
        return words[int(self.rng.integers(len(words)))]

    def _word(self) -> str:
        """A word from the frequent, middle or rare tier, each a third of the time."""
        tier = (self.tiers.frequent, self.tiers.middle, self.tiers.rare)[int(self.rng.integers(3))]
        return self._pick(tier)

    def burst(self) -> list[list[str]]:
        """One to three lines of one word repeated 40-200 times; a third with others mixed in."""
        word = self._word()
        lines = []
        for _ in range(int(self.rng.integers(1, 4))):
            line = [word] * int(self.rng.integers(40, 201))
            if self.rng.random() < 1 / 3:
                for _ in range(int(self.rng.integers(2, 9))):
                    line.insert(int(self.rng.integers(len(line) + 1)), self._pick(self.vocabulary))
            lines.append(line)
        return lines

    def boilerplate_block(self) -> list[list[str]]:
        """One boilerplate line repeated 200-3,000 times in a row (a crawl of one site)."""
        line = self.boilerplate[int(self.rng.integers(len(self.boilerplate)))]
        return [line] * int(self.rng.integers(200, 3001))

    def boilerplate_single(self) -> list[list[str]]:
        """One boilerplate line (scattered copies, as on every page of a site)."""
        return [self.boilerplate[int(self.rng.integers(len(self.boilerplate)))]]

    def _identifier(self) -> str:
        parts = [self._pick(list(IDENTIFIER_PARTS)) for _ in range(int(self.rng.integers(1, 4)))]
        if self.rng.random() < 0.3:  # camelCase: one lowercase token after tokenising
            return parts[0] + "".join(p.title() for p in parts[1:])
        return "_".join(parts)

    def code(self) -> list[list[str]]:
        """One function a line, Python- or C-like, over a handful of reused names."""
        names = [self._identifier() for _ in range(int(self.rng.integers(3, 7)))]
        python = self.rng.random() < 0.6
        statements = PYTHON_STATEMENTS if python else C_STATEMENTS
        text = [f"def {names[0]}(self, {names[1]}, {names[2]}):" if python
                else f"static int {names[0]}(struct {names[1]} *{names[2]}) {{"]
        for _ in range(int(self.rng.integers(4, 60))):
            template = statements[int(self.rng.integers(len(statements)))]
            a, b, c = (self._pick(names) for _ in range(3))
            text.append(template.format(a=a, b=b, c=c))
        return [tokenize(" ".join(text))]

    def one_word_run(self) -> list[list[str]]:
        """20-500 one-word lines: a word list, or (a third of the time) one word again and again."""
        length = int(self.rng.integers(20, 501))
        if self.rng.random() < 1 / 3:
            return [[self._word()]] * length
        return [[self._word()] for _ in range(length)]

    def blocks(self, budget: dict[str, int]) -> Iterator[tuple[str, list[list[str]]]]:
        """``(kind, lines)`` blocks until each kind has its budget of words.

        Half of the boilerplate words come in blocks, half as scattered single lines. A
        kind's last block is cut to the lines that fit its budget (a block of boilerplate
        holds up to 60,000 words: more than a small corpus's whole share).
        """
        makers: dict[str, list[Callable[[], list[list[str]]]]] = {
            "burst": [self.burst],
            "boilerplate": [self.boilerplate_block, self.boilerplate_single],
            "code": [self.code],
            "one-word": [self.one_word_run],
        }
        for kind, words in budget.items():
            for i, make in enumerate(makers[kind]):
                share = words // len(makers[kind]) + (words % len(makers[kind]) if i == 0 else 0)
                made = 0
                while made < share:
                    lines = _fitting(make(), share - made)
                    made += sum(map(len, lines))
                    yield kind, lines


def _fitting(lines: list[list[str]], words: int) -> list[list[str]]:
    """The first of ``lines`` that hold at most ``words`` words (at least the first line)."""
    total = 0
    for count, line in enumerate(lines):
        total += len(line)
        if total > words:
            return lines[:max(1, count)]
    return lines


def build_adversarial_corpus(output: Path = DEFAULT_OUTPUT, base: Path = DEFAULT_BASE,
                             words: int = DEFAULT_WORDS, share: float = DEFAULT_SHARE,
                             seed: int = DEFAULT_SEED, quiet: bool = False) -> CorpusStats:
    """Write corpus (d) to ``output`` (atomically) and return its statistics.

    Parameters
    ----------
    output : Path
        Where to write the corpus, one sentence of space-separated tokens per line.
    base : Path
        The natural text, one tokenised sentence a line; corpus (a) by default, built by
        make_corpus.py first when missing.
    words : int
        About how many words the corpus has in all.
    share : float
        The part of them (0 to 1) in adversarial lines.
    seed : int
        Seeds the choice of base lines, the generated lines and where they go.
    quiet : bool
        Print nothing.
    """
    if not 0 <= share < 1:
        raise ValueError(f"share must be in [0, 1), got {share}")
    if not base.is_file():
        if base != DEFAULT_BASE:
            raise SystemExit(f"error: base corpus not found: {base}")
        from make_corpus import build_corpus

        if not quiet:
            print(f"building corpus (a) first: {base}", flush=True)
        build_corpus(base, quiet=True)
    with open(base, encoding="utf-8") as handle:  # lines as text: token lists take ~10x more
        natural = [line for line in handle if line.strip()]
    counts: Counter[str] = Counter()
    for line in natural:
        counts.update(line.split())
    rng = np.random.default_rng(seed)
    keep = min(1.0, (1 - share) * words / max(1, sum(counts.values())))
    natural = [line for line, r in zip(natural, rng.random(len(natural))) if r < keep]
    natural_words = sum(len(line.split()) for line in natural)
    adversarial = round(natural_words * share / (1 - share))
    budget = {kind: round(adversarial * part) for kind, part in KINDS.items()}

    blocks = list(Generator(Tiers.of(counts), rng).blocks(budget))
    order = rng.permutation(len(blocks))
    places = np.sort(rng.integers(0, len(natural) + 1, size=len(blocks)))
    made: Counter[str] = Counter()

    def lines() -> Iterator[list[str]]:
        block = 0
        for position in range(len(natural) + 1):
            while block < len(blocks) and places[block] == position:
                kind, generated = blocks[order[block]]
                made[kind] += sum(map(len, generated))
                yield from generated
                block += 1
            if position < len(natural):
                yield natural[position].split()

    stats = write_corpus(output, lines())
    if not quiet:
        print(stats.summary())
        print(f"natural text {natural_words:,} words ({keep:.0%} of the lines of {base.name}); "
              + ", ".join(f"{kind} {count:,}" for kind, count in made.items())
              + f": {sum(made.values()) / max(1, stats.words):.1%} adversarial")
    return stats


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the corpus statistics."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE,
                        help="natural text, one tokenised sentence a line (corpus a)")
    parser.add_argument("--words", type=int, default=DEFAULT_WORDS, help="words in all, about")
    parser.add_argument("--share", type=float, default=DEFAULT_SHARE,
                        help="part of the words in adversarial lines (0 to 1)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if not 0 <= args.share < 1:
        parser.error(f"--share must be at least 0 and below 1, got {args.share}")
    build_adversarial_corpus(args.output, args.base, args.words, args.share, args.seed)
    print(f"-> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
