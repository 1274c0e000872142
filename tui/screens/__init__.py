"""Modal screens of the w2v-tui app: help, save, quit confirmation."""
