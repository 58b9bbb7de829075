"""What waits on one person, oldest first, each with the time it has waited and where to act.

A mentor's inbox covers the trainees they mentor; a head of sales' covers the trainees nobody mentors (the head
answers for them: see people.services.answerers) and the trainee they mentor themselves, plus the decisions only a
head takes; an admin's is the heads' list, read-only. Role-plays to score come to whoever sits on the panel.
Built with a fixed number of queries whatever the number of trainees: the stored summaries pick the trainees
something waits for on the reader and say what waits (their `waits`: the dashboard's "Waiting on" column, as the
path rules computed it), the times come from a few bulk queries, and a trainee's path is computed only when an item
dates from it (a stage completed, a quiz passed): a role-play to schedule, a go / no-go, a recommendation, a quiz
whose attempts are used.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..assessment.models import AWAITING, GRADED, QuizAttempt
from ..assessment.queue import answers_drafted, answers_left
from ..auth.models import ADMIN, HEAD, MENTOR, TRAINEE, User
from ..content import curriculum
from ..extensions import db, one_of
from ..activity.models import ActivityEntry
from ..mentoring.models import SCHEDULED, SCORED, RolePlayAttempt, RolePlayEvaluator, SignOffEvent
from ..mentoring.rules import REQUESTED, SIGNED
from ..mentoring.services import role_play_requirements
from ..people.models import TraineeRecord
from ..readiness.models import ReadinessSummary
from ..path.service import facts_for, progress_of
from ..readiness.rows import ACTIVE_STATUSES, has_acting_mentor, latest_recommendations
from ..readiness.summary import refresh_stale
from ..timeutil import aware, utcnow

# What can wait on someone. The first seven wait on whoever answers for the trainee (or sits on the panel); the
# last three on the head of sales alone.
GRADE, SIGN_OFF, LEDGER, SCORE, SCHEDULE, RECOMMEND = "grade", "sign_off", "ledger", "score", "schedule", "recommend"
GO_NO_GO = "go_no_go"
DECIDE, HOLD, EXTRA_ATTEMPT = "decide", "hold", "extra_attempt"
KINDS = (GRADE, SIGN_OFF, LEDGER, SCORE, SCHEDULE, GO_NO_GO, RECOMMEND, DECIDE, HOLD, EXTRA_ATTEMPT)


@dataclass(frozen=True)
class Item:
    """One thing that waits: on which trainee, since when, and the page where it is done (an endpoint, its
    arguments and an anchor; the view makes the link, carrying the way back to the inbox)."""

    kind: str
    trainee: User
    since: datetime
    endpoint: str
    args: dict
    anchor: str = ""
    detail: dict = field(default_factory=dict)
    unmentored: bool = False  # the head of sales answers for this trainee: no active mentor


def _at(day: date | datetime | None) -> datetime | None:
    """A day as its first moment (UTC), a stored time as an aware one, so every kind sorts on one axis."""
    if day is None:
        return None
    if isinstance(day, datetime):
        return aware(day)
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _latest(*moments) -> datetime | None:
    known = [m for m in (_at(m) for m in moments) if m is not None]
    return max(known) if known else None


def answers_for(user: User, record: TraineeRecord) -> bool:
    """Whether what waits on the trainee's mentor waits on `user`: they are the acting mentor, or the trainee has
    none and `user` is a head of sales (or an admin, reading the heads' list)."""
    if has_acting_mentor(record):
        return record.mentor_id == user.id and user.role != ADMIN
    return user.role in (HEAD, ADMIN)


@dataclass
class _Row:
    """A trainee something waits for on the reader: their record, what waits on whom (the stored summary's), the day
    stage 4 opened, and, only when an item dates from it, their path, quiz statuses and latest recommendation."""

    record: TraineeRecord
    waits: dict
    stage4_opened: date | None
    progress: object = None
    quizzes: dict = field(default_factory=dict)
    recommendation: object = None


#: What waits on a trainee's mentor (or the head, for a trainee nobody mentors) that dates from the path, and what
#: waits on a head of sales alone that does.
_FROM_PATH = ("role_play_schedule", "go_no_go", "recommendation")
_FROM_PATH_HEAD = ("quiz_attempt", "readiness")  # a readiness decision dates from the latest recommendation


def _rows(user: User) -> list:
    """The trainees something waits for on `user`, as their stored summaries count it (refreshed first when stale):
    the rest are not read, so a head of sales' inbox costs what waits on them, not the number of trainees."""
    refresh_stale(db.session)
    rows = [_Row(record, waits or {}, opened) for record, waits, opened
            in db.session.execute(_waiting_statement(user.role == MENTOR), {"uid": user.id})]
    dated = [row for row in rows if _dates_from_path(row)]
    if dated:
        ids = [row.record.user_id for row in dated]
        done, quiz_status, practice, go = facts_for(ids)
        recommendations = latest_recommendations(ids)
        for row in dated:
            uid = row.record.user_id
            row.progress = progress_of(row.record, done[uid], quiz_status[uid], practice[uid], go.get(uid))
            row.quizzes, row.recommendation = quiz_status[uid], recommendations.get(uid)
    return rows


@cache
def _waiting_statement(mentor: bool):
    """The records of the trainees with items for a mentor (`uid`), or for a head of sales (`uid`'s own trainees
    and every trainee with items for the heads): built once, as every statement here."""
    trainee, S = aliased(User), ReadinessSummary
    query = (sa.select(TraineeRecord, S.waits, S.stage4_opened).join(trainee, TraineeRecord.user_id == trainee.id)
             .join(S, S.trainee_id == TraineeRecord.user_id)
             .where(trainee.active.is_(True), trainee.role == TRAINEE, one_of(TraineeRecord.status, ACTIVE_STATUSES)))
    mentored = sa.and_(TraineeRecord.mentor_id == sa.bindparam("uid"), S.inbox_mentor > 0)
    return query.where(mentored if mentor else sa.or_(mentored, S.inbox_head > 0)).order_by(TraineeRecord.id)


def _dates_from_path(row: _Row) -> bool:
    """Whether an item of this trainee's waits since a day of their path (or their latest recommendation)."""
    acting = row.waits.get("mentor" if has_acting_mentor(row.record) else "head", {})
    head = row.waits.get("head", {})
    return any(acting.get(k) for k in _FROM_PATH) or any(head.get(k) for k in _FROM_PATH_HEAD)


def inbox(user: User, min_weeks: int, now: datetime | None = None) -> list:
    """Everything that waits on `user`, oldest first."""
    now = now or utcnow()
    rows = _rows(user)
    by_id = {row.record.user_id: row for row in rows}
    mine = [uid for uid, row in by_id.items() if answers_for(user, row.record)]
    heads_view = user.role in (HEAD, ADMIN)
    events = _sign_off_events(mine)
    results = _role_play_results(list(by_id) if heads_view else mine)
    items = [*_answers_to_grade(mine, by_id), *_sign_offs(events, by_id), *_ledger_days(mine, by_id),
             *_role_plays_to_score(user, now)]
    for uid in mine:
        items += _due_from_mentor(by_id[uid], events, results, min_weeks)
    if heads_view:
        graded = _last_graded([row.record.user_id for row in rows if row.waits.get("head", {}).get("quiz_attempt")])
        for row in rows:
            items += _due_from_head(row, results, graded)
    items.sort(key=lambda item: (item.since, item.trainee.full_name.lower(), KINDS.index(item.kind)))
    return items


def _item(kind, row, since, endpoint, args, anchor="", **detail) -> Item:
    return Item(kind, row.record.user, since, endpoint, args, anchor, detail, not has_acting_mentor(row.record))


def _answers_to_grade(ids, by_id) -> list:
    """Attempts waiting for grading, a draft in progress shown with who saved it and when."""
    if not ids:
        return []
    quizzes = curriculum().quizzes or {}
    items = []
    for a in db.session.execute(_grading_statement(), {"ids": ids}):
        quiz = quizzes.get(a.quiz_slug)
        items.append(_item(GRADE, by_id[a.user_id], _at(a.submitted_at), "assessment.grade_attempt",
                           {"attempt_id": a.id}, quiz=quiz.title if quiz else a.quiz_slug, number=a.number,
                           to_grade=int(a.to_grade or 0), drafted=int(a.drafted or 0) if a.draft_saved_at else 0,
                           draft_at=_at(a.draft_saved_at), draft_by=a.draft_by if a.draft_saved_at else None))
    return items


_IDS = sa.bindparam("ids", expanding=True)  # the trainees' ids, in every statement for many


@cache
def _grading_statement():
    """The trainees' attempts waiting for grading: the written answers left to grade, and of a draft, how many
    answers have points so far and who saved it (assessment.queue's counts, read for each attempt alone)."""
    author = aliased(User)
    return (sa.select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.quiz_slug, QuizAttempt.number,
                      QuizAttempt.submitted_at, QuizAttempt.draft_saved_at, author.full_name.label("draft_by"),
                      answers_left().label("to_grade"), answers_drafted().label("drafted"))
            .outerjoin(author, author.id == QuizAttempt.draft_by)
            .where(QuizAttempt.user_id.in_(_IDS), QuizAttempt.state == AWAITING))


