"""Nobody waits on an absent mentor: the heads of sales answer for a trainee without one, and assigning a
mentor hands everything that waits over to them."""
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from onboarding.assessment.models import QuizAttempt
from onboarding.auth.models import User
from onboarding.content import curriculum
from onboarding.extensions import db
from onboarding.activity.models import ActivityEntry
from onboarding.notifications.models import Notification
from onboarding.notifications.services import wording
from onboarding.people.models import TraineeRecord

from .conftest import as_user, complete_stages_before


@pytest.fixture
def people(make_user):
    return {
        "head": make_user("head", email="head@example.com", name="Irene Head"),
        "other_head": make_user("head", email="head2@example.com", name="Hugo Head"),
        "gone_head": make_user("head", email="gone@example.com", name="Gina Gone", active=False),
        "mentor": make_user("mentor", email="mentor@example.com", name="Marco Mentor"),
        "trainee": make_user("trainee", email="sam@example.com", name="Sam Trainee"),
    }


def notes(app, user_id, kind=None, unread=None):
    with app.app_context():
        query = sa.select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        if unread is not None:
            query = query.where(Notification.read_at.is_(None) if unread else Notification.read_at.is_not(None))
        found = db.session.scalars(query).all()
        for note in found:
            note.text = wording(note)
        return found


def request_sign_off(app, uid, task="proposal"):
    """The trainee asks for a sign-off through the page; returns what the page flashed."""
    client, auth = as_user(app, "sam@example.com")
    response = client.post(f"/trainees/{uid}/tasks/{task}/request", follow_redirects=True,
                           data={"note": "Ready", "csrf_token": auth.token(f"/trainees/{uid}/checklist")})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def submit_written(app, uid) -> int:
    """A submitted attempt at the written test, its text answer waiting for a person to grade it."""
    from onboarding.assessment import grading
    from onboarding.assessment.services import submit

    with app.app_context():
        quiz = curriculum().quizzes["written"]
        attempt = QuizAttempt(user_id=uid, quiz_slug="written", number=1, allowed=quiz.attempts,
                              state="in_progress", plan=grading.plan_attempt(quiz, 7))
        db.session.add(attempt)
        db.session.flush()
        assert submit(attempt, quiz, {"stock": "The DL-70 from stock."}, db.session.get(User, uid))
        db.session.commit()
        return attempt.id


def log_days(app, uid, count):
    with app.app_context():
        for n in range(count):
            db.session.add(ActivityEntry(trainee_id=uid, day=date.today() - timedelta(days=n + 1), entered_by=uid,
                                         calls=10))
        db.session.commit()


def everything_waiting(app, uid):
    complete_stages_before(app, uid, 3)
    request_sign_off(app, uid, "proposal")
    request_sign_off(app, uid, "segmentation")
    attempt_id = submit_written(app, uid)
    log_days(app, uid, 3)
    return attempt_id


# ---------------------------------------------------------------- who answers

def test_answerers_are_the_active_mentor_else_every_active_head(app, people, make_user):
    from onboarding.people.services import answerers

    gone_mentor = make_user("mentor", email="old@example.com", active=False)
    with_mentor = make_user("trainee", mentor=people["mentor"])
    with app.app_context():
        assert sorted(answerers(people["trainee"])) == sorted([people["head"], people["other_head"]])
        assert answerers(with_mentor) == [people["mentor"]]
        db.session.execute(sa.update(TraineeRecord).where(TraineeRecord.user_id == with_mentor)
                           .values(mentor_id=gone_mentor))
        assert sorted(answerers(with_mentor)) == sorted([people["head"], people["other_head"]])
        assert sorted(answerers(987654)) == sorted([people["head"], people["other_head"]])  # no record at all


def test_a_sign_off_request_without_a_mentor_notifies_every_active_head(app, people):
    uid = people["trainee"]
    complete_stages_before(app, uid, 3)
    page = request_sign_off(app, uid)
    assert "the head of sales is asked to sign off" in page and "Waiting for the head of sales" in page
    for head in ("head", "other_head"):
        [note] = notes(app, people[head], "sign_off_requested")
        assert note.link == f"/trainees/{uid}/checklist" and "Sam Trainee" in note.text
    assert notes(app, people["gone_head"]) == []
    assert notes(app, people["mentor"]) == []


