"""The readiness record: the mentor's recommendations and the head of sales' decisions. Never edited."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..timeutil import aware, utcnow

APPROVED, EXTENDED, REJECTED = "approved", "extended", "rejected"
DECISIONS = (APPROVED, EXTENDED, REJECTED)


class Recommendation(db.Model):
    """The mentor's word on a trainee's readiness: ready or not yet, and why."""

    __tablename__ = "readiness_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    ready: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id], lazy="joined")

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)


class ReadinessDecision(db.Model):
    """The head of sales' decision, kept with the evidence it was taken on."""

    __tablename__ = "readiness_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    head_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(sa.String(12))
    note: Mapped[str] = mapped_column(sa.Text)
    #: Required when a gate was unmet and the head approved all the same.
    override_reason: Mapped[str | None] = mapped_column(sa.Text)
    new_target_date: Mapped[date | None]
    plan: Mapped[str | None] = mapped_column(sa.Text)
    recommendation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("readiness_recommendations.id", ondelete="SET NULL"))
    #: The gates, stages and figures as they stood when the decision was taken.
    evidence: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    decided_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    head: Mapped[User | None] = relationship(foreign_keys=[head_id], lazy="joined")
    recommendation: Mapped[Recommendation | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(sa.text("decision IN ('approved', 'extended', 'rejected')"), name="decision"),
        sa.CheckConstraint(sa.text("decision != 'extended' OR new_target_date IS NOT NULL"), name="extension_date"),
    )

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)


class ImmutableRecordError(RuntimeError):
    """Raised on any attempt to change or remove a recommendation or decision."""


def _refuse(kind):
    def refuse(*_args):
        raise ImmutableRecordError(f"readiness {kind} cannot be changed or deleted")
    return refuse


for _model in (Recommendation, ReadinessDecision):
    event.listen(_model, "before_update", _refuse(_model.__tablename__))
    event.listen(_model, "before_delete", _refuse(_model.__tablename__))


SATISFIED, NOT_YET = "satisfied", "not_yet"
VERDICTS = (SATISFIED, NOT_YET)


class DirectorCheck(db.Model):
    """The director's own check on a trainee: a verdict and a note, shown on the trainee's page and frozen into
    the evidence of the head of sales' readiness decision. The latest is the director's current view; every one
    stays."""

    __tablename__ = "director_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    director_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    verdict: Mapped[str] = mapped_column(sa.String(12))
    note: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    director: Mapped[User | None] = relationship(foreign_keys=[director_id], lazy="joined")

    __table_args__ = (sa.CheckConstraint(sa.text("verdict IN ('satisfied', 'not_yet')"), name="verdict"),)


GO, NO_GO = "go", "no_go"
GO_VERDICTS = (GO, NO_GO)


class GoDecision(db.Model):
    """The decision after cold calling (stage 2): go on to sales training with a mentor, or part ways. One per
    trainee, never edited: stage 3 opens only after a go; a no-go ends the training like a withdrawal."""

    __tablename__ = "go_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    verdict: Mapped[str] = mapped_column(sa.String(8))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    decider: Mapped[User | None] = relationship(foreign_keys=[decided_by], lazy="joined")

    __table_args__ = (sa.CheckConstraint(sa.text("verdict IN ('go', 'no_go')"), name="verdict"),
                      sa.CheckConstraint(sa.text("verdict = 'go' OR note != ''"), name="no_go_note"))

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)


event.listen(GoDecision, "before_update", _refuse(GoDecision.__tablename__))
event.listen(GoDecision, "before_delete", _refuse(GoDecision.__tablename__))


def role_play_due(role_play: str, role_play_at: datetime | None, now: datetime) -> bool:
    """A scheduled role-play whose time has come: it waits on its evaluators' scores from then on."""
    return role_play == "scheduled" and role_play_at is not None and aware(role_play_at) <= now


