"""Compare w2v_core with gensim's Word2Vec on the same corpus and parameters.

Both engines train skip-gram with negative sampling (gensim: ``sg=1, hs=0``) on the same
sentences: every line of the corpus file is one sentence of space-separated tokens (gensim
reads it through ``LineSentence``; w2v_core gets an equivalent iterable over the same file),
so neither tokenises and both see identical context windows.

Each engine runs in its own child process (multiprocessing, ``spawn`` start method), one
after the other. Measured per engine:

- ``prepare_seconds``: vocabulary building (and, for w2v_core, encoding the corpus to ids);
- ``train_seconds``: the training call only; ``total_seconds`` = both;
- effective words/s = corpus words (tokens in the file) x epochs / train seconds;
- peak memory: ``VmHWM`` (the child's peak resident set) minus ``VmRSS`` measured in the child
  after its imports, before reading the corpus. Not ``ru_maxrss``: Linux carries the parent's
  high-water mark into a spawned child's ``ru_maxrss`` across ``exec``, ``VmHWM`` is reset;
- analogy accuracy with :func:`w2v_core.evaluate.evaluate_analogies` (``restrict_vocab=30000``,
  bundled questions-words.txt) on both models' vectors (gensim's converted to ours), and the
  questions covered; WordSim353 Spearman with :func:`w2v_core.evaluate.evaluate_word_pairs`.

Run it with the machine's own BLAS kernel (this environment forces one via OPENBLAS_*)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/compare_gensim.py
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/compare_gensim.py --quick
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))
BENCHMARKS = Path(__file__).resolve().parent
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

RESULTS = REPO / "benchmarks" / "results"
DEFAULT_CORPUS = RESULTS / "corpus.txt"
QUICK_WORDS = 200_000
ENGINES = ("w2v_core", "gensim")
#: Variables of this environment that force an OpenBLAS kernel (unset them for the benchmark).
FORCING_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass(frozen=True)
class Params:
    """Training parameters shared by both engines (w2v_core names)."""

    dim: int = 100
    window: int = 5
    negative: int = 5
    min_count: int = 5
    sample: float = 1e-3
    epochs: int = 5
    alpha: float = 0.025
    min_alpha: float = 1e-4
    threads: int = 2
    seed: int = 1
    batch_size: int | None = None  #: w2v_core only; None keeps TrainConfig's default


class LineSentences:
    """Sentences of a file with one sentence of space-separated tokens per line.

    The same sentences as ``gensim.models.word2vec.LineSentence`` (re-iterable, streaming),
    without importing gensim into the w2v_core child.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __iter__(self) -> Iterator[list[str]]:
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                tokens = line.split()
                if tokens:
                    yield tokens


# --------------------------------------------------------------------------------------
# measurements inside a child process
# --------------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    """A ``kB`` field of /proc/self/status (VmRSS, VmHWM)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _blas_info() -> list[dict[str, Any]]:
    """The BLAS/OpenMP libraries loaded in this process, per threadpoolctl."""
    from threadpoolctl import threadpool_info

    keys = ("user_api", "internal_api", "version", "architecture", "threading_layer", "num_threads")
    return [
        {**{k: lib.get(k) for k in keys}, "library": Path(lib.get("filepath", "")).name}
        for lib in threadpool_info()
    ]


def _train_w2v(corpus: Path, params: Params) -> tuple[Any, float, float]:
    """Train w2v_core; return (KeyedVectors, prepare seconds, train seconds)."""
    from w2v_core.sgns import TrainConfig, prepare_corpus, train

    config = {
        "dim": params.dim, "window": params.window, "negative": params.negative,
        "min_count": params.min_count, "sample": params.sample, "epochs": params.epochs,
        "alpha": params.alpha, "min_alpha": params.min_alpha, "seed": params.seed,
        "threads": params.threads,
    }
    if params.batch_size is not None:
        config["batch_size"] = params.batch_size
    start = time.perf_counter()
    encoded = prepare_corpus(LineSentences(corpus), min_count=params.min_count)
    prepared = time.perf_counter()
    model = train(encoded, TrainConfig(**config))
    done = time.perf_counter()
    return model.wv, prepared - start, done - prepared


def _train_gensim(corpus: Path, params: Params) -> tuple[Any, float, float]:
    """Train gensim; return (our KeyedVectors of its vectors, prepare s, train s)."""
    import numpy as np
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    from w2v_core.vectors import KeyedVectors

    sentences = LineSentence(str(corpus))
    start = time.perf_counter()
    model = Word2Vec(
        vector_size=params.dim, window=params.window, negative=params.negative, hs=0, sg=1,
        min_count=params.min_count, sample=params.sample, epochs=params.epochs,
        alpha=params.alpha, min_alpha=params.min_alpha, workers=params.threads,
        seed=params.seed,
    )
    model.build_vocab(corpus_iterable=sentences)
    prepared = time.perf_counter()
    model.train(corpus_iterable=sentences, total_examples=model.corpus_count, epochs=model.epochs)
    done = time.perf_counter()
    wv = model.wv
    kv = KeyedVectors(
        list(wv.index_to_key),
        np.asarray(wv.vectors, dtype=np.float32),
        np.asarray(wv.expandos["count"], dtype=np.int64),
    )
    return kv, prepared - start, done - prepared


