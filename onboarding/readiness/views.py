"""Readiness pages: the dashboard (and its bulk assignment of a mentor), the cohort view, exports, the printable
report, the timeline, the mentor's recommendation and the head of sales' decision."""
import sqlalchemy as sa
from markupsafe import Markup
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..auth.models import DIRECTOR, HEAD, MENTOR, READERS
from ..auth.permissions import can, can_decide_go, roles_required, trainee_or_abort
from ..confirming import confirmed, render_confirmation
from ..content import curriculum
from ..extensions import db
from ..forms_common import SEARCH_MAX_LENGTH, field_id, kept_options, search_text, with_ids
from ..fragments import kept_fragment, token_stand_in, with_request_token
from ..learning.services import rereads_count
from ..navigation import done, redirect_next
from ..paging import MAX_ID, bounded_int, page_arg
from ..activity.services import targets_lookup
from ..people.models import TraineeRecord
from ..people.services import mentors
from ..timeutil import today, utcnow
from . import charts, exports
from .cohort import cohort
from .mentors import GRADING_WINDOW_DAYS, mentor_results
from .dashboard import SORTS, Filters, ListRows, Page, dashboard, export_rows
from .rows import WAITERS
from .decisions import DecisionError, decide, decide_go, director_check, recommend
from .forms import DecisionForm, DirectorCheckForm, GoDecisionForm, RecommendationForm
from .report import evidence_of, trainee_report
from .timeline import timeline

bp = Blueprint("readiness", __name__)

STATUS_CHOICES = ("active", "all", "in_training", "awaiting_approval", "extended", "independent", "withdrawn")


def _bounded_int(name, low, high):
    return bounded_int(request.args.get(name, ""), low, high)


def filters_from_args() -> Filters:
    """The dashboard's filters from the query string; anything unknown falls back to the default (a search
    over the length limit searches nothing: `search_text` says why on the page)."""
    sort = request.args.get("sort", "-start")
    descending, key = sort.startswith("-"), sort.lstrip("-")
    status = request.args.get("status", "active")
    waits = request.args.get("waits", "")
    return Filters(q=search_text(request.args, "")[0],
                   mentor=_bounded_int("mentor", 0, MAX_ID),
                   stage=_bounded_int("stage", 0, len(curriculum().stages)),
                   status=status if status in STATUS_CHOICES else "active",
                   overdue=request.args.get("overdue") == "1", waits=waits if waits in WAITERS else "",
                   sort=key if key in SORTS else "start", descending=descending if key in SORTS else True)


def _scope():
    """A mentor sees their own trainees; heads and admins see everyone."""
    return current_user.id if current_user.role == MENTOR else None


@bp.app_template_global("team_row_cells")
def team_row_cells(row, mentor_view: bool):
    """A dashboard row's cells (readiness/_team_row.html), kept per worker under the row's own values."""
    content = curriculum()
    return kept_fragment("readiness/_team_row.html", {"row": row, "mentor_view": mentor_view},
                         {"curriculum": content}, content.version)


@bp.app_template_global("team_rows")
def team_rows(rows, mentor_view: bool, choose: bool, chosen: frozenset = frozenset()):
    """The page's rows with their choosing boxes (readiness/_team_rows.html), kept per worker under the rows
    themselves (a page as read, ListRows, is its own key: its rows are made only to render it); a refused bulk
    assignment comes back with its trainees ticked (`chosen`), rendered afresh."""
    content = curriculum()
    return kept_fragment("readiness/_team_rows.html",
                         {"rows": rows if isinstance(rows, ListRows) else tuple(rows), "mentor_view": mentor_view,
                          "choose": choose, "chosen": chosen},
                         {"curriculum": content}, content.version, keep=not chosen)


#: How many whole tables a worker keeps (each some 25 kB with a team's mentors: the rows alone are kept besides, in
#: the fragments' store).
KEPT_TABLES = 256

#: The bulk assignment's fields as the dashboard writes them (with_ids(AssignForm(), "assign") names them so) and
#: the first line of its list of mentors: the page is kept without building the form (readiness/_team_table.html).
ASSIGN_SUFFIX = "assign"
ASSIGN_IDS = {name: field_id(name, ASSIGN_SUFFIX) for name in ("trainees", "mentor")}


