"""Sending, wording and reading notifications."""
import re

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow
from .models import Notification


def notify(user_ids, kind: str, link: str | None = None, **params) -> None:
    for uid in {u for u in user_ids if u is not None}:
        db.session.add(Notification(user_id=uid, kind=kind, params=params, link=link))
    _forget_unread()


def _num(value) -> str:
    from ..i18n import fmt_number

    try:
        return fmt_number(float(value))
    except (TypeError, ValueError):
        return str(value or "")


def _reader_dates(params: dict) -> dict:
    """Dates kept as ISO text (2026-11-02) shown as the reader's language writes them; a time in the reader's
    time zone, named."""
    from datetime import date, datetime

    from ..i18n import fmt_date, fmt_datetime

    shown = dict(params)
    for key, parse, fmt in (("day", date.fromisoformat, fmt_date), ("date", date.fromisoformat, fmt_date),
                            ("when", datetime.fromisoformat, lambda v: fmt_datetime(v, zone_named=True))):
        try:
            shown[key] = fmt(parse(str(params[key])))
        except (KeyError, ValueError):
            pass
    return shown


def _titles_by_any_language(cur) -> dict:
    """{(kind, title in any language): id} for quizzes and checklist tasks, built once per content version."""
    from flask import current_app

    from ..content.translations import localize

    cache = current_app.extensions.setdefault("notification_titles", {})
    if cur.version not in cache:
        index = {}
        for variant in [cur, *(localize(cur, locale) for locale in cur.translations or {})]:
            index.update({("quiz", q.title): slug for slug, q in (variant.quizzes or {}).items()})
            index.update({("task", t.title): tid for tid, t in variant.tasks.items()})
        cache.clear()
        cache[cur.version] = index
    return cache[cur.version]


def _reader_titles(params: dict) -> dict:
    """Quiz and task titles, stored in the language of whoever acted, shown in the reader's language."""
    from ..content import curriculum, original_curriculum

    if not {"quiz", "task"} & set(params):
        return params
    index, reader = _titles_by_any_language(original_curriculum()), curriculum()
    shown = dict(params)
    if ("quiz", params.get("quiz")) in index:
        shown["quiz"] = reader.quizzes[index["quiz", params["quiz"]]].title
    if ("task", params.get("task")) in index:
        shown["task"] = reader.tasks[index["task", params["task"]]].title
    return shown


def _waiting_summary(p: dict) -> list:
    """What a mentor (or the heads) take over for a trainee, one sentence per kind of item that waits."""
    counts = [(p.get("answers") or 0, lambda n: ngettext("%(num)d written answer waits for grading.",
                                                         "%(num)d written answers wait for grading.", n)),
              (p.get("sign_offs") or 0, lambda n: ngettext("%(num)d sign-off is requested.",
                                                           "%(num)d sign-offs are requested.", n)),
              (p.get("ledger_days") or 0, lambda n: ngettext("%(num)d day of figures waits for confirmation.",
                                                             "%(num)d days of figures wait for confirmation.", n))]
    return [word(n) for n, word in counts if n]


def _level_name(number) -> str:
    """A career level's name in the reader's language (the content's levels), by its number."""
    from ..content import curriculum

    return next((lv.name for lv in curriculum().career_levels if lv.number == number), "")


def _joined(*sentences) -> str:
    return " ".join(str(s) for s in sentences)


def _about_reader(note: Notification) -> bool:
    """The notice is about its reader: they are the trainee it concerns (named by id, or in the link of notices
    stored before the id was kept)."""
    trainee = (note.params or {}).get("trainee_id")
    if trainee is None:
        found = re.match(r"/trainees/(\d+)(?:[/#?]|$)", note.link or "")
        trainee = int(found.group(1)) if found else None
    return trainee is not None and trainee == note.user_id


def _role_play_result(p: dict, yours: bool) -> str:
    """The result of a role-play, worded for the trainee who played it or for whoever answers for them."""
    percent, name = _num(p.get("percent")), p.get("trainee")
    if yours:
        return (_("Your role-play result: %(percent)s%%, passed.", percent=percent) if p.get("passed") else
                _("Your role-play result: %(percent)s%%, not passed; that was the last attempt.", percent=percent)
                if p.get("last") else _("Your role-play result: %(percent)s%%, not passed.", percent=percent))
    if name:
        return (_("Role-play of %(trainee)s: %(percent)s%%, passed.", trainee=name, percent=percent)
                if p.get("passed") else
                _("Role-play of %(trainee)s: %(percent)s%%, not passed; that was the last attempt.", trainee=name,
                  percent=percent) if p.get("last") else
                _("Role-play of %(trainee)s: %(percent)s%%, not passed.", trainee=name, percent=percent))
    return (_("Role-play result: %(percent)s%%, passed.", percent=percent) if p.get("passed") else
            _("Role-play result: %(percent)s%%, not passed; that was the last attempt.", percent=percent)
            if p.get("last") else _("Role-play result: %(percent)s%%, not passed.", percent=percent))


