"""``python -m w2v_core.cli``: the ``w2v`` command."""

import sys

from . import main

sys.exit(main())