def team_table(page, mentor_view: bool, choices, assign_form=None) -> Markup:
    """The page's table, with the head's bulk assignment around it and the pager (readiness/_team_table.html),
    kept per worker under what it shows: the rows as read, the mentors' options, the page's numbers and the query
    the pager keeps. Only the CSRF token differs from one request to the next: a stand-in put right here. A refused
    assignment (`assign_form`) comes back with its choices and errors, rendered afresh."""
    from ..mentoring.forms import ASSIGN_PROMPT

    choose = current_user.role == HEAD
    chosen = frozenset(assign_form.trainees.data or ()) if assign_form is not None else frozenset()
    errors = {name: tuple(str(e) for e in assign_form[name].errors) if assign_form is not None else ()
              for name in ASSIGN_IDS}
    mentor_chosen = assign_form.mentor.data if assign_form is not None else None
    content = curriculum()
    values = {"rows": page.items, "mentor_view": mentor_view, "choose": choose, "chosen": chosen, "errors": errors,
              "ids": ASSIGN_IDS, "mentor_chosen": mentor_chosen, "prompt": str(ASSIGN_PROMPT),
              "mentor_options": kept_options(choices, mentor_chosen) if choose else "",
              "page": Page((), page.page, page.per_page, page.total), "csrf_token": token_stand_in(),
              # the filters as asked for (anything else in the query is not a view of its own), for a pager only
              "args": ({k: v for k, v in request.args.items() if k in Filters.QUERY_NAMES}
                       if page.pages > 1 else {})}
    table = kept_fragment("readiness/_team_table.html", values, {"curriculum": content}, content.version,
                          keep=not chosen and not any(errors.values()), kind="tables", limit=KEPT_TABLES)
    return with_request_token(table) if choose else table


@bp.app_template_global("dashboard_filters")
def dashboard_filters(filters: Filters, typed: str, errors: list, mentor_choices: list, mentor_view: bool):
    """The dashboard's filter form (readiness/_filters.html), kept per worker under what it shows: a head opens
    the same few views all day, and the form (seven lists, the mentors' among them) cost a fifth of the page. A
    refused search is shown as typed with its reason, rendered afresh."""
    content = curriculum()
    values = {"filters": filters, "search_typed": typed, "search_max": SEARCH_MAX_LENGTH,
              "mentor_view": mentor_view, "can_add": can("manage_trainees"),
              "mentor_options": "" if mentor_view else kept_options(mentor_choices, filters.mentor),
              "statuses": STATUS_CHOICES, "waiters": WAITERS, "search_errors": errors}
    return kept_fragment("readiness/_filters.html", values, {"curriculum": content}, content.version,
                         keep=not errors)


def team_home(assign_form=None, status=200):
    """The dashboard; a refused bulk assignment (`assign_form`) comes back with the trainees still chosen."""
    filters = filters_from_args()
    _q, typed, search_errors = search_text(request.args, _("Find a trainee"))
    page, summary = dashboard(filters, mentor_scope=_scope(), page=page_arg(),
                              per_page=current_app.config["PER_PAGE"])
    choices = mentors() if current_user.role != MENTOR else []  # read once for the filter and the assignment
    table = team_table(page, current_user.role == MENTOR, choices, assign_form) if page.items else None
    return render_template("readiness/team.html", page=page, summary=summary, filters=filters,
                           curriculum=curriculum(), today=today(), assign_form=assign_form, table=table,
                           mentor_choices=choices,
                           statuses=STATUS_CHOICES, waiters=WAITERS, sorts=SORTS,
                           ramp_days=current_app.config["RAMP_DAYS"], search_max=SEARCH_MAX_LENGTH,
                           search_typed=typed, search_errors=search_errors, rereads=rereads_count(_scope())),\
        400 if search_errors else status


@bp.route("/trainees/assign", methods=["GET", "POST"])
@roles_required(HEAD)
def assign():
    """The dashboard's bulk assignment: a mentor for the trainees chosen on it. Only the chosen trainees' records
    are read (a team of thousands is not loaded to check a few ids); a refused assignment comes back on the
    dashboard with its choices."""
    from ..mentoring.forms import AssignForm
    from ..mentoring.services import assign_mentor

    if request.method == "GET":  # the address a refused assignment is shown on: a reload goes back to the dashboard
        return redirect(url_for("main.home"))
    form = with_ids(AssignForm(), ASSIGN_SUFFIX)
    chosen = {bounded_int(v) for v in request.form.getlist("trainees")} - {None}  # the rest name no one
    records = db.session.scalars(sa.select(TraineeRecord).where(TraineeRecord.user_id.in_(chosen))).all()
    form.trainees.choices = [SelectChoice(r.user_id, r.user.full_name) for r in records]
    form.mentor.choices = [SelectChoice(m.id, m.label) for m in mentors()]
    if not form.validate_on_submit():
        return team_home(assign_form=form, status=400)
    by_user = {r.user_id: r for r in records}
    for uid in form.trainees.data:
        assign_mentor(by_user[uid], form.mentor.data, current_user)
    return done(ngettext("%(num)d trainee assigned to the mentor.", "%(num)d trainees assigned to the mentor.",
                         len(form.trainees.data)), "main.home")


