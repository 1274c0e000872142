"""Issue 21: corpora in any script become words, and the user chooses the sentence rule.

Scripts written without spaces, CJK sentence ends, Turkish dotted and dotless i, NFKC,
emoji, the clause-long-word warning and ``--line-sentences``.
"""

from __future__ import annotations

import random

import pytest

import w2v_core.training
import w2v_core.corpus as corpus_module
import numpy as np

from w2v_core import ConfigError, KeyedVectors, open_corpus, tokenize
from w2v_core.cli import main

THAI_WORDS = "สวัสดี ครับ ผม ชื่อ สมชาย วันนี้ อากาศ ดี มาก ฉัน ไป ตลาด กิน ข้าว บ้าน เรา อยู่ ที่".split()


def thai_text(lines: int = 40) -> str:
    """Thai as it is written: words joined into phrases, spaces only between phrases."""
    rng = random.Random(0)
    phrase = lambda: "".join(rng.choice(THAI_WORDS) for _ in range(rng.randint(4, 8)))  # noqa: E731
    return "\n".join(" ".join(phrase() for _ in range(3)) for _ in range(lines))


@pytest.fixture
def han_characters(monkeypatch):
    """Han as one token per character, whether or not jieba is installed."""
    monkeypatch.setattr(corpus_module, "_han_segmenter", lambda: list)


def sentences(path, **options) -> list[list[str]]:
    return list(open_corpus(str(path), **options).sentences())


# ------------------------------------------------------------------ scripts without spaces
def test_chinese_is_one_token_per_character_without_jieba(han_characters):
    assert tokenize("国王和王后住在城堡里") == ["国", "王", "和", "王", "后", "住", "在", "城", "堡", "里"]


def test_chinese_uses_jieba_words_when_installed():
    pytest.importorskip("jieba")
    corpus_module._han_segmenter.cache_clear()
    assert tokenize("国王和王后住在城堡里") == ["国王", "和", "王后", "住", "在", "城堡", "里"]


def test_japanese_han_and_hiragana_by_character_katakana_by_run(han_characters):
    assert tokenize("東京でコンピューターを買った") == [
        "東", "京", "で", "コンピューター", "を", "買", "っ", "た",
    ]


def test_cjk_next_to_latin_and_digits(han_characters):
    assert tokenize("我用Python3写代码") == ["我", "用", "python", "写", "代", "码"]


def test_cjk_sentence_ends_end_sentences(tmp_path, han_characters):
    path = tmp_path / "zh.txt"
    path.write_text("我爱猫。你呢！他是谁？好．行｡\n", encoding="utf-8")
    # each mark ends a sentence; a one-word one joins the next (it would give no pair)
    assert sentences(path) == [["我", "爱", "猫"], ["你", "呢"], ["他", "是", "谁"], ["好", "行"]]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("राम घर गया। सीता आई॥ गीता", [["राम", "घर", "गया"], ["सीता", "आई"], ["गीता"]]),
        ("كيف حالك؟ أنا بخير", [["كيف", "حالك"], ["أنا", "بخير"]]),
        ("یہ کتاب ہے۔ وہ قلم ہے", [["یہ", "کتاب", "ہے"], ["وہ", "قلم", "ہے"]]),
    ],
    ids=["devanagari-danda", "arabic-question-mark", "urdu-full-stop"],
)
def test_devanagari_arabic_and_urdu_sentence_ends_end_sentences(tmp_path, text, expected):
    path = tmp_path / "text.txt"
    path.write_text(text + "\n", encoding="utf-8")
    # without --no-line-sentences too: these marks make the file read as prose
    assert sentences(path) == expected == sentences(path, line_sentences=False)


def test_thai_stays_runs_between_spaces():
    assert tokenize("สวัสดีครับ ผมชื่อสมชาย") == ["สวัสดีครับ", "ผมชื่อสมชาย"]


# ------------------------------------------------------------------ warning: clause-long words
def test_thai_corpus_warns_once_naming_the_remedy(tmp_path):
    path = tmp_path / "th.txt"
    path.write_text(thai_text(), encoding="utf-8")
    corpus = open_corpus(str(path)).check_not_empty()
    assert len(corpus.warnings) == 1
    assert "segmented first" in corpus.warnings[0] and str(path) in corpus.warnings[0]
    list(corpus.sentences())  # reading it again does not add a second warning
    assert len(corpus.warnings) == 1


