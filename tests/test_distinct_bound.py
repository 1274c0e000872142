"""Issue 23: a corpus with far more distinct tokens than --max-distinct is counted with the
table never above the bound; rare tokens are forgotten (gensim's max_vocab_size), frequent
words keep exact counts, and the user is told."""

from __future__ import annotations

import io

import pytest
from planted import letter_word
from rich.console import Console

from w2v_core import TrainConfig, parallel_reading
from w2v_core.callbacks import Callback, ReadingProgress
from w2v_core.cli.progress import ProgressReporter
from w2v_core.errors import ConfigError
from w2v_core.token_ids import DistinctBound, encode_corpus, provisional_ids
from w2v_core.training import train

@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    """Small test corpora are read in parts too."""
    monkeypatch.setattr(parallel_reading, "MIN_PART_BYTES", 1)


FREQUENT = ["alpha", "beta", "gamma", "delta", "epsilon"]


def _sentences(n: int, unique_per_sentence: int = 5) -> list[list[str]]:
    """Every sentence: the frequent words, then tokens never seen again (IDs, URLs...)."""
    return [
        FREQUENT + [letter_word(1000 + i * unique_per_sentence + j) for j in range(unique_per_sentence)]
        for i in range(n)
    ]


def test_the_table_never_exceeds_the_bound_and_frequent_counts_stay_exact():
    sentences = _sentences(4000)  # 20,000 distinct tokens seen once
    bound = DistinctBound(1000)
    _, table = provisional_ids(sentences, bound=bound)
    assert bound.peak <= 1000 and len(table) <= 1000
    assert bound.floor >= 1 and bound.forgotten >= 19_000
    encoded = encode_corpus(sentences, min_count=2, max_distinct=1000, isolate=False)
    assert encoded.count_floor >= 1
    assert encoded.vocab.words == sorted(FREQUENT)   # ties: alphabetical
    assert encoded.vocab.counts.tolist() == [4000] * 5
    exact = encode_corpus(sentences, min_count=2, isolate=False)
    assert exact.count_floor == 0 and exact.vocab.counts.tolist() == [4000] * 5


def test_reading_processes_share_the_bound(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text("".join(" ".join(s) + "\n" for s in _sentences(6000)))
    encoded = encode_corpus(str(path), min_count=2, max_distinct=2000, workers=2)
    assert encoded.reading_processes == 2 and encoded.count_floor >= 1
    assert encoded.vocab.words == sorted(FREQUENT) and encoded.vocab.counts.tolist() == [6000] * 5


def test_the_user_is_told_when_rare_tokens_were_forgotten(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text("".join(" ".join(s) + "\n" for s in _sentences(3000)))
    seen: list[ReadingProgress] = []

    class Watch(Callback):
        def on_reading(self, progress):
            seen.append(progress)

    train(str(path), TrainConfig(dim=4, min_count=2, epochs=1, threads=1, max_distinct=1000),
          [Watch()])
    assert seen[-1].done and seen[-1].count_floor >= 1

    out = io.StringIO()
    reporter = ProgressReporter(Console(file=out, force_terminal=False, width=300), interval=0)
    reporter.reading("ids.txt")
    reporter.on_reading(seen[-1])
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and "--max-distinct" in lines[0] and "approximate" in lines[0]


def test_a_bound_too_small_is_refused_in_one_line():
    with pytest.raises(ConfigError, match="--max-distinct must be >= 1000"):
        TrainConfig(max_distinct=10).validate()


def test_a_model_records_that_its_counts_are_approximate_and_info_says_so(tmp_path, capsys):
    from w2v_core.cli import main
    from w2v_core.formats import load

    path = tmp_path / "ids.txt"
    path.write_text("".join(" ".join(s) + "\n" for s in _sentences(3000)))
    argv = ["--dim", "4", "--min-count", "2", "--epochs", "1", "--threads", "1"]
    assert main(["train", str(path), "-o", str(tmp_path / "b.npz"), "--max-distinct", "1000", *argv]) == 0
    assert main(["train", str(path), "-o", str(tmp_path / "e.npz"), *argv]) == 0
    bounded, exact = load(tmp_path / "b.npz"), load(tmp_path / "e.npz")
    assert bounded.state.corpus["count_floor"] >= 1 and bounded.state.corpus["spec"] == str(path)
    assert "count_floor" not in exact.state.corpus
    capsys.readouterr()
    assert main(["info", str(tmp_path / "b.npz")]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"corpus {path}; counts approximate (--max-distinct)" in out
    assert main(["info", str(tmp_path / "e.npz")]) == 0
    assert "approximate" not in capsys.readouterr().out


def _naive_provisional_ids(sentences):
    """The stream and table of a token-at-a-time loop: ids in order of first sight, -1 after
    each non-empty sentence; no bound."""
    table: dict[str, int] = {}
    stream: list[int] = []
    for sentence in sentences:
        sentence = list(sentence)
        if not sentence:
            continue
        stream += [table.setdefault(token, len(table)) for token in sentence]
        stream.append(-1)
    return stream, table


def test_batched_counting_gives_the_stream_of_a_token_at_a_time_loop(monkeypatch):
    """Sentences are looked up a batch at a time and their ends scattered in a block at a
    time: the stream must still be a token-at-a-time loop's, across block and batch edges,
    with empty sentences, tuples and generators among them."""
    import random

    from w2v_core import token_ids

    monkeypatch.setattr(token_ids, "_BLOCK_TOKENS", 50)  # many blocks, edges inside batches
    rng = random.Random(3)
    token_lists = [[letter_word(rng.randrange(300)) for _ in range(rng.choice([0, 1, 2, 7, 40, 130]))]
                   for _ in range(700)]
    # lists, tuples and generators (read once) among them
    sentences = [tuple(tokens) if i % 5 == 3 else iter(tokens) if i % 5 == 4 else tokens
                 for i, tokens in enumerate(token_lists)]
    expected_stream, expected_table = _naive_provisional_ids(token_lists)
    blocks = []
    raw, table = provisional_ids(sentences, on_block=lambda n, s, d: blocks.append((n, s, d)))
    stream = [int(x) for _, block in raw.blocks() for x in block]
    assert stream == expected_stream
    assert dict(table) == expected_table
    assert blocks[-1] == (len(expected_stream), expected_stream.count(-1), len(expected_table))
    assert len(blocks) > 10  # a block a batch here: its edges fall between batches


def test_batched_counting_with_a_bound_forgets_before_the_sentence_that_overflows():
    """A batch that would overflow the bound goes sentence by sentence: the table never
    exceeds it, and with a bound larger than the corpus the stream is the unbounded one."""
    sentences = _sentences(300, unique_per_sentence=7)
    bound = DistinctBound(100)
    provisional_ids(sentences, bound=bound)
    assert bound.peak <= 100 and bound.forgotten > 0
    roomy = DistinctBound(10_000)
    raw, table = provisional_ids(sentences, bound=roomy)
    stream = [int(x) for _, block in raw.blocks() for x in block]
    assert (stream, dict(table)) == _naive_provisional_ids(sentences)
    assert roomy.forgotten == 0
