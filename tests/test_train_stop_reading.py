"""A stop asked while the corpus is still being read ends train() before any training."""

from __future__ import annotations

import pytest

from w2v_core.callbacks import Callback, ReadingStopped, TrainingControl
from w2v_core.config import TrainConfig
from w2v_core.training import train


class _Begin(Callback):
    def __init__(self) -> None:
        self.began = False

    def on_train_begin(self, info) -> None:  # noqa: ANN001 - protocol signature
        self.began = True


def test_train_stopped_while_reading_raises_before_training() -> None:
    control = TrainingControl()
    control.stop()
    began = _Begin()
    sentences = [["a", "b", "c", "d"] * 5 for _ in range(200)]
    with pytest.raises(ReadingStopped):
        train(sentences, TrainConfig(dim=8, min_count=1, epochs=1), callbacks=[began], control=control)
    assert not began.began


def test_train_without_a_stop_reads_and_trains() -> None:
    began = _Begin()
    sentences = [["a", "b", "c", "d"] * 5 for _ in range(200)]
    model = train(sentences, TrainConfig(dim=8, min_count=1, epochs=1), callbacks=[began],
                  control=TrainingControl())
    assert began.began and len(model.wv) == 4
