"""Blind second marking: a head picks a graded attempt, another grader marks its written answers without seeing
the first grades, the head compares them, and the first grades stand unless the head decides otherwise."""
import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from onboarding.assessment.models import Answer, QuizAttempt, SecondMarking
from onboarding.assessment.second_marking import MarkingError, decide, mark, request_marking
from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.extensions import db

from .conftest import AuthActions, staff_and_trainee, statements_during

FIRST_COMMENT = "FIRST-GRADER-COMMENT the DL-70 answer is right"


@pytest.fixture
def ids(make_user):
    return staff_and_trainee(make_user)


def _graded(app, ids, trainee=None, number=1, text_points=2.0, state="graded", mode="written"):
    """A graded attempt at the written test: the text answer 2 of 4 by the mentor, the choice 1 of 1 (60 %)."""
    with app.app_context():
        attempt = QuizAttempt(user_id=trainee or ids["trainee"], quiz_slug="written", number=number, allowed=2,
                              state=state, mode=mode, plan={"questions": ["stock", "pick"], "options": {}, "draws": {}},
                              score=text_points + 1, max_score=5, percent=20 * (text_points + 1),
                              passed=text_points + 1 >= 2.5, graded_at=datetime.now(timezone.utc))
        db.session.add(attempt)
        db.session.flush()
        db.session.add_all([
            Answer(attempt_id=attempt.id, question_id="stock", response="The DL-70 from stock, in 2 days.",
                   max_points=4, needs_review=True, mentor_score=text_points, comment=FIRST_COMMENT,
                   grader_id=ids["mentor"]),
            Answer(attempt_id=attempt.id, question_id="pick", response="o1", max_points=1, auto_score=1)])
        db.session.commit()
        return attempt.id


def _people(*names):
    return [db.session.get(User, i) for i in names]


def _actions():
    return list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("second_marking%"))
                                   .order_by(AuditEvent.id)))


# ------------------------------------------------------------------ the service, rule by rule

def test_who_may_be_picked_and_what(app, ids):
    graded = _graded(app, ids)
    waiting = _graded(app, ids, number=2, state="awaiting_grading")
    with app.test_request_context():
        head, mentor, trainee, admin = _people(ids["head"], ids["mentor"], ids["trainee"], ids["admin"])
        attempt = db.session.get(QuizAttempt, graded)
        for marker in (mentor, trainee, None):  # the first grader, the trainee, nobody
            with pytest.raises(MarkingError, match="did not grade"):
                request_marking(attempt, head, marker)
        with pytest.raises(MarkingError, match="Only a graded written attempt"):
            request_marking(db.session.get(QuizAttempt, waiting), head, admin)
        marking = request_marking(attempt, head, admin)
        db.session.commit()
        assert (marking.marker_id, marking.requested_by, marking.points) == (admin.id, head.id, None)
        with pytest.raises(MarkingError, match="already picked"):
            request_marking(attempt, head, head)
        assert _actions() == ["second_marking_requested"]


def test_an_oral_attempt_is_not_marked_again(app, ids):
    oral = _graded(app, ids, mode="oral")
    with app.test_request_context():
        head, admin = _people(ids["head"], ids["admin"])
        with pytest.raises(MarkingError, match="Only a graded written attempt"):
            request_marking(db.session.get(QuizAttempt, oral), head, admin)


def _picked(app, ids, **kwargs):
    attempt_id = _graded(app, ids, **kwargs)
    with app.test_request_context():
        head, admin = _people(ids["head"], ids["admin"])
        marking = request_marking(db.session.get(QuizAttempt, attempt_id), head, admin)
        db.session.commit()
        return marking.id


def test_the_second_marker_marks_once_within_the_points(app, ids):
    marking_id = _picked(app, ids)
    with app.test_request_context():
        marking = db.session.get(SecondMarking, marking_id)
        head, admin = _people(ids["head"], ids["admin"])
        with pytest.raises(MarkingError, match="someone else"):
            mark(marking, head, {"stock": 3})
        for points in ({}, {"stock": None}, {"stock": 5}, {"stock": -1}):
            with pytest.raises(MarkingError, match="between 0 and its maximum"):
                mark(marking, admin, points)
        mark(marking, admin, {"stock": 4})
        db.session.commit()
        assert marking.points == {"stock": 4.0} and marking.marked_at is not None
        with pytest.raises(MarkingError, match="already marked"):
            mark(marking, admin, {"stock": 1})
        db.session.rollback()
        assert db.session.get(SecondMarking, marking_id).points == {"stock": 4.0}


