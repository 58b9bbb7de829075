"""The lists' counts kept as data (readiness.tallies): the differences a changed summary makes, each counted field
alone; the counts the dashboard, the API list and the cohort read from them equal the counts of the summaries
themselves for every filter they serve, at the overdue boundary; a rebuild mends them; the migration fills them
from the summaries already stored."""
from datetime import date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding.extensions import db
from onboarding.people.models import STATUSES, TraineeRecord
from onboarding.readiness import tallies
from onboarding.readiness.cohort import cohort
from onboarding.readiness.dashboard import Filters, _counted, _kept_counts, _shape_and_values, dashboard
from onboarding.readiness.models import (APPROVED, BehindCount, DaysCount, MentorCount, RampCount,
                                         ReadinessDecision, ReadinessSummary, StageCount)
from onboarding.readiness.tallies import Counted, differences
from onboarding.timeutil import today

from .conftest import complete_stages_before

DAY = date(2026, 12, 10)
BASE = Counted(listed=True, status="in_training", current_stage=2, behind_after=DAY, ready=False, waits_head=0,
               mentor_id=7, waits_mentor=3, ramp_days=None, durations=((1, 12),))


def test_an_unchanged_summary_changes_no_count():
    assert differences([(BASE, BASE)]) == {}
    # a field the counts do not group by moves nothing else: three more items for the mentor, same groups
    assert differences([(BASE, BASE._replace(waits_mentor=6))]) == {(MentorCount, ("in_training", 7)): (0, 3)}


def test_a_new_stage_moves_the_trainee_between_the_stage_groups_and_their_behind_day():
    found = differences([(BASE, BASE._replace(current_stage=3))])
    assert found == {(StageCount, ("in_training", 2)): (-1, 0, 0), (StageCount, ("in_training", 3)): (1, 0, 0),
                     (BehindCount, ("in_training", 2, DAY)): (-1,), (BehindCount, ("in_training", 3, DAY)): (1,)}


@pytest.mark.parametrize("field, value, expected", [
    ("ready", True, {(StageCount, ("in_training", 2)): (0, 1, 0)}),
    ("waits_head", 1, {(StageCount, ("in_training", 2)): (0, 0, 1)}),  # one thing on the head: a decision due
    ("behind_after", DAY + timedelta(days=1), {(BehindCount, ("in_training", 2, DAY)): (-1,),
                                               (BehindCount, ("in_training", 2, DAY + timedelta(days=1))): (1,)}),
    ("mentor_id", None, {(MentorCount, ("in_training", 7)): (-1, -3), (MentorCount, ("in_training", 0)): (1, 3)}),
    ("ramp_days", 95, {(RampCount, (95,)): (1,)}),
    ("durations", ((1, 12), (2, 30)), {(DaysCount, (2, 30)): (1,)}),  # stage 2 done in 30 days; stage 1 as it was
    ("durations", ((1, 14),), {(DaysCount, (1, 12)): (-1,), (DaysCount, (1, 14)): (1,)}),  # its start moved
])
def test_each_counted_field_alone_moves_its_own_count(field, value, expected):
    assert differences([(BASE, BASE._replace(**{field: value}))]) == expected


def test_a_second_item_for_the_head_is_still_one_decision_waiting():
    assert differences([(BASE._replace(waits_head=1), BASE._replace(waits_head=2))]) == {}


def test_a_new_status_a_summary_unlisted_new_or_complete():
    status = differences([(BASE, BASE._replace(status="extended"))])
    assert status[(StageCount, ("in_training", 2))] == (-1, 0, 0)
    assert status[(StageCount, ("extended", 2))] == (1, 0, 0)
    assert status[(MentorCount, ("extended", 7))] == (1, 3)
    unlisted = differences([(BASE, BASE._replace(listed=False))])
    assert unlisted == {(StageCount, ("in_training", 2)): (-1, 0, 0), (BehindCount, ("in_training", 2, DAY)): (-1,),
                        (MentorCount, ("in_training", 7)): (-1, -3), (DaysCount, (1, 12)): (-1,)}
    assert differences([(None, BASE._replace(listed=False))]) == {}  # a summary never listed counts nowhere
    assert differences([(None, BASE)]) == {place: tuple(-n for n in adds) for place, adds in unlisted.items()}
    complete = differences([(None, BASE._replace(current_stage=None, behind_after=None, durations=()))])
    assert complete == {(StageCount, ("in_training", 0)): (1, 0, 0), (MentorCount, ("in_training", 7)): (1, 3)}


