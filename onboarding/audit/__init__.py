"""The one function that writes the audit log."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user

from ..extensions import db
from .models import AuditEvent
from ..timeutil import utcnow

_backdate: ContextVar[datetime | None] = ContextVar("audit_backdate", default=None)


@contextmanager
def backdated(when: datetime):
    """Events recorded inside carry this time: for loading history (the demo data), never for live requests."""
    token = _backdate.set(when)
    try:
        yield
    finally:
        _backdate.reset(token)


def _trainee_of(subject, actor, details) -> int | None:
    """The trainee an event concerns: named in the details, owning the subject, or acting themselves."""
    from ..auth.models import TRAINEE, User

    if isinstance(details.get("trainee"), int):
        return details["trainee"]
    if isinstance(subject, User):
        return subject.id if subject.role == TRAINEE else None
    for attribute in ("trainee_id", "user_id"):
        owner = getattr(subject, attribute, None)
        if isinstance(owner, int):
            owner_user = db.session.get(User, owner)
            return owner if owner_user is not None and owner_user.role == TRAINEE else None
    if getattr(actor, "role", None) == TRAINEE:
        return actor.id
    return None


def record(action: str, subject=None, actor=None, **details) -> AuditEvent:
    """Add an audit event to the session; the caller's commit makes it permanent."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if subject is not None and getattr(subject, "id", None) is None:
        db.session.flush()
    event = AuditEvent(
        at=_backdate.get() or utcnow(),
        action=action,
        actor_id=getattr(actor, "id", None),
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        trainee_id=_trainee_of(subject, actor, details),
        details=details,
        address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
