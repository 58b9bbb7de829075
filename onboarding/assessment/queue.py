"""The grading inbox's reading: the attempts waiting for a grade, grouped by trainee, and the blind second markings
asked of a grader, each in one statement whatever the number of attempts (the attempt, its trainee, whether the
trainee has an acting mentor, the draft's author and the answers still to grade, read together)."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..extensions import db
from ..people.models import TraineeRecord
from ..timeutil import aware
from .models import AWAITING, Answer, QuizAttempt, SecondMarking


@dataclass(frozen=True)
class Waiting:
    """An attempt waiting for a grade, as the inbox shows it."""
    id: int
    quiz_slug: str
    number: int
    submitted_at: datetime | None  # aware, as every time here
    draft_saved_at: datetime | None  # a grading draft was saved (and by whom: draft_author, None once deleted)
    draft_author: str | None
    answers: int  # written answers still to grade


@dataclass(frozen=True)
class WaitingTrainee:
    """A trainee with attempts waiting, the oldest first."""
    id: int
    full_name: str
    unmentored: bool  # no acting mentor: the head of sales grades
    attempts: tuple  # of Waiting


@dataclass(frozen=True)
class ToMark:
    """A blind second marking asked of a grader and not yet marked."""
    id: int
    quiz_slug: str
    number: int
    requested_at: datetime


#: An attempt waiting longer than this for its grade is marked overdue.
OVERDUE = timedelta(days=2)


def waited(submitted_at: datetime | None, now: datetime) -> tuple[int, int, bool]:
    """How long an attempt has waited, as the inbox says it: (whole days, whole hours past them, overdue)."""
    span = max(now - submitted_at, timedelta(0)) if submitted_at is not None else timedelta(0)
    return span.days, span.seconds // 3600, span > OVERDUE


def answers_left():
    """The written answers of an attempt (a QuizAttempt row in the enclosing statement) still to grade: a count read
    for that attempt alone, never grouped over every answer in the table. The grading inbox and the inbox read it."""
    return (sa.select(sa.func.count(Answer.id))
            .where(Answer.attempt_id == QuizAttempt.id, Answer.needs_review.is_(True), Answer.mentor_score.is_(None))
            .correlate(QuizAttempt).scalar_subquery())


def answers_drafted():
    """The written answers of an attempt with points in a grading draft (see `answers_left`)."""
    return (sa.select(sa.func.count(Answer.draft_points))
            .where(Answer.attempt_id == QuizAttempt.id, Answer.needs_review.is_(True))
            .correlate(QuizAttempt).scalar_subquery())


@cache
def _waiting_statement(mentor: bool):
    """Every attempt waiting (heads of sales, admins), or those of one mentor's trainees (`mentor_id`), with the
    trainee, whether they have an acting mentor, the draft's author and the answers left: built once."""
    trainee, acting, author = aliased(User), aliased(User), aliased(User)
    statement = (sa.select(QuizAttempt.id, QuizAttempt.quiz_slug, QuizAttempt.number, QuizAttempt.submitted_at,
                           QuizAttempt.draft_saved_at, author.full_name, answers_left(), trainee.id, trainee.full_name,
                           sa.or_(acting.id.is_(None), acting.active.is_(False)))
                 .join(TraineeRecord, TraineeRecord.user_id == QuizAttempt.user_id)
                 .join(trainee, trainee.id == QuizAttempt.user_id)
                 .outerjoin(acting, acting.id == TraineeRecord.mentor_id)
                 .outerjoin(author, author.id == QuizAttempt.draft_by)
                 .where(QuizAttempt.state == AWAITING).order_by(QuizAttempt.submitted_at, QuizAttempt.id))
    return statement.where(TraineeRecord.mentor_id == sa.bindparam("mentor_id")) if mentor else statement


@cache
def _to_mark_statement():
    return (sa.select(SecondMarking.id, QuizAttempt.quiz_slug, QuizAttempt.number, SecondMarking.requested_at)
            .join(QuizAttempt, QuizAttempt.id == SecondMarking.attempt_id)
            .where(SecondMarking.marker_id == sa.bindparam("marker_id"), SecondMarking.marked_at.is_(None))
            .order_by(SecondMarking.requested_at, SecondMarking.id))


def waiting_by_trainee(mentor_id: int | None = None) -> list[WaitingTrainee]:
    """The attempts waiting for a grade, grouped by trainee in the order of each one's oldest: every trainee's, or
    only those of `mentor_id`'s trainees."""
    rows = db.session.execute(_waiting_statement(mentor_id is not None), {"mentor_id": mentor_id})
    groups: dict = {}
    for aid, slug, number, submitted, drafted, author, answers, uid, name, unmentored in rows:
        groups.setdefault((uid, name, bool(unmentored)), []).append(
            Waiting(aid, slug, number, submitted and aware(submitted), drafted and aware(drafted), author, answers))
    return [WaitingTrainee(uid, name, unmentored, tuple(attempts))
            for (uid, name, unmentored), attempts in groups.items()]


def second_markings_for(marker_id: int) -> list[ToMark]:
    """The blind second markings asked of this grader and not marked yet, the oldest request first."""
    return [ToMark(*row) for row in db.session.execute(_to_mark_statement(), {"marker_id": marker_id})]
