"""The role-play's rules hold: after the theory, a fixed number of attempts, scores only after the meeting,
a full panel, a new scenario for the retake, and the head of sales' decision after the last failure."""
import shutil
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding.audit.models import AuditEvent
from onboarding.extensions import db
from onboarding.mentoring import rules
from onboarding.mentoring.models import HoldDecision, RolePlayAttempt, RolePlayEvaluator, SignOffEvent
from onboarding.people.models import TraineeRecord

from .conftest import as_user, complete_stages_before, ready_for_role_play

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)


# ---------------------------------------------------------------- the pure rules

def missing(**overrides):
    args = {"stage_state": "open", "attempts": (), "allowed": 2, "required_quizzes": ("written",),
            "passed_quizzes": {"written"}, "required_tasks": ("proposal", "segments"),
            "signed_tasks": {"proposal", "segments"}}
    args.update(overrides)
    return rules.role_play_missing(**args)


def kinds(result):
    return [(m.kind, m.item) for m in result]


def test_everything_done_in_stage_3_may_be_scheduled():
    assert missing() == ()


@pytest.mark.parametrize("stage_state", ["locked", "complete"])
def test_outside_the_role_play_stage_nothing_is_scheduled(stage_state):
    result = missing(stage_state=stage_state)
    assert kinds(result) == [("stage", None)] and "stage" in result[0].reason


def test_the_written_test_not_passed_is_named():
    assert kinds(missing(passed_quizzes=set())) == [("quiz", "written")]


def test_each_unsigned_skill_is_named_alone():
    assert kinds(missing(signed_tasks={"proposal"})) == [("task", "segments")]
    assert kinds(missing(signed_tasks={"segments"})) == [("task", "proposal")]


def test_every_missing_thing_is_listed_together():
    assert kinds(missing(stage_state="locked", passed_quizzes=set(), signed_tasks=set())) == [
        ("stage", None), ("quiz", "written"), ("task", "proposal"), ("task", "segments")]


def test_a_passed_role_play_is_not_scheduled_again():
    assert kinds(missing(attempts=[("scored", False), ("scored", True)])) == [("passed", None)]


def test_an_open_attempt_blocks_another():
    assert kinds(missing(attempts=[("scheduled", None)])) == [("open", None)]


def test_attempts_used_exactly_at_the_limit():
    assert missing(attempts=[("scored", False)], allowed=2) == ()
    result = missing(attempts=[("scored", False), ("scored", False)], allowed=2)
    assert kinds(result) == [("used", 2)] and "all 2 attempts" in result[0].reason
    assert missing(attempts=[("scored", False), ("scored", False)], allowed=3) == ()


def test_cancelled_attempts_use_up_nothing():
    assert missing(attempts=[("cancelled", None), ("scored", False), ("cancelled", None)], allowed=2) == ()
    assert rules.role_play_state([("cancelled", None), ("cancelled", None)], 2) == "none"


def test_role_play_state_every_branch():
    later, earlier = NOW + timedelta(hours=1), NOW - timedelta(minutes=1)
    assert rules.role_play_state([], 2) == "none"
    assert rules.role_play_state([("scored", False)], 2) == "failed"
    assert rules.role_play_state([("scored", False), ("scored", True)], 2) == "passed"
    assert rules.role_play_state([("scheduled", None, later)], 2, NOW) == "scheduled"
    assert rules.role_play_state([("scheduled", None, NOW)], 2, NOW) == "due"  # exactly at its time
    assert rules.role_play_state([("scheduled", None, earlier)], 2, NOW) == "due"
    assert rules.role_play_state([("scheduled", None, earlier)], 2) == "scheduled"  # no clock given
    assert rules.role_play_state([("scored", False)] * 2, 2) == "held"
    assert rules.role_play_state([("scored", False)] * 2, 2, decision="keep") == "kept"
    assert rules.role_play_state([("scored", False)] * 2, 2, decision="withdraw") == "held"
    assert rules.role_play_state([("scored", False)] * 2, 3) == "failed"


def test_the_retake_gets_a_scenario_not_had_yet():
    assert rules.retake_scenarios(["a", "b", "c"], []) == ("a", "b", "c")
    assert rules.retake_scenarios(["a", "b", "c"], ["a"]) == ("b", "c")
    assert rules.retake_scenarios(["a", "b"], ["a", "b"]) == ("a", "b")  # none fresh: any may be played again


