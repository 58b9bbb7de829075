"""Quiz attempts: start, save, submit, grade, extra attempts. Each change is audited; the view commits."""
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..auth.models import User
from ..content import curriculum
from ..extensions import db
from ..learning.services import completions_by_user
from ..i18n import join_list
from ..notifications.services import notify, resolve
from ..people.services import answerers, lock_trainee
from ..summaries import touch
from ..path.progress import LOCKED, QuizGate, quiz_gate
from ..timeutil import aware, utcnow
from . import grading
from .models import AWAITING, GRADED, IN_PROGRESS, ORAL, WRITTEN, Answer, ExtraAttempt, QuizAttempt


class AttemptError(ValueError):
    """An attempt action that the rules refuse; the message is for the trainee."""


class QuizClosed(AttemptError):
    """The quiz is not open to this trainee yet; `gate` says why (its stage is locked, or modules are unread)."""

    def __init__(self, gate: QuizGate):
        self.gate = gate
        if gate.locked_stage is not None:
            message = _l("This quiz opens with its stage.")
        else:
            modules = curriculum().modules
            message = _l("This quiz opens when you have read the modules it covers. Still to read: %(titles)s.",
                         titles=join_list(modules[slug].title if slug in modules else slug for slug in gate.unread))
        super().__init__(message)


@dataclass(frozen=True)
class QuizStatus:
    """Where one trainee stands with one quiz."""

    allowed: int
    used: int
    passed: bool
    open_attempt: int | None  # id of the attempt in progress
    awaiting: bool  # an attempt waits for grading
    best_percent: float | None
    passed_on: object = None  # the date of the first passing attempt

    @property
    def left(self) -> int:
        return max(self.allowed - self.used, 0)

    @property
    def blocked(self) -> bool:
        """Every attempt used, none passed, nothing left to grade: only the head of sales can help."""
        return not self.passed and self.left == 0 and self.open_attempt is None and not self.awaiting


#: Built once (see learning.services): `ids` is a list, expanded when the statement runs.
_ATTEMPTS_OF = sa.select(QuizAttempt.user_id, QuizAttempt.quiz_slug, QuizAttempt.id, QuizAttempt.state,
                         QuizAttempt.passed, QuizAttempt.percent, QuizAttempt.graded_at).where(
    QuizAttempt.user_id.in_(sa.bindparam("ids", expanding=True)))
_EXTRAS_OF = (sa.select(ExtraAttempt.user_id, ExtraAttempt.quiz_slug, sa.func.count(ExtraAttempt.id))
              .where(ExtraAttempt.user_id.in_(sa.bindparam("ids", expanding=True))).group_by(ExtraAttempt.user_id, ExtraAttempt.quiz_slug))


def statuses(user_ids, quizzes) -> dict:
    """{user id: {quiz slug: QuizStatus}} for many trainees in two queries."""
    user_ids = list(user_ids)
    attempts, extras = {}, {}
    if user_ids:
        for a in db.session.execute(_ATTEMPTS_OF, {"ids": user_ids}):
            attempts.setdefault((a.user_id, a.quiz_slug), []).append(a)
        for uid, slug, count in db.session.execute(_EXTRAS_OF, {"ids": user_ids}):
            extras[(uid, slug)] = count
    result = {}
    for uid in user_ids:
        per_quiz = {}
        for quiz in quizzes:
            rows = attempts.get((uid, quiz.slug), [])
            percents = [r.percent for r in rows if r.percent is not None and r.state == GRADED]
            per_quiz[quiz.slug] = QuizStatus(
                allowed=quiz.attempts + extras.get((uid, quiz.slug), 0), used=len(rows),
                passed=any(r.passed for r in rows),
                open_attempt=next((r.id for r in rows if r.state == IN_PROGRESS), None),
                awaiting=any(r.state == AWAITING for r in rows),
                best_percent=max(percents) if percents else None,
                passed_on=min((r.graded_at.date() for r in rows if r.passed and r.graded_at), default=None))
        result[uid] = per_quiz
    return result


