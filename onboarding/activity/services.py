"""Activity actions: the ledger, the teams' targets, supervision notes.

Every change records an audit event and tells the person who acts next; the view commits.
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..auth.models import User
from ..extensions import db
from ..i18n import fmt_date
from ..notifications.services import notify
from ..paging import MAX_ID, bounded_int
from ..people.models import TraineeRecord
from ..people.services import lock_trainee
from ..timeutil import today, utcnow
from . import rules
from .models import FIGURES, ActivityEntry, ActivityTarget, SupervisionNote, Team


class ActivityError(ValueError):
    """An action the rules refuse; the message is for the person who tried."""


# ---------------------------------------------------------------- the ledger

def _targets_row(team_id: int | None) -> ActivityTarget | None:
    """The targets that apply to a team: its own row, else the default row; None: the built-in defaults."""
    rows = {t.team_id: t for t in db.session.scalars(sa.select(ActivityTarget).where(
        sa.or_(ActivityTarget.team_id == team_id, ActivityTarget.team_id.is_(None))))}
    return rows.get(team_id) or rows.get(None)


def targets_and_segment(team_id: int | None) -> tuple:
    """(targets, segment) of a team from one read: see targets_for and segment_for."""
    chosen = _targets_row(team_id)
    if chosen is None:
        return dict(rules.DEFAULT_TARGETS), rules.DEFAULT_SEGMENT
    return {f: getattr(chosen, f) for f in FIGURES}, chosen.segment


def targets_for(team_id: int | None) -> dict:
    """The targets of a team (per week; events per month, rules.MONTHLY), else the default ones, else the
    built-in defaults (rules.DEFAULT_TARGETS)."""
    return targets_and_segment(team_id)[0]


def segment_for(team_id: int | None) -> str:
    """The segment a team sells in (rules.SEGMENTS), as its targets say; else the default's, else B2B."""
    return targets_and_segment(team_id)[1]


def set_targets(team_id: int | None, figures: dict, head: User, segment: str | None = None) -> ActivityTarget:
    """A team's targets (team_id None: the default) and segment. A figure absent from `figures` (or None) keeps
    the target that applies now, and a segment of None the segment; each given figure is a whole number from 0
    to 10,000, the segment one of rules.SEGMENTS."""
    target = db.session.scalar(sa.select(ActivityTarget).where(
        ActivityTarget.team_id.is_(None) if team_id is None else ActivityTarget.team_id == team_id))
    current, current_segment = targets_and_segment(team_id)
    figures = {f: current[f] if figures.get(f) is None else figures[f] for f in FIGURES}
    if any(not isinstance(v, int) or not 0 <= v <= 10000 for v in figures.values()):
        raise ActivityError(_l("Enter a whole number from 0 to 10,000."))
    segment = current_segment if segment is None else segment
    if segment not in rules.SEGMENTS:
        raise ActivityError(_l("Choose the team’s segment."))
    if target is None:
        target = ActivityTarget(team_id=team_id)
        db.session.add(target)
    before = {**current, "segment": current_segment}
    for f in FIGURES:
        setattr(target, f, figures[f])
    target.segment = segment
    target.updated_by, target.updated_at = head.id, utcnow()
    db.session.flush()
    record("targets_set", target, actor=head, team=team_id, before=before, after={**figures, "segment": segment})
    return target


def add_team(name: str, head: User) -> Team:
    name = " ".join(name.split())
    if db.session.scalar(sa.select(Team.id).where(sa.func.lower(Team.name) == name.lower())):
        raise ActivityError(_l("A team with this name exists already."))
    team = Team(name=name)
    db.session.add(team)
    record("team_added", team, actor=head, name=name)
    return team


def start_of(trainee_id: int) -> date | None:
    return db.session.scalar(sa.select(TraineeRecord.start_date).where(TraineeRecord.user_id == trainee_id))


def _check_ledger_day(trainee_id: int, day: date) -> None:
    """Ledger days lie from the trainee's start date to today (rules.ledger_day_refusal)."""
    start, now = start_of(trainee_id), today()
    refusal = rules.ledger_day_refusal(day, start or day, now)
    if refusal == rules.NOT_STARTED:
        raise ActivityError(_l("The ledger opens on the start date, %(start)s; no day can be logged before it.",
                                start=fmt_date(start)))
    if refusal is not None:
        raise ActivityError(_l("%(day)s is outside the ledger: days go from the start date, %(start)s, to today, "
                                "%(today)s.", day=fmt_date(day), start=fmt_date(start), today=fmt_date(now)))


