"""What checkpoints cost: the share of training time spent writing them, and how long one
checkpoint of a large model takes to write.

1. Trains the first ``--max-words`` words of a benchmark corpus with checkpoints every
   ``--every`` seconds (and at epoch ends), and reports the time the training thread spent
   writing them against the training time (with worker processes, the others train on
   meanwhile, so this is an upper bound of the cost).
2. Writes a checkpoint of a ``--rows`` x ``--dim`` model (both weight matrices, as a real
   checkpoint holds) a few times, and gives the share of a ``5m`` interval it takes.

Usage::

    python benchmarks/checkpoint_cost.py --corpus benchmarks/results/corpus.txt
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from w2v_core import TrainConfig  # noqa: E402
from w2v_core.checkpoints import DEFAULT_CHECKPOINT_SECONDS, Checkpointer  # noqa: E402
from w2v_core.corpus_identity import identify  # noqa: E402
from w2v_core.corpus import open_corpus  # noqa: E402
from w2v_core.model import Model  # noqa: E402
from w2v_core.run_state import TrainingState  # noqa: E402
from w2v_core.training import prepare_corpus, train  # noqa: E402
from w2v_core.vectors import KeyedVectors  # noqa: E402


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def first_words(path: Path, limit: int, out: Path) -> Path:
    """The first ``limit`` words of ``path``, whole lines, written to ``out``."""
    n = 0
    with open(path, encoding="utf-8", errors="replace") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            dst.write(line)
            n += len(line.split())
            if n >= limit:
                break
    return out


def training_share(corpus: Path, every: float, epochs: int, threads: int, directory: Path) -> None:
    encoded = prepare_corpus(str(corpus), min_count=5)
    config = TrainConfig(epochs=epochs, threads=threads)
    identity = identify(open_corpus(str(corpus)))
    for name, seconds in (("epoch ends only", None), (f"every {every:g} s", every)):
        checkpointer = Checkpointer(directory / "run.checkpoint.npz", identity, every=seconds)
        model = train(encoded, config, checkpoints=checkpointer)
        trained = model.summary.seconds
        print(f"  {name}: {checkpointer.written} checkpoints of {len(encoded.vocab):,} x {config.dim} "
              f"took {checkpointer.seconds:.2f} s of {trained:.1f} s training "
              f"({100 * checkpointer.seconds / trained:.2f}%)")


def large_write(rows: int, dim: int, repeats: int, directory: Path) -> None:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(rows)]
    vectors = rng.standard_normal((rows, dim), dtype=np.float32)
    model = Model(KeyedVectors(words, vectors, np.arange(rows, 0, -1)), vectors.copy(),
                  TrainConfig(dim=dim), None, TrainingState(epoch=1, corpus={"spec": "x"}))
    checkpointer = Checkpointer(directory / "large.checkpoint.npz", {"spec": "x"})
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        checkpointer.write(model)
        times.append(time.perf_counter() - started)
    size = (directory / "large.checkpoint.npz").stat().st_size
    median = statistics.median(times)
    print(f"  {rows:,} x {dim} ({size / 1e9:.2f} GB): {median:.2f} s per checkpoint (median of "
          f"{repeats}: {', '.join(f'{t:.2f}' for t in times)}), "
          f"{100 * median / DEFAULT_CHECKPOINT_SECONDS:.2f}% of the default "
          f"{DEFAULT_CHECKPOINT_SECONDS / 60:g}-minute interval")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("benchmarks/results/corpus.txt"))
    parser.add_argument("--max-words", type=int, default=3_000_000)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between mid-epoch checkpoints")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        directory = Path(tmp)
        corpus = first_words(args.corpus, args.max_words, directory / "corpus.txt")
        print(f"training on the first {args.max_words:,} words of {args.corpus}, {args.epochs} "
              f"epochs, {args.threads} workers:")
        training_share(corpus, args.every, args.epochs, args.threads, directory)
        print("one checkpoint of a large model:")
        large_write(args.rows, args.dim, args.repeats, directory)


if __name__ == "__main__":
    main()
