"""Readiness gates: may this trainee work alone? Pure; no Flask, no database.

Four gates, each met or not with the reason: every stage complete; the role-play passed;
the current job description signed; supervised work in stage 4 for the minimum period, with
the seven criteria met in at least K of the last N supervised weeks and the last monthly plan
met (the weekly targets met on average are kept as evidence, no longer as a condition).
"""
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Gate:
    key: str
    met: bool
    reason: str  # a plain-English explanation; the pages word it in the reader's language from `key` and `data`
    data: dict


def readiness_gates(progress, role_play_passed: bool, signature_current: bool, stage4_opened: date | None,
                    today: date, min_weeks: int, targets_met: bool, criteria=None, plan: dict | None = None) -> list:
    """criteria: an activity.criteria.CriteriaGate (None: no week judged); plan: the last ended month's plan as
    {"month": "YYYY-MM", "met": bool} (None: no month with a plan has ended yet)."""
    incomplete = [s.number for s in progress.stages if s.state != "complete"]
    weeks = (today - stage4_opened).days // 7 if stage4_opened else 0
    criteria_met = criteria is not None and criteria.met
    plan_met = plan is not None and plan["met"]
    return [
        Gate("stages_complete", not incomplete,
             "every stage is complete" if not incomplete else f"stages not complete: {incomplete}",
             {"incomplete": incomplete}),
        Gate("role_play_passed", role_play_passed,
             "the role-play is passed" if role_play_passed else "the role-play is not passed", {}),
        Gate("job_description_signed", signature_current,
             "the current job description is signed" if signature_current
             else "the current job description is not signed", {}),
        Gate("supervised_work", stage4_opened is not None and weeks >= min_weeks and criteria_met and plan_met,
             ("stage 4 has not opened" if stage4_opened is None else
              f"{weeks} of {min_weeks} weeks of supervised work" + ("" if weeks >= min_weeks else ", too few")
              + (f"; the seven criteria met in {criteria.weeks_met} of the last {criteria.considered} weeks "
                 f"({criteria.required} needed)" if criteria else "; no week judged on the seven criteria")
              + (f"; the plan for {plan['month']} " + ("met" if plan_met else "not met") if plan
                 else "; no monthly plan has ended yet")),
             {"weeks": weeks, "min_weeks": min_weeks, "targets_met": targets_met,
              "since": stage4_opened.isoformat() if stage4_opened else None,
              "criteria_met": criteria_met, "criteria_weeks_met": criteria.weeks_met if criteria else 0,
              "criteria_weeks": criteria.considered if criteria else 0,
              "criteria_required": criteria.required if criteria else None,
              "criteria_window": criteria.window if criteria else None,
              "plan_month": plan["month"] if plan else None, "plan_met": plan_met}),
    ]
