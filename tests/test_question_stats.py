"""Question statistics on a generated history with known answers: facility, discrimination, picks, wrong answers,
filters, a fixed number of queries, the CSV, and who may read them."""
import csv
import io
import re
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from onboarding.assessment.models import Answer, QuizAttempt
from onboarding.assessment.statistics import NEGATIVE, TOO_EASY, TOO_HARD, correlation, flags
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.activity.models import Team
from onboarding.people.models import TraineeRecord

from .conftest import AuthActions, as_user, statements_during

# ------------------------------------------------------------------ the pure rules


def test_flags():
    assert flags(0.95, 0.2) == (TOO_EASY,)
    assert flags(0.2, 0.4) == (TOO_HARD,)
    assert flags(0.5, -0.3) == (NEGATIVE,)
    assert flags(0.9, 0.0) == () and flags(0.3, None) == () and flags(None, None) == ()
    assert flags(1.0, None) == (TOO_EASY,)


def test_correlation():
    xs, ys = [0, 1, 1, 0], [4, 1, 1, 4]
    sums = (len(xs), sum(xs), sum(ys), sum(x * y for x, y in zip(xs, ys)), sum(x * x for x in xs),
            sum(y * y for y in ys))
    assert correlation(*sums) == pytest.approx(-1)
    assert correlation(3, 3, 6, 6, 3, 14) is None  # x never varies
    assert correlation(0, 0, 0, 0, 0, 0) is None


# ------------------------------------------------------------------ a generated history

def _attempt(user_id, number, answers, state="graded", mode="written", quiz="basics"):
    """answers: {question id: (response, points, max points)}, or (response, points, max, 'review') for a
    person-graded answer."""
    attempt = QuizAttempt(user_id=user_id, quiz_slug=quiz, number=number, allowed=3, state=state, plan={},
                          mode=mode, graded_at=datetime.now(timezone.utc) if state == "graded" else None)
    total = sum(a[1] for a in answers.values())
    possible = sum(a[2] for a in answers.values())
    attempt.score, attempt.max_score, attempt.percent = total, possible, 100 * total / possible
    db.session.add(attempt)
    db.session.flush()
    for qid, (response, points, possible, *review) in answers.items():
        db.session.add(Answer(attempt_id=attempt.id, question_id=qid, response=response, max_points=possible,
                              auto_score=None if review else points, needs_review=bool(review),
                              mentor_score=points if review else None))


def _strong(i):
    """Strong trainees get everything right but the VAT question, which they answer 21 or 19."""
    return {"capital": ("o1", 1, 1), "pick-two": ("o1,o2", 2, 2), "vat": ("21" if i % 5 < 3 else "19", 0, 1),
            "quote": ("1234.50", 1, 1)}


def _weak(i):
    """Weak trainees get the capital and the VAT right, the rest wrong."""
    return {"capital": ("o1", 1, 1), "pick-two": ("o1,o3", 0, 2), "vat": ("20", 1, 1), "quote": ("100", 0, 1)}


def _add_history(app, count=10, first=0):
    """`count` trainees: the first half strong, the rest weak; even ones started in January 2026, odd ones in
    February; the first three in team North; the last one took a second, perfect attempt. Also an attempt
    still awaiting grading (never counted) and an oral one (counted)."""
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.name == "North"))
        if team is None:
            team = Team(name="North")
            db.session.add(team)
            db.session.flush()
        pw = "x"
        ids = []
        for i in range(first, first + count):
            user = User(email=f"stats{i}@example.com", full_name=f"Stats {i}", password_hash=pw, role="trainee")
            db.session.add(user)
            db.session.flush()
            start = date(2026, 1, 15) if i % 2 == 0 else date(2026, 2, 10)
            db.session.add(TraineeRecord(user_id=user.id, start_date=start, target_date=date(2026, 8, 1),
                                         team_id=team.id if i - first < 3 else None))
            strong = i - first < count // 2
            mode = "oral" if i - first == count - 2 else "written"
            _attempt(user.id, 1, _strong(i) if strong else _weak(i), mode=mode)
            ids.append(user.id)
        last = ids[-1]
        _attempt(last, 2, {"capital": ("o1", 1, 1), "pick-two": ("o2,o1", 2, 2), "vat": ("20", 1, 1),
                           "quote": ("1234.50", 1, 1)})
        _attempt(last, 3, {"capital": ("o2", 0, 1), "pick-two": ("o3", 0, 2), "vat": ("99", 0, 1),
                           "quote": ("1", 0, 1)}, state="awaiting_grading")
        db.session.commit()
        return team.id


