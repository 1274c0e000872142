"""The w2v-tui application: a training dashboard and explorer panes in tabs.

``W2VApp(corpus=..., config=...)`` trains (with ``trainer``, :func:`w2v_core.sgns.train` by
default, in a thread worker); ``W2VApp(model=...)`` opens a ready model in the explorer.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from w2v_core.callbacks import TrainingControl
from w2v_core.errors import W2VError
from w2v_core.vectors import KeyedVectors

from .keys import key_rows
from .screens.confirm import ConfirmScreen
from .screens.help import HelpScreen
from .screens.save import SaveScreen
from .training import (
    EpochEnded,
    LossHistory,
    Trainer,
    TrainingBridge,
    TrainingFailed,
    TrainingFinished,
    TrainingProgress,
    TrainingStarted,
)
from .widgets.analogies import AnalogiesPane
from .widgets.dashboard import TrainingPane, fmt_duration
from .widgets.evaluate import EvaluatePane
from .widgets.map import MapPane
from .widgets.neighbours import NeighboursPane
from .widgets.query import Pane

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.model import Model
    from w2v_core.sgns import TrainConfig

#: (tab id, label with its key underlined, pane class)
PANES: tuple[tuple[str, str, type[Pane]], ...] = (
    ("training", "[u]T[/u]raining", TrainingPane),
    ("neighbours", "[u]N[/u]eighbours", NeighboursPane),
    ("analogies", "[u]A[/u]nalogies", AnalogiesPane),
    ("map", "[u]M[/u]ap", MapPane),
    ("evaluate", "[u]E[/u]valuate", EvaluatePane),
)


class Saved(Message):
    """A save finished (``error`` set if it failed)."""

    def __init__(self, path: str, error: str = "") -> None:
        super().__init__()
        self.path = path
        self.error = error


class W2VApp(App[None]):
    """Train word2vec and explore the vectors."""

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

    def __init__(
        self,
        corpus: str | None = None,
        config: "TrainConfig | None" = None,
        model: "Model | None" = None,
        model_path: str | None = None,
        trainer: Trainer | None = None,
    ) -> None:
        super().__init__()
        if (corpus is None) == (model is None):
            raise ValueError("give either a corpus to train or a model to open")
        self.corpus = corpus
        self.config = config
        self.model: Model | None = model
        self.model_path = model_path
        self.trainer = trainer
        self.history = LossHistory()
        self.control = TrainingControl()
        self.training = False
        self.snapshot: KeyedVectors | None = None
        self.dirty = False
        self.saved_to: str | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with TabbedContent(initial="training" if self.corpus else "neighbours"):
            for tab_id, label, cls in PANES:
                with TabPane(label, id=tab_id):
                    yield TrainingPane(self.history, id=f"{tab_id}-pane") if cls is TrainingPane \
                        else cls(id=f"{tab_id}-pane")
        yield Static("", id="status")
        yield Footer()

    def pane(self, tab_id: str) -> Pane:
        """The pane widget of a tab."""
        return self.query_one(f"#{tab_id}-pane", Pane)

    @property
    def panes(self) -> list[Pane]:
        return [self.pane(tab_id) for tab_id, _, _ in PANES]

    def active_pane(self) -> Pane:
        return self.pane(self.query_one(TabbedContent).active)

    def on_mount(self) -> None:
        if self.model is not None:
            self.pane("training").loaded(self.model_path or "model", self.model)  # type: ignore[attr-defined]
            self._set_vectors(self.model.wv)
            self.saved_to = self.model_path
        else:
            self.start_training()
        self.update_status()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = self.active_pane()
        if isinstance(pane, MapPane):
            pane.ensure_projection()
        self.call_after_refresh(self._focus_into, pane)

    def _focus_into(self, pane: Pane) -> None:
        """Focus the pane's body unless focus is already inside the pane."""
        if self.focused is None or pane not in self.focused.ancestors_with_self:
            pane.focus_body()

    # ------------------------------------------------------------------ training
    def start_training(self) -> None:
        """Show the dashboard in its 'reading' state and start the training worker."""
        assert self.corpus is not None
        if self.config is None:
            from w2v_core.sgns import TrainConfig

            self.config = TrainConfig()
        self.training = True
        self.pane("training").reading(self.corpus, self.config)  # type: ignore[attr-defined]
        self._train()

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def _train(self) -> None:
        worker = get_current_worker()
        bridge = TrainingBridge(self, self.history, lambda: worker.is_cancelled)
        trainer = self.trainer
        if trainer is None:
            from w2v_core.sgns import train as trainer
        try:
            model = trainer(self.corpus, self.config, callbacks=[bridge], control=self.control)
        except W2VError as error:
            self.post_message(TrainingFailed(str(error)))
        except Exception as error:  # noqa: BLE001 - the UI must survive any engine failure
            self.post_message(TrainingFailed(f"{type(error).__name__}: {error}"))
        else:
            self.post_message(TrainingFinished(model, bridge.last_event))

    def on_training_started(self, message: TrainingStarted) -> None:
        if not self.is_running:
            return  # a late message while the app shuts down
        self.pane("training").started(message.info)  # type: ignore[attr-defined]

    def on_training_progress(self, message: TrainingProgress) -> None:
        if self.training and self.is_running:
            self.pane("training").progress(message.event, self.control.paused)  # type: ignore[attr-defined]
        message.delivered()

    def on_epoch_ended(self, message: EpochEnded) -> None:
        message.delivered()
        if not (self.training and self.is_running):
            return  # a late snapshot: the final model is already shown
        self.snapshot = message.vectors
        self.pane("training").epoch_ended(message.event, message.vectors)  # type: ignore[attr-defined]
        self._set_vectors(message.vectors, skip_training=True)
        self.update_status()

    def on_training_finished(self, message: TrainingFinished) -> None:
        if not self.is_running:
            return  # a late message while the app shuts down
        self.training = False
        self.model, self.dirty = message.model, True
        dashboard = self.pane("training")
        dashboard.finished(message.model, message.event)  # type: ignore[attr-defined]
        self._set_vectors(message.model.wv, skip_training=True)
        summary = message.model.summary
        if summary is not None and summary.stopped_early:
            self.notify(f"Training stopped after {summary.epochs_completed:.2f} epochs; the model so far is kept.")
        else:
            took = f" in {fmt_duration(summary.seconds)}" if summary is not None else ""
            self.notify(f"Training finished{took}. Ctrl+S saves the model.")
        neighbours = self.pane("neighbours")
        assert isinstance(neighbours, NeighboursPane)
        if not neighbours.current and getattr(dashboard, "probes", None):
            neighbours.run_query(dashboard.probes[0], quiet=True)  # type: ignore[attr-defined]
        if self.query_one(TabbedContent).active == "training":
            self.action_show_pane("neighbours")
        self.refresh_bindings()
        self.update_status()

    def on_training_failed(self, message: TrainingFailed) -> None:
        if not self.is_running:
            return  # a late message while the app shuts down
        self.training = False
        self.pane("training").failed(message.error)  # type: ignore[attr-defined]
        self.notify(message.error, title="Training failed", severity="error", timeout=10)
        self.refresh_bindings()
        self.update_status()

    def _set_vectors(self, vectors: KeyedVectors, skip_training: bool = False) -> None:
        for pane in self.panes:
            if not (skip_training and isinstance(pane, TrainingPane)):
                pane.set_vectors(vectors)

    @property
    def vectors(self) -> KeyedVectors | None:
        """The vectors queries use: the model's, or the latest epoch snapshot while training."""
        return self.model.wv if self.model is not None else self.snapshot

    # ------------------------------------------------------------------ status
    def update_status(self) -> None:
        """The one-line status bar: what is loaded and whether it is saved."""
        name = self.model_path or self.corpus or ""
        kv = self.vectors
        parts = [name]
        if kv is not None:
            parts.append(f"{len(kv):,} words × {kv.dim}d")
        if self.training:
            parts.append("paused" if self.control.paused else "training")
            if self.snapshot is not None:
                parts.append(f"explorer uses epoch {self.pane('training').snapshot_epoch}")  # type: ignore[attr-defined]
        elif self.model is not None:
            parts.append("unsaved" if self.dirty else f"saved: {self.saved_to}" if self.saved_to else "")
        status = self.query_one("#status", Static)
        status.update(" · ".join(p for p in parts if p))
        status.set_class(self.dirty or self.training, "-unsaved")

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

    def ask(self, text: str) -> bool:
        """Run a neighbours query from anywhere (the map's input uses it)."""
        pane = self.pane("neighbours")
        assert isinstance(pane, NeighboursPane)
        return pane.run_query(text)

    def on_neighbours_pane_query_changed(self, message: NeighboursPane.QueryChanged) -> None:
        if not self.is_running:
            return  # a late message while the app shuts down
        pane = self.pane("map")
        assert isinstance(pane, MapPane)
        pane.set_query(message.positive + message.negative, [w for w, _ in message.results])

    def action_pause(self) -> None:
        """Pause or resume training."""
        if not self.training:
            return
        if self.control.paused:
            self.control.resume()
        else:
            self.control.pause()
        self.pane("training").paused(self.control.paused)  # type: ignore[attr-defined]
        self.update_status()

    def action_stop(self) -> None:
        """Stop training; the model trained so far is kept."""
        if self.training and not self.control.stopped:
            self.control.stop()
            self.pane("training").stopping()  # type: ignore[attr-defined]

    def action_help(self) -> None:
        """Show every key."""
        self.push_screen(HelpScreen(self.key_rows()))

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(where, key, what) for every key of the app."""
        return key_rows(self.binding_sections())

    @classmethod
    def binding_sections(cls) -> list[tuple[str, Iterable[Any]]]:
        """(section, BINDINGS) of the app and each pane, in tab order."""
        return [("Everywhere", cls.BINDINGS)] + [
            (re.sub(r"\[/?u\]", "", label), pane_cls.BINDINGS) for _, label, pane_cls in PANES
        ]

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
        for b in self.BINDINGS:
            assert isinstance(b, Binding)
            if b.action not in seen:
                yield SystemCommand(b.description, f"key {b.key}", self._app_command(b.action))

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
        stem = Path(self.model_path).stem if self.model_path else re.sub(r"\W+", "-", (self.corpus or "model").split(":")[-1]).strip("-")
        note = "Training is running: this saves the vectors of the last epoch." if self.training else ""
        self.push_screen(SaveScreen(f"{stem or 'model'}.npz", note), self._save_to)

    def _save_to(self, path: str | None) -> None:
        if path:
            what = self.model if self.model is not None and not self.training else self.vectors
            self._save(what, path)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, what: Any, path: str) -> None:
        from w2v_core.io import save

        try:
            save(what, path)
        except (W2VError, OSError, ValueError) as error:
            self.post_message(Saved(path, str(error)))
        else:
            self.post_message(Saved(path))

    def on_saved(self, message: Saved) -> None:
        if not self.is_running:
            return  # a late message while the app shuts down
        if message.error:
            self.notify(message.error, title="Save failed", severity="error")
            return
        self.notify(f"Saved to {message.path}")
        if not self.training:
            self.dirty, self.saved_to = False, message.path
        self.update_status()

    # ------------------------------------------------------------------ quitting
    async def action_quit(self) -> None:
        """Quit; ask first if training is running or the model is unsaved."""
        if self.training:
            question = "Training is still running. Quit and lose it?"
        elif self.dirty:
            question = "The model is not saved. Quit anyway?"
        else:
            self._shutdown_training()
            self.exit()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._shutdown_training()
                self.exit()

        self.push_screen(ConfirmScreen(question), answer)

    def _shutdown_training(self) -> None:
        self.control.stop()
        self.workers.cancel_group(self, "training")

    def on_unmount(self) -> None:
        self._shutdown_training()


def main(argv: list[str] | None = None) -> int:
    """The ``w2v-tui`` console script."""
    from w2v_core.errors import ConfigError

    from .options import EXIT_FAILURE, EXIT_USAGE, PROG, UsageError, resolve

    try:
        launch = resolve(argv)
    except (UsageError, ConfigError) as error:
        print(f"{PROG}: error: {error} (see '{PROG} --help')", file=sys.stderr)
        return EXIT_USAGE
    except W2VError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as error:
        print(f"{PROG}: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_FAILURE
    app = W2VApp(corpus=launch.corpus, config=launch.config, model=launch.model, model_path=launch.model_path)
    app.run()
    return 0
