"""Mentoring rules: sign-offs, the ledger, role-plays, the signature, supervision, assignments."""
import shutil
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.activity import rules
from onboarding.activity.models import ActivityEntry
from onboarding.mentoring.models import Acknowledgement, MentorAssignment, RolePlayAttempt, SignOffEvent
from onboarding.people.models import TraineeRecord
from onboarding.path.service import trainee_progress

from .conftest import as_user, complete_stages_before, ready_for_role_play


@pytest.fixture
def people(make_user):
    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    return {
        "mentor": mentor,
        "other_mentor": make_user("mentor", email="other@example.com", name="Olga Other"),
        "head": make_user("head", email="head@example.com", name="Irene Head"),
        "trainee": make_user("trainee", email="sam@example.com", name="Sam Trainee", mentor=mentor),
    }


# ---------------------------------------------------------------- sign-offs

def test_request_sign_return_and_revoke_keep_every_step(app, people):
    complete_stages_before(app, people["trainee"], 3)
    uid = people["trainee"]
    trainee, t_auth = as_user(app, "sam@example.com")
    url = f"/trainees/{uid}/tasks/proposal"
    token = t_auth.token(f"/trainees/{uid}/checklist")
    assert trainee.post(f"{url}/request", data={"note": "Ready", "evidence": "https://drive.example/p.pdf",
                                                "csrf_token": token}).status_code == 302
    assert trainee.post(f"{url}/sign", data={"csrf_token": token}).status_code == 403  # not their own sign-off

    mentor, m_auth = as_user(app, "mentor@example.com")
    token = m_auth.token(f"/trainees/{uid}/checklist")
    refused = mentor.post(f"{url}/return", data={"note": " ", "csrf_token": token}, follow_redirects=True)
    assert "Say what to improve" in refused.get_data(as_text=True)
    mentor.post(f"{url}/return", data={"note": "Add the payment terms.", "csrf_token": token})
    trainee.post(f"{url}/request", data={"note": "Fixed", "csrf_token": t_auth.token(f"/trainees/{uid}/checklist")})
    mentor.post(f"{url}/sign", data={"note": "Good", "csrf_token": token})
    mentor.post(f"{url}/revoke", data={"note": "Found an error in the VAT.", "csrf_token": token})
    with app.app_context():
        kinds = db.session.scalars(sa.select(SignOffEvent.kind).where(SignOffEvent.task_id == "proposal")
                                   .order_by(SignOffEvent.id)).all()
        assert kinds == ["requested", "returned", "requested", "signed", "revoked"]
        assert {"sign_off_requested", "sign_off_returned", "sign_off_signed", "sign_off_revoked"} <= set(
            db.session.scalars(sa.select(AuditEvent.action)))
    page = trainee.get(f"/trainees/{uid}/checklist").get_data(as_text=True)
    assert "Add the payment terms." in page and "Found an error in the VAT." in page and "Revoked" in page


def test_another_mentor_cannot_act_for_the_trainee(app, people):
    uid = people["trainee"]
    other, auth = as_user(app, "other@example.com")
    token = auth.token("/")
    assert other.get(f"/trainees/{uid}/checklist").status_code == 403
    assert other.post(f"/trainees/{uid}/tasks/proposal/sign", data={"csrf_token": token}).status_code == 403
    assert other.get(f"/trainees/{uid}/activity").status_code == 403
    assert other.post(f"/trainees/{uid}/supervision", data={"csrf_token": token}).status_code == 403
    assert other.post(f"/trainees/{uid}/role-play", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SignOffEvent.id))) == 0


