"""The stored readiness summary is what the path rules compute, after every event, through every service: a
property test drives random histories and compares each stored summary with a full recomputation; the lists read
it; a stale one is refreshed before it is read; `rebuild-summaries` recomputes them all."""
from datetime import date, timedelta

import sqlalchemy as sa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from onboarding import summaries
from onboarding.activity.models import ActivityEntry
from onboarding.assessment.services import (AttemptError, responses_from_form, save_answers, start_attempt,
                                           submit)
from onboarding.assessment.models import Answer, QuizAttempt
from onboarding.auth.models import User
from onboarding.content import curriculum
from onboarding.extensions import db
from onboarding.learning.services import complete_module, completed_slugs
from onboarding.activity.services import ActivityError, save_entry, set_targets
from onboarding.mentoring.services import MentoringError, request_sign_off, sign_document, sign_off, task_state
from onboarding.people.models import TraineeRecord
from onboarding.people.services import (PeopleError, assign_mentor, correct_identity, record_of, set_active,
                                        set_role, update_plan)
from onboarding.readiness.decisions import DecisionError, decide, recommend
from onboarding.readiness import tallies
from onboarding.readiness.models import APPROVED, EXTENDED, REJECTED, ReadinessStageDays, ReadinessSummary
from onboarding.path.progress import stage_durations
from onboarding.readiness.rows import build_rows
from onboarding.path.service import _compute, trainee_progress
from onboarding.readiness.summary import _scheduled_at, columns, refresh, stale_ids
from onboarding.timeutil import aware, today

from .conftest import complete_stages_before, read_modules_of
from .test_assessment import key_answers


def _normal(value):
    return aware(value) if hasattr(value, "tzinfo") and hasattr(value, "hour") else value


def assert_every_summary_is_current(app):
    """Every trainee's stored summary equals what the rules compute from their rows now."""
    with app.app_context():
        records = db.session.scalars(sa.select(TraineeRecord)).all()
        rows = build_rows(records, app.config["READINESS_MIN_WEEKS"])
        when = _scheduled_at(db.session, [r.user_id for r in records])
        stored = {s.trainee_id: s for s in db.session.scalars(sa.select(ReadinessSummary))}
        for row in rows:
            uid = row.record.user_id
            assert uid in stored, f"trainee {uid} has no stored summary"
            expected = columns(row, when.get(uid))
            actual = {name: getattr(stored[uid], name) for name in expected}
            assert {k: _normal(v) for k, v in actual.items()} == {k: _normal(v) for k, v in expected.items()}, uid
        for record in records:  # the path a worker keeps between requests is the one the rows give now
            assert trainee_progress(record) == _compute(record), record.user_id
        stored_days, days_listed = {}, {}
        for row in db.session.scalars(sa.select(ReadinessStageDays)):
            stored_days.setdefault(row.trainee_id, {})[row.stage] = row.days
            days_listed.setdefault(row.trainee_id, set()).add(row.listed)
        for row in rows:
            uid = row.record.user_id
            expected = stage_durations(row.progress, row.record.start_date)
            assert stored_days.get(uid, {}) == expected, uid
            if expected:  # the days carry the summary's own copy of whether the trainee is listed
                assert days_listed[uid] == {stored[uid].listed}, uid
        # the lists' counts, changed by differences, are what counting every summary gives
        assert tallies.stored(db.session) == tallies.counted_again(db.session)


ACTIONS = ("read", "read", "quiz_right", "quiz_wrong", "request", "sign", "log_day", "unassign", "assign",
           "mentor_off", "mentor_on", "targets", "sign_document", "rename", "recommend", "stage_four",
           "trainee_off", "trainee_on", "role_mentor", "role_trainee", "move_start", "approve", "extend", "reject")


def _open_stages(progress):
    return [s for s in progress.stages if s.state != "locked"]


