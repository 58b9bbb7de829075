"""The grading inbox: the attempts waiting for a grade grouped by trainee, how long each has waited, and the kept
card of each trainee, which shows every change to what it is made of."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from onboarding.assessment.models import QuizAttempt
from onboarding.assessment.queue import OVERDUE, waited
from onboarding.auth.models import User
from onboarding.extensions import db

from .conftest import as_user
from .test_grading_drafts import app, post_grades, submitted  # noqa: F401  (fixtures: the written test, submitted)

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)


def test_an_attempt_has_waited_whole_days_and_hours_and_is_overdue_only_past_two_days():
    assert waited(NOW, NOW) == (0, 0, False)
    assert waited(NOW - timedelta(minutes=59), NOW) == (0, 0, False)
    assert waited(NOW - timedelta(hours=1), NOW) == (0, 1, False)
    assert waited(NOW - timedelta(days=1, hours=5, minutes=10), NOW) == (1, 5, False)
    assert OVERDUE == timedelta(days=2)
    assert waited(NOW - OVERDUE, NOW) == (2, 0, False)  # exactly two days: not yet overdue
    assert waited(NOW - OVERDUE - timedelta(seconds=1), NOW) == (2, 0, True)
    assert waited(NOW + timedelta(minutes=5), NOW) == (0, 0, False)  # a clock a little ahead: no negative wait
    assert waited(None, NOW) == (0, 0, False)


def _card(client) -> str:
    response = client.get("/grading")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page.split('<section class="card">', 1)[1].split("</section>", 1)[0]


def test_a_kept_card_shows_the_draft_a_renamed_trainee_and_the_time_waited(app, submitted):
    mentor, auth = as_user(app, "mentor@example.com")
    card = _card(mentor)
    assert "Sam Trainee" in card and "Written test · attempt 1" in card
    assert "0 hours" in card and "Overdue" not in card and "Draft" not in card
    assert ">Grade</a>" in card and f'href="/attempts/{submitted["attempt"]}/grade"' in card
    assert "<td>3" in card  # three written answers to grade
    assert _card(mentor) == card  # kept: the same card again

    assert post_grades(mentor, auth, submitted, {"stock": ("3", "A start")}, "draft").status_code == 302
    card = _card(mentor)
    assert "Draft" in card and "saved by Marco Mentor" in card and ">Resume grading</a>" in card

    def change(**values):
        with app.app_context():
            db.session.execute(sa.update(QuizAttempt).where(QuizAttempt.id == submitted["attempt"]).values(**values))
            db.session.commit()

    change(submitted_at=datetime.now(timezone.utc) - timedelta(days=3, hours=2))  # only the time waited changes
    card = _card(mentor)
    assert "3 days" in card and "Overdue" in card and "0 hours" not in card
    change(draft_by=None)  # the draft's author is gone
    assert "saved by a former grader" in _card(mentor)
    with app.app_context():
        db.session.get(User, submitted["trainee"]).full_name = "Sam Renamed"
        db.session.commit()
    card = _card(mentor)
    assert "Sam Renamed" in card and "Sam Trainee" not in card


def test_the_head_sees_the_attempt_and_the_trainee_leaves_the_inbox_once_graded(app, submitted):
    head, _auth = as_user(app, "head@example.com")
    assert "Sam Trainee" in _card(head)
    mentor, auth = as_user(app, "mentor@example.com")
    grades = {q: ("1", "Fine") for q in submitted["order"]}
    assert post_grades(mentor, auth, submitted, grades, "finish").status_code == 302
    for client in (mentor, head):
        page = client.get("/grading").get_data(as_text=True)
        assert "Sam Trainee" not in page and "Nothing waits for grading." in page
