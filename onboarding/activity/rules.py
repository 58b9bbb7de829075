"""Activity rules: the ledger's weeks, funnel and targets.

Pure functions of plain values; no Flask, no database.
"""
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from ..path.progress import COMPLETE, OPEN  # the stage states of the path rules (pure, like these)

FIGURES = ("prospects", "calls", "meetings", "applications", "orders", "referrals", "events", "decision_makers",
           "deals")
#: Figures a logged day may not know: new prospects were first recorded with revision 0013, and the days logged
#: before it keep them unknown (None), never 0. Every sum over days counts the days where a figure is unknown.
MAY_BE_UNKNOWN = ("prospects",)
# ---------------------------------------------------------------- the ledger

def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


NOT_STARTED, BEFORE_START, FUTURE = "not_started", "before_start", "future"


def ledger_day_refusal(day: date, start: date, today: date) -> str | None:
    """Why a day cannot hold ledger figures: the trainee has not started yet, the day lies before the start
    date, or it has not happened yet; None when the day is from the start date to today."""
    if start > today:
        return NOT_STARTED
    if day < start:
        return BEFORE_START
    if day > today:
        return FUTURE
    return None


def day_version(day: date, figures: dict, note: str | None) -> str:
    """Which version of a logged day a form was loaded from: a digest of the day, its figures and its note. A
    form carries it back; a form loaded before a change (or never loaded: the plain new-day form) does not match."""
    text = json.dumps([day.isoformat(), {f: figures[f] for f in FIGURES}, note or ""], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def day_changes(before: dict, figures: dict, note: str | None) -> list:
    """What saving `figures` and `note` over a day holding `before` (figures and "note") changes, in the
    figures' order then the note: (name, old, new) per changed value. A figure absent from `figures` (or None)
    keeps its value, so is no change; so does a note of None."""
    changes = [(f, before[f], figures[f]) for f in FIGURES if figures.get(f) is not None and figures[f] != before[f]]
    old_note = before.get("note") or None
    if note is not None and (note.strip() or None) != old_note:
        changes.append(("note", old_note, note.strip() or None))
    return changes


def ledger_first_day(start: date, today: date, span_weeks: int = 12) -> date:
    """The first day the ledger's weekly charts show: the start date, or `span_weeks` back when it lies further."""
    return max(start, today - timedelta(weeks=span_weeks))


def supervision_weeks(stage_state: str | None, opened: date | None, today: date) -> list:
    """The Mondays a supervision note may be filed under: from the week stage 4 opened to the current week, while
    stage 4 is open or complete; none before it opens."""
    if stage_state not in (OPEN, COMPLETE) or opened is None or opened > today:
        return []
    first, last = monday(opened), monday(today)
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


NOT_OPEN, BEFORE_OPENED = "not_open", "before_opened"


def supervision_refusal(day: date, stage_state: str | None, opened: date | None, today: date) -> str | None:
    """Why no supervision note may be filed under the week of `day`: stage 4 is not open, the week lies before
    the one stage 4 opened in, or it has not started yet; None when the note may be kept."""
    weeks = supervision_weeks(stage_state, opened, today)
    if not weeks:
        return NOT_OPEN
    if monday(day) < weeks[0]:
        return BEFORE_OPENED
    if monday(day) > weeks[-1]:
        return FUTURE
    return None


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


def sums(days) -> tuple:
    """(totals, unknown) over some days' figures: {figure: the sum of the days that know it} and {figure: how many
    days do not know it} (only figures unknown somewhere appear there). A total with unknown days is a lower
    bound: "at least" that many, never the whole."""
    totals, unknown = {f: 0 for f in FIGURES}, {}
    for figures in days:
        for f in FIGURES:
            value = figures.get(f, 0)
            if value is None:
                unknown[f] = unknown.get(f, 0) + 1
            else:
                totals[f] += value
    return totals, unknown


@dataclass(frozen=True)
class Week:
    start: date
    totals: dict  # figure -> int: the sum of the days that know the figure
    days_logged: int
    call_days: int  # days given mostly to calls and base-building
    meeting_days: int  # days with meetings
    unknown: dict = field(default_factory=dict)  # figure -> days logged without it (its total is "at least")

    def against(self, targets: dict) -> dict:
        """{figure: percent of the weekly target met} for the figures that have a target."""
        return {f: round(100 * self.totals.get(f, 0) / t) for f, t in targets.items() if t}


def weeks(days: dict, first: date, last: date) -> list:
    """Weekly totals from Monday of `first` to the week of `last`, empty weeks included."""
    result, start = [], monday(first)
    while start <= last:
        in_week = [figures for d, figures in days.items() if start <= d < start + timedelta(days=7)]
        totals, unknown = sums(in_week)
        meeting_days = sum(1 for fig in in_week if fig.get("meetings", 0) > 0)
        call_days = sum(1 for fig in in_week if fig.get("meetings", 0) == 0 and fig.get("calls", 0) > 0)
        result.append(Week(start, totals, len(in_week), call_days, meeting_days, unknown))
        start += timedelta(days=7)
    return result


# ---------------------------------------------------------------- the funnel

#: The funnel's steps in order: new prospects (qualified contacts added), decision makers reached, meetings,
#: proposals (applications received), deals closed.
FUNNEL = ("prospects", "decision_makers", "meetings", "applications", "deals")
#: The steps that are subsets of an earlier one, as (later, earlier): every deal is closed on an application, and
#: every application comes from a prospect the trainee added. Decision makers reached and meetings count
#: contacts, not prospects: one prospect's decision maker is reached and met several times (and a meeting may be
#: with an influencer), so they neither stay under the prospects nor bound the applications. See the README.
SUBSETS = (("applications", "prospects"), ("deals", "applications"))
#: The benchmark: at least 1 deal in 10 prospects, as deals per 100 prospects.
BENCHMARK = 10


@dataclass(frozen=True)
class Funnel:
    """The funnel over the whole ledger. `prospects` sums the days that record them; `prospects_unknown_days`
    counts the days logged before prospects were recorded, which make it a lower bound."""

    prospects: int
    decision_makers: int
    meetings: int
    proposals: int  # applications received count as proposals under discussion
    deals: int
    prospects_unknown_days: int = 0
    benchmark: Decimal = Decimal(BENCHMARK)  # deals per 100 prospects

    @property
    def conversion(self) -> Decimal | None:
        """Deals per 100 prospects (rounded down to one decimal, so it never shows the benchmark unmet as met);
        None before any prospect, and while some days do not know their prospects (see conversion_at_most)."""
        if self.prospects_unknown_days or not self.prospects:
            return None
        return (Decimal(100) * self.deals / self.prospects).quantize(Decimal("0.1"), rounding=ROUND_DOWN)

    @property
    def conversion_at_most(self) -> Decimal | None:
        """With days of unknown prospects: the most the conversion can be (the prospects known are the fewest
        there were); None when every day is known or no prospect is known."""
        if not self.prospects_unknown_days or not self.prospects:
            return None
        return (Decimal(100) * self.deals / self.prospects).quantize(Decimal("0.1"), rounding=ROUND_DOWN)

    @property
    def meets_benchmark(self) -> bool | None:
        """True at 1 deal in 10 prospects or better (exactly 10 in 100 meets it); None when it cannot be told: no
        prospect yet, or unknown prospects that could still bring it below. Below the benchmark on the prospects
        known is below it whatever the unknown days held."""
        if not self.prospects:
            return None
        meets = 100 * self.deals >= self.benchmark * self.prospects
        if self.prospects_unknown_days:
            return None if meets else False
        return meets


def funnel(totals: dict, unknown: dict | None = None) -> Funnel:
    """The funnel of ledger totals (see sums): prospects, decision makers, meetings, proposals (applications),
    deals, and how many days do not know their prospects."""
    return Funnel(prospects=totals.get("prospects") or 0, decision_makers=totals.get("decision_makers", 0),
                  meetings=totals.get("meetings", 0), proposals=totals.get("applications", 0),
                  deals=totals.get("deals", 0), prospects_unknown_days=(unknown or {}).get("prospects", 0))


@dataclass(frozen=True)
class Breach:
    """A later funnel step above an earlier one over the whole ledger: the two steps and their totals."""

    later: str
    earlier: str
    later_total: int
    earlier_total: int


def subset_breaches(totals: dict, unknown: dict | None = None) -> tuple:
    """Each subset pair (SUBSETS) whose later step exceeds the earlier one over the whole ledger.

    The rule holds for the ledger's totals, not for each day: an application logged today comes from a prospect
    added last week, and a deal closed today from an application received last month. An earlier step unknown
    on some days has no upper bound (at least its known sum), so it is never exceeded."""
    unknown = unknown or {}
    return tuple(Breach(later, earlier, totals.get(later, 0), totals.get(earlier, 0))
                 for later, earlier in SUBSETS
                 if not unknown.get(earlier) and totals.get(later, 0) > totals.get(earlier, 0))


def funnel_refusals(before: tuple, after: tuple) -> tuple:
    """The breaches a change to the ledger makes or widens: `before` and `after` are (totals, unknown) of the
    whole ledger without and with the change. A breach already there (days logged before the rule) that the
    change leaves as it is, or narrows, refuses nothing: a trainee can still log other days."""
    old = {(b.later, b.earlier): b.later_total - b.earlier_total for b in subset_breaches(*before)}
    return tuple(b for b in subset_breaches(*after)
                 if b.later_total - b.earlier_total > old.get((b.later, b.earlier), 0))


# ---------------------------------------------------------------- targets

#: Targets given per month rather than per week: events (one a month, as the content teaches).
MONTHLY = ("events",)
WEEKS_PER_MONTH = Fraction(52, 12)
#: The built-in targets, for a team without its own when the head of sales has set no default: per week,
#: except MONTHLY ones, per month. 0 is no target. The modules show them through `{{ target.FIGURE }}`.
DEFAULT_TARGETS = {"prospects": 0, "calls": 80, "meetings": 5, "applications": 2, "orders": 1, "referrals": 3,
                   "events": 1, "decision_makers": 3, "deals": 1}
#: The segments a team sells in, with the meetings a day that are normal there (low, high), from the domain:
#: B2B about 1 to 2, consumer goods about 20. The modules show them through `{{ segment.NAME }}`.
SEGMENTS = {"b2b": (1, 2), "consumer": (20, 20)}
DEFAULT_SEGMENT = "b2b"


def weekly_share(figure: str, target: int) -> Fraction:
    """A target as a weekly figure: a monthly target spread over the 52/12 weeks of an average month."""
    return Fraction(target) / WEEKS_PER_MONTH if figure in MONTHLY else Fraction(target)


def full_weeks(weeks_list, since: date, until: date) -> list:
    """The weeks lying wholly from `since` to before `until`: a partial first or current week would be unfair."""
    return [w for w in weeks_list if w.start >= since and w.start + timedelta(days=7) <= until]


def targets_met(weeks_list, targets: dict, minimum_share: float = 1.0) -> bool:
    """True when, on average over the weeks, every figure with a target reached it (a monthly target at its
    weekly share: one event a month over 8 weeks asks for 2 events). A figure unknown on some days counts what is
    known, the fewest there were."""
    if not weeks_list:
        return False
    for figure, target in targets.items():
        if target and Fraction(sum(w.totals.get(figure, 0) for w in weeks_list), len(weeks_list)) < \
                weekly_share(figure, target) * Fraction(minimum_share):
            return False
    return True

