"""The lists cost a fixed number of queries whatever the number of trainees, and a person's own pages the same."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding.assessment.models import QuizAttempt
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.learning.models import ModuleCompletion
from onboarding.mentoring.models import Acknowledgement, SignOffEvent
from onboarding.people.models import TraineeRecord

from .conftest import AuthActions, statements_during


def _add_trainees(app, count, mentor_id, first=0):
    """Many trainees with some of every kind of row, inserted in bulk (hashing 500 passwords would be slow)."""
    with app.app_context():
        pw = db.session.scalar(sa.select(User.password_hash).where(User.id == mentor_id))
        cur = app.extensions["curriculum"]
        for i in range(first, first + count):
            user = User(email=f"bulk{i}@example.com", full_name=f"Bulk {i:03d}", password_hash=pw, role="trainee")
            db.session.add(user)
            db.session.flush()
            db.session.add(TraineeRecord(user_id=user.id, start_date=date(2026, 10, 1), target_date=date(2027, 3, 30),
                                         mentor_id=mentor_id))
            db.session.add(ModuleCompletion(user_id=user.id, module_slug="hello", content_version="v"))
            db.session.add(QuizAttempt(user_id=user.id, quiz_slug="basics", number=1, allowed=2, state="graded",
                                       plan={}, passed=i % 2 == 0, percent=70.0,
                                       graded_at=datetime.now(timezone.utc)))
            db.session.add(SignOffEvent(trainee_id=user.id, task_id="proposal", kind="requested"))
            db.session.add(Acknowledgement(trainee_id=user.id, document="job-description",
                                           version=cur.job_description.version, typed_name=user.full_name))
        db.session.commit()


def _queries_for(app, path, headers=None, login=None):
    client = app.test_client()
    if login:
        AuthActions(client).login(login)
    app.extensions.pop("summaries.checked", None)  # the dearer case: the day's first look for stale summaries
    response, count = statements_during(app, lambda: client.get(path, headers=headers or {}))
    assert response.status_code == 200
    return count


@pytest.mark.parametrize("path, many", [("/", 1000), ("/?page=2", 1000),
                                        ("/?stage=1&overdue=1&sort=name&waits=mentor", 1000),
                                        ("/?sort=-forecast&waits=evaluators", 1000), ("/cohort", 1000),
                                        # the export computes 500 rows at a time: one batch's queries up to 500
                                        ("/trainees.csv", 500)])
def test_dashboard_queries_do_not_grow_with_trainees(app, make_user, path, many):
    app.config["PER_PAGE"] = 25
    mentor = make_user("mentor", email="mentor@example.com")
    make_user("head", email="head@example.com")
    _add_trainees(app, 10, mentor)
    few_queries = _queries_for(app, path, login="head@example.com")
    _add_trainees(app, many - 10, mentor, first=10)
    many_queries = _queries_for(app, path, login="head@example.com")
    assert few_queries == many_queries, f"{few_queries} queries for 10 trainees, {many_queries} for {many}"
    assert many_queries <= 25


def test_api_list_queries_do_not_grow_with_trainees(app, make_user):
    from onboarding.api.tokens import create_token

    mentor = make_user("mentor", email="mentor@example.com")
    head = make_user("head", email="head@example.com")
    with app.app_context():
        token = create_token(db.session.get(User, head), "count")
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    _add_trainees(app, 10, mentor)
    _queries_for(app, "/api/v1/me", headers=headers)  # the token's first use writes its time once
    few = _queries_for(app, "/api/v1/trainees?per_page=100", headers=headers)
    _add_trainees(app, 490, mentor, first=10)
    many = _queries_for(app, "/api/v1/trainees?per_page=100", headers=headers)
    assert few == many, f"{few} queries for 10 trainees, {many} for 500"


def _give_work(app, mentor_id):
    """Every trainee without it gets written answers to grade and a day of figures to confirm; every other one
    loses their mentor, so what waits on them waits on the head of sales."""
    from onboarding.activity.models import ActivityEntry

    with app.app_context():
        busy = set(db.session.scalars(sa.select(QuizAttempt.user_id).where(QuizAttempt.quiz_slug == "written")))
        records = db.session.scalars(sa.select(TraineeRecord).order_by(TraineeRecord.id)).all()
        for n, rec in enumerate(records):
            if rec.user_id in busy:
                continue
            db.session.add(QuizAttempt(user_id=rec.user_id, quiz_slug="written", number=1, allowed=2,
                                       state="awaiting_grading", plan={}, submitted_at=datetime.now(timezone.utc)))
            db.session.add(ActivityEntry(trainee_id=rec.user_id, day=date(2026, 10, 2), calls=5,
                                         entered_by=rec.user_id))
            rec.mentor_id = mentor_id if n % 2 else None
        db.session.commit()


@pytest.mark.parametrize("login", ["mentor@example.com", "head@example.com"])
def test_inbox_queries_do_not_grow_with_trainees(app, make_user, login):
    """The inbox, and the header's count on every page, cost the same for 2 trainees as for 20."""
    mentor = make_user("mentor", email="mentor@example.com")
    make_user("head", email="head@example.com")
    _add_trainees(app, 2, mentor)
    _give_work(app, mentor)
    few = _queries_for(app, "/inbox", login=login)
    _add_trainees(app, 18, mentor, first=2)
    _give_work(app, mentor)
    many = _queries_for(app, "/inbox", login=login)
    assert few == many, f"{few} queries for 2 trainees, {many} for 20"
    assert many <= 30