def _act(app, ids, action, n):
    """One step of a history, through the services, committed; a step the rules refuse is rolled back."""
    if action == "stage_four":
        complete_stages_before(app, ids["trainee"], 4)
        return
    with app.app_context():
        trainee, mentor = db.session.get(User, ids["trainee"]), db.session.get(User, ids["mentor"])
        head, admin = db.session.get(User, ids["head"]), db.session.get(User, ids["admin"])
        rec, cur = record_of(trainee), curriculum()
        progress = trainee_progress(rec)
        stages = {s.number: s for s in progress.stages}
        try:
            if action == "read":
                done = completed_slugs(trainee.id)
                module = next((m for m in cur.modules.values() if stages[m.stage].state != "locked"
                               and m.slug not in done), None)
                if module is not None:
                    complete_module(trainee, module)
            elif action in ("quiz_right", "quiz_wrong"):
                quiz = next((q for q in cur.quiz_list if stages[q.stage].state != "locked"), None)
                if quiz is not None:
                    attempt = start_attempt(trainee, quiz, progress)
                    db.session.commit()
                    form = MultiDict(key_answers(app, attempt.id, right=action == "quiz_right"))
                    attempt = db.session.merge(attempt)
                    submit(attempt, quiz, responses_from_form(quiz, form, attempt.plan), trainee)
            elif action in ("request", "sign"):
                for stage in cur.stages:
                    tasks = stage.checklist.tasks if stage.checklist else ()
                    task = next((t for t in tasks if task_state(trainee.id, t.id) != "signed"), None)
                    if task is not None and stages[stage.number].state != "locked":
                        if action == "request":
                            request_sign_off(trainee, task, f"Done {n}.", None, stages[stage.number])
                        else:
                            sign_off(trainee, task, mentor, "Seen it.", stages[stage.number])
                        break
            elif action == "log_day":
                save_entry(trainee, today() - timedelta(days=n % 4), {"calls": n, "meetings": n % 3}, None)
            elif action == "unassign":
                assign_mentor(rec, None, head)
            elif action == "assign":
                assign_mentor(rec, mentor.id, head)
            elif action in ("mentor_off", "mentor_on"):
                set_active(mentor, action == "mentor_on", admin)
            elif action == "targets":
                set_targets(None, {"calls": n % 40, "meetings": n % 5}, head)
            elif action == "sign_document" and cur.job_description:
                sign_document(trainee, cur.job_description, trainee.full_name)
            elif action == "rename":
                correct_identity(trainee, f"Sam Renamed {n}", trainee.email, admin)
            elif action == "recommend":
                recommend(rec, mentor, True, "Ready for real clients.")
            elif action in ("trainee_off", "trainee_on"):  # the lists' copies: listed, status, mentor, start
                set_active(trainee, action == "trainee_on", admin)
            elif action in ("role_mentor", "role_trainee"):
                set_role(trainee, action.removeprefix("role_"), admin)
            elif action in ("approve", "extend", "reject"):  # the status the lists count by
                decide(rec, head, {"approve": APPROVED, "extend": EXTENDED, "reject": REJECTED}[action],
                       "Decided after the review.", [], {}, override_reason="Seen enough on calls.",
                       new_target_date=today() + timedelta(days=30 + n), plan="Two more weeks of calls.")
            elif action == "move_start":
                start = rec.start_date - timedelta(days=n - 30)
                update_plan(rec, start, start + timedelta(days=180), rec.mentor_id, admin, rec.team_id)
            db.session.commit()
        except (MentoringError, ActivityError, AttemptError, PeopleError, DecisionError):
            db.session.rollback()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(history=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=60)),
                        min_size=1, max_size=10))
def test_the_stored_summary_always_equals_a_full_recomputation(app, make_user, history):
    ids = {"mentor": make_user("mentor"), "head": make_user("head"), "admin": make_user("admin")}
    ids["trainee"] = make_user("trainee", mentor=ids["mentor"], start=date.today() - timedelta(days=40))
    assert_every_summary_is_current(app)
    for action, n in history:
        _act(app, ids, action, n)
        assert_every_summary_is_current(app)


def test_a_change_is_stored_in_its_own_transaction_and_a_rollback_stores_nothing(app, make_user):
    uid = make_user("trainee")
    with app.app_context():
        before = db.session.get(ReadinessSummary, uid).progress_percent
        trainee = db.session.get(User, uid)
        module = curriculum().stages[0].modules[0]
        complete_module(trainee, module)
        db.session.flush()
        db.session.rollback()
        assert not summaries.touched(db.session)
        assert db.session.get(ReadinessSummary, uid).progress_percent == before
        complete_module(db.session.get(User, uid), module)
        db.session.commit()
        assert db.session.get(ReadinessSummary, uid).progress_percent > before


