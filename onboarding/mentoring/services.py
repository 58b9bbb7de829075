"""Mentoring actions: sign-offs, the ledger, role-plays, signatures, supervision, assignments.

Every change records an audit event and tells the person who acts next; the view commits.
"""
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..auth.models import HEAD, MENTOR, User
from ..extensions import db
from ..notifications.services import notify, resolve
from ..people.models import TraineeRecord
from ..people.services import lock_trainee
from ..timeutil import today, utcnow
from . import rules
from .models import (FIGURES, SCHEDULED, SCORED, Acknowledgement, ActivityEntry, ActivityTarget, HoldDecision,
                     MentorAssignment, RolePlayAttempt, RolePlayEvaluator, RolePlayScore, SignOffEvent,
                     SupervisionNote, Team)

ROLE_PLAY_ATTEMPTS = 2


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
    if document_version:
        for uid, at in db.session.execute(sa.select(Acknowledgement.trainee_id, Acknowledgement.signed_at).where(
                Acknowledgement.trainee_id.in_(ids), Acknowledgement.version == document_version)):
            result[uid]["signature_current"] = True
            result[uid]["dates"]["signature"] = at.date()
    for uid, at in db.session.execute(sa.select(RolePlayAttempt.trainee_id, RolePlayAttempt.completed_at).where(
            RolePlayAttempt.trainee_id.in_(ids), RolePlayAttempt.passed.is_(True))):
        result[uid]["role_play_passed"] = True
        result[uid]["dates"]["role-play"] = at.date()
    return result


def _mentor_of(trainee_id: int) -> int | None:
    return db.session.scalar(sa.select(TraineeRecord.mentor_id).where(TraineeRecord.user_id == trainee_id))


# ---------------------------------------------------------------- mentor assignments

def assign_mentor(rec: TraineeRecord, mentor_id: int | None, actor) -> None:
    """Close the current assignment and open a new one; the history stays."""
    if mentor_id == rec.mentor_id:
        return
    now = utcnow()
    db.session.execute(sa.update(MentorAssignment).where(MentorAssignment.trainee_id == rec.user_id,
                                                         MentorAssignment.ended_at.is_(None)).values(ended_at=now))
    if mentor_id is not None:
        db.session.add(MentorAssignment(trainee_id=rec.user_id, mentor_id=mentor_id,
                                        assigned_by=getattr(actor, "id", None), started_at=now))
        notify([mentor_id], "mentor_assigned", link=f"/trainees/{rec.user_id}", trainee=rec.user.full_name)
    record("mentor_assigned", rec, actor=actor, trainee=rec.user_id, before=rec.mentor_id, after=mentor_id)
    rec.mentor_id = mentor_id


# ---------------------------------------------------------------- sign-offs

def task_state(trainee_id: int, task_id: str) -> str:
    kind = db.session.scalar(sa.select(SignOffEvent.kind).where(SignOffEvent.trainee_id == trainee_id,
                                                                SignOffEvent.task_id == task_id)
                             .order_by(SignOffEvent.id.desc()).limit(1))
    return kind or rules.NONE


def _sign_off_event(trainee: User, task, kind: str, actor: User, note: str | None, evidence: str | None = None):
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
        notify([_mentor_of(trainee.id)], "sign_off_requested", link=link, trainee=trainee.full_name, task=task.title)
    else:
        if kind == rules.SIGNED:
            resolve(link)
        notify([trainee.id], f"sign_off_{kind}", link=link, task=task.title)
    return event


def request_sign_off(trainee, task, note, evidence):
    return _sign_off_event(trainee, task, rules.REQUESTED, trainee, note, evidence)


def sign_off(trainee, task, mentor, note):
    return _sign_off_event(trainee, task, rules.SIGNED, mentor, note)


def return_task(trainee, task, mentor, feedback):
    if not (feedback or "").strip():
        raise MentoringError(_l("Say what to improve before you return the task."))
    return _sign_off_event(trainee, task, rules.RETURNED, mentor, feedback)


def revoke(trainee, task, mentor, reason):
    if not (reason or "").strip():
        raise MentoringError(_l("Give the reason for revoking the sign-off."))
    return _sign_off_event(trainee, task, rules.REVOKED, mentor, reason)


