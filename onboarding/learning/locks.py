"""Modules a trainee cannot open yet: shown as words with when they open, never as a link to a refusal.

A module is locked for a trainee while its stage is locked on their path (the module page answers 403 then);
prerequisites do not lock a module (its page opens and asks to read them first). Staff read every module.
"""
from flask import g
from flask_babel import gettext as _
from flask_login import current_user

from .. import timeutil
from ..auth.models import TRAINEE
from ..content import curriculum
from ..i18n import fmt_date
from ..people.services import record_of
from ..path.progress import LOCKED, NO_GO
from ..path.service import trainee_progress


def opens_when(stage_progress) -> str:
    """When a locked stage's modules open: after the stage before it, and on its planned start while that is ahead;
    after the go / no-go decision when that is what the stage waits for."""
    before = stage_progress.number - 1
    if stage_progress.waits_for_decision == NO_GO:
        return _("closed after the no-go decision")
    if stage_progress.waits_for_decision:
        return _("opens after the go/no-go decision after cold calling")
    if stage_progress.planned_start > timeutil.today():
        return _("opens after stage %(n)d, planned for %(date)s", n=before, date=fmt_date(stage_progress.planned_start))
    return _("opens after stage %(n)d", n=before)


def locked_modules(progress, cur) -> dict:
    """slug -> when it opens, for each module of a locked stage on this path; none without a path (staff)."""
    if progress is None:
        return {}
    found = {}
    for sp in progress.stages:
        if sp.state == LOCKED:
            when = opens_when(sp)  # worded once a stage: every module of it opens together
            found.update((m.slug, when) for m in cur.stage(sp.number).modules)
    return found


def reader_locks(progress=None) -> dict:
    """The locked modules of the signed-in reader, worked out once a request: a trainee's, from `progress` when the
    view has it already; none for staff, who see every module as a link."""
    if "module_locks" not in g:
        trainee = current_user.is_authenticated and current_user.role == TRAINEE
        g.module_locks = (locked_modules(progress or trainee_progress(record_of(current_user)), curriculum())
                          if trainee else {})
    return g.module_locks
