"""Time the Map's t-SNE (``project_2d``) against plain scikit-learn TSNE on the same vectors.

For each size (the N most frequent words) and repeat, the two run back to back in this process
(interleaved, so a busy shared host slows both alike), single-threaded like the TUI's worker:

- ``sklearn``: ``sklearn.manifold.TSNE(init="pca", perplexity=30, learning_rate="auto")`` with
  its default schedule (250 exaggerated + 750 plain iterations), what the Map used before;
- ``project_2d``: :func:`w2v_core.projection.project_2d` (openTSNE, short schedule), cache cleared.

Quality: the share of each word's 10 nearest neighbours (cosine) that stay among its 10 nearest
on the map (1.0 = all kept), so a faster map that is worse shows. Also timed: placing a query
and its neighbours (11 words outside the map) into each finished map with ``Projection.place``,
and a map of one word's 150 nearest neighbours (``project_neighbourhood``).

Usage (MODEL: any model ``w2v`` loads, e.g. ``w2v train builtin:shakespeare -o shakes.npz``)::

    python benchmarks/bench_map.py MODEL [--sizes 500 2000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

from threadpoolctl import threadpool_limits  # noqa: E402

from w2v_core.formats import load  # noqa: E402
from w2v_core.projection import clear_cache, project_2d, project_neighbourhood  # noqa: E402
from w2v_core.vectors import KeyedVectors  # noqa: E402


def cpu_model() -> str:
    """The ``Model name`` line of lscpu (or the platform's processor string)."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        import platform

        return platform.processor() or "unknown"
    return next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name")),
                "unknown")


def sklearn_tsne(vectors: np.ndarray) -> np.ndarray:
    from sklearn.manifold import TSNE

    with threadpool_limits(1):
        model = TSNE(n_components=2, perplexity=min(30.0, len(vectors) - 1.0), init="pca",
                     learning_rate="auto", random_state=0)
        return model.fit_transform(vectors)


def neighbour_kept(vectors: np.ndarray, coords: np.ndarray, k: int = 10) -> float:
    """Mean share of each point's k nearest neighbours (cosine) kept among its k nearest on the map."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    high = np.argpartition(-sims, k, axis=1)[:, :k]
    dist = ((coords[:, None, :] - coords[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(dist, np.inf)
    low = np.argpartition(dist, k, axis=1)[:, :k]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(high, low)]))


def timed(function, *args):  # noqa: ANN001, ANN202
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def outside_query(kv: KeyedVectors, top_n: int) -> list[str]:
    """A word outside the top ``top_n`` whose 10 neighbours are mostly outside too, with them."""
    word = kv.words[min(len(kv) - 1, top_n + 200)]
    return [word] + [w for w, _ in kv.most_similar(word, topn=10)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="a model file w2v can load")
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)

    kv = load(args.model).wv
    print(f"CPU: {cpu_model()}; model {args.model}: {len(kv):,} words x {kv.dim}")
    import openTSNE  # noqa: F401 - imports off the clock
    import sklearn.manifold  # noqa: F401

    project_2d(kv, top_n=50)  # warm-up
    times: dict[tuple[str, int], list[float]] = {}
    quality: dict[tuple[str, int], float] = {}
    for repeat in range(args.repeat):
        for n in args.sizes:
            vectors = kv.normed[:n].astype(np.float64)
            for name in ("sklearn", "project_2d"):
                clear_cache()
                if name == "sklearn":
                    seconds, coords = timed(sklearn_tsne, vectors)
                else:
                    seconds, projection = timed(project_2d, kv, "tsne", n)
                    coords = projection.coords
                times.setdefault((name, n), []).append(seconds)
                quality[(name, n)] = neighbour_kept(vectors, coords)
                print(f"  run {repeat + 1} {n:>5} words {name:<10} {seconds:6.2f} s", flush=True)

    print(f"\n{'words':>6} {'sklearn TSNE':>14} {'project_2d':>12} {'speed-up':>9} {'10-NN kept (sk / ours)':>24}")
    for n in args.sizes:
        sk, ours = statistics.median(times[("sklearn", n)]), statistics.median(times[("project_2d", n)])
        print(f"{n:>6} {sk:>12.2f} s {ours:>10.2f} s {sk / ours:>8.1f}x "
              f"{quality[('sklearn', n)]:>12.3f} / {quality[('project_2d', n)]:.3f}")

    for n in args.sizes:
        base = project_2d(kv, "tsne", n)
        extra = outside_query(kv, n)
        place_times = [timed(base.place, kv, extra)[0] for _ in range(args.repeat)]
        print(f"\nplace {len(extra)} words (a query outside the map and its neighbours) into the {n}-word "
              f"t-SNE map: {statistics.median(place_times):.2f} s")
    hood_times = []
    for _ in range(args.repeat):
        clear_cache()
        hood_times.append(timed(project_neighbourhood, kv, extra[0], 150)[0])
    print(f"t-SNE of one word's 150 nearest neighbours: {statistics.median(hood_times):.2f} s")
    print("(medians of", args.repeat, "runs; single-threaded; times vary with the host's load)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
