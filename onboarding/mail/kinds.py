"""What each kind of notification is about, in a few words (the unsubscribe and preferences pages name kinds by
these), who receives it, and which choices each person has for it."""
from flask_babel import lazy_gettext as _l

from ..auth.models import ADMIN, DIRECTOR, HEAD, MENTOR, TRAINEE
from .models import CHOICES, DIGEST, IMMEDIATELY, OFF
from . import reminders as r

LABELS = {
    "answers_waiting": _l("written answers waiting for your review"),
    "attempt_graded": _l("your graded quiz attempts"),
    "extra_attempt": _l("extra quiz attempts granted to you"),
    "mentor_assigned": _l("trainees assigned to you"),
    "mentor_removed": _l("trainees left without a mentor"),
    "mentor_named": _l("your new mentor"),
    "mentor_none": _l("having no mentor for now"),
    "sign_off_requested": _l("requests to sign off a practical skill"),
    "sign_off_signed": _l("your skills signed off"),
    "sign_off_returned": _l("your skills returned with feedback"),
    "sign_off_revoked": _l("sign-offs revoked"),
    "activity_corrected": _l("corrections to your activity figures"),
    "role_play_scheduled": _l("your role-play being scheduled"),
    "role_play_to_evaluate": _l("role-plays you evaluate"),
    "role_play_result": _l("role-play results"),
    "role_play_rescheduled": _l("role-plays moved to another time"),
    "role_play_cancelled": _l("role-plays cancelled"),
    "decision_due": _l("decisions needed after a last role-play attempt"),
    "hold_keep": _l("trainees kept in training without the certification"),
    "hold_extend": _l("training extended after the role-play"),
    "hold_withdraw": _l("training withdrawn"),
    "cold_calling_go": _l("go decisions after cold calling"),
    "cold_calling_no_go": _l("no-go decisions after cold calling"),
    "supervision_note": _l("supervision notes"),
    "readiness_recommended": _l("recommendations for independent work"),
    "readiness_approved": _l("approvals for independent work"),
    "readiness_extended": _l("training extended by the head of sales"),
    "readiness_rejected": _l("readiness not approved yet"),
    "career_promoted": _l("promotions to a higher career level"),
    "signature_name_changed": _l("signing the job description again after a name change"),
    "email_changed": _l("changes to your sign-in e-mail address"),
    r.STAGE_OVERDUE: _l("reminders of a stage past its planned end"),
    r.STAGE_OVERDUE_ESCALATED: _l("trainees still behind plan days after a stage's planned end"),
    r.GRADING: _l("reminders of written answers waiting for grading"),
    r.GRADING_ESCALATED: _l("written answers still waiting for grading after the reminder"),
    r.LEDGER: _l("reminders of ledger days waiting for confirmation"),
    r.ROLE_PLAY_TOMORROW: _l("reminders of a role-play tomorrow"),
    r.IDLE: _l("trainees who have done nothing on the platform for days"),
    r.DECISION: _l("reminders of readiness decisions waiting"),
    "weekly_digest": _l("the weekly digest on Monday morning"),
}

CHOICE_LABELS = {IMMEDIATELY: _l("Immediately"), DIGEST: _l("In the weekly digest"), OFF: _l("Off")}

DIGEST_KIND = "weekly_digest"
#: Who takes the weekly digest (and may send a kind to it): mentors and heads of sales.
DIGEST_ROLES = (MENTOR, HEAD)
#: Kinds that ask the reader to do something: always offered, and shown as such.
ACTION_NEEDED = frozenset({"answers_waiting", "sign_off_requested", "role_play_to_evaluate", "decision_due",
                           "readiness_recommended", "signature_name_changed", r.STAGE_OVERDUE,
                           r.STAGE_OVERDUE_ESCALATED, r.GRADING, r.GRADING_ESCALATED, r.LEDGER, r.ROLE_PLAY_TOMORROW,
                           r.IDLE, r.DECISION})
#: Escalations to the heads of sales: a head cannot switch them off.
ESCALATIONS = frozenset({r.STAGE_OVERDUE_ESCALATED, r.GRADING_ESCALATED})

_STAFF = (MENTOR, HEAD, ADMIN)
_ANSWERERS = (MENTOR, HEAD)
#: Which roles receive each kind (the preferences page lists a person's own).
AUDIENCE = {
    "answers_waiting": _ANSWERERS, "mentor_assigned": _ANSWERERS, "mentor_removed": (HEAD,),
    "sign_off_requested": _ANSWERERS, "role_play_to_evaluate": _STAFF, "role_play_result": (TRAINEE, *_STAFF),
    "role_play_rescheduled": (TRAINEE, *_STAFF), "role_play_cancelled": (TRAINEE, *_STAFF),
    "decision_due": (HEAD,), "hold_keep": (TRAINEE, *_ANSWERERS), "hold_extend": (TRAINEE, *_ANSWERERS),
    "hold_withdraw": (TRAINEE, *_ANSWERERS), "readiness_recommended": (HEAD,),
    "readiness_approved": (TRAINEE, *_ANSWERERS), "readiness_extended": (TRAINEE, *_ANSWERERS),
    "readiness_rejected": (TRAINEE, *_ANSWERERS), "career_promoted": (TRAINEE, *_ANSWERERS), "email_changed": (TRAINEE, *_STAFF, DIRECTOR),
    r.STAGE_OVERDUE: (TRAINEE, *_ANSWERERS), r.STAGE_OVERDUE_ESCALATED: (HEAD,), r.GRADING: _ANSWERERS,
    r.GRADING_ESCALATED: (HEAD,), r.LEDGER: _ANSWERERS, r.ROLE_PLAY_TOMORROW: (TRAINEE, *_STAFF),
    r.IDLE: _ANSWERERS, r.DECISION: (HEAD,), DIGEST_KIND: DIGEST_ROLES,
}


def kinds_for(role: str) -> list:
    """The kinds a person of this role receives, in the order of LABELS (kinds not in AUDIENCE go to trainees)."""
    return [kind for kind in LABELS if role in AUDIENCE.get(kind, (TRAINEE,))]


def choices_for(kind: str, role: str) -> tuple:
    """What this person may choose for this kind: the digest only for mentors and heads (and not for the digest
    itself), never off for an escalation to a head."""
    allowed = [c for c in CHOICES if c != DIGEST or (role in DIGEST_ROLES and kind != DIGEST_KIND)]
    if role == HEAD and kind in ESCALATIONS:
        allowed.remove(OFF)
    return tuple(allowed)


def default_choice(_kind: str) -> str:
    """Every kind goes at once unless the person chose otherwise (action-needed kinds above all)."""
    return IMMEDIATELY


def effective(kind: str, role: str, stored: str | None) -> str:
    """The choice that applies: the stored one while this person may still make it, else the default."""
    return stored if stored in choices_for(kind, role) else default_choice(kind)



def label(kind: str) -> str:
    return str(LABELS.get(kind, kind))


def choice_label(choice: str) -> str:
    return str(CHOICE_LABELS.get(choice, choice))
