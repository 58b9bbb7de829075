"""Forms for logging in and changing one's own password."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..forms_common import FlaskForm
from ..i18n import LANGUAGE_NAMES
from .passwords import password_problem


class PasswordPolicy:
    """WTForms validator applying the password policy."""

    def __call__(self, form, field):
        email = getattr(getattr(form, "email", None), "data", "") or ""
        problem = password_problem(field.data or "", email)
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200), PasswordPolicy()],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), Length(max=200),
                                        EqualTo("password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class LanguageForm(FlaskForm):
    """One's own interface language; empty means whatever the browser asks for."""
    locale = SelectField(_l("Language"), validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = [("", _l("As my browser asks"))] + list(LANGUAGE_NAMES.items())


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""
