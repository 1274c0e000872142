"""The training loop: word2vec's semantics, vectorised per chunk, for any :class:`Objective`.

Semantics follow the original C tool: a reduced window drawn per centre word, frequent
words subsampled with the C formula (re-drawn every epoch), negatives drawn from the
unigram distribution raised to 0.75, input vectors initialised uniform in
``(-0.5, 0.5) / dim`` (times the objective's ``init_scale``), output vectors zero, and a
learning rate decaying linearly over all words of all epochs.

Vectorised: pairs are generated per chunk of the corpus with array operations
(:mod:`~w2v_core.training.pairs`), as the objective's examples, trained per
minibatch (:class:`~w2v_core.training.worker.Worker`). No Python loop runs per token or per
pair. The loop owns time, progress, pause and stop; the objective owns what a step does;
:mod:`~w2v_core.training.parallel` runs the workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from ..blas import single_threaded_blas
from ..callbacks import (
    Callback, CallbackList, ReadingProgress, StopTraining, TrainingControl, TrainingStart,
)
from ..config import TrainConfig, flag, resolve_epochs
from ..corpus import Corpus
from ..phrases import Phrasing
from ..token_ids import EncodedCorpus, encode_corpus
from ..errors import ConfigError, CorpusError
from ..model import Model, TrainingSummary
from ..processes import processes_supported, shared_array
from ..run_state import LossCurve, TrainingState
from ..vectors import KeyedVectors
from .bursts import MAX_ROW_STEP, burst_cap, burst_weights, effective_batch_size
from .divergence import DivergenceGuard
from .cbow import Cbow
from .negative_sampling import whole_groups
from .objective import Batch, Objective
from .parallel import ChunkQueue, SharedState, train_in_processes, train_in_threads
from .progress import Control, Progress, Reporter
from .sampling import AliasTable, Draws
from .skipgram import SkipGram
from .worker import Worker

#: Tokens per chunk of pair generation. Each worker holds one chunk's examples; the size
#: trades resident memory against pairs lost at chunk borders (measurements:
#: benchmarks/README.md, "training/trainer.py").
CHUNK_TOKENS = 4000


class CheckpointSink(Protocol):
    """Where a trainer hands its checkpoints (:class:`w2v_core.checkpoints.Checkpointer`)."""

    def due(self, epoch_end: bool = False) -> bool:
        """Is a checkpoint due now (asked at chunk boundaries and epoch ends)?"""
        ...

    def write(self, model: Model) -> None:
        """Keep ``model`` (its ``state`` says where the run stands); never raises."""
        ...


def objective_for(config: TrainConfig) -> Objective:
    """The objective ``config`` asks for: where a new objective is chosen."""
    return Cbow() if config.cbow else SkipGram()


class Trainer:
    """Trains word vectors on an encoded corpus.

    Use :func:`train` for the one-call version. A :class:`Trainer` exposes
    :meth:`snapshot` so another thread can look at the vectors while training runs.

    Parameters
    ----------
    corpus : EncodedCorpus
    config : TrainConfig
    callbacks : sequence of Callback
    control : TrainingControl, optional
        Lets another thread pause or stop training.
    processes : bool, optional
        None: worker processes wherever they work (Linux), True: ask for them, False: threads.
    clock : callable, optional
        Monotonic seconds for progress and timing (default :func:`time.perf_counter`).
    resume_from : Model, optional
        A model whose ``state`` says where its run stood (a checkpoint): training continues
        from there, with its weights, position, random streams and loss curve. Its
        vocabulary must be ``corpus``'s (:func:`w2v_core.checkpoints.resume` checks).
    checkpoints : CheckpointSink, optional
        Given a checkpoint at each epoch end, and at chunk boundaries whenever it says one is
        due.
    initial : Model, optional
        A trained model to start from: its words are the first rows of ``corpus``'s
        vocabulary (:func:`w2v_core.further.encode_further`), and their input and output
        vectors start where they were; the other rows start as in a new run.

    Attributes
    ----------
    objective : Objective
        What each step trains (skip-gram or CBOW, from the config).
    draws : Draws
        Every random draw of the run. ``objective`` and ``draws`` may be replaced (wrapped)
        before :meth:`train`, to observe a real run.
    max_row_step : float
        The bound on a row's step per minibatch (:data:`~w2v_core.training.bursts.MAX_ROW_STEP`);
        raised, it shows what the bound prevents.
    """

    def __init__(
        self,
        corpus: EncodedCorpus,
        config: TrainConfig = TrainConfig(),
        callbacks: Sequence[Callback] = (),
        control: TrainingControl | None = None,
        processes: bool | None = None,
        clock: Callable[[], float] | None = None,
        resume_from: Model | None = None,
        checkpoints: CheckpointSink | None = None,
        initial: Model | None = None,
    ) -> None:
        if config.validate().phrases != corpus.phrase_passes:
            raise ConfigError(
                f"the config asks for {config.phrases} phrase passes but the corpus was encoded "
                f"with {corpus.phrase_passes}: encode it with prepare_corpus(..., "
                "phrases=Phrasing.of(config)), or give train() the corpus unencoded"
            )
        epochs, self.epochs_reason = resolve_epochs(config.epochs, corpus.n_words)
        self.config = config = replace(config, epochs=epochs)  #: epochs resolved
        self.corpus = corpus
        self.callbacks = CallbackList(list(callbacks))
        self.control = control or TrainingControl()
        self.clock = clock
        vocab = corpus.vocab
        if corpus.n_words <= 1 or corpus.n_sentences >= corpus.n_words:
            raise CorpusError(
                f"corpus is too small to train on: {corpus.n_words} words in the vocabulary "
                "and no sentence with two of them"
            )
        self.objective: Objective = objective_for(config)
        V, d = len(vocab), config.dim
        self._shared = self._shared_state(config.threads, processes)
        if self._shared is not None:  # weights in shared memory, for the worker processes
            self.W_in, self.W_out = shared_array((V, d)), shared_array((V, d))
        else:
            self.W_in = np.empty((V, d), dtype=np.float32)
            self.W_out = np.zeros((V, d), dtype=np.float32)
        #: where this run begins: the start, or the position of ``resume_from``
        self.start = TrainingState()
        self.resumed = resume_from is not None
        self.loss_curve = LossCurve(None if resume_from is None else resume_from.loss_curve)
        if resume_from is not None:
            self.start = _resume_state(resume_from, config)
            self.W_in[...] = resume_from.wv.vectors
            self.W_out[...] = resume_from.output_vectors
        else:
            # in place: no (V, d) temporaries
            np.random.default_rng(config.seed).random(out=self.W_in, dtype=np.float32)
            self.W_in -= 0.5
            self.W_in /= d
            if self.objective.init_scale != 1.0:
                self.W_in *= self.objective.init_scale
        #: rows whose words came from ``initial`` (kept through a resume)
        self.init_words = self.start.init_words
        if initial is not None and resume_from is None:
            self.init_words = _start_from(initial, self.W_in, self.W_out, vocab.words)
        keep = vocab.keep_probabilities(config.sample)
        noise = vocab.noise_distribution(0.75)
        self.draws = Draws(keep, AliasTable(noise))
        self.batch_size = whole_groups(
            effective_batch_size(
                config.batch_size, config.negative, vocab.counts, keep, noise,
                contexts_per_example=self.objective.inputs_per_example(config.window),
            ),
            config.negative, config.shared_negatives,
        )
        self.max_row_step = MAX_ROW_STEP
        self.checkpoints = checkpoints
        self._seeds = np.random.SeedSequence(config.seed).spawn(config.threads)
        if self._shared is not None:  # worker processes draw a new stream per epoch begun
            begun = self.start.epoch + (self.start.chunk > 0)
            for seed in self._seeds:
                seed.spawn(begun)
        self._workers: list[Worker] = []
        self._epoch, self._first_chunk = self.start.epoch, self.start.chunk
        self._queue = ChunkQueue(())

    @staticmethod
    def _shared_state(threads: int, processes: bool | None) -> SharedState | None:
        """Shared state for ``threads - 1`` worker processes, or None to train in threads."""
        if threads < 2 or processes is False or not processes_supported():
            return None
        try:
            return SharedState(threads - 1)
        except OSError:  # no shared semaphores here (e.g. no /dev/shm): threads
            return None

    @property
    def uses_processes(self) -> bool:
        """Does training run in worker processes (else in threads)?"""
        return self._shared is not None

    @property
    def _epoch_listeners(self) -> list[Callback]:
        """The callbacks that look at an epoch's vectors (none: no vectors are made for them)."""
        return [cb for cb in self.callbacks.callbacks
                if type(cb).on_epoch_end is not Callback.on_epoch_end]

    def _epoch_vectors(self) -> KeyedVectors:
        """What the epoch-end callbacks get: a snapshot, or the live input vectors when none
        of them keeps what it is given (the workers have joined at an epoch's end, so nothing
        writes the vectors during the calls)."""
        if any(getattr(cb, "keeps_epoch_vectors", True) for cb in self._epoch_listeners):
            return self.snapshot()
        return self._keyed(self.W_in)

    def _keyed(self, vectors: np.ndarray) -> KeyedVectors:
        """``vectors`` (the input vectors or a copy) with the corpus's words and counts."""
        vocab = self.corpus.vocab
        return KeyedVectors(vocab.words, vectors, vocab.counts)

    # ------------------------------------------------------------------ public
    def snapshot(self) -> KeyedVectors:
        """A copy of the current input vectors (safe to query while training goes on)."""
        return self._keyed(self.W_in.copy())

    def model(self, summary: TrainingSummary | None = None) -> Model:
        """The model as it stands: input vectors (shared, not copied), output vectors, config."""
        return Model(self._keyed(self.W_in), self.W_out, self.config, summary)

    def state(self, progress: Progress) -> TrainingState:
        """Where the run stands now: exact at a chunk boundary once the workers are idle."""
        epoch, chunk = self._epoch, self._first_chunk + self._queue.taken
        chunks_per_epoch = -(-self.corpus.store.size // CHUNK_TOKENS)  # corpus.chunks' count
        if epoch < self.config.epochs and chunk >= chunks_per_epoch:
            epoch, chunk = epoch + 1, 0  # an epoch trained to its end
        words, pairs = progress.totals()
        return TrainingState(
            epoch=epoch,
            chunk=chunk,
            words_done=words,
            pairs_done=pairs,
            words_total=progress.words_total,
            seconds=progress.elapsed(),
            rng_states=[w.rng.bit_generator.state for w in self._workers],
            finished=epoch >= self.config.epochs,
            init_words=self.init_words,
            # how counting went: the identity of the corpus is added by the checkpointer
            corpus={"count_floor": self.corpus.count_floor} if self.corpus.count_floor else {},
        )

    def _checkpoint(self, progress: Progress) -> None:
        """Hand the model and its position to the checkpoint sink."""
        model = self.model()
        model.state, model.loss_curve = self.state(progress), self.loss_curve.array()
        self.checkpoints.write(model)

    def worker(self, seed, batch_size: int | None = None, group_size: int | None = None) -> Worker:
        """A worker on this trainer's weights, with its own buffers and random stream."""
        return Worker(self.W_in, self.W_out, self.config, seed, batch_size or self.batch_size, group_size)

    def train(self) -> Model:
        """Run all epochs (or until stopped); return the model trained so far."""
        config = self.config
        progress = Progress(
            self.callbacks, config, self.corpus.n_words, clock=self.clock, start=self.start,
            curve=self.loss_curve,
        )
        progress.guard = guard = DivergenceGuard(
            (self.W_in, self.W_out),
            config.negative,
            remedy=f"lower {flag('alpha')} (now {config.alpha:g}) or {flag('batch_size')} "
            f"(now {config.batch_size})",
        )
        if self._shared is not None:
            progress.children = self._shared.totals
        # with worker processes, each epoch makes its workers after forking
        seeds = [] if self._shared is not None else self._seeds
        self._workers = workers = [self.worker(s) for s in seeds]
        if len(self.start.rng_states) == len(workers):  # resumed with as many threads
            for worker, rng_state in zip(workers, self.start.rng_states):
                worker.rng.bit_generator.state = rng_state
        stopped = False
        # minibatch products are small: BLAS threads would only compete with ours
        limit = single_threaded_blas()
        try:
            self.callbacks.on_train_begin(
                TrainingStart(
                    len(self.corpus.vocab),
                    self.corpus.n_words,
                    progress.words_total,
                    config,
                    snapshot=self.snapshot,
                    epochs_reason=self.epochs_reason,
                    resumed=self.start if self.resumed else None,
                    loss_curve=self.loss_curve.series(),
                )
            )
            for epoch in range(self.start.epoch, config.epochs):
                progress.epoch = epoch + 1
                first = self.start.chunk if epoch == self.start.epoch else 0
                stopped = self._run_epoch(epoch, first, workers, progress)
                if stopped:
                    break
                if progress.pairs_total == 0:
                    raise CorpusError(
                        f"corpus is too small to train on: {self.corpus.n_words} words gave no "
                        f"(centre, context) pair in a whole epoch after subsampling "
                        f"(sample={config.sample:g}); add text or lower sample"
                    )
                progress.epoch_trained(epoch + 1)
                event = progress.emit(force=True)
                guard.check_all(event.epoch, event.fraction)  # before anything is saved
                if self.checkpoints is not None and self.checkpoints.due(epoch_end=True):
                    self._checkpoint(progress)
                if self._epoch_listeners:
                    self.callbacks.on_epoch_end(event, self._epoch_vectors())
        except StopTraining:
            stopped = True
        finally:
            limit.restore_original_limits()
        final = progress.event()
        guard.check_all(final.epoch, final.fraction)  # stopped mid-epoch: still never garbage
        summary = TrainingSummary(
            corpus_words=self.corpus.n_words,
            words_trained=final.words_done,
            pairs_trained=progress.pairs_total,
            epochs_completed=final.words_done / max(self.corpus.n_words, 1),
            seconds=progress.elapsed(),
            final_loss=progress.last_loss,
            stopped_early=stopped,
        )
        model = self.model(summary)
        model.state, model.loss_curve = self.state(progress), self.loss_curve.array()
        self.callbacks.on_train_end(final, model)
        return model

    # ------------------------------------------------------------------ internals
    def _run_epoch(self, epoch: int, first: int, workers: list[Worker], progress: Progress) -> bool:
        """Train one epoch from its chunk ``first`` on; return True if stopped."""
        chunks = list(self.corpus.chunks(CHUNK_TOKENS))[first:]
        self._epoch, self._first_chunk = epoch, first

        def consume(queue: ChunkQueue, worker: Worker, reporter: Reporter, control: Control) -> bool:
            at_boundary = None
            if reporter is progress and self.checkpoints is not None:  # worker 0, this thread
                at_boundary = lambda: self.checkpoints.due() and self._checkpoint(progress)  # noqa: E731
            # overflow only happens in a diverging run, which the divergence guard reports
            with np.errstate(over="ignore", invalid="ignore"):
                return self._train_chunks(queue, worker, epoch, reporter, control, at_boundary)

        if self._shared is None:
            queue = self._queue = ChunkQueue(chunks)
            return train_in_threads(queue, workers, progress, self.control, consume)
        seeds = [seed.spawn(1)[0] for seed in self._seeds]  # a new stream each epoch
        queue = self._queue = self._shared.chunk_queue(chunks)
        return train_in_processes(
            self._shared, queue, progress, self.control, lambda i: self.worker(seeds[i]), consume
        )

    def _learning_rate(self, position: float) -> float:
        """word2vec's linear decay over the token stream of all epochs."""
        config = self.config
        total = self.corpus.store.size * config.epochs
        alpha = config.alpha - (config.alpha - config.min_alpha) * (position / total)
        return max(alpha, config.min_alpha)

    def _train_chunks(
        self,
        queue: ChunkQueue,
        worker: Worker,
        epoch: int,
        reporter: Reporter,
        control: Control,
        at_boundary: Callable[[], object] | None = None,
    ) -> bool:
        """Train the chunks this worker takes from ``queue``; return True if stopped.

        A stop is obeyed between chunks, so that a stopped run ends at a position it can
        resume from exactly; ``at_boundary()`` is called there too (checkpoints).
        """
        while True:
            if control.stopped:
                return True
            if at_boundary is not None and queue.taken and not queue.exhausted:
                at_boundary()  # (an epoch's start and end have the epoch end's checkpoint)
            chunk = queue.take()
            if chunk is None:
                return False
            # a chunk's arrays end with the call, before the next chunk makes its own (memory
            # of every worker: benchmarks/README.md, "training/trainer.py")
            self._train_chunk(chunk, worker, epoch, reporter, control)

    def _train_chunk(
        self, chunk: tuple[int, int], worker: Worker, epoch: int, reporter: Reporter,
        control: Control,
    ) -> None:
        """Train the minibatches of one chunk of the stream, ``(start, end)``."""
        config, draws, objective = self.config, self.draws, self.objective
        B = worker.batch_size
        start, end = chunk
        ids, sentence_ids = self.corpus.read_chunk(start, end)
        chunk_words = len(ids)
        rng = worker.rng
        keep = draws.kept(ids, rng)
        ids, sentence_ids = ids[keep], sentence_ids[keep]
        reduced = draws.windows(len(ids), config.window, rng)
        examples = objective.examples(sentence_ids, reduced, config.window)
        # the learning rate falls with the position in the stream, a close proxy for words
        position = epoch * self.corpus.store.size + start
        weights = burst_weights(
            ids, examples.outputs, examples.inputs, B,
            burst_cap(self._learning_rate(position), self.max_row_step),
            examples.indptr, worker.labels,
        )
        outputs, inputs, indptr = ids[examples.outputs], ids[examples.inputs], examples.indptr
        del examples, ids, sentence_ids, keep, reduced  # not needed past here (memory, as above)
        n_examples = len(outputs)
        chunk_length = end - start
        words_reported = 0
        noise_batches = worker.layer.noise_batches(draws.noise, outputs, rng)
        for b0, (noise, collisions) in zip(range(0, n_examples, B), noise_batches):
            if control.paused:
                reporter.wait_while_paused(control)
            b1 = min(b0 + B, n_examples)
            done_here = chunk_words * b1 // n_examples
            alpha = self._learning_rate(position + chunk_length * b0 / n_examples)
            batch_weights = None if weights is None else weights[b0:b1]
            if indptr is None:
                batch = Batch(outputs[b0:b1], inputs[b0:b1], None, batch_weights, collisions)
            else:
                first, last = indptr[b0], indptr[b1]
                batch = Batch(
                    outputs[b0:b1], inputs[first:last], indptr[b0 : b1 + 1] - first,
                    batch_weights, collisions,
                )
            loss = objective.step(worker, batch, noise, alpha)
            reporter.add(done_here - words_reported, b1 - b0, loss, alpha)
            words_reported = done_here
            self._emit(reporter)
        reporter.add(chunk_words - words_reported, 0, 0.0, reporter.alpha)
        self._emit(reporter)

    def _emit(self, reporter: Reporter) -> None:
        """Tell the callbacks; a :class:`StopTraining` they raise stops at the chunk's end."""
        try:
            reporter.emit()
        except StopTraining:
            self.control.stop()


def prepare_corpus(
    corpus: str | Corpus | Iterable[list[str]],
    min_count: int = 5,
    max_vocab: int | None = None,
    control: TrainingControl | None = None,
    isolate: bool | None = None,
    on_progress: Callable[[ReadingProgress], None] | None = None,
    phrases: Phrasing | None = None,
    workers: int | None = None,
    max_distinct: int | None = None,
) -> EncodedCorpus:
    """Read, count and encode a corpus (see :func:`w2v_core.token_ids.encode_corpus`),
    joining phrases first if ``phrases`` says so (:mod:`w2v_core.phrases`).

    A stop asked through ``control`` while the corpus is read raises
    :class:`~w2v_core.callbacks.ReadingStopped`. On Linux the corpus is read in a forked
    child process (``isolate``; False reads here, e.g. for an iterable with side effects).
    ``on_progress`` is told how reading goes, a few times a second. ``workers`` processes
    read a plain file or a directory; ``max_distinct`` bounds the counting table.
    """
    return encode_corpus(
        corpus, min_count=min_count, max_vocab=max_vocab, control=control, isolate=isolate,
        on_progress=on_progress, phrases=phrases, workers=workers, max_distinct=max_distinct,
    )


def train(
    corpus: str | Corpus | EncodedCorpus | Iterable[list[str]],
    config: TrainConfig = TrainConfig(),
    callbacks: Sequence[Callback] = (),
    control: TrainingControl | None = None,
    checkpoints: CheckpointSink | None = None,
) -> Model:
    """Train word vectors (skip-gram or CBOW with negative sampling, as ``config`` says).

    Parameters
    ----------
    corpus : str, Corpus, EncodedCorpus or iterable of token lists
        A corpus spec (see :func:`w2v_core.corpus.open_corpus`), an opened corpus, an
        already encoded corpus (its vocabulary is used as is), or sentences.
    config : TrainConfig
    callbacks : sequence of Callback
        Told how reading the corpus goes, then about the start, progress, epoch ends and
        the end.
    control : TrainingControl, optional
        Lets another thread pause or stop training.
    checkpoints : CheckpointSink, optional
        Where checkpoints go (:class:`w2v_core.checkpoints.Checkpointer`).

    Returns
    -------
    Model
        The trained model; if stopped early, the model trained so far. Its ``state`` says
        where the run stood, so that :func:`w2v_core.checkpoints.resume` can continue it.

    Raises
    ------
    ConfigError, CorpusError, TrainingDivergedError
    ReadingStopped
        Stopped through ``control`` before training began (nothing trained yet).
    """
    config.validate()
    if not isinstance(corpus, EncodedCorpus):
        corpus = prepare_corpus(
            corpus, config.min_count, config.max_vocab, control,
            on_progress=CallbackList(list(callbacks)).on_reading, phrases=Phrasing.of(config),
            workers=config.threads, max_distinct=config.max_distinct,
        )
    return Trainer(corpus, config, callbacks, control, checkpoints=checkpoints).train()


def _resume_state(model: Model, config: TrainConfig) -> TrainingState:
    """The state ``model`` resumes from, checked against the run's shape."""
    if model.state is None or model.output_vectors is None:
        raise ValueError("resume_from needs a model with its training state and output vectors")
    if model.wv.vectors.shape != (len(model.wv), config.dim):
        raise ValueError("resume_from's vectors do not have the configured dimension")
    return model.state


def _start_from(initial: Model, W_in: np.ndarray, W_out: np.ndarray, words: list[str]) -> int:
    """Copy ``initial``'s vectors into the first rows; return how many rows that is."""
    n = len(initial.wv)
    if list(words[:n]) != list(initial.wv.words):
        raise ValueError("initial's words must be the first words of the corpus's vocabulary")
    if initial.wv.dim != W_in.shape[1]:
        raise ValueError("initial's vectors do not have the configured dimension")
    W_in[:n] = initial.wv.vectors
    if initial.output_vectors is not None:
        W_out[:n] = initial.output_vectors
    return n
