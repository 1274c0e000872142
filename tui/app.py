"""The w2v-tui application: a training dashboard and explorer panes in tabs.

``W2VApp(corpus=..., config=...)`` trains (with ``train``, :func:`w2v_core.training.train` by
default, in a thread worker: :mod:`tui.training_run`); ``W2VApp(model=...)`` opens a ready
model in the explorer. The app composes the panes of :mod:`tui.panes`, holds the state they
bind to, and routes messages between them (:mod:`tui.messages`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import Worker

from w2v_core.callbacks import TrainingControl
from w2v_core.errors import EXIT_FAILURE, W2VError
from w2v_core.units import format_duration
from w2v_core.vectors import KeyedVectors

from .error_text import error_text, one_line
from .keys import OTHER_KEYS, Section, key_rows
from .output_meter import DEFAULT_RATE, SNAPSHOT_RESERVE, OutputMeter, metered_driver
from .messages import (
    AskNeighbours,
    Checkpointed,
    EpochEnded,
    ModelOpened,
    QueryAnswered,
    SeparationMeasured,
    TrainingFailed,
    TrainingFinished,
    TrainingReading,
)
from .panes import PANES
from .saving import Saved, default_save_path, save, save_output
from .screens.confirm import ConfirmScreen
from .screens.help import HelpScreen
from .screens.save import SaveScreen
from .signals import exit_after_hang_up, install_hang_up_handlers
from .training import separation_of
from .training_run import TrainFunction, TrainingRun
from .widgets.compare import ComparePane
from .widgets.dashboard import TrainingPane
from .widgets.neighbours import NeighboursPane, approximate_by_default
from .widgets.pane import Pane
from .widgets.status import StatusBar
from .widgets.tabs import PaneTabs
from .workers import ThreadWorkers

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.checkpoints import Checkpointer
    from w2v_core.compare import Comparison
    from w2v_core.config import TrainConfig
    from w2v_core.corpus import Corpus
    from w2v_core.model import Model

P = TypeVar("P", bound=Pane)


class W2VApp(App[None]):
    """Train word2vec and explore the vectors.

    State lives in reactives; the panes and the status bar are bound to them (``data_bind``)
    and redraw themselves when they change.
    """

    TITLE = "w2v-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        *(pane.TAB.binding() for pane in PANES),
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
    #: a stop was asked and training has not ended yet
    stopping: var[bool] = var(False)
    #: the epoch whose snapshot the explorer shows while training (0: none yet)
    snapshot_epoch: var[int] = var(0)
    #: the model shown is not the one last saved
    dirty: var[bool] = var(False)
    saved_to: var[str | None] = var(None)
    #: a second model aligned onto the opened one (``--compare``), for the Compare pane
    comparison: var["Comparison | None"] = var(None)

    def __init__(
        self,
        corpus: "str | Corpus | None" = None,
        config: "TrainConfig | None" = None,
        model: "Model | None" = None,
        model_path: str | None = None,
        trainer: TrainFunction | None = None,
        output: str | None = None,
        checkpoints: "Checkpointer | None" = None,
        resume_from: "Model | None" = None,
        notes: Sequence[str] = (),
        init_from: "Model | None" = None,
        comparison: "Comparison | None" = None,
        terminal_rate: float = DEFAULT_RATE,
        runs: int = 1,
    ) -> None:
        super().__init__()
        #: the bytes written to the terminal, against ``--max-terminal-rate``
        self.output_meter = OutputMeter(terminal_rate)
        self.driver_class = metered_driver(self.driver_class, self.output_meter)
        if (corpus is None) == (model is None):
            raise ValueError("give either a corpus to train or a model to open")
        self.corpus = corpus
        self.config = config
        self.loaded_model = model
        self.model_path = model_path
        self.trainer = trainer
        self.output = output  #: train mode: autosave path (``-o``)
        self.checkpoints = checkpoints  #: train mode: writes the run's checkpoints
        self.resume_from = resume_from  #: train mode: the checkpoint a resumed run continues
        self.notes = list(notes)  #: lines for the user as training starts
        self.init_from = init_from  #: train mode: the trained model a run starts from
        self.compare_with = comparison  #: model mode: the second model, aligned (``--compare``)
        self.runs = runs  #: train mode: ``--runs``, an ensemble of bootstrap runs
        self.control = TrainingControl()
        self.snapshot: KeyedVectors | None = None  #: the latest epoch snapshot
        self.saved: object | None = None  #: the Model or KeyedVectors last saved to ``saved_to``
        self.failed = False  #: training failed: the app exits non-zero
        self.hung_up: int | None = None  #: the hang-up signal received, if any
        self.threads = ThreadWorkers(self)  #: the app's thread workers, each with its handlers
        self._epoch_waiting: EpochEnded | None = None  #: a snapshot waiting for the byte budget

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        first = TrainingPane if self.corpus else ComparePane if self.compare_with else NeighboursPane
        with PaneTabs(initial=first.TAB.id):  # follows focus only where it still is
            for cls in PANES:
                with TabPane(cls.TAB.markup, id=cls.TAB.id):
                    yield cls(id=f"{cls.TAB.id}-pane").data_bind(
                        *(getattr(W2VApp, name) for name in cls.APP_STATE)
                    )
        yield StatusBar(id="status").data_bind(
            W2VApp.vectors, W2VApp.model, W2VApp.training, W2VApp.paused,
            W2VApp.snapshot_epoch, W2VApp.dirty, W2VApp.saved_to,
        )
        yield Footer()

    def pane(self, tab_id: str) -> Pane:
        """The pane widget of a tab."""
        return self.query_one(f"#{tab_id}-pane", Pane)

    def pane_of(self, cls: type[P]) -> P:
        """The pane of a given class (each is in the app once)."""
        return self.query_one(f"#{cls.TAB.id}-pane", cls)

    def active_pane(self) -> Pane:
        return self.pane(self.query_one(TabbedContent).active)

    def on_mount(self) -> None:
        self.query_one(StatusBar).source = self.model_path or self.corpus_name or ""
        if not self.is_headless:
            install_hang_up_handlers(self.hang_up)
        if self.loaded_model is not None:
            self.open_model(self.loaded_model)
            self.comparison = self.compare_with
        else:
            self.start_training()

    def on_ready(self) -> None:
        """The first frame is on the screen: only now start the map backends' imports.

        Importing them (scikit-learn, openTSNE) holds the interpreter for about a second;
        started at mount, it delayed the first frame by as much (benchmarks/README.md).
        The first frame is not held against the terminal's byte budget.
        """
        self.output_meter.restart()
        self.threads.start(self._import_map_backends, group="imports")

    @staticmethod
    def _import_map_backends() -> None:
        """Import t-SNE and PCA while the user reads the dashboard, not when the Map opens."""
        from w2v_core.projection import import_backends

        import_backends()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        panes = event.pane.query(Pane)
        if not panes:
            return  # a late message while the app shuts down (the panes are gone)
        pane = panes.first()
        pane.tab_shown()
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

    def watch_vectors(self, old: KeyedVectors | None, new: KeyedVectors | None) -> None:
        """Save is shown once there are vectors; each epoch's new ones leave the footer as is
        (a refresh of the bindings rewrites the whole footer on the terminal)."""
        if (old is None) != (new is None):
            self.refresh_bindings()
        if self.comparison is not None and new is not None:
            self.compare_with_model(self.comparison.other)  # the next epoch: aligned again

    def compare_with_model(self, other: KeyedVectors, path: str | None = None) -> bool:
        """Align ``other`` onto the vectors shown, for the Compare pane and the Map; models
        that cannot be aligned are named in a notification. True if compared."""
        from w2v_core.compare import Comparison

        if self.vectors is None:
            self.notify("No vectors to compare yet: they come at the end of epoch 1.", severity="warning")
            return False
        try:
            self.comparison = Comparison(self.vectors, other)
        except W2VError as error:
            self.notify(str(error), title="Compare", severity="error")
            return False
        if path is not None:
            self.notify(f"Comparing with {path}", title="Compare")
        return True

    @property
    def corpus_name(self) -> str | None:
        """The corpus as the user named it (``corpus`` may be an opened :class:`Corpus`)."""
        return self.corpus if self.corpus is None or isinstance(self.corpus, str) else self.corpus.name

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """How each of the app's workers ended: the handler it was started with."""
        if self.is_running:  # else a late message while the app shuts down
            self.threads.state_changed(event)

    # ------------------------------------------------------------------ an opened model
    def open_model(self, model: "Model") -> None:
        """Show a model opened from disk; measure it (and index a large one) off the UI thread."""
        self.pane_of(TrainingPane).post_message(ModelOpened(self.model_path or "model", model))
        self.model = model
        self.saved, self.saved_to = model, self.model_path
        self.vectors = model.wv
        self.threads.start(lambda: self._measure(model.wv), self._measured)

    @staticmethod
    def _measure(vectors: KeyedVectors) -> float:
        """The loaded vectors' separation, and their normalisation, off the UI thread."""
        vectors.normed  # noqa: B018 - ready before the first query
        return separation_of(vectors)

    def _measured(self, separation: float) -> None:
        self.pane_of(TrainingPane).post_message(SeparationMeasured(separation, "loaded"))
        vectors = self.vectors
        if vectors is not None and approximate_by_default(vectors):
            # the approximate search's projection of a large vocabulary, before the first query
            # (its cost: benchmarks/README.md)
            self.threads.start(vectors.prepare_approximate,
                               lambda _: self.pane_of(NeighboursPane).projection_ready())

    # ------------------------------------------------------------------ training
    def start_training(self) -> None:
        """Show the dashboard in its 'reading' state and start the training worker."""
        assert self.corpus is not None
        if self.config is None:
            from w2v_core.config import TrainConfig

            self.config = TrainConfig()
        self.training = True
        dashboard = self.pane_of(TrainingPane)
        dashboard.post_message(TrainingReading(self.corpus_name or "", self.config))
        skipped = getattr(self.corpus, "skip_notes", lambda: [])()
        if skipped:  # files of a directory corpus that are not text, or models w2v wrote
            self.notify("\n".join(skipped), title="Corpus: files left out", timeout=15)
        warnings = getattr(self.corpus, "warnings", [])
        if warnings:  # e.g. clause-long "words" of a script written without spaces
            self.notify("\n".join(warnings), title="Corpus", severity="warning", timeout=30)
        if self.notes:  # where a resumed run continues from; an ensemble's runs
            self.notify("\n".join(self.notes), title="This run", timeout=15)
        run = TrainingRun(self.corpus, self.config, dashboard, dashboard.history, self.control,
                          self.trainer, self.output, self.checkpoints, self.resume_from,
                          self.init_from, self.runs)
        self.threads.start(run, run.finished, run.failed, group="training", exclusive=True)

    # The run's reports reach the app after the dashboard (they bubble up from it); the
    # dashboard shows an epoch's end and the run's end as the app's state changes here.
    def on_epoch_ended(self, message: EpochEnded) -> None:
        """Take up an epoch's snapshot, when the terminal's byte budget allows (each one
        redraws the epoch's figures, the status line and the probes): on a run of many short
        epochs, a later epoch's snapshot replaces one still waiting."""
        message.delivered()
        if not self.training or not self.is_running:
            return  # a late snapshot: the final model is already shown, or the app is closing
        waiting = self._epoch_waiting is not None
        self._epoch_waiting = message
        if not waiting:
            self._take_snapshot()

    def _take_snapshot(self) -> None:
        message = self._epoch_waiting
        if message is None or not self.training or not self.is_running:
            self._epoch_waiting = None
            return
        wait = self.output_meter.wait(SNAPSHOT_RESERVE)
        if wait > 0:
            self.set_timer(wait, self._take_snapshot)
            return
        self._epoch_waiting = None
        self.snapshot = message.vectors
        self.snapshot_epoch = message.event.epoch
        self.vectors = message.vectors

    def on_checkpointed(self, message: Checkpointed) -> None:
        if message.error:
            self.notify(f"{message.error}. Training goes on.", title=f"Checkpoint to {message.path} failed",
                        severity="error")

    def on_training_finished(self, message: TrainingFinished) -> None:
        if not self.is_running:
            return  # a late message while the app shuts down
        outcome = message.outcome
        model = outcome.model
        self.training, self.paused, self.stopping = False, False, False
        self.model = model
        self.vectors = model.wv
        if outcome.saved_to is not None:
            self.saved, self.saved_to, self.dirty = model, outcome.saved_to, False
        else:
            self.dirty = True
        if self.hung_up is not None:
            if outcome.save_error:  # the terminal may be gone: stderr is what remains
                print(f"w2v-tui: {outcome.save_error}", file=sys.stderr)
            if self.checkpoints is not None and self.checkpoints.error is None and model.state \
                    and not model.state.finished:
                print(f"w2v-tui: the run so far is in {self.checkpoints.path}; continue it with: "
                      f"w2v-tui --resume {self.checkpoints.path}", file=sys.stderr)
            exit_after_hang_up(self, self.hung_up)
            return
        summary = model.summary
        if outcome.save_error and outcome.saved_to is not None:
            self.notify(outcome.save_error, title=f"Could not save to {self.output}",
                        severity="warning", timeout=10)
        elif outcome.save_error:
            self.notify(f"{outcome.save_error}. Ctrl+S saves it elsewhere.",
                        title=f"Could not save to {self.output}", severity="error", timeout=10)
        elif outcome.note:  # an ensemble that did not run every run: what it kept
            self.notify(outcome.note, title="Runs", severity="warning", timeout=15)
        elif summary is not None and summary.stopped_early:
            resume = ""
            if self.checkpoints is not None and self.checkpoints.error is None:
                resume = f" Resume it with: w2v-tui --resume {self.checkpoints.path}"
            self.notify(f"Training stopped after {summary.epochs_completed:.2f} epochs; the model "
                        f"so far is kept.{resume}", timeout=15 if resume else 5)
        else:
            runs = model.ensemble.members if model.ensemble is not None else [model]
            seconds = [m.summary.seconds for m in runs if m.summary is not None]
            took = f" in {format_duration(sum(seconds))}" if seconds else ""
            if len(runs) > 1:
                took = f": {len(runs)} runs{took}"
            where = f" Saved to {self.output}." if self.output is not None else " Ctrl+S saves the model."
            self.notify(f"Training finished{took}.{where}")
        neighbours, probes = self.pane_of(NeighboursPane), self.pane_of(TrainingPane).probes
        if not neighbours.current and probes:
            neighbours.run_query(probes[0], quiet=True)
        if self.query_one(TabbedContent).active == TrainingPane.TAB.id:
            self.action_show_pane(NeighboursPane.TAB.id)

    def on_training_failed(self, message: TrainingFailed) -> None:
        """Training ended without a model: it failed, or was stopped while reading."""
        if not self.is_running:
            return  # a late message while the app shuts down
        self.training, self.paused, self.stopping = False, False, False
        self.failed = not message.stopped
        if message.stopped:
            self.notify(f"{message.error}: nothing was trained.", severity="warning")
        else:
            self.notify(message.error, title="Training failed", severity="error", timeout=10)
        if self.hung_up is not None:
            exit_after_hang_up(self, self.hung_up)

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("pause", "stop"):
            return True if self.training else None
        if action == "save":  # while training, before any vectors, it says why it cannot
            return True if self.vectors is not None or self.training else None
        return True

    def action_show_pane(self, tab_id: str) -> None:
        """Switch to a pane."""
        tabs = self.query_one(TabbedContent)
        if tabs.active == tab_id:
            self.active_pane().focus_body()
        else:
            # no focus left in the tab being hidden: Textual would move it to the next widget
            # there, and the tabs follow the focus back (seen from the Compare pane's tables)
            self.screen.set_focus(None)
            tabs.active = tab_id

    def action_focus_query(self) -> None:
        """Focus the current pane's query input."""
        self.active_pane().focus_query()

    @on(AskNeighbours)
    def ask_neighbours(self, message: AskNeighbours) -> None:
        """A pane (the map's input) asks a neighbours query; every pane is shown the answer."""
        neighbours = self.pane_of(NeighboursPane)
        if neighbours.run_query(message.text):
            self.show_query(neighbours)
            message.pane.answered()

    def on_query_answered(self, message: QueryAnswered) -> None:
        # the pane's answer now, not the message's: a newer one may be shown already
        if self.is_running:  # else a late message while the app shuts down
            self.show_query(self.pane_of(NeighboursPane))

    def show_query(self, neighbours: NeighboursPane) -> None:
        """Show every pane the Neighbours pane's query as answered now."""
        answer = neighbours.answer
        for pane in self.query(Pane):
            pane.show_query(answer)

    def action_pause(self) -> None:
        """Pause or resume training."""
        if not self.training:
            return
        if self.control.paused:
            self.control.resume()
        else:
            self.control.pause()
        self.paused = self.control.paused

    def action_stop(self) -> None:
        """Stop training; the model trained so far is kept."""
        if self.training and not self.control.stopped:
            self.control.stop()
            self.stopping = True

    def action_help(self) -> None:
        """Show every key."""
        self.push_screen(HelpScreen(self.key_rows()))

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(where, key, what) for every key of the app."""
        return key_rows(self.binding_sections())

    @classmethod
    def binding_sections(cls) -> list[Section]:
        """(section, BINDINGS, other keys) of the app and each pane, in tab order."""
        sections: list[Section] = [("Everywhere", cls.BINDINGS, OTHER_KEYS)]
        sections += [(pane.TAB.label, pane.BINDINGS, pane.OTHER_KEYS) for pane in PANES]
        return sections

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen: set[str] = {"quit"}
        yield SystemCommand("Keys: show every key", "The help screen (?)", self.action_help)
        for pane in PANES:
            for binding in pane.BINDINGS:
                b = binding if isinstance(binding, Binding) else Binding(*binding)
                if b.action in seen:
                    continue
                seen.add(b.action)
                yield SystemCommand(f"{pane.TAB.label}: {b.description}", f"key {b.key}",
                                    self._pane_command(pane.TAB.id, b.action))
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
            why = (": the first vectors come at the end of epoch 1 (the corpus is read first)"
                   if self.training else "")
            self.notify(f"Nothing to save yet{why}.", severity="warning")
            return
        note = "Training is running: this saves the vectors of the last epoch." if self.training else ""
        path = default_save_path(self.output, self.model_path, self.corpus_name)
        self.push_screen(SaveScreen(path, note), self._save_to)

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

    def _save(self, what: "Model | KeyedVectors", path: str) -> None:
        self.threads.start(
            lambda: save(what, path), self._saved,
            lambda error: self.notify(error_text(error), title="Save failed", severity="error"),
        )

    def _saved(self, saved: Saved) -> None:
        """A save returned: the model shown is saved only if it is what was written."""
        if saved.what is self.to_save():
            self.saved, self.saved_to, self.dirty = saved.what, saved.path, False
            self.notify(f"Saved to {saved.path}")
        else:  # training moved on (or ended) while the save ran
            self.notify(f"Saved the epoch {self.snapshot_epoch} snapshot to {saved.path}; "
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
            saved_to, problem = save_output(self.model, self.output)
            if problem:  # exiting anyway: say where the model is, or why it is nowhere
                print(f"w2v-tui: {'' if saved_to else 'error: '}{problem}", file=sys.stderr)
        exit_after_hang_up(self, signum)


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
                 model_path=launch.model_path, output=launch.output,
                 checkpoints=launch.checkpoints, resume_from=launch.resume_from, notes=launch.notes,
                 init_from=launch.init_from, comparison=launch.comparison,
                 terminal_rate=launch.terminal_rate, runs=launch.runs)
    try:
        app.run()
    finally:
        if launch.lock is not None:
            launch.lock.release()
    return app.return_code or 0
