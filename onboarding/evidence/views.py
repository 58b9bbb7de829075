"""Evidence pages: a file served to those who may see its trainee, and a file taken back by its uploader."""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.forms import EmptyForm
from ..auth.models import User
from ..auth.permissions import can_grade, trainee_or_abort
from ..extensions import db
from ..navigation import redirect_next
from . import rules
from .forms import CommentForm
from .models import EvidenceComment, EvidenceFile
from .services import EvidenceError, add_comment, comments_of, edit_comment, open_for_change, remove
from .storage import storage

bp = Blueprint("evidence", __name__)

#: A served file runs nothing and loads nothing, even opened on its own; audio still plays from this origin.
FILE_POLICY = ("default-src 'none'; media-src 'self'; sandbox; frame-ancestors 'none'; object-src 'none'; "
               "base-uri 'self'")


def _file(file_id, check=None) -> EvidenceFile:
    """The file, if the current user may see its trainee (`check`: act on them) (403) and it is still readable
    (404)."""
    row = db.session.get(EvidenceFile, file_id)
    if row is None:
        abort(404)
    trainee_or_abort(row.trainee_id, check)
    if not row.readable:
        abort(404)
    return row


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """A file's size in the reader's digits: 812 B, 41.5 KB, 3.2 MB."""
    from ..i18n import fmt_number

    number, unit = rules.human_size(size)
    return {"B": _("%(n)s B", n=fmt_number(number)), "KB": _("%(n)s KB", n=fmt_number(number)),
            "MB": _("%(n)s MB", n=fmt_number(number))}[unit]


@bp.app_template_filter("file_type")
def file_type(row) -> str:
    """A file's type as people know it, with its kind: Recording (WAV), Document (PDF), Image (PNG). `row` is a
    file, or a file as a decision's frozen evidence keeps it (services.file_json)."""
    mime, kind = (row["type"], row["kind"]) if isinstance(row, dict) else (row.mime, row.kind)
    short = rules.SHORT_NAMES.get(mime, mime)
    return {rules.AUDIO: _("Recording (%(type)s)", type=short), rules.IMAGE: _("Image (%(type)s)", type=short)
            }.get(kind) or _("Document (%(type)s)", type=short)


@bp.app_template_filter("from_iso")
def from_iso(text: str):
    """A time kept as ISO text in frozen evidence, as a datetime for fmt_date."""
    from datetime import datetime

    return datetime.fromisoformat(text) if text else None


def page_of(row: EvidenceFile) -> str:
    """The page that shows the file: the checklist at its task, the ledger, or the supervision notes."""
    from ..mentoring.models import SignOffEvent

    if row.sign_off_event_id is not None:
        task = db.session.get(SignOffEvent, row.sign_off_event_id).task_id
        return url_for("mentoring.checklist", user_id=row.trainee_id) + f"#task-{task}"
    if row.activity_entry_id is not None:
        return url_for("activity.activity", user_id=row.trainee_id)
    return url_for("activity.supervision", user_id=row.trainee_id)


@bp.get("/evidence/<int:file_id>")
@login_required
def download(file_id):
    row = _file(file_id)
    try:
        source = storage().source(row.storage_key)
    except FileNotFoundError:
        abort(404)
    response = send_file(source, mimetype=row.mime, as_attachment=row.kind != rules.AUDIO,
                         download_name=rules.safe_name(row.name),
                         conditional=True, etag=row.sha256, last_modified=row.created_at, max_age=0)
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/evidence/<int:file_id>/remove")
@login_required
def remove_file(file_id):
    row = _file(file_id)
    if row.uploaded_by != current_user.id:
        abort(403)
    back = page_of(row)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        remove(row, current_user)
    except EvidenceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    flash(_("“%(name)s” is removed.", name=row.name), "success")
    return redirect_next(back)


# ---------------------------------------------------------------- the review page and comments at a moment

@bp.get("/evidence/<int:file_id>/review")
@login_required
def review(file_id):
    return _render_review(_file(file_id))


def _render_review(row: EvidenceFile, failed: CommentForm | None = None, failed_id: int | None = None):
    """The file with its comments; a refused comment (new, or `failed_id`'s change) comes back as typed (400)."""
    from ..people.services import record_of

    comments = comments_of([row.id]).get(row.id, [])
    reviewer = can_grade(current_user, record_of(db.session.get(User, row.trainee_id)))
    new_form = failed if failed is not None and failed_id is None else CommentForm(formdata=None)

    def edit_form(comment):
        if failed is not None and failed_id == comment.id:
            return failed
        return CommentForm(formdata=None, at=rules.mmss(comment.at_seconds), body=comment.body,
                           prefix=f"c{comment.id}")

    return render_template("evidence/review.html", f=row, comments=comments, reviewer=reviewer,
                           new_form=new_form, edit_form=edit_form, editable=open_for_change(row),
                           back=page_of(row), mmss=rules.mmss, failed_form=failed), 400 if failed else 200


@bp.route("/evidence/<int:file_id>/comments", methods=["GET", "POST"])
@login_required
def comment(file_id):
    row = _file(file_id, can_grade)
    if request.method == "GET":  # the address a refused comment is shown on: a reload goes back to the file
        return redirect(url_for("evidence.review", file_id=file_id))
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_review(row, form)
    add_comment(row, current_user, form.seconds, form.body.data)
    db.session.commit()
    flash(_("Your comment is added."), "success")
    return redirect(url_for("evidence.review", file_id=file_id) + "#comments")


@bp.route("/evidence/comments/<int:comment_id>", methods=["GET", "POST"])
@login_required
def change_comment(comment_id):
    found = db.session.get(EvidenceComment, comment_id)
    if found is None:
        abort(404)
    row = _file(found.file_id, can_grade)
    if found.author_id != current_user.id:
        abort(403)
    if request.method == "GET":
        return redirect(url_for("evidence.review", file_id=row.id))
    form = CommentForm(prefix=f"c{found.id}")
    if form.validate_on_submit():
        try:
            edit_comment(found, row, current_user, form.seconds, form.body.data)
        except EvidenceError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Your comment is changed."), "success")
            return redirect(url_for("evidence.review", file_id=row.id) + f"#comment-{found.id}")
    return _render_review(row, form, failed_id=found.id)
