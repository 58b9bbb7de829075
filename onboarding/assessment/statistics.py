"""Question statistics of a quiz: facility, discrimination, options picked, common wrong answers.

Every figure comes from SQL aggregates (GROUP BY) over the graded attempts, written and oral alike: a fixed
number of queries whatever the number of attempts. Python only turns the sums into ratios, per question. For
quizzes with written answers, each grader's mean beside the other graders' on the same questions (one more
grouped query).
"""
import math
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..people.models import TraineeRecord
from .grading import selected
from ..auth.models import User
from .models import GRADED, WRITTEN, Answer, QuizAttempt

TOO_EASY, TOO_HARD, NEGATIVE = "too_easy", "too_hard", "negative"
EASY_ABOVE, HARD_BELOW = 0.9, 0.3
WRONG_ANSWERS_SHOWN = 3


def flags(facility: float | None, discrimination: float | None) -> tuple:
    """Why a question deserves a second look: too easy (facility above 0.9), too hard (below 0.3), or
    negatively discriminating (those who did well on the rest of the test did worse on this one)."""
    found = []
    if facility is not None and facility > EASY_ABOVE:
        found.append(TOO_EASY)
    if facility is not None and facility < HARD_BELOW:
        found.append(TOO_HARD)
    if discrimination is not None and discrimination < 0:
        found.append(NEGATIVE)
    return tuple(found)


def correlation(n, sx, sy, sxy, sxx, syy) -> float | None:
    """Pearson's correlation from the sums SQL returns; None when either side never varies."""
    if not n:
        return None
    vx, vy = n * sxx - sx * sx, n * syy - sy * sy
    if vx <= 1e-12 or vy <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(vx * vy)


@dataclass(frozen=True)
class Filters:
    cohort: date | None = None  # the first day of the trainees' start month
    team: int | None = None
    number: int | None = None  # attempt number


@dataclass
class QuestionStats:
    question: object
    attempts: int = 0
    points: float = 0.0
    max_points: float = 0.0
    discrimination: float | None = None
    picks: dict = field(default_factory=dict)  # option id -> times picked
    wrong: list = field(default_factory=list)  # [(answer as typed, times)], most common first

    @property
    def facility(self) -> float | None:
        return self.points / self.max_points if self.max_points else None

    @property
    def mean_points(self) -> float | None:
        return self.points / self.attempts if self.attempts else None

    @property
    def flags(self) -> tuple:
        return flags(self.facility, self.discrimination)


@dataclass(frozen=True)
class GraderStats:
    """One grader's written answers: their mean points as a share of each question's points, beside the other
    graders' mean on the same questions (each question weighted by how many answers this grader graded)."""
    name: str
    answers: int  # written answers they graded
    share: float
    others: float | None  # None when nobody else graded these questions

    @property
    def difference(self) -> float | None:
        return None if self.others is None else self.share - self.others


def graders_side_by_side(rows) -> list:
    """GraderStats from (grader id, name, question id, sum of point shares, answers) rows, by name."""
    rows, totals = list(rows), {}
    for _gid, _name, qid, summed, n in rows:
        s, c = totals.get(qid, (0.0, 0))
        totals[qid] = (s + float(summed), c + n)
    mine = {}
    for gid, name, qid, summed, n in rows:
        mine.setdefault((gid, name), []).append((qid, float(summed), n))
    result = []
    for (gid, name), questions in mine.items():
        answers = sum(n for _, _, n in questions)
        compared = [(n, (totals[qid][0] - summed) / (totals[qid][1] - n)) for qid, summed, n in questions
                    if totals[qid][1] > n]
        others = sum(n * mean for n, mean in compared) / sum(n for n, _ in compared) if compared else None
        if compared:  # their own mean on the questions others graded too, so the two compare like with like
            share = sum(summed for qid, summed, n in questions if totals[qid][1] > n) / sum(n for n, _ in compared)
        else:
            share = sum(summed for _, summed, _ in questions) / answers
        result.append((gid, GraderStats(name, answers, share, others)))
    return [g for _gid, g in sorted(result, key=lambda item: (item[1].name.lower(), item[0]))]


