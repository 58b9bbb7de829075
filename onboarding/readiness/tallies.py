"""The lists' counts kept as data (readiness.models: StageCount, BehindCount, MentorCount).

`refresh` (readiness.summary), the summaries' one writer, hands over each summary it writes as it was stored and as
it is now; `change` turns those pairs into the differences of the counts and writes them, in the same transaction,
as one upsert a counted group (`count = count + difference`), in the order of their keys so that two transactions
never wait on each other in a circle. Only a change of what is counted touches a count: a day logged, a module
read, a quiz passed leave the trainee where they were counted, and write nothing here. `recount` counts everything
again from the summaries (`flask rebuild-summaries`).

The lists read these tables when what they filter on is counted here (the status and the stage): the head's
dashboard unfiltered or by stage or status, the cohort (with its histograms of the days each stage took and of
the days to approval), the API list. A list filtered by mentor, name, overdue or
waiting counts its (smaller) share of the summaries through their index, as before.
"""
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import (BehindCount, DaysCount, MentorCount, RampCount, ReadinessStageDays, ReadinessSummary,
                     StageCount)


class Counted(NamedTuple):
    """What of a summary, and of the days per stage stored beside it, the counts read."""

    listed: bool
    status: str | None
    current_stage: int | None
    behind_after: date | None
    ready: bool
    waits_head: int
    mentor_id: int | None
    waits_mentor: int
    ramp_days: int | None
    durations: tuple = ()  # ((stage, days it took), ...) for each stage completed, in stage order


FIELDS = Counted._fields[:-1]  # the summary's own columns


def counted(summary, durations: Iterable = ()) -> Counted | None:
    """What of a stored summary (or its columns as a dict) and its days per stage is counted; None for none yet."""
    if summary is None:
        return None
    if isinstance(summary, dict):
        return Counted(*(summary[name] for name in FIELDS), tuple(sorted(durations)))
    return Counted(*(getattr(summary, name) for name in FIELDS), tuple(sorted(durations)))


def shares(what: Counted | None) -> dict:
    """The counts a summary adds to: {(table, key): increments}, the increments in the table's own order
    (_ADDS). A summary not listed adds to none."""
    if what is None or not what.listed:
        return {}
    status, stage = what.status or "", what.current_stage or 0
    found = {(StageCount, (status, stage)): (1, int(bool(what.ready)), int((what.waits_head or 0) > 0)),
             (MentorCount, (status, what.mentor_id or 0)): (1, what.waits_mentor or 0)}
    if what.behind_after is not None:
        found[(BehindCount, (status, stage, what.behind_after))] = (1,)
    if what.ramp_days is not None:
        found[(RampCount, (what.ramp_days,))] = (1,)
    for number, taken in what.durations:
        found[(DaysCount, (number, taken))] = (1,)
    return found


def differences(pairs: Iterable[tuple[Counted | None, Counted | None]]) -> dict:
    """The counts' differences for summaries changed from `before` to `after` ({(table, key): increments}); the
    groups whose counts do not change are left out."""
    total: dict = defaultdict(lambda: None)
    for before, after in pairs:
        if before == after:
            continue
        for sign, what in ((-1, before), (1, after)):
            for place, adds in shares(what).items():
                now = total[place]
                total[place] = tuple(sign * a for a in adds) if now is None else tuple(
                    n + sign * a for n, a in zip(now, adds))
    return {place: adds for place, adds in total.items() if any(adds)}


_KEYS = {StageCount: ("status", "stage"), BehindCount: ("status", "stage", "behind_after"),
         MentorCount: ("status", "mentor"), DaysCount: ("stage", "days"), RampCount: ("days",)}
_ADDS = {StageCount: ("trainees", "ready", "decisions"), BehindCount: ("trainees",),
         MentorCount: ("trainees", "waiting"), DaysCount: ("trainees",), RampCount: ("trainees",)}
_ORDER = (StageCount, BehindCount, MentorCount, DaysCount, RampCount)  # the tables in the order every transaction writes them
_UPSERTS: dict = {}


def _upsert(dialect: str, model):
    """INSERT ... ON CONFLICT (key) DO UPDATE SET count = count + the new row's: one statement a group, safe
    when two transactions add the group's first row at once (the second adds to the first's)."""
    built = _UPSERTS.get((dialect, model))
    if built is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        table = model.__table__
        statement = insert(table)
        built = _UPSERTS[(dialect, model)] = statement.on_conflict_do_update(
            index_elements=list(_KEYS[model]),
            set_={name: table.c[name] + statement.excluded[name] for name in _ADDS[model]})
    return built


