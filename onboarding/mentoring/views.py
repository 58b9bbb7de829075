"""Mentoring pages: the checklist, role-plays, the signature (the activity ledger, targets and supervision:
onboarding.activity; the dashboard's bulk assignment of a mentor: onboarding.readiness.views)."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..auth.forms import EmptyForm
from ..auth.models import ADMIN, HEAD, MENTOR, READERS, TRAINEE, User
from ..auth.permissions import can_grade, can_view_trainee, roles_required, trainee_to_act_on
from ..confirming import confirmed, render_confirmation
from ..content import curriculum
from ..evidence.forms import show_refused, uploads_of
from ..evidence.services import EvidenceRefused, files_of
from ..extensions import db
from ..forms_common import person_choices, with_ids
from ..navigation import done
from ..paging import paginate
from ..people.services import acting_mentor, record_of
from ..path.service import trainee_progress
from ..timeutil import aware, utcnow
from . import rules
from .forms import (TASK_FORMS, CancelForm, HoldForm, RescheduleForm, ScheduleForm, SignForm,
                    score_form)
from .models import CANCELLED, SCORED, Acknowledgement, RolePlayAttempt, RolePlayScore, SignOffEvent
from .services import (MentoringError, cancel_role_play, decide_hold, ensure_due,
                       evaluator_candidates, missing_label, request_sign_off, reschedule_role_play, return_task,
                       revoke, role_play_evaluators, role_play_missing, role_play_status, schedule_role_play,
                       sign_document, sign_off, submit_scores)

bp = Blueprint("mentoring", __name__)


_trainee = trainee_to_act_on  # the trainee and their record, if the current user may see (write: act on) them
_done = done  # commit, say so, and go back


def _refused(exc, endpoint, **values):
    db.session.rollback()
    flash(str(exc), "error")
    return redirect(url_for(endpoint, **values))


# ---------------------------------------------------------------- the checklist

@bp.get("/trainees/<int:user_id>/checklist")
@login_required
def checklist(user_id):
    trainee, rec = _trainee(user_id)
    return _render_checklist(trainee, rec)


def _render_checklist(trainee, rec, failed=None):
    """The checklist page; `failed` is (step, task id, form) of a request or mentor's step that was refused: it
    comes back as typed, with its errors, and the page answers 400."""
    events = db.session.scalars(sa.select(SignOffEvent).where(SignOffEvent.trainee_id == trainee.id)
                                .order_by(SignOffEvent.id).options(selectinload(SignOffEvent.actor))).all()
    history = {}
    for e in events:
        history.setdefault(e.task_id, []).append(e)
    states = rules.task_states((e.kind, e.task_id) for e in events)

    def task_form(step, task_id):
        """The form of one step of one task, with ids of its own on a page of many."""
        if failed is not None and failed[:2] == (step, task_id):
            return failed[2]
        return with_ids(TASK_FORMS[step](formdata=None), f"{step}-{task_id}")

    return render_template("mentoring/checklist.html", trainee=trainee, rec=rec, cur=curriculum(), states=states,
                           history=history, files=files_of("sign_off_event_id", [e.id for e in events]),
                           progress=trainee_progress(rec), task_form=task_form,
                           failed_form=failed[2] if failed else None, is_owner=trainee.id == current_user.id,
                           is_mentor=can_grade(current_user, rec)), 400 if failed else 200


def _task_or_404(task_id):
    task = curriculum().tasks.get(task_id)
    if task is None:
        abort(404)
    return task


def _task_step(trainee, rec, task, step, act):
    """Validate the step's form and run `act(form)`; on an error the checklist comes back with what was typed."""
    form = with_ids(TASK_FORMS[step](), f"{step}-{task.id}")
    if form.validate_on_submit():
        try:
            act(form)
        except EvidenceRefused as exc:
            db.session.rollback()
            show_refused(form.files, exc)
        except MentoringError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            return None
    return _render_checklist(trainee, rec, failed=(step, task.id, form))


