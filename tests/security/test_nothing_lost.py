"""Nothing lost, against the real server (gunicorn, several workers) on the test database:
parallel submissions record one, parallel writes lose no update, a backup taken while the app writes
restores whole, and a worker killed in the middle of writes leaves no partial record and loses nothing
the client saw acknowledged."""
import http.client
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.error
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from onboarding.activity import rules

from ..conftest import ON_POSTGRES, PASSWORD
from ..live import Client, app_env, flask, gunicorn

TESTS = Path(__file__).resolve().parents[1]
FIGURES = ("prospects", "calls", "meetings", "applications", "orders", "referrals", "events", "decision_makers",
           "deals")


def _env(database_url):
    return app_env(database_url, CONTENT_DIR=TESTS / "content", QUIZZES_DIR=TESTS / "quizzes")


def _count(app, sql, **params):
    from onboarding.extensions import db

    with app.app_context():
        value = db.session.execute(sa.text(sql), params).scalar()
        db.session.remove()
        return value


def _signed_in(base, email):
    client = Client(base)
    status, _, _ = client.login(email, PASSWORD)
    assert status == 302
    return client, client.token("/account/password")


def _dispose(app):
    from onboarding.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_rows_written_in_a_savepoint_go_back_with_the_request(app, make_user):
    """A row added in begin_nested() and then rolled back with the request leaves nothing behind (on SQLite a
    bare SAVEPOINT used to start and, on release, commit a transaction of its own)."""
    from onboarding.extensions import db
    from onboarding.notifications.models import Notification

    uid = make_user("trainee", email="savepoint@example.com")
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        with db.session.begin_nested():
            db.session.add(Notification(user_id=uid, kind="extra_attempt", params={}, link="/"))
        db.session.rollback()
    assert _count(app, "SELECT count(*) FROM notifications WHERE user_id = :u", u=uid) == 0


def test_twenty_parallel_submissions_record_one(app, make_user, database_url, tmp_path):
    from onboarding.assessment.services import start_attempt
    from onboarding.people.services import record_of
    from onboarding.path.service import trainee_progress
    from onboarding.auth.models import User
    from onboarding.content import curriculum
    from onboarding.extensions import db

    from ..conftest import read_modules_of

    uid = make_user("trainee", email="quick@example.com")
    read_modules_of(app, uid, "basics")  # the quiz opens once its modules are read
    with app.app_context():
        user = db.session.get(User, uid)
        attempt = start_attempt(user, curriculum().quizzes["basics"], trainee_progress(record_of(user)))
        db.session.commit()
        attempt_id = attempt.id
    _dispose(app)
    with gunicorn(_env(database_url), tmp_path, workers=4) as (base, _server, _log):
        client, token = _signed_in(base, "quick@example.com")
        barrier = threading.Barrier(20)

        def submit(_):
            barrier.wait()
            # Nothing answered: the submission carries the confirmation, or the server would ask first.
            return client.post(f"/attempts/{attempt_id}/submit", {"csrf_token": token, "confirm_unanswered": "1"})[0]

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(submit, range(20)))
    assert all(s in (302, 303) for s in statuses), statuses
    assert _count(app, "SELECT count(*) FROM quiz_attempts WHERE user_id = :u", u=uid) == 1
    assert _count(app, "SELECT count(*) FROM quiz_attempts WHERE user_id = :u AND state <> 'in_progress'", u=uid) == 1
    assert _count(app, "SELECT count(*) FROM audit_events WHERE action = 'quiz_submitted'") == 1