@bp.get("/trainees.csv")
@roles_required(MENTOR, *READERS)
def export_dashboard():
    filters = filters_from_args()
    rows = export_rows(filters, mentor_scope=_scope())
    table = exports.dashboard_table(rows, targets_lookup(), today(), utcnow())
    return exports.csv_stream(table, f"trainees-{today().isoformat()}.csv")


#: The mentors the cohort's load chart and table show, busiest first (the mentors' page lists them all).
LOAD_BARS = 15


@bp.get("/cohort")
@roles_required(*READERS)
def cohort_view():
    """The cohort's counts read, and the page's body (its charts and tables) kept per worker under them: a head
    looks at the same numbers all day, and drawing and writing them cost more than reading them."""
    data = cohort(current_app.config["READINESS_MIN_WEEKS"], mentors_shown=LOAD_BARS)
    content = curriculum()
    values = {"counts": {name: data[name] for name in ("active", "complete", "overdue", "per_stage", "ramp")},
              "spreads": [spread for _stage, spread in data["stages"]], "load_rows": data["mentor_load"],
              "mentors_left": data["mentors_left"], "ramp_days": current_app.config["RAMP_DAYS"]}
    body = kept_fragment("readiness/_cohort.html", values, {"curriculum": content}, content.version,
                         computed=lambda: _cohort_charts(content, **values))
    return render_template("readiness/cohort.html", body=body)


def _cohort_charts(content, counts, spreads, load_rows, mentors_left, ramp_days) -> dict:
    """The cohort's three charts and the load's caption, drawn from its counts."""
    stage_chart = charts.bars("stages", _("Trainees in training, by current stage"),
                              [(_("Stage %(n)d", n=n), count) for n, count in counts["per_stage"].items()]
                              + [(_("All stages complete"), counts["complete"])])
    time_chart = charts.ranges("durations", _("Days spent in each stage: middle half, median and plan"),
                               [(_("Stage %(n)d", n=s.number), spread, s.planned_days)
                                for s, spread in zip(content.stages, spreads)]
                               + [(_("Ramp to approval"), counts["ramp"], ramp_days)], _("Planned days"))
    load_chart = charts.bars("load", _("Trainees in training per mentor"),
                             [(name or _("No mentor yet"), load["trainees"]) for name, load in load_rows])
    load_caption = (_("Trainees in training per mentor") if not mentors_left else
                    _("Trainees in training per mentor: the %(shown)d busiest of %(count)d mentors",
                      shown=LOAD_BARS, count=LOAD_BARS + mentors_left))
    return {"stage_chart": stage_chart, "time_chart": time_chart, "load_chart": load_chart,
            "load_caption": load_caption}


@bp.get("/mentors")
@roles_required(*READERS)
def mentors_view():
    """Mentors' results: who each mentor looks after, how their trainees fared, what waits on them now."""
    return render_template("readiness/mentors.html", results=mentor_results(), window=GRADING_WINDOW_DAYS)


@bp.get("/mentors.csv")
@roles_required(*READERS)
def export_mentors():
    return exports.csv_response(exports.mentors_table(mentor_results()), f"mentors-{today().isoformat()}.csv")


def _trainee(user_id):
    return trainee_or_abort(user_id)


@bp.get("/trainees/<int:user_id>/activity.csv")
@login_required
def export_activity(user_id):
    user, rec = _trainee(user_id)
    from ..activity.services import ledger

    return exports.csv_response(exports.ledger_table(ledger(user.id, rec.team_id)),
                                f"activity-{user.id}-{today().isoformat()}.csv")


@bp.get("/trainees/<int:user_id>/report")
@login_required
def report(user_id):
    user, rec = _trainee(user_id)
    from .decisions import history

    data = trainee_report(rec, current_app.config["READINESS_MIN_WEEKS"])
    recommendations, decisions = history(user.id)
    from ..careers.services import career_of

    career, promotions = career_of(rec)
    return render_template("readiness/report.html", trainee=user, record=rec, report=data, curriculum=curriculum(),
                           recommendations=recommendations, decisions=decisions, today=today(), career=career,
                           promotions=promotions)


@bp.get("/trainees/<int:user_id>/timeline")
@roles_required(MENTOR, *READERS)
def timeline_view(user_id):
    user, rec = _trainee(user_id)
    page = timeline(user.id, page_arg(), current_app.config["PER_PAGE"] * 2)
    return render_template("readiness/timeline.html", trainee=user, record=rec, page=page)


@bp.route("/trainees/<int:user_id>/recommendation", methods=["GET", "POST"])
@login_required
def recommendation(user_id):
    user, rec = _trainee(user_id)
    if rec.mentor_id != current_user.id:
        abort(403)
    if request.method == "GET":  # the address a refused recommendation is shown on: a reload goes back
        return redirect(url_for("people.trainee", user_id=user.id) + "#readiness")
    form = RecommendationForm()
    if form.validate_on_submit():
        try:
            recommend(rec, current_user, form.recommends.data == "yes", form.note.data)
        except DecisionError as exc:
            form.note.errors = [*form.note.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("Your recommendation is recorded; the head of sales is told.") if form.recommends.data == "yes"
                  else _("Your recommendation is recorded."), "success")
            return redirect_next(url_for("people.trainee", user_id=user.id) + "#readiness")
    db.session.rollback()
    from ..people.views import render_trainee

    return render_trainee(user, rec_form=form, status=400)


