"""Command-line tools: init-db, seed-demo, create-user, check-content, backup."""
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from onboarding import create_app
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.learning.models import ModuleCompletion
from onboarding.people.models import TraineeRecord
from onboarding.timeutil import aware

ROOT = Path(__file__).resolve().parent.parent


def test_init_db_creates_the_schema_and_is_idempotent(tmp_path, content_dir, quizzes_dir):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}", "CONTENT_DIR": str(content_dir),
                      "QUIZZES_DIR": str(quizzes_dir)})
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        assert set(sa.inspect(db.engine).get_table_names()) >= {
            "users", "trainee_records", "module_completions", "audit_events", "login_failures", "alembic_version"}
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_flask_db_commands_load_alembic_on_use(tmp_path, content_dir, quizzes_dir):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}", "CONTENT_DIR": str(content_dir),
                      "QUIZZES_DIR": str(quizzes_dir)})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert "upgrade" in runner.invoke(args=["db", "--help"]).output
    result = runner.invoke(args=["db", "-d", str(ROOT / "migrations"), "check"])  # Alembic prints to its own stdout
    assert result.exit_code == 0, result.output
    assert app.extensions["migrate"].directory.endswith("migrations")
    bad = runner.invoke(args=["db", "-d", str(tmp_path / "nowhere"), "check"])
    assert bad.exit_code != 0  # the directory option reaches Flask-Migrate


