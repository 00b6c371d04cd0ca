"""bookmaker's benchmark harness: generated volumes, timed builds, a Markdown report."""
