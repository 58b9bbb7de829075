"""The head of sales' promotion form."""
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..forms_common import ChooseOneField, FlaskForm


class PromotionForm(FlaskForm):
    to_level = ChooseOneField(_l("Promote to"), _l("Choose a level…"), id="promotion-level",
                              validators=[DataRequired(_l("Choose the level to promote to."))])
    note = TextAreaField(_l("Evidence the promotion is decided on"), id="promotion-note",
                         validators=[DataRequired(_l("Write the evidence the promotion is decided on.")),
                                     Length(max=4000)])
    override_reason = TextAreaField(_l("Override reason (needed before the level's minimum time has passed)"),
                                    id="promotion-override", validators=[Length(max=4000)])


def set_level_choices(field, current) -> None:
    """The levels above the current one (the service refuses any but the next)."""
    from ..content import curriculum

    number = current.number if current is not None else 0
    field.choices = [SelectChoice(lv.number, _l("Level %(n)d: %(name)s", n=lv.number, name=lv.name))
                     for lv in curriculum().career_levels if lv.number > number]
