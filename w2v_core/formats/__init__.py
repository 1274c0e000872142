"""Model files: saving, loading and detecting every format, through one registry.

Each format is a module that declares itself as a :class:`Format` (name, extensions, what
it can save and load, how to recognise it): :mod:`.native` (``.npz``, everything a model
holds), :mod:`.word2vec_text` and :mod:`.word2vec_binary` (words and input vectors, as the C
tool and gensim write them), :mod:`.glove` (read only) and :mod:`.projector` (the TensorBoard
pair, written only). :mod:`.registry` lists them; saving, loading, detection, the
destination checks and both front ends ask it, so a new format is a new module and one
registration line.

Every save is atomic (:mod:`w2v_core.atomic`); every unreadable file raises
:class:`~w2v_core.errors.ModelFormatError` with one line that names the file.
"""

from __future__ import annotations

from .format import Format
from .loading import detect_format, load, load_word2vec_format
from .native import FORMAT_TAG, FORMAT_VERSION
from .projector import export_projector
from .registry import ALLOWED_EXTENSIONS, FORMATS, format_for
from .rules import UNICODE_ERRORS
from .saving import save, save_with_fallback, save_word2vec_format

__all__ = [
    "ALLOWED_EXTENSIONS",
    "FORMATS",
    "FORMAT_TAG",
    "FORMAT_VERSION",
    "UNICODE_ERRORS",
    "Format",
    "detect_format",
    "export_projector",
    "format_for",
    "load",
    "load_word2vec_format",
    "save",
    "save_with_fallback",
    "save_word2vec_format",
]
