"""Build benchmark corpus (b): dictionary text, short lines, a large vocabulary.

Sources: the dictd databases of four public dictionaries packaged by Debian, read from
``/usr/share/dictd``:

==============  ====================  ==============================================
package         file                  text
==============  ====================  ==============================================
dict-gcide      gcide.dict.dz         GNU Collaborative International Dictionary of
                                      English (Webster's 1913 and additions; GPL)
dict-wn         wn.dict.dz            WordNet 3.0 glosses and examples
dict-foldoc     foldoc.dict.dz        Free On-line Dictionary of Computing
dict-jargon     jargon.dict.dz        The Jargon File
==============  ====================  ==============================================

Install them with ``apt-get install dict-gcide dict-wn dict-foldoc dict-jargon``. A
``.dict.dz`` file is gzip-compatible (dictzip). The text is split into sentences with
:func:`w2v_core.corpus.split_sentences` (blank lines, which separate entries and senses,
and ``. ! ?``) and each sentence is written as one line of space-separated tokens
(:func:`w2v_core.corpus.tokenize`), the format gensim's ``LineSentence`` reads.

With all four (the default): 10.4M words in 1.27M lines (8.2 words a line), 87k words
seen at least 5 times.

Usage::

    python benchmarks/make_dict_corpus.py [-o benchmarks/results/dict-corpus.txt]
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

from w2v_core.corpus import split_sentences  # noqa: E402

RESULTS = REPO / "benchmarks" / "results"
DEFAULT_OUTPUT = RESULTS / "dict-corpus.txt"
DICTD = Path("/usr/share/dictd")
#: dictionary name -> Debian package that installs it
DICTIONARIES = {"gcide": "dict-gcide", "wn": "dict-wn", "foldoc": "dict-foldoc", "jargon": "dict-jargon"}


def dictionary_lines(path: Path) -> Iterator[str]:
    """Text lines of a dictd database (``.dict.dz`` is gzip-compatible, ``.dict`` plain)."""
    opener = gzip.open if path.suffix == ".dz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        yield from handle


def find_dictionary(name: str, folder: Path = DICTD) -> Path:
    """The database file of dictionary ``name``; a clear error naming the package if absent."""
    for candidate in (folder / f"{name}.dict.dz", folder / f"{name}.dict"):
        if candidate.is_file():
            return candidate
    raise SystemExit(
        f"error: {folder / (name + '.dict.dz')} not found; install it with "
        f"`apt-get install {DICTIONARIES.get(name, 'dict-' + name)}`"
    )


def build_dict_corpus(
    output: Path = DEFAULT_OUTPUT,
    names: tuple[str, ...] = tuple(DICTIONARIES),
    folder: Path = DICTD,
    quiet: bool = False,
) -> int:
    """Write corpus (b) to ``output`` (atomically) and return its word count.

    Parameters
    ----------
    output : Path
        Where to write the corpus, one sentence of space-separated tokens per line.
    names : tuple of str
        Dictionaries to include, in order (keys of :data:`DICTIONARIES`).
    folder : Path
        Where the dictd databases are.
    quiet : bool
        Do not print the per-dictionary word counts.
    """
    paths = [find_dictionary(name, folder) for name in names]  # fail before writing
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    words: dict[str, int] = {}
    with open(partial, "w", encoding="utf-8") as handle:
        for name, path in zip(names, paths):
            count = 0
            for tokens in split_sentences(dictionary_lines(path)):
                if tokens:
                    handle.write(" ".join(tokens))
                    handle.write("\n")
                    count += len(tokens)
            words[name] = count
    os.replace(partial, output)
    if not quiet:
        for name, count in words.items():
            print(f"{name:>14}  {count:>10,} words")
    return sum(words.values())


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the word count."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--dictd", type=Path, default=DICTD, help="folder of the dictd databases")
    parser.add_argument("--dictionaries", default=",".join(DICTIONARIES),
                        help="comma-separated, from: " + ", ".join(DICTIONARIES))
    args = parser.parse_args(argv)
    names = tuple(n.strip() for n in args.dictionaries.split(",") if n.strip())
    unknown = [n for n in names if n not in DICTIONARIES]
    if unknown or not names:
        parser.error(f"unknown dictionary {unknown[0] if unknown else '(none)'}; "
                     f"choose from {', '.join(DICTIONARIES)}")
    total = build_dict_corpus(args.output, names, args.dictd)
    print(f"{'total':>14}  {total:>10,} words -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
