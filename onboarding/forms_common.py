"""Validators shared by the forms of several features."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from .timeutil import today


def flash_errors(form) -> None:
    """Show a form's errors as messages, for forms posted from a page that redirects back."""
    from flask import flash

    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


class WithinYears:
    """A date no further than `years` from today, either way: typos like 2062 or 9999 are caught."""

    def __init__(self, years: int = 20):
        self.years = years

    def __call__(self, form, field):
        if field.data is None:
            return
        value = field.data.date() if hasattr(field.data, "date") else field.data
        span = timedelta(days=365 * self.years)
        if not today() - span <= value <= today() + span:
            raise ValidationError(_l("Enter a date within %(n)d years of today.", n=self.years))