def run_engine(engine: str, corpus: str, params: dict[str, Any], words: int) -> dict[str, Any]:
    """Train and evaluate one engine; meant to run in a fresh (spawned) child process.

    Returns
    -------
    dict
        Timings, memory, vocabulary size, analogy and WordSim353 scores, BLAS libraries.
    """
    import numpy  # noqa: F401  - imports belong to the baseline, not to training
    import scipy.sparse  # noqa: F401

    from w2v_core.evaluate import evaluate_analogies, evaluate_word_pairs

    if engine == "gensim":
        import gensim.models  # noqa: F401
    trainer = {"w2v_core": _train_w2v, "gensim": _train_gensim}[engine]
    p = Params(**params)

    baseline_kb = _status_kb("VmRSS")
    kv, prepare_seconds, train_seconds = trainer(Path(corpus), p)
    peak_kb = _status_kb("VmHWM")

    analogies = evaluate_analogies(kv, restrict_vocab=30000)
    pairs = evaluate_word_pairs(kv)
    return {
        "engine": engine,
        "vocab_size": len(kv),
        "prepare_seconds": prepare_seconds,
        "train_seconds": train_seconds,
        "total_seconds": prepare_seconds + train_seconds,
        "words_per_second": words * p.epochs / train_seconds,
        "baseline_rss_mb": baseline_kb / 1024,
        "peak_rss_mb": peak_kb / 1024,
        "peak_above_baseline_mb": (peak_kb - baseline_kb) / 1024,
        "analogy_accuracy": analogies.accuracy,
        "analogy_correct": analogies.correct,
        "analogy_covered": analogies.total,
        "analogy_questions": analogies.questions,
        "wordsim_spearman": pairs.spearman,
        "wordsim_used": pairs.used,
        "wordsim_pairs": pairs.pairs,
        "blas": _blas_info(),
    }


def run_in_child(engine: str, corpus: Path, params: Params, words: int) -> dict[str, Any]:
    """Run :func:`run_engine` in a spawned child process and return its result."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(run_engine, (engine, str(corpus), asdict(params), words))


# --------------------------------------------------------------------------------------
# corpus, report
# --------------------------------------------------------------------------------------


def count_words(path: Path) -> int:
    """Tokens in a one-sentence-per-line file."""
    with open(path, encoding="utf-8") as handle:
        return sum(len(line.split()) for line in handle)


def quick_corpus(source: Path, words: int = QUICK_WORDS) -> Path:
    """Write the first ``words`` tokens (whole lines) of ``source`` to a quick-mode corpus.

    When ``source`` does not exist, the bundled Shakespeare is used instead.
    """
    target = RESULTS / "corpus-quick.txt"
    RESULTS.mkdir(parents=True, exist_ok=True)
    if source.is_file():
        lines: Iterator[list[str]] = iter(LineSentences(source))
    else:
        from w2v_core.corpus import open_corpus

        lines = open_corpus("builtin:shakespeare").sentences()
    written = 0
    with open(target, "w", encoding="utf-8") as handle:
        for tokens in lines:
            if written >= words:
                break
            if tokens:
                handle.write(" ".join(tokens) + "\n")
                written += len(tokens)
    return target


def _jsonable(value: Any) -> Any:
    """Plain JSON values: NumPy scalars to Python, NaN and infinities to None."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        return None
    return value


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0 or a != a or b != b:
        return None
    return a / b


ROWS: tuple[tuple[str, str, str], ...] = (
    # (key, label, format)
    ("train_seconds", "training time (s)", "{:.1f}"),
    ("total_seconds", "total time incl. vocabulary/encoding (s)", "{:.1f}"),
    ("words_per_second", "effective words/s (training)", "{:,.0f}"),
    ("peak_above_baseline_mb", "peak memory above baseline (MB)", "{:,.0f}"),
    ("analogy_accuracy", "analogy accuracy (top 30k words)", "{:.1%}"),
    ("analogy_covered", "analogy questions covered", "{:,}"),
    ("wordsim_spearman", "WordSim353 Spearman", "{:.3f}"),
    ("vocab_size", "vocabulary", "{:,}"),
)


