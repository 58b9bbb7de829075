"""The grading inbox's reading: the attempts waiting for a grade, grouped by trainee, and the blind second markings
asked of a grader, each in one statement whatever the number of attempts (the attempt, its trainee, whether the
trainee has an acting mentor, the draft's author and the answers still to grade, read together)."""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..extensions import db
from ..people.models import TraineeRecord
from .models import AWAITING, Answer, QuizAttempt, SecondMarking


@dataclass(frozen=True)
class Waiting:
    """An attempt waiting for a grade, as the inbox shows it."""
    id: int
    quiz_slug: str
    number: int
    submitted_at: datetime | None
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


def _statements() -> dict:
    trainee, mentor, author = aliased(User), aliased(User), aliased(User)
    to_grade = (sa.select(sa.func.count(Answer.id))
                .where(Answer.attempt_id == QuizAttempt.id, Answer.needs_review, Answer.mentor_score.is_(None))
                .correlate(QuizAttempt).scalar_subquery())
    waiting = (sa.select(QuizAttempt.id, QuizAttempt.quiz_slug, QuizAttempt.number, QuizAttempt.submitted_at,
                         QuizAttempt.draft_saved_at, author.full_name, to_grade, trainee.id, trainee.full_name,
                         sa.or_(mentor.id.is_(None), mentor.active.is_(False)))
               .join(TraineeRecord, TraineeRecord.user_id == QuizAttempt.user_id)
               .join(trainee, trainee.id == QuizAttempt.user_id)
               .outerjoin(mentor, mentor.id == TraineeRecord.mentor_id)
               .outerjoin(author, author.id == QuizAttempt.draft_by)
               .where(QuizAttempt.state == AWAITING).order_by(QuizAttempt.submitted_at, QuizAttempt.id))
    to_mark = (sa.select(SecondMarking.id, QuizAttempt.quiz_slug, QuizAttempt.number, SecondMarking.requested_at)
               .join(QuizAttempt, QuizAttempt.id == SecondMarking.attempt_id)
               .where(SecondMarking.marker_id == sa.bindparam("marker_id"), SecondMarking.marked_at.is_(None))
               .order_by(SecondMarking.requested_at, SecondMarking.id))
    # Every attempt waiting (heads of sales, admins), or one mentor's trainees'.
    return {"all": waiting, "mentor": waiting.where(TraineeRecord.mentor_id == sa.bindparam("mentor_id")),
            "to_mark": to_mark}


_STATEMENTS: dict = {}  # built once: every visit of a mentor or head runs them


def _statement(name: str):
    if not _STATEMENTS:
        _STATEMENTS.update(_statements())
    return _STATEMENTS[name]


def waiting_by_trainee(mentor_id: int | None = None) -> list[WaitingTrainee]:
    """The attempts waiting for a grade, grouped by trainee in the order of each one's oldest: every trainee's, or
    only those of `mentor_id`'s trainees."""
    if mentor_id is None:
        rows = db.session.execute(_statement("all"))
    else:
        rows = db.session.execute(_statement("mentor"), {"mentor_id": mentor_id})
    groups: dict = {}
    for aid, slug, number, submitted, drafted, author, answers, uid, name, unmentored in rows:
        groups.setdefault((uid, name, bool(unmentored)), []).append(
            Waiting(aid, slug, number, submitted, drafted, author, answers))
    return [WaitingTrainee(uid, name, unmentored, tuple(attempts))
            for (uid, name, unmentored), attempts in groups.items()]


def second_markings_for(marker_id: int) -> list[ToMark]:
    """The blind second markings asked of this grader and not marked yet, the oldest request first."""
    return [ToMark(*row) for row in db.session.execute(_statement("to_mark"), {"marker_id": marker_id})]
