"""Fixtures in the flaskr style: app, client, runner, an auth helper, and creator callables.

With TEST_DATABASE_URL set (scripts/with_postgres.py sets it) every test gets an empty PostgreSQL
database: each test process copies a template migrated once, and empties its copy before each test;
otherwise a copy of a migrated SQLite file.
"""
import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from onboarding import create_app
from onboarding.extensions import db as _db

HERE = Path(__file__).resolve().parent

# Property tests explore the same examples on every run and keep no local example database, so a failure found
# once is a test someone writes down (@example), never a run that differs from the one before.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("project", database=None, derandomize=True)
_hypothesis_settings.load_profile("project")




class ReadingClient(FlaskClient):
    """The test client reads every answer to its end, as a browser or any HTTP client does: a streamed body (the
    CSV export) then ends its request and its contexts, instead of staying suspended into the next request."""

    def open(self, *args, buffered=True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


Flask.test_client_class = ReadingClient


def _share_url_builders():
    """Every test makes its own app, and werkzeug writes and compiles the Python of two URL builders for each of
    the app's thousand rules: two thirds of create_app's time, some 45 ms a test. A builder's code depends only
    on the rule's parsed parts, its defaults and whether unknown values are appended (the rule itself comes in
    as the bound `self`), so one compiled builder serves the same rule of every app in the test process."""
    from werkzeug.routing.rules import Rule

    original = Rule._compile_builder
    if getattr(original, "shared", False):
        return
    built = {}

    def compile_builder(self, append_unknown=True):
        key = (type(self), self.rule, self.host, self.subdomain, tuple(self._trace), append_unknown,
               tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items())),
               tuple((k, type(v).__module__, type(v).__qualname__, repr({a: b for a, b in vars(v).items() if a != "map"}))
                     for k, v in self._converters.items()))
        builder = built.get(key)
        if builder is None:
            builder = built[key] = original(self, append_unknown)
        return builder

    compile_builder.shared = True
    Rule._compile_builder = compile_builder


_share_url_builders()


def _share_compiled_templates():
    """Each test's app has its own Jinja environment, which compiled every template it rendered again: some
    30 ms of a test's first page. One bytecode cache for the test process keeps each template's compiled code,
    checked against its source's checksum, so a template changed on disk (or another test's) is compiled anew."""
    import jinja2

    class Shared(jinja2.BytecodeCache):
        def __init__(self):
            self.codes = {}

        def load_bytecode(self, bucket):
            code = self.codes.get(bucket.key)
            if code is not None:
                bucket.bytecode_from_string(code)

        def dump_bytecode(self, bucket):
            self.codes[bucket.key] = bucket.bytecode_to_string()

    shared = Shared()
    original = Flask.create_jinja_environment
    if getattr(original, "shared", False):
        return

    def create_jinja_environment(self):
        environment = original(self)
        environment.bytecode_cache = shared
        return environment

    create_jinja_environment.shared = True
    Flask.create_jinja_environment = create_jinja_environment


_share_compiled_templates()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """Real scrypt, at a cost low enough for hundreds of logins in a test run."""
    from onboarding.auth import models

    models.PASSWORD_METHOD = "scrypt:1024:8:1"
    yield


@pytest.fixture(autouse=True, scope="session")
def _evidence_outside_the_repository(tmp_path_factory):
    """Apps made without the app fixture (demo seeds, other content, the browser tests' server) keep evidence
    files in a temporary folder, never in the repository's instance/."""
    os.environ["EVIDENCE_DIR"] = str(tmp_path_factory.mktemp("evidence"))


PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """A database upgraded once through the real migrations; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "CONTENT_DIR": str(HERE / "content"),
                      "QUIZZES_DIR": str(HERE / "quizzes")})
    with app.app_context():
        from onboarding.schema import upgrade

        upgrade()
        _db.engine.dispose()
    return path


TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_admin():
    """An autocommit connection to the server's maintenance database, for CREATE/DROP DATABASE."""
    import psycopg
    import sqlalchemy as sa

    url = sa.engine.make_url(TEST_DATABASE_URL).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def _pg_url(name):
    import sqlalchemy as sa

    return sa.engine.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: reads the SQLite file itself; not run on PostgreSQL")
    config.addinivalue_line("markers", "browser: drives a real browser against gunicorn (tests/e2e)")


