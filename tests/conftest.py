"""Test-wide settings."""

import os

from hypothesis import settings

# In CI the property tests replay the same examples every run, so that a landing
# never depends on luck; locally they explore new examples each time.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
