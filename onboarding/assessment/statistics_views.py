"""Question statistics pages for heads of sales, admins and the director: an index of quizzes, a quiz's
questions, and the same numbers as CSV."""
from datetime import date

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _

from ..auth.models import READERS
from ..auth.permissions import roles_required
from ..content import curriculum
from ..paging import bounded_int
from ..readiness.exports import csv_response
from ..timeutil import today
from .statistics import NEGATIVE, TOO_EASY, TOO_HARD, Filters, filter_choices, graded_counts, quiz_statistics

bp = Blueprint("statistics", __name__)


def _quiz_or_404(slug):
    quiz = (curriculum().quizzes or {}).get(slug)
    if quiz is None:
        abort(404)
    return quiz


def _filters() -> Filters:
    """The filters from the query string; a value that does not parse is left out, never an error."""
    cohort = None
    year, _dash, month = request.args.get("cohort", "").partition("-")
    year, month = bounded_int(year, 1, 9998), bounded_int(month, 1, 12)  # (a cohort's month has a month after it)
    if year is not None and month is not None:
        cohort = date(year, month, 1)
    return Filters(cohort=cohort, team=bounded_int(request.args.get("team", ""), 1),
                   number=bounded_int(request.args.get("number", ""), 1))


def _statistics(quiz, filters):
    """The quiz's statistics, reused from this process's cache while its graded attempts are unchanged."""
    return quiz_statistics(quiz, filters, cache=current_app.extensions.setdefault("question_statistics", {}))


def flag_labels() -> dict:
    return {TOO_EASY: _("too easy"), TOO_HARD: _("too hard"), NEGATIVE: _("negative discrimination")}


@bp.get("/statistics")
@roles_required(*READERS)
def index():
    """The quizzes, each with its number of graded attempts and a link to its statistics."""
    quizzes = sorted((curriculum().quizzes or {}).values(), key=lambda q: (q.stage, q.title))
    return render_template("assessment/statistics_index.html", quizzes=quizzes, counts=graded_counts())


@bp.get("/role-plays/statistics")
@roles_required(*READERS)
def role_plays():
    """The role-play's criteria, attempts and evaluators, for the people who write the scenarios."""
    from ..mentoring.statistics import role_play_statistics

    scenarios = curriculum().scenarios or {}
    return render_template("assessment/role_play_statistics.html", stats=role_play_statistics(scenarios),
                           scenarios=scenarios)


@bp.get("/quizzes/<slug>/statistics")
@roles_required(*READERS)
def quiz(slug):
    quiz = _quiz_or_404(slug)
    filters = _filters()
    return render_template("assessment/statistics.html", quiz=quiz, filters=filters,
                           stats=_statistics(quiz, filters), choices=filter_choices(slug),
                           flag_labels=flag_labels(), fmt_month=lambda d: format_date(d, "MMMM y"))


def _share(value):
    return "" if value is None else round(value, 3)


def statistics_table(quiz, stats):
    """One row per question, the numbers the page shows."""
    labels = flag_labels()
    yield [_("Question"), _("Type"), _("Attempts"), _("Facility"), _("Discrimination"), _("Mean points"),
           _("Points possible"), _("Flags"), _("Options picked"), _("Most common wrong answers")]
    for s in stats.questions:
        q = s.question
        options = "; ".join(f"{o.text}{' ✓' if o.correct else ''}: {s.picks.get(o.id, 0)}" for o in q.options)
        wrong = "; ".join(f"{typed or _('(no answer)')}: {n}" for typed, n in s.wrong)
        yield [q.id, q.type, s.attempts, _share(s.facility), _share(s.discrimination), _share(s.mean_points),
               q.points, ", ".join(labels[f] for f in s.flags), options, wrong]


@bp.get("/quizzes/<slug>/statistics.csv")
@roles_required(*READERS)
def export(slug):
    quiz = _quiz_or_404(slug)
    stats = _statistics(quiz, _filters())
    return csv_response(statistics_table(quiz, stats), f"statistics-{slug}-{today().isoformat()}.csv")