def status_of(user_id: int, quiz) -> QuizStatus:
    return statuses([user_id], [quiz])[user_id][quiz.slug]


def gate_of(user: User, quiz, progress, done=None):
    """Whether the trainee may start the quiz now (a QuizGate), judged on their path.

    progress: the trainee's path (path.service.trainee_progress), computed by the caller: the path rules
    read quiz statuses from this module, so this module does not load the path itself. done: the slugs of the
    modules the trainee has read, when the caller has them (else read here).
    """
    if done is None:
        done = completions_by_user([user.id])[user.id]
    return quiz_gate(quiz.stage, quiz.modules, frozenset(done), progress.stage(quiz.stage).state == LOCKED)


def start_attempt(user: User, quiz, progress) -> QuizAttempt:
    """The open attempt if there is one, else a new one: only once the quiz is open (its stage open, its modules
    read: see gate_of), and never more than the attempts allowed."""
    status = status_of(user.id, quiz)
    if status.open_attempt is not None:
        return db.session.get(QuizAttempt, status.open_attempt)
    if WRITTEN not in quiz.forms:
        raise AttemptError(_l("This quiz is taken orally: your mentor asks the questions in a meeting."))
    gate = gate_of(user, quiz, progress)
    if not gate.open:
        raise QuizClosed(gate)
    if status.passed:
        raise AttemptError(_l("You have already passed this quiz."))
    if status.awaiting:
        raise AttemptError(_l("Your last attempt is waiting for review; wait for the result before trying again."))
    if status.left == 0:
        raise AttemptError(_l("You have used every attempt at this quiz. Your head of sales can grant one more."))
    attempt = QuizAttempt(user_id=user.id, quiz_slug=quiz.slug, number=status.used + 1, allowed=status.allowed,
                          state=IN_PROGRESS, plan=grading.plan_attempt(quiz, secrets.randbits(32)))
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Another tab started this very attempt a moment ago: resume that one.
        existing = db.session.scalar(sa.select(QuizAttempt).where(
            QuizAttempt.user_id == user.id, QuizAttempt.quiz_slug == quiz.slug, QuizAttempt.state == IN_PROGRESS))
        if existing is None:
            raise AttemptError(_l("This attempt could not be started; reload the page and try again.")) from None
        return existing
    record("quiz_attempt_started", attempt, actor=user, quiz=quiz.slug, number=attempt.number,
           **({"language": quiz.locale} if quiz.locale else {}))
    return attempt


def _claim(attempt: QuizAttempt, **values) -> bool:
    """Change the attempt only while it is still in progress; False if another request got there first.

    The guarded UPDATE takes the row's write lock, so answers cannot change after a submission. It bypasses the
    ORM, so a change of state notes the trainee's readiness summary itself (the answers of an open attempt feed
    none: see Answer.summary_trainee_ids).
    """
    result = db.session.execute(sa.update(QuizAttempt).where(QuizAttempt.id == attempt.id,
                                                             QuizAttempt.state == IN_PROGRESS)
                                .values(**values).execution_options(synchronize_session=False))
    if result.rowcount == 1 and "state" in values:
        touch(db.session, attempt.user_id)
    return result.rowcount == 1


#: The longest answer kept; the attempt page's inputs carry it as their maxlength.
RESPONSE_MAX_LENGTH = 20000


def responses_from_form(quiz, form, plan: dict) -> dict:
    """{question id: response text} from a submitted form; option names are this attempt's, mapped back."""
    responses = {}
    for q in grading.asked(quiz, plan):
        key = f"q-{q.id}"
        names = dict(grading.option_pairs(plan, q)) if q.options else {}
        if q.type == "multiple":
            if key in form or f"{key}-present" in form:
                responses[q.id] = ",".join(sorted(names[v] for v in set(form.getlist(key)) if v in names))
        elif key in form:
            value = form.get(key, "")
            if q.type == "single":
                value = names.get(value, "")
            responses[q.id] = value[:RESPONSE_MAX_LENGTH]
    return responses