def test_the_panel_needs_enough_different_people_and_never_the_trainee():
    assert rules.evaluators_problem([1, 2], trainee_id=9, required=2) is None
    assert rules.evaluators_problem([1, 1], trainee_id=9, required=2) == "too_few"
    assert rules.evaluators_problem([1], trainee_id=9, required=2) == "too_few"
    assert rules.evaluators_problem([1], trainee_id=9, required=1) is None
    assert rules.evaluators_problem([1, 9], trainee_id=9, required=2) == "self"


# ---------------------------------------------------------------- through HTTP

@pytest.fixture
def people(make_user):
    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    return {
        "mentor": mentor,
        "mentor2": make_user("mentor", email="second@example.com", name="Sara Second"),
        "head": make_user("head", email="head@example.com", name="Irene Head"),
        "admin": make_user("admin", email="admin@example.com", name="Ada Admin"),
        "trainee": make_user("trainee", email="sam@example.com", name="Sam Trainee", mentor=mentor),
    }


def schedule(client, auth, uid, evaluators, scenario="school", when=None):
    when = when or datetime.now(timezone.utc) + timedelta(days=2)
    return client.post(f"/trainees/{uid}/role-play", data={
        "scenario": scenario, "when": when.strftime("%Y-%m-%dT%H:%M"), "place": "Room 2",
        "evaluators": [str(e) for e in evaluators], "csrf_token": auth.token(f"/trainees/{uid}/role-play")})


def attempts_of(app, uid):
    with app.app_context():
        return db.session.scalars(sa.select(RolePlayAttempt).where(RolePlayAttempt.trainee_id == uid)
                                  .order_by(RolePlayAttempt.id)).all()


def panel(people):
    return [people["mentor"], people["head"]]


@pytest.mark.parametrize("email", ["mentor@example.com", "head@example.com"])
def test_a_stage_1_trainee_cannot_be_scheduled_by_anyone(app, people, email):
    uid = people["trainee"]
    client, auth = as_user(app, email)
    page = client.get(f"/trainees/{uid}/role-play").get_data(as_text=True)
    assert "Before the role-play can be scheduled" in page and "has not reached stage 3" in page
    assert "Schedule the role-play" not in page
    refused = schedule(client, auth, uid, panel(people))
    assert refused.status_code == 400 and "cannot be scheduled yet" in refused.get_data(as_text=True)
    assert attempts_of(app, uid) == []


def test_an_admin_schedules_nothing(app, people):
    ready_for_role_play(app, people["trainee"])
    client, auth = as_user(app, "admin@example.com")
    assert schedule(client, auth, people["trainee"], panel(people)).status_code == 403
    assert attempts_of(app, people["trainee"]) == []


def test_the_written_test_ungraded_or_a_skill_unsigned_keeps_the_form_away(app, people):
    uid = people["trainee"]
    complete_stages_before(app, uid, 3)  # in stage 3, nothing of it done yet
    mentor, auth = as_user(app, "mentor@example.com")
    page = mentor.get(f"/trainees/{uid}/role-play").get_data(as_text=True)
    assert "Written test" in page or "is not passed" in page
    assert "is not signed off" in page and "Schedule the role-play" not in page
    assert schedule(mentor, auth, uid, panel(people)).status_code == 400

    ready_for_role_play(app, uid)
    with app.app_context():  # one skill's sign-off revoked: the role-play waits again
        db.session.add(SignOffEvent(trainee_id=uid, task_id="segmentation", kind="revoked"))
        db.session.commit()
    refused = schedule(mentor, auth, uid, panel(people))
    assert refused.status_code == 400 and "Segment the clients" in refused.get_data(as_text=True)
    assert attempts_of(app, uid) == []


def test_the_past_one_evaluator_and_the_trainee_as_evaluator_are_refused(app, people):
    uid = people["trainee"]
    ready_for_role_play(app, uid)
    mentor, auth = as_user(app, "mentor@example.com")
    past = schedule(mentor, auth, uid, panel(people), when=datetime.now(timezone.utc) - timedelta(hours=1))
    assert past.status_code == 400 and "cannot be scheduled in the past" in past.get_data(as_text=True)
    alone = schedule(mentor, auth, uid, [people["mentor"]])
    assert alone.status_code == 400 and "at least 2 different evaluators" in alone.get_data(as_text=True)
    assert schedule(mentor, auth, uid, [people["mentor"], uid]).status_code == 400
    assert attempts_of(app, uid) == []
    assert schedule(mentor, auth, uid, panel(people)).status_code == 302
    (attempt,) = attempts_of(app, uid)
    assert attempt.number == 1 and attempt.allowed == 2


