"""Training word2vec: the loop, the objectives, the output layer, and parallel execution.

- :mod:`.trainer`: :class:`Trainer` and :func:`train`, the loop (time, progress, control);
- :mod:`.objective`: the :class:`Objective` seam; :mod:`.skipgram` and :mod:`.cbow` implement it;
- :mod:`.negative_sampling`: the output layer both objectives share;
- :mod:`.pairs`, :mod:`.sampling`, :mod:`.bursts`: a chunk's pairs, the random draws, and the
  bound on a row's updates per minibatch;
- :mod:`.worker`, :mod:`.parallel`: a worker's buffers, and workers in threads or processes;
- :mod:`.scatter`: the sparse scatter-add kernel; :mod:`.progress`, :mod:`.divergence`:
  progress events, and stopping a run that diverges.
"""

from __future__ import annotations

from .objective import Batch, Examples, Objective
from .trainer import Trainer, objective_for, prepare_corpus, train
from .worker import Worker

__all__ = [
    "Batch", "Examples", "Objective", "Trainer", "Worker", "objective_for", "prepare_corpus", "train",
]
