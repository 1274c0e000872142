"""An ensemble: K models of one vocabulary, each trained on a bootstrap sample of the corpus.

One model's neighbours may be an accident of its seed and of which sentences it saw
(Antoniak & Mimno, TACL 2018). :func:`train_ensemble` reads and encodes the corpus once,
then trains K runs one after another (each already uses every thread), run ``i`` on its own
bootstrap sample (:mod:`w2v_core.bootstrap`) with its own seed (:func:`run_seed`). What the
members agree on is measured by :mod:`w2v_core.stability` and
:func:`w2v_core.evaluate.ensemble_evaluation`.

An ensemble (:class:`~w2v_core.model.Ensemble`, beside the model it is made of) is saved as
one native ``.npz`` file (:mod:`w2v_core.formats.native`); loading it gives its first member,
a plain :class:`~w2v_core.model.Model` whose ``ensemble`` is the set, so whatever expects one
model gets one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np

from .bootstrap import bootstrap_sample
from .callbacks import Callback, CallbackList, TrainingControl
from .config import TrainConfig, resolve_epochs
from .corpus import Corpus
from .errors import TrainingDivergedError
from .model import Ensemble, Model
from .token_ids import EncodedCorpus


__all__ = ["Ensemble", "run_seed", "sample_generator", "train_ensemble"]


def run_seed(seed: int, run: int) -> int:
    """The training seed of an ensemble's run ``run`` (0-based): distinct per run and
    reproducible from the ensemble's ``seed``."""
    return int(np.random.SeedSequence([seed, run]).generate_state(1, np.uint32)[0])


def sample_generator(seed: int, run: int) -> np.random.Generator:
    """The generator that draws run ``run``'s bootstrap sample (a stream apart from the
    run's training seed, so sample and initial vectors are not drawn alike)."""
    return np.random.default_rng([seed, run, 1])


def train_ensemble(
    corpus: str | Corpus | EncodedCorpus | Iterable[list[str]],
    config: TrainConfig = TrainConfig(),
    runs: int = 3,
    callbacks: Sequence[Callback] = (),
    control: TrainingControl | None = None,
) -> Ensemble:
    """Train ``runs`` models, each on a bootstrap sample of the corpus's sentences.

    Parameters
    ----------
    corpus : str, Corpus, EncodedCorpus or iterable of token lists
        Read and encoded once (as :func:`w2v_core.training.train` does).
    config : TrainConfig
        Every run's settings; run ``i`` trains with ``seed=run_seed(config.seed, i)`` and
        the epochs resolved once from the whole corpus.
    runs : int
        K. With 1 this is exactly :func:`~w2v_core.training.train` on the whole corpus
        (no sample), so ``--runs 1`` is a plain run.
    callbacks : sequence of Callback
        Told about reading once, then :meth:`~w2v_core.callbacks.Callback.on_run_begin`
        and every hook of each run.
    control : TrainingControl, optional
        A stop ends the run in progress; the runs finished before it are the members, and
        the stopped one is :attr:`Ensemble.interrupted` (when it was the first, it is also
        the only member: the model trained so far, as a plain run keeps it).

    Raises
    ------
    ConfigError, CorpusError, ReadingStopped
    TrainingDivergedError
        A run diverged; its ``kept`` holds the runs finished before it (None for the first).
    """
    from .phrases import Phrasing
    from .training import Trainer, prepare_corpus, train

    if runs < 1:
        raise ValueError("runs must be at least 1")
    config.validate()
    if runs == 1:
        return Ensemble([train(corpus, config, callbacks, control)])
    fan = CallbackList(list(callbacks))
    owned = not isinstance(corpus, EncodedCorpus)
    encoded = corpus if isinstance(corpus, EncodedCorpus) else prepare_corpus(
        corpus, config.min_count, config.max_vocab, control, on_progress=fan.on_reading,
        phrases=Phrasing.of(config),
    )
    epochs, _ = resolve_epochs(config.epochs, encoded.n_words)  # one number for every run
    members: list[Model] = []
    interrupted = None
    try:
        for run in range(runs):
            fan.on_run_begin(run + 1, runs)
            sample = bootstrap_sample(encoded, sample_generator(config.seed, run))
            try:
                run_config = replace(config, seed=run_seed(config.seed, run), epochs=epochs)
                model = Trainer(sample, run_config, callbacks, control).train()
            except TrainingDivergedError as error:
                if members:  # the finished runs are sound: the caller may keep them
                    error.kept = Ensemble(members, runs)
                    error.args = (f"run {run + 1}/{runs}: {error}",)
                raise
            finally:
                sample.store.close()
            model.state = None  # a member is not resumable: its sample is not kept
            if model.summary is not None and model.summary.stopped_early:
                interrupted = model
                break
            members.append(model)
    finally:
        if owned:
            encoded.store.close()
    if not members:  # the first run was stopped: kept alone, as a plain run stopped early
        return Ensemble([interrupted], runs, interrupted)
    return Ensemble(members, runs, interrupted)
