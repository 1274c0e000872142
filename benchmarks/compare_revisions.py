"""Compare w2v_core at two git revisions side by side: same corpora, runs alternating.

A change that should not change behaviour (a refactor) shows it here: speed, peak memory and
quality of the checkout this script lives in against an earlier revision, each run in a fresh
process, the two revisions alternating who goes first. The earlier revision is exported with
``git archive`` into a temporary folder; both are driven through the public API
(``w2v_core.train``), so any revision with that API can be compared.

Usage::

    python benchmarks/compare_revisions.py --base 85e32dc --corpora a,c --max-words 2000000

Prints one table per corpus and mode (medians, new / base) and writes the runs as JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import compare_gensim as bench  # noqa: E402
from corpus_stats import RESULTS, measure  # noqa: E402

#: The two sides, in table order.
SIDES = ("base", "new")


def export_revision(revision: str, into: Path) -> Path:
    """The tree of ``revision`` written under ``into`` (no .git: just the files)."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", revision],
        check=True, capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def run_side(tree: Path, corpus: Path, params: dict[str, Any], words: int, simlex: str | None) -> dict:
    """One training run of the w2v_core in ``tree``, in a fresh interpreter."""
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(BENCHMARKS)!r})\n"
        "import compare_gensim as bench\n"
        f"sys.path[:] = [p for p in sys.path if p != {str(REPO)!r}]\n"
        f"sys.path.insert(0, {str(tree)!r})\n"
        "result = bench.in_child(bench.run_engine, 'w2v_core', sys.argv[1], json.loads(sys.argv[2]),"
        " int(sys.argv[3]), True, None, sys.argv[4] or None)\n"
        "import w2v_core\n"
        "result['tree'] = w2v_core.__file__\n"
        "print(json.dumps(bench._jsonable(result)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(corpus), json.dumps(params), str(words), simlex or ""],
        check=True, capture_output=True, text=True, cwd=tree,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


ROWS = (
    ("words_per_second", "words/s (training)", "{:,.0f}"),
    ("peak_above_baseline_mb", "peak memory above baseline (MB)", "{:,.0f}"),
    ("analogy_accuracy", "analogy accuracy (top 30k words)", "{:.2%}"),
    ("wordsim_spearman", "WordSim353 Spearman", "{:.3f}"),
    ("simlex_spearman", "SimLex-999 Spearman", "{:.3f}"),
)


def table(runs: dict[str, list[dict[str, Any]]]) -> str:
    """Markdown: medians per side, and new / base (quality: new - base)."""
    lines = ["| measure (median) | base | new | new vs base |", "|---|---:|---:|---:|"]
    for key, label, fmt in ROWS:
        base, new = (bench._median(runs[s], key) for s in SIDES)
        if key in bench.DIFFERENCES:
            compared = bench._cell(None if base is None or new is None else new - base,
                                   bench.DIFFERENCES[key])
        else:
            compared = bench._cell(bench._ratio(new, base), "{:.3f}x")
        lines.append(f"| {label} | {bench._cell(base, fmt)} | {bench._cell(new, fmt)} | {compared} |")
    pairs = [bench._ratio(n["words_per_second"], b["words_per_second"])
             for b, n in zip(runs["base"], runs["new"])]
    lines.append("| words/s new / base in each pair | | | "
                 + ", ".join(bench._cell(r, "{:.3f}x") for r in pairs) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--corpora", default="a,c", help="as compare_gensim.py's --corpora")
    parser.add_argument("--modes", default="sg,cbow", help="sg and/or cbow")
    parser.add_argument("--pairs", type=int, default=2, help="pairs of runs per corpus and mode")
    parser.add_argument("--max-words", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--output", default=str(RESULTS / "compare_revisions.json"))
    args = parser.parse_args(argv)

    simlex = bench.simlex_path()
    results: dict[str, Any] = {"host": bench.cpu_description(), "base": args.base, "runs": {}}
    print(f"host: {results['host']}")
    with tempfile.TemporaryDirectory(prefix="w2v-base-") as folder:
        trees = {"base": export_revision(args.base, Path(folder)), "new": REPO}
        for name in args.corpora.split(","):
            corpus = bench.corpus_path(name, args.max_words)
            words = measure(bench.LineSentences(corpus)).words
            for mode in args.modes.split(","):
                params = asdict(replace(bench.Params(), cbow=mode == "cbow", epochs=args.epochs))
                runs: dict[str, list[dict[str, Any]]] = {s: [] for s in SIDES}
                for pair, side in bench._alternating(args.pairs, SIDES):
                    run = run_side(trees[side], corpus, params, words, str(simlex) if simlex else None)
                    runs[side].append(run)
                    print(f"  {name} {mode} pair {pair + 1} {side}: {bench._describe(run)}", flush=True)
                results["runs"][f"{name}/{mode}"] = runs
                print(f"\n### corpus {name}, {mode}\n\n{table(runs)}\n", flush=True)
    Path(args.output).write_text(json.dumps(bench._jsonable(results), indent=1))
    print(f"runs written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
