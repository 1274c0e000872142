"""Compare w2v_core with gensim's Word2Vec: speed, memory, quality, thread scaling, map timing.

Both engines train skip-gram with negative sampling (gensim: ``sg=1, hs=0``) on the same
sentences: every line of a corpus file is one sentence of space-separated tokens (gensim
reads it through ``LineSentence``; w2v_core gets an equivalent iterable over the same file),
so neither tokenises and both see identical context windows.

Protocol, per corpus:

- ``--pairs N`` (default 3) pairs of runs, each run a whole fresh process (``spawn``); the
  engine that goes first alternates from pair to pair. Medians are reported, and the ratio
  of the medians;
- a thread-scaling block: each engine with 1 and with 2 threads/workers, ``--pairs`` times,
  alternating, ``--scaling-epochs`` epochs (default 1), each run a fresh process, with no
  memory sampling (the sampler's page-table walks took ~9% of a CPU from runs that keep
  both CPUs busy, and only from those). Each pair also runs two independent one-thread
  w2v_core trainings side by side (:func:`run_side_by_side`): what two CPUs give this
  workload with nothing shared (on a VM the second CPU is not always worth a first). The
  scaling is reported as the ratio of the medians and as the median of the pairs' ratios;
- once, on the first corpus: the map timing, ``w2v_core.projection.project_2d(kv, "tsne",
  top_n=N)`` against plain scikit-learn ``TSNE(n_components=2, random_state=0)`` (its
  defaults, default threads) on the same unit-normalised vectors of the N most frequent
  words, alternating, in a fresh process, for N in ``--map-sizes`` (default 500 and 2000).

Measured per run:

- ``train_seconds``: the training call only; ``prepare_seconds``: vocabulary building (and,
  for w2v_core, encoding the corpus to ids);
- effective words/s = corpus words (tokens in the file) x epochs / train seconds;
- peak memory: the largest proportional set size (PSS, ``/proc/PID/smaps_rollup``) of the
  child and every process it forked (w2v_core trains in forked worker processes; gensim in
  threads), summed, sampled every 20 ms by the parent from the start of reading the corpus
  to the end of training, minus the child's PSS after its imports. PSS counts a page shared
  by several processes once in all (the weights, in shared memory, and the pages a fork
  shares). Also reported: ``VmHWM - VmRSS`` of the child alone (``peak_self_mb``);
- analogy accuracy with :func:`w2v_core.evaluate.evaluate_analogies` (``restrict_vocab=30000``,
  bundled questions-words.txt; gensim's words are put in w2v_core's vocabulary order first,
  :func:`frequency_ordered`, so that both engines' 30,000 most frequent words, and so the
  questions asked, are the same), and WordSim353 (bundled) and SimLex-999 (gensim's test data
  copy, ``--simlex``; "n/a" without it) Spearman with
  :func:`w2v_core.evaluate.evaluate_word_pairs`, on both engines' vectors;
- divergence: a run whose training diverges (w2v_core's ``TrainingDivergedError``, or
  vectors that are not finite) is reported as diverged, in its table's first row, and the
  benchmark goes on.

The CPU (``lscpu`` model name, whether it has AVX-512) and the SIMD level NumPy and OpenBLAS
actually used are printed with the results. ``--simd avx2`` makes the children ignore
AVX-512 (``NPY_DISABLE_CPU_FEATURES`` and ``OPENBLAS_CORETYPE=Haswell``), to measure on an
AVX-512 host what a CPU without it would do.

Usage::

    python benchmarks/compare_gensim.py                      # corpora a, b, c and d
    python benchmarks/compare_gensim.py --corpora a --pairs 3
    python benchmarks/compare_gensim.py --quick              # smoke test, a few minutes
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))
BENCHMARKS = Path(__file__).resolve().parent
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

from corpus_stats import RESULTS, first_words, measure, write_corpus  # noqa: E402

#: corpus name -> (file, builder module, builder function)
CORPORA = {
    "a": (RESULTS / "corpus.txt", "make_corpus", "build_corpus"),
    "b": (RESULTS / "dict-corpus.txt", "make_dict_corpus", "build_dict_corpus"),
    "c": (RESULTS / "docs-corpus.txt", "make_docs_corpus", "build_docs_corpus"),
    "d": (RESULTS / "adversarial-corpus.txt", "make_adversarial_corpus",
          "build_adversarial_corpus"),
}
QUICK_WORDS = 200_000
ENGINES = ("w2v_core", "gensim")
#: The scaling block's third kind of run: two independent one-thread w2v_core trainings.
SIDE_BY_SIDE = "w2v_core 1 thread x 2, side by side"
#: Variables that force an OpenBLAS kernel; warned about unless --simd sets them.
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
    shared_negatives: int | None = None  #: w2v_core only; None keeps TrainConfig's default
    cbow: bool = False  #: CBOW (gensim sg=0, cbow_mean=1) instead of skip-gram


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


def _pss_kb(pid: int | str = "self") -> int:
    """Proportional set size of one process in kB (0 if it has ended)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc/PID/task/TID/children)."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending.extend(int(child) for child in handle.read().split())
            except FileNotFoundError:
                pass
    return tree


