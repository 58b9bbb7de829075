"""Accounts and trainee plans: every change here writes an audit event; the view commits."""
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..assessment.models import AWAITING, Answer, QuizAttempt
from ..audit import record
from ..auth.models import HEAD, MENTOR, TRAINEE, User
from ..auth.services import normalise_email, told_apart
from ..extensions import db, one_of
from ..activity.models import ActivityEntry
from ..mentoring.models import MentorAssignment, SignOffEvent
from ..mentoring.rules import REQUESTED
from ..notifications.services import notify, resolve
from ..timeutil import today, utcnow
from ..values import BoundedStore
from .models import TraineeRecord


class PeopleError(ValueError):
    """A change that would break a rule; the message is for the person who asked."""


_RECORD = sa.select(TraineeRecord).where(TraineeRecord.user_id == sa.bindparam("uid"))  # built once: every page asks


def record_of(user: User) -> TraineeRecord:
    """The trainee's record; an unsaved default when an old account has none (reading never writes)."""
    found = db.session.scalar(_RECORD, {"uid": user.id})
    if found is not None:
        return found
    start = user.created_at.date() if user.created_at else today()
    return TraineeRecord(user_id=user.id, user=user, start_date=start,
                         target_date=TraineeRecord.default_target(start, 180), status="in_training")


#: Built once, as every write to a trainee's rows takes it.
#: (It changes nothing, so no object loaded in the session needs to follow: no synchronisation.)
_LOCK = (sa.update(TraineeRecord).where(TraineeRecord.user_id == sa.bindparam("uid"))
         .values(status=TraineeRecord.status).execution_options(synchronize_session=False))


def lock_trainee(user_id: int) -> None:
    """Take the write lock on a trainee's record before reading their state, so two requests that both
    check-then-act on the same trainee run one after the other (SQLite and PostgreSQL alike)."""
    db.session.execute(_LOCK, {"uid": user_id})


_MENTORS = sa.select(User.id, User.full_name, User.email)\
    .where(one_of(User.role, (MENTOR, HEAD)), User.active.is_(True)).order_by(User.role.desc(), User.full_name, User.id)


class MentorChoice(NamedTuple):
    """One person a trainee can be given to, as the lists of mentors show them."""

    id: int
    label: str  # the name; with the e-mail address when someone else who can mentor has the same name


_mentor_lists = BoundedStore(16)  # this worker's lists of mentors, under the rows they were made from


def mentors() -> tuple[MentorChoice, ...]:
    """People who can mentor: mentors, and heads of sales who train a newcomer personally. Two people of one name
    are told apart by their addresses (a head assigning "Anna Schmidt" must know which one). Plain values: the
    dashboard lists every one of them twice on each page.

    Read on every call; made into the list once per worker for as long as the rows read are the same (they are
    the key, so a new, renamed or departed mentor is a new list at once), and the same tuple each time, which
    `forms_common.kept_options` recognises: with 200 mentors, building the list cost a tenth of the dashboard."""
    if db.session.autoflush:
        db.session.flush()  # as an ORM query would: a mentor added in this transaction is listed
    rows = tuple(map(tuple, db.session.connection().execute(_MENTORS)))  # plain tuples: no ORM loading, and a
    # database row compares in Python, a tuple in C
    return _mentor_lists.keep(rows, lambda: tuple(MentorChoice(uid, label) for uid, label in told_apart(rows)))


# ---------------------------------------------------------------- who answers for a trainee

def active_heads() -> list[int]:
    return list(db.session.scalars(sa.select(User.id).where(User.role == HEAD, User.active.is_(True))
                                   .order_by(User.id)))


#: Built once: the trainee's home, ledger and checklist ask, and so does every notification to whoever answers.
_ACTING_MENTOR = (sa.select(User).join(TraineeRecord, TraineeRecord.mentor_id == User.id)
                  .where(TraineeRecord.user_id == sa.bindparam("tid"), User.active.is_(True)))


def acting_mentor(trainee_id: int) -> User | None:
    """The trainee's mentor when one is assigned and active; None: the heads of sales answer for the trainee."""
    return db.session.scalar(_ACTING_MENTOR, {"tid": trainee_id})


def answerers(trainee_id: int) -> list[int]:
    """Who answers for this trainee (grades, signs off, confirms the ledger, recommends): the mentor if one is
    assigned and active, else every active head of sales, as the head trains a newcomer nobody mentors."""
    mentor = acting_mentor(trainee_id)
    return [mentor.id] if mentor is not None else active_heads()


