"""Mentoring pages: the checklist, the activity ledger and targets, role-plays, the signature, supervision."""
from datetime import timezone

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.forms import EmptyForm
from ..auth.models import ADMIN, HEAD, MENTOR, TRAINEE, User
from ..auth.permissions import can_grade, can_view_trainee, roles_required, trainee_or_abort
from ..content import curriculum
from ..extensions import db
from ..forms_common import flash_errors
from ..i18n import fmt_date
from ..people.models import TraineeRecord
from ..people.services import acting_mentor, mentors, record_of
from ..readiness.service import trainee_progress
from ..timeutil import aware, today, utcnow
from . import charts, rules
from .forms import (FIGURE_LABELS, AssignForm, CancelForm, CorrectionForm, EntryForm, HoldForm, RequestForm,
                    RescheduleForm, ScheduleForm, SignForm, SupervisionForm, TargetsForm, TeamForm)
from .models import (CANCELLED, FIGURES, SCORED, Acknowledgement, ActivityEntry, RolePlayAttempt, RolePlayScore,
                     SignOffEvent, SupervisionNote, Team)
from .services import (MentoringError, add_supervision_note, add_team, assign_mentor, cancel_role_play,
                       confirm_entry, correct_entry, decide_hold, evaluator_candidates, ledger, missing_label,
                       request_sign_off, reschedule_role_play, return_task, revoke, role_play_evaluators,
                       role_play_missing, role_play_status, schedule_role_play, set_targets, sign_document,
                       save_entry, sign_off, submit_scores, targets_for)
from .services import SUPERVISED_STAGE, supervision_weeks, supervision_window

bp = Blueprint("mentoring", __name__)


def _trainee(user_id, write=False):
    """The trainee and their record, if the current user may see (write: act as mentor on) them."""
    return trainee_or_abort(user_id, can_grade if write else can_view_trainee)


def _done(message, endpoint, **values):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


def _refused(exc, endpoint, **values):
    db.session.rollback()
    flash(str(exc), "error")
    return redirect(url_for(endpoint, **values))


# ---------------------------------------------------------------- the checklist

@bp.get("/trainees/<int:user_id>/checklist")
@login_required
def checklist(user_id):
    trainee, rec = _trainee(user_id)
    events = db.session.scalars(sa.select(SignOffEvent).where(SignOffEvent.trainee_id == trainee.id)
                                .order_by(SignOffEvent.id)).all()
    history = {}
    for e in events:
        history.setdefault(e.task_id, []).append(e)
    states = rules.task_states((e.kind, e.task_id) for e in events)
    return render_template("mentoring/checklist.html", trainee=trainee, rec=rec, cur=curriculum(), states=states,
                           history=history, progress=trainee_progress(rec), request_form=RequestForm(),
                           form=EmptyForm(), is_owner=trainee.id == current_user.id,
                           is_mentor=can_grade(current_user, rec))


def _task_or_404(task_id):
    task = curriculum().tasks.get(task_id)
    if task is None:
        abort(404)
    return task


@bp.post("/trainees/<int:user_id>/tasks/<task_id>/request")
@roles_required(TRAINEE)
def request_task(user_id, task_id):
    trainee, rec = _trainee(user_id)
    if trainee.id != current_user.id:
        abort(403)
    task = _task_or_404(task_id)
    form = RequestForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("mentoring.checklist", user_id=user_id) + f"#task-{task_id}")
    try:
        request_sign_off(trainee, task, form.note.data, form.evidence.data, trainee_progress(rec).stage(task.stage))
    except MentoringError as exc:
        return _refused(exc, "mentoring.checklist", user_id=user_id)
    mentor = acting_mentor(trainee.id)
    return _done(_("Your mentor, %(name)s, is asked to sign off “%(task)s”.", name=mentor.full_name, task=task.title)
                 if mentor else _("You have no mentor yet: the head of sales is asked to sign off “%(task)s”.",
                                  task=task.title), "mentoring.checklist", user_id=user_id)