def test_a_directory_is_judged_on_its_first_file_with_enough_words(tmp_path):
    (tmp_path / "a-short.txt").write_text("too few words\n", encoding="utf-8")
    (tmp_path / "b-thai.txt").write_text(thai_text(), encoding="utf-8")
    corpus = open_corpus(str(tmp_path))
    list(corpus.sentences())
    assert len(corpus.warnings) == 1 and "b-thai.txt" in corpus.warnings[0]


def test_a_directory_is_judged_once_not_file_by_file(tmp_path):
    # once a file gave a verdict, later files are not tokenized again for it
    (tmp_path / "a-english.txt").write_text("the cat sat on the mat\n" * 30, encoding="utf-8")
    (tmp_path / "b-thai.txt").write_text(thai_text(), encoding="utf-8")
    corpus = open_corpus(str(tmp_path))
    list(corpus.sentences())
    assert corpus.warnings == []


def test_ordinary_text_does_not_warn(tmp_path, han_characters):
    path = tmp_path / "ok.txt"
    path.write_text("the cat sat on the mat\n" * 30 + "国王和王后住在城堡里。\n" * 30)
    assert open_corpus(str(path)).check_not_empty().warnings == []


def test_w2v_train_prints_the_warning(tmp_path, capsys):
    path = tmp_path / "th.txt"
    path.write_text(thai_text(), encoding="utf-8")
    argv = ["train", str(path), "-o", str(tmp_path / "m.npz"), "--dim", "4", "--epochs", "1",
            "--min-count", "1", "--threads", "1", "--sample", "0"]
    code, err = main(argv), capsys.readouterr().err
    assert code == 0, err
    assert sum("look like whole phrases" in line for line in err.splitlines()) == 1


# ------------------------------------------------------------------ Turkish i
def test_dotted_capital_i_lowercases_without_a_stray_combining_dot():
    assert tokenize("İstanbul İZMİR") == ["istanbul", "izmir"]
    assert "\u0307" not in "".join(tokenize("İstanbul"))


def test_turkish_lowercases_capital_i_to_dotless_i(tmp_path):
    assert tokenize("Iğdır ISPARTA İstanbul", lang="tr") == ["ığdır", "ısparta", "istanbul"]
    assert tokenize("IRAK", lang="az") == ["ırak"]
    path = tmp_path / "tr.txt"
    path.write_text("Iğdır ve İstanbul\n", encoding="utf-8")
    assert sentences(path, lang="tr") == [["ığdır", "ve", "istanbul"]]


