"""Evidence files a trainee or mentor attaches to a sign-off request, a ledger day or a supervision note, the
comments on them, and the chunks the database storage keeps their bytes in."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..activity.models import ActivityEntry, SupervisionNote
from ..mentoring.models import SignOffEvent
from ..timeutil import utcnow


class EvidenceFile(db.Model):
    """One uploaded file: who it is about, who gave it, what it is (detected from its bytes) and where its bytes
    are kept. Deleting marks it; a file a readiness decision relied on (`kept`) stays readable."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    uploaded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: The name it was uploaded with, without folders or control characters (rules.safe_name).
    name: Mapped[str] = mapped_column(sa.String(160))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    #: The type detected from the content, as served (rules.ACCEPTED), and its kind: document, audio or image.
    mime: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(10))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    #: What it is attached to: exactly one of these.
    sign_off_event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sign_off_events.id", ondelete="CASCADE"), index=True)
    activity_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("activity_entries.id", ondelete="CASCADE"), index=True)
    supervision_note_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("supervision_notes.id", ondelete="CASCADE"), index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    deleted_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: A readiness decision's evidence lists it: its bytes are never removed.
    kept: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    uploader: Mapped[User | None] = relationship(foreign_keys=[uploaded_by])
    #: What it is attached to, loaded with it (the record's lists name the task, the day or the week).
    sign_off_event: Mapped[SignOffEvent | None] = relationship(lazy="joined")
    activity_entry: Mapped[ActivityEntry | None] = relationship(lazy="joined")
    supervision_note: Mapped[SupervisionNote | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(sa.text("kind IN ('document', 'audio', 'image')"), name="kind"),
        sa.CheckConstraint(sa.text(
            "(CASE WHEN sign_off_event_id IS NULL THEN 0 ELSE 1 END) + "
            "(CASE WHEN activity_entry_id IS NULL THEN 0 ELSE 1 END) + "
            "(CASE WHEN supervision_note_id IS NULL THEN 0 ELSE 1 END) = 1"), name="one_owner"),
    )

    @property
    def readable(self) -> bool:
        """Shown and served: not deleted, or kept by a decision."""
        return self.deleted_at is None or self.kept


class EvidenceComment(db.Model):
    """A reviewer's comment on a file, at a moment of a recording (seconds) or on the whole document."""

    __tablename__ = "evidence_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence_files.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at_seconds: Mapped[int | None]
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")


class EvidenceChunk(db.Model):
    """A piece of a file's bytes, for the database storage (storage.DatabaseStorage)."""

    __tablename__ = "evidence_chunks"

    storage_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
