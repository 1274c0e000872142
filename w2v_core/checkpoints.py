"""Checkpoints: writing a run's whole state while it trains, and continuing it later.

A checkpoint is a native ``.npz`` model (:mod:`w2v_core.formats.native`) that also holds its
:class:`~w2v_core.run_state.TrainingState`, the corpus's identity
(:mod:`w2v_core.corpus_identity`) and the loss curve. Any model a run saves in the native
format carries them too, so a run stopped with Ctrl-C resumes from its ``-o`` as well.

:class:`Checkpointer` writes one at each epoch end and every ``every`` seconds at a chunk
boundary, atomically, so a crash loses at most that much work. :func:`resume` continues a
run to its planned end: with one worker thread, exactly as if it had never stopped.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .callbacks import Callback, CallbackList, ReadingProgress, TrainingControl
from .corpus import Corpus, open_corpus
from .corpus_identity import CorpusChangedError, check_unchanged
from .errors import CorpusError, W2VError
from .model import Model
from .run_state import CHECKPOINT_SUFFIX, DEFAULT_CHECKPOINT_SECONDS
from .phrases import Phrasing
from .token_ids import EncodedCorpus, encode_corpus

if TYPE_CHECKING:  # pragma: no cover
    from .config import TrainConfig

#: Most of the training time checkpoints may take: a checkpoint waits until the time since
#: the last one is this many times what writing the last one took (so a corpus whose epochs
#: take a second is not checkpointed at every epoch end).
MAX_CHECKPOINT_COST = 0.02


class NotResumableError(W2VError):
    """A model file cannot be resumed: it holds no training state, or its run finished."""


def checkpoint_path_for(output: str | Path) -> Path:
    """Where a run saving to ``output`` writes its checkpoints: ``NAME.checkpoint.npz`` beside it."""
    output = Path(output)
    stem = output.name[: -len(CHECKPOINT_SUFFIX)] if output.name.endswith(CHECKPOINT_SUFFIX) else output.stem
    return output.with_name(stem + CHECKPOINT_SUFFIX)


def state_directory() -> Path:
    """Where runs with no output of their own keep their checkpoints: ``$XDG_STATE_HOME/w2v-tui``
    (default ``~/.local/state/w2v-tui``), as the XDG base directories say for state that
    outlives a session but is not a user's document."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "w2v-tui"


