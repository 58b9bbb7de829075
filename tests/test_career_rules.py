"""The career-level rules without an app: the standing from independence and promotions, the date from which the
next level may be recorded (exactly its minimum months), and every refusal on its own."""
from datetime import date

import pytest

from onboarding.careers import rules
from onboarding.content.model import CareerLevel


def level(number, months, key=None):
    return CareerLevel(key or f"level-{number}", number, f"Level {number}", months, ("skill",), ("evidence",))


LEVELS = (level(1, 0), level(2, 12), level(3, 24))
APPROVED = date(2025, 1, 31)


@pytest.mark.parametrize("day,months,expected", [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),  # a shorter month: its last day
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # a leap year
    (date(2025, 1, 15), 12, date(2026, 1, 15)),
    (date(2025, 11, 30), 3, date(2026, 2, 28)),  # across the year's end
    (date(2025, 3, 10), 0, date(2025, 3, 10)),
])
def test_add_months(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_in_training_or_without_levels_there_is_no_standing():
    assert rules.standing(LEVELS, None, []) is None
    assert rules.standing((), APPROVED, []) is None


def test_an_approved_person_starts_at_the_first_level_on_the_day_of_the_approval():
    s = rules.standing(LEVELS, APPROVED, [])
    assert (s.number, s.level.key, s.since, s.independent_since) == (1, "level-1", APPROVED, APPROVED)
    assert s.next.number == 2 and s.eligible_from == date(2026, 1, 31)


def test_the_last_promotion_gives_the_level_and_the_next_counts_from_independence():
    s = rules.standing(LEVELS, APPROVED, [(2, date(2026, 2, 3))])
    assert (s.number, s.since) == (2, date(2026, 2, 3))
    assert s.next.number == 3 and s.eligible_from == date(2027, 1, 31)


def test_at_the_top_there_is_no_next_level():
    s = rules.standing(LEVELS, APPROVED, [(2, date(2026, 2, 3)), (3, date(2027, 2, 1))])
    assert s.number == 3 and s.next is None and s.eligible_from is None


def test_a_level_the_content_no_longer_has_keeps_its_number():
    s = rules.standing(LEVELS[:2], APPROVED, [(2, date(2026, 2, 3)), (3, date(2027, 2, 1))])
    assert s.number == 3 and s.level is None and s.next is None


def _refusal(to_level, on, override=False, promotions=(), levels=LEVELS, approved=APPROVED):
    return rules.refusal(levels, rules.standing(levels, approved, list(promotions)), to_level, on, override)


def test_the_next_level_on_the_exact_day_of_its_minimum_months_is_allowed():
    assert _refusal(2, date(2026, 1, 31)) is None


def test_one_day_before_the_minimum_months_is_too_early():
    assert _refusal(2, date(2026, 1, 30)) == rules.TOO_EARLY


def test_an_override_reason_allows_it_early():
    assert _refusal(2, date(2025, 6, 1), override=True) is None


def test_skipping_a_level_or_staying_is_refused_even_late_and_with_an_override():
    assert _refusal(3, date(2030, 1, 1), override=True) == rules.NOT_NEXT
    assert _refusal(1, date(2030, 1, 1)) == rules.NOT_NEXT
    assert _refusal(None, date(2030, 1, 1)) == rules.NOT_NEXT


def test_someone_still_in_training_is_refused():
    assert _refusal(2, date(2030, 1, 1), approved=None) == rules.NOT_INDEPENDENT


def test_content_without_levels_is_refused():
    assert rules.refusal((), None, 2, date(2030, 1, 1), True) == rules.NO_LEVELS


def test_the_highest_level_is_refused():
    assert _refusal(4, date(2030, 1, 1), promotions=[(2, date(2026, 2, 1)), (3, date(2027, 2, 1))]) \
        == rules.TOP_LEVEL


def test_the_second_promotion_waits_for_its_own_minimum_months_from_independence():
    promoted = [(2, date(2026, 2, 1))]
    assert _refusal(3, date(2027, 1, 30), promotions=promoted) == rules.TOO_EARLY
    assert _refusal(3, date(2027, 1, 31), promotions=promoted) is None
