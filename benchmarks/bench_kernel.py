"""Microbenchmark of one SGNS minibatch step: exact per-pair noise against shared noise.

All variants run in one process on the same weights and minibatch, interleaved, ``--repeat``
rounds; the median per variant is reported, in wall time and in CPU time of the process
(CPU time is the steadier figure on a shared host). Input and centre words follow a Zipf law
over ``--vocab`` words, noise words the unigram^0.75 of that law.

Usage::

    python benchmarks/bench_kernel.py [--vocab 50000] [--dim 100] [--batch 1024]
                                      [--shared 0,8,16,32] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from w2v_core import training  # noqa: E402
from w2v_core.blas import single_threaded_blas  # noqa: E402
from w2v_core.config import TrainConfig  # noqa: E402
from w2v_core.training.cbow import Cbow  # noqa: E402
from w2v_core.training.objective import Batch  # noqa: E402
from w2v_core.training.sampling import AliasTable  # noqa: E402
from w2v_core.training.skipgram import SkipGram  # noqa: E402


def _timed(function, steps: int) -> tuple[float, float]:
    """Milliseconds per call: (wall, CPU)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        function()
    return ((time.perf_counter() - wall) / steps * 1e3, (time.process_time() - cpu) / steps * 1e3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vocab", type=int, default=50_000)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1024, help="pairs per minibatch")
    parser.add_argument("--shared", default="0,8,16,32",
                        help="shared_negatives values to compare (0: exact per-pair noise)")
    parser.add_argument("--steps", type=int, default=200, help="steps per timing")
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    V, d, K, B = args.vocab, args.dim, args.negative, args.batch
    zipf = 1.0 / np.arange(1, V + 1)
    words = AliasTable(zipf / zipf.sum())
    noise = AliasTable(zipf**0.75 / (zipf**0.75).sum())
    W_in = ((rng.random((V, d), dtype=np.float32) - 0.5) / d)
    W_out = rng.normal(scale=0.1, size=(V, d)).astype(np.float32)
    inputs, outputs = words.draw((B,), rng), words.draw((B,), rng)
    # CBOW: B centres with 1-10 contexts each
    counts = rng.integers(1, 11, size=B)
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
    contexts = words.draw((int(indptr[-1]),), rng)

    variants = {}
    for shared in (int(s) for s in args.shared.split(",")):
        config = TrainConfig(dim=d, negative=K, shared_negatives=shared, threads=1, epochs=1)
        name = "exact" if shared == 0 else f"shared {shared}"
        for objective, batch in ((SkipGram(), Batch(outputs, inputs)), (Cbow(), Batch(outputs, contexts, indptr))):
            worker = training.Worker(W_in, W_out, config, 0, B)
            drawn = noise.draw(worker.layer.noise_shape(B), rng)
            variants[f"{objective.name} {name}"] = (
                lambda o=objective, w=worker, b=batch, n=drawn: o.step(w, b, n, 1e-4))

    results: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    with single_threaded_blas():
        for _ in range(args.repeat):
            for name, function in variants.items():
                results[name].append(_timed(function, args.steps))
    print(f"V={V:,}, dim {d}, negative {K}, {B} examples per step, {args.repeat} rounds; "
          "median ms per step")
    print(f"{'variant':<24}{'wall ms':>10}{'CPU ms':>10}{'examples/s (CPU)':>20}")
    for name, timings in results.items():
        wall = statistics.median(t[0] for t in timings)
        cpu = statistics.median(t[1] for t in timings)
        print(f"{name:<24}{wall:>10.3f}{cpu:>10.3f}{B / cpu * 1e3:>20,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
