"""Fixtures of the TUI tests (the doubles themselves live in fakes.py)."""

from __future__ import annotations

import asyncio
import inspect

import pytest
from fakes import planted_model, planted_vectors

from w2v_core.model import Model
from w2v_core.vectors import KeyedVectors


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
