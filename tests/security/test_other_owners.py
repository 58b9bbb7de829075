"""Access with other people's object ids: two trainees, each with their own mentor.

Every case sends a request that would work (valid form data, a fresh CSRF token) but names an object
of the other pair: trainee A at trainee B's attempt, notification, ledger, signature, token; mentor A
at mentor B's trainee. The attacker gets 403 or 404 and the database does not change. Then the
rightful person sends the same request and it goes through, which proves the request was valid and
that only ownership stopped it.
"""
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from ..conftest import PASSWORD, complete_stages_before, ready_for_role_play
from ._db import changed_tables, snapshot

EMAILS = {"trainee_a": "a.trainee@example.com", "trainee_b": "b.trainee@example.com",
          "mentor_a": "a.mentor@example.com", "mentor_b": "b.mentor@example.com",
          "head": "head@example.com", "admin": "admin@example.com"}


@pytest.fixture
def pairs(app, make_user):
    ids = {"mentor_a": make_user("mentor", email=EMAILS["mentor_a"]),
           "mentor_b": make_user("mentor", email=EMAILS["mentor_b"]),
           "head": make_user("head", email=EMAILS["head"]), "admin": make_user("admin", email=EMAILS["admin"])}
    ids["trainee_a"] = make_user("trainee", email=EMAILS["trainee_a"], mentor=ids["mentor_a"],
                                 start=date.today() - timedelta(days=90))
    ids["trainee_b"] = make_user("trainee", email=EMAILS["trainee_b"], name="Trainee Bee", mentor=ids["mentor_b"],
                                 start=date.today() - timedelta(days=90))
    ids["trainee_c"] = make_user("trainee", email="c.trainee@example.com", mentor=ids["mentor_b"],
                                 start=date.today() - timedelta(days=90))
    complete_stages_before(app, ids["trainee_b"], 3)
    ready_for_role_play(app, ids["trainee_c"])  # the rightful mentor may schedule their role-play
    from onboarding.api.models import ApiToken
    from onboarding.api.tokens import create_token
    from onboarding.assessment.services import start_attempt, submit
    from onboarding.people.services import record_of
    from onboarding.path.service import trainee_progress
    from onboarding.auth.models import User
    from onboarding.content import curriculum
    from onboarding.extensions import db
    from onboarding.activity.models import ActivityEntry
    from onboarding.mentoring.models import Acknowledgement, RolePlayAttempt, RolePlayEvaluator
    from onboarding.notifications.models import Notification

    import sqlalchemy as sa

    with app.app_context():
        b = db.session.get(User, ids["trainee_b"])
        written = curriculum().quizzes["written"]
        graded = start_attempt(b, written, trainee_progress(record_of(b)))
        submit(graded, written, {"stock": "The DL-70 from stock.", "pick": "o1"}, b)
        db.session.flush()
        from onboarding.assessment import grading
        from onboarding.assessment.models import QuizAttempt

        open_attempt = QuizAttempt(user_id=b.id, quiz_slug="written", number=2, allowed=written.attempts,
                                   state="in_progress", plan=grading.plan_attempt(written, 7))
        note = Notification(user_id=b.id, kind="extra_attempt", params={"quiz": "Written test"}, link="/")
        entry = ActivityEntry(trainee_id=b.id, day=date.today() - timedelta(days=1), calls=10, entered_by=b.id)
        ack = db.session.scalar(sa.select(Acknowledgement).where(Acknowledgement.trainee_id == b.id))
        role_play = RolePlayAttempt(trainee_id=b.id, scenario_slug="school", number=1, allowed=2,
                                    scheduled_for=datetime.now(timezone.utc), state="scheduled")
        db.session.add_all([open_attempt, note, entry, role_play])
        db.session.flush()
        db.session.add_all([RolePlayEvaluator(attempt_id=role_play.id, evaluator_id=ids["mentor_b"]),
                            RolePlayEvaluator(attempt_id=role_play.id, evaluator_id=ids["head"])])
        create_token(b, "B's token")
        db.session.commit()
        ids.update(graded=graded.id, open_attempt=open_attempt.id, note=note.id, entry=entry.id, ack=ack.id,
                   role_play=role_play.id, token=db.session.scalar(sa.select(ApiToken.id)))
    return ids


def _signed_in(app, who):
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"email": EMAILS[who], "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    return client


def _csrf(client):
    html = client.get("/account/password").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


TODAY = date.today().isoformat()
FIGURES = {"prospects": "3", "calls": "12", "meetings": "1", "applications": "0", "orders": "0", "referrals": "0",
           "events": "0", "decision_makers": "2", "deals": "0"}