def test_a_stage_needs_its_checklist_signed_off(app, people):
    from onboarding.path.service import trainee_progress

    uid = people["trainee"]
    complete_stages_before(app, uid, 3)
    with app.app_context():
        cur = app.extensions["curriculum"]
        record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        assert trainee_progress(record).stage(3).tasks_total == 2
        from onboarding.learning.models import ModuleCompletion

        for m in cur.stage(3).modules:
            db.session.add(ModuleCompletion(user_id=uid, module_slug=m.slug, content_version=m.version))
        db.session.commit()
        assert trainee_progress(record).stage(3).state == "open"
        for task in ("proposal", "segmentation"):
            db.session.add(SignOffEvent(trainee_id=uid, task_id=task, kind="signed"))
        from onboarding.assessment.models import QuizAttempt

        db.session.add(QuizAttempt(user_id=uid, quiz_slug="written", number=1, allowed=2, state="graded", plan={},
                                   passed=True, percent=90, graded_at=datetime.now(timezone.utc)))
        db.session.commit()
        assert trainee_progress(record).stage(3).state == "open"  # the role-play is still missing
        db.session.add(RolePlayAttempt(trainee_id=uid, scenario_slug="school", number=1, allowed=2, state="scored",
                                       scheduled_for=datetime.now(timezone.utc), passed=True, percent=80,
                                       completed_at=datetime.now(timezone.utc)))
        db.session.commit()
        progress = trainee_progress(record)
        assert progress.stage(3).state == "complete" and progress.stage(4).state == "open"
        assert progress.stage(3).completed_on == date.today()


# ---------------------------------------------------------------- the ledger

