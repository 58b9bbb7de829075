"""The reminders the send-mail worker sends on a schedule: it gathers the facts about every trainee in training in a
fixed number of queries (the stored readiness summaries, then one grouped query per kind of wait), asks the pure
rules (mail.reminders) what is due, and sends each reminder once: a row in `mail_reminders_sent`, unique per
condition, trainee, period and level, is written in the same transaction as the notifications it makes (and
their messages), so a second run, or a second worker, sends nothing new.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..assessment.models import QuizAttempt
from ..audit.models import AuditEvent
from ..auth.models import HEAD, TRAINEE, User
from ..extensions import db, one_of
from ..activity.models import ActivityEntry
from ..mentoring.models import SCHEDULED, RolePlayAttempt, RolePlayEvaluator
from ..notifications.services import notify
from ..people.models import TraineeRecord
from ..readiness.models import ReadinessSummary, Recommendation
from ..readiness.rows import ACTIVE_STATUSES
from ..readiness.summary import refresh_stale
from ..timeutil import aware, utcnow, zone_of
from . import reminders as r
from .digest import send_digests
from .models import ReminderSent


def thresholds(config) -> r.Thresholds:
    return r.Thresholds(working_days=config["MAIL_WORKING_DAYS"], escalation_days=config["REMINDER_ESCALATION_DAYS"],
                        grading_days=config["REMINDER_GRADING_DAYS"], ledger_days=config["REMINDER_LEDGER_DAYS"],
                        idle_days=config["REMINDER_IDLE_DAYS"], decision_days=config["REMINDER_DECISION_DAYS"],
                        zone=ZoneInfo(config["MAIL_TIME_ZONE"]))


def _first_by_trainee(rows) -> dict:
    """{trainee id: the first (id, time) of rows ordered oldest first}."""
    found = {}
    for row_id, trainee_id, at in rows:
        found.setdefault(trainee_id, (row_id, aware(at)))
    return found


def gather(session, now: datetime, default_zone: str = "UTC") -> tuple:
    """(facts of every active trainee in training, who answers for each: {trainee id: (name, acting mentor id or
    None)}, the active heads' ids, {role-play attempt id: evaluator ids}). Each role-play's people come with their
    time zone (`default_zone`, the company's, for those without one)."""
    mentor = aliased(User)
    people = session.execute(
        sa.select(TraineeRecord.user_id, User.full_name, TraineeRecord.status, TraineeRecord.mentor_id, mentor.active,
                  ReadinessSummary.current_stage, ReadinessSummary.stage_end,
                  User.created_at, User.time_zone)
        .join(User, User.id == TraineeRecord.user_id)
        .outerjoin(mentor, mentor.id == TraineeRecord.mentor_id)
        .outerjoin(ReadinessSummary, ReadinessSummary.trainee_id == TraineeRecord.user_id)
        .where(User.active.is_(True), User.role == TRAINEE, one_of(TraineeRecord.status, ACTIVE_STATUSES))).all()
    ids = [p.user_id for p in people]
    if not ids:
        return [], {}, [], {}
    answers = _first_by_trainee(session.execute(
        sa.select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.submitted_at)
        .where(QuizAttempt.state == "awaiting_grading", QuizAttempt.user_id.in_(ids))
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)))
    unconfirmed = dict(session.execute(
        sa.select(ActivityEntry.trainee_id, sa.func.min(ActivityEntry.entered_at))
        .where(ActivityEntry.trainee_id.in_(ids), ActivityEntry.corrects_id.is_(None),
               ActivityEntry.confirmed_at.is_(None)).group_by(ActivityEntry.trainee_id)).all())
    role_plays = _first_by_trainee(session.execute(
        sa.select(RolePlayAttempt.id, RolePlayAttempt.trainee_id, RolePlayAttempt.scheduled_for)
        .where(RolePlayAttempt.state == SCHEDULED, RolePlayAttempt.trainee_id.in_(ids),
               RolePlayAttempt.scheduled_for > now, RolePlayAttempt.scheduled_for < now + timedelta(days=3))
        .order_by(RolePlayAttempt.scheduled_for, RolePlayAttempt.id)))
    evaluators, zones = {}, {}
    for attempt_id, evaluator_id, evaluator_zone in session.execute(
            sa.select(RolePlayEvaluator.attempt_id, RolePlayEvaluator.evaluator_id, User.time_zone)
            .join(User, User.id == RolePlayEvaluator.evaluator_id)
            .where(RolePlayEvaluator.attempt_id.in_([a for a, _t in role_plays.values()]))
            .order_by(RolePlayEvaluator.evaluator_id)):
        evaluators.setdefault(attempt_id, []).append(evaluator_id)
        zones.setdefault(attempt_id, []).append((evaluator_id, zone_of(evaluator_zone, default_zone)))
    last_seen = dict(session.execute(sa.select(AuditEvent.actor_id, sa.func.max(AuditEvent.at))
                                     .where(AuditEvent.actor_id.in_(ids)).group_by(AuditEvent.actor_id)).all())
    waiting = [p.user_id for p in people if p.status == "awaiting_approval"]
    recommended = _first_by_trainee(session.execute(
        sa.select(Recommendation.id, Recommendation.trainee_id, Recommendation.created_at)
        .where(Recommendation.trainee_id.in_(waiting), Recommendation.ready.is_(True))
        .order_by(Recommendation.created_at.desc(), Recommendation.id.desc())))
    heads = list(session.scalars(sa.select(User.id).where(User.role == HEAD, User.active.is_(True))
                                 .order_by(User.id)))
    facts, answerers = [], {}
    for p in people:
        uid = p.user_id
        answerers[uid] = (p.full_name, p.mentor_id if p.mentor_id is not None and p.active else None)
        seen = max(aware(last_seen[uid]), aware(p.created_at)) if uid in last_seen else aware(p.created_at)
        facts.append(r.Facts(
            trainee_id=uid, active=p.status != "awaiting_approval", current_stage=p.current_stage,
            stage_end=p.stage_end if p.status != "awaiting_approval" else None,
            oldest_answer=answers.get(uid),
            oldest_unconfirmed=aware(unconfirmed[uid]) if unconfirmed.get(uid) else None,
            role_play=role_plays.get(uid), last_active=seen, decision_since=recommended.get(uid),
            role_play_zones=((uid, zone_of(p.time_zone, default_zone)), *zones.get(role_plays[uid][0], []))
            if uid in role_plays else ()))
    return facts, answerers, heads, evaluators


