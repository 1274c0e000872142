"""Fixtures of the TUI tests (the doubles themselves live in fakes.py)."""

from __future__ import annotations

import asyncio
import inspect

import pytest
from fakes import planted_model, planted_vectors

from w2v_core.model import Model
from w2v_core.vectors import KeyedVectors


@pytest.fixture(scope="session", autouse=True)
def _projection_backend_imported() -> None:
    """Import the 2-D projection's backend before any app runs.

    Measured under load (2 cores, load average ~9): importing scikit-learn inside the map's
    worker thread while an app runs took 28-64 s, against ~1 s for the projection itself
    once imported. Tests wait on the map's state, not on import speed.
    """
    import numpy as np

    from w2v_core.projection import clear_cache, project_2d

    warm = KeyedVectors(["a", "b", "c", "d"], np.eye(4, dtype=np.float32))
    for method in ("pca", "tsne"):
        project_2d(warm, method=method)
    clear_cache()


@pytest.fixture
def kv() -> KeyedVectors:
    return planted_vectors()


@pytest.fixture
def model() -> Model:
    return planted_model()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests with asyncio.run (no async plugin is installed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
