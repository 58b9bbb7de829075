"""The floor of a signed-in page, a reference row of benchmarks/serve.py: `gunicorn frame:app` (run from benchmarks/).

The app itself (app.py, the same configuration from the environment) with two routes added that no page of the
app has: one that only signs the person in (the session cookie, loading the signed-in person, the security
headers), and one that renders only the page frame every page has (`base.html`: the header, the menu, the badge,
the flash messages). A page of the app cannot be faster than these on the same server; the goals' ratios read
against them say how much of a page is the page itself.
"""
import sys
from pathlib import Path

from flask import render_template
from flask_login import current_user, login_required

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import app  # noqa: E402


@app.get("/_bench/signed-in")
@login_required
def signed_in():
    """Signed in, nothing rendered."""
    return f"Signed in as {current_user.id}", 200, {"Content-Type": "text/plain; charset=utf-8"}


@app.get("/_bench/frame")
@login_required
def frame():
    """Signed in, the page frame alone."""
    return render_template("base.html")