# ---------------------------------------------------------------- the ledger

def targets_for(team_id: int | None) -> dict:
    """The weekly targets of a team, else the default ones, else the built-in defaults."""
    rows = {t.team_id: t for t in db.session.scalars(sa.select(ActivityTarget).where(
        sa.or_(ActivityTarget.team_id == team_id, ActivityTarget.team_id.is_(None))))}
    chosen = rows.get(team_id) or rows.get(None)
    if chosen is None:
        return {f: ActivityTarget.__table__.c[f].default.arg for f in FIGURES}
    return {f: getattr(chosen, f) for f in FIGURES}


def set_targets(team_id: int | None, figures: dict, head: User) -> ActivityTarget:
    target = db.session.scalar(sa.select(ActivityTarget).where(
        ActivityTarget.team_id.is_(None) if team_id is None else ActivityTarget.team_id == team_id))
    if target is None:
        target = ActivityTarget(team_id=team_id)
        db.session.add(target)
    before = {f: getattr(target, f) for f in FIGURES}
    for f in FIGURES:
        setattr(target, f, figures[f])
    target.updated_by, target.updated_at = head.id, utcnow()
    db.session.flush()
    record("targets_set", target, actor=head, team=team_id, before=before, after=figures)
    return target


def add_team(name: str, head: User) -> Team:
    name = " ".join(name.split())
    if db.session.scalar(sa.select(Team.id).where(sa.func.lower(Team.name) == name.lower())):
        raise MentoringError(_l("A team with this name exists already."))
    team = Team(name=name)
    db.session.add(team)
    record("team_added", team, actor=head, name=name)
    return team


def save_entry(trainee: User, day: date, figures: dict, note: str | None) -> ActivityEntry:
    """The trainee's figures for a day: a new entry, or the day's entry changed while not yet confirmed."""
    if day > today():
        raise MentoringError(_l("You cannot log figures for a day that has not happened yet."))
    entry = db.session.scalar(sa.select(ActivityEntry).where(
        ActivityEntry.trainee_id == trainee.id, ActivityEntry.day == day, ActivityEntry.corrects_id.is_(None)))
    if entry is not None and entry.confirmed_at is not None:
        raise MentoringError(_l("Your mentor has confirmed this day; ask them to correct it."))
    if entry is None:
        entry = ActivityEntry(trainee_id=trainee.id, day=day, entered_by=trainee.id)
        try:
            with db.session.begin_nested():
                db.session.add(entry)
                for f in FIGURES:
                    setattr(entry, f, figures[f])
                entry.note = (note or "").strip() or None
        except IntegrityError:
            raise MentoringError(_l("This day was logged a moment ago in another window; reload the page.")) from None
        action = "activity_logged"
    else:
        for f in FIGURES:
            setattr(entry, f, figures[f])
        entry.note, entry.entered_at = (note or "").strip() or None, utcnow()
        action = "activity_changed"
    db.session.flush()
    record(action, entry, actor=trainee, day=day.isoformat(), **figures)
    return entry


def confirm_entry(entry: ActivityEntry, mentor: User) -> None:
    if entry.confirmed_at is None:
        entry.confirmed_by, entry.confirmed_at = mentor.id, utcnow()
        record("activity_confirmed", entry, actor=mentor, trainee=entry.trainee_id, day=entry.day.isoformat())


def correct_entry(entry: ActivityEntry, figures: dict, note: str | None, mentor: User) -> ActivityEntry:
    """A correction is a new entry; the original stays as the trainee entered it."""
    original = db.session.get(ActivityEntry, entry.corrects_id) if entry.corrects_id else entry
    correction = ActivityEntry(trainee_id=original.trainee_id, day=original.day, entered_by=mentor.id,
                               corrects_id=original.id, confirmed_by=mentor.id, confirmed_at=utcnow(),
                               note=(note or "").strip() or None, **figures)
    db.session.add(correction)
    if original.confirmed_at is None:
        original.confirmed_by, original.confirmed_at = mentor.id, utcnow()
    db.session.flush()
    record("activity_corrected", correction, actor=mentor, trainee=original.trainee_id, day=original.day.isoformat(),
           before=original.figures(), after=figures)
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