def _sign_off_events(ids) -> dict:
    """{(trainee id, task id): (latest kind, its time)}."""
    latest = {}
    if ids:
        for uid, task, kind, at in db.session.execute(_sign_off_statement(), {"ids": ids}):
            latest[(uid, task)] = (kind, _at(at))
    return latest


@cache
def _sign_off_statement():
    return (sa.select(SignOffEvent.trainee_id, SignOffEvent.task_id, SignOffEvent.kind, SignOffEvent.at)
            .where(SignOffEvent.trainee_id.in_(_IDS)).order_by(SignOffEvent.id))


def _sign_offs(events, by_id) -> list:
    tasks = curriculum().tasks
    return [_item(SIGN_OFF, by_id[uid], at, "mentoring.checklist", {"user_id": uid}, f"task-{task}",
                  task=tasks[task].title if task in tasks else task)
            for (uid, task), (kind, at) in events.items() if kind == REQUESTED]


def _ledger_days(ids, by_id) -> list:
    """One item per trainee: the days of figures not confirmed yet, waiting since the oldest was entered."""
    if not ids:
        return []
    rows = db.session.execute(_ledger_statement(), {"ids": ids})
    return [_item(LEDGER, by_id[uid], _at(entered), "activity.activity", {"user_id": uid}, "days",
                  days=count, first_day=first_day) for uid, count, entered, first_day in rows]


