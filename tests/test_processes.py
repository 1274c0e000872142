"""Training in forked worker processes that share the weights (Linux).

Worker 0 trains in the calling thread; the others are forked children. Tests that need a
child to have trained make worker 0 wait until a child has taken a chunk (state, not time).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time

import numpy as np
import pytest

from planted import PLANTED_GROUPS, planted_sentences
from training_spies import spy_on_steps
from w2v_core import TrainConfig, TrainingControl, prepare_corpus
from w2v_core import training
from w2v_core.callbacks import Callback
from w2v_core.token_ids import encode_corpus
from w2v_core.errors import CorpusError, TrainingWorkerError
from w2v_core.processes import (
    PAUSE,
    ChildControl,
    MirroredControl,
    processes_supported,
    run_isolated,
    shared_array,
)
from w2v_core.training.parallel import ChunkQueue, SharedState

pytestmark = pytest.mark.skipif(not processes_supported(), reason="worker processes need Linux")

CONFIG = dict(dim=16, epochs=4, min_count=1, batch_size=256, seed=3, threads=2)


def wait_until(condition, ceiling: float = 120.0) -> None:
    """Poll ``condition`` until it holds (the ceiling only keeps a broken run from hanging)."""
    deadline = time.monotonic() + ceiling
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.005)


def child_processes() -> list[str]:
    """Children of this process not yet reaped (zombies included), from /proc."""
    tasks = f"/proc/{os.getpid()}/task"
    return [pid for task in os.listdir(tasks) for pid in open(f"{tasks}/{task}/children").read().split()]


@pytest.fixture
def child_goes_first(monkeypatch):
    """Worker 0 takes its first chunk only once a worker process has taken one."""
    taken = shared_array((1,), np.int8)
    parent = os.getpid()
    real = ChunkQueue.take

    def gated(self):
        if os.getpid() != parent:
            chunk = real(self)
            taken[0] = 1
            return chunk
        wait_until(lambda: taken[0])
        return real(self)

    monkeypatch.setattr(ChunkQueue, "take", gated)
    return taken


@pytest.fixture(scope="module")
def planted_corpus():
    return prepare_corpus(planted_sentences(3000), min_count=1)  # 30k tokens: several chunks


def test_threads_above_one_train_in_processes_that_share_the_weights(planted_corpus, child_goes_first):
    trainer = training.Trainer(planted_corpus, TrainConfig(**CONFIG))
    assert trainer.uses_processes
    model = trainer.train()
    child_words, child_pairs, child_loss = trainer._shared.totals[0]
    assert child_pairs > 0 and child_words > 0 and np.isfinite(child_loss)
    # every word of every epoch is counted once, whoever trained it
    assert model.summary.words_trained == planted_corpus.n_words * CONFIG["epochs"]
    single = training.Trainer(planted_corpus, TrainConfig(**{**CONFIG, "threads": 1})).train()
    assert model.summary.pairs_trained == pytest.approx(single.summary.pairs_trained, rel=0.03)
    # the child's updates reached the model: it learned the planted groups
    hits = total = 0
    for members, topics in PLANTED_GROUPS.values():
        group = set(members) | set(topics)
        for word in members:
            neighbours = [w for w, _ in model.wv.most_similar(word, topn=5)]
            hits += len(set(neighbours) & group)
            total += len(neighbours)
    assert hits / total > 0.9
    assert child_processes() == []


def test_objects_stay_out_of_the_collectors_reach_while_children_share_their_pages(
    planted_corpus, child_goes_first
):
    """A full collection writes to every object: in the trainer, while a child still shares
    its pages, it copied ~10 MB (measured at 31k words). Frozen objects are not visited."""
    parent, frozen_while_training = os.getpid(), []

    def step(*args) -> None:
        if os.getpid() == parent:
            frozen_while_training.append(gc.get_freeze_count())

    spy_on_steps(training.Trainer(planted_corpus, TrainConfig(**CONFIG)), step).train()
    assert frozen_while_training and min(frozen_while_training) > 1000
    assert gc.get_freeze_count() == 0  # and collected as usual once the children are done


def test_an_error_leaves_nothing_frozen(planted_corpus, child_goes_first, in_child_steps):
    with pytest.raises(TrainingWorkerError):
        in_child_steps(_raise_memory_error).train()
    assert gc.get_freeze_count() == 0


def test_threads_false_keeps_threads(planted_corpus):
    trainer = training.Trainer(planted_corpus, TrainConfig(**CONFIG), processes=False)
    assert not trainer.uses_processes
    assert trainer.train().summary.words_trained == planted_corpus.n_words * CONFIG["epochs"]


def test_without_shared_semaphores_training_falls_back_to_threads(planted_corpus, monkeypatch):
    def no_dev_shm(self, children):
        raise OSError(38, "Function not implemented")  # what sem_open says without /dev/shm

    monkeypatch.setattr(SharedState, "__init__", no_dev_shm)
    trainer = training.Trainer(planted_corpus, TrainConfig(**CONFIG))
    assert not trainer.uses_processes
    assert trainer.train().summary.words_trained == planted_corpus.n_words * CONFIG["epochs"]


def test_one_thread_never_forks(planted_corpus):
    assert not training.Trainer(planted_corpus, TrainConfig(**{**CONFIG, "threads": 1})).uses_processes


def test_stop_reaches_the_worker_processes(planted_corpus, child_goes_first):
    control = TrainingControl()

    class StopAtFirstProgress(Callback):
        def on_progress(self, event):
            control.stop()

    config = TrainConfig(**{**CONFIG, "epochs": 50})
    model = training.Trainer(planted_corpus, config, [StopAtFirstProgress()], control).train()
    assert model.summary.stopped_early
    assert model.summary.words_trained < planted_corpus.n_words * 50
    assert child_processes() == []


@pytest.fixture
def in_child_steps(planted_corpus):
    """``in_child_steps(action)``: a trainer whose every minibatch step in a worker process
    first calls ``action()``."""
    parent = os.getpid()

    def trainer(action) -> training.Trainer:
        def step(*args) -> None:
            if os.getpid() != parent:
                action()

        return spy_on_steps(training.Trainer(planted_corpus, TrainConfig(**CONFIG)), step)

    return trainer


def _raise_memory_error():
    raise MemoryError("no room for the minibatch")


def test_a_failing_worker_process_is_reported(planted_corpus, child_goes_first, in_child_steps):
    with pytest.raises(TrainingWorkerError, match="MemoryError: no room for the minibatch"):
        in_child_steps(_raise_memory_error).train()
    assert child_processes() == []


def test_a_killed_worker_process_is_reported(planted_corpus, child_goes_first, in_child_steps):
    with pytest.raises(TrainingWorkerError, match="killed by signal 9"):
        in_child_steps(lambda: os.kill(os.getpid(), signal.SIGKILL)).train()


def test_worker_processes_ignore_ctrl_c(planted_corpus, child_goes_first, in_child_steps):
    """Ctrl-C reaches the whole process group; the trainer decides, the children go on."""
    trainer = in_child_steps(lambda: os.kill(os.getpid(), signal.SIGINT))
    model = trainer.train()  # no TrainingWorkerError: no child died of KeyboardInterrupt
    assert trainer._shared.totals[0, 1] > 0
    assert not model.summary.stopped_early


def test_an_error_in_the_trainer_ends_the_worker_processes(planted_corpus, child_goes_first):
    """Worker 0 fails mid-epoch while a child trains: the child is stopped and reaped."""
    parent = os.getpid()

    def step(*args) -> None:
        if os.getpid() == parent:
            raise RuntimeError("trainer failed")

    trainer = spy_on_steps(training.Trainer(planted_corpus, TrainConfig(**{**CONFIG, "epochs": 50})), step)
    with pytest.raises(RuntimeError, match="trainer failed"):
        trainer.train()
    assert child_processes() == []


def test_children_follow_pause_and_stop_through_the_shared_flags():
    control = TrainingControl()
    flags = shared_array((2,), np.int8)
    trainer_side, child_side = MirroredControl(control, flags), ChildControl(flags)
    control.pause()
    assert trainer_side.paused and child_side.paused and not child_side.stopped
    control.resume()
    assert not trainer_side.paused and not child_side.paused
    control.pause()
    trainer_side.publish()
    control.stop()
    assert trainer_side.stopped and child_side.stopped and not child_side.paused
    assert child_side.wait_while_paused() < 1.0  # a stopped child does not wait


def test_a_paused_child_waits_until_the_flag_clears():
    flags = shared_array((2,), np.int8)
    flags[PAUSE] = 1
    child = ChildControl(flags)
    context = multiprocessing.get_context("fork")
    done = context.Event()

    def waiter():
        child.wait_while_paused()
        done.set()

    process = context.Process(target=waiter, daemon=True)
    process.start()
    assert not done.wait(0.2)  # still waiting while paused (a wait on state: it may only
    flags[PAUSE] = 0  # be too short to catch a child that does not wait)
    assert done.wait(120)
    process.join()


def test_shared_arrays_are_shared_with_forked_children():
    array = shared_array((3, 4))
    assert array.dtype == np.float32 and not array.any()
    process = multiprocessing.get_context("fork").Process(target=array.__setitem__, args=(1, 7.0))
    process.start()
    process.join()
    assert array[1].tolist() == [7.0] * 4 and not array[0].any()


# ------------------------------------------------------------------ reading in a child
def test_reading_in_a_child_encodes_exactly_as_in_process():
    sentences = planted_sentences(500)
    for spill in (10**9, 1000):  # ids handed back in memory, and in a file
        here = encode_corpus(sentences, min_count=2, spill_tokens=spill, isolate=False)
        there = encode_corpus(sentences, min_count=2, spill_tokens=spill, isolate=True)
        assert there.vocab.words == here.vocab.words
        assert there.vocab.counts.tolist() == here.vocab.counts.tolist()
        assert there.store.on_disk == here.store.on_disk == (spill == 1000)
        assert np.array_equal(there.ids, here.ids)
        assert np.array_equal(there.sentence_ends, here.sentence_ends)
        assert (there.n_words, there.n_sentences) == (here.n_words, here.n_sentences)


def test_words_read_in_a_child_stay_packed_while_training():
    """The trainer needs counts, not 30k word objects: words are unpacked only for the model."""
    encoded = encode_corpus(planted_sentences(500), min_count=2, isolate=True)
    seen = []

    class LooksAtTheVocabulary(Callback):
        def on_progress(self, event):
            seen.append("words" in encoded.vocab.__dict__)

    model = training.train(encoded, TrainConfig(epochs=2, threads=2), callbacks=[LooksAtTheVocabulary()])
    assert seen and not any(seen)
    assert model.wv.words == encode_corpus(planted_sentences(500), min_count=2, isolate=False).vocab.words


def test_run_isolated_returns_the_result_and_raises_the_error():
    parent = os.getpid()
    assert run_isolated(lambda control: (os.getpid() != parent, [1, 2])) == (True, [1, 2])

    def fail(control):
        raise CorpusError("corpus is empty: x contains no words")

    with pytest.raises(CorpusError, match="corpus is empty"):
        run_isolated(fail)


def test_a_stop_asked_here_reaches_the_reading_child():
    control = TrainingControl()
    started = shared_array((1,), np.int8)

    def read_until_stopped(child_control):
        started[0] = 1
        wait_until(lambda: child_control.stopped)
        return "stopped"

    def stop_once_started():
        wait_until(lambda: started[0])
        control.stop()

    helper = threading.Thread(target=stop_once_started)
    helper.start()
    assert run_isolated(read_until_stopped, control) == "stopped"
    helper.join()


def test_a_killed_reading_child_is_reported():
    with pytest.raises(TrainingWorkerError, match="killed by signal 9"):
        run_isolated(lambda control: os.kill(os.getpid(), signal.SIGKILL))


def test_an_unpicklable_error_still_reaches_the_caller():
    class Odd(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a}-{b}")

    def fail(control):
        raise Odd(1, 2)

    with pytest.raises(TrainingWorkerError, match="Odd: 1-2"):
        run_isolated(fail)


def test_a_large_answer_comes_through_a_widened_pipe():
    """A child's answer pipe holds 1 MB where the system allows it, so a reading process's
    table (megabytes) comes in 1 MB reads; the answer arrives whole."""
    import fcntl

    from w2v_core.processes import PIPE_BYTES, ForkedChild

    answer = bytes(range(256)) * 20_000
    child = ForkedChild(lambda control: answer, None)
    with open("/proc/sys/fs/pipe-max-size") as limit:
        if int(limit.read()) >= PIPE_BYTES:
            assert fcntl.fcntl(child.fileno(), fcntl.F_GETPIPE_SZ) == PIPE_BYTES
    assert child.result() == answer
