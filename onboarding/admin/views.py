"""Administrators' pages: the list of accounts, creating them, roles, deactivation, password resets."""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth.models import ADMIN, ROLES, User
from ..auth.forms import TimeZoneForm
from ..auth.permissions import roles_required
from ..auth.services import change_time_zone
from ..confirming import confirmed, render_confirmation
from ..extensions import db
from ..forms_common import SEARCH_MAX_LENGTH, search_text, with_ids
from ..paging import page_arg
from ..people.forms import IdentityForm, NewUserForm, ResetPasswordForm, RoleForm
from ..people.services import PeopleError, correct_identity, create_user, reset_password, set_active, set_role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required(ADMIN)
def users():
    q, typed, search_errors = search_text(request.args, _("Name or email"))
    role = request.args.get("role", "")
    # the account's number breaks ties: two people of one name keep their places from one page to the next
    query = sa.select(User).order_by(User.active.desc(), User.full_name, User.id)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(sa.or_(sa.func.lower(User.full_name).like(like), User.email.like(like)))
    if role in ROLES:
        query = query.where(User.role == role)
    page = db.paginate(query, page=page_arg(), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/users.html", page=page, q=typed, role=role, roles=ROLES,
                           search_max=SEARCH_MAX_LENGTH, search_errors=search_errors), 400 if search_errors else 200


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.full_name.data, form.role.data, form.password.data, current_user,
                               ramp_days=current_app.config["RAMP_DAYS"])
        except PeopleError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The account for %(name)s is created.", name=user.full_name), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/new_user.html", form=form), 400 if form.errors else 200


def _user_or_404(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _render_user(user, role_form=None, password_form=None, identity_form=None, access_form=None, zone_form=None,
                 status=200):
    role_form = role_form or RoleForm(formdata=None, role=user.role)
    zone_form = zone_form or TimeZoneForm(formdata=None, time_zone=user.time_zone or "",
                                          default_zone=current_app.config["MAIL_TIME_ZONE"])
    password_form = password_form or ResetPasswordForm(formdata=None)
    identity_form = identity_form or with_ids(IdentityForm(formdata=None, full_name=user.full_name,
                                                           email=user.email), "identity")
    return render_template("admin/user.html", user=user, role_form=role_form, password_form=password_form,
                           identity_form=identity_form, access_form=access_form, zone_form=zone_form), status


@bp.get("/users/<int:user_id>")
@roles_required(ADMIN)
def user(user_id):
    return _render_user(_user_or_404(user_id))


def _apply(user, change, done_message, **forms):
    """Run one change; commit and redirect, or show the page again with the rule it broke on the form."""
    try:
        change()
    except PeopleError as exc:
        db.session.rollback()
        if not forms:
            flash(str(exc), "error")
            return redirect(url_for("admin.user", user_id=user.id))
        next(iter(forms.values())).form_errors.append(str(exc))
        return _render_user(user, status=400, **forms)
    db.session.commit()
    flash(done_message, "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/role", methods=["GET", "POST"])
@roles_required(ADMIN)
def change_role(user_id):
    user = _user_or_404(user_id)
    if request.method == "GET":  # where a refused change is shown: a reload goes back to the account
        return redirect(url_for("admin.user", user_id=user.id))
    form = RoleForm()
    if not form.validate_on_submit():
        return _render_user(user, role_form=form, status=400)
    return _apply(user, lambda: set_role(user, form.role.data, current_user, current_app.config["RAMP_DAYS"]),
                  _("The role of %(name)s is saved.", name=user.full_name), role_form=form)


@bp.route("/users/<int:user_id>/time-zone", methods=["GET", "POST"])
@roles_required(ADMIN)
def change_zone(user_id):
    user = _user_or_404(user_id)
    if request.method == "GET":  # where a refused choice is shown: a reload goes back to the account
        return redirect(url_for("admin.user", user_id=user.id))
    form = TimeZoneForm(default_zone=current_app.config["MAIL_TIME_ZONE"])
    if not form.validate_on_submit():
        return _render_user(user, zone_form=form, status=400)
    return _apply(user, lambda: change_time_zone(user, form.time_zone.data, current_user),
                  _("The time zone of %(name)s is saved.", name=user.full_name), zone_form=form)


@bp.route("/users/<int:user_id>/identity", methods=["GET", "POST"])
@roles_required(ADMIN)
def correct(user_id):
    """Correct the full name and e-mail; a trainee whose signature no longer matches is asked to sign again."""
    user = _user_or_404(user_id)
    if request.method == "GET":  # where a refused correction is shown: a reload goes back to the account
        return redirect(url_for("admin.user", user_id=user.id))
    form = with_ids(IdentityForm(user_id=user.id), "identity")
    if not form.validate_on_submit():
        return _render_user(user, identity_form=form, status=400)
    try:
        result = correct_identity(user, form.full_name.data, form.email.data, current_user)
    except PeopleError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return _render_user(user, identity_form=form, status=400)
    db.session.commit()
    if not result["changed"]:
        flash(_("Nothing to save: the name and e-mail are as they were."), "info")
    elif result["sign_again"]:
        flash(_("The name and e-mail of %(name)s are saved. Their signature of the job description no longer "
                "matches the new name: they are asked to sign again.", name=user.full_name), "success")
    else:
        flash(_("The name and e-mail of %(name)s are saved.", name=user.full_name), "success")
    return redirect(url_for("admin.user", user_id=user.id))


def _deactivation_consequences(user) -> list:
    """What deactivating this account does, in sentences for the confirmation page."""
    from ..api.models import ApiToken
    from ..people.models import TraineeRecord

    tokens = db.session.scalar(sa.select(sa.func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))) or 0
    mentored = db.session.scalar(sa.select(sa.func.count(TraineeRecord.id)).where(
        TraineeRecord.mentor_id == user.id, TraineeRecord.status.not_in(("independent", "withdrawn")))) or 0
    sentences = [_("%(name)s can no longer sign in; a session open now ends at their next click.",
                   name=user.full_name)]
    if tokens:
        sentences.append(ngettext("Their %(num)d API token stops working.",
                                  "Their %(num)d API tokens stop working.", tokens))
    if mentored:
        sentences.append(ngettext("The %(num)d trainee they mentor is answered by the head of sales until another "
                                  "mentor is assigned.",
                                  "The %(num)d trainees they mentor are answered by the head of sales until another "
                                  "mentor is assigned.", mentored))
    sentences += [_("Everything they did stays on record, in their pages and in the audit log."),
                  _("You can reactivate the account later on this page.")]
    return sentences


