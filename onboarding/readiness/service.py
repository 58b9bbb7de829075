"""Progress for one trainee or many, loaded with a fixed number of queries."""
import sqlalchemy as sa

from ..assessment.services import statuses
from ..content import curriculum
from ..extensions import db
from ..learning.services import completions_by_user
from ..mentoring.services import facts_by_user
from ..people.models import TraineeRecord
from ..timeutil import today
from .models import GoDecision
from .progress import TraineeFacts, compute_progress, requirements_from


_requirements: dict = {}


def requirements():
    """The stage requirements of the current curriculum, built once per content version."""
    cur = curriculum()
    if cur.version not in _requirements:
        _requirements.clear()
        _requirements[cur.version] = requirements_from(cur)
    return _requirements[cur.version]


def progress_of(record: TraineeRecord, completed: dict, quiz_status: dict, practice: dict, go=None):
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
    doc = cur.job_description
    return (completions_by_user(user_ids), statuses(user_ids, cur.quiz_list),
            facts_by_user(user_ids, doc.version if doc else None), go_decisions_by_user(user_ids))


def go_decisions_by_user(user_ids) -> dict:
    """{trainee id: their go / no-go decision after cold calling} in one query (trainees without one are absent)."""
    ids = list(user_ids)
    if not ids:
        return {}
    return {d.trainee_id: d for d in db.session.scalars(sa.select(GoDecision).where(GoDecision.trainee_id.in_(ids)))}


def trainee_progress(record: TraineeRecord):
    uid = record.user_id
    done, quiz_status, practice, go = facts_for([uid])
    return progress_of(record, done[uid], quiz_status[uid], practice[uid], go.get(uid))
