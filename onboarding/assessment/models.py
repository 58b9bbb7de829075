"""Quiz attempts and answers; extra attempts granted by the head of sales."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow

IN_PROGRESS, AWAITING, GRADED = "in_progress", "awaiting_grading", "graded"
WRITTEN, ORAL = "written", "oral"


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    quiz_slug: Mapped[str] = mapped_column(sa.String(80))
    number: Mapped[int]
    #: Attempts allowed when this one started (the quiz's, plus extra ones granted).
    allowed: Mapped[int]
    state: Mapped[str] = mapped_column(sa.String(20), default=IN_PROGRESS)
    #: Question order, option order and calculation figures, fixed at the start.
    plan: Mapped[dict] = mapped_column(sa.JSON)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    saved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    graded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    score: Mapped[float | None]
    max_score: Mapped[float | None]
    percent: Mapped[float | None]
    passed: Mapped[bool | None]
    #: A grading draft in progress (its points and comments sit on the answers): who saved it last, and when.
    draft_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    draft_saved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    #: Written by the trainee, or oral: asked in a meeting by an examiner who recorded the points of each question.
    mode: Mapped[str] = mapped_column(sa.String(8), default=WRITTEN, server_default=WRITTEN)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True, foreign_keys=[user_id])
    draft_author: Mapped[User | None] = relationship(foreign_keys=[draft_by])
    answers: Mapped[list["Answer"]] = relationship(back_populates="attempt", cascade="all, delete-orphan",
                                                   order_by="Answer.id")

    __table_args__ = (
        # The database itself refuses a third attempt of a two-attempt quiz and a repeated number.
        sa.UniqueConstraint("user_id", "quiz_slug", "number", name="uq_quiz_attempts_user_quiz_number"),
        sa.CheckConstraint("number >= 1 AND number <= allowed", name="number_within_allowed"),
        sa.CheckConstraint(sa.text("state IN ('in_progress', 'awaiting_grading', 'graded')"), name="state"),
        sa.CheckConstraint(sa.text("mode IN ('written', 'oral')"), name="mode"),
        # At most one open attempt per trainee and quiz, so a second tab resumes instead of starting anew.
        sa.Index("uq_quiz_attempts_one_open", "user_id", "quiz_slug", unique=True,
                 sqlite_where=sa.text("state = 'in_progress'"), postgresql_where=sa.text("state = 'in_progress'")),
        # A quiz's graded attempts, for its question statistics (onboarding.assessment.statistics).
        sa.Index("ix_quiz_attempts_quiz_state", "quiz_slug", "state"),
    )

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.user_id,)


class Answer(db.Model):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(sa.String(80))
    #: What the trainee gave: an option id, option ids joined by commas, a number as typed, or text.
    response: Mapped[str | None] = mapped_column(sa.Text)
    max_points: Mapped[float]
    auto_score: Mapped[float | None]
    needs_review: Mapped[bool] = mapped_column(default=False)
    mentor_score: Mapped[float | None]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    grader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    #: A grader's draft, not final: never shown to the trainee, never counted; cleared when grading is finished.
    draft_points: Mapped[float | None]
    draft_comment: Mapped[str | None] = mapped_column(sa.Text)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    grader: Mapped[User | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("attempt_id", "question_id", name="uq_answers_attempt_question"),)

    @property
    def points(self) -> float | None:
        return self.mentor_score if self.needs_review else self.auto_score

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries): nobody's while its attempt is
        open. The path reads an attempt's state and result, never the answers of an open one, so an autosave
        refreshes no summary; the submission notes the trainee (services._claim)."""
        attempt = self.attempt
        return (attempt.user_id,) if attempt is not None and attempt.state != IN_PROGRESS else ()


class ExtraAttempt(db.Model):
    """One more attempt at a quiz, granted by the head of sales with a reason."""

    __tablename__ = "extra_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    quiz_slug: Mapped[str] = mapped_column(sa.String(80))
    granted_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary this row feeds (see onboarding.summaries)."""
        return (self.user_id,)


FIRST, SECOND = "first", "second"


class SecondMarking(db.Model):
    """A blind second marking of a graded attempt's written answers, picked by a head of sales: another grader
    marks them without seeing the first grades; the first grades stand unless the head decides otherwise."""

    __tablename__ = "second_markings"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One second marking per attempt.
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"), unique=True)
    requested_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    marker_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: {question id: points} of the written answers, once the second marker has marked them.
    points: Mapped[dict | None] = mapped_column(sa.JSON)
    marked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    #: The head's decision: the first grades stand, or the second ones replace them.
    outcome: Mapped[str | None] = mapped_column(sa.String(8))
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(sa.Text)

    attempt: Mapped[QuizAttempt] = relationship()
    marker: Mapped[User] = relationship(foreign_keys=[marker_id])

    __table_args__ = (sa.CheckConstraint(sa.text("outcome IN ('first', 'second')"), name="outcome"),)
