"""The head of sales records a promotion on an independent person's page."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.models import HEAD
from ..auth.permissions import roles_required, trainee_or_abort
from ..extensions import db
from .forms import PromotionForm, set_level_choices
from .services import CareerError, career_of, promote

bp = Blueprint("careers", __name__)


@bp.route("/trainees/<int:user_id>/promotion", methods=["GET", "POST"])
@roles_required(HEAD)
def promotion(user_id):
    user, rec = trainee_or_abort(user_id)
    back = url_for("people.trainee", user_id=user.id) + "#career"
    if request.method == "GET":  # the address a refused promotion is shown on: a reload goes back
        return redirect(back)
    form = PromotionForm()
    set_level_choices(form.to_level, career_of(rec)[0])
    if form.validate_on_submit():
        try:
            row = promote(rec, current_user, form.to_level.data, form.note.data, form.override_reason.data)
        except CareerError as exc:
            form.to_level.errors = [*form.to_level.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("%(name)s is promoted to level %(n)d; they are told.", name=user.full_name, n=row.to_level),
                  "success")
            return redirect(back)
    db.session.rollback()
    from ..people.views import render_trainee

    return render_trainee(user, promotion_form=form, status=400)
