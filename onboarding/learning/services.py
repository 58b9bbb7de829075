"""Recording that a trainee finished a module."""
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..extensions import db
from .models import ModuleCompletion


def completed_slugs(user_id: int) -> frozenset:
    return frozenset(db.session.scalars(
        sa.select(ModuleCompletion.module_slug).where(ModuleCompletion.user_id == user_id)))


def completions_by_user(user_ids) -> dict:
    """{user id: {completed slug: date completed}} for many trainees in one query."""
    result = {uid: {} for uid in user_ids}
    if user_ids:
        rows = db.session.execute(sa.select(ModuleCompletion.user_id, ModuleCompletion.module_slug,
                                            ModuleCompletion.completed_at)
                                  .where(ModuleCompletion.user_id.in_(list(user_ids))))
        for uid, slug, at in rows:
            result[uid][slug] = at.date()
    return result


def complete_module(user, module) -> bool:
    """Mark the module complete with the version read (a translation's own version when the trainee read one);
    True if newly recorded (repeats change nothing)."""
    exists = db.session.scalar(sa.select(ModuleCompletion.id).where(
        ModuleCompletion.user_id == user.id, ModuleCompletion.module_slug == module.slug))
    if exists:
        return False
    completion = ModuleCompletion(user_id=user.id, module_slug=module.slug, content_version=module.version)
    try:
        with db.session.begin_nested():  # a parallel click may have recorded it a moment ago
            db.session.add(completion)
    except IntegrityError:
        return False
    record("module_completed", completion, actor=user, module=module.slug, version=module.version[:12],
           **({"language": module.locale} if module.locale else {}))
    return True