def test_a_persons_own_pages_cost_the_same_whatever_the_number_of_trainees(app, make_user):
    """The trainee's home, a module, the open quiz attempt and its autosave, a day saved in the activity ledger, and
    the mentor's grading inbox read the person's own rows: the same queries with 10 other trainees as with 1,000
    (the path computed, not kept)."""
    from .conftest import read_modules_of
    from .test_assessment import start

    mentor = make_user("mentor", email="mentor@example.com")
    uid = make_user("trainee", email="own@example.com", mentor=mentor, start=date.today() - timedelta(days=30))
    read_modules_of(app, uid, "basics")
    days = iter([date.today() - timedelta(days=1), date.today() - timedelta(days=2)])  # a new day each time
    trainee = app.test_client()
    auth = AuthActions(trainee)
    auth.login("own@example.com")
    attempt = start(trainee, auth, "basics")
    with app.app_context():
        module = app.extensions["curriculum"].stages[0].modules[0].slug
    mentor_client = app.test_client()
    AuthActions(mentor_client).login("mentor@example.com")
    pages = [(trainee, "/"), (trainee, f"/modules/{module}"), (trainee, f"/attempts/{attempt}"),
             (mentor_client, "/grading")]

    def counts():
        found = []
        for client, path in pages:
            app.extensions.get("path.kept", {}).clear()  # the dearer case: the path computed from the facts
            response, count = statements_during(app, lambda: client.get(path))
            assert response.status_code == 200, path
            found.append(count)
        token = auth.token(f"/attempts/{attempt}")
        response, count = statements_during(app, lambda: trainee.post(
            f"/attempts/{attempt}/save", data={"csrf_token": token}, headers={"X-Requested-With": "fetch"}))
        assert response.status_code == 200
        found.append(count)
        figures = {"prospects": 2, "calls": 18, "meetings": 2, "applications": 1, "orders": 0, "referrals": 1,
                   "events": 0, "decision_makers": 1, "deals": 0}
        token = auth.token(f"/trainees/{uid}/activity")
        response, count = statements_during(app, lambda: trainee.post(
            f"/trainees/{uid}/activity", data={"csrf_token": token, "day": next(days).isoformat(), **figures}))
        assert response.status_code == 302 and "/login" not in response.headers["Location"], response.status_code
        return found + [count]

    _add_trainees(app, 10, mentor)
    few = counts()
    _add_trainees(app, 990, mentor, first=10)
    many = counts()
    assert few == many, f"{few} queries with 10 other trainees, {many} with 1,000"
    *pages_and_autosave, ledger_save = many
    assert max(pages_and_autosave) <= 20, many
    # The ledger save refreshes the trainee's stored summary: one read of each kind of fact (about 17 statements).
    assert ledger_save <= 32, many


