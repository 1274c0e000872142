"""Write the combining marks of this Python's Unicode version to w2v_core/data, where
:func:`w2v_core.corpus.combining_marks` reads them instead of listing them at every start.

Usage::

    python scripts/combining_marks.py   # once per Python whose Unicode version is new
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from w2v_core.corpus import list_combining_marks  # noqa: E402


def main() -> None:
    path = REPO / "w2v_core" / "data" / f"combining-marks-{unicodedata.unidata_version}.txt"
    path.write_text("".join(f"{a:04X} {b:04X}\n" for a, b in list_combining_marks()), encoding="ascii")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