# (name, attacker, rightful, method, path template, form data)
CASES = [
    ("quiz attempt page", "trainee_a", "trainee_b", "GET", "/attempts/{graded}", None),
    ("save another's answers", "trainee_a", "trainee_b", "POST", "/attempts/{open_attempt}/save",
     {"q-stock": "Planted answer"}),
    ("submit another's attempt", "trainee_a", "trainee_b", "POST", "/attempts/{open_attempt}/submit",
     {"q-stock": "Planted answer"}),
    ("grading page", "mentor_a", "mentor_b", "GET", "/attempts/{graded}/grade", None),
    ("grade another mentor's trainee", "mentor_a", "mentor_b", "POST", "/attempts/{graded}/grade",
     {"answers-0-question_id": "stock", "answers-0-points": "3", "answers-0-comment": "Good"}),
    ("open another's notification", "trainee_a", "trainee_b", "POST", "/notifications/{note}/open", {}),
    ("ledger page", "trainee_a", "trainee_b", "GET", "/trainees/{trainee_b}/activity", None),
    ("log on another's ledger", "trainee_a", "trainee_b", "POST", "/trainees/{trainee_b}/activity",
     {"day": TODAY, **FIGURES, "note": "planted"}),
    ("ledger of another mentor's trainee", "mentor_a", "mentor_b", "GET", "/trainees/{trainee_b}/activity", None),
    ("confirm another mentor's ledger entry", "mentor_a", "mentor_b", "POST", "/activity/{entry}/confirm", {}),
    ("correct another mentor's ledger entry", "mentor_a", "mentor_b", "POST", "/activity/{entry}/correct",
     {**FIGURES, "note": "Corrected figures"}),
    ("trainee page of another mentor's trainee", "mentor_a", "mentor_b", "GET", "/trainees/{trainee_b}", None),
    ("another trainee's page", "trainee_a", "trainee_b", "GET", "/trainees/{trainee_b}", None),
    ("checklist", "trainee_a", "trainee_b", "GET", "/trainees/{trainee_b}/checklist", None),
    ("ask a sign-off for another", "trainee_a", "trainee_b", "POST", "/trainees/{trainee_b}/tasks/proposal/request",
     {"note": "Please sign", "evidence": ""}),
    ("sign off another mentor's trainee", "mentor_a", "mentor_b", "POST",
     "/trainees/{trainee_b}/tasks/proposal/sign", {"note": "Signed"}),
    ("role-play page", "mentor_a", "mentor_b", "GET", "/trainees/{trainee_b}/role-play", None),
    ("schedule a role-play for another mentor's trainee", "mentor_a", "mentor_b", "POST",
     "/trainees/{trainee_c}/role-play",
     {"scenario": "school", "when": (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"), "place": "Room 1",
      "evaluators": ["{mentor_b}", "{head}"]}),
    ("score another's role-play", "mentor_a", "mentor_b", "POST", "/role-play/{role_play}",
     {"score-needs": "4", "comment-needs": "ok", "score-closing": "4", "comment-closing": "ok"}),
    ("role-play attempt page", "trainee_a", "trainee_b", "GET", "/role-play/{role_play}", None),
    ("supervision page", "mentor_a", "mentor_b", "GET", "/trainees/{trainee_b}/supervision", None),
    ("signed copy of another's signature", "trainee_a", "trainee_b", "GET", "/signatures/{ack}", None),
    ("revoke another's API token", "trainee_a", "trainee_b", "POST", "/account/tokens/{token}/revoke",
     {"confirm": "1"}),
    ("readiness report", "mentor_a", "mentor_b", "GET", "/trainees/{trainee_b}/report", None),
    ("another trainee's readiness report", "trainee_a", "trainee_b", "GET", "/trainees/{trainee_b}/report", None),
    ("activity export", "trainee_a", "trainee_b", "GET", "/trainees/{trainee_b}/activity.csv", None),
    ("timeline", "mentor_a", "mentor_b", "GET", "/trainees/{trainee_b}/timeline", None),
    ("recommend another mentor's trainee", "mentor_a", "mentor_b", "POST", "/trainees/{trainee_b}/recommendation",
     {"recommends": "yes", "note": "Ready"}),
]


def _fill(value, ids):
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value.format(**ids) if isinstance(value, str) else value


@pytest.mark.parametrize("name,attacker,rightful,method,path,data", CASES, ids=[c[0] for c in CASES])
def test_someone_elses_object_is_refused(app, pairs, name, attacker, rightful, method, path, data):
    url = path.format(**pairs)
    if not _safe_match(app.url_map.bind("localhost"), url, method):
        pytest.skip(f"no route {method} {url} in this version")
    form = {key: _fill(value, pairs) for key, value in (data or {}).items()}
    for who, expect_refusal in ((attacker, True), (rightful, False)):
        client = _signed_in(app, who)
        before = snapshot(app)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={**form, "csrf_token": _csrf(client)})
        changes = changed_tables(before, snapshot(app))
        if expect_refusal:
            assert response.status_code in (403, 404), f"{who} {method} {url} answered {response.status_code}"
            assert changes == [], f"{who} {method} {url} changed {changes}"
        else:
            assert response.status_code in (200, 302), (
                f"the rightful {who} {method} {url} answered {response.status_code}: the case's request is not valid "
                + response.get_data(as_text=True)[:3000])
            if method == "POST":
                assert changes, f"the rightful {who} {method} {url} changed nothing: the case proves nothing"


def _safe_match(adapter, url, method):
    from werkzeug.exceptions import HTTPException

    try:
        adapter.match(url, method=method)
        return True
    except HTTPException:
        return False


@pytest.mark.parametrize("who,expected", [("trainee_a", 403), ("mentor_a", 403), ("mentor_b", 200), ("head", 200),
                                          ("trainee_b", 200)])
def test_api_detail_of_another_mentors_trainee(app, pairs, who, expected):
    from onboarding.api.tokens import create_token
    from onboarding.auth.models import User
    from onboarding.extensions import db

    with app.app_context():
        token = create_token(db.session.get(User, pairs[who]), "probe")
        db.session.commit()
    client = app.test_client()
    response = client.get(f"/api/v1/trainees/{pairs['trainee_b']}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == expected
    listing = client.get("/api/v1/trainees?per_page=100", headers={"Authorization": f"Bearer {token}"})
    if who.startswith("mentor"):
        listed = {item["id"] for item in listing.get_json()["items"]}
        assert (pairs["trainee_b"] in listed) == (who == "mentor_b") and (pairs["trainee_a"] in listed) == (who == "mentor_a")
