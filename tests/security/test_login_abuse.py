"""Login abuse against the real server: the throttle is counted in the database, so it holds whichever of
several gunicorn workers answers; passwords need a minimum length and may not be common ones."""
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from onboarding.auth.passwords import COMMON, MIN_LENGTH, password_problem

from ..conftest import PASSWORD, csrf_token
from ..live import Client, app_env, flask, gunicorn, worker_pids

TESTS = Path(__file__).resolve().parents[1]


def _env(database_url, **limits):
    return app_env(database_url, CONTENT_DIR=TESTS / "content", QUIZZES_DIR=TESTS / "quizzes", **limits)


def _create(env, email):
    flask(env, "create-user", email, "--role", "trainee", "--name", "Someone", "--password-stdin",
          stdin=PASSWORD + "\n")


def _failed_logins(base, emails):
    """Wrong passwords, several at once so that every worker takes some."""
    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(lambda email: Client(base).login(email, "wrong-password-123")[0], emails))


def test_the_account_throttle_holds_across_gunicorn_workers(database_url, tmp_path):
    env = _env(database_url, LOGIN_FAILURES_PER_ACCOUNT=5, LOGIN_FAILURES_PER_ADDRESS=1000)
    _create(env, "victim@example.com")
    _create(env, "bystander@example.com")
    with gunicorn(env, tmp_path, workers=3) as (base, _server, access_log):
        statuses = _failed_logins(base, ["victim@example.com"] * 5)
        assert statuses == [401] * 5
        # From now on even the right password is refused, on whichever worker answers.
        for _ in range(6):
            status, html, _headers = Client(base).login("victim@example.com", PASSWORD)
            assert status == 429, status
            assert "Too many failed attempts" in html
        assert Client(base).login("bystander@example.com", PASSWORD)[0] == 302  # only that account is held
        assert len(worker_pids(access_log, "/login")) >= 2, "one worker answered every request: nothing was shared"


def test_the_address_throttle_holds_across_gunicorn_workers(database_url, tmp_path):
    env = _env(database_url, LOGIN_FAILURES_PER_ACCOUNT=1000, LOGIN_FAILURES_PER_ADDRESS=8)
    _create(env, "victim@example.com")
    with gunicorn(env, tmp_path, workers=3) as (base, _server, access_log):
        statuses = _failed_logins(base, [f"guess{i}@example.com" for i in range(8)])
        assert statuses == [401] * 8
        for _ in range(4):
            assert Client(base).login("victim@example.com", PASSWORD)[0] == 429
        assert len(worker_pids(access_log, "/login")) >= 2


def test_a_successful_login_is_not_throttled_below_the_limit(database_url, tmp_path):
    env = _env(database_url, LOGIN_FAILURES_PER_ACCOUNT=5, LOGIN_FAILURES_PER_ADDRESS=1000)
    _create(env, "victim@example.com")
    with gunicorn(env, tmp_path, workers=2) as (base, _server, _log):
        assert _failed_logins(base, ["victim@example.com"] * 4) == [401] * 4
        assert Client(base).login("victim@example.com", PASSWORD)[0] == 302


@pytest.mark.parametrize("password", sorted(COMMON))
def test_every_common_password_is_refused(password):
    assert password_problem(password) is not None
    assert password_problem(password.upper()) is not None


@pytest.mark.parametrize("password", ["Password2024!", "Welcome123!", "P@ssw0rd2025", "!!Dragon2024", "Summer2026!",
                                      "passwordpassword", "Calder2024!", "2024-01-01!!", "asdfghjkl123", "Qwertyuiop"])
def test_common_words_dressed_with_digits_and_symbols_are_refused(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize("password", ["", "a", "short-9", "x" * (MIN_LENGTH - 1)])
def test_short_passwords_are_refused(password):
    assert password_problem(password) is not None


def test_a_long_uncommon_password_is_accepted():
    assert password_problem("plum-violet-harbour-42", "someone@example.com") is None


@pytest.mark.parametrize("password", ["password123", "short", "1111111111", "QwertyUIOP"])
def test_every_way_to_set_a_password_applies_the_policy(app, client, auth, make_user, runner, password):
    """The command line, the admin's new account and reset forms, and the change-password form."""
    from onboarding.auth.models import User
    from onboarding.extensions import db

    result = runner.invoke(args=["create-user", "alexandra@example.com", "--role", "trainee", "--name", "A",
                                 "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0
    admin = make_user("admin", email="admin@example.com")
    victim = make_user("trainee", email="alexandra@example.com")
    auth.login("admin@example.com")
    response = client.post("/admin/users/new", data={"email": "new@example.com", "full_name": "New", "role": "trainee",
                                                     "password": password, "csrf_token": csrf_token(client, "/admin/users/new")})
    assert response.status_code == 400
    response = client.post(f"/admin/users/{victim}/password", data={
        "password": password, "confirm": password, "csrf_token": csrf_token(client, f"/admin/users/{victim}")})
    assert response.status_code in (200, 400)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    auth.login("alexandra@example.com")
    response = client.post("/account/password", data={"current": PASSWORD, "password": password, "confirm": password,
                                                      "csrf_token": csrf_token(client, "/account/password")})
    assert response.status_code in (200, 400)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id)).where(User.email == "new@example.com")) == 0
        assert db.session.get(User, victim).check_password(PASSWORD)
        assert admin
