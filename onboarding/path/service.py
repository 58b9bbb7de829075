"""Progress for one trainee or many, loaded with a fixed number of queries.

The facts belong to the features (modules read, quizzes, sign-offs). Each hands in its loader once, when the
application starts (`install`), so this room imports none of them.
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from ..content import curriculum
from ..timeutil import today
from .progress import TraineeFacts, compute_progress, requirements_from


@dataclass(frozen=True)
class Sources:
    """The features' loaders of a trainee's facts, each for many trainees in a fixed number of queries."""

    completions: Callable  # (user ids) -> {user id: {module slug: date completed}}
    quiz_statuses: Callable  # (user ids, quizzes) -> {user id: {quiz slug: QuizStatus}}
    practice: Callable  # (user ids, the job description in force or None) -> {user id: {"signed_tasks", ...}}
    go_decisions: Callable  # (user ids) -> {user id: the go / no-go decision after cold calling}, if any
    #: (user id) -> a number that rises with every committed change to the trainee's facts, or None when it
    #: cannot say (changes not committed yet): a path computed under a number is kept and used again under it.
    revision: Callable | None = None


_sources: Sources | None = None


def install(sources: Sources) -> None:
    """Hand in the features' loaders (create_app does this once)."""
    global _sources
    _sources = sources


_requirements: dict = {}


def requirements():
    """The stage requirements of the current curriculum, built once per content version."""
    cur = curriculum()
    if cur.version not in _requirements:
        _requirements.clear()
        _requirements[cur.version] = requirements_from(cur)
    return _requirements[cur.version]


def progress_of(record, completed: dict, quiz_status: dict, practice: dict, go=None):
    """The trainee's progress from rows already loaded (see facts_for); `go` is their GoDecision, if any."""
    dates = {f"module:{slug}": day for slug, day in completed.items()}
    dates.update({f"quiz:{slug}": st.passed_on for slug, st in quiz_status.items() if st.passed and st.passed_on})
    dates.update(practice["dates"])
    if go is not None:
        dates["go"] = go.decided_at.date()
    facts = TraineeFacts(record.start_date, frozenset(completed),
                         passed_quizzes=frozenset(s for s, st in quiz_status.items() if st.passed),
                         blocked_quizzes=frozenset(s for s, st in quiz_status.items() if st.blocked),
                         awaiting_quizzes=frozenset(s for s, st in quiz_status.items() if st.awaiting),
                         signed_tasks=frozenset(practice["signed_tasks"]),
                         signature_current=practice["signature_current"],
                         role_play_passed=practice["role_play_passed"],
                         go_decision=go.verdict if go is not None else None, dates=dates)
    return compute_progress(requirements(), facts, today())


def facts_for(user_ids):
    """Everything the progress rules need for these trainees, in a fixed number of queries."""
    cur = curriculum()
    return (_sources.completions(user_ids), _sources.quiz_statuses(user_ids, cur.quiz_list),
            _sources.practice(user_ids, cur.job_description), _sources.go_decisions(user_ids))


#: Computed paths kept per application process: at most this many trainees.
KEPT = 4096


def trainee_progress(record):
    """The path of one trainee (a people.models.TraineeRecord).

    A trainee's pages ask for it on every request, and loading the facts takes six queries. The path is kept
    under the revision of the trainee's facts (the `revision` source: one small read) and the things besides the
    facts that it depends on: the start date, the content and the date. Any committed change to
    the facts raises the revision, so a kept path is never out of date.
    """
    uid = record.user_id
    revision = _sources.revision(uid) if _sources.revision is not None else None
    if revision is None:
        return _compute(record)
    kept = current_app.extensions.setdefault("path.kept", {})
    key = (uid, revision, record.start_date, curriculum().version, today())
    progress = kept.get(key)
    if progress is None:
        progress = _compute(record)
        while len(kept) >= KEPT:
            kept.pop(next(iter(kept)), None)
        kept[key] = progress
    return progress


def _compute(record):
    uid = record.user_id
    done, quiz_status, practice, go = facts_for([uid])
    return progress_of(record, done[uid], quiz_status[uid], practice[uid], go.get(uid))
