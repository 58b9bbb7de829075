"""Forms of the readiness pages: the mentor's recommendation, the head of sales' decision and the director's check."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms_common import FlaskForm, WithinYears
from ..timeutil import today


class RecommendationForm(FlaskForm):
    recommends = RadioField(_l("Your recommendation"), id="recommends",
                            choices=[SelectChoice("yes", _l("Ready for independent work")),
                                     SelectChoice("no", _l("Not ready yet"))],
                            validators=[DataRequired(_l("Choose ready or not ready yet."))])
    note = TextAreaField(_l("Why: what you saw in their work"), id="recommendation-note",
                         validators=[DataRequired(_l("Write a note: what you saw that makes you recommend this.")),
                                     Length(max=4000)])


class DirectorCheckForm(FlaskForm):
    verdict = RadioField(_l("Your verdict"), id="verdict",
                         choices=[SelectChoice("satisfied", _l("Satisfied")),
                                  SelectChoice("not_yet", _l("Not yet"))],
                         validators=[DataRequired(_l("Choose satisfied or not yet."))])
    note = TextAreaField(_l("What you checked and saw"), id="director-note",
                         validators=[DataRequired(_l("Write a note: what you checked and what you saw.")),
                                     Length(max=4000)])


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), id="decision",
                          choices=[SelectChoice("approved", _l("Approve: ready for independent work")),
                                   SelectChoice("extended", _l("Extend: a new target date and a plan")),
                                   SelectChoice("rejected", _l("Reject: not ready, training goes on"))],
                          validators=[DataRequired(_l("Choose approve, extend or reject."))])
    note = TextAreaField(_l("Note for the trainee and the mentor"), id="decision-note",
                         validators=[DataRequired(_l("Write a note for the trainee and the mentor.")),
                                     Length(max=4000)])
    override_reason = TextAreaField(_l("Override reason (needed to approve while a gate is unmet)"),
                                    validators=[Length(max=4000)])
    new_target_date = DateField(_l("New target date (for an extension)"), id="decision-date",
                                validators=[Optional(), WithinYears()])
    plan = TextAreaField(_l("Plan until the new date (for an extension)"), id="decision-plan",
                         validators=[Length(max=4000)])

    #: Set by the view: the keys of the readiness gates not met now.
    unmet_gates: tuple = ()

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then what depends on the chosen decision (an empty optional field skips its own)."""
        valid = super().validate(extra_validators)
        choice = self.decision.data
        if choice == "approved" and self.unmet_gates and not (self.override_reason.data or "").strip():
            self.override_reason.errors.append(
                _l("Some readiness gates are not met: write why you approve all the same."))
        if choice == "extended":
            if not self.new_target_date.errors and (self.new_target_date.data is None
                                                    or self.new_target_date.data <= today()):
                self.new_target_date.errors.append(_l("An extension needs a new target date in the future."))
            if not (self.plan.data or "").strip():
                self.plan.errors.append(
                    _l("An extension needs a plan: what the trainee will do until the new date."))
        return valid and not (self.override_reason.errors or self.new_target_date.errors or self.plan.errors)


class GoDecisionForm(FlaskForm):
    """The decision after cold calling: go on to sales training, or part ways (a note says why)."""

    verdict = RadioField(_l("The decision after cold calling"), id="go-verdict",
                         choices=[SelectChoice("go", _l("Go: continue to sales training with a mentor (stage 3)")),
                                  SelectChoice("no_go", _l("No-go: part ways; the training ends"))],
                         validators=[DataRequired(_l("Choose go or no-go."))])
    note = TextAreaField(_l("Note (needed for a no-go: why you part ways)"), id="go-note",
                         validators=[Length(max=4000)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.verdict.data == "no_go" and not (self.note.data or "").strip():
            self.note.errors.append(_l("A no-go needs a note: why you part ways."))
        return valid and not self.note.errors