def markdown_table(results: dict[str, dict[str, Any]]) -> str:
    """The README table: one row per measure, a column per engine and the w2v/gensim ratio."""
    engines = [e for e in ENGINES if e in results]
    both = len(engines) == 2
    header = "| measure | " + " | ".join(engines) + (" | w2v/gensim |" if both else " |")
    rule = "|---|" + "---:|" * (len(engines) + both)
    lines = [header, rule]
    for key, label, fmt in ROWS:
        cells = []
        for engine in engines:
            value = results[engine].get(key)
            cells.append("n/a" if value is None or value != value else fmt.format(value))
        if both:
            ratio = _ratio(results["w2v_core"].get(key), results["gensim"].get(key))
            cells.append("n/a" if ratio is None else f"{ratio:.2f}x")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _describe_blas(libraries: list[dict[str, Any]]) -> str:
    seen = []
    for lib in libraries:
        text = (
            f"{lib['internal_api']} {lib['version']} ({lib['library']}): "
            f"kernel {lib.get('architecture') or '?'}, {lib['num_threads']} thread(s)"
        )
        if text not in seen:
            seen.append(text)
    return "; ".join(seen)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: run both engines, print and save the comparison."""
    defaults = Params()
    parser = argparse.ArgumentParser(
        description="Compare w2v_core with gensim Word2Vec (skip-gram, negative sampling).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="one sentence per line (built by make_corpus.py when missing)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test: the first {QUICK_WORDS:,} words, 1 epoch")
    parser.add_argument("--only", choices=ENGINES, help="run one engine only")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per engine, alternating engines; each engine's fastest run "
                        "is reported (other load on a shared host only ever slows a run)")
    parser.add_argument("--output", type=Path, help="JSON results file "
                        "(default benchmarks/results/compare_gensim[-quick].json)")
    for field, value in asdict(defaults).items():
        kind = float if isinstance(value, float) else int
        parser.add_argument("--" + field.replace("_", "-"), type=kind, default=value)
    args = parser.parse_args(argv)
    params = Params(**{f: getattr(args, f) for f in asdict(defaults)})

    if args.quick:
        corpus = quick_corpus(args.corpus)
        if args.epochs == defaults.epochs:
            params = Params(**{**asdict(params), "epochs": 1})
    else:
        corpus = args.corpus
        if not corpus.is_file():
            if corpus != DEFAULT_CORPUS:
                parser.error(f"corpus not found: {corpus}")
            from make_corpus import build_corpus

            print(f"building the benchmark corpus {corpus} (make_corpus.py) ...", flush=True)
            build_corpus(corpus, quiet=True)
    words = count_words(corpus)

    forced = {k: os.environ[k] for k in FORCING_VARIABLES if k in os.environ}
    if forced:
        print(f"warning: {forced} force a BLAS kernel; for the machine's own kernel run\n"
              "  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/compare_gensim.py",
              file=sys.stderr)
    print(f"corpus: {corpus} ({words:,} words); parameters: {asdict(params)}", flush=True)

    engines = [e for e in ENGINES if not args.only or e == args.only]
    runs: dict[str, list[dict[str, Any]]] = {engine: [] for engine in engines}
    for attempt in range(1, max(args.repeat, 1) + 1):
        for engine in engines:
            print(f"training {engine} (run {attempt}/{max(args.repeat, 1)}) ...", flush=True)
            r = run_in_child(engine, corpus, params, words)
            runs[engine].append(r)
            print(f"  {r['train_seconds']:.1f} s training, {r['total_seconds']:.1f} s total, "
                  f"{r['words_per_second']:,.0f} words/s, "
                  f"peak +{r['peak_above_baseline_mb']:.0f} MB", flush=True)
    results: dict[str, dict[str, Any]] = {}
    for engine, engine_runs in runs.items():
        results[engine] = dict(min(engine_runs, key=lambda r: r["train_seconds"]))
        results[engine]["all_train_seconds"] = [r["train_seconds"] for r in engine_runs]

    import gensim
    import numpy

    import w2v_core

    blas = _describe_blas([lib for r in results.values() for lib in r["blas"]])
    machine = {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "gensim": gensim.__version__,
        "w2v_core": getattr(w2v_core, "__version__", "?"),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "blas": blas,
        "forced_openblas_env": forced,
    }
    table = markdown_table(results)
    print()
    print(f"BLAS: {blas}")
    print(f"Corpus: {words:,} words ({corpus.name}); dim {params.dim}, window {params.window}, "
          f"negative {params.negative}, min_count {params.min_count}, sample {params.sample:g}, "
          f"{params.epochs} epoch(s), alpha {params.alpha:g}->{params.min_alpha:g}, "
          f"{params.threads} thread(s)/worker(s). Peak memory: VmHWM minus the child's RSS "
          "after imports.")
    print()
    print(table)

    default_name = "compare_gensim-quick.json" if args.quick else "compare_gensim.json"
    output = args.output or RESULTS / default_name
    output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "corpus": str(corpus),
        "corpus_words": words,
        "params": asdict(params),
        "machine": machine,
        "results": results,
        "ratios": {
            key: _ratio(results.get("w2v_core", {}).get(key), results.get("gensim", {}).get(key))
            for key, _, _ in ROWS
        },
        "markdown": table,
    }
    output.write_text(json.dumps(_jsonable(document), indent=2) + "\n", encoding="utf-8")
    print(f"\nresults written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
