"""Issue 21: ``--phrases`` joins frequent collocations (``new_york``) before training.

Phrases found on the encoded ids are checked against a plain Python loop computing gensim's
scores and its greedy joining, against gensim itself, on Brown, through two passes, in a
trained model, through both front ends' flags and through a resumed run.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from planted import StopAt

from w2v_core import TrainConfig, phrase_sentences
from w2v_core.callbacks import TrainingControl
from w2v_core.checkpoints import Checkpointer
from w2v_core.cli import main
from w2v_core.corpus import open_corpus
from w2v_core.corpus_identity import identify
from w2v_core.formats import load
from w2v_core.phrases import PairCounts, Phrasing, sentence_blocks
from w2v_core.token_ids import IdStore, encode_corpus
from w2v_core.training import Trainer, prepare_corpus

FILLER = [f"{chr(97 + i // 26)}{chr(97 + i % 26)}x" for i in range(500)]  # letters only


def phrase_corpus(n_sentences: int = 1500, seed: int = 0) -> list[list[str]]:
    """Filler words with planted collocations: ``new york`` (some of them ``new york city``),
    ``united states``, and ``new``, ``york``, ``city`` and ``states`` on their own too."""
    rng = np.random.default_rng(seed)
    planted = [["new", "york"], ["new", "york", "city"], ["united", "states"], ["new"],
               ["york"], ["city"], ["states"]]
    weights = np.array([0.25, 0.15, 0.25, 0.1, 0.05, 0.05, 0.1])
    sentences = []
    for _ in range(n_sentences):
        words = [FILLER[i] for i in rng.integers(len(FILLER), size=8)]
        at = int(rng.integers(len(words) + 1))
        words[at:at] = planted[rng.choice(len(planted), p=weights / weights.sum())]
        sentences.append(words)
    return sentences


def naive_phrases(
    sentences: list[list[str]], min_count: int, threshold: float
) -> tuple[list[list[str]], dict[str, float]]:
    """gensim's ``Phrases`` (no connector words) as a plain loop: the joined sentences and
    the phrases with their scores."""
    unigrams, bigrams = Counter(), Counter()
    for sentence in sentences:
        unigrams.update(sentence)
        bigrams.update(zip(sentence, sentence[1:]))
    n = len(unigrams) + len(bigrams)
    phrases = {}
    for (a, b), count in bigrams.items():
        score = (count - min_count) / (unigrams[a] * unigrams[b]) * n
        if score > threshold:
            phrases[f"{a}_{b}"] = score
    joined = []
    for sentence in sentences:
        out, i = [], 0
        while i < len(sentence):
            if i + 1 < len(sentence) and f"{sentence[i]}_{sentence[i + 1]}" in phrases:
                out.append(f"{sentence[i]}_{sentence[i + 1]}")
                i += 2
            else:
                out.append(sentence[i])
                i += 1
        joined.append(out)
    return joined, phrases


@pytest.mark.parametrize("min_count, threshold", [(5, 10.0), (1, 1.0), (20, 0.5)])
def test_phrases_and_joined_sentences_are_the_naive_loops(min_count, threshold):
    sentences = phrase_corpus()
    joined, found = phrase_sentences(sentences, Phrasing(1, threshold, min_count))
    expected_joined, expected = naive_phrases(sentences, min_count, threshold)
    assert dict(found).keys() == expected.keys()
    for name, score in found:
        assert score == pytest.approx(expected[name], rel=1e-12)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    assert joined == expected_joined
    assert "new_york" in expected and "united_states" in expected  # the corpus plants them


def test_overlapping_phrases_join_greedily_from_the_left():
    # "a b c": a_b and b_c are both phrases; gensim takes a_b, then c alone
    sentences = [["a", "b", "c", "d"]] * 30 + [["p", "q", "r", "s", "t"]] * 30 + [["e", "f"]] * 30
    joined, found = phrase_sentences(sentences, Phrasing(1, 0.1, 1))
    assert {"a_b", "b_c", "c_d", "p_q", "q_r", "r_s", "s_t", "e_f"} == dict(found).keys()
    assert joined[0] == ["a_b", "c_d"] and joined[30] == ["p_q", "r_s", "t"]
    assert joined[-1] == ["e_f"]


def test_phrases_are_gensims():
    gensim_phrases = pytest.importorskip("gensim.models.phrases")
    sentences = phrase_corpus(3000, seed=1)
    joined, found = phrase_sentences(sentences, Phrasing(1, 10.0, 5))
    model = gensim_phrases.Phrases(sentences, min_count=5, threshold=10.0)
    assert dict(found) == pytest.approx(model.export_phrases())
    assert joined == [model[s] for s in sentences]


def test_two_passes_make_three_word_phrases():
    sentences = phrase_corpus()
    one, _ = phrase_sentences(sentences, Phrasing(1))
    two, found = phrase_sentences(sentences, Phrasing(2))
    assert "new_york_city" in dict(found) and "new_york" in dict(found)
    assert not any("new_york_city" in s for s in one)
    assert sum(s.count("new_york_city") for s in two) == sum(
        " ".join(s).count("new york city") for s in sentences
    )
    # the second pass is the first applied to the joined text
    again, _ = phrase_sentences(one, Phrasing(1))
    assert two == again


def test_blocks_end_at_sentence_ends_whatever_their_size():
    store = IdStore()
    stream = np.array([0, 1, 2, -1, 3, -1, 4, 5, 6, 7, 8, -1], np.int32)
    store.append(stream)
    store.finish()
    for size in (1, 2, 5, 100):
        blocks = list(sentence_blocks(store, size))
        assert all(block[-1] == -1 for block in blocks)
        assert np.array_equal(np.concatenate(blocks), stream)


def test_pair_table_over_its_cap_drops_the_rarest_as_word2phrase_does():
    keys = np.array([5] * 3 + [7] * 2 + [1, 2, 3, 4], np.int64)
    table = PairCounts(max_pairs=4)
    table.add(keys)
    table.finish()
    assert table.keys.tolist() == [5, 7] and table.counts.tolist() == [3, 2]
    full = PairCounts(max_pairs=10)
    for half in (keys[::2], keys[1::2]):
        full.add(half)
        full._merge()  # two batches merged: the counts add up
    assert dict(zip(full.keys.tolist(), full.counts.tolist())) == Counter(keys.tolist())


def test_encoding_joins_phrases_before_min_count_prunes(tmp_path):
    sentences = phrase_corpus()
    encoded = encode_corpus(sentences, min_count=5, phrases=Phrasing(1), isolate=False)
    plain = encode_corpus(sentences, min_count=5, isolate=False)
    words = encoded.vocab.words
    assert "new_york" in words and "united_states" in words and "united_states" not in plain.vocab.index
    joined, _ = phrase_sentences(sentences, Phrasing(1))
    counts = Counter(w for s in joined for w in s)
    for word, count in zip(words, encoded.vocab.counts.tolist()):
        assert counts[word] == count
    assert encoded.n_words == sum(counts.values()) < plain.n_words
    # a forked reader and a tiny spill size give the same stream
    forked = encode_corpus(sentences, min_count=5, phrases=Phrasing(1), spill_tokens=100)
    assert forked.vocab.words == words and np.array_equal(forked.ids, encoded.ids)


def test_brown_gets_new_york_and_united_states(nltk_data):
    encoded = encode_corpus("nltk:brown", phrases=Phrasing(1), isolate=False)
    for phrase in ("new_york", "united_states", "los_angeles", "white_house"):
        assert phrase in encoded.vocab.index


def test_a_trained_model_has_phrases_as_words():
    config = TrainConfig(dim=8, epochs=1, min_count=5, threads=1, phrases=2)
    model = Trainer(prepare_corpus(phrase_corpus(), 5, isolate=False,
                                   phrases=Phrasing.of(config)), config).train()
    assert {"new_york", "united_states", "new_york_city"} <= set(model.wv.words)
    assert model.config.phrases == 2


def test_a_corpus_encoded_without_phrases_is_refused_by_a_config_that_asks_for_them():
    # a run records its config: phrases=2 on a corpus read without them would claim phrases
    # the vocabulary does not hold (and the reverse would hide those it holds)
    from w2v_core import ConfigError, train

    plain = prepare_corpus(phrase_corpus(), 5, isolate=False)
    with pytest.raises(ConfigError, match="2 phrase passes but the corpus was encoded with 0"):
        train(plain, TrainConfig(dim=8, epochs=1, threads=1, phrases=2))
    phrased = prepare_corpus(phrase_corpus(), 5, isolate=False, phrases=Phrasing(1))
    assert phrased.phrase_passes == 1 and plain.phrase_passes == 0
    with pytest.raises(ConfigError, match="0 phrase passes but the corpus was encoded with 1"):
        train(phrased, TrainConfig(dim=8, epochs=1, threads=1))
    assert train(phrased, TrainConfig(dim=8, epochs=1, threads=1, phrases=1)).config.phrases == 1


@pytest.mark.parametrize(
    "flags, passes", [([], 0), (["--phrases"], 1), (["--phrases", "2"], 2), (["--phrases", "0"], 0)]
)
def test_cli_and_tui_flags_reach_the_config(tmp_path, flags, passes):
    from tui.options import resolve
    from w2v_core.cli.arguments import config_from_args
    from w2v_core.cli.parser import build_parser

    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(" ".join(s) for s in phrase_corpus(50)))
    extra = ["--phrase-threshold", "3.5", "--phrase-min-count", "2"]
    args = build_parser().parse_args(["train", str(corpus), "-o", "m.npz", *flags, *extra])
    cli = config_from_args(args)
    tui = resolve([str(corpus), *flags, *extra]).config
    for config in (cli, tui):
        assert (config.phrases, config.phrase_threshold, config.phrase_min_count) == (passes, 3.5, 2)
    from tui.widgets.dashboard import fmt_config

    assert fmt_config(tui).endswith(f"min 5 phrases {passes}" if passes else "min 5")


def test_cli_trains_a_phrased_model(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(" ".join(s) for s in phrase_corpus()))
    out = tmp_path / "m.npz"
    argv = ["train", str(corpus), "-o", str(out), "--dim", "8", "--epochs", "1", "--threads", "1"]
    assert main([*argv, "--phrases"]) == 0
    model = load(out)
    assert "new_york" in model.wv.words and model.config.phrases == 1
    summary = capsys.readouterr().out
    assert "phrases" in summary and "new_york" in summary  # the run says what it joined


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--phrases", "3"], "--phrases must be from 0 to 2, got 3"),
        (["--phrase-threshold", "0"], "--phrase-threshold must be a finite number > 0"),
        (["--phrase-min-count", "0"], "--phrase-min-count must be >= 1"),
        (["--phrases", "builtin:hamlet"], "put the corpus before --phrases"),
    ],
)
def test_bad_phrase_settings_are_one_line(tmp_path, capsys, flags, message):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c.\n")
    assert main(["train", str(corpus), "-o", str(tmp_path / "m.npz"), *flags]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_phrased_run_resumes_with_its_phrases(tmp_path: Path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(" ".join(s) for s in phrase_corpus()))
    config = TrainConfig(dim=12, window=3, min_count=1, epochs=3, seed=7, threads=1, phrases=2)
    encoded = prepare_corpus(str(corpus), 1, isolate=False, phrases=Phrasing.of(config))
    uninterrupted = Trainer(encoded, config).train()
    control = TrainingControl()
    checkpoint = tmp_path / "run.checkpoint.npz"
    checkpointer = Checkpointer(checkpoint, identify(open_corpus(str(corpus)), {}), every=None,
                                output=str(tmp_path / "run.npz"))
    ticks = iter(range(10**9))
    stopped = Trainer(encoded, config, [StopAt(control, 0.5)], control, checkpoints=checkpointer,
                      clock=lambda: float(next(ticks))).train()
    checkpointer.finish(stopped)
    assert not stopped.state.finished
    out = tmp_path / "resumed.npz"
    assert main(["train", "--resume", str(checkpoint), "-o", str(out)]) == 0, capsys.readouterr().err
    resumed = load(out)
    assert resumed.config.phrases == 2 and "new_york_city" in resumed.wv.words
    assert resumed.wv.words == uninterrupted.wv.words
    assert np.abs(resumed.wv.vectors - uninterrupted.wv.vectors).max() <= 1e-6


# ------------------------------------------------------------------ connector words
def naive_connector_phrases(
    sentences: list[list[str]], min_count: int, threshold: float, connectors: frozenset[str]
) -> tuple[list[list[str]], dict[str, float]]:
    """gensim's ``Phrases`` with ``connector_words`` as a plain loop (its ``_learn_vocab``
    and ``analyze_sentence``, transcribed)."""
    vocab: Counter = Counter()
    candidates: dict[str, tuple[str, str, list[str]]] = {}
    for sentence in sentences:
        start, between = None, []
        for word in sentence:
            if word not in connectors:
                vocab[word] += 1
                if start is not None:
                    phrase = "_".join([start, *between, word])
                    vocab[phrase] += 1
                    candidates[phrase] = (start, word, between)
                start, between = word, []
            elif start is not None:
                between.append(word)
    n = len(vocab)

    def score(a: str, b: str, between: list[str]) -> float | None:
        phrase = "_".join([a, *between, b])
        if not vocab[a] or not vocab[b] or not vocab[phrase]:
            return None
        value = (vocab[phrase] - min_count) / (vocab[a] * vocab[b]) * n
        return value if value > threshold else None

    found = {phrase: value for phrase, (a, b, between) in candidates.items()
             if (value := score(a, b, between)) is not None}
    joined = []
    for sentence in sentences:
        out, start, between = [], None, []
        for word in sentence:
            if word not in connectors:
                if start:
                    value = score(start, word, between)
                    if value is not None:
                        out.append("_".join([start, *between, word]))
                        start, between = None, []
                    else:
                        out += [start, *between]
                        start, between = word, []
                else:
                    start, between = word, []
            elif start:
                between.append(word)
            else:
                out.append(word)
        if start:
            out += [start, *between]
        joined.append(out)
    return joined, found


def connector_corpus(n_sentences: int = 2000, seed: int = 3) -> list[list[str]]:
    """Filler words with ``bank of america``, ``secretary of state``, ``the united states``,
    connectors everywhere, sentences that start and end with connectors, and a long run of
    ``the`` (over the hash's 256 weights) between two words."""
    rng = np.random.default_rng(seed)
    planted = [["bank", "of", "america"], ["secretary", "of", "state"], ["the", "united", "states"],
               ["bank"], ["america"], ["state", "of", "the", "art"], ["of", "the"],
               ["salt", *["the"] * 300, "pepper"]]
    weights = np.array([0.2, 0.15, 0.2, 0.05, 0.05, 0.15, 0.1, 0.02])
    connectors = ["a", "the", "of", "and", "in"]
    sentences = []
    for _ in range(n_sentences):
        words = [FILLER[i] if rng.random() < 0.7 else connectors[rng.integers(5)]
                 for i in rng.integers(len(FILLER), size=8)]
        at = int(rng.integers(len(words) + 1))
        words[at:at] = planted[rng.choice(len(planted), p=weights / weights.sum())]
        sentences.append(words)
    return sentences


@pytest.mark.parametrize("min_count, threshold", [(5, 10.0), (1, 1.0)])
def test_connector_phrases_are_the_naive_loops(min_count, threshold):
    from w2v_core.phrases import ENGLISH_CONNECTORS

    sentences = connector_corpus()
    phrasing = Phrasing(1, threshold, min_count, connectors=ENGLISH_CONNECTORS)
    joined, found = phrase_sentences(sentences, phrasing)
    expected_joined, expected = naive_connector_phrases(sentences, min_count, threshold, ENGLISH_CONNECTORS)
    assert dict(found).keys() == expected.keys()
    for name, score in found:
        assert score == pytest.approx(expected[name], rel=1e-12)
    assert joined == expected_joined
    assert {"bank_of_america", "secretary_of_state"} <= expected.keys()
    assert "salt_" + "the_" * 300 + "pepper" in expected  # a run of 300 connectors, as gensim


def test_connector_phrases_are_gensims():
    gensim_phrases = pytest.importorskip("gensim.models.phrases")
    sentences = connector_corpus(3000, seed=5)
    phrasing = Phrasing(1, 10.0, 5, connectors=gensim_phrases.ENGLISH_CONNECTOR_WORDS)
    joined, found = phrase_sentences(sentences, phrasing)
    model = gensim_phrases.Phrases(sentences, min_count=5, threshold=10.0,
                                   connector_words=gensim_phrases.ENGLISH_CONNECTOR_WORDS)
    assert dict(found) == pytest.approx(model.export_phrases())
    assert joined == [model[s] for s in sentences]


def test_connector_runs_get_one_id_each_whatever_the_block():
    from w2v_core.phrases import ConnectorRuns

    runs = ConnectorRuns()
    block = np.array([5, 1, 6, 5, 1, 2, 6, -1, 7, 2, 1, 8, 5, 1, 6, -1], np.int32)
    starts, ends = np.array([0, 3, 8, 12]), np.array([2, 6, 11, 14])
    ids = runs.ids(block, starts, ends)
    assert ids[0] == ids[3] and len(set(ids.tolist())) == 3
    assert [runs.runs[i] for i in ids.tolist()] == [(1,), (1, 2), (2, 1), (1,)]
    again = runs.ids(block[8:], starts[2:] - 8, ends[2:] - 8)
    assert again.tolist() == ids[2:].tolist()


@pytest.mark.parametrize("spec, expected", [("none", set()), ("english", {"of", "the", "and"}),
                                            ("Of, THE", {"of", "the"})])
def test_connector_flag_reaches_the_phrasing(spec, expected):
    phrasing = Phrasing.of(TrainConfig(phrases=1, phrase_connectors=spec))
    assert expected <= phrasing.connectors and (spec != "none" or not phrasing.connectors)


@pytest.mark.parametrize("spec, message", [("of,x1", "'x1' is not a word"), (" , ", "no words")])
def test_bad_connectors_are_one_line(tmp_path, capsys, spec, message):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n")
    assert main(["train", str(corpus), "--phrases", "--phrase-connectors", spec, "-o",
                 str(tmp_path / "m.npz")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