def test_unknown_lang_is_one_clear_error(tmp_path, capsys):
    path = tmp_path / "c.txt"
    path.write_text("a b c\n")
    with pytest.raises(ConfigError, match="--lang"):
        open_corpus(str(path), lang="en")
    assert main(["train", str(path), "-o", str(tmp_path / "m.npz"), "--lang", "xx"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--lang" in err and "tr" in err
    assert "Traceback" not in err


def test_lookups_find_words_as_a_corpus_normalised_them():
    kv = KeyedVectors(["istanbul", "file", "full"], np.eye(3, dtype=np.float32))
    assert kv.get_index("İstanbul") == 0 and kv.get_index("ﬁle") == 1
    assert "ｆｕｌｌ" in kv


# ------------------------------------------------------------------ NFKC, emoji
def test_compatibility_forms_read_as_the_letters_they_stand_for():
    assert tokenize("ﬁle ｆｕｌｌ ﬂow") == ["file", "full", "flow"]
    assert tokenize("ﾃﾚﾋﾞ") == tokenize("テレビ") == ["テレビ"]  # half-width kana


def test_emoji_separate_words_and_are_dropped():
    assert tokenize("I ❤️ cats😺dogs 👨‍👩‍👧 🇫🇷") == ["i", "cats", "dogs"]


# ------------------------------------------------------------------ --line-sentences
@pytest.fixture
def dotted_lines(tmp_path):
    """One sentence per line, but one line holds a full stop (an abbreviation)."""
    path = tmp_path / "lines.txt"
    path.write_text("the cat sat\nmr. smith ran home\nthe dog barked\n")
    return path


def test_one_full_stop_switches_the_automatic_rule_to_prose(dotted_lines):
    assert sentences(dotted_lines) == [["the", "cat", "sat", "mr"], ["smith", "ran", "home",
                                       "the", "dog", "barked"]]


def test_line_sentences_forces_one_sentence_per_line(dotted_lines):
    assert sentences(dotted_lines, line_sentences=True) == [
        ["the", "cat", "sat"], ["mr", "smith", "ran", "home"], ["the", "dog", "barked"],
    ]


def test_no_line_sentences_forces_prose(tmp_path):
    path = tmp_path / "wrapped.txt"
    path.write_text("the cat sat on\nthe mat\n\nthe dog ran\n")
    assert sentences(path) == [["the", "cat", "sat", "on"], ["the", "mat"], ["the", "dog", "ran"]]
    assert sentences(path, line_sentences=False) == [
        ["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "ran"],
    ]


def test_line_sentences_bad_value_is_a_config_error(dotted_lines):
    with pytest.raises(ConfigError, match="--line-sentences"):
        open_corpus(str(dotted_lines), line_sentences="yes")


@pytest.mark.parametrize("flag, expected", [
    ("--line-sentences", 3), ("--no-line-sentences", 2), (None, 2),
])
def test_w2v_train_line_sentences_flags(dotted_lines, tmp_path, capsys, monkeypatch, flag, expected):
    seen: list[list[str]] = []
    real_train = w2v_core.training.train

    def spy(corpus, config, *args, **kwargs):
        seen.extend(corpus.sentences())
        return real_train(open_corpus(str(dotted_lines)), config, *args, **kwargs)

    monkeypatch.setattr(w2v_core.training, "train", spy)
    argv = ["train", str(dotted_lines), "-o", str(tmp_path / "m.npz"), "--dim", "4",
            "--epochs", "1", "--min-count", "1", "--threads", "1", "--sample", "0"] + ([flag] if flag else [])
    assert main(argv) == 0, capsys.readouterr().err
    assert len(seen) == expected


def test_the_shipped_combining_marks_are_this_unicode_versions():
    import unicodedata

    from w2v_core.corpus import builtin_path, combining_marks, list_combining_marks
    from w2v_core.errors import CorpusError

    name = f"combining-marks-{unicodedata.unidata_version}.txt"
    try:
        builtin_path(name)
    except CorpusError:
        pytest.skip(f"no {name} shipped (scripts/combining_marks.py writes it)")
    assert combining_marks() == list_combining_marks()


# ------------------------------------------------------------------ fast paths, general rule
def _general_words(line: str, lang: str | None) -> list[str]:
    """The tokenising rule with no fast path: NFKC, the language's lowercasing, then letters
    with their marks, the CJK runs cut out and split one by one."""
    import unicodedata

    text = unicodedata.normalize("NFKC", line)
    text = text.replace("\u0130", "i").lower() if lang is None else text.translate(
        corpus_module._DOTLESS_I).lower()
    return corpus_module._words_by_run(text)


def _mixed_lines(rng: random.Random) -> list[str]:
    """Runs of plain lines (ASCII letters and spaces: whole batches take the quick split)
    between lines of every kind of text."""
    plain = [" ".join(rng.choice(["The", "cat", "SAT", "on", "a", "Mat", "", "I", "iI"])
                      for _ in range(rng.randint(0, 12))) for _ in range(700)]
    pool = list("abzXYZ IıİéÉüÜ ,.;!?-_0123\t") + [
        "\u0301", "\u0308", "\u0307", "e\u0301", "\u0939\u093f\u0928\u094d\u0926\u0940",
        "東", "京", "で", "コンピューター", "を", "\u3099", "\u302a", "\u30fb", "\u3005", "\u3007",
        "\uf900", "\U00020001", "ｆｕｌｌ", "ﬁ", "²", "\uac00", "😀", "İstanbul", "IŞIK",
    ]
    mixed = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 25))) for _ in range(700)]
    # mostly ASCII words with a piece of any kind glued in or between them (curly quotes,
    # accents, CJK, marks, ligatures): the piece-by-piece path
    pieces = pool + ["“", "”", "’s", "café", "naïve", "\u00a0", "\u3000", "—"]
    mostly_ascii = []
    for line in plain[:300]:
        words = line.split() or ["word"]
        k = rng.randrange(len(words))
        glue = rng.choice(["", " "])
        words[k] = glue.join([words[k], rng.choice(pieces)] if rng.random() < 0.5
                             else [rng.choice(pieces), words[k]])
        mostly_ascii.append(" ".join(words + ["tail", "words", "here", "and", "more"]))
    return (plain[:300] + [line for pair in zip(plain[300:], mixed) for line in pair] + mixed[400:]
            + mostly_ascii)


