"""Role-play statistics on a generated history with known scores: the mean of each criterion, the pass rate by
attempt number, each evaluator beside the others on the same attempts; cancelled attempts count for nothing;
a fixed number of queries."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from onboarding.extensions import db
from onboarding.mentoring.models import RolePlayScore
from onboarding.mentoring.statistics import role_play_statistics
from onboarding.timeutil import utcnow

from .conftest import as_user, statements_during
from .test_inbox import _role_play


def _scored(uid, evaluators_scores: dict, passed, number=1, state="scored"):
    """A role-play of the `school` scenario: {evaluator id: (needs, closing)} on a scale of 5."""
    attempt = _role_play(uid, utcnow() - timedelta(days=3), list(evaluators_scores), state=state, passed=passed,
                         number=number)
    for evaluator, (needs, closing) in evaluators_scores.items():
        db.session.add_all([RolePlayScore(attempt_id=attempt.id, evaluator_id=evaluator, criterion_id="needs",
                                          score=needs),
                            RolePlayScore(attempt_id=attempt.id, evaluator_id=evaluator, criterion_id="closing",
                                          score=closing)])
    return attempt


@pytest.fixture
def history(app, make_user):
    """Marco scores 1 point above Hana on every criterion of the attempts they share. Ann passed at her first
    attempt; Ben failed his first and passed his second; Cid's first was cancelled (scores never count)."""
    ids = {"marco": make_user("mentor", email="marco@example.com", name="Marco Mentor"),
           "hana": make_user("head", email="hana@example.com", name="Hana Head")}
    for key in ("ann", "ben", "cid"):
        ids[key] = make_user("trainee", email=f"{key}@example.com", mentor=ids["marco"])
    with app.app_context():
        _scored(ids["ann"], {ids["marco"]: (5, 4), ids["hana"]: (4, 3)}, True)
        _scored(ids["ben"], {ids["marco"]: (3, 2), ids["hana"]: (2, 1)}, False)
        _scored(ids["ben"], {ids["marco"]: (5, 5), ids["hana"]: (4, 4)}, True, number=2)
        _scored(ids["cid"], {ids["marco"]: (1, 1), ids["hana"]: (1, 1)}, None, state="cancelled")
        db.session.commit()
    return ids


def test_criteria_attempts_and_evaluators(app, history):
    with app.app_context():
        stats = role_play_statistics(app.extensions["curriculum"].scenarios)
    means = {(c.scenario, c.criterion): (c.scores, round(c.mean, 2)) for c in stats["criteria"]}
    assert means == {("school", "needs"): (6, 3.83), ("school", "closing"): (6, 3.17)}
    assert [(n.number, n.scored, n.passed, n.pass_rate) for n in stats["numbers"]] == [(1, 2, 1, 50), (2, 1, 1, 100)]
    evaluators = {e.evaluator.full_name: e for e in stats["evaluators"]}
    marco, hana = evaluators["Marco Mentor"], evaluators["Hana Head"]
    assert marco.attempts == hana.attempts == 3
    assert round(marco.difference, 3) == 0.2 and round(hana.difference, 3) == -0.2  # 1 point on a scale of 5
    assert round(marco.share, 3) == round(24 / 30, 3)


def test_the_page_for_readers_only(app, history):
    page = as_user(app, "hana@example.com")[0].get("/role-plays/statistics")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Needs discovery" in html and "Attempt 2" in html and "Marco Mentor" in html
    assert as_user(app, "marco@example.com")[0].get("/role-plays/statistics").status_code == 403


def test_nothing_scored_says_so(app, make_user):
    make_user("head", email="hana@example.com")
    html = as_user(app, "hana@example.com")[0].get("/role-plays/statistics").get_data(as_text=True)
    assert html.count("No role-play has been scored yet.") == 3


def test_the_same_queries_for_more_attempts(app, history, make_user):
    def count():
        def compute():
            with app.app_context():
                return role_play_statistics(app.extensions["curriculum"].scenarios)
        return statements_during(app, compute)[1]

    few = count()
    people = [(make_user("trainee", email=f"more{n}@example.com", mentor=history["marco"]),
               make_user("mentor", email=f"judge{n}@example.com")) for n in range(8)]
    with app.app_context():
        for n, (uid, evaluator) in enumerate(people):
            _scored(uid, {evaluator: (n % 6, 5 - n % 6), history["hana"]: (3, 3)}, n % 2 == 0)
        db.session.commit()
    assert count() == few <= 4
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RolePlayScore)) > 30
