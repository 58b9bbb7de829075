"""Mentoring actions: sign-offs, the ledger, role-plays, signatures, supervision, assignments.

Every change records an audit event and tells the person who acts next; the view commits.
"""
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..auth.models import HEAD, MENTOR, User
from ..content.model import ROLE_PLAY_STAGE
from ..extensions import db
from ..i18n import fmt_date
from ..notifications.services import notify, resolve
from ..people.models import TraineeRecord
from ..people.services import answerers, assign_mentor, lock_trainee  # noqa: F401 (assign_mentor: for the views)
from ..timeutil import aware, today, utcnow
from . import rules
from .models import (CANCELLED, FIGURES, SCHEDULED, SCORED, Acknowledgement, ActivityEntry, ActivityTarget, HoldDecision,
                     RolePlayAttempt, RolePlayEvaluator, RolePlayScore, SignOffEvent,
                     SupervisionNote, Team)

class MentoringError(ValueError):
    """An action the rules refuse; the message is for the person who tried."""


# ---------------------------------------------------------------- facts for the progress rules

def facts_by_user(user_ids, document_version: str | None) -> dict:
    """{user id: {"signed_tasks", "requested_tasks", "signature_current", "role_play_passed", "dates"}}
    in three queries."""
    ids = list(user_ids)
    result = {uid: {"signed_tasks": set(), "requested_tasks": set(), "signature_current": False,
                    "role_play_passed": False, "dates": {}} for uid in ids}
    if not ids:
        return result
    states = {}
    for uid, task, kind, at in db.session.execute(
            sa.select(SignOffEvent.trainee_id, SignOffEvent.task_id, SignOffEvent.kind, SignOffEvent.at)
            .where(SignOffEvent.trainee_id.in_(ids)).order_by(SignOffEvent.id)):
        states[(uid, task)] = (kind, at)
    for (uid, task), (kind, at) in states.items():
        if kind == rules.SIGNED:
            result[uid]["signed_tasks"].add(task)
            result[uid]["dates"][f"task:{task}"] = at.date()
        elif kind == rules.REQUESTED:
            result[uid]["requested_tasks"].add(task)
    if document_version:  # a signature counts only with the name the account has now (rules.signature_current)
        for uid, at, typed, name in db.session.execute(
                sa.select(Acknowledgement.trainee_id, Acknowledgement.signed_at, Acknowledgement.typed_name,
                          User.full_name).join(User, User.id == Acknowledgement.trainee_id)
                .where(Acknowledgement.trainee_id.in_(ids), Acknowledgement.version == document_version)
                .order_by(Acknowledgement.signed_at)):
            if rules.signature_current(document_version, typed, document_version, name):
                result[uid]["signature_current"] = True
                result[uid]["dates"]["signature"] = at.date()
    for uid, at in db.session.execute(sa.select(RolePlayAttempt.trainee_id, RolePlayAttempt.completed_at).where(
            RolePlayAttempt.trainee_id.in_(ids), RolePlayAttempt.passed.is_(True))):
        result[uid]["role_play_passed"] = True
        result[uid]["dates"]["role-play"] = at.date()
    return result


# ---------------------------------------------------------------- sign-offs

def task_state(trainee_id: int, task_id: str) -> str:
    kind = db.session.scalar(sa.select(SignOffEvent.kind).where(SignOffEvent.trainee_id == trainee_id,
                                                                SignOffEvent.task_id == task_id)
                             .order_by(SignOffEvent.id.desc()).limit(1))
    return kind or rules.NONE


def _stage_not_open(task, stage) -> str:
    if stage is not None and stage.locked_reason:
        return _l("“%(task)s” belongs to stage %(n)d, “%(stage)s”, which opens when stage %(m)d, “%(previous)s”, "
                  "is complete; it can be asked for and signed off from then on.",
                  task=task.title, n=stage.number, stage=stage.title, m=stage.number - 1,
                  previous=stage.locked_reason)
    return _l("“%(task)s” belongs to stage %(n)d, which is not open yet; it can be asked for and signed off once "
              "the stage opens.", task=task.title, n=task.stage)


