"""One trainee's readiness report: stages, counts, role-play, activity, gates and forecast, as a page, the API's
answer and the evidence frozen with a decision. Built on the dashboard's rows, so it sits above it."""
from ..content import curriculum
from ..evidence.services import file_json, files_of_trainee
from ..activity import rules
from ..activity.criteria import CRITERIA
from ..activity.scorecards import moved_deals, plan_status, plans_of, weeks_since
from ..activity.services import ledger
from ..mentoring.services import role_play_status
from ..people.models import TraineeRecord
from ..timeutil import today
from .decisions import director_checks
from .rows import build_rows


def trainee_report(record: TraineeRecord, min_weeks: int = 8) -> dict:
    """Everything known about one trainee's readiness: stages, counts, role-play, activity, gates, forecast."""
    row = build_rows([record], min_weeks)[0]
    book = ledger(record.user_id, record.team_id)
    totals, unknown = rules.sums(book.days.values())
    # activity_totals keeps the figures it always had, each a whole total; the prospects, which days logged before
    # they were recorded do not know, are in the funnel beside it with those days counted.
    totals = {f: totals[f] for f in rules.FIGURES if f not in rules.MAY_BE_UNKNOWN}
    opened = row.stage4_opened
    supervised = rules.full_weeks(book.weeks(opened, today()), opened, today()) if opened else []
    moved, monthly = moved_deals(record.user_id), plans_of(record.user_id)
    plans = [plan_status(p, book.days, moved, today()) for p in monthly]
    weekly = weeks_since(record.user_id, record.team_id, opened, today(), book=book, moved=moved, plans=monthly)
    return {"weekly_criteria": weekly, "monthly_plans": plans,
            "moved_deals": moved,
            "progress": row.progress, "role_play": role_play_status(record.user_id), "gates": row.gates,
            "evidence": files_of_trainee(record.user_id),
            "forecast": row.forecast, "row": row, "activity_totals": totals, "funnel": book.funnel(),
            "targets": book.targets,
            "supervised_weeks": supervised, "stage4_opened": opened, "quiz_status": row.quizzes}


def _iso(value):
    return value.isoformat() if value else None


def _number(value):
    return None if value is None else float(value)


def funnel_json(funnel) -> dict:
    """The funnel over the whole ledger (rules.Funnel) as plain JSON values."""
    return {"prospects": funnel.prospects, "prospects_unknown_days": funnel.prospects_unknown_days,
            "decision_makers": funnel.decision_makers, "meetings": funnel.meetings,
            "applications": funnel.proposals, "deals": funnel.deals,
            "deals_per_100_prospects": _number(funnel.conversion),
            "deals_per_100_prospects_at_most": _number(funnel.conversion_at_most),
            "benchmark_deals_per_100_prospects": float(funnel.benchmark),
            "meets_benchmark": funnel.meets_benchmark}


def report_json(report: dict) -> dict:
    """The readiness report as plain JSON values: the API's answer and the evidence kept with a decision."""
    progress, scenarios = report["progress"], curriculum().scenarios or {}
    role_play, row, fc = report["role_play"], report["row"], report["forecast"]
    return {
        "stages": [{
            "number": s.number, "title": s.title, "status": s.state, "overdue": s.overdue,
            "planned_start": s.planned_start.isoformat(), "planned_end": s.planned_end.isoformat(),
            "completed_on": _iso(s.completed_on),
            "modules": {"done": s.modules_done, "total": s.modules_total},
            "quizzes": {"passed": s.quizzes_passed, "total": s.quizzes_total},
            "checklist": {"signed": s.tasks_signed, "total": s.tasks_total},
        } for s in progress.stages],
        "role_play": {
            "attempts_allowed": role_play["allowed"],
            "attempts": [{"number": a.number, "scenario": a.scenario_slug,
                          "scenario_title": scenarios[a.scenario_slug].title if a.scenario_slug in scenarios else None,
                          "state": a.state, "percent": a.percent, "passed": a.passed,
                          "scheduled_for": a.scheduled_for.isoformat()} for a in role_play["attempts"]],
            "outcome": "passed" if role_play["passed"] else "held" if role_play["held"] else "pending",
        },
        "activity_totals": report["activity_totals"],
        "funnel": funnel_json(report["funnel"]),
        "gates": [{"key": gate.key, "met": gate.met, "reason": gate.reason} for gate in report["gates"]],
        "ready": all(gate.met for gate in report["gates"]),
        "forecast": {"basis": fc.basis, "date": _iso(fc.date), "target_date": fc.target.isoformat(),
                     "days_late": fc.days_late},
        "go_decision": go_json(row.go, progress.go_due),
        "recommendation": None if row.recommendation is None else {
            "ready": row.recommendation.ready, "note": row.recommendation.note,
            "mentor": row.recommendation.mentor.full_name if row.recommendation.mentor else None,
            "at": row.recommendation.created_at.isoformat()},
        "monthly_plans": [status.as_dict() for status in report["monthly_plans"]],
        "moved_deals": [{"day": m.day.isoformat(), "client": m.client, "reason": m.reason}
                        for m in report["moved_deals"]],
        "weekly_criteria": [criteria_week_json(w) for w in report["weekly_criteria"]],
    }


def go_json(go, due: bool) -> dict:
    """The decision after cold calling: whether it is due, and once taken its verdict, note, who and when."""
    return {"due": due, "verdict": go.verdict if go else None, "note": go.note if go else None,
            "decided_by": go.decider.full_name if go and go.decider else None,
            "at": go.decided_at.isoformat() if go else None}


def criteria_week_json(week) -> dict:
    """One full supervised week against the seven criteria: per criterion what the data says (prefill, flag, the
    numbers) and the mentor's verdict and note (None while the week is not reviewed)."""
    given = week.scorecard.by_criterion() if week.scorecard else {}
    return {"week_of": week.start.isoformat(), "reviewed": week.scorecard is not None, "met": week.met,
            "criteria": {c: {"prefill": week.prefill[c].verdict, "flag": week.prefill[c].flag,
                             "data": week.prefill[c].data,
                             "verdict": given[c].verdict if c in given else None,
                             "note": given[c].note if c in given else None} for c in CRITERIA}}


def evidence_of(record: TraineeRecord, report: dict) -> dict:
    """What a decision is taken on, frozen beside it: the report, each gate's data, quiz scores, weeks."""
    data = report_json(report)
    data["gates"] = [{"key": g.key, "met": g.met, "reason": g.reason, "data": g.data} for g in report["gates"]]
    data["quizzes"] = {slug: {"passed": st.passed, "best_percent": st.best_percent, "used": st.used}
                       for slug, st in report["quiz_status"].items()}
    data["supervised_weeks"] = [{"start": w.start.isoformat(), "totals": w.totals, "unknown_days": w.unknown}
                                for w in report["supervised_weeks"]]
    data["targets"] = report["targets"]
    data["plan"] = {"start_date": record.start_date.isoformat(), "target_date": record.target_date.isoformat(),
                    "mentor": record.mentor.full_name if record.mentor else None, "status": record.status}
    data["director_checks"] = [{"verdict": c.verdict, "note": c.note, "director": c.director.full_name if c.director
                                else None, "at": c.created_at.isoformat()} for c in director_checks(record.user_id)]
    data["files"] = [file_json(f) for f in report["evidence"]]
    data["taken_on"] = today().isoformat()
    return data
