"""Which reminders are due, for whom and at which level of escalation, given the facts about one trainee, the time
and the thresholds. No Flask, no database: the worker (mail.schedule) gathers the facts and sends what this says.

Each reminder names its condition (`kind`), the trainee it is about, a `period` (what instance of the condition:
one stage's planned end, one attempt, one idle spell...) and its `level` (0: the first reminder, 1: the escalation
to the heads of sales). The worker sends each (kind, trainee, period, level) once.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Reminder kinds: each is also a kind of notification, worded and labelled like the others.
STAGE_OVERDUE, STAGE_OVERDUE_ESCALATED = "reminder_stage_overdue", "escalation_stage_overdue"
GRADING, GRADING_ESCALATED = "reminder_grading", "escalation_grading"
LEDGER, ROLE_PLAY_TOMORROW, IDLE, DECISION = ("reminder_ledger", "reminder_role_play_tomorrow", "reminder_idle",
                                              "reminder_decision")
#: Who a reminder goes to: the trainee, their acting mentor (the heads when nobody mentors them), the role-play's
#: evaluators, every head of sales.
TRAINEE, MENTOR, EVALUATORS, HEADS = "trainee", "mentor", "evaluators", "heads"


@dataclass(frozen=True)
class Thresholds:
    """The configured waits (MAIL_WORKING_DAYS, REMINDER_*; see config.py and the README)."""

    working_days: frozenset = frozenset(range(5))  # Monday (0) to Friday (4)
    escalation_days: int = 3  # working days after the first reminder, the heads are told (stage, grading)
    grading_days: int = 2  # working days
    ledger_days: int = 3  # days
    idle_days: int = 5  # working days
    decision_days: int = 3  # days
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))


@dataclass(frozen=True)
class Facts:
    """What the worker knows about one trainee (None: the condition does not hold)."""

    trainee_id: int
    active: bool = True  # in training (not approved, withdrawn...)
    current_stage: int | None = None
    stage_end: date | None = None  # the open stage's planned end (None: every stage complete, or awaiting approval)
    oldest_answer: tuple | None = None  # (attempt id, submitted at) of the oldest attempt waiting for grading
    oldest_unconfirmed: datetime | None = None  # when the oldest unconfirmed ledger day was entered
    role_play: tuple | None = None  # (attempt id, scheduled for) of a scheduled role-play
    #: ((user id, their zone), ...) of the role-play's trainee and evaluators: each is reminded when the meeting is
    #: tomorrow in their own zone. Empty: everyone at once, when it is tomorrow in Thresholds.zone.
    role_play_zones: tuple = ()
    last_active: datetime | None = None  # the trainee's last action on the platform
    decision_since: tuple | None = None  # (recommendation id, made at) of a readiness decision waiting


@dataclass(frozen=True)
class Reminder:
    kind: str
    trainee_id: int
    period: str
    level: int
    to: tuple  # of TRAINEE, MENTOR, EVALUATORS, HEADS, or one person's user id

    @property
    def key(self) -> tuple:
        return self.kind, f"trainee/{self.trainee_id}", self.period, self.level


def parse_working_days(text: str) -> frozenset:
    """"mon-fri", "mon,tue,thu", "sun-thu" -> weekday numbers (Monday 0); ValueError on anything else."""
    days = set()
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        first, _dash, last = part.partition("-")
        first, last = first.strip()[:3], last.strip()[:3] or first.strip()[:3]
        if first not in WEEKDAYS or last not in WEEKDAYS:
            raise ValueError(part)  # (config.py words it for the operator)
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last)
        days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
    if not days:
        raise ValueError(text)
    return frozenset(days)


def add_working_days(start: datetime, count: int, working: frozenset) -> datetime:
    """The same time of day `count` working days after `start` (a non-working day is stepped over)."""
    moment, left = start, count
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() in working:
            left -= 1
    return moment


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def _stage(f: Facts, now: datetime, t: Thresholds) -> list:
    if f.stage_end is None or f.current_stage is None:
        return []
    late_from = _day_start(f.stage_end + timedelta(days=1), t.zone)  # behind plan from the day after the end
    period = f"stage-{f.current_stage}/{f.stage_end.isoformat()}"
    due = [Reminder(STAGE_OVERDUE, f.trainee_id, period, 0, (TRAINEE, MENTOR))] if now >= late_from else []
    if now >= add_working_days(late_from, t.escalation_days, t.working_days):
        due.append(Reminder(STAGE_OVERDUE_ESCALATED, f.trainee_id, period, 1, (HEADS,)))
    return due


def _grading(f: Facts, now: datetime, t: Thresholds) -> list:
    if f.oldest_answer is None:
        return []
    attempt_id, submitted = f.oldest_answer
    first = add_working_days(_local(submitted, t.zone), t.grading_days, t.working_days)
    period = f"attempt/{attempt_id}"
    due = [Reminder(GRADING, f.trainee_id, period, 0, (MENTOR,))] if now >= first else []
    if now >= add_working_days(first, t.escalation_days, t.working_days):
        due.append(Reminder(GRADING_ESCALATED, f.trainee_id, period, 1, (HEADS,)))
    return due


def _ledger(f: Facts, now: datetime, t: Thresholds) -> list:
    if f.oldest_unconfirmed is None or now < f.oldest_unconfirmed + timedelta(days=t.ledger_days):
        return []
    return [Reminder(LEDGER, f.trainee_id, f"entered/{f.oldest_unconfirmed.isoformat(timespec='seconds')}", 0,
                     (MENTOR,))]


def is_tomorrow(when: datetime, now: datetime, zone: ZoneInfo) -> bool:
    """`when` falls on the day after `now`'s day, both read in `zone`."""
    return _local(when, zone).date() == _local(now, zone).date() + timedelta(days=1)