def test_a_bulk_assignment_reads_the_chosen_trainees_not_the_whole_team(app, make_user):
    """The head assigns a mentor to a few trainees on the dashboard: only their records are read, however large the
    team (the choices once listed every trainee to check a few ids)."""
    mentor = make_user("mentor", email="mentor@example.com")
    other = make_user("mentor", email="mona@example.com", name="Mona Mentor")
    make_user("head", email="head@example.com")
    _add_trainees(app, 300, mentor)
    with app.app_context():
        chosen = list(db.session.scalars(sa.select(TraineeRecord.user_id).order_by(TraineeRecord.user_id).limit(2)))
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("head@example.com")
    loaded = []

    def on_load(target, _context):
        loaded.append(target.user_id)

    sa.event.listen(TraineeRecord, "load", on_load)
    try:
        response = client.post("/trainees/assign", data={"trainees": [str(u) for u in chosen], "mentor": str(other),
                                                         "csrf_token": auth.token()})
    finally:
        sa.event.remove(TraineeRecord, "load", on_load)
    assert response.status_code == 302
    assert set(loaded) == set(chosen), f"{len(set(loaded))} records read for 2 chosen"
    with app.app_context():
        assert set(db.session.scalars(sa.select(TraineeRecord.mentor_id).where(
            TraineeRecord.user_id.in_(chosen)))) == {other}
    # An id nobody has is refused with the rest, and nothing is assigned; so is one past what an id can hold, or a
    # digit that is not a decimal one (never a 500).
    for junk in ("999999", "99999999999", "9" * 5000, "²"):
        response = client.post("/trainees/assign", data={"trainees": [str(chosen[0]), junk], "mentor": str(mentor),
                                                         "csrf_token": auth.token()})
        assert response.status_code == 400, junk
    with app.app_context():
        assert db.session.scalar(sa.select(TraineeRecord.mentor_id).where(TraineeRecord.user_id == chosen[0])) == other


def test_the_trainees_page_asks_nothing_more_for_each_quiz_taken_orally(app, make_user):
    """The trainee's page offers the oral test of each quiz that has one: whether it is open is judged on what the
    page read for the path, not with three more statements per oral quiz."""
    import dataclasses

    mentor = make_user("mentor", email="mentor@example.com")
    uid = make_user("trainee", mentor=mentor, start=date.today() - timedelta(days=30))
    path = f"/trainees/{uid}"
    one_oral = _queries_for(app, path, login="mentor@example.com")
    cur = app.extensions["curriculum"]
    assert sum("oral" in q.forms for q in cur.quiz_list) == 1 < len(cur.quiz_list)
    stages = tuple(dataclasses.replace(s, quizzes=tuple(dataclasses.replace(q, forms=("written", "oral"))
                                                        for q in s.quizzes)) for s in cur.stages)
    app.extensions["curriculum"] = dataclasses.replace(cur, stages=stages,
                                                       quizzes={q.slug: q for s in stages for q in s.quizzes})
    with app.app_context():
        from onboarding.content import curriculum

        assert all("oral" in q.forms for q in curriculum().quiz_list)
    assert _queries_for(app, path, login="mentor@example.com") == one_oral