def test_a_flushed_row_notes_its_trainee_until_the_commit_or_the_rollback(app, make_user):
    uid = make_user("trainee")
    with app.app_context():
        db.session.add(ActivityEntry(trainee_id=uid, day=today(), calls=3, entered_by=uid))
        db.session.flush()
        assert summaries.touched(db.session) == {uid}
        db.session.rollback()
        assert summaries.touched(db.session) == set()


def test_an_autosave_notes_no_summary_and_the_submission_notes_the_trainee(app, make_user):
    """The answers of an open attempt feed no summary: saving them as the trainee types (new answers, then changed
    ones) refreshes nothing; the submission, a guarded UPDATE that bypasses the ORM, notes the trainee."""
    uid = make_user("trainee")
    complete_stages_before(app, uid, 3)
    read_modules_of(app, uid, "written")
    with app.app_context():
        trainee = db.session.get(User, uid)
        attempt = start_attempt(trainee, curriculum().quizzes["written"], trainee_progress(record_of(trainee)))
        db.session.commit()
        attempt_id = attempt.id
    typed = key_answers(app, attempt_id)
    for edit in ("", " And one more thought."):
        with app.app_context():
            attempt, quiz = db.session.get(QuizAttempt, attempt_id), curriculum().quizzes["written"]
            form = MultiDict({name: value + edit if isinstance(value, str) else value for name, value in typed.items()})
            assert save_answers(attempt, quiz, responses_from_form(quiz, form, attempt.plan)) is not None
            db.session.flush()
            assert db.session.scalar(sa.select(sa.func.count(Answer.id)).where(Answer.attempt_id == attempt_id))
            assert summaries.touched(db.session) == set()
            db.session.commit()
    with app.app_context():
        attempt, quiz = db.session.get(QuizAttempt, attempt_id), curriculum().quizzes["written"]
        assert submit(attempt, quiz, {}, db.session.get(User, uid))
        assert summaries.touched(db.session) == {uid}
        db.session.commit()
    assert_every_summary_is_current(app)


def test_a_summary_from_another_day_or_other_content_is_stale(app, make_user):
    first, second, third = make_user("trainee"), make_user("trainee"), make_user("trainee")
    with app.app_context():
        assert stale_ids(db.session) == []
        db.session.get(ReadinessSummary, first).computed_on = today() - timedelta(days=1)
        db.session.get(ReadinessSummary, second).rules_version = "other content"
        db.session.delete(db.session.get(ReadinessSummary, third))
        db.session.commit()
        assert stale_ids(db.session) == sorted([first, second, third])
        assert refresh(db.session, stale_ids(db.session)) == 3
        db.session.commit()
        assert stale_ids(db.session) == []


def test_the_dashboard_refreshes_what_is_stale_before_it_filters(app, make_user):
    from .conftest import as_user

    make_user("head", email="head@example.com")
    uid = make_user("trainee", name="Tess Stale")
    complete_stages_before(app, uid, 2)
    with app.app_context():  # as a summary left from yesterday would say: still in stage 1
        summary = db.session.get(ReadinessSummary, uid)
        summary.current_stage, summary.computed_on = 1, today() - timedelta(days=1)
        db.session.commit()
    client, _ = as_user(app, "head@example.com")
    assert "Tess Stale" in client.get("/?stage=2").get_data(as_text=True)
    assert "Tess Stale" not in client.get("/?stage=1").get_data(as_text=True)


def test_a_worker_looks_for_stale_summaries_once_a_day(app, make_user, monkeypatch):
    """The look reads every trainee: once a worker has made every summary current for the day, each change keeps
    its own trainee's current, so the lists do not look again until the date (or the content) moves."""
    from onboarding.readiness import summary as summary_module

    from .conftest import as_user

    make_user("head", email="head@example.com")
    uid = make_user("trainee", name="Tess Stale")
    client, _ = as_user(app, "head@example.com")
    looks = []
    real = summary_module.stale_ids
    monkeypatch.setattr(summary_module, "stale_ids",
                        lambda session, limit=None: looks.append(1) or real(session, limit))
    assert client.get("/").status_code == 200 and len(looks) == 1
    assert client.get("/cohort").status_code == 200 and len(looks) == 1  # the same day: no second look
    with app.app_context():  # left from yesterday, as at midnight
        db.session.get(ReadinessSummary, uid).computed_on = today() - timedelta(days=1)
        db.session.commit()
    tomorrow = today() + timedelta(days=1)
    monkeypatch.setattr(summary_module, "today", lambda: tomorrow)
    # a new day: it looks again, and refreshes what the date moved
    assert client.get("/").status_code == 200 and len(looks) == 2
    with app.app_context():
        assert db.session.get(ReadinessSummary, uid).computed_on == tomorrow


