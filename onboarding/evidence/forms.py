"""The file field every form with evidence shares, and the comment form."""
from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..forms_common import FlaskForm
from . import rules
from .services import Upload

#: What the file picker offers first (the bytes decide; this only helps people choose).
ACCEPT = ".pdf,.docx,.xlsx,.odt,.png,.jpg,.jpeg,.gif,.webp,.mp3,.m4a,.aac,.ogg,.opus,.wav,.webm," \
         "application/pdf,image/*,audio/*"


def _files_hint():
    return _("PDF, DOCX, XLSX or ODT documents, images, or recordings (MP3, M4A, AAC, OGG, WAV, WebM): up to "
             "%(mb)d MB each, %(n)d at a time.", mb=current_app.config["EVIDENCE_MAX_MB"],
             n=current_app.config["EVIDENCE_MAX_FILES"])


def files_field(label=None):
    """A field for several evidence files, with the accepted types and the limits as its hint."""
    return MultipleFileField(label or _l("Files (optional)"), description=LazyString(_files_hint),
                             render_kw={"accept": ACCEPT})


def uploads_of(field) -> list:
    """The files a field received, as uploads (an empty file input sends one nameless part: not a file)."""
    return [Upload(f.filename, f.stream) for f in (field.data or []) if getattr(f, "filename", None)]


def show_refused(field, refused) -> None:
    """Put each refusal under the file field; the rest of the form stays as typed."""
    field.errors = [*field.errors, *(str(p) for p in refused.problems)]


def _moment(form, field):
    try:
        rules.parse_mmss(field.data)
    except ValueError:
        raise ValidationError(_l("Write the moment as minutes and seconds, such as 1:23.")) from None


class CommentForm(FlaskForm):
    at = StringField(_l("At (minutes:seconds)"), validators=[_moment, Length(max=9)],
                     render_kw={"placeholder": "1:23", "inputmode": "numeric"})
    body = TextAreaField(_l("Comment"), validators=[DataRequired(_l("Write the comment.")), Length(max=2000)],
                         render_kw={"rows": 2})

    @property
    def seconds(self):
        return rules.parse_mmss(self.at.data)