def _uses_postgres(item) -> bool:
    """Whether a test touches the PostgreSQL server: through the per-test database (the `database_url` fixture,
    also behind `app`), or its module talks to the server itself (several app servers on one database)."""
    if "database_url" in getattr(item, "fixturenames", ()):
        return True
    module = getattr(item, "module", None)
    return module is not None and any(name in vars(module) for name in ("ON_POSTGRES", "_pg_admin", "_pg_url"))


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES:
        sqlite = pytest.mark.skip(reason="SQLite-specific: runs in the SQLite pass")
        # Pure rules, content checks and the tests on SQLite files of their own (migrations, the seeded demo) give
        # the same answer in both passes: the PostgreSQL pass runs what reaches its server.
        elsewhere = pytest.mark.skip(reason="does not touch PostgreSQL: runs in the SQLite pass")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(sqlite)
            elif not _uses_postgres(item):
                item.add_marker(elsewhere)


@pytest.fixture(scope="session")
def pg_template(content_dir, quizzes_dir):
    """A PostgreSQL database upgraded once through the real migrations (one per xdist worker)."""
    name = f"template_{_WORKER}"
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    app = create_app({"SQLALCHEMY_DATABASE_URI": _pg_url(name), "CONTENT_DIR": str(content_dir),
                      "QUIZZES_DIR": str(quizzes_dir)})
    with app.app_context():
        from onboarding.schema import upgrade

        upgrade()
        _db.engine.dispose()
    yield name
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "test_{_WORKER}" WITH (FORCE)')
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(request, tmp_path):
    return fresh_database_url(request, tmp_path)


def fresh_database_url(request, tmp_path) -> str:
    """A fresh, migrated database for one test: a PostgreSQL database from the template, or a SQLite copy."""
    if not ON_POSTGRES:
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("migrated_template"), path)
        return f"sqlite:///{path}"
    return _pg_clean_database(request.getfixturevalue("pg_template"))


class _Scrub:
    """What emptying the test process' PostgreSQL database takes, learnt from it once it is fresh: the tables and
    sequences, and a fingerprint of the schema (revision, columns, indexes) that a test must leave unchanged."""

    FINGERPRINT = ("SELECT (SELECT string_agg(version_num, ',') FROM alembic_version), "
                   "(SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                   " JOIN pg_namespace n ON n.oid = c.relnamespace "
                   " WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped), "
                   "(SELECT count(*) FROM pg_indexes WHERE schemaname = 'public')")

    def __init__(self, conn):
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                             "AND tablename <> 'alembic_version' ORDER BY tablename")]
        sequences = [r[0] for r in conn.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")]
        # One round trip: foreign keys are not checked while rows go (replica role), sequences start again at 1.
        self.sql = ("BEGIN; SET LOCAL session_replication_role = replica; "
                    + " ".join(f'DELETE FROM "{t}";' for t in tables) + " "
                    + " ".join(f"SELECT setval('\"{s}\"', 1, false);" for s in sequences) + " COMMIT;")
        self.fingerprint = conn.execute(self.FINGERPRINT).fetchone()


_scrub: _Scrub | None = None


def _pg_connect(name):
    import psycopg
    import sqlalchemy as sa

    url = sa.engine.make_url(_pg_url(name)).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def _pg_clean_database(template):
    """This test process' own database, as empty as a fresh copy of the template. Creating and dropping a
    database for every test costs some 165 ms of the server's time; emptying the same one costs about 5 ms. A
    test that left the schema changed (a revision, a column or an index) gets a fresh copy instead."""
    global _scrub
    name = f"test_{_WORKER}"
    if _scrub is not None:
        with _pg_connect(name) as conn:
            # Connections a test left open (a server it started, an engine it did not dispose) hold no locks now.
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            if conn.execute(_Scrub.FINGERPRINT).fetchone() == _scrub.fingerprint:
                conn.execute(_scrub.sql)
                return _pg_url(name)
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    with _pg_connect(name) as conn:
        _scrub = _Scrub(conn)
    return _pg_url(name)


@pytest.fixture(scope="session")
def content_dir():
    return HERE / "content"


@pytest.fixture(scope="session")
def quizzes_dir():
    return HERE / "quizzes"


def _test_config(database_url, evidence_dir, content_dir=HERE / "content", quizzes_dir=HERE / "quizzes") -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CONTENT_DIR": str(content_dir),
        "QUIZZES_DIR": str(quizzes_dir),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-000",
        "EVIDENCE_DIR": str(evidence_dir),
    }


