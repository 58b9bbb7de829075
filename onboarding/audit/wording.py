"""The audit log in words: a name for every action (the filter offers them), and each event's details as labelled
values people read (titles for slugs, names for ids, dates in the reader's language), never codes or raw data."""
import re
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db

#: Every action the code records, named for the filter; an action someone adds later reads as its own words.
ACTION_NAMES = {
    "user_created": _l("Account created"), "identity_corrected": _l("Name or email corrected"),
    "role_changed": _l("Role changed"), "user_deactivated": _l("Account deactivated"),
    "user_activated": _l("Account reactivated"), "password_changed": _l("Password changed"),
    "password_reset": _l("Password reset by an administrator"), "locale_changed": _l("Language changed"),
    "time_zone_changed": _l("Time zone changed"),
    "login": _l("Signed in"), "logout": _l("Signed out"), "login_failed": _l("Failed sign-in"),
    "api_token_created": _l("API token created"), "api_token_revoked": _l("API token revoked"),
    "trainee_added": _l("Trainee added"), "plan_changed": _l("Plan changed"), "team_changed": _l("Team changed"),
    "mentor_assigned": _l("Mentor assigned"), "module_completed": _l("Module completed"),
    "module_reread": _l("Module read again after a change"),
    "document_signed": _l("Job description signed"), "quiz_attempt_started": _l("Quiz attempt started"),
    "quiz_submitted": _l("Quiz submitted"), "quiz_graded": _l("Quiz graded"),
    "answer_graded": _l("Written answer graded"), "extra_attempt_granted": _l("Extra quiz attempt granted"),
    "sign_off_requested": _l("Sign-off requested"), "sign_off_signed": _l("Skill signed off"),
    "sign_off_returned": _l("Sign-off returned with feedback"), "sign_off_revoked": _l("Sign-off revoked"),
    "activity_logged": _l("Activity logged"), "activity_changed": _l("Activity changed"),
    "activity_confirmed": _l("Activity confirmed"), "activity_corrected": _l("Activity corrected"),
    "targets_set": _l("Weekly activity targets set"), "team_added": _l("Team added"),
    "role_play_scheduled": _l("Role-play scheduled"), "role_play_rescheduled": _l("Role-play moved"),
    "role_play_cancelled": _l("Role-play cancelled"), "role_play_scored": _l("Role-play scored by an evaluator"),
    "role_play_result": _l("Role-play result"), "hold_keep": _l("Kept in training after the role-play"),
    "hold_extend": _l("Training extended after the role-play"), "hold_withdraw": _l("Withdrawn after the role-play"),
    "supervision_note": _l("Supervision note"), "readiness_recommended": _l("Readiness recommendation"),
    "readiness_approved": _l("Approved for independent work"), "readiness_extended": _l("Training extended"),
    "readiness_rejected": _l("Readiness not approved"), "grading_draft_saved": _l("Grading draft saved"),
    "director_check": _l("Director's check"),
    "cold_calling_go": _l("Go after cold calling"), "cold_calling_no_go": _l("No-go after cold calling"),
    "evidence_added": _l("Evidence file uploaded"), "evidence_removed": _l("Evidence file removed"),
    "evidence_commented": _l("Comment on an evidence file"),
    "evidence_comment_edited": _l("Comment on an evidence file changed"),
    "quiz_oral_recorded": _l("Oral quiz attempt recorded"),
    "second_marking_requested": _l("Attempt picked for a blind second marking"),
    "second_marking_done": _l("Second marking done"), "second_marking_decided": _l("Second marking decided"),
    "mail_unsubscribed": _l("E-mail of one kind switched off"),
    "mail_resubscribed": _l("E-mail of one kind switched on again"),
    "mail_requeued": _l("Failed e-mail queued again"),
    "scorecard_reviewed": _l("Week reviewed against the seven criteria"),
    "monthly_plan_set": _l("Monthly plan set"), "deal_moved": _l("Deal moved to next month"),
    "mail_preferences_changed": _l("E-mail preferences changed"),
    "career_promoted": _l("Promoted to a higher career level"),
}

