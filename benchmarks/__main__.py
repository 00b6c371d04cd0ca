"""``python -m benchmarks``: time bookmaker against pandoc on generated volumes."""

import sys

from benchmarks.measure import main

sys.exit(main())
