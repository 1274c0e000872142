"""Benchmark corpora (c) and (d) and the benchmark's tables: fast checks, no download, no training.

The adversarial generator runs on a small planted base; the documentation extractor on
inline reStructuredText and roff; the tables on made-up run results (a diverged run must
make a row, not a crash; a missing SimLex-999 file a cell "n/a").
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from planted import REPO, planted_sentences

sys.path.insert(0, str(REPO / "benchmarks"))

import compare_gensim  # noqa: E402
import make_adversarial_corpus as adversarial  # noqa: E402
import make_docs_corpus as docs  # noqa: E402
from corpus_stats import first_words, measure, read_lines  # noqa: E402


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A planted base corpus of 30k words, one sentence a line."""
    path = tmp_path / "base.txt"
    path.write_text("".join(" ".join(s) + "\n" for s in planted_sentences(3000, seed=1)))
    return path


def _build(base: Path, output: Path, seed: int = 19, share: float = 0.2) -> list[list[str]]:
    adversarial.build_adversarial_corpus(output, base, words=40_000, share=share, seed=seed,
                                         quiet=True)
    return list(read_lines(output))


def test_adversarial_corpus_is_deterministic(base: Path, tmp_path: Path):
    first = _build(base, tmp_path / "one.txt")
    assert _build(base, tmp_path / "two.txt") == first
    assert _build(base, tmp_path / "three.txt", seed=20) != first


def test_adversarial_corpus_has_every_shape_in_its_share(base: Path, tmp_path: Path):
    lines = _build(base, tmp_path / "d.txt")
    natural = {tuple(s) for s in read_lines(base)}
    generated = [line for line in lines if tuple(line) not in natural]
    share = sum(map(len, generated)) / sum(map(len, lines))
    assert 0.15 <= share <= 0.30
    bursts = [line for line in lines
              if 40 <= Counter(line).most_common(1)[0][1] >= 0.9 * len(line)]
    assert bursts and all(len(line) <= 208 for line in bursts)
    assert sum(1 for line in lines if len(line) == 1) >= 20  # a run of one-word lines
    licence = adversarial.tokenize(adversarial.BOILERPLATE[0])
    menu = adversarial.tokenize(adversarial.BOILERPLATE[1])
    repeats = Counter(tuple(line) for line in generated)
    assert max(repeats.values()) >= 200  # a block of one boilerplate line
    assert tuple(licence) in repeats or tuple(menu) in repeats
    assert any({"def", "return", "self"} <= set(line) or {"static", "int", "return"} <= set(line)
               for line in generated)
    stats = measure(lines)
    assert stats.words == sum(map(len, lines)) and stats.lines == len(lines)
    assert stats.burst_lines >= len([b for b in bursts if Counter(b).most_common(1)[0][1] >= 30])


def test_adversarial_corpus_without_share_is_the_base(base: Path, tmp_path: Path):
    assert _build(base, tmp_path / "d.txt", share=0.0) == list(read_lines(base))


def test_first_words_cuts_after_the_line_that_reaches_the_count():
    lines = [["a"] * 3, ["b"] * 3, ["c"] * 3]
    assert list(first_words(lines, 4)) == lines[:2]
    assert list(first_words(lines, 3)) == lines[:1]
    assert list(first_words(lines, None)) == lines
    stats = measure([["x"] * 30, ["x"] * 29 + ["y"], ["y"] * 4])
    assert (stats.words, stats.lines, stats.burst_lines, stats.vocabulary) == (64, 3, 1, 2)


def test_rst_markup_is_stripped_but_tables_stay_one_paragraph():
    source = """.. SPDX-License-Identifier: GPL-2.0

.. _label:

Call :c:func:`kmalloc` with
:ref:`the flags <gfp>`.

.. code-block:: c
   :linenos:

   x = kmalloc(size, GFP_KERNEL);

.. note:: Read the manual.

=====  ========
bit    meaning
=====  ========
0      reserved
1      reserved
=====  ========
""".splitlines()
    paragraphs = [docs.tokenize(p) for p in docs._blank_separated(docs.rst_lines(source))]
    assert [p for p in paragraphs if p] == [
        ["call", "kmalloc", "with", "the", "flags", "gfp"],
        ["x", "kmalloc", "size", "gfp", "kernel"],
        ["read", "the", "manual"],
        ["bit", "meaning", "reserved", "reserved"],
    ]


def test_roff_requests_and_escapes_are_stripped():
    source = r""".\" Copyright (C) 1992 Someone
.TH OPEN 2 2023-02-05 "Linux man-pages 6.03"
.SH NAME
open \- open a file
.SH SYNOPSIS
.BI "int open(const char *" pathname ", int " flags );
.PP
The \fBopen\fP() call opens
.IR pathname \(em
or fails.
.TS
l l.
a	b
T{
cell
T}	d
.TE
""".splitlines()
    paragraphs = [docs.tokenize(p) for p in docs.roff_paragraphs(source)]
    assert paragraphs == [
        ["name"], ["open", "open", "a", "file"], ["synopsis"],
        ["int", "open", "const", "char", "pathname", "int", "flags"],
        ["the", "open", "call", "opens", "pathname", "or", "fails"],
        ["a", "b", "cell", "d"],
    ]
    assert list(docs.roff_paragraphs([".so man2/open.2"])) == []


