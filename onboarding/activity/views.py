"""The activity room: the ledger, the teams' targets, supervision notes."""
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from ..auth.forms import EmptyForm
from ..auth.models import ADMIN, HEAD, MENTOR, READERS, User
from ..auth.permissions import can_grade, roles_required, trainee_to_act_on
from ..evidence.forms import show_refused, uploads_of
from ..evidence.services import EvidenceRefused, files_of
from ..extensions import db
from ..fragments import kept_fragment, token_stand_in, with_request_token
from ..i18n import fmt_date, join_list
from ..navigation import done, redirect_next, requested_next
from ..readiness.exports import csv_response
from ..path.service import trainee_progress
from ..timeutil import today
from . import charts, rules
from .criteria import CRITERIA
from .forms import (CRITERION_LABELS, FIGURE_LABELS, PLAN_LABELS, SEGMENTS, VERDICT_LABELS, CorrectionForm, EntryForm,
                    MovedDealForm, PlanForm, SupervisionForm, TargetsForm, TeamForm, review_form, segment_label)
from .models import FIGURES, ActivityEntry, SupervisionNote, Team
from .services import (SUPERVISED_STAGE, ActivityError, DayLoggedAlready, FunnelRefused,
                       add_supervision_note, add_team, confirm_entry, confirm_seen, correct_entry, day_entry,
                       entry_version, ledger, ledger_day_problem, read_seen, save_entry_with_files, seen_marks,
                       segment_for, set_targets, supervision_weeks, supervision_window, targets_for)
from .scorecards import (PLAN_FIGURES, currency, heatmap, moved_deals, plan_of, plan_status, plans_of,
                         record_moved_deal, review_weeks, save_scorecard, set_plan)

bp = Blueprint("activity", __name__)


_trainee = trainee_to_act_on  # the trainee and their record, if the current user may see (write: act on) them
_done = done  # commit, say so, and go back


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
                return redirect(url_for("activity.activity", user_id=user_id, day=asked.isoformat()) + "#log")
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
            except ActivityError as exc:  # beside the day when the form is shown, else in the summary alone
                db.session.rollback()
                if rec.start_date <= now:
                    form.day.errors = [*form.day.errors, str(exc)]
                else:
                    form.form_errors.append(str(exc))
            else:
                return _done(_saved_day_message(entry), "activity.activity", user_id=user_id)
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
    is_mentor = can_grade(current_user, rec)
    # The days a mentor can confirm at once, each as shown: one changed since is not confirmed.
    unconfirmed = seen_marks(book.originals) if is_mentor else []
    return render_template("activity/activity.html", trainee=trainee, rec=rec, form=form, originals=book.originals,
                           corrections=book.corrections, weeks=week_list, targets=targets, labels=FIGURE_LABELS,
                           figures=FIGURES, funnel=book.funnel(), people=people, empty=EmptyForm(),
                           monthly=rules.MONTHLY, segment=segment_label(segment),
                           chart=charts.weekly_bars(week_list, "meetings", targets["meetings"],
                                                    _("Meetings held per week"), _("target")),
                           calls_chart=charts.weekly_bars(week_list, "calls", targets["calls"],
                                                          _("Calls made per week"), _("target")),
                           is_owner=is_owner, is_mentor=is_mentor, unconfirmed=unconfirmed, editing=editing,
                           notice=notice, reload_day=reload_day, started=rec.start_date <= now,
                           correction_form=CorrectionForm(formdata=None),
                           files=files_of("activity_entry_id", [e.id for e in book.originals])), status


@bp.app_template_global("ledger_day_rows")
def ledger_day_rows(entry, fixes, people: dict, files, editable: bool, is_mentor: bool):
    """One day of the ledger's table with its corrections (activity/_day_rows.html), kept per worker under what it
    shows: a ledger of months is a hundred such rows, each with its forms and links."""
    authors = tuple(people[c.entered_by].full_name if c.entered_by in people else None for c in fixes)
    values = {"e": entry, "fixes": tuple(fixes), "authors": authors, "files": tuple(files or ()),
              "editable": editable, "is_mentor": is_mentor, "figures": FIGURES, "viewer": current_user.id,
              "next": requested_next()}
    # The reader (a file's uploader may take it back) is keyed by their id; the token is the request's own.
    return with_request_token(kept_fragment("activity/_day_rows.html", values,
                                            {"current_user": current_user, "csrf_token": token_stand_in}))


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
    return _done(_("The figures for %(day)s are confirmed.", day=fmt_date(entry.day)), "activity.activity",
                 user_id=trainee.id)


