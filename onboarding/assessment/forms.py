"""Forms for grading and for granting an extra attempt."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, FieldList, FormField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


class AnswerGradeForm(FlaskForm):
    class Meta:
        csrf = False  # the enclosing form carries the token

    question_id = HiddenField()
    points = DecimalField(_l("Points"), places=1, validators=[InputRequired(_l("Give the points, 0 or more."))])
    comment = TextAreaField(_l("Comment for the trainee"), validators=[Length(max=4000)])


class GradeForm(FlaskForm):
    answers = FieldList(FormField(AnswerGradeForm))


class ExtraAttemptForm(FlaskForm):
    reason = TextAreaField(_l("Why one more attempt? (kept in the audit log)"),
                           validators=[DataRequired(_l("Write the reason.")), Length(min=10, max=2000,
                                       message=_l("Write at least a sentence (10 characters or more)."))])


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


__all__ = ["AnswerGradeForm", "ExtraAttemptForm", "GradeForm", "NumberRange", "bounded"]