def _sign_off_event(trainee: User, task, kind: str, actor: User, note: str | None, evidence: str | None = None,
                    stage=None):
    """One step on a task. `stage` is the task's stage on the trainee's path (a readiness.progress.StageProgress,
    computed by the caller): a request or a signature needs it open or complete."""
    if not rules.stage_allows(kind, getattr(stage, "state", None)):
        raise MentoringError(_stage_not_open(task, stage))
    lock_trainee(trainee.id)  # two steps on one task cannot both read the same state
    current = task_state(trainee.id, task.id)
    if not rules.may_move(current, kind):
        raise MentoringError(_l("This step does not follow from the task's current state; reload the page."))
    event = SignOffEvent(trainee_id=trainee.id, task_id=task.id, kind=kind, actor_id=actor.id,
                         note=(note or "").strip() or None, evidence_url=(evidence or "").strip() or None)
    db.session.add(event)
    record(f"sign_off_{kind}", event, actor=actor, trainee=trainee.id, task=task.id)
    link = f"/trainees/{trainee.id}/checklist"
    if kind == rules.REQUESTED:
        notify(answerers(trainee.id), "sign_off_requested", link=link, trainee=trainee.full_name, task=task.title)
    else:
        if kind == rules.SIGNED:
            resolve(link)
        notify([trainee.id], f"sign_off_{kind}", link=link, task=task.title)
    return event


def request_sign_off(trainee, task, note, evidence, stage, files=()):
    """The trainee asks for a sign-off, with a link and files as evidence (evidence.services.attach)."""
    from ..evidence.services import attach, check_uploads

    check_uploads(list(files))  # before anything is written: a refused file changes nothing
    event = _sign_off_event(trainee, task, rules.REQUESTED, trainee, note, evidence, stage=stage)
    attach(event, trainee.id, list(files), trainee)
    return event


def sign_off(trainee, task, mentor, note, stage):
    return _sign_off_event(trainee, task, rules.SIGNED, mentor, note, stage=stage)


def return_task(trainee, task, mentor, feedback):
    if not (feedback or "").strip():
        raise MentoringError(_l("Say what to improve before you return the task."))
    return _sign_off_event(trainee, task, rules.RETURNED, mentor, feedback)


def revoke(trainee, task, mentor, reason):
    if not (reason or "").strip():
        raise MentoringError(_l("Give the reason for revoking the sign-off."))
    return _sign_off_event(trainee, task, rules.REVOKED, mentor, reason)


# ---------------------------------------------------------------- the ledger

def _targets_row(team_id: int | None) -> ActivityTarget | None:
    """The targets that apply to a team: its own row, else the default row; None: the built-in defaults."""
    rows = {t.team_id: t for t in db.session.scalars(sa.select(ActivityTarget).where(
        sa.or_(ActivityTarget.team_id == team_id, ActivityTarget.team_id.is_(None))))}
    return rows.get(team_id) or rows.get(None)


def targets_for(team_id: int | None) -> dict:
    """The targets of a team (per week; events per month, rules.MONTHLY), else the default ones, else the
    built-in defaults (rules.DEFAULT_TARGETS)."""
    chosen = _targets_row(team_id)
    if chosen is None:
        return dict(rules.DEFAULT_TARGETS)
    return {f: getattr(chosen, f) for f in FIGURES}


def segment_for(team_id: int | None) -> str:
    """The segment a team sells in (rules.SEGMENTS), as its targets say; else the default's, else B2B."""
    chosen = _targets_row(team_id)
    return chosen.segment if chosen is not None else rules.DEFAULT_SEGMENT