def test_two_trainees_changing_the_same_group_add_up_and_cancel_out():
    other = BASE._replace(mentor_id=8)
    found = differences([(BASE, BASE._replace(current_stage=3)), (other._replace(current_stage=3), other)])
    assert found == {}  # one left stage 2 for stage 3, the other came back: the groups hold what they held


def _stored(app):
    with app.app_context():
        return tallies.stored(db.session), tallies.counted_again(db.session)


def _company(app, make_user):
    """Trainees at every stage, behind plan and not, with and without a mentor, one off the lists, one approved
    and one withdrawn; returns their ids."""
    mentor = make_user("mentor", name="Marta Mentor")
    make_user("head", email="head@example.com")
    ids = {"new": make_user("trainee", mentor=mentor),
           "late": make_user("trainee", mentor=mentor, start=today() - timedelta(days=200)),
           "stage2": make_user("trainee", start=today() - timedelta(days=20)),
           "stage3": make_user("trainee", mentor=mentor, start=today() - timedelta(days=40)),
           "approved": make_user("trainee", mentor=mentor, start=today() - timedelta(days=200)),
           "withdrawn": make_user("trainee", start=today() - timedelta(days=90)),
           "inactive": make_user("trainee", mentor=mentor, start=today() - timedelta(days=200), active=False)}
    complete_stages_before(app, ids["stage2"], 2)
    complete_stages_before(app, ids["stage3"], 3)
    complete_stages_before(app, ids["approved"], 5)
    with app.app_context():
        for key, status in (("approved", "independent"), ("withdrawn", "withdrawn")):
            db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == ids[key])).status = status
        db.session.commit()
    return ids


def _shapes():
    for status in ("active", "all", *STATUSES):
        for stage in (None, 0, 1, 2, 3, 4):
            yield Filters(status=status, stage=stage)


def test_the_kept_counts_equal_the_summaries_counted_for_every_status_and_stage(app, make_user):
    _company(app, make_user)
    stored, again = _stored(app)
    assert stored == again and stored  # the other layer: what the database holds
    with app.app_context():
        seen = set()
        for filters in _shapes():
            shape, values = _shape_and_values(filters, None)
            kept = tuple(db.session.execute(_kept_counts(shape), values).one())
            counted = tuple(db.session.execute(_counted(shape), values).one())
            assert kept == counted, filters
            seen.add(kept)
        assert len(seen) > 4  # the filters select different trainees: equal counts are not all zeros
        assert dashboard(Filters())[1]["total"] == 4  # on the path and listed: new, late, stage 2, stage 3


def test_a_trainee_behind_plan_from_the_day_after_the_planned_end(app, make_user):
    """Overdue is `behind_after < today`: a trainee whose stage ends today is not late yet, the day after they
    are; the kept counts and the summaries agree on both."""
    make_user("head", email="head@example.com")
    probe = make_user("trainee")
    with app.app_context():
        offset = (db.session.get(ReadinessSummary, probe).behind_after - today()).days
    assert offset > 0
    on_time = make_user("trainee", start=today() - timedelta(days=offset))
    late = make_user("trainee", start=today() - timedelta(days=offset + 1))
    with app.app_context():
        behind = {uid: db.session.get(ReadinessSummary, uid).behind_after for uid in (on_time, late)}
        assert behind == {on_time: today(), late: today() - timedelta(days=1)}
        shape, values = _shape_and_values(Filters(), None)
        kept = db.session.execute(_kept_counts(shape), values).one()
        assert tuple(kept) == tuple(db.session.execute(_counted(shape), values).one())
        assert kept[1] == 1  # `late` alone
        assert dashboard(Filters())[1]["overdue"] == 1
        assert dashboard(Filters(overdue=True))[0].total == 1  # the filter counts the summaries themselves


def test_a_trainee_deactivated_leaves_the_kept_counts_in_the_same_transaction(app, make_user):
    ids = _company(app, make_user)
    with app.app_context():
        from onboarding.auth.models import User
        from onboarding.people.services import set_active

        admin = db.session.get(User, ids["late"])  # any actor: the audit names them
        set_active(db.session.get(User, ids["new"]), False, admin)
        db.session.commit()
        shape, values = _shape_and_values(Filters(), None)
        assert db.session.execute(_kept_counts(shape), values).one()[0] == 3
    stored, again = _stored(app)
    assert stored == again


