"""What a corpus in each language becomes: its 20 most frequent words after w2v's reading.

The corpora are the translated messages installed on this machine (the ``.mo`` catalogues of
``/usr/share/locale/LANG/LC_MESSAGES``: real sentences in each language, written by
translators), one message a line. Each is read as ``w2v train`` reads a file
(:func:`w2v_core.training.prepare_corpus`, ``--line-sentences``; ``--lang tr`` for Turkish
and Azeri), and the vocabulary's first words are printed: a quick look at whether each
script becomes words (Han one character a word without jieba, Thai runs whole, Devanagari
with its vowel signs...).

Usage::

    python benchmarks/language_words.py --langs ru,zh_CN,ko,ar,hi,tr

Results: benchmarks/README.md ("Words in every script").
"""

from __future__ import annotations

import argparse
import struct
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from w2v_core.training import prepare_corpus  # noqa: E402

LOCALE = Path("/usr/share/locale")
DEFAULT_LANGS = "ru,uk,el,he,ar,fa,hi,bn,ta,th,ka,zh_CN,ja,ko,tr,pl,vi,de"


def messages(catalogue: Path) -> list[str]:
    """The translated strings of a GNU ``.mo`` file (the format gettext documents)."""
    data = catalogue.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    count, _, translations = struct.unpack(order + "3I", data[8:20])
    out = []
    for i in range(1, count):  # entry 0 is the catalogue's header
        length, offset = struct.unpack(order + "2I", data[translations + 8 * i: translations + 8 * i + 8])
        text = data[offset: offset + length].decode("utf-8", "replace")
        out += [part for part in text.split("\0") if part.strip()]  # plural forms
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--langs", default=DEFAULT_LANGS)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    print("| language | messages | tokens | first words |\n|---|---:|---:|---|")
    for lang in args.langs.split(","):
        lines = [m.replace("\n", " ") for mo in sorted((LOCALE / lang / "LC_MESSAGES").glob("*.mo"))
                 for m in messages(mo)]
        if not lines:
            print(f"| {lang} | 0 | | (no catalogues here) |")
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as corpus:
            corpus.write("\n".join(lines) + "\n")
            corpus.flush()
            from w2v_core.corpus import open_corpus

            opened = open_corpus(corpus.name, line_sentences=True,
                                 lang="tr" if lang.split("_")[0] in ("tr", "az") else None)
            encoded = prepare_corpus(opened, min_count=1, isolate=False)
        words = " ".join(encoded.vocab.words[: args.top])
        print(f"| {lang} | {len(lines):,} | {encoded.n_words:,} | {words} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
