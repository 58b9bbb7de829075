"""Mentoring pages: the checklist, the activity ledger and targets, role-plays, the signature, supervision."""
from datetime import date, timezone

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..auth.forms import EmptyForm
from ..auth.models import ADMIN, HEAD, MENTOR, READERS, TRAINEE, User
from ..auth.permissions import can_grade, can_view_trainee, roles_required, trainee_or_abort
from ..confirming import confirmed, render_confirmation
from ..content import curriculum
from ..evidence.forms import show_refused, uploads_of
from ..evidence.services import EvidenceRefused, files_of
from ..extensions import db
from ..forms_common import with_ids
from ..i18n import fmt_date, join_list
from ..navigation import redirect_next
from ..people.models import TraineeRecord
from ..people.services import acting_mentor, mentors, record_of
from ..readiness.service import trainee_progress
from ..timeutil import aware, today, utcnow
from . import charts, rules
from .forms import (FIGURE_LABELS, SEGMENTS, TASK_FORMS, AssignForm, CancelForm, CorrectionForm, EntryForm, HoldForm,
                    RescheduleForm, ScheduleForm, SignForm, SupervisionForm, TargetsForm, TeamForm, score_form,
                    segment_label)
from .models import (CANCELLED, FIGURES, SCORED, Acknowledgement, ActivityEntry, RolePlayAttempt, RolePlayScore,
                     SignOffEvent, SupervisionNote, Team)
from .services import (MentoringError, add_supervision_note, add_team, assign_mentor, cancel_role_play,
                       confirm_entry, correct_entry, decide_hold, ensure_due, evaluator_candidates, ledger,
                       missing_label, request_sign_off, reschedule_role_play, return_task, revoke, role_play_evaluators,
                       role_play_missing, role_play_status, schedule_role_play, set_targets, sign_document,
                       sign_off, submit_scores, targets_for)
from .services import SUPERVISED_STAGE, supervision_weeks, supervision_window
from .services import DayLoggedAlready, day_entry, entry_version, ledger_day_problem, save_entry_with_files
from .services import FunnelRefused, segment_for

bp = Blueprint("mentoring", __name__)


def _trainee(user_id, write=False):
    """The trainee and their record, if the current user may see (write: act as mentor on) them."""
    return trainee_or_abort(user_id, can_grade if write else can_view_trainee)


def _done(message, endpoint, **values):
    """Commit, say so, and go back: to the page the action came from (the inbox's `next`), else to `endpoint`."""
    db.session.commit()
    flash(message, "success")
    return redirect_next(url_for(endpoint, **values))


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
                                .order_by(SignOffEvent.id)).all()
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
                           history=history, files=files_of("sign_off_event_id", [e.id for e in events]), progress=trainee_progress(rec), task_form=task_form,
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


# ---------------------------------------------------------------- the activity ledger

