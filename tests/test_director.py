"""The director (general manager): reads what a head of sales reads, records their own check on a trainee, and
changes nothing else. The route-by-role matrix (tests/test_access.py) covers every route; these check what the
pages show and what the check records."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.people.models import TraineeRecord
from onboarding.readiness.decisions import DecisionError, director_check
from onboarding.readiness.models import DirectorCheck, ReadinessDecision
from onboarding.timeutil import today

from .conftest import as_user
from .test_readiness import _make_ready


@pytest.fixture
def people(app, make_user):
    ids = {"mentor": make_user("mentor", email="marco@example.com", name="Marco Mentor"),
           "head": make_user("head", email="hana@example.com", name="Hana Head"),
           "director": make_user("director", email="dan@example.com", name="Dan Director")}
    ids["trainee"] = make_user("trainee", email="tia@example.com", name="Tia Trainee", mentor=ids["mentor"],
                               start=today() - timedelta(days=120))
    return ids


def _token(client, path):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True))[1]


def _post_forms(html):
    """The action of every POST form on a page."""
    return re.findall(r'<form\b[^>]*method="post"[^>]*action="([^"]*)"|<form\b[^>]*action="([^"]*)"[^>]*method="post"',
                      html)


def test_the_director_lands_on_the_dashboard_and_reads_every_trainee_page_without_a_write_form(app, people):
    client = as_user(app, "dan@example.com")[0]
    home = client.get("/").get_data(as_text=True)
    assert "Tia Trainee" in home and 'name="trainees"' not in home  # the dashboard, without bulk assignment
    assert 'href="/cohort"' in home and 'href="/mentors"' in home and 'href="/inbox"' not in home
    uid = people["trainee"]
    for path in (f"/trainees/{uid}", f"/trainees/{uid}/checklist", f"/trainees/{uid}/activity",
                 f"/trainees/{uid}/role-play", f"/trainees/{uid}/supervision", f"/trainees/{uid}/report",
                 f"/trainees/{uid}/timeline", "/cohort", "/mentors", "/job-description/signatures"):
        response = client.get(path)
        assert response.status_code == 200, path
        actions = {a or b for a, b in _post_forms(response.get_data(as_text=True))}
        allowed = {"/logout", f"/trainees/{uid}/director-check"}
        assert actions <= allowed, (path, actions - allowed)
    assert client.get("/trainees.csv").status_code == 200


def test_the_check_is_recorded_shown_and_audited(app, people):
    client = as_user(app, "dan@example.com")[0]
    uid = people["trainee"]
    page = client.get(f"/trainees/{uid}").get_data(as_text=True)
    assert "No check by the director yet." in page and f'action="/trainees/{uid}/director-check"' in page
    answer = client.post(f"/trainees/{uid}/director-check",
                         data={"verdict": "satisfied", "note": "Met two clients with her: calm and precise.",
                               "csrf_token": _token(client, f"/trainees/{uid}")})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/trainees/{uid}#director-checks")
    with app.app_context():
        check = db.session.scalar(sa.select(DirectorCheck))
        assert (check.trainee_id, check.director_id, check.verdict) == (uid, people["director"], "satisfied")
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "director_check"))
        assert event.actor_id == people["director"] and event.trainee_id == uid
    for email in ("hana@example.com", "marco@example.com", "tia@example.com"):  # everyone who reads the page sees it
        shown = as_user(app, email)[0].get(f"/trainees/{uid}").get_data(as_text=True)
        assert "Met two clients with her: calm and precise." in shown and "by Dan Director" in shown
        assert "/director-check" not in shown  # only the director has the form
    log = as_user(app, "hana@example.com")[0].get("/audit").get_data(as_text=True)
    assert "Director&#39;s check" in log or "Director's check" in log


@pytest.mark.parametrize("data, message", [
    ({"note": "Seen."}, "Choose satisfied or not yet."),
    ({"verdict": "satisfied", "note": "  "}, "Write a note: what you checked and what you saw."),
    ({"verdict": "maybe", "note": "Seen."}, "Not a valid choice"),
    ({"verdict": "not_yet", "note": "x" * 4001}, "4000"),
])
def test_a_refused_check_comes_back_with_what_was_typed(app, people, data, message):
    client = as_user(app, "dan@example.com")[0]
    uid = people["trainee"]
    answer = client.post(f"/trainees/{uid}/director-check",
                         data={**data, "csrf_token": _token(client, f"/trainees/{uid}")})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and message in html
    if data.get("note", "").strip() and len(data["note"]) <= 4000:
        assert data["note"] in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DirectorCheck)) == 0


def test_the_check_needs_csrf(app, people):
    client = as_user(app, "dan@example.com")[0]
    answer = client.post(f"/trainees/{people['trainee']}/director-check", data={"verdict": "satisfied", "note": "x"})
    assert answer.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DirectorCheck)) == 0


def test_only_the_director_records_a_check_in_the_service_too(app, people):
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == people["trainee"]))
        for role in ("head", "mentor"):
            with pytest.raises(DecisionError):
                director_check(rec, db.session.get(User, people[role]), "satisfied", "A look.")
        with pytest.raises(DecisionError):
            director_check(rec, db.session.get(User, people["director"]), "great", "A look.")


def test_the_heads_decision_keeps_the_directors_checks_in_its_evidence(app, people):
    uid = people["trainee"]
    _make_ready(app, uid)
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        director_check(rec, db.session.get(User, people["director"]), "not_yet", "One more meeting, please.")
        db.session.commit()
    client, _auth = as_user(app, "hana@example.com")
    answer = client.post(f"/trainees/{uid}/readiness-decision",
                         data={"decision": "approved", "note": "Ready.", "csrf_token": _token(client, f"/trainees/{uid}")})
    assert answer.status_code == 302
    with app.app_context():
        evidence = db.session.scalar(sa.select(ReadinessDecision)).evidence
    [kept] = evidence["director_checks"]
    assert (kept["verdict"], kept["note"], kept["director"]) == ("not_yet", "One more meeting, please.", "Dan Director")


def test_the_director_reads_the_api_list_and_no_write(app, people):
    from onboarding.api.tokens import create_token

    with app.app_context():
        token = create_token(db.session.get(User, people["director"]), "Board pack")
        db.session.commit()
    client = app.test_client()
    answer = client.get("/api/v1/trainees", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and [t["full_name"] for t in answer.get_json()["items"]] == ["Tia Trainee"]
    assert client.get(f"/api/v1/trainees/{people['trainee']}",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200
