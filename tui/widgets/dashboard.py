"""The training dashboard pane: progress, speed, learning rate, the loss curve, probe words.

The pane follows a training run from the run's messages (:mod:`tui.messages`: the bridge,
the checkpoint writer and the run's worker post them here) and the app's ``training``,
``paused``, ``stopping`` and ``snapshot_epoch`` state, bound to its reactives. An epoch's end
and the run's end bubble on to the app: the pane keeps them and shows them when the app takes
them up (``snapshot_epoch`` and ``training`` change), so the two never disagree on screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import DataTable, Label, ProgressBar, Static

from w2v_core.callbacks import TrainingEvent
from w2v_core.diagnostics import is_collapsed
from w2v_core.errors import W2VError
from w2v_core.units import bound_notice, format_duration, reading_text
from w2v_core.vectors import KeyedVectors

from ..messages import (
    EpochEnded,
    ModelOpened,
    ReadingReport,
    RunBegun,
    SeparationMeasured,
    TrainingFailed,
    TrainingFinished,
    TrainingProgress,
    TrainingReading,
    TrainingStarted,
)
from ..training import LossHistory
from ..words import default_probes
from .pane import Pane, PaneTab
from .plots import LossPlot
from .query_input import QueryInput

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.config import TrainConfig

    from ..output_meter import OutputMeter


def fmt_count(n: float) -> str:
    """1234 -> '1,234'; 1234567 -> '1.23M'."""
    if n >= 10_000_000:
        return f"{n / 1e6:.1f}M"
    if n >= 1_000_000:
        return f"{n / 1e6:.2f}M"
    return f"{int(n):,}"


def fmt_config(config: "TrainConfig") -> str:
    """The parameters that matter at a glance."""
    model = "cbow " if config.cbow else ""
    phrases = f" phrases {config.phrases}" if config.phrases else ""
    return (
        f"{model}dim {config.dim} win {config.window} neg {config.negative} min {config.min_count}"
        f"{phrases}"
    )


class TrainingPane(Pane):
    """What training is doing now, and what the vectors look like after each epoch."""

    TAB = PaneTab("training", "Training", "t", "training dashboard")
    APP_STATE = ("vectors", "training", "paused", "stopping", "snapshot_epoch")

    DEFAULT_CSS = """
    TrainingPane #train-title {
        height: auto;
        max-height: 2;
        padding: 0 1;
    }
    TrainingPane #train-progress-row {
        height: 1;
        padding: 0 1;
    }
    TrainingPane #train-progress {
        width: 1fr;
    }
    TrainingPane #train-progress Bar {
        width: 1fr;
    }
    TrainingPane #train-epoch {
        width: auto;
        padding: 0 1;
    }
    TrainingPane #train-state {
        width: auto;
        padding: 0 1;
        text-style: bold;
    }
    TrainingPane #train-state.state-busy { color: $text-accent; }
    TrainingPane #train-state.state-paused { color: $text-warning; }
    TrainingPane #train-state.state-stopped { color: $text-warning; }
    TrainingPane #train-state.state-done { color: $text-success; }
    TrainingPane #train-state.state-failed { color: $text-error; }
    TrainingPane #train-stats {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    TrainingPane #train-health {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    TrainingPane #train-health.-collapsed {
        color: $text-warning;
    }
    TrainingPane #probe-bar {
        height: 1;
    }
    TrainingPane #probe-label {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    TrainingPane #probe-table {
        height: auto;
        max-height: 6;
        scrollbar-size-horizontal: 0;
    }
    """

    BINDINGS = [
        Binding("p", "app.pause", "Pause", tooltip="pause / resume training"),
        Binding("s", "app.stop", "Stop", tooltip="stop training, keep the model so far"),
        Binding("r", "refresh_probes", "Probes", tooltip="refresh the probe words' neighbours"),
    ]

    probe_count = 4
    probe_neighbours = 5
    #: While training, the bar moves at most every ``bar_every`` reports and the probe table is
    #: refilled (an epoch's end) at most every ``probes_every``: at the engine's five reports a
    #: second, once a second and every three seconds. Counted in reports, not seconds, so the
    #: bytes a report sends are bounded however fast epochs go (benchmarks/README.md).
    bar_every = 5
    probes_every = 15
    #: whether training runs (bound to the app's, as are the two below)
    training: reactive[bool] = reactive(False, repaint=False, init=False)
    #: training is paused
    paused: reactive[bool] = reactive(False, repaint=False, init=False)
    #: a stop was asked; training ends at its next report
    stopping: reactive[bool] = reactive(False, repaint=False, init=False)
    #: the epoch whose snapshot the pane shows (0: none yet)
    snapshot_epoch: reactive[int] = reactive(0, repaint=False, init=False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history = LossHistory()  #: the loss curve, recorded by the training run's bridge
        self.probes: list[str] = []
        self.probes_edited = False
        self.epochs = 0
        self.snapshot_label = ""  #: where the probe vectors come from: "epoch 2", "now"
        self.live_snapshot: Callable[[], KeyedVectors] | None = None
        self._epoch_ended: EpochEnded | None = None  #: shown when the app takes its snapshot
        self._ended: TrainingFinished | TrainingFailed | None = None  #: shown when training stops
        self.reading = False  #: the corpus is being read (before the first update)
        self.first_report = False  #: the next reading report is the reading phase's first
        self._reports = 0  #: progress reports shown
        self._bar_moved: int | None = None  #: the report at which the bar last moved
        self._probes_shown: int | None = None  #: the report at which the probe table was filled
        self.title_text = ""  #: the corpus and settings, as training was asked for
        self.run_label = ""  #: which run of an ensemble trains (``--runs``): "run 2/3 · "

    def compose(self) -> ComposeResult:
        yield Static("No training in this session.", id="train-title")
        with Horizontal(id="train-progress-row"):
            yield ProgressBar(total=None, show_eta=False, id="train-progress")
            yield Static("", id="train-epoch")
            yield Static("", id="train-state")
        yield Static("", id="train-stats")
        yield Static("", id="train-health")
        yield LossPlot(self.history.snapshot, id="train-loss")
        with Horizontal(id="probe-bar"):
            yield Label("Probes ", id="probe-label")
            yield QueryInput(placeholder="probe words, e.g. king love night", id="probe-input")
        yield DataTable(id="probe-table", show_cursor=False, zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#probe-table", DataTable)
        table.add_column("probe", key="probe", width=12)
        table.add_column("nearest neighbours (cosine)", key="nn")
        table.can_focus = True

    def body(self) -> Widget:
        return self.query_one("#probe-table")

    # ------------------------------------------------------------- state updates
    # Reports of a training run arrive at any moment, also while the app shuts down and its
    # widgets are being removed: then they are dropped (is_running is False from the start of
    # the shutdown). Those that bubble on to the app (epoch, end) are not stopped here.
    def _set_state(self, text: str, variant: str) -> None:
        self._show_text("#train-state", text)
        self.query_one("#train-state", Static).set_classes(f"state-{variant}")

    def on_training_reading(self, message: TrainingReading) -> None:
        """Training was asked for: the corpus is being read and the vocabulary built."""
        if not self.app.is_running:
            return
        self.title_text = f"[b]{escape(message.corpus)}[/] · {fmt_config(message.config)}"
        self.query_one("#train-title", Static).update(self.title_text)
        self.epochs = message.config.epochs or 0
        self._set_state("reading corpus…", "busy")
        self.reading = True
        self.query_one("#train-stats", Static).update("Reading the corpus and building the vocabulary…")
        # a bar with a total until the first report gives the corpus's bytes: an indeterminate
        # one animates, and its frames spent the whole byte budget (--max-terminal-rate), so
        # that no reading report was ever drawn on a real terminal
        self.query_one("#train-progress", ProgressBar).update(total=1, progress=0)
        self.first_report = True

    def _may_redraw(self) -> bool:
        """Whether a redraw that can wait fits the terminal's byte budget now
        (:mod:`tui.output_meter`; an app without a meter has no budget)."""
        meter = self._output_meter()
        return meter is None or meter.allows()

    def _output_meter(self) -> OutputMeter | None:
        """The app's terminal byte budget (:mod:`tui.output_meter`); None: no budget."""
        return getattr(self.app, "output_meter", None)

    def on_reading_report(self, message: ReadingReport) -> None:
        """How far reading the corpus has come: the bar shows the share of its bytes, then
        (``--phrases``) the share of joining phrases done."""
        progress = message.progress
        if self.app.is_running and self.reading and (
                progress.done or self.first_report or self._may_redraw()):
            bar = self.query_one("#train-progress", ProgressBar)
            if progress.phrases is not None and not progress.done:
                bar.update(total=1000, progress=round(1000 * progress.phrases))
                self._set_state("joining phrases…", "busy")
            elif progress.bytes_total:
                bar.update(total=progress.bytes_total, progress=progress.bytes_read)
            self._show_text("#train-stats", reading_text(progress), layout=False)
            notice = bound_notice(progress) if progress.done else None  # told once, at the end
            if notice:
                self.app.notify(notice, severity="warning", timeout=20)
            meter = self._output_meter()
            if self.first_report and meter is not None:
                # the reading phase's first frame (the title, state, bar and this report
                # repaint the whole screen: ~15 KB at 100x30) is not held against the budget,
                # as the app's first frame is not: counted, it left the next reports undrawn
                # for the first ~3 s of a run
                self.app.call_after_refresh(meter.restart)
            self.first_report = False
        message.delivered()

    def on_run_begun(self, message: RunBegun) -> None:
        """A run of an ensemble begins: the epoch label names it; its curve starts afresh."""
        if self.app.is_running:
            self.run_label = f"run {message.run}/{message.runs} · "
            self.query_one(LossPlot).redraw()

    def on_training_started(self, message: TrainingStarted) -> None:
        """The vocabulary is ready; updates begin."""
        if not self.app.is_running:
            return
        info = message.info
        self.reading = False
        self.live_snapshot = info.snapshot
        self.epochs = info.config.epochs or self.epochs  # resolved by the engine (never None)
        title = self.query_one("#train-title", Static)
        epochs = f" · epochs {self.epochs} ({info.epochs_reason})" if info.epochs_reason else ""
        title.update(f"{self.title_text}{epochs} · vocab {info.vocab_size:,} · "
                     f"{fmt_count(info.corpus_words)} tokens")
        done, epoch = (info.resumed.words_done, info.resumed.epoch) if info.resumed else (0, 0)
        bar = self.query_one("#train-progress", ProgressBar)
        bar.update(total=info.words_total, progress=done)
        self.query_one(LossPlot).reset_axes(self.epochs or None)
        self.query_one("#train-epoch", Static).update(
            f"{self.run_label}epoch {min(epoch + 1, self.epochs)}/{self.epochs}")
        self._set_state("training", "busy")
        resumed = " · resumed" if info.resumed else ""
        self.query_one("#train-stats", Static).update(
            f"words {fmt_count(done)} / {fmt_count(info.words_total)}{resumed}"
        )

    def on_training_progress(self, message: TrainingProgress) -> None:
        if self.training and self.app.is_running:
            self._reports += 1
            if self._may_redraw():
                self._show_progress(message.event, self.paused)
            else:  # over the terminal's budget: this report waits for the next one
                self.query_one(LossPlot).request_redraw(allowed=False)
        message.delivered()

    def _show_progress(self, event: TrainingEvent, paused: bool = False) -> None:
        """A progress report: the numbers now, the bar and the curve when they would change.

        Whatever is refreshed is rewritten on the terminal whole, changed or not, so only what
        changed is refreshed (``_show_text``, ``_show_bar``): over SSH, bytes are the cost.
        While training, a report is shown only when the terminal's byte budget allows it
        (:meth:`_may_redraw`): a fast run or a tight budget shows fewer of them.
        """
        self._show_bar(event.words_done, event.words_total)
        self._show_text("#train-epoch", f"{self.run_label}epoch {event.epoch}/{event.epochs}")
        loss = f"{event.loss:.3f}" if math.isfinite(event.loss) else "—"
        self._show_text(
            "#train-stats",
            f"words {fmt_count(event.words_done)} / {fmt_count(event.words_total)}"
            f" · {fmt_count(event.words_per_second)} w/s · ETA {format_duration(event.eta)}"
            f" · lr {event.learning_rate:.5f} · loss {loss}",
            layout=False,  # one line whatever it says: no layout, no neighbour redrawn
        )
        if not paused:
            self._set_state("training", "busy")
        self.query_one(LossPlot).request_redraw()

    def _show_text(self, selector: str, text: str, layout: bool = True) -> None:
        """Update a Static only if its text changes (an update redraws it even if not)."""
        static = self.query_one(selector, Static)
        if static.content != text:
            static.update(text, layout=layout)

    def _show_bar(self, done: float, total: float, exact: bool = False) -> None:
        """Move the progress bar when it moves by a half cell (what its glyphs show), at most
        every ``bar_every`` reports while training unless ``exact`` (an epoch's end); the
        percentage beside it follows."""
        bar = self.query_one("#train-progress", ProgressBar)
        half_cells = max(2 * bar.query_one("Bar").size.width, 1)
        if bar.total == total and total and bar.total:
            if bar.progress * half_cells // bar.total == done * half_cells // total:
                return
            if self.training and not exact and self._bar_moved is not None \
                    and self._reports - self._bar_moved < self.bar_every:
                return
        self._bar_moved = self._reports
        bar.update(total=total, progress=done)

    def watch_paused(self, paused: bool) -> None:
        if self.training:
            self._set_state("paused" if paused else "training", "paused" if paused else "busy")

    def watch_stopping(self, stopping: bool) -> None:
        if stopping and self.training:
            self._set_state("stopping…", "paused")

    def on_training_finished(self, message: TrainingFinished) -> None:
        self._ended = message

    def on_training_failed(self, message: TrainingFailed) -> None:
        self._ended = message
        self.reading = False

    def watch_training(self, training: bool) -> None:
        if not training and self._ended is not None:
            if isinstance(self._ended, TrainingFinished):
                self._show_finished(self._ended)
            else:
                self._show_failed(self._ended)

    def _show_finished(self, message: TrainingFinished) -> None:
        """Training ended: final numbers, final curve; the probes follow the final vectors."""
        outcome = message.outcome
        if outcome.event is not None:
            self._show_progress(outcome.event)
        summary = outcome.model.summary
        stopped = bool(summary and summary.stopped_early)
        self._set_state("stopped" if stopped else "done", "stopped" if stopped else "done")
        if summary is not None:
            self.query_one("#train-stats", Static).update(
                f"trained {fmt_count(summary.words_trained)} words in {format_duration(summary.seconds)}"
                f" · {fmt_count(summary.words_per_second)} w/s · {summary.epochs_completed:.2f} epochs"
                f" · final loss {summary.final_loss:.3f}"
            )
        self.query_one(LossPlot).redraw()
        self.snapshot_label = "final"
        self.show_separation(outcome.separation, "final")
        self.refresh_probes()  # the final vectors (their epoch's refill may have been skipped)

    def _show_failed(self, message: TrainingFailed) -> None:
        """Training failed, or was stopped before the corpus was read: there is no model."""
        if message.stopped:
            self._set_state("stopped", "stopped")
            self.query_one("#train-stats", Static).update(f"{message.error}: nothing was trained.")
        else:
            self._set_state("failed", "failed")
            self.query_one("#train-stats", Static).update(message.error)

    def on_model_opened(self, message: ModelOpened) -> None:
        """No training this session: describe the model that was opened."""
        if not self.app.is_running:
            return
        model = message.model
        self.query_one("#train-title", Static).update(f"[b]{escape(message.source)}[/] (loaded, not trained here)")
        self.query_one("#train-progress", ProgressBar).update(total=1, progress=1)
        self._set_state("loaded", "done")
        parts = [f"{len(model.wv):,} words × {model.wv.dim} dims"]
        if model.config is not None:
            parts.append(fmt_config(model.config))
        if model.summary is not None:
            parts.append(f"final loss {model.summary.final_loss:.3f}")
        self.query_one("#train-stats", Static).update(" · ".join(parts))

    # ------------------------------------------------------------------ probes
    def on_epoch_ended(self, message: EpochEnded) -> None:
        """The vectors that arrive next (from the app) are this epoch's snapshot."""
        if self.training and self.app.is_running:  # else a late snapshot, or the app is closing
            self._epoch_ended = message

    def watch_snapshot_epoch(self, epoch: int) -> None:
        """The app took up an epoch's snapshot: label the probes and show its separation."""
        ended = self._epoch_ended
        if ended is not None and ended.event.epoch == epoch:
            self._show_bar(ended.event.words_done, ended.event.words_total, exact=True)
            self.snapshot_label = f"epoch {epoch}"
            self.show_separation(ended.separation, f"epoch {epoch}")

    def on_separation_measured(self, message: SeparationMeasured) -> None:
        if self.app.is_running:
            self.show_separation(message.value, message.when)

    def show_separation(self, value: float, when: str) -> None:
        """The live separation figure, with a warning while the vectors have collapsed."""
        health = self.query_one("#train-health", Static)
        if not math.isfinite(value):
            health.update("")
            return
        collapsed = is_collapsed(value)
        warning = " · collapsed: vectors not separated yet" if collapsed else ""
        health.update(f"random-pair cosine {value:.3f} ({when}){warning}")
        health.set_class(collapsed, "-collapsed")

    def watch_vectors(self, vectors: KeyedVectors | None) -> None:
        """New vectors (an epoch's snapshot, the final model): refill the probe table, while
        training at most every ``probes_every`` reports (each refill rewrites the table)."""
        if vectors is not None and not self.probes_edited:
            self.probes = default_probes(vectors, self.probe_count)
            box = self.query_one("#probe-input", QueryInput)
            if box.value != " ".join(self.probes):
                box.value = " ".join(self.probes)
        recent = self._probes_shown is not None and self._reports - self._probes_shown < self.probes_every
        if not (self.training and (recent or not self._may_redraw())):
            self.refresh_probes()

    def on_input_submitted(self, message: QueryInput.Submitted) -> None:
        message.stop()
        words = message.value.replace(",", " ").split()
        if not words:
            self.app.notify("Type one or more probe words.", severity="warning")
            return
        self.probes, self.probes_edited = [w.lower() for w in words], True
        self.refresh_probes()
        self.focus_body()

    def action_refresh_probes(self) -> None:
        """Recompute the probes' neighbours from the vectors as they are now."""
        if self.training and self.live_snapshot is not None:
            self.snapshot_label = "now"
            self._probes_shown = None  # asked for: shown whenever the table was last filled
            self.vectors = self.live_snapshot()  # watch_vectors shows them
            return
        if self.vectors is None:
            self.app.notify("No vectors yet: probes are computed at the end of each epoch.")
        self.refresh_probes()

    def refresh_probes(self) -> None:
        """Fill the probe table from the vectors now."""
        if self.vectors is not None:
            self._probes_shown = self._reports
        table = self.query_one("#probe-table", DataTable)
        table.clear()
        kv = self.vectors
        label = self.query_one("#probe-label", Label)
        label.update(f"Probes ({self.snapshot_label}) " if self.snapshot_label else "Probes ")
        for word in self.probes:
            if kv is None:
                text = Text("after the first epoch", style="dim")
            else:
                try:
                    found = kv.most_similar(word, topn=self.probe_neighbours)
                    text = Text("  ").join(Text.assemble(w, (f" {s:.2f}", "dim")) for w, s in found)
                except W2VError as error:
                    text = Text(str(error), style="italic")
            table.add_row(Text(word, style="bold"), text)
