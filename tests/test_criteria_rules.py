"""The seven criteria's prefill, branch by branch and at every boundary: pure, no app."""
from datetime import date, timedelta
from fractions import Fraction

import pytest

from onboarding.activity import criteria as c
from onboarding.activity.rules import FIGURES

MONDAY = date(2026, 11, 2)


def day(**figures):
    return {f: figures.get(f, 0) for f in FIGURES}


# ---------------------------------------------------------------- 1. events


@pytest.mark.parametrize("attended,target,verdict", [
    (1, 1, c.MET), (2, 1, c.MET), (0, 1, c.NOT_MET), (1, 2, c.PARTLY), (0, 0, c.MET)])
def test_events_against_the_monthly_target(attended, target, verdict):
    p = c.events(attended, target)
    assert (p.verdict, p.data["value"], p.data["target"]) == (verdict, attended, target)


# ---------------------------------------------------------------- 2. rhythm


def test_alternating_call_and_meeting_days_meet_the_rhythm():
    kinds = [c.CALL_DAY, c.MEETING_DAY, c.CALL_DAY, c.MEETING_DAY, c.CALL_DAY]
    p = c.rhythm(kinds)
    assert p.verdict == c.MET and p.data == {"call_days": 3, "meeting_days": 2, "switches": 4}


def test_two_days_of_one_kind_in_a_row_is_partly():
    assert c.rhythm([c.CALL_DAY, c.CALL_DAY, c.MEETING_DAY, c.CALL_DAY]).verdict == c.PARTLY
    assert c.rhythm([c.MEETING_DAY, c.CALL_DAY, c.MEETING_DAY, c.MEETING_DAY]).verdict == c.PARTLY


def test_same_type_days_only_do_not_meet_the_rhythm():
    assert c.rhythm([c.CALL_DAY] * 5).verdict == c.NOT_MET
    assert c.rhythm([c.MEETING_DAY] * 3).verdict == c.NOT_MET
    assert c.rhythm([None, None]).verdict == c.NOT_MET  # days logged with neither calls nor meetings


def test_one_call_day_and_one_meeting_day_alternate():
    assert c.rhythm([c.MEETING_DAY, c.CALL_DAY]).verdict == c.MET


def test_an_empty_day_between_does_not_break_the_alternation_and_no_day_logged_says_nothing():
    assert c.rhythm([c.CALL_DAY, None, c.MEETING_DAY]).verdict == c.MET
    assert c.rhythm([]).verdict is None


def test_day_kind_counts_a_day_with_any_meeting_as_a_meeting_day():
    assert c.day_kind(day(calls=30, meetings=1)) == c.MEETING_DAY
    assert c.day_kind(day(calls=1)) == c.CALL_DAY
    assert c.day_kind(day()) is None


# ---------------------------------------------------------------- 3. referrals


@pytest.mark.parametrize("asked,target,verdict", [(3, 3, c.MET), (2, 3, c.PARTLY), (0, 3, c.NOT_MET),
                                                   (4, 3, c.MET)])
def test_referrals_against_the_weekly_target(asked, target, verdict):
    assert c.referrals(asked, target).verdict == verdict


# ---------------------------------------------------------------- 4. meetings per day


def test_b2b_meetings_per_day_at_the_boundaries():
    assert c.meetings_per_day(5, 5, "b2b").verdict == c.MET  # exactly 1 a day
    assert c.meetings_per_day(4, 5, "b2b").verdict == c.PARTLY  # 0.8: above half
    assert c.meetings_per_day(1, 2, "b2b").verdict == c.PARTLY  # exactly half
    assert c.meetings_per_day(2, 5, "b2b").verdict == c.NOT_MET  # 0.4: under half
    assert c.meetings_per_day(0, 5, "b2b").verdict == c.NOT_MET  # zero meetings


def test_consumer_goods_ask_about_twenty_a_day():
    assert c.meetings_per_day(100, 5, "consumer").verdict == c.MET
    assert c.meetings_per_day(99, 5, "consumer").verdict == c.PARTLY
    assert c.meetings_per_day(50, 5, "consumer").verdict == c.PARTLY  # exactly half of 20
    assert c.meetings_per_day(49, 5, "consumer").verdict == c.NOT_MET
    assert c.meetings_per_day(5, 5, "consumer").verdict == c.NOT_MET  # a good B2B week is short here


def test_meetings_per_day_without_a_day_logged_says_nothing():
    p = c.meetings_per_day(0, 0, "b2b")
    assert p.verdict is None and p.data["days"] == 0


# ---------------------------------------------------------------- 5. decision maker


def test_exactly_one_contract_in_ten_meetings_meets():
    assert c.decision_maker(10, 1, 4).verdict == c.MET
    assert c.decision_maker(11, 1, 4).verdict == c.PARTLY  # just under 1 in 10
    assert c.decision_maker(20, 2, 4).verdict == c.MET


def test_several_meetings_without_a_contract_flag_the_wrong_person():
    p = c.decision_maker(10, 0, 3)
    assert (p.verdict, p.flag) == (c.NOT_MET, c.WRONG_PERSON)
    p = c.decision_maker(9, 0, 3)  # one meeting fewer: too early to tell
    assert (p.verdict, p.flag) == (c.PARTLY, None)