@bp.route("/trainees/<int:user_id>/activity", methods=["GET", "POST"])
@login_required
def activity(user_id):
    """The ledger. `?day=YYYY-MM-DD` loads that day into the form (its figures and note, to change them); a save
    over a logged day must come from a form loaded with it, else it is refused with a link that loads the day."""
    trainee, rec = _trainee(user_id)
    now = today()
    is_owner = trainee.id == current_user.id
    notice, reload_day, status = None, None, 200  # reload_day: the day a refused save links to, to load it
    if request.method == "POST":
        if not is_owner:
            abort(403)
        form = EntryForm()
        if "load" in request.form:  # "Load this day": the day's figures, on the page's address that reloads
            if not EmptyForm().validate_on_submit():
                abort(400)
            asked = _iso_day(request.form.get("day", ""))
            if asked is not None:
                return redirect(url_for("mentoring.activity", user_id=user_id, day=asked.isoformat()) + "#log")
            # No day to load: say so beside the day, and keep every figure and the note as typed.
            form.day.errors = [_("Enter a date (YYYY-MM-DD).")]
        elif form.validate_on_submit():
            # What the form sent, and only that: an absent figure or note is never taken as 0 or empty.
            figures = {f: form[f].data for f in FIGURES if form[f].raw_data}
            note = form.note.data if form.note.raw_data else None
            try:
                entry = save_entry_with_files(trainee, form.day.data, figures, note, form.version.data or None,
                                              uploads_of(form.files))
            except EvidenceRefused as exc:
                db.session.rollback()
                show_refused(form.files, exc)
            except DayLoggedAlready as exc:
                db.session.rollback()
                form.day.errors = [*form.day.errors, str(exc)]
                reload_day = exc.day
            except FunnelRefused as exc:  # beside the figure that breaks the funnel; every value stays as typed
                db.session.rollback()
                _funnel_errors(form, exc)
            except MentoringError as exc:  # beside the day when the form is shown, else in the summary alone
                db.session.rollback()
                if rec.start_date <= now:
                    form.day.errors = [*form.day.errors, str(exc)]
                else:
                    form.form_errors.append(str(exc))
            else:
                return _done(_saved_day_message(entry), "mentoring.activity", user_id=user_id)
        status = 400
    elif is_owner:
        form, notice, reload_day, status = _day_form(trainee, request.args.get("day"), now)
    else:
        form = EntryForm(formdata=None, day=now)
    form.day.render_kw = {"min": rec.start_date.isoformat(), "max": now.isoformat()}  # the days save_entry takes
    editing = bool(form.version.data) and reload_day is None and isinstance(form.day.data, date)
    book = ledger(trainee.id, rec.team_id)
    first = rules.ledger_first_day(rec.start_date, now)
    week_list = book.weeks(first, now) if first <= now else []  # from the start week: no weeks before the start
    targets = book.targets
    segment = segment_for(rec.team_id)
    ids = ({e.entered_by for e in book.entries} | {e.confirmed_by for e in book.entries}) - {None}
    people = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    return render_template("mentoring/activity.html", trainee=trainee, rec=rec, form=form, originals=book.originals,
                           corrections=book.corrections, weeks=week_list, targets=targets, labels=FIGURE_LABELS,
                           figures=FIGURES, funnel=book.funnel(), people=people, empty=EmptyForm(),
                           monthly=rules.MONTHLY, segment=segment_label(segment),
                           chart=charts.weekly_bars(week_list, "meetings", targets["meetings"],
                                                    _("Meetings held per week"), _("target")),
                           calls_chart=charts.weekly_bars(week_list, "calls", targets["calls"],
                                                          _("Calls made per week"), _("target")),
                           is_owner=is_owner, is_mentor=can_grade(current_user, rec), editing=editing,
                           notice=notice, reload_day=reload_day, started=rec.start_date <= now,
                           correction_form=CorrectionForm(formdata=None),
                           files=files_of("activity_entry_id", [e.id for e in book.originals])), status


def _funnel_errors(form, exc) -> None:
    """The funnel's reasons beside the figures that break it (FunnelRefused)."""
    for step, reason in exc.reasons:
        form[step].errors = [*form[step].errors, str(reason)]


def _iso_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _day_form(trainee, asked, now):
    """The ledger form on GET: (form, a word on the day, a day to offer loading, status). A new day (today) when
    no day is asked; the day's figures and note (and its version) when it is logged and not confirmed; a new day
    for that date when nothing is logged yet; the date's error when it is not a ledger day."""
    form = EntryForm(formdata=None, day=now)
    if asked is None:
        logged = day_entry(trainee.id, now)
        if logged is not None and logged.confirmed_at is None:
            return form, _("Today is logged already: load it to change its figures, or pick another day."), now, 200
        return form, None, None, 200
    day = _iso_day(asked)
    if day is None:
        form.day.raw_data, form.day.errors = [asked], [_("Enter a date (YYYY-MM-DD).")]
        return form, None, None, 400
    problem = ledger_day_problem(trainee.id, day)
    if problem:
        form.day.raw_data, form.day.errors = [asked], [problem]
        return form, None, None, 400
    entry = day_entry(trainee.id, day)
    if entry is None:
        form.day.data = day
        return form, _("Nothing is logged for %(day)s yet: enter its figures.", day=fmt_date(day)), None, 200
    if entry.confirmed_at is not None:
        return form, _("%(day)s is confirmed: it can no longer be changed here; ask your mentor to correct it.",
                       day=fmt_date(day)), None, 200
    return EntryForm(formdata=None, obj=entry, version=entry_version(entry)), None, None, 200


