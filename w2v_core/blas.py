"""One BLAS thread for small products: queries and minibatch steps.

Measured here: a top-10 query on 50k x 100 took 1.3 ms with one OpenBLAS thread and 7.9 ms
with two; two training threads ran at 0.44x of serial while OpenBLAS also started its own.
"""

from __future__ import annotations

from threadpoolctl import ThreadpoolController

_CONTROLLER = ThreadpoolController()  # inspects the loaded libraries once, not per call


def single_threaded_blas():
    """Context manager (also usable as a handle with ``restore_original_limits()``)."""
    return _CONTROLLER.limit(limits=1, user_api="blas")
