"""Ask where to save the model; the format follows the extension."""

from __future__ import annotations

from w2v_core.formats import ALLOWED_EXTENSIONS

from .path import PathScreen


class SaveScreen(PathScreen):
    """A path input; Enter saves there, Escape cancels."""

    def __init__(self, default_path: str, note: str = "") -> None:
        super().__init__("Save model to:", default_path,
                         [f"The extension picks the format: {ALLOWED_EXTENSIONS}", note],
                         input_id="save-path", action="save")