def targets_lookup():
    """A function team id -> weekly targets, for many trainees at once (one query)."""
    rows = {t.team_id: {f: getattr(t, f) for f in FIGURES} for t in db.session.scalars(sa.select(ActivityTarget))}
    default = rows.get(None) or {f: ActivityTarget.__table__.c[f].default.arg for f in FIGURES}
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


def role_play_by_user(user_ids) -> dict:
    """{user id: role-play state (see rules.role_play_state)} in two queries."""
    ids = list(user_ids)
    if not ids:
        return {}
    attempts, extensions = {}, {}
    for uid, state, passed in db.session.execute(sa.select(
            RolePlayAttempt.trainee_id, RolePlayAttempt.state, RolePlayAttempt.passed)
            .where(RolePlayAttempt.trainee_id.in_(ids))):
        attempts.setdefault(uid, []).append((state, passed))
    for uid, count in db.session.execute(sa.select(HoldDecision.trainee_id, sa.func.count(HoldDecision.id)).where(
            HoldDecision.trainee_id.in_(ids), HoldDecision.decision == "extend").group_by(HoldDecision.trainee_id)):
        extensions[uid] = count
    return {uid: rules.role_play_state(attempts.get(uid, []), ROLE_PLAY_ATTEMPTS + extensions.get(uid, 0))
            for uid in ids}


def ledger(trainee_id: int, team_id: int | None) -> Ledger:
    entries = db.session.scalars(sa.select(ActivityEntry).where(ActivityEntry.trainee_id == trainee_id)
                                 .order_by(ActivityEntry.id)).all()
    days = rules.effective((e.id, e.day, e.corrects_id, e.figures()) for e in entries)
    return Ledger(list(entries), days, targets_for(team_id))


def ledger_days(trainee_id: int) -> dict:
    return ledger(trainee_id, None).days


# ---------------------------------------------------------------- role-play

def role_play_allowed(trainee_id: int) -> int:
    extensions = db.session.scalar(sa.select(sa.func.count(HoldDecision.id)).where(
        HoldDecision.trainee_id == trainee_id, HoldDecision.decision == "extend")) or 0
    return ROLE_PLAY_ATTEMPTS + extensions


def role_play_status(trainee_id: int) -> dict:
    attempts = db.session.scalars(sa.select(RolePlayAttempt).where(RolePlayAttempt.trainee_id == trainee_id)
                                  .order_by(RolePlayAttempt.number)).all()
    allowed = role_play_allowed(trainee_id)
    state = rules.role_play_state([(a.state, a.passed) for a in attempts], allowed)
    open_attempt = next((a for a in attempts if a.state == SCHEDULED), None)
    return {"attempts": attempts, "allowed": allowed, "passed": state == "passed", "held": state == "held",
            "open": open_attempt, "state": state, "left": max(allowed - len(attempts), 0)}


def schedule_role_play(trainee: User, scenario, when: datetime, place: str | None, evaluators: list,
                       actor: User) -> RolePlayAttempt:
    status = role_play_status(trainee.id)
    if status["passed"]:
        raise MentoringError(_l("The trainee has passed the role-play already."))
    if status["open"] is not None:
        raise MentoringError(_l("An attempt is already scheduled; score it first."))
    if status["left"] == 0:
        raise MentoringError(_l("Both attempts are used. The head of sales decides what happens next."))
    if not evaluators:
        raise MentoringError(_l("Name at least one evaluator."))
    if trainee.id in {e.id for e in evaluators}:
        raise MentoringError(_l("The trainee cannot evaluate their own role-play."))
    attempt = RolePlayAttempt(trainee_id=trainee.id, scenario_slug=scenario.slug, number=len(status["attempts"]) + 1,
                              allowed=status["allowed"], scheduled_for=when, place=(place or "").strip() or None,
                              scheduled_by=actor.id, state=SCHEDULED)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
            db.session.flush()
    except IntegrityError:
        raise MentoringError(_l("Another attempt was scheduled a moment ago; reload the page.")) from None
    for evaluator in evaluators:
        db.session.add(RolePlayEvaluator(attempt_id=attempt.id, evaluator_id=evaluator.id))
    record("role_play_scheduled", attempt, actor=actor, trainee=trainee.id, scenario=scenario.slug,
           number=attempt.number, evaluators=[e.id for e in evaluators])
    notify([trainee.id], "role_play_scheduled", link=f"/role-play/{attempt.id}", when=when.isoformat(),
           scenario=scenario.title)
    notify([e.id for e in evaluators], "role_play_to_evaluate", link=f"/role-play/{attempt.id}",
           trainee=trainee.full_name, when=when.isoformat())
    return attempt


