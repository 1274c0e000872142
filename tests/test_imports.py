"""The engine's modules form no import cycle, and each imports on its own."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "w2v_core"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """Every w2v_core module ``name`` imports anywhere (top level, functions, TYPE_CHECKING).

    Importing ``a.b.c`` also runs the package ``__init__`` files on the way, but those are
    the ordinary parent-before-child order, not a dependency of the module's own code, so
    only the module named is counted.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from . import x` names a submodule when one exists
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_w2v_core():
    # a package's __init__ re-exporting its submodules is not a cycle of the code: leave it
    # out as a target of its own submodules
    graph = {
        name: {t for t in _imports(name, path) if not name.startswith(t + ".")}
        for name, path in MODULES.items()
    }
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.endswith(".__main__")))
def test_each_module_imports_alone_in_a_fresh_interpreter(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                          text=True, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr


def test_every_public_name_resolves_to_its_module():
    import importlib

    import w2v_core

    for name, module in w2v_core._EXPORTS.items():
        value = getattr(w2v_core, name)
        assert value is getattr(importlib.import_module(f"w2v_core.{module}"), name), name



#: Engine modules that load neither scipy.sparse nor what imports it (scipy.sparse imports
#: numpy.testing, which imports argparse).
LIGHT_ENGINE = ("w2v_core", "w2v_core.config", "w2v_core.errors", "w2v_core.analogy",
                "w2v_core.vectors", "w2v_core.evaluate", "w2v_core.model", "w2v_core.corpus",
                "w2v_core.query")


def _imports_argparse(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(a.name == "argparse" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "argparse":
            return True
    return False


def test_the_engine_does_not_import_argparse():
    """Command-line parsing is the front ends' (w2v_core.cli.arguments); the engine only
    describes its options (TrainConfig's field metadata)."""
    engine = {name: path for name, path in MODULES.items()
              if name != "w2v_core.cli" and not name.startswith("w2v_core.cli.")}
    assert "w2v_core.config" in engine
    assert [n for n, p in engine.items() if _imports_argparse(p)] == []
    code = f"import sys, {', '.join(LIGHT_ENGINE)}; print('argparse' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


#: What the TUI's start must not import: scikit-learn alone cost 1.75 s of `import tui.app`
#: (for a stop-word list); scipy, openTSNE and scikit-learn are imported for the Map later, in
#: a worker, after the first frame.
HEAVY_FOR_START = ("sklearn", "scipy", "openTSNE", "nltk")


def test_importing_the_tui_app_imports_no_heavy_library():
    code = ("import sys, tui.app, tui.options; "
            f"print([m for m in {HEAVY_FOR_START!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_shipped_stop_words_are_scikit_learns_list():
    """tui/data/english_stop_words.txt is a verbatim copy of ENGLISH_STOP_WORDS (BSD-3)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from tui.words import ENGLISH_STOP_WORDS as shipped
    from tui.words import STOPWORDS

    assert shipped == ENGLISH_STOP_WORDS
    assert {"the", "thou", "exeunt"} <= STOPWORDS
