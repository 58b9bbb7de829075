"""A trainee's timeline: the audit events that concern them, worded for people, newest first."""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit.models import AuditEvent
from ..auth.models import User
from ..extensions import db
from ..i18n import fmt_date, fmt_number

#: Session and e-mail events say nothing about progress; they stay in the audit log.
QUIET = ("login", "logout", "login_failed", "api_token_created", "api_token_revoked", "mail_unsubscribed",
         "mail_resubscribed", "mail_requeued", "mail_preferences_changed")


def timeline(trainee_id: int, page: int, per_page: int):
    query = (sa.select(AuditEvent).where(AuditEvent.trainee_id == trainee_id, AuditEvent.action.not_in(QUIET))
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    ids = {e.actor_id for e in result.items} - {None}
    people = {u.id: u.full_name for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    names = titles()
    result.entries = [(e, people.get(e.actor_id), describe(e, names)) for e in result.items]
    return result


def titles() -> dict:
    """Titles of the curriculum's modules, quizzes and checklist tasks, by kind and key."""
    from ..content import curriculum

    cur = curriculum()
    titles = {("quiz", q.slug): q.title for q in cur.quiz_list}
    for stage in cur.stages:
        titles.update({("module", m.slug): m.title for m in stage.modules})
        if stage.checklist:
            titles.update({("task", t.id): t.title for t in stage.checklist.tasks})
    return titles


def describe(event: AuditEvent, titles: dict | None = None) -> str:
    """One sentence for an event, in the reader's language; unknown actions read as their name."""
    titles = titles or {}
    d = dict(event.details or {})
    for kind in ("module", "quiz", "task"):
        if kind in d:
            d[kind] = titles.get((kind, d[kind]), d[kind])
    if isinstance(d.get("percent"), (int, float)):
        d["percent"] = fmt_number(d["percent"])
    for key in ("day", "week_of", "start_date", "new_target_date"):
        try:
            d[key] = fmt_date(date.fromisoformat(d[key]))
        except (KeyError, TypeError, ValueError):
            pass
    texts = _sentences(d)
    return texts.get(event.action, lambda: event.action.replace("_", " ").capitalize())()


def _sentences(d: dict) -> dict:
    """action -> a function giving its sentence from the event's details (already made readable)."""
    return {
        "user_created": lambda: _("Account created"),
        "trainee_added": lambda: _("Added as a trainee, starting %(date)s", date=d.get("start_date", "")),
        "plan_changed": lambda: _("Plan changed"),
        "team_changed": lambda: _("Team changed"),
        "mentor_assigned": lambda: _("Mentor assigned"),
        "module_completed": lambda: _("Module “%(module)s” completed", module=d.get("module", "")),
        "module_reread": lambda: _("Module “%(module)s” read again in its new version", module=d.get("module", "")),
        "document_signed": lambda: (_("Job description signed (version %(v)s)", v=str(d["version"])[:8])
                                    if d.get("version") else _("Job description signed")),
        "quiz_attempt_started": lambda: _("Quiz “%(quiz)s”: attempt %(n)s started", quiz=d.get("quiz", ""),
                                          n=d.get("number", "")),
        "second_marking_requested": lambda: _("Quiz “%(quiz)s”: attempt %(n)s picked for a blind second marking",
                                              quiz=d.get("quiz", ""), n=d.get("number", "")),
        "second_marking_done": lambda: _("Quiz “%(quiz)s”: attempt %(n)s marked a second time",
                                         quiz=d.get("quiz", ""), n=d.get("number", "")),
        "second_marking_decided": lambda: _("Quiz “%(quiz)s”: second marking of attempt %(n)s decided, %(outcome)s "
                                            "kept", quiz=d.get("quiz", ""), n=d.get("number", ""),
                                            outcome={"first": _("the first grades"), "second": _("the second grades")}
                                            .get(d.get("outcome"), d.get("outcome", ""))),
        "quiz_oral_recorded": lambda: _("Quiz “%(quiz)s”: oral attempt %(n)s recorded by the examiner",
                                        quiz=d.get("quiz", ""), n=d.get("number", "")),
        "quiz_submitted": lambda: _("Quiz “%(quiz)s”: attempt %(n)s submitted", quiz=d.get("quiz", ""),
                                    n=d.get("number", "")),
        "quiz_graded": lambda: (_("Quiz “%(quiz)s” graded: %(percent)s%%, passed", quiz=d.get("quiz", ""),
                                  percent=d.get("percent", "")) if d.get("passed") else
                                _("Quiz “%(quiz)s” graded: %(percent)s%%, not passed", quiz=d.get("quiz", ""),
                                  percent=d.get("percent", ""))),
        "extra_attempt_granted": lambda: _("One more attempt granted at “%(quiz)s”: %(reason)s",
                                           quiz=d.get("quiz", ""), reason=d.get("reason", "")),
        "sign_off_requested": lambda: _("Sign-off of “%(task)s” requested", task=d.get("task", "")),
        "sign_off_signed": lambda: _("“%(task)s” signed off", task=d.get("task", "")),
        "sign_off_returned": lambda: _("“%(task)s” returned with feedback", task=d.get("task", "")),
        "sign_off_revoked": lambda: _("Sign-off of “%(task)s” revoked", task=d.get("task", "")),
        "activity_logged": lambda: _("Activity logged for %(day)s", day=d.get("day", "")),
        "activity_changed": lambda: _("Activity for %(day)s changed", day=d.get("day", "")),
        "activity_confirmed": lambda: _("Activity for %(day)s confirmed", day=d.get("day", "")),
        "activity_corrected": lambda: _("Activity for %(day)s corrected", day=d.get("day", "")),
        "role_play_scheduled": lambda: _("Role-play scheduled"),
        "role_play_scored": lambda: _("Role-play scored by an evaluator"),
        "role_play_rescheduled": lambda: _("Role-play moved to another time"),
        "role_play_cancelled": lambda: _("Role-play cancelled (no attempt used): %(reason)s",
                                         reason=d.get("reason", "")),
        "role_play_result": lambda: (_("Role-play passed with %(percent)s%%", percent=d.get("percent", ""))
                                     if d.get("passed") else
                                     _("Role-play not passed: %(percent)s%%", percent=d.get("percent", ""))),
        "hold_keep": lambda: _("Held after the role-play: kept in training without the certification"),
        "hold_extend": lambda: _("Held after the role-play: training extended"),
        "hold_withdraw": lambda: _("Held after the role-play: training withdrawn"),
        "supervision_note": lambda: _("Supervision note for the week of %(date)s", date=d.get("week_of", "")),
        "evidence_added": lambda: _("Evidence “%(name)s” uploaded", name=d.get("name", "")),
        "evidence_removed": lambda: _("Evidence “%(name)s” removed", name=d.get("name", "")),
        "evidence_commented": lambda: (_("Comment on “%(name)s” at %(at)s: %(comment)s", name=d.get("name", ""),
                                         at=d.get("at"), comment=d.get("comment", "")) if d.get("at") else
                                       _("Comment on “%(name)s”: %(comment)s", name=d.get("name", ""),
                                         comment=d.get("comment", ""))),
        "evidence_comment_edited": lambda: _("Comment on “%(name)s” changed", name=d.get("name", "")),
        "director_check": lambda: (_("The director is satisfied: %(note)s", note=d.get("note", ""))
                                   if d.get("verdict") == "satisfied" else
                                   _("The director is not satisfied yet: %(note)s", note=d.get("note", ""))),
        "readiness_recommended": lambda: (_("Mentor recommends readiness: %(note)s", note=d.get("note", ""))
                                          if d.get("ready") else
                                          _("Mentor does not recommend readiness yet: %(note)s",
                                            note=d.get("note", ""))),
        "cold_calling_go": lambda: (_("Go after cold calling: on to sales training (%(note)s)", note=d["note"])
                                    if d.get("note") else _("Go after cold calling: on to sales training")),
        "cold_calling_no_go": lambda: _("No-go after cold calling: the training ends (%(note)s)",
                                        note=d.get("note", "")),
        "readiness_approved": lambda: _("Approved for independent work"),
        "career_promoted": lambda: _("Promoted from level %(before)s to level %(after)s: %(note)s",
                                     before=d.get("from_level", ""), after=d.get("to_level", ""),
                                     note=d.get("note", "")),
        "readiness_extended": lambda: _("Training extended to %(date)s", date=d.get("new_target_date", "")),
        "readiness_rejected": lambda: _("Readiness not approved; training goes on"),
        "password_changed": lambda: _("Password changed"),
        "password_reset": lambda: _("Password reset by an administrator"),
        "user_deactivated": lambda: _("Account deactivated"),
        "user_activated": lambda: _("Account reactivated"),
        "role_changed": lambda: _("Role changed"),
        "identity_corrected": lambda: (
            _("Name corrected from %(before)s to %(after)s", before=d["before"]["full_name"],
              after=d["after"]["full_name"]) if "full_name" in (d.get("after") or {}) and "email" not in d["after"]
            else _("Email corrected from %(before)s to %(after)s", before=d["before"]["email"],
                   after=d["after"]["email"]) if "email" in (d.get("after") or {}) and "full_name" not in d["after"]
            else _("Name and email corrected")),
        "login": lambda: _("Signed in"),
        "mail_unsubscribed": lambda: _("E-mail of one kind switched off"),
        "mail_resubscribed": lambda: _("E-mail of one kind switched on again"),
        "mail_requeued": lambda: _("Failed e-mail queued again"),
        "mail_preferences_changed": lambda: _("E-mail preferences changed"),
        "logout": lambda: _("Signed out"),
        "login_failed": lambda: _("Failed sign-in"),
        "api_token_created": lambda: _("API token created"),
        "api_token_revoked": lambda: _("API token revoked"),
        "locale_changed": lambda: _("Language changed"),
        "time_zone_changed": lambda: _("Time zone changed to %(zone)s", zone=d.get("after") or _("the company's default")),
        "answer_graded": lambda: _("Written answer graded"),
        "grading_draft_saved": lambda: ngettext(
            "Grading draft saved for quiz “%(quiz)s”, attempt %(n)s: %(graded)s of %(num)d written answer has "
            "points so far (not final)",
            "Grading draft saved for quiz “%(quiz)s”, attempt %(n)s: %(graded)s of %(num)d written answers have "
            "points so far (not final)", int(d.get("total") or 0), quiz=d.get("quiz", ""), n=d.get("number", ""),
            graded=d.get("graded", 0)),
        "targets_set": lambda: _("Weekly activity targets set"),
        "team_added": lambda: _("Team added"),
        "scorecard_reviewed": lambda: _("The week of %(date)s reviewed against the seven criteria",
                                        date=d.get("week_of", "")),
        "monthly_plan_set": lambda: _("Monthly plan set for %(month)s", month=d.get("month", "")),
        "deal_moved": lambda: _("A deal ready on %(day)s moved to next month: %(client)s", day=d.get("day", ""),
                                client=d.get("client", "")),
    }


def worded_actions() -> frozenset:
    return frozenset(_sentences({}))
