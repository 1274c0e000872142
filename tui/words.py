"""Word lists the UI needs: stopwords for choosing default probe words.

scikit-learn's ``ENGLISH_STOP_WORDS``, shipped as ``tui/data/english_stop_words.txt`` (BSD-3,
provenance in its header) rather than imported, because importing ``sklearn.feature_extraction``
costs over a second of start-up; plus what that list lacks for the bundled corpora: the function words of Early Modern English, the fragments the tokenizer
leaves of contractions, and stage directions, so that Shakespeare's probes are content words.
"""

from __future__ import annotations

from importlib.resources import files

from w2v_core.vectors import KeyedVectors


def _shipped_list(name: str) -> frozenset[str]:
    """The words of ``tui/data/<name>``: one a line, ``#`` lines are comments (its licence)."""
    text = files("tui").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


#: scikit-learn's English stop words (the Glasgow IR group's list), read from the shipped copy.
ENGLISH_STOP_WORDS: frozenset[str] = _shipped_list("english_stop_words.txt")

#: Early Modern English function words (thee, thou, hath, doth, art, ...).
EARLY_MODERN_ENGLISH: frozenset[str] = frozenset(
    """
    thou thee thy thine ye hath doth dost art hast wilt shalt wouldst canst didst shan
    o oh ay aye tis twas nay yea hither thither whither thence hence whence ere oft
    methinks prithee sir
    """.split()
)

#: What the tokenizer leaves of contractions ("didn't" -> didn, t), common verbs that make
#: poor probes, and stage directions.
EXTRA: frozenset[str] = frozenset(
    """
    aren couldn didn doesn don hadn hasn haven isn mustn shouldn wasn weren won wouldn
    d ll re s st t th ve er em
    did does doing having just let ought theirs shall
    like come say said make got know
    enter exit exeunt scene act
    """.split()
)

STOPWORDS: frozenset[str] = ENGLISH_STOP_WORDS | EARLY_MODERN_ENGLISH | EXTRA


def default_probes(kv: KeyedVectors, n: int = 4, min_length: int = 3) -> list[str]:
    """The ``n`` most frequent vocabulary words that are not stopwords (content words)."""
    probes: list[str] = []
    for word in kv.words:
        if len(word) >= min_length and word.lower() not in STOPWORDS and word.isalpha():
            probes.append(word)
            if len(probes) == n:
                break
    return probes
