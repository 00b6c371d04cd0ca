"""bookmaker: collected writings in, EPUB ebooks and print-styled PDF books out."""

__version__ = "0.1.0"