def test_the_cohort_reads_the_kept_counts(app, make_user):
    ids = _company(app, make_user)
    with app.app_context():
        found = cohort(app.config["READINESS_MIN_WEEKS"])
    assert found["active"] == 4 and found["complete"] == 0
    assert found["per_stage"] == {1: 2, 2: 1, 3: 1, 4: 0}
    assert found["overdue"] >= 1  # `late`
    # the withdrawn, approved and inactive trainees are on no stage and in no load
    assert [(name, counts["trainees"]) for name, counts in found["mentor_load"]] == [("Marta Mentor", 3), (None, 1)]
    with app.app_context():
        waiting = db.session.scalar(sa.select(sa.func.sum(ReadinessSummary.waits_mentor)).where(
            ReadinessSummary.trainee_id.in_([ids["new"], ids["late"], ids["stage3"]])))
    assert found["mentor_load"][0][1]["waiting"] == waiting


@pytest.mark.parametrize("hour, minute, days", [(0, 0, 30), (23, 59, 30)])
def test_a_ramp_up_counts_the_whole_days_to_the_utc_day_of_the_approval(app, make_user, hour, minute, days):
    """The cohort groups the ramp-ups by their days in SQL: an approval at the first or the last minute of a UTC
    day counts that day, on SQLite and PostgreSQL alike."""
    start = today() - timedelta(days=60)
    trainee = make_user("trainee", start=start)
    with app.app_context():
        db.session.add(ReadinessDecision(trainee_id=trainee, decision=APPROVED, note="Ready.",
                                         decided_at=datetime.combine(start + timedelta(days=days), time(hour, minute),
                                                                     tzinfo=timezone.utc)))
        db.session.commit()
        ramp = cohort(app.config["READINESS_MIN_WEEKS"])["ramp"]
    assert (ramp.n, ramp.least, ramp.most) == (1, days, days)


def test_rebuild_summaries_mends_a_count_written_by_hand(app, make_user, runner):
    _company(app, make_user)
    with app.app_context():
        db.session.execute(sa.update(StageCount).values(trainees=StageCount.trainees + 5))
        db.session.execute(sa.delete(MentorCount))
        db.session.commit()
    stored, again = _stored(app)
    assert stored != again
    checked = runner.invoke(args=["rebuild-summaries", "--check"])
    assert checked.exit_code == 1
    assert "readiness_stage_counts (status in_training, stage 1): stored trainees 7, ready 0, decisions 0, " \
           "counted trainees 2, ready 0, decisions 0" in checked.output
    assert "readiness_mentor_counts (status in_training, mentor 0): stored trainees 0, waiting 0, " \
           "counted trainees 1, waiting 0" in checked.output
    assert "rebuild-summaries` counts them again" in checked.output
    assert _stored(app) == (stored, again)  # the check wrote nothing
    result = runner.invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0, result.output
    stored, again = _stored(app)
    assert stored == again
    checked = runner.invoke(args=["rebuild-summaries", "--check"])
    assert checked.exit_code == 0 and "agree" in checked.output


BEFORE_COUNTS = "9c2f6a1e3d57"  # 0025, the revision before the kept counts


def test_the_migration_counts_the_summaries_already_stored(app, make_user):
    """Upgraded from the revision before, a database with summaries has the counts they give (on the database
    this pass runs on: the migration's grouped inserts are plain SQL on both); the ramp-ups, a new column of the
    summaries, are counted as the summaries are computed again with the new shape."""
    from onboarding.readiness.summary import refresh_stale
    from onboarding.schema import downgrade, upgrade

    ids = _company(app, make_user)
    with app.app_context():
        db.session.add(ReadinessDecision(trainee_id=ids["approved"], decision=APPROVED, note="Ready.",
                                         decided_at=datetime.now(timezone.utc) - timedelta(days=2)))
        db.session.commit()
        expected = tallies.counted_again(db.session)
        assert (RampCount, (198,)) in expected  # started 200 days ago, approved 2 days ago
        db.session.rollback()  # the reads' locks released: the migrations alter these tables
        downgrade(revision=BEFORE_COUNTS)
        assert "readiness_stage_counts" not in sa.inspect(db.engine).get_table_names()
        db.session.execute(sa.text("UPDATE readiness_summaries SET rules_version = 'the shape before'"))
        db.session.commit()
        upgrade()
        upgraded = tallies.stored(db.session)
        assert upgraded == tallies.counted_again(db.session)
        assert upgraded == {place: adds for place, adds in expected.items() if place[0] is not RampCount}
        app.extensions.pop("summaries.checked", None)
        assert refresh_stale(db.session) == 6  # the active trainee accounts (not `inactive`)
        assert tallies.stored(db.session) == expected
        db.session.remove()
