"""Writing messages to the outbox in the same transaction as the notifications they carry.

Just before the session flushes, every new Notification is worded for its reader (their language, their name)
and written as a finished message beside it: a rolled-back action leaves neither, and nothing is lost while the
sender is down. A person who switched a kind off (the preferences page, the link in every message) gets no message
of that kind; one who sends it to the weekly digest gets it there (mail.digest).
"""
import logging
import re
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _

from ..auth.models import User
from ..i18n import RIGHT_TO_LEFT, SUPPORTED_LOCALES, fmt_datetime, in_zone, user_zone
from ..mentoring.models import CANCELLED, RolePlayAttempt, RolePlayEvaluator
from ..notifications.models import Notification
from ..notifications.services import wording
from ..timeutil import aware, utcnow
from . import calendar as cal
from .compose import (Letter, build, new_message_id, one_line, references_after, sender_domain, serialise,
                      thread_root)
from .kinds import effective
from .models import DIGEST, FAILED, OFF, DigestItem, MailPreference, OutboxMessage
from .tokens import unsubscribe_url

log = logging.getLogger(__name__)

_HELD = ContextVar("mail_held_back", default=False)

#: The notifications that carry the role-play's calendar invitation, and its iCalendar METHOD.
INVITATIONS = {"role_play_scheduled": "REQUEST", "role_play_to_evaluate": "REQUEST",
               "role_play_rescheduled": "REQUEST", "role_play_cancelled": "CANCEL"}


@contextmanager
def held_back():
    """Notifications made inside stay in the app and are not e-mailed (loading the demo's history)."""
    token = _HELD.set(True)
    try:
        yield
    finally:
        _HELD.reset(token)


def thread_key(note: Notification) -> str:
    """What the notification is about: one attempt, one role-play, else the page it links to."""
    params = note.params or {}
    if isinstance(params.get("attempt_id"), int) and note.kind.startswith("role_play"):
        return f"role-play/{params['attempt_id']}"
    path = (note.link or "").split("#")[0].split("?")[0].strip("/")
    found = re.match(r"(attempts|role-play)/(\d+)(?:/|$)", path)
    if found:
        return f"{found.group(1)}/{found.group(2)}"
    return (path or note.kind)[:120]


def absolute(link: str | None) -> str:
    """A link of the app made absolute with BASE_URL (links stored with notifications are paths)."""
    base = current_app.config["BASE_URL"]
    return base + (link if link and link.startswith("/") and not link.startswith("//") else "/")


def _language(user: User) -> str:
    return user.locale if user.locale in SUPPORTED_LOCALES else current_app.config["DEFAULT_LOCALE"]


@contextmanager
def reader(user: User):
    """Word things for `user`: their language, times in their time zone (else MAIL_TIME_ZONE), also outside a
    request (the worker, the command line)."""
    outer = nullcontext() if has_request_context() else current_app.test_request_context(
        base_url=current_app.config["BASE_URL"])
    with outer, force_locale(_language(user)), in_zone(user_zone(user)):
        yield


def _attendees(session, attempt: RolePlayAttempt) -> list:
    """The trainee and every evaluator, counting evaluators added in this very transaction."""
    ids = {attempt.trainee_id}
    ids |= {o.evaluator_id for o in session.new if isinstance(o, RolePlayEvaluator) and o.attempt_id == attempt.id}
    ids |= set(session.scalars(sa.select(RolePlayEvaluator.evaluator_id)
                               .where(RolePlayEvaluator.attempt_id == attempt.id)))
    people = session.scalars(sa.select(User).where(User.id.in_(ids))).all()
    return sorted(people, key=lambda u: (u.id != attempt.trainee_id, u.id))


def _calendar_name(text: str) -> str:
    return one_line(text, 120).replace('"', "'")


def meeting(session, attempt: RolePlayAttempt, link: str) -> cal.Meeting:
    """The role-play meeting in the current reader's language, its time named in their zone in the text (the
    calendar's own times stay UTC, which every calendar shows in its own zone)."""
    from ..content import curriculum

    config = current_app.config
    scenario = (curriculum().scenarios or {}).get(attempt.scenario_slug)
    people = _attendees(session, attempt)
    trainee = next((p for p in people if p.id == attempt.trainee_id), None)
    title = scenario.title if scenario else attempt.scenario_slug
    summary = _("Role-play: %(scenario)s with %(trainee)s", scenario=title,
                trainee=trainee.full_name if trainee else "")
    sender_name, sender_address = _sender()
    return cal.Meeting(
        uid=cal.meeting_uid(attempt.id, sender_domain(config["MAIL_FROM"])), sequence=attempt.sequence or 0,
        start=aware(attempt.scheduled_for), summary=one_line(summary, 200),
        description=_("Attempt %(n)d of %(total)d, on %(when)s. The brief and the scores: %(link)s",
                      n=attempt.number, total=attempt.allowed, link=link,
                      when=fmt_datetime(attempt.scheduled_for, zone_named=True)),
        location=attempt.place, url=link, organizer=cal.Person(_calendar_name(sender_name), sender_address),
        attendees=tuple(cal.Person(_calendar_name(p.full_name), p.email) for p in people),
        cancelled=attempt.state == CANCELLED)


def _sender() -> tuple:
    from email.utils import parseaddr

    name, address = parseaddr(current_app.config["MAIL_FROM"])
    return name or _("Onboarding"), address