#: What an event is recorded on, in words ("Quiz attempt 12"), by the record's class.
SUBJECT_NAMES = {
    "User": _l("Account"), "TraineeRecord": _l("Trainee record"), "QuizAttempt": _l("Quiz attempt"),
    "Answer": _l("Written answer"), "ExtraAttempt": _l("Extra attempt"), "ApiToken": _l("API token"),
    "SignOffEvent": _l("Sign-off step"), "Team": _l("Team"), "ActivityTarget": _l("Weekly targets"),
    "ActivityEntry": _l("Ledger day"), "RolePlayAttempt": _l("Role-play attempt"),
    "HoldDecision": _l("Decision after the role-play"), "Acknowledgement": _l("Signature"),
    "SupervisionNote": _l("Supervision note"), "ModuleCompletion": _l("Module completion"),
    "Recommendation": _l("Readiness recommendation"), "ReadinessDecision": _l("Readiness decision"),
    "DirectorCheck": _l("Director's check"), "GoDecision": _l("Decision after cold calling"),
    "Scorecard": _l("Weekly review"), "MonthlyPlan": _l("Monthly plan"), "MovedDeal": _l("Moved deal"),
    "SecondMarking": _l("Second marking"), "Promotion": _l("Promotion"),
}

_LABELS = {
    "note": _l("Note"), "plan": _l("Plan"), "reason": _l("Reason"), "override_reason": _l("Override reason"),
    "new_target_date": _l("New target date"), "unmet_gates": _l("Gates not met"), "ready": _l("Ready"),
    "email": _l("Email"), "full_name": _l("Full name"), "quiz": _l("Quiz"), "number": _l("Attempt"),
    "language": _l("Language"), "percent": _l("Score"), "passed": _l("Passed"), "attempt": _l("Quiz attempt"),
    "question": _l("Question"), "points": _l("Points"), "name": _l("Name"), "prefix": _l("Token"),
    "task": _l("Skill"), "team": _l("Team"), "day": _l("Day"), "scenario": _l("Scenario"),
    "evaluators": _l("Evaluators"), "when": _l("Meeting time"), "scores": _l("Scores"),
    "allowed": _l("Attempts allowed"), "document": _l("Document"), "version": _l("Version"),
    "week_of": _l("Week of"), "module": _l("Module"), "role": _l("Role"), "start_date": _l("Start date"),
    "mentor": _l("Mentor"), "sign_again": _l("Asked to sign the job description again"),
    "graded": _l("Answers with points"), "total": _l("Written answers"), "verdict": _l("Verdict"),
    "kind": _l("E-mail about"), "to": _l("To"), "error": _l("Last error"), "month": _l("Month"),
    "client": _l("Client"),
    "marker": _l("Second marker"), "outcome": _l("Grades kept"), "changed": _l("Result changed"),
    "changes": _l("Now"), "from_level": _l("From level"), "to_level": _l("To level"),
}

#: What `before` and `after` hold, per action: how the change reads.
_CHANGES = {"role_changed": "role", "locale_changed": "language", "time_zone_changed": "zone", "mentor_assigned": "mentor", "team_changed": "team",
            "plan_changed": "plan", "targets_set": "figures", "activity_corrected": "figures",
            "activity_changed": "figures", "role_play_rescheduled": "when", "identity_corrected": "fields",
            "monthly_plan_set": "figures", "scorecard_reviewed": "figures", "readiness_approved": "status", "readiness_extended": "status", "readiness_rejected": "status"}


def action_name(action: str) -> str:
    return str(ACTION_NAMES[action]) if action in ACTION_NAMES else action.replace("_", " ").capitalize()


def subject_in_words(event) -> str:
    """The record an event is about, as "Quiz attempt 12"; empty when there is none."""
    if not event.subject_type:
        return ""
    name = SUBJECT_NAMES.get(event.subject_type)
    name = str(name) if name else re.sub(r"(?<!^)(?=[A-Z])", " ", event.subject_type).capitalize()
    return _("%(kind)s %(id)s", kind=name, id=event.subject_id) if event.subject_id is not None else name


