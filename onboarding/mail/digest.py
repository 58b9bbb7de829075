"""The weekly digest for mentors and heads of sales, from Monday morning in each one's own time zone (else
MAIL_TIME_ZONE): who is behind plan, what waits on them, and what changed in the last seven days (each trainee's
steps, from the audit log, and the notifications they send to the digest), each with a link. Nothing is sent when
there is nothing to say; either way the week is settled by a row in `mail_reminders_sent` (unique per person and
their own week), so a second run or a second worker sends no second digest."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..audit.models import AuditEvent
from ..audit.wording import ACTION_NAMES
from ..auth.models import HEAD, MENTOR, TRAINEE, User
from ..extensions import one_of
from ..i18n import fmt_date, join_list
from ..notifications.models import Notification
from ..notifications.services import wording
from ..people.models import TraineeRecord
from ..readiness.labels import WAIT_LABELS
from ..readiness.models import ReadinessSummary
from ..readiness.rows import ACTIVE_STATUSES
from ..timeutil import utcnow, zone_of
from .kinds import DIGEST_KIND, DIGEST_ROLES
from .models import OFF, DigestItem, MailPreference, ReminderSent
from .outbox import absolute, compose, outbox_row, reader
from .reminders import digest_week


#: The steps of a trainee's path the digest counts as what changed.
PROGRESS = ("module_completed", "document_signed", "quiz_submitted", "quiz_graded", "sign_off_signed",
            "activity_logged", "role_play_result", "hold_keep", "hold_extend", "hold_withdraw", "readiness_recommended",
            "readiness_approved", "readiness_extended", "readiness_rejected")


@dataclass
class Digest:
    """What one person's digest says: trainees behind plan, what waits on them per trainee, what changed."""

    behind: list = field(default_factory=list)  # (trainee id, name, stage, planned end)
    waiting: list = field(default_factory=list)  # (trainee id, name, {what: count})
    progress: list = field(default_factory=list)  # (trainee id, name, {action: count}) over the last seven days
    changed: list = field(default_factory=list)  # Notification

    def __bool__(self) -> bool:
        return bool(self.behind or self.waiting or self.progress or self.changed)


def _trainees(session) -> list:
    mentor = aliased(User)
    return session.execute(
        sa.select(TraineeRecord.user_id, User.full_name, TraineeRecord.mentor_id, mentor.active,
                  ReadinessSummary.overdue, ReadinessSummary.current_stage, ReadinessSummary.stage_end,
                  ReadinessSummary.waits)
        .join(User, User.id == TraineeRecord.user_id)
        .join(ReadinessSummary, ReadinessSummary.trainee_id == TraineeRecord.user_id)
        .outerjoin(mentor, mentor.id == TraineeRecord.mentor_id)
        .where(User.active.is_(True), User.role == TRAINEE, one_of(TraineeRecord.status, ACTIVE_STATUSES))
        .order_by(User.full_name, User.id)).all()


def _progress(session, now: datetime) -> dict:
    """{trainee id: {action: count}} of the steps of the last seven days, in one grouped query."""
    found = {}
    for trainee_id, action, count in session.execute(
            sa.select(AuditEvent.trainee_id, AuditEvent.action, sa.func.count(AuditEvent.id))
            .where(AuditEvent.at >= now - timedelta(days=7), AuditEvent.at < now, AuditEvent.action.in_(PROGRESS),
                   AuditEvent.trainee_id.is_not(None))
            .group_by(AuditEvent.trainee_id, AuditEvent.action)):
        found.setdefault(trainee_id, {})[action] = count
    return found


def digest_for(person: User, trainees: list, items: list, progress: dict) -> Digest:
    """The digest of a mentor (their own trainees) or a head of sales (every trainee); pure."""
    mine = [t for t in trainees
            if person.role == HEAD or (person.role == MENTOR and t.mentor_id == person.id and t.active)]
    party = "head" if person.role == HEAD else "mentor"
    return Digest(behind=[(t.user_id, t.full_name, t.current_stage, t.stage_end) for t in mine if t.overdue],
                  waiting=[(t.user_id, t.full_name, (t.waits or {})[party]) for t in mine
                           if (t.waits or {}).get(party)],
                  progress=[(t.user_id, t.full_name, progress[t.user_id]) for t in mine if t.user_id in progress],
                  changed=items)