class DayLoggedAlready(ActivityError):
    """The day holds figures already and the form was not loaded with them (the plain new-day form, or a form
    loaded before the day changed): nothing is saved. `day` is the day to load and change."""

    def __init__(self, message, day: date):
        super().__init__(message)
        self.day = day


def day_entry(trainee_id: int, day: date) -> ActivityEntry | None:
    """The day as the trainee logged it (never a mentor's correction), or None."""
    return db.session.scalar(sa.select(ActivityEntry).where(
        ActivityEntry.trainee_id == trainee_id, ActivityEntry.day == day, ActivityEntry.corrects_id.is_(None)))


def entry_version(entry: ActivityEntry) -> str:
    """The version of a logged day that a form loaded with it carries back (rules.day_version)."""
    return rules.day_version(entry.day, entry.figures(), entry.note)


def ledger_day_problem(trainee_id: int, day: date) -> str | None:
    """Why `day` cannot hold the trainee's figures (the message save_entry would give), or None."""
    try:
        _check_ledger_day(trainee_id, day)
    except ActivityError as exc:
        return str(exc)
    return None


class FunnelRefused(ActivityError):
    """Figures the funnel's subset rule refuses (rules.subset_breaches): `reasons` holds (the later step, the
    reason naming both steps and their totals), to show each beside the figure that breaks the rule."""

    def __init__(self, reasons):
        super().__init__(" ".join(str(reason) for _step, reason in reasons))
        self.reasons = reasons


def _funnel_reason(breach: rules.Breach):
    numbers = {"later": breach.later_total, "earlier": breach.earlier_total}
    if breach.later == "deals":
        return _l("Deals closed would come to %(later)d since the start date, more than the %(earlier)d "
                  "applications received: every deal is closed on an application. Log the application first, or "
                  "correct the figures.", **numbers)
    return _l("Applications received would come to %(later)d since the start date, more than the %(earlier)d new "
              "prospects logged: every application comes from a prospect you added. Log the prospects first, or "
              "correct the figures.", **numbers)


def _check_funnel(trainee_id: int, day: date, figures: dict) -> None:
    """Refuse `figures` counting for `day` when they take a later funnel step above an earlier one over the whole
    ledger, or widen a gap already there (rules.funnel_refusals); the trainee's ledger is locked by the caller."""
    days = ledger_days(trainee_id)
    before = rules.sums(days.values())
    after = rules.sums({**days, day: figures}.values())
    refusals = rules.funnel_refusals(before, after)
    if refusals:
        raise FunnelRefused([(b.later, _funnel_reason(b)) for b in refusals])


def save_entry(trainee: User, day: date, figures: dict, note: str | None, version: str | None = None) -> ActivityEntry:
    """The trainee's figures for a day from their start date to today: a new day, or a change to a day not yet
    confirmed.

    A change names the version of the day its form was loaded with (`version`, see entry_version); without it,
    or when the day changed since, nothing is saved (DayLoggedAlready): a form that never showed the day's
    figures cannot replace them. A figure absent from `figures` (or None) keeps its stored value and a note of
    None keeps the stored note: absent is never 0 or empty. A new day needs every figure.
    The entry returned carries `changes`: (name, old, new) per value changed; None for a new day."""
    lock_trainee(trainee.id)  # one write to a trainee's ledger at a time: the version read is the one replaced
    _check_ledger_day(trainee.id, day)
    entry = day_entry(trainee.id, day)
    if entry is not None and entry.confirmed_at is not None:
        raise ActivityError(_l("Your mentor has confirmed this day; ask them to correct it."))
    if entry is None:
        if any(figures.get(f) is None for f in FIGURES):
            raise ActivityError(_l("A new day needs every figure; enter 0 for none."))
        _check_funnel(trainee.id, day, figures)
        entry = ActivityEntry(trainee_id=trainee.id, day=day, entered_by=trainee.id)
        try:
            with db.session.begin_nested():
                db.session.add(entry)
                for f in FIGURES:
                    setattr(entry, f, figures[f])
                entry.note = (note or "").strip() or None
        except IntegrityError:
            raise DayLoggedAlready(_l("%(day)s was logged a moment ago in another window: nothing is changed. "
                                      "Load the day to change its figures.", day=fmt_date(day)), day) from None
        db.session.flush()
        record("activity_logged", entry, actor=trainee, day=day.isoformat(), **entry.figures())
        entry.changes = None
        return entry
    if version is None:
        raise DayLoggedAlready(_l("%(day)s is logged already: nothing is changed. Load the day to change its "
                                  "figures.", day=fmt_date(day)), day)
    if version != entry_version(entry):
        raise DayLoggedAlready(_l("%(day)s changed after this form was loaded: nothing is changed. Load the day "
                                  "again to change its figures.", day=fmt_date(day)), day)
    before = {**entry.figures(), "note": entry.note}
    changes = rules.day_changes(before, figures, note)
    if any(name in FIGURES for name, _old, _new in changes):
        _check_funnel(trainee.id, day, {f: figures[f] if figures.get(f) is not None else before[f] for f in FIGURES})
    for name, _old, new in changes:
        setattr(entry, name, new)
    if changes:
        entry.entered_at = utcnow()
        db.session.flush()
        record("activity_changed", entry, actor=trainee, day=day.isoformat(), before=before,
               after={**entry.figures(), "note": entry.note})
    entry.changes = changes
    return entry


