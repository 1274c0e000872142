"""TrainConfig: one source for every training option, its flag, help text and validation."""

from __future__ import annotations

import argparse
import dataclasses
import os

import pytest

from planted import planted_sentences
from w2v_core import Callback, ConfigError, TrainConfig, train
from w2v_core.callbacks import TrainingStart
from w2v_core.cli import build_parser
from w2v_core.cli.arguments import add_train_arguments, config_from_args
from w2v_core.config import (
    AUTO_EPOCHS_MAX,
    AUTO_EPOCHS_MIN,
    available_cpus,
    flag,
    resolve_epochs,
)

def test_every_field_carries_its_help_and_is_an_option_of_w2v_train():
    helptext = build_parser()._subparsers._group_actions[0].choices["train"].format_help()
    for f in dataclasses.fields(TrainConfig):
        assert f.metadata["help"], f.name
        assert flag(f.name) in helptext
        # the help text is the field's, not a copy that could drift
        assert f.metadata["help"].split()[0] in helptext


def test_options_round_trip_through_the_parser():
    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    args = parser.parse_args(["--dim", "7", "--min-alpha", "0.001", "--max-vocab", "none",
                              "--epochs", "auto", "--threads", "1"])
    config = config_from_args(args)
    assert (config.dim, config.min_alpha, config.max_vocab, config.epochs, config.threads) == (
        7, 0.001, None, None, 1)
    assert config_from_args(parser.parse_args([])) == TrainConfig()


@pytest.mark.parametrize(
    "field, value",
    [("min_alpha", 1.0), ("batch_size", 0), ("max_vocab", 0), ("min_count", 0), ("epochs", 0)],
)
def test_errors_name_the_flag_not_the_python_field(field, value):
    with pytest.raises(ConfigError) as caught:
        TrainConfig(**{field: value}).validate()
    message = str(caught.value)
    assert message.startswith(flag(field) + " must be")
    assert field not in message.replace(flag(field), "")


def test_threads_default_to_the_cpus_this_process_may_use():
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert available_cpus() == expected
    assert TrainConfig().threads == expected


def test_epochs_given_are_kept_without_a_reason():
    assert resolve_epochs(3, 10) == (3, None)


@pytest.mark.parametrize(
    "words, epochs",
    [(10, AUTO_EPOCHS_MAX), (30_000, AUTO_EPOCHS_MAX), (100_000, 15), (10_000_000, AUTO_EPOCHS_MIN)],
)
def test_auto_epochs_train_on_about_a_million_and_a_half_words(words, epochs):
    chosen, reason = resolve_epochs(None, words)
    assert chosen == epochs
    assert reason.startswith("auto")
    assert ("small corpus" in reason) == (epochs > AUTO_EPOCHS_MIN)


def test_the_trainer_resolves_auto_epochs_and_says_why():
    class Start(Callback):
        def on_train_begin(self, info: TrainingStart) -> None:
            self.info = info

    start = Start()
    model = train(planted_sentences(300), TrainConfig(dim=8, min_count=1, threads=1), [start])
    config = start.info.config
    assert isinstance(config, TrainConfig)
    assert config.epochs == resolve_epochs(None, start.info.corpus_words)[0] > AUTO_EPOCHS_MIN
    assert start.info.epochs_reason == "auto: small corpus"
    assert start.info.words_total == start.info.corpus_words * config.epochs
    assert model.config.epochs == config.epochs


def _training_options(parser: argparse.ArgumentParser) -> list[tuple[tuple[str, ...], str]]:
    group = next(g for g in parser._action_groups if g.title == "training options")
    return [(a.option_strings, a.help % {"default": a.default} if a.help else "")
            for a in group._group_actions]


def test_w2v_train_and_w2v_tui_offer_the_same_training_options():
    from tui.options import build_parser as tui_parser

    train_parser = build_parser()._subparsers._group_actions[0].choices["train"]
    ours, theirs = _training_options(train_parser), _training_options(tui_parser())
    assert ours == theirs
    assert [names[0] for names, _ in ours] == [flag(f.name) for f in dataclasses.fields(TrainConfig)]


def test_the_front_ends_parser_raises_a_usage_error_naming_the_help():
    from w2v_core.cli.arguments import ArgumentParser
    from w2v_core.errors import EXIT_USAGE, UsageError, exit_code

    parser = ArgumentParser(prog="w2v")
    sub = parser.add_subparsers(dest="command").add_parser("train")
    add_train_arguments(sub)
    with pytest.raises(UsageError) as caught:
        parser.parse_args(["train", "--dim", "many"])
    assert "--dim" in str(caught.value)
    assert caught.value.help_hint == "see 'w2v train --help'"
    assert exit_code(caught.value) == EXIT_USAGE
