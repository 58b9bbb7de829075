"""The audit log's filters: read from the query string, checked like any form, kept as typed when wrong."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..forms_common import SEARCH_MAX_LENGTH, FlaskForm


class _Pick(SelectField):
    """A choice from the list the page offers; anything else is named in the error."""

    def __init__(self, label, message, **kwargs):
        super().__init__(label, **kwargs)
        self.message = message

    def pre_validate(self, form):
        if self.data in (None, ""):  # not given: no filter
            return
        if self.data not in {str(choice.value) for choice in self.choices}:
            raise ValidationError(self.message)


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that changes nothing

    # Typed, not chosen from a list: a company of thousands would send every name on every page. A number is an
    # account's own (the links to this page carry them).
    actor = StringField(_l("Person (name or email)"), validators=[Optional(), Length(max=SEARCH_MAX_LENGTH)])
    trainee = StringField(_l("About trainee (name or email)"), validators=[Optional(), Length(max=SEARCH_MAX_LENGTH)])
    action = _Pick(_l("Action"), _l("Choose an action from the list."))
    start = DateField(_l("From"), name="from", validators=[Optional()])
    end = DateField(_l("To"), name="to", validators=[Optional()])

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The end date comes before the start date."))
