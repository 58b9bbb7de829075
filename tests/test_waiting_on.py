""""Waiting on" names the person who has to act, for each state of the path."""
from datetime import datetime, timezone

import sqlalchemy as sa

from onboarding.assessment.models import GRADED, QuizAttempt
from onboarding.extensions import db
from onboarding.learning.models import ModuleCompletion
from onboarding.people.models import TraineeRecord
from onboarding.readiness.rows import build_rows

from .conftest import ready_for_role_play


def row_of(app, uid):
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        return build_rows([rec], 8)[0]


def read_stage_1(app, uid):
    with app.app_context():
        cur = app.extensions["curriculum"]
        for m in cur.stages[0].modules:
            db.session.add(ModuleCompletion(user_id=uid, module_slug=m.slug, content_version=m.version))
        db.session.commit()


def fail_quiz(app, uid, slug, times):
    with app.app_context():
        for n in range(1, times + 1):
            db.session.add(QuizAttempt(user_id=uid, quiz_slug=slug, number=n, allowed=times, state=GRADED, plan={},
                                       passed=False, percent=10.0, score=0, max_score=1,
                                       graded_at=datetime.now(timezone.utc)))
        db.session.commit()


def test_a_quiz_with_every_attempt_used_waits_on_the_head_not_the_trainee(app, make_user):
    mentor = make_user("mentor")
    uid = make_user("trainee", mentor=mentor)
    read_stage_1(app, uid)
    fail_quiz(app, uid, "basics", 2)
    row = row_of(app, uid)
    assert row.waits["head"] == {"quiz_attempt": 1}
    assert "trainee" not in row.waiting_on and "mentor" not in row.waiting_on


def test_a_quiz_with_an_attempt_left_waits_on_the_trainee(app, make_user):
    mentor = make_user("mentor")
    uid = make_user("trainee", mentor=mentor)
    read_stage_1(app, uid)
    fail_quiz(app, uid, "basics", 1)
    row = row_of(app, uid)
    assert "quiz_attempt" not in row.waits["head"] and row.waits["trainee"] == {"next_step": 1}


def test_a_role_play_ready_to_schedule_waits_on_the_mentor(app, make_user):
    mentor = make_user("mentor")
    uid = make_user("trainee", mentor=mentor)
    ready_for_role_play(app, uid)
    row = row_of(app, uid)
    assert row.role_play_ready and row.waits["mentor"].get("role_play_schedule") == 1


def test_a_role_play_not_ready_waits_on_nobody_for_it(app, make_user):
    mentor = make_user("mentor")
    uid = make_user("trainee", mentor=mentor)
    from .conftest import complete_stages_before

    complete_stages_before(app, uid, 3)
    row = row_of(app, uid)
    assert not row.role_play_ready and "role_play_schedule" not in row.waits["mentor"]
