"""How many updates of one row a minibatch may sum: the bound that keeps minibatch SGD stable.

word2vec applies its updates one pair at a time; a minibatch sums the updates of a repeated
row, all computed at the same point. Two bounds keep that sum from overshooting: the batch
size is lowered where a word is expected to fill a minibatch (small vocabularies,
:func:`effective_batch_size`), and the rows are counted in each minibatch actually drawn,
weighting down the examples of a burst (:func:`burst_weights`). Measurements behind the
constants: benchmarks/README.md, "training/bursts.py" and the sections it links.
"""

from __future__ import annotations

import numpy as np

#: Most summed updates one word's vector may expect in one minibatch. Minibatch SGD sums the
#: updates of a repeated word computed at the same point; past a limit of such terms per row
#: the step overshoots and training diverges (on a tiny corpus, a batch size that trained blew
#: up when doubled: benchmarks/README.md, "training/bursts.py"). 80 stays below that limit,
#: so small vocabularies get smaller batches.
MAX_ROW_UPDATES = 80


def effective_batch_size(
    batch_size: int,
    negative: int,
    counts: np.ndarray,
    keep_probabilities: np.ndarray,
    noise: np.ndarray,
    contexts_per_example: float = 1.0,
) -> int:
    """The minibatch size actually used: ``batch_size``, lowered for small vocabularies.

    The busiest output row expects ``B * (negative * noise[w] + kept_share[w])`` updates per
    minibatch of ``B`` examples, the busiest input row ``B * contexts_per_example *
    kept_share[w]`` (skip-gram: 1, one context per pair; CBOW: about ``window + 1``
    contexts per centre); ``B`` is capped so that both stay under
    :data:`MAX_ROW_UPDATES`. On ordinary corpora (thousands of words and more) the cap is
    above the default of 1024 for skip-gram and changes nothing.
    """
    kept = counts * keep_probabilities.astype(np.float64)
    kept_share = kept / kept.sum()
    share = np.maximum(negative * noise + kept_share, contexts_per_example * kept_share)
    cap = int(MAX_ROW_UPDATES / share.max())
    return max(1, min(batch_size, cap))


#: Largest step one row may take from one minibatch: the learning rate times its (weighted)
#: number of updates. At the default alpha 0.025 that is 40 updates of a row per minibatch.
MAX_ROW_STEP = 1.0

#: Minibatches whose rows :func:`burst_weights` counts at once. The counts are (minibatches x
#: distinct words) long: a whole skip-gram chunk's at once (~18 minibatches) peaked at 0.8 MB
#: in every worker process, six at a time at 0.4 MB (benchmarks/README.md, "training/bursts.py").
COUNTED_BATCHES = 6


def burst_cap(alpha: float, max_step: float = MAX_ROW_STEP) -> int:
    """Most updates of one row per minibatch at learning rate ``alpha``: ``max_step / alpha``."""
    return max(1, int(max_step / alpha))


