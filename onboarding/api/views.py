"""The JSON API, /api/v1: bearer tokens, read-only, the same access rules as the pages."""
from functools import wraps
from math import ceil

import sqlalchemy as sa
from flask import Blueprint, current_app, g, jsonify, request

from ..auth.models import MENTOR, READERS, TRAINEE, User
from ..auth.permissions import can_view_trainee
from ..careers.services import career_json
from ..extensions import csrf, db
from ..paging import page_arg
from ..people.services import record_of
from ..readiness.dashboard import team_page
from ..readiness.report import report_json, trainee_report
from ..timeutil import today
from .openapi import document
from .tokens import user_for

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def problem(status: int, message: str):
    response = jsonify(error=message, status=status)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_for(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return problem(401, "A valid bearer token is required.")
        g.api_user = user
        return view(*args, **kwargs)
    return wrapped


def _person(id, full_name, email) -> dict:
    return {"id": id, "full_name": full_name, "email": email}


def _summary(trainee: dict, status, start_date, target_date, current_stage, percent, overdue, mentor) -> dict:
    """A trainee in the API, in the list and on their own (`trainee` and `mentor`: _person dicts; `mentor` may be
    None). The list builds it from plain columns, the trainee's document from the record."""
    return {
        **trainee, "status": status, "start_date": start_date.isoformat(),
        "target_date": target_date.isoformat(), "current_stage": current_stage,
        "progress_percent": percent, "overdue": overdue, "mentor": mentor,
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/me")
@token_required
def me():
    user = g.api_user
    return jsonify(id=user.id, email=user.email, full_name=user.full_name, role=user.role, locale=user.locale,
                   time_zone=user.time_zone)


@bp.get("/trainees")
@token_required
def trainees():
    user = g.api_user
    if user.role not in (MENTOR, *READERS):
        return problem(403, "Trainees cannot list other trainees.")
    per_page = max(1, min(request.args.get("per_page", 50, type=int) or 50, 100))
    page = page_arg()
    rows, total = team_page(mentor_id=user.id if user.role == MENTOR else None, page=page, per_page=per_page)
    on = today()
    items = [_summary(_person(r.user_id, r.full_name, r.email), r.status, r.start_date, r.target_date,
                      r.current_stage, r.progress_percent, r.behind_after is not None and r.behind_after < on,
                      None if r.mentor_id is None else _person(r.mentor_id, r.mentor_full_name, r.mentor_email))
             for r in rows]
    return jsonify(items=items, page=page, per_page=per_page, total=total, pages=ceil(total / per_page))


@bp.get("/trainees/<int:trainee_id>")
@token_required
def trainee(trainee_id):
    person = db.session.get(User, trainee_id)
    if person is None or person.role != TRAINEE:
        return problem(404, "No such trainee.")
    record = record_of(person)
    if not can_view_trainee(g.api_user, record):
        return problem(403, "You may not see this trainee.")
    report = trainee_report(record, current_app.config["READINESS_MIN_WEEKS"])
    progress = report["progress"]
    trainee, mentor = record.user, record.mentor
    return jsonify(**_summary(_person(trainee.id, trainee.full_name, trainee.email), record.status,
                              record.start_date, record.target_date, progress.current_stage, progress.percent,
                              progress.overdue, mentor and _person(mentor.id, mentor.full_name, mentor.email)),
                   **report_json(report), career_level=career_json(record))


@bp.errorhandler(404)
def not_found(_error):
    return problem(404, "Not found.")


__all__ = ["bp", "sa"]
