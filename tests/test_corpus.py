"""Corpus specs, tokenising, sentence splitting and encoding to ids."""

from __future__ import annotations

import bz2
import gzip
from collections import Counter

import numpy as np
import pytest

from w2v_core import CorpusError, TrainConfig, open_corpus, tokenize, train
from w2v_core.corpus import MAX_SENTENCE_LENGTH, builtin_path, split_sentences
from w2v_core.token_ids import encode_corpus
from w2v_core.vocab import Vocabulary


def test_tokenize_is_lowercase_letter_runs():
    assert tokenize("King's men, 1603: O'er the hills!") == ["king", "s", "men", "o", "er", "the", "hills"]
    assert tokenize("Café naïve") == ["café", "naïve"]
    assert tokenize("42 -- __") == []


def test_tokenize_keeps_combining_marks_with_their_letters():
    """Indic vowel signs and viramas are combining marks, not letters: a word must not
    fall apart at each of them (nor a letter without a precomposed accented form)."""
    assert tokenize("हिन्दी भाषा, 2024") == ["हिन्दी", "भाषा"]
    assert tokenize("தமிழ் மொழி") == ["தமிழ்", "மொழி"]
    assert tokenize("N\u0308n\u0308e and ไทย") == ["n\u0308n\u0308e", "and", "ไทย"]


def test_sentences_split_at_punctuation_and_blank_lines():
    text = ["The cat sat. The dog", "ran home!", "", "A new", "paragraph"]
    assert list(split_sentences(text)) == [
        ["the", "cat", "sat"], ["the", "dog", "ran", "home"], ["a", "new", "paragraph"],
    ]


