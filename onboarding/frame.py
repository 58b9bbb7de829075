"""The page frame: the header's main menu, rendered once per language, person, role and badge count.

Every signed-in page shows the menu, and rendering it (some twenty links, each a translation and a URL) cost
more than most pages' own content. It is made only from what its key holds: the language, the person (their
id is in their links), their role (which links they have) and the badge's count (see onboarding.fragments).
"""
from flask import request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from .fragments import kept
from .inbox.services import waiting_count


def main_menu() -> Markup:
    """The signed-in person's main menu (templates/_main_menu.html)."""
    user = current_user._get_current_object()
    waiting = waiting_count(user)
    key = (str(get_locale()), request.script_root, user.role, user.id, waiting)
    return kept("menus", key, "_main_menu.html", {"user": user, "waiting": waiting})
