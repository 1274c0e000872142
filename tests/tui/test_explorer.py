"""The explorer panes, driven by keys at 80x24 on a hand-built model."""

from __future__ import annotations

import pytest

from helpers import ask, column, evaluate, notifications, settled, wait_until
from textual.widgets import DataTable, TabbedContent

from tui.app import W2VApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen
from tui.widgets.map import MapPane
from tui.widgets.neighbours import NeighboursPane

SIZE = (80, 24)


async def test_opens_on_neighbours_with_a_loaded_model(model) -> None:
    app = W2VApp(model=model, model_path="planted.npz")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "neighbours"
        assert "planted.npz" in str(app.query_one("#status").content)


async def test_neighbours_of_a_word(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "cat")
        table = app.query_one("#nb-table", DataTable)
        assert set(column(table, "word")[:3]) == {"dog", "horse", "cow"}
        assert column(table, "n")[:2] == ["1", "2"]
        assert float(column(table, "cos")[0]) > 0.8
        assert column(table, "count")[0] != "—"
        assert app.focused is table  # Enter leaves the input for the results


async def test_signed_query(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "king -man +woman")
        assert column(app.query_one("#nb-table", DataTable), "word")[0] == "queen"


async def test_unknown_and_empty_queries_notify(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "kingg")
        await wait_until(pilot, lambda: any("not in vocabulary" in m and "king" in m for m in notifications(app)))  # notify posts a message
        await ask(pilot, "")
        await wait_until(pilot, lambda: any("Type a word" in m for m in notifications(app)))  # notify posts a message
        assert app.query_one("#nb-table", DataTable).row_count == 0


async def test_completion_from_the_vocabulary(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"king -wom")
        await pilot.pause()
        await pilot.press("right")  # accept the suggestion
        assert app.focused.value == "king -woman"  # type: ignore[union-attr]


