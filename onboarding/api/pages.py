"""The page where each user creates and revokes their own API tokens."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from ..forms_common import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..auth.forms import EmptyForm
from ..confirming import confirmed, render_confirmation
from ..extensions import db
from ..i18n import fmt_datetime
from .models import ApiToken
from .tokens import create_token, revoke_token

bp = Blueprint("tokens", __name__)


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=80)],
                       description=_l("For example: HR system export."))


def _render(form, new_token=None, status=200):
    tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == current_user.id)
                                .order_by(ApiToken.id.desc())).all()
    return render_template("api/tokens.html", form=form, tokens=tokens, new_token=new_token), status


@bp.get("/account/tokens")
@login_required
def tokens():
    return _render(TokenForm(formdata=None))


@bp.post("/account/tokens")
@login_required
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _render(form, status=400)
    token = create_token(current_user, form.name.data)
    db.session.commit()
    return _render(TokenForm(formdata=None), new_token=token)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(token_id):
    """Revoke one's own token, from the confirmation page (GET it, or POST without confirm=1)."""
    row = db.session.get(ApiToken, token_id)
    if row is None:
        abort(404)
    if row.user_id != current_user.id:
        abort(403)
    if request.method == "POST" and not EmptyForm().validate_on_submit():
        abort(400)
    if row.revoked_at is not None:
        flash(_("This token is revoked already."), "info")
        return redirect(url_for("tokens.tokens"))
    if not confirmed():
        used = (_("It was last used on %(when)s.", when=fmt_datetime(row.last_used_at)) if row.last_used_at
                else _("It has never been used."))
        return render_confirmation(
            _("Revoke the token “%(name)s”?", name=row.name),
            [_("Programs that send this token (it starts with %(prefix)s…) are refused from now on.",
               prefix=row.prefix), used,
             _("A revoked token cannot be brought back; create a new one if a program still needs access.")],
            url_for("tokens.revoke", token_id=row.id), _("Revoke the token"), url_for("tokens.tokens"),
            _("Keep the token"))
    revoke_token(row, current_user)
    db.session.commit()
    flash(_("The token is revoked; it no longer works."), "success")
    return redirect(url_for("tokens.tokens"))
