"""Blind second marking: the head's page (attempts to pick, markings under way and to decide), the second
marker's page, and the head's decision."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..auth.models import ADMIN, HEAD, MENTOR, User
from ..auth.permissions import roles_required
from ..content import curriculum
from ..extensions import db
from ..forms_common import person_choices
from .forms import MarkingDecisionForm, SecondMarkerForm, SecondMarkForm, bounded, graded_in_full
from .models import QuizAttempt, SecondMarking
from .presenting import show
from .second_marking import (MarkingError, candidates, compare, decide, mark, markers_for, possible_markers,
                             request_marking, written)

bp = Blueprint("marking", __name__)

#: Decided markings listed on the head's page, newest first (every undecided one is listed).
MARKINGS_SHOWN = 50


def _marker_form(attempt, people, form=None):
    form = form or SecondMarkerForm(prefix=f"a{attempt.id}", formdata=None)
    form.marker.choices = person_choices(markers_for(attempt, people))
    return form


def _markings(condition, limit=None) -> list:
    """The markings that meet `condition`, newest first (at most `limit`), with their attempts and markers."""
    query = (sa.select(SecondMarking).where(condition)
             .order_by(SecondMarking.requested_at.desc(), SecondMarking.id.desc())
             .options(selectinload(SecondMarking.attempt).selectinload(QuizAttempt.answers),
                      selectinload(SecondMarking.marker)))
    return list(db.session.scalars(query if limit is None else query.limit(limit)))


def _first_graders(answers, graders: dict) -> list:
    """The names of the people who graded these answers, each person once (two graders of one name are both
    named), and "a former grader" once for any whose account is gone."""
    named = {a.grader_id: graders[a.grader_id] for a in answers if a.grader_id in graders}
    former = [_("a former grader")] if any(a.grader_id not in graders for a in answers) else []
    return sorted(named.values()) + former


def _index(failed=None, status=200):
    """The head's page; `failed` ({"attempt" or "marking": id, "form": form}) re-shows a refused form."""
    failed = failed or {}
    people = possible_markers()
    graders = {u.id: u.full_name for u in people}
    picks = [(a, _marker_form(a, people, failed.get("form") if failed.get("attempt") == a.id else None),
              _first_graders(written(a), graders)) for a in candidates()]
    # Every marking not decided yet is work for someone: all of them; of the decided ones, the newest.
    undecided = _markings(SecondMarking.outcome.is_(None))
    to_decide = [(m, compare(m), failed["form"] if failed.get("marking") == m.id
                  else MarkingDecisionForm(prefix=f"m{m.id}", formdata=None))
                 for m in undecided if m.marked_at is not None]
    return render_template("assessment/second_marking.html", picks=picks, to_decide=to_decide,
                           waiting=[m for m in undecided if m.marked_at is None],
                           decided=[(m, compare(m)) for m in _markings(SecondMarking.outcome.is_not(None),
                                                                      MARKINGS_SHOWN)],
                           quizzes=curriculum().quizzes, failed_form=failed.get("form")), status


@bp.get("/second-markings")
@roles_required(HEAD)
def index():
    return _index()


def _done(change, errors: list, message: str) -> bool:
    """Run one service call: commit and flash `message`, or roll back and add the refusal to `errors`."""
    try:
        change()
    except MarkingError as exc:
        db.session.rollback()
        errors.append(str(exc))
        return False
    db.session.commit()
    flash(message, "success")
    return True


def _attempt_or_404(attempt_id):
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None:
        abort(404)
    return attempt


def _marking_or_404(marking_id):
    marking = db.session.get(SecondMarking, marking_id)
    if marking is None:
        abort(404)
    return marking


@bp.route("/attempts/<int:attempt_id>/second-marking", methods=["GET", "POST"])
@roles_required(HEAD)
def pick(attempt_id):
    attempt = _attempt_or_404(attempt_id)
    form = SecondMarkerForm(prefix=f"a{attempt.id}")
    if form.is_submitted():
        _marker_form(attempt, possible_markers(), form)
        if form.validate() and _done(
                lambda: request_marking(attempt, current_user, db.session.get(User, form.marker.data)),
                form.marker.errors, _("The attempt is picked for a blind second marking.")):
            return redirect(url_for("marking.index"))
        return _index({"attempt": attempt.id, "form": form}, 400)
    return redirect(url_for("marking.index"))  # a reload of a refused pick


@bp.route("/second-markings/<int:marking_id>", methods=["GET", "POST"])
@roles_required(MENTOR, HEAD, ADMIN)
def marking(marking_id):
    """The second marker's page: each written answer with its rubric and model answer, never the first grades."""
    second = _marking_or_404(marking_id)
    if second.marker_id != current_user.id:
        abort(403)
    attempt = second.attempt
    quiz = (curriculum().quizzes or {}).get(attempt.quiz_slug)
    if quiz is None:
        abort(404)
    answers = {a.question_id: a for a in attempt.answers}
    asked = {a.question_id for a in written(attempt)}
    review = [q for q in show(quiz, attempt, answers, curriculum(), reveal=True) if q.id in asked]
    form = SecondMarkForm()
    if second.marked_at is None and not form.is_submitted():
        for q in review:
            form.answers.append_entry({"question_id": q.id})
    maxima = {q.id: q.points for q in review}
    if second.marked_at is None and form.is_submitted() and all(
            [form.validate(), bounded(form, maxima), graded_in_full(form, maxima)]):
        points = {e.form.question_id.data: e.form.points.data for e in form.answers}
        if _done(lambda: mark(second, current_user, points), form.form_errors,
                 _("Your second marking is saved; the head of sales compares it with the first.")):
            return redirect(url_for("assessment.inbox"))
    entries = {e.form.question_id.data: e for e in form.answers}
    for q in review:
        if q.id in entries:
            field = entries[q.id].form.points
            field.label.text = _("Question %(n)d: points (0 to %(max)d)", n=q.number, max=q.points)
            field.render_kw = {"min": 0, "max": q.points, "step": "0.5"}
    return render_template("assessment/second_mark.html", marking=second, quiz=quiz, attempt=attempt,
                           review=review, form=form, entries=entries), 400 if request.method == "POST" else 200


@bp.route("/second-markings/<int:marking_id>/decision", methods=["GET", "POST"])
@roles_required(HEAD)
def decision(marking_id):
    second = _marking_or_404(marking_id)
    form = MarkingDecisionForm(prefix=f"m{second.id}")
    if not form.is_submitted():
        return redirect(url_for("marking.index"))  # a reload of a refused decision
    quiz = (curriculum().quizzes or {}).get(second.attempt.quiz_slug)
    if quiz is None:
        abort(404)  # the quiz left the content: nothing to recompute the result with
    if form.validate() and _done(
            lambda: decide(second, quiz, current_user, form.outcome.data == "second", form.note.data or ""),
            form.outcome.errors, _("The decision is recorded.")):
        return redirect(url_for("marking.index"))
    return _index({"marking": second.id, "form": form}, 400)
