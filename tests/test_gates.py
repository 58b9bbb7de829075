"""Readiness gates as pure rules."""
from datetime import date, timedelta

from onboarding.path.gates import readiness_gates
from onboarding.path.progress import StageRequirements, TraineeFacts, compute_progress

STAGES = (StageRequirements(1, "One", 5, (("a", ()),)), StageRequirements(2, "Two", 10, (("b", ()),)))
TODAY = date(2026, 11, 27)


def progress(done):
    return compute_progress(STAGES, TraineeFacts(date(2026, 6, 1), frozenset(done)), TODAY)


def gates(**kw):
    args = {"progress": progress({"a", "b"}), "role_play_passed": True, "signature_current": True,
            "stage4_opened": TODAY - timedelta(weeks=9), "today": TODAY, "min_weeks": 8, "targets_met": True}
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
    assert not gates(targets_met=False)["supervised_work"].met
    never = gates(stage4_opened=None)["supervised_work"]
    assert not never.met and never.data["since"] is None and never.reason == "stage 4 has not opened"


def test_exactly_the_minimum_period_counts():
    assert gates(stage4_opened=TODAY - timedelta(weeks=8))["supervised_work"].met
