"""The route-by-role access matrix: every route in app.url_map must say what each person gets.

A new route without a row here fails `test_every_route_is_in_the_matrix`.
Personas: anonymous, the trainee who owns the record, another trainee, the
trainee's mentor, a mentor with no link to the trainee, a head of sales, an admin,
and the director (reads what a head reads, writes only their own check).
"""
import re
from datetime import date

import pytest
import sqlalchemy as sa

from onboarding.extensions import db

from .conftest import PASSWORD, fresh_database_url, restore_snapshot, take_snapshot, user_maker

PERSONAS = ("anonymous", "trainee", "other_trainee", "mentor", "unassigned_mentor", "head", "admin", "director")
A, D, L = "allow", "deny", "login"  # answered, refused with 403, sent to the login page


def row(anonymous, trainee, other_trainee, mentor, unassigned_mentor, head, admin, director=None):
    """The director, unless named, gets what every signed-in person gets and is refused the rest."""
    if director is None:
        director = A if {trainee, other_trainee, mentor, unassigned_mentor, head, admin} == {A} else D
    return dict(zip(PERSONAS, (anonymous, trainee, other_trainee, mentor, unassigned_mentor, head, admin, director)))


EVERYONE = row(A, A, A, A, A, A, A)
SIGNED_IN = row(L, A, A, A, A, A, A)
TRAINEE_ONLY = row(L, A, A, D, D, D, D)
MANAGERS = row(L, D, D, D, D, A, A)
ADMIN_ONLY = row(L, D, D, D, D, D, A)
OWNER_MENTOR_MANAGERS = row(L, A, D, A, D, A, A, director=A)  # a trainee's pages: the director reads them
OWNER_ONLY = row(L, A, D, D, D, D, D)
GRADERS = row(L, D, D, A, A, A, A)
OWN_GRADERS = row(L, D, D, A, D, A, A)
HEAD_ONLY = row(L, D, D, D, D, A, D)
MENTOR_OR_HEAD = row(L, D, D, A, D, A, D)
OWN_MENTOR = row(L, D, D, A, D, D, D)
READERS = row(L, D, D, D, D, A, A, director=A)
GRADERS_AND_READERS = row(L, D, D, A, A, A, A, director=A)
OWN_GRADERS_AND_READERS = row(L, D, D, A, D, A, A, director=A)
DIRECTOR_ONLY = row(L, D, D, D, D, D, D, director=A)
OWNER_MENTOR_OR_HEAD = row(L, A, D, A, D, A, D)
SECOND_MARKER = row(L, D, D, D, A, D, D)  # the grader a head of sales asked for a blind second marking