@cache
def _ledger_statement():
    return (sa.select(ActivityEntry.trainee_id, sa.func.count(ActivityEntry.id), sa.func.min(ActivityEntry.entered_at),
                      sa.func.min(ActivityEntry.day))
            .where(ActivityEntry.trainee_id.in_(_IDS), ActivityEntry.corrects_id.is_(None),
                   ActivityEntry.confirmed_at.is_(None)).group_by(ActivityEntry.trainee_id))


def _role_plays_to_score(user, now) -> list:
    """Attempts whose time has come where `user` sits on the panel and has not scored yet (any trainee)."""
    scenarios = curriculum().scenarios or {}
    items = []
    for attempt_id, when, slug, number, trainee in db.session.execute(_to_score_statement(),
                                                                       {"uid": user.id, "now": now}):
        items.append(Item(SCORE, trainee, _at(when), "mentoring.attempt", {"attempt_id": attempt_id},
                          detail={"scenario": scenarios[slug].title if slug in scenarios else slug, "number": number}))
    return items


@cache
def _to_score_statement():
    return (sa.select(RolePlayAttempt.id, RolePlayAttempt.scheduled_for, RolePlayAttempt.scenario_slug,
                      RolePlayAttempt.number, User)
            .join(RolePlayEvaluator, RolePlayEvaluator.attempt_id == RolePlayAttempt.id)
            .join(User, User.id == RolePlayAttempt.trainee_id)
            .where(RolePlayEvaluator.evaluator_id == sa.bindparam("uid"), RolePlayEvaluator.submitted_at.is_(None),
                   RolePlayAttempt.state == SCHEDULED,
                   RolePlayAttempt.scheduled_for <= sa.bindparam("now", type_=sa.DateTime(timezone=True))))


