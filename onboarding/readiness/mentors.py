"""Mentors' results: for each mentor, the trainees they look after and have looked after, how many reached
independent work and how close to their target date, how their trainees fared at the role-play the first time,
how long their written answers waited for grading, and what waits on them now.

The mentor of record is credited: the mentor a trainee's record names (at approval, for an approved trainee);
a trainee handed on to another mentor counts for the earlier one as handed on, and for the later one from then.
A fixed number of grouped queries, whatever the number of mentors and trainees.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..assessment.models import GRADED, Answer, QuizAttempt
from ..auth.models import MENTOR, TRAINEE, User
from ..extensions import db, one_of
from ..mentoring.models import SCHEDULED, SCORED, MentorAssignment, RolePlayAttempt, RolePlayEvaluator
from ..people.models import TraineeRecord
from ..timeutil import aware, utcnow
from .models import APPROVED, ReadinessDecision, ReadinessSummary
from .rows import ACTIVE_STATUSES
from .summary import refresh_stale

#: Grading waits are read over this many days back from today: the report says how a mentor grades now.
GRADING_WINDOW_DAYS = 365


@dataclass
class MentorResult:
    """One mentor's line of the report."""

    mentor: User
    in_training: int = 0  # trainees of record in training now (in training, awaiting approval, extended)
    independent: int = 0  # trainees of record approved for independent work
    withdrawn: int = 0
    handed_on: int = 0  # trainees they looked after who now have another mentor (or none)
    days_vs_target: list = field(default_factory=list)  # approval day minus target date, per approved trainee
    first_role_plays: int = 0  # trainees of record with a scored role-play
    first_passed: int = 0  # of those, passed at the first scored attempt
    grading_hours: list = field(default_factory=list)  # submission to grading, per attempt they graded
    waiting: int = 0  # inbox items waiting on them now

    @property
    def trainees(self) -> int:
        return self.in_training + self.independent + self.withdrawn + self.handed_on

    @property
    def on_time(self) -> int:
        """Approved on or before their target date."""
        return sum(1 for days in self.days_vs_target if days <= 0)

    @property
    def median_days_vs_target(self) -> float | None:
        return float(median(self.days_vs_target)) if self.days_vs_target else None

    @property
    def first_pass_rate(self) -> int | None:
        """Per cent of role-play first attempts passed; None before any was scored."""
        return round(100 * self.first_passed / self.first_role_plays) if self.first_role_plays else None

    @property
    def median_grading_hours(self) -> float | None:
        return round(float(median(self.grading_hours)), 1) if self.grading_hours else None


def mentor_results(now: datetime | None = None) -> list:
    """Every mentor (any account that mentors or has mentored), by name, with their results."""
    now = now or utcnow()
    refresh_stale(db.session)
    R = TraineeRecord
    ever = sa.union(sa.select(R.mentor_id.label("id")).where(R.mentor_id.is_not(None)),
                    sa.select(MentorAssignment.mentor_id))
    mentors = db.session.scalars(sa.select(User).where(sa.or_(User.role == MENTOR, User.id.in_(ever)))
                                 .order_by(sa.func.lower(User.full_name), User.id)).all()
    results = {m.id: MentorResult(m) for m in mentors}
    trainee = aliased(User)
    of_trainees = (sa.select(R.mentor_id, R.status, sa.func.count()).join(trainee, trainee.id == R.user_id)
                   .where(trainee.role == TRAINEE, R.mentor_id.is_not(None)).group_by(R.mentor_id, R.status))
    for mentor_id, status, count in db.session.execute(of_trainees):
        line = results[mentor_id]
        if status in ACTIVE_STATUSES:
            line.in_training += count
        elif status == "independent":
            line.independent += count
        else:
            line.withdrawn += count
    _handed_on(results)
    _approvals(results)
    _first_role_plays(results)
    _grading_waits(results, now)
    _waiting_now(results, now)
    return list(results.values())


