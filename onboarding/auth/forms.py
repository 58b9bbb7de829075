"""Forms for logging in and changing one's own password."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..forms_common import FlaskForm, LongSelect
from ..i18n import LANGUAGE_NAMES
from ..timeutil import COMMON_ZONES, is_time_zone, time_zone_names
from ..values import BoundedStore
from .passwords import password_problem


class PasswordPolicy:
    """WTForms validator applying the password policy."""

    def __call__(self, form, field):
        email = getattr(getattr(form, "email", None), "data", "") or ""
        problem = password_problem(field.data or "", email)
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200), PasswordPolicy()],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), Length(max=200),
                                        EqualTo("password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class LanguageForm(FlaskForm):
    """One's own interface language; empty means whatever the browser asks for."""
    locale = SelectField(_l("Language"), validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = [SelectChoice("", _l("As my browser asks")),
                               *(SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items())]


#: The regions of the IANA names, as the list groups them.
REGIONS = {"Africa": _l("Africa"), "America": _l("America"), "Antarctica": _l("Antarctica"),
           "Arctic": _l("Arctic"), "Asia": _l("Asia"), "Atlantic": _l("Atlantic"), "Australia": _l("Australia"),
           "Europe": _l("Europe"), "Indian": _l("Indian Ocean"), "Pacific": _l("Pacific")}


def _offset(name: str, now: datetime) -> str:
    minutes = int(now.astimezone(ZoneInfo(name)).utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"{name} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"


def _region(name: str) -> str:
    return name.split("/", 1)[0] if "/" in name else ""


#: The lists of zones built this hour: (language, company default, the hour) -> choices. Some 600 offsets took
#: 45 ms to work out, on every visit of the account page; an offset changes only on the hour.
_ZONE_LISTS = BoundedStore(16)


def zone_choices(default_zone: str) -> list:
    """The company's default first, then the common zones, then every other zone by region (those of no region
    last), each with its offset from UTC now. A new list each time (a refused value is put into it)."""
    now = datetime.now(timezone.utc)
    key = (str(get_locale()), default_zone, now.replace(minute=0, second=0, microsecond=0))
    kept = _ZONE_LISTS.get(key)
    if kept is None:
        rest = sorted(time_zone_names() - set(COMMON_ZONES), key=lambda n: (_region(n) not in REGIONS, n))
        kept = ([SelectChoice("", _("Company default (%(zone)s)", zone=default_zone))]
                + [SelectChoice(z, _offset(z, now), optgroup=_("Common time zones")) for z in COMMON_ZONES]
                + [SelectChoice(n, _offset(n, now), optgroup=str(REGIONS.get(_region(n), _("Other"))))
                   for n in rest])
        _ZONE_LISTS.put(key, kept)  # 16: last hour's lists, and languages and defaults no longer asked for
    return list(kept)


class TimeZoneForm(FlaskForm):
    """A person's time zone; empty means the company's default (MAIL_TIME_ZONE)."""
    time_zone = SelectField(_l("Time zone"), validate_choice=False, widget=LongSelect())

    def __init__(self, *args, default_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = zone_choices(default_zone)

    def validate_time_zone(self, field):
        if field.data and not is_time_zone(field.data):
            self.time_zone.choices.insert(1, SelectChoice(field.data, field.data))  # shown again as it was sent
            raise ValidationError(_("“%(zone)s” is not a time zone we know. Choose one from the list, such as "
                                    "Europe/Berlin or Asia/Dubai.", zone=field.data))


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""