def set_targets(team_id: int | None, figures: dict, head: User, segment: str | None = None) -> ActivityTarget:
    """A team's targets (team_id None: the default) and segment. A figure absent from `figures` (or None) keeps
    the target that applies now, and a segment of None the segment; each given figure is a whole number from 0
    to 10,000, the segment one of rules.SEGMENTS."""
    target = db.session.scalar(sa.select(ActivityTarget).where(
        ActivityTarget.team_id.is_(None) if team_id is None else ActivityTarget.team_id == team_id))
    current, current_segment = targets_for(team_id), segment_for(team_id)
    figures = {f: current[f] if figures.get(f) is None else figures[f] for f in FIGURES}
    if any(not isinstance(v, int) or not 0 <= v <= 10000 for v in figures.values()):
        raise MentoringError(_l("Enter a whole number from 0 to 10,000."))
    segment = current_segment if segment is None else segment
    if segment not in rules.SEGMENTS:
        raise MentoringError(_l("Choose the team’s segment."))
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
        raise MentoringError(_l("A team with this name exists already."))
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
        raise MentoringError(_l("The ledger opens on the start date, %(start)s; no day can be logged before it.",
                                start=fmt_date(start)))
    if refusal is not None:
        raise MentoringError(_l("%(day)s is outside the ledger: days go from the start date, %(start)s, to today, "
                                "%(today)s.", day=fmt_date(day), start=fmt_date(start), today=fmt_date(now)))


class DayLoggedAlready(MentoringError):
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
    except MentoringError as exc:
        return str(exc)
    return None


class FunnelRefused(MentoringError):
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
        raise MentoringError(_l("Your mentor has confirmed this day; ask them to correct it."))
    if entry is None:
        if any(figures.get(f) is None for f in FIGURES):
            raise MentoringError(_l("A new day needs every figure; enter 0 for none."))
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


def targets_lookup():
    """A function team id -> weekly targets, for many trainees at once (one query)."""
    rows = {t.team_id: {f: getattr(t, f) for f in FIGURES} for t in db.session.scalars(sa.select(ActivityTarget))}
    default = rows.get(None) or dict(rules.DEFAULT_TARGETS)
    return lambda team_id: rows.get(team_id) or default


def ledgers_by_user(user_ids, since: date, full_history=()) -> dict:
    """{user id: {day: figures}} from `since` on, and the whole ledger for the ids in `full_history`;
    one query for any number of trainees."""
    ids, full = list(user_ids), list(full_history)
    result = {uid: {} for uid in ids}
    if not ids:
        return result
    condition = ActivityEntry.day >= since
    if full:
        condition = sa.or_(condition, ActivityEntry.trainee_id.in_(full))
    rows = {}
    columns = [getattr(ActivityEntry, f) for f in FIGURES]
    for uid, entry_id, day, corrects_id, *figures in db.session.execute(
            sa.select(ActivityEntry.trainee_id, ActivityEntry.id, ActivityEntry.day, ActivityEntry.corrects_id,
                      *columns).where(ActivityEntry.trainee_id.in_(ids), condition).order_by(ActivityEntry.id)):
        rows.setdefault(uid, []).append((entry_id, day, corrects_id, dict(zip(FIGURES, figures))))
    for uid, entries in rows.items():
        result[uid] = rules.effective(entries)
    return result


def unconfirmed_by_user(user_ids) -> dict:
    """{user id: days the mentor has not confirmed yet}."""
    ids = list(user_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        sa.select(ActivityEntry.trainee_id, sa.func.count(ActivityEntry.id))
        .where(ActivityEntry.trainee_id.in_(ids), ActivityEntry.corrects_id.is_(None),
               ActivityEntry.confirmed_at.is_(None)).group_by(ActivityEntry.trainee_id)).all())


