"""What mentors and trainees record in stages 3 and 4: sign-offs, role-plays, signatures of the job
description, and who mentored whom when (the activity ledger and supervision notes: onboarding.activity)."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow

# ---------------------------------------------------------------- mentor assignments


class MentorAssignment(db.Model):
    """One period in which a mentor looked after a trainee; the open one has no end."""

    __tablename__ = "mentor_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)


# ---------------------------------------------------------------- practical sign-offs

REQUESTED, SIGNED, RETURNED, REVOKED = "requested", "signed", "returned", "revoked"


class SignOffEvent(db.Model):
    """One step in the life of a checklist task: requested, signed, returned or revoked. Never edited."""

    __tablename__ = "sign_off_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(12))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    evidence_url: Mapped[str | None] = mapped_column(sa.String(500))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    __table_args__ = (
        sa.CheckConstraint(sa.text("kind IN ('requested', 'signed', 'returned', 'revoked')"), name="kind"),
    )

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)


# ---------------------------------------------------------------- role-play certification

SCHEDULED, SCORED, CANCELLED = "scheduled", "scored", "cancelled"


class RolePlayAttempt(db.Model):
    __tablename__ = "role_play_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scenario_slug: Mapped[str] = mapped_column(sa.String(80))
    number: Mapped[int]
    #: Attempts allowed when scheduled: the configured ROLE_PLAY_ATTEMPTS; nothing raises it.
    allowed: Mapped[int]
    scheduled_for: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(sa.String(200))
    scheduled_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(sa.String(12), default=SCHEDULED)
    percent: Mapped[float | None]
    passed: Mapped[bool | None]
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    #: Raised each time the meeting moves (a calendar invitation's SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    #: A meeting that did not take place: cancelled, with the reason; it uses up no attempt.
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancelled_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)

    evaluators: Mapped[list["RolePlayEvaluator"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    scores: Mapped[list["RolePlayScore"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        # One attempt per number among those that took place or will; the number never passes the attempts
        # allowed: the database refuses one attempt too many, even sent twice at once.
        sa.Index("uq_role_play_attempts_trainee_number", "trainee_id", "number", unique=True,
                 sqlite_where=sa.text("state != 'cancelled'"), postgresql_where=sa.text("state != 'cancelled'")),
        sa.CheckConstraint("number >= 1 AND number <= allowed", name="number_within_allowed"),
        sa.CheckConstraint(sa.text("state IN ('scheduled', 'scored', 'cancelled')"), name="state"),
    )

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)


def _attempt_trainee(row) -> tuple:
    """The trainee of a role-play attempt a row (an evaluator, a score) belongs to."""
    attempt = object_session(row).get(RolePlayAttempt, row.attempt_id) if row.attempt_id else None
    return (attempt.trainee_id,) if attempt is not None else ()


class RolePlayEvaluator(db.Model):
    __tablename__ = "role_play_evaluators"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("role_play_attempts.id", ondelete="CASCADE"), index=True)
    #: Indexed: every page of a mentor or head counts the role-plays waiting for their scores (the header's badge).
    evaluator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    evaluator: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("attempt_id", "evaluator_id", name="uq_role_play_evaluators_pair"),)

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return _attempt_trainee(self)


class RolePlayScore(db.Model):
    __tablename__ = "role_play_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("role_play_attempts.id", ondelete="CASCADE"), index=True)
    evaluator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(sa.String(80))
    score: Mapped[int]
    comment: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.UniqueConstraint("attempt_id", "evaluator_id", "criterion_id",
                                          name="uq_role_play_scores_one_per_criterion"),)

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return _attempt_trainee(self)


class HoldDecision(db.Model):
    """The head of sales' decision on a trainee held after the last failed role-play: keep in training without
    certification (with a plan; stage 4 stays closed), or withdraw. Neither gives another attempt."""

    __tablename__ = "hold_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(12))
    plan: Mapped[str] = mapped_column(sa.Text)
    new_target_date: Mapped[date | None]
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __table_args__ = (sa.CheckConstraint(sa.text("decision IN ('keep', 'withdraw')"), name="decision"),)

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)


# ---------------------------------------------------------------- the job description and supervision


class Acknowledgement(db.Model):
    """A trainee's signature of one version of the job description."""

    __tablename__ = "acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    document: Mapped[str] = mapped_column(sa.String(80))
    version: Mapped[str] = mapped_column(sa.String(64))
    typed_name: Mapped[str] = mapped_column(sa.String(120))
    signed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    trainee: Mapped[User] = relationship(lazy="joined")

    #: One signature per version and typed name: a trainee whose name was corrected signs the same version again
    #: with the new name, and the earlier signature stays as it was.
    __table_args__ = (sa.UniqueConstraint("trainee_id", "document", "version", "typed_name",
                                          name="uq_acknowledgements_version_name"),)

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.trainee_id,)