# (endpoint, method) -> who gets what. {trainee} is the owned trainee's user id. A form's POST-only address also
# answers GET (a reload after a refused form) with a redirect to its page, to the same people.
MATRIX = {
    ("main.healthz", "GET"): EVERYONE,
    ("main.home", "GET"): SIGNED_IN,
    ("auth.login", "GET"): EVERYONE,
    ("auth.login", "POST"): EVERYONE,
    ("auth.logout", "POST"): SIGNED_IN,
    ("auth.password", "GET"): SIGNED_IN,
    ("auth.password", "POST"): SIGNED_IN,
    ("auth.account", "GET"): SIGNED_IN,
    ("auth.language", "POST"): SIGNED_IN,
    ("auth.language", "GET"): SIGNED_IN,  # a reload of a refused choice: back to the account page
    ("auth.time_zone", "POST"): SIGNED_IN,
    ("auth.time_zone", "GET"): SIGNED_IN,  # a reload of a refused choice: back to the account page
    ("learning.stage", "GET"): SIGNED_IN,
    ("learning.module", "GET"): SIGNED_IN,
    ("learning.complete", "POST"): TRAINEE_ONLY,
    ("learning.changes", "GET"): TRAINEE_ONLY,
    ("learning.rereads", "GET"): GRADERS_AND_READERS,  # a mentor sees their own trainees
    ("admin.content_preview", "GET"): ADMIN_ONLY,
    ("learning.job_description", "GET"): SIGNED_IN,
    ("people.new_trainee", "GET"): MANAGERS,
    ("people.new_trainee", "POST"): MANAGERS,
    ("people.trainee", "GET"): OWNER_MENTOR_MANAGERS,
    ("people.plan", "POST"): MANAGERS,
    ("people.plan", "GET"): MANAGERS,
    ("admin.users", "GET"): ADMIN_ONLY,
    ("admin.new_user", "GET"): ADMIN_ONLY,
    ("admin.new_user", "POST"): ADMIN_ONLY,
    ("admin.user", "GET"): ADMIN_ONLY,
    ("admin.change_role", "POST"): ADMIN_ONLY,
    ("admin.change_role", "GET"): ADMIN_ONLY,
    ("admin.change_active", "POST"): ADMIN_ONLY,
    ("admin.change_active", "GET"): ADMIN_ONLY,  # the confirmation page of a deactivation
    ("admin.correct", "POST"): ADMIN_ONLY,
    ("admin.correct", "GET"): ADMIN_ONLY,
    ("admin.change_zone", "POST"): ADMIN_ONLY,
    ("admin.change_zone", "GET"): ADMIN_ONLY,
    ("admin.change_password", "POST"): ADMIN_ONLY,
    ("admin.change_password", "GET"): ADMIN_ONLY,
    ("audit.log", "GET"): MANAGERS,
    ("assessment.quiz", "GET"): SIGNED_IN,
    ("assessment.start", "POST"): TRAINEE_ONLY,
    ("assessment.attempt", "GET"): OWNER_MENTOR_MANAGERS,
    ("assessment.save", "POST"): OWNER_ONLY,
    ("assessment.submit_attempt", "POST"): OWNER_ONLY,
    ("assessment.submit_attempt", "GET"): OWNER_ONLY,
    ("assessment.inbox", "GET"): GRADERS,
    ("assessment.grade_attempt", "GET"): OWN_GRADERS,
    ("assessment.grade_attempt", "POST"): OWN_GRADERS,
    ("assessment.oral", "GET"): OWN_GRADERS,  # the examiner: the trainee's mentor, a head of sales or HR
    ("assessment.oral", "POST"): OWN_GRADERS,
    ("assessment.extra_attempt", "POST"): HEAD_ONLY,
    ("assessment.extra_attempt", "GET"): HEAD_ONLY,
    ("notifications.inbox", "GET"): SIGNED_IN,
    ("inbox.page", "GET"): GRADERS,  # each sees what waits on them; an admin, the heads' list read-only
    ("notifications.read_all", "POST"): SIGNED_IN,
    ("notifications.open_note", "POST"): OWNER_ONLY,
    ("mentoring.checklist", "GET"): OWNER_MENTOR_MANAGERS,
    ("mentoring.request_task", "POST"): OWNER_ONLY,
    ("mentoring.request_task", "GET"): OWNER_ONLY,
    ("mentoring.task_step", "POST"): OWN_GRADERS,
    ("mentoring.task_step", "GET"): OWN_GRADERS,
    ("activity.activity", "GET"): OWNER_MENTOR_MANAGERS,
    ("activity.activity", "POST"): OWNER_ONLY,
    ("activity.confirm", "POST"): OWN_GRADERS,
    ("activity.confirm_days", "POST"): OWN_GRADERS,
    ("activity.correct", "GET"): OWN_GRADERS,
    ("activity.correct", "POST"): OWN_GRADERS,
    ("activity.targets", "GET"): HEAD_ONLY,
    ("activity.targets", "POST"): HEAD_ONLY,
    ("mentoring.role_play", "GET"): OWNER_MENTOR_MANAGERS,
    ("mentoring.role_play", "POST"): MENTOR_OR_HEAD,
    ("mentoring.decision", "POST"): HEAD_ONLY,
    ("mentoring.decision", "GET"): HEAD_ONLY,
    ("mentoring.reschedule", "POST"): MENTOR_OR_HEAD,  # the trainee's mentor and heads move or cancel a meeting
    ("mentoring.reschedule", "GET"): MENTOR_OR_HEAD,
    ("mentoring.cancel", "POST"): MENTOR_OR_HEAD,
    ("mentoring.cancel", "GET"): MENTOR_OR_HEAD,
    ("mentoring.attempt", "GET"): OWNER_MENTOR_MANAGERS,
    ("mentoring.attempt", "POST"): MENTOR_OR_HEAD,  # the evaluators: the mentor and the head
    ("mentoring.sign", "POST"): TRAINEE_ONLY,
    ("mentoring.sign", "GET"): TRAINEE_ONLY,
    ("mentoring.signatures", "GET"): READERS,
    ("mentoring.signed_copy", "GET"): OWNER_MENTOR_MANAGERS,
    ("activity.supervision", "GET"): OWNER_MENTOR_MANAGERS,
    ("activity.supervision", "POST"): OWN_GRADERS,
    ("activity.criteria_page", "GET"): OWNER_MENTOR_MANAGERS,
    ("activity.heatmap_page", "GET"): READERS,
    ("activity.heatmap_csv", "GET"): READERS,
    ("activity.review", "GET"): OWNER_MENTOR_MANAGERS,
    ("activity.review", "POST"): OWN_GRADERS,
    ("activity.plan", "GET"): OWNER_MENTOR_MANAGERS,
    ("activity.plan", "POST"): MENTOR_OR_HEAD,
    ("activity.moved_deal", "POST"): OWNER_MENTOR_OR_HEAD,  # the trainee marks a deal moved; mentor and head too
    ("activity.moved_deal", "GET"): OWNER_MENTOR_OR_HEAD,
    ("readiness.assign", "POST"): HEAD_ONLY,
    ("readiness.assign", "GET"): HEAD_ONLY,
    ("readiness.export_dashboard", "GET"): GRADERS_AND_READERS,  # a mentor's export holds only their own trainees
    ("readiness.cohort_view", "GET"): READERS,
    ("readiness.mentors_view", "GET"): READERS,
    ("readiness.export_mentors", "GET"): READERS,
    ("statistics.index", "GET"): READERS,
    ("statistics.role_plays", "GET"): READERS,
    ("statistics.quiz", "GET"): READERS,
    ("statistics.export", "GET"): READERS,
    ("marking.index", "GET"): HEAD_ONLY,
    ("marking.pick", "POST"): HEAD_ONLY,
    ("marking.pick", "GET"): HEAD_ONLY,  # a reload of a refused pick: back to the page
    ("marking.marking", "GET"): SECOND_MARKER,
    ("marking.marking", "POST"): SECOND_MARKER,
    ("marking.decision", "POST"): HEAD_ONLY,
    ("marking.decision", "GET"): HEAD_ONLY,
    ("readiness.export_activity", "GET"): OWNER_MENTOR_MANAGERS,
    ("readiness.report", "GET"): OWNER_MENTOR_MANAGERS,
    ("readiness.timeline_view", "GET"): OWN_GRADERS_AND_READERS,
    ("readiness.recommendation", "POST"): OWN_MENTOR,
    ("readiness.recommendation", "GET"): OWN_MENTOR,
    ("readiness.go_decision", "POST"): MENTOR_OR_HEAD,  # after cold calling: the trainee's mentor or a head of sales
    ("readiness.go_decision", "GET"): MENTOR_OR_HEAD,
    ("readiness.director_check_view", "POST"): DIRECTOR_ONLY,
    ("readiness.director_check_view", "GET"): DIRECTOR_ONLY,
    ("readiness.decision", "POST"): HEAD_ONLY,
    ("readiness.decision", "GET"): HEAD_ONLY,
    ("careers.promotion", "POST"): HEAD_ONLY,  # a promotion to a higher career level, after independence
    ("careers.promotion", "GET"): HEAD_ONLY,
    ("tokens.tokens", "GET"): SIGNED_IN,
    ("tokens.create", "POST"): SIGNED_IN,
    ("tokens.revoke", "POST"): OWNER_ONLY,
    ("tokens.revoke", "GET"): OWNER_ONLY,  # the confirmation page
    ("mail.outbox", "GET"): ADMIN_ONLY,
    ("mail.message", "GET"): ADMIN_ONLY,
    ("mail.retry", "POST"): ADMIN_ONLY,
    ("mail.preferences", "GET"): SIGNED_IN,  # each person's own choices (tests/test_reminders.py)
    ("mail.preferences", "POST"): SIGNED_IN,
    ("mail.unsubscribe", "GET"): EVERYONE,  # the signed link in a message works without signing in (tests/test_mail.py)
    ("mail.unsubscribe", "POST"): EVERYONE,
    ("mail.role_play_calendar", "GET"): OWNER_MENTOR_MANAGERS,  # and the evaluators (tests/test_mail_calendar.py)
    ("evidence.download", "GET"): OWNER_MENTOR_MANAGERS,
    ("evidence.review", "GET"): OWNER_MENTOR_MANAGERS,
    ("evidence.remove_file", "POST"): OWNER_ONLY,  # the uploader, here the trainee
    ("evidence.comment", "POST"): OWN_GRADERS,
    ("evidence.comment", "GET"): OWN_GRADERS,
    ("evidence.change_comment", "POST"): OWN_MENTOR,  # its author, here the mentor
    ("evidence.change_comment", "GET"): OWN_MENTOR,
}
# The JSON API uses bearer tokens, not sessions: tests/test_api.py checks it role by role.
API_ENDPOINTS = {"api.openapi", "api.me", "api.trainees", "api.trainee"}