@bp.route("/trainees/<int:user_id>/tasks/<task_id>/request", methods=["GET", "POST"])
@roles_required(TRAINEE)
def request_task(user_id, task_id):
    trainee, rec = _trainee(user_id)
    if trainee.id != current_user.id:
        abort(403)
    task = _task_or_404(task_id)
    if request.method == "GET":  # the address a refused request is shown on: a reload goes back to the checklist
        return redirect(url_for("mentoring.checklist", user_id=user_id) + f"#task-{task_id}")
    refused = _task_step(trainee, rec, task, "request", lambda form: request_sign_off(
        trainee, task, form.note.data, form.evidence.data, trainee_progress(rec).stage(task.stage),
        uploads_of(form.files)))
    if refused:
        return refused
    mentor = acting_mentor(trainee.id)
    return _done(_("Your mentor, %(name)s, is asked to sign off “%(task)s”.", name=mentor.full_name, task=task.title)
                 if mentor else _("You have no mentor yet: the head of sales is asked to sign off “%(task)s”.",
                                  task=task.title), "mentoring.checklist", user_id=user_id)


@bp.route("/trainees/<int:user_id>/tasks/<task_id>/<any(sign, return, revoke):step>", methods=["GET", "POST"])
@roles_required(MENTOR, HEAD, ADMIN)
def task_step(user_id, task_id, step):
    trainee, rec = _trainee(user_id, write=True)
    task = _task_or_404(task_id)
    if request.method == "GET":  # the address a refused step is shown on: a reload goes back to the checklist
        return redirect(url_for("mentoring.checklist", user_id=user_id) + f"#task-{task_id}")

    def act(form):
        if step == "sign":
            sign_off(trainee, task, current_user, form.note.data, trainee_progress(rec).stage(task.stage))
        else:
            {"return": return_task, "revoke": revoke}[step](trainee, task, current_user, form.note.data)

    refused = _task_step(trainee, rec, task, step, act)
    if refused:
        return refused
    messages = {"sign": _("“%(task)s” is signed off.", task=task.title),
                "return": _("“%(task)s” is returned with your feedback.", task=task.title),
                "revoke": _("The sign-off of “%(task)s” is revoked.", task=task.title)}
    return _done(messages[step], "mentoring.checklist", user_id=user_id)


# ---------------------------------------------------------------- role-play

def _may_schedule(rec) -> bool:
    """The trainee's mentor and heads of sales schedule, move and cancel role-plays (admins do not)."""
    return can_grade(current_user, rec) and current_user.role != ADMIN


def _schedule_form(trainee, status, **kwargs):
    """The form that schedules the next attempt: scenarios the trainee has not had, colleagues as evaluators."""
    cur = curriculum()
    form = ScheduleForm(**kwargs)
    fresh = rules.retake_scenarios(list(cur.scenarios or {}), status["used_scenarios"])
    form.scenario.choices = [SelectChoice(slug, cur.scenarios[slug].title) for slug in fresh]
    form.evaluators.choices = person_choices(u for u in evaluator_candidates() if u.id != trainee.id)
    return form


def _render_role_play(trainee, rec, code=200, **failed):
    """The role-play page; a form that was refused (schedule, hold, move or cancel) comes back as typed."""
    cur = curriculum()
    status = role_play_status(trainee.id)
    missing = role_play_missing(trainee.id, trainee_progress(rec), cur, status)
    forms = {"schedule": _schedule_form(trainee, status, formdata=None),
             "hold": HoldForm(prefix="hold", formdata=None), "move": RescheduleForm(prefix="move", formdata=None),
             "cancel": CancelForm(prefix="cancel", formdata=None), **failed}
    return render_template("mentoring/role_play.html", trainee=trainee, rec=rec, status=status,
                           form=forms["schedule"], hold=forms["hold"], reschedule=forms["move"],
                           cancel=forms["cancel"], scenarios=cur.scenarios or {}, may_schedule=_may_schedule(rec),
                           missing=missing, missing_labels=[missing_label(m, cur) for m in missing],
                           evaluators_needed=role_play_evaluators()), code


@bp.route("/trainees/<int:user_id>/role-play", methods=["GET", "POST"])
@login_required
def role_play(user_id):
    trainee, rec = _trainee(user_id)
    if request.method == "GET":
        return _render_role_play(trainee, rec)
    if not _may_schedule(rec):
        abort(403)
    cur = curriculum()
    form = _schedule_form(trainee, role_play_status(trainee.id))
    if form.validate_on_submit():
        chosen = db.session.scalars(sa.select(User).where(User.id.in_(form.evaluators.data))).all()
        when = form.when_utc()
        try:
            schedule_role_play(trainee, cur.scenarios[form.scenario.data], when, form.place.data, chosen,
                               current_user, trainee_progress(rec), cur)
        except MentoringError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            return _done(_("The role-play is scheduled; the trainee and evaluators are told."),
                         "mentoring.role_play", user_id=user_id)
    return _render_role_play(trainee, rec, 400, schedule=form)