def test_ledger_entry_confirm_and_correction_keeps_the_original(app, people):
    uid = people["trainee"]
    trainee, t_auth = as_user(app, "sam@example.com")
    day = date.today().isoformat()  # Sam starts today: the ledger takes days from the start date to today
    figures = {"prospects": "3", "calls": "18", "meetings": "0", "applications": "1", "orders": "0", "referrals": "1",
               "events": "0", "decision_makers": "2", "deals": "0"}
    bad = trainee.post(f"/trainees/{uid}/activity", data={**figures, "calls": "-4", "day": day,
                                                          "csrf_token": t_auth.token(f"/trainees/{uid}/activity")})
    assert bad.status_code == 400 and "Enter a whole number from 0 to 10,000." in bad.get_data(as_text=True)
    assert 'value="-4"' in bad.get_data(as_text=True)
    future = trainee.post(f"/trainees/{uid}/activity", data={**figures, "day": "2099-01-01",
                                                             "csrf_token": t_auth.token(f"/trainees/{uid}/activity")})
    assert future.status_code == 400
    ok = trainee.post(f"/trainees/{uid}/activity", data={**figures, "day": day, "note": "Call day",
                                                         "csrf_token": t_auth.token(f"/trainees/{uid}/activity")})
    assert ok.status_code == 302
    with app.app_context():
        entry = db.session.scalar(sa.select(ActivityEntry))
        entry_id = entry.id

    mentor, m_auth = as_user(app, "mentor@example.com")
    token = m_auth.token(f"/trainees/{uid}/activity")
    response = mentor.post(f"/activity/{entry_id}/correct", data={**figures, "calls": "12", "note": "Counted twice",
                                                                  "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(ActivityEntry).order_by(ActivityEntry.id)).all()
        assert [(r.calls, r.corrects_id) for r in rows] == [(18, None), (12, entry_id)]
        from onboarding.activity.services import ledger_days

        assert ledger_days(uid)[date.fromisoformat(day)]["calls"] == 12
    page = trainee.get(f"/trainees/{uid}/activity").get_data(as_text=True)
    assert "Counted twice" in page and "Corrected; original as entered" in page and "<svg" in page
    changed = trainee.post(f"/trainees/{uid}/activity", data={**figures, "day": day,
                                                              "csrf_token": t_auth.token(f"/trainees/{uid}/activity")})
    assert "ask them to correct it" in changed.get_data(as_text=True)


def test_weekly_rules_funnel_and_rhythm():
    days = {date(2026, 11, 2): {"calls": 20, "meetings": 0, "decision_makers": 5, "deals": 0},
            date(2026, 11, 3): {"calls": 4, "meetings": 2, "decision_makers": 3, "applications": 1, "deals": 1},
            date(2026, 11, 10): {"calls": 10, "meetings": 1, "decision_makers": 2}}
    weeks = rules.weeks(days, date(2026, 11, 4), date(2026, 11, 12))
    assert [w.start for w in weeks] == [date(2026, 11, 2), date(2026, 11, 9)]
    assert weeks[0].totals["calls"] == 24 and weeks[0].call_days == 1 and weeks[0].meeting_days == 1
    assert weeks[0].against({"meetings": 4}) == {"meetings": 50}
    funnel = rules.funnel({"prospects": 10, "decision_makers": 3, "meetings": 4, "applications": 2, "deals": 1})
    assert funnel.conversion == 10 and funnel.meets_benchmark
    assert rules.funnel({"prospects": 11, "decision_makers": 50, "deals": 1}).meets_benchmark is False
    assert rules.funnel({}).conversion is None
    assert rules.targets_met(weeks, {"calls": 17}) is True and rules.targets_met(weeks, {"calls": 18}) is False
    assert [w.start for w in rules.full_weeks(weeks, date(2026, 11, 2), date(2026, 11, 12))] == [date(2026, 11, 2)]
    assert rules.full_weeks(weeks, date(2026, 11, 3), date(2026, 11, 16)) == weeks[1:]
    entries = [(1, date(2026, 11, 2), None, {"calls": 5}), (2, date(2026, 11, 2), 1, {"calls": 3}),
               (3, date(2026, 11, 2), 1, {"calls": 4})]
    assert rules.effective(entries) == {date(2026, 11, 2): {"calls": 4}}


def test_head_sets_team_targets(app, people):
    head, auth = as_user(app, "head@example.com")
    token = auth.token("/targets")
    head.post("/targets", data={"team-name": "Offices", "csrf_token": token})
    with app.app_context():
        from onboarding.activity.models import Team

        team_id = db.session.scalar(sa.select(Team.id))
    values = {f"t{team_id}-{f}": "2" for f in rules.FIGURES}  # the team's row of the one targets form
    values[f"t{team_id}-segment"] = "consumer"
    assert head.post("/targets", data={**values, "csrf_token": token}).status_code == 302
    with app.app_context():
        from onboarding.activity.services import targets_for

        from onboarding.activity.services import segment_for

        assert targets_for(team_id)["meetings"] == 2 and targets_for(None)["meetings"] == 5
        assert segment_for(team_id) == "consumer" and segment_for(None) == "b2b"


# ---------------------------------------------------------------- role-play

def _schedule(client, auth, uid, evaluators, scenario="school", days=2):
    token = auth.token(f"/trainees/{uid}/role-play")
    when = (datetime.now(timezone.utc) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
    return client.post(f"/trainees/{uid}/role-play", data={"scenario": scenario, "when": when, "place": "Room 2",
                                                            "evaluators": [str(e) for e in evaluators],
                                                            "csrf_token": token})


def meeting_time_has_come(app, attempt_id):
    """The scheduled time passes: move the meeting a minute into the past, as the clock would."""
    with app.app_context():
        attempt = db.session.get(RolePlayAttempt, attempt_id)
        attempt.scheduled_for = datetime.now(timezone.utc) - timedelta(minutes=1)
        db.session.commit()


def _score(app, email, attempt_id, needs, closing):
    client, auth = as_user(app, email)
    token = auth.token(f"/role-play/{attempt_id}")
    return client.post(f"/role-play/{attempt_id}", data={"score-needs": str(needs), "score-closing": str(closing),
                                                          "comment-needs": "Asked well", "csrf_token": token})


def test_role_play_two_evaluators_then_two_failures_hold_the_trainee(app, people):
    uid = people["trainee"]
    ready_for_role_play(app, uid)
    mentor, m_auth = as_user(app, "mentor@example.com")
    assert _schedule(mentor, m_auth, uid, [people["mentor"], people["head"]]).status_code == 302
    with app.app_context():
        attempt_id = db.session.scalar(sa.select(RolePlayAttempt.id))

    trainee, _ = as_user(app, "sam@example.com")
    page = trainee.get(f"/role-play/{attempt_id}").get_data(as_text=True)
    assert "The bursar wants purifiers" in page and "EVALUATOR-SECRET" not in page
    meeting_time_has_come(app, attempt_id)
    assert _score(app, "sam@example.com", attempt_id, 5, 5).status_code == 403  # not an evaluator

    assert "EVALUATOR-SECRET" in mentor.get(f"/role-play/{attempt_id}").get_data(as_text=True)
    assert _score(app, "mentor@example.com", attempt_id, 9, 2).status_code == 400  # out of the scale
    _score(app, "mentor@example.com", attempt_id, 3, 2)
    again = _score(app, "mentor@example.com", attempt_id, 5, 5)  # refused: already scored, shown on the page
    assert again.status_code == 400 and "Your scores for this attempt are already recorded." in again.get_data(
        as_text=True)
    _score(app, "head@example.com", attempt_id, 3, 3)
    with app.app_context():
        attempt = db.session.get(RolePlayAttempt, attempt_id)
        # needs: mean 3/5 x 60 = 36; closing: mean 2.5/5 x 40 = 20 -> 56 %
        assert attempt.state == "scored" and attempt.percent == 56.0 and attempt.passed is False
    result = trainee.get(f"/role-play/{attempt_id}").get_data(as_text=True)
    assert "56%" in result and "Not passed" in result and "Asked well" in result

    # The retake: a scenario the trainee has not had, two evaluators again.
    assert _schedule(mentor, m_auth, uid, [people["mentor"], people["head"]]).status_code == 400
    assert _schedule(mentor, m_auth, uid, [people["mentor"], people["head"]], scenario="warehouse").status_code == 302
    with app.app_context():
        second = db.session.scalar(sa.select(RolePlayAttempt.id).where(RolePlayAttempt.number == 2))
    meeting_time_has_come(app, second)
    _score(app, "mentor@example.com", second, 2, 2)
    _score(app, "head@example.com", second, 2, 2)
    page = mentor.get(f"/trainees/{uid}/role-play").get_data(as_text=True)
    assert "Held: every attempt used" in page and "Schedule attempt" not in page
    refused = _schedule(mentor, m_auth, uid, [people["mentor"], people["head"]], scenario="warehouse")
    assert "all 2 attempts are used" in refused.get_data(as_text=True)

    head, h_auth = as_user(app, "head@example.com")
    page = head.get(f"/trainees/{uid}/role-play").get_data(as_text=True)
    assert "Your decision" in page and "Keep in training without the certification" in page
    assert "Withdraw from the training" in page
    with app.app_context():
        from onboarding.notifications.models import Notification

        assert db.session.scalar(sa.select(Notification.kind).where(Notification.user_id == people["head"],
                                                                    Notification.kind == "decision_due"))
    token = h_auth.token(f"/trainees/{uid}/role-play")
    new_date = (date.today() + timedelta(days=60)).isoformat()
    head.post(f"/trainees/{uid}/decision", data={"hold-decision": "keep", "hold-plan": "Two more weeks of practice "
                                                 "with the mentor on discovery questions.",
                                                 "hold-new_target_date": new_date, "csrf_token": token})
    with app.app_context():
        record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        assert record.status == "in_training" and record.target_date.isoformat() == new_date
        assert trainee_progress(record).stage(4).state == "locked"  # stage 4 stays closed
    assert _schedule(mentor, m_auth, uid, [people["mentor"], people["head"]], scenario="warehouse").status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RolePlayAttempt.id))) == 2


