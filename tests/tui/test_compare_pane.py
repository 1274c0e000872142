"""The Compare pane (issue 24): ``w2v-tui --model A --compare B``, driven by keys at 80x24."""

from __future__ import annotations

import pytest

from helpers import ask, column, notifications, wait_until
from planted import SWAPPED, random_vectors, rotated
from textual.widgets import DataTable, Static, TabbedContent

import w2v_core.formats
from w2v_core.compare import Comparison, IncomparableModelsError
from w2v_core.errors import UsageError
from w2v_core.model import Model
from tui.app import W2VApp
from tui.options import resolve
from tui.panes import PANES
from tui.widgets.compare import HINT, ComparePane

SIZE = (80, 24)


def comparing_app() -> W2VApp:
    a = random_vectors()
    return W2VApp(model=Model(a), model_path="a.npz", comparison=Comparison(a, rotated(a, swap=SWAPPED)))


def info(app: W2VApp) -> str:
    return str(app.query_one("#cmp-info", Static).content)


async def test_opens_on_the_most_changed_words_and_drills_into_one() -> None:
    app = comparing_app()
    async with app.run_test(size=SIZE) as pilot:
        changes = app.query_one("#cmp-changes", DataTable)
        await wait_until(pilot, lambda: changes.row_count > 0)
        assert app.query_one(TabbedContent).active == "compare"
        assert set(column(changes, "word")[:5]) == set(SWAPPED)
        assert all(float(c) > 0.99 for c in column(changes, "cos")[5:])
        assert "400 shared words, all compared" in info(app)
        await wait_until(pilot, lambda: app.focused is changes)
        first = column(changes, "word")[0]
        await pilot.press("enter")
        sides = app.query_one("#cmp-sides", DataTable)
        await wait_until(pilot, lambda: sides.row_count > 0)
        comparison = app.comparison
        in_a, in_b = comparison.neighbours(first, 10)
        assert column(sides, "in_a") == [w for w, _ in in_a]
        assert column(sides, "in_b") == [w for w, _ in in_b]
        assert column(sides, "in_a") != column(sides, "in_b")
        assert info(app).startswith(f"{first}: cosine A↔B ")
        assert app.query_one("#cmp-input").value == first
        # Enter on a neighbour drills into it
        await pilot.press("tab", "down", "enter")
        await wait_until(pilot, lambda: app.query_one(ComparePane).word == in_a[1][0])


async def test_l_lists_the_least_changed_and_back() -> None:
    app = comparing_app()
    async with app.run_test(size=SIZE) as pilot:
        changes = app.query_one("#cmp-changes", DataTable)
        await wait_until(pilot, lambda: changes.row_count > 0 and app.focused is changes)
        await pilot.press("l")
        await wait_until(pilot, lambda: "least changed" in info(app))
        assert column(changes, "cos")[0] == "1.000" and column(changes, "overlap")[0] == "1.00"
        assert not set(column(changes, "word")) & set(SWAPPED)
        await pilot.press("l")
        await wait_until(pilot, lambda: "most changed" in info(app))
        assert set(column(changes, "word")[:5]) == set(SWAPPED)


async def test_a_typed_word_is_shown_and_an_unknown_one_named() -> None:
    app = comparing_app()
    async with app.run_test(size=SIZE) as pilot:
        changes = app.query_one("#cmp-changes", DataTable)
        await wait_until(pilot, lambda: changes.row_count > 0 and app.focused is changes)
        await ask(pilot, "W0200")
        await wait_until(pilot, lambda: app.query_one(ComparePane).word == "w0200")
        assert app.query_one("#cmp-sides", DataTable).row_count == 10
        assert app.focused is changes
        await ask(pilot, "zebra")
        await wait_until(pilot, lambda: any("word not compared" in m and "zebra" in m for m in notifications(app)))
        assert app.query_one(ComparePane).word == "w0200"


async def test_without_a_second_model_the_pane_says_how_to_open_one(model) -> None:
    app = W2VApp(model=model, model_path="planted.npz")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "neighbours"
        await pilot.press("o")
        await wait_until(pilot, lambda: app.query_one(TabbedContent).active == "compare")
        assert info(app) == HINT
        await ask(pilot, "cat")
        await wait_until(pilot, lambda: any("--compare" in m for m in notifications(app)))
        assert app.query_one("#cmp-changes", DataTable).row_count == 0


def test_no_pane_binding_shadows_a_key_that_shows_a_pane() -> None:
    """A pane's own binding wins over the app's while the pane has focus: a pane binding on
    another tab's key (the Map's c, say) would make that tab unreachable from there."""
    tab_keys = {pane.TAB.key for pane in PANES}
    for pane in PANES:
        keys = {k.strip() for b in pane.BINDINGS for k in (b.key if hasattr(b, "key") else b[0]).split(",")}
        assert not keys & tab_keys, (pane.__name__, keys & tab_keys)


