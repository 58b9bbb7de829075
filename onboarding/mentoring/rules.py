"""Mentoring rules: sign-off states, the activity ledger's weeks, funnel and rhythm, role-play results.

Pure functions of plain values; no Flask, no database.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

FIGURES = ("calls", "meetings", "applications", "orders", "referrals", "events", "decision_makers", "deals")
NONE, REQUESTED, SIGNED, RETURNED, REVOKED = "none", "requested", "signed", "returned", "revoked"

# Which step may follow which, per task: the trainee asks, the mentor signs or returns, a signature may be revoked.
NEXT = {
    NONE: {REQUESTED, SIGNED},
    REQUESTED: {SIGNED, RETURNED},
    RETURNED: {REQUESTED, SIGNED},
    REVOKED: {REQUESTED, SIGNED},
    SIGNED: {REVOKED},
}


def task_states(events) -> dict:
    """{task id: current state} from sign-off events (kind, task_id) in the order they happened."""
    states = {}
    for kind, task_id in events:
        states[task_id] = kind
    return states


def may_move(current: str, kind: str) -> bool:
    return kind in NEXT.get(current, set())


# ---------------------------------------------------------------- the ledger

def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def effective(entries) -> dict:
    """{day: figures} counting a mentor's latest correction instead of the original entry.

    entries: (id, day, corrects_id, figures dict) in the order they were made.
    """
    by_original, originals = {}, {}
    for entry_id, day, corrects_id, figures in entries:
        if corrects_id is None:
            originals[entry_id] = day
            by_original.setdefault(entry_id, figures)
        else:
            by_original[corrects_id] = figures
    return {originals[oid]: figures for oid, figures in by_original.items() if oid in originals}


@dataclass(frozen=True)
class Week:
    start: date
    totals: dict  # figure -> int
    days_logged: int
    call_days: int  # days given mostly to calls and base-building
    meeting_days: int  # days with meetings

    def against(self, targets: dict) -> dict:
        """{figure: percent of the weekly target met} for the figures that have a target."""
        return {f: round(100 * self.totals.get(f, 0) / t) for f, t in targets.items() if t}


def weeks(days: dict, first: date, last: date) -> list:
    """Weekly totals from Monday of `first` to the week of `last`, empty weeks included."""
    result, start = [], monday(first)
    while start <= last:
        in_week = [figures for d, figures in days.items() if start <= d < start + timedelta(days=7)]
        totals = {f: sum(fig.get(f, 0) for fig in in_week) for f in FIGURES}
        meeting_days = sum(1 for fig in in_week if fig.get("meetings", 0) > 0)
        call_days = sum(1 for fig in in_week if fig.get("meetings", 0) == 0 and fig.get("calls", 0) > 0)
        result.append(Week(start, totals, len(in_week), call_days, meeting_days))
        start += timedelta(days=7)
    return result


@dataclass(frozen=True)
class Funnel:
    prospects: int  # decision makers reached and calls that led somewhere: the calls made
    meetings: int
    proposals: int  # applications received count as proposals under discussion
    deals: int
    benchmark: Decimal = Decimal("10")  # at least 1 deal in 10 prospects

    @property
    def conversion(self) -> Decimal | None:
        """Deals per 100 prospects; None before any prospect."""
        if not self.prospects:
            return None
        return (Decimal(100) * self.deals / self.prospects).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def meets_benchmark(self) -> bool | None:
        value = self.conversion
        return None if value is None else value >= self.benchmark


def funnel(totals: dict) -> Funnel:
    """Prospects reached (decision makers contacted), meetings, proposals (applications), deals."""
    return Funnel(prospects=totals.get("decision_makers", 0), meetings=totals.get("meetings", 0),
                  proposals=totals.get("applications", 0), deals=totals.get("deals", 0))


def full_weeks(weeks_list, since: date, until: date) -> list:
    """The weeks lying wholly from `since` to before `until`: a partial first or current week would be unfair."""
    return [w for w in weeks_list if w.start >= since and w.start + timedelta(days=7) <= until]


def targets_met(weeks_list, targets: dict, minimum_share: float = 1.0) -> bool:
    """True when, on average over the weeks, every figure with a target reached it."""
    if not weeks_list:
        return False
    for figure, target in targets.items():
        if target and sum(w.totals.get(figure, 0) for w in weeks_list) / len(weeks_list) < target * minimum_share:
            return False
    return True


# ---------------------------------------------------------------- role-play results

def role_play_state(attempts, allowed: int) -> str:
    """Where the certification stands: passed, scheduled, held (every attempt failed), failed (an attempt
    left) or none. attempts: (state, passed) pairs, state "scheduled" or "scored"."""
    if any(passed for _, passed in attempts):
        return "passed"
    if any(state == "scheduled" for state, _ in attempts):
        return "scheduled"
    failed = sum(1 for state, passed in attempts if state == "scored" and not passed)
    if failed >= allowed:
        return "held"
    return "failed" if failed else "none"


@dataclass(frozen=True)
class RolePlayResult:
    percent: Decimal
    passed: bool
    per_criterion: dict  # criterion id -> mean score across evaluators


def role_play_result(criteria, scores, threshold: int) -> RolePlayResult:
    """Combine the evaluators: each criterion's mean score over its scale, weighted; pass at the threshold.

    criteria: objects with id, weight, scale. scores: {evaluator: {criterion id: score}}.
    """
    means, total = {}, Decimal(0)
    weights = sum(c.weight for c in criteria)
    for c in criteria:
        given = [Decimal(s[c.id]) for s in scores.values() if c.id in s]
        mean = sum(given) / len(given) if given else Decimal(0)
        means[c.id] = mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        total += Decimal(c.weight) * mean / c.scale
    percent = (100 * total / weights).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if weights else Decimal(0)
    return RolePlayResult(percent, percent >= threshold, means)


def names_match(typed: str, full_name: str) -> bool:
    """A typed signature matches the account's full name, ignoring case and extra spaces."""
    norm = lambda s: " ".join((s or "").split()).casefold()  # noqa: E731
    return bool(norm(typed)) and norm(typed) == norm(full_name)
