"""Saving the model from the app: the autosave to ``-o`` (with a fallback), and ``ctrl+s``'s
default name and save."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .error_text import error_text

if TYPE_CHECKING:  # pragma: no cover
    from w2v_core.model import Model
    from w2v_core.vectors import KeyedVectors


def save_output(model: "Model", output: str) -> tuple[str | None, str]:
    """Save ``model`` to ``output`` (``-o``), or where ``save_with_fallback`` can if that fails
    (home, current, temporary directory): the model must survive a failed autosave.

    Returns where it was saved (None if nowhere) and what went wrong ("" if nothing).
    """
    from w2v_core.destination import unwritable_reason
    from w2v_core.formats import save_with_fallback

    try:
        saved = str(save_with_fallback(model, output))
    except Exception as error:  # noqa: BLE001 - reported; the model stays in the app
        return None, error_text(error)
    if Path(saved) == Path(output).expanduser():
        return saved, ""
    return saved, f"{unwritable_reason(output)}; saved the model to {saved} instead"


def default_save_path(output: str | None, model_path: str | None, corpus_name: str | None) -> str:
    """What the save dialog offers: ``-o``, else the model's or the corpus's name as ``.npz``."""
    if output:
        return output
    if model_path:
        stem = Path(model_path).stem
    else:
        stem = re.sub(r"\W+", "-", (corpus_name or "model").split(":")[-1]).strip("-")
    return f"{stem or 'model'}.npz"


@dataclass(frozen=True)
class Saved:
    """A ``ctrl+s`` save that returned: what was written, and where."""

    what: "Model | KeyedVectors"
    path: str


def save(what: "Model | KeyedVectors", path: str) -> Saved:
    """Write ``what`` to ``path`` (the extension picks the format); runs in a worker."""
    from w2v_core.formats import save as save_as

    save_as(what, path)
    return Saved(what, path)