def _role_play_results(ids) -> dict:
    """{trainee id: the time of their last failed role-play attempt}."""
    failed = {}
    if ids:
        for uid, at in db.session.execute(_failed_statement(), {"ids": ids}):
            failed[uid] = _at(at)
    return failed


@cache
def _failed_statement():
    return (sa.select(RolePlayAttempt.trainee_id, RolePlayAttempt.completed_at)
            .where(RolePlayAttempt.trainee_id.in_(_IDS), RolePlayAttempt.state == SCORED,
                   RolePlayAttempt.passed.is_(False)).order_by(RolePlayAttempt.completed_at))


def _last_graded(ids) -> dict:
    """{(trainee id, quiz slug): when their last attempt at it was graded}."""
    if not ids:
        return {}
    return {(uid, slug): _at(at) for uid, slug, at in db.session.execute(
        sa.select(QuizAttempt.user_id, QuizAttempt.quiz_slug, sa.func.max(QuizAttempt.graded_at))
        .where(QuizAttempt.user_id.in_(ids), QuizAttempt.state == GRADED)
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_slug))}


def _due_from_mentor(row, events, failed, min_weeks) -> list:
    """A role-play ready to schedule, the go / no-go decision after cold calling and a recommendation due, as the
    dashboard's rules say; each waits since the day its last condition was met."""
    uid, p = row.record.user_id, row.progress
    waits = row.waits.get("mentor" if has_acting_mentor(row.record) else "head", {})
    items = []
    if waits.get("role_play_schedule"):
        quizzes, tasks = role_play_requirements(curriculum())
        numbers = [s.number for s in p.stages]
        stage = next((s for s in p.stages if s.needs_role_play), None)
        before = p.stages[numbers.index(stage.number) - 1].completed_on if stage and numbers.index(stage.number) else None
        since = _latest(before, failed.get(uid), *(row.quizzes[q].passed_on for q in quizzes if q in row.quizzes),
                        *(events[(uid, t)][1] for t in tasks if events.get((uid, t), ("",))[0] == SIGNED))
        items.append(_item(SCHEDULE, row, since or _at(row.record.start_date), "mentoring.role_play",
                           {"user_id": uid}, "schedule", failed=uid in failed))
    if waits.get("go_no_go"):
        number = next(s.number for s in p.stages if s.needs_go)
        before = next((s.completed_on for s in p.stages if s.number == number - 1), None)
        stage = curriculum().stage(number)
        tasks = stage.checklist.tasks if stage.checklist else ()
        since = _latest(before, *(row.quizzes[q.slug].passed_on for q in stage.quizzes if q.slug in row.quizzes),
                        *(events[(uid, t.id)][1] for t in tasks if events.get((uid, t.id), ("",))[0] == SIGNED))
        items.append(_item(GO_NO_GO, row, since or _at(row.record.start_date), "people.trainee", {"user_id": uid},
                           "go-decision"))
    if waits.get("recommendation"):
        supervised = row.stage4_opened + timedelta(weeks=min_weeks) if row.stage4_opened else None
        since = _latest(supervised, *(s.completed_on for s in p.stages))
        items.append(_item(RECOMMEND, row, since or _at(row.record.start_date), "people.trainee", {"user_id": uid},
                           "readiness"))
    return items


