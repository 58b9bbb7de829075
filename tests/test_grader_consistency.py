"""Graders' consistency: each grader's mean on written answers beside the other graders' on the same questions."""
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from onboarding import demo_history
from onboarding.assessment.models import Answer, QuizAttempt
from onboarding.assessment.statistics import Filters, graders_side_by_side, quiz_statistics
from onboarding.extensions import db

from .conftest import AuthActions, staff_and_trainee, statements_during


def test_each_grader_beside_the_others_on_the_same_questions():
    rows = [  # grader id, name, question, sum of point shares, answers
        (1, "Ann", "q1", 2.0, 2), (1, "Ann", "q2", 0.5, 1),
        (2, "Bob", "q1", 1.0, 2),
        (3, "Cy", "q3", 0.3, 1),
    ]
    ann, bob, cy = graders_side_by_side(rows)
    # Ann's q2 has no other grader: compared on q1 only, where Bob gave half the points
    assert (ann.name, ann.answers, ann.share, ann.others) == ("Ann", 3, 1.0, 0.5)
    assert ann.difference == pytest.approx(0.5) and bob.difference == pytest.approx(-0.5)
    assert (cy.answers, cy.share, cy.others, cy.difference) == (1, 0.3, None, None)


def test_the_others_are_weighted_by_the_graders_own_questions():
    rows = [(1, "Ann", "q1", 3.0, 3), (1, "Ann", "q2", 1.0, 1),
            (2, "Bob", "q1", 0.0, 1), (2, "Bob", "q2", 1.0, 1),
            (3, "Cy", "q1", 1.0, 1)]
    ann = graders_side_by_side(rows)[0]
    # on q1 the others (Bob 0, Cy 1) mean 0.5, on q2 (Bob) 1.0; Ann graded q1 three times, q2 once
    assert ann.others == pytest.approx((3 * 0.5 + 1 * 1.0) / 4) and ann.share == 1.0


@pytest.fixture
def ids(make_user):
    return staff_and_trainee(make_user)


def _history(app, ids, count=40):
    with app.app_context():
        cur = app.extensions["curriculum"]
        demo_history.add_past_trainees(cur, [cur.quizzes["written"]], count, [ids["mentor"], ids["head"]], seed=3)
        db.session.commit()


def _graders(app, **filters):
    with app.test_request_context():
        return {g.name: g for g in quiz_statistics(app.extensions["curriculum"].quizzes["written"],
                                                   Filters(**filters)).graders}


def test_a_lenient_and_a_strict_grader_show(app, ids):
    _history(app, ids)
    graders = _graders(app)
    assert set(graders) == {"Marco Mentor", "Irene Head"}  # the generator's lenient and strict graders
    lenient, strict = graders["Marco Mentor"], graders["Irene Head"]
    assert lenient.difference > 0.1 and strict.difference < -0.1
    with app.app_context():
        written = db.session.scalar(sa.select(sa.func.count()).select_from(Answer).where(Answer.needs_review))
    assert lenient.answers + strict.answers == written


def test_oral_attempts_and_other_attempt_numbers_are_left_out(app, ids):
    _history(app, ids, 10)
    with app.app_context():
        oral = QuizAttempt(user_id=ids["trainee"], quiz_slug="written", number=1, allowed=2, state="graded",
                           mode="oral", plan={}, score=1, max_score=4, percent=25, passed=False,
                           graded_at=datetime.now(timezone.utc))
        db.session.add(oral)
        db.session.flush()
        db.session.add(Answer(attempt_id=oral.id, question_id="stock", response=None, max_points=4,
                              needs_review=True, mentor_score=1, grader_id=ids["admin"]))
        db.session.commit()
        firsts = db.session.scalar(sa.select(sa.func.count()).select_from(Answer).join(QuizAttempt).where(
            Answer.needs_review, QuizAttempt.number == 1, QuizAttempt.mode == "written"))
    assert "Ada Admin" not in _graders(app)
    assert sum(g.answers for g in _graders(app, number=1).values()) == firsts


def test_the_page_shows_the_graders_with_a_fixed_number_of_queries(app, ids, client):
    _history(app, ids, 5)
    auth = AuthActions(client)
    auth.login("head@example.com")
    few = statements_during(app, lambda: client.get("/quizzes/written/statistics?number=1"))[1]
    _history(app, ids, 60)
    response, many = statements_during(app, lambda: client.get("/quizzes/written/statistics?number=1"))
    page = response.get_data(as_text=True)
    assert few == many
    assert '<th scope="row">Marco Mentor</th>' in page and '<th scope="row">Irene Head</th>' in page
    assert "percentage points" in page
