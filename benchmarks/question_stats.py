"""Benchmark: the question statistics for a long history, under gunicorn, against a bare Flask app in the same run.

    .venv/bin/python benchmarks/question_stats.py [ATTEMPTS]     (default 10000; BENCH_SECONDS per load, default 5)

Fills a throw-away SQLite database (through the real migrations) with the head, the mentor and past trainees'
graded attempts at the stage-1 quiz and the written product test (onboarding/demo_history.py: the demo's
generator, about ATTEMPTS attempts in all), then loads the statistics pages as the head with serve.py's wrk
settings. Each goal is a share of the bare app's req/s, so it holds on any machine. Prints one table; exits 1
when a goal is missed, 2 when wrk is missing and cannot be installed.
"""
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import serve  # noqa: E402
from serve import PASSWORD, Page  # noqa: E402

QUIZZES = ("company-basics", "written-product-test")
#: Attempts per past trainee at the two quizzes together, on average (a failed attempt is taken again).
ATTEMPTS_PER_TRAINEE = 3.3


def pages() -> list[Page]:
    """The statistics pages under goal. A quiz's page reads its numbers from the worker's cache while no attempt
    is graded (one query for the attempts' fingerprint, the filters' choices, and the table's rendering): its
    goal is the cached page's; the first request of each worker computes them over the whole history."""
    return [
        Page("statistics index (head)", "head", "/statistics", 0.05),
        Page("company quiz statistics", "head", f"/quizzes/{QUIZZES[0]}/statistics", 0.01),
        Page("written test statistics", "head", f"/quizzes/{QUIZZES[1]}/statistics", 0.01),
    ]


def build_database(url: str, attempts: int) -> dict:
    from onboarding.schema import upgrade

    from onboarding import create_app
    from onboarding.demo_history import add_past_trainees
    from onboarding.extensions import db
    from onboarding.people.services import create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        cur = app.extensions["curriculum"]
        graders = [create_user(f"{who}@example.com", who.title(), who, PASSWORD).id for who in ("mentor", "head")]
        began = time.perf_counter()
        added = people = 0
        while added < attempts:  # the history's size depends on how many fail: add trainees until it is reached
            per_trainee = added / people if people else ATTEMPTS_PER_TRAINEE
            trainees = max(1, int((attempts - added) / per_trainee * 0.95))
            added += add_past_trainees(cur, [cur.quizzes[s] for s in QUIZZES], trainees, graders, seed=added)
            people += trainees
        db.session.commit()
    print(f"added {added} graded attempts in {time.perf_counter() - began:.1f} s")
    return added


def main(attempts: int) -> int:
    serve.ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        added = build_database(url, attempts)
        with serve.gunicorn("app:app", serve.ROOT, serve.server_env(url), "/healthz", Path(tmp, "app.log")) as \
                (app_base, _), \
                serve.gunicorn("hello:app", HERE, serve.server_env(url), "/", Path(tmp, "hello.log")) as (hello_base, _):
            hello_rps, loads = measure(app_base, hello_base)
    # (the workers' memory is serve.py's line: the same app)
    return 0 if serve.report(added, hello_rps, loads, {}, what="graded attempts") else 1


def measure(app_base: str, hello_base: str):
    """serve.measure for the head alone (the history has no current trainee or mentor's trainees)."""
    cookie = serve.sign_in(app_base, "head@example.com")
    plan = [(page, {"Cookie": cookie, "User-Agent": serve.USER_AGENT}) for page in pages()]
    for page, headers in plan:
        serve.check_page(app_base + page.path, headers)
    first = serve.run_wrk(hello_base + "/", {"User-Agent": serve.USER_AGENT})
    loads = [(page, serve.run_wrk(app_base + page.path, headers)) for page, headers in plan]
    last = serve.run_wrk(hello_base + "/", {"User-Agent": serve.USER_AGENT})
    if first.bad or last.bad:
        raise RuntimeError("the bare Flask app gave failed responses or socket errors")
    return (first.rps + last.rps) / 2, loads


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000))