class TreeMemorySampler:
    """Samples the summed PSS of a process tree in a thread of the parent (no GIL shared with
    the measured process); :meth:`peak_kb` gives the largest sample in a time window.

    A sample taken just as a process forks or ends can count shared pages twice: each
    process's PSS is read at its own moment, and a forking parent read a few ms before its
    child's pages are shared counts them whole while the child counts its share. Sampled every
    5 ms, w2v_core's epoch forks (corpus (a), skip-gram) showed it in one run in three: one
    sample 5-7 MB above those on either side (the parent 53-55 MB, then 44-45 MB 12 ms later).
    So a sample whose set of processes differs from the sample before is not a peak
    (:attr:`samples` keeps every one; ``peak_kb(..., settled=False)`` gives the raw largest).
    """

    INTERVAL = 0.02

    def __init__(self, pid: int) -> None:
        import threading

        self.pid = pid
        #: (time, summed PSS in kB, whether the processes were the same as at the sample before)
        self.samples: list[tuple[float, int, bool]] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        before: list[int] = []
        while not self._done.is_set():
            tree = _process_tree(self.pid)
            total = sum(_pss_kb(p) for p in tree)
            self.samples.append((time.time(), total, tree == before))
            before = tree
            self._done.wait(self.INTERVAL)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def peak_kb(self, start: float, end: float, settled: bool = True) -> int:
        """The largest sample between ``start`` and ``end`` (only settled ones by default)."""
        inside = [kb for when, kb, same in self.samples
                  if start <= when <= end and (same or not settled)]
        return max(inside, default=0)


def _status_kb(field: str) -> int:
    """A ``kB`` field of /proc/self/status (VmRSS, VmHWM)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _numpy_dispatch() -> dict[str, bool]:
    """NumPy's runtime-dispatched SIMD targets and whether each is in use in this process."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # pragma: no cover - older NumPy
        from numpy.core import _multiarray_umath as umath
    features = umath.__cpu_features__
    targets = getattr(umath, "__cpu_dispatch__", [k for k in features if k.startswith("AVX512")])
    return {k: bool(features.get(k)) for k in targets}


def _is_avx512(target: str) -> bool:
    return target.startswith("AVX512") or target == "X86_V4"


def _simd_info() -> dict[str, Any]:
    """What this process computes with: NumPy's SIMD targets in use, OpenBLAS's kernel."""
    from threadpoolctl import threadpool_info

    blas = sorted({
        f"{lib.get('internal_api')} {lib.get('version')} kernel {lib.get('architecture') or '?'}"
        for lib in threadpool_info() if lib.get("user_api") == "blas"
    })
    dispatch = _numpy_dispatch()
    return {
        "numpy_targets": sorted(k for k, on in dispatch.items() if on),
        "numpy_avx512": sorted(k for k, on in dispatch.items() if on and _is_avx512(k)),
        "blas": blas,
    }


def _config(params: Params) -> dict[str, Any]:
    config = {
        "dim": params.dim, "window": params.window, "negative": params.negative,
        "min_count": params.min_count, "sample": params.sample, "epochs": params.epochs,
        "alpha": params.alpha, "min_alpha": params.min_alpha, "seed": params.seed,
        "threads": params.threads,
    }
    if params.batch_size is not None:
        config["batch_size"] = params.batch_size
    if params.shared_negatives is not None:
        config["shared_negatives"] = params.shared_negatives
    if params.cbow:
        config["cbow"] = True
    return config


class Diverged(Exception):
    """Training diverged: w2v_core raised TrainingDivergedError (its loss rose far above its
    start or became NaN, or a vector's norm passed 100), or an engine's trained vectors are
    not finite.

    A benchmark row, not a failure: on corpora (c) and (d) divergence is what is measured
    (issue #19), and the other engine's runs and the other corpora still go on.
    """

    def __init__(self, reason: str, prepare_seconds: float, seconds: float) -> None:
        super().__init__(reason)
        self.prepare_seconds = prepare_seconds
        self.seconds = seconds  #: training time until it stopped (or ended, non-finite)


def _train_w2v(corpus: Path, params: Params) -> tuple[Any, float, float]:
    """Train w2v_core; return (KeyedVectors, prepare seconds, train seconds).

    Raises
    ------
    Diverged
        For w2v_core's TrainingDivergedError.
    """
    # the package's public names: compare_revisions.py runs this on older revisions too
    from w2v_core import TrainConfig, TrainingDivergedError, prepare_corpus, train

    start = time.perf_counter()
    encoded = prepare_corpus(LineSentences(corpus), min_count=params.min_count)
    prepared = time.perf_counter()
    try:
        model = train(encoded, TrainConfig(**_config(params)))
    except TrainingDivergedError as exc:
        raise Diverged(str(exc), prepared - start, time.perf_counter() - prepared) from None
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
        vector_size=params.dim, window=params.window, negative=params.negative, hs=0,
        sg=0 if params.cbow else 1, cbow_mean=1,
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