def overlong(quiz, form, plan: dict) -> list:
    """The questions whose typed answer is longer than RESPONSE_MAX_LENGTH: refused, never cut short."""
    return [q for q in grading.asked(quiz, plan) if q.type in ("numeric", "text")
            and len(form.get(f"q-{q.id}", "")) > RESPONSE_MAX_LENGTH]


def _store(attempt: QuizAttempt, quiz, responses: dict) -> dict:
    """Write the responses into the attempt's answers; returns every answer's response now, by question id.
    An answer is written only when it changed: an autosave sends the whole form, and sixteen unchanged answers
    marked as changed cost a flush that looks at each of them."""
    existing = {a.question_id: a for a in db.session.scalars(sa.select(Answer).where(Answer.attempt_id == attempt.id))}
    for q in grading.asked(quiz, attempt.plan):
        if q.id not in responses:
            continue
        answer = existing.get(q.id)
        if answer is None:
            existing[q.id] = answer = Answer(attempt_id=attempt.id, question_id=q.id, response=responses[q.id],
                                             max_points=q.points, needs_review=q.graded_by_person)
            db.session.add(answer)
        elif answer.response != responses[q.id]:
            answer.response = responses[q.id]
    return {qid: answer.response for qid, answer in existing.items()}


def save_answers(attempt: QuizAttempt, quiz, responses: dict) -> dict | None:
    """Keep what the trainee has answered so far; returns every saved response of the attempt by question id
    (what the page counts as still blank), None if the attempt was already submitted."""
    if not _claim(attempt, saved_at=utcnow()):
        return None
    return _store(attempt, quiz, responses)


def submit(attempt: QuizAttempt, quiz, responses: dict, actor: User) -> bool:
    """Submit once: a double click, a refresh or a second tab records one submission. True if this call did."""
    if not _claim(attempt, state=AWAITING, submitted_at=utcnow()):
        return False
    _store(attempt, quiz, responses)
    db.session.flush()
    db.session.refresh(attempt)
    answers = {a.question_id: a for a in attempt.answers}
    cur = curriculum()
    for q in grading.asked(quiz, attempt.plan):
        answer = answers.get(q.id)
        if answer is None:  # unanswered questions still count, with no points
            answer = Answer(attempt_id=attempt.id, question_id=q.id, response=None, max_points=q.points,
                            needs_review=False)
            db.session.add(answer)
            answer.auto_score = 0.0
            continue
        answer.needs_review = q.graded_by_person and bool((answer.response or "").strip())
        if q.graded_by_person and not answer.needs_review:
            answer.auto_score = 0.0  # an empty text answer has nothing to review
        elif not q.graded_by_person:
            expected = (grading.expected_number(q, attempt.plan["draws"].get(q.id), cur.price_list)
                        if q.type == "numeric" else None)
            answer.auto_score = float(grading.score(q, answer.response, expected))
    db.session.flush()
    db.session.refresh(attempt)
    record("quiz_submitted", attempt, actor=actor, quiz=quiz.slug, number=attempt.number,
           **({"language": quiz.locale} if quiz.locale else {}))
    waiting = [a for a in attempt.answers if a.needs_review]
    if waiting:
        notify(answerers(attempt.user_id), "answers_waiting", link=f"/attempts/{attempt.id}/grade",
               trainee=attempt.user.full_name, quiz=quiz.title, count=len(waiting))
    else:
        _finalise(attempt, quiz)
    return True


def _finalise(attempt: QuizAttempt, quiz) -> None:
    result = grading.outcome([(a.points, a.max_points) for a in attempt.answers], quiz.pass_mark)
    attempt.state, attempt.graded_at = GRADED, utcnow()
    attempt.score, attempt.max_score = float(result.score), float(result.max_score)
    attempt.percent, attempt.passed = float(result.percent), bool(result.passed)
    record("quiz_graded", attempt, actor=None, quiz=quiz.slug, number=attempt.number, percent=attempt.percent,
           passed=attempt.passed)


