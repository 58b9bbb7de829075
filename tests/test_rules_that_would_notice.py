"""Rules that small, deliberate changes to the code once slipped past the whole suite (issue 11).

Each test here was checked by making that change by hand and watching the test fail:
a stage counted complete with one requirement missing, a role-play score at the threshold failing, an extra
quiz attempt granted while attempts are left, a deactivated account's API token still answering, login
failures that never leave the throttling window, and a correction of a correction pointing at the correction.
"""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from onboarding.assessment.models import GRADED, ExtraAttempt, QuizAttempt
from onboarding.audit.models import AuditEvent
from onboarding.auth.models import LoginFailure, User
from onboarding.extensions import db
from onboarding.activity.models import ActivityEntry
from onboarding.activity.rules import FIGURES
from onboarding.mentoring.rules import role_play_result
from onboarding.notifications.models import Notification
from onboarding.path.progress import (COMPLETE, LOCKED, OPEN, StageRequirements, TraineeFacts,
                                           compute_progress, requirements_from)

from .conftest import AuthActions

# ---------------------------------------------------------------- 1. a stage is complete only with everything

START = date(2026, 1, 5)
FIRST = StageRequirements(1, "Company", 5, (("hello", ()),), quizzes=("basics",), tasks=("intro-call",),
                          needs_signature=True)
MIDDLE = StageRequirements(2, "Mentor", 25, (("mentor", ()), ("pitch", ("mentor",))), quizzes=("written",),
                           tasks=("proposal", "segmentation"), needs_role_play=True)
LAST = StageRequirements(3, "Work", 140, (("rhythm", ()),))
PATH = (FIRST, MIDDLE, LAST)

EVERYTHING = dict(completed_modules=frozenset({"hello", "mentor", "pitch"}),
                  passed_quizzes=frozenset({"basics", "written"}),
                  signed_tasks=frozenset({"intro-call", "proposal", "segmentation"}),
                  signature_current=True, role_play_passed=True)

# Each requirement of a stage taken away alone: (stage, the facts without it).
ONE_MISSING = {
    "a module": (2, dict(completed_modules=frozenset({"hello", "mentor"}))),
    "a quiz": (2, dict(passed_quizzes=frozenset({"basics"}))),
    "one checklist task": (2, dict(signed_tasks=frozenset({"intro-call", "proposal"}))),
    "every checklist task": (2, dict(signed_tasks=frozenset({"intro-call"}))),
    "the role-play": (2, dict(role_play_passed=False)),
    "the job-description signature": (1, dict(signature_current=False)),
    "stage 1's checklist": (1, dict(signed_tasks=frozenset({"proposal", "segmentation"}))),
}


def _progress(**changes):
    return compute_progress(PATH, TraineeFacts(START, **{**EVERYTHING, **changes}), START + timedelta(days=3))


def test_with_every_requirement_met_every_stage_is_complete():
    p = _progress()
    assert [s.state for s in p.stages] == [COMPLETE, COMPLETE, OPEN]  # LAST has a module left to read
    assert p.current_stage == 3


def test_a_stage_whose_checklist_is_not_signed_off_stays_open():
    """Modules read, quizzes passed, role-play passed, signature current: the unsigned checklist alone holds it."""
    p = _progress(signed_tasks=frozenset({"intro-call"}))
    middle = p.stage(2)
    assert middle.state == OPEN and middle.completed_on is None
    assert (middle.modules_done, middle.quizzes_passed, middle.tasks_signed, middle.tasks_total) == (2, 1, 0, 2)
    assert middle.role_play_passed and p.current_stage == 2
    assert p.stage(3).state == LOCKED and p.stage(3).locked_reason == "Mentor"
    assert not p.complete and p.percent < 100


@pytest.mark.parametrize("missing", sorted(ONE_MISSING))
def test_each_requirement_missing_alone_keeps_its_stage_open(missing):
    number, changes = ONE_MISSING[missing]
    p = _progress(**changes)
    assert p.stage(number).state == OPEN, f"stage {number} complete without {missing}"
    assert p.current_stage == number
    assert all(s.state == LOCKED for s in p.stages if s.number > number)
    assert all(s.state == COMPLETE for s in p.stages if s.number < number)


def test_the_test_curriculum_asks_for_the_stage_3_checklist(app):
    """The requirements handed to the rule carry the checklist, so the rule above is what the app applies."""
    with app.app_context():
        stages = requirements_from(app.extensions["curriculum"])
    mentor = next(s for s in stages if s.number == 3)
    assert set(mentor.tasks) == {"proposal", "segmentation"}
    assert mentor.needs_role_play and not mentor.needs_signature
    assert next(s for s in stages if s.number == 1).needs_signature


