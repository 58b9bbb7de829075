"""The weekly scorecard of the seven criteria and the monthly plan: loading them with what the ledger says, and
the mentor's and head's changes (each audited; the view commits).
"""
import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..audit import record
from ..auth.models import User
from ..content import original_curriculum
from ..extensions import db, one_of
from ..timeutil import today, utcnow
from . import criteria, rules
from .models import MonthlyPlan, MovedDeal, Scorecard, ScorecardVerdict
from .services import ActivityError, ledger_day_problem, ledger_days, supervision_window, targets_and_segment

#: The figures a monthly plan sets; revenue is in the price list's currency.
PLAN_FIGURES = ("applications", "orders", "deals", "revenue")
#: The ledger figures a plan's actual is counted from (revenue: the amount booked, kept on the plan).
LEDGER_PLAN_FIGURES = ("applications", "orders", "deals")


# ---------------------------------------------------------------- months (pure helpers)

def month_of(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def elapsed(day: date) -> Fraction:
    """The share of `day`'s month gone by the end of that day: 1/30 on the 1st of a 30-day month, 1 on its last."""
    return Fraction(day.day, calendar.monthrange(day.year, day.month)[1])


def currency() -> str:
    cur = original_curriculum()
    return cur.price_list.currency if cur.price_list else "EUR"


# ---------------------------------------------------------------- the monthly plan


@dataclass(frozen=True)
class PlanStatus:
    """A month's plan against the actual to `on`: per figure the plan, the actual, what is left, the pace needed
    a day for the rest of the month, and the over-fulfilment (actual above plan); the deals moved out of it."""

    plan: MonthlyPlan
    on: date
    actual: dict
    moved: list
    over: bool = False  # the month had ended before the day the plan was looked at

    @property
    def days_to_go(self) -> int:
        """The days of the month still to work, `on` included (what is logged on it still counts): 1 on the
        month's last day, 0 once the month is over."""
        return 0 if self.over else (month_end(self.plan.month) - self.on).days + 1

    def rows(self) -> list:
        result = []
        for f in PLAN_FIGURES:
            planned, actual = getattr(self.plan, f), self.actual[f]
            left = max(planned - actual, 0)
            per_day = Fraction(left, self.days_to_go) if self.days_to_go and left else Fraction(0)
            result.append({"figure": f, "plan": planned, "actual": actual, "left": left,
                           "per_day": float(round(per_day, 1)), "over": max(actual - planned, 0),
                           "percent": round(100 * actual / planned) if planned else None})
        return result

    @property
    def met(self) -> bool:
        """Every planned figure reached, and no deal moved to the next month."""
        return not self.moved and all(self.actual[f] >= getattr(self.plan, f) for f in PLAN_FIGURES)

    def to_date(self) -> criteria.PlanToDate:
        planned = {f: getattr(self.plan, f) for f in PLAN_FIGURES}
        return criteria.PlanToDate(planned, self.actual, elapsed(self.on), len(self.moved))

    def as_dict(self) -> dict:
        return {"month": self.plan.month.isoformat()[:7], "currency": self.plan.currency, "on": self.on.isoformat(),
                "figures": {r["figure"]: {k: v for k, v in r.items() if k != "figure"} for r in self.rows()},
                "moved_deals": len(self.moved), "met": self.met}


def plan_of(trainee_id: int, month: date) -> MonthlyPlan | None:
    return db.session.scalar(sa.select(MonthlyPlan).where(MonthlyPlan.trainee_id == trainee_id,
                                                          MonthlyPlan.month == month_of(month)))


def plans_of(trainee_id: int) -> list:
    return list(db.session.scalars(sa.select(MonthlyPlan).where(MonthlyPlan.trainee_id == trainee_id)
                                   .order_by(MonthlyPlan.month.desc())))


def moved_deals(trainee_id: int) -> list:
    return list(db.session.scalars(sa.select(MovedDeal).where(MovedDeal.trainee_id == trainee_id)
                                   .order_by(MovedDeal.day.desc(), MovedDeal.id.desc())))


def plan_status(plan: MonthlyPlan, days: dict, moved: list, on: date) -> PlanStatus:
    """The plan against the ledger `days` ({day: figures}) and the deals `moved`, to `on` (at most the month's
    last day: a later day finds the month over)."""
    over, on = on > month_end(plan.month), min(on, month_end(plan.month))
    in_month = [f for d, f in days.items() if plan.month <= d <= on]
    totals, _unknown = rules.sums(in_month)
    actual = {f: totals[f] for f in LEDGER_PLAN_FIGURES}
    actual["revenue"] = plan.revenue_booked
    return PlanStatus(plan, on, actual, [m for m in moved if plan.month <= m.day <= on], over)


def _check_plan_figures(figures: dict) -> None:
    if any(not isinstance(figures.get(f), int) or not 0 <= figures[f] <= 100_000_000
           for f in (*PLAN_FIGURES, "revenue_booked")):
        raise ActivityError(_l("Enter whole numbers from 0."))


def set_plan(trainee: User, month: date, figures: dict, actor: User) -> MonthlyPlan:
    """The trainee's plan for `month` (its first day is kept), new or changed: applications, orders, deals, revenue
    and the revenue booked so far. Only for stage 4; the caller checks who may."""
    _check_plan_figures(figures)
    month = month_of(month)
    plan = plan_of(trainee.id, month)
    before = {f: getattr(plan, f) for f in (*PLAN_FIGURES, "revenue_booked")} if plan else None
    if plan is None:
        plan = MonthlyPlan(trainee_id=trainee.id, month=month, currency=currency())
        db.session.add(plan)
    for f in (*PLAN_FIGURES, "revenue_booked"):
        setattr(plan, f, figures[f])
    plan.set_by, plan.set_at = actor.id, utcnow()
    db.session.flush()
    record("monthly_plan_set", plan, actor=actor, trainee=trainee.id, month=month.isoformat()[:7], before=before,
           after={f: figures[f] for f in (*PLAN_FIGURES, "revenue_booked")})
    return plan


def record_moved_deal(trainee: User, day: date, client: str, reason: str, actor: User) -> MovedDeal:
    """A deal that was ready on `day` (from the trainee's start to today) and moved to the next month."""
    problem = ledger_day_problem(trainee.id, day)
    if problem:
        raise ActivityError(problem)
    if not client.strip() or not reason.strip():
        raise ActivityError(_l("Name the client and say why the deal moved."))
    deal = MovedDeal(trainee_id=trainee.id, day=day, client=" ".join(client.split()), reason=reason.strip(),
                     recorded_by=actor.id)
    db.session.add(deal)
    db.session.flush()
    record("deal_moved", deal, actor=actor, trainee=trainee.id, day=day.isoformat(), client=deal.client)
    return deal


# ---------------------------------------------------------------- the weekly scorecard


@dataclass(frozen=True)
class ReviewWeek:
    start: date
    prefill: dict  # criterion -> criteria.Prefill, from the data as it is now
    scorecard: Scorecard | None  # the mentor's review, when made

    @property
    def verdicts(self) -> dict:
        """The mentor's verdict per criterion; empty while the week is not reviewed."""
        return {c: v.verdict for c, v in self.scorecard.by_criterion().items()} if self.scorecard else {}

    @property
    def met(self) -> bool:
        return criteria.week_met(self.verdicts)


def supervised_weeks(opened: date | None, on: date) -> list:
    """The Mondays of the full weeks of supervised work from the day stage 4 opened to `on` (rules.full_weeks)."""
    if opened is None:
        return []
    first = rules.monday(opened) if rules.monday(opened) == opened else rules.monday(opened) + timedelta(days=7)
    return [first + timedelta(weeks=n) for n in range(max((rules.monday(on) - first).days // 7, 0))]


def scorecards_of(trainee_id: int) -> dict:
    return {s.week_of: s for s in db.session.scalars(sa.select(Scorecard).where(Scorecard.trainee_id == trainee_id))}


def review_weeks(rec, progress, on: date | None = None) -> list:
    """Every full supervised week of a trainee (oldest first) with the prefill and the mentor's review."""
    return weeks_since(rec.user_id, rec.team_id, supervision_window(progress)[1], on or today())


def weeks_since(trainee_id: int, team_id: int | None, opened: date | None, on: date, book=None, moved=None,
                plans=None) -> list:
    """The full supervised weeks from the day stage 4 opened to `on`, each with its prefill and review.
    book (the trainee's services.Ledger), moved (their moved deals) and plans (their monthly plans): what a
    caller has read already, else read here."""
    weeks = supervised_weeks(opened, on)
    if not weeks:
        return []
    if book is None:
        days, (targets, segment) = ledger_days(trainee_id), targets_and_segment(team_id)
    else:
        days, targets, segment = book.days, book.targets, book.segment
    moved = moved_deals(trainee_id) if moved is None else moved
    cards = scorecards_of(trainee_id)
    plans = {p.month: p for p in (plans_of(trainee_id) if plans is None else plans)}
    result = []
    for start in weeks:
        end = start + timedelta(days=6)
        plan = plans.get(month_of(end))
        pace = plan_status(plan, days, moved, end).to_date() if plan else None
        result.append(ReviewWeek(start, criteria.week_prefill(days, start, targets, segment, pace), cards.get(start)))
    return result


def save_scorecard(trainee: User, week: ReviewWeek, answers: dict, mentor: User) -> Scorecard:
    """The mentor's verdict and note on each of the seven criteria for a reviewed week (a review made before is
    replaced; what changed is audited). `answers`: {criterion: (verdict, note)}; the prefill is frozen beside."""
    if set(answers) != set(criteria.CRITERIA) or any(v not in criteria.VERDICTS for v, _n in answers.values()):
        raise ActivityError(_l("Give a verdict on each of the seven criteria."))
    card = week.scorecard
    before = {c: v.verdict for c, v in card.by_criterion().items()} if card else None
    if card is None:
        card = Scorecard(trainee_id=trainee.id, week_of=week.start)
        db.session.add(card)
    existing = card.by_criterion()
    for c in criteria.CRITERIA:
        verdict, note = answers[c]
        row = existing.get(c)
        if row is None:
            row = ScorecardVerdict(criterion=c)
            card.verdicts.append(row)
        p = week.prefill[c]
        row.prefill, row.prefill_data = p.verdict, {**p.data, **({"flag": p.flag} if p.flag else {})}
        row.verdict, row.note = verdict, (note or "").strip() or None
    card.decided_by, card.decided_at = mentor.id, utcnow()
    db.session.flush()
    record("scorecard_reviewed", card, actor=mentor, trainee=trainee.id, week_of=week.start.isoformat(),
           before=before, after={c: answers[c][0] for c in criteria.CRITERIA})
    return card


# ---------------------------------------------------------------- for the readiness gate, many trainees at once

#: Built once (see learning.services): `ids` is a list, expanded when the statement runs.
_VERDICTS_OF = (sa.select(Scorecard.trainee_id, Scorecard.week_of, ScorecardVerdict.criterion, ScorecardVerdict.verdict)
                .join(ScorecardVerdict, ScorecardVerdict.scorecard_id == Scorecard.id)
                .where(Scorecard.trainee_id.in_(sa.bindparam("ids", expanding=True))))
_PLANS_OF = sa.select(MonthlyPlan).where(MonthlyPlan.trainee_id.in_(sa.bindparam("ids", expanding=True)))
_MOVED_OF = sa.select(MovedDeal).where(MovedDeal.trainee_id.in_(sa.bindparam("ids", expanding=True)))


def verdicts_by_user(user_ids) -> dict:
    """{user id: {week's Monday: {criterion: the mentor's verdict}}} in one query."""
    ids = list(user_ids)
    result = {uid: {} for uid in ids}
    if not ids:
        return result
    for uid, week, criterion, verdict in db.session.execute(_VERDICTS_OF, {"ids": ids}):
        result[uid].setdefault(week, {})[criterion] = verdict
    return result


def plans_by_user(user_ids) -> tuple:
    """({user id: [MonthlyPlan]}, {user id: [MovedDeal]}) in two queries."""
    ids = list(user_ids)
    plans, moved = {uid: [] for uid in ids}, {uid: [] for uid in ids}
    if ids:
        for p in db.session.scalars(_PLANS_OF, {"ids": ids}):
            plans[p.trainee_id].append(p)
        for m in db.session.scalars(_MOVED_OF, {"ids": ids}):
            moved[m.trainee_id].append(m)
    return plans, moved


def criteria_evidence(opened: date | None, on: date, verdicts: dict, required: int, window: int):
    """The criteria gate (criteria.criteria_gate) over the trainee's full supervised weeks to `on`; None before
    the first full week."""
    weeks = supervised_weeks(opened, on)
    if not weeks:
        return None
    return criteria.criteria_gate([verdicts.get(w, {}) for w in weeks], required, window)


def last_ended_plan(plans, days: dict, moved, on: date) -> PlanStatus | None:
    """The plan of the latest month that has ended before `on`, against its whole month; None when none has."""
    ended = [p for p in plans if month_end(p.month) < on]
    if not ended:
        return None
    plan = max(ended, key=lambda p: p.month)
    return plan_status(plan, days, moved, month_end(plan.month))


# ---------------------------------------------------------------- the cohort's heatmap


@dataclass(frozen=True)
class HeatRow:
    """One trainee in the heatmap: per criterion the mentor's verdicts over the last weeks reviewed, and the last
    ended month's plan (None: none has ended)."""

    user_id: int
    name: str
    weeks: list  # the Mondays of the weeks counted, oldest first
    verdicts: dict  # criterion -> [verdict or None per week]
    plan: PlanStatus | None

    def share(self, criterion: str) -> tuple:
        """(weeks met, weeks counted) for a criterion."""
        return sum(1 for v in self.verdicts[criterion] if v == criteria.MET), len(self.weeks)

    @property
    def plan_percent(self) -> int | None:
        """The plan's attainment: the lowest share of a planned figure reached, in percent."""
        if self.plan is None:
            return None
        shares = [r["percent"] for r in self.plan.rows() if r["percent"] is not None]
        return min(shares) if shares else None


def heatmap(window: int, on: date | None = None) -> list:
    """Every trainee in training with reviewed weeks: the seven criteria over their last `window` reviewed weeks
    and the last ended month's plan attainment. A fixed number of queries for any number of trainees."""
    from ..people.models import ACTIVE_STATUSES, TraineeRecord
    from .services import ledgers_by_user

    on = on or today()
    people = db.session.execute(
        sa.select(User.id, User.full_name).join(TraineeRecord, TraineeRecord.user_id == User.id)
        .where(one_of(TraineeRecord.status, ACTIVE_STATUSES),
               sa.exists().where(Scorecard.trainee_id == User.id)).order_by(User.full_name, User.id)).all()
    ids = [uid for uid, _name in people]
    verdicts = verdicts_by_user(ids)
    plans, moved = plans_by_user(ids)
    last_ended = (on.replace(day=1) - timedelta(days=1)).replace(day=1)
    days = ledgers_by_user(ids, last_ended - timedelta(days=62))
    rows = []
    for uid, name in people:
        weeks = sorted(verdicts[uid])[-window:]
        plan = last_ended_plan(plans[uid], days[uid], moved[uid], on)
        rows.append(HeatRow(uid, name, weeks, {c: [verdicts[uid][w].get(c) for w in weeks]
                                               for c in criteria.CRITERIA}, plan))
    return rows
