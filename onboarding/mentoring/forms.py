"""Forms of the mentoring pages."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, DateTimeLocalField, IntegerField, RadioField, SelectField, SelectMultipleField,
                     StringField, TextAreaField, URLField)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, URL

from ..forms_common import WithinYears
from .models import FIGURES
from .rules import monday

FIGURE_LABELS = {
    "calls": _l("Calls made"), "meetings": _l("Meetings held"), "applications": _l("Applications received"),
    "orders": _l("Orders"), "referrals": _l("Referrals asked"), "events": _l("Events attended"),
    "decision_makers": _l("Decision makers reached"), "deals": _l("Deals closed"),
}


def _figure(label):
    return IntegerField(label, default=0, validators=[
        InputRequired(_l("Enter a whole number, 0 if none.")),
        NumberRange(min=0, max=10000, message=_l("Enter a whole number from 0 to 10,000."))])


class FiguresForm(FlaskForm):
    pass


for _name in FIGURES:
    setattr(FiguresForm, _name, _figure(FIGURE_LABELS[_name]))


class EntryForm(FiguresForm):
    day = DateField(_l("Day"), validators=[DataRequired(_l("Enter a date (YYYY-MM-DD).")), WithinYears()])
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=2000)])


class CorrectionForm(FiguresForm):
    note = TextAreaField(_l("Why the correction"), validators=[DataRequired(_l("Say why you correct the figures.")),
                                                               Length(max=2000)])


class TargetsForm(FiguresForm):
    pass


class TeamForm(FlaskForm):
    name = StringField(_l("New team"), validators=[DataRequired(), Length(max=80)])


class RequestForm(FlaskForm):
    note = TextAreaField(_l("Note for your mentor"), validators=[Length(max=2000)])
    evidence = URLField(_l("Link to the evidence (optional)"),
                        validators=[Optional(), URL(message=_l("Enter a full link starting with https://")),
                                    Length(max=500)])


class DecisionNoteForm(FlaskForm):
    note = TextAreaField(_l("Note for the trainee"), validators=[Length(max=2000)])


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes: plain to use on any screen, no Ctrl-click."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ScheduleForm(FlaskForm):
    scenario = SelectField(_l("Scenario"), validators=[DataRequired()])
    when = DateTimeLocalField(_l("Date and time (UTC)"), format="%Y-%m-%dT%H:%M",
                              validators=[DataRequired(_l("Enter the date and time.")), WithinYears(2)])
    place = StringField(_l("Place"), validators=[Length(max=200)])
    evaluators = CheckboxesField(_l("Evaluators (colleagues who play the client)"), coerce=int,
                                 validators=[DataRequired(_l("Choose the evaluators."))])


class RescheduleForm(FlaskForm):
    when = DateTimeLocalField(_l("New date and time (UTC)"), format="%Y-%m-%dT%H:%M",
                              validators=[DataRequired(_l("Enter the date and time.")), WithinYears(2)])
    place = StringField(_l("Place (leave empty to keep it)"), validators=[Length(max=200)])


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Why the meeting will not take place"),
                           validators=[DataRequired(_l("Say why the role-play is cancelled.")), Length(max=2000)])


class HoldForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[
        SelectChoice("keep", _l("Keep in training without the certification, with a plan (stage 4 stays closed)")),
        SelectChoice("withdraw", _l("Withdraw from the training"))],
        validators=[DataRequired(_l("Choose a decision."))])
    plan = TextAreaField(_l("Plan and reasons"), validators=[DataRequired(_l("Write the plan or the reasons.")),
                                                             Length(min=10, max=4000)])
    new_target_date = DateField(_l("New target date (optional)"), validators=[Optional(), WithinYears()])


class SignForm(FlaskForm):
    typed_name = StringField(_l("Type your full name to sign"), validators=[DataRequired(), Length(max=120)],
                             render_kw={"autocomplete": "name"})


def _week(value):
    """The Monday of the week of a submitted ISO date; None for anything else (refused by DataRequired)."""
    if value is None:
        return None
    try:
        return monday(value if isinstance(value, date) else date.fromisoformat(str(value)))
    except ValueError:
        return None


class SupervisionForm(FlaskForm):
    """The weeks offered are set by the view: from the week stage 4 opened to the current week."""

    week_of = SelectField(_l("Week of"), coerce=_week, validate_choice=False,
                          validators=[DataRequired(_l("Choose a week."))])
    situation = TextAreaField(_l("Client situation"), validators=[DataRequired(), Length(max=4000)])
    advice = TextAreaField(_l("Analysis and advice"), validators=[DataRequired(), Length(max=4000)])


class AssignForm(FlaskForm):
    trainees = SelectMultipleField(_l("Trainees"), coerce=int, validators=[DataRequired(_l("Choose trainees."))])
    mentor = SelectField(_l("Mentor"), coerce=int, validators=[DataRequired()])


__all__ = ["FIGURE_LABELS", "InputRequired"]
