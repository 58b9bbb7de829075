"""CSRF: every POST route refuses a request without a valid token and changes nothing.
Safe methods: no GET, on any route and for any persona who may open it, changes a row."""
import re

import pytest

from ..test_access import MATRIX, PERSONAS, _login, _url, _world_snapshot, database_url, world  # noqa: F401  (fixtures)
from ._db import changed_tables, snapshot

#: POST routes that take no CSRF token, and why. Mail providers post the one-click unsubscribe (RFC 8058) without
#: a session: the signed token in its address is the proof (tests/test_mail.py checks forged ones change nothing).
CSRF_EXEMPT = {"mail.unsubscribe": "onboarding.mail.views.unsubscribe"}
POSTS = sorted((endpoint for endpoint, method in MATRIX if method == "POST" and endpoint not in CSRF_EXEMPT))
GETS = sorted((endpoint for endpoint, method in MATRIX if method == "GET"))


def _allowed_persona(endpoint, method):
    """Someone the matrix lets through (the CSRF check must stop even them), signed in when possible."""
    expected = MATRIX[(endpoint, method)]
    for persona in ("trainee", "mentor", "head", "admin", "other_trainee", "unassigned_mentor", "anonymous"):
        if expected[persona] == "allow":
            return persona
    return "admin"


def _rule(app, endpoint, method):
    return next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)


def _token(client):
    html = client.get("/account/password").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("endpoint", POSTS)
def test_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(app, client, world, endpoint):
    """No token, a forged one, and a real token of another session: each refused with 400, nothing written."""
    persona = _allowed_persona(endpoint, "POST")
    data = {"email": "trainee@example.com", "password": "correct-horse-battery", "note": "x", "name": "x",
            "calls": "5", "day": "2026-11-03", "typed_name": "Trainee 3"}
    other = app.test_client()
    _login(other, "admin")
    tokens = {"missing": None, "forged": "IjAxMjM0NTY3ODlhYmNkZWYi.Z1x2Yw.forgedsignature000000000000",
              "another session's": _token(other)}
    if persona != "anonymous":
        _login(client, persona)
    url = _url(_rule(app, endpoint, "POST"), world)
    for kind, token in tokens.items():
        before = snapshot(app)
        response = client.post(url, data={**data, **({"csrf_token": token} if token else {})})
        assert response.status_code == 400, f"{persona} POST {url} with a {kind} token answered {response.status_code}"
        assert "expired" in response.get_data(as_text=True)
        assert changed_tables(before, snapshot(app)) == []


def test_only_the_listed_routes_are_exempt_from_csrf(app):
    csrf = app.extensions["csrf"]
    assert csrf._exempt_views == set(CSRF_EXEMPT.values())
    assert {bp.name for bp in csrf._exempt_blueprints} == {"api"}  # bearer tokens, no cookies


def test_the_same_post_with_its_token_goes_through(app, client, world):
    """The refusal above is the token's doing: with a token the same request signs in."""
    from ..conftest import csrf_token

    response = client.post("/login", data={"email": "trainee@example.com", "password": "correct-horse-battery"})
    assert response.status_code == 400
    response = client.post("/login", data={"email": "trainee@example.com", "password": "correct-horse-battery",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]


@pytest.mark.parametrize("endpoint", GETS)
def test_no_get_changes_a_row(app, world, endpoint):
    """Every persona who may open the page (and those who may not) leaves the database as it was."""
    rule = _rule(app, endpoint, "GET")
    url = _url(rule, world)
    for persona in PERSONAS:
        client = app.test_client()
        if persona != "anonymous":
            _login(client, persona)
        before = snapshot(app)
        response = client.get(url)
        assert response.status_code < 500
        assert changed_tables(before, snapshot(app)) == [], f"{persona} GET {url} changed the database"


def test_a_get_that_writes_would_be_caught(app, world):
    """The snapshot sees a change made during a request (guards the guard)."""
    from onboarding.extensions import db
    from onboarding.notifications.models import Notification

    before = snapshot(app)
    with app.app_context():
        db.session.add(Notification(user_id=world["trainee"], kind="extra_attempt", params={}, link="/"))
        db.session.commit()
    assert changed_tables(before, snapshot(app)) == ["mail_outbox", "notifications"]  # with its e-mail
