"""The w2v-tui entry point fails before the UI starts, with one line and an exit code."""

from __future__ import annotations

import pytest

from tui.app import main
from tui.options import DEFAULT_CORPUS, resolve


@pytest.mark.parametrize(
    ("argv", "code", "text"),
    [
        (["/no/such/corpus.txt"], 1, "corpus not found"),
        (["builtin:nope"], 1, "unknown built-in corpus"),
        (["--model", "/no/such/model.npz"], 1, "model.npz"),
        (["--dim", "0"], 2, "dim"),
        (["--alpha", "-1"], 2, "alpha"),
        (["--epochs", "many"], 2, "epochs"),
        (["corpus.txt", "--model", "m.npz"], 2, "not both"),
    ],
)
def test_errors_are_one_line_before_the_ui(argv: list[str], code: int, text: str, capsys) -> None:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("w2v-tui: error:") and text in err
    assert "Traceback" not in err


def test_empty_corpus_fails_before_the_ui(tmp_path, capsys) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n")
    assert main([str(empty)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "corpus is empty" in err


def test_unreadable_model_file(tmp_path, capsys) -> None:
    bad = tmp_path / "garbage.bin"
    bad.write_bytes(b"\x00\x01not a model")
    assert main(["--model", str(bad)]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_defaults_train_the_bundled_shakespeare() -> None:
    launch = resolve([])
    assert launch.corpus.name == DEFAULT_CORPUS and launch.model is None
    assert launch.config is not None and launch.config.dim == 100


def test_training_options_reach_the_config(tmp_path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n")
    launch = resolve([str(corpus), "--dim", "16", "--epochs", "2", "--min-count", "1", "--batch-size", "64"])
    assert (launch.config.dim, launch.config.epochs, launch.config.min_count, launch.config.batch_size) == (16, 2, 1, 64)


def test_model_option_loads(tmp_path, model) -> None:
    from w2v_core.formats import save

    path = tmp_path / "m.npz"
    save(model, path)
    launch = resolve(["--model", str(path)])
    assert launch.model is not None and len(launch.model.wv) == len(model.wv)