def submit_scores(attempt: RolePlayAttempt, scenario, evaluator: User, scores: dict) -> bool:
    """One evaluator's scores {criterion id: (score, comment)}; True when this completed the attempt."""
    seat = next((e for e in attempt.evaluators if e.evaluator_id == evaluator.id), None)
    if seat is None:
        raise MentoringError(_l("You are not an evaluator of this attempt."))
    if attempt.state != SCHEDULED or seat.submitted_at is not None:
        raise MentoringError(_l("Your scores for this attempt are already recorded."))
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
    record("role_play_result", attempt, actor=None, trainee=attempt.trainee_id, percent=float(result.percent),
           passed=result.passed, number=attempt.number)
    people = [attempt.trainee_id, _mentor_of(attempt.trainee_id)]
    notify(people, "role_play_result", link=f"/role-play/{attempt.id}", percent=f"{result.percent:g}",
           passed=result.passed)
    if not result.passed and role_play_status(attempt.trainee_id)["held"]:
        heads = db.session.scalars(sa.select(User.id).where(User.role == HEAD, User.active.is_(True))).all()
        trainee = db.session.get(User, attempt.trainee_id)
        notify(heads, "decision_due", link=f"/trainees/{attempt.trainee_id}/role-play", trainee=trainee.full_name)
    return True


def decide_hold(rec: TraineeRecord, decision: str, plan: str, new_date: date | None, head: User) -> HoldDecision:
    if not role_play_status(rec.user_id)["held"]:
        raise MentoringError(_l("There is no decision to take: the trainee is not held."))
    if decision == "extend" and (new_date is None or new_date <= today()):
        raise MentoringError(_l("An extension needs a new target date in the future."))
    choice = HoldDecision(trainee_id=rec.user_id, decision=decision, plan=plan.strip(), new_target_date=new_date,
                          decided_by=head.id)
    db.session.add(choice)
    if decision == "extend":
        rec.status, rec.target_date = "extended", new_date
    else:
        rec.status = "withdrawn"
    record(f"hold_{decision}", choice, actor=head, trainee=rec.user_id, plan=plan.strip(),
           new_target_date=new_date.isoformat() if new_date else None)
    resolve(f"/trainees/{rec.user_id}/role-play")
    notify([rec.user_id, rec.mentor_id], f"hold_{decision}", link=f"/trainees/{rec.user_id}/role-play",
           date=new_date.isoformat() if new_date else "")
    return choice


def evaluator_candidates() -> list:
    return list(db.session.scalars(sa.select(User).where(User.role.in_((MENTOR, HEAD)), User.active.is_(True))
                                   .order_by(User.full_name)))


# ---------------------------------------------------------------- the job description

def current_signature(trainee_id: int, document) -> Acknowledgement | None:
    return db.session.scalar(sa.select(Acknowledgement).where(
        Acknowledgement.trainee_id == trainee_id, Acknowledgement.document == document.slug,
        Acknowledgement.version == document.version))


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


def add_supervision_note(trainee: User, author: User, week_of: date, situation: str, advice: str) -> SupervisionNote:
    note = SupervisionNote(trainee_id=trainee.id, author_id=author.id, week_of=rules.monday(week_of),
                           situation=situation.strip(), advice=advice.strip())
    db.session.add(note)
    record("supervision_note", note, actor=author, trainee=trainee.id, week_of=note.week_of.isoformat())
    notify([trainee.id], "supervision_note", link=f"/trainees/{trainee.id}/supervision", author=author.full_name)
    return note
