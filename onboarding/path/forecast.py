"""When will this trainee be ready? A projection from the pace so far. Pure; no Flask, no database.

The pace is the steps done (modules read, quizzes passed, skills signed off, signature,
role-play) per day since the start. The remaining steps are projected at that pace; the
supervised period of stage 4 then runs its minimum length from the day stage 4 opens (or is
projected to open). The later of the two is the projected readiness date.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

#: Fewer days than this since the start, or no step done yet, is too little to project from.
MIN_DAYS = 7

READY, PROJECTED, TOO_EARLY, TARGETS = "ready", "projected", "too_early", "targets"


@dataclass(frozen=True)
class Forecast:
    basis: str  # READY: every gate met; PROJECTED: a date from the pace; TOO_EARLY; TARGETS: only the targets wait
    date: date | None
    target: date
    steps_per_week: float | None = None

    @property
    def days_late(self) -> int | None:
        """Days after the target date (negative: early); None without a date."""
        return None if self.date is None else (self.date - self.target).days

    @property
    def on_track(self) -> bool | None:
        return None if self.date is None else self.date <= self.target


def forecast(progress, stage4_opened: date | None, today: date, target: date, min_weeks: int,
             gates_met: bool) -> Forecast:
    if gates_met:
        return Forecast(READY, today, target)
    elapsed = progress.days_since_start
    if elapsed < MIN_DAYS or progress.steps_done == 0:
        return Forecast(TOO_EARLY, None, target)
    pace = progress.steps_done / elapsed  # steps per day
    before_last = sum(s.steps_total - s.steps_done for s in progress.stages[:-1])
    remaining = progress.steps_total - progress.steps_done
    finish = today + timedelta(days=ceil(remaining / pace))
    opens = stage4_opened or today + timedelta(days=ceil(before_last / pace))
    supervised_end = opens + timedelta(weeks=min_weeks)
    projected = max(finish, supervised_end, today + timedelta(days=1))
    if remaining == 0 and supervised_end <= today:
        return Forecast(TARGETS, None, target, round(pace * 7, 1))
    return Forecast(PROJECTED, projected, target, round(pace * 7, 1))
