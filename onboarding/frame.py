"""The page frame and the fragments a worker keeps rendered.

Rendering, not the database, became the largest cost of the pages shown most (see benchmarks/README.md). Two
kinds of HTML are therefore kept per worker, each under a key that holds everything it is made from, so a kept
fragment is never stale, only unused:

- the header's main menu, made from the language, the person (their id is in their links), their role (which
  links they have) and the badge's count;
- a fragment made from plain values (`kept_fragment`): its key is those values themselves, frozen, with the
  language, the time zone and the content version, so any change to what it shows is a new key.
"""
import dataclasses
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from .i18n import current_zone
from .inbox.services import waiting_count

KEPT = 4096  # fragments kept per worker and kind; past that the store starts again (a fragment is 1-3 kB)


def _kept(kind: str, key: tuple, template: str, values: dict) -> Markup:
    kept = current_app.extensions.setdefault(f"frame.{kind}", {})
    fragment = kept.get(key)
    if fragment is None:
        if len(kept) >= KEPT:
            kept.clear()
        # Rendered without the context processors: the fragment sees only `values` and the template globals.
        fragment = kept[key] = Markup(current_app.jinja_env.get_template(template).render(**values))
    return fragment


def main_menu() -> Markup:
    """The signed-in person's main menu (templates/_main_menu.html)."""
    user = current_user._get_current_object()
    waiting = waiting_count(user)
    key = (str(get_locale()), request.script_root, user.role, user.id, waiting)
    return _kept("menus", key, "_main_menu.html", {"user": user, "waiting": waiting})


def kept_fragment(template: str, values: dict, versioned: dict | None = None, version: str = "") -> Markup:
    """`template` rendered with `values` and `versioned`, kept under the values themselves (see `frozen`), the
    language, the time zone, the URL root and `version`: `versioned` holds what `version` stands for (the
    curriculum, whose version changes with any of its text), so it is not frozen into the key."""
    key = (template, version, str(get_locale()), current_zone().key, request.script_root, frozen(values))
    return _kept("fragments", key, template, {**values, **(versioned or {})})


_PLAIN = (str, int, float, bool, type(None), date, datetime, Decimal)
_COLUMNS: dict = {}  # mapped class -> its column attribute names, or None for a class that is not mapped


def frozen(value):
    """A hashable copy of `value` that differs whenever anything a template could read from it differs:
    dataclasses field by field, mapped rows column by column, dicts in their order, sequences in theirs."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return ("dict", *((k, frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, *(frozen(v) for v in value))
    if isinstance(value, set | frozenset):
        return frozenset(frozen(v) for v in value)
    kind = type(value)
    if dataclasses.is_dataclass(kind):
        return (kind.__name__, *(frozen(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if kind not in _COLUMNS:
        mapper = sa.inspect(kind, raiseerr=False)
        _COLUMNS[kind] = [a.key for a in mapper.column_attrs] if mapper is not None and hasattr(mapper, "column_attrs") else None
    if _COLUMNS[kind] is not None:
        return (kind.__name__, *(frozen(getattr(value, name)) for name in _COLUMNS[kind]))
    hash(value)  # anything else must be a plain value: refuse what could change unseen
    return value
