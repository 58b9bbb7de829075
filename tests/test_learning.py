"""The trainee's path: stages, modules, completion, unlocking."""
import sqlalchemy as sa

from onboarding.audit.models import AuditEvent
from onboarding.content import curriculum
from onboarding.extensions import db
from onboarding.learning.models import ModuleCompletion


def complete(client, auth, slug):
    return client.post(f"/modules/{slug}/complete", data={"csrf_token": auth.token(f"/modules/{slug}")})


def test_home_shows_four_stages_and_next_step(client, auth, make_user):
    make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com")
    html = client.get("/").get_data(as_text=True)
    for title in ("Stage 1: Company", "Stage 2: Product", "Stage 3: Mentor", "Stage 4: Work"):
        assert title in html
    assert "Start: Hello" in html
    assert html.count("<progress") == 5  # the whole path and each stage
    assert "Opens when stage 1, “Company”, is complete." in html


def test_module_page_renders_content(client, auth, make_user):
    make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com")
    html = client.get("/modules/hello").get_data(as_text=True)
    assert "Who we are" in html and "EUR 890.00" in html
    assert 'href="/modules/rules"' in html
    assert "Mark as complete" in html
    assert "Next: Rules" in html


def test_completion_is_idempotent_and_records_the_version(app, client, auth, make_user):
    uid = make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com")
    assert complete(client, auth, "hello").status_code == 302
    assert complete(client, auth, "hello").status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(ModuleCompletion).where(ModuleCompletion.user_id == uid)).all()
        assert len(rows) == 1
        assert rows[0].content_version == curriculum().modules["hello"].version
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "module_completed")).all()
        assert len(events) == 1 and events[0].actor_id == uid


def test_prerequisites_must_be_complete_first(app, client, auth, make_user):
    uid = make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com")
    html = client.get("/modules/rules").get_data(as_text=True)
    assert "Read these first:" in html and "disabled" in html
    response = complete(client, auth, "rules")
    assert response.status_code == 302
    assert "Read Hello first." in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ModuleCompletion.id)).where(
            ModuleCompletion.user_id == uid)) == 0


def test_locked_stage_modules_are_refused(client, auth, make_user):
    make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com")
    response = client.get("/modules/products")
    assert response.status_code == 403
    assert "opens when stage 1, “Company”, is complete" in response.get_data(as_text=True)
    token = auth.token("/modules/hello")
    assert client.post("/modules/products/complete", data={"csrf_token": token}).status_code == 403


def test_completing_stage_one_opens_stage_two(app, client, auth, make_user):
    """Stage 1 holds two modules, the `basics` quiz and the signature: all are needed to open stage 2."""
    make_user("trainee", email="sam@example.com", name="Trainee 1")
    auth.login("sam@example.com")
    complete(client, auth, "hello")
    response = complete(client, auth, "rules")
    html = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "is marked as complete" in html
    home = client.get("/").get_data(as_text=True)
    assert "Take the quiz: Basics" in home
    assert client.get("/modules/products").status_code == 403
    from .test_assessment import answer_all_right, take

    take(client, auth, "basics", answer_all_right)
    home = client.get("/").get_data(as_text=True)
    assert "Continue: Products" not in home and "Job description not signed" in home
    token = auth.token("/job-description")
    wrong = client.post("/job-description/sign", data={"typed_name": "Someone Else", "csrf_token": token},
                        follow_redirects=True)
    assert "Type your full name exactly as it appears on your account" in wrong.get_data(as_text=True)
    client.post("/job-description/sign", data={"typed_name": "  trainee 1 ", "csrf_token": token})
    home = client.get("/").get_data(as_text=True)
    assert "Continue: Products" in home
    assert client.get("/modules/products").status_code == 200


def test_staff_read_any_module_without_a_complete_button(client, auth, make_user):
    make_user("mentor", email="m@example.com")
    auth.login("m@example.com")
    html = client.get("/modules/rhythm").get_data(as_text=True)
    assert "Calls one day" in html and "Mark as complete" not in html


def test_unknown_module_and_stage_are_404(client, auth, make_user):
    make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com")
    assert client.get("/modules/nope").status_code == 404
    assert client.get("/stages/9").status_code == 404


def test_job_description_is_readable(client, auth, make_user):
    make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com")
    html = client.get("/job-description").get_data(as_text=True)
    assert "Sell, and keep the client base up to date." in html and "Test Approver" in html


def test_mentor_home_lists_only_own_trainees(client, auth, make_user):
    mentor = make_user("mentor", email="m@example.com")
    make_user("trainee", name="Mine Trainee", mentor=mentor)
    make_user("trainee", name="Someone Else")
    auth.login("m@example.com")
    html = client.get("/").get_data(as_text=True)
    assert "Mine Trainee" in html and "Someone Else" not in html


def test_head_home_lists_every_trainee_with_stage_and_mentor(client, auth, make_user):
    mentor = make_user("mentor", name="Marco Mentor")
    make_user("trainee", name="Mine Trainee", mentor=mentor)
    make_user("trainee", name="Someone Else")
    make_user("head", email="h@example.com")
    auth.login("h@example.com")
    html = client.get("/").get_data(as_text=True)
    assert "Mine Trainee" in html and "Someone Else" in html and "Marco Mentor" in html
    assert "Stage 1: Company" in html and "No mentor yet" in html


def test_audit_events_cannot_change(app, make_user):
    import pytest

    from onboarding.audit.models import AppendOnlyError

    make_user("trainee")
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent))
        event.action = "tampered"
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(AppendOnlyError):
            db.session.delete(db.session.scalar(sa.select(AuditEvent)))
            db.session.commit()


def test_no_next_link_into_a_locked_stage(client, auth, make_user):
    make_user("trainee", email="sam@example.com")
    auth.login("sam@example.com")
    assert "Next: Products" not in client.get("/modules/rules").get_data(as_text=True)
