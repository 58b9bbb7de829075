"""Login, logout, one generic message, inactive accounts, throttling that every process sees."""
import sqlalchemy as sa

from onboarding import create_app
from onboarding.audit.models import AuditEvent
from onboarding.auth.models import LoginFailure, User
from onboarding.extensions import db

from .conftest import PASSWORD

GENERIC = "The email or password is not right, or the account is not active."


def test_login_and_logout(client, auth, make_user):
    make_user("trainee", email="sam@example.com")
    response = auth.login("Sam@Example.com ")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    auth.logout()
    assert "/login" in client.get("/").headers["Location"]


def test_logout_needs_post_and_csrf(client, auth, make_user):
    make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout", data={}).status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_login_without_csrf_is_refused(client, make_user):
    make_user("trainee", email="sam@example.com")
    response = client.post("/login", data={"email": "sam@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "/login" in client.get("/").headers["Location"]


def test_wrong_password_unknown_email_and_inactive_get_one_message(client, auth, make_user):
    make_user("trainee", email="sam@example.com")
    make_user("trainee", email="gone@example.com", active=False)
    for email, password in [("sam@example.com", "wrong-password"), ("nobody@example.com", PASSWORD),
                            ("gone@example.com", PASSWORD)]:
        response = auth.login(email, password)
        html = response.get_data(as_text=True)
        assert response.status_code == 401
        assert GENERIC in html
        assert f'value="{email}"' in html  # what was typed is kept
        assert PASSWORD not in html


def test_failed_login_is_audited(app, auth, make_user):
    make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com", "wrong-password")
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "login_failed"))
        assert event.details["email"] == "sam@example.com"


def test_account_is_throttled_after_repeated_failures(app, client, auth, make_user):
    make_user("trainee", email="sam@example.com")
    for _ in range(app.config["LOGIN_FAILURES_PER_ACCOUNT"]):
        assert auth.login("sam@example.com", "wrong-password").status_code == 401
    response = auth.login("sam@example.com")  # even the right password waits now
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert "/login" in client.get("/").headers["Location"]


def test_throttle_is_per_account_and_per_address(app, auth, make_user):
    make_user("trainee", email="sam@example.com")
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = 3
    for i in range(3):
        auth.login(f"someone{i}@example.com", "wrong-password")
    assert auth.login("sam@example.com").status_code == 429  # this address is blocked
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    from .conftest import AuthActions

    assert AuthActions(other).login("sam@example.com").status_code == 302


def test_throttle_holds_across_processes(app, tmp_path, make_user):
    """Two app instances over one database stand for two worker processes."""
    make_user("trainee", email="sam@example.com")
    second = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "CONTENT_DIR": app.config["CONTENT_DIR"], "QUIZZES_DIR": app.config["QUIZZES_DIR"]})
    from .conftest import AuthActions

    first_auth, second_auth = AuthActions(app.test_client()), AuthActions(second.test_client())
    for i in range(app.config["LOGIN_FAILURES_PER_ACCOUNT"]):
        (first_auth if i % 2 else second_auth).login("sam@example.com", "wrong-password")
    assert second_auth.login("sam@example.com").status_code == 429
    assert first_auth.login("sam@example.com").status_code == 429


def test_success_clears_the_account_failures(app, auth, make_user):
    make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com", "wrong-password")
    auth.login("sam@example.com")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LoginFailure.id))) == 0


def test_next_is_followed_only_within_the_site(client, make_user):
    from .conftest import csrf_token

    make_user("trainee", email="sam@example.com")
    token = csrf_token(client)
    response = client.post("/login?next=https://evil.example/", data={
        "email": "sam@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_password_is_hashed_with_scrypt(app, make_user):
    uid = make_user("trainee")
    with app.app_context():
        user = db.session.get(User, uid)
        assert user.password_hash.startswith("scrypt:")
        assert PASSWORD not in user.password_hash


def test_change_own_password(client, auth, make_user):
    make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com")
    token = auth.token("/account/password")
    response = client.post("/account/password", data={"current": "not-it", "password": "short", "confirm": "other",
                                                      "csrf_token": token})
    html = response.get_data(as_text=True)
    assert "The current password is not right." in html or "Use at least 10 characters." in html
    response = client.post("/account/password", data={"current": PASSWORD, "password": "a-new-long-secret-9",
                                                      "confirm": "a-new-long-secret-9", "csrf_token": token})
    assert response.status_code == 302
    auth.logout()
    assert auth.login("sam@example.com", "a-new-long-secret-9").status_code == 302


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
