"""The Map pane keeps the query and its neighbours on the map: placing, the input, the local view."""

from __future__ import annotations

import pytest
from helpers import ask, notifications, wait_until

from tui.app import W2VApp
from tui.widgets.map import MapPane
from tui.widgets.neighbours import NeighboursPane

SIZE = (80, 24)


async def _open_map(pilot, top_n: int | None = None) -> MapPane:  # noqa: ANN001
    """Show the Map (``m``) and wait until it is computed and has the focus."""
    app, pane = pilot.app, pilot.app.query_one(MapPane)
    if top_n is not None:
        pane.top_n = top_n
    # start-up moves the focus through the tabs and the query input: let it settle first
    await wait_until(pilot, lambda: app.focused is app.pane("neighbours").body())
    await pilot.press("m")
    await wait_until(pilot, lambda: pane.computed_key is not None and pane.pending_key is None)
    await wait_until(pilot, lambda: app.focused is pane.plot)  # keys now reach the map
    return pane


@pytest.mark.parametrize("method", ["tsne", "pca"])
async def test_a_query_outside_the_map_is_placed_and_labelled(model, method: str) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        pane = await _open_map(pilot, top_n=20)  # madrid is word 23, spain 22, rome 21
        if method == "pca":
            await pilot.press("x")
            await wait_until(pilot, lambda: pane.computed_key[1] == "pca" and pane.pending_key is None)
        base, key = pane.base, pane.computed_key
        assert "madrid" not in base.words
        await ask(pilot, "madrid")
        neighbours = [w for w, _ in app.query_one(NeighboursPane).results]
        plot = pane.plot
        await wait_until(pilot, lambda: {"madrid", *neighbours} <= set(plot.data.words))
        assert pane.base is base and pane.computed_key == key  # placed, not recomputed
        assert plot.data.words[: len(base.words)] == base.words
        assert "madrid" in plot.data.placed and "spain" in plot.data.placed
        assert not plot.data.placed & set(base.words)
        assert plot.labelled[0] == "madrid"
        assert "placed" in str(app.query_one("#map-info").content)
        await pilot.press("c")
        assert plot.view.cx == plot.data.coords[plot.data.words.index("madrid"), 0]


async def test_a_query_inside_the_map_places_nothing(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        pane = await _open_map(pilot, top_n=20)
        await ask(pilot, "madrid")
        await wait_until(pilot, lambda: "madrid" in pane.plot.data.placed)
        await ask(pilot, "the")  # word 1: its neighbours are fillers, outside the top 20
        await ask(pilot, "cat")  # word 14; dog, horse, cow are in the top 20 too
        neighbours = [w for w, _ in app.query_one(NeighboursPane).results]
        await wait_until(pilot, lambda: pane.plot.data.query == ["cat"] and pane.placing is None)
        missing = {w for w in neighbours if w not in pane.base.words}
        assert pane.plot.data.placed == missing and "cat" not in pane.plot.data.placed


async def test_the_map_input_shows_the_current_query(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "king -man woman")
        pane = await _open_map(pilot)
        assert pane.query_input().value == "king -man woman"
        await ask(pilot, "paris")
        assert pane.query_input().value == "paris"
        assert pane.plot.data.query == ["paris"]


async def test_neighbourhood_view_maps_the_query_and_its_nearest_words(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        pane = await _open_map(pilot, top_n=20)
        await pilot.press("v")
        assert not pane.local
        await wait_until(pilot, lambda: any("Ask a word first" in m for m in notifications(app)))  # notify posts a message
        await ask(pilot, "cat")
        await pilot.press("v")
        await wait_until(pilot, lambda: pane.computed_key[2:] == ("local", "cat") and pane.pending_key is None)
        assert pane.plot.data.words[0] == "cat"
        assert len(pane.plot.data.words) == len(model.wv)  # 150 neighbours: the whole planted vocabulary
        assert not pane.plot.data.placed
        assert "around cat" in str(app.query_one("#map-info").content)
        await ask(pilot, "madrid")
        await wait_until(pilot, lambda: pane.computed_key[2:] == ("local", "madrid") and pane.pending_key is None)
        assert pane.plot.data.words[0] == "madrid" and pane.plot.labelled[0] == "madrid"
        await pilot.press("v")  # back to the top 20, which lack madrid: placed
        await wait_until(pilot, lambda: pane.computed_key[2] == 20 and "madrid" in pane.plot.data.placed)
        assert not pane.local


@pytest.fixture(scope="module")
def hamlet():  # noqa: ANN201
    """A model of builtin:hamlet (a second or two): the issue's map, whose neighbours crowd."""
    from w2v_core.config import TrainConfig
    from w2v_core.corpus import open_corpus
    from w2v_core.training import train

    return train(open_corpus("builtin:hamlet"), TrainConfig(seed=1, threads=1))


def legible_neighbours(plot: str, legend: str, neighbours: list[str]) -> list[str]:
    """The neighbours a reader can name from the screen: named whole on the map, or numbered
    there (the number once on the map) and the number named in the legend."""
    words_on_map = set(plot.translate({ord(c): " " for c in "·●○◆◇│"}).split())
    legend_lines = {line.strip() for line in legend.splitlines()}
    return [w for n, w in zip("1234567890", neighbours) if w in words_on_map
            or (plot.count(n) == 1 and (f"{n} {w}" in legend_lines or f"{n} {w} ○" in legend_lines))]


async def test_at_80x24_eight_of_the_ten_neighbours_of_king_can_be_read(hamlet) -> None:
    """Issue 24: after builtin:hamlet and `king`, the Map labelled 5 of the 10 neighbours."""
    app = W2VApp(model=hamlet)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.focused is app.pane("neighbours").body())
        await ask(pilot, "king")
        neighbours = [w for w, _ in app.query_one(NeighboursPane).results]
        assert len(neighbours) == 10
        pane = await _open_map(pilot)
        await wait_until(pilot, lambda: pane.placing is None and set(neighbours) <= set(pane.plot.data.words))
        plot = pane.plot.render().plain  # what the plot draws at its size on screen
        legend = str(app.query_one("#map-legend").render()) if app.query("#map-legend") else ""
        legible = legible_neighbours(plot, legend, neighbours)
        assert len(legible) >= 8, (legible, neighbours, plot)