@bp.route("/trainees/<int:user_id>/director-check", methods=["GET", "POST"])
@roles_required(DIRECTOR)
def director_check_view(user_id):
    """The director's own check on a trainee: a verdict and a note, beside the readiness evidence."""
    user, rec = _trainee(user_id)
    if request.method == "GET":  # the address a refused check is shown on: a reload goes back
        return redirect(url_for("people.trainee", user_id=user.id) + "#director-checks")
    form = DirectorCheckForm()
    if form.validate_on_submit():
        try:
            director_check(rec, current_user, form.verdict.data, form.note.data)
        except DecisionError as exc:
            form.verdict.errors = [*form.verdict.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("Your check on %(name)s is recorded.", name=user.full_name), "success")
            return redirect(url_for("people.trainee", user_id=user.id) + "#director-checks")
    db.session.rollback()
    from ..people.views import render_trainee

    return render_trainee(user, director_form=form, status=400)


@bp.route("/trainees/<int:user_id>/readiness-decision", methods=["GET", "POST"])
@roles_required(HEAD)
def decision(user_id):
    user, rec = _trainee(user_id)
    if request.method == "GET":  # the address a refused decision is shown on: a reload goes back
        return redirect(url_for("people.trainee", user_id=user.id) + "#readiness")
    data = trainee_report(rec, current_app.config["READINESS_MIN_WEEKS"])
    form = DecisionForm()
    form.unmet_gates = tuple(g.key for g in data["gates"] if not g.met)
    if form.validate_on_submit():
        try:
            decide(rec, current_user, form.decision.data, form.note.data, data["gates"], evidence_of(rec, data),
                   override_reason=form.override_reason.data or "", new_target_date=form.new_target_date.data,
                   plan=form.plan.data or "")
        except DecisionError as exc:
            form.decision.errors = [*form.decision.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("The decision is recorded; %(name)s and the mentor are told.", name=user.full_name), "success")
            return redirect_next(url_for("people.trainee", user_id=user.id) + "#readiness")
    db.session.rollback()
    from ..people.views import render_trainee

    return render_trainee(user, decision_form=form, status=400)


@bp.route("/trainees/<int:user_id>/go-decision", methods=["GET", "POST"])
@login_required
def go_decision(user_id):
    """The decision after cold calling, by the trainee's mentor or a head of sales. A no-go ends the training, so
    it is recorded only from its confirmation page (the form posted without confirm=1 shows it first)."""
    user, rec = _trainee(user_id)
    if not can_decide_go(current_user, rec):
        abort(403)
    back = url_for("people.trainee", user_id=user.id) + "#go-decision"
    if request.method == "GET":  # the address a refused decision is shown on: a reload goes back
        return redirect(back)
    form = GoDecisionForm()
    parting = form.verdict.data == "no_go"
    if form.validate_on_submit():
        if parting and not confirmed():
            return _confirm_no_go(user, form)
        try:
            decide_go(rec, current_user, form.verdict.data, form.note.data)
        except DecisionError as exc:
            form.verdict.errors = [*form.verdict.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("Go recorded: stage 3 is open for %(name)s; they are told.", name=user.full_name)
                  if not parting else _("No-go recorded: the training of %(name)s ends; they are told.",
                                        name=user.full_name), "success")
            return redirect_next(back)
    db.session.rollback()
    if parting and confirmed():  # refused on the confirmation page: it comes back there, as typed
        return _confirm_no_go(user, form, 400)
    from ..people.views import render_trainee

    return render_trainee(user, go_form=form, status=400)


def _confirm_no_go(trainee, form, status=200):
    return render_confirmation(
        _("Part ways with %(name)s after cold calling?", name=trainee.full_name),
        [_("The training of %(name)s ends: their status becomes Withdrawn and stage 3 stays closed.",
           name=trainee.full_name),
         _("The decision after cold calling is taken once; it is not changed afterwards."),
         _("%(name)s, their mentor and the heads of sales are told; your note stays with the decision and in the "
           "audit log.", name=trainee.full_name)],
        url_for("readiness.go_decision", user_id=trainee.id), _("Record the no-go"),
        url_for("people.trainee", user_id=trainee.id) + "#go-decision", _("Back to the trainee; nothing is recorded"),
        form=form, fields=[form.note], hidden={form.verdict.name: "no_go"}, status=status)
