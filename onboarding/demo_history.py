"""Past trainees' graded quiz attempts, generated from a fixed seed: what the demo's question statistics show,
and the statistics benchmark's history (benchmarks/question_stats.py).

The answers are known by construction, so the statistics can be checked against them: each trainee has an
ability; a question is answered right with a chance that grows with it, except for two questions of every quiz,
the first of the file (everyone answers it right) and the second (the stronger the trainee, the likelier the
miss: it discriminates negatively). A written answer earns the share of its points the trainee's chance says,
moved up or down by its grader's habit (the first grader is lenient, the last strict). A failed attempt is
followed by another, a little better, while attempts remain. The past trainees' accounts are closed (inactive):
they finished their onboarding long ago, so no dashboard, list or report of current trainees shows them.
"""
import math
import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa

from .assessment import grading
from .assessment.models import GRADED, WRITTEN, Answer, QuizAttempt
from .auth.models import TRAINEE, User
from .extensions import db
from .people.models import TraineeRecord
from .timeutil import today

EMAIL = "past-trainee-{:05d}@example.com"
FIRST = ["Amira", "Ben", "Chloe", "Dario", "Elif", "Finn", "Greta", "Hugo", "Ines", "Jamal", "Kira", "Luca",
         "Maya", "Nils", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wim", "Yara", "Zoe"]
LAST = ["Adler", "Bianchi", "Cohen", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova", "Jensen",
        "Khan", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Vogel"]
#: A grader's habit: the share of a written answer's points added to what the answer deserves.
LENIENT, STRICT = 0.15, -0.15


def existing(session=None) -> int:
    """How many past trainees the database has (the demo adds them once)."""
    return (session or db.session).scalar(sa.select(sa.func.count()).select_from(User)
                                          .where(User.email.like("past-trainee-%@example.com"))) or 0


def _chance(ability: float, ease: float) -> float:
    return 1 / (1 + math.exp(-(1.6 * ability + ease)))


def _response(question, right: bool, draw, price_list, rng) -> str | None:
    """What a trainee typed: the key when right, else a mistake new managers make (the same few, most often)."""
    if question.type == "single":
        wrong = [o.id for o in question.options if not o.correct]
        return next(o.id for o in question.options if o.correct) if right else wrong[int(rng.random() ** 2 * len(wrong))]
    if question.type == "multiple":
        correct = [o.id for o in question.options if o.correct]
        if right:
            return ",".join(correct)
        wrong = [o.id for o in question.options if not o.correct]
        return ",".join(sorted(correct[1:] + wrong[:1]))
    if question.type == "numeric":
        expected = grading.expected_number(question, draw, price_list)
        if right:
            return f"{expected}"
        mistakes = (expected * Decimal("1.2"), expected / Decimal("1.2"), expected + 100)  # VAT added, removed...
        return f"{mistakes[int(rng.random() ** 2 * len(mistakes))]:.2f}"
    return "An answer in my own words." if right else "I am not sure."


def _attempt_rows(quiz, number, ability, graders, rng, price_list):
    """(attempt fields, [answer fields]) of one graded attempt."""
    plan = grading.plan_attempt(quiz, rng.getrandbits(32))
    answers = []
    for q in grading.asked(quiz, plan):
        index = quiz.questions.index(q)
        chance = 1.0 if index == 0 else _chance(-2 * ability, 0.0) if index == 1 else \
            _chance(ability, (sum(map(ord, q.id)) % 7 - 2) / 2)
        right = rng.random() < chance
        response = _response(q, right, plan["draws"].get(q.id), price_list, rng)
        row = {"question_id": q.id, "response": response, "max_points": float(q.points),
               "needs_review": q.graded_by_person, "auto_score": None, "mentor_score": None, "grader_id": None}
        if q.graded_by_person:
            grader = rng.randrange(len(graders))
            habit = LENIENT if grader == 0 else STRICT if grader == len(graders) - 1 and grader else 0.0
            share = min(1.0, max(0.0, chance + habit + rng.uniform(-0.1, 0.1)))
            row.update(mentor_score=float(round(q.points * share)), grader_id=graders[grader])
        else:
            row["auto_score"] = float(grading.score(q, response, grading.expected_number(
                q, plan["draws"].get(q.id), price_list) if q.type == "numeric" else None))
        answers.append(row)
    result = grading.outcome([(a["mentor_score"] if a["needs_review"] else a["auto_score"], a["max_points"])
                              for a in answers],
                             quiz.pass_mark)
    attempt = {"quiz_slug": quiz.slug, "number": number, "allowed": quiz.attempts, "state": GRADED, "plan": plan,
               "mode": WRITTEN, "score": float(result.score), "max_score": float(result.max_score),
               "percent": float(result.percent), "passed": bool(result.passed)}
    return attempt, answers


def add_past_trainees(cur, quizzes, count: int, graders: list, seed: int = 2024, until: date | None = None) -> int:
    """`count` past trainees (closed accounts) with graded attempts at `quizzes`, graded by `graders` (user ids,
    the first lenient, the last strict); their start months spread over the year before `until`. Returns the
    number of attempts added. Bulk inserts: 10,000 attempts take seconds."""
    rng = random.Random(seed)
    until = until or today()
    first = existing()
    password_hash = db.session.scalar(sa.select(User.password_hash).where(User.id == graders[0]))
    people = [{"email": EMAIL.format(first + i), "role": TRAINEE, "active": False, "password_hash": password_hash,
               "full_name": f"{FIRST[(first + i) % len(FIRST)]} {LAST[(first + i) // len(FIRST) % len(LAST)]}"}
              for i in range(count)]
    ids = list(db.session.scalars(sa.insert(User).returning(User.id, sort_by_parameter_order=True), people))
    records, attempts, answers = [], [], []
    for i, user_id in enumerate(ids):
        start = until - timedelta(days=200 + (i * 365) // max(count, 1))
        records.append({"user_id": user_id, "start_date": start, "target_date": start + timedelta(days=180),
                        "status": "independent"})
        ability = rng.gauss(0, 1)
        for quiz in quizzes:
            when = datetime.combine(start + timedelta(days=7 * quiz.stage), time(15), timezone.utc)
            for number in range(1, quiz.attempts + 1):
                attempt, rows = _attempt_rows(quiz, number, ability, graders, rng, cur.price_list)
                at = when + timedelta(days=3 * (number - 1))
                attempts.append({**attempt, "user_id": user_id, "started_at": at - timedelta(minutes=30),
                                 "submitted_at": at, "graded_at": at + timedelta(days=1)})
                answers.append(rows)
                if attempt["passed"]:
                    break
                ability += 0.8  # read the modules again before the next attempt
    db.session.execute(sa.insert(TraineeRecord), records)
    for begin in range(0, len(attempts), 2000):
        batch = attempts[begin:begin + 2000]
        attempt_ids = db.session.scalars(sa.insert(QuizAttempt).returning(QuizAttempt.id,
                                                                         sort_by_parameter_order=True), batch)
        db.session.execute(sa.insert(Answer), [{**row, "attempt_id": attempt_id, "graded_at": a["graded_at"]}
                                               for attempt_id, a, rows in zip(attempt_ids, batch,
                                                                              answers[begin:begin + 2000])
                                               for row in rows])
    return len(attempts)
