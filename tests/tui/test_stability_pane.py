"""The Neighbours pane on an ensemble (issue 24, part 2): the stability column, ``s`` to
sort by it, the Evaluate pane's spread; a single model shows no column. At 80x24."""

from __future__ import annotations

from fakes import planted_ensemble_model
from helpers import ask, column, evaluate, wait_until
from textual.widgets import DataTable

from tui.app import W2VApp
from w2v_core.stability import by_stability, neighbour_stability

SIZE = (80, 24)


def _keys(table: DataTable) -> list[str]:
    return [str(key.value) for key in table.columns]


async def test_an_ensemble_lists_stability_and_sorts_by_it() -> None:
    model = planted_ensemble_model()
    expected = neighbour_stability(model.ensemble.vectors, "cat", k=10)
    stable_first = by_stability(expected)
    assert [n.word for n in stable_first] != [n.word for n in expected]  # the key changes the order
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "cat")
        table = app.query_one("#nb-table", DataTable)
        assert "stable" in _keys(table) and "sd" in _keys(table)
        assert column(table, "word") == [n.word for n in expected]
        assert column(table, "stable") == [n.share for n in expected]
        assert column(table, "cos") == [f"{n.mean:.3f}" for n in expected]
        assert column(table, "sd") == [f"{n.std:.3f}" for n in expected]
        assert "3 models, by mean cosine" in str(app.query_one("#nb-info").content)
        assert any(b.binding.key == "s" for b in app.active_bindings.values())  # in the footer
        await pilot.press("s")
        await wait_until(pilot, lambda: column(table, "word") == [n.word for n in stable_first])
        counts = [int(share.split("/")[0]) for share in column(table, "stable")]
        assert counts == sorted(counts, reverse=True)
        assert "most stable first" in str(app.query_one("#nb-info").content)
        await pilot.press("s")
        await wait_until(pilot, lambda: column(table, "word") == [n.word for n in expected])


async def test_a_single_model_shows_no_stability_column(model) -> None:
    app = W2VApp(model=model)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "king")
        table = app.query_one("#nb-table", DataTable)
        assert _keys(table) == ["n", "word", "cos", "count", "rank"]
        assert not any(b.binding.key == "s" for b in app.active_bindings.values())
        await pilot.press("s")  # does nothing on one model
        await pilot.pause()
        assert _keys(table) == ["n", "word", "cos", "count", "rank"]


async def test_evaluate_reports_the_spread_over_the_models() -> None:
    app = W2VApp(model=planted_ensemble_model())
    async with app.run_test(size=SIZE) as pilot:
        await evaluate(pilot)
        spread = app.query_one("#ev-spread")
        assert spread.display and "over 3 models (mean ± sd)" in str(spread.content)
        assert "Spearman" in str(spread.content) and "±" in str(spread.content)


async def test_runs_trains_an_ensemble_on_the_dashboard_and_explores_it(planted_file, tmp_path,
                                                                         monkeypatch) -> None:
    """``w2v-tui CORPUS --runs 3``: the dashboard names each run as it trains, the runs are
    saved together to -o, and the explorer shows the stability column."""
    from w2v_core.config import TrainConfig
    from w2v_core.formats import load
    from tui.messages import RunBegun
    from tui.widgets.dashboard import TrainingPane

    out = tmp_path / "ens.npz"
    app = W2VApp(corpus=str(planted_file), config=TrainConfig(dim=8, min_count=1, epochs=2, threads=1),
                 runs=3, output=str(out))
    labels: list[str] = []
    original = TrainingPane.on_run_begun

    def record(pane: TrainingPane, message: RunBegun) -> None:
        original(pane, message)
        labels.append(pane.run_label)

    monkeypatch.setattr(TrainingPane, "on_run_begun", record)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.model is not None and not app.training)
        assert labels == ["run 1/3 · ", "run 2/3 · ", "run 3/3 · "]
        assert str(app.query_one("#train-epoch").content).startswith("run 3/3 · epoch")
        assert len(app.model.ensemble) == 3
        await wait_until(pilot, lambda: out.exists())
        assert len(load(out).ensemble) == 3
        await ask(pilot, "cat")
        table = app.query_one("#nb-table", DataTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        assert "stable" in _keys(table)
        assert all(share.endswith("/3") for share in column(table, "stable"))


def test_runs_takes_no_resume_or_init_and_no_model(tmp_path) -> None:
    import pytest

    from tui.options import resolve
    from w2v_core.errors import UsageError

    assert resolve(["builtin:hamlet", "--runs", "3"]).runs == 3
    assert resolve(["builtin:hamlet", "--runs", "3"]).checkpoints is None  # a member cannot resume
    with pytest.raises(UsageError, match="--runs .* no --init"):
        resolve(["builtin:hamlet", "--runs", "2", "--init", str(tmp_path / "m.npz")])
    with pytest.raises(UsageError, match="--runs"):
        resolve(["--model", str(tmp_path / "m.npz"), "--runs", "2"])
