"""Fixtures in the flaskr style: app, client, runner, an auth helper, and creator callables."""
import shutil
from datetime import date
from pathlib import Path

import pytest

from onboarding import create_app
from onboarding.extensions import db as _db

HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """Real scrypt, at a cost low enough for hundreds of logins in a test run."""
    from onboarding.auth import models

    models.PASSWORD_METHOD = "scrypt:1024:8:1"
    yield
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """A database upgraded once through the real migrations; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "CONTENT_DIR": str(HERE / "content"),
                      "QUIZZES_DIR": str(HERE / "quizzes")})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        _db.engine.dispose()
    return path


@pytest.fixture
def content_dir():
    return HERE / "content"


@pytest.fixture
def quizzes_dir():
    return HERE / "quizzes"


@pytest.fixture
def app(tmp_path, migrated_template, content_dir, quizzes_dir):
    path = tmp_path / "test.db"
    shutil.copy(migrated_template, path)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "CONTENT_DIR": str(content_dir),
        "QUIZZES_DIR": str(quizzes_dir),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-000",
    })
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create an account: make_user(role, email=..., mentor=..., start=...) -> user id."""
    from onboarding.people.services import create_user

    counter = {"n": 0}

    def make(role="trainee", email=None, name=None, mentor=None, start=None, active=True):
        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.com"
        with app.app_context():
            user = create_user(email, name or f"{role.title()} {counter['n']}", role, PASSWORD, None,
                               start_date=start or date.today(), mentor_id=mentor)
            user.active = active
            _db.session.commit()
            return user.id

    return make


def csrf_token(client, path="/login"):
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html)
    assert match, f"no csrf_token on {path}"
    return match.group(1) or match.group(2)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email, password=PASSWORD):
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/logout", data={"csrf_token": token})

    def token(self, path="/"):
        return csrf_token(self.client, path)


@pytest.fixture
def auth(client):
    return AuthActions(client)


def complete_stages_before(app, uid, stage_number):
    """Record every requirement of the stages before stage_number for a trainee: modules, quizzes,
    checklist tasks, the job-description signature and, past stage 3, a passed role-play."""
    from datetime import datetime, timezone

    import sqlalchemy as sa

    from onboarding.assessment.models import GRADED, QuizAttempt
    from onboarding.learning.models import ModuleCompletion
    from onboarding.mentoring.models import Acknowledgement, RolePlayAttempt, SignOffEvent

    with app.app_context():
        cur = app.extensions["curriculum"]
        for stage in cur.stages:
            if stage.number >= stage_number:
                continue
            for m in stage.modules:
                if _db.session.scalar(sa.select(ModuleCompletion.id).where(
                        ModuleCompletion.user_id == uid, ModuleCompletion.module_slug == m.slug)) is None:
                    _db.session.add(ModuleCompletion(user_id=uid, module_slug=m.slug, content_version=m.version))
            for q in stage.quizzes:
                if _db.session.scalar(sa.select(QuizAttempt.id).where(
                        QuizAttempt.user_id == uid, QuizAttempt.quiz_slug == q.slug)) is None:
                    _db.session.add(QuizAttempt(user_id=uid, quiz_slug=q.slug, number=1, allowed=q.attempts,
                                                state=GRADED, plan={}, passed=True, percent=100.0, score=1,
                                                max_score=1, graded_at=datetime.now(timezone.utc)))
            for task in stage.checklist.tasks if stage.checklist else ():
                _db.session.add(SignOffEvent(trainee_id=uid, task_id=task.id, kind="signed"))
        doc = cur.job_description
        if _db.session.scalar(sa.select(Acknowledgement.id).where(Acknowledgement.trainee_id == uid,
                                                                  Acknowledgement.version == doc.version)) is None:
            _db.session.add(Acknowledgement(trainee_id=uid, document=doc.slug, version=doc.version, typed_name="x"))
        if stage_number > 3 and cur.scenarios:
            _db.session.add(RolePlayAttempt(trainee_id=uid, scenario_slug=next(iter(cur.scenarios)), number=1,
                                            allowed=2, scheduled_for=datetime.now(timezone.utc), state="scored",
                                            percent=90.0, passed=True, completed_at=datetime.now(timezone.utc)))
        _db.session.commit()
