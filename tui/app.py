"""The w2v-tui application: a training dashboard and explorer panes in tabs.

``W2VApp(corpus=..., config=...)`` trains (with ``trainer``, :func:`w2v_core.training.train` by
default, in a thread worker); ``W2VApp(model=...)`` opens a ready model in the explorer.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from w2v_core.callbacks import Callback, ReadingStopped, TrainingControl, TrainingEvent
from w2v_core.errors import EXIT_FAILURE, W2VError
from w2v_core.units import format_duration
from w2v_core.vectors import KeyedVectors

from .keys import key_rows
from .screens.confirm import ConfirmScreen
from .screens.help import HelpScreen
from .screens.save import SaveScreen
from .training import (
    Checkpoint,
    Checkpointed,
    EpochEnded,
    LossHistory,
    Trainer,
    TrainingBridge,
    TrainingProgress,
    TrainingStarted,
    separation_of,
)
from .widgets.analogies import AnalogiesPane
from .widgets.dashboard import TrainingPane
from .widgets.evaluate import EvaluatePane
from .widgets.map import MapPane
from .widgets.neighbours import NeighboursPane, approximate_by_default
from .widgets.query import Pane, error_text, one_line
from .widgets.status import StatusBar

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.config import TrainConfig
    from w2v_core.corpus import Corpus
    from w2v_core.model import Model

#: (tab id, label with its key underlined, pane class)
PANES: tuple[tuple[str, str, type[Pane]], ...] = (
    ("training", "[u]T[/u]raining", TrainingPane),
    ("neighbours", "[u]N[/u]eighbours", NeighboursPane),
    ("analogies", "[u]A[/u]nalogies", AnalogiesPane),
    ("map", "[u]M[/u]ap", MapPane),
    ("evaluate", "[u]E[/u]valuate", EvaluatePane),
)

#: Signals that end a session the way a dropped SSH connection or ``kill`` does.
HANGUP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


@dataclass(frozen=True)
class TrainingOutcome:
    """What the training worker returns: the model, the last event, and how the autosave went."""

    model: "Model"
    event: TrainingEvent | None
    separation: float  #: of the final vectors (NaN if undefined)
    save_error: str = ""  #: why the autosave failed, or why it went elsewhere
    saved_to: str | None = None  #: where the autosave wrote the model (``-o`` or elsewhere)


class W2VApp(App[None]):
    """Train word2vec and explore the vectors.

    State lives in reactives; the panes and the status bar are bound to them (``data_bind``)
    and redraw themselves when they change.
    """

    TITLE = "w2v-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("t", "show_pane('training')", "Training", show=False, tooltip="training dashboard"),
        Binding("n", "show_pane('neighbours')", "Neighbours", show=False, tooltip="Neighbours pane"),
        Binding("a", "show_pane('analogies')", "Analogies", show=False, tooltip="Analogies pane"),
        Binding("m", "show_pane('map')", "Map", show=False, tooltip="Map pane"),
        Binding("e", "show_pane('evaluate')", "Evaluate", show=False, tooltip="Evaluate pane"),
        Binding("slash", "focus_query", "Query", tooltip="focus the pane's query input"),
        Binding("question_mark", "help", "Keys", tooltip="show this help"),
        Binding("ctrl+s", "save", "Save", tooltip="save the model (format from the extension)"),
        Binding("q", "quit", "Quit", tooltip="quit (asks first if training or unsaved)"),
    ]

    #: the vectors queries use: the model's, or the latest epoch snapshot while training
    vectors: var[KeyedVectors | None] = var(None, always_update=True)
    #: the trained or loaded model (None while training)
    model: var["Model | None"] = var(None)
    training: var[bool] = var(False)
    paused: var[bool] = var(False)
    #: the epoch whose snapshot the explorer shows while training (0: none yet)
    snapshot_epoch: var[int] = var(0)
    #: the model shown is not the one last saved
    dirty: var[bool] = var(False)
    saved_to: var[str | None] = var(None)

    def __init__(
        self,
        corpus: "str | Corpus | None" = None,
        config: "TrainConfig | None" = None,
        model: "Model | None" = None,
        model_path: str | None = None,
        trainer: Trainer | None = None,
        output: str | None = None,
    ) -> None:
        super().__init__()
        if (corpus is None) == (model is None):
            raise ValueError("give either a corpus to train or a model to open")
        self.corpus = corpus
        self.config = config
        self.loaded_model = model
        self.model_path = model_path
        self.trainer = trainer
        self.output = output  #: train mode: autosave and checkpoint path (``-o``)
        self.history = LossHistory()
        self.control = TrainingControl()
        self.snapshot: KeyedVectors | None = None  #: the latest epoch snapshot
        self.saved: object | None = None  #: the Model or KeyedVectors last saved to ``saved_to``
        self.failed = False  #: training failed: the app exits non-zero
        self.hung_up: int | None = None  #: the hang-up signal received, if any

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with TabbedContent(initial="training" if self.corpus else "neighbours"):
            with TabPane(PANES[0][1], id="training"):
                yield TrainingPane(self.history, id="training-pane").data_bind(
                    W2VApp.vectors, W2VApp.training
                )
            for tab_id, label, cls in PANES[1:]:
                with TabPane(label, id=tab_id):
                    yield cls(id=f"{tab_id}-pane").data_bind(W2VApp.vectors)
        yield StatusBar(id="status").data_bind(
            W2VApp.vectors, W2VApp.model, W2VApp.training, W2VApp.paused,
            W2VApp.snapshot_epoch, W2VApp.dirty, W2VApp.saved_to,
        )
        yield Footer()

    @property
    def dashboard(self) -> TrainingPane:
        return self.query_one("#training-pane", TrainingPane)

    @property
    def neighbours(self) -> NeighboursPane:
        return self.query_one("#neighbours-pane", NeighboursPane)

    @property
    def analogies(self) -> AnalogiesPane:
        return self.query_one("#analogies-pane", AnalogiesPane)

    @property
    def map(self) -> MapPane:
        return self.query_one("#map-pane", MapPane)

    @property
    def evaluate(self) -> EvaluatePane:
        return self.query_one("#evaluate-pane", EvaluatePane)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def pane(self, tab_id: str) -> Pane:
        """The pane widget of a tab."""
        return self.query_one(f"#{tab_id}-pane", Pane)

    def active_pane(self) -> Pane:
        return self.pane(self.query_one(TabbedContent).active)

    def on_mount(self) -> None:
        self.status.source = self.model_path or self.corpus_name or ""
        if not self.is_headless:
            self._install_signal_handlers()
        self._import_map_backends()
        if self.loaded_model is not None:
            self.dashboard.loaded(self.model_path or "model", self.loaded_model)
            self.model = self.loaded_model
            self.saved, self.saved_to = self.loaded_model, self.model_path
            self.vectors = self.loaded_model.wv
            self._measure(self.loaded_model.wv)
        else:
            self.start_training()

    @work(thread=True, group="imports", exit_on_error=False)
    def _import_map_backends(self) -> None:
        """Import t-SNE and PCA while the user reads the dashboard, not when the Map opens."""
        from w2v_core.projection import import_backends

        import_backends()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        panes = event.pane.query(Pane)
        if not panes:
            return  # a late message while the app shuts down (the panes are gone)
        pane = panes.first()
        if isinstance(pane, MapPane):
            pane.ensure_projection()
        self.call_after_refresh(self._focus_into, pane)

    def _focus_into(self, pane: Pane) -> None:
        """Focus the pane's body unless focus is already inside it, or another tab is shown now.

        (Focus inside a hidden tab would switch back to it: TabbedContent follows focus.)
        """
        tabs = self.query(TabbedContent)
        if not tabs or pane is not self.pane(tabs.first().active):
            return
        if self.focused is None or pane not in self.focused.ancestors_with_self:
            pane.focus_body()

    def watch_training(self) -> None:
        self.refresh_bindings()

    def watch_vectors(self) -> None:
        self.refresh_bindings()

    @property
    def corpus_name(self) -> str | None:
        """The corpus as the user named it (``corpus`` may be an opened :class:`Corpus`)."""
        return self.corpus if self.corpus is None or isinstance(self.corpus, str) else self.corpus.name

    # ------------------------------------------------------------------ training
    def start_training(self) -> None:
        """Show the dashboard in its 'reading' state and start the training worker."""
        assert self.corpus is not None
        if self.config is None:
            from w2v_core.config import TrainConfig

            self.config = TrainConfig()
        self.training = True
        self.dashboard.reading(self.corpus_name, self.config)
        skipped = getattr(self.corpus, "skip_notes", lambda: [])()
        if skipped:  # files of a directory corpus that are not text, or models w2v wrote
            self.notify("\n".join(skipped), title="Corpus: files left out", timeout=15)
        self._train()

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def _train(self) -> TrainingOutcome:
        worker = get_current_worker()
        bridge = TrainingBridge(self, self.history, lambda: worker.is_cancelled)
        callbacks: list[Callback] = [bridge]
        if self.output is not None:
            callbacks.append(Checkpoint(self, self.output))
        trainer: Trainer
        if self.trainer is not None:
            trainer = self.trainer
        else:  # the engine (a stop works while it reads the corpus too: ReadingStopped)
            from w2v_core.training import train

            trainer = train
        model = trainer(self.corpus, self.config, callbacks=callbacks, control=self.control)
        saved_to, save_error = self._save_output(model) if self.output is not None else (None, "")
        model.wv.normed  # noqa: B018 - normalised here, not at the UI's first query
        if approximate_by_default(model.wv):
            model.wv.prepare_approximate()
        return TrainingOutcome(model, bridge.last_event, separation_of(model.wv), save_error, saved_to)

    def _save_output(self, model: "Model") -> tuple[str | None, str]:
        """Save ``model`` to ``-o``, or where ``save_with_fallback`` can if ``-o`` fails
        (home, current, temporary directory): the model must survive a failed autosave.

        Returns where it was saved (None if nowhere) and what went wrong ("" if nothing).
        """
        from w2v_core.destination import unwritable_reason
        from w2v_core.formats import save_with_fallback

        assert self.output is not None
        try:
            saved = str(save_with_fallback(model, self.output))
        except Exception as error:  # noqa: BLE001 - reported; the model stays in the app
            return None, error_text(error)
        if Path(saved) == Path(self.output).expanduser():
            return saved, ""
        return saved, f"{unwritable_reason(self.output)}; saved the model to {saved} instead"

    @work(thread=True, group="measure", exit_on_error=False)
    def _measure(self, vectors: KeyedVectors) -> float:
        """The loaded vectors' separation, and their normalisation, off the UI thread."""
        vectors.normed  # noqa: B018 - ready before the first query
        return separation_of(vectors)

    @work(thread=True, group="prepare", exit_on_error=False)
    def _prepare_approximate(self, vectors: KeyedVectors) -> None:
        """The approximate search's projection of a large vocabulary, before the first query
        (1-2 s at a million words)."""
        vectors.prepare_approximate()

    # Training reports come from the training thread at any moment, also while the app shuts
    # down and its widgets are being removed: then they are dropped (is_running is False
    # from the start of the shutdown).
    def on_training_started(self, message: TrainingStarted) -> None:
        if self.is_running:
            self.dashboard.started(message.info)

    def on_training_progress(self, message: TrainingProgress) -> None:
        if self.training and self.is_running:
            self.dashboard.progress(message.event, self.control.paused)
        message.delivered()

    def on_epoch_ended(self, message: EpochEnded) -> None:
        message.delivered()
        if not self.training or not self.is_running:
            return  # a late snapshot: the final model is already shown, or the app is closing
        self.snapshot = message.vectors
        self.dashboard.epoch_ended(message.event, message.separation)
        self.snapshot_epoch = message.event.epoch
        self.vectors = message.vectors

    def on_checkpointed(self, message: Checkpointed) -> None:
        if message.error:
            self.notify(message.error, title=f"Checkpoint to {message.path} failed", severity="error")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """How each of the app's workers ended, in one place (whatever they raised)."""
        worker, result = event.worker, event.worker.result
        if not self.is_running or event.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return  # a late message while the app shuts down
        if worker.group == "training":
            if isinstance(result, TrainingOutcome):  # SUCCESS
                self._training_finished(result)
            elif isinstance(worker.error, ReadingStopped):
                self._training_failed(str(worker.error), stopped=True)
            elif event.state is WorkerState.ERROR:
                self._training_failed(error_text(worker.error))
        elif worker.group == "prepare" and event.state is WorkerState.SUCCESS:
            self.neighbours.projection_ready()
        elif worker.group == "measure" and isinstance(result, float):
            self.dashboard.show_separation(result, "loaded")
            if self.vectors is not None and approximate_by_default(self.vectors):
                self._prepare_approximate(self.vectors)
        elif worker.group == "save":
            if isinstance(result, tuple):  # SUCCESS: (what, path)
                self._saved(*result)
            elif event.state is WorkerState.ERROR:
                self.notify(error_text(worker.error), title="Save failed", severity="error")

    def _training_finished(self, outcome: TrainingOutcome) -> None:
        model = outcome.model
        self.training, self.paused = False, False
        self.dashboard.finished(model, outcome.event, outcome.separation)
        self.model = model
        self.vectors = model.wv
        if outcome.saved_to is not None:
            self.saved, self.saved_to, self.dirty = model, outcome.saved_to, False
        else:
            self.dirty = True
        if self.hung_up is not None:
            if outcome.save_error:  # the terminal may be gone: stderr is what remains
                print(f"w2v-tui: {outcome.save_error}", file=sys.stderr)
            self._exit_after_hang_up()
            return
        summary = model.summary
        if outcome.save_error and outcome.saved_to is not None:
            self.notify(outcome.save_error, title=f"Could not save to {self.output}",
                        severity="warning", timeout=10)
        elif outcome.save_error:
            self.notify(f"{outcome.save_error}. Ctrl+S saves it elsewhere.",
                        title=f"Could not save to {self.output}", severity="error", timeout=10)
        elif summary is not None and summary.stopped_early:
            self.notify(f"Training stopped after {summary.epochs_completed:.2f} epochs; the model so far is kept.")
        else:
            took = f" in {format_duration(summary.seconds)}" if summary is not None else ""
            where = f" Saved to {self.output}." if self.output is not None else " Ctrl+S saves the model."
            self.notify(f"Training finished{took}.{where}")
        if not self.neighbours.current and self.dashboard.probes:
            self.neighbours.run_query(self.dashboard.probes[0], quiet=True)
        if self.query_one(TabbedContent).active == "training":
            self.action_show_pane("neighbours")

    def _training_failed(self, error: str, stopped: bool = False) -> None:
        """Training ended without a model: it failed, or was stopped while reading."""
        self.training, self.paused, self.failed = False, False, not stopped
        if stopped:
            self.dashboard.stopped_reading(error)
            self.notify(f"{error}: nothing was trained.", severity="warning")
        else:
            self.dashboard.failed(error)
            self.notify(error, title="Training failed", severity="error", timeout=10)
        if self.hung_up is not None:
            self._exit_after_hang_up()

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("pause", "stop"):
            return True if self.training else None
        if action == "save":
            return True if self.vectors is not None else None
        return True

    def action_show_pane(self, tab_id: str) -> None:
        """Switch to a pane."""
        tabs = self.query_one(TabbedContent)
        if tabs.active == tab_id:
            self.active_pane().focus_body()
        else:
            tabs.active = tab_id

    def action_focus_query(self) -> None:
        """Focus the current pane's query input."""
        self.active_pane().focus_query()

    @on(Pane.AskNeighbours)
    def ask_neighbours(self, message: Pane.AskNeighbours) -> None:
        """A pane (the map's input) asks a neighbours query; the map centres on its answer."""
        if self.neighbours.run_query(message.text):
            self._show_query_on_map()
            if message.control is self.map:
                self.map.action_centre()
                self.map.focus_body()

    def on_neighbours_pane_query_changed(self) -> None:
        if self.is_running:  # else a late message while the app shuts down
            self._show_query_on_map()

    def _show_query_on_map(self) -> None:
        pane = self.neighbours
        self.map.set_query(pane.positive + pane.negative, [w for w, _ in pane.results], text=pane.current)

    def action_pause(self) -> None:
        """Pause or resume training."""
        if not self.training:
            return
        if self.control.paused:
            self.control.resume()
        else:
            self.control.pause()
        self.paused = self.control.paused
        self.dashboard.paused(self.paused)

    def action_stop(self) -> None:
        """Stop training; the model trained so far is kept."""
        if self.training and not self.control.stopped:
            self.control.stop()
            self.dashboard.stopping()

    def action_help(self) -> None:
        """Show every key."""
        self.push_screen(HelpScreen(self.key_rows()))

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(where, key, what) for every key of the app."""
        return key_rows(self.binding_sections())

    @classmethod
    def binding_sections(cls) -> list[tuple[str, Iterable[BindingType]]]:
        """(section, BINDINGS) of the app and each pane, in tab order."""
        sections: list[tuple[str, Iterable[BindingType]]] = [("Everywhere", cls.BINDINGS)]
        sections += [(re.sub(r"\[/?u\]", "", label), pane_cls.BINDINGS) for _, label, pane_cls in PANES]
        return sections

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen: set[str] = {"quit"}
        yield SystemCommand("Keys: show every key", "The help screen (?)", self.action_help)
        for tab_id, label, pane_cls in PANES:
            title = re.sub(r"\[/?u\]", "", label)
            for binding in pane_cls.BINDINGS:
                b = binding if isinstance(binding, Binding) else Binding(*binding)
                if b.action in seen:
                    continue
                seen.add(b.action)
                yield SystemCommand(f"{title}: {b.description}", f"key {b.key}",
                                    self._pane_command(tab_id, b.action))
        for app_binding in self.BINDINGS:
            assert isinstance(app_binding, Binding)
            if app_binding.action not in seen:
                yield SystemCommand(app_binding.description, f"key {app_binding.key}",
                                    self._app_command(app_binding.action))

    def _pane_command(self, tab_id: str, action: str) -> Any:
        async def run() -> None:
            self.action_show_pane(tab_id)
            await self.run_action(action, self.pane(tab_id))
        return run

    def _app_command(self, action: str) -> Any:
        async def run() -> None:
            await self.run_action(action)
        return run

    # ------------------------------------------------------------------ saving
    def action_save(self) -> None:
        """Ask for a path and save the model there (the extension picks the format)."""
        if self.vectors is None:
            self.notify("Nothing to save yet.", severity="warning")
            return
        stem = Path(self.model_path).stem if self.model_path else re.sub(r"\W+", "-", (self.corpus_name or "model").split(":")[-1]).strip("-")
        note = "Training is running: this saves the vectors of the last epoch." if self.training else ""
        self.push_screen(SaveScreen(self.output or f"{stem or 'model'}.npz", note), self._save_to)

    def to_save(self) -> "Model | KeyedVectors | None":
        """What ``ctrl+s`` saves now: the model, or the latest epoch snapshot while training."""
        return self.model if self.model is not None and not self.training else self.vectors

    def _save_to(self, path: str | None) -> None:
        """Save where the dialog said; a file this app did not write there is not replaced
        without asking."""
        what = self.to_save()
        if not path or what is None:
            return
        target = Path(path).expanduser()
        ours = self.saved_to is not None and Path(self.saved_to).expanduser() == target
        if not target.exists() or ours:
            self._save(what, path)
            return

        def answer(replace: bool | None) -> None:
            if replace:
                self._save(what, path)
            else:
                self.notify(f"Not saved: {path} was left as it was.", severity="warning")

        self.push_screen(
            ConfirmScreen(f"{path} exists. Replace it?", yes="Replace", no="Keep it"), answer
        )

    @work(thread=True, group="save", exit_on_error=False)
    def _save(self, what: "Model | KeyedVectors", path: str) -> tuple[object, str]:
        from w2v_core.formats import save

        save(what, path)
        return what, path

    def _saved(self, what: object, path: str) -> None:
        """A save returned: the model shown is saved only if it is what was written."""
        if what is self.to_save():
            self.saved, self.saved_to, self.dirty = what, path, False
            self.notify(f"Saved to {path}")
        else:  # training moved on (or ended) while the save ran
            self.notify(f"Saved the epoch {self.snapshot_epoch} snapshot to {path}; "
                        "the model shown now is newer and not saved.", severity="warning")

    # ------------------------------------------------------------------ quitting
    async def action_quit(self) -> None:
        """Quit; ask first if training is running or the model is unsaved."""
        if self.training:
            question = "Training is still running. Quit and lose it?"
        elif self.dirty:
            question = "The model is not saved. Quit anyway?"
        else:
            self._quit()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._quit()

        self.push_screen(ConfirmScreen(question), answer)

    def _quit(self) -> None:
        self._shutdown_training()
        self.exit(return_code=EXIT_FAILURE if self.failed else 0)

    def _shutdown_training(self) -> None:
        self.control.stop()
        self.workers.cancel_group(self, "training")

    def on_unmount(self) -> None:
        self._shutdown_training()

    # ------------------------------------------------------------------ signals
    def _install_signal_handlers(self) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        for signum in HANGUP_SIGNALS:
            loop.add_signal_handler(signum, self.hang_up, signum)

    def _exit_after_hang_up(self) -> None:
        """Exit with 128 + the signal's number, as a shell reports a process a signal ended.

        After SIGHUP the terminal is gone: restoring it would block for ever on writes that
        nobody reads (what is trained is saved by now), so the process ends at once.
        """
        assert self.hung_up is not None
        code = 128 + self.hung_up
        if self.hung_up == signal.SIGHUP and not self.is_headless:
            os._exit(code)
        self.exit(return_code=code)

    def hang_up(self, signum: int) -> None:
        """SIGHUP or SIGTERM: keep what is trained so far (saved to ``-o``), then exit.

        While training, training stops; the worker saves the model so far to ``-o`` and the
        app exits when it returns. Otherwise an unsaved model is saved to ``-o`` now.
        """
        self.hung_up = signum
        if self.training:
            self.control.stop()
            return
        if self.dirty and self.output is not None and self.model is not None:
            saved_to, problem = self._save_output(self.model)
            if problem:  # exiting anyway: say where the model is, or why it is nowhere
                print(f"w2v-tui: {'' if saved_to else 'error: '}{problem}", file=sys.stderr)
        self._exit_after_hang_up()


def main(argv: list[str] | None = None) -> int:
    """The ``w2v-tui`` console script: 0 after a normal quit, non-zero after a failure."""
    from w2v_core.errors import EXIT_INTERRUPTED, EXIT_USAGE, exit_code

    from .options import PROG, resolve

    try:
        launch = resolve(argv)
    except KeyboardInterrupt:  # Ctrl-C while a corpus is checked or a model loads
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (W2VError, OSError) as error:
        code = exit_code(error)
        hint = f" (see '{PROG} --help')" if code == EXIT_USAGE else ""
        print(f"{PROG}: error: {one_line(error)}{hint}", file=sys.stderr)
        return code
    app = W2VApp(corpus=launch.corpus, config=launch.config, model=launch.model,
                 model_path=launch.model_path, output=launch.output)
    app.run()
    return app.return_code or 0