def _attempt_to_manage(attempt_id):
    attempt = db.session.get(RolePlayAttempt, attempt_id)
    if attempt is None:
        abort(404)
    trainee, rec = _trainee(attempt.trainee_id)
    if not _may_schedule(rec):
        abort(403)
    return attempt, trainee, rec


@bp.route("/role-play/<int:attempt_id>/reschedule", methods=["GET", "POST"])
@roles_required(MENTOR, HEAD)
def reschedule(attempt_id):
    attempt, trainee, rec = _attempt_to_manage(attempt_id)
    if request.method == "GET":  # the address a refused move is shown on: a reload goes back to the role-play
        return redirect(url_for("mentoring.role_play", user_id=trainee.id) + "#manage")
    form = RescheduleForm(prefix="move")
    if form.validate_on_submit():
        try:
            reschedule_role_play(attempt, form.when_utc(), form.place.data, current_user)
        except MentoringError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            return _done(_("The role-play is moved; the trainee and evaluators are told."), "mentoring.role_play",
                         user_id=trainee.id)
    return _render_role_play(trainee, rec, 400, move=form)


@bp.route("/role-play/<int:attempt_id>/cancel", methods=["GET", "POST"])
@roles_required(MENTOR, HEAD)
def cancel(attempt_id):
    attempt, trainee, rec = _attempt_to_manage(attempt_id)
    if request.method == "GET":
        return redirect(url_for("mentoring.role_play", user_id=trainee.id) + "#manage")
    form = CancelForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            cancel_role_play(attempt, form.reason.data, current_user)
        except MentoringError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            return _done(_("The role-play is cancelled; it uses up no attempt."), "mentoring.role_play",
                         user_id=trainee.id)
    return _render_role_play(trainee, rec, 400, cancel=form)


@bp.route("/trainees/<int:user_id>/decision", methods=["GET", "POST"])
@roles_required(HEAD)
def decision(user_id):
    """Keep a held trainee in training, or withdraw them: a withdrawal is recorded only from its confirmation page
    (GET ?decision=withdraw, or the role-play page's form posted without confirm=1)."""
    trainee, rec = _trainee(user_id)
    if request.method == "GET":  # the address a refused decision is shown on: a reload goes back to the role-play
        if request.args.get("decision") == "withdraw" and role_play_status(trainee.id)["held"] \
                and rec.status != "withdrawn":
            return _confirm_withdrawal(trainee, HoldForm(prefix="hold", formdata=None, decision="withdraw"))
        return redirect(url_for("mentoring.role_play", user_id=user_id) + "#decision")
    form = HoldForm(prefix="hold")
    withdrawing = form.decision.data == "withdraw"
    if form.validate_on_submit():
        if withdrawing and not confirmed():
            return _confirm_withdrawal(trainee, form)
        try:
            decide_hold(rec, form.decision.data, form.plan.data, form.new_target_date.data, current_user)
        except MentoringError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            return _done(_("Your decision is recorded; the trainee and mentor are told."), "mentoring.role_play",
                         user_id=user_id)
    if withdrawing and confirmed():  # refused on the confirmation page: it comes back there, as typed
        return _confirm_withdrawal(trainee, form, 400)
    return _render_role_play(trainee, rec, 400, hold=form)


def _confirm_withdrawal(trainee, form, status=200):
    return render_confirmation(
        _("Withdraw %(name)s from the training?", name=trainee.full_name),
        [_("The training of %(name)s ends: their status becomes Withdrawn and stage 4 stays closed.",
           name=trainee.full_name),
         _("Nothing can follow it: no role-play attempt, no keep-in-training decision, no readiness decision."),
         _("%(name)s and whoever answers for them are told; your reasons stay with the decision and in the audit "
           "log.", name=trainee.full_name)],
        url_for("mentoring.decision", user_id=trainee.id), _("Withdraw from the training"),
        url_for("mentoring.role_play", user_id=trainee.id), _("Back to the role-play; nothing is recorded"),
        form=form, fields=[form.plan], hidden={form.decision.name: "withdraw"}, status=status)


