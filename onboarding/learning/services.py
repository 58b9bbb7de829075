"""Recording that a trainee finished a module, which version they read, and what changed since."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..auth.models import TRAINEE, User
from ..content import original_curriculum
from ..extensions import db
from ..people.models import TraineeRecord
from ..values import BoundedStore
from .changes import Difference, difference
from .models import ModuleCompletion, ModuleSnapshot


@dataclass(frozen=True)
class ReadingRules:
    current: dict  # {slug: the versions that are the current text, the original's and each translation's}
    reread: frozenset  # slugs whose front matter says `requires_reread: true`

    def is_current(self, slug: str, version: str) -> bool:
        return version in self.current.get(slug, ())

    def counts(self, slug: str, version: str) -> bool:
        """A completion counts unless the module asks for a re-read and the version read is not the current one."""
        return slug not in self.reread or self.is_current(slug, version)


_rules: dict = {}


def reading_rules() -> ReadingRules:
    """The current versions and the modules to re-read, built once per content version."""
    cur = original_curriculum()
    if cur.version not in _rules:
        current = {slug: {m.version} for slug, m in cur.modules.items()}
        for language in (cur.translations or {}).values():
            for slug, m in language.get("modules", {}).items():
                current.setdefault(slug, set()).add(m.version)
        _rules.clear()
        _rules[cur.version] = ReadingRules({slug: frozenset(v) for slug, v in current.items()},
                                           frozenset(slug for slug, m in cur.modules.items() if m.requires_reread))
    return _rules[cur.version]


_COMPLETED = sa.select(ModuleCompletion.module_slug, ModuleCompletion.content_version).where(
    ModuleCompletion.user_id == sa.bindparam("uid"))  # statements a trainee's every page runs, built once
_READ = sa.select(ModuleCompletion).where(ModuleCompletion.user_id == sa.bindparam("uid"),
                                          ModuleCompletion.module_slug == sa.bindparam("slug"))
_READ_ALL = _COMPLETED.add_columns(ModuleCompletion.completed_at)
#: Statements of many trainees at once (the summaries' refresh, on every change), built once: building and keying
#: a statement cost twice as much as running it. `ids` is a list, expanded when the statement runs.
_COMPLETIONS_OF = sa.select(ModuleCompletion.user_id, ModuleCompletion.module_slug, ModuleCompletion.completed_at,
                            ModuleCompletion.content_version).where(ModuleCompletion.user_id.in_(sa.bindparam("ids", expanding=True)))


def completed_slugs(user_id: int) -> frozenset:
    rules = reading_rules()
    rows = db.session.execute(_COMPLETED, {"uid": user_id})
    return frozenset(slug for slug, version in rows if rules.counts(slug, version))


def completions_by_user(user_ids) -> dict:
    """{user id: {completed slug: date completed}} for many trainees in one query; a module that asks for a re-read
    counts only when its current version was read."""
    result = {uid: {} for uid in user_ids}
    if user_ids:
        rules = reading_rules()
        rows = db.session.execute(_COMPLETIONS_OF, {"ids": list(user_ids)})
        for uid, slug, at, version in rows:
            if rules.counts(slug, version):
                result[uid][slug] = at.date()
    return result


def keep_snapshot(module) -> None:
    """Keep the text of this version of the module (once), so its readers can later see what changed."""
    if db.session.scalar(sa.select(ModuleSnapshot.id).where(ModuleSnapshot.module_slug == module.slug,
                                                            ModuleSnapshot.version == module.version)):
        return
    try:
        with db.session.begin_nested():  # another reader may keep the same version at the same moment
            db.session.add(ModuleSnapshot(module_slug=module.slug, version=module.version, locale=module.locale,
                                          title=module.title, html=module.html))
    except IntegrityError:
        pass


def complete_module(user, module) -> bool:
    """Mark the module complete with the version read (a translation's own version when the trainee read one);
    True if newly recorded. Reading a module again after it changed records the new version; reading the current
    version again changes nothing."""
    existing = db.session.scalar(sa.select(ModuleCompletion).where(
        ModuleCompletion.user_id == user.id, ModuleCompletion.module_slug == module.slug))
    language = {"language": module.locale} if module.locale else {}
    if existing is not None:
        if existing.content_version == module.version or reading_rules().is_current(module.slug,
                                                                                    existing.content_version):
            return False
        keep_snapshot(module)
        before, existing.content_version = existing.content_version, module.version
        record("module_reread", existing, actor=user, module=module.slug, version=module.version[:12],
               before=before[:12], **language)
        return True
    completion = ModuleCompletion(user_id=user.id, module_slug=module.slug, content_version=module.version)
    try:
        with db.session.begin_nested():  # a parallel click may have recorded it a moment ago
            db.session.add(completion)
    except IntegrityError:
        return False
    keep_snapshot(module)
    record("module_completed", completion, actor=user, module=module.slug, version=module.version[:12],
           **language)
    return True


@dataclass(frozen=True)
class Reading:
    """A trainee's reading of one module: when, which version, and whether it is still the current text."""

    completed_at: datetime
    version: str
    current: bool
    counts: bool  # False when the module asks for a re-read of its new version
    snapshot: ModuleSnapshot | None  # the text as read, when it was kept

    def against(self, module) -> Difference | None:
        """What changed between the text read and `module` (None when it is the same, or the text read was not kept)."""
        if self.current or self.snapshot is None:
            return None
        key = (self.snapshot.version, module.version)  # both versions fix both texts: compared once per pair
        return _differences.keep(key, lambda: difference(self.snapshot.html, module.html))


_differences = BoundedStore(256)  # (version read, current version) -> what changed


def reading_of(user_id: int, slug: str) -> Reading | None:
    """The trainee's reading of the module, or None if they have not completed it: one query when the version read
    is the current one (every visit to a module read), a second for the text as read only when it is not."""
    completion = db.session.scalar(_READ, {"uid": user_id, "slug": slug})
    if completion is None:
        return None
    return _reading(slug, completion.content_version, completion.completed_at)


def done_and_reading(user_id: int, slug: str) -> tuple[frozenset, Reading | None]:
    """`completed_slugs` and `reading_of` the module together, from one read of the trainee's completions (a
    module page shows both: what is read, for its prerequisites, and when and which version this one was)."""
    rules = reading_rules()
    rows = db.session.execute(_READ_ALL, {"uid": user_id}).all()
    done = frozenset(row_slug for row_slug, version, _at in rows if rules.counts(row_slug, version))
    found = next((row for row in rows if row[0] == slug), None)
    return done, None if found is None else _reading(slug, found[1], found[2])


def _reading(slug: str, version: str, completed_at) -> Reading:
    """A reading of the version read, with the text as read when that is not the current version any more."""
    rules = reading_rules()
    current = rules.is_current(slug, version)
    snapshot = None if current else db.session.scalar(sa.select(ModuleSnapshot).where(
        ModuleSnapshot.module_slug == slug, ModuleSnapshot.version == version))
    return Reading(completed_at, version, current, rules.counts(slug, version), snapshot)


def _readings(slugs, current: bool, mentor_id: int | None = None) -> list:
    """The conditions for active trainees' readings of these modules: of the version in use (`current`), or of an
    earlier one; only a mentor's own trainees when `mentor_id` is given. [] when there is no module to look at."""
    rules = reading_rules()
    versions = {slug: sorted(rules.current.get(slug, ())) for slug in sorted(slugs)}
    readings = [sa.and_(ModuleCompletion.module_slug == slug, ModuleCompletion.content_version.in_(v) if current
                        else ModuleCompletion.content_version.not_in(v)) for slug, v in versions.items()]
    if not readings:
        return []
    scope = [User.role == TRAINEE, User.active.is_(True), sa.or_(*readings)]
    if mentor_id is not None:
        scope.append(TraineeRecord.mentor_id == mentor_id)
    return scope


def _readers():
    return (ModuleCompletion.__table__.join(User.__table__, User.id == ModuleCompletion.user_id)
            .outerjoin(TraineeRecord.__table__, TraineeRecord.user_id == User.id))


def readers_count(slugs, current: bool = True, mentor_id: int | None = None) -> dict:
    """{slug: how many active trainees read the version in use (or, `current=False`, an earlier one)}, in one query
    whatever their number."""
    scope = _readings(slugs, current, mentor_id)
    if not scope:
        return {}
    return dict(db.session.execute(sa.select(ModuleCompletion.module_slug, sa.func.count()).select_from(_readers())
                                   .where(*scope).group_by(ModuleCompletion.module_slug)).all())


def rereads_count(mentor_id: int | None = None) -> dict:
    """{slug: how many trainees have not re-read its new version}, in one query whatever their number."""
    return readers_count(reading_rules().reread, current=False, mentor_id=mentor_id)


def rereads_query(mentor_id: int | None = None):
    """The completions of trainees who have not re-read (one per trainee and module), ordered for a paged list;
    None when no module asks for a re-read."""
    scope = _readings(reading_rules().reread, False, mentor_id)
    if not scope:
        return None
    return (sa.select(ModuleCompletion).select_from(_readers())
            .where(*scope).order_by(ModuleCompletion.module_slug, User.full_name, User.id))