def test_parallel_ledger_entries_and_sign_offs_lose_no_update(app, make_user, database_url, tmp_path):
    from ..conftest import complete_stages_before

    mentor = make_user("mentor", email="mentor@example.com")
    uid = make_user("trainee", email="busy@example.com", mentor=mentor, start=date.today() - timedelta(days=120))
    complete_stages_before(app, uid, 3)
    _dispose(app)
    days = [date.today() - timedelta(days=n) for n in range(1, 41)]
    with gunicorn(_env(database_url), tmp_path, workers=4) as (base, _server, _log):
        trainee, trainee_token = _signed_in(base, "busy@example.com")
        coach, coach_token = _signed_in(base, "mentor@example.com")

        def log(n):
            data = {"day": days[n].isoformat(), "note": f"day {n}", "csrf_token": trainee_token,
                    **{f: str(n) for f in FIGURES}}
            return trainee.post(f"/trainees/{uid}/activity", data)[0]

        def sign(task):
            return coach.post(f"/trainees/{uid}/tasks/{task}/sign", {"note": "fine", "csrf_token": coach_token})[0]

        with ThreadPoolExecutor(max_workers=12) as pool:
            logged = list(pool.map(log, range(len(days))))
            signed = list(pool.map(sign, ["proposal", "segmentation"] * 3))
            # The new-day form (never loaded with the day) sent for a logged day: refused, every time.
            plain = list(pool.map(lambda n: trainee.post(f"/trainees/{uid}/activity", {
                "day": days[0].isoformat(), "csrf_token": trainee_token, **{f: str(200 + n) for f in FIGURES}})[0],
                range(4)))
            # Eight windows loaded with the day as log(0) left it, each changing every figure, sent at once.
            version = rules.day_version(days[0], {f: 0 for f in FIGURES}, "day 0")
            same_day = list(pool.map(lambda n: trainee.post(f"/trainees/{uid}/activity", {
                "day": days[0].isoformat(), "csrf_token": trainee_token, "version": version, "note": f"edit {n}",
                **{f: str(100 + n) for f in FIGURES}})[0], range(8)))
    assert logged == [302] * len(days)
    assert _count(app, "SELECT count(*) FROM activity_entries WHERE trainee_id = :u", u=uid) == len(days)
    for n, day in enumerate(days[1:], start=1):
        assert _count(app, "SELECT calls FROM activity_entries WHERE trainee_id = :u AND day = :d", u=uid, d=day) == n
    # The same day changed eight times at once from one loaded version: one change wins whole; the seven others
    # are refused (the day changed after their form was loaded), so none overwrites what it never saw.
    row = _row(app, "SELECT " + ", ".join(FIGURES) + ", note FROM activity_entries WHERE trainee_id = :u AND day = :d",
               u=uid, d=days[0])
    assert len(set(row[:-1])) == 1 and 100 <= row[0] < 108 and row[-1] == f"edit {row[0] - 100}", row
    assert sorted(same_day) == [302] + [400] * 7, same_day
    assert plain == [400] * 4, plain
    assert _count(app, "SELECT count(*) FROM audit_events WHERE action = 'activity_changed'") == 1
    assert sorted(signed) == [302, 302, 400, 400, 400, 400], signed  # one signature each; the repeats refused
    for task in ("proposal", "segmentation"):
        assert _count(app, "SELECT count(*) FROM sign_off_events WHERE trainee_id = :u AND task_id = :t "
                           "AND kind = 'signed'", u=uid, t=task) == 1  # each signed, once
    assert _count(app, "SELECT count(*) FROM audit_events WHERE action = 'activity_logged'") == len(days)


def _row(app, sql, **params):
    from onboarding.extensions import db

    with app.app_context():
        value = tuple(db.session.execute(sa.text(sql), params).one())
        db.session.remove()
        return value


# What a client sees when the worker holding its request is killed: the connection drops before, while or
# after the answer's head is read. Any other exception in a writer is a failure of the test, not a lost request.
_CUT_OFF = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected,
            http.client.IncompleteRead, http.client.BadStatusLine)


def _cut_off(error) -> bool:
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    return isinstance(reason, _CUT_OFF)