def test_missing_packages_end_in_one_line_saying_how(tmp_path: Path, monkeypatch):
    def failing(command, cwd=None):
        raise docs.PackageError("`apt-cache depends linux-doc`: E: No packages found")

    monkeypatch.setattr(docs, "_run", failing)
    with pytest.raises(SystemExit) as stop:
        docs.build_docs_corpus(tmp_path / "c.txt", cache=tmp_path, quiet=True)
    message = str(stop.value)
    assert "\n" not in message and "--extracted" in message and "make_docs_corpus.py" in message
    assert not (tmp_path / "c.txt").exists()


def _run(words_per_second: float | None, diverged: str | None = None) -> dict:
    scores = {} if diverged else {"analogy_accuracy": 0.1, "analogy_covered": 10,
                                  "wordsim_spearman": 0.4, "simlex_spearman": None}
    return {"words_per_second": words_per_second,
            "train_seconds": 1.0 if words_per_second else None, "prepare_seconds": 0.5, "peak_above_baseline_mb": 30.0, "diverged": diverged,
            "vocab_size": None if diverged else 100, **scores}


def test_a_diverged_run_is_a_row_and_simlex_without_file_is_na():
    table, numbers = compare_gensim.comparison_table(
        {"w2v_core": [_run(None, "training diverged: the loss became nan")],
         "gensim": [_run(100.0)]})
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:5]]
            for line in table.splitlines()[2:]}
    assert rows["training diverged (runs)"] == ["1 of 1", "0 of 1", ""]
    assert rows["effective words/s (training)"] == ["diverged", "100", "n/a"]
    assert rows["SimLex-999 Spearman"] == ["diverged", "n/a", "n/a"]
    assert rows["peak memory above baseline (MB)"] == ["30", "30", "1.00x"]
    assert numbers["diverged_runs"] == {"w2v_core": 1, "gensim": 0}
    assert "DIVERGED" in compare_gensim._describe(_run(None, "loss nan"))


def test_tables_without_divergence_have_no_divergence_row():
    table, _ = compare_gensim.comparison_table({"w2v_core": [_run(200.0)], "gensim": [_run(100.0)]})
    assert "diverged" not in table and "| 2.00x |" in table


def test_gensims_vectors_are_scored_in_our_vocabulary_order():
    """Ties of count in gensim's first-sight order would change which words are the 30,000
    most frequent, and so which analogy questions each engine is asked."""
    import numpy as np

    words = ["zeta", "beta", "alpha", "gamma", "delta"]
    counts = np.array([5, 9, 5, 5, 2], dtype=np.int64)
    vectors = np.arange(10, dtype=np.float32).reshape(5, 2)
    kv = compare_gensim.frequency_ordered(words, vectors, counts)
    assert kv.words == ["beta", "alpha", "gamma", "zeta", "delta"]
    assert kv.counts.tolist() == [9, 5, 5, 5, 2]
    assert kv["zeta"].tolist() == [0.0, 1.0] and kv["delta"].tolist() == [8.0, 9.0]


def test_a_memory_sample_taken_as_processes_fork_or_end_is_not_a_peak():
    """Each process's PSS is read at its own moment: a sample whose processes changed since
    the one before (a fork, an exit) can count shared pages twice and is not taken as a peak,
    while a settled sample is; the raw largest stays available."""
    import os

    sampler = compare_gensim.TreeMemorySampler(os.getpid())
    sampler.stop()
    sampler.samples = [(1.0, 100, True), (2.0, 180, False), (3.0, 120, True), (4.0, 90, True),
                       (9.0, 500, True)]
    assert sampler.peak_kb(0.5, 5.0) == 120  # the fork's sample left out, the window kept
    assert sampler.peak_kb(0.5, 5.0, settled=False) == 180
    assert sampler.peak_kb(5.0, 8.0) == 0  # no sample in the window


def test_the_memory_sampler_marks_the_sample_after_a_fork():
    """A real fork: the first sample that sees the child is marked unsettled, and the ones
    after it are settled again (each sample's processes are compared with the sample before)."""
    import os
    import time
    import warnings

    read_end, write_end = os.pipe()
    sampler = compare_gensim.TreeMemorySampler(os.getpid())
    for _ in range(10_000):  # two samples of this process alone first (the first has none before)
        if len(sampler.samples) >= 2:
            break
        time.sleep(0.001)
    before = len(sampler.samples)
    with warnings.catch_warnings():  # Python 3.12+ warns of a fork beside a thread
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child waits until the parent lets it go
        os.close(write_end)
        os.read(read_end, 1)
        os._exit(0)

    def settled_after_the_fork() -> bool:
        flags = [same for _, _, same in sampler.samples[before:]]
        return False in flags and True in flags[flags.index(False) + 1 :]

    for _ in range(10_000):  # waits on the samples (state), 10 s at most
        if settled_after_the_fork():
            break
        time.sleep(0.001)
    os.close(write_end)
    os.waitpid(pid, 0)
    os.close(read_end)
    sampler.stop()
    assert settled_after_the_fork()


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_the_scaling_benchmarks_slices_cut_after_newlines_and_cover_the_corpus(tmp_path, count):
    import scaling

    lines = [f"line {i} " + "word " * (i % 13) + "\n" for i in range(200)]
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("".join(lines))
    slices = scaling.cut_in_slices(corpus, count, tmp_path)
    texts = [path.read_text() for path in slices]
    assert len(slices) == count and "".join(texts) == corpus.read_text()
    assert all(text.endswith("\n") for text in texts)
    sizes = [len(text) for text in texts]
    assert max(sizes) - min(sizes) <= 2 * max(map(len, lines))
