"""CSV exports that open in a spreadsheet: UTF-8 with a byte-order mark, one header row, and cells that a
spreadsheet would run as a formula made inert."""
import csv
import io

from flask import Response, stream_with_context
from flask_babel import gettext as _

from ..activity.rules import FIGURES
from .models import role_play_due

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    # A name like "=HYPERLINK(...)" must stay text, not become a formula (numbers are written as numbers).
    if text.startswith(FORMULA_START) and not isinstance(value, (int, float)):
        return "'" + text
    return text


def to_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return "\ufeff" + out.getvalue()


def csv_response(rows, filename: str) -> Response:
    return Response(to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csv_stream(rows, filename: str) -> Response:
    """The same file, sent line by line as the rows are computed: constant memory for any number of rows."""
    def lines():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        yield "\ufeff"
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            yield out.getvalue()
            out.seek(0)
            out.truncate()

    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def dashboard_table(rows, targets, on, now):
    """The dashboard's rows, one trainee a line, the same columns a head reads on the page, from the stored
    summaries (the columns of readiness.dashboard.export_rows): `targets` maps a team to its weekly targets; `on`
    is today and `now` the moment (a role-play whose time has come waits on its evaluators)."""
    yield [_("Trainee"), _("Email"), _("Status"), _("Mentor"), _("Current stage"), _("Progress %"),
           _("Start date"), _("Days since start"), _("Target date"), _("Overdue"), _("Forecast readiness date"),
           _("Days late (forecast)"), _("Role-play"), _("Gates met"), _("Waiting on"),
           _("Calls last week"), _("Calls target"), _("Meetings last week"), _("Meetings target")]
    from .labels import ROLE_PLAY_LABELS, STATUS_LABELS, WAITER_LABELS

    for r in rows:
        due = role_play_due(r.role_play, r.role_play_at, now)
        waiting = [who for who, waits in (("trainee", r.waits_trainee > 0), ("mentor", r.waits_mentor > 0),
                                          ("evaluators", due), ("head", r.waits_head > 0)) if waits]
        team = targets(r.team_id)
        yield [r.full_name, r.email, str(STATUS_LABELS.get(r.status, r.status)), r.mentor_name or "",
               r.current_stage or _("complete"), r.progress_percent, r.start_date,
               (on - r.start_date).days, r.target_date,
               r.behind_after is not None and r.behind_after < on, r.forecast_date,
               (r.forecast_date - r.target_date).days if r.forecast_date else None,
               str(ROLE_PLAY_LABELS.get("due" if due else r.role_play, "")),
               _("%(met)d of %(total)d", met=r.gates_met, total=r.gates_total),
               "; ".join(str(WAITER_LABELS[w]) for w in waiting),
               r.week_calls, team.get("calls", 0), r.week_meetings, team.get("meetings", 0)]


def ledger_table(book):
    """Every ledger entry as made, corrections on their own line pointing at the entry they correct."""
    from ..activity.forms import FIGURE_LABELS

    yield [_("Day"), _("Entry"), _("Corrects entry"), *(str(FIGURE_LABELS[f]) for f in FIGURES), _("Note"), _("Entered at"), _("Confirmed at")]
    for e in sorted(book.entries, key=lambda e: (e.day, e.id)):
        yield [e.day, e.id, e.corrects_id, *(getattr(e, f) for f in FIGURES), e.note, e.entered_at, e.confirmed_at]


def mentors_table(results):
    """The mentors' report (readiness.mentors), one mentor a line, the page's columns."""
    yield [_("Mentor"), _("Email"), _("Active"), _("Trainees"), _("In training"), _("Independent"),
           _("Withdrawn"), _("Handed on"), _("Approved on or before target"), _("Median days after target"),
           _("Role-play first attempts scored"), _("Passed at the first attempt"), _("First-attempt pass rate %"),
           _("Attempts graded"), _("Median grading wait (hours)"), _("Waiting now")]
    for r in results:
        yield [r.mentor.full_name, r.mentor.email, r.mentor.active, r.trainees, r.in_training, r.independent,
               r.withdrawn, r.handed_on, r.on_time, r.median_days_vs_target, r.first_role_plays, r.first_passed,
               r.first_pass_rate, len(r.grading_hours), r.median_grading_hours, r.waiting]