def test_zero_meetings_say_nothing_about_the_decision_maker():
    assert c.decision_maker(0, 0, 0).verdict is None


# ---------------------------------------------------------------- 6. plan pace


def plan(elapsed, moved=0, **actual):
    return c.PlanToDate({"applications": 8, "deals": 4}, actual, Fraction(elapsed), moved)


def test_plan_pace_at_the_boundaries():
    assert c.plan_pace(plan("1/2", applications=4, deals=2)).verdict == c.MET  # exactly on pace
    assert c.plan_pace(plan("1/2", applications=4, deals=1)).verdict == c.PARTLY  # deals at half their pace
    assert c.plan_pace(plan("1/2", applications=1, deals=2)).verdict == c.NOT_MET  # applications at a quarter
    p = c.plan_pace(plan(1, applications=10, deals=4))
    assert p.verdict == c.MET and p.data["pace"] == 100 and p.data["slowest"] == "deals"


def test_a_moved_deal_fails_the_plan_criterion_whatever_the_pace():
    p = c.plan_pace(plan(1, moved=1, applications=16, deals=9))
    assert (p.verdict, p.flag, p.data["moved"]) == (c.NOT_MET, c.MOVED_DEALS, 1)


def test_no_plan_says_nothing():
    assert c.plan_pace(None).verdict is None
    assert c.plan_pace(c.PlanToDate({"deals": 0}, {}, Fraction(1, 2))).verdict is None


def test_a_moved_deal_is_flagged_even_under_a_plan_of_nothing():
    p = c.plan_pace(c.PlanToDate({"deals": 0}, {}, Fraction(1, 2), moved=1))
    assert (p.verdict, p.flag, p.data["pace"]) == (c.NOT_MET, c.MOVED_DEALS, None)


def test_an_unplanned_figure_is_not_paced():
    p = c.plan_pace(c.PlanToDate({"deals": 2, "orders": 0}, {"deals": 2}, Fraction(1)))
    assert p.verdict == c.MET and p.data["slowest"] == "deals"


# ---------------------------------------------------------------- 7. funnel


def test_the_funnel_at_exactly_one_in_ten():
    assert c.funnel(10, 1).verdict == c.MET
    assert c.funnel(11, 1).verdict == c.PARTLY  # under 1 in 10, above half of it
    assert c.funnel(20, 1).verdict == c.PARTLY  # exactly half the benchmark
    assert c.funnel(21, 1).verdict == c.NOT_MET
    assert c.funnel(10, 0).verdict == c.NOT_MET


def test_the_funnel_without_prospects_or_with_unknown_ones():
    assert c.funnel(0, 0).verdict is None
    assert c.funnel(10, 1, prospects_unknown_days=2).verdict is None  # unknown days could bring it below
    assert c.funnel(30, 1, prospects_unknown_days=2).verdict == c.NOT_MET  # below on what is known


# ---------------------------------------------------------------- the week and the gate


def test_week_prefill_reads_the_week_the_window_and_the_ledger_to_date():
    days = {MONDAY + timedelta(days=n): day(calls=20, meetings=0 if n % 2 else 2, referrals=1, prospects=3)
            for n in range(5)}
    days[MONDAY - timedelta(days=14)] = day(events=1, deals=1, applications=1, prospects=1, meetings=1)
    days[MONDAY - timedelta(days=35)] = day(events=5)  # before the four weeks
    days[MONDAY + timedelta(days=7)] = day(deals=9, applications=9)  # after the week
    targets = {"events": 1, "referrals": 3}
    week = c.week_prefill(days, MONDAY + timedelta(days=3), targets, "b2b")
    assert list(week) == list(c.CRITERIA)
    assert week["events"].verdict == c.MET and week["events"].data["value"] == 1
    assert week["rhythm"].verdict == c.MET  # M C M C M
    assert week["referrals"].verdict == c.MET and week["referrals"].data["value"] == 5
    assert week["meetings"].data == {"meetings": 6, "days": 5, "low": 1, "segment": "b2b", "per_day": 1.2}
    assert week["decision_maker"].data == {"meetings": 7, "deals": 1, "decision_makers": 0}
    assert week["plan"].verdict is None
    assert week["funnel"].data == {"prospects": 16, "deals": 1} and week["funnel"].verdict == c.PARTLY  # 1 in 16


def test_week_met_needs_every_one_of_the_seven():
    every = {k: c.MET for k in c.CRITERIA}
    assert c.week_met(every)
    for k in c.CRITERIA:
        assert not c.week_met({**every, k: c.PARTLY})
        missing = dict(every)
        del missing[k]
        assert not c.week_met(missing)


def test_the_gate_counts_the_last_n_weeks():
    good, bad = {k: c.MET for k in c.CRITERIA}, {}
    weeks = [good, good, good, bad, good, bad, good, good]
    gate = c.criteria_gate(weeks, 4, 6)  # the last six: good bad good bad good good
    assert (gate.met, gate.weeks_met, gate.considered) == (True, 4, 6)
    assert not c.criteria_gate(weeks, 5, 6).met
    assert not c.criteria_gate([good] * 3, 4, 6).met  # fewer weeks than K
    assert c.criteria_gate([bad] * 9 + [good] * 4, 4, 4).met
    assert not c.criteria_gate([good] * 4 + [bad], 4, 4).met  # the oldest good week falls out of the window
