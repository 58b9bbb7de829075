"""State changes of the mail room, each with its audit event: switching a kind of e-mail off or on again, and
queueing a failed message once more."""
import sqlalchemy as sa

from ..audit import record
from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow
from .models import FAILED, QUEUED, MailOptOut, OutboxMessage


def is_opted_out(user_id: int, kind: str) -> bool:
    return db.session.get(MailOptOut, (user_id, kind)) is not None


def opt_out(user: User, kind: str) -> bool:
    """No more e-mail of this kind for this person (True when that is new). Only the signed link calls it."""
    if is_opted_out(user.id, kind):
        return False
    db.session.add(MailOptOut(user_id=user.id, kind=kind))
    record("mail_unsubscribed", user, actor=user, kind=kind)
    return True


def opt_in(user: User, kind: str) -> bool:
    """E-mail of this kind again (True when it had been switched off)."""
    deleted = db.session.execute(sa.delete(MailOptOut).where(MailOptOut.user_id == user.id, MailOptOut.kind == kind))
    if not deleted.rowcount:
        return False
    record("mail_resubscribed", user, actor=user, kind=kind)
    return True


def send_again(message: OutboxMessage, admin: User) -> bool:
    """A message that failed for good goes back to the queue, due now, with its attempts counted afresh."""
    if message.state != FAILED or not message.raw:
        return False
    message.state, message.attempts, message.next_attempt_at = QUEUED, 0, utcnow()
    message.failed_at = None
    record("mail_requeued", message, actor=admin, to=message.to_address, kind=message.kind,
           error=message.last_error)
    return True


def counts_by_state() -> dict:
    return dict(db.session.execute(sa.select(OutboxMessage.state, sa.func.count(OutboxMessage.id))
                                   .group_by(OutboxMessage.state)).all())
