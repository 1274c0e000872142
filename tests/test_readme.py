"""README.md stays true: CI runs its test command, and its key table is the app's."""

from __future__ import annotations

import re

from planted import REPO


def _readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    section = _readme().split("## Run the tests", 1)[1]
    command = re.search(r"```bash\n(.+?)\n```", section, re.S).group(1).strip()
    assert command in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_key_table_is_the_apps():
    from tui.app import W2VApp
    from tui.keys import key_rows, markdown_table

    table = markdown_table(key_rows(W2VApp.binding_sections())).strip()
    assert table in _readme()
