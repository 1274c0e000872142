"""Training progress on a console: a rich bar on a terminal, plain lines in a log."""

from __future__ import annotations

import math
import time
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.status import Status

from ..callbacks import Callback, ReadingProgress, TrainingEvent, TrainingStart
from ..model import Model
from ..units import bound_notice, format_duration, reading_text
from ..vectors import KeyedVectors
from . import PROG
from .output import frequent_separation

#: Seconds between two plain progress lines when stderr is not a terminal.
PLAIN_PROGRESS_INTERVAL = 5.0


def epochs_value(epochs: int, reason: str | None) -> str:
    """``40 (auto: small corpus)``, or ``5`` when the user chose them."""
    return f"{epochs}" + (f" ({reason})" if reason else "")


def epochs_text(epochs: int, reason: str | None) -> str:
    """``epochs 40 (auto: small corpus)``, or ``epochs 5`` when the user chose them."""
    return f"epochs {epochs_value(epochs, reason)}"


def number(value: float | None, digits: int = 4) -> str:
    """Format a float compactly; ``n/a`` for NaN or None."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.{digits}f}"


class ProgressReporter(Callback):
    """Show training progress on a console: a rich bar on a terminal, else plain lines.

    It also keeps the pairs-weighted mean loss of the current epoch, the figure shown as
    "loss" and reported as the final loss at the end.
    """

    keeps_epoch_vectors = False  # an epoch's vectors are only sampled, during the call

    def __init__(self, console: Console, interval: float = PLAIN_PROGRESS_INTERVAL) -> None:
        self.console = console
        self.interval = interval
        self.rich = console.is_interactive
        self.started = False
        self.info: TrainingStart | None = None
        self.last_event: TrainingEvent | None = None
        self.note = ""
        self.muted = False
        self.separation = math.nan  #: of the last epoch's vectors
        self._progress: Progress | None = None
        self._status: Status | None = None
        self._task: Any = None
        self._last_line = -math.inf
        self._printed: tuple[int, int] | None = None
        self._epoch = 0
        self._loss_sum = 0.0
        self._pairs = 0
        self._seen = -1
        self.corpus = ""
        self._reading_started = time.monotonic()
        self.run = ""  #: ``run 2/3 `` while an ensemble trains, shown before the epoch

    # -- loss ------------------------------------------------------------------
    def _account(self, event: TrainingEvent) -> None:
        """Add an event's loss to the running epoch mean (each event counted once)."""
        if event.words_done == self._seen and event.epoch == self._epoch:
            return
        self._seen = event.words_done
        if event.epoch != self._epoch:
            self._epoch, self._loss_sum, self._pairs = event.epoch, 0.0, 0
        if event.pairs > 0 and math.isfinite(event.loss):
            self._loss_sum += event.loss * event.pairs
            self._pairs += event.pairs
        self.last_event = event

    @property
    def epoch(self) -> int:
        """The epoch :attr:`mean_loss` belongs to."""
        return self._epoch

    @property
    def mean_loss(self) -> float:
        """Pairs-weighted mean loss over the current (or last) epoch; NaN if unknown."""
        return self._loss_sum / self._pairs if self._pairs else math.nan

    # -- display ---------------------------------------------------------------
    def _fields(self, event: TrainingEvent) -> dict[str, str]:
        return {
            "epoch": f"{self.run}epoch {event.epoch}/{event.epochs}",
            "speed": f"{event.words_per_second:,.0f} words/s",
            "loss": f"loss {number(self.mean_loss)}",
            "lr": f"lr {event.learning_rate:.5f}",
            "sep": f"sep {self.separation:.3f}" if math.isfinite(self.separation) else "",
            "eta": f"ETA {format_duration(event.eta)}",
            "note": self.note,
        }

    def mute(self) -> None:
        """Print nothing more (the terminal is gone); live displays stop without drawing."""
        self.muted = True
        self.console.quiet = True

    def say(self, text: str) -> None:
        """Print one line unless muted; a console that has gone away is not an error."""
        if self.muted:
            return
        try:
            self.console.print(text, highlight=False, soft_wrap=True)
        except OSError:
            self.muted = True

    def _show(self, event: TrainingEvent, force: bool = False) -> None:
        if self.muted:
            return
        fields = self._fields(event)
        if self._progress is not None:
            self._progress.update(
                self._task, completed=event.words_done, total=event.words_total, **fields
            )
            return
        now = time.monotonic()
        shown = (event.epoch, event.words_done)
        if shown != self._printed and (force or now - self._last_line >= self.interval):
            self._last_line, self._printed = now, shown
            percent = f"{100.0 * event.fraction:5.1f}%"
            parts = [fields["epoch"], percent, fields["speed"], fields["loss"], fields["lr"]]
            parts += [fields["sep"]] if fields["sep"] else []
            parts.append(fields["eta"])
            self.say("  ".join(parts) + (f"  {self.note}" if self.note else ""))

    def interrupted(self, note: str = "stopping (Ctrl-C again aborts without saving)") -> None:
        """Tell the user that training is stopping (after Ctrl-C or a termination signal)."""
        self.note = note
        if self._progress is None:
            self.say(f"{PROG}: {self.note}")
        elif self.last_event is not None:
            self._show(self.last_event)

    # -- Callback API ----------------------------------------------------------
    def reading(self, corpus: str) -> None:
        """On a terminal, show a spinner while the corpus is read (no progress known yet).

        Plain output stays silent here, so an empty corpus still gives one error line.
        """
        self.corpus = corpus
        self._reading_started = time.monotonic()
        if self.rich:
            self._status = self.console.status(
                f"reading {escape(corpus)} and building the vocabulary ..."
            )
            self._status.start()

    def on_reading(self, progress: ReadingProgress) -> None:
        """How far reading has come: the spinner's text on a terminal; piped, a line every
        few seconds once reading has taken that long (a small corpus prints none)."""
        if self.muted:
            return
        if progress.done:
            notice = bound_notice(progress)
            if notice:
                self.say(f"{PROG}: {notice}")
            return
        text = f"reading {self.corpus}: {reading_text(progress)}"
        if self._status is not None:
            self._status.update(escape(text))
            return
        now = time.monotonic()
        if not self.rich and now - max(self._last_line, self._reading_started) >= self.interval:
            self._last_line = now
            self.say(text)

    def on_run_begin(self, run: int, runs: int) -> None:
        """An ensemble's next run: every line and the bar say which (``run 2/3``)."""
        self.run = f"run {run}/{runs} "
        self._epoch, self._loss_sum, self._pairs, self._seen = 0, 0.0, 0, -1

    def on_train_begin(self, info: TrainingStart) -> None:
        self.started = True
        self.info = info
        self._stop_status()
        self.say(
            f"{self.run.strip() + ': ' if self.run else ''}"
            f"training on {info.corpus_words:,} words, vocabulary {info.vocab_size:,}, "
            f"{epochs_text(info.config.epochs, info.epochs_reason)}"
        )
        if self.rich and not self.muted:
            self._progress = Progress(
                TextColumn("[bold]{task.fields[epoch]}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[speed]}"),
                TextColumn("{task.fields[loss]}"),
                TextColumn("{task.fields[lr]}"),
                TextColumn("{task.fields[sep]}"),
                TextColumn("{task.fields[eta]}"),
                TextColumn("[yellow]{task.fields[note]}"),
                console=self.console,
            )
            self._task = self._progress.add_task(
                "train",
                total=info.words_total,
                completed=info.resumed.words_done if info.resumed else 0,
                epoch=f"{self.run}epoch {(info.resumed.epoch if info.resumed else 0) + 1}/{info.config.epochs}",
                speed="",
                loss="",
                lr="",
                sep="",
                eta="",
                note="",
            )
            self._progress.start()

    def on_progress(self, event: TrainingEvent) -> None:
        self._account(event)
        self._show(event)

    def on_epoch_end(self, event: TrainingEvent, vectors: KeyedVectors) -> None:
        """Also measure how far the vectors have separated (mean cosine of random pairs)."""
        self._account(event)
        if len(vectors) >= 2:
            self.separation = frequent_separation(vectors)
        self._show(event, force=True)

    def on_train_end(self, event: TrainingEvent, model: Model) -> None:
        self._account(event)
        self._show(event, force=True)
        self.close()

    def _stop_status(self) -> None:
        status, self._status = self._status, None
        if status is not None:
            try:
                status.stop()
            except OSError:
                self.muted = True

    def close(self) -> None:
        """Stop the live displays (idempotent)."""
        self._stop_status()
        progress, self._progress = self._progress, None
        if progress is not None:
            try:
                progress.stop()
            except OSError:
                self.muted = True