def frequency_ordered(words: list[str], vectors: Any, counts: Any) -> Any:
    """Vectors as our KeyedVectors in w2v_core's vocabulary order: by count, ties by word.

    gensim breaks ties by first sight: on corpus (b) (32,777 words) the 30,000 most
    frequent words then differed at the cut, and so did the analogy questions asked (6,382
    against 6,504): the engines were scored on different questions.
    """
    import numpy as np

    from w2v_core.vectors import KeyedVectors
    from w2v_core.vocab import by_frequency

    order = np.array(by_frequency(list(range(len(words))), counts, words), dtype=np.int64)
    return KeyedVectors([words[i] for i in order], vectors[order], counts[order])


def run_engine(engine: str, corpus: str, params: dict[str, Any], words: int,
               evaluate: bool = True, save_vectors: str | None = None,
               simlex: str | None = None) -> dict[str, Any]:
    """Train (and evaluate) one engine; meant to run in a fresh (spawned) child process.

    Parameters
    ----------
    simlex : str, optional
        SimLex-999 pairs file (``word1<TAB>word2<TAB>score``, ``#`` comments: gensim's copy
        reads as it is); None leaves ``simlex_spearman`` None ("n/a" in the tables).

    Returns
    -------
    dict
        Timings, memory, vocabulary size, analogy, WordSim353 and SimLex-999 scores, SIMD in
        use; ``diverged`` is None or why training diverged (then the training time, speed,
        vocabulary and scores are None, ``seconds_until_diverged`` says when it stopped).
    """
    import numpy  # noqa: F401  - imports belong to the baseline, not to training
    import scipy.sparse  # noqa: F401

    from w2v_core.evaluate import evaluate_analogies, evaluate_word_pairs

    # each engine's training modules too (imported on first use otherwise: 2.4 MB of
    # w2v_core's training and its imports fell inside w2v_core's memory window, not gensim's)
    if engine == "gensim":
        import gensim.models  # noqa: F401
    else:
        import w2v_core

        w2v_core.train  # noqa: B018  - imports the training modules (lazily exported)
    trainer = {"w2v_core": _train_w2v, "gensim": _train_gensim}[engine]
    p = Params(**params)

    baseline_kb = _status_kb("VmRSS")
    baseline_pss_kb = _pss_kb()
    window_start = time.time()
    try:
        kv, prepare_seconds, train_seconds = trainer(Path(corpus), p)
        if not numpy.isfinite(kv.vectors).all():
            raise Diverged("the trained vectors hold NaN or infinite values",
                           prepare_seconds, train_seconds)
        diverged = None
    except Diverged as exc:
        kv, diverged = None, exc
    window_end = time.time()
    peak_kb = _status_kb("VmHWM")
    if kv is not None and engine == "gensim":  # after the memory window: it copies the vectors
        kv = frequency_ordered(kv.words, kv.vectors, kv.counts)
    result = {
        "engine": engine,
        "threads": p.threads,
        "epochs": p.epochs,
        "vocab_size": len(kv) if kv is not None else None,
        "prepare_seconds": diverged.prepare_seconds if diverged else prepare_seconds,
        "train_seconds": None if diverged else train_seconds,
        "words_per_second": None if diverged else words * p.epochs / train_seconds,
        "diverged": str(diverged) if diverged else None,
        "seconds_until_diverged": diverged.seconds if diverged else None,
        "peak_self_mb": (peak_kb - baseline_kb) / 1024,
        "baseline_pss_kb": baseline_pss_kb,
        "memory_window": (window_start, window_end),
        "simd": _simd_info(),
    }
    if kv is None:
        return result
    if save_vectors:  # for the map timing
        numpy.savez(save_vectors, vectors=kv.vectors, words=numpy.array(kv.words), counts=kv.counts)
    if evaluate:
        analogies = evaluate_analogies(kv, restrict_vocab=30000)
        pairs = evaluate_word_pairs(kv)
        similarity = evaluate_word_pairs(kv, path=simlex) if simlex else None
        result.update({
            "analogy_accuracy": analogies.accuracy,
            "analogy_covered": analogies.total,
            "wordsim_spearman": pairs.spearman,
            "simlex_spearman": similarity.spearman if similarity else None,
            "simlex_pairs_used": similarity.used if similarity else None,
        })
    return result