async def test_drill_down_back_and_forward(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(NeighboursPane)
        await ask(pilot, "king")
        second = column(app.query_one("#nb-table", DataTable), "word")[1]
        await pilot.press("down", "enter")
        assert pane.current == second
        assert str(pane.history) == "2/2"
        await pilot.press("left_square_bracket")
        assert pane.current == "king"
        await pilot.press("right_square_bracket")
        assert pane.current == second


async def test_top_k_keys(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "king")
        table = app.query_one("#nb-table", DataTable)
        assert table.row_count == 10
        await pilot.press("plus")
        assert table.row_count == 15
        await pilot.press("minus", "minus")
        assert table.row_count == 5


async def test_analogy(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("slash", *"man", "enter", *"king", "enter", *"woman", "enter")
        await pilot.pause()
        table = app.query_one("#an-table", DataTable)
        assert column(table, "word")[0] == "queen"
        await pilot.press("x")  # 3CosMul
        assert column(table, "word")[0] == "queen"
        assert "3CosMul" in str(app.query_one("#an-info").content)


async def test_analogy_with_unknown_word_notifies(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("slash", *"man", "enter", *"kingx", "enter", *"woman", "enter")
        await pilot.pause()
        await wait_until(pilot, lambda: any("not in vocabulary" in m for m in notifications(app)))  # notify posts a message


async def test_map_labels_the_query_and_its_neighbours(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "cat")
        await pilot.press("m")
        pane = app.query_one(MapPane)
        await wait_until(pilot, lambda: pane.computed_key is not None)
        await pilot.pause()
        plot = pane.plot
        assert not plot.loading
        assert plot.labelled[0] == "cat"
        assert plot.data.query == ["cat"] and {"dog", "horse", "cow"} <= set(plot.data.neighbours)
        assert len(plot.labelled) >= 3  # labels that would overlap are left out
        assert len(plot.data.words) == len(model.wv)  # fewer words than top_n: all mapped
        view = (plot.view.cx, plot.view.half_w)
        await pilot.press("plus")
        assert plot.view.half_w < view[1]
        await pilot.press("l", "right")
        assert plot.view.cx > view[0]
        await pilot.press("0")
        assert (plot.view.cx, plot.view.half_w) == view
        await pilot.press("c")
        assert plot.view.cx == plot.data.coords[plot.data.words.index("cat"), 0]


async def test_map_input_recentres_and_pca_toggle(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # start-up moves the focus through the tabs: let it settle first
        await pilot.press("m")
        pane = app.query_one(MapPane)
        await wait_until(pilot, lambda: pane.computed_key is not None)
        await pilot.pause()
        await ask(pilot, "paris")
        assert pane.plot.labelled[0] == "paris"
        assert app.query_one(NeighboursPane).current == "paris"
        await wait_until(pilot, lambda: app.focused is pane.plot)  # keys now reach the map
        await pilot.press("x")
        assert pane.method == "pca"
        await wait_until(pilot, lambda: pane.computed_key is not None and pane.computed_key[1] == "pca")
        assert "PCA" in str(app.query_one("#map-info").content)


async def test_evaluate_bundled_sets(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        summary = await evaluate(pilot)
        assert "coverage" in summary and "Spearman" in summary
        assert app.query_one("#ev-table", DataTable).row_count > 1


async def test_evaluate_user_files_and_a_bad_file(model, tmp_path) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text(": royals\nman king woman queen\nboy prince girl princess\n: capitals\nfrance paris italy rome\n")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("cat\tdog\t9\nking\tqueen\t8\ncat\tparis\t1\nman\tboy\t6\n")
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("slash", *str(questions), "tab", *str(pairs), "enter")
        pane = app.query_one("#evaluate-pane")
        table = app.query_one("#ev-table", DataTable)
        await wait_until(pilot, lambda: not pane.running and table.row_count > 0)
        assert column(table, "section") == ["royals", "capitals", "all"]
        assert column(table, "questions") == ["2", "1", "3"]
        await pilot.press("slash")
        app.focused.value = str(tmp_path / "missing.txt")  # type: ignore[union-attr]
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("missing.txt" in m for m in notifications(app)))
        assert not pane.running


async def test_help_screen_and_command_palette(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        keys = column(table, "key")
        assert {"t", "n", "a", "m", "e", "/", "?", "q", "^s"} - set(keys) == {"^s"}  # ctrl+s spelled below
        assert "ctrl+s" in keys and "[ / Alt+←" in keys
        # nothing cut off at 80 columns: long descriptions wrap, nothing scrolls sideways
        rows = app.screen.rows
        assert [" ".join(str(text).split()) for text in column(table, "does")] == [r[2] for r in rows]
        await wait_until(pilot, lambda: table.virtual_size.width <= table.scrollable_content_region.width)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Map: Zoom in", "Neighbours: Back", "Training: Pause", "Evaluate: Run", "Save", "Quit"):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CommandPalette"


async def test_palette_command_switches_pane_and_runs(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Analogies: 3CosAdd/Mul")
        await command.callback()
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "analogies"
        assert app.query_one("#analogies-pane").method == "mul"


async def test_quit_loaded_model_without_asking(model) -> None:
    app = W2VApp(model=model, model_path="m.npz")
    pushed: list[object] = []
    async with app.run_test(size=SIZE) as pilot:
        real_push_screen = app.push_screen

        def push_screen(screen, *args, **kwargs):
            pushed.append(screen)
            return real_push_screen(screen, *args, **kwargs)

        app.push_screen = push_screen  # type: ignore[method-assign]
        assert app.return_code is None and not app.dirty
        await pilot.press("q")
        await wait_until(pilot, lambda: app.return_code is not None or bool(pushed))
        assert not any(isinstance(screen, ConfirmScreen) for screen in pushed)
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.return_code == 0
    assert not app.is_running


async def test_odd_one_out_with_each_words_cosine_to_the_mean(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        app.query_one("#odd-input").focus()
        await pilot.press(*"cat dog paris horse", "enter")
        await pilot.pause()
        table = app.query_one("#an-table", DataTable)
        assert column(table, "word")[0] == "paris" == model.wv.doesnt_match(["cat", "dog", "paris", "horse"])
        scores = [float(s) for s in column(table, "score")]
        assert scores == sorted(scores) and len(scores) == 4
        expected = model.wv.cosines_to_mean(["cat", "dog", "paris", "horse"])
        assert column(table, "word") == [w for w, _ in expected]
        assert scores == pytest.approx([c for _, c in expected], abs=6e-3)  # as printed
        assert "odd one out: paris" in str(app.query_one("#an-info").content)


async def test_a_loaded_model_shows_its_separation(model) -> None:
    from w2v_core.diagnostics import separation

    app = W2VApp(model=model, model_path="planted.npz")
    async with app.run_test(size=SIZE) as pilot:
        health = app.query_one("#train-health")
        await wait_until(pilot, lambda: "loaded" in str(health.content))
        assert f"random-pair cosine {separation(model.wv):.3f} (loaded)" in str(health.content)


async def test_map_backends_are_imported_in_the_background_at_start(model, monkeypatch) -> None:
    import threading

    calls: list[str] = []
    monkeypatch.setattr("w2v_core.projection.import_backends",
                        lambda: calls.append(threading.current_thread().name))
    app = W2VApp(model=model, model_path="m.npz")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(calls))
        assert calls[0] != threading.main_thread().name  # not on the UI thread
