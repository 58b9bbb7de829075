"""The seven criteria of stage 4 (DOMAIN.md, "Measuring a manager's effectiveness") as a weekly scorecard: what
the ledger and the monthly plan can say about each criterion for one supervised week. The mentor confirms or
overrides each prefilled verdict; this module only proposes.

Pure functions of plain values; no Flask, no database.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise

from .rules import BENCHMARK, SEGMENTS, monday, sums

#: The criteria in the order the domain lists them.
CRITERIA = ("events", "rhythm", "referrals", "meetings", "decision_maker", "plan", "funnel")
MET, PARTLY, NOT_MET = "met", "partly", "not_met"
VERDICTS = (MET, PARTLY, NOT_MET)
#: A day given to calls and base-building (no meeting), or a day with meetings.
CALL_DAY, MEETING_DAY = "calls", "meetings"
#: The weeks the events and decision-maker criteria look back over, this one included: a month, roughly.
WINDOW_WEEKS = 4
#: Meetings without a single contract that say "the wrong person": one contract in ten meetings is normal, so ten
#: without one is the warning.
WRONG_PERSON_MEETINGS = 10
#: Flags a prefill may carry beside its verdict.
WRONG_PERSON, MOVED_DEALS = "wrong_person", "moved_deals"


@dataclass(frozen=True)
class Prefill:
    """What the data says about one criterion for one week: a verdict (None: the data cannot tell, the mentor
    decides), the numbers it reads (JSON-safe), and a warning flag when there is one."""

    criterion: str
    verdict: str | None
    data: dict = field(default_factory=dict)
    flag: str | None = None


def _against(criterion: str, value: int, target: int, **data) -> Prefill:
    """Met at the target or above, partly with something short of it, not met with nothing. A target of 0 asks
    nothing, so it is met."""
    data = {"value": value, "target": target, **data}
    if value >= target:
        return Prefill(criterion, MET, data)
    return Prefill(criterion, PARTLY if value > 0 else NOT_MET, data)


def events(attended: int, monthly_target: int) -> Prefill:
    """1. Events attended over the last WINDOW_WEEKS weeks against the monthly target."""
    return _against("events", attended, monthly_target)


def day_kind(figures: dict) -> str | None:
    """A logged day's kind: a meeting day (any meeting), a call day (calls, no meeting), or neither."""
    if (figures.get("meetings") or 0) > 0:
        return MEETING_DAY
    if (figures.get("calls") or 0) > 0:
        return CALL_DAY
    return None


def rhythm(kinds) -> Prefill:
    """2. Calls and meetings in a rhythm: the kinds of the week's logged days in date order (see day_kind).

    Met when call days and meeting days alternate throughout (at least one of each); partly when both kinds are
    there but two days of the same kind follow each other; not met with only one kind (or days of neither); None
    with no day logged."""
    kinds = list(kinds)
    worked = [k for k in kinds if k is not None]
    data = {"call_days": worked.count(CALL_DAY), "meeting_days": worked.count(MEETING_DAY),
            "switches": sum(1 for a, b in pairwise(worked) if a != b)}
    if not kinds:
        return Prefill("rhythm", None, data)
    if not data["call_days"] or not data["meeting_days"]:
        return Prefill("rhythm", NOT_MET, data)
    return Prefill("rhythm", MET if data["switches"] == len(worked) - 1 else PARTLY, data)


def referrals(asked: int, weekly_target: int) -> Prefill:
    """3. Referrals asked in the week against the weekly target."""
    return _against("referrals", asked, weekly_target)


def meetings_per_day(meetings: int, days_logged: int, segment: str) -> Prefill:
    """4. Meetings per day worked against the team's segment (rules.SEGMENTS: B2B 1 to 2 a day, consumer goods
    about 20). Met at the segment's low end or above, partly from half of it, not met below (zero meetings
    included); None with no day logged."""
    low = SEGMENTS[segment][0]
    data = {"meetings": meetings, "days": days_logged, "low": low, "segment": segment}
    if not days_logged:
        return Prefill("meetings", None, data)
    per_day = Fraction(meetings, days_logged)
    data["per_day"] = float(round(per_day, 1))
    if per_day >= low:
        return Prefill("meetings", MET, data)
    return Prefill("meetings", PARTLY if meetings and 2 * per_day >= low else NOT_MET, data)


def decision_maker(meetings: int, deals: int, decision_makers: int) -> Prefill:
    """5. Reaching the decision maker, over the last WINDOW_WEEKS weeks: met at one contract in ten meetings or
    better (exactly 1 in 10 meets); not met, flagged "wrong person", after WRONG_PERSON_MEETINGS meetings or more
    without a contract; partly in between (contracts under 1 in 10, or too few meetings yet to tell); None with
    no meeting."""
    data = {"meetings": meetings, "deals": deals, "decision_makers": decision_makers}
    if not meetings:
        return Prefill("decision_maker", None, data)
    if not deals and meetings >= WRONG_PERSON_MEETINGS:
        return Prefill("decision_maker", NOT_MET, data, WRONG_PERSON)
    return Prefill("decision_maker", MET if deals and 10 * deals >= meetings else PARTLY, data)


