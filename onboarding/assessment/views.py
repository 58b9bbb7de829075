"""Quizzes: the quiz page, taking an attempt, results, the grading inbox, extra attempts."""
import secrets
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..auth.forms import EmptyForm
from ..auth.models import ADMIN, HEAD, MENTOR, TRAINEE, User
from ..auth.permissions import can_grade, can_view_trainee, roles_required, trainee_or_abort
from ..content import curriculum
from ..extensions import db
from ..forms_common import with_ids
from ..fragments import kept_fragment
from ..navigation import redirect_next
from ..people.models import TraineeRecord
from ..people.services import record_of
from ..path.progress import LOCKED
from ..path.service import trainee_progress
from ..timeutil import utcnow
from . import grading
from ..i18n import fmt_number
from .forms import ExtraAttemptForm, GradeForm, OralForm, bounded, graded_in_full
from .grading import plan_attempt
from .models import AWAITING, IN_PROGRESS, QuizAttempt
from .presenting import show, unanswered
from .queue import second_markings_for, waited, waiting_by_trainee
from .services import (RESPONSE_MAX_LENGTH, AttemptError, DraftChanged, QuizClosed, draft_stamp, gate_of, grade,
                       grant_extra_attempt, oral_problem, overlong, record_oral, responses_from_form, save_answers,
                       save_draft, start_attempt, status_of, submit)

bp = Blueprint("assessment", __name__)


def _quiz_or_404(slug):
    quiz = (curriculum().quizzes or {}).get(slug)
    if quiz is None:
        abort(404)
    return quiz


#: The attempt a page or an autosave is about: built once (Session.get builds a statement per call, twice the cost).
_ATTEMPT = sa.select(QuizAttempt).where(QuizAttempt.id == sa.bindparam("id"))


def _attempt_or_404(attempt_id) -> QuizAttempt:
    attempt = db.session.scalar(_ATTEMPT, {"id": attempt_id})
    if attempt is None:
        abort(404)
    return attempt


def _answers(attempt) -> dict:
    return {a.question_id: a for a in attempt.answers}


@bp.get("/quizzes/<slug>")
@login_required
def quiz(slug):
    quiz = _quiz_or_404(slug)
    cur = curriculum()
    status = attempts = None
    locked, to_read = False, []
    if current_user.role == TRAINEE:
        status = status_of(current_user.id, quiz)
        attempts = db.session.scalars(sa.select(QuizAttempt).where(
            QuizAttempt.user_id == current_user.id, QuizAttempt.quiz_slug == slug).order_by(QuizAttempt.number)).all()
        progress = trainee_progress(record_of(current_user))
        gate = gate_of(current_user, quiz, progress)
        locked = gate.locked_stage is not None
        # The modules still to read, each with whether its stage is open (a link) or not yet (its title only).
        to_read = [(cur.modules[m], progress.stage(cur.modules[m].stage).state != LOCKED) for m in gate.unread]
    return render_template("assessment/quiz.html", quiz=quiz, status=status, attempts=attempts, locked=locked,
                           to_read=to_read, form=EmptyForm(), cur=cur)


@bp.post("/quizzes/<slug>/start")
@roles_required(TRAINEE)
def start(slug):
    quiz = _quiz_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        attempt = start_attempt(current_user, quiz, trainee_progress(record_of(current_user)))
    except QuizClosed as exc:
        if exc.gate.locked_stage is not None:
            abort(403)
        flash(str(exc), "error")
        return redirect(url_for("assessment.quiz", slug=slug))
    except AttemptError as exc:
        flash(str(exc), "error")
        return redirect(url_for("assessment.quiz", slug=slug))
    db.session.commit()
    return redirect(url_for("assessment.attempt", attempt_id=attempt.id))


def _viewer_may_see(attempt) -> bool:
    if attempt.user_id == current_user.id:
        return True
    record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == attempt.user_id))
    return record is not None and can_view_trainee(current_user, record)


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id):
    attempt = _attempt_or_404(attempt_id)
    if not _viewer_may_see(attempt):
        abort(403)
    quiz = _quiz_or_404(attempt.quiz_slug)
    cur = curriculum()
    if attempt.state == IN_PROGRESS and attempt.user_id == current_user.id:
        return _answer_page(attempt, quiz)
    status = status_of(attempt.user_id, quiz)
    finished = attempt.state not in (IN_PROGRESS, AWAITING)
    reveal = grading.may_reveal(quiz.reveal, status.passed, status.used, status.allowed, finished)
    staff = current_user.role in (MENTOR, HEAD, ADMIN)
    questions = show(quiz, attempt, _answers(attempt), cur, reveal=reveal) if attempt.state != IN_PROGRESS else []
    auto = [q for q in questions if not q.waiting]
    return render_template("assessment/result.html", quiz=quiz, attempt=attempt, questions=questions, status=status,
                           reveal=reveal, staff=staff, form=EmptyForm(), modules=cur.modules,
                           auto_points=sum(q.awarded or 0 for q in auto), auto_max=sum(q.points for q in auto),
                           waiting=sum(1 for q in questions if q.waiting),
                           may_grade=attempt.state == AWAITING and _may_grade(attempt))