def save_entry_with_files(trainee: User, day: date, figures: dict, note: str | None, version: str | None = None,
                          files=()) -> ActivityEntry:
    """save_entry, and the day's evidence files (evidence.services.attach): a refused file saves nothing. The
    entry carries `files_added`, how many."""
    from ..evidence.services import attach, check_uploads

    check_uploads(list(files))
    entry = save_entry(trainee, day, figures, note, version)
    entry.files_added = len(attach(entry, trainee.id, list(files), trainee))
    return entry


def confirm_entry(entry: ActivityEntry, mentor: User) -> None:
    if entry.confirmed_at is None:
        entry.confirmed_by, entry.confirmed_at = mentor.id, utcnow()
        record("activity_confirmed", entry, actor=mentor, trainee=entry.trainee_id, day=entry.day.isoformat())


#: The most days one "confirm the days shown" may carry (a ledger of two years of working days).
MAX_SEEN = 600


def seen_marks(entries) -> list:
    """What a page carries of each day it shows as not confirmed yet, for `confirm_seen`: "entry id:version", the
    first MAX_SEEN of them (the rest are offered once these are confirmed)."""
    return [f"{e.id}:{entry_version(e)}" for e in entries if e.confirmed_at is None][:MAX_SEEN]


def read_seen(marks) -> dict | None:
    """{entry id: version} from the marks a page sent back (see `seen_marks`); None when one is not of that form
    or there are more than MAX_SEEN."""
    if len(marks) > MAX_SEEN:
        return None
    seen = {}
    for mark in marks:
        entry_id, _colon, version = mark.partition(":")
        number = bounded_int(entry_id, 1, MAX_ID)
        if number is None or not version or len(version) > 64:
            return None
        seen[number] = version
    return seen


def confirm_seen(trainee_id: int, seen: dict, mentor: User) -> tuple[list, list]:
    """Confirm the trainee's days the mentor saw: `seen` is {entry id: the version the page showed}. A day is
    confirmed only as it was seen: one changed since (its figures or note) is left for another look, one confirmed
    meanwhile is left as it is, and an id of another trainee's day, or of a correction, is ignored. Each day is
    audited as a single confirmation. Returns (the days confirmed, the days changed since), oldest first."""
    if not seen:
        return [], []
    entries = db.session.scalars(sa.select(ActivityEntry).where(
        ActivityEntry.trainee_id == trainee_id, ActivityEntry.id.in_(list(seen)), ActivityEntry.corrects_id.is_(None),
        ActivityEntry.confirmed_at.is_(None)).order_by(ActivityEntry.day)).all()
    confirmed, changed = [], []
    for entry in entries:
        if entry_version(entry) == seen[entry.id]:
            confirm_entry(entry, mentor)
            confirmed.append(entry)
        else:
            changed.append(entry)
    return confirmed, changed