@pytest.fixture
def app(database_url, content_dir, quizzes_dir, tmp_path):
    app = create_app(_test_config(database_url, tmp_path / "evidence", content_dir, quizzes_dir))
    yield app
    with app.app_context():
        _db.engine.dispose()


# ---------------------------------------------------------------- a world built once, restored for each test

@dataclass
class Snapshot:
    """What a builder made in a fresh database, kept to be restored before each test that shares it: the ids it
    returned, its evidence folder, and the database itself (a SQLite file, or PostgreSQL's rows and sequences)."""

    ids: dict
    evidence: Path
    sqlite_file: Path | None = None
    rows: list = field(default_factory=list)  # PostgreSQL: (table, [row, ...]) in dependency order
    sequences: list = field(default_factory=list)  # PostgreSQL: (sequence, last value)


def take_snapshot(request, tmp_path_factory, build) -> Snapshot:
    """Run `build(app) -> ids` once in a fresh database and keep the result (session-scoped fixtures call this:
    slow worlds that many tests only read are built once per test process, never once per test)."""
    import sqlalchemy as sa

    folder = tmp_path_factory.mktemp("snapshot")
    if ON_POSTGRES:
        url, path = _pg_clean_database(request.getfixturevalue("pg_template")), None
    else:
        path = folder / "snapshot.db"
        shutil.copy(request.getfixturevalue("migrated_template"), path)
        url = f"sqlite:///{path}"
    app = create_app(_test_config(url, folder / "evidence"))
    snapshot = Snapshot(ids=build(app), evidence=folder / "evidence", sqlite_file=path)
    with app.app_context():
        if ON_POSTGRES:
            with _db.engine.connect() as conn:
                tables = sa.MetaData()
                tables.reflect(conn)
                for table in tables.sorted_tables:
                    rows = [dict(r) for r in conn.execute(table.select()).mappings()]
                    if table.name != "alembic_version" and rows:
                        snapshot.rows.append((table, rows))
                snapshot.sequences = [tuple(r) for r in conn.exec_driver_sql(
                    "SELECT sequencename, last_value FROM pg_sequences "
                    "WHERE schemaname = 'public' AND last_value IS NOT NULL")]
        _db.engine.dispose()
    return snapshot


def restore_snapshot(request, tmp_path, snapshot: Snapshot) -> str:
    """A database for one test holding exactly the snapshot (the `app` fixture's evidence folder too)."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    if snapshot.evidence.exists():
        shutil.copytree(snapshot.evidence, tmp_path / "evidence")
    if not ON_POSTGRES:
        path = tmp_path / "test.db"
        shutil.copy(snapshot.sqlite_file, path)
        return f"sqlite:///{path}"
    url = _pg_clean_database(request.getfixturevalue("pg_template"))
    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table, rows in snapshot.rows:
            conn.execute(table.insert(), rows)
        for name, value in snapshot.sequences:
            conn.execute(sa.text("SELECT setval(CAST(:name AS regclass), :value)"), {"name": name, "value": value})
    engine.dispose()
    return url


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create an account: make_user(role, email=..., mentor=..., start=...) -> user id."""
    return user_maker(app)


def user_maker(app):
    """The make_user fixture's creator for any app (a snapshot's builder runs outside a test)."""
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


def as_user(app, email):
    """A client of its own, signed in as `email`, and its auth helper (for CSRF tokens)."""
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login(email).status_code == 302
    return client, auth


def read_modules_of(app, uid, quiz_slug):
    """Mark the modules a quiz covers (its `modules:`) read for a trainee, so the quiz opens with its stage."""
    import sqlalchemy as sa

    from onboarding.learning.models import ModuleCompletion

    with app.app_context():
        cur = app.extensions["curriculum"]
        for slug in cur.quizzes[quiz_slug].modules:
            if _db.session.scalar(sa.select(ModuleCompletion.id).where(
                    ModuleCompletion.user_id == uid, ModuleCompletion.module_slug == slug)) is None:
                _db.session.add(ModuleCompletion(user_id=uid, module_slug=slug,
                                                 content_version=cur.modules[slug].version))
        _db.session.commit()


