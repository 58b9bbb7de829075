"""Keeping each trainee's stored readiness summary current, in the same transaction as the change.

Every row that feeds a trainee's derived state says whose state it feeds: its model has a `summary_trainee_id`
(the trainee's id, or None). When the session flushes such a row (added, changed or deleted), the trainee is
noted; just before the transaction commits, the one refresher the application installed (readiness.summary)
recomputes the noted trainees' summaries and writes them in the same transaction. A rolled-back change refreshes
nothing. Writes that bypass the ORM (`UPDATE ... WHERE`) call `touch` themselves.

This room is low on purpose: features import it to `touch`, and it imports no feature. The refresher is handed
in by `install` (from create_app), so the features never import the readiness dashboards above them.
"""
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

_DUE = "summaries_due"  # session.info key: trainee ids to refresh before this transaction commits
_ALL = "summaries_due_all"  # session.info key: every trainee (a change every summary reads, such as targets)

_refresher: Callable | None = None


def touch(session: Session, *trainee_ids: int | None) -> None:
    """Refresh these trainees' summaries before the session commits."""
    due = session.info.setdefault(_DUE, set())
    due.update(i for i in trainee_ids if i is not None)


def touch_every_trainee(session: Session) -> None:
    """Refresh every trainee's summary before the session commits (a change that every summary reads)."""
    session.info[_ALL] = True


def touched(session: Session) -> set:
    """The trainee ids noted so far in this transaction (for tests and the refresher)."""
    return set(session.info.get(_DUE, ()))


def pending(session: Session) -> bool:
    """Whether this transaction has flushed changes that a summary reads and that are not committed yet."""
    return bool(session.info.get(_DUE)) or bool(session.info.get(_ALL))


def _note_flushed_rows(session, _flush_context, _instances):
    for obj in (*session.new, *session.dirty, *session.deleted):
        noted = getattr(obj, "summary_trainee_ids", None)
        if noted is None:
            continue
        ids = noted() if callable(noted) else noted
        if ids == "all":
            touch_every_trainee(session)
        else:
            touch(session, *ids)


def _refresh_before_commit(session):
    if _refresher is None:
        return
    for _ in range(5):  # the refresher's own writes note nothing; a second round only for rows it made dirty
        session.flush()
        everyone = session.info.pop(_ALL, False)
        due = session.info.pop(_DUE, set())
        if not everyone and not due:
            return
        _refresher(session, None if everyone else sorted(due))


def _forget(session, *_args):
    session.info.pop(_DUE, None)
    session.info.pop(_ALL, None)


def install(session_factory, refresher: Callable[[Session, Iterable[int] | None], None]) -> None:
    """Hook the refresher (called with the session and the trainee ids, or None for every trainee) into every
    session the factory makes. Called once by create_app."""
    global _refresher
    _refresher = refresher
    if not sa.event.contains(session_factory, "before_flush", _note_flushed_rows):
        sa.event.listen(session_factory, "before_flush", _note_flushed_rows)
        sa.event.listen(session_factory, "before_commit", _refresh_before_commit)
        sa.event.listen(session_factory, "after_rollback", _forget)