def test_a_trainee_reactivated_after_the_days_look_shows_current(app, make_user):
    """A summary left from the days an account was inactive is refreshed when the account comes back, not at the
    next day's look."""
    from .conftest import as_user

    make_user("head", email="head@example.com")
    uid = make_user("trainee", name="Tess Back")
    complete_stages_before(app, uid, 2)
    with app.app_context():
        summary = db.session.get(ReadinessSummary, uid)
        summary.current_stage, summary.computed_on = 1, today() - timedelta(days=30)
        db.session.get(User, uid).active = False
        db.session.commit()
    client, _ = as_user(app, "head@example.com")
    assert "Tess Back" not in client.get("/?status=all").get_data(as_text=True)  # the day's look is done
    with app.app_context():
        db.session.get(User, uid).active = True
        db.session.commit()
    assert "Tess Back" in client.get("/?stage=2").get_data(as_text=True)
    assert "Tess Back" not in client.get("/?stage=1").get_data(as_text=True)


def test_rebuild_summaries_recomputes_every_one(app, make_user, runner):
    ids = [make_user("trainee") for _ in range(3)]
    with app.app_context():
        db.session.execute(sa.update(ReadinessSummary).values(progress_percent=77, current_stage=4))
        db.session.commit()
    result = runner.invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert "3" in result.output
    assert_every_summary_is_current(app)
    with app.app_context():
        assert {s.progress_percent for s in db.session.scalars(
            sa.select(ReadinessSummary).where(ReadinessSummary.trainee_id.in_(ids)))} == {0}


def test_two_readers_storing_the_same_missing_summary_do_not_fail(app, make_user, monkeypatch):
    """The first reader after a migration (an empty table) may race another server: the loser rolls back and
    reads what the winner stored."""
    from onboarding.readiness import summary as summary_module

    uid = make_user("trainee")
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite lets one writer at a time: the race cannot interleave in one thread")
        db.session.delete(db.session.get(ReadinessSummary, uid))
        tallies.recount(db.session)  # as a migration leaves an empty table: nothing counted
        db.session.commit()
        real_refresh, real_change, raced = summary_module.refresh, tallies.change, []

        def racing(session, pairs):  # another server commits the same rows just before this one writes its own
            pairs = list(pairs)  # this one has read: no summary yet; a new one is pending
            if not raced:
                raced.append(uid)
                with app.app_context():
                    real_refresh(db.session, [uid])
                    db.session.commit()
            return real_change(session, pairs)

        monkeypatch.setattr(tallies, "change", racing)
        monkeypatch.setattr(summary_module, "stale_ids", lambda session, limit=None: [uid])
        assert summary_module.refresh_stale(db.session) == 0
        assert raced == [uid]
        assert db.session.get(ReadinessSummary, uid) is not None
        assert tallies.stored(db.session) == tallies.counted_again(db.session)  # the winner's counts, once


def test_a_refresh_takes_the_days_it_replaces_out_of_the_session(app, make_user):
    """The days per stage are deleted and written again by each refresh: days this session loaded before must not
    stand in for the new rows (the delete's session sync reads back what it deleted)."""
    uid = make_user("trainee", start=date.today() - timedelta(days=40))
    complete_stages_before(app, uid, 2)
    with app.app_context():
        refresh(db.session, [uid])
        db.session.commit()
        loaded = db.session.scalars(sa.select(ReadinessStageDays).where(ReadinessStageDays.trainee_id == uid)).all()
        assert loaded and all(row.listed for row in loaded)
        db.session.execute(sa.text("UPDATE readiness_stage_days SET days = days + 1000 WHERE trainee_id = :t"),
                           {"t": uid})
        refresh(db.session, [uid])
        again = db.session.scalars(sa.select(ReadinessStageDays).where(ReadinessStageDays.trainee_id == uid)).all()
        assert {(row.stage, row.days) for row in again} == {(row.stage, row.days) for row in loaded}
        assert not any(row in loaded for row in again)  # new rows, not the objects loaded before the refresh
        db.session.rollback()
