"""What every form shares: the base form (WTForms' own messages in the reader's language), the errors the
error summary lists, and validators used by several features."""
from datetime import timedelta

from babel import support
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm as _FlaskForm
from markupsafe import Markup, escape
from wtforms.fields import FieldList, FormField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import Length, ValidationError
from wtforms.widgets import Select

from .auth.services import told_apart
from .fragments import kept_built
from .timeutil import today
from .values import BoundedStore

# WTForms' built-in messages, copied into our catalog (`make translations` extracts them from here) so they read
# well in every language we ship: WTForms' own Arabic lacks most plural forms (so "Field cannot be longer than
# 2000 characters." stayed English) and words a few messages oddly. Ours wins; WTForms' catalog is the fallback.
BUILT_IN_MESSAGES = (
    _l("This field is required."), _l("Invalid input."), _l("Invalid email address."), _l("Invalid URL."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."), _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."), _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("Not a valid integer value."), _l("Not a valid decimal value."), _l("Not a valid float value."),
    _l("Not a valid date value."), _l("Not a valid datetime value."), _l("Not a valid time value."),
    _l("Not a valid choice."), _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("Field must be exactly %(max)d character long.",
                  "Field must be exactly %(max)d characters long.", 1),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
)


_WTFORMS_OWN: dict = {}  # locale -> WTForms' own catalog, read from disk once per process


def _wtforms_own():
    """WTForms' own catalog in the reader's locale. (Flask-WTF's reads the file again on every request that looks
    up a message: half a millisecond of every form post.)"""
    locale = str(get_locale())
    catalog = _WTFORMS_OWN.get(locale)
    if catalog is None:
        catalog = _WTFORMS_OWN[locale] = support.Translations.load(messages_path(), [locale], domain="wtforms")
    return catalog


class _Translations:
    """WTForms' messages from our catalog first, then from WTForms' own, in the reader's locale."""

    def gettext(self, string):
        ours = get_translations().gettext(string)
        return ours if ours != string else _wtforms_own().gettext(string)

    def ngettext(self, singular, plural, n):
        ours = get_translations().ngettext(singular, plural, n)
        return ours if ours not in (singular, plural) else _wtforms_own().ngettext(singular, plural, n)


_TRANSLATIONS = _Translations()


class FlaskForm(_FlaskForm):
    """The base of every form here: Flask-WTF's, with WTForms' own messages worded by our catalog."""

    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "csrf_token" in self._fields:
            # A page holds many forms, each with its token: the hidden input carries no id, so none repeats.
            self.csrf_token.id = False

    def validate(self, extra_validators=None):
        """WTForms' validation, with one message for a value that is not a number at all: the field's own message
        when its validators give one ("Enter a whole number from 0 to 10,000."), else WTForms' ("Not a valid
        integer value."), never both. Such a value (only a client other than a browser sends letters to a number
        input) is not echoed into the number input, which cannot hold it."""
        valid = super().validate(extra_validators)
        for field in fields_of(self):
            # (An empty optional field has a process error too, which Optional() clears: nothing to do then.)
            if field.errors and field.process_errors and getattr(field.widget, "input_type", None) == "number":
                own = [m for m in field.errors if m not in field.process_errors]
                field.errors = own[:1] or list(field.process_errors)
                field.raw_data = [""]
        return valid