def _answer_page(attempt, quiz, typed=None, too_long=()):
    """The page a trainee answers on; after a refused save it shows what was typed, each refused answer marked."""
    questions = show(quiz, attempt, _answers(attempt), curriculum(), reveal=False, typed=typed)
    errors = {q.id: _("An answer can be at most %(max)d characters long; this one has %(n)d.",
                      max=RESPONSE_MAX_LENGTH, n=len(typed[q.id])) for q in too_long}
    summary = [{"id": f"q-{q.id}", "label": _("Question %(n)d", n=q.number), "message": errors[q.id]}
               for q in questions if q.id in errors]
    saved = {q.id: q.response for q in questions}
    html = render_template("assessment/attempt.html", quiz=quiz, attempt=attempt, questions=questions,
                           form=EmptyForm(), unanswered=len(unanswered(quiz, attempt, saved)),
                           max_length=RESPONSE_MAX_LENGTH, errors=errors, summary=summary)
    return html, 400 if errors else 200


@bp.app_template_global("attempt_question")
def attempt_question(question, error, text: str):
    """One question of an open attempt (assessment/_attempt_question.html), kept per worker under what it shows."""
    return kept_fragment("assessment/_attempt_question.html",
                         {"q": question, "error": error, "text": text, "max_length": RESPONSE_MAX_LENGTH})


def _refused_as_too_long(attempt, quiz):
    """None when every typed answer fits; else the answer page (or JSON for the autosave) refusing the save."""
    too_long = overlong(quiz, request.form, attempt.plan)
    if not too_long:
        return None
    if _wants_json():
        return jsonify(saved=False, state=attempt.state,
                       error=_("An answer can be at most %(max)d characters long.", max=RESPONSE_MAX_LENGTH)), 400
    typed = responses_from_form(quiz, request.form, attempt.plan)
    typed.update({q.id: request.form.get(f"q-{q.id}", "") for q in too_long})
    return _answer_page(attempt, quiz, typed, too_long)


def _own_open_attempt(attempt_id):
    attempt = _attempt_or_404(attempt_id)
    if attempt.user_id != current_user.id:
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return attempt, _quiz_or_404(attempt.quiz_slug)


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _unanswered_after(attempt, quiz, responses: dict) -> list:
    """(number, question id) of the questions still blank once these responses join the saved answers."""
    saved = {a.question_id: a.response for a in attempt.answers}
    return unanswered(quiz, attempt, {**saved, **responses})


def _unanswered_text(count: int) -> str:
    if not count:
        return ""
    return ngettext("%(num)d question was unanswered when you last saved.",
                    "%(num)d questions were unanswered when you last saved.", count)


@bp.post("/attempts/<int:attempt_id>/save")
@roles_required(TRAINEE)
def save(attempt_id):
    attempt, quiz = _own_open_attempt(attempt_id)
    refused = _refused_as_too_long(attempt, quiz)
    if refused is not None:
        return refused
    responses = responses_from_form(quiz, request.form, attempt.plan)
    stored = save_answers(attempt, quiz, responses)
    saved = stored is not None
    if saved and _wants_json():  # the autosave's answer, read before the commit expires the attempt it reads
        count = len(unanswered(quiz, attempt, stored))
        answer = jsonify(saved=saved, state=attempt.state, unanswered=count, unanswered_text=_unanswered_text(count))
    db.session.commit()
    if _wants_json():
        return answer if saved else (jsonify(saved=saved, state=attempt.state), 409)
    if saved:
        flash(_("Your answers are saved. You can come back and finish later."), "success")
    else:
        flash(_("This attempt was already submitted."), "info")
    return redirect(url_for("assessment.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/submit", methods=["GET", "POST"])
@roles_required(TRAINEE)
def submit_attempt(attempt_id):
    if request.method == "GET":  # the address the confirmation is shown on: a reload goes back to the attempt
        if _attempt_or_404(attempt_id).user_id != current_user.id:
            abort(403)
        return redirect(url_for("assessment.attempt", attempt_id=attempt_id))
    attempt, quiz = _own_open_attempt(attempt_id)
    refused = _refused_as_too_long(attempt, quiz)
    if refused is not None:
        return refused
    responses = responses_from_form(quiz, request.form, attempt.plan)
    if request.form.get("confirm_unanswered") != "1":
        blank = _unanswered_after(attempt, quiz, responses)
        if blank:  # ask first: keep what was typed, and list what is left
            if save_answers(attempt, quiz, responses) is None:
                db.session.rollback()
                return redirect(url_for("assessment.attempt", attempt_id=attempt.id))
            db.session.commit()
            return render_template("assessment/confirm.html", quiz=quiz, attempt=attempt, blank=blank,
                                   form=EmptyForm())
    if submit(attempt, quiz, responses, current_user):
        db.session.commit()
        flash(_("Your answers are submitted."), "success")
    else:
        db.session.rollback()
    return redirect(url_for("assessment.attempt", attempt_id=attempt.id))


def _may_grade(attempt) -> bool:
    record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == attempt.user_id))
    return can_grade(current_user, record)


