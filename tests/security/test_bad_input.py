"""Bad input never makes a 500: hypothesis fills every form of every POST route, the query strings of every
page and every API parameter with generated values (in the testing app an exception would surface here)."""
import re

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings, strategies as st

from ..test_access import MATRIX, _login, _url, _world_snapshot, database_url, world  # noqa: F401  (fixtures)

SETTINGS = settings(max_examples=10, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

NASTY = st.sampled_from([
    "", " ", "0", "-1", "1.5", "1e309", "NaN", "inf", "-0", "99999999999999999999999", str(2**31), str(2**63),
    "2026-02-30", "9999-12-31", "9999-12", "0001-01-01", "2026-13-01", "26/11/2026", "2026-11-27T25:61", "\x00", "\ud800".encode(
        "utf-8", "surrogatepass").decode("utf-8", "replace"), "yes", "no", "on", "approved", "extended", "rejected",
    "extend", "withdraw", "sign", "trainee", "mentor", "head", "admin", "root", "o1", "o2", "x" * 5000,
    "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%s%s%n", "{{7*7}}", "١٢٣", "１２３",
    "javascript:alert(1)", "https://example.com/evidence", "mailto:x@y", "a@b", "trainee@example.com",
])
VALUES = st.one_of(NASTY, st.text(max_size=40), st.integers(min_value=-2**70, max_value=2**70).map(str),
                   st.lists(NASTY, min_size=2, max_size=3))


def _form_fields():
    """Every field name of every form in the app, and the names read straight from the request."""
    import onboarding.admin.views  # noqa: F401  (importing registers the forms)
    import onboarding.api.pages  # noqa: F401
    import onboarding.assessment.views  # noqa: F401
    import onboarding.auth.views  # noqa: F401
    import onboarding.mentoring.views  # noqa: F401
    import onboarding.people.views  # noqa: F401
    import onboarding.readiness.views  # noqa: F401

    names, queue = set(), list(FlaskForm.__subclasses__())
    while queue:
        form = queue.pop()
        queue += form.__subclasses__()
        for attr in dir(form):
            field = getattr(form, attr, None)
            if hasattr(field, "field_class"):
                names.add(attr)
    names |= {"answers-0-question_id", "answers-0-points", "answers-0-comment", "answers-1-points", "q-stock",
              "q-pick", "q-pick-present", "score-needs", "comment-needs", "score-closing", "comment-closing",
              "team-name", "team_id", "active", "note", "remember", "next"}
    return sorted(names)


FIELDS = _form_fields()
QUERY = ["page", "per_page", "q", "role", "status", "action", "actor", "trainee", "quiz", "reason", "sort",
         "overdue", "waits", "typed", "next", "since", "until", "team", "number", "cohort", "mentor", "stage"]
FORMS = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=10)
QUERIES = st.dictionaries(st.sampled_from(QUERY), VALUES, max_size=5)

PREFERENCE = ("head", "mentor", "trainee", "admin", "other_trainee", "unassigned_mentor", "anonymous")


def _who(endpoint, method):
    row = MATRIX[(endpoint, method)]
    return next((p for p in PREFERENCE if row[p] == "allow"), "admin")


def _signed_in(app, persona):
    client = app.test_client()
    if persona != "anonymous":
        _login(client, persona)
    return client


def _token(client):
    html = client.get("/login" if not client.get_cookie("session") else "/account/password").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return match.group(1) if match else ""


POSTS = sorted(e for e, m in MATRIX if m == "POST")
GETS = sorted(e for e, m in MATRIX if m == "GET")


def _chunks(endpoints, n):
    return [endpoints[i::n] for i in range(n)]


# Accounts can be deactivated or given a new password by the admin's forms: those get a world each.
ISOLATED = [e for e in POSTS if e.startswith("admin.")]
POST_GROUPS = [[e] for e in ISOLATED] + _chunks([e for e in POSTS if e not in ISOLATED], 5)


