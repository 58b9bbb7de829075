"""The path rules of mentoring: sign-offs follow the stages, supervision belongs to stage 4, ledger days lie from the
start date to today, and a trainee who has not started yet sees when and how they start.

Each rule is tested as a pure function (every branch and boundary), then broken through HTTP as trainee, mentor,
head and admin."""
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding.extensions import db
from onboarding.mentoring import rules
from onboarding.activity import rules as activity_rules
from onboarding.activity.models import ActivityEntry, SupervisionNote
from onboarding.mentoring.models import SignOffEvent
from onboarding.readiness.models import GoDecision

from .conftest import AuthActions, complete_stages_before, as_user as signed_in

TODAY = date(2026, 11, 30)  # a Monday
START = date(2026, 11, 2)
STAFF = ("mentor", "head", "admin")
EMAILS = {"trainee": "sam@example.com", "mentor": "mentor@example.com", "head": "head@example.com",
          "admin": "admin@example.com"}
FIGURES = {f: "1" for f in activity_rules.FIGURES}


# ---------------------------------------------------------------- the pure rules

@pytest.mark.parametrize("kind,state,allowed", [
    (rules.REQUESTED, "open", True), (rules.REQUESTED, "complete", True), (rules.REQUESTED, "locked", False),
    (rules.REQUESTED, None, False),
    (rules.SIGNED, "open", True), (rules.SIGNED, "complete", True), (rules.SIGNED, "locked", False),
    (rules.SIGNED, None, False),
    (rules.RETURNED, "locked", True), (rules.REVOKED, "locked", True),  # undoing stays possible whatever the stage
    (rules.RETURNED, "open", True), (rules.REVOKED, "complete", True),
])
def test_a_task_is_asked_for_and_signed_only_once_its_stage_is_open(kind, state, allowed):
    assert rules.stage_allows(kind, state) is allowed


@pytest.mark.parametrize("day,start,today,refusal", [
    (START, START, TODAY, None),  # exactly the start date
    (START - timedelta(days=1), START, TODAY, activity_rules.BEFORE_START),  # the day before
    (TODAY, START, TODAY, None),  # today
    (TODAY + timedelta(days=1), START, TODAY, activity_rules.FUTURE),  # tomorrow
    (TODAY, TODAY, TODAY, None),  # starting today: today is the one day
    (TODAY - timedelta(days=1), TODAY, TODAY, activity_rules.BEFORE_START),
    (TODAY, TODAY + timedelta(days=1), TODAY, activity_rules.NOT_STARTED),  # starts tomorrow: nothing yet
    (TODAY + timedelta(days=1), TODAY + timedelta(days=1), TODAY, activity_rules.NOT_STARTED),
])
def test_ledger_days_lie_from_the_start_date_to_today(day, start, today, refusal):
    assert activity_rules.ledger_day_refusal(day, start, today) == refusal


def test_the_ledger_charts_start_at_the_start_date_at_most_twelve_weeks_back():
    assert activity_rules.ledger_first_day(START, TODAY) == START
    long_ago = TODAY - timedelta(weeks=30)
    assert activity_rules.ledger_first_day(long_ago, TODAY) == TODAY - timedelta(weeks=12)
    assert activity_rules.ledger_first_day(TODAY - timedelta(weeks=12), TODAY) == TODAY - timedelta(weeks=12)
    assert activity_rules.ledger_first_day(TODAY + timedelta(days=6), TODAY) == TODAY + timedelta(days=6)  # after today: none
    weeks = activity_rules.weeks({}, activity_rules.ledger_first_day(date(2026, 11, 4), TODAY), TODAY)
    assert [w.start for w in weeks] == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23),
                                        date(2026, 11, 30)]


OPENED = date(2026, 11, 4)  # a Wednesday: its week starts on Monday 2 November


def test_supervision_weeks_run_from_the_week_stage_4_opened_to_the_current_week():
    expected = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    assert activity_rules.supervision_weeks("open", OPENED, TODAY) == expected
    assert activity_rules.supervision_weeks("complete", OPENED, TODAY) == expected
    assert activity_rules.supervision_weeks("open", TODAY, TODAY) == [TODAY]  # opened today: this week only
    assert activity_rules.supervision_weeks("locked", OPENED, TODAY) == []
    assert activity_rules.supervision_weeks(None, None, TODAY) == []  # no stage 4 in the curriculum
    assert activity_rules.supervision_weeks("open", None, TODAY) == []
    assert activity_rules.supervision_weeks("open", TODAY + timedelta(days=1), TODAY) == []


