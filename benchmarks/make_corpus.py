"""Build the benchmark corpus: several million words, one tokenised sentence per line.

Sources: the NLTK corpora brown, abc, movie_reviews, webtext, state_union and inaugural,
plus Shakespeare's complete works (modern spelling). Brown comes with its own sentence
split; the other NLTK corpora are plain text whose ``sents()`` needs the punkt model, so
they are split with :func:`w2v_core.corpus.split_sentences` (blank lines and ``. ! ?``),
the same rule ``w2v train`` applies to text files. Every sentence is tokenised with
:func:`w2v_core.corpus.tokenize` and written as one line of space-separated tokens, the
format gensim's ``LineSentence`` reads.

Usage::

    python benchmarks/make_corpus.py [-o benchmarks/results/corpus.txt] [--nltk-data DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

from w2v_core.corpus import open_corpus, split_sentences, tokenize  # noqa: E402

RESULTS = REPO / "benchmarks" / "results"
DEFAULT_OUTPUT = RESULTS / "corpus.txt"
DEFAULT_NLTK_DATA = REPO.parent / "shared" / "nltk_data"
DEFAULT_SHAKESPEARE = (
    REPO.parent / "shared" / "data" / "corpora" / "shakespeare-complete-modern.txt.gz"
)
NLTK_CORPORA = ("brown", "abc", "movie_reviews", "webtext", "state_union", "inaugural")


def nltk_sentences(name: str) -> Iterator[list[str]]:
    """Tokenised sentences of one NLTK corpus (its own split when it has one without punkt)."""
    import nltk.corpus

    reader = getattr(nltk.corpus, name)
    if name == "brown":  # a tagged corpus: sentences are part of the data
        for sent in reader.sents():
            yield tokenize(" ".join(sent))
        return
    for fileid in reader.fileids():
        yield from split_sentences(reader.raw(fileid).splitlines())


def corpus_sentences(shakespeare: Path) -> Iterator[tuple[str, list[str]]]:
    """``(source, tokens)`` for every sentence of every source, in a fixed order."""
    for name in NLTK_CORPORA:
        for tokens in nltk_sentences(name):
            yield name, tokens
    spec = str(shakespeare) if shakespeare.is_file() else "builtin:shakespeare"
    for tokens in open_corpus(spec).sentences():
        yield "shakespeare", tokens


def build_corpus(output: Path = DEFAULT_OUTPUT, nltk_data: Path = DEFAULT_NLTK_DATA,
                 shakespeare: Path = DEFAULT_SHAKESPEARE, quiet: bool = False) -> int:
    """Write the benchmark corpus to ``output`` (atomically) and return its word count.

    Parameters
    ----------
    output : Path
        Where to write the corpus, one sentence of space-separated tokens per line.
    nltk_data : Path
        The folder holding ``corpora/brown.zip`` etc. (put first on NLTK's search path).
    shakespeare : Path
        Shakespeare's complete works (``.txt.gz``); the bundled copy when missing.
    quiet : bool
        Do not print the per-source word counts.

    Returns
    -------
    int
        Tokens written.
    """
    os.environ["NLTK_DATA"] = str(nltk_data)
    import nltk.data

    if str(nltk_data) not in nltk.data.path:
        nltk.data.path.insert(0, str(nltk_data))

    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    words: dict[str, int] = {}
    with open(partial, "w", encoding="utf-8") as handle:
        for source, tokens in corpus_sentences(shakespeare):
            if tokens:
                handle.write(" ".join(tokens))
                handle.write("\n")
                words[source] = words.get(source, 0) + len(tokens)
    os.replace(partial, output)
    total = sum(words.values())
    if not quiet:
        for source, count in words.items():
            print(f"{source:>14}  {count:>10,} words")
    return total


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the word count."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--nltk-data", type=Path, default=DEFAULT_NLTK_DATA)
    parser.add_argument("--shakespeare", type=Path, default=DEFAULT_SHAKESPEARE)
    args = parser.parse_args(argv)
    total = build_corpus(args.output, args.nltk_data, args.shakespeare)
    print(f"{'total':>14}  {total:>10,} words -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
