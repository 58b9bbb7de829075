"""Fragments a worker keeps rendered, each under a key that holds everything it is made from, so a kept
fragment is never stale, only unused.

Rendering, not the database, became the largest cost of the pages shown most (see benchmarks/README.md). A
fragment made from plain values (`kept_fragment`) is keyed by those values themselves, frozen (`frozen`), with
the language, the time zone, the URL root and the content version, so any change to what it shows is a new key.
Features use it for their repeated parts (a dashboard row, a quiz question); the page frame (onboarding.frame)
keeps the header's menu the same way.
"""
import dataclasses
import secrets
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .i18n import current_zone, locale_name
from .values import BoundedStore

KEPT = 4096  # fragments kept per worker and kind; past that the store starts again (a fragment is 1-3 kB)


def kept(kind: str, key: tuple, template: str, values: dict) -> Markup:
    """`template` rendered with `values`, from the worker's store of `kind` under `key` when it is there."""
    return kept_built(kind, key, lambda: _render(template, values))


def _render(template: str, values: dict) -> str:
    # Rendered without the context processors: the fragment sees only `values` and the template globals.
    return current_app.jinja_env.get_template(template).render(**values)


def kept_built(kind: str, key: tuple, build, limit: int = KEPT) -> Markup:
    """What `build()` returns (HTML), from the worker's store of `kind` (at most `limit` of them) under `key` when
    it is there."""
    extensions, name = current_app.extensions, f"fragments.{kind}"
    store = extensions.get(name)
    if store is None:
        store = extensions[name] = BoundedStore(limit)
    return store.keep(key, lambda: Markup(build()))


def kept_fragment(template: str, values: dict, versioned: dict | None = None, version: str = "",
                  keep: bool = True, computed=None, kind: str = "fragments", limit: int = KEPT) -> Markup:
    """`template` rendered with `values` and `versioned`, kept under the values themselves (see `frozen`), the
    language, the time zone, the URL root and `version`: `versioned` holds what `version` stands for (the
    curriculum, whose version changes with any of its text), so it is not frozen into the key. With `keep` False,
    rendered the same way but not kept: for what a person typed or chose that the page refused, which is shown
    once and would only fill the store. `computed`, if given, is called only when the fragment is rendered, for
    more values made from these (a chart drawn from the counts): they are not part of the key. `kind` and `limit`
    give large fragments (a whole table) a smaller store of their own, so they do not crowd out the rest."""
    def render():
        return _render(template, {**values, **(versioned or {}), **(computed() if computed else {})})

    if not keep:
        return Markup(render())
    key = (template, version, locale_name(), current_zone().key, request.script_root, frozen(values))
    return kept_built(kind, key, render, limit)


#: Stands for the request's CSRF token in a kept fragment that holds a form (the fragment renders `csrf_token()`
#: as this); random per worker, so no text a person types can be taken for it. See `with_request_token`.
TOKEN_STAND_IN = secrets.token_hex(16)


def token_stand_in() -> str:
    """The `csrf_token` a kept fragment with a form is rendered with (pass it with the fragment's values)."""
    return TOKEN_STAND_IN


def with_request_token(fragment: Markup) -> Markup:
    """A kept fragment with this request's CSRF token in place of the stand-in."""
    text = str(fragment)
    return Markup(text.replace(TOKEN_STAND_IN, generate_csrf())) if TOKEN_STAND_IN in text else fragment


_PLAIN = (str, int, float, bool, type(None), date, datetime, Decimal)
_NAMES: dict = {}  # class -> the attributes `frozen` reads: a dataclass's fields, a mapped class's columns
_SELF_KEYED: set = set()  # frozen dataclasses, whose instances of hashable values are keys as they are


def frozen(value):
    """A hashable copy of `value` that differs whenever anything a template could read from it differs:
    dataclasses field by field, mapped rows column by column, dicts in their order, sequences in theirs. A frozen
    dataclass whose fields all hash (a quiz question as shown, a stage of the path) is its own key: its equality is
    field by field already, at a tenth of the cost. (A mapped row inside one would then compare by identity, never
    by its columns: fragments are made of plain values, and none holds a row.)"""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return ("dict", *((k, frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, *(frozen(v) for v in value))
    if isinstance(value, set | frozenset):
        return frozenset(frozen(v) for v in value)
    kind = type(value)
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = _names_of(kind)
    if kind in _SELF_KEYED:
        try:  # a frozen dataclass of hashable values is its own key: its equality is field by field, and fast
            hash(value)
            return ("=", value)
        except TypeError:  # a field holds a dict or a list: frozen field by field below
            pass
    if names:
        return (kind.__name__, *(frozen(getattr(value, name)) for name in names))
    hash(value)  # anything else must be a plain value: refuse what could change unseen
    return value


def _names_of(kind) -> tuple:
    """The attributes of a dataclass (its fields) or a mapped class (its columns); () for anything else. Notes a
    frozen dataclass with field-by-field equality in _SELF_KEYED."""
    if dataclasses.is_dataclass(kind):
        params, fields = kind.__dataclass_params__, dataclasses.fields(kind)
        # Its own equality must be dataclasses' (written by them, not the class) and read every field.
        own_eq = getattr(getattr(kind.__eq__, "__code__", None), "co_filename", "") == "<string>"
        if params.frozen and params.eq and own_eq and all(f.compare for f in fields):
            _SELF_KEYED.add(kind)
        return tuple(f.name for f in fields)
    mapper = sa.inspect(kind, raiseerr=False)
    return tuple(a.key for a in mapper.column_attrs) if mapper is not None and hasattr(mapper, "column_attrs") else ()