def wording(note: Notification) -> str:
    """The message in the current reader's language, addressed to them when they are the trainee it is about
    ("You are approved…" to the trainee, "Tom Becker is approved…" to the mentor)."""
    p = _reader_titles(_reader_dates(note.params or {}))
    yours = _about_reader(note)
    trainee = p.get("trainee", "")
    texts = {
        "answers_waiting": lambda: ngettext("%(trainee)s submitted “%(quiz)s”: %(num)d answer waits for your review.",
                                            "%(trainee)s submitted “%(quiz)s”: %(num)d answers wait for your review.",
                                            p.get("count", 0), trainee=p.get("trainee", ""), quiz=p.get("quiz", "")),
        "attempt_graded": lambda: (_("Your attempt at “%(quiz)s” is graded: %(percent)s%%, passed.",
                                     quiz=p.get("quiz", ""), percent=p.get("percent", ""))
                                   if p.get("passed") else
                                   _("Your attempt at “%(quiz)s” is graded: %(percent)s%%, not passed.",
                                     quiz=p.get("quiz", ""), percent=p.get("percent", ""))),
        "extra_attempt": lambda: _("You have one more attempt at “%(quiz)s”.", quiz=p.get("quiz", "")),
        "mentor_assigned": lambda: _joined(_("You now mentor %(trainee)s.", trainee=p.get("trainee", "")),
                                           *_waiting_summary(p)),
        "mentor_removed": lambda: _joined(_("%(trainee)s has no mentor now: the heads of sales answer for them.",
                                            trainee=p.get("trainee", "")), *_waiting_summary(p)),
        "mentor_named": lambda: _("Your mentor is now %(mentor)s: they answer your requests.",
                                  mentor=p.get("mentor", "")),
        "mentor_none": lambda: _("You have no mentor for now: the head of sales answers your requests."),
        "sign_off_requested": lambda: _("%(trainee)s asks you to sign off “%(task)s”.", trainee=p.get("trainee", ""),
                                        task=p.get("task", "")),
        "sign_off_signed": lambda: _("Your mentor signed off “%(task)s”.", task=p.get("task", "")),
        "sign_off_returned": lambda: _("Your mentor returned “%(task)s” with feedback.", task=p.get("task", "")),
        "sign_off_revoked": lambda: _("The sign-off of “%(task)s” was revoked.", task=p.get("task", "")),
        "activity_corrected": lambda: _("Your mentor corrected your figures for %(day)s.", day=p.get("day", "")),
        "role_play_scheduled": lambda: _("Your role-play “%(scenario)s” is scheduled.", scenario=p.get("scenario", "")),
        "role_play_to_evaluate": lambda: _("You evaluate the role-play of %(trainee)s.", trainee=p.get("trainee", "")),
        "role_play_result": lambda: _role_play_result(p, yours),
        "role_play_rescheduled": lambda: (_("Your role-play is moved to %(when)s.", when=p.get("when", "")) if yours
                                          else _("The role-play of %(trainee)s is moved to %(when)s.",
                                                 trainee=trainee, when=p.get("when", ""))),
        "role_play_cancelled": lambda: (_("Your role-play is cancelled; it uses up no attempt.") if yours
                                        else _("The role-play of %(trainee)s is cancelled; it uses up no attempt.",
                                               trainee=trainee)),
        "decision_due": lambda: _("%(trainee)s did not pass the last role-play attempt: your decision is needed.",
                                  trainee=p.get("trainee", "")),
        "hold_keep": lambda: (_("The head of sales keeps your training going without the certification, with a "
                                "plan.") if yours else
                              _("The head of sales keeps %(trainee)s in training without the certification, with a "
                                "plan.", trainee=trainee) if trainee else
                              _("The head of sales keeps the training going without the certification, with a plan.")),
        "hold_extend": lambda: (_("Your training is extended to %(date)s with a plan.", date=p.get("date", ""))
                                if yours else _("Training is extended to %(date)s with a plan.",
                                                date=p.get("date", ""))),
        "hold_withdraw": lambda: (_("The head of sales has withdrawn your training.") if yours else
                                  _("The head of sales has withdrawn the training of %(trainee)s.", trainee=trainee)
                                  if trainee else _("The head of sales has withdrawn the training.")),
        "cold_calling_go": lambda: (_("Go after cold calling: you continue to sales training with a mentor "
                                      "(stage 3 is open).") if yours else
                                    _("Go after cold calling for %(trainee)s, by %(by)s: stage 3 is open.",
                                      trainee=trainee, by=p.get("by", ""))),
        "cold_calling_no_go": lambda: (_("No-go after cold calling: your training ends. %(by)s wrote why on your "
                                         "page.", by=p.get("by", "")) if yours else
                                       _("No-go after cold calling for %(trainee)s, by %(by)s: the training ends.",
                                         trainee=trainee, by=p.get("by", ""))),
        "supervision_note": lambda: _("%(author)s added a supervision note.", author=p.get("author", "")),
        "readiness_recommended": lambda: _("%(mentor)s recommends %(trainee)s for independent work: your decision "
                                           "is needed.", mentor=p.get("mentor", ""), trainee=p.get("trainee", "")),
        "readiness_approved": lambda: (_("You are approved for independent work.") if yours else
                                       _("%(trainee)s is approved for independent work.", trainee=trainee)),
        "readiness_extended": lambda: (_("Your training is extended to %(date)s with a plan.", date=p.get("date", ""))
                                       if yours else
                                       _("The training of %(trainee)s is extended to %(date)s with a plan.",
                                         trainee=trainee, date=p.get("date", ""))),
        "readiness_rejected": lambda: (_("You are not approved for independent work yet; your training goes on.")
                                       if yours else
                                       _("%(trainee)s is not approved for independent work yet; training goes on.",
                                         trainee=trainee)),
        "career_promoted": lambda: (_("You are promoted to level %(n)s: %(name)s.", n=p.get("level", ""),
                                      name=_level_name(p.get("level"))) if yours else
                                    _("%(trainee)s is promoted to level %(n)s: %(name)s.", trainee=trainee,
                                      n=p.get("level", ""), name=_level_name(p.get("level")))),
        "signature_name_changed": lambda: _("Your name on the account changed from %(before)s to %(after)s: sign "
                                            "the job description again with your new name.",
                                            before=p.get("before", ""), after=p.get("after", "")),
        "email_changed": lambda: _("You now sign in with %(email)s.", email=p.get("after", "")),
        "reminder_stage_overdue": lambda: (
            _("Stage %(stage)s was planned to end on %(date)s: you are behind plan.", stage=p.get("stage", ""),
              date=p.get("date", "")) if yours else
            _("%(trainee)s is behind plan: stage %(stage)s was planned to end on %(date)s.", trainee=trainee,
              stage=p.get("stage", ""), date=p.get("date", ""))),
        "escalation_stage_overdue": lambda: _("%(trainee)s is still behind plan: stage %(stage)s was planned to end "
                                              "on %(date)s.", trainee=trainee, stage=p.get("stage", ""),
                                              date=p.get("date", "")),
        "reminder_grading": lambda: _("Written answers of %(trainee)s have waited for grading since %(when)s.",
                                      trainee=trainee, when=p.get("when", "")),
        "escalation_grading": lambda: _("Written answers of %(trainee)s still wait for grading, since %(when)s.",
                                        trainee=trainee, when=p.get("when", "")),
        "reminder_ledger": lambda: _("Ledger days of %(trainee)s have waited for confirmation since %(date)s.",
                                     trainee=trainee, date=p.get("date", "")),
        "reminder_role_play_tomorrow": lambda: (
            _("Your role-play is tomorrow, %(when)s.", when=p.get("when", "")) if yours else
            _("The role-play of %(trainee)s is tomorrow, %(when)s.", trainee=trainee, when=p.get("when", ""))),
        "reminder_idle": lambda: _("%(trainee)s has done nothing on the platform since %(date)s.", trainee=trainee,
                                   date=p.get("date", "")),
        "reminder_decision": lambda: _("The readiness decision on %(trainee)s has waited since %(date)s.",
                                       trainee=trainee, date=p.get("date", "")),
    }
    return texts.get(note.kind, lambda: note.kind)()