def run_side_by_side(corpus: str, params: dict[str, Any], words: int) -> dict[str, Any]:
    """Two independent one-thread w2v_core trainings at once: what two CPUs give here.

    Meant for a fresh (spawned) child. The corpus is read once; two forked processes each
    make their own trainer (own weights, own seed), wait at a barrier, and train. Nothing is
    shared but the CPUs, the caches and the memory bus: the pair's throughput is what two
    CPUs give this workload here and now without sharing the weights (with twice the weights
    in the caches, so not a strict ceiling: on 2026-11-26 a 2-thread run matched it).

    Returns
    -------
    dict
        ``words_per_second``: both runs' words over the time from the common start to the
        end of the later one; ``each_words_per_second``: each run's own rate. When a run
        diverges, ``diverged`` says why and the rates are None.
    """
    from w2v_core.errors import TrainingDivergedError
    from w2v_core.config import TrainConfig
    from w2v_core.training import Trainer, prepare_corpus

    p = replace(Params(**params), threads=1)
    encoded = prepare_corpus(LineSentences(Path(corpus)), min_count=p.min_count)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    receive, send = context.Pipe(duplex=False)

    def one(seed: int) -> None:
        trainer = Trainer(encoded, TrainConfig(**_config(replace(p, seed=seed))), processes=False)
        barrier.wait(timeout=600)  # the other run died before starting: fail, not hang
        start = time.time()
        try:
            trainer.train()
        except TrainingDivergedError as exc:
            send.send((start, None, str(exc)))
        else:
            send.send((start, time.time(), None))

    processes = [context.Process(target=one, args=(p.seed + i,)) for i in range(2)]
    for process in processes:
        process.start()
    send.close()  # the runs hold the only write ends now: a dead run ends in EOFError
    try:
        spans = [receive.recv() for _ in processes]
    except EOFError:
        raise RuntimeError("a side-by-side run failed") from None
    finally:
        for process in processes:
            process.join()
    result = {"engine": SIDE_BY_SIDE, "threads": 2, "epochs": p.epochs,
              "diverged": next((reason for _, _, reason in spans if reason), None)}
    if result["diverged"]:
        return result | {"train_seconds": None, "words_per_second": None,
                         "each_words_per_second": [None, None]}
    start, end = min(s for s, _, _ in spans), max(e for _, e, _ in spans)
    return result | {
        "train_seconds": end - start,
        "words_per_second": 2 * words * p.epochs / (end - start),
        "each_words_per_second": [words * p.epochs / (e - s) for s, e, _ in spans],
    }


def run_map(vectors_file: str, sizes: list[int], repeat: int) -> dict[str, Any]:
    """Time project_2d's t-SNE against plain scikit-learn TSNE, alternating (in a child)."""
    import numpy as np
    from sklearn.manifold import TSNE

    from w2v_core import projection
    from w2v_core.vectors import KeyedVectors

    with np.load(vectors_file) as data:
        kv = KeyedVectors(list(data["words"]), data["vectors"], data["counts"])
    timings: dict[str, dict[str, list[float]]] = {}
    for size in sizes:
        runs: dict[str, list[float]] = {"project_2d": [], "sklearn": []}
        for attempt in range(repeat):
            order = ["project_2d", "sklearn"] if attempt % 2 == 0 else ["sklearn", "project_2d"]
            for name in order:
                projection.clear_cache()
                start = time.perf_counter()
                if name == "project_2d":
                    projection.project_2d(kv, "tsne", top_n=size)
                else:
                    TSNE(n_components=2, random_state=0).fit_transform(
                        kv.normed[:size].astype(np.float64)
                    )
                runs[name].append(time.perf_counter() - start)
        timings[str(size)] = runs
    return {"timings": timings, "simd": _simd_info()}


def _child_entry(connection, function: Callable[..., Any], args: tuple) -> None:
    connection.send(function(*args))
    connection.close()


def in_child(function: Callable[..., Any], *args: Any, sample_memory: bool = True) -> Any:
    """Run ``function(*args)`` in a fresh spawned process and return its result.

    A result with a ``memory_window`` gets ``peak_above_baseline_mb``: the peak summed PSS of
    the child's process tree inside that window (see :class:`TreeMemorySampler`) minus the
    child's own ``baseline_pss_kb``. ``sample_memory=False`` runs no sampler: reading PSS
    walks the page tables of the measured processes, and every 20 ms that took ~9% of a CPU
    from runs that keep both CPUs busy (measured here), so speed-only runs go without it.
    """
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child_entry, args=(send, function, args))
    process.start()
    send.close()
    sampler = TreeMemorySampler(process.pid) if sample_memory else None
    try:
        result = receive.recv()
    except EOFError:
        result = None  # the child died without an answer
    finally:
        if sampler is not None:
            sampler.stop()
        process.join()
    if result is None:
        raise RuntimeError(f"benchmark child failed (exit code {process.exitcode})")
    if isinstance(result, dict) and "memory_window" in result:
        window = result.pop("memory_window")
        if sampler is None:
            result.pop("baseline_pss_kb")
            return result
        peak, raw = sampler.peak_kb(*window), sampler.peak_kb(*window, settled=False)
        baseline = result.pop("baseline_pss_kb")
        result["peak_above_baseline_mb"] = (peak - baseline) / 1024
        result["peak_any_sample_mb"] = (raw - baseline) / 1024  # forks' moments included
        result["memory_samples"] = len(sampler.samples)
    return result


