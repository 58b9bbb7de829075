"""The stored readiness summary: each trainee's derived state as the path rules computed it (readiness.rows),
kept in `readiness_summaries` so the head's lists filter, sort, count and page in the database.

`refresh` is the one writer. onboarding.summaries calls it before every commit that changed a trainee's rows;
the lists call `refresh_stale` for summaries computed on another day or with other content (the forecast and
last week's figures move with the date); `flask --app app rebuild-summaries` recomputes them all.
"""
from collections.abc import Iterable
from datetime import timezone

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.models import TRAINEE, User
from .. import summaries
from ..content import curriculum
from ..extensions import db
from ..mentoring.models import SCHEDULED, RolePlayAttempt
from ..people.models import TraineeRecord
from ..timeutil import aware, today, utcnow
from . import tallies
from .models import APPROVED, ReadinessStageDays, ReadinessSummary
from ..path.progress import stage_durations
from .rows import build_rows

#: The stored columns' version: raised when a migration adds one or a rule reads its facts differently, so every
#: summary is recomputed once.
SHAPE = 8  # 8, 7: stage 1 is dated by the first signature that met it, not the latest version's; 6: 0027 (the ramp-up's days); 5: revision 0017 (the activity gate reads the seven criteria); 4: 0016 (the go / no-go gates stage 3)
#: Trainees computed per round: bounded memory and statement size, whatever the number of trainees.
BATCH = 500


def rules_version() -> str:
    """The content and settings the rules read: a summary computed with others is out of date."""
    config = current_app.config
    return (f"{SHAPE}:{curriculum().version}:{config['READINESS_MIN_WEEKS']}:{config['ROLE_PLAY_ATTEMPTS']}:"
            f"{config['ROLE_PLAY_EVALUATORS']}")[:100]


def columns(row, role_play_at) -> dict:
    """The stored columns of one computed row (readiness.rows.Row), with the copies of what the lists filter on."""
    p, record = row.progress, row.record
    behind = [s.planned_end for s in p.stages if s.state != "complete"]
    return {"listed": bool(record.user.active and record.user.role == TRAINEE), "status": record.status,
            "mentor_id": record.mentor_id, "start_date": record.start_date,
            "current_stage": p.current_stage, "progress_percent": p.percent,
            "behind_after": min(behind) if behind else None,
            "ready": row.ready, "gates_met": sum(1 for g in row.gates if g.met), "gates_total": len(row.gates),
            "forecast_basis": row.forecast.basis, "forecast_date": row.forecast.date,
            "role_play": "scheduled" if row.role_play == "due" else row.role_play, "role_play_at": role_play_at,
            "waits_trainee": sum(row.waits.get("trainee", {}).values()),
            "waits_mentor": sum(row.waits.get("mentor", {}).values()),
            "waits_head": sum(row.waits.get("head", {}).values()),
            "week_calls": row.week["calls"][0], "week_meetings": row.week["meetings"][0],
            "steps_done": p.steps_done, "steps_total": p.steps_total,
            "stage_end": p.stage(p.current_stage).planned_end if p.current_stage else None,
            "stage4_opened": row.stage4_opened, "overdue": p.overdue, "blocked": p.blocked,
            "waits": {who: what for who, what in row.waits.items() if who != "evaluators" and what},
            "week": {figure: list(pair) for figure, pair in row.week.items()},
            "inbox_mentor": inbox_items(row.waits.get("mentor", {})),
            "inbox_head": inbox_items(row.waits.get("head", {})),
            "ramp_days": ramp_days(row.decision, record.start_date)}


def ramp_days(decision, start_date) -> int | None:
    """Days from the start to the (UTC) day the head approved the trainee; None before an approval."""
    if decision is None or decision.decision != APPROVED:
        return None
    return (aware(decision.decided_at).astimezone(timezone.utc).date() - start_date).days


def inbox_items(what: dict) -> int:
    """How many inbox items these waits make (inbox.services lists them): one a thing, except ledger days, which
    are one item a trainee however many days wait."""
    return sum(count for key, count in what.items() if key != "ledger_days") + (1 if what.get("ledger_days") else 0)


#: The refresh's own statements, built once (see learning.services): `ids` is a list, expanded when they run.
_SCHEDULED_OF = sa.select(RolePlayAttempt.trainee_id, RolePlayAttempt.scheduled_for).where(
    RolePlayAttempt.trainee_id.in_(sa.bindparam("ids", expanding=True)), RolePlayAttempt.state == SCHEDULED)
# The records as the flushed rows say, their mentor (and account) included: a record loaded before its mentor_id
# was set keeps the mentor it was loaded with until expired, and who answers for the trainee is part of the summary.
_RECORDS_OF = (sa.select(TraineeRecord).where(TraineeRecord.user_id.in_(sa.bindparam("ids", expanding=True)))
               .execution_options(populate_existing=True))
# The summaries as stored, read again (not as this session last saw them) and locked until the commit where the
# database locks rows: the counts change by the difference from what is stored, and a second transaction refreshing
# the same trainee waits here, then reads what the first one wrote. (SQLite: the deletion of the days just before
# has made this transaction the one writer already.)
_STORED_OF = (sa.select(ReadinessSummary).where(ReadinessSummary.trainee_id.in_(sa.bindparam("ids", expanding=True)))
              .execution_options(populate_existing=True).with_for_update())
