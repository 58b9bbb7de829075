"""Headers on every answer, cookies and their lifetimes, production refusals, error pages without tracebacks."""
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from ..conftest import PASSWORD, csrf_token
from ..test_access import MATRIX, PERSONAS, _login, _url, _world_snapshot, database_url, world  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k" * 20 + "-a-strong-production-key-0123456789"


def _csp(response):
    policy = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def assert_safe_headers(response, where):
    csp = _csp(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, f"{where}: no script-src in the CSP"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts), where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("object-src") == ["'none'"] and csp.get("base-uri") == ["'self'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert response.headers.get("X-Frame-Options") == "DENY", where


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)


@pytest.mark.sqlite_only  # headers and templates do not depend on the database
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_has_the_headers_and_no_inline_script(app, world, persona):
    """Each GET of the matrix, as each persona; pages also carry no inline script, handler or style attribute
    (the CSP would block them in the browser)."""
    client = app.test_client()
    if persona != "anonymous":
        _login(client, persona)
    checked = 0
    for endpoint, method in MATRIX:
        if method != "GET":
            continue
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        url = _url(rule, world)
        response = client.get(url)
        assert_safe_headers(response, f"{persona} GET {url}")
        if response.status_code == 200 and response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            assert not INLINE_SCRIPT.search(html), f"inline <script> on {url}"
            assert not EVENT_ATTRIBUTE.search(html), f"event handler attribute on {url}"
            assert not STYLE_ATTRIBUTE.search(html), f"style attribute on {url} (blocked by style-src 'self')"
            checked += 1
    assert checked >= (1 if persona == "anonymous" else 3)


@pytest.mark.parametrize("path,status", [("/no-such-page", 404), ("/static/css/app.css", 200), ("/healthz", 200),
                                         ("/api/v1/me", 401), ("/api/v1/openapi.json", 200)])
def test_errors_static_files_and_json_have_the_headers_too(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_safe_headers(response, path)


def test_a_crash_shows_a_friendly_page_without_a_traceback(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret-internal-detail /etc/passwd")

    response = client.get("/boom-for-test")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in html and "secret-internal-detail" not in html and "RuntimeError" not in html
    assert "Something went wrong" in html
    assert_safe_headers(response, "500 page")


def test_a_bad_request_shows_no_details(client):
    response = client.post("/login", data={"email": "x"})  # no CSRF token
    assert response.status_code == 400
    assert "CSRF" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)


def _cookies(response):
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def _sign_in(client, remember):
    data = {"email": "trainee@example.com", "password": PASSWORD, "csrf_token": csrf_token(client)}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return _cookies(response)


def test_session_and_remember_cookies_are_httponly_lax_and_short_lived(app, client, make_user):
    make_user("trainee", email="trainee@example.com")
    cookies = _sign_in(client, remember=True)
    session, remember = cookies["session"], cookies["remember_token"]
    for cookie in (session, remember):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # development: plain http on loopback
    expires = re.search(r"Expires=([^;]+)", remember).group(1)
    lifetime = parsedate_to_datetime(expires) - datetime.now(timezone.utc)
    assert timedelta(days=1) < lifetime <= timedelta(days=31), lifetime
    session_expiry = re.search(r"Expires=([^;]+)", session)
    if session_expiry:  # a permanent session: hours, not Flask's 31 days
        assert parsedate_to_datetime(session_expiry.group(1)) - datetime.now(timezone.utc) <= timedelta(hours=24)
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= timedelta(hours=24)
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=31)


def test_production_cookies_are_secure(database_url, content_dir, quizzes_dir, monkeypatch, make_user):
    from onboarding import create_app

    monkeypatch.setenv("ONBOARDING_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "CONTENT_DIR": str(content_dir),
                      "QUIZZES_DIR": str(quizzes_dir)})
    from onboarding.extensions import db
    from onboarding.people.services import create_user

    with app.app_context():
        create_user("trainee@example.com", "T", "trainee", PASSWORD, None)
        db.session.commit()
    client = app.test_client()
    cookies = _sign_in(client, remember=True)
    assert "Secure" in cookies["session"] and "Secure" in cookies["remember_token"]
    with app.app_context():
        db.engine.dispose()


def test_a_changed_password_ends_other_sessions(app, make_user):
    make_user("trainee", email="trainee@example.com")
    stolen, owner = app.test_client(), app.test_client()
    _sign_in(stolen, remember=False)
    _sign_in(owner, remember=False)
    assert stolen.get("/").status_code == 200
    token = csrf_token(owner, "/account/password")
    response = owner.post("/account/password", data={"current": PASSWORD, "password": "a-new-long-pass-9",
                                                      "confirm": "a-new-long-pass-9", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert "/login" in stolen.get("/").headers.get("Location", "")


@pytest.mark.parametrize("extra", [{}, {"SECRET_KEY": "short"}, {"SECRET_KEY": "development-only-secret-key"},
                                   {"SECRET_KEY": STRONG, "FLASK_DEBUG": "1"}])
def test_production_refuses_to_start_without_a_strong_key_or_with_debug(tmp_path, extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_DEBUG")}
    env.update(ONBOARDING_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", **extra)
    result = subprocess.run([sys.executable, "-c", "from app import app"], cwd=ROOT, env=env, capture_output=True,
                            text=True)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr or "Debug" in result.stderr


def test_production_with_a_strong_key_starts(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG",)}
    env.update(ONBOARDING_ENV="production", SECRET_KEY=STRONG, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    result = subprocess.run([sys.executable, "-c", "from app import app; print(app.debug)"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "False", result.stderr
