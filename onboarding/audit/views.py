"""The audit log page for heads of sales and administrators: read-only, filtered, paginated, in words. The people
filters are typed (name, email, or an account's number), so the page never lists everyone."""
from datetime import datetime, time, timezone

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ..auth.models import ADMIN, HEAD, TRAINEE
from ..auth.permissions import roles_required
from ..auth.services import accounts_matching
from ..extensions import db
from ..paging import paginate
from .forms import AuditFilterForm
from .models import AuditEvent
from .wording import ACTION_NAMES, action_name, context_for, details_in_words, subject_in_words

bp = Blueprint("audit", __name__)


def _filters():
    """The filter form read from the query string, the actions' choices from what the log holds."""
    recorded = db.session.scalars(sa.select(AuditEvent.action).distinct()).all()
    actions = sorted(set(ACTION_NAMES) | set(recorded), key=lambda a: action_name(a).casefold())
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", _("Any action"))] + [SelectChoice(a, action_name(a)) for a in actions]
    form.validate()
    return form


def _people(field, trainees_only: bool, nobody):
    """The accounts a typed person filter names (a subquery of ids: auth.services.accounts_matching), or None when
    nothing usable was typed. When no account matches, the field says so (the page is then refused, and shows
    what was typed)."""
    text = (field.data or "").strip()
    if not text or field.errors:
        return None
    people = accounts_matching(text, TRAINEE if trainees_only else None)
    if not db.session.scalar(sa.select(people.exists())):
        field.errors.append(nobody(text))
        return None
    return people


@bp.get("/audit")
@roles_required(HEAD, ADMIN)
def log():
    form = _filters()
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    good = lambda field: field.data and not field.errors  # noqa: E731  (a refused filter filters nothing)
    actors = _people(form.actor, False, lambda text: _("No one matches “%(text)s”.", text=text))
    if actors is not None:
        query = query.where(AuditEvent.actor_id.in_(actors))
    trainees = _people(form.trainee, True, lambda text: _("No trainee matches “%(text)s”.", text=text))
    if trainees is not None:
        query = query.where(AuditEvent.trainee_id.in_(trainees))
    if good(form.action):
        query = query.where(AuditEvent.action == form.action.data)
    if good(form.start):
        query = query.where(AuditEvent.at >= datetime.combine(form.start.data, time.min, timezone.utc))
    if good(form.end):
        query = query.where(AuditEvent.at <= datetime.combine(form.end.data, time.max, timezone.utc))
    page = paginate(query, current_app.config["PER_PAGE"] * 2)
    ctx = context_for(page.items)
    rows = [{"event": e, "sentence": _sentence(e, ctx), "subject": subject_in_words(e),
             "details": details_in_words(e, ctx), "actor": ctx["people"].get(e.actor_id),
             "trainee": ctx["people"].get(e.trainee_id)} for e in page.items]
    return render_template("audit/log.html", page=page, rows=rows, form=form), 400 if form.errors else 200


def _sentence(event, ctx) -> str:
    """The timeline's sentence for the event; an action it has none for reads as the action's name."""
    from ..readiness.timeline import describe, worded_actions

    return describe(event, ctx["titles"]) if event.action in worded_actions() else action_name(event.action)
