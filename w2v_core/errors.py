"""Exceptions raised by w2v_core.

Every error a user can cause derives from :class:`W2VError`, so the command line and the
TUI can turn it into one clear line instead of a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


class W2VError(Exception):
    """Base class of every error a user can cause (bad input, bad parameters, bad files)."""


class CorpusError(W2VError):
    """A corpus cannot be opened, read, or is empty."""


class ConfigError(W2VError, ValueError):
    """A training parameter is outside its allowed range. The message names the parameter."""


class ModelFormatError(W2VError):
    """A model file is missing, truncated, corrupt, or in a format we do not read."""


class UnwritablePathError(ModelFormatError):
    """A model cannot be written where asked: read-only file or filesystem, missing directory,
    permission denied, disk full. Raised by :func:`w2v_core.atomic.probe_writable` before a
    long run, and by every save; :func:`w2v_core.formats.save_with_fallback` then tries other
    places."""


class OutputInUseError(W2VError):
    """Another run is training into the same output: two runs would replace each other's model."""


class SaveInterrupted(KeyboardInterrupt):
    """Ctrl-C (or another interruption) arrived while a model was being saved.

    The temporary file was removed and the destination left as it was; ``str()`` says so in
    one line. It is a :class:`KeyboardInterrupt`, so code that stops on Ctrl-C still stops.
    """


class TrainingDivergedError(W2VError):
    """The training loss became NaN or infinite; training stopped before writing garbage.

    ``kept``: what is still sound despite it (the finished runs of an ensemble whose later
    run diverged), for the caller to save; None when nothing is.
    """

    kept: Any = None


class TrainingWorkerError(W2VError):
    """A training worker process failed (killed by a signal, out of memory, ...)."""


class UnknownWordError(W2VError, KeyError):
    """A word is not in the vocabulary. The message names it and suggests close spellings."""

    #: what the message says of the word
    what = "word not in vocabulary"

    def __init__(self, word: str, vocabulary: Iterable[str] = ()) -> None:
        self.word = word
        self.suggestions = difflib.get_close_matches(word, list(vocabulary), n=3, cutoff=0.75)
        super().__init__(word)

    def __str__(self) -> str:
        message = f"{self.what}: {self.word!r}"
        if self.suggestions:
            message += " (did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?)"
        return message


def os_error_reason(exc: OSError) -> str:
    """The system's own words for ``exc`` ("Permission denied"), for one-line messages that
    name the path themselves."""
    return exc.strerror or str(exc)


# --------------------------------------------------------------------------- front ends
#: Exit codes of both front ends (``w2v`` and ``w2v-tui``): success, a failure (missing or
#: corrupt input, unknown word, diverged training), bad usage (unknown option, impossible
#: parameter value), interrupted (Ctrl-C, SIGTERM, SIGHUP).
EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: ``w2v train`` saved the model, but not to ``-o`` (unwritable by then, or written meanwhile
#: by another program): the model is safe where the run said, and a script's next step,
#: reading ``-o``, must not run.
EXIT_SAVED_ELSEWHERE = 3


class UsageError(W2VError):
    """Bad command-line usage found by either front end (exit code :data:`EXIT_USAGE`)."""

    #: Where to read about the right usage, e.g. ``see 'w2v train --help'`` (set by
    #: :class:`w2v_core.cli.arguments.ArgumentParser`).
    help_hint: str | None = None


def exit_code(error: BaseException) -> int:
    """The exit code for an error that ended a command.

    :class:`UsageError` and :class:`ConfigError` (a parameter out of range) are bad usage,
    :class:`KeyboardInterrupt` is an interruption, everything else a failure.
    """
    if isinstance(error, (UsageError, ConfigError)):
        return EXIT_USAGE
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return EXIT_FAILURE
