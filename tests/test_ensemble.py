"""Ensembles (issue 24, part 2): K runs on bootstrap samples, saved in one native file and
read back byte for byte; a planted pair is stable in every run, a random word's neighbours
are not; one run is a plain run; a stop keeps the runs finished."""

from __future__ import annotations

import numpy as np
import pytest

from w2v_core.callbacks import Callback, TrainingControl
from w2v_core.config import TrainConfig
from w2v_core.ensemble import Ensemble, run_seed, train_ensemble
from w2v_core.errors import ModelFormatError
from w2v_core.formats import load, save
from w2v_core.formats.native import native_arrays, write_npz
from w2v_core.stability import neighbour_stability
from w2v_core.training import train

CONFIG = TrainConfig(dim=16, epochs=20, threads=1, min_count=1, window=2, seed=3, sample=0)
RUNS = 4


def planted_corpus(seed: int = 0) -> list[list[str]]:
    """Random words, and sentences where salt or pepper sits between spice and kitchen:
    salt and pepper share every context, so they are each other's nearest word."""
    rng = np.random.default_rng(seed)
    words = [f"r{i:02d}" for i in range(40)]
    sentences = []
    for i in range(600):
        sentence = [words[j] for j in rng.integers(40, size=8)]
        if i % 4 == 0:
            at = int(rng.integers(7))
            sentence[at:at] = ["spice", ["salt", "pepper"][i % 8 // 4], "kitchen"]
        sentences.append(sentence)
    return sentences


@pytest.fixture(scope="module")
def ensemble() -> Ensemble:
    return train_ensemble(planted_corpus(), CONFIG, runs=RUNS)


def test_runs_share_the_vocabulary_with_their_own_seeds(ensemble: Ensemble) -> None:
    assert len(ensemble) == RUNS == ensemble.planned and ensemble.interrupted is None
    assert ensemble.seeds == [run_seed(CONFIG.seed, run) for run in range(RUNS)]
    first = ensemble.members[0].wv
    assert all(m.wv.words == first.words for m in ensemble.members)
    assert all(not np.array_equal(m.wv.vectors, first.vectors) for m in ensemble.members[1:])
    # each run saw its own sample: as many sentences, other words
    assert len({m.summary.corpus_words for m in ensemble.members}) > 1


def test_a_planted_pair_is_stable_in_every_run_a_random_word_is_not(ensemble: Ensemble) -> None:
    salt = neighbour_stability(ensemble.vectors, "salt", k=5)
    assert salt[0].word == "pepper" and salt[0].count == RUNS and salt[0].mean > 0.8
    random_word = neighbour_stability(ensemble.vectors, "r07", k=5)
    counts = [n.count for n in random_word]
    assert min(counts) < RUNS and sum(counts) <= 0.75 * RUNS * len(counts)


def test_an_ensemble_saves_and_loads_back_byte_for_byte(ensemble: Ensemble, tmp_path) -> None:
    path, again = tmp_path / "ens.npz", tmp_path / "again.npz"
    save(ensemble.first, path)
    loaded = load(path)
    assert loaded.ensemble is not None and len(loaded.ensemble) == RUNS
    for got, want in zip(loaded.ensemble.members, ensemble.members):
        assert np.array_equal(got.wv.vectors, want.wv.vectors)
        assert got.config == want.config and got.summary == want.summary
    assert loaded.ensemble.seeds == ensemble.seeds
    save(loaded, again)
    assert again.read_bytes() == path.read_bytes()
    part = load(path, limit=10)
    assert all(m.wv.vectors.shape == (10, CONFIG.dim) for m in part.ensemble.members)
    assert np.array_equal(part.ensemble.members[2].wv.vectors, ensemble.members[2].wv.vectors[:10])


def test_a_member_exports_alone_and_the_first_stands_for_the_set(ensemble: Ensemble, tmp_path) -> None:
    save(ensemble.member(2), tmp_path / "third.npz")
    third = load(tmp_path / "third.npz")
    assert third.ensemble is None
    assert np.array_equal(third.wv.vectors, ensemble.members[2].wv.vectors)
    save(ensemble.first, tmp_path / "first.txt")  # a text format holds the first model
    assert np.allclose(load(tmp_path / "first.txt").wv.vectors, ensemble.members[0].wv.vectors)


def test_inconsistent_ensemble_members_are_refused(ensemble: Ensemble, tmp_path) -> None:
    arrays = native_arrays(ensemble.first)
    bad = dict(arrays, ensemble_vectors=arrays["ensemble_vectors"][:1])
    with open(tmp_path / "bad.npz", "wb") as fh:
        write_npz(fh, bad)
    with pytest.raises(ModelFormatError, match="describes 4 runs for 2 models"):
        load(tmp_path / "bad.npz")
    alone = {k: v for k, v in arrays.items() if k != "ensemble"}
    with open(tmp_path / "alone.npz", "wb") as fh:
        write_npz(fh, alone)
    with pytest.raises(ModelFormatError, match="needs both"):
        load(tmp_path / "alone.npz")


def test_one_run_is_a_plain_run_bit_for_bit() -> None:
    config = TrainConfig(dim=16, epochs=3, threads=1, min_count=1, seed=7)
    single = train_ensemble(planted_corpus(1), config, runs=1)
    plain = train(planted_corpus(1), config)
    assert len(single) == 1 and single.first.ensemble is None
    assert np.array_equal(single.first.wv.vectors, plain.wv.vectors)
    assert np.array_equal(single.first.output_vectors, plain.output_vectors)


class _StopAtRun(Callback):
    """Stops training as run ``run`` begins, as Ctrl-C would."""

    def __init__(self, control: TrainingControl, run: int) -> None:
        self.control, self.run, self.runs_begun = control, run, []

    def on_run_begin(self, run: int, runs: int) -> None:
        self.runs_begun.append((run, runs))
        if run == self.run:
            self.control.stop()


def test_a_stop_keeps_the_runs_finished_so_far() -> None:
    control = TrainingControl()
    spy = _StopAtRun(control, run=3)
    stopped = train_ensemble(planted_corpus(), CONFIG, runs=RUNS, callbacks=[spy], control=control)
    assert spy.runs_begun == [(1, RUNS), (2, RUNS), (3, RUNS)]
    assert len(stopped) == 2 and stopped.planned == RUNS
    assert stopped.interrupted is not None and stopped.interrupted.summary.stopped_early
    assert all(not m.summary.stopped_early for m in stopped.members)


def test_a_stop_in_the_first_run_keeps_it_alone() -> None:
    control = TrainingControl()
    stopped = train_ensemble(planted_corpus(), CONFIG, runs=RUNS, callbacks=[_StopAtRun(control, 1)],
                             control=control)
    assert len(stopped) == 1 and stopped.members[0] is stopped.interrupted
    assert stopped.first.ensemble is None


class _DivergeInRun(Callback):
    """Raises the divergence guard's error at the first progress report of run ``run``."""

    def __init__(self, run: int) -> None:
        self.run, self.current = run, 0

    def on_run_begin(self, run: int, runs: int) -> None:
        self.current = run

    def on_train_begin(self, info) -> None:  # noqa: ANN001
        if self.current == self.run:
            from w2v_core.errors import TrainingDivergedError

            raise TrainingDivergedError("the loss rose to 40 in epoch 2")


@pytest.mark.parametrize("run, kept", [(1, 0), (3, 2)])
def test_a_diverged_run_keeps_the_runs_finished_before_it(run: int, kept: int) -> None:
    from w2v_core.errors import TrainingDivergedError

    with pytest.raises(TrainingDivergedError) as raised:
        train_ensemble(planted_corpus(), CONFIG, runs=RUNS, callbacks=[_DivergeInRun(run)])
    if kept:
        assert len(raised.value.kept) == kept and raised.value.kept.planned == RUNS
        assert str(raised.value).startswith(f"run {run}/{RUNS}: the loss rose")
    else:
        assert raised.value.kept is None
