"""What a file format declares about itself, so that nothing outside its module names it.

Saving, loading, detection, the destination checks and both front ends read these fields
from :data:`w2v_core.formats.registry.FORMATS`; a new format is a module that builds one
:class:`Format` and a line in the registry.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Model
    from ..vectors import KeyedVectors
    from .source import Source

#: A path as public functions take it.
PathLike = str | os.PathLike
#: Writes a model (or bare vectors) to an expanded path, atomically.
Saver = Callable[["Model | KeyedVectors", Path], None]
#: Reads a model from an opened file: ``(path, source, unicode_errors, limit)``.
Loader = Callable[[Path, "Source", str, "int | None"], "Model"]
#: Tells from an opened file's first bytes whether it is in this format: ``(path, source)``.
Sniffer = Callable[[Path, "Source"], bool]


def _one_file(path: Path) -> tuple[Path, ...]:
    return (path,)


@dataclass(frozen=True)
class Format:
    """A file format as every part of w2v-tui that saves, loads or lists formats sees it.

    A format that is both written and read is a *model* format: :func:`~w2v_core.formats.save`,
    ``-o`` and the TUI's save screen offer it. One that is only written (the TensorBoard
    Projector pair) is an export, which only ``w2v export`` offers, since a model saved there
    could not be opened again.
    """

    #: As :func:`~w2v_core.formats.detect_format` reports it and ``save(format=...)`` takes it.
    name: str
    #: In help texts, messages and ``w2v info``.
    description: str
    #: The extensions that select it when saving (lower case, with the dot); empty for a
    #: format that is only detected from its content.
    suffixes: tuple[str, ...] = ()
    #: Other names ``save(format=...)`` accepts.
    aliases: tuple[str, ...] = ()
    save: Saver | None = None
    load: Loader | None = None
    #: Needed with ``load``: detection asks every readable format in registration order.
    sniff: Sniffer | None = None
    #: The files a save to PATH writes, PATH first (more than one for a pair of files).
    outputs: Callable[[Path], tuple[Path, ...]] = _one_file
    #: How the files are named, for help texts, when PATH is not the whole story.
    help: str = ""
    #: What ``w2v export`` says it wrote to PATH; by default "PATH (description)".
    report: Callable[[Path], str] | None = None

    @property
    def writable(self) -> bool:
        return self.save is not None

    @property
    def readable(self) -> bool:
        return self.load is not None

    def wrote(self, path: Path) -> str:
        """Where a save to ``path`` went, for a one-line confirmation."""
        if self.report is not None:
            return self.report(path)
        return f"{path} ({self.description})"
