"""``python -m crane_it``: the same as the ``crane`` command."""

import sys

from .cli import main

sys.exit(main())