def role_play_by_user(user_ids, now=None) -> dict:
    """{user id: role-play state (see rules.role_play_state)} in two queries."""
    ids = list(user_ids)
    if not ids:
        return {}
    attempts, decisions = {}, {}
    for uid, state, passed, when in db.session.execute(sa.select(
            RolePlayAttempt.trainee_id, RolePlayAttempt.state, RolePlayAttempt.passed, RolePlayAttempt.scheduled_for)
            .where(RolePlayAttempt.trainee_id.in_(ids))):
        attempts.setdefault(uid, []).append((state, passed, aware(when)))
    for uid, decision in db.session.execute(sa.select(HoldDecision.trainee_id, HoldDecision.decision).where(
            HoldDecision.trainee_id.in_(ids)).order_by(HoldDecision.id)):
        decisions[uid] = decision
    allowed = role_play_attempts()
    return {uid: rules.role_play_state(attempts.get(uid, []), allowed, now or utcnow(), decisions.get(uid))
            for uid in ids}


def ledger(trainee_id: int, team_id: int | None) -> Ledger:
    entries = db.session.scalars(sa.select(ActivityEntry).where(ActivityEntry.trainee_id == trainee_id)
                                 .order_by(ActivityEntry.id)).all()
    days = rules.effective((e.id, e.day, e.corrects_id, e.figures()) for e in entries)
    return Ledger(list(entries), days, targets_for(team_id))


def ledger_days(trainee_id: int) -> dict:
    return ledger(trainee_id, None).days


# ---------------------------------------------------------------- role-play

def role_play_attempts() -> int:
    """The attempts every trainee has (configuration; nothing raises it)."""
    return current_app.config["ROLE_PLAY_ATTEMPTS"]


def role_play_evaluators() -> int:
    """The evaluators every attempt needs at least (configuration)."""
    return current_app.config["ROLE_PLAY_EVALUATORS"]


def role_play_status(trainee_id: int, now: datetime | None = None) -> dict:
    attempts = db.session.scalars(sa.select(RolePlayAttempt).where(RolePlayAttempt.trainee_id == trainee_id)
                                  .order_by(RolePlayAttempt.id)).all()
    decisions = db.session.scalars(sa.select(HoldDecision).where(HoldDecision.trainee_id == trainee_id)
                                   .order_by(HoldDecision.id)).all()
    allowed = role_play_attempts()
    live = [a for a in attempts if a.state != CANCELLED]
    decision = decisions[-1].decision if decisions else None
    state = rules.role_play_state([(a.state, a.passed, aware(a.scheduled_for)) for a in live], allowed,
                                  now or utcnow(), decision)
    open_attempt = next((a for a in live if a.state == SCHEDULED), None)
    return {"attempts": attempts, "live": live, "allowed": allowed, "passed": state == "passed",
            "held": state in ("held", "kept"), "kept": state == "kept", "state": state, "open": open_attempt,
            "left": max(allowed - len(live), 0), "decisions": decisions, "decision": decision,
            "used_scenarios": [a.scenario_slug for a in live]}


def role_play_requirements(curriculum) -> tuple:
    """(quiz slugs, task ids) the content marks as coming before the role-play."""
    quizzes = tuple(q.slug for q in curriculum.quiz_list if getattr(q, "before_role_play", False))
    tasks = tuple(t.id for t in curriculum.tasks.values() if getattr(t, "before_role_play", False))
    return quizzes, tasks


def role_play_missing(trainee_id: int, progress, curriculum, status: dict | None = None) -> tuple:
    """Why this trainee's role-play cannot be scheduled now (empty: it can); see rules.role_play_missing.

    progress: the trainee's path (readiness.service.trainee_progress), computed by the caller.
    """
    status = status or role_play_status(trainee_id)
    quizzes, tasks = role_play_requirements(curriculum)
    stage = next((s for s in progress.stages if s.needs_role_play), None)
    facts = facts_by_user([trainee_id], None)[trainee_id]
    from ..assessment.services import statuses  # noqa: PLC0415  (assessment never imports mentoring)

    quiz_objects = [q for q in curriculum.quiz_list if q.slug in quizzes]
    passed = {slug for slug, st in statuses([trainee_id], quiz_objects)[trainee_id].items() if st.passed}
    return rules.role_play_missing(
        stage_state=stage.state if stage else "locked", attempts=[(a.state, a.passed) for a in status["live"]],
        allowed=status["allowed"], required_quizzes=quizzes, passed_quizzes=passed, required_tasks=tasks,
        signed_tasks=facts["signed_tasks"])