def burst_weights(
    ids: np.ndarray,
    outputs: np.ndarray,
    inputs: np.ndarray,
    batch_size: int,
    cap: int,
    indptr: np.ndarray | None = None,
    scratch: np.ndarray | None = None,
) -> np.ndarray | None:
    """Weights that keep every row's updates in each minibatch of a chunk under ``cap``.

    A minibatch sums the updates of a repeated row, all computed at the same point; past
    about one full step's worth of them (:func:`burst_cap`) the step overshoots.
    :func:`effective_batch_size` bounds the *expected* count from the words' frequencies, but
    text has bursts:
    a table or a listing repeats one word 30 to 200 times in a line, and a boilerplate line
    repeats whole. Here the rows are counted in the minibatches actually drawn, and an
    example whose output row or one of whose input rows occurs ``c > cap`` times in its
    minibatch gets the weight ``cap / c`` (its share of ``cap`` updates). Sequential SGD,
    which word2vec runs, saturates on a burst after a few updates; the weighted sum stays
    within ``cap`` updates' worth instead of growing with the burst. Where no row is over
    the cap the result is None and training is exactly word2vec's.

    Parameters
    ----------
    ids : ndarray (n,)
        The chunk's token ids (after subsampling).
    outputs : ndarray (m,)
        Position in ``ids`` of each example's output (centre) word, in training order.
    inputs : ndarray
        Positions in ``ids`` of the input words: one per example (skip-gram's context word),
        or example after example as ``indptr`` says (CBOW's context words).
    batch_size : int
        Examples per minibatch; example ``i`` is in minibatch ``i // batch_size``.
    cap : int
        Most updates of one row per minibatch.
    indptr : ndarray (m + 1,), optional
        Example ``i``'s inputs are ``inputs[indptr[i]:indptr[i + 1]]`` (each at least one).
    scratch : ndarray (V,) of int32, optional
        Room for a label per vocabulary word (``V > ids.max()``), reused from chunk to chunk.

    Returns
    -------
    ndarray (m,) of float32, or None
        Each example's weight in ``(0, 1]``; None when every weight would be 1.
    """
    m = len(outputs)
    per_example = 1 if indptr is None else int(np.diff(indptr).max(initial=0))
    if m == 0 or min(batch_size, m) * per_example <= cap:
        return None  # no minibatch holds more than cap updates of any row
    if scratch is None:
        scratch = np.empty(int(ids.max()) + 1, dtype=np.int32)
    # each word labelled 0..d-1 (d distinct words): scratch maps a word to one of its
    # positions, which is then numbered among such positions (faster than np.unique's
    # inverse, which sorts); the counts below are then d per minibatch, not one per position:
    # less transient memory in every worker process (benchmarks/README.md, "training/bursts.py")
    n_rows = len(ids)
    positions = np.arange(n_rows, dtype=np.int32)
    scratch[ids] = positions
    rows = scratch[ids]
    number = np.cumsum(rows == positions, dtype=np.int32)
    distinct = int(number[-1])
    rows = number[rows] - 1
    weights = None
    span = COUNTED_BATCHES * batch_size
    for e0 in range(0, m, span):
        e1 = min(e0 + span, m)
        if indptr is None:
            busiest = _busiest(rows, outputs[e0:e1], inputs[e0:e1], None, batch_size, cap, distinct)
        else:
            i0, i1 = int(indptr[e0]), int(indptr[e1])
            busiest = _busiest(rows, outputs[e0:e1], inputs[i0:i1], indptr[e0 : e1 + 1] - i0,
                               batch_size, cap, distinct)
        if busiest is None:
            continue  # no row over the cap in these minibatches: their weights stay 1
        if weights is None:
            weights = np.ones(m, dtype=np.float32)
        share = weights[e0:e1]
        share[...] = busiest
        np.divide(np.float32(cap), share, out=share)
        np.minimum(share, np.float32(1.0), out=share)
    return weights


def _busiest(
    rows: np.ndarray,
    outputs: np.ndarray,
    inputs: np.ndarray,
    indptr: np.ndarray | None,
    batch_size: int,
    cap: int,
    distinct: int,
) -> np.ndarray | None:
    """For each example of some whole minibatches (:func:`burst_weights`' arguments, ``rows``
    each position's word labelled ``0..distinct - 1``), the largest count in its minibatch of
    its output row or one of its input rows; None when no count is over ``cap``."""
    m = len(outputs)
    n_batches = -(-m // batch_size)
    # (minibatch, row) as one number: the row's label plus its minibatch's offset
    key_type = np.int32 if n_batches * distinct < 2**31 else np.intp
    offsets = np.arange(0, n_batches * distinct, distinct, dtype=key_type)
    labels = rows.astype(key_type, copy=False)
    batch = np.repeat(offsets, batch_size)[:m]
    output_keys = labels[outputs]
    output_keys += batch
    input_keys = labels[inputs]
    if indptr is None:
        input_keys += batch
    else:  # each minibatch's inputs are one run, offset in place (CBOW: ~6 inputs an example)
        del batch
        bounds = indptr[np.append(np.arange(0, m, batch_size), m)]
        for k in range(1, n_batches):
            input_keys[bounds[k] : bounds[k + 1]] += offsets[k]
    output_counts, input_counts = np.bincount(output_keys), np.bincount(input_keys)
    if max(output_counts.max(), input_counts.max()) <= cap:
        return None  # the common case: no count to look up per example
    # counts of at most m examples: int32
    busiest = output_counts.astype(np.int32)[output_keys]
    input_counts = input_counts.astype(np.int32)
    if indptr is None:
        np.maximum(busiest, input_counts[input_keys], out=busiest)
    else:
        np.maximum(busiest, np.maximum.reduceat(input_counts[input_keys], indptr[:-1]), out=busiest)
    return busiest
