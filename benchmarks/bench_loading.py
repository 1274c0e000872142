"""Loading pretrained vectors and querying them at scale: w2v_core against gensim.

Generates synthetic word2vec files in a temporary directory (text and binary, 300,000 x 300 by
default: the size of a GloVe/fastText download), then loads each one with ``w2v_core`` and with
gensim, each load in a fresh child process so that the peak resident memory (``ru_maxrss`` of
the child) belongs to that load alone. A baseline child that only imports the libraries is
measured too. Query times (completion and neighbours) are measured on the loaded vectors and
on an in-memory 1,000,000 x 300 matrix (``--query-rows``).

Usage::

    python benchmarks/bench_loading.py                 # 300k x 300, queries at 1M x 300
    python benchmarks/bench_loading.py --rows 50000 --query-rows 0 --skip-gensim   # quick

Prints a Markdown table and writes ``benchmarks/results/bench_loading.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# ----------------------------------------------------------------------------- child code
_CHILD_PRELUDE = """
import json, sys, time
import numpy as np


def peak_mb():
    # VmHWM: the peak RSS of this process image. ru_maxrss is not used: on Linux it keeps the
    # parent's peak across fork + exec, so every child would report the parent's.
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
"""

#: One child script per engine: the import and the call that loads, then the same timing.
_LOAD_TEMPLATE = """
{load_import}
path, binary = sys.argv[1], sys.argv[2] == "bin"
start = time.perf_counter()
kv = {load_call}(path, binary=binary)
seconds = time.perf_counter() - start
load_peak = peak_mb()
queries = {{}}
if len(sys.argv) > 3:
    from benchmarks_queries import time_queries
    queries = time_queries(kv, "{label}")
print(json.dumps({{"seconds": seconds, "rows": len(kv), "matrix_mb": kv.vectors.nbytes / 2**20,
                  "peak_mb": load_peak, **queries}}))
"""

_LOAD_OURS = _CHILD_PRELUDE + _LOAD_TEMPLATE.format(
    load_import="from w2v_core.formats import load_word2vec_format",
    load_call="load_word2vec_format", label="ours")

_LOAD_GENSIM = _CHILD_PRELUDE + _LOAD_TEMPLATE.format(
    load_import="from gensim.models import KeyedVectors",
    load_call="KeyedVectors.load_word2vec_format", label="gensim")

_BASELINE = _CHILD_PRELUDE + """
import w2v_core.formats
print(json.dumps({"peak_mb": peak_mb()}))
"""

_QUERIES_AT_SCALE = _CHILD_PRELUDE + """
from benchmarks_queries import synthetic_vectors, time_queries
from w2v_core.vectors import KeyedVectors
rows, dim, engine = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
words, vectors = synthetic_vectors(rows, dim)
if engine == "gensim":
    from gensim.models import KeyedVectors as GensimKV
    kv = GensimKV(dim, count=rows)
    kv.add_vectors(words, vectors)
else:
    kv = KeyedVectors(words, vectors)