def _check_panel(trainee: User, evaluators: list) -> None:
    problem = rules.evaluators_problem([e.id for e in evaluators], trainee.id, role_play_evaluators())
    if problem == "self":
        raise MentoringError(_l("The trainee cannot evaluate their own role-play."))
    if problem == "too_few":
        raise MentoringError(lazy_ngettext(
            "Name at least %(num)d evaluator: an experienced colleague who plays the client.",
            "Name at least %(num)d different evaluators: experienced colleagues who play the client.",
            role_play_evaluators()))
    if any(not e.active or e.role not in (MENTOR, HEAD) for e in evaluators):
        raise MentoringError(_l("Evaluators are active mentors or heads of sales."))


def _check_future(when: datetime) -> None:
    if when <= utcnow():
        raise MentoringError(_l("Choose a time in the future: a role-play cannot be scheduled in the past."))


def schedule_role_play(trainee: User, scenario, when: datetime, place: str | None, evaluators: list,
                       actor: User, progress, curriculum) -> RolePlayAttempt:
    """Schedule the next attempt, if the rules allow it (see role_play_missing) and the panel will do."""
    lock_trainee(trainee.id)  # two schedules at once run one after the other
    status = role_play_status(trainee.id)
    missing = role_play_missing(trainee.id, progress, curriculum, status)
    if missing:
        raise MentoringError(_l("The role-play cannot be scheduled yet: %(why)s.",
                                why=describe_missing(missing, curriculum)))
    _check_future(when)
    _check_panel(trainee, evaluators)
    fresh = rules.retake_scenarios(list(curriculum.scenarios or {}), status["used_scenarios"])
    if scenario.slug not in fresh:
        raise MentoringError(_l("The trainee has had this scenario already; choose one they have not had."))
    attempt = RolePlayAttempt(trainee_id=trainee.id, scenario_slug=scenario.slug, number=len(status["live"]) + 1,
                              allowed=status["allowed"], scheduled_for=when, place=(place or "").strip() or None,
                              scheduled_by=actor.id, state=SCHEDULED)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
            db.session.flush()
    except IntegrityError:
        raise MentoringError(_l("Another attempt was scheduled a moment ago; reload the page.")) from None
    for evaluator in {e.id: e for e in evaluators}.values():
        db.session.add(RolePlayEvaluator(attempt_id=attempt.id, evaluator_id=evaluator.id))
    record("role_play_scheduled", attempt, actor=actor, trainee=trainee.id, scenario=scenario.slug,
           number=attempt.number, evaluators=sorted({e.id for e in evaluators}), when=when.isoformat())
    notify([trainee.id], "role_play_scheduled", link=f"/role-play/{attempt.id}", when=when.isoformat(),
           scenario=scenario.title, attempt_id=attempt.id)
    notify(sorted({e.id for e in evaluators}), "role_play_to_evaluate", link=f"/role-play/{attempt.id}",
           trainee=trainee.full_name, when=when.isoformat(), attempt_id=attempt.id)
    return attempt


def describe_missing(missing, curriculum) -> str:
    """The reasons a role-play cannot be scheduled, in the reader's language, joined as a list."""
    from ..i18n import join_list  # noqa: PLC0415

    return join_list([str(missing_label(m, curriculum)) for m in missing])


