"""``--phrases`` against gensim's ``Phrases``: speed and the phrases found, on the same sentences.

For each corpus, the sentences are tokenised once by w2v_core (so both tools see the same
tokens) and held in memory; then, ``--repeat`` times each:

* gensim: ``Phrases(sentences)`` (counting), ``export_phrases()``, and the frozen model
  applied to every sentence; with ``--passes 2``, a second ``Phrases`` over the joined
  sentences, as gensim's documentation does for trigrams;
* w2v_core, end to end: token lists to provisional ids
  (:func:`w2v_core.token_ids.provisional_ids`), then :func:`w2v_core.phrases.join_phrases`:
  the joined id stream training reads;
* w2v_core, phrases alone: :func:`join_phrases` on the ids (what ``--phrases`` adds to the
  reading of a corpus, which makes the ids anyway).

The best time of each is reported, with the ratios, the phrases each found, their overlap
(shared / union) and the share of sentences both tools join identically.

Usage::

    python benchmarks/phrases_gensim.py --corpora brown,benchmarks/results/corpus.txt
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checkpoint_cost import cpu_model  # noqa: E402
from corpus_stats import first_words  # noqa: E402

from w2v_core.corpus import open_corpus  # noqa: E402
from w2v_core.phrases import Phrasing, connector_words, join_phrases, phrase_sentences  # noqa: E402
from w2v_core.token_ids import IdStore, provisional_ids  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def load_sentences(spec: str, max_words: int | None) -> list[list[str]]:
    if spec == "brown":
        os.environ.setdefault("NLTK_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "nltk_data"))
        spec = "nltk:brown"
    return [s for s in first_words(open_corpus(spec).sentences(), max_words) if s]


def gensim_phrases(sentences: list[list[str]], phrasing: Phrasing) -> tuple[dict, list[list[str]]]:
    from gensim.models.phrases import Phrases

    found: dict[str, float] = {}
    for _ in range(phrasing.passes):
        model = Phrases(sentences, min_count=phrasing.min_count, threshold=phrasing.threshold,
                        connector_words=phrasing.connectors)
        found.update(model.export_phrases())
        frozen = model.freeze()
        sentences = [frozen[s] for s in sentences]
    return found, sentences


def ours_end_to_end(sentences: list[list[str]], phrasing: Phrasing) -> IdStore:
    raw, types = provisional_ids(sentences)
    return join_phrases(raw, types, phrasing, IdStore)[0]


def best(repeat: int, run) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def measure(spec: str, max_words: int | None, phrasing: Phrasing, repeat: int) -> dict:
    sentences = load_sentences(spec, max_words)
    words = sum(map(len, sentences))
    t_gensim, (g_found, g_joined) = best(repeat, lambda: gensim_phrases(sentences, phrasing))
    t_ours, _ = best(repeat, lambda: ours_end_to_end(sentences, phrasing))
    raw, base = provisional_ids(sentences)
    ids = raw.read(0, raw.size).copy()

    def phrases_alone():  # join_phrases closes the store it is given: a fresh one each time
        store = IdStore()
        store.append(ids)
        return join_phrases(store.finish(), dict(base), phrasing, IdStore)

    t_alone, _ = best(repeat, phrases_alone)
    joined, found = phrase_sentences(sentences, phrasing)  # the same, as token lists
    ours = dict(found)
    same = sum(a == b for a, b in zip(joined, g_joined))
    shared = ours.keys() & g_found.keys()
    return {
        "corpus": spec, "words": words, "sentences": len(sentences), "passes": phrasing.passes,
        "gensim_s": t_gensim, "ours_s": t_ours, "ours_phrases_only_s": t_alone,
        "speedup": t_gensim / t_ours, "speedup_phrases_only": t_gensim / t_alone,
        "phrases_ours": len(ours), "phrases_gensim": len(g_found), "phrases_shared": len(shared),
        "overlap": len(shared) / max(1, len(ours.keys() | g_found.keys())),
        "sentences_identical": same / max(1, len(sentences)),
        "top": [name for name, _ in found[:20]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default=f"brown,{RESULTS / 'corpus.txt'}",
                        help="'brown' (NLTK) or text files, comma-separated")
    parser.add_argument("--max-words", type=int, default=None, help="first N words of each")
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=10.0)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--connectors", default="none",
                        help="connector words: none, english (gensim's ENGLISH_CONNECTOR_WORDS) or a,b,c")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", default=str(RESULTS / "phrases_gensim.json"))
    args = parser.parse_args()
    phrasing = Phrasing(args.passes, args.threshold, args.min_count,
                        connectors=connector_words(args.connectors))
    rows = [measure(spec, args.max_words, phrasing, args.repeat) for spec in args.corpora.split(",")]
    print(f"CPU: {cpu_model()}, {os.cpu_count()} CPUs; passes {args.passes}, threshold "
          f"{args.threshold:g}, min_count {args.min_count}; best of {args.repeat}\n")
    print("| corpus | words | gensim | w2v end to end | ratio | phrases alone | ratio "
          "| phrases (ours / gensim) | overlap | sentences identical |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['corpus']} | {r['words']:,} | {r['gensim_s']:.2f} s | {r['ours_s']:.3f} s "
              f"| {r['speedup']:.1f}x | {r['ours_phrases_only_s']:.3f} s "
              f"| {r['speedup_phrases_only']:.1f}x | {r['phrases_ours']:,} / {r['phrases_gensim']:,} "
              f"| {r['overlap']:.2%} | {r['sentences_identical']:.2%} |")
    for r in rows:
        print(f"\n{r['corpus']}, highest scores: {', '.join(r['top'])}")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps({"cpu": cpu_model(), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