def test_a_third_attempt_is_refused_by_the_database_even_in_parallel(app, people):
    uid = people["trainee"]
    ready_for_role_play(app, uid)
    with app.app_context():
        for n in (1, 2):
            db.session.add(RolePlayAttempt(trainee_id=uid, scenario_slug="school", number=n, allowed=2,
                                           scheduled_for=datetime.now(timezone.utc), state="scored", passed=False))
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.add(RolePlayAttempt(trainee_id=uid, scenario_slug="school", number=3, allowed=2,
                                           scheduled_for=datetime.now(timezone.utc)))
            db.session.commit()
        db.session.rollback()
        db.session.execute(sa.delete(RolePlayAttempt).where(RolePlayAttempt.number == 2))
        db.session.commit()

    mentor, auth = as_user(app, "mentor@example.com")
    token = auth.token(f"/trainees/{uid}/role-play")
    cookie = mentor.get_cookie("session").value
    when = (datetime.now(timezone.utc) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    barrier = threading.Barrier(20)
    answers = []

    def post():
        c = app.test_client()
        c.set_cookie("session", cookie)
        barrier.wait()
        answers.append(c.post(f"/trainees/{uid}/role-play", data={
            "scenario": "warehouse", "when": when, "evaluators": [str(people["mentor"]), str(people["head"])],
            "csrf_token": token}).status_code)

    threads = [threading.Thread(target=post) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 20 and answers.count(302) == 1 and set(answers) == {302, 400}
    with app.app_context():
        numbers = db.session.scalars(sa.select(RolePlayAttempt.number).order_by(RolePlayAttempt.number)).all()
        assert numbers == [1, 2]


# ---------------------------------------------------------------- the job description

def test_signature_must_match_and_becomes_outdated_when_the_document_changes(tmp_path, migrated_template,
                                                                           content_dir, quizzes_dir):
    from onboarding import create_app
    from onboarding.people.services import create_user

    shutil.copytree(content_dir, tmp_path / "content")
    shutil.copy(migrated_template, tmp_path / "jd.db")
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jd.db'}",
              "CONTENT_DIR": str(tmp_path / "content"), "QUIZZES_DIR": str(quizzes_dir)}
    app = create_app(config)
    with app.app_context():
        create_user("sam@example.com", "Sam Trainee", "trainee", "correct-horse-battery", None)
        db.session.commit()
    client, auth = as_user(app, "sam@example.com")
    token = auth.token("/job-description")
    client.post("/job-description/sign", data={"typed_name": "sam trainee", "csrf_token": token})
    page = client.get("/job-description").get_data(as_text=True)
    assert "You signed this version" in page
    with app.app_context():
        ack = db.session.scalar(sa.select(Acknowledgement))
        assert ack.typed_name == "sam trainee" and ack.version == app.extensions["curriculum"].job_description.version

    doc = tmp_path / "content" / "job-description.md"
    doc.write_text(doc.read_text() + "\nA new duty: keep the CRM tidy.\n")
    changed = create_app(config)  # the next deployment reads the new version
    client, auth = as_user(changed, "sam@example.com")
    page = client.get("/job-description").get_data(as_text=True)
    assert "Your signature is outdated" in page and 'id="sign"' in page
    assert "Job description not signed" in client.get("/").get_data(as_text=True)
    with changed.app_context():
        db.engine.dispose()
    with app.app_context():
        db.engine.dispose()


def test_stage_one_is_dated_by_the_first_signature_and_counted_by_the_current_one(app, people):
    """A trainee who signed the version in force when they started, and a later version months afterwards, finished
    stage 1 when its last requirement was first met, not on the day they signed again."""
    from onboarding.assessment.models import QuizAttempt
    from onboarding.learning.models import ModuleCompletion
    from onboarding.readiness.models import ReadinessStageDays

    uid = people["trainee"]
    start = date.today() - timedelta(days=120)
    complete_stages_before(app, uid, 2)

    def at(days):
        return datetime.combine(start + timedelta(days=days), datetime.min.time(), timezone.utc)

    with app.app_context():
        db.session.get(TraineeRecord, db.session.scalar(
            sa.select(TraineeRecord.id).where(TraineeRecord.user_id == uid))).start_date = start
        for row in db.session.scalars(sa.select(ModuleCompletion).where(ModuleCompletion.user_id == uid)):
            row.completed_at = at(5)
        for row in db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == uid)):
            row.graded_at = row.submitted_at = at(6)
        for row in db.session.scalars(sa.select(SignOffEvent).where(SignOffEvent.trainee_id == uid)):
            row.at = at(7)
        current = db.session.scalar(sa.select(Acknowledgement).where(Acknowledgement.trainee_id == uid))
        current.signed_at = at(100)  # the new version, signed again long after stage 1
        db.session.add(Acknowledgement(trainee_id=uid, document=current.document, version="0ld" * 5,
                                       typed_name="Sam Trainee", signed_at=at(9)))  # the last of stage 1's work
        db.session.commit()

        def stage_one():
            record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
            return trainee_progress(record).stage(1)

        assert stage_one().state == "complete" and stage_one().completed_on == start + timedelta(days=9)
        stored = db.session.scalar(sa.select(ReadinessStageDays.days).where(ReadinessStageDays.trainee_id == uid,
                                                                           ReadinessStageDays.stage == 1))
        assert stored == 9  # the cohort's "time in each stage" reads this

        current.typed_name = "Someone Else"  # the current version signed with another name does not count
        db.session.commit()
        assert stage_one().state == "open" and stage_one().completed_on is None
        db.session.delete(current)  # nor does the earlier version alone
        db.session.commit()
        assert stage_one().state == "open"
        assert db.session.scalar(sa.select(ReadinessStageDays.days).where(
            ReadinessStageDays.trainee_id == uid, ReadinessStageDays.stage == 1)) is None