def missing_label(m, curriculum):
    quizzes = curriculum.quizzes
    tasks = curriculum.tasks
    if m.kind == "passed":
        return _l("the role-play is passed already")
    if m.kind == "open":
        return _l("an attempt is scheduled already; score, cancel or move it")
    if m.kind == "used":
        return lazy_ngettext("the %(num)d attempt is used; the head of sales decides what happens next",
                             "all %(num)d attempts are used; the head of sales decides what happens next", m.item)
    if m.kind == "stage":
        stage = next((s for s in curriculum.stages if s.number == ROLE_PLAY_STAGE), None)
        return _l("the trainee has not reached stage %(n)d (%(title)s)", n=ROLE_PLAY_STAGE,
                  title=stage.title if stage else "")
    if m.kind == "quiz":
        return _l("“%(quiz)s” is not passed", quiz=quizzes[m.item].title if m.item in quizzes else m.item)
    return _l("“%(task)s” is not signed off", task=tasks[m.item].title if m.item in tasks else m.item)


def _scheduled_attempt(attempt: RolePlayAttempt) -> None:
    if attempt.state != SCHEDULED:
        raise MentoringError(_l("This attempt is not scheduled any more; reload the page."))
    if any(e.submitted_at is not None for e in attempt.evaluators):
        raise MentoringError(_l("Scores are already recorded for this attempt, so it has taken place."))


def reschedule_role_play(attempt: RolePlayAttempt, when: datetime, place: str | None, actor: User) -> None:
    """Move a meeting that has not taken place; it stays the same attempt and uses up nothing more."""
    lock_trainee(attempt.trainee_id)
    _scheduled_attempt(attempt)
    _check_future(when)
    before = aware(attempt.scheduled_for)
    attempt.scheduled_for, attempt.sequence = when, (attempt.sequence or 0) + 1
    if place is not None and place.strip():
        attempt.place = place.strip()
    record("role_play_rescheduled", attempt, actor=actor, trainee=attempt.trainee_id, number=attempt.number,
           before=before.isoformat(), after=when.isoformat())
    trainee = db.session.get(User, attempt.trainee_id)
    notify([attempt.trainee_id] + [e.evaluator_id for e in attempt.evaluators], "role_play_rescheduled",
           link=f"/role-play/{attempt.id}", when=when.isoformat(), trainee=trainee.full_name,
           trainee_id=trainee.id, attempt_id=attempt.id)


def cancel_role_play(attempt: RolePlayAttempt, reason: str, actor: User) -> None:
    """A meeting that will not take place: cancelled with the reason; the attempt is not used up."""
    if not (reason or "").strip():
        raise MentoringError(_l("Say why the role-play is cancelled."))
    lock_trainee(attempt.trainee_id)
    _scheduled_attempt(attempt)
    attempt.state, attempt.cancelled_at, attempt.cancelled_by = CANCELLED, utcnow(), actor.id
    attempt.cancel_reason = reason.strip()
    attempt.sequence = (attempt.sequence or 0) + 1
    record("role_play_cancelled", attempt, actor=actor, trainee=attempt.trainee_id, number=attempt.number,
           reason=reason.strip())
    resolve(f"/role-play/{attempt.id}")
    trainee = db.session.get(User, attempt.trainee_id)
    notify([attempt.trainee_id] + [e.evaluator_id for e in attempt.evaluators], "role_play_cancelled",
           link=f"/trainees/{attempt.trainee_id}/role-play", trainee=trainee.full_name, attempt_id=attempt.id)


def ensure_due(attempt: RolePlayAttempt) -> None:
    """Scores come after the meeting: refuse them before its scheduled start, saying when that is."""
    if utcnow() < aware(attempt.scheduled_for):
        from ..i18n import fmt_datetime  # noqa: PLC0415

        raise MentoringError(_l("The role-play takes place on %(when)s; scores can be recorded only after the "
                                "meeting has started.", when=fmt_datetime(attempt.scheduled_for)))


