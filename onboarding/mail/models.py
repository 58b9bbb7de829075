"""The outbox (one row per message, its whole text fixed when the event happened) and the opt-outs."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..notifications.models import Notification
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


IMMEDIATELY, DIGEST, OFF = "immediately", "digest", "off"
CHOICES = (IMMEDIATELY, DIGEST, OFF)


class MailPreference(db.Model):
    """How one person takes e-mail of one kind: at once, in the weekly digest, or not at all. No row: the default
    (at once); the signed link in a message stores "off"."""

    __tablename__ = "mail_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    choice: Mapped[str] = mapped_column(sa.String(12))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.CheckConstraint(sa.text("choice IN ('immediately', 'digest', 'off')"), name="choice"),)


class ReminderSent(db.Model):
    """A reminder (or a weekly digest) that went out: one row per condition, subject, period and level, and the
    unique key keeps two workers from sending the same one."""

    __tablename__ = "mail_reminders_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: Who or what it is about: "trainee/12", or "user/3" for a digest.
    subject: Mapped[str] = mapped_column(sa.String(40))
    #: Which instance of the condition: a stage's planned end, one attempt, an ISO week for a digest...
    period: Mapped[str] = mapped_column(sa.String(80))
    #: 0 the first reminder, 1 the escalation to the heads of sales.
    level: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    #: How many people it went to (0: a digest with nothing to say).
    recipients: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("kind", "subject", "period", "level"),
                      sa.Index("ix_mail_reminders_sent_subject", "subject"))


class DigestItem(db.Model):
    """A notification its reader takes in the weekly digest: it waits here until the digest carries it."""

    __tablename__ = "mail_digest_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notifications.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    #: The digest that carried it; None while it waits.
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    notification: Mapped[Notification] = relationship()

    __table_args__ = (sa.Index("ix_mail_digest_items_waiting", "user_id", "sent_at"),)
