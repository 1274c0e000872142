"""The ``w2v`` command: train, query, evaluate and convert word2vec models from a shell.

Every subcommand is a thin layer over :mod:`w2v_core`. The package is split by concern:
:mod:`.parser` (arguments), :mod:`.commands` and :mod:`.training` (what each subcommand
does), :mod:`.progress` (training progress on a console) and :mod:`.output` (tables).
:mod:`.arguments` (the options ``w2v-tui`` has too) and :mod:`.loading` (opening a model)
are shared with ``w2v-tui``.

Errors a user can cause end in exactly one line on stderr (``w2v: error: ...``) and a
non-zero exit code, never in a traceback (the codes are :mod:`w2v_core.errors`' table,
shared with ``w2v-tui``):

- 0: success
- 1: a failure (missing or empty corpus, unknown word, corrupt model, diverged training)
- 2: bad usage (unknown option, impossible parameter value, unknown output extension)
- 130: interrupted (Ctrl-C). During ``w2v train`` the first Ctrl-C stops training and
  still saves the model trained so far; a second one aborts without saving.

This module imports nothing heavy at import time: :func:`main` loads NumPy, SciPy and
rich inside its own error handling, so a Ctrl-C at any moment ends quietly with 130.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import ModuleType
from typing import Any

from ..errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, UsageError, W2VError, exit_code

PROG = "w2v"

__all__ = ["main", "build_parser"]


def __getattr__(name: str) -> Any:
    """``build_parser`` is imported on first use (it loads the engine's configuration)."""
    if name == "build_parser":
        from .parser import build_parser

        return build_parser
    raise AttributeError(f"module 'w2v_core.cli' has no attribute {name!r}")


def _os_error_message(exc: OSError) -> str:
    """One line for an OSError: "<reason>: '<file>'"."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{reason}: '{exc.filename}'" if exc.filename else reason


def _say(message: str) -> None:
    """Write ``message`` to stderr as exactly one line."""
    line = " ".join(str(message).split())
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr is gone (a closed terminal): the code still counts
        pass


def _fail(message: str, code: int) -> int:
    """Write ``w2v: error: message`` to stderr as exactly one line and return ``code``."""
    _say(f"{PROG}: error: {message}")
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the ``w2v`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit code: 0 ok, 1 failure, 2 bad usage, 130 interrupted.
    """
    modules = _import_quietly()
    if modules is None:
        return EXIT_INTERRUPTED
    try:
        return _run(argv, *modules)
    except KeyboardInterrupt as exc:
        if str(exc):  # a SaveInterrupted says what became of the file: never exit silently
            _say(f"{PROG}: {exc}")
        return EXIT_INTERRUPTED


def _import_quietly() -> tuple[ModuleType, ModuleType] | None:
    """Import the parser and the commands (NumPy, SciPy, rich: about half a second).

    A Ctrl-C meanwhile is held back until the imports are done, then ends the command:
    raised inside an extension module's import, it would surface as an ImportError with a
    traceback. Returns None after such a Ctrl-C.
    """
    interrupted: list[int] = []
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda s, f: interrupted.append(s)) if in_main else None
    try:
        from . import commands, parser
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
    return None if interrupted else (parser, commands)


def _run(argv: list[str] | None, parser: ModuleType, commands: ModuleType) -> int:
    try:
        args = parser.build_parser().parse_args(argv)
    except SystemExit as exc:  # --help or --version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except UsageError as exc:
        return _fail(f"{exc} ({exc.help_hint})" if exc.help_hint else str(exc), EXIT_USAGE)

    out = commands.Console(file=sys.stdout)
    err = commands.Console(file=sys.stderr)
    try:
        return commands.run(args, out, err)
    except W2VError as exc:
        return _fail(str(exc), exit_code(exc))
    except BrokenPipeError:  # e.g. `w2v neighbors ... | head -3`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except OSError as exc:
        return _fail(_os_error_message(exc), EXIT_FAILURE)
    except MemoryError:
        return _fail("out of memory (try a smaller --dim or --max-vocab)", EXIT_FAILURE)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a bug: still one line, with a way to get the traceback
        if os.environ.get("W2V_DEBUG"):
            raise
        return _fail(
            f"internal error: {type(exc).__name__}: {exc} (set W2V_DEBUG=1 for a traceback)",
            EXIT_FAILURE,
        )