def correct_entry(entry: ActivityEntry, figures: dict, note: str | None, mentor: User) -> ActivityEntry:
    """A correction is a new entry; the original stays as the trainee entered it. Only days from the start date to
    today can be corrected. A figure absent from `figures` (or None) keeps the value that counts now (the latest
    correction's, else the original's): a correction never sets a figure nobody gave (prospects not recorded
    stay so). Like the trainee's figures, a correction keeps the funnel's subset rule (FunnelRefused)."""
    original = db.session.get(ActivityEntry, entry.corrects_id) if entry.corrects_id else entry
    _check_ledger_day(original.trainee_id, original.day)
    lock_trainee(original.trainee_id)  # the funnel is checked over the ledger as it stands
    counting = db.session.scalar(sa.select(ActivityEntry).where(ActivityEntry.corrects_id == original.id)
                                 .order_by(ActivityEntry.id.desc()).limit(1)) or original
    before = counting.figures()
    figures = {f: before[f] if figures.get(f) is None else figures[f] for f in FIGURES}
    _check_funnel(original.trainee_id, original.day, figures)
    correction = ActivityEntry(trainee_id=original.trainee_id, day=original.day, entered_by=mentor.id,
                               corrects_id=original.id, confirmed_by=mentor.id, confirmed_at=utcnow(),
                               note=(note or "").strip() or None, **figures)
    db.session.add(correction)
    if original.confirmed_at is None:
        original.confirmed_by, original.confirmed_at = mentor.id, utcnow()
    db.session.flush()
    record("activity_corrected", correction, actor=mentor, trainee=original.trainee_id, day=original.day.isoformat(),
           before=before, after=figures)
    notify([original.trainee_id], "activity_corrected", link=f"/trainees/{original.trainee_id}/activity",
           day=original.day.isoformat())
    return correction


@dataclass(frozen=True)
class Ledger:
    """One trainee's ledger, loaded once: the entries as made, and the figures that count per day."""

    entries: list  # every ActivityEntry, originals and corrections, in the order they were made
    days: dict  # day -> figures, a mentor's latest correction counting over the original
    targets: dict  # the weekly targets of the trainee's team
    segment: str = rules.DEFAULT_SEGMENT  # the segment the team sells in (rules.SEGMENTS)

    @property
    def originals(self) -> list:
        return sorted((e for e in self.entries if e.corrects_id is None), key=lambda e: e.day, reverse=True)

    @property
    def corrections(self) -> dict:
        """{original entry id: [its corrections, oldest first]}."""
        result = {}
        for e in self.entries:
            if e.corrects_id:
                result.setdefault(e.corrects_id, []).append(e)
        return result

    def weeks(self, first: date, last: date) -> list:
        return rules.weeks(self.days, first, last)

    def funnel(self) -> rules.Funnel:
        """The funnel over the whole ledger, from the start date: the level its subset rule holds at."""
        return rules.funnel(*rules.sums(self.days.values()))


#: Built once (see learning.services): `ids` and `full` are lists, expanded when the statement runs.
_TARGETS = sa.select(ActivityTarget)
_LEDGER_COLUMNS = sa.select(ActivityEntry.trainee_id, ActivityEntry.id, ActivityEntry.day, ActivityEntry.corrects_id,
                            *(getattr(ActivityEntry, f) for f in FIGURES)).order_by(ActivityEntry.id)
_LEDGERS_SINCE = _LEDGER_COLUMNS.where(ActivityEntry.trainee_id.in_(sa.bindparam("ids", expanding=True)),
                                       ActivityEntry.day >= sa.bindparam("since"))
_LEDGERS_SINCE_OR_WHOLE = _LEDGER_COLUMNS.where(
    ActivityEntry.trainee_id.in_(sa.bindparam("ids", expanding=True)),
    sa.or_(ActivityEntry.day >= sa.bindparam("since"), ActivityEntry.trainee_id.in_(sa.bindparam("full", expanding=True))))
_UNCONFIRMED_OF = (sa.select(ActivityEntry.trainee_id, sa.func.count(ActivityEntry.id))
                   .where(ActivityEntry.trainee_id.in_(sa.bindparam("ids", expanding=True)), ActivityEntry.corrects_id.is_(None),
                          ActivityEntry.confirmed_at.is_(None)).group_by(ActivityEntry.trainee_id))


def targets_lookup():
    """A function team id -> weekly targets, for many trainees at once (one query)."""
    rows = {t.team_id: {f: getattr(t, f) for f in FIGURES} for t in db.session.scalars(_TARGETS)}
    default = rows.get(None) or dict(rules.DEFAULT_TARGETS)
    return lambda team_id: rows.get(team_id) or default


