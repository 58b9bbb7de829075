"""The inbox page, and the header's count of what waits."""
from datetime import timedelta

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth.models import ADMIN, HEAD, MENTOR
from ..auth.permissions import roles_required
from ..timeutil import utcnow
from .services import inbox

bp = Blueprint("inbox", __name__)


def waited(since, now) -> str:
    """"waiting 3 days", "waiting 5 hours", "waiting less than an hour"."""
    span = max(now - since, timedelta(0))
    if span.days:
        return ngettext("waiting %(num)d day", "waiting %(num)d days", span.days)
    if span.seconds >= 3600:
        return ngettext("waiting %(num)d hour", "waiting %(num)d hours", span.seconds // 3600)
    return _("waiting less than an hour")


@bp.get("/inbox")
@roles_required(MENTOR, HEAD, ADMIN)
def page():
    now = utcnow()
    items = inbox(current_user, current_app.config["READINESS_MIN_WEEKS"], now)
    here = url_for("inbox.page")

    def link(item) -> str:
        """Where the item is done, carrying the way back here."""
        return url_for(item.endpoint, **item.args, next=here) + (f"#{item.anchor}" if item.anchor else "")

    return render_template("inbox/inbox.html", items=items, link=link, waited=lambda item: waited(item.since, now),
                           read_only=current_user.role == ADMIN)
