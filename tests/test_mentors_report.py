"""Mentors' results: a generated history with known outcomes, read back line by line; the page and its CSV for
heads of sales and admins only; a fixed number of queries whatever the number of mentors and trainees."""
import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding.assessment.models import GRADED, Answer, QuizAttempt
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.mentoring.models import MentorAssignment
from onboarding.people.models import TraineeRecord
from onboarding.people.services import assign_mentor
from onboarding.readiness.mentors import mentor_results
from onboarding.readiness.models import APPROVED, ReadinessDecision
from onboarding.timeutil import utcnow

from .conftest import as_user, statements_during
from .test_inbox import _awaiting, _role_play

TARGET = date(2026, 6, 1)


def _approve(uid, head, on: date):
    rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
    rec.status, rec.target_date = "independent", TARGET
    db.session.add(ReadinessDecision(trainee_id=uid, head_id=head, decision=APPROVED, note="Ready.",
                                     decided_at=datetime.combine(on, datetime.min.time(), timezone.utc)))


def _graded(uid, grader, submitted, hours, number=1):
    """A graded attempt whose written answer `grader` graded `hours` after its submission."""
    attempt = QuizAttempt(user_id=uid, quiz_slug="written", number=number, allowed=max(2, number), state=GRADED, plan={},
                          submitted_at=submitted, graded_at=submitted + timedelta(hours=hours), passed=True,
                          percent=80.0, score=4, max_score=5)
    db.session.add(attempt)
    db.session.flush()
    db.session.add(Answer(attempt_id=attempt.id, question_id="stock", response="An answer.", max_points=4,
                          needs_review=True, mentor_score=3, grader_id=grader,
                          graded_at=submitted + timedelta(hours=hours)))


@pytest.fixture
def history(app, make_user):
    """Marco: Ann approved 3 days early, Ben 10 days late, Cid in training (first role-play cancelled, the next
    passed). Ann passed her first role-play, Ben failed his and passed the second. Mia: Dora in training, handed
    on by Otto (now deactivated), Eve withdrawn. Marco graded two attempts (10 and 30 hours) and one over a year
    ago; Mia one in 2 hours. Waiting on Marco: Cid's written answer and a role-play to score."""
    ids = {"marco": make_user("mentor", email="marco@example.com", name="Marco Mentor"),
           "mia": make_user("mentor", email="mia@example.com", name="Mia Mentor"),
           "otto": make_user("mentor", email="otto@example.com", name="Otto Old"),
           "hana": make_user("head", email="hana@example.com", name="Hana Head"),
           "ada": make_user("admin", email="ada@example.com", name="Ada Admin")}
    for key, mentor in (("ann", "marco"), ("ben", "marco"), ("cid", "marco"), ("dora", "otto"), ("eve", "mia"),
                        ("gil", "mia")):
        ids[key] = make_user("trainee", email=f"{key}@example.com", name=f"{key.title()} Trainee",
                             mentor=ids[mentor], start=date(2026, 1, 5))
    now = utcnow()
    with app.app_context():
        hana = db.session.get(User, ids["hana"])
        assign_mentor(db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == ids["dora"])),
                      ids["mia"], hana)
        db.session.get(User, ids["otto"]).active = False
        db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == ids["eve"])).status = "withdrawn"
        # Gil came to Mia with no assignment row (an account from before assignments were kept): his record counts
        _approve(ids["ann"], ids["hana"], TARGET - timedelta(days=3))
        _approve(ids["ben"], ids["hana"], TARGET + timedelta(days=10))
        day = now - timedelta(days=40)
        _role_play(ids["ann"], day, [ids["marco"], ids["hana"]], state="scored", passed=True)
        _role_play(ids["ben"], day, [ids["marco"], ids["hana"]], state="scored", passed=False)
        _role_play(ids["ben"], day + timedelta(days=7), [ids["marco"], ids["hana"]], state="scored", passed=True,
                   number=2, slug="warehouse")
        _role_play(ids["cid"], day, [ids["marco"], ids["hana"]], state="cancelled")
        _role_play(ids["cid"], day + timedelta(days=7), [ids["marco"], ids["hana"]], state="scored", passed=True,
                   number=2, slug="warehouse")
        _role_play(ids["gil"], now - timedelta(hours=3), [ids["marco"], ids["hana"]])  # due: Marco owes scores
        _graded(ids["ann"], ids["marco"], now - timedelta(days=20), 10)
        _graded(ids["ben"], ids["marco"], now - timedelta(days=10), 30)
        _graded(ids["ben"], ids["marco"], now - timedelta(days=400), 500, number=2)  # outside the window
        _graded(ids["dora"], ids["mia"], now - timedelta(days=5), 2)
        _awaiting(ids["cid"], now - timedelta(days=1))
        db.session.commit()
    return ids


