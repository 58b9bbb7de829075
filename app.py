"""The WSGI entry point: `flask --app app ...` and `gunicorn app:app`.

Invalid content stops the app here with `path:line: message` lines, so a
server never starts on a curriculum it cannot show.

`make serve` loads the app once and forks its workers from it (gunicorn
--preload): the workers share the loaded code and content instead of each
holding its own copy. What is loaded here is frozen for the garbage collector,
so a collection in a worker does not write to (and so copy) the shared pages,
and no database connection is pooled across a fork.
"""
import gc
import os
import sys

from onboarding import create_app
from onboarding.content import ContentError
from onboarding.extensions import db

try:
    app = create_app()
except ContentError as exc:
    print(exc, file=sys.stderr)
    sys.exit(f"The content is invalid ({len(exc.problems)} problem(s)); the app will not start.")


def _no_shared_connections() -> None:
    """Before a worker is forked: the pooled database connections are closed, so no connection is ever used by
    two processes (each opens its own when it first needs one)."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


os.register_at_fork(before=_no_shared_connections)
gc.freeze()