@bp.get("/grading")
@roles_required(MENTOR, HEAD, ADMIN)
def inbox():
    trainees = waiting_by_trainee(current_user.id if current_user.role == MENTOR else None)
    return render_template("assessment/inbox.html", trainees=trainees, quizzes=curriculum().quizzes, now=utcnow(),
                           second_markings=second_markings_for(current_user.id))


@bp.app_template_global("waiting_trainee")
def waiting_trainee(trainee, now):
    """One trainee's card in the grading inbox (assessment/_waiting_trainee.html), kept per worker under what it
    shows: the attempts, and how long each has waited (in whole hours, so a card is made again once an hour)."""
    content = curriculum()
    attempts = tuple((a, waited(a.submitted_at, now)) for a in trainee.attempts)
    return kept_fragment("assessment/_waiting_trainee.html", {"trainee": trainee, "attempts": attempts},
                         {"quizzes": content.quizzes}, content.version)


def _named_entries(form, questions, note_label) -> dict:
    """{question id: its points-and-note entry}, each field labelled with its question's number (beside the answer
    and in the error summary) and the points bounded by the question's maximum."""
    entries = {e.form.question_id.data: e for e in form.answers}
    for q in questions:
        if q.id in entries:
            fields = entries[q.id].form
            fields.points.label.text = _("Question %(n)d: points (0 to %(max)d)", n=q.number, max=q.points)
            fields.points.render_kw = {"min": 0, "max": q.points, "step": "0.5"}
            fields.comment.label.text = note_label(q.number)
    return entries


@bp.route("/attempts/<int:attempt_id>/grade", methods=["GET", "POST"])
@roles_required(MENTOR, HEAD, ADMIN)
def grade_attempt(attempt_id):
    attempt = _attempt_or_404(attempt_id)
    if not _may_grade(attempt):
        abort(403)
    if attempt.state != AWAITING:
        flash(_("This attempt is not waiting for grading."), "info")
        return redirect(url_for("assessment.attempt", attempt_id=attempt.id))
    quiz = _quiz_or_404(attempt.quiz_slug)
    answers = _answers(attempt)
    review = [q for q in show(quiz, attempt, answers, curriculum(), reveal=True) if answers.get(q.id)
              and answers[q.id].needs_review]
    form = GradeForm()
    drafting = request.form.get("action") == "draft"  # "Save draft" beside "Finish grading"
    if request.method == "GET":
        form.loaded.data = draft_stamp(attempt)
        drafted = attempt.draft_saved_at is not None  # resume the draft, whoever saved it
        for q in review:
            a = answers[q.id]
            form.answers.append_entry({"question_id": q.id,
                                       "points": a.draft_points if drafted else a.mentor_score,
                                       "comment": (a.draft_comment if drafted else a.comment) or ""})
    maxima = {q.id: q.points for q in review}
    # Every check runs, so one pass reports every problem: not a number, out of range, and (finishing) missing.
    checks = [form.validate_on_submit(), bounded(form, maxima), drafting or graded_in_full(form, maxima)] \
        if request.method == "POST" else [False]
    if all(checks):
        grades = {e.form.question_id.data: (e.form.points.data, e.form.comment.data) for e in form.answers
                  if e.form.question_id.data in maxima}
        # The page sends the draft it was loaded with; a client that sends none does not ask for the check.
        loaded = (form.loaded.data or "") if "loaded" in request.form else None
        try:
            if drafting:
                save_draft(attempt, current_user, grades, loaded)
                final = False
            else:
                final = grade(attempt, quiz, current_user, grades, loaded)
        except AttemptError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            if isinstance(exc, DraftChanged):  # sending again (after comparing) saves over the newer draft
                db.session.refresh(attempt)
                form.loaded.data = draft_stamp(attempt)
        else:
            db.session.commit()
            if drafting:
                flash(_("Your draft is saved. It is not final and the trainee does not see it; you or another "
                        "grader can finish it later."), "success")
            else:
                flash(_("Grading is complete; the trainee is told.") if final else _("Your grades are saved."),
                      "success")
            return redirect_next(url_for("assessment.inbox") if final else url_for("assessment.grade_attempt",
                                                                                   attempt_id=attempt.id))
    entries = _named_entries(form, review, lambda n: _("Question %(n)d: comment for the trainee", n=n))
    auto = [q for q in show(quiz, attempt, answers, curriculum(), reveal=True) if not answers.get(q.id)
            or not answers[q.id].needs_review]
    return render_template("assessment/grade.html", quiz=quiz, attempt=attempt, review=review, entries=entries,
                           form=form, auto=auto, draft_by=attempt.draft_author), \
        400 if request.method == "POST" else 200