def waiting_for_answer(trainee_id: int) -> dict:
    """What waits on whoever answers for the trainee: {"answers", "sign_offs", "ledger_days": counts,
    "links": the links their notifications point at}."""
    attempts = db.session.scalars(sa.select(QuizAttempt.id).where(QuizAttempt.user_id == trainee_id,
                                                                  QuizAttempt.state == AWAITING)).all()
    answers = (db.session.scalar(sa.select(sa.func.count(Answer.id)).where(
        Answer.attempt_id.in_(attempts), Answer.needs_review.is_(True), Answer.mentor_score.is_(None))) or 0
               if attempts else 0)
    latest = {}
    for task, kind in db.session.execute(sa.select(SignOffEvent.task_id, SignOffEvent.kind)
                                         .where(SignOffEvent.trainee_id == trainee_id).order_by(SignOffEvent.id)):
        latest[task] = kind
    sign_offs = sum(1 for kind in latest.values() if kind == REQUESTED)
    days = db.session.scalar(sa.select(sa.func.count(ActivityEntry.id)).where(
        ActivityEntry.trainee_id == trainee_id, ActivityEntry.corrects_id.is_(None),
        ActivityEntry.confirmed_at.is_(None))) or 0
    links = [f"/attempts/{a}/grade" for a in attempts] + ([f"/trainees/{trainee_id}/checklist"] if sign_offs else [])
    return {"answers": answers, "sign_offs": sign_offs, "ledger_days": days, "links": links}


def assign_mentor(rec: TraineeRecord, mentor_id: int | None, actor) -> None:
    """Close the current assignment and open a new one (the history stays), then hand over what waits: the new
    mentor (with none, the other heads of sales) gets one summary, the trainee is told who answers for them,
    and whoever answered before has their notifications about the waiting items resolved."""
    if mentor_id == rec.mentor_id:
        return
    before = answerers(rec.user_id)
    now = utcnow()
    db.session.execute(sa.update(MentorAssignment).where(MentorAssignment.trainee_id == rec.user_id,
                                                         MentorAssignment.ended_at.is_(None)).values(ended_at=now))
    mentor = db.session.get(User, mentor_id) if mentor_id is not None else None
    if mentor is not None:
        db.session.add(MentorAssignment(trainee_id=rec.user_id, mentor_id=mentor_id,
                                        assigned_by=getattr(actor, "id", None), started_at=now))
    record("mentor_assigned", rec, actor=actor, trainee=rec.user_id, before=rec.mentor_id, after=mentor_id)
    rec.mentor_id = mentor_id
    counts = waiting_for_answer(rec.user_id)
    links = counts.pop("links")
    after = [mentor.id] if mentor is not None and mentor.active else active_heads()
    name = rec.user.full_name
    if mentor is not None:
        notify([mentor.id], "mentor_assigned", link=f"/trainees/{rec.user_id}", trainee=name, **counts)
        notify([rec.user_id], "mentor_named", link="/", mentor=mentor.full_name)
    else:
        notify([h for h in after if h != getattr(actor, "id", None)], "mentor_removed",
               link=f"/trainees/{rec.user_id}", trainee=name, **counts)
        notify([rec.user_id], "mentor_none", link="/")
    handed_from = [u for u in before if u not in after]
    for link in links:
        resolve(link, user_ids=handed_from)