def _lock_for_grading(attempt: QuizAttempt) -> None:
    """Take the attempt's write lock first, then read its state: two graders cannot both finalise it."""
    locked = db.session.execute(sa.update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.state == AWAITING)
                                .values(state=AWAITING).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(attempt)
    if not locked or attempt.state != AWAITING:
        raise AttemptError(_l("This attempt is not waiting for grading."))


class DraftChanged(AttemptError):
    """Another grader saved a draft of this attempt after this grader's page was loaded."""


def draft_stamp(attempt: QuizAttempt) -> str:
    """Which draft a grading page was loaded with: the time it was saved ("" for none)."""
    return aware(attempt.draft_saved_at).isoformat() if attempt.draft_saved_at else ""


def _check_draft(attempt: QuizAttempt, loaded: str | None) -> None:
    """Refuse to overwrite a draft saved since the page was loaded (None: the caller does not check)."""
    if loaded is not None and loaded != draft_stamp(attempt):
        raise DraftChanged(_l("Another grader saved a draft of this attempt after you opened it. What you typed is "
                              "kept below: compare it with their draft, then save again."))


def save_draft(attempt: QuizAttempt, grader: User, drafts: dict, loaded: str | None = None) -> int:
    """Keep a grader's work so far {question id: (points or None, comment)} as a draft: not final, not shown to the
    trainee, not counted anywhere; any grader of the trainee may resume it. Returns how many answers have points.
    `loaded` is the draft_stamp the grader's page was loaded with: a draft saved since is not overwritten."""
    _lock_for_grading(attempt)
    _check_draft(attempt, loaded)
    given = 0
    for answer in attempt.answers:
        if answer.question_id not in drafts or not answer.needs_review:
            continue
        points, comment = drafts[answer.question_id]
        if points is not None and not 0 <= points <= answer.max_points:
            raise AttemptError(_l("Points must be between 0 and the question's maximum."))
        answer.draft_points = float(points) if points is not None else None
        answer.draft_comment = (comment or "").strip() or None
        given += points is not None
    attempt.draft_by, attempt.draft_saved_at = grader.id, utcnow()
    record("grading_draft_saved", attempt, actor=grader, quiz=attempt.quiz_slug, number=attempt.number,
           graded=given, total=sum(1 for a in attempt.answers if a.needs_review))
    return given


def grade(attempt: QuizAttempt, quiz, grader: User, grades: dict, loaded: str | None = None) -> bool:
    """Record points and comments {question id: (points, comment)}; finalise when nothing waits. True if final.
    Finishing clears the draft: what was drafted is now final or gone. `loaded`: as for save_draft."""
    _lock_for_grading(attempt)
    _check_draft(attempt, loaded)
    for answer in attempt.answers:
        if answer.question_id not in grades or not answer.needs_review:
            continue
        points, comment = grades[answer.question_id]
        if not 0 <= points <= answer.max_points:
            raise AttemptError(_l("Points must be between 0 and the question's maximum."))
        answer.mentor_score, answer.comment = float(points), (comment or "").strip() or None
        answer.grader_id, answer.graded_at = grader.id, utcnow()
        record("answer_graded", answer, actor=grader, attempt=attempt.id, question=answer.question_id,
               points=float(points))
    if any(a.needs_review and a.mentor_score is None for a in attempt.answers):
        return False
    for answer in attempt.answers:
        answer.draft_points = answer.draft_comment = None
    attempt.draft_by = attempt.draft_saved_at = None
    _finalise(attempt, quiz)
    resolve(f"/attempts/{attempt.id}/grade")
    notify([attempt.user_id], "attempt_graded", link=f"/attempts/{attempt.id}", quiz=quiz.title,
           percent=f"{attempt.percent:g}", passed=attempt.passed)
    return True