def test_files_without_punctuation_are_one_sentence_per_line(tmp_path):
    path = tmp_path / "tokenised.txt"
    path.write_text("the cat sat on the mat\nthe dog ran\n\nhome again\n")
    assert list(open_corpus(str(path)).sentences()) == [
        ["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "ran"], ["home", "again"],
    ]
    prose = tmp_path / "prose.txt"
    prose.write_text("The cat sat on\nthe mat. The dog\nran home.\n")
    assert list(open_corpus(str(prose)).sentences()) == [
        ["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "ran", "home"],
    ]


def test_plain_text_nltk_corpora_work_without_punkt(nltk_data):
    first = next(open_corpus("nltk:inaugural/1789-Washington.txt").sentences())
    assert first[:3] == ["fellow", "citizens", "of"]


def test_long_sentences_are_cut():
    text = ["word " * (MAX_SENTENCE_LENGTH + 5)]
    lengths = [len(s) for s in split_sentences(text)]
    assert lengths == [MAX_SENTENCE_LENGTH, 5]


@pytest.mark.parametrize("opener, suffix", [(open, ".txt"), (gzip.open, ".txt.gz"), (bz2.open, ".bz2")])
def test_text_files_plain_and_compressed(tmp_path, opener, suffix):
    path = tmp_path / f"corpus{suffix}"
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write("One fish. Two fish!\nRed fish\n")
    corpus = open_corpus(str(path))
    assert list(corpus.sentences()) == [["one", "fish"], ["two", "fish"], ["red", "fish"]]
    assert list(corpus) == list(corpus.sentences())  # re-iterable


def test_directory_reads_text_files_in_sorted_order(tmp_path):
    (tmp_path / "b.txt").write_text("second file")
    (tmp_path / "a.txt").write_text("first file")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("third file")
    (tmp_path / ".hidden.txt").write_text("never")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    sentences = list(open_corpus(str(tmp_path)).sentences())
    assert sentences == [["first", "file"], ["second", "file"], ["third", "file"]]


def test_builtin_corpora_are_shipped():
    hamlet = open_corpus("builtin:hamlet")
    words = sum(len(s) for s in hamlet.sentences())
    assert 25_000 < words < 35_000
    assert builtin_path("questions-words.txt").stat().st_size > 500_000
    first = next(open_corpus("builtin:shakespeare").sentences())
    assert first[:3] == ["all", "s", "well"]


@pytest.mark.parametrize(
    "spec, message",
    [("/no/such/file.txt", "not found"), ("builtin:nope", "unknown built-in"), ("", "no corpus"),
     ("nltk:not a name", "not an NLTK corpus name")],
)
def test_bad_specs_fail_clearly(spec, message):
    with pytest.raises(CorpusError, match=message):
        open_corpus(spec)


def test_empty_file_and_empty_directory(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n 123 !!\n")
    with pytest.raises(CorpusError, match="empty"):
        train(str(empty))
    with pytest.raises(CorpusError, match="empty"):
        open_corpus(str(empty)).check_not_empty()
    assert open_corpus("builtin:hamlet").check_not_empty().name == "builtin:hamlet"
    (tmp_path / "emptydir").mkdir()
    with pytest.raises(CorpusError, match="no text files"):
        open_corpus(str(tmp_path / "emptydir"))


def test_corrupt_gzip_fails_before_training(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(b"this is not gzip data")
    with pytest.raises(CorpusError, match="cannot read"):
        open_corpus(str(path))


def test_missing_nltk_corpus_says_where_to_look(tmp_path, monkeypatch):
    import nltk.data

    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    with pytest.raises(CorpusError) as info:
        open_corpus("nltk:gutenberg")  # never loaded by these tests: NLTK caches loaded readers
    message = str(info.value)
    assert "not installed" in message and "NLTK_DATA" in message and "\n" not in message


def test_nltk_brown_trains(nltk_data):
    corpus = open_corpus("nltk:brown/ca01")
    sentences = list(corpus.sentences())
    assert len(sentences) > 50 and sentences[0][:3] == ["the", "fulton", "county"]
    model = train("nltk:brown/ca01", TrainConfig(dim=10, epochs=1, min_count=2))
    assert "county" in model.wv


def test_nltk_unknown_file_id(nltk_data):
    with pytest.raises(CorpusError, match="no file"):
        open_corpus("nltk:brown/zz99")


# ------------------------------------------------------------------ encoding
def _naive_encoding(sentences, min_count):
    counts = Counter(w for s in sentences for w in s)
    vocab = Vocabulary.from_counts(list(counts), list(counts.values()), min_count)
    ids, ends = [], []
    for s in sentences:
        kept = [vocab.index[w] for w in s if w in vocab.index]
        if kept:
            ids.extend(kept)
            ends.append(len(ids))
    return vocab, np.array(ids), np.array(ends)


@pytest.mark.parametrize("spill", [10**9, 7])
def test_encoding_matches_a_naive_encoding(spill, monkeypatch):
    import w2v_core.token_ids as encoding

    monkeypatch.setattr(encoding, "_BLOCK_TOKENS", 5)  # many chunks and blocks
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    sentences = [[words[j] for j in rng.zipf(1.5, size=rng.integers(1, 9)) % 30] for _ in range(200)]
    sentences.insert(3, ["w29rare"])  # a sentence that vanishes after pruning
    vocab, ids, ends = _naive_encoding(sentences, 3)
    encoded = encode_corpus(sentences, min_count=3, spill_tokens=spill)
    assert encoded.vocab.words == vocab.words
    np.testing.assert_array_equal(encoded.vocab.counts, vocab.counts)
    np.testing.assert_array_equal(np.asarray(encoded.ids), ids)
    np.testing.assert_array_equal(encoded.sentence_ends, ends)
    if spill == 7:
        assert encoded.store.on_disk
        np.testing.assert_array_equal(encoded.read_chunk(0, 12)[0], ids[: len(encoded.read_chunk(0, 12)[0])])


def _vanishing_at_random() -> list[list[str]]:
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(50)]
    sentences = []
    for i in range(30_000):
        if i == 0 or rng.random() < 0.2:
            sentences.append([f"rare{i}x{j}" for j in range(int(rng.integers(1, 4)))])
        else:
            sentences.append([words[j] for j in rng.integers(0, 50, size=int(rng.integers(1, 12)))])
    return sentences + [["lastrare"]]


def _vanishing_at_block_starts() -> list[list[str]]:
    """4,096 sentences of 15 words and their marks fill the first 65,536-id block exactly; the
    next block and the stream begin with a sentence that vanishes, alone."""
    common = [f"w{i % 7}" for i in range(15)]
    return [["rarefirst"]] + [common] * 4095 + [common[:14]] + [["rareedge"]] + [common] * 5000


@pytest.mark.parametrize("sentences", [_vanishing_at_random, _vanishing_at_block_starts])
def test_sentences_that_vanish_lose_their_marks_across_remap_blocks(sentences):
    """Sentences of rare tokens only, first, last, in runs and where a block of the remap
    begins: gone with their marks, as in the naive encoding."""
    sentences = sentences()
    vocab, ids, ends = _naive_encoding(sentences, 2)
    encoded = encode_corpus(sentences, min_count=2)
    assert encoded.store.size > 65_536
    assert encoded.vocab.words == vocab.words
    np.testing.assert_array_equal(np.asarray(encoded.ids), ids)
    np.testing.assert_array_equal(encoded.sentence_ends, ends)
    assert (encoded.n_words, encoded.n_sentences) == (len(ids), len(ends))


def test_chunks_cover_the_stream_and_number_sentences():
    sentences = [["a", "b", "c"], ["a", "b"], ["zz"], ["c"] * 20, ["a", "b", "c", "a"]]
    encoded = encode_corpus(sentences, min_count=2)
    assert encoded.n_words == 29 and encoded.n_sentences == 4  # ["zz"] vanished with its mark
    chunks = list(encoded.chunks(4))
    assert chunks[0][0] == 0 and chunks[-1][1] == encoded.store.size
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:]))
    ids, sentence_ids = encoded.read_chunk(0, encoded.store.size)
    assert len(ids) == encoded.n_words
    assert sentence_ids.tolist() == [0] * 3 + [1] * 2 + [2] * 20 + [3] * 4
    pieces = [encoded.read_chunk(a, b)[0] for a, b in chunks]
    np.testing.assert_array_equal(np.concatenate(pieces), ids)


