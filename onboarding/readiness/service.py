"""Progress for one trainee or a whole team, loaded with a fixed number of queries."""
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..assessment.services import statuses
from ..auth.models import TRAINEE, User
from ..content import curriculum
from ..extensions import db
from ..learning.services import completions_by_user
from ..mentoring.services import facts_by_user
from ..people.models import TraineeRecord
from ..timeutil import today
from .progress import TraineeFacts, compute_progress, requirements_from


_requirements: dict = {}


def requirements():
    """The stage requirements of the current curriculum, built once per content version."""
    cur = curriculum()
    if cur.version not in _requirements:
        _requirements.clear()
        _requirements[cur.version] = requirements_from(cur)
    return _requirements[cur.version]


def progress_of(record: TraineeRecord, completed: dict, quiz_status: dict, practice: dict):
    """The trainee's progress from rows already loaded (see facts_for)."""
    dates = {f"module:{slug}": day for slug, day in completed.items()}
    dates.update({f"quiz:{slug}": st.passed_on for slug, st in quiz_status.items() if st.passed and st.passed_on})
    dates.update(practice["dates"])
    facts = TraineeFacts(record.start_date, frozenset(completed),
                         passed_quizzes=frozenset(s for s, st in quiz_status.items() if st.passed),
                         blocked_quizzes=frozenset(s for s, st in quiz_status.items() if st.blocked),
                         awaiting_quizzes=frozenset(s for s, st in quiz_status.items() if st.awaiting),
                         signed_tasks=frozenset(practice["signed_tasks"]),
                         signature_current=practice["signature_current"],
                         role_play_passed=practice["role_play_passed"], dates=dates)
    return compute_progress(requirements(), facts, today())


def facts_for(user_ids):
    """Everything the progress rules need for these trainees, in a fixed number of queries."""
    cur = curriculum()
    doc = cur.job_description
    return (completions_by_user(user_ids), statuses(user_ids, cur.quiz_list),
            facts_by_user(user_ids, doc.version if doc else None))


def trainee_progress(record: TraineeRecord):
    uid = record.user_id
    done, quiz_status, practice = facts_for([uid])
    return progress_of(record, done[uid], quiz_status[uid], practice[uid])


def team_rows(mentor_id: int | None = None, page: int = 1, per_page: int = 25, search: str = ""):
    """A page of (record, progress) rows: every trainee, or one mentor's. Two queries whatever the page size."""
    trainee = aliased(User)
    query = (sa.select(TraineeRecord).join(trainee, TraineeRecord.user_id == trainee.id)
             .where(trainee.active.is_(True), trainee.role == TRAINEE).order_by(TraineeRecord.start_date.desc(), trainee.full_name))
    if mentor_id is not None:
        query = query.where(TraineeRecord.mentor_id == mentor_id)
    if search:
        like = f"%{search.lower()}%"
        query = query.where(sa.or_(sa.func.lower(trainee.full_name).like(like), trainee.email.like(like)))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    records = pagination.items
    ids = [r.user_id for r in records]
    done, quiz_status, practice = facts_for(ids)
    rows = [(r, progress_of(r, done[r.user_id], quiz_status[r.user_id], practice[r.user_id])) for r in records]
    return pagination, rows
