"""Readiness gates: may this trainee work alone? Pure; no Flask, no database.

Four gates, each met or not with the reason: every stage complete; the role-play passed;
the current job description signed; supervised work in stage 4 for the minimum period with
the activity targets met on average.
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
                    today: date, min_weeks: int, targets_met: bool) -> list:
    incomplete = [s.number for s in progress.stages if s.state != "complete"]
    weeks = (today - stage4_opened).days // 7 if stage4_opened else 0
    return [
        Gate("stages_complete", not incomplete,
             "every stage is complete" if not incomplete else f"stages not complete: {incomplete}",
             {"incomplete": incomplete}),
        Gate("role_play_passed", role_play_passed,
             "the role-play is passed" if role_play_passed else "the role-play is not passed", {}),
        Gate("job_description_signed", signature_current,
             "the current job description is signed" if signature_current
             else "the current job description is not signed", {}),
        Gate("supervised_work", stage4_opened is not None and weeks >= min_weeks and targets_met,
             ("stage 4 has not opened" if stage4_opened is None else
              f"{weeks} of {min_weeks} weeks of supervised work" + ("" if weeks >= min_weeks else ", too few")
              + ("; activity targets met" if targets_met else "; activity targets not met")),
             {"weeks": weeks, "min_weeks": min_weeks, "targets_met": targets_met,
              "since": stage4_opened.isoformat() if stage4_opened else None}),
    ]