def test_compare_option_loads_and_aligns_the_second_model(tmp_path) -> None:
    a = random_vectors()
    w2v_core.formats.save(a, tmp_path / "a.npz")
    w2v_core.formats.save(rotated(a, swap=SWAPPED), tmp_path / "b.txt")
    launch = resolve(["--model", str(tmp_path / "a.npz"), "--compare", str(tmp_path / "b.txt")])
    assert {c.word for c in launch.comparison.most_changed(5)} == set(SWAPPED)
    assert resolve(["--model", str(tmp_path / "a.npz")]).comparison is None
    with pytest.raises(UsageError, match="--compare applies to --model"):
        resolve([str(tmp_path / "corpus.txt"), "--compare", str(tmp_path / "b.txt")])
    w2v_core.formats.save(random_vectors(dim=8), tmp_path / "narrow.npz")
    with pytest.raises(IncomparableModelsError, match="different dimensions"):
        resolve(["--model", str(tmp_path / "a.npz"), "--compare", str(tmp_path / "narrow.npz")])


async def test_b_opens_a_second_model_and_a_bad_file_is_named(tmp_path) -> None:
    a = random_vectors()
    w2v_core.formats.save(rotated(a, swap=SWAPPED), tmp_path / "b.txt")
    (tmp_path / "broken.vec").write_text("2 3\nking 1 2\n")
    app = W2VApp(model=Model(a), model_path="a.npz")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.focused is not None and app.focused is app.active_pane().body())
        await pilot.press("o")
        await wait_until(pilot, lambda: app.focused is app.query_one("#cmp-changes"))
        await pilot.press("b")
        await wait_until(pilot, lambda: app.screen.query("#other-path"))
        app.screen.query_one("#other-path").value = str(tmp_path / "broken.vec")
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("broken.vec" in m for m in notifications(app)))
        assert app.comparison is None and info(app) == HINT
        await pilot.press("b")
        await wait_until(pilot, lambda: app.screen.query("#other-path"))
        app.screen.query_one("#other-path").value = str(tmp_path / "b.txt")
        await pilot.press("enter")
        changes = app.query_one("#cmp-changes", DataTable)
        await wait_until(pilot, lambda: changes.row_count > 0)
        assert set(column(changes, "word")[:5]) == set(SWAPPED)
        assert "400 shared words" in info(app)
        # the shown vectors change (a run's next epoch): the same B is aligned onto them
        first, other = app.comparison, app.comparison.other
        app.vectors = rotated(a, seed=7)
        await wait_until(pilot, lambda: app.comparison is not first)
        assert app.comparison.other is other
        assert {c.word for c in app.comparison.most_changed(5)} == set(SWAPPED)


async def test_the_map_marks_where_the_query_sits_in_the_compared_model() -> None:
    """B is A rotated with five words' vectors moved along: after alignment, a moved word's
    mark in B sits on the word whose vector it took; an unmoved word's mark on itself (PCA
    places exactly)."""
    from tui.widgets.map import MapPane

    app = comparing_app()
    async with app.run_test(size=SIZE) as pilot:
        changes = app.query_one("#cmp-changes", DataTable)
        # start-up moves the focus through the tabs and inputs: let it settle (the list filled)
        await wait_until(pilot, lambda: changes.row_count > 0 and app.focused is changes)
        pane = app.query_one(MapPane)
        pane.method = "pca"
        await pilot.press("m")
        await wait_until(pilot, lambda: pane.computed_key is not None and pane.pending_key is None)
        await wait_until(pilot, lambda: app.focused is pane.plot)  # "/" now opens the map's input
        coords = dict(zip(pane.base.words, pane.base.coords.tolist()))
        spread = float(pane.base.coords.max() - pane.base.coords.min())
        for word, expected in (("w0017", "w0123"), ("w0050", "w0050")):
            await ask(pilot, word)
            await wait_until(pilot, lambda w=word: [c[0] for c in pane.compared] == [w])
            _, x, y, cosine = pane.compared[0]
            assert abs(x - coords[expected][0]) < 0.01 * spread
            assert abs(y - coords[expected][1]) < 0.01 * spread
            assert (cosine > 0.99) == (word == expected)
            assert pane.plot.data.compared == [(word, x, y)]
            assert f"◈[/] {word} in B" in str(app.query_one("#map-legend").content)
        assert f"w0050 in B" in pane.plot.labelled
        app.comparison = None
        await wait_until(pilot, lambda: not pane.compared)
        assert pane.plot.data.compared == [] and "in B" not in str(app.query_one("#map-legend").content)
