"""The page where each user creates and revokes their own API tokens."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from ..forms_common import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..auth.forms import EmptyForm
from ..extensions import db
from .models import ApiToken
from .tokens import create_token, revoke_token

bp = Blueprint("tokens", __name__)


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=80)],
                       description=_l("For example: HR system export."))


def _render(form, new_token=None, status=200):
    tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == current_user.id)
                                .order_by(ApiToken.id.desc())).all()
    return render_template("api/tokens.html", form=form, tokens=tokens, new_token=new_token,
                           empty=EmptyForm()), status


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


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id):
    row = db.session.get(ApiToken, token_id)
    if row is None:
        abort(404)
    if row.user_id != current_user.id:
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    revoke_token(row, current_user)
    db.session.commit()
    flash(_("The token is revoked; it no longer works."), "success")
    return redirect(url_for("tokens.tokens"))