def change(session: Session, pairs: Iterable[tuple[Counted | None, Counted | None]]) -> int:
    """Write the counts' differences for these (before, after) pairs; returns how many groups changed."""
    found = differences(pairs)
    if not found:
        return 0
    dialect = session.get_bind().dialect.name
    for model in _ORDER:
        keys, adds = _KEYS[model], _ADDS[model]
        rows = [dict(zip(keys, key)) | dict(zip(adds, increments))
                for (table, key), increments in sorted(((p, a) for p, a in found.items() if p[0] is model),
                                                       key=lambda item: item[0][1])]
        if rows:
            session.execute(_upsert(dialect, model), rows)
    return len(found)


def recount(session: Session) -> None:
    """Count every group again from the stored summaries (after a rebuild, or to mend a count written by hand)."""
    S = ReadinessSummary
    listed, stage = S.listed.is_(True), sa.func.coalesce(S.current_stage, 0)
    status = sa.func.coalesce(S.status, "")
    for model in _ORDER:
        session.execute(sa.delete(model))
    session.execute(sa.insert(StageCount).from_select(
        ["status", "stage", "trainees", "ready", "decisions"],
        sa.select(status, stage, sa.func.count(), sa.func.sum(sa.case((S.ready.is_(True), 1), else_=0)),
                  sa.func.sum(sa.case((S.waits_head > 0, 1), else_=0)))
        .where(listed).group_by(status, stage)))
    session.execute(sa.insert(BehindCount).from_select(
        ["status", "stage", "behind_after", "trainees"],
        sa.select(status, stage, S.behind_after, sa.func.count())
        .where(listed, S.behind_after.is_not(None)).group_by(status, stage, S.behind_after)))
    mentor = sa.func.coalesce(S.mentor_id, 0)
    session.execute(sa.insert(MentorCount).from_select(
        ["status", "mentor", "trainees", "waiting"],
        sa.select(status, mentor, sa.func.count(), sa.func.coalesce(sa.func.sum(S.waits_mentor), 0))
        .where(listed).group_by(status, mentor)))
    D = ReadinessStageDays  # the days' own copy of `listed`
    session.execute(sa.insert(DaysCount).from_select(
        ["stage", "days", "trainees"],
        sa.select(D.stage, D.days, sa.func.count()).where(D.listed.is_(True)).group_by(D.stage, D.days)))
    session.execute(sa.insert(RampCount).from_select(
        ["days", "trainees"],
        sa.select(S.ramp_days, sa.func.count()).where(listed, S.ramp_days.is_not(None)).group_by(S.ramp_days)))


def counted_again(session: Session) -> dict:
    """Every group's counts as the summaries give them now, in the shape `stored` reads (for checks and tests):
    each listed summary's shares added up, as `differences` adds a new summary's."""
    S, D = ReadinessSummary, ReadinessStageDays
    took: dict = defaultdict(list)
    for uid, number, taken in session.execute(sa.select(D.trainee_id, D.stage, D.days)):
        took[uid].append((number, taken))
    return differences((None, Counted(*row, tuple(sorted(took[uid])))) for uid, *row in session.execute(
        sa.select(S.trainee_id, *(getattr(S, name) for name in FIELDS)).where(S.listed.is_(True))))


def stored(session: Session) -> dict:
    """Every group's stored counts ({(table, key): counts}), the groups counted down to nothing left out."""
    found = {}
    for model in _ORDER:
        keys, adds = _KEYS[model], _ADDS[model]
        table = model.__table__
        for row in session.execute(sa.select(*(table.c[k] for k in keys), *(table.c[a] for a in adds))):
            values = tuple(row[len(keys):])
            if any(values):
                found[(model, tuple(row[:len(keys)]))] = values
    return found


def mismatches(session: Session) -> list[str]:
    """Each group whose stored counts differ from the summaries counted now, in words (table, key, stored,
    counted), in table and key order; [] when they agree. Reads only."""
    kept, again = stored(session), counted_again(session)
    lines = []
    for model in _ORDER:
        places = sorted(key for table, key in {*kept, *again} if table is model)
        for key in places:
            have, want = kept.get((model, key)), again.get((model, key))
            if have != want:
                names = ", ".join(f"{name} {value}" for name, value in zip(_KEYS[model], key))
                lines.append(f"{model.__tablename__} ({names}): stored {_counts(model, have)}, "
                             f"counted {_counts(model, want)}")
    return lines


def _counts(model, values) -> str:
    return ", ".join(f"{name} {value}" for name, value in zip(_ADDS[model], values or (0,) * len(_ADDS[model])))