def _recipients(reminder: r.Reminder, answerers: dict, heads: list, evaluators: dict, facts: r.Facts) -> dict:
    """{user id: the link they get} for a due reminder."""
    tid = reminder.trainee_id
    page = f"/trainees/{tid}"
    links = {
        r.STAGE_OVERDUE: page, r.STAGE_OVERDUE_ESCALATED: page, r.IDLE: page,
        r.GRADING: f"/attempts/{facts.oldest_answer[0]}/grade" if facts.oldest_answer else page,
        r.GRADING_ESCALATED: f"/attempts/{facts.oldest_answer[0]}/grade" if facts.oldest_answer else page,
        r.LEDGER: f"{page}/activity", r.DECISION: f"{page}#readiness",
        r.ROLE_PLAY_TOMORROW: f"/role-play/{facts.role_play[0]}" if facts.role_play else page,
    }
    link = links[reminder.kind]
    mentor = answerers[tid][1]
    found = {}
    for who in reminder.to:
        if who == r.TRAINEE:
            found[tid] = "/" if reminder.kind == r.STAGE_OVERDUE else link
        elif who == r.MENTOR:
            found.update({uid: link for uid in ([mentor] if mentor else heads)})
        elif who == r.HEADS:
            found.update({uid: link for uid in heads})
        elif isinstance(who, int):  # one person, reminded in their own time zone
            found[who] = link
        elif who == r.EVALUATORS and facts.role_play:
            found.update({uid: link for uid in evaluators.get(facts.role_play[0], [])})
    return found


def _params(reminder: r.Reminder, facts: r.Facts, name: str) -> dict:
    params = {"trainee": name, "trainee_id": facts.trainee_id}
    if reminder.kind in (r.STAGE_OVERDUE, r.STAGE_OVERDUE_ESCALATED):
        params.update(stage=facts.current_stage, date=facts.stage_end.isoformat())
    elif reminder.kind in (r.GRADING, r.GRADING_ESCALATED):
        params["when"] = facts.oldest_answer[1].isoformat(timespec="minutes")
    elif reminder.kind == r.LEDGER:
        params["date"] = facts.oldest_unconfirmed.date().isoformat()
    elif reminder.kind == r.ROLE_PLAY_TOMORROW:
        params["when"] = facts.role_play[1].isoformat(timespec="minutes")
    elif reminder.kind == r.IDLE:
        params["date"] = facts.last_active.date().isoformat()
    elif reminder.kind == r.DECISION:
        params["date"] = facts.decision_since[1].date().isoformat()
    return params


def send_reminders(session, config, now: datetime | None = None) -> int:
    """Send every reminder due at `now` that has not gone out yet; commits; returns how many went out."""
    now = now or utcnow()
    facts, answerers, heads, evaluators = gather(session, now, config["MAIL_TIME_ZONE"])
    rules = thresholds(config)
    due = [(f, reminder) for f in facts for reminder in r.due_reminders(f, now, rules)]
    if not due:
        return 0
    subjects = {reminder.key[1] for _f, reminder in due}
    sent = set(session.execute(sa.select(ReminderSent.kind, ReminderSent.subject, ReminderSent.period,
                                         ReminderSent.level).where(ReminderSent.subject.in_(subjects))).all())
    count = 0
    for f, reminder in due:
        if reminder.key in sent:
            continue
        recipients = _recipients(reminder, answerers, heads, evaluators, f)
        kind, subject, period, level = reminder.key
        try:
            with session.begin_nested():  # a worker that sent it a moment ago wins; this one skips it
                session.add(ReminderSent(kind=kind, subject=subject, period=period, level=level,
                                         recipients=len(recipients), sent_at=now))
                session.flush()
                params = _params(reminder, f, answerers[f.trainee_id][0])
                for uid, link in sorted(recipients.items()):
                    notify([uid], kind, link=link, **params)
                session.flush()
        except IntegrityError:
            continue
        sent.add(reminder.key)
        count += 1
    session.commit()
    return count


def evaluate(config, now: datetime | None = None) -> tuple:
    """What the worker runs on its schedule: bring the stored summaries up to date, then send the reminders and
    the weekly digests that are due. Returns (reminders sent, digests sent)."""
    refresh_stale(db.session)
    return send_reminders(db.session, config, now), send_digests(db.session, config, now)
