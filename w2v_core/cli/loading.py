"""Opening a saved model for a front end: ``w2v`` commands' MODEL and ``w2v-tui --model``.

One function, so that both front ends read a model with the same options and report the
same one-line errors.
"""

from __future__ import annotations

import os

from ..errors import W2VError
from ..formats import load
from ..model import Model


def load_model(
    path: str | os.PathLike, unicode_errors: str = "strict", limit: int | None = None
) -> Model:
    """Load the model at ``path``; a file too big for memory is a one-line error too.

    A file may declare arrays far larger than it holds (a corrupt header) or than this
    machine can hold; NumPy then raises MemoryError, which would otherwise end in a
    traceback or in advice about training options.

    Raises
    ------
    ModelFormatError, ConfigError, OSError
        From :func:`w2v_core.formats.load`.
    W2VError
        When the arrays the file declares cannot be allocated.
    """
    try:
        return load(path, unicode_errors=unicode_errors, limit=limit)
    except MemoryError:
        raise W2VError(f"{path}: not enough memory for the arrays it declares "
                       "(a corrupt file, or too large for this machine; try --limit)") from None