def unsaved_run_checkpoint(corpus: str) -> Path:
    """The checkpoint of a run on ``corpus`` that saves nowhere (``w2v-tui`` without ``-o``):
    in :func:`state_directory`, named after the corpus (and a hash of its spec, so two corpora
    named alike do not share one)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(corpus.split(":")[-1]).name)[:40].strip("._") or "corpus"
    digest = hashlib.blake2b(corpus.encode("utf-8"), digest_size=4).hexdigest()
    return state_directory() / f"{stem}-{digest}{CHECKPOINT_SUFFIX}"


class Checkpointer:
    """Writes a run's checkpoints to ``path``: at epoch ends, and mid-epoch when ``every``
    seconds have passed since the last one; never so often that writing them takes more than
    ``max_cost`` of the time (:data:`MAX_CHECKPOINT_COST`).

    Parameters
    ----------
    path : str or Path
        The checkpoint file (native ``.npz``), replaced atomically each time.
    identity : dict
        The corpus's identity (:func:`~w2v_core.corpus_identity.identify`), stamped into each
        checkpoint's state.
    every : float or None
        Seconds between mid-epoch checkpoints; None: at epoch ends only.
    output : str, optional
        Where the run saves its model, recorded so that a resumed run saves there too.
    on_failed : callable, optional
        Called once, with the error, when a write fails; training goes on regardless.
    clock : callable, optional
        Monotonic seconds (default :func:`time.monotonic`).
    max_cost : float
        Most of the time writing checkpoints may take.

    Attributes
    ----------
    written : int
        Checkpoints written so far.
    seconds : float
        Time spent writing them (the cost of checkpointing).
    """

    def __init__(
        self,
        path: str | Path,
        identity: dict[str, Any],
        every: float | None = DEFAULT_CHECKPOINT_SECONDS,
        output: str | None = None,
        on_failed: Callable[[Exception], None] | None = None,
        clock: Callable[[], float] | None = None,
        max_cost: float = MAX_CHECKPOINT_COST,
    ) -> None:
        self.path = Path(path)
        self.identity = identity
        self.every = every
        self.output = output
        self.on_failed = on_failed
        self.clock = clock or time.monotonic
        self.max_cost = max_cost
        self.written = 0
        self.seconds = 0.0
        self.error: Exception | None = None
        self._last = self.clock()
        self._last_cost = 0.0  # seconds the last write took

    def due(self, epoch_end: bool = False) -> bool:
        """Is a checkpoint due: at an epoch end, or mid-epoch once ``every`` has passed since
        the last one (or the start), and in both cases once it is cheap enough?"""
        waited = self.clock() - self._last
        if waited * self.max_cost < self._last_cost:
            return False
        return epoch_end or (self.every is not None and waited >= self.every)

    def stamp(self, model: Model) -> Model:
        """``model`` with the corpus's identity and the output in its state (when it has one)."""
        if model.state is not None:
            model.state = model.state.with_context(corpus=self.identity, output=self.output)
        return model

    def write(self, model: Model) -> None:
        """Write ``model`` (with its state) to :attr:`path`; a failure is reported, not raised."""
        from .formats import save

        started = self.clock()
        try:
            save(self.stamp(model), self.path, format="npz")
        except (W2VError, OSError) as error:
            if self.error is None and self.on_failed is not None:
                self.on_failed(error)
            self.error = error
        else:
            self.written += 1
            self.error = None
        finally:
            self._last = self.clock()
            self._last_cost = self._last - started
            self.seconds += self._last_cost

    def finish(self, model: Model, saved: bool = True) -> None:
        """The run ended (``saved``: its model is safe elsewhere): keep where a stopped run
        stands, to resume from; remove the file of a finished one."""
        if not saved or model.state is None or not model.state.finished:
            self.write(model)
        else:
            self.remove()

    def remove(self) -> None:
        """Delete the checkpoint file (the run finished and its model is saved)."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError:  # a leftover checkpoint is harmless: it says it finished nothing
            pass


# --------------------------------------------------------------------------- resuming
def load_checkpoint(path: str | Path) -> Model:
    """The model at ``path``, checked to be a run that can continue.

    Raises
    ------
    ModelFormatError
        Missing, unreadable or not a model.
    NotResumableError
        No training state (a word2vec file, a model of another tool, vectors saved
        alone), or every epoch of its run was trained.
    """
    from .formats import load

    model = load(path)
    state = model.state
    if state is None or model.config is None or model.output_vectors is None:
        raise NotResumableError(
            f"{path} holds no training state to resume (only native .npz models and "
            "checkpoints written by w2v train or w2v-tui do)"
        )
    if state.finished:
        raise NotResumableError(
            f"{path} finished its training ({model.config.epochs} of {model.config.epochs} "
            "epochs): nothing to resume"
        )
    if "spec" not in state.corpus:  # it may still say how counting went (count_floor)
        raise NotResumableError(f"{path} does not record its corpus, so it cannot be resumed")
    return model


def reopen_corpus(model: Model, corpus: str | None = None) -> tuple[Corpus, list[str]]:
    """Open the corpus ``model``'s run trained on (or ``corpus``, e.g. moved), read as it was,
    and check that it is unchanged; return it with notes for the user.

    Raises
    ------
    CorpusChangedError
        Its files differ from the recorded ones.
    CorpusError
        It cannot be opened.
    """
    recorded = model.state.corpus
    spec = corpus or recorded.get("resolved") or recorded.get("spec")
    if not spec:
        raise CorpusError("the checkpoint does not name its corpus; give it")
    text = recorded.get("text", {})
    opened = open_corpus(spec, **text)
    notes = check_unchanged(recorded, opened)
    return opened, notes


def encode_like(
    corpus: Corpus,
    model: Model,
    control: TrainingControl | None = None,
    on_progress: Callable[[ReadingProgress], None] | None = None,
) -> EncodedCorpus:
    """Encode ``corpus`` as ``model``'s run did, and check that the vocabulary came out the same.

    Raises
    ------
    CorpusChangedError
        The words or their counts differ: the text is not the one the run trained on.
    """
    config, init_words = model.config, model.state.init_words
    if init_words:  # a run that trained further: its first words are the earlier model's
        from .further import encode_further

        encoded = encode_further(corpus, model, config, control, base_words=init_words,
                                 on_progress=on_progress)
    else:
        encoded = encode_corpus(
            corpus, config.min_count, config.max_vocab, control=control,
            phrases=Phrasing.of(config), on_progress=on_progress, workers=config.threads,
            max_distinct=config.max_distinct,
        )
    vocab, words, counts = encoded.vocab, model.wv.words, model.wv.counts
    if init_words and counts is not None and len(counts) == len(vocab):
        # the earlier model's words: merged counts, of which this text gives a part
        if np.all(vocab.counts[:init_words] <= counts[:init_words]):
            vocab.counts[:init_words] = counts[:init_words]
    if len(vocab) != len(words) or list(vocab.words) != list(words) or (
        counts is not None and not np.array_equal(vocab.counts, counts)
    ):
        raise CorpusChangedError(
            f"the corpus changed since the checkpoint: {corpus.name} gives {len(vocab):,} words "
            f"with other counts than the checkpoint's {len(words):,}; resume needs the same text"
        )
    return encoded


def train_or_resume(
    corpus: Corpus,
    config: "TrainConfig",
    callbacks: Sequence[Callback] = (),
    control: TrainingControl | None = None,
    checkpoints: Checkpointer | None = None,
    resume_from: Model | None = None,
    init_from: Model | None = None,
) -> Model:
    """What both front ends run: train ``corpus`` from the start, from a trained model
    (``init_from``: :mod:`w2v_core.further`), or continue ``resume_from`` on it (its
    vocabulary checked by :func:`encode_like`).

    A run that started from a model and finished has its rows in frequency order again.
    """
    from .further import encode_further, in_frequency_order
    from .training import Trainer, train

    on_progress = CallbackList(list(callbacks)).on_reading
    if resume_from is not None:
        encoded = encode_like(corpus, resume_from, control, on_progress)
    elif init_from is not None:
        encoded = encode_further(corpus, init_from, config, control, on_progress=on_progress)
    else:
        return train(corpus, config, callbacks, control, checkpoints)
    model = Trainer(
        encoded, config, callbacks, control, resume_from=resume_from, checkpoints=checkpoints,
        initial=init_from,
    ).train()
    if model.state is not None and model.state.init_words and model.state.finished:
        model = in_frequency_order(model)
    return model


def resume(
    checkpoint: str | Path | Model,
    callbacks: Sequence[Callback] = (),
    control: TrainingControl | None = None,
    threads: int | None = None,
    checkpoints: Checkpointer | None = None,
    corpus: str | None = None,
) -> Model:
    """Continue a stopped or crashed run to its planned end.

    Parameters
    ----------
    checkpoint : str, Path or Model
        A checkpoint, or a native model saved by a stopped run
        (:func:`load_checkpoint` checks it).
    callbacks, control
        As for :func:`~w2v_core.training.train`; the first event continues the run's
        progress, and :class:`~w2v_core.callbacks.TrainingStart` carries the loss so far.
    threads : int, optional
        Workers for the rest of the run (default: the run's own). With 1, as in the run, the
        result equals the uninterrupted run's vectors.
    checkpoints : Checkpointer, optional
        Where the resumed run writes its own checkpoints.
    corpus : str, optional
        The corpus, if it moved since the run began (it must be the same text).

    Raises
    ------
    NotResumableError, CorpusChangedError, CorpusError, TrainingDivergedError
    """
    model = checkpoint if isinstance(checkpoint, Model) else load_checkpoint(checkpoint)
    opened, _ = reopen_corpus(model, corpus)
    config = model.config if threads is None else replace(model.config, threads=threads)
    return train_or_resume(opened, config, callbacks, control, checkpoints, resume_from=model)


def progress_note(model: Model) -> str:
    """Where a resumable run stands, in words: ``epoch 3 of 5, 52% done``."""
    state, config = model.state, model.config
    done = f", {state.words_done / state.words_total:.0%} done" if state.words_total else ""
    epoch = min(state.epoch + 1, config.epochs)
    return f"epoch {epoch} of {config.epochs}{done}"
