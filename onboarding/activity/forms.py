"""Forms of the activity pages."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation

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



# ---------------------------------------------------------------- the seven criteria and the monthly plan

#: The seven criteria (criteria.CRITERIA) in words, as the domain states them.
CRITERION_LABELS = {
    "events": _l("Attends events to find new contacts"),
    "rhythm": _l("Calls and meetings in a rhythm"),
    "referrals": _l("Asks satisfied clients for referrals"),
    "meetings": _l("Meetings per day for the segment"),
    "decision_maker": _l("Reaches the decision maker"),
    "plan": _l("Plans to exceed the plan, no deals pushed"),
    "funnel": _l("A funnel of at least 1 deal in 10 prospects"),
}
VERDICT_LABELS = {"met": _l("Met"), "partly": _l("Partly met"), "not_met": _l("Not met")}
#: The monthly plan's figures (scorecards.PLAN_FIGURES) in words.
PLAN_LABELS = {"applications": _l("Applications"), "orders": _l("Orders"), "deals": _l("Deals"),
               "revenue": _l("Revenue")}


def review_form(prefill: dict, card=None, formdata=None):
    """The week's review: per criterion a verdict (starting on the mentor's earlier one, else on the data's) and
    a note; and the week's supervision note (optional: both fields, or neither)."""

    class ReviewForm(FlaskForm):
        situation = TextAreaField(_l("Client situation (optional)"), validators=[Length(max=4000)])
        advice = TextAreaField(_l("Analysis and advice (optional)"), validators=[Length(max=4000)])

        def validate_advice(self, field):
            if bool((self.situation.data or "").strip()) != bool((field.data or "").strip()):
                raise StopValidation(_("Write both the client situation and the advice, or neither."))

    earlier = card.by_criterion() if card else {}
    data = {}
    for key, label in CRITERION_LABELS.items():
        setattr(ReviewForm, f"{key}_verdict", RadioField(label, choices=[SelectChoice(k, v) for k, v in VERDICT_LABELS.items()],
                                                         validators=[DataRequired(_l("Choose a verdict."))]))
        setattr(ReviewForm, f"{key}_note", TextAreaField(_l("Note on “%(criterion)s”", criterion=label),
                                                         validators=[Length(max=2000)], render_kw={"rows": 2}))
        data[f"{key}_verdict"] = earlier[key].verdict if key in earlier else prefill[key].verdict
        data[f"{key}_note"] = earlier[key].note if key in earlier else None
    if formdata is None:
        return ReviewForm(formdata=None, data=data)
    return ReviewForm()


def _plan_figure(label, description=None):
    return IntegerField(label, description=description, validators=[
        InputRequired(_l("Enter a whole number, 0 if none.")),
        NumberRange(min=0, max=100_000_000, message=_l("Enter a whole number from 0."))])


class PlanForm(FlaskForm):
    month = StringField(_l("Month (YYYY-MM)"), validators=[DataRequired(_l("Enter the month as YYYY-MM.")),
                                                            Length(max=7)])
    applications = _plan_figure(PLAN_LABELS["applications"])
    orders = _plan_figure(PLAN_LABELS["orders"])
    deals = _plan_figure(PLAN_LABELS["deals"])
    revenue = _plan_figure(PLAN_LABELS["revenue"])
    revenue_booked = _plan_figure(_l("Revenue booked so far"),
                                  _l("As the accounting system shows it today; the ledger holds no amounts."))

    def validate_month(self, field):
        try:
            field.month = date.fromisoformat(f"{(field.data or '').strip()}-01")
        except ValueError:
            raise StopValidation(_("Enter the month as YYYY-MM.")) from None


class MovedDealForm(FlaskForm):
    day = DateField(_l("Day it was ready to close"), validators=[DataRequired(_l("Enter a date (YYYY-MM-DD).")),
                                                                 WithinYears()])
    client = StringField(_l("Client"), validators=[DataRequired(_l("Name the client.")), Length(max=200)])
    reason = TextAreaField(_l("Why it moved to next month"),
                           validators=[DataRequired(_l("Say why the deal moved.")), Length(max=2000)])
