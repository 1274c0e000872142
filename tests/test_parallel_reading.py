"""Issue 23: a corpus read by several processes gives exactly the vocabulary (words, order,
counts) and the id stream (sentence ends included) of a one-process read."""

from __future__ import annotations

import bz2
import codecs
import time
from pathlib import Path

import numpy as np
from planted import letter_word
import pytest

from w2v_core import byte_ranges, parallel_reading, reading
from w2v_core.byte_ranges import cut_points, part_share
from w2v_core.callbacks import ReadingProgress, ReadingStopped, TrainingControl
from w2v_core.corpus import ends_sentence, open_corpus, tokenizer
from w2v_core.errors import CorpusError
from w2v_core.phrases import Phrasing
from w2v_core.processes import shared_array
from w2v_core.token_ids import EncodedCorpus, encode_corpus


@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    """Small test corpora are read in parts too."""
    monkeypatch.setattr(parallel_reading, "MIN_PART_BYTES", 1)


def _prose(n_sentences: int, seed: int = 0) -> str:
    """Sentences wrapped across lines, one-word sentences (speaker tags), blank lines."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_sentences):
        words = [letter_word(int(w)) for w in rng.zipf(1.4, size=int(rng.integers(1, 12))) % 3000]
        text = " ".join(words).capitalize() + rng.choice([".", "!", "?"])
        out.append(text + rng.choice([" ", "\n", "\n\n", " "]))
        if i % 37 == 0:
            out.append("\nHor.\n")
    return "".join(out)


def _lines(n_lines: int, seed: int = 1) -> str:
    rng = np.random.default_rng(seed)
    return "".join(
        " ".join(letter_word(int(w)) for w in rng.zipf(1.4, size=int(rng.integers(0, 15))) % 3000) + "\n"
        for _ in range(n_lines)
    )


def _read(corpus, workers: int, **options) -> EncodedCorpus:
    return encode_corpus(corpus, min_count=1, workers=workers, **options)


def _assert_same(one: EncodedCorpus, many: EncodedCorpus) -> None:
    assert one.vocab.words == many.vocab.words
    assert one.vocab.counts.tolist() == many.vocab.counts.tolist()
    assert (one.n_words, one.n_sentences) == (many.n_words, many.n_sentences)
    assert np.array_equal(one.store.read(0, one.store.size), many.store.read(0, many.store.size))


def _check(spec, workers: int, **open_options) -> EncodedCorpus:
    """Read ``spec`` in one process and in ``workers``; assert they agree and that the
    parallel read really was parallel."""
    one = _read(open_corpus(str(spec), **open_options), 1)
    many = _read(open_corpus(str(spec), **open_options), workers)
    assert one.reading_processes == 1 and many.reading_processes == workers
    _assert_same(one, many)
    return many


@pytest.fixture
def small_pieces(monkeypatch):
    """Long lines cut into pieces of 4,000 characters, so small files have long lines (read
    in blocks no longer, as the real sizes are: a line longer than a piece spans blocks)."""
    for module in (reading, byte_ranges):
        monkeypatch.setattr(module, "LONG_LINE_CHARS", 4000)
    monkeypatch.setattr(reading, "_READ_BYTES", 4000)


@pytest.mark.parametrize("workers", [2, 3])
def test_prose_with_sentences_across_lines_and_one_word_sentences(tmp_path, workers):
    path = tmp_path / "prose.txt"
    path.write_text(_prose(6000))
    _check(path, workers)


@pytest.mark.parametrize("workers", [2, 3])
def test_one_sentence_per_line(tmp_path, workers):
    path = tmp_path / "lines.txt"
    path.write_text(_lines(8000))
    _check(path, workers)


@pytest.mark.parametrize("workers", [2, 3])
def test_a_directory_of_many_files(tmp_path, workers):
    folder = tmp_path / "dir"
    folder.mkdir()
    for i in range(40):
        (folder / f"{i:02d}.txt").write_text(_prose(50, i) if i % 2 else _lines(60, i))
    _check(folder, workers)


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("line_sentences", [True, False])
def test_huge_lines_cut_in_pieces(tmp_path, small_pieces, workers, line_sentences):
    path = tmp_path / "one-line.txt"
    text = _prose(3000).replace("\n", " ") if not line_sentences else _lines(3000).replace("\n", " ")
    path.write_text(text + "\n" + _lines(5) + text[:20_000] + "\n")
    _check(path, workers, line_sentences=line_sentences)
    path.write_text(text)  # text8: one line, no newline at all
    _check(path, workers, line_sentences=line_sentences)


@pytest.mark.parametrize("workers", [2, 3])
def test_cjk_text(tmp_path, workers):
    rng = np.random.default_rng(3)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 400)]
    sentences = ["".join(rng.choice(han, int(rng.integers(2, 20)))) + "。" for _ in range(6000)]
    path = tmp_path / "cjk.txt"
    path.write_text("".join(s + ("\n" if i % 3 == 0 else "") for i, s in enumerate(sentences)),
                    encoding="utf-8")
    _check(path, workers)


@pytest.mark.parametrize("workers", [2, 3])
def test_crlf_line_ends_and_a_byte_order_mark(tmp_path, workers):
    text = _prose(4000).replace("\n", "\r\n")
    crlf, bom = tmp_path / "crlf.txt", tmp_path / "bom.txt"
    crlf.write_bytes(text.encode())
    bom.write_bytes(codecs.BOM_UTF8 + _lines(6000).encode())
    _check(crlf, workers)
    _check(bom, workers)


@pytest.mark.parametrize("workers", [2, 3])
def test_latin1(tmp_path, workers):
    path = tmp_path / "latin1.txt"
    path.write_bytes(_prose(4000).replace("w", "é").encode("latin-1"))
    many = _check(path, workers, encoding="latin-1")
    assert any("é" in w for w in many.vocab.words)


def test_a_cut_never_falls_inside_a_sentence_that_spans_lines(tmp_path):
    # the middle of the file is one sentence over many lines: the cut goes after its end
    start, middle = "Alpha beta gamma.\n" * 200, "delta epsilon\n" * 400 + "zeta eta.\n"
    path = tmp_path / "prose.txt"
    path.write_text(start + middle + "Theta iota kappa.\n" * 200)
    words = tokenizer(None)
    points = cut_points(path, 2, "utf-8", 0, lambda line: ends_sentence(line, words))
    assert points == [len(start) + len(middle)]
    _check(path, 2)


def test_parts_shrink_as_the_read_goes_on(tmp_path):
    """Processes take parts as they go: the last parts are small, so that one process does
    not wait long for another, and the first large, so that the parts stay few."""
    shares = [part_share(k, 32) for k in range(33)]
    assert shares[0] == 0 and shares[-1] == 1 and np.all(np.diff(shares) > 0)
    path = tmp_path / "lines.txt"
    path.write_text(_lines(20_000))
    size = path.stat().st_size
    sizes = np.diff([0, *cut_points(path, 32, "utf-8"), size])
    assert len(sizes) == 32
    average = size / 32
    assert sizes[0] > 1.5 * average and sizes[-1] < 0.4 * average
    assert sizes[:16].sum() > 0.6 * size
    # a directory's files in runs of shrinking size too
    for k in range(64):
        (tmp_path / "dir").mkdir(exist_ok=True)
        (tmp_path / "dir" / f"{k:02}.txt").write_text(_lines(50, seed=k))
    corpus = open_corpus(str(tmp_path / "dir"))
    runs = corpus.parts(8)
    assert len(runs) == 8
    counts = [sum(1 for _ in run(reading.ByteMeter())) for run in runs]
    assert counts[0] > 2 * counts[-1]
    _check(tmp_path / "dir", 2)


def _walked(monkeypatch) -> list[int]:
    """Bytes the cut planner decodes, call by call."""
    decoded: list[int] = []
    decode = byte_ranges._Walker._decode

    def counting(self, start, end, final):
        decoded.append(end - start)
        return decode(self, start, end, final)

    monkeypatch.setattr(byte_ranges._Walker, "_decode", counting)
    return decoded


def test_a_one_line_corpus_cut_in_many_parts_is_walked_once(tmp_path, small_pieces, monkeypatch):
    """The reader's pieces of a long line are walked once for all cuts, not from the line's
    start for each, and the cuts are those found walking from the start."""
    path = tmp_path / "text8.txt"
    path.write_text(_lines(6000).replace("\n", " "))
    size = path.stat().st_size
    one_by_one: list[int] = []
    with path.open("rb") as file:
        for k in range(1, 32):  # a fresh walker, from the line's start, for each cut
            target = max(int(size * part_share(k, 32)), one_by_one[-1] + 1 if one_by_one else 0)
            point = byte_ranges._Walker(file, size, "utf-8", 0, None).first_cut_from(target, size)
            if point is not None and (not one_by_one or point > one_by_one[-1]):
                one_by_one.append(point)
    decoded = _walked(monkeypatch)
    points = cut_points(path, 32, "utf-8")
    assert points == one_by_one
    assert sum(decoded) < 2 * size  # each piece decoded about once (32 walks: ~16 times)


def test_planning_many_cuts_in_prose_without_sentence_ends_is_bounded(tmp_path, monkeypatch):
    """Prose is tokenised while a cut is looked for; where it has no sentence ends, all
    cuts together look through at most :data:`SEARCH_BYTES`, not that much for each."""
    monkeypatch.setattr(byte_ranges, "SEARCH_BYTES", 20_000)
    path = tmp_path / "prose.txt"
    path.write_text("Alpha beta gamma.\n" * 50 + "delta epsilon zeta\n" * 20_000)
    words = tokenizer(None)
    looked: list[int] = []

    def clean(line: str) -> bool:
        looked.append(len(line) + 1)
        return ends_sentence(line, words)

    assert cut_points(path, 32, "utf-8", 0, clean) == []
    assert sum(looked) <= 20_000 + 100


def test_a_one_word_sentence_is_no_place_to_cut():
    words = tokenizer(None)
    assert ends_sentence("and so it ends.", words)
    assert not ends_sentence("Exeunt.", words)  # joins the next sentence
    assert not ends_sentence("it ends. And then", words)
    assert not ends_sentence("no mark at all", words)


def test_what_cannot_be_cut_is_read_in_one_process(tmp_path):
    text = _lines(4000)
    packed = tmp_path / "lines.txt.bz2"
    packed.write_bytes(bz2.compress(text.encode()))
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(text.encode("utf-16"))
    for path in (packed, utf16):
        assert _read(str(path), 2).reading_processes == 1
    sentences = [line.split() for line in text.splitlines()]
    assert _read(sentences, 2, isolate=False).reading_processes == 1


def test_phrases_on_a_parallel_read(tmp_path):
    path = tmp_path / "phrases.txt"
    lines = _lines(8000).splitlines()
    path.write_text("".join(line + (" new york" if i % 10 == 0 else "") + "\n"
                            for i, line in enumerate(lines)))
    one = _read(str(path), 1, phrases=Phrasing())
    many = _read(str(path), 2, phrases=Phrasing())
    assert "new_york" in many.vocab.words and many.reading_processes == 2
    _assert_same(one, many)


def test_a_bad_byte_late_in_the_file_gives_the_one_process_error(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(_lines(6000).encode() + b"caf\xe9\n" + _lines(3000).encode())
    messages = []
    for workers in (1, 2):
        with pytest.raises(CorpusError) as caught:
            _read(str(path), workers)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "at byte" in messages[0]


def test_a_stopped_control_stops_every_reading_process(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text(_lines(8000))
    control = TrainingControl()
    control.stop()
    with pytest.raises(ReadingStopped):
        _read(str(path), 2, control=control, isolate=False)


@pytest.mark.parametrize("spec", ["nltk:brown", "nltk:inaugural"])
def test_an_nltk_corpus_in_runs_of_its_files(nltk_data, spec):
    _check(spec, 2)  # brown: the reader's sentences; inaugural: raw text split here


def test_progress_is_summed_over_the_reading_processes(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text(_lines(30_000))
    events: list[ReadingProgress] = []
    encoded = encode_corpus(str(path), min_count=1, workers=2, on_progress=events.append)
    last = events[-1]
    assert last.done and last.processes == 2 == encoded.reading_processes
    assert last.bytes_read == last.bytes_total == path.stat().st_size
    assert last.words == encoded.n_words and last.vocabulary == len(encoded.vocab)
    assert all(a.words <= b.words for a, b in zip(events, events[1:]))


def test_a_directory_with_one_large_file_cuts_it_too(tmp_path):
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / "a-small.txt").write_text(_lines(50, 1))
    (folder / "b-large.txt").write_text(_prose(6000))
    (folder / "c-small.txt").write_text(_lines(50, 2))
    _check(folder, 3)


def _held_part(k: int, hold: np.ndarray, until: int, log: np.ndarray, error: int | None = None):
    """Part ``k`` of a test corpus: logs that it began (1), waits (on shared state) while
    ``hold[k]`` is set until part ``until`` is over (2), then gives one sentence, or raises if
    it is part ``error``."""
    def sentences(meter):
        log[k] = 1
        while hold[k] and log[until] < 2:
            time.sleep(0.001)
        log[k] = 2
        if k == error:
            raise CorpusError(f"bad part {k}")
        yield [f"w{k}"]
    return sentences


def _numbers_read(taken, file, on_block, stopped) -> list[int]:
    return [number for number, sentences in taken if list(sentences)]


def test_parts_go_to_whichever_process_asks_first():
    """One process held up in a part leaves all the other parts to the other process."""
    n = 6
    hold, log = shared_array((n,), np.int8), shared_array((n,), np.int8)
    hold[0] = 1  # part 0 waits until the last part is read
    parts = [_held_part(k, hold, n - 1, log) for k in range(n)]
    answers = parallel_reading.read_in_processes(parts, 2, _numbers_read, None, lambda *f: None)
    for _, file in answers:
        file.close()
    assert sorted(numbers for numbers, _ in answers) == [[0], [1, 2, 3, 4, 5]]


def test_the_earliest_failed_part_gives_the_error():
    """Part 2 fails only after part 4 has: part 2's error is raised, as a one-process read
    meets it first."""
    n = 6
    hold, log = shared_array((n,), np.int8), shared_array((n,), np.int8)
    hold[2] = 1
    parts = [_held_part(k, hold, 4 if k == 2 else n - 1, log, error=k if k in (2, 4) else None)
             for k in range(n)]
    with pytest.raises(CorpusError, match="bad part 2"):
        parallel_reading.read_in_processes(parts, 2, _numbers_read, None, lambda *f: None)
    assert log.tolist() == [2, 2, 2, 2, 2, 0]  # both processes stopped at their failed part


def test_an_answer_is_taken_in_while_other_processes_still_read():
    """A process's table is received (and merged) as soon as it ends: the process held in
    part 0 goes on only once the other one's answer is in."""
    taken_in, seen = shared_array((1,), np.int8), shared_array((1,), np.int8)

    def part(k: int):
        def sentences(meter):
            if k == 0:
                for _ in range(60_000):  # state waited on; 60 s at most, should it never come
                    if taken_in[0]:
                        seen[0] = 1
                        break
                    time.sleep(0.001)
            yield [f"w{k}"]
        return sentences

    def receive(answer, file):
        file.close()
        taken_in[0] = 1
        return answer

    answers = parallel_reading.read_in_processes([part(k) for k in range(4)], 2, _numbers_read,
                                                 None, lambda *f: None, receive)
    assert seen[0] == 1 and sorted(answers) == [[0], [1, 2, 3]]