def _render(template: str, **context) -> str:
    return current_app.jinja_env.get_template(template).render(**context)


def compose(user: User, kind: str, key: str, previous: tuple, subject: str, template: str, context: dict,
            calendar: str | None = None, method: str | None = None) -> Letter:
    """A message to `user` in the current reader's language (inside `reader`): `template`.txt and .html rendered
    with `context`, threaded under `key` after `previous`, with the unsubscribe link for `kind`."""
    config = current_app.config
    language = _language(user)
    domain = sender_domain(config["MAIL_FROM"])
    in_reply_to, references = references_after(thread_root(key, config["SECRET_KEY"], domain), previous)
    unsubscribe = unsubscribe_url(user.id, kind)
    context = {**context, "name": user.full_name, "unsubscribe": unsubscribe, "lang": language,
               "dir": "rtl" if language.split("_")[0] in RIGHT_TO_LEFT else "ltr"}
    return Letter(sender=config["MAIL_FROM"], to_name=user.full_name, to_address=user.email, language=language,
                  subject=subject, text=_render(f"{template}.txt", **context),
                  html=_render(f"{template}.html", **context),
                  message_id=new_message_id(domain), in_reply_to=in_reply_to, references=references,
                  unsubscribe=unsubscribe, calendar=calendar, calendar_method=method)


def outbox_row(user: User, kind: str, key: str, letter: Letter, now: datetime) -> OutboxMessage:
    """The outbox row that sends `letter` now."""
    return OutboxMessage(user_id=user.id, kind=kind, to_address=user.email, subject=one_line(letter.subject, 300),
                         message_id=letter.message_id, thread_key=key, reference_ids=letter.references,
                         raw=serialise(build(letter, now)), next_attempt_at=now, created_at=now)


def letter_for(session, note: Notification, user: User, previous: tuple, now: datetime) -> tuple:
    """(the message, its thread key): the notification worded for `user`, with the invitation if it has one."""
    key = thread_key(note)
    with reader(user):
        text = wording(note)
        invitation = method = None
        attempt_id = (note.params or {}).get("attempt_id")
        if note.kind in INVITATIONS and isinstance(attempt_id, int):
            attempt = session.get(RolePlayAttempt, attempt_id)
            if attempt is not None:
                method = INVITATIONS[note.kind]
                invitation = cal.ics(meeting(session, attempt, absolute(f"/role-play/{attempt.id}")), method, now)
        letter = compose(user, note.kind, key, previous, text, "mail/message",
                         {"text": text, "link": absolute(note.link), "invitation": bool(invitation)},
                         calendar=invitation, method=method)
    return letter, key


def _previous(session, pairs) -> dict:
    """{(user id, thread key): (message id, references) of the last message to that person about that}."""
    if not pairs:
        return {}
    users = {u for u, _k in pairs}
    keys = {k for _u, k in pairs}
    rows = session.execute(sa.select(OutboxMessage.user_id, OutboxMessage.thread_key, OutboxMessage.message_id,
                                     OutboxMessage.reference_ids)
                           .where(OutboxMessage.user_id.in_(users), OutboxMessage.thread_key.in_(keys))
                           .order_by(OutboxMessage.id))
    return {(u, k): (m, r) for u, k, m, r in rows}


def queue_new_notifications(session, _flush_context=None, _instances=None) -> None:
    """The before_flush hook: a message in the outbox for every new notification whose reader takes e-mail."""
    if _HELD.get() or not has_app_context():
        return
    notes = [o for o in session.new if isinstance(o, Notification) and o.user_id is not None]
    if not notes:
        return
    uids = {n.user_id for n in notes}
    users = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(uids)))}
    stored = {(u, k): c for u, k, c in session.execute(
        sa.select(MailPreference.user_id, MailPreference.kind, MailPreference.choice)
        .where(MailPreference.user_id.in_(uids)))}
    choice = {n: effective(n.kind, users[n.user_id].role, stored.get((n.user_id, n.kind)))
              for n in notes if n.user_id in users and users[n.user_id].active}
    for note in (n for n, c in choice.items() if c == DIGEST):
        session.add(DigestItem(user_id=note.user_id, notification=note))
    notes = [n for n, c in choice.items() if c not in (OFF, DIGEST)]
    previous = _previous(session, {(n.user_id, thread_key(n)) for n in notes})
    now = utcnow()
    for note in sorted(notes, key=lambda n: (n.user_id, n.kind)):
        user = users[note.user_id]
        try:
            letter, key = letter_for(session, note, user, previous.get((user.id, thread_key(note)), ()), now)
            row = outbox_row(user, note.kind, key, letter, now)
        except (ValueError, LookupError) as exc:  # an address the mail library refuses, say
            log.warning("message to user %s (%s) not composed: %s", user.id, note.kind, exc)
            session.add(OutboxMessage(user_id=user.id, kind=note.kind, to_address=user.email[:254],
                                      subject=one_line(note.kind), message_id=new_message_id("invalid"),
                                      thread_key=thread_key(note), state=FAILED, failed_at=now,
                                      last_error=one_line(f"not composed: {exc}", 500)))
            continue
        previous[(user.id, key)] = (letter.message_id, letter.references)
        session.add(row)


def install(session_factory) -> None:
    """Hook the outbox into every session the factory makes. Called once by create_app."""
    if not sa.event.contains(session_factory, "before_flush", queue_new_notifications):
        sa.event.listen(session_factory, "before_flush", queue_new_notifications)
