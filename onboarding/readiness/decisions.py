"""The readiness decision: the mentor recommends, the head of sales decides. Each step is a new row,
written with its audit event and notifications; the view commits."""
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..audit import record
from ..auth.models import DIRECTOR, HEAD, User
from ..evidence.services import keep_for_decision
from ..extensions import db
from ..notifications.services import notify, resolve
from ..people.models import TraineeRecord
from ..people.services import active_heads, answerers, lock_trainee
from ..timeutil import today
from .models import (APPROVED, DECISIONS, EXTENDED, NO_GO, REJECTED, VERDICTS, DirectorCheck, GoDecision,
                     ReadinessDecision, Recommendation)
from ..path.progress import go_refusal

#: Statuses from which a decision can still be taken.
OPEN_STATUSES = ("in_training", "awaiting_approval", "extended")
NEXT_STATUS = {APPROVED: "independent", EXTENDED: "extended", REJECTED: "in_training"}


class DecisionError(ValueError):
    """A step the rules refuse; the message is for the person who tried."""


def _locked(rec: TraineeRecord) -> None:
    """Save a default record an old account lacked, then lock it and read its current status."""
    if rec.id is None:
        db.session.add(rec)
        db.session.flush()
    lock_trainee(rec.user_id)
    db.session.refresh(rec)


def recommend(rec: TraineeRecord, mentor: User, ready: bool, note: str) -> Recommendation:
    """The mentor's recommendation; a ready one puts the trainee before the head of sales."""
    _locked(rec)
    if rec.status not in OPEN_STATUSES:
        raise DecisionError(_l("The training has ended; there is nothing to recommend."))
    if not note.strip():
        raise DecisionError(_l("Write a note: what you saw that makes you recommend this."))
    row = Recommendation(trainee_id=rec.user_id, mentor_id=mentor.id, ready=ready, note=note.strip())
    db.session.add(row)
    if ready:
        rec.status = "awaiting_approval"
    elif rec.status == "awaiting_approval":
        rec.status = "in_training"
    record("readiness_recommended", row, actor=mentor, trainee=rec.user_id, ready=ready, note=note.strip())
    if ready:
        heads = db.session.scalars(sa.select(User.id).where(User.role == HEAD, User.active.is_(True))).all()
        notify(heads, "readiness_recommended", link=_link(rec), trainee=rec.user.full_name, mentor=mentor.full_name)
    return row


def decide(rec: TraineeRecord, head: User, decision: str, note: str, gates: list, evidence: dict, *,
           override_reason: str = "", new_target_date: date | None = None, plan: str = "") -> ReadinessDecision:
    """The head's decision, kept with the evidence it was taken on; approving past an unmet gate needs a reason."""
    _locked(rec)
    if decision not in DECISIONS:
        raise DecisionError(_l("Choose approve, extend or reject."))
    if rec.status not in OPEN_STATUSES:
        raise DecisionError(_l("A final decision on this trainee is already recorded."))
    if not note.strip():
        raise DecisionError(_l("Write a note for the trainee and the mentor."))
    unmet = [g.key for g in gates if not g.met]
    override_reason = override_reason.strip()
    if decision == APPROVED and unmet and not override_reason:
        raise DecisionError(_l("Some readiness gates are not met: approving needs a written override reason."))
    if decision == EXTENDED:
        if new_target_date is None or new_target_date <= today():
            raise DecisionError(_l("An extension needs a new target date in the future."))
        if not plan.strip():
            raise DecisionError(_l("An extension needs a plan: what the trainee will do until the new date."))
    latest = db.session.scalar(sa.select(Recommendation).where(Recommendation.trainee_id == rec.user_id)
                               .order_by(Recommendation.created_at.desc(), Recommendation.id.desc()).limit(1))
    row = ReadinessDecision(
        trainee_id=rec.user_id, head_id=head.id, decision=decision, note=note.strip(),
        override_reason=override_reason if decision == APPROVED and unmet else None,
        new_target_date=new_target_date if decision == EXTENDED else None,
        plan=plan.strip() if decision == EXTENDED else None,
        recommendation_id=latest.id if latest else None, evidence=evidence)
    db.session.add(row)
    keep_for_decision(evidence)
    before = rec.status
    rec.status = NEXT_STATUS[decision]
    if decision == EXTENDED:
        rec.target_date = new_target_date
    record(f"readiness_{decision}", row, actor=head, trainee=rec.user_id, before=before, after=rec.status,
           unmet_gates=unmet, override_reason=row.override_reason, note=note.strip(),
           new_target_date=new_target_date.isoformat() if row.new_target_date else None)
    resolve(_link(rec))
    told = [rec.user_id, *(a for a in answerers(rec.user_id) if a != head.id)]  # the mentor, else the other heads
    notify(told, f"readiness_{decision}", link=_link(rec), trainee=rec.user.full_name,
           date=new_target_date.isoformat() if row.new_target_date else "")
    return row


