"""Readiness gates as pure rules."""
from datetime import date, timedelta

from onboarding.activity.criteria import CRITERIA, criteria_gate
from onboarding.path.gates import readiness_gates
from onboarding.path.progress import StageRequirements, TraineeFacts, compute_progress

STAGES = (StageRequirements(1, "One", 5, (("a", ()),)), StageRequirements(2, "Two", 10, (("b", ()),)))
TODAY = date(2026, 11, 27)
ALL_MET = {c: "met" for c in CRITERIA}


def progress(done):
    return compute_progress(STAGES, TraineeFacts(date(2026, 6, 1), frozenset(done)), TODAY)


def gates(**kw):
    args = {"progress": progress({"a", "b"}), "role_play_passed": True, "signature_current": True,
            "stage4_opened": TODAY - timedelta(weeks=9), "today": TODAY, "min_weeks": 8, "targets_met": True,
            "criteria": criteria_gate([ALL_MET] * 8, 6, 8), "plan": {"month": "2026-10", "met": True}}
    args.update(kw)
    return {g.key: g for g in readiness_gates(**args)}


def test_every_gate_met():
    assert all(g.met for g in gates().values())


def test_each_gate_says_why_it_is_not_met():
    assert gates(progress=progress({"a"}))["stages_complete"].data == {"incomplete": [2]}
    assert not gates(role_play_passed=False)["role_play_passed"].met
    assert not gates(signature_current=False)["job_description_signed"].met
    short = gates(stage4_opened=TODAY - timedelta(weeks=7, days=6))["supervised_work"]
    assert not short.met and short.data["weeks"] == 7 and "too few" in short.reason
    assert gates(targets_met=False)["supervised_work"].met  # the weekly targets are evidence, not a condition
    assert gates(targets_met=False)["supervised_work"].data["targets_met"] is False
    never = gates(stage4_opened=None)["supervised_work"]
    assert not never.met and never.data["since"] is None and never.reason == "stage 4 has not opened"


def test_exactly_the_minimum_period_counts():
    assert gates(stage4_opened=TODAY - timedelta(weeks=8))["supervised_work"].met


def test_the_seven_criteria_in_k_of_the_last_n_weeks_and_the_last_plan_decide_the_activity_gate():
    five = gates(criteria=criteria_gate([ALL_MET] * 5 + [{}] * 3, 6, 8))["supervised_work"]
    assert not five.met and five.data["criteria_weeks_met"] == 5 and "met in 5 of the last 8 weeks" in five.reason
    six = gates(criteria=criteria_gate([{}] * 2 + [ALL_MET] * 6 + [{}] * 2, 6, 8))["supervised_work"]
    assert six.met and (six.data["criteria_weeks_met"], six.data["criteria_weeks"]) == (6, 8)
    assert not gates(criteria=None)["supervised_work"].met  # no week judged yet
    missed = gates(plan={"month": "2026-10", "met": False})["supervised_work"]
    assert not missed.met and missed.data["plan_month"] == "2026-10" and "plan for 2026-10 not met" in missed.reason
    none = gates(plan=None)["supervised_work"]
    assert not none.met and "no monthly plan has ended yet" in none.reason