# ---------------------------------------------------------------- 2. a role-play at the threshold passes

def _criteria(*triples):
    return [SimpleNamespace(id=i, weight=w, scale=s) for i, w, s in triples]


SCHOOL = _criteria(("needs", 60, 5), ("closing", 40, 5))  # tests/quizzes/scenarios/school.yaml, threshold 70


def test_a_role_play_exactly_at_the_threshold_passes():
    result = role_play_result(SCHOOL, {"ann": {"needs": 4, "closing": 3}, "bob": {"needs": 3, "closing": 4}}, 70)
    assert result.percent == Decimal("70.0") and result.passed is True
    assert result.per_criterion == {"needs": Decimal("3.50"), "closing": Decimal("3.50")}
    one = role_play_result(_criteria(("c", 1, 10)), {"ann": {"c": 7}}, 70)
    assert one.percent == Decimal("70.0") and one.passed is True


def test_a_role_play_just_below_the_threshold_fails():
    finest = role_play_result(_criteria(("c", 1, 1000)), {"ann": {"c": 699}}, 70)
    assert finest.percent == Decimal("69.9") and finest.passed is False
    lower = role_play_result(SCHOOL, {"ann": {"needs": 4, "closing": 3}, "bob": {"needs": 3, "closing": 3}}, 70)
    assert lower.percent == Decimal("66.0") and lower.passed is False
    above = role_play_result(_criteria(("c", 1, 1000)), {"ann": {"c": 701}}, 70)
    assert above.passed is True


def test_the_school_scenario_passes_at_its_threshold(app):
    with app.app_context():
        scenario = app.extensions["curriculum"].scenarios["school"]
        at = role_play_result(scenario.criteria, {"ann": {"needs": 4, "closing": 3}, "bob": {"needs": 3, "closing": 4}},
                              scenario.pass_threshold)
    assert scenario.pass_threshold == 70 and at.percent == Decimal("70.0") and at.passed


# ---------------------------------------------------------------- 3. an extra quiz attempt only when blocked

REFUSAL = "An extra attempt is for a trainee who has used every attempt without passing."


@pytest.fixture
def quiz_people(make_user):
    return {"head": make_user("head", email="head@example.com"),
            "trainee": make_user("trainee", email="sam@example.com", name="Sam Trainee")}


def _failed_attempts(app, uid, count, first=1, slug="basics"):
    """`count` graded, failed attempts at the quiz, numbered from `first`."""
    with app.app_context():
        for number in range(first, first + count):
            db.session.add(QuizAttempt(user_id=uid, quiz_slug=slug, number=number, allowed=2, state=GRADED, plan={},
                                       passed=False, percent=0.0, score=0, max_score=1,
                                       graded_at=datetime.now(timezone.utc)))
        db.session.commit()


def _grant(app, people, reason="Ill on the day."):
    from onboarding.assessment.services import grant_extra_attempt

    with app.app_context():
        quiz = app.extensions["curriculum"].quizzes["basics"]
        extra = grant_extra_attempt(db.session.get(User, people["trainee"]), quiz, db.session.get(User, people["head"]),
                                    reason)
        db.session.commit()
        return extra.id


def _granted(app, uid):
    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.count(ExtraAttempt.id)).where(ExtraAttempt.user_id == uid)),
                db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
                    AuditEvent.action == "extra_attempt_granted")),
                db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
                    Notification.user_id == uid, Notification.kind == "extra_attempt")))


@pytest.mark.parametrize("failed", [0, 1], ids=["no-attempt-used", "one-attempt-left"])
def test_the_service_refuses_an_extra_attempt_while_attempts_are_left(app, quiz_people, failed):
    from onboarding.assessment.services import AttemptError, status_of

    _failed_attempts(app, quiz_people["trainee"], failed)
    with pytest.raises(AttemptError) as refused:
        _grant(app, quiz_people)
    with app.app_context():
        assert str(refused.value) == REFUSAL
        status = status_of(quiz_people["trainee"], app.extensions["curriculum"].quizzes["basics"])
        assert (status.allowed, status.left) == (2, 2 - failed)
    assert _granted(app, quiz_people["trainee"]) == (0, 0, 0)


