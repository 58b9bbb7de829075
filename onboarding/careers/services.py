"""Career levels from the rows: where an independent person stands, and recording a promotion (audited, the
person and whoever answers for them told); the view commits."""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit import record
from ..auth.models import HEAD, User
from ..content import curriculum
from ..extensions import db
from ..i18n import fmt_date
from ..notifications.services import notify
from ..people.models import ACTIVE_STATUSES, INDEPENDENT, TraineeRecord
from ..people.services import answerers, lock_trainee
from ..readiness.models import APPROVED, ReadinessDecision
from ..timeutil import aware, today
from . import rules
from .models import Promotion



class CareerError(ValueError):
    """A promotion the rules refuse; the message is for the person who tried."""


def independent_since(rec: TraineeRecord) -> date | None:
    """The day a person was approved for independent work (the head of sales' approval; for a record made
    independent without one, such as an import, its target readiness date); None while not independent."""
    if rec.status != INDEPENDENT:
        return None
    approved = db.session.scalar(sa.select(ReadinessDecision.decided_at).where(
        ReadinessDecision.trainee_id == rec.user_id, ReadinessDecision.decision == APPROVED)
        .order_by(ReadinessDecision.decided_at.desc()).limit(1))
    return aware(approved).date() if approved is not None else rec.target_date


def history(person_id: int) -> list:
    """Every promotion of a person, oldest first."""
    return list(db.session.scalars(sa.select(Promotion).where(Promotion.person_id == person_id)
                                   .order_by(Promotion.decided_at, Promotion.id)))


def career_of(rec: TraineeRecord) -> tuple:
    """(rules.Standing or None while in training or without levels, the promotions oldest first). A person still
    in training has had no promotion: their page and home ask nothing."""
    if rec.status in ACTIVE_STATUSES:
        return None, []
    rows = history(rec.user_id)
    current = rules.standing(curriculum().career_levels, independent_since(rec),
                             [(p.to_level, aware(p.decided_at).date()) for p in rows])
    return current, rows


def _refusal_text(why: str, current) -> str:
    texts = {
        rules.NO_LEVELS: lambda: _("The content has no career levels (content/career-levels.yaml)."),
        rules.NOT_INDEPENDENT: lambda: _("Career levels start once the person is approved for independent work."),
        rules.TOP_LEVEL: lambda: _("This person holds the highest level already."),
        rules.NOT_NEXT: lambda: _("Promote one level at a time: the next level is %(n)d, %(name)s.",
                                  n=current.next.number, name=current.next.name),
        rules.TOO_EARLY: lambda: ngettext("Level %(n)d may be recorded from %(date)s (%(num)d month of independent "
                                          "work). Before then, write an override reason.",
                                          "Level %(n)d may be recorded from %(date)s (%(num)d months of independent "
                                          "work). Before then, write an override reason.",
                                          current.next.minimum_months, n=current.next.number,
                                          date=fmt_date(current.eligible_from)),
    }
    return texts[why]()


def promote(rec: TraineeRecord, head: User, to_level: int | None, note: str, override_reason: str = "") -> Promotion:
    """A head of sales records a promotion to the next level with the evidence it is decided on; before the
    level's minimum months have passed, only with an override reason."""
    if head.role != HEAD:
        raise CareerError(_("Only a head of sales records a promotion."))
    lock_trainee(rec.user_id)
    db.session.refresh(rec)
    note, override_reason = (note or "").strip(), (override_reason or "").strip()
    if not note:
        raise CareerError(_("Write the evidence the promotion is decided on."))
    current, _rows = career_of(rec)
    why = rules.refusal(curriculum().career_levels, current, to_level, today(), bool(override_reason))
    if why:
        raise CareerError(_refusal_text(why, current))
    early = today() < current.eligible_from
    row = Promotion(person_id=rec.user_id, from_level=current.number, to_level=to_level, note=note,
                    override_reason=override_reason if early else None, decided_by=head.id)
    db.session.add(row)
    record("career_promoted", row, actor=head, trainee=rec.user_id, from_level=current.number, to_level=to_level,
           note=note, override_reason=row.override_reason)
    told = [uid for uid in (rec.user_id, *answerers(rec.user_id)) if uid != head.id]
    notify(told, "career_promoted", link=f"/trainees/{rec.user_id}#career", trainee=rec.user.full_name,
           trainee_id=rec.user_id, level=to_level)
    return row


def career_json(rec: TraineeRecord) -> dict | None:
    """The career level as plain JSON values (the API's `career_level`); None while in training."""
    current, rows = career_of(rec)
    if current is None:
        return None
    nxt = current.next
    return {
        "level": current.number, "key": current.level.key if current.level else None,
        "name": current.level.name if current.level else None, "since": current.since.isoformat(),
        "independent_since": current.independent_since.isoformat(),
        "next": None if nxt is None else {"level": nxt.number, "key": nxt.key, "name": nxt.name,
                                          "minimum_months": nxt.minimum_months,
                                          "eligible_from": current.eligible_from.isoformat()},
        "history": [{"from_level": p.from_level, "to_level": p.to_level, "at": aware(p.decided_at).isoformat(),
                     "decided_by": p.decider.full_name if p.decider else None, "note": p.note,
                     "override_reason": p.override_reason} for p in rows],
    }
