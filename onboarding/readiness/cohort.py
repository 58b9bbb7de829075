"""The cohort view: where the whole intake stands, how long each stage really takes against the plan,
how long approved trainees took to ramp up, and how many trainees each mentor carries."""
from dataclasses import dataclass
from statistics import median

import sqlalchemy as sa

from sqlalchemy.orm import aliased

from ..auth.models import TRAINEE, User
from ..content import curriculum
from ..extensions import db
from ..people.models import TraineeRecord
from ..timeutil import aware, today
from .models import APPROVED, ReadinessDecision, ReadinessStageDays, ReadinessSummary
from .rows import ACTIVE_STATUSES
from .summary import refresh_stale


@dataclass(frozen=True)
class Spread:
    """A sample of days: how many, the median and the middle half (first to third quartile), the extremes."""

    n: int
    median: float | None = None
    low: float | None = None  # first quartile
    high: float | None = None  # third quartile
    least: int | None = None
    most: int | None = None


def spread(values) -> Spread:
    values = sorted(values)
    if not values:
        return Spread(0)
    half = len(values) // 2
    lower, upper = values[:half] or values, values[-half:] if half else values
    return Spread(len(values), float(median(values)), float(median(lower)), float(median(upper)),
                  values[0], values[-1])


def _spread_of(histogram) -> Spread:
    """The spread of a sample given as (value, how many times) pairs."""
    return spread([value for value, times in histogram for _ in range(times)])


_built: dict = {}


def _statements() -> dict:
    """The cohort's four statements, built once per process (building them cost about as much as running them on
    a thousand trainees); the date is their one bound value."""
    if not _built:
        trainee, mentor = aliased(User), aliased(User)
        S, R = ReadinessSummary, TraineeRecord
        in_training = sa.and_(trainee.active.is_(True), trainee.role == TRAINEE)  # every trainee with an account
        active = sa.and_(in_training, R.status.in_(ACTIVE_STATUSES))  # ... still on the path

        def of_trainees(query, key, condition=in_training):
            """`query` joined to the trainee's record and account on `key` (a trainee id), kept to `condition`:
            joins, not `IN (every trainee)`, so the database may start from the smaller side."""
            return query.join(R, R.user_id == key).join(trainee, trainee.id == R.user_id).where(condition)

        behind = sa.func.sum(sa.case((S.behind_after < sa.bindparam("today"), 1), else_=0))
        _built.update(
            stages=of_trainees(sa.select(S.current_stage, sa.func.count(), behind), S.trainee_id, active)
            .group_by(S.current_stage),
            days=of_trainees(sa.select(ReadinessStageDays.stage, ReadinessStageDays.days, sa.func.count()),
                             ReadinessStageDays.trainee_id).group_by(ReadinessStageDays.stage, ReadinessStageDays.days),
            ramps=of_trainees(sa.select(ReadinessDecision.decided_at, R.start_date), ReadinessDecision.trainee_id)
            .where(ReadinessDecision.decision == APPROVED),
            load=of_trainees(sa.select(mentor.id, mentor.full_name, sa.func.count(), sa.func.sum(S.waits_mentor)),
                             S.trainee_id, active)
            .outerjoin(mentor, mentor.id == R.mentor_id).group_by(mentor.id, mentor.full_name))
    return _built


def cohort(min_weeks: int) -> dict:
    """Counts, durations and loads in grouped queries on the stored summaries, whatever the number of trainees.
    (`min_weeks` is the rules' setting the summaries were computed with; see readiness.summary.rules_version.)"""
    refresh_stale(db.session)
    cur = curriculum()
    statements = _statements()
    per_stage = {s.number: 0 for s in cur.stages}
    complete = overdue = 0
    for stage, count, behind in db.session.execute(statements["stages"], {"today": today()}):
        overdue += int(behind or 0)
        if stage is None:
            complete += count
        elif stage in per_stage:
            per_stage[stage] += count
    histogram = {s.number: [] for s in cur.stages}
    for stage, days, count in db.session.execute(statements["days"]):
        histogram.setdefault(stage, []).append((days, count))
    ramps = [(aware(at).date() - start).days for at, start in db.session.execute(statements["ramps"])]
    load = {name: {"trainees": count, "waiting": int(waiting or 0)}
            for _id, name, count, waiting in db.session.execute(statements["load"])}
    return {
        "active": sum(per_stage.values()) + complete, "complete": complete, "per_stage": per_stage,
        "stages": [(s, _spread_of(histogram[s.number])) for s in cur.stages],
        "ramp": spread(ramps),
        "mentor_load": sorted(load.items(), key=lambda item: (item[0] is None, -item[1]["trainees"], item[0] or "")),
        "overdue": overdue,
    }
