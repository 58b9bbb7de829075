"""The pure progress rules, with hand-built requirements and facts: no app, no database."""
from datetime import date

import pytest

from onboarding.path.progress import (COMPLETE, LOCKED, OPEN, StageRequirements, TraineeFacts,
                                           compute_progress, module_available, planned_windows,
                                           requirements_from)

START = date(2026, 1, 5)

COMPANY = StageRequirements(1, "Company", 5, (("hello", ()), ("rules", ("hello",)), ("tools", ())))
PRODUCT = StageRequirements(2, "Product", 10, (("range", ()), ("prices", ("range",))))
MENTOR = StageRequirements(3, "Mentor", 25, (("mentor", ()),))
WORK = StageRequirements(4, "Work", 140, (("rhythm", ()),))
STAGES = (COMPANY, PRODUCT, MENTOR, WORK)
ALL = frozenset({"hello", "rules", "tools", "range", "prices", "mentor", "rhythm"})


def progress(done=(), today=START, stages=STAGES):
    return compute_progress(stages, TraineeFacts(START, frozenset(done)), today)


def states(p):
    return [s.state for s in p.stages]


def test_at_the_start_stage_one_is_open_and_the_rest_locked():
    p = progress()
    assert states(p) == [OPEN, LOCKED, LOCKED, LOCKED]
    assert p.current_stage == 1
    assert p.next_module == "hello"
    assert (p.modules_done, p.modules_total, p.percent) == (0, 7, 0)
    assert p.complete is False
    assert p.days_since_start == 0


def test_locked_stages_name_the_stage_before_them():
    p = progress()
    assert [s.locked_reason for s in p.stages] == [None, "Company", "Product", "Mentor"]


def test_default_facts_have_no_completions():
    p = compute_progress(STAGES, TraineeFacts(START), START)
    assert p.modules_done == 0 and p.next_module == "hello"


def test_part_of_stage_one_keeps_stage_two_locked():
    p = progress({"hello", "tools"})
    assert states(p) == [OPEN, LOCKED, LOCKED, LOCKED]
    assert p.stage(2).locked_reason == "Company"


def test_completing_stage_one_opens_stage_two():
    p = progress({"hello", "rules", "tools"})
    assert states(p) == [COMPLETE, OPEN, LOCKED, LOCKED]
    assert p.current_stage == 2
    assert p.next_module == "range"
    assert p.stage(1).locked_reason is None and p.stage(2).locked_reason is None
    assert p.stage(3).locked_reason == "Product"


def test_later_stage_done_out_of_turn_stays_locked():
    p = progress({"range", "prices"})
    assert states(p) == [OPEN, LOCKED, LOCKED, LOCKED]
    assert p.stage(2).modules_done == 2
    assert p.current_stage == 1


@pytest.mark.parametrize("done,expected", [
    ((), "hello"),
    ({"hello"}, "rules"),
    ({"hello", "rules"}, "tools"),
    ({"tools"}, "hello"),
    ({"hello", "tools"}, "rules"),
    ({"hello", "rules", "tools", "range"}, "prices"),
])
def test_next_module_follows_reading_order(done, expected):
    assert progress(done).next_module == expected


def test_next_module_skips_a_module_whose_prerequisites_are_missing():
    # `intro` comes first in reading order but needs `basics`, which comes after it.
    stage = StageRequirements(1, "Start", 5, (("intro", ("basics",)), ("basics", ()), ("extra", ())))
    assert progress(stages=(stage,)).next_module == "basics"
    assert progress({"basics"}, stages=(stage,)).next_module == "intro"


def test_module_available():
    assert module_available((), frozenset())
    assert module_available(("a", "b"), frozenset({"a", "b", "c"}))
    assert not module_available(("a", "b"), frozenset({"a"}))


@pytest.mark.parametrize("done,stage_one,overall", [
    ((), 0, 0),
    ({"hello"}, 33, 14),                 # 1/3, 1/7
    ({"hello", "rules"}, 67, 29),        # 2/3, 2/7
    ({"hello", "rules", "tools"}, 100, 43),
    ({"hello", "rules", "tools", "range"}, 100, 57),
])
def test_percent(done, stage_one, overall):
    p = progress(done)
    assert p.stage(1).percent == stage_one
    assert p.percent == overall
    assert p.modules_done == len(done)