def _marked(app, ids, second, **kwargs):
    marking_id = _picked(app, ids, **kwargs)
    with app.test_request_context():
        mark(db.session.get(SecondMarking, marking_id), db.session.get(User, ids["admin"]), {"stock": second})
        db.session.commit()
    return marking_id


def test_the_first_grades_stand_unless_the_head_decides_otherwise(app, ids):
    kept = _marked(app, ids, 0)
    with app.test_request_context():
        cur = app.extensions["curriculum"]
        head = db.session.get(User, ids["head"])
        marking = db.session.get(SecondMarking, kept)
        decide(marking, cur.quizzes["written"], head, False, "")
        db.session.commit()
        attempt = marking.attempt
        assert (marking.outcome, attempt.score, attempt.percent, attempt.passed) == ("first", 3, 60, True)
        assert attempt.answers[0].mentor_score == 2 and attempt.answers[0].grader_id == ids["mentor"]
        with pytest.raises(MarkingError, match="not decided yet"):
            decide(marking, cur.quizzes["written"], head, True, "changed my mind")


def test_taking_the_second_grades_recomputes_the_result(app, ids):
    marking_id = _marked(app, ids, 0)
    with app.test_request_context():
        cur = app.extensions["curriculum"]
        head = db.session.get(User, ids["head"])
        marking = db.session.get(SecondMarking, marking_id)
        with pytest.raises(MarkingError, match="Say why"):
            decide(marking, cur.quizzes["written"], head, True, "  ")
        decide(marking, cur.quizzes["written"], head, True, "The answer names no lead time.")
        db.session.flush()
        from onboarding.summaries import touched

        assert ids["trainee"] in touched(db.session)  # the stored readiness summary follows the new result
        db.session.commit()
        attempt = marking.attempt
        stock = next(a for a in attempt.answers if a.question_id == "stock")
        assert (stock.mentor_score, stock.grader_id, stock.comment) == (0, ids["admin"], FIRST_COMMENT)
        assert (attempt.score, attempt.percent, attempt.passed) == (1, 20, False)  # below the pass mark of 50
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "second_marking_decided"))
        assert event.trainee_id == ids["trainee"]
        assert {k: event.details[k] for k in ("outcome", "passed", "changed", "reason")} == {
            "outcome": "second", "passed": False, "changed": True, "reason": "The answer names no lead time."}


def test_a_decision_waits_for_the_second_marking(app, ids):
    marking_id = _picked(app, ids)
    with app.test_request_context():
        with pytest.raises(MarkingError, match="done and not decided"):
            decide(db.session.get(SecondMarking, marking_id), app.extensions["curriculum"].quizzes["written"],
                   db.session.get(User, ids["head"]), False, "")


# ------------------------------------------------------------------ the pages

def _client(app, email):
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login(email).status_code == 302
    return client, auth


def test_the_whole_story_through_the_pages(app, ids):
    attempt_id = _graded(app, ids)
    head, head_auth = _client(app, "head@example.com")
    page = head.get("/second-markings").get_data(as_text=True)
    assert f'id="attempt-{attempt_id}"' in page and "Marco Mentor" in page  # the first grader, named
    choices = re.findall(rf'<select[^>]*name="a{attempt_id}-marker".*?</select>', page, re.S)[0]
    assert "Ada Admin" in choices and "Irene Head" in choices and "Marco Mentor" not in choices

    refused = head.post(f"/attempts/{attempt_id}/second-marking",
                        data={"csrf_token": head_auth.token("/second-markings"), f"a{attempt_id}-marker": "0"})
    assert refused.status_code == 400 and "Choose a grader." in refused.get_data(as_text=True)
    picked = head.post(f"/attempts/{attempt_id}/second-marking",
                       data={"csrf_token": head_auth.token("/second-markings"), f"a{attempt_id}-marker": ids["admin"]})
    assert picked.status_code == 302
    with app.app_context():
        marking_id = db.session.scalar(sa.select(SecondMarking.id))

    admin, admin_auth = _client(app, "admin@example.com")
    assert f"/second-markings/{marking_id}" in admin.get("/grading").get_data(as_text=True)
    blind = admin.get(f"/second-markings/{marking_id}").get_data(as_text=True)
    assert "The DL-70 from stock, in 2 days." in blind and "SECRET-RUBRIC" in blind
    assert FIRST_COMMENT not in blind and "Marco Mentor" not in blind
    assert not re.search(r'name="answers-0-points"[^>]*value="\d', blind)  # no first points in the field
    too_many = admin.post(f"/second-markings/{marking_id}", data={
        "csrf_token": admin_auth.token(f"/second-markings/{marking_id}"), "answers-0-question_id": "stock",
        "answers-0-points": "9"})
    text = too_many.get_data(as_text=True)
    assert too_many.status_code == 400 and "Give between 0 and 4 points." in text and 'value="9' in text
    done = admin.post(f"/second-markings/{marking_id}", data={
        "csrf_token": admin_auth.token(f"/second-markings/{marking_id}"), "answers-0-question_id": "stock",
        "answers-0-points": "1"})
    assert done.status_code == 302

    compared = head.get("/second-markings").get_data(as_text=True)
    assert re.search(r'class="first-grade">2 / 4<.*class="second-grade">1 / 4<', compared, re.S)
    no_reason = head.post(f"/second-markings/{marking_id}/decision", data={
        "csrf_token": head_auth.token("/second-markings"), f"m{marking_id}-outcome": "second"})
    assert no_reason.status_code == 400 and "Say why the second grades replace the first ones." in \
        no_reason.get_data(as_text=True)
    decided = head.post(f"/second-markings/{marking_id}/decision", data={
        "csrf_token": head_auth.token("/second-markings"), f"m{marking_id}-outcome": "first"})
    assert decided.status_code == 302
    with app.app_context():
        assert db.session.get(SecondMarking, marking_id).outcome == "first"
        assert _actions() == ["second_marking_requested", "second_marking_done", "second_marking_decided"]
    assert "the first grades stand" in head.get("/second-markings").get_data(as_text=True)
    timeline = head.get(f"/trainees/{ids['trainee']}/timeline").get_data(as_text=True)
    assert "picked for a blind second marking" in timeline and "the first grades kept" in timeline