def fields_of(form):
    """Every field of a form in page order, the fields of nested forms and lists included."""
    for field in form:
        if isinstance(field, FormField):
            yield from fields_of(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from (fields_of(entry.form) if isinstance(entry, FormField) else [entry])
        else:
            yield field


def error_items(*forms) -> list[dict]:
    """What the error summary lists: each error with the id of its field (the link target) and the field's
    label, fields in page order; then the errors of a whole form (`form.form_errors`, e.g. a refusal by a
    service), which have no field. Forms that were not posted (None, or built with formdata=None) add nothing.
    A page whose inputs are not a WTForms form (a quiz attempt) gives its items as a list of such dicts."""
    items = []
    for form in forms:
        if form is None:
            continue
        if isinstance(form, list):
            items += form
            continue
        for field in fields_of(form):
            if field.type in ("CSRFTokenField", "HiddenField"):
                continue
            for message in field.errors:
                items.append({"id": field.id, "label": field.label.text, "message": str(message)})
        items += [{"id": None, "label": None, "message": str(m)} for m in getattr(form, "form_errors", [])]
    return items


def field_id(name: str, suffix: str) -> str:
    """The id `with_ids` gives the field of that name (its own id before: its name)."""
    return f"{name}-{suffix}"


def with_ids(form, suffix: str):
    """The form with ids of its own (`note-SUFFIX`), for a page that shows the same form several times (one per
    task, one per quiz): labels and error links stay unique. Field names are unchanged; the CSRF input has no id."""
    for field in form:
        if field.id is not False:
            field.id = field.label.field_id = field_id(field.id, suffix)
    return form


#: The longest search text a list's filter takes (the dashboard, the accounts); its input carries it as maxlength.
SEARCH_MAX_LENGTH = 100


def search_text(args, label) -> tuple[str, str, list]:
    """(text to search for, text as typed, error summary items) from a list's `q`. A search longer than the
    limit is refused, not cut short: it filters nothing, and the page shows it as typed with the reason."""
    typed = args.get("q", "").strip()
    if len(typed) <= SEARCH_MAX_LENGTH:
        return typed, typed, []
    message = _("A search can be at most %(max)d characters long; this one has %(n)d.",
                max=SEARCH_MAX_LENGTH, n=len(typed))
    return "", typed, [{"id": "q", "label": str(label), "message": message}]


def max_length(field) -> int | None:
    """The longest text the server takes in this field: its Length validator's max (None without one)."""
    tops = [v.max for v in field.validators if isinstance(v, Length) and v.max != -1]
    return min(tops) if tops else None


class WithinYears:
    """A date no further than `years` from today, either way: typos like 2062 or 9999 are caught."""

    def __init__(self, years: int = 20):
        self.years = years

    def __call__(self, form, field):
        if field.data is None:
            return
        value = field.data.date() if hasattr(field.data, "date") else field.data
        span = timedelta(days=365 * self.years)
        if not today() - span <= value <= today() + span:
            raise ValidationError(_l("Enter a date within %(n)d years of today.", n=self.years))


class LongSelect(Select):
    """WTForms' list, for lists of hundreds of choices (mentors, time zones): an option with no attributes of
    its own is written directly, the same HTML WTForms writes, at a twentieth of the cost (WTForms builds,
    sorts and escapes an attribute dict per option)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or choice.value)
        return Markup(f'<option{" selected" if choice.selected else ""} value="{escape(value)}">{label}</option>')


def person_choices(people) -> list:
    """The choices of a list of accounts: their ids, labelled by name, two people of one name told apart by their
    e-mail addresses (auth.services.told_apart)."""
    return [SelectChoice(uid, label) for uid, label in told_apart((p.id, p.full_name, p.email) for p in people)]


_last_options = BoundedStore(16)  # id of a tuple of rows -> (the tuple, its options' HTML), see kept_options


def kept_options(rows, selected=None) -> Markup:
    """The `<option>`s of (value, label) rows, the chosen one marked: the same HTML as LongSelect's. A list of
    hundreds (the mentors of a large team, twice on the dashboard) is written once per worker for as long as its rows
    stay the same; the rows themselves are the key, so a new or renamed mentor is a new list at once. The
    selection is put in afterwards, so one kept list serves every choice. The same tuple as last time (the
    worker's list of mentors, people.services.mentors) is known by its identity, without reading its rows again."""
    same = _last_options.get(id(rows)) if type(rows) is tuple else None
    if same is not None and same[0] is rows:  # held here, so its id names no other object meanwhile
        html = same[1]
    else:
        items = tuple((value, label) for value, label in rows)  # plain tuples: a database row compares in Python
        html = kept_built("options", items, lambda: "".join(
            f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in items))
        if type(rows) is tuple and all(isinstance(row, tuple) and all(type(v) in (int, str) for v in row)
                                       for row in rows):  # nothing in it can change
            _last_options.put(id(rows), (rows, html))
    if selected in (None, ""):
        return html
    mark = f'<option value="{escape(selected)}">'
    return Markup(str(html).replace(mark, f'<option selected value="{escape(selected)}">', 1))


class ChooseOneField(SelectField):
    """A required list that starts on an empty "choose…" option, whatever choices the view sets: a blank answer
    is "nothing chosen yet" (the field's DataRequired says so), never an invalid choice."""

    widget = LongSelect()

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
