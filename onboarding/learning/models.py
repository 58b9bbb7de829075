"""Module completions: what a trainee read, and which version of it."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class ModuleCompletion(db.Model):
    __tablename__ = "module_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    #: Hash of the module file as the trainee read it.
    content_version: Mapped[str] = mapped_column(sa.String(64))
    completed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "module_slug", name="uq_module_completions_user_module"),)

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.user_id,)


class ModuleSnapshot(db.Model):
    """A module's text as one version of it read: kept when someone completes that version, so a later version can
    show its reader what changed since."""

    __tablename__ = "module_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    version: Mapped[str] = mapped_column(sa.String(64))
    locale: Mapped[str] = mapped_column(sa.String(16), default="")  # "" for the original, else the translation's
    title: Mapped[str] = mapped_column(sa.String(200))
    html: Mapped[str] = mapped_column(sa.Text)
    captured_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("module_slug", "version", name="uq_module_snapshots_module_version"),)