def test_scores_before_the_meeting_are_refused_with_its_time(app, people):
    uid = people["trainee"]
    ready_for_role_play(app, uid)
    mentor, auth = as_user(app, "mentor@example.com")
    when = (datetime.now(timezone.utc) + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    assert schedule(mentor, auth, uid, panel(people), when=when).status_code == 302
    (attempt,) = attempts_of(app, uid)
    page = mentor.get(f"/role-play/{attempt.id}").get_data(as_text=True)
    assert "The scoring form opens when the meeting starts" in page and "Submit my scores" not in page
    partial = mentor.post(f"/role-play/{attempt.id}", data={"score-needs": "5",
                                                            "csrf_token": auth.token(f"/role-play/{attempt.id}")},
                          follow_redirects=True)
    assert "scores can be recorded only after the meeting has started" in partial.get_data(as_text=True)
    answer = mentor.post(f"/role-play/{attempt.id}", data={"score-needs": "5", "score-closing": "5",
                                                           "csrf_token": auth.token(f"/role-play/{attempt.id}")},
                         follow_redirects=True)
    assert "scores can be recorded only after the meeting has started" in answer.get_data(as_text=True)
    assert "10:00" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(RolePlayEvaluator.submitted_at).where(
            RolePlayEvaluator.attempt_id == attempt.id, RolePlayEvaluator.evaluator_id == people["mentor"])) is None
        # The dashboard: a role-play three days away waits on nobody yet.
        from onboarding.readiness.rows import build_rows

        row = build_rows([db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))], 8)[0]
        assert row.role_play == "scheduled" and "evaluators" not in row.waiting_on
        db.session.get(RolePlayAttempt, attempt.id).scheduled_for = datetime.now(timezone.utc) - timedelta(minutes=1)
        db.session.commit()
        row = build_rows([db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))], 8)[0]
        assert row.role_play == "due" and "evaluators" in row.waiting_on and "head" not in row.waiting_on
    assert "Submit my scores" in mentor.get(f"/role-play/{attempt.id}").get_data(as_text=True)