def test_the_service_grants_once_blocked_and_refuses_again_while_that_attempt_is_unused(app, quiz_people):
    from onboarding.assessment.services import AttemptError, status_of

    _failed_attempts(app, quiz_people["trainee"], 2)
    _grant(app, quiz_people)
    assert _granted(app, quiz_people["trainee"]) == (1, 1, 1)
    with app.app_context():
        status = status_of(quiz_people["trainee"], app.extensions["curriculum"].quizzes["basics"])
        assert (status.allowed, status.left, status.blocked) == (3, 1, False)
    with pytest.raises(AttemptError):
        _grant(app, quiz_people, "Asked twice.")
    assert _granted(app, quiz_people["trainee"]) == (1, 1, 1)


def test_the_route_refuses_an_extra_attempt_while_attempts_are_left(app, client, auth, quiz_people):
    uid = quiz_people["trainee"]
    _failed_attempts(app, uid, 1)
    auth.login("head@example.com")
    token = auth.token(f"/trainees/{uid}")
    response = client.post(f"/quizzes/basics/extra/{uid}",
                           data={"reason": "Ill on the day of the test.", "csrf_token": token})
    page = response.get_data(as_text=True)  # the trainee's page again, with the refusal in its error summary
    assert response.status_code == 400 and REFUSAL in page and "has one more attempt" not in page
    assert 'class="error-summary"' in page
    assert _granted(app, uid) == (0, 0, 0)
    # Blocked, the same request is granted: the refusal above was for the attempts left, not the request.
    _failed_attempts(app, uid, 1, first=2)
    granted = client.post(f"/quizzes/basics/extra/{uid}", data={"reason": "Ill on the day.", "csrf_token": token},
                          follow_redirects=True).get_data(as_text=True)
    assert "Sam Trainee has one more attempt" in granted
    assert _granted(app, uid) == (1, 1, 1)


# ---------------------------------------------------------------- 4. a deactivated account's token answers 401

def _api_me(client, token):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def _token_for(app, uid):
    from onboarding.api.tokens import create_token

    with app.app_context():
        token = create_token(db.session.get(User, uid), "export")
        db.session.commit()
        return token


def test_the_token_of_a_deactivated_account_answers_401(app, client, make_user):
    from onboarding.people.services import set_active

    admin = make_user("admin", email="admin@example.com")
    uid = make_user("mentor", email="gone@example.com")
    token = _token_for(app, uid)
    assert _api_me(client, token).status_code == 200
    with app.app_context():
        set_active(db.session.get(User, uid), False, db.session.get(User, admin))
        db.session.commit()
    response = _api_me(client, token)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "gone@example.com" not in response.get_data(as_text=True)
    assert _api_me(client, token).status_code == 401  # and stays refused


def test_deactivating_on_the_admin_page_stops_the_token(app, client, make_user):
    make_user("admin", email="admin@example.com")
    uid = make_user("trainee", email="leaver@example.com")
    token = _token_for(app, uid)
    api = app.test_client()
    assert _api_me(api, token).status_code == 200
    admin = AuthActions(client)
    admin.login("admin@example.com")
    response = client.post(f"/admin/users/{uid}/active", data={"active": "0", "confirm": "1", "csrf_token": admin.token(
        f"/admin/users/{uid}")})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, uid).active is False
    assert _api_me(api, token).status_code == 401


# ---------------------------------------------------------------- 5. login failures leave the throttling window

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def frozen_clock(monkeypatch):
    """Time is read through onboarding.timeutil.utcnow; the auth services imported it by name."""
    from onboarding import timeutil
    from onboarding.auth import services

    clock = {"now": NOW}
    monkeypatch.setattr(timeutil, "utcnow", lambda: clock["now"])
    monkeypatch.setattr(services, "utcnow", lambda: clock["now"])
    return clock


def _failures(app, ages, email="sam@example.com", address="127.0.0.1"):
    """Login failures recorded `age` before NOW, each for its own email when email is None."""
    with app.app_context():
        for n, age in enumerate(ages):
            db.session.add(LoginFailure(email=email or f"someone{n}@example.com", address=address, at=NOW - age))
        db.session.commit()


def _throttled(app, email="sam@example.com", address="127.0.0.1"):
    from onboarding.auth.services import is_throttled

    with app.app_context():
        return is_throttled(email, address, app.config)