@dataclass
class QuizStats:
    attempts: int
    mean_percent: float | None
    questions: list
    graders: list = field(default_factory=list)  # GraderStats of the written answers


def _points():
    return sa.func.coalesce(sa.case((Answer.needs_review, Answer.mentor_score), else_=Answer.auto_score), 0.0)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _scope(query, slug: str, filters: Filters):
    """Graded attempts of this quiz by the trainees and attempt number the filters keep."""
    query = query.where(QuizAttempt.quiz_slug == slug, QuizAttempt.state == GRADED)
    if filters.cohort is not None or filters.team is not None:
        query = query.join(TraineeRecord, TraineeRecord.user_id == QuizAttempt.user_id)
    if filters.cohort is not None:
        query = query.where(TraineeRecord.start_date >= filters.cohort,
                            TraineeRecord.start_date < _next_month(filters.cohort))
    if filters.team is not None:
        query = query.where(TraineeRecord.team_id == filters.team)
    if filters.number is not None:
        query = query.where(QuizAttempt.number == filters.number)
    return query


#: Computed statistics kept per process, at most this many (quiz, language and attempt-number filter each).
CACHE_SIZE = 32


def _fingerprint(slug: str) -> tuple:
    """What changes whenever the quiz's graded attempts do: one query over the attempts (no answers read)."""
    return tuple(db.session.execute(sa.select(sa.func.count(QuizAttempt.id), sa.func.max(QuizAttempt.graded_at),
                                              sa.func.sum(QuizAttempt.score))
                                    .where(QuizAttempt.quiz_slug == slug, QuizAttempt.state == GRADED)).one())


def quiz_statistics(quiz, filters: Filters = Filters(), cache: dict | None = None) -> QuizStats:
    """Each question's numbers for the graded attempts the filters keep: four queries, whatever their number.

    With a `cache` (a dict the caller keeps, the app's), the numbers of the same quiz, language and attempt
    number are reused while the fingerprint of its graded attempts is unchanged: one query instead of four.
    Cohort and team filters read the trainees' records, which change without the attempts: never cached."""
    if cache is None or filters.cohort is not None or filters.team is not None:
        return _quiz_statistics(quiz, filters)
    key, fingerprint = (quiz.slug, quiz.locale, filters.number), _fingerprint(quiz.slug)
    kept = cache.get(key)
    if kept is not None and kept[0] is quiz and kept[1] == fingerprint:
        return kept[2]
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    result = _quiz_statistics(quiz, filters)
    cache[key] = (quiz, fingerprint, result)
    return result