def test_the_heads_page_has_a_fixed_number_of_queries(app, ids, make_user):
    def count():
        client, _ = _client(app, "head@example.com")
        return statements_during(app, lambda: client.get("/second-markings"))[1]

    _graded(app, ids)
    _marked(app, ids, 3, trainee=make_user("trainee", email="t8@example.com", name="T 8"))
    few = count()
    for i in range(6):
        other = make_user("trainee", email=f"t{i}@example.com", name=f"T {i}")
        _graded(app, ids, trainee=other)
    _marked(app, ids, 3, trainee=make_user("trainee", email="t9@example.com", name="T 9"))
    _picked(app, ids, trainee=make_user("trainee", email="t7@example.com", name="T 7"))
    assert count() == few


def test_every_undecided_marking_is_listed_however_many_were_decided_or_asked_since(app, ids, make_user,
                                                                                    monkeypatch):
    """The head's page lists the newest decided markings only, but every marking still to decide or still with
    its marker, the oldest included: a marking done long ago never drops off the page before its decision."""
    from onboarding.assessment import second_marking_views

    monkeypatch.setattr(second_marking_views, "MARKINGS_SHOWN", 1)
    oldest = _marked(app, ids, 3, trainee=make_user("trainee", email="t1@example.com", name="T 1"))
    decided = [_marked(app, ids, 2, trainee=make_user("trainee", email=f"d{i}@example.com", name=f"D {i}"))
               for i in range(2)]
    with app.test_request_context():
        quiz = app.extensions["curriculum"].quizzes["written"]
        for marking_id in decided:
            decide(db.session.get(SecondMarking, marking_id), quiz, db.session.get(User, ids["head"]), False, "")
        db.session.commit()
    _picked(app, ids, trainee=make_user("trainee", email="t2@example.com", name="T 2"))
    client, _ = _client(app, "head@example.com")
    page = client.get("/second-markings").get_data(as_text=True)
    assert f'name="m{oldest}-outcome"' in page  # still to decide, though three were asked for since
    waiting = page[page.index('id="waiting"'):]
    assert "T 2 · Attempt 1" in waiting[:waiting.index("</section>")]
    shown_decided = page[page.index('id="decided"'):]
    assert "D 1" in shown_decided and "D 0" not in shown_decided  # of the decided, the newest one


def test_first_graders_are_named_per_person():
    """Two graders of one name are two names on the page; graders whose accounts are gone are one phrase."""
    from types import SimpleNamespace

    from onboarding.assessment.second_marking_views import _first_graders

    answers = [SimpleNamespace(grader_id=g) for g in (1, 2, 1, 3, 4, None)]
    names = {1: "Alex Kim", 2: "Alex Kim", 3: "Bea Lund"}
    assert _first_graders(answers, names) == ["Alex Kim", "Alex Kim", "Bea Lund", "a former grader"]
    assert _first_graders(answers[:1], names) == ["Alex Kim"]