@pytest.mark.parametrize("endpoints", POST_GROUPS, ids=lambda chunk: chunk[0])
def test_generated_forms_never_fail_the_server(app, world, endpoints):
    """A few routes per test (one world each); hypothesis drives each route's forms."""
    # Generated logins fail by the dozen: keep the throttle from locking out the personas who sign in.
    app.config.update(LOGIN_FAILURES_PER_ADDRESS=10**6, LOGIN_FAILURES_PER_ACCOUNT=10**6)
    for endpoint in endpoints:
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "POST" in r.methods)
        url, persona = _url(rule, world), _who(endpoint, "POST")

        @SETTINGS
        @given(form=FORMS)
        def attempt(form):
            client = _signed_in(app, persona)
            response = client.post(url, data={**form, "csrf_token": _token(client)})
            assert response.status_code < 500, f"{persona} POST {url} {form!r}: {response.status_code}"

        attempt()


@pytest.mark.parametrize("endpoints", _chunks(GETS, 4), ids=lambda chunk: chunk[0])
def test_generated_query_strings_never_fail_the_server(app, world, endpoints):
    for endpoint in endpoints:
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "GET" in r.methods)
        url, persona = _url(rule, world), _who(endpoint, "GET")
        client = _signed_in(app, persona)

        @SETTINGS
        @given(query=QUERIES)
        def attempt(query):
            response = client.get(url, query_string=query)
            assert response.status_code < 500, f"{persona} GET {url} {query!r}: {response.status_code}"

        attempt()


SEGMENTS = ["0", "-1", "2147483647", "2147483648", "99999999999999999999", "abc", "1.5", "%00", "..%2f..%2fetc",
            "١", "1e3"]


def test_odd_ids_in_paths_are_404_never_500(app, world):
    client = _signed_in(app, "admin")
    for segment, rule in ((s, r) for s in SEGMENTS for r in app.url_map.iter_rules()):
        if "GET" not in rule.methods or not rule.arguments or rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:int:)?[a-z_]+>", segment, rule.rule)
        path = re.sub(r"<[^>]+>", segment, path)
        assert client.get(path).status_code < 500, path


def test_the_api_takes_any_parameter_without_failing(app, world):
    from onboarding.api.tokens import create_token
    from onboarding.auth.models import User
    from onboarding.extensions import db

    with app.app_context():
        token = create_token(db.session.get(User, world["head"]), "fuzz")
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    @SETTINGS
    @given(query=st.dictionaries(st.sampled_from(["page", "per_page", "q", "status"]), VALUES, max_size=3),
           trainee=st.one_of(st.integers(min_value=-5, max_value=2**40).map(str), NASTY))
    def attempt(query, trainee):
        assert client.get("/api/v1/trainees", query_string=query, headers=headers).status_code < 500
        assert client.get(f"/api/v1/trainees/{trainee}", headers=headers).status_code < 500

    attempt()


def test_any_authorization_header_is_401_never_500(app):
    client = app.test_client()

    @settings(max_examples=40, deadline=None, derandomize=True)
    @given(header=st.one_of(st.text(max_size=80), st.sampled_from(["Bearer", "Bearer ", "Bearer x", "Basic abc",
                                                                    "bearer " + "A" * 5000, "Bearer \x00"])))
    def attempt(header):
        value = header.encode("latin-1", "replace").decode("latin-1")
        assert client.get("/api/v1/me", headers={"Authorization": value}).status_code == 401

    attempt()


@pytest.mark.parametrize("where", ["query", "form"])
def test_a_nul_character_is_refused_not_a_500(app, world, where):
    """PostgreSQL cannot hold NUL: the audit filter once answered 500 for ?action=%00 there."""
    client = _signed_in(app, "head")
    if where == "query":
        response = client.get("/audit", query_string={"action": "\x00"})
    else:
        response = client.post("/targets", data={"team-name": "a\x00b", "csrf_token": _token(client)})
    assert response.status_code == 400
