"""Login, logout and one's own password."""
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from ..audit import record
from ..extensions import db, login_manager
from ..notifications.services import UNREAD_OF_USER, remember_unread
from .forms import ChangePasswordForm, EmptyForm, LanguageForm, LoginForm, TimeZoneForm
from .models import User
from .services import authenticate, change_locale, change_password, change_time_zone, is_throttled

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.session_protection = "strong"


#: Every signed-in request reads its person, and with them the header's unread count: the statement is built once
#: (Session.get builds one per call).
_SIGNED_IN = sa.select(User, UNREAD_OF_USER).where(User.id == sa.bindparam("uid"))


@login_manager.user_loader
def load_user(session_id: str):
    """The user of a session, if the account is active and the session is not older than a password change."""
    uid, _, version = session_id.partition(":")
    if not uid.isdigit() or not version.isdigit() or len(uid) > 12:
        return None
    found = db.session.execute(_SIGNED_IN, {"uid": int(uid)}).first()
    if found is None:
        return None
    user, unread = found
    if not user.active or user.session_version != int(version):
        return None
    remember_unread(user.id, unread)
    return user


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login page cannot be used to send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        if is_throttled(form.email.data, address, current_app.config):
            form.form_errors.append(ngettext("Too many failed attempts. Wait %(num)d minute, then try again.",
                                             "Too many failed attempts. Wait %(num)d minutes, then try again.",
                                             current_app.config["LOGIN_THROTTLE_MINUTES"]))
            status = 429
        else:
            user = authenticate(form.email.data, form.password.data, address)
            db.session.commit()
            if user is not None:
                login_user(user, remember=form.remember.data)
                return redirect(_safe_next(request.args.get("next")))
            form.form_errors.append(_("The email or password is not right, or the account is not active."))
            status = 401
    elif request.method == "POST":
        status = 400
    form.password.data = ""
    if form.errors:  # the error summary takes the focus, not the email field
        form.email.render_kw = {**form.email.render_kw, "autofocus": False}
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        record("logout", current_user)
        db.session.commit()
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            user = current_user._get_current_object()
            change_password(user, form.password.data)
            db.session.commit()
            login_user(user, remember=False)  # this session continues; every other one ends
            flash(_("Your password is changed. Other devices are signed out."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


def _render_account(form=None, zone_form=None, status=200):
    form = form or LanguageForm(formdata=None, locale=current_user.locale or "")
    zone_form = zone_form or TimeZoneForm(formdata=None, time_zone=current_user.time_zone or "",
                                          default_zone=current_app.config["MAIL_TIME_ZONE"])
    return render_template("auth/account.html", form=form, zone_form=zone_form), status


@bp.get("/account")
@login_required
def account():
    return _render_account()


@bp.route("/account/language", methods=["GET", "POST"])
@login_required
def language():
    if request.method == "GET":  # the address a failed choice is shown on: a reload goes back to the account
        return redirect(url_for("auth.account"))
    form = LanguageForm()
    if form.validate_on_submit():
        change_locale(current_user._get_current_object(), form.locale.data)
        db.session.commit()
        refresh()  # this response already speaks the new language
        flash(_("Your language is saved."), "success")
        return redirect(url_for("auth.account"))
    return _render_account(form=form, status=400)


@bp.route("/account/time-zone", methods=["GET", "POST"])
@login_required
def time_zone():
    """One's own time zone: the weekly digest's Monday morning, "tomorrow" in reminders, and the times shown."""
    if request.method == "GET":  # the address a failed choice is shown on: a reload goes back to the account
        return redirect(url_for("auth.account"))
    form = TimeZoneForm(default_zone=current_app.config["MAIL_TIME_ZONE"])
    if not form.validate_on_submit():
        return _render_account(zone_form=form, status=400)
    change_time_zone(current_user._get_current_object(), form.time_zone.data, current_user._get_current_object())
    db.session.commit()
    flash(_("Your time zone is saved."), "success")
    return redirect(url_for("auth.account"))