def test_stage_counts():
    p = progress({"hello", "rules", "tools", "range"})
    assert [(s.modules_done, s.modules_total) for s in p.stages] == [(3, 3), (1, 2), (0, 1), (0, 1)]
    assert p.stage(2).percent == 50


def test_planned_windows_follow_each_other_from_the_start_date():
    expected = [(date(2026, 1, 5), date(2026, 1, 10)), (date(2026, 1, 10), date(2026, 1, 20)),
                (date(2026, 1, 20), date(2026, 2, 14)), (date(2026, 2, 14), date(2026, 7, 4))]
    assert planned_windows(STAGES, START) == expected
    p = progress()
    assert [(s.planned_start, s.planned_end) for s in p.stages] == expected


def test_planned_windows_of_no_stages():
    assert planned_windows((), START) == []


def test_days_since_start():
    assert progress(today=date(2026, 1, 15)).days_since_start == 10


def test_not_overdue_on_the_planned_end_day():
    p = progress(today=date(2026, 1, 10))
    assert not p.stage(1).overdue
    assert not p.overdue


def test_overdue_when_past_the_planned_end_and_not_complete():
    p = progress({"hello"}, today=date(2026, 1, 11))
    assert p.stage(1).overdue
    assert not p.stage(2).overdue  # its window ends on 20 January
    assert p.overdue


def test_not_overdue_when_complete():
    p = progress({"hello", "rules", "tools"}, today=date(2026, 1, 11))
    assert not p.stage(1).overdue
    assert not p.overdue


def test_locked_stage_past_its_end_is_overdue():
    p = progress({"hello", "rules", "tools"}, today=date(2026, 1, 21))
    assert [s.overdue for s in p.stages] == [False, True, False, False]


def test_everything_complete():
    p = progress(ALL, today=date(2027, 1, 1))
    assert states(p) == [COMPLETE] * 4
    assert p.current_stage is None
    assert p.next_module is None
    assert p.complete is True
    assert p.percent == 100
    assert not p.overdue
    assert all(s.locked_reason is None for s in p.stages)


def test_completions_of_unknown_slugs_are_ignored():
    p = progress({"ghost", "retired-module", "hello"})
    assert p.modules_done == 1
    assert p.stage(1).modules_done == 1
    assert p.percent == 14
    assert p.next_module == "rules"
    assert progress(ALL | {"ghost"}).modules_done == 7


def test_an_empty_stage_counts_as_complete():
    empty = StageRequirements(2, "Empty", 3, ())
    stages = (COMPANY, empty, MENTOR)
    p = progress({"hello", "rules", "tools"}, stages=stages)
    assert states(p) == [COMPLETE, COMPLETE, OPEN]
    assert p.current_stage == 3 and p.next_module == "mentor"
    assert p.stage(2).percent == 100
    assert p.stage(3).locked_reason is None


def test_an_empty_stage_behind_an_open_one_is_locked():
    empty = StageRequirements(2, "Empty", 3, ())
    p = progress(stages=(COMPANY, empty, MENTOR))
    assert states(p) == [OPEN, LOCKED, LOCKED]
    assert p.stage(3).locked_reason == "Empty"


def test_only_empty_stages_are_complete_from_the_start():
    p = progress(stages=(StageRequirements(1, "Nothing", 3, ()),))
    assert p.complete and p.next_module is None
    assert (p.modules_total, p.percent) == (0, 100)


def test_stage_lookup_by_number():
    p = progress()
    assert p.stage(3).title == "Mentor"
    with pytest.raises(StopIteration):
        p.stage(9)


def test_requirements_from_a_loaded_curriculum():
    from pathlib import Path

    from onboarding.content.loader import load_curriculum

    cur = load_curriculum(Path(__file__).resolve().parent / "content")
    reqs = requirements_from(cur)
    assert reqs[0] == StageRequirements(1, "Company", 5, (("hello", ()), ("rules", ("hello",))), needs_signature=True,
                                        signature_effective=cur.job_description.effective)
    assert cur.job_description.effective == date(2026, 10, 1) and reqs[1].signature_effective is None
    assert [r.number for r in reqs] == [1, 2, 3, 4]
    assert reqs[1].modules == (("products", ()), ("prices", ()))
