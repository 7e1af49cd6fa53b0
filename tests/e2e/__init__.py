"""Browser tests: the running app driven by Debian's Chromium (see conftest.py and helpers.py)."""