@pytest.mark.parametrize("day,state,refusal", [
    (date(2026, 11, 2), "open", None),  # the Monday of the week stage 4 opened
    (date(2026, 11, 4), "open", None),  # the day it opened
    (date(2026, 11, 1), "open", activity_rules.BEFORE_OPENED),  # the Sunday of the week before
    (date(2026, 10, 26), "open", activity_rules.BEFORE_OPENED),  # the week before
    (TODAY, "open", None),  # the current week
    (TODAY + timedelta(days=6), "open", None),  # its Sunday: still the current week
    (TODAY + timedelta(days=7), "open", activity_rules.FUTURE),  # next week
    (TODAY, "complete", None),
    (TODAY, "locked", activity_rules.NOT_OPEN),  # a stage-1 trainee
    (date(2026, 11, 2), "locked", activity_rules.NOT_OPEN),
])
def test_a_supervision_note_needs_stage_4_and_a_week_in_its_range(day, state, refusal):
    assert activity_rules.supervision_refusal(day, state, OPENED, TODAY) == refusal


def test_no_supervision_note_before_stage_4_has_a_day_it_opened():
    assert activity_rules.supervision_refusal(TODAY, "open", None, TODAY) == activity_rules.NOT_OPEN


# ---------------------------------------------------------------- the people

@pytest.fixture
def people(make_user):
    mentor = make_user("mentor", email=EMAILS["mentor"], name="Marco Mentor")
    return {
        "mentor": mentor,
        "head": make_user("head", email=EMAILS["head"], name="Irene Head"),
        "admin": make_user("admin", email=EMAILS["admin"], name="Ada Admin"),
        "trainee": make_user("trainee", email=EMAILS["trainee"], name="Sam Trainee", mentor=mentor,
                             start=date.today() - timedelta(days=10)),
    }


def as_user(app, who):
    return signed_in(app, EMAILS[who])


def _events(app, task="proposal"):
    with app.app_context():
        return db.session.scalars(sa.select(SignOffEvent.kind).where(SignOffEvent.task_id == task)
                                  .order_by(SignOffEvent.id)).all()


def _lock_stage_3(app, uid):
    """The job description changes (or a stage-1 signature goes): stage 1 is open again, stage 3 locked."""
    from onboarding.mentoring.models import Acknowledgement

    with app.app_context():
        db.session.execute(sa.delete(Acknowledgement).where(Acknowledgement.trainee_id == uid))
        db.session.commit()


# ---------------------------------------------------------------- sign-offs follow the path

