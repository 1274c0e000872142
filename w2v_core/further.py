"""Training further on new text (``--init MODEL``): a trained model's vectors as the start
of a new run on another corpus.

What happens, as gensim's ``build_vocab(update=True)`` then ``train()`` would do it, with the
schedule made explicit:

- **Vocabulary:** the model's words keep their vectors (input and output); the new corpus's
  words that reach ``min_count`` in it join, initialised as in a new run. A word's count is
  its count in the model plus its count in the new text, and those merged counts drive
  subsampling and the noise distribution (an old word the new text lacks is still drawn as a
  noise word, and its input vector does not move).
- **Schedule:** a new one. The learning rate falls from ``alpha`` to ``min_alpha`` over the
  new run's epochs, as in any run; a lower ``alpha`` (0.01, say) moves the old vectors less.
- **Settings:** the new run's own; only the dimension must be the model's.
- **The result** lists its words by merged count again, most frequent first, as every model
  does (evaluations' ``--restrict-vocab`` and the "most frequent" rows rely on it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .callbacks import ReadingProgress, TrainingControl
from .config import TrainConfig
from .corpus import Corpus
from .errors import ConfigError
from .model import Model
from .phrases import Phrasing
from .token_ids import EncodedCorpus, encode_corpus
from .vectors import KeyedVectors


def check_dimension(model: Model, config: TrainConfig) -> TrainConfig:
    """``config`` with the model's dimension; a different ``dim`` given is refused.

    Raises
    ------
    ConfigError
        ``config.dim`` is not the default and differs from the model's.
    """
    if config.dim not in (model.wv.dim, TrainConfig().dim):
        raise ConfigError(
            f"--dim {config.dim} differs from the --init model's {model.wv.dim}: training further "
            "keeps the model's dimension"
        )
    return replace(config, dim=model.wv.dim)


def encode_further(
    corpus: Corpus,
    model: Model,
    config: TrainConfig,
    control: TrainingControl | None = None,
    base_words: int | None = None,
    on_progress: Callable[[ReadingProgress], None] | None = None,
) -> EncodedCorpus:
    """Encode the new text with ``model``'s words first and counts merged (see the module notes).

    Parameters
    ----------
    base_words : int, optional
        How many of ``model``'s first words are the base (a resumed further run: the model is
        its checkpoint, whose counts are merged already); default all, counts to merge.
    """
    n = len(model.wv) if base_words is None else base_words
    encoded = encode_corpus(
        corpus, config.min_count, config.max_vocab, control=control, base_words=model.wv.words[:n],
        on_progress=on_progress, phrases=Phrasing.of(config), workers=config.threads,
        max_distinct=config.max_distinct,
    )
    if base_words is None and model.wv.counts is not None:
        encoded.vocab.counts[:n] += model.wv.counts
    return encoded


def in_frequency_order(model: Model) -> Model:
    """``model`` with its rows sorted by count, most frequent first (ties keep their order)."""
    counts = model.wv.counts
    if counts is None or np.all(counts[:-1] >= counts[1:]):
        return model
    order = np.argsort(-counts, kind="stable")
    words = [model.wv.words[i] for i in order]
    output = None if model.output_vectors is None else model.output_vectors[order]
    return replace(model, wv=KeyedVectors(words, model.wv.vectors[order], counts[order]),
                   output_vectors=output)
