"""Where an action returns to: a `next` address carried by a link and its form (the inbox sends people to act and
gets them back), accepted only when it is a path on this site."""
from urllib.parse import urlencode, urlsplit

from flask import redirect, request
from markupsafe import Markup, escape

NEXT_MAX_LENGTH = 500


def local_path(value) -> str | None:
    """`value` when it is a path on this site ("/inbox", "/inbox?x=1#y"); None for anything else: another host
    ("//evil.example", "https://…"), a scheme ("javascript:…"), backslashes browsers read as slashes, control
    characters, or an overlong value."""
    if not isinstance(value, str) or not value or len(value) > NEXT_MAX_LENGTH:
        return None
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def requested_next() -> str | None:
    """The validated `next` of this request: the form's (a posted action), else the query string's (a page opened
    from the inbox)."""
    return local_path(request.form.get("next")) or local_path(request.args.get("next"))


def redirect_next(default: str):
    """Back where the person came from to act (the inbox), else to `default`."""
    return redirect(requested_next() or default)


def done(message: str, endpoint: str, **values):
    """A state-changing view's end: commit, say so, and go back to the page the action came from (the inbox's
    `next`), else to `endpoint`."""
    from flask import flash, url_for

    from .extensions import db

    db.session.commit()
    flash(message, "success")
    return redirect_next(url_for(endpoint, **values))


def next_field() -> Markup:
    """The hidden input that carries `next` in a form, when this page was opened with one; nothing otherwise."""
    target = requested_next()
    if target is None:
        return Markup("")
    return Markup(f'<input type="hidden" name="next" value="{escape(target)}">')


def with_next(url: str) -> str:
    """`url` carrying this request's `next` on, for links from a page opened from the inbox to the page that acts."""
    target = requested_next()
    if target is None:
        return url
    base, _, anchor = url.partition("#")
    joined = f"{base}{'&' if '?' in base else '?'}{urlencode({'next': target})}"
    return joined + (f"#{anchor}" if anchor else "")