def context_for(events) -> dict:
    """What wording these events needs, loaded at once: people, teams and quiz attempts their details name."""
    from ..assessment.models import QuizAttempt
    from ..auth.models import User
    from ..activity.models import Team
    from ..readiness.timeline import titles

    people, attempts = set(), set()
    for e in events:
        d = e.details or {}
        people |= {e.actor_id, e.trainee_id}
        if e.action == "mentor_assigned":
            people |= {d.get("before"), d.get("after")}
        people |= {d.get("mentor")} | set(d.get("evaluators") or [])
        if e.action == "answer_graded":
            attempts.add(d.get("attempt"))
    people = {p for p in people if isinstance(p, int)}
    attempts = {a for a in attempts if isinstance(a, int)}
    return {
        "people": dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(people))).all())
        if people else {},
        "teams": dict(db.session.execute(sa.select(Team.id, Team.name)).all()),
        "attempts": dict(db.session.execute(sa.select(QuizAttempt.id, QuizAttempt.quiz_slug)
                                            .where(QuizAttempt.id.in_(attempts))).all()) if attempts else {},
        "titles": titles(),
    }


def details_in_words(event, ctx: dict) -> list:
    """[(label, value)] for an event's details, in the reader's language; the trainee it concerns is shown beside
    it, and empty values are left out."""
    d = dict(event.details or {})
    d.pop("trainee", None)
    lines = []
    if "before" in d or "after" in d:
        lines += _change(event.action, d.pop("before", None), d.pop("after", None), ctx)
    if event.action == "answer_graded" and d.get("attempt") in ctx["attempts"]:
        slug = ctx["attempts"][d["attempt"]]
        d["quiz"], d["question"] = slug, (slug, d.get("question"))
        d.pop("attempt")
    figures = {k: d.pop(k) for k in list(d) if k in _figure_labels()}
    for key, value in d.items():
        shown = _value(key, value, event, ctx)
        if shown not in ("", None):
            lines.append((str(_LABELS.get(key, key.replace("_", " ").capitalize())), shown))
    if figures:
        lines.append((_("Figures"), _figures(figures)))
    return lines


def _figure_labels() -> dict:
    from ..activity.forms import FIGURE_LABELS

    return FIGURE_LABELS


def _figures(values: dict) -> str:
    from ..i18n import fmt_number, join_list

    labels = _figure_labels()
    return join_list(f"{labels.get(k, k)}: {'—' if v is None else fmt_number(v)}" for k, v in values.items())


def _from_to(before: str, after: str) -> str:
    return _("from %(before)s to %(after)s", before=before or "—", after=after or "—")


def _change(action: str, before, after, ctx) -> list:
    from ..i18n import LANGUAGE_NAMES, fmt_date, fmt_datetime
    from ..people.forms import ROLE_LABELS
    from ..readiness.labels import STATUS_LABELS

    kind = _CHANGES.get(action)
    if kind == "fields":  # {"full_name": ..., "email": ...} before and after
        before, after = before or {}, after or {}
        return [(str(_LABELS.get(k, k)), _from_to(before.get(k), after.get(k))) for k in after]
    if kind == "figures":  # a ledger day's figures (prospects None: not recorded), a team's targets and segment, a
        # monthly plan's figures, or a week's verdicts on the seven criteria
        from ..activity.forms import CRITERION_LABELS, PLAN_LABELS, SEGMENT_NAMES, VERDICT_LABELS

        before, after = before or {}, after or {}
        labels = {**_figure_labels(), **PLAN_LABELS, **CRITERION_LABELS, "segment": _("Segment"),
                  "revenue_booked": _("Revenue booked so far")}
        names = {**SEGMENT_NAMES, **VERDICT_LABELS}
        shown = lambda k, v: "—" if v is None else str(names.get(v, v)) if isinstance(v, str) else str(v)  # noqa: E731
        return [(str(labels.get(k, k)), _from_to(shown(k, before.get(k)), shown(k, after.get(k))))
                for k in after if before.get(k) != after.get(k)]
    if kind == "plan":
        (b_start, b_target), (a_start, a_target) = before or ("", ""), after or ("", "")
        return [(_("Start date"), _from_to(_day(b_start, fmt_date), _day(a_start, fmt_date))),
                (_("Target readiness date"), _from_to(_day(b_target, fmt_date), _day(a_target, fmt_date)))]
    words = {
        "role": (_("Role"), lambda v: str(ROLE_LABELS.get(v, v or ""))),
        "language": (_("Language"), lambda v: LANGUAGE_NAMES.get(v) or _("as the browser asks")),
        "zone": (_("Time zone"), lambda v: v or _("the company's default")),
        "mentor": (_("Mentor"), lambda v: ctx["people"].get(v) or (_("no mentor") if v is None else "")),
        "team": (_("Team"), lambda v: ctx["teams"].get(v) or (_("no team") if v is None else "")),
        "status": (_("Status"), lambda v: str(STATUS_LABELS.get(v, v or ""))),
        "when": (_("Meeting time"), lambda v: _day(v, fmt_datetime, datetime)),
    }
    label, word = words.get(kind, (_("Change"), _plain))
    return [(str(label), _from_to(word(before), word(after)))]


