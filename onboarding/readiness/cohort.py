"""The cohort view: where the whole intake stands, how long each stage really takes against the plan,
how long approved trainees took to ramp up, and how many trainees each mentor carries."""
from bisect import bisect_right
from dataclasses import dataclass
from statistics import median

import sqlalchemy as sa

from sqlalchemy.orm import aliased

from ..auth.models import User
from ..content import curriculum
from ..extensions import db
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
    """The spread of a sample given as (value, how many times) pairs: the same as `spread` of the sample written
    out, read from the counts (a stage ten thousand trainees completed is a few dozen distinct day counts)."""
    pairs = sorted((value, times) for value, times in histogram if times > 0)
    if not pairs:
        return Spread(0)
    values, ends, total = [], [], 0
    for value, times in pairs:
        total += times
        values.append(value)
        ends.append(total)  # the values at sorted positions below `total` are this one or smaller

    def at(k):  # the value at position k of the sorted sample
        return values[bisect_right(ends, k)]

    def middle(first, count):  # the median of `count` sorted values from position `first`
        mid = first + count // 2
        return float(at(mid)) if count % 2 else (at(mid - 1) + at(mid)) / 2

    half = total // 2
    lower, upper = (0, half) if half else (0, total), (total - half, half) if half else (0, total)
    return Spread(total, middle(0, total), middle(*lower), middle(*upper), values[0], values[-1])


def busiest(mentor_load: list, count: int) -> tuple[list, int]:
    """(the `count` busiest mentors of the cohort's mentor load, then the trainees nobody mentors; how many mentors
    are left out). A company of two hundred mentors sees its busiest ones (a bar each would make a chart metres
    long); the mentors' page lists every one."""
    named = [(name, load) for name, load in mentor_load if name is not None]
    return named[:count] + [(name, load) for name, load in mentor_load if name is None], max(len(named) - count, 0)


_built: dict = {}


def _statements() -> dict:
    """The cohort's four statements, built once per process (building them cost about as much as running them on
    a thousand trainees); the date is their one bound value. Each reads the stored summaries' own copies of
    whether the trainee is listed (an active trainee account), their status, mentor and start date (and the days
    per stage their own copy of `listed`): no join to the records or the accounts but for the mentors' names."""
    if not _built:
        mentor, S, D = aliased(User), ReadinessSummary, ReadinessStageDays
        listed = S.listed.is_(True)  # every trainee with an account
        active = sa.and_(listed, S.status.in_(ACTIVE_STATUSES))  # ... still on the path
        behind = sa.func.sum(sa.case((S.behind_after < sa.bindparam("today"), 1), else_=0))
        loads = (sa.select(S.mentor_id, sa.func.count().label("trainees"), sa.func.sum(S.waits_mentor).label("waiting"))
                 .where(active).group_by(S.mentor_id).subquery())  # counted first, then the mentors' names
        _built.update(
            stages=sa.select(S.current_stage, sa.func.count(), behind).where(active).group_by(S.current_stage),
            # the days' own copy of `listed`: one covering index, in the order it groups by
            days=sa.select(D.stage, D.days, sa.func.count()).where(D.listed.is_(True)).group_by(D.stage, D.days),
            ramps=sa.select(ReadinessDecision.decided_at, S.start_date)
            .join(S, S.trainee_id == ReadinessDecision.trainee_id)
            .where(listed, ReadinessDecision.decision == APPROVED),
            load=sa.select(loads.c.mentor_id, mentor.full_name, loads.c.trainees, loads.c.waiting)
            .select_from(loads).outerjoin(mentor, mentor.id == loads.c.mentor_id))
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
    # one entry per mentor, by id: two mentors of the same name are two rows, not one with the other's count
    load = [(mentor_id, name, {"trainees": count, "waiting": int(waiting or 0)})
            for mentor_id, name, count, waiting in db.session.execute(statements["load"])]
    return {
        "active": sum(per_stage.values()) + complete, "complete": complete, "per_stage": per_stage,
        "stages": [(s, _spread_of(histogram[s.number])) for s in cur.stages],
        "ramp": spread(ramps),
        "mentor_load": [(name, counts) for mentor_id, name, counts in sorted(
            load, key=lambda item: (item[0] is None, -item[2]["trainees"], item[1] or "", item[0] or 0))],
        "overdue": overdue,
    }