def test_a_killed_worker_leaves_no_partial_record_and_loses_no_acknowledged_write(app, make_user, database_url,
                                                                                  tmp_path):
    uid = make_user("trainee", email="steady@example.com", start=date.today() - timedelta(days=400))
    _dispose(app)
    days = [date.today() - timedelta(days=n) for n in range(1, 301)]
    # n -> ("answered", status) | ("cut off", exception name) | ("error", repr): every write sent, and what became of it
    outcomes, spans, lock = {}, {}, threading.Lock()  # spans: n -> (sent, ended) on the monotonic clock
    finished, unexpected = [], []  # writers that went through their whole share; exceptions that ended a writer
    with gunicorn(_env(database_url), tmp_path, workers=3) as (base, server, _log):
        clients = [_signed_in(base, "steady@example.com") for _ in range(4)]

        def writer(k):
            client, token = clients[k]
            try:
                for n in range(k, len(days), len(clients)):
                    data = {"day": days[n].isoformat(), "note": f"n{n}", "csrf_token": token,
                            **{f: str(n) for f in FIGURES}}
                    sent = time.monotonic()
                    try:
                        outcome = ("answered", client.post(f"/trainees/{uid}/activity", data, timeout=20)[0])
                    except Exception as error:  # noqa: BLE001 - sorted below: a cut-off request, or a failure
                        if not _cut_off(error):
                            outcome = ("error", repr(error))
                        else:
                            outcome = ("cut off", type(getattr(error, "reason", error)).__name__)
                    with lock:
                        outcomes[n], spans[n] = outcome, (sent, time.monotonic())
                with lock:
                    finished.append(k)
            except BaseException as error:  # noqa: BLE001 - recorded, so a dead writer fails the test
                with lock:
                    unexpected.append(f"writer {k}: {error!r}")

        killer_done, killed, kill_times = threading.Event(), [], []

        def killer():
            rng = random.Random(7)
            for _ in range(6):
                time.sleep(rng.uniform(0.2, 0.6))
                children = _children(server.pid)
                if children:
                    victim = rng.choice(children)
                    before = time.monotonic()
                    os.kill(victim, signal.SIGKILL)
                    killed.append(victim)
                    kill_times.append((before, time.monotonic()))
            killer_done.set()

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(len(clients))]
        threads.append(threading.Thread(target=killer))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not any(t.is_alive() for t in threads), "a writer or the killer is still running"
        assert killer_done.is_set() and len(killed) >= 4, killed
    assert not unexpected, unexpected
    assert sorted(finished) == list(range(len(clients))), f"writers that stopped early: {finished}"
    # Every write was sent, and each one was answered or cut off by a kill, nothing else.
    assert sorted(outcomes) == list(range(len(days))), "writes never attempted"
    errors = {n: o for n, o in outcomes.items() if o[0] == "error"}
    assert not errors, f"writes that failed other than by a killed worker: {errors}"
    answered = {n: o[1] for n, o in outcomes.items() if o[0] == "answered"}
    odd = {n: status for n, status in answered.items() if status != 302}
    assert not odd, f"writes answered other than by a redirect: {odd}"
    cut_off = sorted(n for n, o in outcomes.items() if o[0] == "cut off")
    # A sync worker holds one request at a time: each kill cuts off at most the one it was serving, and a request
    # is cut off only if a kill happened while it was in flight.
    assert len(cut_off) <= len(killed), f"{len(cut_off)} requests cut off by {len(killed)} kills: {cut_off}"
    unexplained = [(n, outcomes[n][1]) for n in cut_off
                   if not any(spans[n][0] <= after and before <= spans[n][1] for before, after in kill_times)]
    assert not unexplained, f"connections dropped with no kill while they were in flight: {unexplained}"
    acknowledged = sorted(answered)
    assert len(acknowledged) == len(days) - len(cut_off) >= len(days) - len(killed)
    rows = _rows(app, "SELECT day, note, " + ", ".join(FIGURES) + " FROM activity_entries WHERE trainee_id = :u",
                 u=uid)
    stored = {}
    for day, note, *figures in rows:
        n = int(note[1:])
        assert str(day)[:10] == days[n].isoformat() and figures == [n] * len(FIGURES), "a partial or mixed record"
        stored[n] = True
    missing = sorted(set(acknowledged) - set(stored))
    assert not missing, f"acknowledged writes lost: {missing}"
    assert set(stored) <= set(range(len(days)))
    audited = _count(app, "SELECT count(*) FROM audit_events WHERE action = 'activity_logged'")
    assert audited == len(stored), "an entry without its audit event, or the other way round"


