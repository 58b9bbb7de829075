"""Words that fit the reader: notices addressed to the trainee they are about ("You are approved…"), counts with
the right plural ("1 trainee assigned", "1 deal"), lists joined as the reader's language joins them, and no
attribute that reads "None"."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from babel.lists import format_list
from markupsafe import Markup

from onboarding.extensions import db
from onboarding.activity.models import ActivityEntry
from onboarding.mentoring.models import RolePlayAttempt
from onboarding.notifications.models import Notification
from onboarding.notifications.services import wording

from .conftest import as_user, ready_for_role_play


@pytest.fixture
def people(make_user):
    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    return {"head": make_user("head", email="head@example.com", name="Irene Head"),
            "mentor": mentor,
            "trainee": make_user("trainee", email="tom@example.com", name="Tom Becker", mentor=mentor),
            "other": make_user("trainee", email="olga@example.com", name="Olga Other")}


def _inbox(app, email):
    client, _ = as_user(app, email)
    return re.sub(r"\s+", " ", client.get("/notifications").get_data(as_text=True))


# ---------------------------------------------------------------- notices addressed to the reader

def test_the_approved_trainee_reads_you_the_mentor_reads_the_name(app, people):
    uid = people["trainee"]
    head, auth = as_user(app, "head@example.com")
    response = head.post(f"/trainees/{uid}/readiness-decision", data={
        "decision": "approved", "note": "Welcome to the team.", "override_reason": "Hired from a competitor.",
        "csrf_token": auth.token("/account/password")})
    assert response.status_code == 302
    assert "You are approved for independent work." in _inbox(app, "tom@example.com")
    assert "Tom Becker is approved" not in _inbox(app, "tom@example.com")
    assert "Tom Becker is approved for independent work." in _inbox(app, "mentor@example.com")


def test_a_withdrawal_is_worded_for_the_trainee_and_for_the_mentor(app, people):
    uid = people["trainee"]
    ready_for_role_play(app, uid)
    with app.app_context():
        for number, scenario in ((1, "school"), (2, "warehouse")):
            db.session.add(RolePlayAttempt(trainee_id=uid, scenario_slug=scenario, number=number, allowed=2,
                                           scheduled_for=datetime.now(timezone.utc) - timedelta(days=3 - number),
                                           state="scored", percent=40.0, passed=False,
                                           completed_at=datetime.now(timezone.utc)))
        db.session.commit()
    head, auth = as_user(app, "head@example.com")
    head.post(f"/trainees/{uid}/decision", data={"hold-decision": "withdraw", "hold-plan": "No progress at all.",
                                                 "confirm": "1", "csrf_token": auth.token("/account/password")})
    assert "The head of sales has withdrawn your training." in _inbox(app, "tom@example.com")
    assert "The head of sales has withdrawn the training of Tom Becker." in _inbox(app, "mentor@example.com")


def _note(uid, kind, link, **params):
    return Notification(user_id=uid, kind=kind, link=link, params=params)


@pytest.mark.parametrize("kind,params,yours,theirs", [
    ("readiness_extended", {"trainee": "Tom Becker", "date": "2027-03-01"},
     "Your training is extended to Mar 1, 2027 with a plan.",
     "The training of Tom Becker is extended to Mar 1, 2027 with a plan."),
    ("readiness_rejected", {"trainee": "Tom Becker"},
     "You are not approved for independent work yet; your training goes on.",
     "Tom Becker is not approved for independent work yet; training goes on."),
    ("role_play_result", {"trainee": "Tom Becker", "trainee_id": 7, "percent": "72.5", "passed": True},
     "Your role-play result: 72.5%, passed.", "Role-play of Tom Becker: 72.5%, passed."),
    ("role_play_result", {"trainee": "Tom Becker", "trainee_id": 7, "percent": "40", "passed": False,
                          "last": True},
     "Your role-play result: 40%, not passed; that was the last attempt.",
     "Role-play of Tom Becker: 40%, not passed; that was the last attempt."),
    ("role_play_cancelled", {"trainee": "Tom Becker"}, "Your role-play is cancelled; it uses up no attempt.",
     "The role-play of Tom Becker is cancelled; it uses up no attempt."),
    ("role_play_rescheduled", {"trainee": "Tom Becker", "trainee_id": 7, "when": "2026-12-02T14:30:00+00:00"},
     "Your role-play is moved to Dec 2, 2026 2:30 PM (UTC).",
     "The role-play of Tom Becker is moved to Dec 2, 2026 2:30 PM (UTC)."),
    ("hold_keep", {"trainee": "Tom Becker"},
     "The head of sales keeps your training going without the certification, with a plan.",
     "The head of sales keeps Tom Becker in training without the certification, with a plan."),
])
def test_each_notice_about_a_trainee_is_worded_for_its_reader(app, kind, params, yours, theirs):
    link = "/role-play/3" if kind.startswith("role_play_") and kind != "role_play_cancelled" else "/trainees/7"
    with app.test_request_context():
        assert wording(_note(7, kind, link, **params)).replace("\u202f", " ") == yours
        assert wording(_note(12, kind, link, **params)).replace("\u202f", " ") == theirs


def test_notices_stored_before_the_trainee_was_named_still_read_right(app):
    """Older rows carry the trainee only in their link; without either, the neutral wording stays."""
    with app.test_request_context():
        assert wording(_note(7, "readiness_approved", "/trainees/7#readiness", trainee="Tom Becker")) == \
            "You are approved for independent work."
        assert wording(_note(70, "readiness_approved", "/trainees/7#readiness", trainee="Tom Becker")) == \
            "Tom Becker is approved for independent work."
        assert wording(_note(7, "role_play_result", "/role-play/3", percent="80", passed=True)) == \
            "Role-play result: 80%, passed."


def test_the_role_play_result_reaches_the_trainee_as_theirs(app, people):
    """Scored through the service: the stored notice names the trainee, so each reader gets their own words."""
    from onboarding.auth.models import User
    from onboarding.mentoring.services import schedule_role_play, submit_scores
    from onboarding.people.services import record_of
    from onboarding.path.service import trainee_progress

    uid = people["trainee"]
    ready_for_role_play(app, uid)
    with app.app_context():
        cur = app.extensions["curriculum"]
        trainee, mentor, head = (db.session.get(User, people[k]) for k in ("trainee", "mentor", "head"))
        scenario = cur.scenarios["school"]
        when = datetime.now(timezone.utc) + timedelta(minutes=5)
        attempt = schedule_role_play(trainee, scenario, when, "Room 2", [mentor, head], head,
                                     trainee_progress(record_of(trainee)), cur)
        attempt.scheduled_for = datetime.now(timezone.utc) - timedelta(minutes=1)
        for evaluator in (mentor, head):
            submit_scores(attempt, scenario, evaluator, {c.id: (c.scale, "Good.") for c in scenario.criteria})
        db.session.commit()
    assert "Your role-play result: 100%, passed." in _inbox(app, "tom@example.com")
    assert "Role-play of Tom Becker: 100%, passed." in _inbox(app, "mentor@example.com")


# ---------------------------------------------------------------- plurals

def test_assigning_one_trainee_says_one_trainee(app, people):
    head, auth = as_user(app, "head@example.com")
    response = head.post("/trainees/assign", data={"trainees": [str(people["other"])], "mentor": people["mentor"],
                                                   "csrf_token": auth.token("/account/password")},
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "1 trainee assigned to the mentor." in html and "trainee(s)" not in html


def test_the_funnel_counts_one_deal_as_one_deal(app, people):
    uid = people["trainee"]
    with app.app_context():
        db.session.add(ActivityEntry(trainee_id=uid, day=date.today(), prospects=1, calls=12, meetings=1,
                                     applications=1, decision_makers=1, deals=1, entered_by=uid))
        db.session.commit()
    client, _ = as_user(app, "tom@example.com")
    funnel = client.get(f"/trainees/{uid}/activity").get_data(as_text=True).split('class="funnel"')[1]
    funnel = re.sub(r"<[^>]+>", "", funnel.split("</ol>")[0])
    for words in ("1 new prospect", "1 decision maker reached", "1 meeting", "1 application", "1 deal"):
        assert re.search(rf"\b{words}\b(?!s)", funnel), words


def test_stage_counts_on_the_trainee_page_agree_with_their_number(app, people):
    head, _ = as_user(app, "head@example.com")
    html = re.sub(r"\s+", " ", head.get(f"/trainees/{people['trainee']}").get_data(as_text=True))
    assert "0 of 1 module," in html and "0 of 1 modules" not in html  # stage 3 has one module
    assert "0 of 1 quiz passed" in html and "0 of 2 modules" in html


def test_a_one_minute_throttle_says_minute(app, people):
    app.config["LOGIN_THROTTLE_MINUTES"] = 1
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = 1
    client = app.test_client()
    from .conftest import AuthActions

    AuthActions(client).login("tom@example.com", "wrong-password-1")
    html = AuthActions(client).login("tom@example.com", "wrong-password-1").get_data(as_text=True)
    assert "Wait 1 minute, then try again." in html


# ---------------------------------------------------------------- lists, and no "None"

def test_lists_are_joined_as_the_readers_language_joins_them(app):
    from onboarding.i18n import join_list

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert join_list(["Hello", "Rules", "Prices"]) == "Hello, Rules, and Prices"
        assert join_list([]) == "" and join_list(["Hello"]) == "Hello"
        joined = join_list([Markup('<a href="/m/a">A</a>'), "<b>"])
        assert joined == Markup('<a href="/m/a">A</a> and &lt;b&gt;')  # links stay links, text is escaped
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        joined = join_list(["أ", "ب", "ج"])
        assert joined == format_list(["أ", "ب", "ج"], locale="ar") and "و" in joined and "," not in joined


def test_the_waits_on_the_dashboard_are_one_list(app, people):
    """What waits on the mentor reads "a, b and c" through join_list, never a Latin comma string built by hand."""
    from onboarding.mentoring.models import SignOffEvent

    uid = people["trainee"]
    with app.app_context():
        db.session.add(SignOffEvent(trainee_id=uid, task_id="proposal", kind="requested"))
        db.session.add(ActivityEntry(trainee_id=uid, day=date.today(), calls=3, entered_by=uid))
        db.session.commit()
    head, _ = as_user(app, "head@example.com")
    html = re.sub(r"\s+", " ", head.get("/").get_data(as_text=True))
    assert "sign-offs requested and ledger days to confirm" in html


def test_no_attribute_reads_none(client):
    html = client.get("/login").get_data(as_text=True)
    assert '="None"' not in html and 'aria-describedby' not in re.search(r'<input[^>]*id="remember"[^>]*>',
                                                                         html).group(0)
