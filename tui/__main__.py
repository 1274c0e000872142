"""``python -m tui``: same as the ``w2v-tui`` console script."""

from tui.app import main

raise SystemExit(main())
