"""Forms of the mentoring pages."""
from datetime import datetime, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (DateField, DateTimeLocalField, RadioField, SelectField, SelectMultipleField, StringField,
                     TextAreaField, URLField)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, URL

from ..evidence.forms import files_field
from ..forms_common import ChooseOneField, FlaskForm, WithinYears
from ..i18n import current_zone

class RequestForm(FlaskForm):
    note = TextAreaField(_l("Note for your mentor"), validators=[Length(max=2000)], render_kw={"rows": 2})
    evidence = URLField(_l("Link to the evidence (optional)"),
                        validators=[Optional(), URL(message=_l("Enter a full link starting with https://")),
                                    Length(max=500)], render_kw={"placeholder": "https://"})
    files = files_field()


class SignOffNoteForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=2000)], render_kw={"rows": 2})


class ReturnForm(FlaskForm):
    note = TextAreaField(_l("Feedback (required to return)"), render_kw={"rows": 2},
                         validators=[DataRequired(_l("Say what to improve before you return the task.")),
                                     Length(max=2000)])


class RevokeForm(FlaskForm):
    note = TextAreaField(_l("Reason (required to revoke)"), render_kw={"rows": 2},
                         validators=[DataRequired(_l("Give the reason for revoking the sign-off.")), Length(max=2000)])


#: The checklist's forms, by step: the trainee asks, the mentor signs off, returns or revokes.
TASK_FORMS = {"request": RequestForm, "sign": SignOffNoteForm, "return": ReturnForm, "revoke": RevokeForm}


class DecisionNoteForm(FlaskForm):
    note = TextAreaField(_l("Note for the trainee"), validators=[Length(max=2000)])


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes: plain to use on any screen, no Ctrl-click."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _InReadersZone:
    """The meeting's time is typed in the signed-in person's time zone, named in its label (see i18n.current_zone)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = current_zone()
        self.when.label.text = _("%(label)s (%(zone)s)", label=self.when.label.text, zone=zone.key)

    def when_utc(self) -> datetime:
        """The time typed, read in the person's zone, as UTC (the app keeps times in UTC)."""
        return self.when.data.replace(tzinfo=current_zone()).astimezone(timezone.utc)


class ScheduleForm(_InReadersZone, FlaskForm):
    scenario = SelectField(_l("Scenario"), validators=[DataRequired()])
    when = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M",
                              validators=[DataRequired(_l("Enter the date and time.")), WithinYears(2)])
    place = StringField(_l("Place"), validators=[Length(max=200)])
    evaluators = CheckboxesField(_l("Evaluators (colleagues who play the client)"), coerce=int,
                                 validators=[DataRequired(_l("Choose the evaluators."))])


class RescheduleForm(_InReadersZone, FlaskForm):
    when = DateTimeLocalField(_l("New date and time"), format="%Y-%m-%dT%H:%M",
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


def score_form(scenario, **kwargs):
    """An evaluator's scores on a scenario: per criterion a score on its scale (`score-ID`) and a comment
    (`comment-ID`)."""
    class ScoreForm(FlaskForm):
        pass

    for c in scenario.criteria:
        message = _l("Choose a score from 1 to %(n)d.", n=c.scale)
        setattr(ScoreForm, f"score-{c.id}", RadioField(
            c.title, coerce=int, choices=[SelectChoice(n, str(n)) for n in range(1, c.scale + 1)],
            validate_choice=False,
            validators=[InputRequired(message), NumberRange(min=1, max=c.scale, message=message)]))
        setattr(ScoreForm, f"comment-{c.id}", TextAreaField(
            _l("Comment on “%(criterion)s”", criterion=c.title), validators=[Length(max=2000)],
            render_kw={"rows": 2}))
    return ScoreForm(**kwargs)


class SignForm(FlaskForm):
    typed_name = StringField(_l("Type your full name to sign"),
                             validators=[DataRequired(_l("Type your full name to sign.")), Length(max=120)],
                             render_kw={"autocomplete": "name"})


#: The first line of the bulk assignment's list of mentors (the dashboard writes the list without the form).
ASSIGN_PROMPT = _l("Choose a mentor…")


class AssignForm(FlaskForm):
    """The dashboard's bulk assignment. The dashboard writes its fields itself, around the kept rows
    (readiness/_team_table.html, readiness.views.ASSIGN_IDS): a change here is a change there."""
    trainees = SelectMultipleField(_l("Trainees"), coerce=int, validators=[DataRequired(_l("Choose trainees."))])
    mentor = ChooseOneField(_l("Mentor"), ASSIGN_PROMPT, validators=[DataRequired(_l("Choose a mentor."))])


__all__ = ["InputRequired"]
