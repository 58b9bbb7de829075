"""State changes of the mail room, each with its audit event: each person's choice per kind of e-mail (at once,
in the weekly digest, off; the signed link switches one kind off or on again), and queueing a failed message once
more."""
import sqlalchemy as sa

from ..audit import record
from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow
from .kinds import LABELS, choices_for, default_choice, effective, kinds_for
from .models import FAILED, OFF, QUEUED, MailPreference, OutboxMessage


class PreferenceRefused(ValueError):
    """A choice this person may not make for this kind (off for an escalation to a head, the digest for a trainee).
    `kind` names it."""

    def __init__(self, kind: str, choice: str):
        super().__init__(f"{choice!r} is not a choice for {kind!r}")
        self.kind, self.choice = kind, choice


def preferences_of(user: User) -> dict:
    """{kind: the choice that applies} for every kind this person receives, in one query."""
    stored = dict(db.session.execute(sa.select(MailPreference.kind, MailPreference.choice)
                                     .where(MailPreference.user_id == user.id)).all())
    return {kind: effective(kind, user.role, stored.get(kind)) for kind in kinds_for(user.role)}


def set_preferences(user: User, wanted: dict, actor: User) -> dict:
    """Store these choices ({kind: choice}); returns what changed. Refuses (PreferenceRefused, nothing stored) a
    kind it does not know or a choice this person may not make for it: a head of sales cannot switch off an
    escalation, whatever the form sent."""
    for kind, choice in wanted.items():
        if kind not in LABELS or choice not in choices_for(kind, user.role):
            raise PreferenceRefused(kind, choice)
    before = preferences_of(user)
    changed = {kind: choice for kind, choice in wanted.items() if before.get(kind, default_choice(kind)) != choice}
    for kind, choice in changed.items():
        _store(user.id, kind, choice)
    if changed:
        record("mail_preferences_changed", user, actor=actor, changes=dict(sorted(changed.items())))
    return changed


def _store(user_id: int, kind: str, choice: str) -> None:
    row = db.session.get(MailPreference, (user_id, kind))
    if choice == default_choice(kind):
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(MailPreference(user_id=user_id, kind=kind, choice=choice))
    else:
        row.choice = choice


def is_opted_out(user: User, kind: str) -> bool:
    row = db.session.get(MailPreference, (user.id, kind))
    return effective(kind, user.role, row.choice if row else None) == OFF


def may_opt_out(user: User, kind: str) -> bool:
    return OFF in choices_for(kind, user.role)


def opt_out(user: User, kind: str) -> bool:
    """No more e-mail of this kind for this person (True when that is new). The signed link calls it; an
    escalation to a head of sales is refused (PreferenceRefused)."""
    if not may_opt_out(user, kind):
        raise PreferenceRefused(kind, OFF)
    if is_opted_out(user, kind):
        return False
    _store(user.id, kind, OFF)
    record("mail_unsubscribed", user, actor=user, kind=kind)
    return True


def opt_in(user: User, kind: str) -> bool:
    """E-mail of this kind again, as the default sends it (True when it had been switched off)."""
    if not is_opted_out(user, kind):
        return False
    _store(user.id, kind, default_choice(kind))
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
