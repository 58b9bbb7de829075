"""The cohort view: where the whole intake stands, how long each stage really takes against the plan,
how long approved trainees took to ramp up, and how many trainees each mentor carries."""
from dataclasses import dataclass
from statistics import median

import sqlalchemy as sa

from ..content import curriculum
from ..extensions import db
from .dashboard import Filters, _records
from .rows import ACTIVE_STATUSES, build_rows
from .models import APPROVED, ReadinessDecision


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


def stage_durations(progress, start_date) -> dict:
    """{stage number: days it took} for each completed stage: from the previous stage's completion
    (or the start) to its own."""
    result, begin = {}, start_date
    for s in progress.stages:
        if s.completed_on is None:
            break
        result[s.number] = max((s.completed_on - begin).days, 0)
        begin = s.completed_on
    return result


def cohort(min_weeks: int) -> dict:
    records = _records(Filters(status="all"), None)
    rows = build_rows(records, min_weeks)
    cur = curriculum()
    active = [r for r in rows if r.record.status in ACTIVE_STATUSES]
    per_stage = {s.number: 0 for s in cur.stages}
    complete = 0
    for r in active:
        if r.progress.current_stage is None:
            complete += 1
        else:
            per_stage[r.progress.current_stage] += 1
    durations = {s.number: [] for s in cur.stages}
    for r in rows:
        for number, days in stage_durations(r.progress, r.record.start_date).items():
            durations[number].append(days)
    starts = {r.record.user_id: r.record.start_date for r in rows}
    approved = db.session.execute(sa.select(ReadinessDecision.trainee_id, ReadinessDecision.decided_at)
                                  .where(ReadinessDecision.decision == APPROVED)).all()
    ramps = [(at.date() - starts[uid]).days for uid, at in approved if uid in starts]
    load = {}
    for r in active:
        name = r.record.mentor.full_name if r.record.mentor else None
        entry = load.setdefault(name, {"trainees": 0, "waiting": 0})
        entry["trainees"] += 1
        entry["waiting"] += sum(r.waits.get("mentor", {}).values())
    return {
        "active": len(active), "complete": complete, "per_stage": per_stage,
        "stages": [(s, spread(durations[s.number])) for s in cur.stages],
        "ramp": spread(ramps),
        "mentor_load": sorted(load.items(), key=lambda item: (item[0] is None, -item[1]["trainees"], item[0] or "")),
        "overdue": sum(r.progress.overdue for r in active),
    }
