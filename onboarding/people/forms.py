"""Forms for adding people and planning a trainee's path."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, ValidationError

from ..auth.forms import PasswordPolicy
from ..forms_common import FlaskForm, LongSelect, WithinYears
from ..auth.models import ROLES
from .services import email_taken

ROLE_LABELS = {"trainee": _l("Trainee"), "mentor": _l("Mentor"), "head": _l("Head of sales"), "admin": _l("Administrator"),
               "director": _l("Director")}
NO_MENTOR = ""


def role_choices():
    return [SelectChoice(r, ROLE_LABELS[r]) for r in ROLES]


class _Account(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)],
                            render_kw={"autocomplete": "off"})
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
                       render_kw={"autocomplete": "off"})
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=200), PasswordPolicy()],
                             description=_l("At least 10 characters. Give it to the person privately; "
                                            "they can change it after signing in."),
                             render_kw={"autocomplete": "new-password"})

    def validate_email(self, field):
        if email_taken(field.data):
            raise ValidationError(_l("An account with this email already exists."))


class NewUserForm(_Account):
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])


class MentorField(SelectField):
    """A choice of mentor, with 'no mentor yet'; the data is a user id or None."""
    widget = LongSelect()

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else NO_MENTOR
        if raw in (None, NO_MENTOR):
            self.data = None
            return
        try:
            self.data = int(raw)
        except ValueError:
            self.data = None
            raise ValueError(_l("Choose a mentor from the list.")) from None

    def pre_validate(self, form):
        if self.data is not None and self.data not in {c.value for c in self.choices}:
            raise ValidationError(_l("Choose a mentor from the list."))


def set_mentor_choices(field, people):
    field.choices = [SelectChoice(NO_MENTOR, _l("No mentor yet"))] + [SelectChoice(p.id, p.label) for p in people]


class NewTraineeForm(_Account):
    start_date = DateField(_l("Start date"), validators=[DataRequired(message=_l("Enter a date (YYYY-MM-DD).")), WithinYears()])
    mentor = MentorField(_l("Mentor"), coerce=lambda v: v, validate_choice=False)


class PlanForm(FlaskForm):
    team = SelectField(_l("Team (sets the activity targets)"), coerce=int, default=0)
    start_date = DateField(_l("Start date"), validators=[DataRequired(message=_l("Enter a date (YYYY-MM-DD).")), WithinYears()])
    target_date = DateField(_l("Target readiness date"),
                            validators=[DataRequired(message=_l("Enter a date (YYYY-MM-DD).")), WithinYears()])
    mentor = MentorField(_l("Mentor"), coerce=lambda v: v, validate_choice=False)

    def validate_target_date(self, field):
        if self.start_date.data and field.data and field.data <= self.start_date.data:
            raise ValidationError(_l("The target date must come after the start date."))


class IdentityForm(FlaskForm):
    """An administrator's correction of a person's full name and e-mail."""
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)],
                            render_kw={"autocomplete": "off"},
                            description=_l("A trainee signs the job description with this name: when it no longer "
                                           "matches their signature, they are asked to sign again."))
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
                       render_kw={"autocomplete": "off"}, description=_l("The address they sign in with."))

    def __init__(self, *args, user_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id = user_id

    def validate_email(self, field):
        if email_taken(field.data, except_id=self.user_id):
            raise ValidationError(_l("Another account already uses %(email)s (capital letters make no difference).",
                                     email=field.data.strip().lower()))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200), PasswordPolicy()],
                             render_kw={"autocomplete": "new-password"})
