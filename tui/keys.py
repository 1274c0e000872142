"""The key table: built from the BINDINGS of the app and its panes, so it cannot drift.

Used by the help screen (``?``), the command palette and ``scripts/screenshots.py`` (which
prints it for the README).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding, BindingType

KEY_NAMES = {
    "plus": "+", "minus": "-", "equals_sign": "=", "slash": "/", "question_mark": "?",
    "left_square_bracket": "[", "right_square_bracket": "]", "less_than_sign": "<",
    "greater_than_sign": ">", "left": "←", "right": "→", "up": "↑", "down": "↓",
    "escape": "Esc", "enter": "Enter", "alt+left": "Alt+←", "alt+right": "Alt+→",
}

#: Keys that are not bindings (handled by widgets), listed per section.
EXTRA_KEYS: dict[str, list[tuple[str, str]]] = {
    "Everywhere": [("ctrl+p", "command palette: every action, searchable"),
                   ("Enter", "run the query in the focused input"),
                   ("Esc", "leave the input"), ("Tab / Shift+Tab", "move focus"),
                   ("→ in an input", "accept the completion")],
    "Neighbours": [("Enter on a row", "drill into that word")],
}

#: Longer descriptions for the help screen, keyed by action (falls back to the footer text).
HELP_TEXT = {
    "show_pane('training')": "training dashboard",
    "show_pane('neighbours')": "Neighbours pane",
    "show_pane('analogies')": "Analogies pane",
    "show_pane('map')": "Map pane",
    "show_pane('evaluate')": "Evaluate pane",
    "focus_query": "focus the pane's query input",
    "help": "show this help",
    "save": "save the model (format from the extension)",
    "quit": "quit (asks first if training or unsaved)",
    "pause": "pause / resume training",
    "stop": "stop training, keep the model so far",
    "app.pause": "pause / resume training",
    "app.stop": "stop training, keep the model so far",
    "refresh_probes": "refresh the probe words' neighbours",
    "back": "previous query",
    "forward": "next query",
    "more": "more results (top-k up)",
    "fewer": "fewer results (top-k down)",
    "Analogies:toggle_method": "switch 3CosAdd / 3CosMul",
    "Map:toggle_method": "switch t-SNE / PCA (recomputes)",
    "Evaluate:toggle_method": "switch the analogy method 3CosAdd / 3CosMul",
    "zoom(1)": "zoom in",
    "zoom(-1)": "zoom out",
    "pan(-1,0)": "pan left",
    "pan(1,0)": "pan right",
    "pan(0,1)": "pan up",
    "pan(0,-1)": "pan down",
    "centre": "centre on the query word",
    "reset_view": "show the whole map",
    "size(1)": "map more words (recomputes)",
    "size(-1)": "map fewer words (recomputes)",
    "run": "run the evaluation",
}


def key_display(keys: str) -> str:
    """``"left_square_bracket,alt+left"`` -> ``"[ / Alt+←"``."""
    return " / ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def _bindings(bindings: Iterable[BindingType]) -> list[Binding]:
    return [b if isinstance(b, Binding) else Binding(*b) for b in bindings]


def key_rows(sections: Iterable[tuple[str, Iterable[BindingType]]]) -> list[tuple[str, str, str]]:
    """(section, keys, description) rows for the given (section, BINDINGS) pairs, plus extras."""
    rows: list[tuple[str, str, str]] = []
    for section, bindings in sections:
        for b in _bindings(bindings):
            text = HELP_TEXT.get(f"{section}:{b.action}", HELP_TEXT.get(b.action, b.description))
            rows.append((section, key_display(b.key), text))
        rows.extend((section, k, d) for k, d in EXTRA_KEYS.get(section, []))
    return rows


def markdown_table(rows: list[tuple[str, str, str]]) -> str:
    """The key table as Markdown, for the README."""
    lines = ["| where | key | does |", "|---|---|---|"]
    lines += [f"| {s} | `{k}` | {d} |".replace("`|`", "`\\|`") for s, k, d in rows]
    return "\n".join(lines)
