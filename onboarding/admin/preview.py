"""What a replacement content folder would change before it goes live: modules added, removed and changed (with
what changed in them), quizzes whose questions changed, and who would be asked to read or sign again.

`compare` is pure (two curricula and two counts in, a Preview out); `preview` loads the replacement and counts
the people it would touch, in a fixed number of queries.
"""
import dataclasses
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..auth.models import TRAINEE, User
from ..content import ContentError, load_curriculum
from ..content.model import Settings
from ..extensions import db
from ..learning.changes import Difference, difference
from ..learning.models import ModuleCompletion
from ..learning.services import readers_count
from ..mentoring.models import Acknowledgement


@dataclass(frozen=True)
class ModuleChange:
    slug: str
    title: str
    difference: Difference
    reread: bool  # the replacement asks readers of earlier versions to read it again
    readers: int  # active trainees who read the version in use: asked to re-read when `reread`


@dataclass(frozen=True)
class QuizChange:
    slug: str
    title: str
    added: tuple = ()  # question ids
    removed: tuple = ()
    changed: tuple = ()


@dataclass(frozen=True)
class Preview:
    modules_added: tuple = ()  # of (slug, title)
    modules_removed: tuple = ()
    modules_changed: tuple = ()  # of ModuleChange
    quizzes_added: tuple = ()
    quizzes_removed: tuple = ()
    quizzes_changed: tuple = ()  # of QuizChange
    document_changed: bool = False
    signers: int = 0  # active trainees whose signature of the job description in use would need renewing
    problems: tuple = field(default_factory=tuple)  # `path:line: message` when the replacement is not valid
    counted: bool = True  # False when there is no database yet to count the people affected

    @property
    def rereads(self) -> int:
        return sum(m.readers for m in self.modules_changed if m.reread)

    @property
    def unchanged(self) -> bool:
        return not (self.modules_added or self.modules_removed or self.modules_changed or self.quizzes_added
                    or self.quizzes_removed or self.quizzes_changed or self.document_changed or self.problems)


def compare(current, replacement, readers: dict, signers: int) -> Preview:
    """What replacing `current` by `replacement` changes; `readers` {slug: trainees who read the version in use},
    `signers` the trainees who signed the job description in use."""
    old, new = current.modules, replacement.modules
    changed = tuple(ModuleChange(slug, m.title, difference(old[slug].html, m.html), m.requires_reread,
                                 readers.get(slug, 0))
                    for slug, m in sorted(new.items(), key=_reading_order) if slug in old and old[slug].version != m.version)
    quizzes = []
    for slug, quiz in sorted(replacement.quizzes.items()):
        before = current.quizzes.get(slug)
        if before is None:
            continue
        was, now = {q.id: q for q in before.questions}, {q.id: q for q in quiz.questions}
        change = QuizChange(slug, quiz.title, tuple(i for i in now if i not in was), tuple(i for i in was if i not in now),
                            tuple(i for i in now if i in was and now[i] != was[i]))
        if change.added or change.removed or change.changed:
            quizzes.append(change)
    document_changed = (current.job_description and replacement.job_description
                        and current.job_description.version != replacement.job_description.version)
    return Preview(
        modules_added=tuple((s, m.title) for s, m in sorted(new.items(), key=_reading_order) if s not in old),
        modules_removed=tuple((s, m.title) for s, m in sorted(old.items(), key=_reading_order) if s not in new),
        modules_changed=changed,
        quizzes_added=tuple((s, q.title) for s, q in sorted(replacement.quizzes.items()) if s not in current.quizzes),
        quizzes_removed=tuple((s, q.title) for s, q in sorted(current.quizzes.items())
                              if s not in replacement.quizzes),
        quizzes_changed=tuple(quizzes), document_changed=bool(document_changed),
        signers=signers if document_changed else 0)


def _reading_order(item):
    _slug, module = item
    return module.stage, module.order


def preview(current, content_dir, quizzes_dir, settings: Settings) -> Preview:
    """Load the replacement folders and compare them with `current` (the curriculum in use)."""
    try:
        replacement = load_curriculum(content_dir, quizzes_dir, settings)
    except ContentError as exc:
        return Preview(problems=tuple(str(p) for p in exc.problems))
    changed = sorted(slug for slug, m in replacement.modules.items()
                     if slug in current.modules and current.modules[slug].version != m.version)
    if not sa.inspect(db.engine).has_table(ModuleCompletion.__tablename__):  # before init-db: nobody to count
        return dataclasses.replace(compare(current, replacement, {}, 0), counted=False)
    return compare(current, replacement, readers_count(changed), _signers(current))


def _active_trainees():
    return sa.and_(User.role == TRAINEE, User.active.is_(True))


def _signers(current) -> int:
    """Active trainees who signed the job description in use (they would be asked to sign the new one)."""
    document = current.job_description
    if document is None:
        return 0
    return db.session.scalar(sa.select(sa.func.count(sa.distinct(Acknowledgement.trainee_id)))
                             .join(User, User.id == Acknowledgement.trainee_id)
                             .where(_active_trainees(), Acknowledgement.document == document.slug,
                                    Acknowledgement.version == document.version)) or 0
