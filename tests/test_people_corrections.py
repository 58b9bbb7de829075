"""An administrator corrects a person's name and e-mail: audited with the old values, e-mail unique whatever its
capitals, and a trainee whose signature no longer matches the new name is asked to sign again, and told why."""
import pytest
import sqlalchemy as sa

from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.mentoring.models import Acknowledgement
from onboarding.notifications.models import Notification

from .conftest import AuthActions, as_user, complete_stages_before, staff_and_trainee


@pytest.fixture
def people(make_user):
    people = staff_and_trainee(make_user)
    people["other"] = make_user("trainee", email="taken@example.com", name="Tina Taken")
    return people


def _correct(client, auth, uid, name, email, **extra):
    return client.post(f"/admin/users/{uid}/identity", data={"full_name": name, "email": email,
                                                             "csrf_token": auth.token(f"/admin/users/{uid}"), **extra})


def _stage_one(app, uid):
    from onboarding.people.services import record_of
    from onboarding.path.service import trainee_progress

    with app.app_context():
        progress = trainee_progress(record_of(db.session.get(User, uid)))
        return progress.stage(1).state


def _events(app, action):
    with app.app_context():
        return [e.details for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action))]


def _notes(app, uid):
    with app.app_context():
        return [(n.kind, n.params) for n in db.session.scalars(sa.select(Notification)
                                                               .where(Notification.user_id == uid))]


# ---------------------------------------------------------------- the correction itself

def test_admin_corrects_name_and_email_keeping_the_old_values(app, people):
    admin, auth = as_user(app, "admin@example.com")
    response = _correct(admin, auth, people["mentor"], "  Marco   Mentori ", "Marco.Mentori@Example.com")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/users/{people['mentor']}")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "The name and e-mail of Marco Mentori are saved." in page
    with app.app_context():
        user = db.session.get(User, people["mentor"])
        assert (user.full_name, user.email) == ("Marco Mentori", "marco.mentori@example.com")
    assert _events(app, "identity_corrected") == [{
        "before": {"full_name": "Marco Mentor", "email": "mentor@example.com"},
        "after": {"full_name": "Marco Mentori", "email": "marco.mentori@example.com"}, "sign_again": False}]
    # The person signs in with the new address (any capitals), no longer with the old one, and is told.
    assert AuthActions(app.test_client()).login("MARCO.mentori@example.com").status_code == 302
    assert AuthActions(app.test_client()).login("mentor@example.com").status_code == 401
    assert ("email_changed", {"before": "mentor@example.com", "after": "marco.mentori@example.com"}) \
        in _notes(app, people["mentor"])


def test_the_audit_log_shows_the_correction_in_words(app, people):
    admin, auth = as_user(app, "admin@example.com")
    _correct(admin, auth, people["mentor"], "Marco Mentori", "mentor@example.com")
    html = admin.get("/audit?action=identity_corrected").get_data(as_text=True)
    assert "Name corrected from Marco Mentor to Marco Mentori" in html
    assert "Full name: from Marco Mentor to Marco Mentori" in html and "identity_corrected" not in html.split(
        "<table")[1]


def test_an_email_another_account_has_is_refused_whatever_its_capitals(app, people):
    admin, auth = as_user(app, "admin@example.com")
    response = _correct(admin, auth, people["trainee"], "Tom B. Becker", "TAKEN@Example.com")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Another account already uses taken@example.com (capital letters make no difference)." in html
    assert 'class="error-summary"' in html and 'href="#email-identity"' in html
    assert 'value="Tom B. Becker"' in html and 'value="TAKEN@Example.com"' in html  # what was typed stays
    with app.app_context():
        user = db.session.get(User, people["trainee"])
        assert (user.full_name, user.email) == ("Tom Becker", "tom@example.com")
    assert _events(app, "identity_corrected") == []


def test_the_service_refuses_a_taken_address_and_an_empty_name(app, people):
    from onboarding.people.services import PeopleError, correct_identity

    with app.app_context():
        user, admin = db.session.get(User, people["trainee"]), db.session.get(User, people["admin"])
        with pytest.raises(PeopleError, match="Another account already uses taken@example.com"):
            correct_identity(user, "Tom Becker", " Taken@EXAMPLE.com ", admin)
        with pytest.raises(PeopleError, match="Enter the full name"):
            correct_identity(user, "   ", "tom@example.com", admin)
        assert correct_identity(user, "Tom Becker", "TOM@example.com", admin) == {"changed": [],
                                                                                   "sign_again": False}


def test_a_bad_correction_form_keeps_what_was_typed(app, people):
    admin, auth = as_user(app, "admin@example.com")
    response = _correct(admin, auth, people["mentor"], "", "not an address")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#full_name-identity"' in html and "Invalid email address." in html
    assert 'value="not an address"' in html
    assert admin.get(f"/admin/users/{people['mentor']}/identity").status_code == 302  # a reload goes back


@pytest.mark.parametrize("who", ["trainee", "mentor", "head"])
def test_only_an_administrator_corrects(app, people, who):
    email = {"trainee": "tom@example.com", "mentor": "mentor@example.com", "head": "head@example.com"}[who]
    client, auth = as_user(app, email)
    response = client.post(f"/admin/users/{people['other']}/identity",
                           data={"full_name": "Hacked", "email": "hacked@example.com",
                                 "csrf_token": auth.token("/account/password")})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, people["other"]).full_name == "Tina Taken"


