"""The admins' outbox pages, each person's e-mail preferences, the unsubscribe link, and the role-play's "Add to
calendar" download."""
import email
from email import policy

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.forms import EmptyForm
from ..auth.models import ADMIN, User
from ..auth.permissions import can_view_trainee, roles_required
from ..extensions import csrf, db
from ..mentoring.models import SCHEDULED, RolePlayAttempt
from ..paging import MAX_ID, paginate
from ..people.services import record_of
from .kinds import LABELS, label
from .models import STATES, OutboxMessage
from .outbox import absolute, meeting
from . import calendar as cal
from .forms import PreferencesForm
from .services import (PreferenceRefused, counts_by_state, is_opted_out, may_opt_out, opt_in, opt_out,
                       preferences_of, send_again, set_preferences)
from .tokens import read_unsubscribe_token

bp = Blueprint("mail", __name__)


@bp.get("/admin/mail")
@roles_required(ADMIN)
def outbox():
    """The last messages, newest first; ?state=failed lists what could not be delivered."""
    state = request.args.get("state", "")
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if state in STATES:
        query = query.where(OutboxMessage.state == state)
    page = paginate(query, current_app.config["PER_PAGE"])
    return render_template("mail/outbox.html", page=page, state=state if state in STATES else "",
                           states=STATES, counts=counts_by_state(), form=EmptyForm(),
                           transport=_transport_words(), label=label)


def _transport_words() -> str:
    if current_app.config.get("MAIL_URL"):
        return _("Messages go out through the SMTP server in MAIL_URL.")
    return _("No MAIL_URL is set: messages are written as .eml files to %(folder)s.",
             folder=current_app.config["MAIL_DIR"])


def _message_or_404(message_id) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return message


def _readable(message: OutboxMessage) -> dict:
    """The headers worth reading and the plain-text part, decoded."""
    if not message.raw:
        return {"headers": [], "text": ""}
    parsed = email.message_from_string(message.raw, policy=policy.default)
    names = ("From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Content-Language",
             "List-Unsubscribe")
    body = parsed.get_body(preferencelist=("plain",))
    attachments = [part.get_filename() for part in parsed.iter_attachments()]
    return {"headers": [(n, str(parsed[n])) for n in names if parsed[n] is not None],
            "text": body.get_content() if body is not None else "", "attachments": [a for a in attachments if a]}


@bp.get("/admin/mail/<int:message_id>")
@roles_required(ADMIN)
def message(message_id):
    message = _message_or_404(message_id)
    return render_template("mail/message_view.html", message=message, shown=_readable(message), form=EmptyForm(),
                           label=label)


@bp.post("/admin/mail/<int:message_id>/send-again")
@roles_required(ADMIN)
def retry(message_id):
    message = _message_or_404(message_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if send_again(message, current_user):
        db.session.commit()
        flash(_("The message is queued again; the sender tries it at once."), "success")
    else:
        flash(_("Only a message that failed can be sent again."), "error")
    return redirect(url_for("mail.message", message_id=message.id))


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def preferences():
    """Every signed-in person chooses, per kind of e-mail they receive: immediately, in the weekly digest (mentors
    and heads of sales), or off; a head of sales cannot switch escalations off."""
    user = current_user._get_current_object()
    form = PreferencesForm.for_user(user, preferences_of(user))
    if form.validate_on_submit():
        try:
            set_preferences(user, form.wanted(), actor=user)
        except PreferenceRefused as refused:  # the form checked already; the service has the last word
            form[refused.kind].errors.append(_("This choice is not open to you."))
        else:
            db.session.commit()
            flash(_("Your e-mail preferences are saved."), "success")
            return redirect(url_for("mail.preferences"))
    status = 400 if request.method == "POST" else 200
    return render_template("mail/preferences.html", form=form), status


def _subscriber_or_404(token):
    found = read_unsubscribe_token(token)
    user = db.session.get(User, found[0]) if found and found[1] in LABELS and 0 < found[0] <= MAX_ID else None
    if user is None:
        abort(404)
    return user, found[1]


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token in the address is the proof; mail providers post it without a session (RFC 8058)
def unsubscribe(token):
    """Switch one kind of e-mail off for the person the signed link names, without signing in; `resume=1` switches
    it on again. GET only shows the question: link checkers and previews change nothing. An escalation to a head
    of sales cannot be switched off (the service refuses too)."""
    user, kind = _subscriber_or_404(token)
    done = None
    if not may_opt_out(user, kind):
        return render_template("mail/unsubscribe.html", token=token, kind=label(kind), done="kept", off=False,
                               address=_masked(user.email))
    if request.method == "POST":
        if request.form.get("resume") == "1":
            opt_in(user, kind)
            done = "resumed"
        else:
            opt_out(user, kind)
            done = "stopped"
        db.session.commit()
    return render_template("mail/unsubscribe.html", token=token, kind=label(kind), done=done,
                           off=is_opted_out(user, kind), address=_masked(user.email))


def _masked(address: str) -> str:
    """t***@example.com: enough to recognise one's own address, not enough to learn someone else's."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


@bp.get("/role-play/<int:attempt_id>/calendar.ics")
@login_required
def role_play_calendar(attempt_id):
    """The scheduled meeting as an .ics file, for whoever may see the role-play (the trainee, the evaluators,
    the mentor, heads and admins), with the same UID and SEQUENCE as the invitations."""
    attempt = db.session.get(RolePlayAttempt, attempt_id)
    if attempt is None:
        abort(404)
    evaluators = {e.evaluator_id for e in attempt.evaluators}
    if current_user.id not in evaluators and not can_view_trainee(current_user, record_of(
            db.session.get(User, attempt.trainee_id))):
        abort(403)
    if attempt.state != SCHEDULED:
        abort(404)
    body = cal.ics(meeting(db.session, attempt, absolute(f"/role-play/{attempt.id}")), "PUBLISH")
    return body, 200, {"Content-Type": "text/calendar; charset=utf-8",
                       "Content-Disposition": f'attachment; filename="role-play-{attempt.id}.ics"'}
