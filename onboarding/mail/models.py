"""The outbox (one row per message, its whole text fixed when the event happened) and the opt-outs."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
STATES = (QUEUED, SENDING, SENT, FAILED)


class OutboxMessage(db.Model):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The recipient's account (None once the account is gone; the address stays for the record).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    message_id: Mapped[str] = mapped_column(sa.String(250), unique=True)
    #: What the message is about ("attempts/12", "role-play/3"): messages with the same key form one thread.
    thread_key: Mapped[str] = mapped_column(sa.String(120))
    #: The References header: the thread's root, then the earlier messages to the same person.
    reference_ids: Mapped[str] = mapped_column(sa.Text, default="")
    #: The whole message as sent (RFC 5322, ASCII): retries send exactly the same bytes.
    raw: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)

    __table_args__ = (
        sa.CheckConstraint(sa.text("state IN ('queued', 'sending', 'sent', 'failed')"), name="state"),
        sa.Index("ix_mail_outbox_due", "state", "next_attempt_at"),
        sa.Index("ix_mail_outbox_thread", "user_id", "thread_key"),
    )


class MailOptOut(db.Model):
    """A person who asked, through the link in a message, for no more e-mail of one kind."""

    __tablename__ = "mail_opt_outs"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
