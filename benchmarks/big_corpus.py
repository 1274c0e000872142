"""One epoch of a big corpus (100M words) as a user runs it: ``w2v train`` beside gensim.

Each engine runs in its own process, started from the command line, on the same file of one
sentence per line: ``w2v train FILE --line-sentences --epochs 1`` (reading, counting and
encoding the corpus, in parallel where it can, then training) and a gensim script
(``build_vocab`` over ``LineSentence``, then ``train``). The parent samples the summed
proportional set size (PSS, ``/proc/PID/smaps_rollup``) of each process tree every 20 ms; PSS
counts a page shared by the workers once, where summed RSS would count it in each.

Reading and training seconds come from each run's own report (``w2v train`` prints the time
and the training part of it; the gensim script prints its phases).

Without ``--corpus``, the corpus is built once (``--words`` words) by writing the benchmark
corpora (a), (c) and (d) one after another, again and again; repeated text keeps the
vocabulary of the three (about 110k words at min_count 5), smaller than a natural corpus of
that size would have.

Usage::

    python benchmarks/big_corpus.py --words 100000000 --threads 2

Results: benchmarks/README.md ("A 100M-word corpus").
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checkpoint_cost import cpu_model
from compare_gensim import TreeMemorySampler

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
SOURCES = ("corpus.txt", "docs-corpus.txt", "adversarial-corpus.txt")

GENSIM_SCRIPT = """
import sys, time
from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence
corpus, threads, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start = time.perf_counter()
model = Word2Vec(vector_size=100, window=5, min_count=5, sample=1e-3, negative=5, sg=1,
                 workers=threads, epochs=epochs)
model.build_vocab(corpus_iterable=LineSentence(corpus))
read = time.perf_counter()
model.train(corpus_iterable=LineSentence(corpus), total_examples=model.corpus_count,
            epochs=model.epochs)
done = time.perf_counter()
print(f"reading {read - start:.2f} training {done - read:.2f} vocab {len(model.wv)}")
"""


def build_corpus(path: Path, words: int) -> None:
    """Write ``words`` words of the benchmark corpora, cycled, to ``path``."""
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for name in itertools.cycle(SOURCES):
            with open(RESULTS / name, encoding="utf-8") as source:
                for line in source:
                    out.write(line)
                    written += len(line.split())
                    if written >= words:
                        return


def measured(argv: list[str]) -> tuple[str, float, float]:
    """Run ``argv``; its output, wall seconds and peak summed PSS of its tree in MB."""
    start = time.time()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = TreeMemorySampler(process.pid)
    output, _ = process.communicate()
    end = time.time()
    sampler.stop()
    if process.returncode:
        raise RuntimeError(f"{argv[:4]} failed ({process.returncode}): {output[-500:]}")
    return output, end - start, sampler.peak_kb(start, end) / 1024


def run_w2v(corpus: Path, threads: int, epochs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        output, wall, peak = measured([
            sys.executable, "-m", "w2v_core.cli", "train", str(corpus), "--line-sentences",
            "--epochs", str(epochs), "--threads", str(threads), "-o", f"{folder}/m.npz",
        ])
    total, training = map(float, re.search(r"time\s+([\d.]+) s \(([\d.]+) s training", output).groups())
    vocab = int(re.search(r"vocabulary\s+([\d,]+) words", output).group(1).replace(",", ""))
    return {"wall": wall, "reading": total - training, "training": training, "peak_pss_mb": peak,
            "vocab": vocab}


def run_gensim(corpus: Path, threads: int, epochs: int) -> dict[str, float]:
    output, wall, peak = measured([sys.executable, "-c", GENSIM_SCRIPT, str(corpus), str(threads),
                                   str(epochs)])
    reading, training, vocab = re.search(r"reading ([\d.]+) training ([\d.]+) vocab (\d+)", output).groups()
    return {"wall": wall, "reading": float(reading), "training": float(training),
            "peak_pss_mb": peak, "vocab": int(vocab)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--words", type=int, default=100_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--output", type=Path, default=RESULTS / "big_corpus.json")
    args = parser.parse_args()
    corpus = args.corpus
    if corpus is None:
        corpus = RESULTS / f"big-corpus-{args.words // 1_000_000}M.txt"
        if not corpus.exists():
            print(f"building {corpus} ({args.words:,} words)...", flush=True)
            build_corpus(corpus, args.words)
    results = {}
    for engine, run in (("w2v", run_w2v), ("gensim", run_gensim)):
        print(f"{engine}...", flush=True)
        results[engine] = run(corpus, args.threads, args.epochs)
    ours, theirs = results["w2v"], results["gensim"]
    print(f"\n{corpus.name}, {args.epochs} epoch(s), {args.threads} threads/workers; {cpu_model()}")
    print("| | w2v | gensim | gensim / w2v |\n|---|---:|---:|---:|")
    for key, label in (("reading", "reading (s)"), ("training", "training (s)"), ("wall", "total, wall (s)"),
                       ("peak_pss_mb", "peak PSS (MB)")):
        print(f"| {label} | {ours[key]:.1f} | {theirs[key]:.1f} | {theirs[key] / ours[key]:.2f}x |")
    print(f"| vocabulary | {ours['vocab']:,} | {theirs['vocab']:,} | |")
    args.output.write_text(json.dumps({"corpus": str(corpus), "cpu": cpu_model(), **results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
