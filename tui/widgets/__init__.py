"""Widgets of the w2v-tui app: one module per pane, plus the shared pieces."""