def test_a_web_worker_never_imports_the_migration_tools():
    """Serving pages needs no Alembic or Mako (about 11 MB a worker); `flask db` and init-db load them."""
    code = ("import sys, app; c = app.app.test_client(); assert c.get('/login').status_code == 200; "
            "print(sorted(m for m in ('alembic', 'mako', 'flask_migrate') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "DATABASE_URL": "sqlite://"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_models_match_the_migrations(app):
    """Autogenerate finds nothing to add: every model change has a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"render_as_batch": True}), db.metadata)
        assert diff == []


def test_seed_demo_is_idempotent_and_matches_the_contract(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        counts = (db.session.scalar(sa.select(sa.func.count(User.id))),
                  db.session.scalar(sa.select(sa.func.count(ModuleCompletion.id))))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "0 new account" in result.output
    with app.app_context():
        assert (db.session.scalar(sa.select(sa.func.count(User.id))),
                db.session.scalar(sa.select(sa.func.count(ModuleCompletion.id)))) == counts
        emails = set(db.session.scalars(sa.select(User.email)))
        assert {f"{n}@example.com" for n in ("admin", "head", "mentor", "trainee", "trainee2", "trainee3")} <= emails
        for user in db.session.scalars(sa.select(User)):
            assert user.check_password("demo-pass-2024")
        t2 = db.session.scalar(sa.select(User).where(User.email == "trainee2@example.com"))
        record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == t2.id))
        assert record.mentor is not None and record.mentor.email == "mentor@example.com"
    assert "not added" in runner.invoke(args=["seed-demo", "--if-empty"]).output


def test_demo_trainees_stand_where_the_contract_says(tmp_path, migrated_template):
    """With the shipped curriculum: trainee at stage 1, trainee2 in stage 3, trainee3 in stage 4."""
    from onboarding.path.service import trainee_progress

    shutil.copy(migrated_template, tmp_path / "demo.db")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}",
                      "CONTENT_DIR": str(ROOT / "content")})
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        stages = {}
        for email in ("trainee@example.com", "trainee2@example.com", "trainee3@example.com"):
            user = db.session.scalar(sa.select(User).where(User.email == email))
            record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == user.id))
            progress = trainee_progress(record)
            stages[email] = progress.current_stage
            if email == "trainee2@example.com":
                s3 = progress.stage(3)
                assert 0 < s3.modules_done < s3.modules_total
        # trainee3 has done stage 4's work too: every stage is complete and the readiness decision waits.
        assert stages == {"trainee@example.com": 1, "trainee2@example.com": 3, "trainee3@example.com": None}
        from onboarding.assessment.models import QuizAttempt

        from onboarding.mentoring.models import RolePlayAttempt
        from onboarding.mentoring.services import role_play_missing

        # trainee2: the written test passed and the skills signed off, so the role-play is scheduled (ahead);
        # trainee4's written test waits for the mentor.
        t2 = db.session.scalar(sa.select(User).where(User.email == "trainee2@example.com"))
        t4 = db.session.scalar(sa.select(User).where(User.email == "trainee4@example.com"))
        waiting = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id.in_((t2.id, t4.id)),
                                                                   QuizAttempt.state == "awaiting_grading")).all()
        assert [(a.user_id, a.quiz_slug) for a in waiting] == [(t4.id, "written-product-test")]
        (attempt,) = db.session.scalars(sa.select(RolePlayAttempt).where(RolePlayAttempt.trainee_id == t2.id)).all()
        assert attempt.state == "scheduled" and len(attempt.evaluators) == 2
        assert aware(attempt.scheduled_for) > datetime.now(timezone.utc)
        cur = app.extensions["curriculum"]
        r4 = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == t4.id))
        assert {m.kind for m in role_play_missing(t4.id, trainee_progress(r4), cur)} == {"quiz", "task"}
        # Every signature of the shipped version is dated on or after the day it took effect; who started before
        # signed the earlier version on their second day, so stage 1 took them days, not years.
        from onboarding.demo import EARLIER_VERSION
        from onboarding.mentoring.models import Acknowledgement
        from onboarding.readiness.models import ReadinessStageDays

        doc = cur.job_description
        signed = db.session.execute(sa.select(Acknowledgement.version, Acknowledgement.signed_at)).all()
        assert signed and min(aware(s).date() for v, s in signed if v == doc.version) >= doc.effective
        earlier = [aware(s).date() for v, s in signed if v != doc.version]
        assert earlier and {v for v, _ in signed} == {doc.version, EARLIER_VERSION}
        assert max(earlier) < doc.effective
        # The demo's stories keep to the plan: no completed stage shows "over plan" in the cohort.
        planned = {s.number: s.planned_days for s in cur.stages}
        took = db.session.execute(sa.select(ReadinessStageDays.stage, ReadinessStageDays.days)).all()
        assert {stage for stage, _days in took} == set(planned)
        assert all(days <= planned[stage] for stage, days in took), took
        # Every demo trainee past cold calling (and each account manager approved since) has the mentor's go, dated the last day planned for stage 2; the
        # others have no decision yet, and nothing waits on it.
        from onboarding.readiness.models import GoDecision

        decided = {email: (verdict, author) for email, verdict, author in db.session.execute(
            sa.select(User.email, GoDecision.verdict, GoDecision.decided_by)
            .join(User, User.id == GoDecision.trainee_id))}
        mentor = db.session.scalar(sa.select(User.id).where(User.email == "mentor@example.com"))
        independent = {f"{name}@example.com" for name in ("nadia", "piotr", "clara")}  # their whole path is done
        assert decided == {f"trainee{n}@example.com": ("go", mentor) for n in (2, 3, 4)} | {
            email: ("go", mentor) for email in independent}
        assert trainee_progress(r4).current_stage == 3 and not trainee_progress(r4).go_due
        # No role-play before stage 3 was reached: trainee3's attempts follow the written test's grading.
        t3 = db.session.scalar(sa.select(User).where(User.email == "trainee3@example.com"))
        written = db.session.scalar(sa.select(sa.func.max(QuizAttempt.graded_at)).where(
            QuizAttempt.user_id == t3.id, QuizAttempt.quiz_slug == "written-product-test"))
        tries = db.session.scalars(sa.select(RolePlayAttempt).where(RolePlayAttempt.trainee_id == t3.id)
                                   .order_by(RolePlayAttempt.number)).all()
        assert [t.passed for t in tries] == [False, True] and tries[0].scenario_slug != tries[1].scenario_slug
        assert min(aware(t.scheduled_for) for t in tries) > aware(written)
        t3 = db.session.scalar(sa.select(User).where(User.email == "trainee3@example.com"))
        passed = set(db.session.scalars(sa.select(QuizAttempt.quiz_slug).where(QuizAttempt.user_id == t3.id,
                                                                              QuizAttempt.passed.is_(True))))
        assert passed == set(app.extensions["curriculum"].quizzes)
        from onboarding.readiness.report import trainee_report

        report = trainee_report(db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == t3.id)))
        assert [g.key for g in report["gates"] if not g.met] == []
        assert report["row"].recommendation is not None and report["row"].recommendation.ready
        assert report["row"].record.status == "awaiting_approval"
        db.engine.dispose()


def test_create_user_from_stdin(app, runner):
    result = runner.invoke(args=["create-user", "New.Person@example.com", "--role", "trainee", "--name", "New Person",
                                 "--password-stdin"], input="A-long-enough-pass-77\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.com"))
        assert user.full_name == "New Person" and user.check_password("A-long-enough-pass-77")
        assert db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == user.id)) is not None


def test_create_user_prompts_for_the_password(app, runner):
    result = runner.invoke(args=["create-user", "p@example.com", "--role", "mentor", "--name", "P"],
                           input="prompted-password-1\nprompted-password-1\n")
    assert result.exit_code == 0, result.output


def test_create_user_refuses_weak_password_duplicates_and_bad_roles(runner):
    args = ["create-user", "x@example.com", "--role", "mentor", "--name", "X", "--password-stdin"]
    weak = runner.invoke(args=args, input="short\n")
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    assert runner.invoke(args=args, input="good-long-password\n").exit_code == 0
    again = runner.invoke(args=args, input="good-long-password\n")
    assert again.exit_code == 1 and "already exists" in again.output
    bad_role = runner.invoke(args=["create-user", "y@example.com", "--role", "boss", "--name", "Y"])
    assert bad_role.exit_code == 2


def test_check_content_passes_on_good_content(runner):
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 0 and "Content is valid" in result.output


def test_check_content_reports_path_line_message(app, runner, tmp_path, content_dir):
    broken = tmp_path / "content"
    shutil.copytree(content_dir, broken)
    hello = broken / "s1-company" / "hello.md"
    hello.write_text(hello.read_text().replace("order: 1", "order: [1"))
    rules = broken / "s1-company" / "rules.md"
    rules.write_text(rules.read_text().replace("prerequisites: [hello]", "prerequisites: [nowhere]"))
    app.config["CONTENT_DIR"] = str(broken)
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any(line.startswith("content/s1-company/hello.md:") and "invalid YAML" in line for line in lines)
    assert "content/s1-company/rules.md:5: unknown prerequisite `nowhere`" in lines


def test_app_refuses_to_start_on_invalid_content(tmp_path, content_dir):
    broken = tmp_path / "content"
    shutil.copytree(content_dir, broken)
    (broken / "s2-product" / "prices.md").write_text("no front matter\n")
    env = dict(os.environ, CONTENT_DIR=str(broken), DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    result = subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "content/s2-product/prices.md:1: missing front matter" in result.stderr


@pytest.mark.sqlite_only
def test_backup_makes_a_consistent_copy(app, runner, make_user, tmp_path):
    make_user("trainee", email="kept@example.com")
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT email FROM users").fetchall() == [("kept@example.com",)]


def _on_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def test_a_postgresql_backup_shows_its_tables_and_restores(app, runner, make_user, tmp_path):
    if not _on_postgres(app):
        pytest.skip("pg_dump backs up PostgreSQL only")
    make_user("trainee", email="kept@example.com")
    target = tmp_path / "backup.dump"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Tables" in result.stderr and result.stdout.startswith(f"Backup written to {target}.")
    listed = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True)
    assert "TABLE DATA public users" in listed.stdout


def test_a_failing_pg_dump_is_a_clear_message(app, runner, tmp_path, monkeypatch):
    if not _on_postgres(app):
        pytest.skip("pg_dump backs up PostgreSQL only")
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'pg_dump: dumping contents of table \"public.users\"' >&2\n"
                    "echo 'pg_dump: error: server version: 99.0; pg_dump version: 15.0' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    result = runner.invoke(args=["backup", str(tmp_path / "backup.dump")])
    assert result.exit_code == 1
    assert "pg_dump failed: pg_dump: error: server version: 99.0" in result.output
    assert "Traceback" not in result.output and "Backup written" not in result.output


@pytest.mark.parametrize("weekday", range(7))
def test_the_demos_supervised_weeks_are_whole_whatever_the_day_it_is_seeded(weekday):
    """trainee3's story (README: ten weeks of stage 4, every full week reviewed) holds on any day: stage 4 opens on
    a Monday, so the full weeks before the seeding day's week are ten (eleven on a Monday), and the start moves at
    most six days. (Seeded on a Wednesday with a start on a fixed day count, stage 4 opened on a Tuesday and left
    nine full weeks, one short of the criteria the readiness gate needs.)"""
    from datetime import date, timedelta

    from onboarding import create_app
    from onboarding.activity.scorecards import supervised_weeks
    from onboarding.demo import ACCOUNTS, _role_play_passed, _start

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    cur = app.extensions["curriculum"]
    on = date(2026, 11, 30) + timedelta(days=weekday)  # a Monday, then each day of that week
    _email, _name, _role, days, plan, _through = next(a for a in ACCOUNTS if a[0] == "trainee3@example.com")
    start = _start(days, plan, cur, on)
    opened = _role_play_passed(cur, start)
    assert opened.weekday() == 0 and 0 <= (on - timedelta(days=days) - start).days <= 6
    assert len(supervised_weeks(opened, on)) == (11 if weekday == 0 else 10)
    # an account whose story stops before stage 4 starts on its day count
    _e, _n, _r, days2, plan2, _t = next(a for a in ACCOUNTS if a[0] == "trainee2@example.com")
    assert _start(days2, plan2, cur, on) == on - timedelta(days=days2)
