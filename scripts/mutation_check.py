"""Plant known bugs one at a time in a copy of the repository and check that tests catch each.

Each bug is an exact text substitution in one source file (issue 10's list, plus missing
subsampling). For each, the script copies the working tree to a temporary directory, plants
the bug, runs the test files relevant to it there, and reports which tests failed. A bug
whose tests all pass is *missed*; a bug whose target text is no longer in the file (the code
changed) is reported as *target not found*, never as caught. Before planting anything, the
same tests run once on the unmodified copy: they must pass, or the check means nothing.

Usage::

    python scripts/mutation_check.py            # every bug
    python scripts/mutation_check.py --list     # the bugs and their tests
    python scripts/mutation_check.py --bug noise-power --bug fixed-window

Exit status: 0 when every bug is caught, 1 when one is missed or not found, 2 when the
baseline fails.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TRAINING_TESTS = ("tests/test_reference_sgns.py", "tests/test_sampling_stats.py", "tests/test_trainer.py")
COMPARE_TESTS = ("tests/test_compare.py", "tests/test_cli_compare.py")


@dataclass(frozen=True)
class Bug:
    name: str
    description: str
    path: str  #: file to change, relative to the repository
    old: str  #: exact text to replace (must occur exactly once)
    new: str
    tests: tuple[str, ...]  #: test files to run, relative to the repository


BUGS = (
    Bug(
        "noise-power",
        "the trainer draws noise from counts^1.0 instead of counts^0.75",
        "w2v_core/training/trainer.py",
        "vocab.noise_distribution(0.75)",
        "vocab.noise_distribution(1.0)",
        TRAINING_TESTS,
    ),
    Bug(
        "fixed-window",
        "the reduced window always equals the maximum window",
        "w2v_core/training/sampling.py",
        "return rng.integers(1, window + 1, size=n)",
        "return np.full(n, window)",
        TRAINING_TESTS,
    ),
    Bug(
        "alpha-not-applied",
        "the decayed learning rate is reported, but config.alpha reaches step",
        "w2v_core/training/trainer.py",
        "loss = objective.step(worker, batch, noise, alpha)",
        "loss = objective.step(worker, batch, noise, config.alpha)",
        TRAINING_TESTS,
    ),
    Bug(
        "no-subsampling",
        "subsampling is silently off (every word kept)",
        "w2v_core/training/trainer.py",
        "keep = vocab.keep_probabilities(config.sample)",
        "keep = vocab.keep_probabilities(0.0)",
        TRAINING_TESTS,
    ),
    Bug(
        "quit-asks",
        "quitting a loaded, saved model asks for confirmation",
        "tui/app.py",
        "        elif self.dirty:\n",
        "        elif True:\n",
        ("tests/tui/test_explorer.py",),
    ),
    Bug(
        "tsne-is-pca",
        "t-SNE silently returns PCA",
        "w2v_core/projection.py",
        'fit = _fit_pca if method == "pca" else _fit_tsne',
        "fit = _fit_pca",
        ("tests/test_projection.py", "tests/test_projection_quality.py"),
    ),
    Bug(
        "procrustes-transposed",
        "compare aligns B with the inverse of the best rotation",
        "w2v_core/compare.py",
        "    return u @ vt",
        "    return (u @ vt).T",
        COMPARE_TESTS,
    ),
    Bug(
        "neighbour-self",
        "compare counts a word among its own neighbours",
        "w2v_core/compare.py",
        "        sims[rows, start + rows] = -np.inf  # a word is not its own neighbour\n",
        "",
        COMPARE_TESTS,
    ),
    Bug(
        "most-changed-reversed",
        "compare ranks the most aligned words as the most changed",
        "w2v_core/compare.py",
        "return sorted(self.changes, key=lambda c: (c.cosine, c.overlap))",
        "return sorted(self.changes, key=lambda c: (-c.cosine, c.overlap))",
        COMPARE_TESTS,
    ),
)

_FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+?)(?: - .*)?$", re.MULTILINE)


def copy_repo(destination: Path) -> Path:
    """Copy the working tree (not .git, caches or virtual environments)."""
    target = destination / "repo"
    ignore = shutil.ignore_patterns(
        ".git", "__pycache__", "*.egg-info", ".pytest_cache", ".venv", "venv*", "*.npz.tmp*"
    )
    shutil.copytree(REPO, target, ignore=ignore)
    return target


def run_tests(root: Path, tests: tuple[str, ...]) -> tuple[int, list[str], str]:
    """Run pytest on ``tests`` in ``root``; return (exit code, failed test ids, output tail)."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    env.setdefault("NLTK_DATA", str(REPO.parent / "shared" / "nltk_data"))
    command = [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", *tests]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=1800)
    output = done.stdout + done.stderr
    return done.returncode, sorted(set(_FAILED.findall(output))), output[-3000:]


def check_imports(root: Path) -> None:
    """Make sure the tests in the copy import the copy, not the installed package."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    code = "import w2v_core, tui; print(w2v_core.__file__); print(tui.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    for path in out:
        if not Path(path).resolve().is_relative_to(root.resolve()):
            sys.exit(f"mutation_check: the copy imports {path}, not its own code; aborting")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bug", action="append", choices=[b.name for b in BUGS],
                        help="check only this bug (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the bugs and exit")
    args = parser.parse_args(argv)
    bugs = [b for b in BUGS if not args.bug or b.name in args.bug]
    if args.list:
        for bug in bugs:
            print(f"{bug.name:18} {bug.path:24} {bug.description}\n{'':18} tests: {' '.join(bug.tests)}")
        return 0

    with tempfile.TemporaryDirectory(prefix="mutation-check-") as tmp:
        root = copy_repo(Path(tmp))
        check_imports(root)
        # one pytest run per group of test files, as for the bugs
        for tests in dict.fromkeys(b.tests for b in bugs):
            print(f"baseline: {' '.join(tests)}", flush=True)
            code, failed, tail = run_tests(root, tests)
            if code != 0:
                print(tail)
                print(f"baseline FAILED ({', '.join(failed) or f'exit {code}'}): fix the tests first")
                return 2
        rows = []
        for bug in bugs:
            source = root / bug.path
            original = source.read_text(encoding="utf-8")
            occurrences = original.count(bug.old)
            if occurrences != 1:
                status = "target not found" if occurrences == 0 else f"target found {occurrences} times"
                rows.append((bug, status, []))
                print(f"{bug.name}: {status} in {bug.path}: {bug.old.strip()!r}", flush=True)
                continue
            source.write_text(original.replace(bug.old, bug.new), encoding="utf-8")
            started = time.monotonic()
            try:
                code, failed, tail = run_tests(root, bug.tests)
            finally:
                source.write_text(original, encoding="utf-8")
            caught = code != 0 and bool(failed)
            status = "caught" if caught else ("missed" if code == 0 else f"unclear (pytest exit {code})")
            rows.append((bug, status, failed))
            print(f"{bug.name}: {status} in {time.monotonic() - started:.0f} s", flush=True)
            if not caught and code != 0:
                print(tail)

    print("\n| planted bug | where | result | tests that fail |")
    print("|---|---|---|---|")
    for bug, status, failed in rows:
        tests = "<br>".join(f"`{t}`" for t in failed) or "-"
        print(f"| {bug.description} | `{bug.path}` | {status} | {tests} |")
    return 0 if all(status == "caught" for _, status, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
