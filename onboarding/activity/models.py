"""What trainees and mentors record in stage 4: the activity ledger, the teams and their targets, and the
mentor's weekly supervision notes."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow
from .rules import DEFAULT_SEGMENT, DEFAULT_TARGETS, FIGURES, SEGMENTS  # the one list of figures (pure)

# ---------------------------------------------------------------- the activity ledger



class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)


class ActivityTarget(db.Model):
    """Targets for one team (team_id NULL: the default for everyone else), set by the head of sales: per week,
    except events, per month (rules.MONTHLY); and the segment the team sells in (rules.SEGMENTS). The column
    defaults are the built-in ones the modules teach (rules.DEFAULT_TARGETS)."""

    __tablename__ = "activity_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), unique=True)
    prospects: Mapped[int] = mapped_column(default=DEFAULT_TARGETS["prospects"])
    calls: Mapped[int] = mapped_column(default=DEFAULT_TARGETS["calls"])
    meetings: Mapped[int] = mapped_column(default=DEFAULT_TARGETS["meetings"])
    applications: Mapped[int] = mapped_column(default=DEFAULT_TARGETS["applications"])
    orders: Mapped[int] = mapped_column(default=DEFAULT_TARGETS["orders"])
    referrals: Mapped[int] = mapped_column(default=DEFAULT_TARGETS["referrals"])
    #: Events attended per month (every other target is per week).
    events: Mapped[int] = mapped_column(default=DEFAULT_TARGETS["events"])
    decision_makers: Mapped[int] = mapped_column(default=DEFAULT_TARGETS["decision_makers"])
    deals: Mapped[int] = mapped_column(default=DEFAULT_TARGETS["deals"])
    segment: Mapped[str] = mapped_column(sa.String(12), default=DEFAULT_SEGMENT)
    updated_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __table_args__ = (sa.CheckConstraint(sa.text("segment IN (%s)" % ", ".join(f"'{s}'" for s in SEGMENTS)),
                                         name="segment"),)

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return "all"  # a team's targets: every trainee's gate reads them


class ActivityEntry(db.Model):
    """A day's figures as the trainee entered them; a mentor's correction is a new row pointing at the original."""

    __tablename__ = "activity_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    #: New prospects (qualified contacts added): the funnel's first step. NULL on days logged before it was
    #: recorded (revision 0013): unknown, never 0.
    prospects: Mapped[int | None]
    calls: Mapped[int] = mapped_column(default=0)
    meetings: Mapped[int] = mapped_column(default=0)
    applications: Mapped[int] = mapped_column(default=0)
    orders: Mapped[int] = mapped_column(default=0)
    referrals: Mapped[int] = mapped_column(default=0)
    events: Mapped[int] = mapped_column(default=0)
    decision_makers: Mapped[int] = mapped_column(default=0)
    deals: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(sa.Text)
    entered_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    #: Set on a correction: the entry it replaces (which stays, visible).
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activity_entries.id", ondelete="CASCADE"))
    confirmed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        # One original entry per trainee and day; corrections are extra rows.
        sa.Index("uq_activity_entries_one_per_day", "trainee_id", "day", unique=True,
                 sqlite_where=sa.text("corrects_id IS NULL"), postgresql_where=sa.text("corrects_id IS NULL")),
        *(sa.CheckConstraint(f"{f} >= 0 AND {f} <= 10000", name=f"{f}_range") for f in FIGURES),
    )

    def figures(self) -> dict:
        return {f: getattr(self, f) for f in FIGURES}

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)


class SupervisionNote(db.Model):
    """The mentor's weekly note on real client situations in stage 4."""

    __tablename__ = "supervision_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    week_of: Mapped[date]
    situation: Mapped[str] = mapped_column(sa.Text)
    advice: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")

