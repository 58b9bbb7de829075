"""Forms of the mentoring pages."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (DateField, DateTimeLocalField, HiddenField, IntegerField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField, URLField)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation, URL

from ..evidence.forms import files_field
from ..forms_common import FlaskForm, WithinYears
from .models import FIGURES
from .rules import SEGMENTS, monday

FIGURE_LABELS = {
    "prospects": _l("New prospects"), "calls": _l("Calls made"), "meetings": _l("Meetings held"), "applications": _l("Applications received"),
    "orders": _l("Orders"), "referrals": _l("Referrals asked"), "events": _l("Events attended"),
    "decision_makers": _l("Decision makers reached"), "deals": _l("Deals closed"),
}


SEGMENT_NAMES = {"b2b": _l("B2B"), "consumer": _l("Consumer goods")}


def meetings_norm(segment: str) -> str:
    """The meetings a day that are normal in a segment (rules.SEGMENTS), in words."""
    low, high = SEGMENTS[segment]
    if low == high:
        return _("about %(num)d meetings a day", num=low)
    return _("%(low)d to %(high)d meetings a day", low=low, high=high)


def segment_label(segment: str) -> str:
    return _("%(segment)s: %(norm)s", segment=SEGMENT_NAMES[segment], norm=meetings_norm(segment))


def _figure(label):
    return IntegerField(label, default=0, validators=[
        InputRequired(_l("Enter a whole number, 0 if none.")),
        NumberRange(min=0, max=10000, message=_l("Enter a whole number from 0 to 10,000."))])


class FiguresForm(FlaskForm):
    pass


for _name in FIGURES:
    setattr(FiguresForm, _name, _figure(FIGURE_LABELS[_name]))


class BlankKeeps:
    """A blank figure where `allowed(form)`: it keeps the value stored (on a day logged before the figure was
    recorded, unknown stays unknown); elsewhere blank is refused with the figure's own message."""

    def __init__(self, allowed, message):
        self.allowed, self.message = allowed, message

    def __call__(self, form, field):
        if field.raw_data and str(field.raw_data[0]).strip():
            return
        if self.allowed(form):
            field.errors[:] = []
            raise StopValidation()
        raise StopValidation(self.message)


def _prospects(allowed, hint):
    return IntegerField(FIGURE_LABELS["prospects"], default=0, description=hint, validators=[
        BlankKeeps(allowed, _l("Enter the new prospects (qualified contacts added), 0 if none.")),
        NumberRange(min=0, max=10000, message=_l("Enter a whole number from 0 to 10,000."))])


class EntryForm(FiguresForm):
    day = DateField(_l("Day"), validators=[DataRequired(_l("Enter a date (YYYY-MM-DD).")), WithinYears()])
    #: Required on a new day; a day loaded to change it may leave it blank: it keeps what is stored.
    prospects = _prospects(lambda form: bool(form.version.data),
                           _l("Qualified contacts added to Pipeline that day. Left blank on a day logged before "
                              "prospects were recorded, it stays “not recorded”."))
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=2000)])
    files = files_field(_l("Recorded calls or documents of the day (optional)"))
    #: The version of the day the form was loaded with (services.entry_version); empty on the new-day form.
    version = HiddenField()


class CorrectionForm(FiguresForm):
    prospects = _prospects(lambda form: True, _l("Blank keeps what counts now (“not recorded” stays so)."))
    note = TextAreaField(_l("Why the correction"), validators=[DataRequired(_l("Say why you correct the figures.")),
                                                               Length(max=2000)])


class TargetsForm(FiguresForm):
    #: The team's targets when the page was loaded ("0,80,5,…,b2b": FIGURES order, then the segment): a change
    #: saved since by someone else is not overwritten unseen.
    loaded = HiddenField()
    #: The segment the team sells in: the meetings a day that are normal for it (rules.SEGMENTS).
    # Always one of the choices in a browser: no `required` attribute (a required select needs an empty first
    # option); a post without it is still refused.
    segment = SelectField(_l("Segment"), choices=list(SEGMENTS), render_kw={"required": False},
                          validators=[DataRequired(_l("Choose the team’s segment."))])


class TeamForm(FlaskForm):
    name = StringField(_l("New team"), validators=[DataRequired(), Length(max=80)])


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
    files = files_field()


class ChooseOneField(SelectField):
    """A required list that starts on an empty "choose…" option, whatever choices the view sets: a blank answer
    is "nothing chosen yet" (the field's DataRequired says so), never an invalid choice."""

    def __init__(self, label, prompt, **kwargs):
        super().__init__(label, coerce=lambda v: int(v) if str(v).isdigit() else "", **kwargs)
        self.prompt = prompt

    def iter_choices(self):
        from wtforms.fields.choices import Choice

        return [Choice(value="", label=self.prompt, selected=self.data in ("", None), render_kw=None),
                *super().iter_choices()]

    def pre_validate(self, form):
        if self.data not in ("", None):
            super().pre_validate(form)


class AssignForm(FlaskForm):
    trainees = SelectMultipleField(_l("Trainees"), coerce=int, validators=[DataRequired(_l("Choose trainees."))])
    mentor = ChooseOneField(_l("Mentor"), _l("Choose a mentor…"), validators=[DataRequired(_l("Choose a mentor."))])


__all__ = ["FIGURE_LABELS", "InputRequired"]