def _day(value, fmt, kind=date) -> str:
    try:
        return fmt(kind.fromisoformat(str(value)))
    except (TypeError, ValueError):
        return str(value or "")


def _plain(value) -> str:
    from ..i18n import join_list

    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        return join_list(_plain(v) for v in value)
    if isinstance(value, dict):
        return join_list(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in value.items())
    return str(value)


def _value(key: str, value, event, ctx) -> str:
    """One detail in words."""
    from ..content import curriculum
    from ..i18n import LANGUAGE_NAMES, fmt_date, fmt_datetime, fmt_number, join_list
    from ..people.forms import ROLE_LABELS
    from ..readiness.labels import GATE_LABELS

    if key == "team" and event.action == "targets_set" and value is None:
        return _("Default for everyone")
    if value is None or value == "":
        return ""
    titles, cur = ctx["titles"], curriculum()
    if key in ("module", "quiz", "task"):
        return titles.get((key, value), str(value))
    if key == "kind" and event.action.startswith("mail_"):
        from ..mail.kinds import label

        return label(value)
    if key == "changes" and event.action == "mail_preferences_changed":
        from ..mail.kinds import choice_label, label

        return join_list(f"{label(k)}: {choice_label(c)}" for k, c in (value or {}).items())
    if key == "question" and isinstance(value, tuple):
        quiz = (cur.quizzes or {}).get(value[0])
        numbers = {q.id: n for n, q in enumerate(quiz.questions, 1)} if quiz else {}
        return _("Question %(n)d", n=numbers[value[1]]) if value[1] in numbers else str(value[1])
    if key in ("day", "week_of", "start_date", "new_target_date"):
        return _day(value, fmt_date)
    if key == "when":
        return _day(value, fmt_datetime, datetime)
    if key == "percent":
        return f"{fmt_number(value)}%"
    if key == "points":
        return fmt_number(value)
    if key == "reason" and event.action == "login_failed":
        return {"inactive": _("the account is deactivated"),
                "credentials": _("wrong email or password")}.get(value, str(value))
    if key == "role":
        return str(ROLE_LABELS.get(value, value))
    if key == "mentor":
        return ctx["people"].get(value, "")
    if key == "evaluators":
        return join_list(ctx["people"].get(v, "") for v in value or [])
    if key == "team":
        return ctx["teams"].get(value, "")
    if key == "scenario":
        scenario = (cur.scenarios or {}).get(value)
        return scenario.title if scenario else str(value)
    if key == "scores":
        scenario = _scenario_of(event, cur)
        criteria = {c.id: c.title for c in scenario.criteria} if scenario else {}
        return join_list(f"{criteria.get(c, c)}: {s}" for c, s in (value or {}).items())
    if key == "unmet_gates":
        return join_list(str(GATE_LABELS.get(g, g)) for g in value) if value else _("none")
    if key == "language":
        return LANGUAGE_NAMES.get(value, str(value))
    if key == "document":
        doc = cur.job_description
        return doc.title if doc is not None and doc.slug == value else str(value)
    if key == "version":
        return str(value)[:8]
    if key == "prefix":
        return f"{value}…"
    if key == "verdict":
        return {"satisfied": _("Satisfied"), "not_yet": _("Not yet")}.get(value, str(value))
    if key == "outcome":
        return {"first": _("the first grades"), "second": _("the second grades")}.get(value, str(value))
    return _plain(value)


def _scenario_of(event, cur):
    """The scenario of a role-play attempt an event is about."""
    from ..mentoring.models import RolePlayAttempt

    if event.subject_type != "RolePlayAttempt" or event.subject_id is None:
        return None
    slug = db.session.scalar(sa.select(RolePlayAttempt.scenario_slug).where(RolePlayAttempt.id == event.subject_id))
    return (cur.scenarios or {}).get(slug)