@pytest.mark.parametrize("lang", [None, "tr"])
def test_the_quick_paths_give_the_general_rules_tokens(tmp_path, han_characters, lang):
    lines = _mixed_lines(random.Random(7))
    expected = [_general_words(line, lang) for line in lines]
    assert [tokenize(line, lang) for line in lines] == expected
    assert list(corpus_module.line_sentences(lines, lang)) == [w for w in expected if w]
    path = tmp_path / "mixed.txt"
    path.write_bytes("".join(line + "\r\n" for line in lines).encode("utf-8"))  # CRLF
    assert sentences(path, lang=lang, line_sentences=True) == [w for w in expected if w]


def _tokenised_lines(rng: random.Random) -> list[str]:
    """Lines of words already tokenised in other scripts (whole batches of them take the
    quick split), then lines with a word the split must not take as it is: Han or kana, a
    compatibility form (ligature, ``ǅ``, ``ª``, ``µ``), ``İ``, a mark, a digit, a no-break
    space."""
    words = ["москва", "Москва", "ΟΔΟΣ", "οδός", "مرحبا", "שלום", "한국어", "café", "naïve",
             "straße", "ქართული", "ⲁⲛⲟⲕ", "ÉTÉ"]
    odd = ["東京", "コンピューター", "ひらがな", "İstanbul", "ﬁle", "ǅemal", "ªb", "µm",
           "हिन्दी", "x²", "e\u0301", "a\u00a0b"]
    return [" ".join(rng.choice(words if i < 600 else words + odd)
                     for _ in range(rng.randint(1, 15))) for i in range(1200)]


def test_lines_tokenised_in_other_scripts_split_as_the_general_rule(han_characters):
    lines = _tokenised_lines(random.Random(11))
    expected = [_general_words(line, None) for line in lines]
    assert [tokenize(line) for line in lines] == expected
    assert list(corpus_module.line_sentences(lines)) == expected
    assert corpus_module._PlainLines()(lines[:256]) is not None  # the quick split was taken


def test_every_letter_split_quickly_gives_the_general_rules_words(han_characters):
    """Each letter beyond ASCII, alone, doubled and beside an ASCII one, in a line checked
    as a batch of its own: where the quick split of tokenised text takes it, it gives the
    general rule's words (lowercasing, NFKC, Han and kana split apart)."""
    import sys

    letters = [c for c in map(chr, range(0x80, sys.maxunicode + 1)) if c.isalpha()]
    quick = 0
    for c in letters:
        line = f"a{c} {c}b {c}{c} {c}"
        split = corpus_module._PlainLines()([line])
        if split is not None:
            quick += 1
            assert split[0].split() == _general_words(line, None), hex(ord(c))
    assert quick > 30_000  # the letters of every script but Han and kana, Hangul too


def _script_lines(rng: random.Random) -> tuple[list[str], list[str]]:
    """Lines mostly in other scripts: words between spaces that repeat (Cyrillic, Hangul,
    Devanagari with its marks, Han cut into words, katakana, with punctuation and Latin
    glued on), and Han and kana clauses that never repeat."""
    words = ["Привет,", "мир", "«слово»", "한국어", "문장을", "हिन्दी", "भाषा।", "中国", "人民",
             "银行。", "コンピューター", "東京で", "Ærø", "naïve", "x²", "ｆｕｌｌ", "İSTANBUL", "e\u0301",
             "\u0301a", "ℌ", "한", "—", "😀"]
    repeating = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 14))) for _ in range(400)]
    han = "国王和后住在城堡里东京でのコンピュータ一二三四五六七八九"
    clauses = ["".join(rng.choice(han) for _ in range(rng.randint(8, 30))) + " " + "".join(
        rng.choice(han) for _ in range(rng.randint(8, 30))) for _ in range(400)]
    return repeating, clauses