@bp.post("/trainees/<int:user_id>/tasks/<task_id>/<any(sign, return, revoke):step>")
@roles_required(MENTOR, HEAD, ADMIN)
def task_step(user_id, task_id, step):
    trainee, rec = _trainee(user_id, write=True)
    task = _task_or_404(task_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    note = request.form.get("note", "")[:2000]
    try:
        if step == "sign":
            sign_off(trainee, task, current_user, note, trainee_progress(rec).stage(task.stage))
        else:
            {"return": return_task, "revoke": revoke}[step](trainee, task, current_user, note)
    except MentoringError as exc:
        return _refused(exc, "mentoring.checklist", user_id=user_id)
    messages = {"sign": _("“%(task)s” is signed off.", task=task.title),
                "return": _("“%(task)s” is returned with your feedback.", task=task.title),
                "revoke": _("The sign-off of “%(task)s” is revoked.", task=task.title)}
    return _done(messages[step], "mentoring.checklist", user_id=user_id)


# ---------------------------------------------------------------- the activity ledger

@bp.route("/trainees/<int:user_id>/activity", methods=["GET", "POST"])
@login_required
def activity(user_id):
    trainee, rec = _trainee(user_id)
    now = today()
    form = EntryForm(day=now) if request.method == "GET" else EntryForm()
    form.day.render_kw = {"min": rec.start_date.isoformat(), "max": now.isoformat()}  # the days save_entry takes
    if request.method == "POST":
        if trainee.id != current_user.id:
            abort(403)
        if form.validate_on_submit():
            try:
                save_entry(trainee, form.day.data, {f: form[f].data for f in FIGURES}, form.note.data)
            except MentoringError as exc:
                form.day.errors = [*form.day.errors, str(exc)]
            else:
                return _done(_("Your figures for %(day)s are saved.", day=fmt_date(form.day.data)),
                             "mentoring.activity", user_id=user_id)
    book = ledger(trainee.id, rec.team_id)
    first = rules.ledger_first_day(rec.start_date, now)
    week_list = book.weeks(first, now) if first <= now else []  # from the start week: no weeks before the start
    targets = book.targets
    totals = {f: sum(w.totals[f] for w in week_list) for f in FIGURES}
    ids = ({e.entered_by for e in book.entries} | {e.confirmed_by for e in book.entries}) - {None}
    people = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    return render_template("mentoring/activity.html", trainee=trainee, rec=rec, form=form, originals=book.originals,
                           corrections=book.corrections, weeks=week_list, targets=targets, labels=FIGURE_LABELS,
                           figures=FIGURES, funnel=rules.funnel(totals), people=people, empty=EmptyForm(),
                           chart=charts.weekly_bars(week_list, "meetings", targets["meetings"],
                                                    _("Meetings held per week"), _("target")),
                           calls_chart=charts.weekly_bars(week_list, "calls", targets["calls"],
                                                          _("Calls made per week"), _("target")),
                           is_owner=trainee.id == current_user.id, is_mentor=can_grade(current_user, rec),
                           started=rec.start_date <= now, correction_form=CorrectionForm(formdata=None)), \
        400 if form.errors else 200


def _entry_for_mentor(entry_id):
    entry = db.session.get(ActivityEntry, entry_id)
    if entry is None:
        abort(404)
    trainee, rec = _trainee(entry.trainee_id, write=True)
    return entry, trainee


@bp.post("/activity/<int:entry_id>/confirm")
@roles_required(MENTOR, HEAD, ADMIN)
def confirm(entry_id):
    entry, trainee = _entry_for_mentor(entry_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    confirm_entry(entry, current_user)
    return _done(_("The figures for %(day)s are confirmed.", day=fmt_date(entry.day)), "mentoring.activity",
                 user_id=trainee.id)


@bp.route("/activity/<int:entry_id>/correct", methods=["GET", "POST"])
@roles_required(MENTOR, HEAD, ADMIN)
def correct(entry_id):
    entry, trainee = _entry_for_mentor(entry_id)
    latest = db.session.scalar(sa.select(ActivityEntry).where(
        sa.or_(ActivityEntry.id == entry.id, ActivityEntry.corrects_id == entry.id)).order_by(ActivityEntry.id.desc()))
    form = CorrectionForm(obj=latest, note=None) if request.method == "GET" else CorrectionForm()
    refusal = None
    if form.validate_on_submit():
        try:
            correct_entry(entry, {f: form[f].data for f in FIGURES}, form.note.data, current_user)
        except MentoringError as exc:
            db.session.rollback()
            refusal = str(exc)
        else:
            return _done(_("The correction is saved; the original figures stay visible."), "mentoring.activity",
                         user_id=trainee.id)
    return render_template("mentoring/correct.html", entry=entry, trainee=trainee, form=form, labels=FIGURE_LABELS,
                           figures=FIGURES, refusal=refusal), 400 if form.errors or refusal else 200


@bp.route("/targets", methods=["GET", "POST"])
@roles_required(HEAD)
def targets():
    teams = db.session.scalars(sa.select(Team).order_by(Team.name)).all()
    team_form = TeamForm(prefix="team")
    if request.method == "POST" and "team-name" in request.form:
        if team_form.validate_on_submit():
            try:
                add_team(team_form.name.data, current_user)
            except MentoringError as exc:
                team_form.name.errors = [str(exc)]
            else:
                return _done(_("The team is added."), "mentoring.targets")
    elif request.method == "POST":
        team_id = request.form.get("team_id", type=int)
        if team_id is not None and team_id not in {t.id for t in teams}:
            abort(404)
        form = TargetsForm()
        if form.validate_on_submit():
            set_targets(team_id, {f: form[f].data for f in FIGURES}, current_user)
            return _done(_("The weekly targets are saved."), "mentoring.targets")
        flash_errors(form)
    rows = [(None, _("Default for everyone"), targets_for(None))] + [(t.id, t.name, targets_for(t.id)) for t in teams]
    return render_template("mentoring/targets.html", rows=rows, figures=FIGURES, labels=FIGURE_LABELS,
                           team_form=team_form, form=EmptyForm()), 400 if team_form.errors else 200


# ---------------------------------------------------------------- role-play

def _may_schedule(rec) -> bool:
    """The trainee's mentor and heads of sales schedule, move and cancel role-plays (admins do not)."""
    return can_grade(current_user, rec) and current_user.role != ADMIN


@bp.route("/trainees/<int:user_id>/role-play", methods=["GET", "POST"])
@login_required
def role_play(user_id):
    trainee, rec = _trainee(user_id)
    cur = curriculum()
    status = role_play_status(trainee.id)
    progress = trainee_progress(rec)
    fresh = rules.retake_scenarios(list(cur.scenarios or {}), status["used_scenarios"])
    form = ScheduleForm()
    form.scenario.choices = [(slug, cur.scenarios[slug].title) for slug in fresh]
    form.evaluators.choices = [(u.id, u.full_name) for u in evaluator_candidates() if u.id != trainee.id]
    hold = HoldForm(prefix="hold")
    refusal = None
    if request.method == "POST":
        if not _may_schedule(rec):
            abort(403)
        if form.validate_on_submit():
            chosen = db.session.scalars(sa.select(User).where(User.id.in_(form.evaluators.data))).all()
            when = form.when.data.replace(tzinfo=timezone.utc)
            try:
                schedule_role_play(trainee, cur.scenarios[form.scenario.data], when, form.place.data, chosen,
                                   current_user, progress, cur)
            except MentoringError as exc:
                db.session.rollback()
                refusal = str(exc)
            else:
                return _done(_("The role-play is scheduled; the trainee and evaluators are told."),
                             "mentoring.role_play", user_id=user_id)
        status = role_play_status(trainee.id)
    missing = role_play_missing(trainee.id, progress, cur, status)
    return render_template("mentoring/role_play.html", trainee=trainee, rec=rec, status=status, form=form, hold=hold,
                           scenarios=cur.scenarios or {}, may_schedule=_may_schedule(rec), missing=missing,
                           missing_labels=[missing_label(m, cur) for m in missing], refusal=refusal,
                           evaluators_needed=role_play_evaluators(),
                           reschedule=RescheduleForm(prefix="move", formdata=None),
                           cancel=CancelForm(prefix="cancel", formdata=None)), \
        400 if request.method == "POST" else 200


def _attempt_to_manage(attempt_id):
    attempt = db.session.get(RolePlayAttempt, attempt_id)
    if attempt is None:
        abort(404)
    trainee, rec = _trainee(attempt.trainee_id)
    if not _may_schedule(rec):
        abort(403)
    return attempt, trainee


@bp.post("/role-play/<int:attempt_id>/reschedule")
@roles_required(MENTOR, HEAD)
def reschedule(attempt_id):
    attempt, trainee = _attempt_to_manage(attempt_id)
    form = RescheduleForm(prefix="move")
    if form.validate_on_submit():
        try:
            reschedule_role_play(attempt, form.when.data.replace(tzinfo=timezone.utc), form.place.data, current_user)
        except MentoringError as exc:
            return _refused(exc, "mentoring.role_play", user_id=trainee.id)
        return _done(_("The role-play is moved; the trainee and evaluators are told."), "mentoring.role_play",
                     user_id=trainee.id)
    flash_errors(form)
    return redirect(url_for("mentoring.role_play", user_id=trainee.id))


@bp.post("/role-play/<int:attempt_id>/cancel")
@roles_required(MENTOR, HEAD)
def cancel(attempt_id):
    attempt, trainee = _attempt_to_manage(attempt_id)
    form = CancelForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            cancel_role_play(attempt, form.reason.data, current_user)
        except MentoringError as exc:
            return _refused(exc, "mentoring.role_play", user_id=trainee.id)
        return _done(_("The role-play is cancelled; it uses up no attempt."), "mentoring.role_play",
                     user_id=trainee.id)
    flash_errors(form)
    return redirect(url_for("mentoring.role_play", user_id=trainee.id))


@bp.post("/trainees/<int:user_id>/decision")
@roles_required(HEAD)
def decision(user_id):
    trainee, rec = _trainee(user_id)
    form = HoldForm(prefix="hold")
    if form.validate_on_submit():
        try:
            decide_hold(rec, form.decision.data, form.plan.data, form.new_target_date.data, current_user)
        except MentoringError as exc:
            flash(str(exc), "error")
        else:
            return _done(_("Your decision is recorded; the trainee and mentor are told."), "mentoring.role_play",
                         user_id=user_id)
    else:
        flash_errors(form)
    db.session.rollback()
    return redirect(url_for("mentoring.role_play", user_id=user_id) + "#decision")


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
    errors = {}
    if request.method == "POST":
        if seat is None:
            abort(403)
        if not EmptyForm().validate_on_submit():
            abort(400)
        scores = {}
        for c in scenario.criteria:
            raw = request.form.get(f"score-{c.id}", "")
            if not raw.isdigit() or not 1 <= int(raw) <= c.scale:
                errors[c.id] = _("Choose a score from 1 to %(n)d.", n=c.scale)
                continue
            scores[c.id] = (int(raw), request.form.get(f"comment-{c.id}", "")[:2000])
        if not errors:
            try:
                final = submit_scores(attempt, scenario, current_user, scores)
            except MentoringError as exc:
                return _refused(exc, "mentoring.attempt", attempt_id=attempt.id)
            return _done(_("Your scores are recorded. The result is out.") if final else
                         _("Your scores are recorded; waiting for the other evaluators."),
                         "mentoring.attempt", attempt_id=attempt.id)
    all_scores = db.session.scalars(sa.select(RolePlayScore).where(RolePlayScore.attempt_id == attempt.id)).all()
    finished = attempt.state == SCORED
    return render_template("mentoring/attempt.html", attempt=attempt, scenario=scenario, trainee=trainee,
                           staff=staff, seat=seat, errors=errors, form=EmptyForm(), scores=all_scores,
                           finished=finished, cancelled=attempt.state == CANCELLED,
                           not_yet=utcnow() < aware(attempt.scheduled_for), values=request.form), \
        400 if errors else 200


# ---------------------------------------------------------------- the job description

@bp.post("/job-description/sign")
@roles_required(TRAINEE)
def sign():
    form = SignForm()
    document = curriculum().job_description
    if form.validate_on_submit():
        try:
            sign_document(current_user, document, form.typed_name.data)
        except MentoringError as exc:
            flash(str(exc), "error")
        else:
            return _done(_("You signed the job description (version %(v)s).", v=document.version[:8]),
                         "learning.job_description")
    return redirect(url_for("learning.job_description", typed=form.typed_name.data or "") + "#sign")


@bp.get("/job-description/signatures")
@roles_required(HEAD, ADMIN)
def signatures():
    document = curriculum().job_description
    trainees = db.session.scalars(sa.select(User).where(User.role == TRAINEE, User.active.is_(True))
                                  .order_by(User.full_name)).all()
    latest = {}
    for ack in db.session.scalars(sa.select(Acknowledgement).order_by(Acknowledgement.signed_at)):
        latest[ack.trainee_id] = ack
    return render_template("mentoring/signatures.html", document=document, trainees=trainees, latest=latest)


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
                           current=ack.version == document.version)


# ---------------------------------------------------------------- supervision and assignments

@bp.route("/trainees/<int:user_id>/supervision", methods=["GET", "POST"])
@login_required
def supervision(user_id):
    trainee, rec = _trainee(user_id)
    progress = trainee_progress(rec)
    weeks = supervision_weeks(progress)  # from the week stage 4 opened to the current week
    form = SupervisionForm(week_of=today()) if request.method == "GET" else SupervisionForm()
    form.week_of.choices = [(w.isoformat(), _("Week of %(date)s", date=fmt_date(w))) for w in reversed(weeks)]
    if request.method == "POST":
        if not can_grade(current_user, rec):
            abort(403)
        if form.validate_on_submit():
            try:
                add_supervision_note(trainee, current_user, form.week_of.data, form.situation.data, form.advice.data,
                                     progress)
            except MentoringError as exc:
                db.session.rollback()
                form.week_of.errors = [*form.week_of.errors, str(exc)]
            else:
                return _done(_("The supervision note is saved."), "mentoring.supervision", user_id=user_id)
    notes = db.session.scalars(sa.select(SupervisionNote).where(SupervisionNote.trainee_id == trainee.id)
                               .order_by(SupervisionNote.week_of.desc(), SupervisionNote.id.desc())).all()
    supervised = next((s for s in progress.stages if s.number == SUPERVISED_STAGE), None)
    return render_template("mentoring/supervision.html", trainee=trainee, rec=rec, form=form, notes=notes,
                           opened=supervision_window(progress)[1] if weeks else None, weeks=weeks,
                           supervised=supervised,
                           may_write=can_grade(current_user, rec)), 400 if form.errors else 200


@bp.post("/trainees/assign")
@roles_required(HEAD)
def assign():
    form = AssignForm()
    records = db.session.scalars(sa.select(TraineeRecord)).all()
    form.trainees.choices = [(r.user_id, r.user.full_name) for r in records]
    form.mentor.choices = [(m.id, m.full_name) for m in mentors()]
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("main.home"))
    by_user = {r.user_id: r for r in records}
    for uid in form.trainees.data:
        assign_mentor(by_user[uid], form.mentor.data, current_user)
    return _done(_("%(n)d trainee(s) assigned to the mentor.", n=len(form.trainees.data)), "main.home")
