"""Demo data: the contract's six accounts, with the progress their descriptions promise."""
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from .auth.models import User
from .content import curriculum
from .extensions import db
from .learning.models import ModuleCompletion
from .people.models import TraineeRecord
from .people.services import create_user
from .readiness.progress import planned_windows
from .timeutil import today

PASSWORD = "demo-pass-2024"

ACCOUNTS = [
    # email, name, role, days since start, modules done per stage (None: all)
    ("admin@example.com", "Lena Brandt", "admin", None, None),
    ("head@example.com", "Irene Walsh", "head", None, None),
    ("mentor@example.com", "Marco Ruiz", "mentor", None, None),
    ("trainee@example.com", "Sam Patel", "trainee", 0, {}),
    ("trainee2@example.com", "Ana Costa", "trainee", 27, {1: None, 2: None, 3: 3}),
    ("trainee3@example.com", "Tom Becker", "trainee", 110, {1: None, 2: None, 3: None, 4: 5}),
]


def _user(email, name, role, start):
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None:
        return user, False
    return create_user(email, name, role, PASSWORD, None, start_date=start), True


def seed() -> int:
    """Create what is missing; run again, it changes nothing. Returns the number of new accounts."""
    cur = curriculum()
    created = 0
    mentor = None
    for email, name, role, days, plan in ACCOUNTS:
        start = today() - timedelta(days=days or 0)
        user, new = _user(email, name, role, start)
        created += new
        if role == "mentor":
            mentor = user
        if role != "trainee":
            continue
        record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == user.id))
        if new and plan and mentor is not None:
            record.mentor_id = mentor.id
        if new:
            _complete(user, record, plan, cur)
    return created


def _complete(user, record, plan, cur):
    """Back-dated completions, spread over each stage's planned window as a real trainee would."""
    windows = planned_windows(cur.stages, record.start_date)
    for stage, (begin, end) in zip(cur.stages, windows):
        if stage.number not in plan:
            continue
        count = plan[stage.number]
        modules = stage.modules if count is None else stage.modules[:count]
        span = max((min(end, today()) - begin).days, 1)
        for i, module in enumerate(modules):
            day = begin + timedelta(days=span * (i + 1) // (len(stage.modules) + 1))
            db.session.add(ModuleCompletion(
                user_id=user.id, module_slug=module.slug, content_version=module.version,
                completed_at=datetime.combine(min(day, today()), time(10 + i % 6, 15), timezone.utc)))
