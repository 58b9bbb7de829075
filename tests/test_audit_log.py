"""The audit log page: every action and its details in words, filters checked like a form (400 with the error
summary and the typed values kept), and a page number that always lands on a page that exists."""
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from onboarding.audit import record
from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.extensions import db

from .conftest import as_user, staff_and_trainee

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def people(make_user):
    return staff_and_trainee(make_user)


def recorded_actions() -> set:
    """Every action the code records, f-string families spelled out."""
    code = "\n".join(p.read_text() for p in (ROOT / "onboarding").rglob("*.py"))
    actions = set(re.findall(r'record\("([a-z_]+)"', code)) | {"activity_logged", "activity_changed"}
    actions |= {f"hold_{d}" for d in ("keep", "withdraw")}
    actions |= {f"readiness_{d}" for d in ("approved", "extended", "rejected")}
    actions |= {f"sign_off_{k}" for k in ("requested", "signed", "returned", "revoked")}
    return actions


def test_every_recorded_action_has_a_name_for_the_filter():
    from onboarding.audit.wording import ACTION_NAMES

    assert recorded_actions() - set(ACTION_NAMES) == set(), "actions the filter would show as codes"


# One realistic event per action, with the details the code records.
SAMPLES = {
    "user_created": {"email": "new@example.com", "role": "mentor"},
    "identity_corrected": {"before": {"full_name": "Tom Beker"}, "after": {"full_name": "Tom Becker"},
                           "sign_again": True},
    "role_changed": {"before": "mentor", "after": "trainee"},
    "locale_changed": {"before": None, "after": "ar"},
    "time_zone_changed": {"before": None, "after": "America/New_York"},
    "login_failed": {"email": "tom@example.com", "reason": "credentials"},
    "api_token_created": {"name": "HR export", "prefix": "onb_abcdef"},
    "trainee_added": {"trainee": "{trainee}", "start_date": "2026-11-02", "mentor": "{mentor}"},
    "plan_changed": {"trainee": "{trainee}", "before": ["2026-11-02", "2027-05-01"],
                     "after": ["2026-11-09", "2027-05-08"]},
    "team_changed": {"trainee": "{trainee}", "before": None, "after": None},
    "mentor_assigned": {"trainee": "{trainee}", "before": None, "after": "{mentor}"},
    "module_completed": {"module": "hello", "version": "0123456789abcdef", "language": "ar"},
    "document_signed": {"document": "job-description", "version": "fedcba9876543210"},
    "quiz_graded": {"quiz": "basics", "number": 1, "percent": 83.3333, "passed": True},
    "extra_attempt_granted": {"trainee": "{trainee}", "quiz": "basics", "reason": "Was ill on the day."},
    "sign_off_signed": {"trainee": "{trainee}", "task": "proposal"},
    "activity_logged": {"day": "2026-11-02", "calls": 22, "meetings": 1, "deals": 0},
    "activity_corrected": {"trainee": "{trainee}", "day": "2026-11-02", "before": {"calls": 22, "meetings": 1},
                           "after": {"calls": 24, "meetings": 1}},
    "targets_set": {"team": None, "before": {"calls": 80}, "after": {"calls": 100}},
    "role_play_scheduled": {"trainee": "{trainee}", "scenario": "school", "number": 1,
                            "evaluators": ["{mentor}", "{head}"], "when": "2026-12-01T10:00:00+00:00"},
    "role_play_rescheduled": {"trainee": "{trainee}", "number": 1, "before": "2026-12-01T10:00:00+00:00",
                              "after": "2026-12-02T14:30:00+00:00"},
    "role_play_result": {"trainee": "{trainee}", "percent": 72.5, "passed": True, "number": 1, "allowed": 2},
    "hold_withdraw": {"trainee": "{trainee}", "plan": "No progress.", "new_target_date": None},
    "readiness_approved": {"trainee": "{trainee}", "before": "awaiting_approval", "after": "independent",
                           "unmet_gates": ["supervised_work"], "override_reason": "Strong hire.", "note": "Welcome.",
                           "new_target_date": None},
    "readiness_recommended": {"trainee": "{trainee}", "ready": True, "note": "Ready."},
    "career_promoted": {"trainee": "{trainee}", "from_level": 1, "to_level": 2, "note": "A year on target.",
                        "override_reason": None},
    "mail_unsubscribed": {"kind": "attempt_graded"},
    "mail_preferences_changed": {"changes": {"answers_waiting": "digest", "escalation_grading": "immediately"}},
    "mail_requeued": {"to": "tom@example.com", "kind": "role_play_to_evaluate", "error": "550 No such mailbox"},
}


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _record_samples(app, people):
    with app.app_context():
        actor = db.session.get(User, people["head"])
        for action, details in SAMPLES.items():
            record(action, actor=actor, **_fill(details, people))
        db.session.commit()