del vectors
print(json.dumps(time_queries(kv, engine)))
"""

_QUERIES_ON_MODEL = _CHILD_PRELUDE + """
from benchmarks_queries import time_queries
from w2v_core.formats import load
kv = load(sys.argv[1]).wv
print(json.dumps({"rows": len(kv), "dim": kv.dim, **time_queries(kv, "ours")}))
"""

# The helpers every child imports (written next to the generated files).
_QUERY_HELPERS = '''
import time
import numpy as np


def synthetic_vectors(rows, dim, seed=0):
    """Words w0... and vectors with cluster structure (real embeddings have neighbourhoods)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(rows // 50, 1), dim)).astype(np.float32)
    vectors = np.empty((rows, dim), dtype=np.float32)
    for start in range(0, rows, 65536):
        n = min(65536, rows - start)
        vectors[start:start + n] = centres[rng.integers(len(centres), size=n)]
        vectors[start:start + n] += 0.8 * rng.standard_normal((n, dim)).astype(np.float32)
    return [f"w{i}" for i in range(rows)], vectors


def _median(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def time_queries(kv, engine):
    """Median milliseconds of a completion keystroke and of a top-10 neighbours query; for a
    vocabulary over 100,000 words, the same for approximate neighbours, and how many of the
    exact top 10 they find (recall@10) over 100 query words spread through the vocabulary."""
    out = {}
    vocabulary = kv.index_to_key if engine == "gensim" else kv.words
    words = [vocabulary[i] for i in (5, 123, 4567, 20000, 99999) if i < len(vocabulary)]
    if engine == "ours":
        start = time.perf_counter()
        kv.complete("w1")
        out["complete_first_ms"] = 1000 * (time.perf_counter() - start)
        prefixes = ["w", "w1", "w12", "w123", "w9999"]
        out["complete_ms"] = 1000 * _median(lambda: [kv.complete(p) for p in prefixes], 5) / len(prefixes)
    start = time.perf_counter()
    kv.most_similar(words[0], topn=10)
    out["neighbours_first_ms"] = 1000 * (time.perf_counter() - start)
    out["neighbours_ms"] = 1000 * _median(lambda: [kv.most_similar(w, topn=10) for w in words], 5) / len(words)
    if engine == "ours" and len(kv) > 100_000:
        start = time.perf_counter()
        kv.most_similar(words[0], topn=10, approximate=True)
        out["approx_first_ms"] = 1000 * (time.perf_counter() - start)
        out["approx_ms"] = 1000 * _median(
            lambda: [kv.most_similar(w, topn=10, approximate=True) for w in words], 5) / len(words)
        probes = [vocabulary[i] for i in range(7, len(kv), len(kv) // 100)][:100]
        same = found = 0
        for w in probes:
            exact, approx = kv.most_similar(w, topn=10), kv.most_similar(w, topn=10, approximate=True)
            same += approx == exact
            found += len({x for x, _ in exact} & {x for x, _ in approx})
        out["approx_same_top10"] = f"{same}/{len(probes)}"
        out["approx_recall10"] = found / (10 * len(probes))
    return out
'''


# ----------------------------------------------------------------------------- generating
def write_files(directory: Path, rows: int, dim: int) -> dict[str, Path]:
    """A word2vec text file (6 decimals, as the C tool writes) and a binary file."""
    sys.path.insert(0, str(directory))
    from benchmarks_queries import synthetic_vectors  # noqa: PLC0415

    words, vectors = synthetic_vectors(rows, dim)
    text, binary = directory / "vectors.txt", directory / "vectors.bin"
    row_format = " ".join(["%.6f"] * dim) + "\n"
    with open(text, "w", encoding="utf-8") as fh:
        fh.write(f"{rows} {dim}\n")
        for start in range(0, rows, 10000):
            block = vectors[start:start + 10000].tolist()
            fh.write("".join(w + " " + row_format % tuple(r) for w, r in zip(words[start:], block)))
    with open(binary, "wb") as fh:
        fh.write(f"{rows} {dim}\n".encode())
        for word, row in zip(words, vectors):
            fh.write(word.encode() + b" " + row.astype("<f4").tobytes() + b"\n")
    return {"txt": text, "bin": binary}


def run_child(code: str, *args: str, cwd: Path) -> dict:
    env_path = f"{cwd}:{HERE.parent}"
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"},
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        return "unknown CPU"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--query-rows", type=int, default=1_000_000,
                        help="rows of the in-memory matrix for queries at scale (0: skip)")
    parser.add_argument("--query-model", type=Path, action="append", default=[], metavar="MODEL",
                        help="also time queries (and approximate recall@10) on this model's "
                        "vectors, e.g. one trained with w2v train (repeatable)")
    parser.add_argument("--skip-gensim", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS / "bench_loading.json")
    args = parser.parse_args()

    engines = ["ours"] + ([] if args.skip_gensim else ["gensim"])
    results: dict = {"cpu": cpu_model(), "rows": args.rows, "dim": args.dim, "loads": [], "queries": []}
    with tempfile.TemporaryDirectory(prefix="w2v-bench-") as tmp:
        directory = Path(tmp)
        (directory / "benchmarks_queries.py").write_text(_QUERY_HELPERS)
        print(f"generating {args.rows:,} x {args.dim} files in {directory} ...", file=sys.stderr)
        files = write_files(directory, args.rows, args.dim)
        results["baseline_mb"] = run_child(_BASELINE, cwd=directory)["peak_mb"]
        for kind, path in files.items():
            for engine in engines:
                code = _LOAD_OURS if engine == "ours" else _LOAD_GENSIM
                extra = ("queries",) if kind == "bin" else ()
                print(f"loading {kind} with {engine} ...", file=sys.stderr)
                row = run_child(code, str(path), kind, *extra, cwd=directory)
                row.update(engine=engine, format=kind, file_mb=path.stat().st_size / 2**20)
                results["loads"].append(row)
        if args.query_rows:
            for engine in engines:
                print(f"queries at {args.query_rows:,} x {args.dim} with {engine} ...", file=sys.stderr)
                row = run_child(_QUERIES_AT_SCALE, str(args.query_rows), str(args.dim), engine,
                                cwd=directory)
                row.update(engine=engine, rows=args.query_rows)
                results["queries"].append(row)
        for model in args.query_model:
            print(f"queries on {model} ...", file=sys.stderr)
            row = run_child(_QUERIES_ON_MODEL, str(model.resolve()), cwd=directory)
            row.update(engine="ours", model=model.name)
            results["queries"].append(row)

    print(f"\nCPU: {results['cpu']}; {args.rows:,} x {args.dim}; "
          f"baseline child {results['baseline_mb']:.0f} MB\n")
    print("| format | engine | file MB | matrix MB | seconds | peak RSS MB | (peak - baseline) / matrix |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in results["loads"]:
        ratio = (r["peak_mb"] - results["baseline_mb"]) / r["matrix_mb"]
        print(f"| {r['format']} | {r['engine']} | {r['file_mb']:.0f} | {r['matrix_mb']:.0f} | "
              f"{r['seconds']:.2f} | {r['peak_mb']:.0f} | {ratio:.2f} |")
    print("\n| vectors | engine | completion ms | first completion ms | neighbours ms "
          "| first neighbours ms | approximate ms (first) | approximate recall@10 "
          "| approximate top-10 = exact |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = [(f"{args.rows:,} (loaded .bin)", r) for r in results["loads"] if "neighbours_ms" in r]
    rows += [(f"{r['rows']:,} x {r['dim']} ({r['model']})" if "model" in r
              else f"{r['rows']:,} (in memory)", r) for r in results["queries"]]
    for label, r in rows:
        complete = f"{r['complete_ms']:.2f}" if "complete_ms" in r else "n/a"
        first = f"{r['complete_first_ms']:.0f}" if "complete_first_ms" in r else "n/a"
        approx = (f"{r['approx_ms']:.1f} ({r['approx_first_ms']:.0f})" if "approx_ms" in r
                  else "n/a")
        recall = f"{r['approx_recall10']:.3f}" if "approx_recall10" in r else "n/a"
        print(f"| {label} | {r['engine']} | {complete} | {first} | {r['neighbours_ms']:.1f} | "
              f"{r['neighbours_first_ms']:.0f} | {approx} | {recall} | "
              f"{r.get('approx_same_top10', 'n/a')} |")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