def test_cancel_and_reschedule_use_up_no_attempt(app, people):
    uid = people["trainee"]
    ready_for_role_play(app, uid)
    mentor, auth = as_user(app, "mentor@example.com")
    assert schedule(mentor, auth, uid, panel(people)).status_code == 302
    (attempt,) = attempts_of(app, uid)
    token = auth.token(f"/trainees/{uid}/role-play")
    later = (datetime.now(timezone.utc) + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    past = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    mentor.post(f"/role-play/{attempt.id}/reschedule", data={"move-when": past, "csrf_token": token})
    assert attempts_of(app, uid)[0].sequence == 0  # the past is refused
    assert mentor.post(f"/role-play/{attempt.id}/reschedule", data={"move-when": later, "move-place": "Room 5",
                                                                    "csrf_token": token}).status_code == 302
    moved = attempts_of(app, uid)[0]
    assert moved.sequence == 1 and moved.place == "Room 5" and moved.state == "scheduled"
    assert moved.scheduled_for.strftime("%Y-%m-%dT%H:%M") == later

    mentor.post(f"/role-play/{attempt.id}/cancel", data={"cancel-reason": " ", "csrf_token": token})
    assert attempts_of(app, uid)[0].state == "scheduled"  # a reason is required
    assert mentor.post(f"/role-play/{attempt.id}/cancel", data={"cancel-reason": "The trainee is ill.",
                                                                "csrf_token": token}).status_code == 302
    assert attempts_of(app, uid)[0].state == "cancelled"
    page = mentor.get(f"/trainees/{uid}/role-play").get_data(as_text=True)
    assert "2 attempts left." in page and "Schedule attempt 1 of 2" in page
    assert schedule(mentor, auth, uid, panel(people)).status_code == 302  # the same scenario may still be played
    numbers = [(a.number, a.state) for a in attempts_of(app, uid)]
    assert numbers == [(1, "cancelled"), (1, "scheduled")]
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        assert {"role_play_rescheduled", "role_play_cancelled"} <= actions


def test_an_attempt_with_scores_cannot_be_cancelled_or_moved(app, people):
    uid = people["trainee"]
    ready_for_role_play(app, uid)
    mentor, auth = as_user(app, "mentor@example.com")
    schedule(mentor, auth, uid, panel(people))
    (attempt,) = attempts_of(app, uid)
    with app.app_context():
        a = db.session.get(RolePlayAttempt, attempt.id)
        a.scheduled_for = datetime.now(timezone.utc) - timedelta(minutes=5)
        db.session.commit()
    mentor.post(f"/role-play/{attempt.id}", data={"score-needs": "4", "score-closing": "4",
                                                  "csrf_token": auth.token(f"/role-play/{attempt.id}")})
    token = auth.token(f"/trainees/{uid}/role-play")
    answer = mentor.post(f"/role-play/{attempt.id}/cancel", data={"cancel-reason": "Changed my mind",
                                                                  "csrf_token": token}, follow_redirects=True)
    assert "so it has taken place" in answer.get_data(as_text=True)
    assert attempts_of(app, uid)[0].state == "scheduled"


def test_another_mentor_cannot_cancel_or_move(app, people):
    uid = people["trainee"]
    ready_for_role_play(app, uid)
    mentor, auth = as_user(app, "mentor@example.com")
    schedule(mentor, auth, uid, panel(people))
    (attempt,) = attempts_of(app, uid)
    other, o_auth = as_user(app, "second@example.com")
    token = o_auth.token("/account")
    assert other.post(f"/role-play/{attempt.id}/cancel", data={"cancel-reason": "x", "csrf_token": token}
                      ).status_code == 403
    admin, a_auth = as_user(app, "admin@example.com")
    assert admin.post(f"/role-play/{attempt.id}/cancel", data={"cancel-reason": "x", "csrf_token": a_auth.token("/account")}
                      ).status_code == 403


def _fail(app, uid, scenario, number):
    with app.app_context():
        db.session.add(RolePlayAttempt(trainee_id=uid, scenario_slug=scenario, number=number, allowed=2,
                                       scheduled_for=datetime.now(timezone.utc) - timedelta(days=3 - number),
                                       state="scored", percent=40.0, passed=False,
                                       completed_at=datetime.now(timezone.utc)))
        db.session.commit()


def test_after_the_last_failure_nothing_raises_the_attempts(app, people):
    uid = people["trainee"]
    ready_for_role_play(app, uid)
    _fail(app, uid, "school", 1)
    _fail(app, uid, "warehouse", 2)
    head, h_auth = as_user(app, "head@example.com")
    page = head.get(f"/trainees/{uid}/role-play").get_data(as_text=True)
    assert "Held: every attempt used" in page and "Attempt 2 of 2" in page and "Attempt 3" not in page
    token = h_auth.token(f"/trainees/{uid}/role-play")
    # An "extend" decision of the old kind is no longer a decision.
    head.post(f"/trainees/{uid}/decision", data={"hold-decision": "extend", "hold-plan": "Another try next week.",
                                                 "csrf_token": token})
    assert schedule(head, h_auth, uid, panel(people)).status_code == 400
    assert head.post(f"/trainees/{uid}/decision", data={
        "hold-decision": "keep", "hold-plan": "Coaching on discovery questions; work on warm leads with the mentor.",
        "csrf_token": token}).status_code == 302
    again = head.post(f"/trainees/{uid}/decision", data={"hold-decision": "keep", "hold-plan": "Once more, please.",
                                                         "csrf_token": token}, follow_redirects=True)
    assert "kept in training already" in again.get_data(as_text=True)
    page = head.get(f"/trainees/{uid}/role-play").get_data(as_text=True)
    assert "Kept in training without the certification" in page and "Schedule the role-play" not in page
    for email in ("mentor@example.com", "head@example.com"):
        client, auth = as_user(app, email)
        assert schedule(client, auth, uid, panel(people), scenario="warehouse").status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RolePlayAttempt.id))) == 2
        assert db.session.scalars(sa.select(HoldDecision.decision)).all() == ["keep"]
        from onboarding.readiness.rows import build_rows

        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        row = build_rows([rec], 8)[0]
        assert row.role_play == "kept" and "head" not in row.waiting_on
        assert row.progress.stage(4).state == "locked"
    # A kept trainee may still be withdrawn.
    assert head.post(f"/trainees/{uid}/decision", data={"hold-decision": "withdraw", "hold-plan": "No progress "
                                                        "after the plan.", "confirm": "1",
                                                        "csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(TraineeRecord.status).where(TraineeRecord.user_id == uid)) == "withdrawn"


def test_held_waits_on_the_head_and_is_told_as_the_last_attempt(app, people):
    uid = people["trainee"]
    ready_for_role_play(app, uid)
    _fail(app, uid, "school", 1)
    mentor, auth = as_user(app, "mentor@example.com")
    assert schedule(mentor, auth, uid, panel(people), scenario="warehouse").status_code == 302
    attempt = attempts_of(app, uid)[-1]
    with app.app_context():
        db.session.get(RolePlayAttempt, attempt.id).scheduled_for = datetime.now(timezone.utc) - timedelta(minutes=1)
        db.session.commit()
    for email in ("mentor@example.com", "head@example.com"):
        client, a = as_user(app, email)
        client.post(f"/role-play/{attempt.id}", data={"score-needs": "1", "score-closing": "1",
                                                      "csrf_token": a.token(f"/role-play/{attempt.id}")})
    with app.app_context():
        from onboarding.notifications.models import Notification
        from onboarding.notifications.services import wording
        from onboarding.readiness.rows import build_rows

        notes = db.session.scalars(sa.select(Notification).where(Notification.kind.in_(("role_play_result",
                                                                                        "decision_due")))).all()
        with app.test_request_context():
            texts = {wording(n) for n in notes}
        assert any("that was the last attempt" in t for t in texts)
        assert any("did not pass the last role-play attempt" in t for t in texts)
        assert not any("second" in t for t in texts)
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        waits = build_rows([rec], 8)[0].waits
        assert waits["head"] == {"role_play_hold": 1} and not waits["mentor"] and not waits["evaluators"]


def test_twenty_parallel_schedules_for_a_trainee_not_ready_all_fail(app, people):
    uid = people["trainee"]
    complete_stages_before(app, uid, 3)
    mentor, auth = as_user(app, "mentor@example.com")
    token = auth.token(f"/trainees/{uid}/role-play")
    cookie = mentor.get_cookie("session").value
    when = (datetime.now(timezone.utc) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    barrier, answers = threading.Barrier(20), []

    def post():
        c = app.test_client()
        c.set_cookie("session", cookie)
        barrier.wait()
        answers.append(c.post(f"/trainees/{uid}/role-play", data={
            "scenario": "school", "when": when, "evaluators": [str(people["mentor"]), str(people["head"])],
            "csrf_token": token}).status_code)

    threads = [threading.Thread(target=post) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [400] * 20 and attempts_of(app, uid) == []


def test_the_configured_number_of_attempts_is_used_everywhere(tmp_path, migrated_template, content_dir, quizzes_dir,
                                                              make_user):
    """ROLE_PLAY_ATTEMPTS=3: three attempts, worded as three; the content needs a third scenario for it."""
    from onboarding import create_app

    quizzes = tmp_path / "quizzes"
    shutil.copytree(quizzes_dir, quizzes)
    text = (quizzes / "scenarios" / "school.yaml").read_text().replace("slug: school", "slug: office")
    (quizzes / "scenarios" / "office.yaml").write_text(text.replace("title: A school", "title: An office"))
    db_path = tmp_path / "three.db"
    shutil.copy(migrated_template, db_path)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
                      "CONTENT_DIR": str(content_dir), "QUIZZES_DIR": str(quizzes), "ROLE_PLAY_ATTEMPTS": 3,
                      "SECRET_KEY": "test-secret-key-that-is-long-enough-000"})
    from onboarding.people.services import create_user

    with app.app_context():
        mentor = create_user("mentor@example.com", "Marco Mentor", "mentor", "correct-horse-battery")
        head = create_user("head@example.com", "Irene Head", "head", "correct-horse-battery")
        trainee = create_user("sam@example.com", "Sam Trainee", "trainee", "correct-horse-battery",
                              start_date=date.today(), mentor_id=None)
        db.session.flush()
        db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == trainee.id)).mentor_id = mentor.id
        db.session.commit()
        ids = {"mentor": mentor.id, "head": head.id, "trainee": trainee.id}
    uid = ids["trainee"]
    ready_for_role_play(app, uid)
    _fail(app, uid, "school", 1)
    _fail(app, uid, "warehouse", 2)
    client, auth = as_user(app, "mentor@example.com")
    page = client.get(f"/trainees/{uid}/role-play").get_data(as_text=True)
    assert "There are 3 attempts at most" in page and "Schedule attempt 3 of 3" in page
    assert "Attempt 2 of 3" in page
    assert schedule(client, auth, uid, [ids["mentor"], ids["head"]], scenario="school").status_code == 400
    assert schedule(client, auth, uid, [ids["mentor"], ids["head"]], scenario="office").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(RolePlayAttempt.allowed).where(RolePlayAttempt.number == 3)) == 3
        db.engine.dispose()