@pytest.fixture
def history(app):
    return _add_history(app)


@pytest.fixture
def head(make_user):
    make_user("head", email="head@example.com")
    return "head@example.com"


def _stats(app, **filters):
    from onboarding.assessment.statistics import Filters, quiz_statistics

    with app.test_request_context():
        quiz = app.extensions["curriculum"].quizzes["basics"]
        result = quiz_statistics(quiz, Filters(**filters))
        return result, {s.question.id: s for s in result.questions}


def test_known_history(app, history):
    result, q = _stats(app)
    assert result.attempts == 11  # ten first attempts (one oral) and one second; the one awaiting grading is not
    assert q["capital"].attempts == 11
    assert q["capital"].facility == 1.0 and q["capital"].discrimination is None
    assert q["capital"].flags == (TOO_EASY,)
    assert q["vat"].discrimination < -0.5 and NEGATIVE in q["vat"].flags
    assert q["vat"].facility == pytest.approx(6 / 11)
    assert q["quote"].discrimination > 0.5 and q["quote"].flags == ()
    assert q["capital"].picks == {"o1": 11}
    assert q["pick-two"].picks == {"o1": 11, "o2": 6, "o3": 5}
    assert q["vat"].wrong == [("21", 3), ("19", 2)]
    assert q["quote"].wrong == [("100", 5)]
    assert q["quote"].mean_points == pytest.approx(6 / 11)


@pytest.mark.parametrize("filters, attempts", [
    ({"cohort": date(2026, 1, 1)}, 5),  # even trainees: 0, 2, 4, 6, 8
    ({"cohort": date(2026, 2, 1)}, 6),  # odd ones, with the second attempt of trainee 9
    ({"cohort": date(2026, 3, 1)}, 0),
    ({"team": "north"}, 3),
    ({"number": 1}, 10),
    ({"number": 2}, 1),
])
def test_each_filter_alone_changes_the_counts(app, history, filters, attempts):
    if filters.get("team") == "north":
        filters = {"team": history}
    result, q = _stats(app, **filters)
    assert result.attempts == attempts
    assert q["capital"].attempts == attempts
    assert sum(q["capital"].picks.values()) == attempts


def test_second_attempt_only(app, history):
    _, q = _stats(app, number=2)
    assert q["vat"].facility == 1.0 and q["vat"].wrong == []
    assert q["pick-two"].picks == {"o1": 1, "o2": 1}


def test_written_questions_show_mean_points(app, make_user):
    with app.app_context():
        ids = []
        for i, points in enumerate((2, 4, 3)):
            user = User(email=f"w{i}@example.com", full_name=f"W {i}", password_hash="x", role="trainee")
            db.session.add(user)
            db.session.flush()
            db.session.add(TraineeRecord(user_id=user.id, start_date=date(2026, 1, 1), target_date=date(2026, 7, 1)))
            _attempt(user.id, 1, {"stock": ("An answer", points, 4, "review"), "pick": ("o1", 1, 1)}, quiz="written",
                     mode="oral" if i == 2 else "written")
            ids.append(user.id)
        db.session.commit()
    from onboarding.assessment.statistics import Filters, quiz_statistics

    with app.test_request_context():
        result = quiz_statistics(app.extensions["curriculum"].quizzes["written"], Filters())
    stock = result.questions[0]
    assert stock.question.id == "stock" and stock.attempts == 3
    assert stock.mean_points == pytest.approx(3) and stock.facility == pytest.approx(0.75)


# ------------------------------------------------------------------ the pages

def _queries(app, path, email):
    client = app.test_client()
    AuthActions(client).login(email)
    response, count = statements_during(app, lambda: client.get(path))
    assert response.status_code == 200
    return count