@pytest.mark.parametrize("words", [[], ["a"], ["a", "éé", "中文", "x" * 500], ["a\0b", "c"], ["\0"]])
def test_a_table_travels_whole(words):
    """Tokens joined by NUL for the trip from a reading process, packed if one holds NUL."""
    from w2v_core.token_ids import _pack_table, _unpack_table

    assert _unpack_table(_pack_table(words)) == words


def test_counts_read_back_part_by_part_equal_a_naive_count():
    """A reading process counts each part's ids as it ends it (:meth:`count_read_back`),
    new tokens appearing in every part; its counts are those of a token-by-token count."""
    from collections import Counter

    from w2v_core.id_store import IdStore, temporary_file
    from w2v_core.token_ids import ProvisionalTable, counted

    rng = np.random.default_rng(3)
    runs = [[[f"w{i}" for i in rng.zipf(1.5, rng.integers(1, 9)) + 40 * k]
             for _ in range(3000)] for k in range(4)]
    table = ProvisionalTable(IdStore(0, temporary_file()))
    for k, run in enumerate(runs):
        table.read(iter(run))
        if k != 2:  # one run left to the next call: two runs counted at once
            table.count_read_back()
    part = counted(table)
    naive = Counter(token for run in runs for sentence in run for token in sentence)
    assert dict(zip(part.words, part.counts.tolist())) == naive
    assert len(part.counts) == part.given == len(naive)


def test_one_part_counted_here_is_its_own_merged_table():
    """A one-process read keeps its counting table as the merged one (no copy); the table,
    map and counts are those the merger builds from the part's words."""
    import dataclasses

    from w2v_core.id_store import IdStore
    from w2v_core.token_ids import TableMerger, count_part, merge_parts

    rng = np.random.default_rng(5)
    sentences = [[f"w{i}" for i in rng.zipf(1.4, rng.integers(1, 12))] for _ in range(4000)]
    part = count_part(iter(sentences), IdStore(), lambda *figures: None)
    own = part.table
    table, maps, counts = merge_parts([part])
    assert table is own and part.table is None  # handed over, not kept twice
    merger = TableMerger()
    travelled = dataclasses.replace(part, table=None)  # as if it came from a reading process
    merged_map = merger.add(travelled)
    assert list(table.items()) == list(merger.provisional.items())
    assert maps[0].tolist() == merged_map.tolist()
    assert counts.tolist() == merger.counts([travelled], [merged_map]).tolist()
    with pytest.raises(KeyError):  # a plain table: a missing token gets no new id
        table["absent"]
