"""Sending, wording and reading notifications."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..timeutil import utcnow
from .models import Notification


def notify(user_ids, kind: str, link: str | None = None, **params) -> None:
    for uid in {u for u in user_ids if u is not None}:
        db.session.add(Notification(user_id=uid, kind=kind, params=params, link=link))


def wording(note: Notification) -> str:
    """The message in the current reader's language."""
    p = note.params or {}
    texts = {
        "answers_waiting": lambda: _("%(trainee)s submitted “%(quiz)s”: %(count)d answer(s) wait for your review.",
                                     trainee=p.get("trainee", ""), quiz=p.get("quiz", ""), count=p.get("count", 0)),
        "attempt_graded": lambda: (_("Your attempt at “%(quiz)s” is graded: %(percent)s%%, passed.",
                                     quiz=p.get("quiz", ""), percent=p.get("percent", ""))
                                   if p.get("passed") else
                                   _("Your attempt at “%(quiz)s” is graded: %(percent)s%%, not passed.",
                                     quiz=p.get("quiz", ""), percent=p.get("percent", ""))),
        "extra_attempt": lambda: _("You have one more attempt at “%(quiz)s”.", quiz=p.get("quiz", "")),
    }
    return texts.get(note.kind, lambda: note.kind)()


def unread_count(user_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(user_id: int, note_id: int | None = None) -> None:
    query = sa.update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if note_id is not None:
        query = query.where(Notification.id == note_id)
    db.session.execute(query.values(read_at=utcnow()))


def resolve(link: str) -> None:
    """Mark every unread notification pointing at this link as read: the thing it asked for is done."""
    db.session.execute(sa.update(Notification).where(Notification.link == link, Notification.read_at.is_(None))
                       .values(read_at=utcnow()))
