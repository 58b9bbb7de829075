"""The current user's notifications."""
import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..auth.forms import EmptyForm
from ..extensions import db
from .models import Notification
from .services import mark_read, wording

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def inbox():
    notes = db.session.scalars(sa.select(Notification).where(Notification.user_id == current_user.id)
                               .order_by(Notification.id.desc()).limit(100)).all()
    return render_template("notifications/list.html", notes=notes, wording=wording, form=EmptyForm())


@bp.post("/notifications/read")
@login_required
def read_all():
    if not EmptyForm().validate_on_submit():
        abort(400)
    mark_read(current_user.id)
    db.session.commit()
    return redirect(url_for("notifications.inbox"))


@bp.post("/notifications/<int:note_id>/open")
@login_required
def open_note(note_id):
    """Mark one notification read and go where it points."""
    note = db.session.get(Notification, note_id)
    if note is None:
        abort(404)
    if note.user_id != current_user.id:
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    mark_read(current_user.id, note.id)
    db.session.commit()
    return redirect(note.link or url_for("main.home"))