def submit_scores(attempt: RolePlayAttempt, scenario, evaluator: User, scores: dict) -> bool:
    """One evaluator's scores {criterion id: (score, comment)}; True when this completed the attempt."""
    seat = next((e for e in attempt.evaluators if e.evaluator_id == evaluator.id), None)
    if seat is None:
        raise MentoringError(_l("You are not an evaluator of this attempt."))
    lock_trainee(attempt.trainee_id)
    db.session.refresh(attempt)
    db.session.refresh(seat)
    if attempt.state == CANCELLED:
        raise MentoringError(_l("This role-play was cancelled; there is nothing to score."))
    if attempt.state != SCHEDULED or seat.submitted_at is not None:
        raise MentoringError(_l("Your scores for this attempt are already recorded."))
    ensure_due(attempt)
    for c in scenario.criteria:
        score, comment = scores[c.id]
        if not 1 <= score <= c.scale:
            raise MentoringError(_l("Scores go from 1 to the criterion's scale."))
        db.session.add(RolePlayScore(attempt_id=attempt.id, evaluator_id=evaluator.id, criterion_id=c.id,
                                     score=score, comment=(comment or "").strip() or None))
    seat.submitted_at = utcnow()
    record("role_play_scored", attempt, actor=evaluator, trainee=attempt.trainee_id,
           scores={c: s for c, (s, _) in scores.items()})
    db.session.flush()
    if any(e.submitted_at is None for e in attempt.evaluators):
        return False
    by_evaluator = {}
    for s in db.session.scalars(sa.select(RolePlayScore).where(RolePlayScore.attempt_id == attempt.id)):
        by_evaluator.setdefault(s.evaluator_id, {})[s.criterion_id] = s.score
    result = rules.role_play_result(scenario.criteria, by_evaluator, scenario.pass_threshold)
    attempt.state, attempt.completed_at = SCORED, utcnow()
    attempt.percent, attempt.passed = float(result.percent), result.passed
    db.session.flush()
    status = role_play_status(attempt.trainee_id)
    record("role_play_result", attempt, actor=None, trainee=attempt.trainee_id, percent=float(result.percent),
           passed=result.passed, number=attempt.number, allowed=status["allowed"])
    resolve(f"/role-play/{attempt.id}")
    people = [attempt.trainee_id, *answerers(attempt.trainee_id)]
    played_by = db.session.get(User, attempt.trainee_id)
    notify(people, "role_play_result", link=f"/role-play/{attempt.id}", percent=f"{result.percent:g}",
           passed=result.passed, number=attempt.number, allowed=status["allowed"], last=status["left"] == 0,
           trainee=played_by.full_name, trainee_id=played_by.id)
    if not result.passed and status["held"]:
        heads = db.session.scalars(sa.select(User.id).where(User.role == HEAD, User.active.is_(True))).all()
        trainee = db.session.get(User, attempt.trainee_id)
        notify(heads, "decision_due", link=f"/trainees/{attempt.trainee_id}/role-play", trainee=trainee.full_name,
               allowed=status["allowed"])
    return True


HOLD_DECISIONS = ("keep", "withdraw")


def decide_hold(rec: TraineeRecord, decision: str, plan: str, new_date: date | None, head: User) -> HoldDecision:
    """After the last failed attempt: keep in training without certification (a plan; stage 4 stays closed),
    or withdraw. A kept trainee may later be withdrawn; nothing gives another attempt."""
    lock_trainee(rec.user_id)
    status = role_play_status(rec.user_id)
    if decision not in HOLD_DECISIONS:
        raise MentoringError(_l("Choose to keep the trainee in training or to withdraw them."))
    if not status["held"] or rec.status == "withdrawn":
        raise MentoringError(_l("There is no decision to take: the trainee is not held."))
    if decision == "keep" and status["kept"]:
        raise MentoringError(_l("The trainee is kept in training already."))
    if not (plan or "").strip():
        raise MentoringError(_l("Write the plan or the reason for your decision."))
    if new_date is not None and new_date <= today():
        raise MentoringError(_l("A new target date must be in the future."))
    choice = HoldDecision(trainee_id=rec.user_id, decision=decision, plan=plan.strip(), new_target_date=new_date,
                          decided_by=head.id)
    db.session.add(choice)
    if decision == "keep":
        if new_date is not None:
            rec.target_date = new_date
    else:
        rec.status = "withdrawn"
    record(f"hold_{decision}", choice, actor=head, trainee=rec.user_id, plan=plan.strip(),
           new_target_date=new_date.isoformat() if new_date else None)
    resolve(f"/trainees/{rec.user_id}/role-play")
    notify([rec.user_id, *(a for a in answerers(rec.user_id) if a != head.id)], f"hold_{decision}",
           link=f"/trainees/{rec.user_id}/role-play", trainee=rec.user.full_name, trainee_id=rec.user_id,
           date=new_date.isoformat() if new_date else "")
    return choice