def test_account_failures_older_than_the_window_no_longer_count(app, frozen_clock):
    window = timedelta(minutes=app.config["LOGIN_THROTTLE_MINUTES"])
    limit = app.config["LOGIN_FAILURES_PER_ACCOUNT"]
    _failures(app, [window + timedelta(seconds=1)] * limit)
    assert not _throttled(app)  # every failure just out of the window
    _failures(app, [window - timedelta(seconds=1)] * (limit - 1))
    assert not _throttled(app)  # one short of the limit inside it
    _failures(app, [window - timedelta(seconds=1)])
    assert _throttled(app)  # the limit, just inside the window
    frozen_clock["now"] = NOW + timedelta(seconds=2)  # two seconds on: all of them just out
    assert not _throttled(app)


def test_address_failures_older_than_the_window_no_longer_count(app, frozen_clock):
    window = timedelta(minutes=app.config["LOGIN_THROTTLE_MINUTES"])
    limit = app.config["LOGIN_FAILURES_PER_ADDRESS"]
    _failures(app, [window - timedelta(seconds=1)] * limit, email=None)
    assert _throttled(app, email="fresh@example.com")
    frozen_clock["now"] = NOW + timedelta(seconds=2)
    assert not _throttled(app, email="fresh@example.com")


def test_the_login_page_lets_a_throttled_account_in_once_the_window_has_passed(app, client, auth, make_user,
                                                                               frozen_clock):
    make_user("trainee", email="sam@example.com")
    window = timedelta(minutes=app.config["LOGIN_THROTTLE_MINUTES"])
    _failures(app, [window - timedelta(seconds=1)] * app.config["LOGIN_FAILURES_PER_ACCOUNT"])
    assert auth.login("sam@example.com").status_code == 429
    frozen_clock["now"] = NOW + timedelta(seconds=2)
    assert auth.login("sam@example.com").status_code == 302


# ---------------------------------------------------------------- 6. a correction of a correction

def _ledger_people(make_user):
    mentor = make_user("mentor", email="mentor@example.com")
    return mentor, make_user("trainee", email="sam@example.com", mentor=mentor,
                             start=date.today() - timedelta(days=30))  # the ledger opens on the start date


def _figures(calls, **others):
    return {f: others.get(f, 0) for f in FIGURES} | {"calls": calls}


def test_correcting_a_correction_points_at_the_original(app, make_user):
    from onboarding.activity.services import correct_entry, ledger, ledgers_by_user, save_entry

    mentor, uid = _ledger_people(make_user)
    day = date.today() - timedelta(days=1)
    with app.app_context():
        trainee, coach = db.session.get(User, uid), db.session.get(User, mentor)
        original = save_entry(trainee, day, _figures(18, meetings=1), "as entered")
        first = correct_entry(original, _figures(12, meetings=1), "counted twice", coach)
        second = correct_entry(first, _figures(10, meetings=2), "and again", coach)
        db.session.commit()
        ids = (original.id, first.id, second.id)
    with app.app_context():
        rows = db.session.execute(sa.select(ActivityEntry.id, ActivityEntry.corrects_id, ActivityEntry.day,
                                            ActivityEntry.calls).order_by(ActivityEntry.id)).all()
        assert [tuple(r) for r in rows] == [(ids[0], None, day, 18), (ids[1], ids[0], day, 12),
                                            (ids[2], ids[0], day, 10)]
        book = ledger(uid, None)
        assert book.days == {day: _figures(10, meetings=2)}  # the latest correction counts
        assert [e.id for e in book.originals] == [ids[0]]
        assert [e.id for e in book.corrections[ids[0]]] == [ids[1], ids[2]]
        assert ledgers_by_user([uid], day)[uid] == {day: _figures(10, meetings=2)}


def test_correcting_a_correction_on_the_page_points_at_the_original(app, client, auth, make_user):
    from onboarding.activity.services import correct_entry, ledger_days, save_entry

    mentor, uid = _ledger_people(make_user)
    day = date.today() - timedelta(days=2)
    with app.app_context():
        original = save_entry(db.session.get(User, uid), day, _figures(18), None)
        first = correct_entry(original, _figures(12), None, db.session.get(User, mentor))
        db.session.commit()
        original_id, first_id = original.id, first.id
    auth.login("mentor@example.com")
    data = {f: "0" for f in FIGURES} | {"calls": "9", "note": "Third count",
                                        "csrf_token": auth.token(f"/activity/{first_id}/correct")}
    assert client.post(f"/activity/{first_id}/correct", data=data).status_code == 302
    with app.app_context():
        latest = db.session.scalar(sa.select(ActivityEntry).order_by(ActivityEntry.id.desc()))
        assert latest.id not in (original_id, first_id)
        assert (latest.corrects_id, latest.calls, latest.day) == (original_id, 9, day)
        assert ledger_days(uid)[day]["calls"] == 9
