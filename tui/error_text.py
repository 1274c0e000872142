"""Errors as one line for the user: the status of a failed save, load or worker."""

from __future__ import annotations


def one_line(error: BaseException) -> str:
    """An expected error (the engine's, or the system's) as one line for the user."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return " ".join(str(error).split()) or type(error).__name__


def error_text(error: BaseException | None) -> str:
    """One line for the user about any error: an unexpected one is named by its type."""
    from w2v_core.errors import W2VError

    if error is None:
        return "unknown error"
    if isinstance(error, (W2VError, OSError)):
        return one_line(error)
    return f"{type(error).__name__}: {one_line(error)}"
