"""Word lists the UI needs: stopwords for choosing default probe words.

NLTK's stopword corpus may not be installed, so a small list ships here; it includes the
function words of Early Modern English so that Shakespeare's probes are content words.
"""

from __future__ import annotations

from w2v_core.vectors import KeyedVectors

STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been before
    being below between both but by can cannot could couldn did didn do does doesn doing don
    down during each few for from further had hadn has hasn have haven having he her here hers
    herself him himself his how i if in into is isn it its itself just let ll me more most
    mustn my myself no nor not now of off on once only or other ought our ours ourselves out
    over own re s same shan she should shouldn so some such t than that the their theirs them
    themselves then there these they this those through to too under until up upon us ve very
    was wasn we were weren what when where which while who whom why will with won would
    wouldn you your yours yourself yourselves also may might must shall one two yet still
    thou thee thy thine ye hath doth dost art hast wilt shalt wouldst canst didst o oh ay aye
    tis twas nay yea hither thither whither thence hence whence ere oft methinks prithee
    sir enter exit exeunt scene act
    well like go come say said make made get got see know th d st er em
    """.split()
)


def default_probes(kv: KeyedVectors, n: int = 4, min_length: int = 3) -> list[str]:
    """The ``n`` most frequent vocabulary words that are not stopwords (content words)."""
    probes: list[str] = []
    for word in kv.words:
        if len(word) >= min_length and word.lower() not in STOPWORDS and word.isalpha():
            probes.append(word)
            if len(probes) == n:
                break
    return probes
