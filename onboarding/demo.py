"""Demo data: the contract's six accounts, with the progress their descriptions promise."""
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from .assessment import grading
from .assessment.models import AWAITING, GRADED
from .assessment.services import grade, start_attempt, submit
from .auth.models import User
from .content import curriculum
from .extensions import db
from .learning.models import ModuleCompletion
from .people.models import TraineeRecord
from .people.services import create_user
from .readiness.progress import planned_windows
from .timeutil import today

PASSWORD = "demo-pass-2024"

ACCOUNTS = [
    # email, name, role, days since start, modules done per stage (None: all), quizzes passed up to stage
    ("admin@example.com", "Lena Brandt", "admin", None, None, 0),
    ("head@example.com", "Irene Walsh", "head", None, None, 0),
    ("mentor@example.com", "Marco Ruiz", "mentor", None, None, 0),
    ("trainee@example.com", "Sam Patel", "trainee", 0, {}, 0),
    ("trainee2@example.com", "Ana Costa", "trainee", 27, {1: None, 2: None, 3: 3}, 2),
    ("trainee3@example.com", "Tom Becker", "trainee", 110, {1: None, 2: None, 3: None, 4: 5}, 4),
]


def _user(email, name, role, start):
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None:
        return user, False
    return create_user(email, name, role, PASSWORD, None, start_date=start), True


def seed() -> int:
    """Create what is missing; run again, it changes nothing. Returns the number of new accounts."""
    cur = curriculum()
    created = 0
    mentor = None
    for email, name, role, days, plan, quizzes_through in ACCOUNTS:
        start = today() - timedelta(days=days or 0)
        user, new = _user(email, name, role, start)
        created += new
        if role == "mentor":
            mentor = user
        if role != "trainee":
            continue
        record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == user.id))
        if new and plan and mentor is not None:
            record.mentor_id = mentor.id
        if new:
            _complete(user, record, plan, cur)
            _quizzes(user, record, plan, quizzes_through, cur, mentor)
    return created


def _complete(user, record, plan, cur):
    """Back-dated completions, spread over each stage's planned window as a real trainee would."""
    windows = planned_windows(cur.stages, record.start_date)
    for stage, (begin, end) in zip(cur.stages, windows):
        if stage.number not in plan:
            continue
        count = plan[stage.number]
        modules = stage.modules if count is None else stage.modules[:count]
        span = max((min(end, today()) - begin).days, 1)
        for i, module in enumerate(modules):
            day = begin + timedelta(days=span * (i + 1) // (len(stage.modules) + 1))
            db.session.add(ModuleCompletion(
                user_id=user.id, module_slug=module.slug, content_version=module.version,
                completed_at=datetime.combine(min(day, today()), time(10 + i % 6, 15), timezone.utc)))


def _answers(quiz, attempt, cur, right=True) -> dict:
    """Responses a trainee might give: the right ones, and written answers in their own short words."""
    responses = {}
    for q in quiz.questions:
        if q.type == "single":
            responses[q.id] = next(o.id for o in q.options if o.correct == right)
        elif q.type == "multiple":
            responses[q.id] = ",".join(o.id for o in q.options if o.correct == right)
        elif q.type == "numeric":
            value = grading.expected_number(q, attempt.plan["draws"].get(q.id), cur.price_list)
            responses[q.id] = str(value if right else value * 2)
        else:
            sentences = [s.strip() for s in q.model_answer.replace("\n", " ").split(". ") if s.strip()]
            responses[q.id] = ". ".join(sentences[:2]).rstrip(".") + "."
    return responses


def _quizzes(user, record, plan, through, cur, mentor):
    """Quiz history: stages up to `through` passed (the first quiz after a failed try); in the current stage,
    the written test waits for the mentor's review."""
    windows = dict(zip((s.number for s in cur.stages), planned_windows(cur.stages, record.start_date)))
    current = max(plan) if plan else 0
    for quiz in cur.quiz_list:
        begin, end = windows[quiz.stage]
        when = datetime.combine(min(end, today()) - timedelta(days=1), time(15, 0), timezone.utc)
        if quiz.stage <= through:
            if quiz.slug == cur.quiz_list[0].slug:  # the first quiz: failed once, passed on the second try
                _attempt(user, quiz, cur, mentor, when - timedelta(days=1), right=False)
            _attempt(user, quiz, cur, mentor, when, right=True)
        elif quiz.stage == current and quiz.has_text_questions:
            _attempt(user, quiz, cur, None, datetime.combine(today() - timedelta(days=2), time(16, 40), timezone.utc),
                     right=True)


def _attempt(user, quiz, cur, grader, when, right):
    attempt = start_attempt(user, quiz)
    submit(attempt, quiz, _answers(quiz, attempt, cur, right), user)
    attempt.started_at, attempt.submitted_at = when - timedelta(minutes=25), when
    if grader is not None and attempt.state == AWAITING:
        grades = {a.question_id: (a.max_points - (1 if i == 0 and a.max_points > 1 else 0),
                                  "Clear and correct." if i else "Good; name the lead time in working days next time.")
                  for i, a in enumerate(x for x in attempt.answers if x.needs_review)}
        grade(attempt, quiz, grader, grades)
        attempt.graded_at = when + timedelta(days=1)
    elif attempt.state == GRADED:
        attempt.graded_at = when
    db.session.flush()
