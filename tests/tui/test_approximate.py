"""Neighbours of a large vocabulary: approximate by default, said so in the pane, ``x`` for exact.

The thresholds are lowered so that 3,000 words count as large; no timing is asserted.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from helpers import ask, column, wait_until
from textual.widgets import DataTable, Static

import w2v_core.vectors as vectors
from tui.app import W2VApp
from tui.widgets import neighbours
from w2v_core.model import Model
from w2v_core.vectors import KeyedVectors

SIZE = (80, 24)


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> Model:
    """3,000 words of 80 dimensions in clusters of 20 (w0-w19, w20-w39, ...), counted as large."""
    monkeypatch.setattr(vectors, "_APPROX_MIN_WORDS", 1000)
    monkeypatch.setattr(neighbours, "APPROXIMATE_FROM", 2000)
    rng = np.random.default_rng(3)
    data = rng.standard_normal((150, 80))[np.arange(3000) // 20] + 0.8 * rng.standard_normal((3000, 80))
    return Model(KeyedVectors([f"w{i}" for i in range(3000)], data.astype(np.float32)))


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``approximate`` argument of each query that passes one (the Neighbours pane's: the
    dashboard's probe words ask exact neighbours without it)."""
    asked: list[bool] = []
    original = KeyedVectors.most_similar

    def spy(self: KeyedVectors, *args: object, **kwargs: object) -> object:
        if "approximate" in kwargs:
            asked.append(bool(kwargs["approximate"]))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(KeyedVectors, "most_similar", spy)
    return asked


def info(app: W2VApp) -> str:
    return str(app.query_one("#nb-info", Static).content)


def footer_keys(app: W2VApp) -> set[str]:
    """Keys the footer shows now (bindings whose check_action says True)."""
    return {key for key, (_, binding, enabled, _) in app.screen.active_bindings.items() if binding.show and enabled}


async def test_large_vocabulary_lists_approximate_neighbours_and_says_so(large, searches) -> None:
    exact = [w for w, _ in large.wv.most_similar("w45")]
    searches.clear()
    app = W2VApp(model=large)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "≈ approximate" in info(app))  # before the first query too
        await wait_until(pilot, lambda: large.wv.approximate_ready)  # built in the background
        await ask(pilot, "w45")
        table = app.query_one("#nb-table", DataTable)
        assert searches == [True]
        assert "≈ approximate (x: exact)" in info(app)
        approximate = column(table, "word")
        assert len(approximate) == 10 and {int(w[1:]) // 20 for w in approximate} == {2}
        await wait_until(pilot, lambda: "x" in footer_keys(app))
        await pilot.press("x")
        await wait_until(pilot, lambda: info(app).startswith("exact (x: ≈)"))
        assert searches == [True, False]
        assert column(table, "word") == exact == approximate  # the same on planted clusters
        await pilot.press("x")
        await wait_until(pilot, lambda: "≈ approximate" in info(app))
        assert searches == [True, False, True]


async def test_queries_stay_exact_until_the_projection_is_built_then_go_approximate(
    large, searches, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The UI thread never builds the projection (1-2 s at a million words): until the
    background worker has built it, the pane answers exactly and says so."""
    built = threading.Event()
    original = KeyedVectors.prepare_approximate

    def held_back(self: KeyedVectors) -> None:
        built.wait()
        original(self)

    monkeypatch.setattr(KeyedVectors, "prepare_approximate", held_back)
    searches.clear()
    app = W2VApp(model=large)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ask(pilot, "w45")
            assert searches == [False] and not large.wv.approximate_ready
            assert info(app).startswith("exact until ≈ is ready")
            exact = column(app.query_one("#nb-table", DataTable), "word")
            built.set()
            await wait_until(pilot, lambda: "≈ approximate (x: exact)" in info(app))
            assert searches == [False, True]
            assert column(app.query_one("#nb-table", DataTable), "word") == exact
    finally:
        built.set()


async def test_large_vocabulary_prepares_the_projection_in_the_background(large) -> None:
    app = W2VApp(model=large)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "_projection" in large.wv.__dict__)


async def test_small_vocabulary_is_exact_and_unchanged(model, searches) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "cat")
        assert searches == [False]
        assert info(app) == "top 10 · history 1/1"
        assert "x" not in footer_keys(app) and "left_square_bracket" in footer_keys(app)
        await pilot.press("x")  # does nothing here
        await pilot.pause()
        assert searches == [False] and info(app) == "top 10 · history 1/1"
        assert "_projection" not in model.wv.__dict__
