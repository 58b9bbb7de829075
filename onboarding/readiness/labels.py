"""How readiness states read on the pages, in the reader's language."""
from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "active": _l("Still in training (all but ended)"), "all": _l("Every status"),
    "in_training": _l("In training"), "awaiting_approval": _l("Awaiting approval"),
    "extended": _l("Extended"), "independent": _l("Independent"), "withdrawn": _l("Withdrawn"),
}
WAITER_LABELS = {"trainee": _l("The trainee"), "mentor": _l("The mentor"), "evaluators": _l("Role-play evaluators"),
                 "head": _l("The head of sales")}
WAIT_LABELS = {
    "next_step": _l("the next step on the path"), "answers": _l("written answers to grade"),
    "sign_offs": _l("sign-offs requested"), "ledger_days": _l("ledger days to confirm"),
    "recommendation": _l("a readiness recommendation"), "role_play": _l("role-play scores"),
    "readiness": _l("the readiness decision"), "role_play_hold": _l("a decision after the role-play"),
    "quiz_attempt": _l("an extra quiz attempt (every attempt used)"),
    "role_play_schedule": _l("a role-play to schedule"),
    "go_no_go": _l("the go/no-go decision after cold calling"),
}
ROLE_PLAY_LABELS = {"passed": _l("Passed"), "scheduled": _l("Scheduled"), "due": _l("Meeting time reached: scores awaited"),
                    "held": _l("Held: decision needed"), "kept": _l("Kept in training without the certification"),
                    "failed": _l("Not passed; attempts left"), "none": _l("Not yet")}

GATE_LABELS = {"stages_complete": _l("every stage complete"), "role_play_passed": _l("role-play passed"),
               "job_description_signed": _l("current job description signed"),
               "supervised_work": _l("supervised work with the seven criteria and the monthly plan met")}


def target_text(figure: str, target: int) -> str:
    """A target as it reads: "1 a month" for a monthly one (activity.rules.MONTHLY), the number for a weekly one."""
    from flask_babel import gettext

    from ..activity.rules import MONTHLY

    return gettext("%(num)d a month", num=target) if figure in MONTHLY else str(target)


def helpers() -> dict:
    from ..activity.forms import FIGURE_LABELS

    return {"status_label": lambda s: STATUS_LABELS.get(s, s), "waiter_label": lambda w: WAITER_LABELS.get(w, w),
            "wait_label": lambda w: WAIT_LABELS.get(w, w), "role_play_label": lambda r: ROLE_PLAY_LABELS.get(r, r),
            "figure_label": lambda f: FIGURE_LABELS.get(f, f), "gate_label": lambda g: GATE_LABELS.get(g, g),
            "target_text": target_text}
