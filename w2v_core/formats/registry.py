"""Every file format, in one list that saving, loading, detection and both front ends ask.

A format is registered by one line below; its module declares everything else (see
:class:`~w2v_core.formats.format.Format`). The order of the lines is the order detection
tries the readable formats and the order help texts list them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import ModelFormatError
from . import glove, native, projector, word2vec_binary, word2vec_text
from .format import Format, PathLike
from .source import Source

#: Every format by name, in registration order.
FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> None:
    """Add ``fmt``; a name, alias or suffix another format already uses is refused."""
    taken = {key: other.name for other in FORMATS.values()
             for key in (other.name, *other.aliases, *other.suffixes)}
    clash = [key for key in (fmt.name, *fmt.aliases, *fmt.suffixes) if key in taken]
    if clash:
        raise ValueError(f"format {fmt.name!r}: {clash[0]!r} already belongs to {taken[clash[0]]!r}")
    if fmt.readable and fmt.sniff is None:
        raise ValueError(f"format {fmt.name!r} is read but cannot be detected (no sniff)")
    FORMATS[fmt.name] = fmt


register(native.FORMAT)
register(word2vec_binary.FORMAT)
register(word2vec_text.FORMAT)
register(glove.FORMAT)
register(projector.FORMAT)


def model_formats() -> list[Format]:
    """The formats a model is saved in (``save``, ``-o``, the TUI): written and read back."""
    return [f for f in FORMATS.values() if f.writable and f.readable]


def export_formats() -> list[Format]:
    """The formats ``w2v export`` writes: every writable one, exports that cannot be read
    back included."""
    return [f for f in FORMATS.values() if f.writable]


def readable_formats() -> list[Format]:
    """The formats :func:`detect` and ``load`` recognise, in the order they are tried."""
    return [f for f in FORMATS.values() if f.readable]


def suffix_list(formats: Iterable[Format]) -> str:
    """``".npz (native .npz), .txt or .vec (word2vec text)"``: the extensions that select
    each format, for messages and help."""
    return ", ".join(
        f"{' or '.join(f.suffixes)} ({f.description})" for f in formats if f.suffixes
    )


def description_list(formats: Iterable[Format]) -> str:
    """``"native .npz, word2vec binary or GloVe text"``: the formats, for messages and help."""
    names = [f.description for f in formats]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


#: The extensions :func:`~w2v_core.formats.save` takes, for messages and help.
ALLOWED_EXTENSIONS = suffix_list(model_formats())


def format_for(path: PathLike, format: str | None = None, *, exports: bool = False) -> str:
    """The name of the format a save to ``path`` writes (a key of :data:`FORMATS`).

    Parameters
    ----------
    path : str or path-like
        Its extension selects the format.
    format : str, optional
        A name or alias such as ``"binary"``; wins over the extension.
    exports : bool
        Also the formats that are only exported (:func:`export_formats`), as ``w2v export``
        writes them; otherwise only :func:`model_formats`.

    Raises
    ------
    ModelFormatError
        An unknown format name, or an extension that selects no format.
    """
    path = Path(path)
    candidates = export_formats() if exports else model_formats()
    if format is not None:
        wanted = format.lower().lstrip(".")
        for fmt in candidates:
            if wanted in (fmt.name, *fmt.aliases):
                return fmt.name
        raise ModelFormatError(
            f"unknown model format {format!r}: use one of {', '.join(f.name for f in candidates)}"
        )
    suffix = path.suffix.lower()
    for fmt in candidates:
        if suffix in fmt.suffixes:
            return fmt.name
    shown = path.suffix or "no extension"
    raise ModelFormatError(
        f"cannot tell the model format of {path} ({shown}): use {suffix_list(candidates)}"
    )


def detect(path: Path, source: Source) -> Format:
    """The format of an opened file, from its content: the first readable format whose
    ``sniff`` says yes.

    Raises
    ------
    ModelFormatError
        No format recognises the file (or a sniffer found it broken, e.g. 0 dimensions).
    """
    for fmt in readable_formats():
        if fmt.sniff(path, source):  # type: ignore[misc]  # register() checked it
            return fmt
    raise ModelFormatError(
        f"{path}: not a model file (expected {description_list(readable_formats())})"
    )