def _saved_day_message(entry) -> str:
    """What a save did: a new day saved, or each change (figure old → new, the note), or nothing changed."""
    day = fmt_date(entry.day)
    if entry.changes is None:
        return _("Your figures for %(day)s are saved.", day=day)
    added = getattr(entry, "files_added", 0)
    if not entry.changes and added:
        return ngettext("%(num)d file is attached to %(day)s; its figures and note are as they were.",
                        "%(num)d files are attached to %(day)s; their figures and note are as they were.", added,
                        day=day)
    if not entry.changes:
        return _("Nothing changed for %(day)s: its figures and note are as they were.", day=day)
    notes = {"added": _("note added"), "removed": _("note removed"), "changed": _("note changed")}
    items = [notes["added" if old is None else "removed" if new is None else "changed"] if name == "note"
             else _("%(figure)s not recorded → %(new)d", figure=FIGURE_LABELS[name], new=new) if old is None
             else _("%(figure)s %(old)d → %(new)d", figure=FIGURE_LABELS[name], old=old, new=new)
             for name, old, new in entry.changes]
    return ngettext("%(day)s is saved with %(num)d change: %(changes)s.",
                    "%(day)s is saved with %(num)d changes: %(changes)s.", len(items), day=day,
                    changes=join_list(items))


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
    if form.validate_on_submit():
        try:
            correct_entry(entry, {f: form[f].data for f in FIGURES}, form.note.data, current_user)
        except FunnelRefused as exc:
            db.session.rollback()
            _funnel_errors(form, exc)
        except MentoringError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            return _done(_("The correction is saved; the original figures stay visible."), "mentoring.activity",
                         user_id=trainee.id)
    return render_template("mentoring/correct.html", entry=entry, trainee=trainee, form=form, labels=FIGURE_LABELS,
                           figures=FIGURES), 400 if form.errors else 200


@bp.route("/targets", methods=["GET", "POST"])
@roles_required(HEAD)
def targets():
    """Every team's weekly targets on one form. Saving keeps every valid team's row (saved when it changed); a
    row with a bad or absent value keeps its stored targets and comes back as typed, each error named by team and
    field in the summary. A row the form did not send at all (a team added meanwhile) is left alone."""
    teams = db.session.scalars(sa.select(Team).order_by(Team.name)).all()
    team_form = TeamForm(prefix="team")
    # (team id, heading, the name in labels and messages)
    rows = [(None, _("Default for everyone"), _("the default"))] + \
        [(t.id, t.name, _("Team %(name)s", name=t.name)) for t in teams]
    posted = request.method == "POST" and "team-name" not in request.form
    if request.method == "POST" and not posted:
        if team_form.validate_on_submit():
            try:
                add_team(team_form.name.data, current_user)
            except MentoringError as exc:
                team_form.name.errors = [str(exc)]
            else:
                return _done(_("The team is added."), "mentoring.targets")
    if posted and not EmptyForm().validate_on_submit():
        abort(400)
    forms, saved, refused = [], [], False
    for team_id, heading, called in rows:
        prefix = f"t{team_id or 0}"
        stored = {**targets_for(team_id), "segment": segment_for(team_id)}
        sent = posted and any(f"{prefix}-{f}" in request.form for f in (*FIGURES, "segment"))
        stamp = ",".join(str(stored[f]) for f in (*FIGURES, "segment"))
        form = TargetsForm(prefix=prefix, meta={"csrf": False},
                           **({} if sent else {"formdata": None, "data": {**stored, "loaded": stamp}}))
        form.segment.choices = [(s, segment_label(s)) for s in SEGMENTS]
        for f in (*FIGURES, "segment"):  # the team in every label: the error summary names it, a screen reader too
            form[f].label.text = Markup('<span class="label-context">%s · </span>%s') % (
                heading if team_id is None else called, FIGURE_LABELS.get(f, form[f].label.text))
        form.events.description = _("Per month; every other target is per week.")
        if sent and form.validate():
            typed = {f: form[f].data for f in (*FIGURES, "segment")}
            if typed != stored and form.loaded.data and form.loaded.data != stamp:
                # Someone saved this team's targets after the page was loaded: keep what was typed, say so, and
                # let a second save (having seen the new values) go through.
                form.form_errors.append(_("%(team)s: someone changed these targets after you opened this page. "
                                          "Your values are kept below; save again to replace theirs.",
                                          team=heading if team_id is None else called))
                form.loaded.data = stamp
            elif typed != stored:
                set_targets(team_id, {f: typed[f] for f in FIGURES}, current_user, typed["segment"])
                saved.append(called)
        refused = refused or bool(form.errors)
        forms.append((heading, form))
    if saved:
        db.session.commit()
        flash(ngettext("Weekly targets saved for %(teams)s.", "Weekly targets saved for %(teams)s.", len(saved),
                       teams=join_list(saved)), "success")
    if posted and not refused:
        if not saved:
            flash(_("Nothing changed: the targets are as they were."), "success")
        return redirect(url_for("mentoring.targets"))
    return render_template("mentoring/targets.html", forms=forms, figures=FIGURES, team_form=team_form), \
        400 if team_form.errors or refused else 200


