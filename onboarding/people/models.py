"""The trainee record: one per trainee, with the plan and the assigned mentor."""
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db

STATUSES = ("in_training", "awaiting_approval", "independent", "extended", "withdrawn")
#: Still in training: every status but independent and withdrawn.
ACTIVE_STATUSES = ("in_training", "awaiting_approval", "extended")
#: Approved by the head of sales for independent work: career levels start here.
INDEPENDENT = "independent"


class TraineeRecord(db.Model):
    __tablename__ = "trainee_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    start_date: Mapped[date]
    target_date: Mapped[date]
    mentor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(sa.String(24), default="in_training")
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id], lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(
            sa.text("status IN ('in_training', 'awaiting_approval', 'independent', 'extended', 'withdrawn')"),
            name="status",
        ),
        # the lists' default order (newest start first) and their status filter
        sa.Index("ix_trainee_records_status_start", "status", "start_date"),
    )

    @staticmethod
    def default_target(start: date, ramp_days: int) -> date:
        return start + timedelta(days=ramp_days)

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.user_id,)