def _table(html):
    return html.split("<table", 1)[1].split("</table>", 1)[0]


def test_every_action_and_its_details_read_as_words(app, people):
    _record_samples(app, people)
    head, _ = as_user(app, "head@example.com")
    table = _table(head.get("/audit").get_data(as_text=True))
    text = re.sub(r"<[^>]+>", " ", table)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text.replace("onb_abcdef…", "")), "codes in the log"
    assert not re.findall(r"[{}\[\]]|None|True|False", text), "raw data in the log"
    for words in ("Role: from Mentor to Trainee", "Mentor: from no mentor to Marco Mentor",
                  "Reason: wrong email or password", "Calls made: 22", "Calls made: from 22 to 24",
                  "Skill: Write a proposal", "Quiz: Basics", "Score: 83.33%", "Passed: yes",
                  "Evaluators: Marco Mentor and Irene Head", "Gates not met: supervised work with the seven criteria and the monthly plan met",
                  "Status: from Awaiting approval to Independent", "Team: Default for everyone",
                  "Language: العربية", "Time zone: from the company&#39;s default to America/New_York", "Token: onb_abcdef…", "Full name: from Tom Beker to Tom Becker",
                  "Asked to sign the job description again: yes", "Name corrected from Tom Beker to Tom Becker",
                  "E-mail about: your graded quiz attempts", "E-mail about: role-plays you evaluate",
                  "To: tom@example.com", "Last error: 550 No such mailbox", "From level: 1", "To level: 2",
                  "Now: written answers waiting for your review: In the weekly digest and written answers still "
                  "waiting for grading after the reminder: Immediately"):
        assert words in text, words


def test_the_action_filter_offers_names_not_codes(app, people):
    head, _ = as_user(app, "head@example.com")
    html = head.get("/audit").get_data(as_text=True)
    select = html.split('name="action"', 1)[1].split("</select>", 1)[0]
    labels = re.findall(r">([^<]*)</option>", select)
    assert "Role changed" in labels and "Signed in" in labels
    assert not [label for label in labels if "_" in label]


def test_filters_narrow_the_log(app, people):
    _record_samples(app, people)
    head, _ = as_user(app, "head@example.com")
    html = head.get("/audit?action=role_changed").get_data(as_text=True)
    assert "Role: from Mentor to Trainee" in html and "Calls made: 22" not in html
    html = head.get(f"/audit?trainee={people['trainee']}").get_data(as_text=True)
    assert "Calls made: from 22 to 24" in html and "Role: from Mentor to Trainee" not in html
    today = datetime.now(timezone.utc).date()
    assert "No entries match." in head.get(f"/audit?to={today - timedelta(days=30)}").get_data(as_text=True)
    assert "Role changed" in head.get(f"/audit?from={today}&to={today}").get_data(as_text=True)


