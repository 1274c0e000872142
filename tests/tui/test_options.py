"""w2v-tui's command line: training options from TrainConfig, the same as ``w2v train``'s."""

from __future__ import annotations

import argparse

from tui.options import build_parser, resolve
from w2v_core.cli.parser import build_parser as cli_parser
from w2v_core.config import train_fields


def training_group(parser: argparse.ArgumentParser) -> list[tuple[tuple[str, ...], str | None]]:
    group = next(g for g in parser._action_groups if g.title == "training options")
    return [(tuple(a.option_strings), a.help) for a in group._group_actions]


def test_training_options_are_those_of_w2v_train() -> None:
    train = cli_parser()._subparsers._group_actions[0].choices["train"]  # type: ignore[union-attr]
    ours = training_group(build_parser())
    assert ours == training_group(train)
    assert len(ours) == len(train_fields())


def test_tui_options_do_not_import_the_cli() -> None:
    import tui.options

    source = open(tui.options.__file__, encoding="utf-8").read()
    assert "w2v_core.cli" not in source


def test_cbow_and_auto_epochs_reach_the_config(tmp_path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n")
    config = resolve([str(corpus), "--cbow"]).config
    assert config is not None and config.cbow and config.epochs is None  # epochs: chosen at start
    assert not resolve([str(corpus)]).config.cbow


def test_dashboard_title_names_cbow() -> None:
    from tui.widgets.dashboard import fmt_config
    from w2v_core.config import TrainConfig

    assert fmt_config(TrainConfig(cbow=True)).startswith("cbow dim 100")
    assert fmt_config(TrainConfig()).startswith("dim 100")
