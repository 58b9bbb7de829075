"""The WSGI entry point: `flask --app app ...` and `gunicorn app:app`.

Invalid content stops the app here with `path:line: message` lines, so a
server never starts on a curriculum it cannot show.
"""
import sys

from onboarding import create_app
from onboarding.content import ContentError

try:
    app = create_app()
except ContentError as exc:
    print(exc, file=sys.stderr)
    sys.exit(f"The content is invalid ({len(exc.problems)} problem(s)); the app will not start.")
