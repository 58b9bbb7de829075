"""Language selection and locale-aware formatting of dates and numbers."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from babel.lists import format_list
from flask import current_app, has_request_context, request
from flask.globals import _cv_app
from flask_babel import format_decimal, format_percent, format_time, get_locale, get_translations
from flask_login import current_user
from markupsafe import Markup, escape

from .timeutil import aware, zone_of

SUPPORTED_LOCALES = ("en", "ar")
# Each language named in itself, as a language menu should show it.
LANGUAGE_NAMES = {"en": "English", "ar": "العربية"}
RIGHT_TO_LEFT = {"ar", "he", "fa", "ur"}


def select_locale() -> str:
    """The user's own setting, else the browser's Accept-Language, else DEFAULT_LOCALE."""
    if not has_request_context():
        return current_app.config["DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in SUPPORTED_LOCALES:
        return current_user.locale
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or current_app.config["DEFAULT_LOCALE"]


def request_translations():
    """The reader's catalog, as Flask-Babel's get_translations gives it, kept for the rest of the request.

    Flask-Babel looks the context, the domain and the locale up again on every string, which on a table of 25
    rows is a few hundred times a page. The catalog found is kept beside the locale it was found for: when
    Flask-Babel's `refresh()` or `force_locale` changes the locale, the next string looks the catalog up again.
    """
    context = _cv_app.get(None)
    space = getattr(context.g, "_flask_babel", None) if context is not None else None
    kept = getattr(space, "onboarding_translations", None)
    if kept is not None and kept[0] is getattr(space, "babel_locale", None):
        return kept[1]
    translations = get_translations()
    space = getattr(context.g, "_flask_babel", None) if context is not None else None
    if space is not None and getattr(space, "babel_locale", None) is not None:
        space.onboarding_translations = (space.babel_locale, translations)
    return translations


def install_template_gettext(environment) -> None:
    """The templates' _(), ngettext() and their p- forms, through request_translations (Flask-Babel installs the
    same callables, looking the catalog up on every call)."""
    environment.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)


_READER_ZONE: ContextVar = ContextVar("reader_zone", default=None)


@contextmanager
def in_zone(zone: ZoneInfo):
    """Times worded inside are shown in `zone` (an e-mail's reader's, whoever else is signed in)."""
    token = _READER_ZONE.set(zone)
    try:
        yield
    finally:
        _READER_ZONE.reset(token)


def user_zone(user) -> ZoneInfo:
    """A person's own time zone, else the company's (MAIL_TIME_ZONE)."""
    return zone_of(getattr(user, "time_zone", None), current_app.config["MAIL_TIME_ZONE"])


def current_zone() -> ZoneInfo:
    """The zone times are shown in: an e-mail's reader's (in_zone), else the signed-in person's, else the
    company's MAIL_TIME_ZONE.

    A page asks for it once per date and time it shows; the signed-in person's zone is found once per request
    and kept beside the person and the zone name it was found for, so a zone changed during the request is
    found again."""
    zone = _READER_ZONE.get()
    if zone is not None:
        return zone
    if not has_request_context():
        return ZoneInfo(current_app.config["MAIL_TIME_ZONE"])
    space = _cv_app.get().g
    # Flask-Login keeps the signed-in person there once loaded; reading it skips the proxy's lookups.
    user = getattr(space, "_login_user", None) or current_user._get_current_object()
    name = getattr(user, "time_zone", None)
    kept = getattr(space, "onboarding_zone", None)
    if kept is not None and kept[0] is user and kept[1] == name:
        return kept[2]
    zone = user_zone(user) if user.is_authenticated else ZoneInfo(current_app.config["MAIL_TIME_ZONE"])
    space.onboarding_zone = (user, name, zone)
    return zone


def locale_name() -> str:
    """The reader's language as text (str(get_locale())), found once per language a request uses: Flask-Babel
    looks its context up on every call. Follows `force_locale` and `refresh()` as request_translations does."""
    context = _cv_app.get(None)
    space = getattr(context.g, "_flask_babel", None) if context is not None else None
    locale = getattr(space, "babel_locale", None)
    kept = getattr(space, "onboarding_locale_name", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    name = str(get_locale())
    space = getattr(context.g, "_flask_babel", None) if context is not None else None
    if space is not None and getattr(space, "babel_locale", None) is not None:
        space.onboarding_locale_name = (space.babel_locale, name)
    return name


def select_timezone() -> str:
    return current_zone().key


@lru_cache(maxsize=4096)
def _date_in(day, locale) -> str:
    """Babel's pattern lookup costs more than the rest of a table row: a day is spelled once per language."""
    return format_skeleton("yMMMd", day, locale=locale)


def fmt_date(value) -> str:
    """Dates spelled with the month's name (Nov 27, 2026; 27 نوفمبر 2026), never 11/12 guesswork. A moment (a
    datetime, stored in UTC) is dated where the reader is (current_zone), as fmt_datetime shows its time: an
    evening in New York is not the next day's date there."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = aware(value).astimezone(current_zone()).date()
    return _date_in(value, get_locale())


def fmt_month(value) -> str:
    """A month with its name and year (November 2026; نوفمبر 2026)."""
    return format_skeleton("yMMMM", value, locale=get_locale()) if value else ""


def fmt_datetime(value, zone_named: bool = False) -> str:
    """The date as fmt_date, then the time of day in the reader's time zone (current_zone) and clock; with
    `zone_named`, the zone's name after it (Dec 2, 2026 10:00 AM (Asia/Dubai)), so it cannot be misread."""
    if not value:
        return ""
    zone = current_zone()
    local = aware(value).astimezone(zone)
    shown = f"{format_skeleton('yMMMd', local, locale=get_locale())} {format_time(local, format='short', rebase=False)}"
    return f"{shown} ({zone.key})" if zone_named else shown


def join_list(items, style: str = "standard") -> str:
    """Items joined the way the reader's language joins a list ("a, b and c"; Arabic with its own comma and و).
    In a template, items that are markup (links) stay markup: every item is escaped and the result is markup."""
    items = list(items)
    if not items:
        return ""
    locale = get_locale() or "en"
    if any(hasattr(i, "__html__") for i in items):
        return Markup(format_list([str(escape(i)) for i in items], style=style, locale=locale))
    return format_list([str(i) for i in items], style=style, locale=locale)


def fmt_percent(value: float) -> str:
    return format_percent(value)


def locale_attrs() -> dict:
    """The `lang` and `dir` of the page being rendered."""
    locale = get_locale()
    language = locale.language if locale else "en"
    return {"lang": str(locale or "en").replace("_", "-"), "dir": "rtl" if language in RIGHT_TO_LEFT else "ltr"}


def fmt_number(value) -> str:
    """Points and percentages without needless decimals: 3, 2.5, 66.67."""
    return "" if value is None else format_decimal(value, format="#,##0.##")


def _content_language(item) -> str:
    return getattr(item, "locale", "") or current_app.config.get("CONTENT_LOCALE", "en")


def content_attrs(item) -> dict:
    """The `lang` and `dir` of a content item's own text, which may differ from the page's (an original
    shown to a reader of another language)."""
    language = _content_language(item)
    return {"lang": language.replace("_", "-"), "dir": "rtl" if language.split("_")[0] in RIGHT_TO_LEFT else "ltr"}


def untranslated(item) -> bool:
    """True when the reader sees the item in another language than their own: no translation exists yet."""
    locale = get_locale()
    return bool(locale) and _content_language(item).split("_")[0] != locale.language
