"""The audit log: one row per state change, never updated or deleted."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    subject_type: Mapped[str | None] = mapped_column(sa.String(32))
    subject_id: Mapped[int | None] = mapped_column(index=True)
    #: The trainee the event is about, when there is one: the trainee's timeline reads by it.
    trainee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    address: Mapped[str | None] = mapped_column(sa.String(64))


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit event."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(*_args):
    raise AppendOnlyError("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(*_args):
    raise AppendOnlyError("audit events cannot be deleted")
