"""The Evaluate pane: analogy accuracy per section and word-pair correlation, in a worker."""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import DataTable, Label, Static
from textual.worker import Worker, WorkerState

from w2v_core.vectors import ANALOGY_METHODS, KeyedVectors

from ..error_text import error_text
from .pane import Pane, PaneTab
from .query_input import QueryInput
from .tables import add_columns


class EvaluatePane(Pane):
    """Runs the bundled analogy and word-pair sets, or files the user names."""

    TAB = PaneTab("evaluate", "Evaluate", "e", "Evaluate pane")
    DEFAULT_CSS = """
    EvaluatePane Horizontal.query-bar {
        margin: 0;
    }
    EvaluatePane .ev-label {
        width: 12;
        padding: 0 1;
        color: $text-muted;
    }
    EvaluatePane #ev-summary {
        margin: 1 0 0 0;
    }
    EvaluatePane #ev-spread {
        display: none;
    }
    """

    APP_STATE = ("vectors", "model")
    BINDINGS = [
        Binding("r", "run", "Run", tooltip="run the evaluation"),
        Binding("x", "toggle_method", "3CosAdd/Mul", tooltip="switch the analogy method 3CosAdd / 3CosMul"),
    ]

    #: the analogy method, "add" (3CosAdd) or "mul" (3CosMul)
    method: reactive[str] = reactive("add", repaint=False, init=False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.running = False

    def compose(self) -> ComposeResult:
        with Horizontal(classes="query-bar"):
            yield Label("analogies ", classes="ev-label")
            yield QueryInput(placeholder="file (empty: bundled questions-words.txt)", id="ev-analogies")
        with Horizontal(classes="query-bar"):
            yield Label("word pairs ", classes="ev-label")
            yield QueryInput(placeholder="file (empty: bundled wordsim353.tsv)", id="ev-pairs")
        yield Static("", id="ev-summary", classes="pane-info")
        yield Static("", id="ev-spread", classes="pane-info")  # an ensemble's figures
        yield DataTable(id="ev-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(
            self.query_one("#ev-table", DataTable),
            [
                ("section", "section", 28),
                ("correct", "correct", 8),
                ("answered", "total", 9),
                ("questions", "questions", 9),
                ("accuracy", "acc", 8),
            ],
        )
        self._summary("Press r (or Enter in a file field) to evaluate.")

    def body(self) -> Widget:
        return self.query_one("#ev-table")

    def _summary(self, text: str) -> None:
        self.query_one("#ev-summary", Static).update(f"method {ANALOGY_METHODS[self.method]} (x) · {text}")

    def on_input_submitted(self, message: QueryInput.Submitted) -> None:
        message.stop()
        self.action_run()

    def watch_method(self) -> None:
        self._summary("press r to evaluate with it.")

    def action_toggle_method(self) -> None:
        """Switch the analogy method between 3CosAdd and 3CosMul."""
        self.method = "mul" if self.method == "add" else "add"

    def action_run(self) -> None:
        """Evaluate the current vectors in a worker."""
        if self.vectors is None:
            self.app.notify("No vectors yet: they appear at the end of the first epoch.", severity="warning")
            return
        if self.running:
            self.app.notify("An evaluation is already running.")
            return
        self.running = True
        table = self.query_one("#ev-table", DataTable)
        table.loading = True
        self._summary("evaluating…")
        files = [self.query_one(f"#ev-{k}", QueryInput).value.strip() or None for k in ("analogies", "pairs")]
        ensemble = self.ensemble
        members = [self.vectors] if ensemble is None else ensemble.vectors
        self._evaluate(members, self.method, *files)

    @work(thread=True, exclusive=True, group="evaluate", exit_on_error=False)
    def _evaluate(
        self, members: list[KeyedVectors], method: str, analogies: str | None, pairs: str | None
    ) -> tuple[Any, Any, Any]:
        """The first model's report, and the figures over an ensemble's models (else None)."""
        from w2v_core.evaluate import ensemble_evaluation

        evaluated = ensemble_evaluation(members, analogies, [pairs] if pairs else None, method=method)
        first = evaluated.reports[0]
        return first.analogies, first.word_pairs[0], evaluated if len(members) > 1 else None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """How the evaluation ended, whatever it raised: the pane never stays 'evaluating…'."""
        if not self.app.is_running:
            return  # cancelled as the app shuts down: its widgets may be gone already
        if event.worker.group != "evaluate" or event.state not in (
            WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED
        ):
            return
        self.running = False
        table = self.query_one("#ev-table", DataTable)
        table.loading = False
        if event.state is WorkerState.CANCELLED:
            self._summary("cancelled.")
        elif event.state is WorkerState.ERROR:
            error = error_text(event.worker.error)
            self.app.notify(error, title="Evaluation failed", severity="error")
            self._summary(f"failed: {error}")
        elif isinstance(event.worker.result, tuple):  # SUCCESS: (analogies, pairs)
            self._show_report(*event.worker.result)

    def _show_report(self, rep: Any, pairs: Any, spread: Any) -> None:
        table = self.query_one("#ev-table", DataTable)
        table.clear()
        rows = [(s.name, s.correct, s.total, s.questions, s.accuracy, "") for s in rep.sections]
        rows.append(("all", rep.correct, rep.total, rep.questions, rep.accuracy, "bold"))
        for name, correct, total, questions, accuracy, style in rows:
            numbers = [str(correct), str(total), str(questions), f"{accuracy:.1%}" if total else "—"]
            table.add_row(Text(name, style=style), *(Text(n, style=style, justify="right") for n in numbers))
        spearman = f"{pairs.spearman:.3f}" if math.isfinite(pairs.spearman) else "—"
        self._summary(
            f"accuracy {rep.accuracy:.1%} · coverage {rep.coverage:.1%}"
            f" · pairs Spearman {spearman} ({pairs.used}/{pairs.pairs}, OOV {pairs.oov_ratio:.0%})"
        )
        over = ""
        if spread is not None:  # the table and the line above: the first model
            accuracy, correlation = spread.spreads[0], spread.spreads[1]
            over = (f"over {len(spread.reports)} models (mean ± sd): accuracy "
                    f"{_figure(accuracy, '.1%')} · Spearman {_figure(correlation, '.3f')}")
        line = self.query_one("#ev-spread", Static)
        line.update(over)
        line.display = bool(over)


def _figure(spread: Any, spec: str) -> str:
    """``5.1% ± 0.3%``: a figure's mean and spread over an ensemble's models."""
    if spread.mean is None:
        return "—"
    return f"{format(spread.mean, spec)} ± {format(spread.std, spec)}"