def test_written_answers_without_a_mentor_wait_for_every_active_head(app, people):
    uid = people["trainee"]
    attempt_id = submit_written(app, uid)
    for head in ("head", "other_head"):
        [note] = notes(app, people[head], "answers_waiting")
        assert note.link == f"/attempts/{attempt_id}/grade"
    assert notes(app, people["gone_head"]) == []
    client, _auth = as_user(app, "head@example.com")
    inbox = client.get("/grading").get_data(as_text=True)
    assert "Sam Trainee" in inbox and "No mentor yet: the head of sales grades" in inbox
    assert client.get(f"/attempts/{attempt_id}/grade").status_code == 200
    trainee, _auth = as_user(app, "sam@example.com")
    result = trainee.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "awaiting review by the head of sales" in result


def test_the_trainee_pages_name_who_answers(app, people):
    uid = people["trainee"]
    client, _auth = as_user(app, "sam@example.com")
    assert "You have no mentor yet: the head of sales grades your written answers" in client.get("/").get_data(
        as_text=True)
    assert "You have no mentor yet: the head of sales shows each skill" in client.get(
        f"/trainees/{uid}/checklist").get_data(as_text=True)
    assert "until the head of sales confirms it" in client.get(f"/trainees/{uid}/activity").get_data(as_text=True)
    with app.app_context():
        from onboarding.people.services import assign_mentor

        assign_mentor(db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid)),
                      people["mentor"], None)
        db.session.commit()
    assert "Your mentor, Marco Mentor, grades your written answers" in client.get("/").get_data(as_text=True)
    assert "Your mentor, Marco Mentor, shows each skill" in client.get(
        f"/trainees/{uid}/checklist").get_data(as_text=True)
    assert "until your mentor, Marco Mentor, confirms it" in client.get(
        f"/trainees/{uid}/activity").get_data(as_text=True)


# ---------------------------------------------------------------- the hand-over

def test_assigning_a_mentor_hands_over_everything_waiting(app, people):
    from onboarding.people.services import assign_mentor

    uid = people["trainee"]
    attempt_id = everything_waiting(app, uid)
    assert len(notes(app, people["head"], unread=True)) == 3  # two sign-offs, one attempt
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        assign_mentor(rec, people["mentor"], db.session.get(User, people["head"]))
        db.session.commit()
    [handover] = notes(app, people["mentor"], "mentor_assigned")
    assert handover.params == {"trainee": "Sam Trainee", "answers": 1, "sign_offs": 2, "ledger_days": 3}
    assert handover.text == ("You now mentor Sam Trainee. 1 written answer waits for grading. 2 sign-offs are "
                             "requested. 3 days of figures wait for confirmation.")
    assert len(notes(app, people["mentor"])) == 1  # one summary, not one notification per item
    [told] = notes(app, uid, "mentor_named")
    assert "Marco Mentor" in told.text
    for head in ("head", "other_head"):
        assert notes(app, people[head], unread=True) == []
        assert {n.link for n in notes(app, people[head], unread=False)} == {
            f"/trainees/{uid}/checklist", f"/attempts/{attempt_id}/grade"}
    # From now on the mentor alone is asked.
    heads_before = [n.id for n in notes(app, people["head"])]
    with app.app_context():
        db.session.execute(sa.update(QuizAttempt).where(QuizAttempt.id == attempt_id).values(state="graded"))
        db.session.commit()
    second = submit_written_again(app, uid)
    assert [n.link for n in notes(app, people["mentor"], "answers_waiting")] == [f"/attempts/{second}/grade"]
    assert [n.id for n in notes(app, people["head"])] == heads_before


def submit_written_again(app, uid) -> int:
    from onboarding.assessment import grading
    from onboarding.assessment.services import submit

    with app.app_context():
        quiz = curriculum().quizzes["written"]
        attempt = QuizAttempt(user_id=uid, quiz_slug="written", number=2, allowed=quiz.attempts,
                              state="in_progress", plan=grading.plan_attempt(quiz, 8))
        db.session.add(attempt)
        db.session.flush()
        submit(attempt, quiz, {"stock": "Second try."}, db.session.get(User, uid))
        db.session.commit()
        return attempt.id


