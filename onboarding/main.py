"""The home page each role lands on, the health check, and the error pages."""
from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException, InternalServerError

from .auth.models import ADMIN, DIRECTOR, HEAD, MENTOR, TRAINEE
from .extensions import db

bp = Blueprint("main", __name__)


@bp.get("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return jsonify(status="ok")


@bp.get("/")
@login_required
def home():
    from .learning.views import trainee_home
    from .readiness.views import team_home

    if current_user.role == TRAINEE:
        return trainee_home()
    if current_user.role in (MENTOR, HEAD, DIRECTOR):
        return team_home()
    if current_user.role == ADMIN:
        return redirect(url_for("admin.users"))
    return redirect(url_for("auth.login"))


ERROR_TEXT = {
    400: (lambda: _("The request could not be understood."),
          lambda: _("Go back, check what you entered and try again.")),
    403: (lambda: _("You do not have access to this page."),
          lambda: _("If you think you should, ask your head of sales or an administrator.")),
    404: (lambda: _("There is no such page."),
          lambda: _("The link may be old, or the record may have been removed.")),
    405: (lambda: _("This action is not available here."),
          lambda: _("Use the buttons on the page instead of typing the address.")),
    413: (lambda: _("What you sent is too large."),
          lambda: _("Go back and attach fewer or smaller files; each file’s limit is shown beside its field.")),
    429: (lambda: _("Too many requests."), lambda: _("Wait a few minutes, then try again.")),
    500: (lambda: _("Something went wrong on our side."),
          lambda: _("Nothing you entered is lost from saved records. Try again in a moment; if it happens again, "
                    "tell an administrator the time it happened.")),
}


def error_page(error):
    """A friendly page for every HTTP error; never a traceback."""
    if not isinstance(error, HTTPException):
        error = InternalServerError()
    code = error.code or 500
    if code == 400 and getattr(error, "description", "") and "CSRF" in str(error.description):
        title, hint = _("This form has expired."), _("Go back, reload the page and submit it again.")
    else:
        title, hint = (f() for f in ERROR_TEXT.get(code, ERROR_TEXT[500]))
    if code >= 500:
        db.session.rollback()
    if request.path.startswith("/api/"):
        return jsonify(error=title, status=code), code
    return render_template("errors/error.html", code=code, title=title, hint=hint), code
