"""The key table: built from the BINDINGS of the app and its panes, so it cannot drift.

Each binding carries its own help text: the footer shows ``description`` (short), the help
screen and the README show ``tooltip`` (longer), falling back to the description. Keys that
widgets handle themselves (not bindings) are listed beside them: the app's here, a pane's on
the pane (``Pane.OTHER_KEYS``).

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

#: Keys that work everywhere and are not bindings (handled by widgets): (keys, what).
OTHER_KEYS: tuple[tuple[str, str], ...] = (
    ("ctrl+p", "command palette: every action, searchable"),
    ("Enter", "run the query in the focused input"),
    ("Esc", "leave the input"), ("Tab / Shift+Tab", "move focus"),
    ("→ in an input", "accept the completion"),
)

#: (section, its BINDINGS, its other keys as (keys, what))
Section = tuple[str, Iterable[BindingType], Iterable[tuple[str, str]]]

def key_display(keys: str) -> str:
    """``"left_square_bracket,alt+left"`` -> ``"[ / Alt+←"``."""
    return " / ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def _bindings(bindings: Iterable[BindingType]) -> list[Binding]:
    return [b if isinstance(b, Binding) else Binding(*b) for b in bindings]


def key_rows(sections: Iterable[Section]) -> list[tuple[str, str, str]]:
    """(section, keys, description) rows: each section's bindings, then its other keys."""
    rows: list[tuple[str, str, str]] = []
    for section, bindings, others in sections:
        for b in _bindings(bindings):
            rows.append((section, key_display(b.key), b.tooltip or b.description))
        rows.extend((section, k, d) for k, d in others)
    return rows


def markdown_table(rows: list[tuple[str, str, str]]) -> str:
    """The key table as Markdown, for the README."""
    lines = ["| where | key | does |", "|---|---|---|"]
    lines += [f"| {s} | `{k}` | {d} |".replace("`|`", "`\\|`") for s, k, d in rows]
    return "\n".join(lines)