def _children(pid):
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except FileNotFoundError:
        out = "\n".join(p.name for p in Path("/proc").iterdir() if p.name.isdigit()
                        and _parent(p) == pid)
    return [int(x) for x in out.split()]


def _parent(proc):
    try:
        return int((proc / "stat").read_text().split(") ")[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _rows(app, sql, **params):
    from onboarding.extensions import db

    with app.app_context():
        rows = [tuple(r) for r in db.session.execute(sa.text(sql), params)]
        db.session.remove()
        return rows


# ---------------------------------------------------------------- backup while the app writes

def _checksums(url):
    """{table: (row count, checksum of the sorted rows)} for every application table."""
    import hashlib

    engine = sa.create_engine(url)
    result = {}
    with engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            rows = sorted(repr(tuple(str(v) for v in row)) for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')))
            result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    engine.dispose()
    return result


def _restore(env, backup, tmp_path):
    """A fresh database holding the backup: the SQLite file itself, or pg_restore into a new database."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    if not ON_POSTGRES:
        target = tmp_path / "restored.db"
        target.write_bytes(Path(backup).read_bytes())
        return f"sqlite:///{target}"
    import psycopg

    url = sa.engine.make_url(env["DATABASE_URL"])
    name = f"restored_{os.getpid()}_{random.randrange(10**6)}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    plain = url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    subprocess.run(["pg_restore", "--no-owner", "--dbname", plain, str(backup)], check=True, capture_output=True)
    return url.set(database=name).render_as_string(hide_password=False)


def test_a_backup_taken_while_the_app_writes_restores_whole(app, make_user, database_url, tmp_path):
    uid = make_user("trainee", email="writer@example.com", start=date.today() - timedelta(days=400))
    _dispose(app)
    env = _env(database_url)
    days = [date.today() - timedelta(days=n) for n in range(1, 121)]
    with gunicorn(env, tmp_path, workers=3) as (base, _server, _log):
        client, token = _signed_in(base, "writer@example.com")
        done = threading.Event()

        def write():
            for n, day in enumerate(days):
                client.post(f"/trainees/{uid}/activity", {"day": day.isoformat(), "csrf_token": token,
                                                          **{f: str(n) for f in FIGURES}})
            done.set()

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.5)
        during = tmp_path / "during.backup"
        flask(env, "backup", str(during))  # while the writes go on
        writer.join(timeout=300)
        assert done.is_set()
        after = tmp_path / "after.backup"
        flask(env, "backup", str(after))
        live = _checksums(database_url)

    # Taken during the writes: a consistent database the app starts on, holding a prefix of the writes.
    restored_during = _restore(env, during, tmp_path / "d")
    snapshot = _checksums(restored_during)
    entries = snapshot["activity_entries"][0]
    assert 0 < entries <= len(days) and set(snapshot) == set(live)
    check_env = dict(env, DATABASE_URL=restored_during)
    flask(check_env, "init-db")  # already at the latest migration: nothing to do, no error
    with gunicorn(check_env, tmp_path / "d", workers=1) as (base, _server, _log):
        assert Client(base).login("writer@example.com", PASSWORD)[0] == 302
    # Taken after: every table equal, row for row.
    assert _checksums(_restore(env, after, tmp_path / "a")) == live
