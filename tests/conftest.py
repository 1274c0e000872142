"""Shared fixtures: small corpora with planted structure, paths to shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

from planted import SHARED_NLTK, planted_sentences


@pytest.fixture(autouse=True)
def state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Checkpoints of runs without -o go to $XDG_STATE_HOME: a temporary one, never ~/.local."""
    path = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("XDG_STATE_HOME", str(path))
    return path


@pytest.fixture
def planted() -> list[list[str]]:
    return planted_sentences()


@pytest.fixture
def planted_file(tmp_path: Path) -> Path:
    """The planted corpus written as a text file, one sentence per line."""
    path = tmp_path / "planted.txt"
    path.write_text("\n".join(" ".join(s) + "." for s in planted_sentences()) + "\n")
    return path


@pytest.fixture
def nltk_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point NLTK at ../shared/nltk_data, or skip when it is absent."""
    if not SHARED_NLTK.is_dir():
        pytest.skip("../shared/nltk_data is not present")
    import nltk.data

    monkeypatch.setenv("NLTK_DATA", str(SHARED_NLTK))
    monkeypatch.setattr(nltk.data, "path", [str(SHARED_NLTK)])
    return SHARED_NLTK
