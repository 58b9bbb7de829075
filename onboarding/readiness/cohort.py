"""The cohort view: where the whole intake stands, how long each stage really takes against the plan,
how long approved trainees took to ramp up, and how many trainees each mentor carries."""
from bisect import bisect_right
from dataclasses import dataclass
from statistics import median

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..content import curriculum
from ..extensions import db, one_of
from ..timeutil import today
from .models import BehindCount, DaysCount, MentorCount, RampCount, StageCount
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
EVERY = 2 ** 31 - 1  # the load's limit when every mentor is wanted


def _statements() -> dict:
    """The cohort's four statements, built once per process (building them cost about as much as running them on
    a thousand trainees); the date is their one bound value. Each reads the lists' counts kept as data
    (readiness.tallies): per stage, behind plan, per mentor, and the histograms of the days each stage took and of
    the days to approval: a few rows each, whatever the number of trainees."""
    if not _built:
        mentor = aliased(User)
        C, B, M, D, R = StageCount, BehindCount, MentorCount, DaysCount, RampCount
        behind = (sa.select(sa.func.coalesce(sa.func.sum(B.trainees), 0))
                  .where(one_of(B.status, ACTIVE_STATUSES), B.stage == C.stage, B.behind_after < sa.bindparam("today"))
                  .correlate(C).scalar_subquery())
        loads = (sa.select(M.mentor, sa.func.sum(M.trainees).label("trainees"), sa.func.sum(M.waiting).label("waiting"))
                 .where(one_of(M.status, ACTIVE_STATUSES)).group_by(M.mentor)
                 .having(sa.func.sum(M.trainees) > 0).subquery())  # counted first, then the mentors' names
        _built.update(
            stages=sa.select(C.stage, sa.func.sum(C.trainees), behind).where(one_of(C.status, ACTIVE_STATUSES))
            .group_by(C.stage),
            days=sa.select(D.stage, D.days, D.trainees).where(D.trainees > 0),
            ramps=sa.select(R.days, R.trainees).where(R.trainees > 0),
            # busiest first, as `busiest` orders them, the trainees nobody mentors first of all (always shown); with
            # the number of groups before the limit: the chart needs the busiest few of a company's two hundred
            load=sa.select(loads.c.mentor, mentor.full_name, loads.c.trainees, loads.c.waiting,
                           sa.func.count().over())
            .select_from(loads).outerjoin(mentor, mentor.id == loads.c.mentor)
            .order_by(sa.case((loads.c.mentor == 0, 0), else_=1), loads.c.trainees.desc(), mentor.full_name,
                      loads.c.mentor)
            .limit(sa.bindparam("shown")))
    return _built


def cohort(min_weeks: int, mentors_shown: int | None = None) -> dict:
    """Counts, durations and loads read from the counts kept as data, whatever the number of trainees; with
    `mentors_shown`, the mentor load holds that many of the busiest mentors (and the trainees nobody mentors) and
    `mentors_left` says how many are left out, as `busiest` would. (`min_weeks` is the rules' setting the summaries
    were computed with; see readiness.summary.rules_version.)"""
    refresh_stale(db.session)
    cur = curriculum()
    statements = _statements()
    per_stage = {s.number: 0 for s in cur.stages}
    complete = overdue = 0
    for stage, count, behind in db.session.execute(statements["stages"], {"today": today()}):
        overdue += int(behind or 0)
        if stage == 0:  # every stage complete
            complete += int(count)
        elif stage in per_stage:
            per_stage[stage] += int(count)
    histogram = {s.number: [] for s in cur.stages}
    for stage, days, count in db.session.execute(statements["days"]):
        histogram.setdefault(stage, []).append((days, count))
    ramps = db.session.execute(statements["ramps"]).all()
    # one entry per mentor, by id (0: none): two mentors of the same name are two rows, not one with the other's count
    found = db.session.execute(statements["load"], {"shown": EVERY if mentors_shown is None else mentors_shown + 1}).all()
    load = [(mentor_id or None, name, {"trainees": int(count), "waiting": int(waiting or 0)})
            for mentor_id, name, count, waiting, _groups in found]
    load.sort(key=lambda item: (item[0] is None, -item[2]["trainees"], item[1] or "", item[0] or 0))
    mentor_load, left = [(name, counts) for _mentor_id, name, counts in load], 0
    if mentors_shown is not None:
        mentor_load, _left = busiest(mentor_load, mentors_shown)
        # the groups counted before the limit, but for the trainees nobody mentors (ordered first: read if any)
        named = found[0][4] - sum(1 for item in load if item[0] is None) if found else 0
        left = max(named - mentors_shown, 0)
    return {
        "active": sum(per_stage.values()) + complete, "complete": complete, "per_stage": per_stage,
        "stages": [(s, _spread_of(histogram[s.number])) for s in cur.stages],
        "ramp": _spread_of(ramps),
        "mentor_load": mentor_load,
        "mentors_left": left,
        "overdue": overdue,
    }
