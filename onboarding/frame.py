"""The page frame: the signed-in header, rendered once per language, person, role and the header's two counts.

Every signed-in page shows the header, and rendering it (the main menu's twenty links and the person's own, each a
translation and a URL, twice: wide and narrow screens) cost more than most pages' own content. It is made only
from what its key holds: the language, the URL root, the person (their id is in their links, their name is shown),
their role (which links they have), the inbox badge and the unread notifications (see onboarding.fragments). The
sign-out form's CSRF token is the one thing in it that is the request's own: the kept header holds a stand-in,
replaced on the way out.
"""
from flask import request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from .fragments import kept, token_stand_in, with_request_token
from .inbox.services import waiting_count


def page_header(unread: int) -> Markup:
    """The signed-in person's header (templates/_page_header.html), with this request's CSRF token."""
    user = current_user._get_current_object()
    waiting = waiting_count(user)
    key = (str(get_locale()), request.script_root, user.role, user.id, user.full_name, waiting, unread)
    header = kept("headers", key, "_page_header.html",
                  {"user": user, "waiting": waiting, "unread": unread, "csrf_token": token_stand_in})
    return with_request_token(header)
