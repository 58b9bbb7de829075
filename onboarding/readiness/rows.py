"""Each trainee's derived state, computed from their rows by the path rules: progress, gates, forecast, what
waits on whom, last week's figures. A fixed number of queries for any number of trainees. The lists read the
stored copy of it (readiness.summary); a trainee's own page and the rows a list shows are computed here."""
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from ..content import curriculum
from ..extensions import db
from ..mentoring import rules
from ..activity import rules as activity_rules
from ..activity.scorecards import criteria_evidence, last_ended_plan, plans_by_user, verdicts_by_user
from ..activity.services import ledgers_by_user, targets_lookup, unconfirmed_by_user
from ..mentoring.services import role_play_by_user, role_play_requirements
from ..people.models import ACTIVE_STATUSES, TraineeRecord  # noqa: F401 (the dashboards read it here)
from ..timeutil import today
from ..path.forecast import forecast
from ..path.gates import readiness_gates
from .models import ReadinessDecision, Recommendation
from ..path.service import facts_for, progress_of

WAITERS = ("trainee", "mentor", "evaluators", "head")


@dataclass
class Row:
    record: TraineeRecord
    progress: object
    gates: list
    forecast: object
    stage4_opened: date | None
    role_play: str
    waits: dict = field(default_factory=dict)  # who -> {what: count}
    week: dict = field(default_factory=dict)  # figure -> (done last full week, weekly target)
    recommendation: Recommendation | None = None
    decision: ReadinessDecision | None = None
    quizzes: dict = field(default_factory=dict)  # quiz slug -> QuizStatus
    role_play_ready: bool = False  # everything before the role-play is done and no attempt is scheduled: schedule one
    go: object = None  # the go / no-go decision after cold calling (readiness.models.GoDecision), if taken
    done: frozenset = frozenset()  # the slugs of the modules read (a re-read asked for counts once made)

    @property
    def ready(self) -> bool:
        return all(g.met for g in self.gates)

    @property
    def waiting_on(self) -> tuple:
        return tuple(who for who in WAITERS if self.waits.get(who))


_LATEST: dict = {}  # (model, stamp) -> its statement, built once (see learning.services)


def _latest(model, ids, stamp):
    """{trainee id: the newest row of model} in one query."""
    if not ids:
        return {}
    latest = {}
    statement = _LATEST.get((model, stamp))
    if statement is None:
        statement = _LATEST[(model, stamp)] = sa.select(model).where(
            model.trainee_id.in_(sa.bindparam("ids", expanding=True))).order_by(stamp, model.id)
    for row in db.session.scalars(statement, {"ids": list(ids)}):
        latest[row.trainee_id] = row
    return latest


def latest_recommendations(ids) -> dict:
    """{trainee id: their latest recommendation (with its mentor)}, in one query."""
    return _latest(Recommendation, ids, Recommendation.created_at)