# --------------------------------------------------------------------------------------
# host, corpus, report
# --------------------------------------------------------------------------------------


def cpu_description() -> dict[str, Any]:
    """``lscpu``'s model name and the CPU's SIMD level (AVX-512 or not)."""
    model = platform.processor() or platform.machine()
    flags: set[str] = set()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name":
                model = value.strip()
            elif key.strip() == "Flags":
                flags = set(value.split())
    except (OSError, subprocess.CalledProcessError):
        pass
    if not flags and Path("/proc/cpuinfo").is_file():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.partition(":")[2].split())
                break
    avx512 = sorted(f for f in flags if f.startswith("avx512"))
    level = ("AVX-512 (" + ", ".join(avx512[:4]) + (", ..." if len(avx512) > 4 else "") + ")"
             if avx512 else "AVX2, no AVX-512" if "avx2" in flags else "no AVX2")
    return {"model": model, "simd": level, "avx512": bool(avx512), "cpus": os.cpu_count()}


def avx2_environment() -> dict[str, str]:
    """Environment that keeps NumPy's dispatch and OpenBLAS off AVX-512 in child processes."""
    disabled = [k for k, on in _numpy_dispatch().items() if on and _is_avx512(k)]
    env = {"OPENBLAS_CORETYPE": "Haswell"}
    if disabled:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(disabled)
    return env


def simlex_path() -> Path | None:
    """gensim's copy of SimLex-999 (in its test data), found without importing gensim; None
    when gensim or the file is missing."""
    import importlib.util

    spec = importlib.util.find_spec("gensim")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "test" / "test_data" / "simlex999.txt"
        if path.is_file():
            return path
    return None


def corpus_path(name: str, max_words: int | None) -> Path:
    """The file of corpus ``name`` (a key of :data:`CORPORA` or a path), built when
    missing; cut to its first ``max_words`` words (whole lines) when asked."""
    if name in CORPORA:
        path, module, function = CORPORA[name]
        if not path.is_file():
            print(f"building corpus {name}: {path} ({module}.py) ...", flush=True)
            builder = getattr(__import__(module), function)
            builder(path, quiet=True)
    else:
        path = Path(name)
        if not path.is_file():
            raise SystemExit(f"error: corpus not found: {path}")
    if not max_words:
        return path
    target = RESULTS / f"{path.stem}-first{max_words}.txt"
    write_corpus(target, first_words(LineSentences(path), max_words))
    return target


