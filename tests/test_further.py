"""Issue 22: training further on new text (``--init MODEL``): new words join, old vectors
start where they were, counts add up, and what happens to the old words' neighbours."""

from __future__ import annotations

import numpy as np
import pytest
from planted import PLANTED_GROUPS, planted_sentences

from w2v_core import TrainConfig
from w2v_core.callbacks import Callback, TrainingControl
from w2v_core.checkpoints import train_or_resume
from w2v_core.cli import main
from w2v_core.corpus import Corpus
from w2v_core.formats import load, save
from w2v_core.training import train

CONFIG = TrainConfig(dim=16, window=3, min_count=1, epochs=5, seed=3, threads=1)
ANIMALS, ANIMAL_CONTEXTS = PLANTED_GROUPS["animal"]
TOOLS, TOOL_CONTEXTS = PLANTED_GROUPS["tool"]


def new_text() -> list[list[str]]:
    """Animal and tool sentences only: 'llama' is a new animal, and 'plum' (a fruit before)
    now only appears among tools."""
    sentences = []
    for sentence in planted_sentences(3000, seed=1):
        if set(sentence) & set(ANIMALS + ANIMAL_CONTEXTS):
            sentences.append([("llama" if w == "cat" else w) for w in sentence])
        elif set(sentence) & set(TOOLS + TOOL_CONTEXTS):
            sentences.append([("plum" if w == "saw" else w) for w in sentence])
    return sentences


def as_corpus(sentences: list[list[str]]) -> Corpus:
    return Corpus("new text", lambda: iter(sentences))


def neighbours(model, word: str, topn: int = 5) -> set[str]:
    return {w for w, _ in model.wv.most_similar(word, topn=topn)}


@pytest.fixture(scope="module")
def base():
    return train(planted_sentences(3000), CONFIG)


@pytest.fixture(scope="module")
def further(base):
    return train_or_resume(as_corpus(new_text()), CONFIG, init_from=base)


def test_new_words_join_and_find_their_group(base, further):
    assert "llama" not in base.wv and "llama" in further.wv
    assert len(neighbours(further, "llama") & set(ANIMALS + ANIMAL_CONTEXTS)) >= 4


def test_old_words_the_new_text_lacks_keep_their_vectors_exactly(base, further):
    text = {w for s in new_text() for w in s}
    lacking = [w for w in base.wv.words if w not in text]
    assert "red" in lacking and "cat" in lacking
    for word in lacking:
        assert np.array_equal(further.wv[word], base.wv[word])


def test_a_word_whose_use_changed_moves_and_the_others_keep_their_neighbours(base, further):
    tools = set(TOOLS + TOOL_CONTEXTS)
    assert not neighbours(base, "plum") & tools
    assert len(neighbours(further, "plum") & tools) >= 4  # 'plum' now lives among the tools
    for word in ("dog", "horse", "hammer", "drill"):  # same use in both texts
        # their ten nearest are their planted group, before and after (which five come first
        # within a group is chance: a top-5 overlap held for half the seeds)
        assert len(neighbours(further, word, 10) & neighbours(base, word, 10)) >= 8


def test_counts_add_up_and_rows_are_in_frequency_order_again(base, further):
    new_counts: dict[str, int] = {}
    for sentence in new_text():
        for w in sentence:
            new_counts[w] = new_counts.get(w, 0) + 1
    for word in ("dog", "red", "llama", "plum"):
        old = base.wv.counts[base.wv.words.index(word)] if word in base.wv else 0
        assert further.wv.counts[further.wv.words.index(word)] == old + new_counts.get(word, 0)
    assert np.all(further.wv.counts[:-1] >= further.wv.counts[1:])


def test_a_further_run_resumes_to_the_same_vectors(base, further):
    control = TrainingControl()

    class Halfway(Callback):  # epoch ends always report: the stop lands after epoch 3
        def on_progress(self, event):
            if event.fraction >= 0.5:
                control.stop()

    stopped = train_or_resume(as_corpus(new_text()), CONFIG, [Halfway()], control, init_from=base)
    assert not stopped.state.finished and stopped.state.init_words == len(base.wv)
    resumed = train_or_resume(as_corpus(new_text()), CONFIG, resume_from=stopped)
    assert resumed.wv.words == further.wv.words
    assert np.abs(resumed.wv.vectors - further.wv.vectors).max() <= 1e-6


def test_cli_trains_further_and_keeps_the_models_dimension(tmp_path, base, capsys):
    model, corpus, out = tmp_path / "base.npz", tmp_path / "new.txt", tmp_path / "further.npz"
    save(base, model)
    corpus.write_text("\n".join(" ".join(s) for s in new_text()) + "\n")
    argv = ["train", str(corpus), "--init", str(model), "-o", str(out), "--min-count", "1",
            "--epochs", "2", "--threads", "1"]
    assert main(argv) == 0
    assert "starting from" in capsys.readouterr().err
    result = load(out)
    assert result.wv.dim == base.wv.dim and "llama" in result.wv
    assert main([*argv, "--dim", "50"]) == 2
    assert "--dim 50 differs from the --init model's 16" in capsys.readouterr().err
    assert main(["train", "--resume", str(out), "--init", str(model)]) == 2
    assert "takes no --init" in capsys.readouterr().err
