"""w2v-tui: train word2vec and explore the vectors in a terminal (Textual app)."""

from __future__ import annotations

__all__ = ["W2VApp", "main"]


def __getattr__(name: str):  # lazy: importing tui must not import Textual eagerly
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(name)