def test_the_trainees_page_and_checklist_cost_the_same_however_many_mentors_and_signers(app, make_user):
    """The mentors a trainee had and the people who acted on their checklist are read with the history, not one
    statement per person the page names."""
    from onboarding.mentoring.models import MentorAssignment

    mentor = make_user("mentor", email="mentor@example.com")
    uid = make_user("trainee", mentor=mentor, start=date.today() - timedelta(days=30))
    paths = [f"/trainees/{uid}", f"/trainees/{uid}/checklist"]

    def former_mentors_and_signers(count, first):
        with app.app_context():
            for i in range(first, first + count):
                other = make_user("mentor", email=f"former{i}@example.com", name=f"Former {i}")
                db.session.add(MentorAssignment(trainee_id=uid, mentor_id=other, assigned_by=other,
                                                ended_at=datetime.now(timezone.utc)))
                db.session.add(SignOffEvent(trainee_id=uid, task_id="proposal", kind="requested", actor_id=other))
            db.session.commit()

    former_mentors_and_signers(1, 0)
    few = [_queries_for(app, path, login="mentor@example.com") for path in paths]
    former_mentors_and_signers(6, 1)
    assert [_queries_for(app, path, login="mentor@example.com") for path in paths] == few


@pytest.mark.parametrize("login, most", [("mentor@example.com", 4), ("head@example.com", 4)])
def test_the_grading_inbox_reads_every_waiting_attempt_in_one_statement(app, make_user, login, most):
    """A mentor's or head's grading inbox with attempts waiting, drafts saved by a grader, trainees without a mentor
    and second markings asked: the person, the header's badge, the attempts and the second markings (4 statements),
    with 2 attempts waiting as with 20. (It once read the trainees, the drafts' authors, the answers left and who has
    no mentor one statement each.)"""
    from onboarding.assessment.models import SecondMarking

    mentor = make_user("mentor", email="mentor@example.com")
    head = make_user("head", email="head@example.com")

    def waiting(count, first):
        _add_trainees(app, count, mentor, first=first)
        with app.app_context():
            for n, rec in enumerate(db.session.scalars(sa.select(TraineeRecord).where(
                    TraineeRecord.user_id.not_in(sa.select(QuizAttempt.user_id).where(
                        QuizAttempt.quiz_slug == "written")))).all()):
                attempt = QuizAttempt(user_id=rec.user_id, quiz_slug="written", number=1, allowed=2,
                                      state="awaiting_grading", plan={}, submitted_at=datetime.now(timezone.utc),
                                      draft_by=mentor if n % 2 else None,
                                      draft_saved_at=datetime.now(timezone.utc) if n % 2 else None)
                db.session.add(attempt)
                graded = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == rec.user_id,
                                                                        QuizAttempt.state == "graded"))
                db.session.add(SecondMarking(attempt_id=graded.id, requested_by=head,
                                             marker_id=mentor if login.startswith("mentor") else head))
                if login.startswith("head") and n % 3 == 0:
                    rec.mentor_id = None  # the head of sales grades these
            db.session.commit()

    waiting(2, 0)
    few = _queries_for(app, "/grading", login=login)
    waiting(18, 2)
    many = _queries_for(app, "/grading", login=login)
    assert few == many <= most, f"{few} statements with 2 attempts waiting, {many} with 20"


@pytest.mark.parametrize("login, path", [("head@example.com", "/"), ("head@example.com", "/?status=all&stage=2"),
                                         ("head@example.com", "/cohort"), ("mentor@example.com", "/"),
                                         ("mentor@example.com", "/grading")])
def test_the_lists_statements_are_written_once_not_expanded_per_visit(app, make_user, login, path):
    """A fixed list in a statement (the statuses in training, the roles that mentor) is written into it once
    (extensions.one_of): a list parameter is expanded into the statement's text on every execution, which cost
    the dashboard 0.4 ms a visit. The header's badge runs on every page of a mentor or head."""
    from sqlalchemy import event

    mentor = make_user("mentor", email="mentor@example.com")
    make_user("head", email="head@example.com")
    _add_trainees(app, 3, mentor)
    client = app.test_client()
    AuthActions(client).login(login)
    expanded = []

    def note(_conn, _cursor, statement, _params, context, _many):
        if context.compiled is not None and context.compiled.post_compile_params:
            expanded.append(statement)

    client.get(path)  # the day's first look for stale summaries is behind
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert expanded == []