def build_rows(records, min_weeks: int, on: date | None = None) -> list:
    """Rows for these trainee records: progress, gates, forecast, waits, last week's activity."""
    on = on or today()
    ids = [r.user_id for r in records]
    done, quiz_status, practice, go = facts_for(ids)
    progress = {r.user_id: progress_of(r, done[r.user_id], quiz_status[r.user_id], practice[r.user_id],
                                       go.get(r.user_id)) for r in records}
    opened = {uid: p.stages[2].completed_on if len(p.stages) >= 4 else None for uid, p in progress.items()}
    last_monday = activity_rules.monday(on) - timedelta(days=7)
    days = ledgers_by_user(ids, last_monday, [uid for uid, d in opened.items() if d])
    targets = targets_lookup()
    role_play = role_play_by_user(ids)
    before_quizzes, before_tasks = role_play_requirements(curriculum())
    unconfirmed = unconfirmed_by_user(ids)
    recommendations = latest_recommendations(ids)
    decisions = _latest(ReadinessDecision, ids, ReadinessDecision.decided_at)
    in_stage4 = [uid for uid, d in opened.items() if d]
    verdicts = verdicts_by_user(in_stage4)
    plans, moved = plans_by_user(in_stage4)
    required, window = current_app.config["CRITERIA_WEEKS_MET"], current_app.config["CRITERIA_WEEKS"]
    rows = []
    for r in records:
        uid, p, since = r.user_id, progress[r.user_id], opened[r.user_id]
        team_targets = targets(r.team_id)
        supervised = (activity_rules.full_weeks(activity_rules.weeks(days[uid], since, on), since, on) if since else [])
        plan = last_ended_plan(plans[uid], days[uid], moved[uid], on) if since else None
        gates = readiness_gates(p, practice[uid]["role_play_passed"], practice[uid]["signature_current"], since, on,
                                min_weeks, activity_rules.targets_met(supervised, team_targets),
                                criteria_evidence(since, on, verdicts.get(uid, {}), required, window) if since else None,
                                {"month": plan.plan.month.isoformat()[:7], "met": plan.met} if plan else None)
        last_week = activity_rules.weeks(days[uid], last_monday, last_monday)[0]
        rec, dec = recommendations.get(uid), decisions.get(uid)
        row = Row(r, p, gates, forecast(p, since, on, r.target_date, min_weeks, all(g.met for g in gates)), since,
                  role_play.get(uid, "none"), recommendation=rec, decision=dec, quizzes=quiz_status[uid],
                  go=go.get(uid), done=frozenset(done[uid]),
                  week={f: (last_week.totals.get(f, 0), team_targets.get(f, 0)) for f in ("calls", "meetings")})
        row.role_play_ready = row.role_play in ("none", "failed") and not rules.role_play_missing(
            stage_state=next((st.state for st in p.stages if st.needs_role_play), "locked"), attempts=(),
            allowed=1, required_quizzes=before_quizzes, required_tasks=before_tasks,
            passed_quizzes={q for q, st in quiz_status[uid].items() if st.passed},
            signed_tasks=practice[uid]["signed_tasks"])
        row.waits = _waits(row, quiz_status[uid], practice[uid], unconfirmed.get(uid, 0))
        rows.append(row)
    return rows


def has_acting_mentor(record: TraineeRecord) -> bool:
    """A mentor is assigned and active (see people.services.answerers); else the head of sales answers."""
    return record.mentor is not None and record.mentor.active


def _waits(row: Row, quiz_status: dict, practice: dict, unconfirmed: int) -> dict:
    """Who has to act next for this trainee, and on what."""
    p, status = row.progress, row.record.status
    mentor = {"answers": sum(1 for st in quiz_status.values() if st.awaiting),
              "sign_offs": len(practice["requested_tasks"]), "ledger_days": unconfirmed}
    head = {"readiness": int(status == "awaiting_approval"), "role_play_hold": int(row.role_play == "held"
                                                                                   and status != "withdrawn"),
            # every attempt at a quiz used: only the head of sales can grant one more
            "quiz_attempt": sum(len(s.blocked_quizzes) for s in p.stages) if status in ACTIVE_STATUSES else 0}
    # a role-play not yet due waits on nobody; once its time has come, on the evaluators' scores
    evaluators = {"role_play": int(row.role_play == "due")}
    if status in ACTIVE_STATUSES and row.role_play_ready:
        mentor["role_play_schedule"] = 1
    if status in ACTIVE_STATUSES and p.go_due:  # cold calling done: the mentor (or a head of sales) decides
        mentor["go_no_go"] = 1
    trainee = {"next_step": int(status in ACTIVE_STATUSES and status != "awaiting_approval"
                                and bool(p.next_module or p.next_quiz))}
    if status in ACTIVE_STATUSES and row.ready and status != "awaiting_approval" and row.recommendation is None:
        mentor["recommendation"] = 1
    if not has_acting_mentor(row.record):  # the head of sales trains a newcomer nobody mentors
        # Nobody can recommend: a ready trainee waits on the head's decision itself, which needs no recommendation.
        if mentor.pop("recommendation", 0):
            head["readiness"] = 1
        head, mentor = {**mentor, **head}, {}
    return {who: {k: v for k, v in what.items() if v} for who, what in
            (("trainee", trainee), ("mentor", mentor), ("evaluators", evaluators), ("head", head))}
