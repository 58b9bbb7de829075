"""Blind second marking: a head of sales picks a graded attempt, another grader marks its written answers without
seeing the first grades, the two are compared, and the first grades stand unless the head decides otherwise.

Each change is audited; the view commits.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..audit import record
from ..auth.models import ADMIN, HEAD, MENTOR, User
from ..extensions import db, one_of
from ..timeutil import utcnow
from . import grading
from .models import FIRST, GRADED, SECOND, WRITTEN, Answer, QuizAttempt, SecondMarking

#: Graded attempts offered for a second marking, newest first.
CANDIDATES_SHOWN = 30


class MarkingError(ValueError):
    """A second-marking action the rules refuse; the message is for the person who tried."""


def written(attempt: QuizAttempt) -> list:
    """The attempt's written answers a person graded: what a second marker marks again."""
    return [a for a in attempt.answers if a.needs_review and a.mentor_score is not None]


def candidates() -> list:
    """Graded written attempts with answers a person graded and no second marking yet, newest first."""
    graded_by_person = sa.select(Answer.id).where(Answer.attempt_id == QuizAttempt.id, Answer.needs_review,
                                                  Answer.mentor_score.is_not(None)).exists()
    marked = sa.select(SecondMarking.id).where(SecondMarking.attempt_id == QuizAttempt.id).exists()
    return list(db.session.scalars(
        sa.select(QuizAttempt).where(QuizAttempt.state == GRADED, QuizAttempt.mode == WRITTEN, graded_by_person,
                                     ~marked)
        .order_by(QuizAttempt.graded_at.desc(), QuizAttempt.id.desc()).limit(CANDIDATES_SHOWN)
        .options(selectinload(QuizAttempt.answers))))


def possible_markers() -> list:
    """Everyone who may grade: active mentors, heads of sales and admins, by name."""
    return list(db.session.scalars(sa.select(User)
                                   .where(one_of(User.role, (MENTOR, HEAD, ADMIN)), User.active.is_(True))
                                   .order_by(User.full_name, User.id)))


def markers_for(attempt: QuizAttempt, people: list) -> list:
    """Who may mark this attempt again: not a first grader of its written answers, not the trainee."""
    first = {a.grader_id for a in written(attempt)}
    return [u for u in people if u.id not in first and u.id != attempt.user_id]


def request_marking(attempt: QuizAttempt, head: User, marker: User | None) -> SecondMarking:
    if attempt.state != GRADED or attempt.mode != WRITTEN or not written(attempt):
        raise MarkingError(_l("Only a graded written attempt with answers a person graded can be marked again."))
    if marker is None or marker not in markers_for(attempt, possible_markers()):
        raise MarkingError(_l("Choose a grader who did not grade this attempt."))
    marking = SecondMarking(attempt_id=attempt.id, requested_by=head.id, marker_id=marker.id)
    try:
        with db.session.begin_nested():
            db.session.add(marking)
    except IntegrityError:
        raise MarkingError(_l("This attempt is already picked for a second marking.")) from None
    record("second_marking_requested", marking, actor=head, trainee=attempt.user_id, quiz=attempt.quiz_slug,
           number=attempt.number, marker=marker.full_name)
    return marking


def mark(marking: SecondMarking, marker: User, points: dict) -> None:
    """The second marker's points, {question id: points}, for every written answer; once."""
    if marking.marker_id != marker.id:
        raise MarkingError(_l("This second marking is someone else's."))
    answers = written(marking.attempt)
    if any(a.question_id not in points or points[a.question_id] is None
           or not 0 <= float(points[a.question_id]) <= a.max_points for a in answers):
        raise MarkingError(_l("Give points for every written answer, between 0 and its maximum."))
    done = db.session.execute(sa.update(SecondMarking).where(SecondMarking.id == marking.id,
                                                             SecondMarking.marked_at.is_(None))
                              .values(marked_at=utcnow(), points={a.question_id: float(points[a.question_id])
                                                                  for a in answers})
                              .execution_options(synchronize_session=False)).rowcount
    if not done:
        raise MarkingError(_l("This attempt is already marked a second time."))
    db.session.refresh(marking)
    record("second_marking_done", marking, actor=marker, trainee=marking.attempt.user_id,
           quiz=marking.attempt.quiz_slug, number=marking.attempt.number)


@dataclass(frozen=True)
class Compared:
    question_id: str
    maximum: float
    first: float
    second: float


def compare(marking: SecondMarking) -> list:
    """Each written answer's first and second points, in the attempt's order."""
    marks = marking.points or {}
    return [Compared(a.question_id, a.max_points, a.mentor_score, marks[a.question_id])
            for a in written(marking.attempt) if a.question_id in marks]


def decide(marking: SecondMarking, quiz, head: User, take_second: bool, note: str) -> None:
    """The head's decision. Taking the second grades replaces the written answers' points (and their grader) and
    recomputes the attempt's score and result; the first grades stand otherwise."""
    if marking.marked_at is None or marking.outcome is not None:
        raise MarkingError(_l("Only a second marking that is done and not decided yet can be decided."))
    if take_second and not note.strip():
        raise MarkingError(_l("Say why the second grades replace the first ones."))
    attempt = marking.attempt
    before = (attempt.percent, attempt.passed)
    if take_second:
        for a in written(attempt):
            a.mentor_score, a.grader_id = marking.points[a.question_id], marking.marker_id
        result = grading.outcome([(a.points, a.max_points) for a in attempt.answers], quiz.pass_mark)
        attempt.score, attempt.max_score = float(result.score), float(result.max_score)
        attempt.percent, attempt.passed = float(result.percent), bool(result.passed)
    marking.outcome, marking.decided_by, marking.decided_at = (SECOND if take_second else FIRST), head.id, utcnow()
    marking.note = note.strip() or None
    record("second_marking_decided", marking, actor=head, trainee=attempt.user_id, quiz=attempt.quiz_slug,
           number=attempt.number, outcome=marking.outcome, percent=attempt.percent, passed=attempt.passed,
           changed=(attempt.percent, attempt.passed) != before, reason=marking.note)
