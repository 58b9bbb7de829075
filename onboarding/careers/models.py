"""A promotion to a higher career level, recorded by a head of sales with its evidence. Never edited."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..readiness.models import ImmutableRecordError
from ..timeutil import utcnow


class Promotion(db.Model):
    __tablename__ = "career_promotions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    from_level: Mapped[int]
    to_level: Mapped[int]
    #: What the promotion was decided on: the evidence the level asks for, in the head of sales' words.
    note: Mapped[str] = mapped_column(sa.Text)
    #: Required when the level's minimum months had not passed and the head promoted all the same.
    override_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    decider: Mapped[User | None] = relationship(foreign_keys=[decided_by], lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(sa.text("from_level >= 1 AND to_level > from_level"), name="upward"),
        # one promotion to each level: a double submit records one
        sa.UniqueConstraint("person_id", "to_level", name="uq_career_promotions_person_level"),
    )


def _refuse(*_args):
    raise ImmutableRecordError("career promotions cannot be changed or deleted")


event.listen(Promotion, "before_update", _refuse)
event.listen(Promotion, "before_delete", _refuse)