def ledgers_by_user(user_ids, since: date, full_history=()) -> dict:
    """{user id: {day: figures}} from `since` on, and the whole ledger for the ids in `full_history`;
    one query for any number of trainees."""
    ids, full = list(user_ids), list(full_history)
    result = {uid: {} for uid in ids}
    if not ids:
        return result
    rows = {}
    statement = _LEDGERS_SINCE_OR_WHOLE if full else _LEDGERS_SINCE
    for uid, entry_id, day, corrects_id, *figures in db.session.execute(
            statement, {"ids": ids, "since": since, "full": full}):
        rows.setdefault(uid, []).append((entry_id, day, corrects_id, dict(zip(FIGURES, figures))))
    for uid, entries in rows.items():
        result[uid] = rules.effective(entries)
    return result


def unconfirmed_by_user(user_ids) -> dict:
    """{user id: days the mentor has not confirmed yet}."""
    ids = list(user_ids)
    if not ids:
        return {}
    return dict(db.session.execute(_UNCONFIRMED_OF, {"ids": ids}).all())


def ledger(trainee_id: int, team_id: int | None) -> Ledger:
    entries = db.session.scalars(sa.select(ActivityEntry).where(ActivityEntry.trainee_id == trainee_id)
                                 .order_by(ActivityEntry.id)).all()
    days = rules.effective((e.id, e.day, e.corrects_id, e.figures()) for e in entries)
    return Ledger(list(entries), days, *targets_and_segment(team_id))


def ledger_days(trainee_id: int) -> dict:
    """{day: figures that count} over the trainee's whole ledger, read as plain rows (no entry objects)."""
    return ledgers_by_user([trainee_id], date.min)[trainee_id]


# ---------------------------------------------------------------- supervision

def latest_supervision_notes(trainee_id: int, count: int) -> list:
    return list(db.session.scalars(sa.select(SupervisionNote).where(SupervisionNote.trainee_id == trainee_id)
                                   .order_by(SupervisionNote.week_of.desc(), SupervisionNote.id.desc())
                                   .limit(count)))  # a week can hold several notes: the newest first


SUPERVISED_STAGE = 4


def supervision_window(progress) -> tuple:
    """(state of stage 4, the day it opened) on the trainee's path (a path.progress.Progress)."""
    stages = {s.number: s for s in progress.stages}
    supervised, before = stages.get(SUPERVISED_STAGE), stages.get(SUPERVISED_STAGE - 1)
    return (supervised.state if supervised else None), (before.completed_on if before else None)


def supervision_weeks(progress) -> list:
    """The Mondays a supervision note may be filed under, from the week stage 4 opened to the current week."""
    return rules.supervision_weeks(*supervision_window(progress), today())


def add_supervision_note(trainee: User, author: User, week_of: date, situation: str, advice: str,
                         progress, files=()) -> SupervisionNote:
    """A note for a week from the one stage 4 opened in to the current one; `progress` is the trainee's path;
    `files` are evidence uploads (evidence.services.attach)."""
    from ..evidence.services import attach, check_uploads

    check_uploads(list(files))
    state, opened = supervision_window(progress)
    refusal = rules.supervision_refusal(week_of, state, opened, today())
    if refusal == rules.NOT_OPEN:
        raise ActivityError(_l("Supervision notes are kept in stage 4, and stage 4 is not open yet for %(name)s.",
                                name=trainee.full_name))
    if refusal is not None:
        weeks = rules.supervision_weeks(state, opened, today())
        raise ActivityError(_l("Choose a week from the one stage 4 opened in (week of %(first)s) to the current "
                                "week (week of %(last)s).", first=fmt_date(weeks[0]), last=fmt_date(weeks[-1])))
    note = SupervisionNote(trainee_id=trainee.id, author_id=author.id, week_of=rules.monday(week_of),
                           situation=situation.strip(), advice=advice.strip())
    db.session.add(note)
    record("supervision_note", note, actor=author, trainee=trainee.id, week_of=note.week_of.isoformat())
    attach(note, trainee.id, list(files), author)
    notify([trainee.id], "supervision_note", link=f"/trainees/{trainee.id}/supervision", author=author.full_name)
    return note