def email_taken(email: str, except_id: int | None = None) -> bool:
    """Another account has this address, whatever its capitals (addresses are stored lower-cased)."""
    query = sa.select(User.id).where(User.email == normalise_email(email))
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def create_user(email: str, full_name: str, role: str, password: str, actor=None, *, start_date: date | None = None,
                mentor_id: int | None = None, ramp_days: int = 180) -> User:
    if email_taken(email):
        raise PeopleError(_l("An account with this email already exists."))
    user = User(email=normalise_email(email), full_name=full_name.strip(), role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user_created", user, actor=actor, email=user.email, role=role)
    if role == TRAINEE:
        _add_record(user, start_date or today(), mentor_id, ramp_days, actor)
    return user


def _add_record(user: User, start: date, mentor_id, ramp_days: int, actor) -> TraineeRecord:
    rec = TraineeRecord(user_id=user.id, start_date=start, target_date=TraineeRecord.default_target(start, ramp_days),
                        mentor_id=None, status="in_training")
    db.session.add(rec)
    db.session.flush()
    if mentor_id is not None:
        assign_mentor(rec, mentor_id, actor)
    record("trainee_added", rec, actor=actor, trainee=user.id, start_date=start.isoformat(), mentor=mentor_id)
    return rec


def set_role(user: User, role: str, actor, ramp_days: int = 180) -> None:
    if user.id == getattr(actor, "id", None):
        raise PeopleError(_l("You cannot change your own role."))
    if role == user.role:
        return
    record("role_changed", user, actor=actor, before=user.role, after=role)
    user.role = role
    if role == TRAINEE and db.session.scalar(sa.select(TraineeRecord.id).where(TraineeRecord.user_id == user.id)) is None:
        _add_record(user, today(), None, ramp_days, actor)


def set_active(user: User, active: bool, actor) -> None:
    if user.id == getattr(actor, "id", None) and not active:
        raise PeopleError(_l("You cannot deactivate your own account."))
    if user.active == active:
        return
    user.active = active
    user.session_version = (user.session_version or 0) + 1
    record("user_activated" if active else "user_deactivated", user, actor=actor)


def correct_identity(user: User, full_name: str, email: str, actor) -> dict:
    """Correct a person's full name and e-mail (audited with the old values). A trainee whose current
    job-description signature no longer matches the new name is asked to sign again: the signature stops counting
    (rules.signature_current) and they are told why. Returns {"changed": fields, "sign_again": bool}."""
    from ..content import curriculum
    from ..mentoring import rules
    from ..mentoring.signatures import current_signature

    name, address = " ".join((full_name or "").split()), normalise_email(email)
    if not name:
        raise PeopleError(_l("Enter the full name."))
    if address != user.email and email_taken(address):
        raise PeopleError(_l("Another account already uses %(email)s (capital letters make no difference).",
                             email=address))
    before = {"full_name": user.full_name, "email": user.email}
    after = {"full_name": name, "email": address}
    changed = [key for key in before if before[key] != after[key]]
    if not changed:
        return {"changed": [], "sign_again": False}
    document = curriculum().job_description if user.role == TRAINEE else None
    signature = current_signature(user.id, document) if document is not None else None
    sign_again = signature is not None and not rules.names_match(signature.typed_name, name)
    try:
        with db.session.begin_nested():  # two corrections racing to one address: the database keeps it unique
            user.full_name, user.email = name, address
            db.session.flush()
    except IntegrityError:
        raise PeopleError(_l("Another account already uses %(email)s (capital letters make no difference).",
                             email=address)) from None
    record("identity_corrected", user, actor=actor, before={k: before[k] for k in changed},
           after={k: after[k] for k in changed}, sign_again=sign_again)
    if sign_again:
        notify([user.id], "signature_name_changed", link="/job-description", trainee_id=user.id,
               before=signature.typed_name, after=name)
    if "email" in changed:
        notify([user.id], "email_changed", link="/account", before=before["email"], after=address)
    return {"changed": changed, "sign_again": sign_again}


def reset_password(user: User, password: str, actor) -> None:
    user.set_password(password)
    record("password_reset", user, actor=actor)


def update_plan(rec: TraineeRecord, start_date: date, target_date: date, mentor_id: int | None, actor,
                team_id: int | None = None) -> None:
    """Change the start date, target readiness date, team or mentor; each change is audited."""
    if team_id != rec.team_id:
        record("team_changed", rec, actor=actor, trainee=rec.user_id, before=rec.team_id, after=team_id)
        rec.team_id = team_id
    if target_date <= start_date:
        raise PeopleError(_l("The target date must come after the start date."))
    if mentor_id is not None and mentor_id not in {m.id for m in mentors()}:
        raise PeopleError(_l("Choose an active mentor or head of sales."))
    if mentor_id != rec.mentor_id:
        assign_mentor(rec, mentor_id, actor)
    if (start_date, target_date) != (rec.start_date, rec.target_date):
        record("plan_changed", rec, actor=actor, trainee=rec.user_id,
               before=[rec.start_date.isoformat(), rec.target_date.isoformat()],
               after=[start_date.isoformat(), target_date.isoformat()])
        rec.start_date, rec.target_date = start_date, target_date