def test_a_trainee_cannot_ask_for_a_sign_off_of_a_locked_stage(app, people):
    uid = people["trainee"]
    client, auth = as_user(app, "trainee")
    response = client.post(f"/trainees/{uid}/tasks/proposal/request",
                           data={"note": "Ready", "csrf_token": auth.token(f"/trainees/{uid}/checklist")},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "“Write a proposal” belongs to stage 3, “Mentor”, which opens when stage 2, “Product”, is complete" in page
    assert _events(app) == []


@pytest.mark.parametrize("who", STAFF)
def test_staff_cannot_sign_off_a_task_of_a_locked_stage(app, people, who):
    uid = people["trainee"]
    client, auth = as_user(app, who)
    token = auth.token(f"/trainees/{uid}/checklist")
    response = client.post(f"/trainees/{uid}/tasks/proposal/sign", data={"note": "Fine", "csrf_token": token},
                           follow_redirects=True)
    assert "belongs to stage 3, “Mentor”" in response.get_data(as_text=True)
    assert _events(app) == []
    page = client.get(f"/trainees/{uid}/checklist").get_data(as_text=True)
    assert "tasks/proposal/sign" not in page and "tasks/segmentation/sign" not in page


def test_the_checklist_shows_a_locked_stage_as_coming_with_when_it_opens(app, people):
    uid = people["trainee"]
    client, _ = as_user(app, "trainee")
    page = client.get(f"/trainees/{uid}/checklist").get_data(as_text=True)
    assert "Write a proposal" in page and "Coming later" in page  # what is coming is shown
    assert "once stage 3 opens, when stage 2, “Product”, is complete (planned for" in page
    assert "tasks/proposal/request" not in page and "Ask for a sign-off</button>" not in page


@pytest.mark.parametrize("who", STAFF)
def test_an_open_stage_is_asked_for_and_signed_off(app, people, who):
    uid = people["trainee"]
    complete_stages_before(app, uid, 3)
    trainee, t_auth = as_user(app, "trainee")
    page = trainee.get(f"/trainees/{uid}/checklist").get_data(as_text=True)
    assert "tasks/proposal/request" in page and "Coming later" not in page
    assert trainee.post(f"/trainees/{uid}/tasks/proposal/request",
                        data={"csrf_token": t_auth.token(f"/trainees/{uid}/checklist")}).status_code == 302
    client, auth = as_user(app, who)
    assert "tasks/proposal/sign" in client.get(f"/trainees/{uid}/checklist").get_data(as_text=True)
    client.post(f"/trainees/{uid}/tasks/proposal/sign", data={"csrf_token": auth.token(f"/trainees/{uid}/checklist")})
    assert _events(app) == ["requested", "signed"]


@pytest.mark.parametrize("who", STAFF)
def test_a_signature_is_revoked_and_a_request_returned_after_the_stage_locks(app, people, who):
    uid = people["trainee"]
    complete_stages_before(app, uid, 3)
    with app.app_context():
        db.session.add_all([SignOffEvent(trainee_id=uid, task_id="proposal", kind="signed"),
                            SignOffEvent(trainee_id=uid, task_id="segmentation", kind="requested")])
        db.session.commit()
    _lock_stage_3(app, uid)
    client, auth = as_user(app, who)
    token = auth.token(f"/trainees/{uid}/checklist")
    page = client.get(f"/trainees/{uid}/checklist").get_data(as_text=True)
    assert "tasks/proposal/revoke" in page and "tasks/segmentation/return" in page
    assert "tasks/segmentation/sign" not in page
    client.post(f"/trainees/{uid}/tasks/proposal/revoke", data={"note": "Wrong VAT", "csrf_token": token})
    client.post(f"/trainees/{uid}/tasks/segmentation/return", data={"note": "Two clients lack a segment",
                                                                     "csrf_token": token})
    assert _events(app) == ["signed", "revoked"]
    assert _events(app, "segmentation") == ["requested", "returned"]
    refused = client.post(f"/trainees/{uid}/tasks/proposal/sign", data={"csrf_token": token}, follow_redirects=True)
    assert "belongs to stage 3" in refused.get_data(as_text=True) and _events(app) == ["signed", "revoked"]


def test_the_service_refuses_a_locked_stage_whatever_calls_it(app, people):
    from onboarding.auth.models import User
    from onboarding.content import curriculum
    from onboarding.mentoring.services import MentoringError, request_sign_off, sign_off
    from onboarding.people.services import record_of
    from onboarding.path.service import trainee_progress

    with app.app_context():
        trainee, mentor = db.session.get(User, people["trainee"]), db.session.get(User, people["mentor"])
        task = curriculum().tasks["proposal"]
        stage = trainee_progress(record_of(trainee)).stage(task.stage)
        assert stage.state == "locked"
        with pytest.raises(MentoringError, match="stage 3"):
            sign_off(trainee, task, mentor, "", stage)
        with pytest.raises(MentoringError, match="stage 3"):
            request_sign_off(trainee, task, "", "", stage)
        with pytest.raises(MentoringError, match="stage 3"):
            sign_off(trainee, task, mentor, "", None)  # no stage given: no signature
        db.session.rollback()


# ---------------------------------------------------------------- supervision belongs to stage 4

def _stage_4_opened_on(app, uid, day):
    """Every requirement of stages 1 to 3 met on `day`: stage 4 opened that day."""
    from onboarding.assessment.models import QuizAttempt
    from onboarding.learning.models import ModuleCompletion
    from onboarding.mentoring.models import Acknowledgement, RolePlayAttempt

    complete_stages_before(app, uid, 4)
    at = datetime.combine(day, time(12), tzinfo=timezone.utc)
    with app.app_context():
        for model, column, owner in ((ModuleCompletion, "completed_at", "user_id"), (QuizAttempt, "graded_at", "user_id"),
                                     (SignOffEvent, "at", "trainee_id"), (Acknowledgement, "signed_at", "trainee_id"),
                                     (RolePlayAttempt, "completed_at", "trainee_id"),
                                     (GoDecision, "decided_at", "trainee_id")):
            db.session.execute(sa.update(model).where(getattr(model, owner) == uid).values({column: at}))
        db.session.commit()


def _note(client, auth, uid, week):
    return client.post(f"/trainees/{uid}/supervision", data={
        "week_of": week.isoformat(), "situation": "A client asked for net-60.", "advice": "Offer net-30 first.",
        "csrf_token": auth.token(f"/trainees/{uid}/supervision")})


def _notes(app):
    with app.app_context():
        return db.session.scalars(sa.select(SupervisionNote.week_of).order_by(SupervisionNote.id)).all()


@pytest.mark.parametrize("who", STAFF)
def test_no_supervision_note_for_a_stage_1_trainee(app, people, who):
    uid = people["trainee"]
    client, auth = as_user(app, who)
    page = client.get(f"/trainees/{uid}/supervision").get_data(as_text=True)
    assert "Supervised work starts when stage 4, “Work”, opens" in page and "(planned for" in page
    assert 'name="week_of"' not in page  # no form before stage 4
    response = _note(client, auth, uid, date.today())
    assert response.status_code == 400
    assert "stage 4 is not open yet for Sam Trainee" in response.get_data(as_text=True)
    assert _notes(app) == []


def test_a_trainee_writes_no_supervision_note(app, people):
    uid = people["trainee"]
    _stage_4_opened_on(app, uid, date.today())
    client, auth = as_user(app, "trainee")
    assert _note(client, auth, uid, date.today()).status_code == 403
    assert _notes(app) == []


@pytest.mark.parametrize("who", STAFF)
def test_supervision_weeks_from_the_week_stage_4_opened_to_the_current_week(app, people, who):
    uid = people["trainee"]
    opened = date.today() - timedelta(days=9)
    _stage_4_opened_on(app, uid, opened)
    first, current = activity_rules.monday(opened), activity_rules.monday(date.today())
    client, auth = as_user(app, who)
    page = client.get(f"/trainees/{uid}/supervision").get_data(as_text=True)
    offered = re.findall(r'<option[^>]*value="(\d{4}-\d\d-\d\d)"', page)
    expected = [current - timedelta(weeks=n) for n in range((current - first).days // 7 + 1)]
    assert offered == [w.isoformat() for w in expected]  # the current week first, back to the week it opened

    before = _note(client, auth, uid, first - timedelta(days=1))  # the week before stage 4 opened
    assert before.status_code == 400 and "Choose a week from the one stage 4 opened in" in before.get_data(as_text=True)
    future = _note(client, auth, uid, current + timedelta(weeks=1))
    assert future.status_code == 400 and "to the current week" in future.get_data(as_text=True)
    assert _note(client, auth, uid, date.today()).status_code == 302  # the current week
    assert _note(client, auth, uid, first).status_code == 302  # the week stage 4 opened
    assert _notes(app) == [current, first]


# ---------------------------------------------------------------- ledger days from the start date to today

def _log(client, auth, uid, day, follow=False):
    return client.post(f"/trainees/{uid}/activity", data={**FIGURES, "day": day.isoformat(),
                                                           "csrf_token": auth.token(f"/trainees/{uid}/activity")},
                       follow_redirects=follow)


def _days(app):
    with app.app_context():
        return sorted(db.session.scalars(sa.select(ActivityEntry.day).where(ActivityEntry.corrects_id.is_(None))))


def test_a_trainee_logs_days_from_the_start_date_to_today(app, people):
    uid = people["trainee"]
    start, today = date.today() - timedelta(days=10), date.today()
    client, auth = as_user(app, "trainee")
    page = client.get(f"/trainees/{uid}/activity").get_data(as_text=True)
    assert f'min="{start.isoformat()}"' in page and f'max="{today.isoformat()}"' in page
    before = _log(client, auth, uid, start - timedelta(days=1))
    assert before.status_code == 400
    assert "is outside the ledger: days go from the start date" in before.get_data(as_text=True)
    tomorrow = _log(client, auth, uid, today + timedelta(days=1))
    assert tomorrow.status_code == 400 and "is outside the ledger" in tomorrow.get_data(as_text=True)
    assert _log(client, auth, uid, start).status_code == 302
    assert _log(client, auth, uid, today).status_code == 302
    assert _days(app) == [start, today]


@pytest.mark.parametrize("who", STAFF)
def test_staff_cannot_log_a_trainees_day_nor_correct_one_outside_the_range(app, people, who):
    uid = people["trainee"]
    start = date.today() - timedelta(days=10)
    with app.app_context():
        early = ActivityEntry(trainee_id=uid, day=start - timedelta(days=3), calls=4, entered_by=uid)
        valid = ActivityEntry(trainee_id=uid, day=start, calls=4, entered_by=uid)
        db.session.add_all([early, valid])
        db.session.commit()
        early_id, valid_id = early.id, valid.id
    client, auth = as_user(app, who)
    assert _log(client, auth, uid, start).status_code == 403  # the ledger is the trainee's own
    token = auth.token(f"/activity/{early_id}/correct")
    refused = client.post(f"/activity/{early_id}/correct", data={**FIGURES, "note": "Fix", "csrf_token": token})
    assert refused.status_code == 400
    assert "is outside the ledger: days go from the start date" in refused.get_data(as_text=True)
    assert client.post(f"/activity/{valid_id}/correct",
                       data={**FIGURES, "note": "Fix", "csrf_token": token}).status_code == 302
    with app.app_context():
        corrected = db.session.scalars(sa.select(ActivityEntry.corrects_id).where(
            ActivityEntry.corrects_id.is_not(None))).all()
        assert corrected == [valid_id]


def test_the_weeks_start_at_the_start_week(app, people):
    uid = people["trainee"]
    start = date.today() - timedelta(days=10)
    client, auth = as_user(app, "trainee")
    _log(client, auth, uid, start)
    with app.test_request_context():
        from onboarding.i18n import fmt_date

        first, earlier = fmt_date(activity_rules.monday(start)), fmt_date(activity_rules.monday(start) - timedelta(weeks=1))
    page = client.get(f"/trainees/{uid}/activity").get_data(as_text=True)
    table = page.split("Weekly totals", 1)[1].split("</table>", 1)[0]
    assert f'<th scope="row">{first}</th>' in table and earlier not in table
    weeks = (activity_rules.monday(date.today()) - activity_rules.monday(start)).days // 7 + 1
    assert table.count('<th scope="row">') == weeks + 1  # the weeks and the targets row


# ---------------------------------------------------------------- a start date still to come

@pytest.fixture
def newcomer(make_user, people):
    return make_user("trainee", email="nora@example.com", name="Nora Newcomer", mentor=people["mentor"],
                     start=date.today() + timedelta(days=6))


def test_before_the_start_the_home_page_says_what_to_expect_on_day_one(app, newcomer):
    client = app.test_client()
    AuthActions(client).login("nora@example.com")
    page = client.get("/").get_data(as_text=True)
    assert "Your onboarding starts on" in page and "in 6 days" in page and "Day -" not in page
    assert "What to expect on day one" in page and "your mentor, Marco Mentor, meets you" in page
    assert "Bring an identity document" in page and "The first module to read is “Hello”" in page


def test_before_the_start_no_day_is_logged(app, newcomer):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("nora@example.com")
    page = client.get(f"/trainees/{newcomer}/activity").get_data(as_text=True)
    assert "Your ledger opens on your start date" in page and 'name="day"' not in page
    refused = client.post(f"/trainees/{newcomer}/activity", data={
        **FIGURES, "day": date.today().isoformat(), "csrf_token": auth.token("/")})
    assert refused.status_code == 400 and "The ledger opens on the start date" in refused.get_data(as_text=True)
    assert _days(app) == []


@pytest.mark.parametrize("who", STAFF)
def test_staff_pages_count_the_days_to_the_start(app, newcomer, people, who):
    client, _ = as_user(app, who)
    for path in (f"/trainees/{newcomer}", f"/trainees/{newcomer}/report"):
        page = client.get(path).get_data(as_text=True)
        assert "starts in 6 days" in page and "day -" not in page, path
    started = client.get(f"/trainees/{people['trainee']}").get_data(as_text=True)
    assert "day 11" in started
    home = client.get("/").get_data(as_text=True)
    if who != "admin":  # the dashboard lists the trainees; the admin's home is the accounts
        assert "starts in 6 days" in home and "day -5" not in home
