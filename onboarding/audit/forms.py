"""The audit log's filters: read from the query string, checked like any form, kept as typed when wrong."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from ..forms_common import FlaskForm


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

    actor = _Pick(_l("Person"), _l("Choose a person from the list."))
    trainee = _Pick(_l("About trainee"), _l("Choose a trainee from the list."))
    action = _Pick(_l("Action"), _l("Choose an action from the list."))
    start = DateField(_l("From"), name="from", validators=[Optional()])
    end = DateField(_l("To"), name="to", validators=[Optional()])

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The end date comes before the start date."))
