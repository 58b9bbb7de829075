"""The trainee's path: stages, modules, completion, and the job description to read."""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..assessment.services import statuses
from ..auth.forms import EmptyForm
from ..auth.models import MENTOR, READERS, TRAINEE, User
from ..auth.permissions import roles_required
from ..content import curriculum
from ..content.render import unlink_modules
from ..extensions import db
from ..fragments import kept_fragment
from ..i18n import content_attrs, join_list, locale_attrs
from ..people.services import record_of
from ..path.progress import LOCKED
from ..path.service import trainee_progress
from .locks import reader_locks
from ..paging import paginate
from ..timeutil import today
from .services import complete_module, completed_slugs, done_and_reading, reading_of, rereads_query

bp = Blueprint("learning", __name__)
# Every page can show a module its reader cannot open yet as words with when it opens, not as a link to a 403.
bp.add_app_template_global(reader_locks, "module_locks")


def trainee_home():
    from ..careers.services import career_of

    record = record_of(current_user)
    progress = trainee_progress(record)
    return render_template("learning/home.html", record=record, progress=progress, curriculum=curriculum(),
                           career=career_of(record)[0])


@bp.app_template_global("stage_path")
def stage_path(progress):
    """The four stages as a path (learning/_path.html), kept per worker under what it shows."""
    content = curriculum()
    return kept_fragment("learning/_path.html",
                         {"stages": progress.stages, "staff": current_user.role != TRAINEE, "today": today()},
                         {"curriculum": content}, content.version)


def _module_or_404(slug):
    module = curriculum().modules.get(slug)
    if module is None:
        abort(404)
    return module


def _own_progress():
    """The current trainee's progress, or None for staff who read without a path of their own."""
    return trainee_progress(record_of(current_user)) if current_user.role == TRAINEE else None


@bp.get("/stages/<int:number>")
@login_required
def stage(number):
    stage = curriculum().stage(number)
    if stage is None:
        abort(404)
    progress = _own_progress()
    done = completed_slugs(current_user.id) if progress else frozenset()
    quiz_status = statuses([current_user.id], stage.quizzes)[current_user.id] if progress else None
    return render_template("learning/stage.html", stage=stage, progress=progress, quiz_status=quiz_status,
                           stage_progress=progress.stage(number) if progress else None, done=done,
                           locks=reader_locks(progress))


@bp.get("/modules/<slug>")
@login_required
def module(slug):
    module = _module_or_404(slug)
    progress = _own_progress()
    if progress and progress.stage(module.stage).state == LOCKED:
        return render_template("learning/locked.html", module=module, stage_progress=progress.stage(module.stage),
                               progress=progress), 403
    done, reading = done_and_reading(current_user.id, slug) if progress else (frozenset(), None)
    missing = [curriculum().modules[p] for p in module.prerequisites if p not in done] if progress else []
    previous, following = curriculum().neighbours(slug)
    if progress and following is not None and progress.stage(following.stage).state == LOCKED:
        following = None  # the next stage is not open yet: no link to a page that would refuse
    return render_template("learning/module.html", module=module, stage=curriculum().stage(module.stage),
                           progress=progress, done=module.slug in done, missing=missing,
                           previous=previous, following=following, form=EmptyForm(),
                           body=_body_for_reader(module, progress), reading=reading)


@bp.get("/modules/<slug>/changes")
@roles_required(TRAINEE)
def changes(slug):
    """What changed in the module since the trainee read it: sections added, changed and removed, figures."""
    module = _module_or_404(slug)
    reading = reading_of(current_user.id, slug)
    if reading is None:
        abort(404)
    return render_template("learning/changes.html", module=module, reading=reading, form=EmptyForm(),
                           difference=reading.against(module))


@bp.get("/rereads")
@roles_required(MENTOR, *READERS)
def rereads():
    """Who has not re-read a module whose new version asks for it (a mentor sees their own trainees)."""
    query = rereads_query(current_user.id if current_user.role == MENTOR else None)
    page = paginate(query, current_app.config["PER_PAGE"]) if query is not None else None
    ids = {c.user_id for c in page.items} if page else set()
    names = dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all()) if ids else {}
    return render_template("learning/rereads.html", page=page, names=names, modules=curriculum().modules)


def _body_for_reader(module, progress):
    """The module's cached HTML, with links to modules the reader cannot open yet turned into when they open."""
    page, text = locale_attrs(), content_attrs(module)
    note_attrs = f' lang="{page["lang"]}" dir="{page["dir"]}"' if page != text else ""
    return unlink_modules(module.html, reader_locks(progress), note_attrs)


@bp.post("/modules/<slug>/complete")
@roles_required(TRAINEE)
def complete(slug):
    module = _module_or_404(slug)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    progress = _own_progress()
    if progress.stage(module.stage).state == LOCKED:
        abort(403)
    done = completed_slugs(current_user.id)
    missing = [p for p in module.prerequisites if p not in done]
    if missing:
        flash(_("Read %(titles)s first.", titles=join_list(curriculum().modules[p].title for p in missing)), "error")
        return redirect(url_for("learning.module", slug=slug))
    before = progress.stage(module.stage).state
    earlier = reading_of(current_user.id, slug)
    if earlier is not None and not earlier.current:
        if complete_module(current_user, module):
            db.session.commit()
            flash(_("You have read the new version of “%(title)s”.", title=module.title), "success")
        return redirect(url_for("learning.module", slug=slug))
    if complete_module(current_user, module):
        db.session.commit()
        after = trainee_progress(record_of(current_user))
        if before != "complete" and after.stage(module.stage).state == "complete":
            nxt = curriculum().stage(module.stage + 1)
            message = (_("Stage %(n)d is complete. Stage %(m)d, “%(title)s”, is now open.",
                         n=module.stage, m=nxt.number, title=nxt.title) if nxt
                       else _("You have finished every module of the path."))
            flash(message, "success")
        else:
            flash(_("“%(title)s” is marked as complete.", title=module.title), "success")
    following = curriculum().neighbours(slug)[1]
    if following is not None and following.stage == module.stage:
        return redirect(url_for("learning.module", slug=following.slug))
    return redirect(url_for("main.home"))


@bp.get("/job-description")
@login_required
def job_description():
    return render_job_description()


def render_job_description(form=None, status=200):
    """The job description with its signature form; a signature that failed comes back typed, with its errors."""
    from ..mentoring.forms import SignForm
    from ..mentoring.models import Acknowledgement

    from ..mentoring.rules import signature_current

    document = curriculum().job_description
    signature = outdated = renamed = None
    if current_user.role == TRAINEE:
        mine = db.session.scalars(sa.select(Acknowledgement).where(Acknowledgement.trainee_id == current_user.id)
                                  .order_by(Acknowledgement.signed_at.desc(), Acknowledgement.id.desc())).all()
        signature = next((a for a in mine if signature_current(a.version, a.typed_name, document.version,
                                                               current_user.full_name)), None)
        if signature is None:  # signed this version under a name the account no longer has, or an older version
            renamed = next((a for a in mine if a.version == document.version), None)
            outdated = mine[0] if mine and renamed is None else None
    return render_template("learning/document.html", document=document, signature=signature, outdated=outdated,
                           renamed=renamed, form=form or SignForm(formdata=None)), status
