"""Role-play statistics for the people who write the scenarios: the mean score of each criterion of each
scenario, the pass rate of first, second… attempts, and each evaluator's scoring beside the others'.

Grouped SQL over the scored attempts: three queries whatever the number of attempts. Python only turns sums
into shares of each criterion's scale.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from ..auth.models import User
from ..extensions import db
from .models import SCORED, RolePlayAttempt, RolePlayScore


@dataclass(frozen=True)
class CriterionStats:
    scenario: str  # slug
    criterion: str  # id
    scores: int  # scores given (one per evaluator and attempt)
    mean: float  # on the criterion's own scale


@dataclass(frozen=True)
class NumberStats:
    number: int  # first attempt, second…
    scored: int
    passed: int

    @property
    def pass_rate(self) -> int | None:
        return round(100 * self.passed / self.scored) if self.scored else None


@dataclass(frozen=True)
class EvaluatorStats:
    evaluator: User
    attempts: int  # scored attempts they scored
    share: float | None  # their mean score as a share of each criterion's scale
    others: float | None  # the other evaluators' mean share on the same attempts

    @property
    def difference(self) -> float | None:
        return None if self.share is None or self.others is None else self.share - self.others


def _share_of_scale(rows, scales) -> float | None:
    """The mean of score ÷ scale over (scenario, criterion, sum of scores, count) rows."""
    total = count = 0
    for scenario, criterion, summed, n in rows:
        scale = scales.get((scenario, criterion))
        if scale:
            total, count = total + float(summed) / scale, count + n
    return total / count if count else None


def role_play_statistics(scenarios: dict) -> dict:
    """{"criteria": [CriterionStats], "numbers": [NumberStats], "evaluators": [EvaluatorStats]}."""
    P, S = RolePlayAttempt, RolePlayScore
    scales = {(slug, c.id): c.scale for slug, s in scenarios.items() for c in s.criteria}
    criteria = [CriterionStats(slug, criterion, n, float(mean)) for slug, criterion, mean, n in db.session.execute(
        sa.select(P.scenario_slug, S.criterion_id, sa.func.avg(S.score), sa.func.count())
        .join(P, P.id == S.attempt_id).where(P.state == SCORED)
        .group_by(P.scenario_slug, S.criterion_id).order_by(P.scenario_slug, S.criterion_id))]
    numbers = [NumberStats(number, scored, int(passed or 0)) for number, scored, passed in db.session.execute(
        sa.select(P.number, sa.func.count(), sa.func.sum(sa.case((P.passed.is_(True), 1), else_=0)))
        .where(P.state == SCORED).group_by(P.number).order_by(P.number))]
    # Each evaluator's sums per criterion, and everyone's sums on the attempts they scored, in one query.
    mine = (sa.select(S.evaluator_id.label("evaluator_id"), S.attempt_id.label("attempt_id"))
            .join(P, P.id == S.attempt_id).where(P.state == SCORED).distinct().subquery())
    rows = db.session.execute(
        sa.select(mine.c.evaluator_id, S.evaluator_id == mine.c.evaluator_id, P.scenario_slug, S.criterion_id,
                  sa.func.sum(S.score), sa.func.count(), sa.func.count(sa.distinct(S.attempt_id)))
        .join(S, S.attempt_id == mine.c.attempt_id).join(P, P.id == S.attempt_id)
        .group_by(mine.c.evaluator_id, S.evaluator_id == mine.c.evaluator_id, P.scenario_slug, S.criterion_id))
    own, others, per_scenario = {}, {}, {}
    for evaluator_id, is_own, scenario, criterion, summed, n, distinct in rows:
        (own if is_own else others).setdefault(evaluator_id, []).append((scenario, criterion, summed, n))
        if is_own:  # every criterion of an attempt is scored: the attempts of a scenario are any criterion's
            key = (evaluator_id, scenario)
            per_scenario[key] = max(per_scenario.get(key, 0), distinct)
    attempts = {}
    for (evaluator_id, _scenario), count in per_scenario.items():
        attempts[evaluator_id] = attempts.get(evaluator_id, 0) + count
    people = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(list(own))))} if own else {}
    evaluators = sorted((EvaluatorStats(people[e], attempts[e], _share_of_scale(own[e], scales),
                                        _share_of_scale(others.get(e, []), scales)) for e in own if e in people),
                        key=lambda s: (s.evaluator.full_name.lower(), s.evaluator.id))
    return {"criteria": criteria, "numbers": numbers, "evaluators": evaluators}