@pytest.mark.parametrize("query", ["", "?cohort=2026-01&team=1&number=1"])
def test_a_fixed_number_of_queries(app, head, query):
    _add_history(app, count=4)
    few = [_queries(app, f"/quizzes/basics/statistics{query}", head),
           _queries(app, f"/quizzes/basics/statistics.csv{query}", head), _queries(app, "/statistics", head)]
    _add_history(app, count=120, first=100)
    many = [_queries(app, f"/quizzes/basics/statistics{query}", head),
            _queries(app, f"/quizzes/basics/statistics.csv{query}", head), _queries(app, "/statistics", head)]
    assert few == many


def test_page_and_csv_agree(app, history, head):
    client, _ = as_user(app, head)
    html = client.get("/quizzes/basics/statistics").get_data(as_text=True)
    assert "11</strong>" in html
    assert "too easy" in html and "negative discrimination" in html
    assert "Most common wrong answers" in html and ">21<" in html
    response = client.get("/quizzes/basics/statistics.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["Question", "Type", "Attempts", "Facility", "Discrimination"]
    by_id = {r[0]: r for r in rows[1:]}
    assert set(by_id) == {"capital", "pick-two", "vat", "quote"}
    for qid, row in by_id.items():
        block = re.search(rf'<tr id="q-{qid}">(.*?)</tr>', html, re.S).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", block, re.S)
        assert cells[0].strip() == row[2]  # attempts
        facility = re.search(r'class="facility">([^<]*)<', block).group(1)
        assert float(facility) == pytest.approx(float(row[3]), abs=0.01)
    assert by_id["capital"][7] == "too easy"
    assert "negative discrimination" in by_id["vat"][7]
    assert "21: 3" in by_id["vat"][9] and "19: 2" in by_id["vat"][9]
    assert "Right answer ✓: 11" in by_id["capital"][8]


def test_filters_keep_their_values(app, history, head):
    client, _ = as_user(app, head)
    html = client.get(f"/quizzes/basics/statistics?cohort=2026-02&team={history}&number=1").get_data(as_text=True)
    assert '<option value="2026-02" selected>' in html
    assert f'<option value="{history}" selected>' in html
    assert '<option value="1" selected>' in html
    assert "cohort=2026-02" in html and "statistics.csv?" in html
    # nonsense in the query string is ignored, never an error
    assert client.get("/quizzes/basics/statistics?cohort=x&team=y&number=z&slug=w").status_code == 200
    assert client.get("/quizzes/basics/statistics?cohort=2026-13").status_code == 200
    # past what a date or an id column holds: ignored too, on both databases (a 500 before)
    for query in ("cohort=9999-12", "cohort=10000-01", "cohort=0-05", "team=2147483648", "number=2147483648",
                  "number=-99999999999", "number=99999999999999999999", "team=%C2%B2", "cohort=2026-%C2%B9"):
        for path in ("/quizzes/basics/statistics", "/quizzes/basics/statistics.csv"):
            assert client.get(f"{path}?{query}").status_code == 200, (path, query)


def test_index_links_every_quiz(app, history, head):
    client, _ = as_user(app, head)
    html = client.get("/statistics").get_data(as_text=True)
    assert 'href="/quizzes/basics/statistics"' in html and 'href="/quizzes/written/statistics"' in html
    assert 'href="/statistics"' in client.get("/").get_data(as_text=True)  # in the header
    assert client.get("/quizzes/nope/statistics").status_code == 404


@pytest.mark.parametrize("role, status", [("trainee", 403), ("mentor", 403), ("head", 200), ("admin", 200),
                                          ("director", 200)])
def test_who_may_read(app, make_user, role, status):
    make_user(role, email=f"{role}-reader@example.com")
    client, _ = as_user(app, f"{role}-reader@example.com")
    header = client.get("/statistics" if status == 200 else "/").get_data(as_text=True)
    assert ('href="/statistics"' in header) == (status == 200)  # the header links it for readers only
    for path in ("/statistics", "/quizzes/basics/statistics", "/quizzes/basics/statistics.csv"):
        assert client.get(path).status_code == status, path
