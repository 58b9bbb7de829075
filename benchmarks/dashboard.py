"""Benchmark: the readiness dashboard, its CSV export, the cohort view and the API list for many trainees.

    .venv/bin/python benchmarks/dashboard.py [TRAINEES]     (default 500; or `make bench`)

Builds a throw-away SQLite database through the real migrations, fills it with trainees spread over
the four stages (module completions, quiz attempts, sign-offs, signatures, role-plays and ten weeks
of ledger for those in stage 4), then times each page as a head of sales sees it and counts its
queries. Targets (a 2-core machine): every page under 1.5 s for 500 trainees, queries independent of
the number of trainees. Prints one line per page; exits 1 when a target is missed.
"""
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import click
import sqlalchemy as sa
from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from onboarding import create_app  # noqa: E402
from onboarding.extensions import db  # noqa: E402

TARGET_SECONDS = 1.5
#: Trainees a mentor takes on: a few dozen at most in any real team (the grading inbox goal is for 50).
PER_MENTOR = 50
PAGES = ["/", "/?stage=4&sort=forecast", "/trainees.csv", "/cohort", "/api/v1/trainees?per_page=100"]


def fill(app, count: int) -> str:
    """COUNT trainees, 50 to a mentor, with a head of sales; returns the head's API token."""
    from onboarding import summaries
    from onboarding.api.tokens import create_token
    from onboarding.auth.models import User
    from onboarding.path.progress import requirements_from
    from onboarding.people.services import create_user

    with app.app_context():
        cur = app.extensions["curriculum"]
        head = create_user("head@example.com", "Head", "head", "benchmark-pass-2024")
        mentors = [create_user("mentor@example.com", "Mentor", "mentor", "benchmark-pass-2024")]
        db.session.flush()
        mentors += [User(email=f"mentor{k}@example.com", full_name=f"Mentor {k:03d}", role="mentor",
                         password_hash=head.password_hash) for k in range(1, (count - 1) // PER_MENTOR + 1)]
        db.session.add_all(mentors)
        db.session.flush()
        now, today = datetime.now(timezone.utc), date.today()
        go_stages = {r.number for r in requirements_from(cur) if r.needs_go}
        # The accounts in one flush (their ids come back in bulk); their histories as rows inserted 500 trainees at
        # a time, which bypasses the session, so the trainees are noted for the summaries (written at the commit,
        # by the application's own refresher) as any write that bypasses the ORM notes them.
        users = [User(email=f"t{i}@example.com", full_name=f"Trainee {i:04d}", password_hash=head.password_hash,
                      role="trainee") for i in range(count)]
        db.session.add_all(users)
        db.session.flush()
        rows: dict = {}
        with click.progressbar(range(count), label=f"Filling {count} trainees", file=sys.stderr) as bar:
            for i in bar:
                _add_trainee(rows, cur, i, users[i], mentors[i // PER_MENTOR].id, now, today, go_stages)
                if i % 500 == 499 or i == count - 1:
                    for model, values in rows.items():
                        db.session.execute(sa.insert(model), values)
                    rows.clear()
        summaries.touch(db.session, *(u.id for u in users))
        token = create_token(head, "benchmark")
        db.session.commit()
        return token


def _add_trainee(rows: dict, cur, i, user, mentor_id, now, today, go_stages):
    """The rows of trainee i (their account `user`), in stage i % 4 + 1, with the history of the stages before it,
    added to `rows` ({model: [column values]}, the same columns for every row of a model)."""
    from onboarding.assessment.models import QuizAttempt
    from onboarding.learning.models import ModuleCompletion
    from onboarding.activity.models import ActivityEntry
    from onboarding.mentoring.models import Acknowledgement, RolePlayAttempt, SignOffEvent
    from onboarding.people.models import TraineeRecord
    from onboarding.path.progress import planned_windows
    from onboarding.readiness.models import GO, GoDecision

    def add(model, **values):
        rows.setdefault(model, []).append(values)

    stage = i % 4 + 1
    start = today - timedelta(days=20 + 30 * stage)

    def on(day):  # a time of that day, never after now
        return min(datetime(day.year, day.month, day.day, 11, tzinfo=timezone.utc), now)

    add(TraineeRecord, user_id=user.id, start_date=start, target_date=start + timedelta(days=180), mentor_id=mentor_id)
    add(Acknowledgement, trainee_id=user.id, document=cur.job_description.slug, version=cur.job_description.version,
        typed_name=user.full_name, signed_at=on(start + timedelta(days=1)))
    # Each stage before the current one finished the day before its planned end; the current stage's reading is
    # today's. The cohort's time in each stage then reads like a real team's.
    for s, (_begin, end) in zip(cur.stages, planned_windows(cur.stages, start)):
        if s.number > stage:
            break
        finished = on(end - timedelta(days=1)) if s.number < stage else now
        for m in s.modules:
            add(ModuleCompletion, user_id=user.id, module_slug=m.slug, content_version=m.version,
                completed_at=finished)
        if s.number < stage:
            for q in s.quizzes:
                add(QuizAttempt, user_id=user.id, quiz_slug=q.slug, number=1, allowed=q.attempts, state="graded",
                    plan={}, passed=True, percent=90.0, started_at=finished, submitted_at=finished,
                    graded_at=finished)
            for t in s.checklist.tasks if s.checklist else ():
                add(SignOffEvent, trainee_id=user.id, task_id=t.id, kind="signed", at=finished)
            if s.number in go_stages:  # cold calling ends with the go that opens sales training
                add(GoDecision, trainee_id=user.id, verdict=GO, decided_by=mentor_id, decided_at=finished)
            if s.number == 3:  # the role-play passed the day sales training ended, which opened stage 4
                add(RolePlayAttempt, trainee_id=user.id, scenario_slug=next(iter(cur.scenarios)), number=1,
                    allowed=2, scheduled_for=finished, state="scored", percent=80.0, passed=True,
                    completed_at=finished)
    if stage == 4:
        for d in range(70):
            add(ActivityEntry, trainee_id=user.id, day=today - timedelta(days=d + 1), calls=18, meetings=1,
                entered_by=user.id)


def main(count: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "WTF_CSRF_ENABLED": False})
        with app.app_context():
            from onboarding.schema import upgrade

            upgrade()
        began = time.perf_counter()
        token = fill(app, count)
        print(f"filled {count} trainees (with their stored summaries) in {time.perf_counter() - began:.1f} s")
        client = app.test_client()
        client.post("/login", data={"email": "head@example.com", "password": "benchmark-pass-2024"})
        with app.app_context():
            engine = db.engine
        statements = []
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))
        failed = False
        for path in PAGES:
            headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api") else {}
            times = []
            for _ in range(3):
                statements.clear()
                began = time.perf_counter()
                response = client.get(path, headers=headers, buffered=True)  # read to the end (the CSV streams)
                times.append(time.perf_counter() - began)
                assert response.status_code == 200, (path, response.status_code)
                if path.startswith("/api"):  # a fast list of nobody would measure nothing: everyone is listed
                    assert response.get_json()["total"] >= count, response.get_json()["total"]
            best = min(times)
            ok = best < TARGET_SECONDS
            failed |= not ok
            print(f"{'ok  ' if ok else 'SLOW'} {path:40} {count} trainees: best {best:.3f} s, "
                  f"median {statistics.median(times):.3f} s, {len(statements)} queries")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
