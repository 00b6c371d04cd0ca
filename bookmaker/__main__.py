"""``python -m bookmaker``."""

import sys

from bookmaker.cli import main

sys.exit(main())
