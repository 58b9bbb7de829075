"""Mentoring actions: sign-offs, role-plays, signatures, assignments.

Every change records an audit event and tells the person who acts next; the view commits.
"""
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..auth.models import HEAD, MENTOR, User
from ..content.model import ROLE_PLAY_STAGE
from ..extensions import db, one_of
from ..notifications.services import notify, resolve
from ..people.models import TraineeRecord
from ..people.services import answerers, assign_mentor, lock_trainee  # noqa: F401 (assign_mentor: for the views)
from ..timeutil import aware, today, utcnow
from . import rules
from .signatures import current_signature
from .models import (CANCELLED, SCHEDULED, SCORED, Acknowledgement, HoldDecision, RolePlayAttempt, RolePlayEvaluator,
                     RolePlayScore, SignOffEvent)

class MentoringError(ValueError):
    """An action the rules refuse; the message is for the person who tried."""


# ---------------------------------------------------------------- facts for the progress rules

#: Built once (see learning.services): `ids` is a list, expanded when the statement runs.
_SIGN_OFFS_OF = (sa.select(SignOffEvent.trainee_id, SignOffEvent.task_id, SignOffEvent.kind, SignOffEvent.at)
                 .where(SignOffEvent.trainee_id.in_(sa.bindparam("ids", expanding=True))).order_by(SignOffEvent.id))
#: Every version's signatures of the document, first first: the first of any version and the first of the current
#: one date the signature requirement (path.progress._signed_on); the current one, under the account's name, meets it.
_SIGNATURES_OF = (sa.select(Acknowledgement.trainee_id, Acknowledgement.version, Acknowledgement.signed_at,
                            Acknowledgement.typed_name, User.full_name).join(User, User.id == Acknowledgement.trainee_id)
                  .where(Acknowledgement.trainee_id.in_(sa.bindparam("ids", expanding=True)),
                         Acknowledgement.document == sa.bindparam("document"))
                  .order_by(Acknowledgement.signed_at, Acknowledgement.id))
_ROLE_PLAYS_PASSED_OF = sa.select(RolePlayAttempt.trainee_id, RolePlayAttempt.completed_at).where(
    RolePlayAttempt.trainee_id.in_(sa.bindparam("ids", expanding=True)), RolePlayAttempt.passed.is_(True))
_ROLE_PLAYS_OF = sa.select(RolePlayAttempt.trainee_id, RolePlayAttempt.state, RolePlayAttempt.passed,
                           RolePlayAttempt.scheduled_for).where(RolePlayAttempt.trainee_id.in_(sa.bindparam("ids", expanding=True)))
_HOLDS_OF = (sa.select(HoldDecision.trainee_id, HoldDecision.decision)
             .where(HoldDecision.trainee_id.in_(sa.bindparam("ids", expanding=True))).order_by(HoldDecision.id))


def facts_by_user(user_ids, document=None) -> dict:
    """{user id: {"signed_tasks", "requested_tasks", "signature_current", "role_play_passed", "dates"}}
    in three queries. `document`: the job description in force (its slug and version), None to read no signature."""
    ids = list(user_ids)
    result = {uid: {"signed_tasks": set(), "requested_tasks": set(), "signature_current": False,
                    "role_play_passed": False, "dates": {}} for uid in ids}
    if not ids:
        return result
    states = {}
    for uid, task, kind, at in db.session.execute(_SIGN_OFFS_OF, {"ids": ids}):
        states[(uid, task)] = (kind, at)
    for (uid, task), (kind, at) in states.items():
        if kind == rules.SIGNED:
            result[uid]["signed_tasks"].add(task)
            result[uid]["dates"][f"task:{task}"] = at.date()
        elif kind == rules.REQUESTED:
            result[uid]["requested_tasks"].add(task)
    if document is not None:
        for uid, version, at, typed, name in db.session.execute(_SIGNATURES_OF, {"ids": ids, "document": document.slug}):
            # Whether the requirement is met now is the current version's, signed with the name the account has
            # now (rules.signature_current); the first signatures date it (path.progress._signed_on).
            dates = result[uid]["dates"]
            dates.setdefault("signature", at.date())
            if version == document.version:
                dates.setdefault("signature:current", at.date())
            if rules.signature_current(version, typed, document.version, name):
                result[uid]["signature_current"] = True
    for uid, at in db.session.execute(_ROLE_PLAYS_PASSED_OF, {"ids": ids}):
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
    if stage is not None and stage.waits_for_decision:
        return _l("“%(task)s” belongs to stage %(n)d, which waits for the go/no-go decision after cold calling; it "
                  "can be asked for and signed off after a go.", task=task.title, n=stage.number)
    if stage is not None and stage.locked_reason:
        return _l("“%(task)s” belongs to stage %(n)d, “%(stage)s”, which opens when stage %(m)d, “%(previous)s”, "
                  "is complete; it can be asked for and signed off from then on.",
                  task=task.title, n=stage.number, stage=stage.title, m=stage.number - 1,
                  previous=stage.locked_reason)
    return _l("“%(task)s” belongs to stage %(n)d, which is not open yet; it can be asked for and signed off once "
              "the stage opens.", task=task.title, n=task.stage)


def _sign_off_event(trainee: User, task, kind: str, actor: User, note: str | None, evidence: str | None = None,
                    stage=None):
    """One step on a task. `stage` is the task's stage on the trainee's path (a path.progress.StageProgress,
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


def role_play_by_user(user_ids, now=None) -> dict:
    """{user id: role-play state (see rules.role_play_state)} in two queries."""
    ids = list(user_ids)
    if not ids:
        return {}
    attempts, decisions = {}, {}
    for uid, state, passed, when in db.session.execute(_ROLE_PLAYS_OF, {"ids": ids}):
        attempts.setdefault(uid, []).append((state, passed, aware(when)))
    for uid, decision in db.session.execute(_HOLDS_OF, {"ids": ids}):
        decisions[uid] = decision
    allowed = role_play_attempts()
    return {uid: rules.role_play_state(attempts.get(uid, []), allowed, now or utcnow(), decisions.get(uid))
            for uid in ids}


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

    progress: the trainee's path (path.service.trainee_progress), computed by the caller.
    """
    status = status or role_play_status(trainee_id)
    quizzes, tasks = role_play_requirements(curriculum)
    stage = next((s for s in progress.stages if s.needs_role_play), None)
    facts = facts_by_user([trainee_id])[trainee_id]
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
    return list(db.session.scalars(sa.select(User).where(one_of(User.role, (MENTOR, HEAD)), User.active.is_(True))
                                   .order_by(User.full_name, User.id)))


# ---------------------------------------------------------------- the job description

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

