"""Reference computations the engine is checked against, written for clarity, not speed."""

from __future__ import annotations

import numpy as np


def sgns_loss_and_grads(
    h: np.ndarray, U: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss and gradients of one SGNS minibatch, written for checking against finite differences.

    Parameters
    ----------
    h : ndarray (B, d)
        Input vectors of the context words.
    U : ndarray (B, K+1, d)
        Output vectors: column 0 the centre (positive) word, columns 1.. the noise words.
    valid : ndarray (B, K+1) of bool
        False for noise words that equal the positive word (skipped, as word2vec does).

    Returns
    -------
    loss : ndarray (B,)
        ``-log s(u0.h) - sum_k log s(-uk.h)`` per pair.
    grad_h : ndarray (B, d)
        d loss / d h.
    grad_U : ndarray (B, K+1, d)
        d loss / d U.
    """
    scores = np.einsum("bkd,bd->bk", U, h)
    labels = np.zeros_like(scores)
    labels[:, 0] = 1.0
    sig = 1.0 / (1.0 + np.exp(-scores))
    dscores = (sig - labels) * valid
    signs = np.where(labels > 0, 1.0, -1.0)
    loss = (np.logaddexp(0.0, -signs * scores) * valid).sum(axis=1)
    grad_h = np.einsum("bk,bkd->bd", dscores, U)
    grad_U = dscores[:, :, None] * h[:, None, :]
    return loss, grad_h, grad_U