@bp.route("/trainees/<int:user_id>/quizzes/<slug>/oral", methods=["GET", "POST"])
@roles_required(MENTOR, HEAD, ADMIN)
def oral(user_id, slug):
    """An oral attempt: the examiner (the trainee's mentor, a head of sales or HR) asks the attempt's questions in
    a meeting and records the points of each against the same rubric, with a note."""
    quiz = _quiz_or_404(slug)
    trainee, rec = trainee_or_abort(user_id, check=can_grade)
    progress = trainee_progress(rec)
    problem = oral_problem(trainee, quiz, progress)
    if problem:
        flash(str(problem), "error")
        return redirect(url_for("people.trainee", user_id=trainee.id))
    form = OralForm()
    try:
        seed = int(form.seed.data or request.args.get("seed") or secrets.randbits(32))
    except ValueError:
        abort(400)
    if not 0 <= seed < 2 ** 32:
        abort(400)
    form.seed.data = str(seed)
    plan = plan_attempt(quiz, seed)
    asked = show(quiz, SimpleNamespace(plan=plan), {}, curriculum(), reveal=True)
    maxima = {q.id: q.points for q in asked}
    if request.method == "GET":
        for q in asked:
            form.answers.append_entry({"question_id": q.id})
    checks = [form.validate_on_submit(), bounded(form, maxima), graded_in_full(form, maxima)] \
        if request.method == "POST" else [False]
    if all(checks):
        marks = {e.form.question_id.data: (e.form.points.data, e.form.comment.data) for e in form.answers
                 if e.form.question_id.data in maxima}
        try:
            attempt = record_oral(trainee, quiz, progress, current_user, seed, marks)
        except AttemptError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The oral attempt is recorded: %(percent)s%%, %(result)s. %(name)s is told.",
                    percent=fmt_number(attempt.percent), result=_("passed") if attempt.passed else _("not passed"),
                    name=trainee.full_name), "success")
            return redirect(url_for("assessment.attempt", attempt_id=attempt.id))
    entries = _named_entries(form, asked, lambda n: _("Question %(n)d: note (what the trainee said)", n=n))
    return render_template("assessment/oral.html", quiz=quiz, trainee=trainee, asked=asked, entries=entries,
                           form=form, number=status_of(trainee.id, quiz).used + 1), \
        400 if request.method == "POST" else 200


@bp.route("/quizzes/<slug>/extra/<int:user_id>", methods=["GET", "POST"])
@roles_required(HEAD)
def extra_attempt(slug, user_id):
    quiz = _quiz_or_404(slug)
    trainee = db.session.get(User, user_id)
    if trainee is None or trainee.role != TRAINEE:
        abort(404)
    if request.method == "GET":  # the address a refused grant is shown on: a reload goes back to the trainee
        return redirect(url_for("people.trainee", user_id=user_id) + "#blocked")
    form = with_ids(ExtraAttemptForm(), slug)
    if form.validate_on_submit():
        try:
            grant_extra_attempt(trainee, quiz, current_user, form.reason.data)
        except AttemptError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s has one more attempt at “%(quiz)s”.", name=trainee.full_name, quiz=quiz.title), "success")
            return redirect_next(url_for("people.trainee", user_id=user_id))
    from ..people.views import render_trainee

    return render_trainee(trainee, extra_form=form, extra_for=slug, status=400)