def _handed_on(results: dict) -> None:
    A, R = MentorAssignment, TraineeRecord
    query = (sa.select(A.mentor_id, sa.func.count(sa.distinct(A.trainee_id))).join(R, R.user_id == A.trainee_id)
             .where(sa.or_(R.mentor_id.is_(None), R.mentor_id != A.mentor_id)).group_by(A.mentor_id))
    for mentor_id, count in db.session.execute(query):
        if mentor_id in results:
            results[mentor_id].handed_on = count


def _approvals(results: dict) -> None:
    R, D = TraineeRecord, ReadinessDecision
    query = (sa.select(R.mentor_id, R.target_date, sa.func.max(D.decided_at))
             .join(D, sa.and_(D.trainee_id == R.user_id, D.decision == APPROVED))
             .where(R.status == "independent", R.mentor_id.is_not(None))
             .group_by(R.id, R.mentor_id, R.target_date))
    for mentor_id, target, decided in db.session.execute(query):
        results[mentor_id].days_vs_target.append((aware(decided).date() - target).days)


def _first_role_plays(results: dict) -> None:
    """The first scored attempt of each trainee: cancelled attempts took place never and count for nothing."""
    P, R = RolePlayAttempt, TraineeRecord
    first = (sa.select(P.trainee_id, sa.func.min(P.number).label("number")).where(P.state == SCORED)
             .group_by(P.trainee_id).subquery())
    query = (sa.select(R.mentor_id, sa.func.count(), sa.func.sum(sa.case((P.passed.is_(True), 1), else_=0)))
             .join(first, first.c.trainee_id == R.user_id)
             .join(P, sa.and_(P.trainee_id == first.c.trainee_id, P.number == first.c.number, P.state == SCORED))
             .where(R.mentor_id.is_not(None)).group_by(R.mentor_id))
    for mentor_id, count, passed in db.session.execute(query):
        results[mentor_id].first_role_plays, results[mentor_id].first_passed = count, int(passed or 0)


def _grading_waits(results: dict, now: datetime) -> None:
    """Hours from submission to grading of each attempt with a written answer the mentor graded."""
    graded = (sa.select(Answer.attempt_id, Answer.grader_id).where(Answer.grader_id.is_not(None))
              .distinct().subquery())
    query = (sa.select(graded.c.grader_id, QuizAttempt.submitted_at, QuizAttempt.graded_at)
             .join(QuizAttempt, QuizAttempt.id == graded.c.attempt_id)
             .where(QuizAttempt.state == GRADED, QuizAttempt.submitted_at.is_not(None),
                    QuizAttempt.graded_at >= now - timedelta(days=GRADING_WINDOW_DAYS)))
    for grader_id, submitted, graded_at in db.session.execute(query):
        if grader_id in results:
            hours = (aware(graded_at) - aware(submitted)).total_seconds() / 3600
            results[grader_id].grading_hours.append(max(hours, 0.0))


def _waiting_now(results: dict, now: datetime) -> None:
    """The inbox items each trainee's summary counts for their acting mentor, and the role-plays to score."""
    # The summary's own copies of whether the trainee is listed (an active trainee account), their status and
    # mentor: no join to the records or the trainees' accounts.
    S, mentor = ReadinessSummary, aliased(User)
    query = (sa.select(S.mentor_id, sa.func.coalesce(sa.func.sum(S.inbox_mentor), 0))
             .join(mentor, mentor.id == S.mentor_id)
             .where(S.listed.is_(True), one_of(S.status, ACTIVE_STATUSES), mentor.active.is_(True))
             .group_by(S.mentor_id))
    for mentor_id, count in db.session.execute(query):
        results[mentor_id].waiting += int(count)
    E, P = RolePlayEvaluator, RolePlayAttempt
    to_score = (sa.select(E.evaluator_id, sa.func.count()).join(P, P.id == E.attempt_id)
                .where(E.submitted_at.is_(None), P.state == SCHEDULED, P.scheduled_for <= now)
                .group_by(E.evaluator_id))
    for evaluator_id, count in db.session.execute(to_score):
        if evaluator_id in results:
            results[evaluator_id].waiting += count
