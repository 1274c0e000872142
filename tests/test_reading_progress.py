"""Issue 23: progress while the corpus is read, in the engine and the CLI (the TUI's is in
tests/tui/test_resume.py)."""

from __future__ import annotations

import io
import os
import threading

import pytest
from rich.console import Console

from w2v_core import TrainConfig
from w2v_core.callbacks import Callback, ReadingProgress
from w2v_core.cli.progress import ProgressReporter
from w2v_core.corpus import open_corpus
from w2v_core.token_ids import _BLOCK_TOKENS, encode_corpus
from w2v_core.training import train


def _text(tmp_path, name: str, lines: int) -> os.PathLike:
    path = tmp_path / name
    path.write_text("".join(f"alpha beta gamma word{chr(97 + i % 26)} delta\n" for i in range(lines)))
    return path


@pytest.mark.parametrize("isolate", [False, True])
def test_reading_reports_bytes_words_and_distinct_words_up_to_the_end(tmp_path, isolate):
    path = _text(tmp_path, "c.txt", 3 * _BLOCK_TOKENS // 5)  # three blocks of tokens
    events: list[ReadingProgress] = []
    encoded = encode_corpus(str(path), min_count=1, isolate=isolate, on_progress=events.append)
    assert events and events[-1].done and not any(e.done for e in events[:-1])
    last = events[-1]
    size = path.stat().st_size
    assert last.bytes_total == size and last.bytes_read == size and last.fraction == 1.0
    assert last.words == encoded.n_words and last.vocabulary == 30 == len(encoded.vocab)
    for before, after in zip(events, events[1:]):
        assert before.words <= after.words and before.bytes_read <= after.bytes_read


def test_a_directory_counts_every_file_and_a_pipe_has_no_total(tmp_path):
    corpus = tmp_path / "dir"
    corpus.mkdir()
    sizes = sum(_text(corpus, f"{i}.txt", 500 + i).stat().st_size for i in range(3))
    events: list[ReadingProgress] = []
    encode_corpus(str(corpus), min_count=1, on_progress=events.append)
    assert events[-1].bytes_total == sizes == events[-1].bytes_read

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text("one two three\n" * 100))
    writer.start()
    events = []
    encode_corpus(open_corpus(str(fifo)), min_count=1, isolate=False, on_progress=events.append)
    writer.join()
    assert events[-1].bytes_total is None and events[-1].fraction is None
    assert events[-1].bytes_read == len("one two three\n" * 100) and events[-1].words == 300


def test_train_tells_its_callbacks_how_reading_goes(tmp_path):
    seen: list[ReadingProgress] = []

    class Watch(Callback):
        def on_reading(self, progress):
            seen.append(progress)

    path = _text(tmp_path, "c.txt", 400)
    train(str(path), TrainConfig(dim=4, min_count=1, epochs=1, threads=1), [Watch()])
    assert seen and seen[-1].done and seen[-1].words == 2000


def test_the_cli_shows_reading_progress_on_a_plain_line():
    out = io.StringIO()
    reporter = ProgressReporter(Console(file=out, force_terminal=False, width=200), interval=0)
    reporter.reading("big.txt")
    reporter.on_reading(ReadingProgress(268_000_000, 535_000_000, 48_000_000, 812_345, 20.0))
    reporter.on_reading(ReadingProgress(535_000_000, 535_000_000, 96_000_000, 1_000_000, 40.0, done=True))
    lines = out.getvalue().splitlines()
    assert lines == ["reading big.txt: 50% of 535 MB · 48.0M words · 812,345 distinct · "
                     "2.4M words/s · ETA 0:20"]


@pytest.mark.parametrize("isolate", [False, True])
def test_joining_phrases_reports_its_share_after_the_text_is_read(tmp_path, isolate, monkeypatch):
    from w2v_core.phrases import Phrasing

    monkeypatch.setattr("w2v_core.token_ids.READING_PROGRESS_INTERVAL", 0.0)
    path = _text(tmp_path, "c.txt", 3 * _BLOCK_TOKENS // 5)
    events: list[ReadingProgress] = []
    encode_corpus(str(path), min_count=1, isolate=isolate, on_progress=events.append,
                  phrases=Phrasing(passes=2))
    joining = [e.phrases for e in events if e.phrases is not None and not e.done]
    assert joining and 0.0 <= joining[0] and joining[-1] > 0.9 and all(f <= 1.0 for f in joining)
    assert joining == sorted(joining)  # never backwards
    first = next(i for i, e in enumerate(events) if e.phrases is not None)
    assert all(e.phrases is None for e in events[:first])  # reading first, then phrases
    assert events[first].fraction == 1.0 and events[-1].done
    if not isolate:  # in this process every block is told (a child is polled)
        assert len(joining) >= 2 * 2  # two passes, each scanning the ids twice


def test_the_cli_names_joining_phrases_on_its_reading_line():
    out = io.StringIO()
    reporter = ProgressReporter(Console(file=out, force_terminal=False, width=200), interval=0)
    reporter.reading("big.txt")
    reporter.on_reading(ReadingProgress(535_000_000, 535_000_000, 96_000_000, 1_000_000, 40.0,
                                        phrases=0.5))
    assert out.getvalue().splitlines() == [
        "reading big.txt: joining phrases: 50% · 96.0M words · 1,000,000 distinct"]
