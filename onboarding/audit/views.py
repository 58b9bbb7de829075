"""The audit log page for heads of sales and administrators: read-only, filtered, paginated."""
from datetime import datetime, time, timezone

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request

from ..auth.models import ADMIN, HEAD, User
from ..auth.permissions import roles_required
from ..extensions import db
from ..paging import page_arg
from .models import AuditEvent

bp = Blueprint("audit", __name__)


def _date_arg(name):
    try:
        return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date()
    except ValueError:
        return None


@bp.get("/audit")
@roles_required(HEAD, ADMIN)
def log():
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    actor = request.args.get("actor", type=int)
    actor = actor if actor is not None and 0 < actor < 2**31 else None
    trainee = request.args.get("trainee", type=int)
    trainee = trainee if trainee is not None and 0 < trainee < 2**31 else None
    action = request.args.get("action", "").strip()
    start, end = _date_arg("from"), _date_arg("to")
    if actor:
        query = query.where(AuditEvent.actor_id == actor)
    if trainee:
        query = query.where(AuditEvent.trainee_id == trainee)
    if action:
        query = query.where(AuditEvent.action == action)
    if start:
        query = query.where(AuditEvent.at >= datetime.combine(start, time.min, timezone.utc))
    if end:
        query = query.where(AuditEvent.at <= datetime.combine(end, time.max, timezone.utc))
    page = db.paginate(query, page=page_arg(), per_page=current_app.config["PER_PAGE"] * 2, error_out=False)
    ids = {e.actor_id for e in page.items} | {e.trainee_id for e in page.items} | {actor} - {None}
    people = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    actions = db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    everyone = db.session.execute(sa.select(User.id, User.full_name, User.role).order_by(User.full_name)).all()
    from ..readiness.timeline import describe, titles

    names = titles()
    worded = {e.id: describe(e, names) for e in page.items}
    return render_template("audit/log.html", page=page, people=people, actions=actions, everyone=everyone, worded=worded,
                           actor=actor, trainee=trainee, action=action, start=start, end=end)