def _confirm_deactivation(user):
    return render_confirmation(
        _("Deactivate the account of %(name)s?", name=user.full_name), _deactivation_consequences(user),
        url_for("admin.change_active", user_id=user.id), _("Deactivate the account"),
        url_for("admin.user", user_id=user.id), _("Keep the account active"), hidden={"active": "0"})


@bp.route("/users/<int:user_id>/active", methods=["GET", "POST"])
@roles_required(ADMIN)
def change_active(user_id):
    """Reactivate at once; deactivate only from the confirmation page (GET it, or POST without confirm=1)."""
    user = _user_or_404(user_id)
    from ..auth.forms import EmptyForm

    if request.method == "GET":
        if not user.active or user.id == current_user.id:  # nothing to confirm: the account page says why
            return redirect(url_for("admin.user", user_id=user.id))
        return _confirm_deactivation(user)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    if not active and user.active and user.id != current_user.id and not confirmed():
        return _confirm_deactivation(user)
    message = (_("%(name)s can sign in again.", name=user.full_name) if active
               else _("%(name)s can no longer sign in.", name=user.full_name))
    return _apply(user, lambda: set_active(user, active, current_user), message, access_form=form)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required(ADMIN)
def change_password(user_id):
    user = _user_or_404(user_id)
    if request.method == "GET":
        return redirect(url_for("admin.user", user_id=user.id))
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _render_user(user, password_form=form, status=400)
    return _apply(user, lambda: reset_password(user, form.password.data, current_user),
                  _("The password of %(name)s is reset. Give them the new one privately.", name=user.full_name),
                  password_form=form)


@bp.get("/content-preview")
@roles_required(ADMIN)
def content_preview():
    """What the replacement content in CONTENT_PREVIEW_DIR would change, and for whom, before it goes live."""
    from pathlib import Path

    from ..content import Settings, original_curriculum
    from .preview import preview

    config = current_app.config
    folder, quizzes = Path(config["CONTENT_PREVIEW_DIR"]), Path(config["QUIZZES_PREVIEW_DIR"])
    result = None
    if folder.is_dir():
        result = preview(original_curriculum(), folder, quizzes if quizzes.is_dir() else Path(config["QUIZZES_DIR"]),
                         Settings.from_config(config))
    return render_template("admin/content_preview.html", result=result, folder=folder, quizzes_folder=quizzes,
                           quizzes=quizzes if quizzes.is_dir() else None)
