"""Overviews of trainees: a mentor's own, the head of sales' whole team."""
from flask import current_app, render_template, request
from flask_login import current_user

from ..auth.models import HEAD, MENTOR
from ..content import curriculum
from ..paging import page_arg
from ..timeutil import today
from .service import team_rows


def team_home():
    page = page_arg()
    search = request.args.get("q", "").strip()
    mentor_id = current_user.id if current_user.role == MENTOR else None
    pagination, rows = team_rows(mentor_id=mentor_id, page=page, per_page=current_app.config["PER_PAGE"],
                                 search=search)
    assign_form = None
    if current_user.role == HEAD:
        from ..mentoring.forms import AssignForm
        from ..people.services import mentors

        assign_form = AssignForm(formdata=None)
        assign_form.mentor.choices = [(m.id, m.full_name) for m in mentors()]
    return render_template("readiness/team.html", pagination=pagination, rows=rows, q=search,
                           curriculum=curriculum(), today=today(), assign_form=assign_form)
