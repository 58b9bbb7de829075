"""Destructive actions ask first, without scripts: a GET (or a POST without `confirm=1`) shows a page saying what
will happen, with a POST button that carries `confirm=1`; only that POST acts."""
from flask import render_template, request


def confirmed() -> bool:
    """The POST comes from the confirmation page's button."""
    return request.method == "POST" and request.form.get("confirm") == "1"


def render_confirmation(title: str, consequences: list, action: str, confirm_label: str, back: str,
                        back_label: str, *, form=None, fields=(), hidden=None, status: int = 200):
    """The confirmation page: what will happen (one sentence per consequence), then the button that does it and
    the way back. `form` (its CSRF token, and `fields` of it shown for editing) carries what the person typed;
    without one the page carries a plain CSRF token. `hidden`: other values the action needs."""
    return render_template("confirm.html", title=title, consequences=consequences, action=action,
                           confirm_label=confirm_label, back=back, back_label=back_label, form=form,
                           fields=list(fields), hidden=hidden or {}), status
