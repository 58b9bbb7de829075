"""The decision after cold calling: stage 2 ends with a go or a no-go. Stage 3 opens only after a go; a no-go ends
the training like a withdrawal. The pure rule branch by branch, then the service, the route, the pages, the inbox,
the summary and the API."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from onboarding.audit.models import AuditEvent
from onboarding.extensions import db
from onboarding.notifications.models import Notification
from onboarding.people.models import TraineeRecord
from onboarding.readiness.models import GoDecision, ImmutableRecordError, ReadinessSummary
from onboarding.path.progress import (COMPLETE, GO, LOCKED, NO_GO, OPEN, PENDING, StageRequirements,
                                           TraineeFacts, compute_progress, go_refusal)

from .conftest import as_user, complete_stages_before, staff_and_trainee

# ---------------------------------------------------------------- the pure rule

START = date(2026, 3, 2)
PATH = (StageRequirements(1, "Company", 5, (("hello", ()),)),
        StageRequirements(2, "Cold calling", 10, (("calls", ()),), quizzes=("product",), needs_go=True),
        StageRequirements(3, "Sales training", 25, (("craft", ()),)),
        StageRequirements(4, "Supervised work", 140, (("rhythm", ()),)))
STAGE_2_DONE = {"completed_modules": frozenset({"hello", "calls"}), "passed_quizzes": frozenset({"product"}),
                "dates": {"module:hello": START, "module:calls": START + timedelta(days=6),
                          "quiz:product": START + timedelta(days=8)}}


def _path(go=None, **facts):
    facts = {**STAGE_2_DONE, **facts}
    if go:
        facts["dates"] = {**facts["dates"], "go": START + timedelta(days=9)}
    return compute_progress(PATH, TraineeFacts(START, go_decision=go, **facts), START + timedelta(days=12))


def test_without_a_decision_stage_3_waits_for_it_once_stage_2_is_done():
    p = _path()
    two, three = p.stage(2), p.stage(3)
    assert (two.state, two.decision_due, two.go_decision) == (OPEN, True, None)
    assert (three.state, three.waits_for_decision) == (LOCKED, PENDING)
    assert p.current_stage == 2 and p.go_due and not p.complete
    assert p.next_module is None and p.next_quiz is None
    assert two.percent == 100  # the work is done; the decision is not a step of the trainee's


def test_a_go_completes_stage_2_on_the_day_of_the_decision_and_opens_stage_3():
    p = _path(GO)
    assert (p.stage(2).state, p.stage(2).completed_on) == (COMPLETE, START + timedelta(days=9))
    assert (p.stage(3).state, p.stage(3).waits_for_decision) == (OPEN, None)
    assert p.current_stage == 3 and not p.go_due and p.go_decision == GO and p.next_module == "craft"


def test_a_no_go_keeps_stage_3_closed_for_good():
    p = _path(NO_GO)
    assert p.stage(2).state == OPEN and not p.stage(2).decision_due
    assert (p.stage(3).state, p.stage(3).waits_for_decision) == (LOCKED, NO_GO)
    assert p.stage(4).waits_for_decision is None  # only the stage right after the decision says why
    assert not p.go_due and p.go_decision == NO_GO


def test_a_go_while_stage_2_is_incomplete_opens_nothing_yet():
    p = _path(GO, passed_quizzes=frozenset())
    assert p.stage(2).state == OPEN and not p.stage(2).decision_due
    assert (p.stage(3).state, p.stage(3).waits_for_decision) == (LOCKED, None)  # the work comes first
    assert p.next_quiz == "product"


def test_no_decision_is_due_while_stage_2_is_incomplete_or_locked():
    assert not _path(passed_quizzes=frozenset()).go_due
    assert _path(passed_quizzes=frozenset()).stage(3).waits_for_decision is None
    locked = _path(completed_modules=frozenset({"calls"}))  # stage 1 not read: stage 2 is locked
    assert locked.stage(2).state == LOCKED and not locked.go_due


def test_a_path_without_the_decision_is_unchanged():
    plain = tuple(StageRequirements(s.number, s.title, s.planned_days, s.modules, s.quizzes) for s in PATH)
    p = compute_progress(plain, TraineeFacts(START, **STAGE_2_DONE), START + timedelta(days=12))
    assert p.stage(2).state == COMPLETE and p.stage(3).state == OPEN and not p.go_due


@pytest.mark.parametrize("go, facts, verdict, refusal", [
    (None, {}, GO, None),
    (None, {}, NO_GO, None),
    (None, {}, "maybe", "verdict"),
    (GO, {}, NO_GO, "decided"),
    (NO_GO, {}, GO, "decided"),
    (None, {"passed_quizzes": frozenset()}, GO, "work_not_done"),
    (None, {"passed_quizzes": frozenset()}, NO_GO, None),  # a no-go may part ways before the work is done
    (None, {"completed_modules": frozenset({"calls"})}, NO_GO, "not_open"),
])
def test_when_the_decision_may_be_recorded(go, facts, verdict, refusal):
    assert go_refusal(_path(go, **facts), verdict) == refusal


def test_no_decision_without_a_stage_that_needs_it():
    plain = tuple(StageRequirements(s.number, s.title, s.planned_days, s.modules) for s in PATH)
    assert go_refusal(compute_progress(plain, TraineeFacts(START), START), GO) == "no_stage"


def test_the_shipped_rules_put_the_decision_at_the_end_of_stage_2(app):
    from onboarding.path.service import requirements

    with app.app_context():
        assert [s.needs_go for s in requirements()] == [False, True, False, False]


# ---------------------------------------------------------------- the service and the route

@pytest.fixture
def people(app, make_user):
    ids = staff_and_trainee(make_user)
    complete_stages_before(app, ids["trainee"], 3, go=False)  # cold calling done; nobody has decided
    return ids


def _post(app, email, uid, **data):
    client, auth = as_user(app, email)
    token = auth.token(f"/trainees/{uid}")
    return client.post(f"/trainees/{uid}/go-decision", data={"csrf_token": token, **data})


def _decision(app, uid):
    with app.app_context():
        row = db.session.scalar(sa.select(GoDecision).where(GoDecision.trainee_id == uid))
        return None if row is None else (row.verdict, row.note, row.decided_by)


def _status(app, uid):
    with app.app_context():
        return db.session.scalar(sa.select(TraineeRecord.status).where(TraineeRecord.user_id == uid))


def _told(app, uid, kind):
    with app.app_context():
        return set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == kind)))


def _summary(app, uid):
    with app.app_context():
        s = db.session.get(ReadinessSummary, uid)
        return s.current_stage, s.waits.get("mentor", {})


def test_the_trainee_page_says_stage_3_waits_and_offers_the_mentor_the_form(app, people):
    uid = people["trainee"]
    assert _summary(app, uid) == (2, {"go_no_go": 1})
    page = as_user(app, "mentor@example.com")[0].get(f"/trainees/{uid}").get_data(as_text=True)
    assert "stage 3 is waiting for the go/no-go decision after cold calling" in page
    assert f'action="/trainees/{uid}/go-decision"' in page and 'name="verdict"' in page
    own = as_user(app, "tom@example.com")[0].get("/").get_data(as_text=True)
    assert "Waiting for the go/no-go decision after cold calling" in own and "go-decision" not in own


def test_a_go_opens_stage_3_is_audited_told_and_refreshes_the_summary(app, people):
    uid = people["trainee"]
    response = _post(app, "mentor@example.com", uid, verdict="go", note="Ready to learn the craft.")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/trainees/{uid}#go-decision")
    assert _decision(app, uid) == ("go", "Ready to learn the craft.", people["mentor"])
    assert _status(app, uid) == "in_training"
    assert _summary(app, uid) == (3, {})
    assert _told(app, uid, "cold_calling_go") == {uid, people["head"]}  # the trainee and the heads; not the actor
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cold_calling_go"))
        assert (event.actor_id, event.trainee_id, event.details["note"]) == (people["mentor"], uid,
                                                                           "Ready to learn the craft.")
    page = as_user(app, "tom@example.com")[0].get(f"/trainees/{uid}").get_data(as_text=True)
    assert "Go: continues to sales training with a mentor" in page and "Ready to learn the craft." in page
    timeline = as_user(app, "head@example.com")[0].get(f"/trainees/{uid}/timeline").get_data(as_text=True)
    assert "Go after cold calling: on to sales training (Ready to learn the craft.)" in timeline


def test_a_no_go_asks_first_then_ends_the_training_like_a_withdrawal(app, people):
    uid = people["trainee"]
    client, auth = as_user(app, "head@example.com")
    token = auth.token(f"/trainees/{uid}")
    data = {"csrf_token": token, "verdict": "no_go", "note": "Could not pick up the phone after two weeks."}
    asked = client.post(f"/trainees/{uid}/go-decision", data=data)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="confirm" value="1"' in html
    assert "Could not pick up the phone after two weeks." in html and _decision(app, uid) is None
    done = client.post(f"/trainees/{uid}/go-decision", data={**data, "confirm": "1"})
    assert done.status_code == 302
    assert _decision(app, uid) == ("no_go", "Could not pick up the phone after two weeks.", people["head"])
    assert _status(app, uid) == "withdrawn"
    assert _told(app, uid, "cold_calling_no_go") == {uid, people["mentor"]}
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cold_calling_no_go"))
        assert (event.details["before"], event.details["after"]) == ("in_training", "withdrawn")
    own = as_user(app, "tom@example.com")[0].get("/").get_data(as_text=True)
    assert "Your training has ended" in own and "Closed: the decision after cold calling was no-go." in own


@pytest.mark.parametrize("data, message", [
    ({"verdict": "no_go", "note": "  "}, "A no-go needs a note: why you part ways."),
    ({"note": "Fine."}, "Choose go or no-go."),
])
def test_a_refused_form_comes_back_with_what_was_typed(app, people, data, message):
    uid = people["trainee"]
    response = _post(app, "mentor@example.com", uid, **data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _decision(app, uid) is None and _status(app, uid) == "in_training"


def test_a_go_before_cold_calling_is_done_is_refused_on_the_page(app, make_user):
    ids = staff_and_trainee(make_user)
    uid = ids["trainee"]
    complete_stages_before(app, uid, 2)  # stage 2 open, its work not done
    response = _post(app, "mentor@example.com", uid, verdict="go", note="Keen.")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "a go waits until its work is done" in html and "Keen." in html
    assert _decision(app, uid) is None


def test_the_decision_is_taken_once_and_never_edited(app, people):
    uid = people["trainee"]
    assert _post(app, "mentor@example.com", uid, verdict="go", note="").status_code == 302
    again = _post(app, "head@example.com", uid, verdict="no_go", note="Changed my mind.", confirm="1")
    assert again.status_code == 400 and "is recorded already" in again.get_data(as_text=True)
    assert _decision(app, uid) == ("go", "", people["mentor"]) and _status(app, uid) == "in_training"
    with app.app_context():
        row = db.session.scalar(sa.select(GoDecision).where(GoDecision.trainee_id == uid))
        row.note = "edited"
        with pytest.raises(ImmutableRecordError):
            db.session.flush()


def test_the_database_refuses_a_no_go_without_a_note_and_a_second_row(app, people):
    from sqlalchemy.exc import IntegrityError

    uid = people["trainee"]
    with app.app_context():
        db.session.add(GoDecision(trainee_id=uid, verdict="no_go", note=""))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add_all([GoDecision(trainee_id=uid, verdict="go"), GoDecision(trainee_id=uid, verdict="go")])
        with pytest.raises(IntegrityError):
            db.session.flush()


def test_the_inbox_lists_the_decision_for_the_mentor_until_it_is_taken(app, people):
    uid = people["trainee"]
    client = as_user(app, "mentor@example.com")[0]
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Cold calling is done: the go/no-go decision is due" in inbox
    assert f"/trainees/{uid}?next=/inbox#go-decision" in inbox.replace("&amp;", "&")
    _post(app, "mentor@example.com", uid, verdict="go", note="")
    assert "go/no-go decision is due" not in client.get("/inbox").get_data(as_text=True)


def test_the_dashboard_shows_who_waits_on_the_decision(app, people):
    page = as_user(app, "head@example.com")[0].get("/").get_data(as_text=True)
    assert "the go/no-go decision after cold calling" in page


def test_the_api_and_the_report_carry_the_decision(app, people):
    from onboarding.api.tokens import create_token
    from onboarding.auth.models import User

    uid = people["trainee"]
    with app.app_context():
        token = create_token(db.session.get(User, people["head"]), "test")
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    before = client.get(f"/api/v1/trainees/{uid}", headers=headers).get_json()["go_decision"]
    assert before == {"due": True, "verdict": None, "note": None, "decided_by": None, "at": None}
    _post(app, "mentor@example.com", uid, verdict="go", note="On to the craft.")
    after = client.get(f"/api/v1/trainees/{uid}", headers=headers).get_json()["go_decision"]
    assert (after["due"], after["verdict"], after["note"], after["decided_by"]) == (False, "go", "On to the craft.",
                                                                                   "Marco Mentor")
    report = as_user(app, "head@example.com")[0].get(f"/trainees/{uid}/report").get_data(as_text=True)
    assert "The decision after cold calling" in report and "On to the craft." in report


def test_nothing_is_decided_once_the_training_has_ended(app, people):
    from onboarding.auth.models import User
    from onboarding.readiness.decisions import DecisionError, decide_go

    uid = people["trainee"]
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        rec.status = "independent"
        with pytest.raises(DecisionError, match="training has ended"):
            decide_go(rec, db.session.get(User, people["head"]), GO, "")
        db.session.rollback()
    assert _decision(app, uid) is None


def test_the_upgrade_records_a_go_for_trainees_already_past_cold_calling(tmp_path):
    """An install upgraded mid-way keeps its stage 3 and 4 trainees where they were; the others wait for a person."""
    from onboarding.schema import upgrade

    from .conftest import app_on_file

    app = app_on_file(tmp_path / "old.db")
    with app.app_context():
        upgrade(revision="7e1b4c9d2a60")  # before the decision existed
        with db.engine.begin() as conn:
            for uid, email, status in ((1, "past@example.com", "independent"), (2, "early@example.com", "in_training"),
                                       (3, "waiting@example.com", "awaiting_approval")):
                conn.execute(sa.text("INSERT INTO users (id, email, full_name, password_hash, role, active, created_at) "
                                     "VALUES (:id, :email, 'T', 'x', 'trainee', :yes, '2026-01-01')"),
                             {"id": uid, "email": email, "yes": True})
                conn.execute(sa.text("INSERT INTO trainee_records (user_id, start_date, target_date, status) "
                                     "VALUES (:id, '2026-01-05', '2026-04-05', :status)"), {"id": uid, "status": status})
        upgrade(revision="7d3a9c1e5b20")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT trainee_id, verdict, decided_by FROM go_decisions ORDER BY trainee_id"))
            assert rows.all() == [(1, "go", None), (3, "go", None)]
        db.engine.dispose()