def test_packed_vocabulary_unpacks_every_word_exactly_and_only_when_used():
    words = ["the", "", "a\nb", "x\x00y", "\udcff", "naïve", "हिन्दी", "🙂"]
    packed = Vocabulary(words, range(8, 0, -1)).packed()
    assert isinstance(packed[0], str) and packed[1].tolist() == [3, 0, 3, 3, 1, 5, 6, 1]
    vocab = Vocabulary.from_packed(packed, range(8, 0, -1))
    assert len(vocab) == 8 and vocab.total == 36
    assert "words" not in vocab.__dict__  # nothing unpacked yet
    assert vocab.packed()[0] is packed[0]  # handed on as it came
    assert vocab.words == words and vocab.index["a\nb"] == 2 and "🙂" in vocab
    assert vocab.packed()[0] == packed[0]  # packs again once unpacked
    with pytest.raises(ValueError):
        Vocabulary.from_packed(packed, [1, 2])
    with pytest.raises(ValueError):
        Vocabulary.from_packed((packed[0] + "z", packed[1]), range(8))



def test_unpacking_caches_the_words_before_dropping_the_packed_form():
    """Another thread asking for the words meanwhile must find one form or the other
    (Python 3.12+ runs cached properties without a lock)."""
    seen_at_drop: list[bool] = []

    class Watched(dict):
        def pop(self, key, *default):
            if key == "_packed":
                seen_at_drop.append("words" in self)
            return super().pop(key, *default)

    vocab = Vocabulary.from_packed(Vocabulary(["b", "a"], [2, 1]).packed(), [2, 1])
    vocab.__dict__ = Watched(vocab.__dict__)
    assert vocab.words == ["b", "a"]
    assert seen_at_drop == [True] and "_packed" not in vocab.__dict__

def test_vocabulary_pruning_and_order():
    vocab = Vocabulary.from_counts(["b", "a", "c", "d"], [5, 5, 9, 1], min_count=2, max_vocab=2)
    assert vocab.words == ["c", "a"] and vocab.counts.tolist() == [9, 5]
    assert "a" in vocab and "d" not in vocab and vocab.total == 14


def test_vocabulary_order_is_count_then_code_point_as_a_tuple_sort_gives():
    """Many ties, words of several scripts and lengths: the order of a plain sort keyed by
    (-count, word), whatever order the words were read in; extending keeps the base first."""
    rng = np.random.default_rng(11)
    pieces = ["a", "b", "z", "é", "я", "文", "ß", "A", "ab", "aé", "ba", "文字", "z文"]
    words = sorted({"".join(rng.choice(pieces, size=rng.integers(1, 4))) for _ in range(600)})
    rng.shuffle(words)
    counts = rng.integers(0, 6, size=len(words))
    expected = sorted((i for i in range(len(words)) if counts[i] >= 2),
                      key=lambda i: (-counts[i], words[i]))
    vocab = Vocabulary.from_counts(words, counts, min_count=2)
    assert vocab.words == [words[i] for i in expected]
    assert vocab.counts.tolist() == [counts[i] for i in expected]
    base = [words[expected[-1]], "never-seen"]
    extended = Vocabulary.extending(base, words, counts, min_count=2)
    assert extended.words == base + [words[i] for i in expected[:-1]]


def test_a_one_word_sentence_joins_the_next_so_speaker_tags_are_trained():
    """A play's speaker tags and stage directions end at their period; alone they would give
    no (centre, context) pair and stay untrained (Hamlet: 'ham', 'hor', 'exeunt')."""
    text = [
        "BERTRAM.",
        "Your brother, he shall go along with me.",
        "",
        "[Exeunt.]",
        "",
        "   Hor. And then it started, like a guilty thing.",
        "Yes. No! Why?",
    ]
    assert list(split_sentences(text)) == [
        ["bertram", "your", "brother", "he", "shall", "go", "along", "with", "me"],
        ["exeunt", "hor"],  # two words: a sentence of its own
        ["and", "then", "it", "started", "like", "a", "guilty", "thing"],
        ["yes", "no"],
        ["why"],  # the text's last sentence is kept, even of one word
    ]
