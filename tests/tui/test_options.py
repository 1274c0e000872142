"""w2v-tui's command line: training options from TrainConfig, the same as ``w2v train``'s."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from tui.options import build_parser, resolve
from w2v_core.cli.arguments import train_fields
from w2v_core.cli.parser import build_parser as cli_parser


def training_group(parser: argparse.ArgumentParser) -> list[tuple[tuple[str, ...], str | None]]:
    group = next(g for g in parser._action_groups if g.title == "training options")
    return [(tuple(a.option_strings), a.help) for a in group._group_actions]


def test_training_options_are_those_of_w2v_train() -> None:
    train = cli_parser()._subparsers._group_actions[0].choices["train"]  # type: ignore[union-attr]
    ours = training_group(build_parser())
    assert ours == training_group(train)
    assert len(ours) == len(train_fields())


def test_tui_options_share_the_front_end_code_but_not_the_w2v_commands() -> None:
    """The options both front ends have are built once (w2v_core.cli.arguments); the w2v
    command's parser and commands (rich tables, training with progress) stay out."""
    heavy = ("w2v_core.cli.parser", "w2v_core.cli.commands", "w2v_core.cli.training",
             "w2v_core.training", "rich", "scipy", "textual")
    code = f"import sys, tui.options; print(sorted(set({heavy!r}) & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_model_options_are_those_of_w2v_commands() -> None:
    info = cli_parser()._subparsers._group_actions[0].choices["info"]  # type: ignore[union-attr]
    ours = {a.dest: a for a in build_parser()._actions}
    theirs = {a.dest: a for a in info._actions}
    for name in ("unicode_errors", "limit"):
        assert (ours[name].choices, ours[name].type, ours[name].default) == (
            theirs[name].choices, theirs[name].type, theirs[name].default)
        assert ours[name].help == "with --model: " + theirs[name].help


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


def test_corpus_text_options_reach_the_corpus(tmp_path: Path) -> None:
    """--line-sentences and --lang are read by the TUI's corpus as by ``w2v train``'s."""
    path = tmp_path / "lines.txt"
    path.write_text("Iğdır sat\nmr. smith ran home\nthe dog barked\n" * 3)
    automatic = list(resolve([str(path)]).corpus.sentences())
    forced = list(resolve([str(path), "--line-sentences", "--lang", "tr"]).corpus.sentences())
    assert len(forced) == 9 and len(automatic) < 9  # the full stop made it prose
    assert forced[0] == ["ığdır", "sat"]  # Turkish dotless i
