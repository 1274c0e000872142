"""The seam between the training loop and what is trained: one :class:`Objective` per model.

word2vec's two models differ only on the input side: which examples a chunk's
(centre, context) pairs make (given its sentences and reduced windows), how an example's
hidden vector is formed from input vectors, and how its gradient goes back to them. The
loop (:mod:`w2v_core.training.trainer`) and the output layer
(:mod:`w2v_core.training.negative_sampling`) are shared. Skip-gram
(:mod:`~w2v_core.training.skipgram`) and CBOW (:mod:`~w2v_core.training.cbow`) are the two
implementations; another input side (subword n-grams, say) is one more module, chosen in
:func:`~w2v_core.training.trainer.objective_for`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

import numpy as np

if TYPE_CHECKING:
    from .worker import Worker


@dataclass(frozen=True)
class Examples:
    """A chunk's training examples, in the order they are trained.

    Attributes
    ----------
    outputs : ndarray (m,)
        Position in the chunk of each example's centre (output) word.
    inputs : ndarray
        Positions of the input words: one per example, or example after example as
        ``indptr`` says.
    indptr : ndarray (m + 1,) of int32, or None
        Example ``i``'s inputs are ``inputs[indptr[i]:indptr[i + 1]]``; None: one each.
    """

    outputs: np.ndarray
    inputs: np.ndarray
    indptr: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.outputs)


@dataclass(frozen=True)
class Batch:
    """One minibatch, as word ids.

    Attributes
    ----------
    outputs : ndarray (m,) of int
        The centre word of each example.
    inputs : ndarray of int
        The input words, one per example or as ``indptr`` says.
    indptr : ndarray (m + 1,) of int32, or None
        As in :class:`Examples`, starting at 0.
    weights : ndarray (m,) of float32, or None
        Each example's share of its gradient (:func:`~w2v_core.training.bursts.burst_weights`).
    collisions : ndarray of intp, or None
        Shared noise words: where one is its example's centre word, found for the whole
        chunk (:meth:`~w2v_core.training.negative_sampling.NegativeSampling.centre_collisions`);
        None: found in the step.
    """

    outputs: np.ndarray
    inputs: np.ndarray
    indptr: np.ndarray | None = None
    weights: np.ndarray | None = None
    collisions: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.outputs)


class Objective(Protocol):
    """What a word2vec model does with a chunk's pairs and with a minibatch of its examples."""

    #: what progress and errors call it
    name: ClassVar[str]
    #: input vectors start uniform in ``init_scale * (-0.5, 0.5) / dim``
    init_scale: ClassVar[float]

    def inputs_per_example(self, window: int) -> float:
        """About how many input rows one example updates (bounds the batch size)."""
        ...

    def examples(
        self, sentence_ids: np.ndarray, reduced_windows: np.ndarray, window: int
    ) -> Examples:
        """The examples of a chunk's (centre, context) pairs, given the chunk's sentence
        numbers and each centre's reduced window (the pairs ``make_pairs`` makes of them;
        CBOW builds its examples without them)."""
        ...

    def step(self, worker: Worker, batch: Batch, noise: np.ndarray, alpha: float) -> float:
        """One SGD step on ``batch`` with ``worker``'s weights and buffers; the summed loss."""
        ...