# (Days loaded in this session leave it with the delete: "fetch" reads the deleted keys back, with RETURNING where the
# database has it. The default's in-Python evaluation would read the ids the statement was built with: none.)
# The deleted days are read back as they go (RETURNING): the kept histogram of days per stage changes by the
# difference between them and the days written next.
_CLEAR_DAYS_OF = (sa.delete(ReadinessStageDays)
                  .where(ReadinessStageDays.trainee_id.in_(sa.bindparam("ids", expanding=True)))
                  .returning(ReadinessStageDays.trainee_id, ReadinessStageDays.stage, ReadinessStageDays.days)
                  .execution_options(synchronize_session="fetch"))


def _scheduled_at(session: Session, ids) -> dict:
    return dict(session.execute(_SCHEDULED_OF, {"ids": list(ids)}).all())


def _trainee_ids(session: Session) -> list:
    return list(session.scalars(sa.select(TraineeRecord.user_id).order_by(TraineeRecord.user_id)))


def refresh(session: Session, trainee_ids: Iterable[int] | None = None) -> int:
    """Recompute and store the summaries of these trainees (None: every trainee); returns how many were written.
    Runs inside the caller's transaction: the caller (or the commit it runs in) commits."""
    ids = _trainee_ids(session) if trainee_ids is None else sorted(set(trainee_ids))
    version, on, now = rules_version(), today(), utcnow()
    written, changes = 0, []
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        records = session.scalars(_RECORDS_OF, {"ids": chunk}).all()
        rows = build_rows(records, current_app.config["READINESS_MIN_WEEKS"], on)
        when = _scheduled_at(session, chunk)
        values_of = {row.record.user_id: columns(row, when.get(row.record.user_id)) for row in rows}
        took_before: dict = {}
        for uid, number, taken in session.execute(_CLEAR_DAYS_OF, {"ids": chunk}):
            took_before.setdefault(uid, []).append((number, taken))
        stored = {s.trainee_id: s for s in session.scalars(_STORED_OF, {"ids": chunk})}
        took = {row.record.user_id: stage_durations(row.progress, row.record.start_date) for row in rows}
        days = [{"trainee_id": uid, "stage": number, "days": taken, "listed": values_of[uid]["listed"]}
                for uid, durations in took.items() for number, taken in durations.items()]
        if days:
            session.execute(sa.insert(ReadinessStageDays), days)
        for row in rows:
            uid = row.record.user_id
            values = values_of[uid] | {"rules_version": version, "computed_on": on, "computed_at": now}
            summary = stored.get(uid)
            changes.append((tallies.counted(summary, took_before.get(uid, ())),
                            tallies.counted(values, took[uid].items())))
            if summary is None:
                session.add(ReadinessSummary(trainee_id=uid, revision=1, **values))
            else:
                for name, value in values.items():
                    setattr(summary, name, value)
                summary.revision = (summary.revision or 0) + 1
            written += 1
    tallies.change(session, changes)  # once, after every batch: each transaction writes the counts in one order
    return written


_REVISION = sa.select(ReadinessSummary.revision).where(ReadinessSummary.trainee_id == sa.bindparam("tid"))


def facts_revision(trainee_id: int) -> int | None:
    """The revision of the trainee's stored summary: it rises with every committed change to the trainee's facts
    (path.service keeps a computed path under it). None, so nothing kept is used, while this session holds
    changes of its own that are not committed yet, or before the trainee has a summary."""
    session = db.session
    if session.new or session.dirty or session.deleted or summaries.pending(session):
        return None
    return session.scalar(_REVISION, {"tid": trainee_id})


def stale_ids(session: Session, limit: int | None = None) -> list:
    """Trainees (active trainee accounts) whose summary is missing, from another day, or from other content."""
    query = (sa.select(TraineeRecord.user_id).join(User, User.id == TraineeRecord.user_id)
             .outerjoin(ReadinessSummary, ReadinessSummary.trainee_id == TraineeRecord.user_id)
             .where(User.role == TRAINEE, User.active.is_(True),
                    sa.or_(ReadinessSummary.trainee_id.is_(None), ReadinessSummary.computed_on != today(),
                           ReadinessSummary.rules_version != rules_version()))
             .order_by(TraineeRecord.user_id))
    return list(session.scalars(query.limit(limit) if limit else query))


def refresh_stale(session: Session) -> int:
    """Bring every out-of-date summary up to date and commit; returns how many were refreshed. The first read of
    a day recomputes what the date moved; `rebuild-summaries` run at night (cron) takes that off the first
    reader.

    Looking for stale summaries reads every trainee, so a worker does it once a day (and again when the content
    or the rules' settings change): from then on every change to a trainee's facts, name, role or active flag
    refreshes their summary in its own transaction (onboarding.summaries), so none can go stale before the date
    moves."""
    checked = (today(), rules_version())
    if current_app.extensions.get("summaries.checked") == checked:
        return 0
    ids, count = stale_ids(session), 0
    if ids:
        try:
            count = refresh(session, ids)
            session.commit()
        except IntegrityError:  # another request (another server) stored the same missing summaries first
            session.rollback()  # (found when the new rows are written: before the counts, or at the commit)
            return 0  # looked again by the next list: the winner's rows are then found current
    current_app.extensions["summaries.checked"] = checked
    return count