def complete_stages_before(app, uid, stage_number, go=True):
    """Record every requirement of the stages before stage_number for a trainee: modules, quizzes,
    checklist tasks, the job-description signature, past stage 2 the go decision after cold calling (unless
    `go` is false: the decision is then still due) and, past stage 3, a passed role-play."""
    from datetime import datetime, timezone

    import sqlalchemy as sa

    from onboarding.assessment.models import GRADED, QuizAttempt
    from onboarding.learning.models import ModuleCompletion
    from onboarding.mentoring.models import Acknowledgement, RolePlayAttempt, SignOffEvent
    from onboarding.readiness.models import GoDecision

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
            from onboarding.auth.models import User

            _db.session.add(Acknowledgement(trainee_id=uid, document=doc.slug, version=doc.version,
                                            typed_name=_db.session.get(User, uid).full_name))
        if go and stage_number > 2 and _db.session.scalar(sa.select(GoDecision.id)
                                                   .where(GoDecision.trainee_id == uid)) is None:
            _db.session.add(GoDecision(trainee_id=uid, verdict="go", note=""))  # cold calling ends with a go
        if stage_number > 3 and cur.scenarios:
            _db.session.add(RolePlayAttempt(trainee_id=uid, scenario_slug=next(iter(cur.scenarios)), number=1,
                                            allowed=2, scheduled_for=datetime.now(timezone.utc), state="scored",
                                            percent=90.0, passed=True, completed_at=datetime.now(timezone.utc)))
        _db.session.commit()


def ready_for_role_play(app, uid):
    """Put a trainee where a role-play may be scheduled: stages 1 and 2 complete, in stage 3, with every quiz and
    checklist task that the content marks `before_role_play` passed and signed off."""
    from datetime import datetime, timezone

    from onboarding.assessment.models import GRADED, QuizAttempt
    from onboarding.mentoring.models import SignOffEvent

    complete_stages_before(app, uid, 3)
    with app.app_context():
        cur = app.extensions["curriculum"]
        for q in cur.quiz_list:
            if getattr(q, "before_role_play", False):
                _db.session.add(QuizAttempt(user_id=uid, quiz_slug=q.slug, number=1, allowed=q.attempts, state=GRADED,
                                            plan={}, passed=True, percent=100.0, score=1, max_score=1,
                                            graded_at=datetime.now(timezone.utc)))
        for task in cur.tasks.values():
            if getattr(task, "before_role_play", False):
                _db.session.add(SignOffEvent(trainee_id=uid, task_id=task.id, kind="signed"))
        _db.session.commit()


def app_on_file(path):
    """An app on an SQLite file at `path` with the test content, its schema left to the caller (the migration
    tests upgrade it to an old revision, add rows, and go up and down)."""
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "CONTENT_DIR": str(HERE / "content"),
                       "QUIZZES_DIR": str(HERE / "quizzes")})


_demo_seeded = {}  # the folder of this test process' seeded demo database and its evidence files


def _demo_app(folder):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.db'}", "TESTING": True,
                       "SECRET_KEY": "test-secret-key-that-is-long-enough-000", "EVIDENCE_DIR": str(folder / "evidence")})


def seeded_demo(tmp_path_factory, migrated_template, name):
    """An app on its own copy of a database with `seed-demo` run: the demo people, for tests that walk every page
    of every demo role (a generator: use it as a module fixture's body). The demo is seeded once per test process
    (some six seconds) and copied, with its evidence files, for each module that asks."""
    if "folder" not in _demo_seeded:
        seeded = tmp_path_factory.mktemp("demo-seeded")
        shutil.copy(migrated_template, seeded / "demo.db")
        app = _demo_app(seeded)
        assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
        with app.app_context():
            _db.engine.dispose()
        _demo_seeded["folder"] = seeded
    folder = tmp_path_factory.mktemp(name)
    shutil.copy(_demo_seeded["folder"] / "demo.db", folder / "demo.db")
    if (_demo_seeded["folder"] / "evidence").exists():
        shutil.copytree(_demo_seeded["folder"] / "evidence", folder / "evidence")
    app = _demo_app(folder)
    yield app
    with app.app_context():
        _db.engine.dispose()


def staff_and_trainee(make_user) -> dict:
    """Ada (admin), Irene (head of sales), Marco (mentor) and Tom, the trainee Marco mentors: user ids by role."""
    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    return {"admin": make_user("admin", email="admin@example.com", name="Ada Admin"),
            "head": make_user("head", email="head@example.com", name="Irene Head"),
            "mentor": mentor,
            "trainee": make_user("trainee", email="tom@example.com", name="Tom Becker", mentor=mentor)}


def statements_during(app, action) -> tuple:
    """(what `action()` returned, how many SQL statements it sent): the query-count tests' one counter."""
    from sqlalchemy import event

    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        result = action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return result, len(statements)