def test_a_change_of_mentor_hands_over_to_the_new_one(app, people, make_user):
    from onboarding.people.services import assign_mentor

    uid = make_user("trainee", email="tia@example.com", name="Tia Trainee", mentor=people["mentor"])
    complete_stages_before(app, uid, 3)
    client, auth = as_user(app, "tia@example.com")
    client.post(f"/trainees/{uid}/tasks/proposal/request",
                data={"note": "Ready", "csrf_token": auth.token(f"/trainees/{uid}/checklist")})
    [asked] = notes(app, people["mentor"], "sign_off_requested", unread=True)
    assert notes(app, people["head"]) == []  # with a mentor, the heads are not asked
    second = make_user("mentor", email="nina@example.com", name="Nina New")
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        assign_mentor(rec, second, db.session.get(User, people["head"]))
        db.session.commit()
    assert notes(app, people["mentor"], "sign_off_requested", unread=True) == []
    [handover] = notes(app, second, "mentor_assigned")
    assert handover.params["sign_offs"] == 1 and "1 sign-off is requested." in handover.text
    assert "Nina New" in notes(app, uid, "mentor_named")[-1].text


def test_removing_the_mentor_hands_back_to_the_heads(app, people, make_user):
    from onboarding.people.services import assign_mentor

    uid = make_user("trainee", email="tia@example.com", name="Tia Trainee", mentor=people["mentor"])
    log_days(app, uid, 2)
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        assign_mentor(rec, None, db.session.get(User, people["head"]))
        db.session.commit()
    assert notes(app, people["head"], "mentor_removed") == []  # the head who did it knows
    [told] = notes(app, people["other_head"], "mentor_removed")
    assert told.text == ("Tia Trainee has no mentor now: the heads of sales answer for them. 2 days of figures "
                         "wait for confirmation.")
    assert "the head of sales answers your requests" in notes(app, uid, "mentor_none")[0].text


def test_head_assigns_the_mentor_through_the_plan_form(app, people):
    uid = people["trainee"]
    everything_waiting(app, uid)
    client, auth = as_user(app, "head@example.com")
    page = client.get(f"/trainees/{uid}").get_data(as_text=True)
    assert "No mentor yet" in page and "The head of sales answers" in page
    response = client.post(f"/trainees/{uid}/plan", data={
        "start_date": date.today().isoformat(), "target_date": (date.today() + timedelta(days=180)).isoformat(),
        "mentor": str(people["mentor"]), "csrf_token": auth.token(f"/trainees/{uid}")})
    assert response.status_code == 302
    [handover] = notes(app, people["mentor"], "mentor_assigned")
    assert (handover.params["answers"], handover.params["sign_offs"], handover.params["ledger_days"]) == (1, 2, 3)
    assert handover.link == f"/trainees/{uid}"
    assert notes(app, people["head"], unread=True) == [] and notes(app, people["other_head"], unread=True) == []
    assert "Marco Mentor" in notes(app, uid, "mentor_named")[0].text
    trainee, _auth = as_user(app, "sam@example.com")
    assert "Your mentor, Marco Mentor" in trainee.get("/").get_data(as_text=True)


def test_the_bulk_assignment_hands_over_too(app, people):
    uid = people["trainee"]
    everything_waiting(app, uid)
    client, auth = as_user(app, "head@example.com")
    assert client.post("/trainees/assign", data={"trainees": [str(uid)], "mentor": str(people["mentor"]),
                                                 "csrf_token": auth.token("/")}).status_code == 302
    [handover] = notes(app, people["mentor"], "mentor_assigned")
    assert handover.params["sign_offs"] == 2
    assert notes(app, people["head"], unread=True) == []


def test_a_trainee_added_with_a_mentor_is_told_who_it_is(app, people, make_user):
    uid = make_user("trainee", email="new@example.com", mentor=people["mentor"])
    [handover] = notes(app, people["mentor"], "mentor_assigned")
    assert handover.text.startswith("You now mentor") and "waits" not in handover.text
    assert "Your mentor is now Marco Mentor" in notes(app, uid, "mentor_named")[0].text


# ---------------------------------------------------------------- the dashboard

