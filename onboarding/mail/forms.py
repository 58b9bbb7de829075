"""The e-mail preferences form: one choice per kind of e-mail the person receives."""
from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..auth.models import HEAD
from ..forms_common import FlaskForm
from .kinds import ACTION_NEEDED, CHOICE_LABELS, ESCALATIONS, choices_for, kinds_for, label
from .models import CHOICES, DIGEST, OFF


class _Allowed:
    """Refuses, with a reason, a choice this person may not make (the form shows only theirs; a hand-made post
    meets this, and the service refuses again)."""

    def __init__(self, kind: str, role: str):
        self.kind, self.role = kind, role

    def __call__(self, form, field):
        if field.data in choices_for(self.kind, self.role):
            return
        if field.data == OFF and self.role == HEAD and self.kind in ESCALATIONS:
            raise ValidationError(_l("Heads of sales cannot switch escalations off; choose the weekly digest "
                                     "if once a week is enough."))
        if field.data == DIGEST:
            raise ValidationError(_l("Only mentors and heads of sales receive the weekly digest."))
        raise ValidationError(_l("Not a valid choice."))


class PreferencesForm(FlaskForm):
    """Built per person (`for_user`): a field per kind, named after the kind."""

    @classmethod
    def for_user(cls, user, current: dict, **kwargs):
        fields = {}
        for kind in kinds_for(user.role):
            allowed = choices_for(kind, user.role)
            hint = _l("Needs something from you.") if kind in ACTION_NEEDED else None
            name = label(kind)
            fields[kind] = RadioField(name[:1].upper() + name[1:], description=hint, default=current.get(kind),
                                      choices=[SelectChoice(c, CHOICE_LABELS[c]) for c in CHOICES if c in allowed],
                                      validate_choice=False, validators=[_Allowed(kind, user.role)])
        form = type("UserPreferencesForm", (cls,), fields)(**kwargs)
        form.kinds = list(fields)
        return form

    def wanted(self) -> dict:
        return {kind: self[kind].data for kind in self.kinds}
