"""What each kind of notification is about, in a few words: the unsubscribe page names the kind it switches off."""
from flask_babel import lazy_gettext as _l

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
    "signature_name_changed": _l("signing the job description again after a name change"),
    "email_changed": _l("changes to your sign-in e-mail address"),
}


def label(kind: str) -> str:
    return str(LABELS.get(kind, kind))
