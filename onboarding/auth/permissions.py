"""Who may do what: role decorators for views and object checks for records."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .models import ADMIN, HEAD, MENTOR, READERS, TRAINEE


def roles_required(*roles):
    """The view needs a logged-in user with one of these roles; others get 403, anonymous users the login page."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def can_view_trainee(user, record) -> bool:
    """A trainee sees only themself, a mentor only their own trainees, heads, admins and the director everyone."""
    if user.role in READERS:
        return True
    if user.role == MENTOR:
        return record.mentor_id == user.id
    return user.role == TRAINEE and record.user_id == user.id


def trainee_or_abort(user_id: int, check=None):
    """(trainee, their record) for a view: 404 when there is no such trainee, 403 when the current user fails
    `check` (default: may see the trainee)."""
    from ..extensions import db
    from ..people.services import record_of
    from .models import User

    user = db.session.get(User, user_id)
    if user is None or user.role != TRAINEE:
        abort(404)
    rec = record_of(user)
    if not (check or can_view_trainee)(current_user, rec):
        abort(403)
    return user, rec


def trainee_to_act_on(user_id: int, write: bool = False):
    """(trainee, their record) when the current user may see them, or with `write`, act as their mentor."""
    return trainee_or_abort(user_id, can_grade if write else can_view_trainee)


def can_grade(user, record) -> bool:
    """Graders: the trainee's own mentor, heads of sales, and admins (HR may grade written tests)."""
    if user.role in (HEAD, ADMIN):
        return True
    return user.role == MENTOR and record is not None and record.mentor_id == user.id


def can_decide_go(user, record) -> bool:
    """The decision after cold calling: the trainee's own mentor, or a head of sales."""
    return user.role == HEAD or (user.role == MENTOR and record is not None and record.mentor_id == user.id)


def can_manage_trainees(user) -> bool:
    return user.role in (HEAD, ADMIN)


_BY_ROLE = {  # the template's checks that depend on the role alone
    "manage_trainees": (HEAD, ADMIN),
    "manage_users": (ADMIN,),
    "view_audit": (HEAD, ADMIN),
    "read_team": READERS,  # the cohort view and the mentors' results
    "grade": (MENTOR, HEAD, ADMIN),
    "grant_attempts": (HEAD,),
}
_ON_RECORD = {"view_trainee": can_view_trainee, "decide_go": can_decide_go}


def can(action: str, obj=None) -> bool:
    """Template helper: can the current user do this?"""
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return False
    if action in _BY_ROLE:
        return user.role in _BY_ROLE[action]
    return _ON_RECORD[action](user, obj)