def test_heads_see_who_signed_which_version_and_print_it(app, people):
    uid = people["trainee"]
    with app.app_context():
        doc = app.extensions["curriculum"].job_description
        db.session.add(Acknowledgement(trainee_id=uid, document=doc.slug, version="0ld" * 5, typed_name="Sam Trainee"))
        db.session.commit()
        ack_id = db.session.scalar(sa.select(Acknowledgement.id))
    head, _ = as_user(app, "head@example.com")
    page = head.get("/job-description/signatures").get_data(as_text=True)
    assert "Sam Trainee" in page and "Outdated: must sign again" in page
    copy = head.get(f"/signatures/{ack_id}").get_data(as_text=True)
    assert "earlier version" in copy and "Sam Trainee" in copy
    other, _ = as_user(app, "other@example.com")
    assert other.get(f"/signatures/{ack_id}").status_code == 403


def test_the_signatures_page_lists_a_page_of_trainees_and_reads_only_their_signatures(app, people, make_user):
    app.config["PER_PAGE"] = 2  # four a page
    ids = [make_user("trainee", email=f"t{n}@example.com", name=f"Zed {n}") for n in range(5)]
    with app.app_context():
        doc = app.extensions["curriculum"].job_description
        for uid in ids:
            db.session.add(Acknowledgement(trainee_id=uid, document=doc.slug, version=doc.version,
                                           typed_name=db.session.get(User, uid).full_name))
        db.session.commit()
    head, _ = as_user(app, "head@example.com")
    loaded = []

    def on_load(target, _context):
        loaded.append(target.trainee_id)

    sa.event.listen(Acknowledgement, "load", on_load)
    try:
        first = head.get("/job-description/signatures").get_data(as_text=True)
    finally:
        sa.event.remove(Acknowledgement, "load", on_load)
    assert "Sam Trainee" in first and "Zed 0" in first and "Zed 4" not in first  # by name, four a page
    assert 'rel="next"' in first and "Page 1 of 2" in first
    assert set(loaded) <= {people["trainee"], *ids[:3]}  # the page's signatures, not everyone's
    last = head.get("/job-description/signatures?page=2").get_data(as_text=True)
    assert "Zed 4" in last and "Zed 0" not in last and "Current" in last


