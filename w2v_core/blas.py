"""One BLAS thread for small products: queries and minibatch steps.

On such small products OpenBLAS's own threads cost more than they bring: a top-10 query was
several times slower with two OpenBLAS threads than with one, and two training threads ran
slower than one while OpenBLAS also started its own (measurements: benchmarks/README.md,
"w2v_core/blas.py").
"""

from __future__ import annotations

from threadpoolctl import ThreadpoolController

_CONTROLLER = ThreadpoolController()  # inspects the loaded libraries once, not per call


def single_threaded_blas():
    """Context manager (also usable as a handle with ``restore_original_limits()``)."""
    return _CONTROLLER.limit(limits=1, user_api="blas")