@bp.post("/trainees/<int:user_id>/activity/confirm")
@roles_required(MENTOR, HEAD, ADMIN)
def confirm_days(user_id):
    """Confirm every day the page listed as not confirmed yet, each as it was shown (see services.confirm_seen)."""
    trainee, rec = _trainee(user_id, write=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    seen = read_seen(request.form.getlist("seen"))
    if seen is None:
        abort(400)
    confirmed, changed = confirm_seen(trainee.id, seen, current_user)
    if changed:
        flash(ngettext("%(day)s changed after you opened the page and is not confirmed: check it again.",
                       "%(num)d days changed after you opened the page and are not confirmed, the first %(day)s: "
                       "check them again.", len(changed), day=fmt_date(changed[0].day)), "error")
    if not confirmed:  # nothing was written
        if not changed:
            flash(_("Nothing was left to confirm: every day shown is confirmed already."), "info")
        return redirect_next(url_for("activity.activity", user_id=trainee.id) + "#days")
    return _done(ngettext("%(num)d day of figures is confirmed.", "%(num)d days of figures are confirmed.",
                          len(confirmed)), "activity.activity", user_id=trainee.id)


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
        except ActivityError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            return _done(_("The correction is saved; the original figures stay visible."), "activity.activity",
                         user_id=trainee.id)
    return render_template("activity/correct.html", entry=entry, trainee=trainee, form=form, labels=FIGURE_LABELS,
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
            except ActivityError as exc:
                team_form.name.errors = [str(exc)]
            else:
                return _done(_("The team is added."), "activity.targets")
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
        form.segment.choices = [SelectChoice(s, segment_label(s)) for s in SEGMENTS]
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
        return redirect(url_for("activity.targets"))
    return render_template("activity/targets.html", forms=forms, figures=FIGURES, team_form=team_form), \
        400 if team_form.errors or refused else 200


# ---------------------------------------------------------------- supervision and assignments

@bp.route("/trainees/<int:user_id>/supervision", methods=["GET", "POST"])
@login_required
def supervision(user_id):
    trainee, rec = _trainee(user_id)
    progress = trainee_progress(rec)
    weeks = supervision_weeks(progress)  # from the week stage 4 opened to the current week
    form = SupervisionForm(week_of=today()) if request.method == "GET" else SupervisionForm()
    form.week_of.choices = [SelectChoice(w.isoformat(), _("Week of %(date)s", date=fmt_date(w)))
                            for w in reversed(weeks)]
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
            except ActivityError as exc:  # beside the week when weeks are offered, else in the summary alone
                db.session.rollback()
                if weeks:
                    form.week_of.errors = [*form.week_of.errors, str(exc)]
                else:
                    form.form_errors.append(str(exc))
            else:
                return _done(_("The supervision note is saved."), "activity.supervision", user_id=user_id)
    notes = db.session.scalars(sa.select(SupervisionNote).where(SupervisionNote.trainee_id == trainee.id)
                               .order_by(SupervisionNote.week_of.desc(), SupervisionNote.id.desc())).all()
    supervised = next((s for s in progress.stages if s.number == SUPERVISED_STAGE), None)
    return render_template("activity/supervision.html", trainee=trainee, rec=rec, form=form, notes=notes,
                           files=files_of("supervision_note_id", [n.id for n in notes]),
                           opened=supervision_window(progress)[1] if weeks else None, weeks=weeks,
                           supervised=supervised,
                           may_write=can_grade(current_user, rec)), 400 if form.errors else 200


# ---------------------------------------------------------------- the seven criteria, week by week

def _review_weeks(trainee, rec):
    return review_weeks(rec, trainee_progress(rec))


@bp.get("/trainees/<int:user_id>/criteria")
@login_required
def criteria_page(user_id):
    """Every full supervised week against the seven criteria: the mentor's verdicts (else what the data says),
    the trends drawn and in a table."""
    trainee, rec = _trainee(user_id)
    weeks = _review_weeks(trainee, rec)
    return render_template("activity/criteria.html", trainee=trainee, rec=rec, weeks=list(reversed(weeks)),
                           chart=charts.criteria_trends(weeks, CRITERION_LABELS, _("The seven criteria, week by week")),
                           labels=CRITERION_LABELS, verdicts=VERDICT_LABELS, criteria=CRITERIA,
                           may_review=can_grade(current_user, rec))


@bp.route("/trainees/<int:user_id>/criteria/<week>", methods=["GET", "POST"])
@login_required
def review(user_id, week):
    """One week's review: what the data says on each criterion, the mentor's verdict and note, and the week's
    supervision note."""
    trainee, rec = _trainee(user_id)
    may_review = can_grade(current_user, rec)
    if request.method == "POST" and not may_review:
        abort(403)
    start = _iso_day(week)
    found = next((w for w in _review_weeks(trainee, rec) if start is not None and w.start == rules.monday(start)),
                 None)
    if found is None:
        abort(404)
    form = review_form(found.prefill, found.scorecard, request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate_on_submit():
            answers = {c: (form[f"{c}_verdict"].data, form[f"{c}_note"].data) for c in CRITERIA}
            try:
                save_scorecard(trainee, found, answers, current_user)
                if (form.situation.data or "").strip():
                    add_supervision_note(trainee, current_user, found.start, form.situation.data,
                                         form.advice.data, trainee_progress(rec))
            except ActivityError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                return _done(_("The review of the week of %(date)s is saved.", date=fmt_date(found.start)),
                             "activity.criteria_page", user_id=user_id)
    notes = db.session.scalars(sa.select(SupervisionNote).where(
        SupervisionNote.trainee_id == trainee.id, SupervisionNote.week_of == found.start)
        .order_by(SupervisionNote.id)).all()
    return render_template("activity/review.html", trainee=trainee, rec=rec, week=found, form=form, notes=notes,
                           labels=CRITERION_LABELS, verdicts=VERDICT_LABELS, criteria=CRITERIA,
                           may_review=may_review), 400 if form.errors else 200


# ---------------------------------------------------------------- the monthly plan

def _may_set_plan(rec) -> bool:
    """The trainee's mentor and heads of sales set the plan (admins do not)."""
    return can_grade(current_user, rec) and current_user.role != ADMIN


def _may_record_moved(rec) -> bool:
    """The trainee marks a deal as moved; their mentor and a head of sales record one too."""
    return current_user.id == rec.user_id or _may_set_plan(rec)


def _render_plan(trainee, rec, form=None, moved_form=None):
    now = today()
    form = form or PlanForm(formdata=None, obj=plan_of(trainee.id, now), month=now.isoformat()[:7])
    moved_form = moved_form or MovedDealForm(formdata=None, day=now)
    days, moved = ledger(trainee.id, rec.team_id).days, moved_deals(trainee.id)
    return render_template("activity/plan.html", trainee=trainee, rec=rec, form=form, moved_form=moved_form,
                           statuses=[plan_status(p, days, moved, now) for p in plans_of(trainee.id)], moved=moved,
                           may_set=_may_set_plan(rec), may_move=_may_record_moved(rec), labels=PLAN_LABELS,
                           currency=currency()), 400 if form.errors or moved_form.errors else 200


@bp.route("/trainees/<int:user_id>/monthly-plan", methods=["GET", "POST"])
@login_required
def plan(user_id):
    """The monthly plans against the actual: to date for the current month, whole for past ones; the mentor or a
    head of sales sets a month's plan; deals moved to the next month beside it."""
    trainee, rec = _trainee(user_id)
    if request.method == "GET":
        return _render_plan(trainee, rec)
    if not _may_set_plan(rec):
        abort(403)
    form = PlanForm()
    if form.validate_on_submit():
        set_plan(trainee, form.month.month, {f: form[f].data for f in (*PLAN_FIGURES, "revenue_booked")},
                 current_user)
        return _done(_("The plan for %(month)s is saved.", month=form.month.data.strip()), "activity.plan",
                     user_id=user_id)
    return _render_plan(trainee, rec, form=form)


@bp.route("/trainees/<int:user_id>/monthly-plan/moved", methods=["GET", "POST"])
@login_required
def moved_deal(user_id):
    trainee, rec = _trainee(user_id)
    if not _may_record_moved(rec):
        abort(403)
    if request.method == "GET":  # a reload of a refused form: back to the plan
        return redirect(url_for("activity.plan", user_id=user_id))
    form = MovedDealForm()
    if form.validate_on_submit():
        try:
            record_moved_deal(trainee, form.day.data, form.client.data, form.reason.data, current_user)
        except ActivityError as exc:
            db.session.rollback()
            form.day.errors = [*form.day.errors, str(exc)]
        else:
            return _done(_("The moved deal is recorded; the month-end review shows it."), "activity.plan",
                         user_id=user_id)
    return _render_plan(trainee, rec, moved_form=form)


# ---------------------------------------------------------------- the cohort's heatmap

def _heat_rows():
    return heatmap(current_app.config["CRITERIA_WEEKS"])


@bp.get("/criteria")
@roles_required(*READERS)
def heatmap_page():
    """The seven criteria for every trainee under supervision over the last weeks, and each one's plan attainment."""
    return render_template("activity/heatmap.html", rows=_heat_rows(), labels=CRITERION_LABELS, criteria=CRITERIA,
                           window=current_app.config["CRITERIA_WEEKS"])


@bp.get("/criteria.csv")
@roles_required(*READERS)
def heatmap_csv():
    def table(rows):
        yield [_("Trainee"), _("Weeks counted"), *(str(CRITERION_LABELS[c]) for c in CRITERIA), _("Plan month"),
               _("Plan attainment (%)"), _("Deals moved")]
        for r in rows:
            yield [r.name, len(r.weeks), *(r.share(c)[0] for c in CRITERIA),
                   r.plan.plan.month.isoformat()[:7] if r.plan else "", "" if r.plan_percent is None else r.plan_percent,
                   len(r.plan.moved) if r.plan else ""]
    return csv_response(table(_heat_rows()), f"criteria-{today().isoformat()}.csv")
