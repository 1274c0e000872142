"""How reading and training scale with threads, beside gensim: ready for a machine with many cores.

For each thread count: reading (count, encode, in as many processes: the best of
``--reading-repeats`` reads, the counts taking turns) and its speed-up over one process (also
as medians, and round by round), training words/s and its
speed-up over one thread, and the serial seconds of an epoch (forking the workers, joining
them, the epoch's end), measured as the time of an epoch of a corpus of one chunk, where the
work itself is nothing. gensim (4.x, if installed) scans the vocabulary (one thread, whatever
its workers) and trains the same text with as many workers.

Usage::

    python benchmarks/scaling.py --corpus benchmarks/results/corpus.txt --threads 1,2
    # on a 32-core server: --threads 1,2,4,8,16,32 --max-words 100000000
    # a speed-up of reading against what the host allows N processes: --reading-ceiling

Reading the output on many cores: training words/s should grow with the threads until memory
bandwidth or the serial part stops it; the serial seconds per epoch, against the seconds an
epoch of your corpus takes, is the share Amdahl's law cannot divide. Reading should scale with
processes too, until the disk or merging the processes' tables stops it; ``--reading-ceiling``
times N one-process reads of the corpus's N slices side by side, which share nothing: a
parallel read near that figure has no serial part or overhead left to remove, and a low
ceiling is the host's (vCPUs that share a core, memory bandwidth).
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checkpoint_cost import cpu_model, first_words  # noqa: E402

from w2v_core import TrainConfig  # noqa: E402
from w2v_core.token_ids import EncodedCorpus  # noqa: E402
from w2v_core.training import prepare_corpus, train  # noqa: E402

#: Epochs of the one-chunk corpus whose median gives the serial seconds of an epoch.
SERIAL_EPOCHS = 20


def serial_seconds(threads: int) -> float:
    """Seconds of an epoch with no work in it: a corpus of 300 words (one chunk)."""
    sentences = [["alpha", "beta", "gamma", "delta", "epsilon"] * 6] * 10
    encoded = prepare_corpus(sentences, min_count=1, isolate=False)
    times: list[float] = []
    for _ in range(3):
        model = train(encoded, TrainConfig(dim=8, min_count=1, epochs=SERIAL_EPOCHS, threads=threads))
        times.append(model.summary.seconds / SERIAL_EPOCHS)
    return statistics.median(times)


def reading_rounds(corpus: Path, counts: list[int], repeats: int,
                   slices: dict[int, list[Path]] | None = None,
                   ) -> tuple[dict[int, tuple[list[float], list[float]]], dict[int, list[float]],
                              EncodedCorpus]:
    """Each process count's wall-clock seconds and CPU seconds (all processes of the read)
    over ``repeats`` reads of ``corpus``, and the encoded corpus (the same with any count:
    ``tests/test_parallel_reading.py``). The counts take turns, one read each a round, so that
    a host whose speed drifts (shared vCPUs) slows them alike; on a busy host the CPU seconds
    still say how much work parallel reading adds.

    With ``slices`` (a count's slices of the corpus), each round also times that many
    one-process reads of the slices side by side (:func:`side_by_side`): the second dict."""
    rounds: dict[int, tuple[list[float], list[float]]] = {workers: ([], []) for workers in counts}
    apart: dict[int, list[float]] = {workers: [] for workers in slices or {}}
    encoded = None
    for _ in range(repeats):
        for workers in counts:
            encoded = None  # its id file goes before the next read makes one
            before = cpu_seconds()
            started = time.perf_counter()
            encoded = prepare_corpus(str(corpus), min_count=5, workers=workers)
            walls, cpus = rounds[workers]
            walls.append(time.perf_counter() - started)
            cpus.append(cpu_seconds() - before)
            if workers in apart:
                apart[workers].append(side_by_side(slices[workers]))
    assert encoded is not None
    return rounds, apart, encoded


def cut_in_slices(corpus: Path, count: int, directory: Path) -> list[Path]:
    """``corpus`` cut after newlines into ``count`` files of about as many bytes (copied in
    blocks: a corpus of any size)."""
    size = corpus.stat().st_size
    paths, start = [], 0
    with open(corpus, "rb") as source:
        for k in range(1, count + 1):
            end = size
            if k < count:  # the first newline at or after the share's end
                source.seek(size * k // count)
                while block := source.read(1 << 16):
                    if (newline := block.find(b"\n")) >= 0:
                        end = source.tell() - len(block) + newline + 1
                        break
            end = max(end, start)
            path = directory / f"slice-{count}-{k}.txt"
            source.seek(start)
            with open(path, "wb") as out:
                left = end - start
                while left and (block := source.read(min(left, 1 << 20))):
                    out.write(block)
                    left -= len(block)
            paths.append(path)
            start = end
    return paths


def side_by_side(paths: list[Path]) -> float:
    """Seconds for one-process reads of ``paths``, each in its own forked process, all at once.

    They share nothing (no tables merged, no hand-over between them), so against one read of
    the whole they give what this host lets that many processes gain: the ceiling for a
    parallel read here (on a shared VM it can be well under N: benchmarks/README.md)."""
    started = time.perf_counter()
    pids = []
    for path in paths:
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                prepare_corpus(str(path), min_count=5, workers=1)
                status = 0
            finally:
                os._exit(status)
        pids.append(pid)
    for pid in pids:
        if os.waitpid(pid, 0)[1] != 0:
            raise RuntimeError("a read of a slice failed")
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that ended (the reading processes)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def gensim_run(corpus: Path, threads: int, epochs: int, words: int) -> tuple[float, float] | None:
    """gensim's vocabulary scan seconds and training words/s (``words`` in-vocabulary words an
    epoch, as w2v counts them), or None without gensim."""
    try:
        from gensim.models import Word2Vec
        from gensim.models.word2vec import LineSentence
    except ImportError:
        return None
    model = Word2Vec(vector_size=100, window=5, min_count=5, workers=threads, sg=1)
    started = time.perf_counter()
    model.build_vocab(LineSentence(str(corpus)))
    scan = time.perf_counter() - started
    if epochs == 0:
        return scan, math.nan
    started = time.perf_counter()
    model.train(LineSentence(str(corpus)), total_examples=model.corpus_count, epochs=epochs)
    seconds = time.perf_counter() - started
    return scan, words * epochs / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("benchmarks/results/corpus.txt"))
    parser.add_argument("--max-words", type=int, default=3_000_000)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--reading-repeats", type=int, default=3)
    parser.add_argument("--reading-only", action="store_true",
                        help="measure reading and gensim's scan only, no training")
    parser.add_argument("--reading-ceiling", action="store_true",
                        help="also time N one-process reads of the corpus's N slices side by side "
                        "for each N processes: what this host lets N processes gain")
    parser.add_argument("--no-gensim", action="store_true")
    args = parser.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    print(f"CPU: {cpu_model()}; corpus: the first {args.max_words:,} words of {args.corpus}, "
          f"{args.epochs} epoch(s)")
    rows = []
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        corpus = first_words(args.corpus, args.max_words, Path(tmp) / "corpus.txt")
        slices = ({workers: cut_in_slices(corpus, workers, Path(tmp)) for workers in counts
                   if workers > 1} if args.reading_ceiling else None)
        reads, apart, encoded = reading_rounds(corpus, counts, args.reading_repeats, slices)
        base = None
        for threads in counts:
            walls, cpus = reads[threads]
            reading, cpu = min(walls), cpus[walls.index(min(walls))]
            epochs = 0 if args.reading_only else args.epochs
            speed = serial = math.nan
            if epochs:
                model = train(encoded, TrainConfig(epochs=epochs, threads=threads))
                speed = model.summary.words_per_second
                serial = serial_seconds(threads)
            base = base or speed
            gensim = None if args.no_gensim else gensim_run(corpus, threads, epochs, encoded.n_words)
            rows.append((threads, reading, min(reads[counts[0]][0]) / reading,
                         encoded.n_words / reading, cpu, speed, speed / base, serial, gensim))
    print("| threads | reading s | reading speed-up | reading words/s | reading CPU s | gensim scan s "
          "| w2v words/s | speed-up | serial s/epoch | gensim words/s | w2v / gensim |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for threads, reading, read_up, read_speed, cpu, speed, speedup, serial, gensim in rows:
        scan, gspeed = gensim if gensim else (float("nan"), float("nan"))
        print(f"| {threads} | {reading:.2f} | {read_up:.2f}x | {read_speed:,.0f} | {cpu:.2f} | "
              f"{scan:.2f} | {speed:,.0f} | {speedup:.2f}x | {serial:.3f} | {gspeed:,.0f} | "
              f"{speed / gspeed:.2f}x |")
    first = reads[counts[0]][0]
    for threads in counts[1:]:
        walls = reads[threads][0]
        ratios = [a / b for a, b in zip(first, walls)]
        print(f"reading with {threads} processes against {counts[0]}, {len(walls)} rounds taken in "
              f"turn: {statistics.median(first) / statistics.median(walls):.2f}x (medians), "
              f"{statistics.median(ratios):.2f}x (median of the rounds' ratios), rounds "
              + ", ".join(f"{r:.2f}x" for r in ratios))
        if threads in apart:
            sliced = apart[threads]
            ceiling = statistics.median(first) / statistics.median(sliced)
            reached = statistics.median(sliced) / statistics.median(walls)
            print(f"  the corpus's {threads} slices read side by side, one process each, sharing "
                  f"nothing (the host's ceiling): {ceiling:.2f}x (medians), "
                  f"{statistics.median([a / b for a, b in zip(first, sliced)]):.2f}x (median of "
                  f"the rounds' ratios); the parallel read reaches {100 * reached:.0f}% of it")
    if args.reading_only:
        return
    epoch = encoded.n_words / rows[-1][5]
    print(f"at {rows[-1][0]} threads an epoch of this corpus takes {epoch:.1f} s, of which "
          f"{rows[-1][7]:.3f} s ({100 * rows[-1][7] / epoch:.2f}%) is serial")


if __name__ == "__main__":
    main()