@pytest.mark.parametrize("query,message,kept", [
    ("action=no_such_thing", "Choose an action from the list.", None),
    ("from=2026-13-40", "Not a valid date value.", 'value="2026-13-40"'),
    ("from=yesterday&to=2026-11-02", "Not a valid date value.", 'value="yesterday"'),
    ("from=2026-11-10&to=2026-11-02", "The end date comes before the start date.", 'value="2026-11-02"'),
    ("actor=Nobody+Here", "No one matches “Nobody Here”.", 'value="Nobody Here"'),
    ("trainee=99999999999", "No trainee matches “99999999999”.", 'value="99999999999"'),
    ("trainee=head%40example.com", "No trainee matches “head@example.com”.", 'value="head@example.com"'),
    ("actor=" + "9" * 40, "No one matches “" + "9" * 40 + "”.", None),
    ("actor=%C2%B2", "No one matches “²”.", None),
    ("trainee=" + "x" * 101, "Field cannot be longer than 100 characters.", None),
])
def test_a_bad_filter_is_said_in_the_error_summary_with_what_was_typed(app, people, query, message, kept):
    head, _ = as_user(app, "head@example.com")
    response = head.get(f"/audit?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert message in summary
    if kept:
        assert kept in html


def test_the_page_number_lands_on_a_page_that_exists(app, people):
    with app.app_context():
        at = datetime.now(timezone.utc)
        db.session.add_all([AuditEvent(at=at, action="login", actor_id=people["head"], details={})
                            for _ in range(50 * 6 + 10)])
        db.session.commit()
        total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    pages = -(-total // 50)
    head, _ = as_user(app, "head@example.com")
    last = head.get("/audit?page=999")
    assert last.status_code == 200 and f"Page {pages} of {pages}" in last.get_data(as_text=True)
    assert 'rel="next"' not in last.get_data(as_text=True)
    for junk in ("0", "-3", "abc", "", "9" * 40):
        html = head.get(f"/audit?page={junk}").get_data(as_text=True)
        assert f"Page 1 of {pages}" in html, junk
    # Filters and the clamp together: the sign-ins alone, asked for a page far past their end.
    assert "Page 999" not in head.get("/audit?action=login&page=999").get_data(as_text=True)


@pytest.mark.parametrize("email,status", [("tom@example.com", 403), ("mentor@example.com", 403),
                                          ("head@example.com", 200), ("admin@example.com", 200)])
def test_who_reads_the_log(app, people, email, status):
    client, _ = as_user(app, email)
    assert client.get("/audit").status_code == status
    assert client.get("/audit?action=nope").status_code == (400 if status == 200 else 403)


def test_anonymous_is_sent_to_sign_in(client):
    assert "/login" in client.get("/audit").headers["Location"]


def test_the_people_filters_are_typed_and_find_by_name_email_or_number(app, people):
    """A company of thousands: the page lists no one; what is typed is looked for in names and e-mail addresses."""
    _record_samples(app, people)
    head, _ = as_user(app, "head@example.com")
    html = head.get("/audit").get_data(as_text=True)
    assert 'name="actor"' in html and 'name="trainee"' in html
    assert '<select id="actor"' not in html and '<select id="trainee"' not in html
    assert f'<option value="{people["mentor"]}"' not in html
    about_tom = head.get("/audit?trainee=BECKER").get_data(as_text=True)  # any case, part of the name
    assert "Calls made: from 22 to 24" in about_tom and "Role: from Mentor to Trainee" not in about_tom
    assert 'value="BECKER"' in about_tom  # what was typed stays in the field
    by_email = head.get("/audit?trainee=tom%40example").get_data(as_text=True)
    assert "Calls made: from 22 to 24" in by_email
    assert "Role: from Mentor to Trainee" in head.get("/audit?actor=irene").get_data(as_text=True)
    response = head.get("/audit?actor=Ada")  # someone who did nothing: no entries, not an error
    assert response.status_code == 200 and "No entries match." in response.get_data(as_text=True)
    by_number = head.get(f"/audit?actor={people['head']}&action=role_changed").get_data(as_text=True)
    assert "Role: from Mentor to Trainee" in by_number
    # "trainee" looks among trainees only: the head's own name finds no trainee.
    assert head.get("/audit?trainee=irene").status_code == 400


def test_numbers_in_query_strings_are_read_by_one_rule_that_never_fails():
    from onboarding.paging import MAX_ID, bounded_int

    assert bounded_int("42") == 42 and bounded_int("0") == 0 and bounded_int(str(MAX_ID)) == MAX_ID
    assert bounded_int(str(MAX_ID + 1)) is None  # past what an id column holds
    assert bounded_int("5", 1, 4) is None and bounded_int("4", 1, 4) == 4 and bounded_int("1", 1, 4) == 1
    assert bounded_int("0", 1, 4) is None
    for junk in ("", "-3", "abc", "4.5", "²", "٣x", "9" * 5000):
        assert bounded_int(junk) is None, junk
    assert bounded_int("٣") == 3  # a decimal digit of another script is still a number


@pytest.mark.parametrize("path", ["/audit?page=%C2%B2", "/?page=%C2%B2", "/?mentor=%C2%B2", "/?stage=%C2%B2"])
def test_a_digit_python_cannot_read_is_no_error(app, people, path):
    head, _ = as_user(app, "head@example.com")
    assert head.get(path).status_code == 200