_UNREAD = sa.select(sa.func.count(Notification.id)).where(
    Notification.user_id == sa.bindparam("uid"), Notification.read_at.is_(None))

#: The signed-in person's unread count as a column of their own row: auth.views.load_user reads it with them, so the
#: header's count costs no statement of its own (remember_unread keeps it for the request).
UNREAD_OF_USER = (sa.select(sa.func.count(Notification.id))
                  .where(Notification.user_id == User.id, Notification.read_at.is_(None))
                  .correlate(User).scalar_subquery())


def remember_unread(user_id: int, count: int) -> None:
    """The unread count read with the signed-in person, for this request (see unread_count)."""
    g.notifications_unread = (user_id, count)


def _forget_unread() -> None:
    """Every change to notifications below ends the remembered count: the header then reads it again."""
    if has_app_context():
        g.pop("notifications_unread", None)


def unread_count(user_id: int) -> int:
    """The header's count on every signed-in page: read with the signed-in person when nothing here changed their
    notifications since, else one statement, built once (building it cost more than running it)."""
    known = g.get("notifications_unread") if has_app_context() else None
    if known is not None and known[0] == user_id:
        return known[1]
    return db.session.scalar(_UNREAD, {"uid": user_id}) or 0


def mark_read(user_id: int, note_id: int | None = None) -> None:
    query = sa.update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if note_id is not None:
        query = query.where(Notification.id == note_id)
    db.session.execute(query.values(read_at=utcnow()))
    _forget_unread()


def resolve(link: str, user_ids=None) -> None:
    """Mark every unread notification pointing at this link as read: the thing it asked for is done (or, for
    `user_ids` only, no longer theirs to do)."""
    query = sa.update(Notification).where(Notification.link == link, Notification.read_at.is_(None))
    if user_ids is not None:
        ids = [u for u in user_ids if u is not None]
        if not ids:
            return
        query = query.where(Notification.user_id.in_(ids))
    db.session.execute(query.values(read_at=utcnow()))
    _forget_unread()