def _quiz_statistics(quiz, filters: Filters) -> QuizStats:
    slug = quiz.slug
    stats = {q.id: QuestionStats(q) for q in quiz.questions}

    head = db.session.execute(_scope(sa.select(sa.func.count(QuizAttempt.id), sa.func.avg(QuizAttempt.percent)),
                                     slug, filters)).one()

    # Each answer's points beside the rest of its attempt's points (a graded attempt's score is the sum of its
    # answers' points), then sums per question: the correlation between a question and the rest of the test
    # needs nothing more.
    answers = _scope(sa.select(Answer.question_id.label("qid"), _points().label("x"),
                               Answer.max_points.label("m"), QuizAttempt.score.label("total"))
                     .join(QuizAttempt, QuizAttempt.id == Answer.attempt_id), slug, filters).subquery()
    x, rest = answers.c.x, answers.c.total - answers.c.x
    rows = db.session.execute(sa.select(
        answers.c.qid, sa.func.count(), sa.func.sum(x), sa.func.sum(answers.c.m), sa.func.sum(rest),
        sa.func.sum(x * rest), sa.func.sum(x * x), sa.func.sum(rest * rest)).group_by(answers.c.qid))
    for qid, n, sx, sm, sy, sxy, sxx, syy in rows:
        if qid not in stats:
            continue  # a question since removed from the file
        s = stats[qid]
        s.attempts, s.points, s.max_points = n, float(sx or 0), float(sm or 0)
        s.discrimination = correlation(n, *(float(v or 0) for v in (sx, sy, sxy, sxx, syy)))

    choice_ids = [q.id for q in quiz.questions if q.type in ("single", "multiple")]
    if choice_ids:
        # One row per distinct response (a set of option ids): at most as many as there are option combinations.
        picked = db.session.execute(_scope(
            sa.select(Answer.question_id, Answer.response, sa.func.count())
            .join(QuizAttempt, QuizAttempt.id == Answer.attempt_id)
            .where(Answer.question_id.in_(choice_ids)).group_by(Answer.question_id, Answer.response),
            slug, filters))
        for qid, response, n in picked:
            for option in selected(response):
                stats[qid].picks[option] = stats[qid].picks.get(option, 0) + n

    numeric_ids = [q.id for q in quiz.questions if q.type == "numeric"]
    if numeric_ids:
        # Grouped as typed (trimmed): no bound parameter in the expression, so PostgreSQL sees one GROUP BY key.
        typed = sa.func.trim(Answer.response)
        ranked = _scope(
            sa.select(Answer.question_id.label("qid"), typed.label("typed"), sa.func.count().label("n"),
                      sa.func.row_number().over(partition_by=Answer.question_id,
                                                order_by=(sa.func.count().desc(), typed)).label("place"))
            .join(QuizAttempt, QuizAttempt.id == Answer.attempt_id)
            .where(Answer.question_id.in_(numeric_ids), _points() < Answer.max_points)
            .group_by(Answer.question_id, typed), slug, filters).subquery()
        for qid, typed_answer, n in db.session.execute(
                sa.select(ranked.c.qid, ranked.c.typed, ranked.c.n)
                .where(ranked.c.place <= WRONG_ANSWERS_SHOWN).order_by(ranked.c.qid, ranked.c.place)):
            stats[qid].wrong.append((typed_answer or "", n))

    graders = []
    if any(q.graded_by_person for q in quiz.questions):
        # Written answers only (an oral attempt's examiner marks every question, automatic ones included).
        graders = graders_side_by_side(db.session.execute(_scope(
            sa.select(Answer.grader_id, User.full_name, Answer.question_id,
                      sa.func.sum(Answer.mentor_score / Answer.max_points), sa.func.count())
            .join(QuizAttempt, QuizAttempt.id == Answer.attempt_id).join(User, User.id == Answer.grader_id)
            .where(Answer.needs_review.is_(True), Answer.mentor_score.is_not(None), Answer.max_points > 0,
                   QuizAttempt.mode == WRITTEN)
            .group_by(Answer.grader_id, User.full_name, Answer.question_id), slug, filters)))

    mean = float(head[1]) if head[1] is not None else None
    return QuizStats(attempts=head[0], mean_percent=mean, questions=[stats[q.id] for q in quiz.questions],
                     graders=graders)


def filter_choices(slug: str) -> dict:
    """What the filters offer: start months of trainees who took this quiz, teams, attempt numbers taken."""
    from ..activity.models import Team

    year, month = sa.extract("year", TraineeRecord.start_date), sa.extract("month", TraineeRecord.start_date)
    months = db.session.execute(
        sa.select(year, month).distinct().join(QuizAttempt, QuizAttempt.user_id == TraineeRecord.user_id)
        .where(QuizAttempt.quiz_slug == slug, QuizAttempt.state == GRADED).order_by(year.desc(), month.desc()))
    numbers = db.session.scalars(sa.select(QuizAttempt.number).distinct().where(
        QuizAttempt.quiz_slug == slug, QuizAttempt.state == GRADED).order_by(QuizAttempt.number))
    teams = db.session.execute(sa.select(Team.id, Team.name).order_by(Team.name))
    return {"months": [date(int(y), int(m), 1) for y, m in months], "numbers": list(numbers),
            "teams": [tuple(t) for t in teams]}


def graded_counts() -> dict:
    """Graded attempts per quiz slug, for the index of quizzes."""
    return dict(db.session.execute(sa.select(QuizAttempt.quiz_slug, sa.func.count())
                                   .where(QuizAttempt.state == GRADED).group_by(QuizAttempt.quiz_slug)).all())