def _jsonable(value: Any) -> Any:
    """Plain JSON values: NumPy scalars to Python, NaN and infinities to None."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    return value


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None and r[key] == r[key]]
    return statistics.median(values) if values else None


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


ROWS: tuple[tuple[str, str, str], ...] = (
    # (key, label, format)
    ("words_per_second", "effective words/s (training)", "{:,.0f}"),
    ("train_seconds", "training time (s)", "{:.1f}"),
    ("prepare_seconds", "vocabulary/encoding time (s)", "{:.1f}"),
    ("peak_above_baseline_mb", "peak memory above baseline (MB)", "{:,.0f}"),
    ("analogy_accuracy", "analogy accuracy (top 30k words)", "{:.1%}"),
    ("analogy_covered", "analogy questions covered", "{:,.0f}"),
    ("wordsim_spearman", "WordSim353 Spearman", "{:.3f}"),
    ("simlex_spearman", "SimLex-999 Spearman", "{:.3f}"),
    ("vocab_size", "vocabulary", "{:,.0f}"),
)
#: Quality rows compare as a difference (w2v_core minus gensim), in this format: a ratio of
#: correlations near zero means nothing, and the goals are stated in points.
DIFFERENCES = {
    "analogy_accuracy": "{:+.1%}",
    "wordsim_spearman": "{:+.3f}",
    "simlex_spearman": "{:+.3f}",
}
#: The cell of a measure that no run has because every run diverged.
DIVERGED = "diverged"


def _cell(value: float | None, fmt: str) -> str:
    return "n/a" if value is None or value != value else fmt.format(value)


def _shown(runs: list[dict[str, Any]], key: str, fmt: str) -> tuple[float | None, str]:
    """The median of ``key`` over ``runs`` and its cell: "diverged" where every run diverged
    (and so has no such figure), "n/a" where the figure is missing otherwise."""
    value = _median(runs, key)
    if value is None and runs and all(r.get("diverged") for r in runs):
        return None, DIVERGED
    return value, _cell(value, fmt)


def comparison_table(runs: dict[str, list[dict[str, Any]]]) -> tuple[str, dict[str, Any]]:
    """Markdown table of medians with the w2v/gensim ratio; and the numbers behind it.

    Diverged runs count in the row "training diverged" (shown when any run diverged) and
    not in the medians; a measure that no run has because all diverged reads "diverged".
    """
    lines = ["| measure (median) | w2v_core | gensim | w2v/gensim (quality: w2v - gensim) |",
             "|---|---:|---:|---:|"]
    numbers: dict[str, Any] = {}
    diverged = {e: sum(1 for r in runs[e] if r.get("diverged")) for e in ENGINES}
    numbers["diverged_runs"] = diverged
    if any(diverged.values()):
        lines.append("| training diverged (runs) | "
                     + " | ".join(f"{diverged[e]} of {len(runs[e])}" for e in ENGINES) + " | |")
    for key, label, fmt in ROWS:
        (a, a_cell), (b, b_cell) = (_shown(runs[e], key, fmt) for e in ENGINES)
        ratio = _ratio(a, b)
        numbers[key] = {"w2v_core": a, "gensim": b, "ratio": ratio}
        if key in DIFFERENCES:
            difference = None if a is None or b is None else a - b
            numbers[key]["difference"] = difference
            compared = _cell(difference, DIFFERENCES[key])
        else:
            compared = _cell(ratio, "{:.2f}x")
        lines.append(f"| {label} | {a_cell} | {b_cell} | {compared} |")
    per_pair = [_ratio(x["words_per_second"], y["words_per_second"])
                for x, y in zip(runs["w2v_core"], runs["gensim"])]
    numbers["words_per_second_ratio_per_pair"] = per_pair
    lines.append("| words/s ratio in each pair | | | "
                 + ", ".join(_cell(r, "{:.2f}x") for r in per_pair) + " |")
    return "\n".join(lines), numbers


def scaling_table(runs: dict[str, dict[int, list[dict[str, Any]]]], epochs: int) -> tuple[str, dict]:
    """Markdown rows: words/s with 1 and 2 threads per engine and their ratio, as a ratio of
    medians and as the median of each pair's ratio.

    The pairs' ratios are the steadier figure on a host whose speed drifts: the runs of a pair
    follow each other, so a slow spell shifts both (or, when it hits one run, one pair of five).
    The side-by-side row (two independent one-thread w2v_core trainings, own weights each)
    is set against w2v_core's one-thread runs of the same pairs.
    """
    lines = [f"| thread scaling ({epochs} epoch(s), words/s) | 1 thread, median | "
             "2 threads, median | ratio of medians | median of the pairs' ratios | "
             "each pair's ratio |", "|---|---:|---:|---:|---:|---|"]
    numbers: dict[str, Any] = {}
    for engine, by_threads in runs.items():
        ones = by_threads.get(1) or runs["w2v_core"][1]
        one, one_cell = _shown(ones, "words_per_second", "{:,.0f}")
        two, two_cell = _shown(by_threads[2], "words_per_second", "{:,.0f}")
        per_pair = [_ratio(b["words_per_second"], a["words_per_second"])
                    for a, b in zip(ones, by_threads[2])]
        paired = statistics.median(per_pair) if per_pair and None not in per_pair else None
        numbers[engine] = {"1": one, "2": two, "scaling": _ratio(two, one),
                           "scaling_paired": paired, "scaling_per_pair": per_pair}
        lines.append(f"| {engine} | {one_cell} | {two_cell} | "
                     f"{_cell(_ratio(two, one), '{:.2f}x')} | **{_cell(paired, '{:.2f}x')}** | "
                     + ", ".join(_cell(r, "{:.2f}") for r in per_pair) + " |")
    if SIDE_BY_SIDE in runs:
        share = _ratio(numbers["w2v_core"]["2"], numbers[SIDE_BY_SIDE]["2"])
        numbers["w2v_core_against_side_by_side"] = share
        lines.append(f"| w2v_core 2 threads / two independent runs side by side | | | "
                     f"{_cell(share, '{:.0%}')} | | |")
    return "\n".join(lines), numbers


def map_table(result: dict[str, Any]) -> tuple[str, dict]:
    """Markdown rows: t-SNE seconds of project_2d and of plain scikit-learn, per size."""
    lines = ["| map: t-SNE (median s) | w2v_core project_2d | scikit-learn TSNE | sklearn/ours |",
             "|---|---:|---:|---:|"]
    numbers = {}
    for size, runs in result["timings"].items():
        ours, theirs = statistics.median(runs["project_2d"]), statistics.median(runs["sklearn"])
        numbers[size] = {"project_2d": ours, "sklearn": theirs, "speedup": theirs / ours}
        lines.append(f"| {int(size):,} words | {ours:.2f} | {theirs:.2f} | {theirs / ours:.2f}x |")
    return "\n".join(lines), numbers


def _simd_used(results: list[dict[str, Any]]) -> str:
    seen = []
    for r in results:
        simd = r.get("simd", {})
        text = (f"NumPy SIMD targets: {', '.join(simd.get('numpy_targets', [])) or 'baseline'}; "
                f"{'; '.join(simd.get('blas', []))}")
        if text not in seen:
            seen.append(text)
    return " | ".join(seen)


def _alternating(pairs: int, items: tuple[Any, ...]) -> Iterator[tuple[int, Any]]:
    """``(pair, item)`` for each pair, the first item of a pair alternating."""
    for i in range(pairs):
        for item in (items if i % 2 == 0 else tuple(reversed(items))):
            yield i, item


def _describe(r: dict[str, Any]) -> str:
    if r.get("diverged"):
        until = r.get("seconds_until_diverged")
        text = (f"DIVERGED{f' after {until:.1f} s of training' if until is not None else ''}"
                f" ({r['diverged']})")
    else:
        text = f"{r['train_seconds']:.1f} s training, {r['words_per_second']:,.0f} words/s"
    if "peak_above_baseline_mb" in r:
        text += f", peak +{r['peak_above_baseline_mb']:.0f} MB"
    if "analogy_accuracy" in r:
        text += (f", analogy {_cell(r['analogy_accuracy'], '{:.1%}')}, "
                 f"WS353 {_cell(r['wordsim_spearman'], '{:.3f}')}, "
                 f"SL999 {_cell(r['simlex_spearman'], '{:.3f}')}")
    return text


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: run the comparison, print and save it."""
    defaults = Params()
    parser = argparse.ArgumentParser(
        description="Compare w2v_core with gensim Word2Vec (skip-gram, negative sampling).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--corpora", default="a,b,c,d",
                        help="comma-separated: a (make_corpus.py), b (make_dict_corpus.py), "
                        "c (make_docs_corpus.py), d (make_adversarial_corpus.py) or files "
                        "with one sentence per line; built when missing")
    parser.add_argument("--pairs", "--repeat", type=int, default=3,
                        help="pairs of runs per corpus (engines alternate who goes first)")
    parser.add_argument("--scaling-epochs", type=int, default=1,
                        help="epochs of the 1-vs-2-thread runs (0: no scaling block)")
    parser.add_argument("--scaling-only", action="store_true",
                        help="only the 1-vs-2-thread block (no comparison, no map)")
    parser.add_argument("--map-sizes", default="500,2000",
                        help="comma-separated t-SNE sizes timed once ('' : no map timing)")
    parser.add_argument("--map-repeat", type=int, default=1, help="runs per map size and method")
    parser.add_argument("--max-words", type=int, help="use the first N words of each corpus")
    parser.add_argument("--simd", choices=("native", "avx2"), default="native",
                        help="avx2: keep NumPy and OpenBLAS off AVX-512 in the runs")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test: first {QUICK_WORDS:,} words, 1 epoch, 1 pair, "
                        "map of 200 words")
    parser.add_argument("--simlex", type=Path,
                        help="SimLex-999 pairs file (default: gensim's test data copy; "
                        "missing: the column reads n/a)")
    parser.add_argument("--output", type=Path, help="JSON results file "
                        "(default benchmarks/results/compare_gensim[-quick].json)")
    parser.add_argument("--modes", default="sg,cbow",
                        help="comma-separated: sg (skip-gram: comparison, scaling, map) and "
                        "cbow (CBOW against gensim sg=0: comparison only)")
    for name, value in asdict(defaults).items():
        if isinstance(value, bool):
            continue
        kind = float if isinstance(value, float) else int
        parser.add_argument("--" + name.replace("_", "-"), type=kind, default=value)
    args = parser.parse_args(argv)
    params = Params(**{f: getattr(args, f) for f in asdict(defaults) if hasattr(args, f)})
    if args.quick:
        args.max_words = args.max_words or QUICK_WORDS
        args.pairs = 1
        args.map_sizes = "200" if args.map_sizes == "500,2000" else args.map_sizes
        if args.epochs == defaults.epochs:
            params = replace(params, epochs=1)
    try:
        map_sizes = [int(s) for s in args.map_sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--map-sizes must be comma-separated integers, got {args.map_sizes!r}")
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or any(m not in ("sg", "cbow") for m in modes):
        parser.error(f"--modes takes sg and/or cbow, got {args.modes!r}")

    if args.simd == "avx2":
        os.environ.update(avx2_environment())  # inherited by the spawned children
    else:
        forced = {k: os.environ[k] for k in FORCING_VARIABLES if k in os.environ}
        if forced:
            print(f"warning: {forced} force a BLAS kernel; unset them for the machine's own",
                  file=sys.stderr)
    cpu = cpu_description()
    print(f"CPU: {cpu['model']}, {cpu['cpus']} CPUs, {cpu['simd']}; runs: --simd {args.simd}",
          flush=True)
    simlex = args.simlex or simlex_path()
    if simlex is None or not simlex.is_file():
        print(f"SimLex-999: {simlex or 'gensim test data'} not found; its column reads n/a",
              flush=True)
        simlex = None
    # every corpus built (or its failure said) before the first run, not an hour into them
    corpora = [(name, corpus_path(name, args.max_words))
               for name in (n.strip() for n in args.corpora.split(",")) if name]

    report: list[str] = []
    document: dict[str, Any] = {"cpu": cpu, "simd_mode": args.simd, "params": asdict(params),
                                "simlex": str(simlex) if simlex else None, "corpora": {}}
    all_results: list[dict[str, Any]] = []
    vectors_file = RESULTS / "map-vectors.npz"
    vectors_file.unlink(missing_ok=True)  # a diverged run saves none: no stale map
    for index, (name, corpus) in enumerate(corpora):
        shape = measure(LineSentences(corpus))
        words = shape.words
        print(f"\ncorpus {name}: {corpus}: {shape.summary()}", flush=True)
        entry: dict[str, Any] = {"file": str(corpus), "words": words,
                                 "shape": asdict(shape) | {"words_per_line": shape.words_per_line}}
        document["corpora"][name] = entry
        for mode in [] if args.scaling_only else modes:
            mode_params = replace(params, cbow=(mode == "cbow"))
            runs: dict[str, list[dict[str, Any]]] = {e: [] for e in ENGINES}
            for pair, engine in _alternating(args.pairs, ENGINES):
                save = str(vectors_file) if (index == 0 and pair == 0 and mode == "sg"
                                             and engine == "w2v_core" and map_sizes) else None
                r = in_child(run_engine, engine, str(corpus), asdict(mode_params), words, True,
                             save, str(simlex) if simlex else None)
                runs[engine].append(r)
                print(f"  {mode} pair {pair + 1} {engine}: {_describe(r)}", flush=True)
            table, numbers = comparison_table(runs)
            entry[mode] = {"runs": runs, "medians": numbers}
            heading = (f"Corpus {name} ({corpus.name}, {words:,} words, "
                       f"{shape.words_per_line:.1f} a line, {shape.burst_lines:,} lines with "
                       f"a token {shape.burst}+ times), "
                       f"{'CBOW (gensim sg=0)' if mode == 'cbow' else 'skip-gram'}, "
                       f"{params.epochs} epoch(s), {params.threads} thread(s)/worker(s), "
                       f"{args.pairs} pair(s) of runs")
            report += [heading, "", table, ""]
            all_results += runs["w2v_core"] + runs["gensim"]

        if args.scaling_epochs > 0 and "sg" in modes:
            scaled = replace(params, epochs=args.scaling_epochs)
            scaling: dict[str, dict[int, list[dict[str, Any]]]] = {
                e: {1: [], 2: []} for e in ENGINES
            }
            scaling[SIDE_BY_SIDE] = {2: []}
            runs_of_a_pair = tuple((e, t) for e in ENGINES for t in (1, 2)) + ((SIDE_BY_SIDE, 2),)
            for pair, (engine, threads) in _alternating(args.pairs, runs_of_a_pair):
                if engine == SIDE_BY_SIDE:
                    r = in_child(run_side_by_side, str(corpus), asdict(scaled), words,
                                 sample_memory=False)
                else:
                    r = in_child(run_engine, engine, str(corpus),
                                 asdict(replace(scaled, threads=threads)), words, False, None,
                                 sample_memory=False)
                scaling[engine][threads].append(r)
                print(f"  scaling pair {pair + 1} {engine} {threads} thread(s): {_describe(r)}",
                      flush=True)
            table, numbers = scaling_table(scaling, args.scaling_epochs)
            entry["scaling"] = {"runs": scaling, "medians": numbers}
            report += [f"Thread scaling, corpus {name}, skip-gram", "", table, ""]

        if index == 0 and map_sizes and "sg" in modes and not args.scaling_only:
            if vectors_file.is_file():
                print(f"  map timing: t-SNE of {map_sizes} words ...", flush=True)
                result = in_child(run_map, str(vectors_file), map_sizes, args.map_repeat)
                table, numbers = map_table(result)
                document["map"] = {"corpus": name, "timings": result["timings"],
                                   "medians": numbers}
                report += [f"Map timing (vectors of corpus {name}, w2v_core run 1)", "", table,
                           ""]
                all_results.append(result)
            else:
                print("  map timing skipped: the first w2v_core run diverged", flush=True)

    import gensim
    import numpy

    document["machine"] = {
        "python": platform.python_version(), "numpy": numpy.__version__,
        "gensim": gensim.__version__, "simd_used": _simd_used(all_results),
    }
    print()
    print(f"CPU: {cpu['model']} ({cpu['cpus']} CPUs), {cpu['simd']}; in the runs: "
          f"{_simd_used(all_results)}")
    print(f"Parameters: dim {params.dim}, window {params.window}, negative {params.negative}, "
          f"min_count {params.min_count}, sample {params.sample:g}, alpha {params.alpha:g}->"
          f"{params.min_alpha:g}. Peak memory: summed PSS of the run's processes (sampled "
          f"every {TreeMemorySampler.INTERVAL * 1000:.0f} ms) minus the run's PSS after imports.")
    print()
    print("\n".join(report))
    document["markdown"] = "\n".join(report)
    default_name = "compare_gensim-quick.json" if args.quick else "compare_gensim.json"
    output = args.output or RESULTS / default_name
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(_jsonable(document), indent=2) + "\n", encoding="utf-8")
    print(f"results written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
