"""Mentoring rules: sign-off states, role-play results, signatures of the job description.

Pure functions of plain values; no Flask, no database.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..path.progress import COMPLETE, OPEN  # the stage states of the path rules (pure, like these)

NONE, REQUESTED, SIGNED, RETURNED, REVOKED = "none", "requested", "signed", "returned", "revoked"

# Which step may follow which, per task: the trainee asks, the mentor signs or returns, a signature may be revoked.
NEXT = {
    NONE: {REQUESTED, SIGNED},
    REQUESTED: {SIGNED, RETURNED},
    RETURNED: {REQUESTED, SIGNED},
    REVOKED: {REQUESTED, SIGNED},
    SIGNED: {REVOKED},
}


def task_states(events) -> dict:
    """{task id: current state} from sign-off events (kind, task_id) in the order they happened."""
    states = {}
    for kind, task_id in events:
        states[task_id] = kind
    return states


def may_move(current: str, kind: str) -> bool:
    return kind in NEXT.get(current, set())


# The path: a task is asked for and signed off only once its stage is open (or complete); a request already made
# may still be returned and a signature already given revoked, whatever the stage's state since.


def stage_allows(kind: str, stage_state: str | None) -> bool:
    """True when a sign-off step of this kind may happen on a task whose stage is in this state."""
    if kind in (REQUESTED, SIGNED):
        return stage_state in (OPEN, COMPLETE)
    return True


# ---------------------------------------------------------------- role-play results

CANCELLED = "cancelled"


def role_play_state(attempts, allowed: int, now=None, decision: str | None = None) -> str:
    """Where the certification stands: passed; scheduled (its time not come yet, or no `now` given); due (its
    time has come, scores awaited); held (every attempt failed, the head of sales decides); kept (held, and the
    head kept the trainee in training without certification); failed (an attempt left); or none.

    attempts: (state, passed) or (state, passed, scheduled_for) tuples, state "scheduled", "scored" or
    "cancelled" (a cancelled attempt did not take place and uses up nothing).
    """
    attempts = [a for a in attempts if a[0] != CANCELLED]
    if any(a[1] for a in attempts):
        return "passed"
    scheduled = [a for a in attempts if a[0] == "scheduled"]
    if scheduled:
        when = scheduled[0][2] if len(scheduled[0]) > 2 else None
        return "due" if now is not None and when is not None and when <= now else "scheduled"
    failed = sum(1 for a in attempts if a[0] == "scored" and not a[1])
    if failed >= allowed:
        return "kept" if decision == "keep" else "held"
    return "failed" if failed else "none"


@dataclass(frozen=True)
class Missing:
    """One reason a role-play cannot be scheduled yet: its kind, the item it names, and plain English
    (the pages word it in the reader's language from kind and item)."""

    kind: str  # "passed", "open", "used", "held", "stage", "quiz", "task"
    item: object = None
    reason: str = ""


def role_play_missing(*, stage_state: str, attempts, allowed: int, required_quizzes=(), passed_quizzes=(),
                      required_tasks=(), signed_tasks=()) -> tuple:
    """Why a role-play cannot be scheduled now (empty: it can).

    stage_state: the role-play stage's state on the trainee's path ("locked", "open", "complete");
    attempts: (state, passed) tuples as for role_play_state; allowed: the configured attempts;
    required_*: what the content marks as coming before the role-play; passed/signed: what the trainee has.
    """
    live = [a for a in attempts if a[0] != CANCELLED]
    if any(a[1] for a in live):
        return (Missing("passed", reason="the role-play is passed already"),)
    if any(a[0] == "scheduled" for a in live):
        return (Missing("open", reason="an attempt is scheduled already; score, cancel or move it"),)
    if len(live) >= allowed:
        return (Missing("used", allowed, f"all {allowed} attempts are used; the head of sales decides"),)
    missing = []
    if stage_state != "open":
        missing.append(Missing("stage", None, "the trainee has not reached the role-play stage"))
    missing += [Missing("quiz", q, f"quiz {q} is not passed") for q in required_quizzes if q not in passed_quizzes]
    missing += [Missing("task", t, f"skill {t} is not signed off") for t in required_tasks if t not in signed_tasks]
    return tuple(missing)


def retake_scenarios(all_slugs, used_slugs) -> tuple:
    """The scenarios a new attempt may use: those the trainee has not had, or every one when all were used."""
    fresh = tuple(s for s in all_slugs if s not in set(used_slugs))
    return fresh or tuple(all_slugs)


def evaluators_problem(evaluator_ids, trainee_id: int, required: int) -> str | None:
    """Why this panel of evaluators will not do (None: it will): too few distinct people, or the trainee."""
    ids = set(evaluator_ids)
    if trainee_id in ids:
        return "self"
    if len(ids) < required:
        return "too_few"
    return None


@dataclass(frozen=True)
class RolePlayResult:
    percent: Decimal
    passed: bool
    per_criterion: dict  # criterion id -> mean score across evaluators


def role_play_result(criteria, scores, threshold: int) -> RolePlayResult:
    """Combine the evaluators: each criterion's mean score over its scale, weighted; pass at the threshold.

    criteria: objects with id, weight, scale. scores: {evaluator: {criterion id: score}}.
    """
    means, total = {}, Decimal(0)
    weights = sum(c.weight for c in criteria)
    for c in criteria:
        given = [Decimal(s[c.id]) for s in scores.values() if c.id in s]
        mean = sum(given) / len(given) if given else Decimal(0)
        means[c.id] = mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        total += Decimal(c.weight) * mean / c.scale
    percent = (100 * total / weights).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if weights else Decimal(0)
    return RolePlayResult(percent, percent >= threshold, means)


def names_match(typed: str, full_name: str) -> bool:
    """A typed signature matches the account's full name, ignoring case and extra spaces."""
    norm = lambda s: " ".join((s or "").split()).casefold()  # noqa: E731
    return bool(norm(typed)) and norm(typed) == norm(full_name)


def signature_current(version: str, typed_name: str, document_version: str | None, full_name: str) -> bool:
    """A signature counts as current when it signs the document's current version with the name the account
    has now: after a correction of the name that no longer matches, the trainee signs again."""
    return document_version is not None and version == document_version and names_match(typed_name, full_name)
