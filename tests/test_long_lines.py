"""Issue 23: memory stays flat in the corpus's shape; a corpus of one huge line (text8) is read
in bounded pieces, not as one string and one list of every token. Measured in subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from planted import letter_word

from w2v_core.corpus import open_corpus
from w2v_core.reading import LONG_LINE_CHARS, TextOptions, read_lines

PEAK = r"""
import json, resource, sys
from w2v_core.token_ids import encode_corpus
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
encoded = encode_corpus(sys.argv[1], min_count=1, isolate=False)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_kb": after - before, "words": encoded.n_words, "vocab": len(encoded.vocab)}))
"""


def _words(n: int) -> list[str]:
    rng = np.random.default_rng(0)
    ids = rng.zipf(1.3, size=n) % 20_000
    return [letter_word(i) for i in ids.tolist()]


def _peak(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def test_a_one_line_corpus_takes_no_more_memory_than_the_same_words_in_lines(tmp_path):
    words = _words(3_000_000)  # ~17 MB of text
    one_line, lines = tmp_path / "one-line.txt", tmp_path / "lines.txt"
    one_line.write_text(" ".join(words) + "\n")
    lines.write_text("\n".join(" ".join(words[i:i + 20]) for i in range(0, len(words), 20)) + "\n")
    single, many = _peak(one_line), _peak(lines)
    assert single["words"] == many["words"] == len(words) and single["vocab"] == many["vocab"]
    # before: the one line became one string and 3M token strings at once (~200 MB more)
    assert single["growth_kb"] <= 1.5 * many["growth_kb"] + 20_000, (single, many)


def test_a_long_line_is_handed_on_in_pieces_cut_between_words(tmp_path):
    words = _words(LONG_LINE_CHARS // 2)  # several times the piece size
    path = tmp_path / "one-line.txt"
    path.write_text(" ".join(words) + "\nlast line\n")
    pieces = list(read_lines(path, "one-line.txt", TextOptions()))
    assert len(pieces) > 2 and max(map(len, pieces)) <= LONG_LINE_CHARS
    assert " ".join(pieces[:-1]).split() == words and pieces[-1] == "last line"
    sentences = list(open_corpus(str(path), line_sentences=True))
    assert [w for s in sentences[:-1] for w in s] == words  # no word cut in two


READ_IN_PROCESSES = r"""
import json, resource, sys
from w2v_core import parallel_reading
from w2v_core.token_ids import encode_corpus
if len(sys.argv) > 2:
    parallel_reading.MIN_PART_BYTES = int(sys.argv[2])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
encoded = encode_corpus(sys.argv[1], min_count=1, workers=2)
# the reading child and its reading processes, each waited for: their largest peak
peak = max(resource.getrusage(who).ru_maxrss
           for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"base_kb": base, "peak_kb": peak, "words": encoded.n_words,
                  "vocab": len(encoded.vocab), "processes": encoded.reading_processes}))
"""


def test_a_one_line_corpus_read_in_processes_peaks_at_a_small_multiple_of_its_ids(tmp_path):
    words = _words(3_000_000)
    path = tmp_path / "one-line.txt"
    path.write_text(" ".join(words) + "\n")
    done = subprocess.run([sys.executable, "-c", READ_IN_PROCESSES, str(path)],
                          capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout)
    assert figures["words"] == len(words) and figures["processes"] == 2
    # what the run must hold at some point: the ids (int32, with sentence marks) and the words
    needed_kb = (4 * figures["words"] + 64 * figures["vocab"]) / 1024
    # measured: ~48 MB over the interpreter for 12 MB of ids, the same at 6M words (the ids
    # go to a file); the one line as one string and its tokens at once took ~200 MB more
    assert figures["peak_kb"] - figures["base_kb"] <= 8 * needed_kb, figures


def _read_in_processes(path: Path, min_part_bytes: int) -> dict:
    done = subprocess.run([sys.executable, "-c", READ_IN_PROCESSES, str(path), str(min_part_bytes)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_a_directory_of_many_small_files_peaks_as_the_same_words_in_one_file(tmp_path):
    words = _words(200_000)
    one_file, folder = tmp_path / "one.txt", tmp_path / "many"
    one_file.write_text("\n".join(" ".join(words[i:i + 10]) for i in range(0, len(words), 10)) + "\n")
    for k in range(len(words) // 10):  # 20,000 files of one line, 100 to a folder
        if k % 100 == 0:
            (folder / f"{k // 100:03d}").mkdir(parents=True)
        (folder / f"{k // 100:03d}" / f"{k:05d}.txt").write_text(" ".join(words[10 * k:10 * k + 10]) + "\n")
    single, many = _read_in_processes(one_file, 1), _read_in_processes(folder, 1)
    assert single["processes"] == many["processes"] == 2
    assert single["words"] == many["words"] == len(words) and single["vocab"] == many["vocab"]
    growth = {name: f["peak_kb"] - f["base_kb"] for name, f in (("one", single), ("many", many))}
    # measured: 1.6-1.9 MB over the interpreter for one file, 1.7 MB for the 20,000 files;
    # before, 13 MB (a Path and a part per file), 72 MB at 100,000 (benchmarks/README.md)
    assert growth["many"] <= 1.5 * growth["one"] + 2_000, (growth, single, many)


def test_the_pieces_of_a_huge_line_are_tokenised_one_at_a_time():
    """Lines of a million characters (a one-line corpus's pieces) go one a batch: batches of
    256 lines held 256 such pieces and their copies at once (a 100 MB one-line corpus peaked
    at 294-413 MB, now 70-87 MB: benchmarks/README.md, "One-line corpora in small batches")."""
    from w2v_core.corpus import MAX_SENTENCE_LENGTH, line_sentences

    pulled: list[int] = []

    def pieces():
        for k in range(4):
            pulled.append(k)
            yield "ab cd " * 200_000  # 400,000 tokens

    sentences = line_sentences(pieces())
    per_piece = 400_000 // MAX_SENTENCE_LENGTH
    for _ in range(per_piece):
        assert len(next(sentences)) == MAX_SENTENCE_LENGTH
    assert pulled == [0]
    next(sentences)
    assert pulled == [0, 1]


def test_after_short_lines_a_huge_lines_pieces_still_go_one_at_a_time(tmp_path, monkeypatch):
    """A title line, then a huge line: the batch after the title would have taken every piece
    of the huge line at once (a 100 MB line peaked at 415 MB, now 94 MB); the reader marks
    where the pieces begin, and a batch ends there."""
    import w2v_core.corpus as corpus_module

    path = tmp_path / "titled.txt"
    path.write_text("a title line\n" + "ab cd " * 700_000 + "\n")  # 4.2M characters: 5 pieces
    pulled: list[int] = []
    real = corpus_module.read_lines

    def counted_lines(*args, **kwargs):
        for line in real(*args, **kwargs):
            if line is not None:
                pulled.append(len(line))
            yield line

    monkeypatch.setattr(corpus_module, "read_lines", counted_lines)
    sentences = open_corpus(str(path), line_sentences=True).sentences()
    assert next(sentences) == ["a", "title", "line"]
    assert len(next(sentences)) == 10_000  # the huge line's first sentence
    assert sum(size > 100_000 for size in pulled) <= 2  # its first piece (and the head's)
    assert sum(len(s) for s in sentences) == 1_400_000 - 10_000