# ---------------------------------------------------------------- role-play

def _may_schedule(rec) -> bool:
    """The trainee's mentor and heads of sales schedule, move and cancel role-plays (admins do not)."""
    return can_grade(current_user, rec) and current_user.role != ADMIN


def _schedule_form(trainee, status, **kwargs):
    """The form that schedules the next attempt: scenarios the trainee has not had, colleagues as evaluators."""
    cur = curriculum()
    form = ScheduleForm(**kwargs)
    fresh = rules.retake_scenarios(list(cur.scenarios or {}), status["used_scenarios"])
    form.scenario.choices = [(slug, cur.scenarios[slug].title) for slug in fresh]
    form.evaluators.choices = [(u.id, u.full_name) for u in evaluator_candidates() if u.id != trainee.id]
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
        when = form.when.data.replace(tzinfo=timezone.utc)
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
            reschedule_role_play(attempt, form.when.data.replace(tzinfo=timezone.utc), form.place.data, current_user)
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
    document = curriculum().job_description
    trainees = db.session.scalars(sa.select(User).where(User.role == TRAINEE, User.active.is_(True))
                                  .order_by(User.full_name)).all()
    latest = {}
    for ack in db.session.scalars(sa.select(Acknowledgement).order_by(Acknowledgement.signed_at, Acknowledgement.id)):
        latest[ack.trainee_id] = ack
    names = {t.id: t.full_name for t in trainees}
    states = {uid: ("current" if rules.signature_current(ack.version, ack.typed_name, document.version, names.get(uid))
                    else "renamed" if ack.version == document.version else "outdated")
              for uid, ack in latest.items()}
    return render_template("mentoring/signatures.html", document=document, trainees=trainees, latest=latest,
                           states=states)


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
                                     progress, uploads_of(form.files))
            except EvidenceRefused as exc:
                db.session.rollback()
                show_refused(form.files, exc)
            except MentoringError as exc:  # beside the week when weeks are offered, else in the summary alone
                db.session.rollback()
                if weeks:
                    form.week_of.errors = [*form.week_of.errors, str(exc)]
                else:
                    form.form_errors.append(str(exc))
            else:
                return _done(_("The supervision note is saved."), "mentoring.supervision", user_id=user_id)
    notes = db.session.scalars(sa.select(SupervisionNote).where(SupervisionNote.trainee_id == trainee.id)
                               .order_by(SupervisionNote.week_of.desc(), SupervisionNote.id.desc())).all()
    supervised = next((s for s in progress.stages if s.number == SUPERVISED_STAGE), None)
    return render_template("mentoring/supervision.html", trainee=trainee, rec=rec, form=form, notes=notes,
                           files=files_of("supervision_note_id", [n.id for n in notes]),
                           opened=supervision_window(progress)[1] if weeks else None, weeks=weeks,
                           supervised=supervised,
                           may_write=can_grade(current_user, rec)), 400 if form.errors else 200


@bp.route("/trainees/assign", methods=["GET", "POST"])
@roles_required(HEAD)
def assign():
    if request.method == "GET":  # the address a refused assignment is shown on: a reload goes back to the dashboard
        return redirect(url_for("main.home"))
    form = with_ids(AssignForm(), "assign")
    records = db.session.scalars(sa.select(TraineeRecord)).all()
    form.trainees.choices = [(r.user_id, r.user.full_name) for r in records]
    form.mentor.choices = [(m.id, m.full_name) for m in mentors()]
    if not form.validate_on_submit():
        from ..readiness.views import team_home

        return team_home(assign_form=form, status=400)
    by_user = {r.user_id: r for r in records}
    for uid in form.trainees.data:
        assign_mentor(by_user[uid], form.mentor.data, current_user)
    return _done(ngettext("%(num)d trainee assigned to the mentor.", "%(num)d trainees assigned to the mentor.",
                          len(form.trainees.data)), "main.home")