# ---------------------------------------------------------------- supervision and assignments

def test_supervision_notes_and_mentor_history(app, people):
    uid = people["trainee"]
    complete_stages_before(app, uid, 4)  # supervision belongs to stage 4: notes from the week it opened
    mentor, auth = as_user(app, "mentor@example.com")
    response = mentor.post(f"/trainees/{uid}/supervision", data={
        "week_of": date.today().isoformat(), "situation": "A client asked for net-60.",
        "advice": "Offer net-30 first.", "csrf_token": auth.token(f"/trainees/{uid}/supervision")})
    assert response.status_code == 302
    trainee, _ = as_user(app, "sam@example.com")
    assert "Offer net-30 first." in trainee.get(f"/trainees/{uid}/supervision").get_data(as_text=True)

    head, h_auth = as_user(app, "head@example.com")
    second = people["other_mentor"]
    response = head.post("/trainees/assign", data={"trainees": [str(uid)], "mentor": str(second),
                                                   "csrf_token": h_auth.token("/")})
    assert response.status_code == 302
    with app.app_context():
        history = db.session.scalars(sa.select(MentorAssignment).order_by(MentorAssignment.id)).all()
        assert [(h.mentor_id, h.ended_at is None) for h in history] == [(people["mentor"], False), (second, True)]
    page = head.get(f"/trainees/{uid}").get_data(as_text=True)
    assert "Mentors over time" in page and "Marco Mentor" in page and "Olga Other" in page
    assert mentor.get(f"/trainees/{uid}/checklist").status_code == 403  # no longer their trainee