def oral_problem(trainee: User, quiz, progress, status=None, done=None) -> str | None:
    """Why an oral attempt cannot be recorded for this trainee now (None: it can): the same rules as starting a
    written one (the quiz open on their path, not passed, nothing waiting for grading, an attempt left), and no
    written attempt left open. status (the quiz's QuizStatus) and done (the modules read): what the caller has
    read already for a page that asks this of every quiz, else read here."""
    if ORAL not in quiz.forms:
        return _l("This quiz is taken in writing only.")
    if status is None:
        status = status_of(trainee.id, quiz)
    if status.open_attempt is not None:
        return _l("%(name)s has a written attempt open: it is submitted (or left) before an oral one is recorded.",
                  name=trainee.full_name)
    gate = gate_of(trainee, quiz, progress, done)
    if gate.locked_stage is not None:
        return _l("The quiz opens with stage %(n)d, not open for %(name)s yet.", n=gate.locked_stage,
                  name=trainee.full_name)
    if gate.unread:
        modules = curriculum().modules
        return _l("%(name)s has not read the modules the quiz covers yet: %(titles)s.", name=trainee.full_name,
                  titles=join_list(modules[slug].title if slug in modules else slug for slug in gate.unread))
    if status.passed:
        return _l("%(name)s has already passed this quiz.", name=trainee.full_name)
    if status.awaiting:
        return _l("An attempt of %(name)s is waiting for grading.", name=trainee.full_name)
    if status.left == 0:
        return _l("Every attempt at this quiz is used. The head of sales can grant one more.")
    return None


def record_oral(trainee: User, quiz, progress, examiner: User, seed: int, marks: dict) -> QuizAttempt:
    """An oral attempt: the examiner asked the questions of the attempt planned with `seed` in a meeting and
    records {question id: (points, note)} for every one. It counts like a written attempt: the same attempts,
    the same pass mark, graded at once."""
    lock_trainee(trainee.id)  # two examiners saving at once record one attempt, then refuse the other
    problem = oral_problem(trainee, quiz, progress)
    if problem:
        raise AttemptError(problem)
    plan = grading.plan_attempt(quiz, seed)
    asked = [quiz.question(qid) for qid in plan["questions"]]
    if any(q.id not in marks for q in asked):
        raise AttemptError(_l("Give points for every question asked."))
    for q in asked:
        points, _note = marks[q.id]
        if points is None or not 0 <= points <= q.points:
            raise AttemptError(_l("Points must be between 0 and the question's maximum."))
    status, now = status_of(trainee.id, quiz), utcnow()
    attempt = QuizAttempt(user_id=trainee.id, quiz_slug=quiz.slug, number=status.used + 1, allowed=status.allowed,
                          state=AWAITING, mode=ORAL, plan=plan, started_at=now, submitted_at=now)
    db.session.add(attempt)
    db.session.flush()
    for q in asked:
        points, note = marks[q.id]
        db.session.add(Answer(attempt_id=attempt.id, question_id=q.id, response=None, max_points=q.points,
                              needs_review=True, mentor_score=float(points), comment=(note or "").strip() or None,
                              grader_id=examiner.id, graded_at=now))
    db.session.flush()
    db.session.refresh(attempt)
    record("quiz_oral_recorded", attempt, actor=examiner, quiz=quiz.slug, number=attempt.number)
    _finalise(attempt, quiz)
    notify([attempt.user_id], "attempt_graded", link=f"/attempts/{attempt.id}", quiz=quiz.title,
           percent=f"{attempt.percent:g}", passed=attempt.passed)
    return attempt


def grant_extra_attempt(trainee: User, quiz, head: User, reason: str) -> ExtraAttempt:
    lock_trainee(trainee.id)  # two clicks grant one attempt
    if not status_of(trainee.id, quiz).blocked:
        raise AttemptError(_l("An extra attempt is for a trainee who has used every attempt without passing."))
    extra = ExtraAttempt(user_id=trainee.id, quiz_slug=quiz.slug, granted_by=head.id, reason=reason.strip())
    db.session.add(extra)
    record("extra_attempt_granted", extra, actor=head, trainee=trainee.id, quiz=quiz.slug, reason=reason.strip())
    notify([trainee.id], "extra_attempt", link=f"/quizzes/{quiz.slug}", quiz=quiz.title)
    return extra