def _letter(person: User, digest: Digest, week: str):
    with reader(person):
        from flask_babel import gettext as _
        from flask_babel import ngettext

        behind = [{"name": name, "link": absolute(f"/trainees/{tid}"),
                   "text": _("stage %(stage)s was planned to end on %(date)s", stage=stage,
                             date=fmt_date(end) if end else "")} for tid, name, stage, end in digest.behind]
        waiting = [{"name": name, "link": absolute(f"/trainees/{tid}"),
                    "text": join_list(f"{WAIT_LABELS.get(k, k)}: {n}" for k, n in sorted(what.items()))}
                   for tid, name, what in digest.waiting]
        changed = [{"text": f"{name}: " + join_list(f"{ACTION_NAMES.get(a, a)}: {n}" for a, n in sorted(what.items())),
                    "link": absolute(f"/trainees/{tid}/timeline")} for tid, name, what in digest.progress]
        changed += [{"text": wording(note), "link": absolute(note.link)} for note in digest.changed]
        parts = [ngettext("%(num)d trainee behind plan", "%(num)d trainees behind plan", len(behind)) if behind
                 else "", ngettext("%(num)d trainee waits on you", "%(num)d trainees wait on you", len(waiting))
                 if waiting else "",
                 ngettext("%(num)d change", "%(num)d changes", len(changed)) if changed else ""]
        subject = _("Your week: %(summary)s", summary=join_list(p for p in parts if p))
        return compose(person, DIGEST_KIND, f"digest/{week}", (), subject, "mail/digest",
                       {"text": subject, "behind": behind, "waiting": waiting, "changed": changed,
                        "link": absolute("/inbox")})


def due_weeks(people, now: datetime, default_zone: str, hour: int) -> dict:
    """{user id: the ISO week whose digest is due for them at `now`} from Monday `hour` in each person's own time
    zone (MAIL_TIME_ZONE for those without one); people whose Monday morning has not come are left out."""
    weeks = {u.id: digest_week(now, zone_of(u.time_zone, default_zone), hour) for u in people}
    return {uid: week for uid, week in weeks.items() if week is not None}


def send_digests(session, config, now: datetime | None = None) -> int:
    """Send this week's digest to every mentor and head of sales whose Monday morning (in their own time zone) has
    come and who has not had it; commits; returns how many were sent."""
    now = now or utcnow()
    everyone = session.scalars(sa.select(User).where(one_of(User.role, DIGEST_ROLES), User.active.is_(True))
                               .order_by(User.id)).all()
    weeks = due_weeks(everyone, now, config["MAIL_TIME_ZONE"], config["MAIL_DIGEST_HOUR"])
    if not weeks:
        return 0
    done = set(session.execute(sa.select(ReminderSent.subject, ReminderSent.period).where(
        ReminderSent.kind == DIGEST_KIND, ReminderSent.period.in_(set(weeks.values())))).all())
    people = [u for u in everyone if u.id in weeks and (f"user/{u.id}", weeks[u.id]) not in done]
    if not people:
        return 0
    ids = [u.id for u in people]
    off = set(session.scalars(sa.select(MailPreference.user_id).where(
        MailPreference.user_id.in_(ids), MailPreference.kind == DIGEST_KIND, MailPreference.choice == OFF)))
    waiting_items = {}
    for item, note in session.execute(
            sa.select(DigestItem, Notification).join(Notification, Notification.id == DigestItem.notification_id)
            .where(DigestItem.user_id.in_(ids), DigestItem.sent_at.is_(None))
            .order_by(Notification.created_at, Notification.id)):
        waiting_items.setdefault(item.user_id, []).append((item, note))
    trainees, progress = _trainees(session), _progress(session, now)
    sent = 0
    for person in people:
        week, items = weeks[person.id], waiting_items.get(person.id, [])
        digest = digest_for(person, trainees, [note for _item, note in items], progress)
        goes = bool(digest) and person.id not in off
        try:
            with session.begin_nested():
                session.add(ReminderSent(kind=DIGEST_KIND, subject=f"user/{person.id}", period=week, level=0,
                                         recipients=int(goes), sent_at=now))
                session.flush()
                for item, _note in items:
                    item.sent_at = now
                if goes:
                    session.add(outbox_row(person, DIGEST_KIND, f"digest/{week}", _letter(person, digest, week), now))
                session.flush()
        except IntegrityError:
            continue
        sent += goes
    session.commit()
    return sent
