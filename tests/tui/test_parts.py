"""Small parts of the TUI that need no running app."""

from __future__ import annotations

import asyncio

import pytest
from textual.binding import Binding

from tui.keys import key_display, key_rows, markdown_table
from tui.training import LossHistory
from tui.widgets.neighbours import QueryHistory
from tui.widgets.pane import Pane
from tui.widgets.plots import View, thin
from tui.widgets.query_input import VocabSuggester
from tui.words import default_probes


def test_thin_keeps_short_series_and_averages_long_ones() -> None:
    assert thin([1, 2], [3, 4]) == ([1, 2], [3, 4])
    # 10 points into buckets of ceil(10 / 3) = 4, then the ragged tail of 2
    x, y = thin(list(range(10)), [float(i * i) for i in range(10)], max_points=3)
    assert x == [1.5, 5.5, 8.5]
    assert y == [(0 + 1 + 4 + 9) / 4, (16 + 25 + 36 + 49) / 4, (64 + 81) / 2]


def test_thin_averages_a_long_series_bucket_by_bucket() -> None:
    n = 10_001
    xs = [i / 10 for i in range(n)]
    ys = [(-1) ** i * 100 + i for i in range(n)]  # alternating: averaging removes the swing
    x, y = thin(xs, ys, max_points=1000)
    assert 900 <= len(x) <= 1001 and len(x) == len(y)
    bucket = 11  # ceil(10_001 / 1000)
    for k in (0, 1, 500, len(x) - 2):
        members = range(k * bucket, (k + 1) * bucket)
        assert x[k] == pytest.approx(sum(xs[i] for i in members) / bucket)
        assert y[k] == pytest.approx(sum(ys[i] for i in members) / bucket)
    assert x[-1] == pytest.approx((xs[-2] + xs[-1]) / 2)  # the tail reaches the latest point
    assert y[-1] == pytest.approx((ys[-2] + ys[-1]) / 2)


def test_loss_history_skips_nan() -> None:
    history = LossHistory()
    history.append(0.1, 2.0)
    history.append(0.2, float("nan"))
    assert history.snapshot() == ([0.1], [2.0])


def test_query_history_is_browser_like() -> None:
    h = QueryHistory()
    for q in ("a", "b", "c"):
        h.push(q)
    assert h.back() == "b" and h.back() == "a" and h.back() is None
    h.push("d")
    assert h.items == ["a", "d"] and h.forward() is None and str(h) == "2/2"


def test_default_probes_skip_stopwords(kv) -> None:
    assert default_probes(kv, 3) == ["king", "queen", "prince"]


def test_suggester_completes_the_last_term(kv) -> None:
    pane = Pane()
    pane.vectors = kv
    suggest = VocabSuggester(pane).get_suggestion
    assert asyncio.run(suggest("king -wom")) == "king -woman"
    assert asyncio.run(suggest("pri")) == "prince"
    assert asyncio.run(suggest("king ")) is None
    assert asyncio.run(suggest("zzz")) is None


def test_view_fit_covers_all_points() -> None:
    import numpy as np

    view = View.fit(np.array([[0.0, 0.0], [2.0, 4.0]]))
    x0, x1, y0, y1 = view.bounds
    assert x0 < 0 < 2 < x1 and y0 < 0 < 4 < y1


def test_key_table() -> None:
    from tui.app import W2VApp

    assert key_display("left_square_bracket,alt+left") == "[ / Alt+←"
    table = markdown_table(key_rows(W2VApp.binding_sections()))
    assert "| Map | `+ / =` | zoom in |" in table


def test_every_pane_declares_its_tab_and_the_app_builds_its_key() -> None:
    from tui.app import W2VApp
    from tui.panes import PANES
    from tui.widgets.pane import PaneTab

    tabs = [pane.TAB for pane in PANES]
    assert len({t.id for t in tabs}) == len({t.key for t in tabs}) == len(tabs)
    actions = {b.key: b.action for b in W2VApp.BINDINGS if isinstance(b, Binding)}
    assert all(actions[t.key] == f"show_pane('{t.id}')" for t in tabs)
    assert [s[0] for s in W2VApp.binding_sections()] == ["Everywhere"] + [t.label for t in tabs]
    assert PaneTab("x", "Neighbours", "n", "").markup == "[u]N[/u]eighbours"
