"""A trainee's computed path is kept between requests under the revision of their facts: a second visit reads one
number instead of six queries, and no change (committed or not) is ever hidden by what was kept."""
from datetime import date, timedelta

import sqlalchemy as sa

from onboarding import summaries
from onboarding.content import curriculum
from onboarding.extensions import db
from onboarding.learning.models import ModuleCompletion
from onboarding.path import service
from onboarding.path.service import _compute, trainee_progress
from onboarding.people.models import TraineeRecord
from onboarding.readiness.models import ReadinessSummary
from onboarding.readiness.summary import facts_revision

from .conftest import as_user, statements_during


def _first_module():
    return curriculum().stages[0].modules[0]


def _record(uid):
    return db.session.get(TraineeRecord, uid)


def test_every_refresh_raises_the_revision(app, make_user):
    uid = make_user("trainee")
    with app.app_context():
        first = facts_revision(uid)
        assert first is not None and first >= 1
        db.session.add(ModuleCompletion(user_id=uid, module_slug=_first_module().slug,
                                        content_version=_first_module().version))
        db.session.commit()
        assert facts_revision(uid) == first + 1
        summaries.touch(db.session, uid)  # a write that bypasses the ORM says so itself
        db.session.commit()
        assert facts_revision(uid) == first + 2


def test_no_revision_while_the_session_holds_changes_not_committed(app, make_user):
    uid = make_user("trainee")
    with app.app_context():
        assert facts_revision(uid) is not None
        db.session.add(ModuleCompletion(user_id=uid, module_slug=_first_module().slug,
                                        content_version=_first_module().version))
        assert facts_revision(uid) is None  # added, not flushed
        db.session.flush()
        assert facts_revision(uid) is None  # flushed, not committed
        db.session.rollback()
        assert facts_revision(uid) is not None


def test_no_revision_before_the_trainee_has_a_summary(app, make_user):
    uid = make_user("trainee")
    with app.app_context():
        db.session.execute(sa.delete(ReadinessSummary).where(ReadinessSummary.trainee_id == uid))
        db.session.commit()
        assert facts_revision(uid) is None
        first = trainee_progress(_record(uid))
        assert first == _compute(_record(uid))
        assert not app.extensions.get("path.kept")  # nothing kept without a revision


def test_a_committed_change_is_seen_at_once(app, make_user):
    uid = make_user("trainee")
    with app.app_context():
        module = _first_module()
        before = trainee_progress(_record(uid))
        assert trainee_progress(_record(uid)) is before  # kept
        db.session.add(ModuleCompletion(user_id=uid, module_slug=module.slug, content_version=module.version))
        db.session.commit()
        after = trainee_progress(_record(uid))
        assert after is not before
        assert after.steps_done == before.steps_done + 1
        assert after == _compute(_record(uid))


def test_a_change_not_committed_is_seen_by_its_own_transaction(app, make_user):
    uid = make_user("trainee")
    with app.app_context():
        module = _first_module()
        before = trainee_progress(_record(uid))
        db.session.add(ModuleCompletion(user_id=uid, module_slug=module.slug, content_version=module.version))
        db.session.flush()
        assert trainee_progress(_record(uid)).steps_done == before.steps_done + 1
        db.session.rollback()
        assert trainee_progress(_record(uid)) is before


def test_the_date_and_the_start_date_are_part_of_what_the_path_is_kept_under(app, make_user, monkeypatch):
    uid = make_user("trainee", start=date.today() - timedelta(days=60))
    with app.app_context():
        before = trainee_progress(_record(uid))
        monkeypatch.setattr(service, "today", lambda: date.today() + timedelta(days=1))
        assert trainee_progress(_record(uid)) is not before  # a new day: computed again (overdue stages move)
        monkeypatch.undo()
        record = _record(uid)
        record.start_date = date.today() - timedelta(days=1)
        db.session.commit()
        moved = trainee_progress(_record(uid))
        assert moved != before and moved == _compute(_record(uid))


def test_a_worker_keeps_a_bounded_number_of_paths(app, make_user, monkeypatch):
    monkeypatch.setattr(service, "KEPT", 2)
    ids = [make_user("trainee") for _ in range(3)]
    with app.app_context():
        for uid in ids:
            trainee_progress(_record(uid))
        kept = app.extensions["path.kept"]
        assert len(kept) == 2 and {key[0] for key in kept} == set(ids[1:])  # the oldest went first


def test_a_second_visit_to_a_module_reads_the_kept_path(app, make_user):
    uid = make_user("trainee", email="kept@example.com")
    client, _auth = as_user(app, "kept@example.com")
    with app.app_context():
        path = f"/modules/{_first_module().slug}"
    assert client.get(path).status_code == 200
    with app.app_context():
        db.session.execute(sa.update(ReadinessSummary).where(ReadinessSummary.trainee_id == uid)
                           .values(revision=ReadinessSummary.revision + 1))
        db.session.commit()
    answer, computing = statements_during(app, lambda: client.get(path))
    assert answer.status_code == 200
    answer, kept = statements_during(app, lambda: client.get(path))
    assert answer.status_code == 200
    assert computing - kept >= 5, (computing, kept)  # the facts' queries (completions, quizzes, practice, go)
