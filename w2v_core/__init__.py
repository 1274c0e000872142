"""w2v_core: word2vec (skip-gram with negative sampling) in pure NumPy.

>>> from w2v_core import train, TrainConfig
>>> model = train("builtin:hamlet", TrainConfig(dim=50, epochs=5))   # doctest: +SKIP
>>> model.wv.most_similar("king", topn=5)                           # doctest: +SKIP
"""

from .config import TrainConfig
from .callbacks import Callback, StopTraining, TrainingControl, TrainingEvent, TrainingStart
from .corpus import Corpus, open_corpus, tokenize
from .encoding import EncodedCorpus
from .errors import (
    ConfigError,
    CorpusError,
    ModelFormatError,
    TrainingDivergedError,
    UnknownWordError,
    W2VError,
)
from .io import load, save
from .model import Model, TrainingSummary
from .sgns import Trainer, prepare_corpus, train
from .vectors import KeyedVectors, parse_query
from .vocab import Vocabulary

__version__ = "0.1.0"

__all__ = [
    "Callback", "StopTraining", "TrainingControl", "TrainingEvent", "TrainingStart",
    "Corpus", "open_corpus", "tokenize", "EncodedCorpus",
    "ConfigError", "CorpusError", "ModelFormatError", "TrainingDivergedError",
    "UnknownWordError", "W2VError", "Model", "TrainingSummary",
    "TrainConfig", "Trainer", "prepare_corpus", "train", "KeyedVectors", "parse_query",
    "Vocabulary", "load", "save",
]
