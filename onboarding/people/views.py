"""The head of sales' pages for trainees: add one, see one, plan one."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..assessment.forms import ExtraAttemptForm
from ..assessment.models import QuizAttempt
from ..auth.models import ADMIN, DIRECTOR, HEAD, TRAINEE, User
from ..auth.permissions import can_decide_go, can_grade, can_view_trainee, roles_required
from ..content import curriculum
from ..extensions import db
from ..forms_common import with_ids
from .forms import NewTraineeForm, PlanForm, set_mentor_choices
from .services import PeopleError, create_user, mentors, record_of, update_plan

bp = Blueprint("people", __name__)


def set_team_choices(field):
    from ..activity.models import Team

    field.choices = [SelectChoice(0, _("No team (default targets)"))] + [
        SelectChoice(t.id, t.name) for t in db.session.scalars(sa.select(Team).order_by(Team.name))]


def _trainee_or_404(user_id):
    user = db.session.get(User, user_id)
    if user is None or user.role != TRAINEE:
        abort(404)
    return user


@bp.route("/trainees/new", methods=["GET", "POST"])
@roles_required(HEAD, ADMIN)
def new_trainee():
    form = NewTraineeForm()
    set_mentor_choices(form.mentor, mentors())
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.full_name.data, TRAINEE, form.password.data, current_user,
                               start_date=form.start_date.data, mentor_id=form.mentor.data,
                               ramp_days=current_app.config["RAMP_DAYS"])
        except PeopleError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s is added as a trainee.", name=user.full_name), "success")
            return redirect(url_for("people.trainee", user_id=user.id))
    return render_template("people/new_trainee.html", form=form), 400 if form.errors else 200


def render_trainee(user, plan_form=None, status=200, rec_form=None, decision_form=None, extra_form=None,
                   extra_for=None, director_form=None, go_form=None, promotion_form=None):
    """The trainee's page; forms that failed to validate come back filled in, with their errors (the error summary
    at the top of the page links to them): the plan, the recommendation, the decision, the go / no-go after cold
    calling, the promotion to a higher career level, or the extra attempt at the quiz `extra_for`."""
    record = record_of(user)
    if not can_view_trainee(current_user, record):
        abort(403)
    if plan_form is None and current_user.role in (HEAD, ADMIN):
        plan_form = PlanForm(formdata=None, start_date=record.start_date, target_date=record.target_date,
                             mentor=record.mentor_id, team=record.team_id or 0)
    if plan_form is not None:
        set_mentor_choices(plan_form.mentor, mentors())
        set_team_choices(plan_form.team)
    cur = curriculum()
    attempts = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                                  .order_by(QuizAttempt.quiz_slug, QuizAttempt.number)).all()
    by_quiz = {}
    for a in attempts:
        by_quiz.setdefault(a.quiz_slug, []).append(a)

    def extra_form_for(slug):
        """The extra-attempt form of one blocked quiz: the one that failed as typed, else an empty one."""
        if extra_form is not None and slug == extra_for:
            return extra_form
        return with_ids(ExtraAttemptForm(formdata=None), slug)
    from ..mentoring.models import MentorAssignment

    history = db.session.scalars(sa.select(MentorAssignment).where(MentorAssignment.trainee_id == user.id)
                                 .order_by(MentorAssignment.started_at, MentorAssignment.id)
                                 .options(selectinload(MentorAssignment.mentor))).all()
    from ..readiness.report import trainee_report

    report = trainee_report(record, current_app.config["READINESS_MIN_WEEKS"])
    from ..activity.services import latest_supervision_notes
    from ..readiness.decisions import OPEN_STATUSES
    from ..readiness.decisions import history as readiness_history
    from ..readiness.decisions import director_checks
    from ..readiness.forms import DecisionForm, DirectorCheckForm, RecommendationForm

    recommendations, decisions = readiness_history(user.id)
    is_open = record.status in OPEN_STATUSES
    if rec_form is None and is_open and record.mentor_id == current_user.id:
        rec_form = RecommendationForm(formdata=None)
    if decision_form is None and is_open and current_user.role == HEAD:
        decision_form = DecisionForm(formdata=None)
    if director_form is None and current_user.role == DIRECTOR:
        director_form = DirectorCheckForm(formdata=None)
    from ..readiness.forms import GoDecisionForm
    from ..path.progress import NO_GO, go_refusal

    row = report["row"]  # the path's facts, read once for the report: the go decision, the modules read
    go = row.go
    if go_form is None and is_open and can_decide_go(current_user, record) \
            and go_refusal(report["progress"], NO_GO) is None:
        go_form = GoDecisionForm(formdata=None)
    notes = latest_supervision_notes(user.id, 3)
    from ..assessment.models import ORAL
    from ..assessment.services import oral_problem

    from ..careers.forms import PromotionForm, set_level_choices
    from ..careers.services import career_of

    career, promotions = career_of(record)
    if promotion_form is None and career is not None and career.next is not None and current_user.role == HEAD:
        promotion_form = PromotionForm(formdata=None, to_level=career.next.number)
    if promotion_form is not None:
        set_level_choices(promotion_form.to_level, career)
    oral_open = {q.slug for q in cur.quiz_list if ORAL in q.forms and can_grade(current_user, record)
                 and oral_problem(user, q, report["progress"], row.quizzes[q.slug], row.done) is None}
    return render_template("people/trainee.html", trainee=user, record=record, progress=report["progress"],
                           gates=report["gates"], stage4_opened=report["stage4_opened"], report=report,
                           forecast=report["forecast"], recommendations=recommendations, decisions=decisions,
                           rec_form=rec_form, decision_form=decision_form, supervision_notes=notes,
                           director_form=director_form, director_checks=director_checks(user.id),
                           go=go, go_form=go_form, career=career, promotions=promotions,
                           promotion_form=promotion_form,
                           oral_open=oral_open,
                           curriculum=cur, done=row.done, plan_form=plan_form,
                           quiz_status=report["quiz_status"], attempts=by_quiz,
                           extra_form=extra_form, extra_form_for=extra_form_for, history=history), status


@bp.get("/trainees/<int:user_id>")
@login_required
def trainee(user_id):
    return render_trainee(_trainee_or_404(user_id))


@bp.route("/trainees/<int:user_id>/plan", methods=["GET", "POST"])
@roles_required(HEAD, ADMIN)
def plan(user_id):
    user = _trainee_or_404(user_id)
    if request.method == "GET":  # the address a refused plan is shown on: a reload goes back to the trainee
        return redirect(url_for("people.trainee", user_id=user.id))
    record = record_of(user)
    form = PlanForm()
    set_mentor_choices(form.mentor, mentors())
    set_team_choices(form.team)
    if form.validate_on_submit():
        try:
            update_plan(record, form.start_date.data, form.target_date.data, form.mentor.data, current_user,
                        team_id=form.team.data or None)
        except PeopleError as exc:
            form.mentor.errors = [*form.mentor.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("The plan for %(name)s is saved.", name=user.full_name), "success")
            return redirect(url_for("people.trainee", user_id=user.id))
    return render_trainee(user, plan_form=form, status=400)
