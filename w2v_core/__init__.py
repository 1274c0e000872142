"""w2v_core: word2vec (skip-gram with negative sampling) in pure NumPy.

>>> from w2v_core import train, TrainConfig
>>> model = train("builtin:hamlet", TrainConfig(dim=50, epochs=5))   # doctest: +SKIP
>>> model.wv.most_similar("king", topn=5)                           # doctest: +SKIP

The names below are imported on first use, so ``import w2v_core.cli`` stays light (the
``w2v`` command handles Ctrl-C before NumPy and SciPy are loaded).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the submodule that defines it
_EXPORTS = {
    "Callback": "callbacks", "ReadingStopped": "callbacks", "StopTraining": "callbacks",
    "TrainingControl": "callbacks", "TrainingEvent": "callbacks", "TrainingStart": "callbacks",
    "TrainConfig": "config",
    "Corpus": "corpus", "open_corpus": "corpus", "tokenize": "corpus",
    "separation": "diagnostics",
    "EncodedCorpus": "token_ids",
    "Checkpointer": "checkpoints", "NotResumableError": "checkpoints", "resume": "checkpoints",
    "CorpusChangedError": "corpus_identity",
    "Comparison": "compare",
    "Ensemble": "model", "train_ensemble": "ensemble",
    "StableNeighbour": "stability", "neighbour_stability": "stability",
    "TrainingState": "run_state",
    "ConfigError": "errors", "CorpusError": "errors", "ModelFormatError": "errors",
    "TrainingDivergedError": "errors", "TrainingWorkerError": "errors",
    "UnknownWordError": "errors", "W2VError": "errors",
    "evaluate_analogies": "evaluate", "evaluate_word_pairs": "evaluate",
    "detect_format": "formats", "export_projector": "formats", "load": "formats",
    "load_word2vec_format": "formats", "save": "formats", "save_with_fallback": "formats",
    "save_word2vec_format": "formats",
    "Model": "model", "TrainingSummary": "model",
    "project_2d": "projection", "project_neighbourhood": "projection",
    "Phrasing": "phrases", "phrase_sentences": "phrases",
    "parse_query": "query",
    "Trainer": "training", "prepare_corpus": "training", "train": "training",
    "KeyedVectors": "vectors",
    "Vocabulary": "vocab",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'w2v_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from .callbacks import (
        Callback,
        ReadingStopped,
        StopTraining,
        TrainingControl,
        TrainingEvent,
        TrainingStart,
    )
    from .checkpoints import Checkpointer, NotResumableError, resume
    from .config import TrainConfig
    from .corpus import Corpus, open_corpus, tokenize
    from .corpus_identity import CorpusChangedError
    from .compare import Comparison
    from .ensemble import train_ensemble
    from .stability import StableNeighbour, neighbour_stability
    from .diagnostics import separation
    from .token_ids import EncodedCorpus
    from .errors import (
        ConfigError,
        CorpusError,
        ModelFormatError,
        TrainingDivergedError,
        TrainingWorkerError,
        UnknownWordError,
        W2VError,
    )
    from .evaluate import evaluate_analogies, evaluate_word_pairs
    from .formats import (
        detect_format,
        export_projector,
        load,
        load_word2vec_format,
        save,
        save_with_fallback,
        save_word2vec_format,
    )
    from .model import Ensemble, Model, TrainingSummary
    from .phrases import Phrasing, phrase_sentences
    from .projection import project_2d, project_neighbourhood
    from .query import parse_query
    from .run_state import TrainingState
    from .training import Trainer, prepare_corpus, train
    from .vectors import KeyedVectors
    from .vocab import Vocabulary
