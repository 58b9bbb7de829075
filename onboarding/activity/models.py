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


# ---------------------------------------------------------------- the weekly scorecard of the seven criteria

#: The criteria and verdicts (criteria.CRITERIA, criteria.VERDICTS), spelled out for the database's checks.
_CRITERIA_SQL = "'events', 'rhythm', 'referrals', 'meetings', 'decision_maker', 'plan', 'funnel'"
_VERDICTS_SQL = "'met', 'partly', 'not_met'"


class Scorecard(db.Model):
    """The mentor's review of one supervised week against the seven criteria: one per trainee and week."""

    __tablename__ = "scorecards"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week_of: Mapped[date]  # the week's Monday
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    verdicts: Mapped[list["ScorecardVerdict"]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                              order_by="ScorecardVerdict.id")
    decider: Mapped[User | None] = relationship(foreign_keys=[decided_by], lazy="joined")

    __table_args__ = (sa.UniqueConstraint("trainee_id", "week_of", name="uq_scorecards_trainee_week"),)

    def by_criterion(self) -> dict:
        return {v.criterion: v for v in self.verdicts}

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)


class ScorecardVerdict(db.Model):
    """One criterion of a reviewed week: what the data said when the mentor decided (the prefill, frozen), and
    the mentor's verdict with a note."""

    __tablename__ = "scorecard_verdicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(sa.ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[str] = mapped_column(sa.String(20))
    prefill: Mapped[str | None] = mapped_column(sa.String(8))  # None: the data could not tell
    prefill_data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    verdict: Mapped[str] = mapped_column(sa.String(8))
    note: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.UniqueConstraint("scorecard_id", "criterion", name="uq_scorecard_verdicts_criterion"),
        sa.CheckConstraint(sa.text(f"criterion IN ({_CRITERIA_SQL})"), name="criterion"),
        sa.CheckConstraint(sa.text(f"verdict IN ({_VERDICTS_SQL})"), name="verdict"),
        sa.CheckConstraint(sa.text(f"prefill IS NULL OR prefill IN ({_VERDICTS_SQL})"), name="prefill"),
    )


# ---------------------------------------------------------------- the monthly plan


class MonthlyPlan(db.Model):
    """A stage-4 trainee's plan for one calendar month, set by the mentor or a head of sales: applications,
    orders and deals, and revenue in the price list's currency (with the revenue booked so far, as the
    accounting system shows it: the ledger has no money figure)."""

    __tablename__ = "monthly_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    month: Mapped[date]  # the month's first day
    applications: Mapped[int] = mapped_column(default=0)
    orders: Mapped[int] = mapped_column(default=0)
    deals: Mapped[int] = mapped_column(default=0)
    revenue: Mapped[int] = mapped_column(default=0)  # whole units of `currency`
    revenue_booked: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(sa.String(3))
    set_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("trainee_id", "month", name="uq_monthly_plans_trainee_month"),
        *(sa.CheckConstraint(f"{f} >= 0", name=f"{f}_not_negative")
          for f in ("applications", "orders", "deals", "revenue", "revenue_booked")),
    )

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)


class MovedDeal(db.Model):
    """A deal the trainee had ready in one month and moved to the next (criterion 6's warning sign)."""

    __tablename__ = "moved_deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]  # the day it was ready to close
    client: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)
    recorded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)