# Values for URL parameters: every id is someone else's object for all but the owner and staff.
URL_VALUES = {"number": "1", "slug": "{slug}", "user_id": "{trainee}", "attempt_id": "{attempt}",
              "note_id": "{note}", "task_id": "proposal", "step": "sign", "entry_id": "{entry}", "ack_id": "{ack}",
              "token_id": "{token}", "message_id": "1", "token": "not-a-signed-token",
              "week": "2026-11-02", "marking_id": "{marking}",
              "file_id": "{evidence}", "comment_id": "{comment}"}
ENDPOINT_VALUES = {"mentoring.attempt": {"attempt_id": "{role_play}"},
                   "mentoring.reschedule": {"attempt_id": "{role_play}"},
                   "mentoring.cancel": {"attempt_id": "{role_play}"},
                   "mail.role_play_calendar": {"attempt_id": "{role_play}"}}
SLUGS = {"learning": "hello", "assessment": "basics", "statistics": "written"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_no_two_endpoints_answer_the_same_address_and_method(app):
    seen = {}
    for rule, method in _routes(app):
        seen.setdefault((rule.rule, method), []).append(rule.endpoint)
    assert not {k: v for k, v in seen.items() if len(v) > 1}


def test_every_route_is_in_the_matrix(app):
    missing = [f"{rule.endpoint} {method} {rule.rule}" for rule, method in _routes(app)
               if (rule.endpoint, method) not in MATRIX and rule.endpoint not in API_ENDPOINTS]
    assert not missing, "routes with no expected answer per role: " + ", ".join(missing)
    stale = set(MATRIX) - {(rule.endpoint, method) for rule, method in _routes(app)}
    from .test_api import API_MATRIX

    assert {e for e, _ in API_MATRIX} == API_ENDPOINTS
    assert not stale, f"matrix rows for routes that no longer exist: {sorted(stale)}"


def _build_world(app):
    """The people of the matrix, with the trainee assigned to 'mentor', an attempt awaiting grading and a notification."""
    make_user = user_maker(app)
    mentor = make_user("mentor", email="mentor@example.com")
    ids = {
        "mentor": mentor,
        "unassigned_mentor": make_user("mentor", email="other.mentor@example.com"),
        "trainee": make_user("trainee", email="trainee@example.com", mentor=mentor),
        "other_trainee": make_user("trainee", email="other.trainee@example.com", mentor=mentor),
        "head": make_user("head", email="head@example.com"),
        "admin": make_user("admin", email="admin@example.com"),
        "director": make_user("director", email="director@example.com"),
    }
    from onboarding.assessment.grading import plan_attempt
    from onboarding.assessment.models import QuizAttempt
    from onboarding.assessment.services import submit
    from onboarding.auth.models import User
    from onboarding.content import curriculum
    from onboarding.notifications.models import Notification

    with app.app_context():
        trainee = db.session.get(User, ids["trainee"])
        quiz = curriculum().quizzes["written"]
        # Written directly: the trainee's stage 3 (and so this quiz) is not open, and the matrix keeps them there.
        attempt = QuizAttempt(user_id=trainee.id, quiz_slug=quiz.slug, number=1, allowed=quiz.attempts,
                              state="in_progress", plan=plan_attempt(quiz, 7))
        db.session.add(attempt)
        db.session.flush()
        submit(attempt, quiz, {"stock": "The DL-70 from stock.", "pick": "o1"}, trainee)
        note = Notification(user_id=trainee.id, kind="extra_attempt", params={"quiz": "Written test"}, link="/")
        db.session.add(note)
        from datetime import datetime, timezone

        from onboarding.activity.models import ActivityEntry
        from onboarding.mentoring.models import Acknowledgement, RolePlayAttempt, RolePlayEvaluator

        entry = ActivityEntry(trainee_id=trainee.id, day=date(2026, 11, 2), calls=10, entered_by=trainee.id)
        doc = curriculum().job_description
        ack = Acknowledgement(trainee_id=trainee.id, document=doc.slug, version=doc.version, typed_name="x")
        role_play = RolePlayAttempt(trainee_id=trainee.id, scenario_slug="school", number=1, allowed=2,
                                    scheduled_for=datetime.now(timezone.utc), state="scheduled")
        db.session.add_all([entry, ack, role_play])
        db.session.flush()
        db.session.add_all([RolePlayEvaluator(attempt_id=role_play.id, evaluator_id=ids["mentor"]),
                            RolePlayEvaluator(attempt_id=role_play.id, evaluator_id=ids["head"])])
        from onboarding.api.models import ApiToken
        from onboarding.api.tokens import create_token

        create_token(trainee, "Matrix")
        from onboarding.assessment.models import SecondMarking

        marking = SecondMarking(attempt_id=attempt.id, requested_by=ids["head"], marker_id=ids["unassigned_mentor"])
        db.session.add(marking)
        evidence, comment = _evidence_with_comment(trainee, db.session.get(User, ids["mentor"]))
        db.session.commit()
        token_id = db.session.scalar(sa.select(ApiToken.id))
        ids.update(attempt=attempt.id, note=note.id, entry=entry.id, ack=ack.id, role_play=role_play.id,
                   token=token_id, marking=marking.id, evidence=evidence.id, comment=comment.id)
    return ids


@pytest.fixture(scope="session")
def _world_snapshot(request, tmp_path_factory):
    return take_snapshot(request, tmp_path_factory, _build_world)


@pytest.fixture
def database_url(request, tmp_path):
    """A test that asks for the world starts from it: built once per test process, restored for each test (a
    case's POST may change it; the next case never sees that). Other tests get an empty database.
    Modules that use `world` import this fixture with it."""
    if "world" in request.fixturenames:
        return restore_snapshot(request, tmp_path, request.getfixturevalue("_world_snapshot"))
    return fresh_database_url(request, tmp_path)


@pytest.fixture
def world(app, _world_snapshot):
    return dict(_world_snapshot.ids)


def _evidence_with_comment(trainee, mentor):
    """A proposal the trainee attached to an open sign-off request, and the mentor's comment on it."""
    import io

    from onboarding.evidence.samples import one_page_pdf
    from onboarding.evidence.services import Upload, add_comment, attach
    from onboarding.extensions import db
    from onboarding.mentoring.models import SignOffEvent

    request = SignOffEvent(trainee_id=trainee.id, task_id="proposal", kind="requested", actor_id=trainee.id)
    db.session.add(request)
    [evidence] = attach(request, trainee.id, [Upload("proposal.pdf", io.BytesIO(one_page_pdf(["Offer"])))], trainee)
    db.session.flush()
    return evidence, add_comment(evidence, mentor, None, "Add the delivery terms.")


def _url(rule, world):
    path = rule.rule
    slug = SLUGS.get(rule.endpoint.split(".")[0], "hello")
    for name in rule.arguments:
        template = ENDPOINT_VALUES.get(rule.endpoint, {}).get(name, URL_VALUES[name])
        value = template.format(trainee=world["trainee"], slug=slug, attempt=world["attempt"], note=world["note"],
                                entry=world["entry"], ack=world["ack"], role_play=world["role_play"],
                                token=world["token"], marking=world["marking"], evidence=world["evidence"],
                                comment=world["comment"])
        path = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", value, path)
    return path


def _token(client):
    html = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return match.group(1)


def _login(client, persona):
    emails = {"trainee": "trainee@example.com", "other_trainee": "other.trainee@example.com",
              "mentor": "mentor@example.com", "unassigned_mentor": "other.mentor@example.com",
              "head": "head@example.com", "admin": "admin@example.com", "director": "director@example.com"}
    response = client.post("/login", data={"email": emails[persona], "password": PASSWORD,
                                           "csrf_token": _token(client)})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]


def _outcome(response):
    if response.status_code == 403:
        return D
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", "") \
            and "next=" in response.headers.get("Location", ""):
        return L
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return A


CASES = [(endpoint, method, persona) for (endpoint, method) in MATRIX for persona in PERSONAS]


@pytest.mark.parametrize("endpoint,method,persona", CASES, ids=[f"{e}-{m}-{p}" for e, m, p in CASES])
def test_access(app, client, world, endpoint, method, persona):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    if persona != "anonymous":
        _login(client, persona)
    url = _url(rule, world)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": _token(client) if persona == "anonymous"
                                          else _csrf_signed_in(client)})
    assert _outcome(response) == MATRIX[(endpoint, method)][persona], (
        f"{persona} {method} {url} answered {response.status_code} {response.headers.get('Location', '')}")


def _csrf_signed_in(client):
    html = client.get("/account/password").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("persona", ["trainee", "mentor", "head", "admin"])
def test_unknown_trainee_is_404(client, world, persona):
    _login(client, persona)
    assert client.get("/trainees/987654").status_code == 404