@bp.route("/role-play/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id):
    attempt = db.session.get(RolePlayAttempt, attempt_id)
    if attempt is None:
        abort(404)
    evaluator_ids = {e.evaluator_id for e in attempt.evaluators}
    is_evaluator = current_user.id in evaluator_ids
    trainee = db.session.get(User, attempt.trainee_id)
    rec = record_of(trainee)
    if not (is_evaluator or can_view_trainee(current_user, rec)):
        abort(403)
    scenario = (curriculum().scenarios or {}).get(attempt.scenario_slug)
    if scenario is None:
        abort(404)
    staff = is_evaluator or current_user.role in (MENTOR, HEAD, ADMIN)
    seat = next((e for e in attempt.evaluators if e.evaluator_id == current_user.id), None)
    form = score_form(scenario, formdata=None)
    if request.method == "POST":
        if seat is None:
            abort(403)
        if not EmptyForm().validate_on_submit():
            abort(400)
        try:
            ensure_due(attempt)  # before reading the scores: a form posted too early is answered with the time
        except MentoringError as exc:
            return _refused(exc, "mentoring.attempt", attempt_id=attempt.id)
        form = score_form(scenario)
        if form.validate():
            scores = {c.id: (form[f"score-{c.id}"].data, form[f"comment-{c.id}"].data or "")
                      for c in scenario.criteria}
            try:
                final = submit_scores(attempt, scenario, current_user, scores)
            except MentoringError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                return _done(_("Your scores are recorded. The result is out.") if final else
                             _("Your scores are recorded; waiting for the other evaluators."),
                             "mentoring.attempt", attempt_id=attempt.id)
    all_scores = db.session.scalars(sa.select(RolePlayScore).where(RolePlayScore.attempt_id == attempt.id)).all()
    finished = attempt.state == SCORED
    return render_template("mentoring/attempt.html", attempt=attempt, scenario=scenario, trainee=trainee,
                           staff=staff, seat=seat, form=form, scores=all_scores,
                           finished=finished, cancelled=attempt.state == CANCELLED,
                           not_yet=utcnow() < aware(attempt.scheduled_for)), 400 if form.errors else 200


# ---------------------------------------------------------------- the job description

@bp.route("/job-description/sign", methods=["GET", "POST"])
@roles_required(TRAINEE)
def sign():
    if request.method == "GET":  # the address a refused signature is shown on: a reload goes back to the document
        return redirect(url_for("learning.job_description"))
    form = SignForm()
    document = curriculum().job_description
    if form.validate_on_submit():
        try:
            sign_document(current_user, document, form.typed_name.data)
        except MentoringError as exc:
            db.session.rollback()
            form.typed_name.errors = [*form.typed_name.errors, str(exc)]
        else:
            return _done(_("You signed the job description (version %(v)s).", v=document.version[:8]),
                         "learning.job_description")
    from ..learning.views import render_job_description

    return render_job_description(form, status=400)


@bp.get("/job-description/signatures")
@roles_required(*READERS)
def signatures():
    """Each active trainee's latest signature of the job description, a page of them at a time (a company of
    thousands is not one page), with only that page's signatures read."""
    document = curriculum().job_description
    page = paginate(sa.select(User).where(User.role == TRAINEE, User.active.is_(True))
                    .order_by(User.full_name, User.id), current_app.config["PER_PAGE"] * 2)
    trainees = page.items
    latest = {}
    for ack in db.session.scalars(sa.select(Acknowledgement)
                                  .where(Acknowledgement.trainee_id.in_([t.id for t in trainees]))
                                  .order_by(Acknowledgement.signed_at, Acknowledgement.id)):
        latest[ack.trainee_id] = ack
    names = {t.id: t.full_name for t in trainees}
    states = {uid: ("current" if rules.signature_current(ack.version, ack.typed_name, document.version, names.get(uid))
                    else "renamed" if ack.version == document.version else "outdated")
              for uid, ack in latest.items()}
    return render_template("mentoring/signatures.html", document=document, trainees=trainees, latest=latest,
                           states=states, page=page)


@bp.get("/signatures/<int:ack_id>")
@login_required
def signed_copy(ack_id):
    ack = db.session.get(Acknowledgement, ack_id)
    if ack is None:
        abort(404)
    if ack.trainee_id != current_user.id and not can_view_trainee(current_user, record_of(ack.trainee)):
        abort(403)
    document = curriculum().job_description
    return render_template("mentoring/signed_copy.html", ack=ack, document=document,
                           current=rules.signature_current(ack.version, ack.typed_name, document.version,
                                                           ack.trainee.full_name))