def _due_from_head(row, failed, graded) -> list:
    """Decisions only the head of sales takes: readiness awaiting approval, a trainee held after the role-play,
    a quiz whose attempts are all used."""
    uid, waits = row.record.user_id, row.waits.get("head", {})
    items = []
    if waits.get("readiness"):
        rec = row.recommendation
        items.append(_item(DECIDE, row, _at(rec.created_at) if rec else _at(row.record.start_date),
                           "people.trainee", {"user_id": uid}, "readiness",
                           mentor=rec.mentor.full_name if rec and rec.mentor else None))
    if waits.get("role_play_hold"):
        items.append(_item(HOLD, row, failed.get(uid) or _at(row.record.start_date), "mentoring.role_play",
                           {"user_id": uid}, "decision"))
    if waits.get("quiz_attempt"):
        quizzes = curriculum().quizzes or {}
        for stage in row.progress.stages:
            for slug in stage.blocked_quizzes:
                items.append(_item(EXTRA_ATTEMPT, row, graded.get((uid, slug)) or _at(row.record.start_date),
                                   "people.trainee", {"user_id": uid}, "blocked",
                                   quiz=quizzes[slug].title if slug in quizzes else slug))
    return items


def waiting_count(user: User, now: datetime | None = None) -> int:
    """The header's badge: how many items the inbox page lists for `user`, in one query. Each trainee's stored
    summary (readiness.summary) counts the items they put before their acting mentor and before the heads of
    sales, so no path is computed here; role-plays to score are counted live, as their time comes. The summaries
    are as of the trainee's last change or the day's first list (or the nightly `rebuild-summaries`)."""
    if user.role not in (MENTOR, HEAD):
        return 0
    statement = _badge_statements()[user.role == HEAD]
    return int(db.session.scalar(statement, {"uid": user.id, "now": now or utcnow()}) or 0)


_badge: dict = {}


def _badge_statements() -> dict:
    """The badge's two statements (a mentor's; a head's, which adds every head's items), built once: every page
    of a mentor or head runs one, and building the statement cost more than running it."""
    if not _badge:
        S, trainee, mentor, R = ReadinessSummary, aliased(User), aliased(User), TraineeRecord
        in_training = sa.and_(trainee.active.is_(True), trainee.role == TRAINEE, one_of(R.status, ACTIVE_STATUSES))
        mentored = (sa.select(sa.func.coalesce(sa.func.sum(S.inbox_mentor), 0))
                    .join(R, R.user_id == S.trainee_id).join(trainee, trainee.id == R.user_id)
                    .join(mentor, mentor.id == R.mentor_id)
                    .where(in_training, R.mentor_id == sa.bindparam("uid"), mentor.active.is_(True)))
        to_score = (sa.select(sa.func.count(RolePlayEvaluator.id))
                    .join(RolePlayAttempt, RolePlayAttempt.id == RolePlayEvaluator.attempt_id)
                    .where(RolePlayEvaluator.evaluator_id == sa.bindparam("uid"),
                           RolePlayEvaluator.submitted_at.is_(None), RolePlayAttempt.state == SCHEDULED,
                           RolePlayAttempt.scheduled_for <= sa.bindparam("now", type_=sa.DateTime(timezone=True))))
        # From the few summaries with items for the heads (their index), each checked for a trainee in training:
        # never a walk over every trainee.
        for_heads = (sa.select(sa.func.coalesce(sa.func.sum(S.inbox_head), 0))
                     .where(S.inbox_head > 0, sa.exists().where(R.user_id == S.trainee_id, trainee.id == R.user_id,
                                                                in_training)))
        total = mentored.scalar_subquery() + to_score.scalar_subquery()
        _badge[False] = sa.select(total)
        _badge[True] = sa.select(total + for_heads.scalar_subquery())
    return _badge