@dataclass(frozen=True)
class PlanToDate:
    """A monthly plan seen at one day: the figures planned for the month, the actual to that day, the share of
    the month gone (0 to 1), and the deals marked ready but moved to the next month so far."""

    planned: dict
    actual: dict
    elapsed: Fraction
    moved: int = 0


def plan_pace(plan: PlanToDate | None) -> Prefill:
    """6. Plans to exceed the plan: each planned figure's actual against its share of the month gone.

    Not met, flagged, when a deal was moved to the next month (pushing deals to smooth the numbers); met when
    every planned figure is at its pace or ahead; partly when the slowest is at half its pace or more; not met
    below. None without a plan, or with a plan of nothing and no deal moved."""
    if plan is None:
        return Prefill("plan", None, {})
    paces = {f: Fraction(plan.actual.get(f) or 0) / (Fraction(target) * plan.elapsed) if plan.elapsed
             else Fraction(1) for f, target in plan.planned.items() if target}
    slowest = min(paces.values()) if paces else None
    data = {"pace": int(100 * slowest) if paces else None, "slowest": min(paces, key=paces.get) if paces else None,
            "moved": plan.moved}
    if plan.moved:
        return Prefill("plan", NOT_MET, data, MOVED_DEALS)
    if not paces:
        return Prefill("plan", None, data)
    if slowest >= 1:
        return Prefill("plan", MET, data)
    return Prefill("plan", PARTLY if 2 * slowest >= 1 else NOT_MET, data)


def funnel(prospects: int, deals: int, prospects_unknown_days: int = 0) -> Prefill:
    """7. The funnel: deals against new prospects over the whole ledger to the week's end. Met at the benchmark
    (rules.BENCHMARK: 1 in 10; exactly 1 in 10 meets), partly from half of it with at least one deal, not met
    below. None before any prospect, and while days of unknown prospects could still bring a rate that meets
    the benchmark below it."""
    data = {"prospects": prospects, "deals": deals}
    if not prospects:
        return Prefill("funnel", None, data)
    if 100 * deals >= BENCHMARK * prospects:
        return Prefill("funnel", None if prospects_unknown_days else MET, data)
    if deals and 200 * deals >= BENCHMARK * prospects:
        return Prefill("funnel", PARTLY, data)
    return Prefill("funnel", NOT_MET, data)


def week_prefill(days: dict, start: date, targets: dict, segment: str, plan: PlanToDate | None = None) -> dict:
    """{criterion: Prefill} for the week starting on Monday `start`, from the effective ledger `days`
    ({day: figures}, the whole ledger), the team's targets and segment, and the monthly plan at the week's end."""
    start = monday(start)
    end = start + timedelta(days=7)
    window = start - timedelta(weeks=WINDOW_WEEKS - 1)
    in_week = [days[d] for d in sorted(days) if start <= d < end]
    week, _ = sums(in_week)
    recent, _ = sums(f for d, f in days.items() if window <= d < end)
    to_date, unknown = sums(f for d, f in days.items() if d < end)
    prefills = (
        events(recent["events"], targets.get("events", 0)),
        rhythm(day_kind(f) for f in in_week),
        referrals(week["referrals"], targets.get("referrals", 0)),
        meetings_per_day(week["meetings"], len(in_week), segment),
        decision_maker(recent["meetings"], recent["deals"], recent["decision_makers"]),
        plan_pace(plan),
        funnel(to_date["prospects"], to_date["deals"], unknown.get("prospects", 0)),
    )
    return {p.criterion: p for p in prefills}


def week_met(verdicts: dict) -> bool:
    """A week meets the criteria when the mentor's verdict on every one of the seven is "met"."""
    return all(verdicts.get(c) == MET for c in CRITERIA)


@dataclass(frozen=True)
class CriteriaGate:
    met: bool
    weeks_met: int  # of the last `considered` supervised weeks, those whose seven criteria were all met
    considered: int
    required: int  # K
    window: int  # N


def criteria_gate(weekly_verdicts, required: int, window: int) -> CriteriaGate:
    """The seven criteria met in at least `required` (K) of the last `window` (N) supervised weeks.

    weekly_verdicts: {criterion: verdict} per full supervised week, oldest first; a week not yet reviewed is an
    empty dict (not met). Fewer than N weeks count as they are: K of them must still be met."""
    last = list(weekly_verdicts)[-window:] if window > 0 else []
    count = sum(1 for v in last if week_met(v))
    return CriteriaGate(count >= required, count, len(last), required, window)
