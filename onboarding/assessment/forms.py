"""Forms for grading and for granting an extra attempt."""
from flask_babel import lazy_gettext as _l
from ..forms_common import ChooseOneField, FlaskForm
from wtforms import DecimalField, FieldList, FormField, HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError


class AnswerGradeForm(FlaskForm):
    class Meta:
        csrf = False  # the enclosing form carries the token

    question_id = HiddenField()
    #: Optional while drafting; finishing asks for every answer's points (see `graded_in_full`).
    points = DecimalField(_l("Points"), places=1, validators=[Optional()])
    comment = TextAreaField(_l("Comment for the trainee"), validators=[Length(max=4000)])


class GradeForm(FlaskForm):
    answers = FieldList(FormField(AnswerGradeForm))
    #: The draft the page was loaded with (services.draft_stamp): a draft saved since is not overwritten.
    loaded = HiddenField()


class OralForm(FlaskForm):
    """An oral attempt: the points and a note for each question asked. `seed` names the attempt's plan (its
    questions and drawn figures), chosen when the page opened, so the page and the record agree."""
    answers = FieldList(FormField(AnswerGradeForm))
    seed = HiddenField()


class ExtraAttemptForm(FlaskForm):
    reason = TextAreaField(_l("Why one more attempt? (kept in the audit log)"),
                           validators=[DataRequired(_l("Write the reason.")), Length(min=10, max=2000,
                                       message=_l("Write at least a sentence (10 characters or more)."))],
                           render_kw={"rows": 3})


def bounded(form: GradeForm, maxima: dict) -> bool:
    """Check every answer's points against its question's maximum; add errors where they exceed it."""
    ok = True
    for entry in form.answers:
        top = maxima.get(entry.form.question_id.data)
        if top is None:
            entry.form.points.errors = [*entry.form.points.errors, _l("Unknown question.")]
            ok = False
        elif entry.form.points.data is not None and (not entry.form.points.data.is_finite()
                                                      or not 0 <= entry.form.points.data <= top):
            entry.form.points.errors = [*entry.form.points.errors,
                                        _l("Give between 0 and %(max)s points.", max=f"{top:g}")]
            ok = False
    return ok


def graded_in_full(form: GradeForm, maxima: dict) -> bool:
    """Finishing: every answer to review has points. Adds an error to each one left blank (a value that is not a
    number has its own error already); a question missing from the posted form is added back, blank, with its error."""
    ok = True
    posted = {entry.form.question_id.data for entry in form.answers}
    for question_id in maxima:
        if question_id not in posted:
            form.answers.append_entry({"question_id": question_id})
    for entry in form.answers:
        points = entry.form.points
        if points.data is None and not points.errors and entry.form.question_id.data in maxima:
            points.errors = [*points.errors, _l("Give the points, 0 or more.")]
            ok = False
        elif points.errors:
            ok = False
    return ok


__all__ = ["AnswerGradeForm", "ExtraAttemptForm", "GradeForm", "MarkingDecisionForm", "NumberRange", "SecondMarkForm",
           "SecondMarkerForm", "bounded", "graded_in_full"]


class SecondMarkerForm(FlaskForm):
    """A head of sales picks a graded attempt for a blind second marking, and who marks it."""
    marker = ChooseOneField(_l("Second marker"), _l("Choose a grader…"), validators=[DataRequired(_l("Choose a grader."))])


class MarkPointsForm(FlaskForm):
    class Meta:
        csrf = False  # the enclosing form carries the token

    question_id = HiddenField()
    points = DecimalField(_l("Points"), places=1, validators=[Optional()])


class SecondMarkForm(FlaskForm):
    """The second marker's points for each written answer (no comment: the trainee never sees them)."""
    answers = FieldList(FormField(MarkPointsForm))


class MarkingDecisionForm(FlaskForm):
    outcome = RadioField(_l("Which grades stand?"), default="first",
                         choices=[SelectChoice("first", _l("Keep the first grades")),
                                  SelectChoice("second", _l("Take the second grades"))])
    note = TextAreaField(_l("Why (needed to take the second grades; kept in the audit log)"),
                         validators=[Length(max=2000)], render_kw={"rows": 2})

    def validate_note(self, field):
        if self.outcome.data == "second" and not (field.data or "").strip():
            raise ValidationError(_l("Say why the second grades replace the first ones."))
