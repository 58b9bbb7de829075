"""Language selection and locale-aware formatting of dates and numbers."""
from datetime import datetime
from functools import lru_cache

from babel.dates import format_skeleton
from babel.lists import format_list
from flask import current_app, has_request_context, request
from flask_babel import format_decimal, format_percent, format_time, get_locale, to_user_timezone
from flask_login import current_user
from markupsafe import Markup, escape

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


def select_timezone() -> str:
    return "UTC"


@lru_cache(maxsize=4096)
def _date_in(day, locale) -> str:
    """Babel's pattern lookup costs more than the rest of a table row: a day is spelled once per language."""
    return format_skeleton("yMMMd", day, locale=locale)


def fmt_date(value) -> str:
    """Dates spelled with the month's name (Nov 27, 2026; 27 نوفمبر 2026), never 11/12 guesswork."""
    if not value:
        return ""
    return _date_in(value.date() if isinstance(value, datetime) else value, get_locale())


def fmt_datetime(value) -> str:
    """The date as fmt_date, then the time of day in the reader's time zone and clock."""
    if not value:
        return ""
    local = to_user_timezone(value)
    return f"{format_skeleton('yMMMd', local, locale=get_locale())} {format_time(local, format='short')}"


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