def evaluator_candidates() -> list:
    return list(db.session.scalars(sa.select(User).where(User.role.in_((MENTOR, HEAD)), User.active.is_(True))
                                   .order_by(User.full_name)))


# ---------------------------------------------------------------- the job description

def signatures_of_version(trainee_id: int, document) -> list:
    """The trainee's signatures of the document's current version, newest first (more than one when the name on
    the account was corrected and the trainee signed again with the new name)."""
    return list(db.session.scalars(sa.select(Acknowledgement).where(
        Acknowledgement.trainee_id == trainee_id, Acknowledgement.document == document.slug,
        Acknowledgement.version == document.version).order_by(Acknowledgement.signed_at.desc(),
                                                              Acknowledgement.id.desc())))


def current_signature(trainee_id: int, document) -> Acknowledgement | None:
    """The signature that counts: the current version, signed with the name the account has now."""
    name = db.session.scalar(sa.select(User.full_name).where(User.id == trainee_id))
    return next((a for a in signatures_of_version(trainee_id, document)
                 if rules.signature_current(a.version, a.typed_name, document.version, name)), None)


def sign_document(trainee: User, document, typed_name: str) -> Acknowledgement:
    if not rules.names_match(typed_name, trainee.full_name):
        raise MentoringError(_l("Type your full name exactly as it appears on your account: %(name)s.",
                                name=trainee.full_name))
    existing = current_signature(trainee.id, document)
    if existing is not None:
        return existing
    ack = Acknowledgement(trainee_id=trainee.id, document=document.slug, version=document.version,
                          typed_name=" ".join(typed_name.split()))
    try:
        with db.session.begin_nested():
            db.session.add(ack)
    except IntegrityError:
        return current_signature(trainee.id, document)
    record("document_signed", ack, actor=trainee, document=document.slug, version=document.version[:12])
    return ack


# ---------------------------------------------------------------- supervision

def latest_supervision_notes(trainee_id: int, count: int) -> list:
    return list(db.session.scalars(sa.select(SupervisionNote).where(SupervisionNote.trainee_id == trainee_id)
                                   .order_by(SupervisionNote.week_of.desc()).limit(count)))


SUPERVISED_STAGE = 4


def supervision_window(progress) -> tuple:
    """(state of stage 4, the day it opened) on the trainee's path (a readiness.progress.Progress)."""
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
        raise MentoringError(_l("Supervision notes are kept in stage 4, and stage 4 is not open yet for %(name)s.",
                                name=trainee.full_name))
    if refusal is not None:
        weeks = rules.supervision_weeks(state, opened, today())
        raise MentoringError(_l("Choose a week from the one stage 4 opened in (week of %(first)s) to the current "
                                "week (week of %(last)s).", first=fmt_date(weeks[0]), last=fmt_date(weeks[-1])))
    note = SupervisionNote(trainee_id=trainee.id, author_id=author.id, week_of=rules.monday(week_of),
                           situation=situation.strip(), advice=advice.strip())
    db.session.add(note)
    record("supervision_note", note, actor=author, trainee=trainee.id, week_of=note.week_of.isoformat())
    attach(note, trainee.id, list(files), author)
    notify([trainee.id], "supervision_note", link=f"/trainees/{trainee.id}/supervision", author=author.full_name)
    return note