def test_anonymous_is_sent_to_sign_in(client, people):
    response = client.post(f"/admin/users/{people['other']}/identity", data={"full_name": "X", "email": "x@y.z"})
    assert response.status_code in (302, 400)  # no CSRF token: refused before anything else
    assert "/login" in client.get(f"/admin/users/{people['other']}/identity").headers["Location"]


# ---------------------------------------------------------------- the signature follows the name

def test_a_name_that_no_longer_matches_the_signature_asks_to_sign_again(app, people):
    uid = people["trainee"]
    complete_stages_before(app, uid, 2)
    assert _stage_one(app, uid) == "complete"
    admin, auth = as_user(app, "admin@example.com")
    response = _correct(admin, auth, uid, "Tom Becker-Lindqvist", "tom@example.com")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "no longer matches the new name: they are asked to sign again" in page
    assert _events(app, "identity_corrected")[0]["sign_again"] is True
    # The signature stops counting, in the one place the progress rules read it: stage 1 is open again.
    assert _stage_one(app, uid) == "open"
    assert ("signature_name_changed", {"trainee_id": uid, "before": "Tom Becker", "after": "Tom Becker-Lindqvist"}) \
        in _notes(app, uid)
    trainee, t_auth = as_user(app, "tom@example.com")
    inbox = trainee.get("/notifications").get_data(as_text=True)
    assert ("Your name on the account changed from Tom Becker to Tom Becker-Lindqvist: sign the job description "
            "again with your new name.") in inbox
    document = trainee.get("/job-description").get_data(as_text=True)
    assert ("Your name on the account changed from Tom Becker to Tom Becker-Lindqvist; sign again with your new "
            "name.") in document
    assert 'action="/job-description/sign"' in document or "Sign the job description" in document
    # Heads see it too; the old signature's printable copy says why it no longer counts.
    head, _ = as_user(app, "head@example.com")
    assert "Name changed since: must sign again" in head.get("/job-description/signatures").get_data(as_text=True)
    with app.app_context():
        old = db.session.scalar(sa.select(Acknowledgement.id).where(Acknowledgement.trainee_id == uid))
    assert "so it no longer counts" in head.get(f"/signatures/{old}").get_data(as_text=True)
    # Signing with the old name is refused; with the new one the signature counts again, the old one stays.
    sign = trainee.post("/job-description/sign", data={"typed_name": "Tom Becker", "csrf_token": t_auth.token(
        "/job-description")})
    assert sign.status_code == 400 and _stage_one(app, uid) == "open"
    sign = trainee.post("/job-description/sign", data={"typed_name": "tom becker-lindqvist",
                                                       "csrf_token": t_auth.token("/job-description")})
    assert sign.status_code == 302 and _stage_one(app, uid) == "complete"
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(Acknowledgement.typed_name).where(
            Acknowledgement.trainee_id == uid))) == ["Tom Becker", "tom becker-lindqvist"]
    assert "You signed this version on" in trainee.get("/job-description").get_data(as_text=True)


def test_a_correction_that_still_matches_changes_nothing_else(app, people):
    uid = people["trainee"]
    complete_stages_before(app, uid, 2)
    before = _notes(app, uid)
    admin, auth = as_user(app, "admin@example.com")
    response = _correct(admin, auth, uid, "TOM   becker", "tom@example.com")  # case and spacing only
    assert response.status_code == 302
    assert "no longer matches the new name" not in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert _events(app, "identity_corrected")[0]["sign_again"] is False
    assert _stage_one(app, uid) == "complete"
    assert _notes(app, uid) == before  # no notification: nothing for the trainee to do
    trainee, _ = as_user(app, "tom@example.com")
    assert "You signed this version on" in trainee.get("/job-description").get_data(as_text=True)


def test_a_trainee_who_had_not_signed_is_not_told_to_sign_again(app, people):
    uid = people["trainee"]
    assert _stage_one(app, uid) == "open"
    admin, auth = as_user(app, "admin@example.com")
    _correct(admin, auth, uid, "Thomas Becker", "tom@example.com")
    assert _events(app, "identity_corrected")[0]["sign_again"] is False
    assert [kind for kind, _ in _notes(app, uid) if kind == "signature_name_changed"] == []
    assert _stage_one(app, uid) == "open"


def test_the_readiness_gate_and_the_api_see_the_same_signature(app, people):
    """facts_by_user is the one place signatures are read: the dashboard rows and the API agree with stage 1."""
    from onboarding.api.tokens import create_token
    from onboarding.mentoring.services import facts_by_user

    uid = people["trainee"]
    complete_stages_before(app, uid, 2)
    admin, auth = as_user(app, "admin@example.com")
    _correct(admin, auth, uid, "Tom Lindqvist", "tom@example.com")
    with app.app_context():
        doc = app.extensions["curriculum"].job_description
        assert facts_by_user([uid], doc)[uid]["signature_current"] is False
        token = create_token(db.session.get(User, people["head"]), "check")
        db.session.commit()
    data = app.test_client().get(f"/api/v1/trainees/{uid}", headers={"Authorization": f"Bearer {token}"}).get_json()
    gate = next(g for g in data["gates"] if g["key"] == "job_description_signed")
    assert gate["met"] is False and data["stages"][0]["status"] != "complete"
