"""Browser tests: the whole journey in Chromium against gunicorn, with axe-core on every main page."""