def test_pieces_looked_up_give_the_general_rules_tokens(monkeypatch, han_characters):
    """Text mostly in another script is split in one pass or looked up piece by piece,
    whichever has cost less so far: both ways, and across the table's fresh starts, the
    words are the general rule's. Which way a text goes depends on timings, so the test
    makes each way cost less in turn rather than waiting for a timing."""
    monkeypatch.setattr(corpus_module, "_PIECE_CHARS", 300)  # starts afresh often
    monkeypatch.setattr(corpus_module, "_PIECE_SAMPLE", 2)
    monkeypatch.setattr(corpus_module, "_PIECE_PROBE", 3)
    monkeypatch.setattr(corpus_module, "_PIECE_WARM_UP", 0)
    ways = []
    split = corpus_module._unicode_words
    monkeypatch.setattr(corpus_module, "_unicode_words", lambda text: ways.append(text) or split(text))
    repeating, clauses = _script_lines(random.Random(11))
    words = corpus_module.tokenizer(None)
    table = words.__self__
    for lines, lookups_cost_less in [(repeating, True), (clauses, False), (repeating, True)]:
        whole = 0  # lines split in one pass
        for line in lines:
            # what a timing may say: lookups cheaper, or one pass
            table.cost[:] = [1.0, 0.0] if lookups_cost_less else [0.0, 1.0]
            table.lookup = lookups_cost_less
            ways.clear()
            assert words(line) == _general_words(line, None), line
            whole += any(" " in text for text in ways)
        assert 0 < whole < len(lines) and (whole < len(lines) / 2) == lookups_cost_less
    turkish = corpus_module.tokenizer("tr")
    assert [turkish(line) for line in repeating] == [_general_words(line, "tr") for line in repeating]


def test_the_cheaper_way_is_taken_and_the_other_still_tried(monkeypatch):
    """Texts go the way whose running cost is lower; one timed text in _PIECE_PROBE goes the
    other way, so a change in the text is seen."""
    monkeypatch.setattr(corpus_module, "_PIECE_SAMPLE", 1)
    monkeypatch.setattr(corpus_module, "_PIECE_PROBE", 4)
    monkeypatch.setattr(corpus_module, "_PIECE_WARM_UP", 0)
    table = corpus_module._Tokenizer()
    looked_up = []
    monkeypatch.setattr(corpus_module._Tokenizer, "__missing__",
                        lambda self, piece: looked_up.append(piece) or ("x",))
    text = "слово " * 10
    ways = []
    for _ in range(12):
        looked_up.clear()
        table.clear()
        table.cost[:] = [1.0, 0.0]  # lookups cheaper: kept so by resetting each time
        table.other_script_words(text)
        ways.append(bool(looked_up))
        assert table.lookup  # chosen from the costs after each timing
    assert ways == [True, True, True, False] * 3
    table.cost[:] = [0.0, 1.0]  # now one pass costs less: the next timing switches
    table.other_script_words(text)
    assert not table.lookup


def test_the_table_of_pieces_stays_small_whatever_the_text(monkeypatch, han_characters):
    """Pieces longer than _PIECE_LONGEST are split each time, never held, and the pieces
    held never pass _PIECE_CHARS characters: a line of one huge run of Han, or millions of
    distinct pieces, cannot fill memory."""
    monkeypatch.setattr(corpus_module, "_PIECE_CHARS", 2_000)
    table = corpus_module._Tokenizer()  # looks up its first texts
    rng = random.Random(5)
    han = "国王和后住在城堡里东京"
    huge = "".join(rng.choice(han) for _ in range(5_000))
    assert table.other_script_words(huge + " " + huge) == list(huge + huge)
    assert table[huge] == list(huge) and table["国王 和"[:2]] == ("国", "王")
    assert list(table) == ["国王"]  # the huge piece was split, not held
    for i in range(3_000):
        text = " ".join(f"слово{chr(0x430 + i % 32)}{i}" for _ in range(3))
        assert table.other_script_words(text)
        assert table.chars == sum(map(len, table)) <= 2_000
        assert max(map(len, table)) <= corpus_module._PIECE_LONGEST