class ReadinessSummary(db.Model):
    """What the path rules computed for one trainee, stored so the head's lists filter, sort, count and page in
    the database. Written only by readiness.summary.refresh (in the same transaction as the change, see
    onboarding.summaries); `flask rebuild-summaries` recomputes them all. What the lists filter on is copied here
    from the record and the account (status, mentor, start date, listed), so their counts and their first page
    read this one table through an index; names are joined live for the rows shown."""

    __tablename__ = "readiness_summaries"

    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: The open stage's number; None when every stage is complete.
    current_stage: Mapped[int | None] = mapped_column(sa.SmallInteger)
    progress_percent: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    #: The earliest planned end of a stage not complete: the trainee is behind plan from the day after it.
    behind_after: Mapped[date | None]
    #: Every readiness gate met, and how many are.
    ready: Mapped[bool] = mapped_column(default=False)
    gates_met: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    gates_total: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    forecast_basis: Mapped[str] = mapped_column(sa.String(12))
    forecast_date: Mapped[date | None]
    role_play: Mapped[str] = mapped_column(sa.String(12))
    #: A scheduled role-play's start: from then on its evaluators owe scores (compared with the time of reading).
    role_play_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    #: How many things wait on each party (the evaluators' wait is role_play_at).
    waits_trainee: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    waits_mentor: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    waits_head: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    #: Calls and meetings in the last full week (Monday to Sunday before the day computed).
    week_calls: Mapped[int] = mapped_column(default=0)
    week_meetings: Mapped[int] = mapped_column(default=0)
    #: What the dashboard's row shows, so a page of 25 reads 25 rows and computes nothing: steps of the path done
    #: and in all, the open stage's planned end, the day stage 4 opened, the late and blocked flags, what waits
    #: on whom ({who: {what: count}}, the evaluators' wait aside: it starts with the clock) and last week's
    #: figures against the team's targets ({figure: [done, target]}).
    steps_done: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    steps_total: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    stage_end: Mapped[date | None]
    stage4_opened: Mapped[date | None]
    overdue: Mapped[bool] = mapped_column(default=False)
    blocked: Mapped[bool] = mapped_column(default=False)
    waits: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    week: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: The inbox items this trainee puts before their acting mentor, and before the heads of sales: the header's
    #: badge sums these instead of computing every trainee's path on every page.
    inbox_mentor: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    inbox_head: Mapped[int] = mapped_column(sa.SmallInteger, default=0, index=True)
    #: The content and settings the rules ran with, and the day they ran: a summary from another day, or from
    #: other content, is refreshed before it is read (the forecast and last week's figures move with the date).
    rules_version: Mapped[str] = mapped_column(sa.String(100))
    computed_on: Mapped[date] = mapped_column(index=True)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    #: Raised by every refresh: a worker that keeps the trainee's computed path (path.service) reads this one
    #: number to know whether any of the trainee's facts changed since it computed it.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Copied from the trainee's account and record by every refresh (a change to either refreshes the summary
    #: in its transaction): whether the lists show the trainee at all (an active trainee account), the record's
    #: status, mentor and start date.
    listed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    status: Mapped[str | None] = mapped_column(sa.String(24))
    mentor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    start_date: Mapped[date | None]
    #: Days from the start to the head's approval (the UTC day of the decision); None before one.
    ramp_days: Mapped[int | None] = mapped_column(sa.SmallInteger)

    def role_play_due(self, now: datetime) -> bool:
        return role_play_due(self.role_play, self.role_play_at, now)

    __table_args__ = (
        sa.Index("ix_readiness_summaries_stage", "current_stage", "progress_percent"),
        sa.Index("ix_readiness_summaries_forecast", "forecast_date"),
        sa.Index("ix_readiness_summaries_behind", "behind_after"),
        # the lists' counts and the cohort's stages and loads (every column they read: no row is visited)
        sa.Index("ix_readiness_summaries_listing", "listed", "status", "behind_after", "ready", "waits_head",
                 "current_stage", "mentor_id", "waits_mentor"),
        # the lists' default order, newest start first, for everyone and for one mentor's trainees: the first page
        # reads its rows from the index and stops
        sa.Index("ix_readiness_summaries_newest", "listed", "start_date", "trainee_id"),
        sa.Index("ix_readiness_summaries_mentor", "mentor_id", "listed", "start_date", "trainee_id"),
    )


class ReadinessStageDays(db.Model):
    """How many days a trainee took over each stage they completed (path.progress.stage_durations), stored
    beside the summary; `listed` is the summary's own copy (an active trainee account), written with it. The
    cohort reads their histogram kept as data (DaysCount), which each refresh changes by the difference between
    the days it deletes and the days it writes; `recount` groups these rows again."""

    __tablename__ = "readiness_stage_days"

    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    days: Mapped[int]
    listed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())



# --- the lists' counts, kept as data ---------------------------------------------------------------------------
# The head's dashboard, the cohort and the API list open with counts of every listed trainee (how many on the path,
# at each stage, behind plan, ready, waiting on a decision, per mentor). Counted from the summaries they grow with
# the number of trainees; these tables hold them, changed by readiness.tallies in the transaction that changes a
# summary (by the difference between the summary as stored and as recomputed), so reading them costs the same at
# ten trainees or ten thousand. Only listed summaries (active trainee accounts) are counted; stage 0 stands for
# "every stage complete" and mentor 0 for "no mentor". `flask rebuild-summaries` counts them again from scratch.

class StageCount(db.Model):
    """Listed trainees of a status at a stage: how many, how many meet every gate, how many wait on a decision."""

    __tablename__ = "readiness_stage_counts"

    status: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    stage: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    trainees: Mapped[int] = mapped_column(default=0)
    ready: Mapped[int] = mapped_column(default=0)
    decisions: Mapped[int] = mapped_column(default=0)  # with something waiting on the head of sales


class BehindCount(db.Model):
    """Listed trainees of a status at a stage whose earliest open stage ends on a day: behind plan after it (the
    overdue count sums the days before today, a few hundred rows whatever the number of trainees)."""

    __tablename__ = "readiness_behind_counts"

    status: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    stage: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    behind_after: Mapped[date] = mapped_column(primary_key=True)
    trainees: Mapped[int] = mapped_column(default=0)


class MentorCount(db.Model):
    """Listed trainees of a status with a mentor (0: none), and what of theirs waits on that mentor. The mentor is a
    key, not a reference: an account is never deleted, and the count outlives nothing it names."""

    __tablename__ = "readiness_mentor_counts"

    status: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    mentor: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    trainees: Mapped[int] = mapped_column(default=0)
    waiting: Mapped[int] = mapped_column(default=0)


class DaysCount(db.Model):
    """Listed trainees who took so many days over a stage they completed: the cohort's medians and quartiles of
    each stage read these few dozen rows (readiness.cohort._spread_of)."""

    __tablename__ = "readiness_days_counts"

    stage: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    days: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    trainees: Mapped[int] = mapped_column(default=0)


class RampCount(db.Model):
    """Listed trainees approved so many days after their start (the ramp-up's spread)."""

    __tablename__ = "readiness_ramp_counts"

    days: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    trainees: Mapped[int] = mapped_column(default=0)