def director_check(rec: TraineeRecord, director: User, verdict: str, note: str) -> DirectorCheck:
    """The director's own check on a trainee, audited; it changes nothing else (the head of sales decides)."""
    if director.role != DIRECTOR:
        raise DecisionError(_l("Only the director records a director's check."))
    if verdict not in VERDICTS:
        raise DecisionError(_l("Choose satisfied or not yet."))
    row = DirectorCheck(trainee_id=rec.user_id, director_id=director.id, verdict=verdict, note=note.strip())
    db.session.add(row)
    record("director_check", row, actor=director, trainee=rec.user_id, verdict=verdict, note=note.strip())
    return row


def director_checks(trainee_id: int) -> list:
    """Every director's check on a trainee, newest first."""
    return db.session.scalars(sa.select(DirectorCheck).where(DirectorCheck.trainee_id == trainee_id)
                              .order_by(DirectorCheck.created_at.desc(), DirectorCheck.id.desc())).all()


#: Why the go / no-go decision is refused, by the key progress.go_refusal gives.
GO_REFUSALS = {
    "verdict": _l("Choose go or no-go."),
    "no_stage": _l("This curriculum has no cold-calling stage to decide after."),
    "decided": _l("The decision after cold calling is recorded already; it is not changed."),
    "not_open": _l("Cold calling (stage 2) has not started yet: there is nothing to decide."),
    "work_not_done": _l("Cold calling (stage 2) is not finished yet: a go waits until its work is done."),
}


def decide_go(rec: TraineeRecord, actor: User, verdict: str, note: str) -> GoDecision:
    """The decision after cold calling, by the trainee's mentor or a head of sales: a go opens stage 3; a no-go
    ends the training (status withdrawn), with a note. Audited; the trainee, the mentor and the heads are told."""
    from ..path.service import trainee_progress

    _locked(rec)
    if rec.status not in OPEN_STATUSES:
        raise DecisionError(_l("The training has ended; there is nothing to decide."))
    refusal = go_refusal(trainee_progress(rec), verdict)
    if refusal:
        raise DecisionError(GO_REFUSALS[refusal])
    note = (note or "").strip()
    if verdict == NO_GO and not note:
        raise DecisionError(_l("A no-go needs a note: why you part ways."))
    row = GoDecision(trainee_id=rec.user_id, verdict=verdict, note=note, decided_by=actor.id)
    db.session.add(row)
    before = rec.status
    if verdict == NO_GO:
        rec.status = "withdrawn"
    record(f"cold_calling_{verdict}", row, actor=actor, trainee=rec.user_id, before=before, after=rec.status,
           note=note)
    told = [uid for uid in (rec.user_id, *answerers(rec.user_id), *active_heads()) if uid != actor.id]
    notify(told, f"cold_calling_{verdict}", link=go_link(rec), trainee=rec.user.full_name, trainee_id=rec.user_id,
           by=actor.full_name)
    return row


_GO_DECISIONS_OF = sa.select(GoDecision).where(GoDecision.trainee_id.in_(sa.bindparam("ids", expanding=True)))  # built once (learning.services)


def go_decisions_by_user(user_ids) -> dict:
    """{trainee id: their go / no-go decision after cold calling} in one query (trainees without one are absent)."""
    ids = list(user_ids)
    if not ids:
        return {}
    return {d.trainee_id: d for d in db.session.scalars(_GO_DECISIONS_OF, {"ids": ids})}


def go_decision_of(trainee_id: int) -> GoDecision | None:
    return db.session.scalar(sa.select(GoDecision).where(GoDecision.trainee_id == trainee_id))


def go_link(rec: TraineeRecord) -> str:
    return f"/trainees/{rec.user_id}#go-decision"


def history(trainee_id: int) -> tuple:
    """(recommendations, decisions) for one trainee, newest first."""
    recs = db.session.scalars(sa.select(Recommendation).where(Recommendation.trainee_id == trainee_id)
                              .order_by(Recommendation.created_at.desc(), Recommendation.id.desc())).all()
    decisions = db.session.scalars(sa.select(ReadinessDecision).where(ReadinessDecision.trainee_id == trainee_id)
                                   .order_by(ReadinessDecision.decided_at.desc(), ReadinessDecision.id.desc())).all()
    return recs, decisions


def _link(rec: TraineeRecord) -> str:
    return f"/trainees/{rec.user_id}#readiness"