def test_the_dashboard_flags_the_trainee_and_waits_on_the_head(app, people, make_user):
    from onboarding.readiness.dashboard import Filters, dashboard

    uid = people["trainee"]
    everything_waiting(app, uid)
    mentored = make_user("trainee", email="tia@example.com", name="Tia Trainee", mentor=people["mentor"])
    log_days(app, mentored, 1)
    with app.app_context():
        page, summary = dashboard(Filters())
        rows = {r.record.user_id: r for r in page.items}
        assert rows[uid].waits["mentor"] == {}
        assert {"answers": 1, "sign_offs": 2, "ledger_days": 3}.items() <= rows[uid].waits["head"].items()
        assert rows[mentored].waits["mentor"] == {"ledger_days": 1} and rows[mentored].waits["head"] == {}
        page, _summary = dashboard(Filters(mentor=0))
        assert [r.record.user_id for r in page.items] == [uid]
        page, _summary = dashboard(Filters(waits="head"))
        assert uid in {r.record.user_id for r in page.items}
    client, _auth = as_user(app, "head@example.com")
    html = client.get("/").get_data(as_text=True)
    row = html[html.index("Sam Trainee"):html.index("</tr>", html.index("Sam Trainee"))]
    assert re.search(r'class="badge late no-mentor">No mentor yet<', row)
    assert "The head of sales</strong>: written answers to grade" in row
    assert "The mentor</strong>" not in row
    assert "Sam Trainee" in client.get("/?mentor=0").get_data(as_text=True)
    assert "Tia Trainee" not in client.get("/?mentor=0").get_data(as_text=True)


# ---------------------------------------------------------------- with a mentor nothing changes

def test_with_a_mentor_everything_goes_to_the_mentor(app, people, make_user):
    uid = make_user("trainee", email="tia@example.com", name="Tia Trainee", mentor=people["mentor"])
    complete_stages_before(app, uid, 3)
    client, auth = as_user(app, "tia@example.com")
    page = client.post(f"/trainees/{uid}/tasks/proposal/request", follow_redirects=True,
                       data={"note": "Ready", "csrf_token": auth.token(f"/trainees/{uid}/checklist")})
    assert "Your mentor, Marco Mentor, is asked to sign off" in page.get_data(as_text=True)
    attempt_id = submit_written(app, uid)
    assert {n.kind for n in notes(app, people["mentor"])} >= {"sign_off_requested", "answers_waiting"}
    assert [n.link for n in notes(app, people["mentor"], "answers_waiting")] == [f"/attempts/{attempt_id}/grade"]
    for head in ("head", "other_head", "gone_head"):
        assert notes(app, people[head]) == []


# ---------------------------------------------------------------- wording

def test_every_notification_kind_is_worded(app):
    """Each kind the code sends has its sentence (else the reader sees the bare kind); some read the content (a
    career level's name), so the wording runs in the app."""
    from onboarding.notifications.models import Notification as Note

    code = "\n".join(p.read_text() for p in Path("onboarding").rglob("*.py"))
    kinds = set(re.findall(r'"([a-z_]+)",\s*link=', code))  # notify(people, "kind", link=...)
    kinds |= {f"sign_off_{k}" for k in ("signed", "returned", "revoked")} | {"hold_extend", "hold_withdraw"}
    kinds |= {f"readiness_{d}" for d in ("approved", "extended", "rejected")}
    with app.test_request_context():
        unworded = {k for k in kinds if wording(Note(kind=k, params={})) == k}
    assert {"mentor_assigned", "mentor_named", "mentor_none", "mentor_removed"} <= kinds
    assert unworded == set()


@pytest.mark.parametrize("change", ["assign", "remove"])
def test_the_stored_summary_follows_a_new_mentor_in_the_same_transaction(app, people, make_user, change):
    """What waits moves with the mentor in the stored summary written by the same commit: the record's mentor as
    read then, not the one loaded before the change (the summary once kept the old mentor until the next change,
    so the new mentor's badge and inbox missed what waits and the heads' still counted it)."""
    from onboarding.people.services import assign_mentor
    from onboarding.readiness.models import ReadinessSummary

    uid = people["trainee"]
    if change == "remove":
        with app.app_context():
            rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
            assign_mentor(rec, people["mentor"], db.session.get(User, people["head"]))
            db.session.commit()
    everything_waiting(app, uid)
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        rec.mentor  # loaded with the record, as a page that shows it has it
        assign_mentor(rec, people["mentor"] if change == "assign" else None, db.session.get(User, people["head"]))
        db.session.commit()
        summary = db.session.get(ReadinessSummary, uid)
        who = "mentor" if change == "assign" else "head"
        assert summary.waits.get(who, {}).get("answers") == 1, summary.waits
        assert (summary.inbox_mentor > 0) is (change == "assign") and (summary.inbox_head > 0) is (change == "remove")
    mentor, _auth = as_user(app, "mentor@example.com")
    inbox = mentor.get("/inbox").get_data(as_text=True)
    assert ("written answer to grade" in inbox) is (change == "assign")
