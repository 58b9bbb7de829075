"""The career-level rules, pure: the level a person holds, the next one, the date from which it may be recorded,
and why a promotion is refused. No Flask, no database: levels come from the content, facts are handed in."""
import calendar
from dataclasses import dataclass
from datetime import date

#: Why a promotion is refused (the service words each for the person who tried).
NOT_INDEPENDENT, NO_LEVELS, TOP_LEVEL, NOT_NEXT, TOO_EARLY = (
    "not_independent", "no_levels", "top_level", "not_next", "too_early")


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (Jan 31 + 1 month = Feb 28 or 29)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Standing:
    """Where an independent person stands: their level (number, and the content's level when it still has it),
    since when, and the next level with the first day a promotion to it may be recorded."""

    number: int
    level: object  # content.model.CareerLevel, or None when the content no longer has this number
    since: date
    independent_since: date
    next: object = None  # the next CareerLevel; None at the top
    eligible_from: date | None = None


def standing(levels: tuple, independent_since: date | None, promotions) -> Standing | None:
    """The standing of a person approved for independent work on `independent_since` (None: still in training,
    no level), promoted as `promotions` says: (to-level, date) pairs in the order they were recorded. They start at
    the first level; the last promotion's to-level is their level. The next level may be recorded once its
    minimum months of independent work have passed since independence."""
    if independent_since is None or not levels:
        return None
    number, since = levels[0].number, independent_since
    for to_level, on in promotions:
        number, since = to_level, on
    by_number = {level.number: level for level in levels}
    nxt = by_number.get(number + 1)
    return Standing(number, by_number.get(number), since, independent_since, nxt,
                    add_months(independent_since, nxt.minimum_months) if nxt else None)


def refusal(levels: tuple, current: Standing | None, to_level: int | None, on: date, override: bool) -> str | None:
    """Why recording a promotion to `to_level` on `on` is refused, or None: there are levels, the person is
    independent, the level is the next one (no skipping, no step down), and its minimum months have passed
    (or the head of sales gives an override reason: `override`)."""
    if not levels:
        return NO_LEVELS
    if current is None:
        return NOT_INDEPENDENT
    if current.next is None:
        return TOP_LEVEL
    if to_level != current.next.number:
        return NOT_NEXT
    if on < current.eligible_from and not override:
        return TOO_EARLY
    return None