def _role_play(f: Facts, now: datetime, t: Thresholds) -> list:
    if f.role_play is None:
        return []
    attempt_id, when = f.role_play
    period = f"role-play/{attempt_id}/{when.isoformat(timespec='minutes')}"
    if not f.role_play_zones:
        return [Reminder(ROLE_PLAY_TOMORROW, f.trainee_id, period, 0, (TRAINEE, EVALUATORS))] \
            if is_tomorrow(when, now, t.zone) else []
    return [Reminder(ROLE_PLAY_TOMORROW, f.trainee_id, f"{period}/user/{uid}", 0, (uid,))
            for uid, zone in f.role_play_zones if is_tomorrow(when, now, zone)]


def _idle(f: Facts, now: datetime, t: Thresholds) -> list:
    if f.last_active is None or not f.active:
        return []
    if now < add_working_days(_local(f.last_active, t.zone), t.idle_days, t.working_days):
        return []
    return [Reminder(IDLE, f.trainee_id, f"since/{f.last_active.isoformat(timespec='seconds')}", 0, (MENTOR,))]


def _decision(f: Facts, now: datetime, t: Thresholds) -> list:
    if f.decision_since is None:
        return []
    recommendation_id, made = f.decision_since
    if now < made + timedelta(days=t.decision_days):
        return []
    return [Reminder(DECISION, f.trainee_id, f"recommendation/{recommendation_id}", 0, (HEADS,))]


CONDITIONS = (_stage, _grading, _ledger, _role_play, _idle, _decision)


def due_reminders(facts: Facts, now: datetime, thresholds: Thresholds) -> list:
    """Every reminder about this trainee whose time has come at `now` (sent or not: the worker keeps count)."""
    now = _local(now, thresholds.zone)
    return [r for condition in CONDITIONS for r in condition(facts, now, thresholds)]


def digest_week(now: datetime, zone: ZoneInfo, hour: int) -> str | None:
    """The ISO week ("2026-W49") whose digest is due at `now` in the recipient's zone: from Monday at `hour`
    until the week ends; None before Monday's hour."""
    local = _local(now, zone)
    if local.weekday() == 0 and local.hour < hour:
        return None
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"
