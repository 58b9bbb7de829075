"""The benchmarks' filler (benchmarks/dashboard.py's `fill`, benchmarks/serve.py's database): trainees spread over
the four stages as their histories say, and a mentor's grading inbox with work in it. A filler that left everyone
short of a stage would measure pages nobody sees."""
import sys
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import serve  # noqa: E402


def test_the_filled_trainees_stand_in_each_stage_and_the_mentors_inbox_has_attempts_waiting(database_url, tmp_path):
    from onboarding import create_app
    from onboarding.assessment.models import AWAITING, QuizAttempt
    from onboarding.extensions import db
    from onboarding.readiness.models import ReadinessStageDays, ReadinessSummary

    setup = serve.build_database(database_url, 8)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        stages = Counter(db.session.scalars(sa.select(ReadinessSummary.current_stage)))
        waiting = db.session.scalar(sa.select(sa.func.count(QuizAttempt.id)).where(QuizAttempt.state == AWAITING))
        took = {(stage, days) for stage, days in db.session.execute(sa.select(ReadinessStageDays.stage,
                                                                              ReadinessStageDays.days))}
        planned = {s.number: s.planned_days for s in app.extensions["curriculum"].stages}
        db.engine.dispose()
    # trainee i in stage i % 4 + 1, and the benchmark's quiz taker in stage 1
    assert stages == {1: 3, 2: 2, 3: 2, 4: 2}, stages
    assert waiting == 2  # the written test of each stage-3 trainee
    # each stage before the current one finished the day before its planned end: the first a day early, the others
    # in their planned days, as a real team's cohort reads (not every stage on the day of the fill)
    assert took == {(1, planned[1] - 1), (2, planned[2]), (3, planned[3])}, took
    assert setup["attempt"] and setup["module"] and setup["token"]