def _by_name(app):
    with app.app_context():
        return {r.mentor.full_name: r for r in mentor_results()}


def test_each_mentor_is_credited_with_what_their_trainees_did(app, history):
    results = _by_name(app)
    marco, mia, otto = results["Marco Mentor"], results["Mia Mentor"], results["Otto Old"]
    assert (marco.in_training, marco.independent, marco.withdrawn, marco.handed_on) == (1, 2, 0, 0)
    assert sorted(marco.days_vs_target) == [-3, 10] and marco.on_time == 1 and marco.median_days_vs_target == 3.5
    # the first attempt that took place: Cid's cancelled one counts for nothing, his next passed
    assert (marco.first_role_plays, marco.first_passed, marco.first_pass_rate) == (3, 2, 67)
    assert sorted(marco.grading_hours) == [10.0, 30.0] and marco.median_grading_hours == 20.0
    assert marco.waiting == 2  # Cid's answer; the role-play of Gil whose time has come
    assert (mia.in_training, mia.withdrawn, mia.independent, mia.handed_on, mia.trainees) == (2, 1, 0, 0, 3)
    assert mia.grading_hours == [2.0] and mia.waiting == 0 and mia.first_pass_rate is None
    assert (otto.handed_on, otto.trainees, otto.in_training, otto.mentor.active) == (1, 1, 0, False)
    assert otto.median_days_vs_target is None and otto.median_grading_hours is None
    assert "Hana Head" not in results  # a head who mentors nobody has no line
    assert list(results) == ["Marco Mentor", "Mia Mentor", "Otto Old"]


def test_the_page_and_its_csv_say_the_same(app, history):
    client = as_user(app, "hana@example.com")[0]
    page = client.get("/mentors")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Marco Mentor" in html and "1 of 2 on or before target" in html and "median 3.5 days late" in html
    assert "median 20 hours" in html and 'aria-label="First-attempt passes of Marco Mentor’s trainees"' in html
    assert "1 handed on" in html and "deactivated" in html
    answer = client.get("/mentors.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    header, lines = rows[0], {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert header[0] == "Mentor" and set(lines) == {"Marco Mentor", "Mia Mentor", "Otto Old"}
    marco = lines["Marco Mentor"]
    assert (marco["Independent"], marco["Approved on or before target"], marco["Median days after target"]) == (
        "2", "1", "3.5")
    assert (marco["First-attempt pass rate %"], marco["Median grading wait (hours)"], marco["Waiting now"]) == (
        "67", "20.0", "2")


@pytest.mark.parametrize("email, status", [("hana@example.com", 200), ("ada@example.com", 200),
                                           ("marco@example.com", 403), ("ann@example.com", 403)])
def test_only_heads_of_sales_and_admins_read_it(app, history, email, status):
    client = as_user(app, email)[0]
    assert client.get("/mentors").status_code == status
    assert client.get("/mentors.csv").status_code == status


def test_anonymous_readers_are_sent_to_sign_in(client):
    assert client.get("/mentors").status_code == 302 and "/login" in client.get("/mentors").headers["Location"]


def _queries(app, client, path):
    response, count = statements_during(app, lambda: client.get(path))
    assert response.status_code == 200
    return count


def test_the_report_costs_the_same_queries_for_more_mentors_and_trainees(app, history, make_user):
    client = as_user(app, "hana@example.com")[0]
    client.get("/mentors")  # summaries of the day computed
    few = _queries(app, client, "/mentors")
    for n in range(6):
        mentor = make_user("mentor", email=f"m{n}@example.com", name=f"More Mentor {n}")
        for k in range(3):
            make_user("trainee", email=f"t{n}-{k}@example.com", mentor=mentor)
    with app.app_context():
        for uid in db.session.scalars(sa.select(TraineeRecord.user_id).where(TraineeRecord.mentor_id.is_not(None))):
            _graded(uid, history["mia"], utcnow() - timedelta(days=3), 5, number=5)
        db.session.commit()
    client.get("/mentors")
    assert _queries(app, client, "/mentors") == few
    assert few <= 14


def test_every_handover_counts_once_for_the_earlier_mentor(app, history):
    """Dora handed from Otto to Mia and back to Otto: Mia has handed her on, Otto has her in training."""
    with app.app_context():
        hana = db.session.get(User, history["hana"])
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == history["dora"]))
        db.session.get(User, history["otto"]).active = True
        assign_mentor(rec, history["otto"], hana)
        db.session.commit()
        periods = db.session.scalar(sa.select(sa.func.count()).select_from(MentorAssignment)
                                    .where(MentorAssignment.trainee_id == history["dora"]))
    results = _by_name(app)
    assert periods == 3
    assert (results["Otto Old"].handed_on, results["Otto Old"].in_training) == (0, 1)
    assert (results["Mia Mentor"].handed_on, results["Mia Mentor"].in_training) == (1, 1)
