"""The generated history of past trainees: known answers the statistics find, a fixed number of queries whatever
its size, closed accounts no list of current trainees shows, and the demo's statistics page with something on it."""
import random
import re

import pytest
import sqlalchemy as sa

from onboarding import demo_history
from onboarding.assessment.models import Answer, QuizAttempt
from onboarding.assessment.statistics import NEGATIVE, TOO_EASY, Filters, quiz_statistics
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.people.models import TraineeRecord

from .conftest import AuthActions, staff_and_trainee, statements_during


def _history(app, ids, count, seed=7):
    with app.app_context():
        cur = app.extensions["curriculum"]
        added = demo_history.add_past_trainees(cur, [cur.quizzes["basics"], cur.quizzes["written"]], count,
                                               [ids["mentor"], ids["head"]], seed=seed)
        db.session.commit()
        return added


def _stats(app, slug):
    with app.test_request_context():
        result = quiz_statistics(app.extensions["curriculum"].quizzes[slug], Filters())
        return result, {s.question.id: s for s in result.questions}


@pytest.fixture
def ids(make_user):
    return staff_and_trainee(make_user)


def test_the_statistics_find_the_known_answers(app, ids):
    added = _history(app, ids, 60)
    basics, by_id = _stats(app, "basics")
    assert basics.attempts + _stats(app, "written")[0].attempts == added
    assert basics.attempts >= 60  # everyone's first attempt, and the retakes of those who failed
    capital, pick_two = by_id["capital"], by_id["pick-two"]  # the file's first and second questions
    assert capital.facility == 1.0 and TOO_EASY in capital.flags
    assert pick_two.discrimination < -0.2 and NEGATIVE in pick_two.flags
    # the lowest of all (in a four-question quiz it pulls the rest of the attempt, so the others' are small)
    assert pick_two.discrimination == min(s.discrimination for s in by_id.values() if s.discrimination is not None)
    assert by_id["vat"].wrong and by_id["vat"].wrong[0][0] in ("24.00", "16.67", "120.00")


def test_the_same_seed_gives_the_same_history_and_another_seed_another(app, ids):
    def answers(seed):
        with app.app_context():
            cur = app.extensions["curriculum"]
            return [demo_history._attempt_rows(cur.quizzes["basics"], 1, 0.3, [1, 2], random.Random(seed),
                                               cur.price_list)[1] for _ in range(3)]

    assert answers(5) == answers(5) != answers(6)


def test_a_fixed_number_of_queries_whatever_the_history(app, ids):
    _history(app, ids, 10)
    _, small = statements_during(app, lambda: _stats(app, "basics"))
    _history(app, ids, 150, seed=8)
    (result, _), large = statements_during(app, lambda: _stats(app, "basics"))
    assert result.attempts > 150 and small == large


def test_past_trainees_are_closed_accounts_of_earlier_intakes(app, ids, client):
    _history(app, ids, 12)
    with app.app_context():
        past = db.session.execute(sa.select(User.active, TraineeRecord.status).join(
            TraineeRecord, TraineeRecord.user_id == User.id).where(User.email.like("past-trainee-%"))).all()
        assert len(past) == 12 and set(past) == {(False, "independent")}
        assert demo_history.existing() == 12
        # every written answer has a grader, the mentor or the head; every attempt is graded with its points
        graders = set(db.session.scalars(sa.select(Answer.grader_id).where(Answer.needs_review)))
        assert graders == {ids["mentor"], ids["head"]}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)
                                 .where(QuizAttempt.passed.is_(None))) == 0
    auth = AuthActions(client)
    auth.login("head@example.com")
    assert "past-trainee" not in client.get("/").get_data(as_text=True)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, migrated_template):
    from .conftest import seeded_demo

    yield from seeded_demo(tmp_path_factory, migrated_template, "history-demo")


def test_the_demo_statistics_show_something(demo):
    from onboarding.demo import PAST_TRAINEES

    with demo.app_context():
        assert demo_history.existing() == PAST_TRAINEES
        counts = dict(db.session.execute(sa.select(QuizAttempt.quiz_slug, sa.func.count())
                                         .where(QuizAttempt.state == "graded").group_by(QuizAttempt.quiz_slug)).all())
        assert set(counts) == set(demo.extensions["curriculum"].quizzes) and min(counts.values()) >= PAST_TRAINEES
    assert demo.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0  # run again: nothing more
    with demo.app_context():
        assert demo_history.existing() == PAST_TRAINEES
    client = demo.test_client()
    AuthActions(client).login("head@example.com", "demo-pass-2024")
    page = client.get("/quizzes/company-basics/statistics").get_data(as_text=True)
    assert '<span class="badge late">negative discrimination</span>' in page
    assert '<span class="badge late">too easy</span>' in page


def test_the_page_reuses_its_numbers_until_an_attempt_is_graded(app, ids, client):
    _history(app, ids, 10)
    AuthActions(client).login("head@example.com")
    page = "/quizzes/basics/statistics"

    def read():  # the page without its CSRF tokens, which change with the time
        return re.sub(r'name="csrf_token"[^>]*>', "", client.get(page).get_data(as_text=True))

    first, computed = statements_during(app, read)
    again, reused = statements_during(app, read)
    assert again == first and reused == computed - 4  # the head, the answers, the picks and the wrong answers
    _history(app, ids, 5, seed=9)  # more graded attempts: computed anew
    with app.app_context():
        graded = db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)
                                   .where(QuizAttempt.quiz_slug == "basics", QuizAttempt.state == "graded"))
    fresh, recomputed = statements_during(app, read)
    assert recomputed == computed and f"<strong>{graded}</strong>" in fresh and fresh != first
    with app.app_context():  # a grade changed in place (the same number of attempts, the same times)
        attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.quiz_slug == "basics").limit(1))
        attempt.score += 1
        db.session.commit()
    assert statements_during(app, lambda: client.get(page))[1] == computed
    by_team = f"{page}?team=1"  # the trainees' records change without the attempts: never reused
    assert statements_during(app, lambda: client.get(by_team))[1] == statements_during(
        app, lambda: client.get(by_team))[1] > reused
