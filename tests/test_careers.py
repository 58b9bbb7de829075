"""Career levels after independence: the person's page, the head of sales' promotion (audited, told, refused
with the date it is allowed from), the printable report and the API. The pure rule is tests/test_career_rules.py;
the route-by-role matrix is tests/test_access.py."""
from collections import Counter
from datetime import datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.careers.models import Promotion
from onboarding.careers.services import CareerError, career_of, promote
from onboarding.extensions import db
from onboarding.notifications.models import Notification
from onboarding.people.models import TraineeRecord
from onboarding.readiness.models import ReadinessDecision
from onboarding.timeutil import today

from .conftest import as_user, staff_and_trainee


def approve(app, uid, days_ago, head_id=None):
    """The head of sales' approval for independent work, `days_ago` days back."""
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        rec.status = "independent"
        when = datetime.combine(today() - timedelta(days=days_ago), time(10), timezone.utc)
        db.session.add(ReadinessDecision(trainee_id=uid, head_id=head_id, decision="approved", note="Ready.",
                                         evidence={}, decided_at=when))
        db.session.commit()


@pytest.fixture
def people(app, make_user):
    ids = staff_and_trainee(make_user)
    ids["director"] = make_user("director", email="director@example.com")
    return ids


def _form(client, auth, uid, **data):
    token = auth.token(f"/trainees/{uid}")
    return client.post(f"/trainees/{uid}/promotion", data={"csrf_token": token, **data})


def promoted_to_level_2(app, people):
    """Tom approved 400 days ago and promoted to level 2 by Irene, the head of sales: her client."""
    approve(app, people["trainee"], 400, people["head"])
    head, auth = as_user(app, "head@example.com")
    assert _form(head, auth, people["trainee"], to_level="2", note="A year on target.").status_code == 302
    return head


def _page(client, uid):
    return client.get(f"/trainees/{uid}").get_data(as_text=True)


def test_in_training_the_page_shows_no_career_level(app, people):
    head, _ = as_user(app, "head@example.com")
    html = _page(head, people["trainee"])
    assert 'id="career"' not in html and "/promotion" not in html


def test_an_independent_person_starts_at_level_1_with_the_next_level_and_its_date(app, people):
    approve(app, people["trainee"], 30, people["head"])
    for email in ("tom@example.com", "mentor@example.com", "director@example.com"):
        client, _ = as_user(app, email)
        html = _page(client, people["trainee"])
        assert "Level 1: Account manager" in html and "Next: level 2, Senior account manager" in html
        assert "Works the client list handed over" in html and "A year of ledger figures on target" in html
        assert "/promotion" not in html  # only a head of sales has the form
    head, _ = as_user(app, "head@example.com")
    assert f'action="/trainees/{people["trainee"]}/promotion"' in _page(head, people["trainee"])


def test_the_head_records_a_promotion_audited_and_told(app, people):
    approve(app, people["trainee"], 400, people["head"])
    head, auth = as_user(app, "head@example.com")
    response = _form(head, auth, people["trainee"], to_level="2", note="Twelve months on target; two complaints.")
    assert response.status_code == 302 and response.headers["Location"].endswith("#career")
    with app.app_context():
        [row] = db.session.scalars(sa.select(Promotion)).all()
        assert (row.from_level, row.to_level, row.decided_by, row.override_reason) == (1, 2, people["head"], None)
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "career_promoted"))
        assert event.trainee_id == people["trainee"] and event.actor_id == people["head"]
        assert event.details["from_level"] == 1 and event.details["to_level"] == 2
        told = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "career_promoted")))
        assert told == {people["trainee"], people["mentor"]}
    html = _page(head, people["trainee"])
    assert "Level 2: Senior account manager" in html and "Twelve months on target; two complaints." in html
    assert "Next: level 3, Lead account manager" in html
    timeline = head.get(f"/trainees/{people['trainee']}/timeline").get_data(as_text=True)
    assert "Promoted from level 1 to level 2: Twelve months on target; two complaints." in timeline
    tom, _ = as_user(app, "tom@example.com")
    assert "You are promoted to level 2: Senior account manager." in tom.get("/notifications").get_data(as_text=True)


def test_too_early_is_refused_with_the_date_and_the_typed_form_comes_back(app, people):
    from onboarding.careers.rules import add_months
    from onboarding.i18n import fmt_date

    approve(app, people["trainee"], 30, people["head"])
    head, auth = as_user(app, "head@example.com")
    response = _form(head, auth, people["trainee"], to_level="2", note="Strong first month.")
    html = response.get_data(as_text=True)
    with app.test_request_context():
        allowed = fmt_date(add_months(today() - timedelta(days=30), 12))
    assert response.status_code == 400 and "error-summary" in html
    assert f"Level 2 may be recorded from {allowed}" in html and "Strong first month." in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Promotion.id))) == 0


def test_an_override_reason_records_it_early_and_keeps_the_reason(app, people):
    approve(app, people["trainee"], 30, people["head"])
    head, auth = as_user(app, "head@example.com")
    response = _form(head, auth, people["trainee"], to_level="2", note="Brought 14 clients from a competitor.",
                     override_reason="Came with two years at a dealer.")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Promotion.override_reason)) == "Came with two years at a dealer."


def test_skipping_a_level_is_refused(app, people):
    approve(app, people["trainee"], 900, people["head"])
    head, auth = as_user(app, "head@example.com")
    response = _form(head, auth, people["trainee"], to_level="3", note="Very good.")
    assert response.status_code == 400
    assert "Promote one level at a time: the next level is 2, Senior account manager." in response.get_data(
        as_text=True)


@pytest.mark.parametrize("data,message", [
    ({"to_level": "2", "note": "  "}, "Write the evidence the promotion is decided on."),
    ({"to_level": "", "note": "Evidence."}, "Choose the level to promote to."),
    ({"to_level": "9", "note": "Evidence."}, "Not a valid choice"),
])
def test_an_invalid_form_comes_back_with_its_error(app, people, data, message):
    approve(app, people["trainee"], 400, people["head"])
    head, auth = as_user(app, "head@example.com")
    response = _form(head, auth, people["trainee"], **data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_someone_in_training_cannot_be_promoted(app, people):
    head, auth = as_user(app, "head@example.com")
    token = auth.token("/account/password")
    response = head.post(f"/trainees/{people['trainee']}/promotion",
                         data={"csrf_token": token, "to_level": "2", "note": "Early."})
    assert response.status_code == 400
    assert "Career levels start once the person is approved for independent work." in response.get_data(as_text=True)


@pytest.mark.parametrize("email", ["mentor@example.com", "tom@example.com", "director@example.com",
                                   "admin@example.com"])
def test_only_a_head_of_sales_may_post_a_promotion(app, people, email):
    approve(app, people["trainee"], 400, people["head"])
    client, auth = as_user(app, email)
    response = client.post(f"/trainees/{people['trainee']}/promotion",
                           data={"csrf_token": auth.token("/account/password"), "to_level": "2", "note": "x"})
    assert response.status_code == 403


def test_a_promotion_needs_csrf(app, people):
    approve(app, people["trainee"], 400, people["head"])
    head, _ = as_user(app, "head@example.com")
    response = head.post(f"/trainees/{people['trainee']}/promotion", data={"to_level": "2", "note": "x"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Promotion.id))) == 0


def test_a_reload_of_the_refused_form_goes_back_to_the_page(app, people):
    head, _ = as_user(app, "head@example.com")
    response = head.get(f"/trainees/{people['trainee']}/promotion")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/trainees/{people['trainee']}#career")


def _service(app, people, action):
    with app.test_request_context():
        head = db.session.get(User, people["head"])
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == people["trainee"]))
        return action(head, rec)


def test_the_service_refuses_anyone_but_a_head_and_an_empty_note(app, people):
    approve(app, people["trainee"], 400, people["head"])

    def by_mentor(_head, rec):
        with pytest.raises(CareerError, match="Only a head of sales"):
            promote(rec, db.session.get(User, people["mentor"]), 2, "Evidence.")
        with pytest.raises(CareerError, match="Write the evidence"):
            promote(rec, _head, 2, " ")

    _service(app, people, by_mentor)


def _a_year_before(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # February 29
        return day.replace(year=day.year - 1, day=28)


@pytest.mark.parametrize("extra_days,allowed", [(0, True), (-1, False)])
def test_the_service_measures_the_minimum_months_from_the_approval_exactly(app, people, extra_days, allowed):
    """Approved 12 months ago to the day: level 2 is allowed today; approved a day later, it is not yet."""
    approved_on = _a_year_before(today()) - timedelta(days=extra_days)
    approve(app, people["trainee"], (today() - approved_on).days, people["head"])

    def attempt(head, rec):
        current, _ = career_of(rec)
        assert current.independent_since == approved_on and current.number == 1
        if allowed:
            assert promote(rec, head, 2, "A year on target.").to_level == 2
            db.session.commit()
        else:
            with pytest.raises(CareerError, match="Level 2 may be recorded from"):
                promote(rec, head, 2, "A year on target.")
            assert current.eligible_from == today() + timedelta(days=1)

    _service(app, people, attempt)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Promotion.id))) == int(allowed)


def test_without_a_recorded_approval_independence_counts_from_the_target_date(app, people):
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == people["trainee"]))
        rec.status, rec.target_date = "independent", today() - timedelta(days=5)
        db.session.commit()
    _service(app, people, lambda _head, rec: (career_of(rec)[0].independent_since == today() - timedelta(days=5))
             or pytest.fail("not the target date"))


def test_the_api_carries_the_career_level_as_documented(app, people):
    import jsonschema

    from onboarding.api.tokens import create_token

    with app.app_context():
        token = create_token(db.session.get(User, people["head"]), "test")
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/TraineeDetail", "components": spec["components"]}
    in_training = client.get(f"/api/v1/trainees/{people['trainee']}", headers=headers).get_json()
    assert in_training["career_level"] is None
    jsonschema.Draft202012Validator(schema).validate(in_training)
    promoted_to_level_2(app, people)
    detail = client.get(f"/api/v1/trainees/{people['trainee']}", headers=headers).get_json()
    jsonschema.Draft202012Validator(schema).validate(detail)
    level = detail["career_level"]
    assert (level["level"], level["name"], level["since"]) == (2, "Senior account manager", today().isoformat())
    assert level["independent_since"] == (today() - timedelta(days=400)).isoformat()
    assert level["next"]["level"] == 3 and level["next"]["minimum_months"] == 24
    assert [(h["from_level"], h["to_level"], h["note"], h["decided_by"]) for h in level["history"]] == [
        (1, 2, "A year on target.", "Irene Head")]
    assert "stages" in detail and "gates" in detail  # every field it had stays


def test_the_printable_report_shows_the_level(app, people):
    approve(app, people["trainee"], 400, people["head"])
    head, _ = as_user(app, "head@example.com")
    html = head.get(f"/trainees/{people['trainee']}/report").get_data(as_text=True)
    assert "Career level" in html and "Level 1: Account manager" in html


def test_the_demo_has_independent_people_at_levels_1_to_3(tmp_path, migrated_template):
    """With the shipped content: Nadia at level 3, Piotr at 2, Clara at 1 and eligible for 2 now."""
    import shutil
    from pathlib import Path

    from onboarding import create_app

    shutil.copy(migrated_template, tmp_path / "demo.db")
    root = Path(__file__).resolve().parent.parent
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}", "EVIDENCE_DIR": str(tmp_path),
                      "CONTENT_DIR": str(root / "content"), "QUIZZES_DIR": str(root / "quizzes")})
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo data" in result.stderr  # the progress bar, kept off standard output
    assert result.stdout.startswith("Demo data ready (")
    with app.test_request_context():
        standings = {}
        for email in ("nadia@example.com", "piotr@example.com", "clara@example.com"):
            user = db.session.scalar(sa.select(User).where(User.email == email))
            rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == user.id))
            current, rows = career_of(rec)
            standings[email] = (current.number, len(rows), current.eligible_from <= today())
            assert all(row.note for row in rows)
        assert standings == {"nadia@example.com": (3, 2, False), "piotr@example.com": (2, 1, False),
                             "clara@example.com": (1, 0, True)}
        events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "career_promoted"))
        assert events == 3
        # each one's timeline tells the path that led there, not only the quizzes and the approval
        nadia = db.session.scalar(sa.select(User.id).where(User.email == "nadia@example.com"))
        told = Counter(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.trainee_id == nadia)))
        modules = sum(len(s.modules) for s in app.extensions["curriculum"].stages)
        assert told["module_completed"] == modules and told["document_signed"] == 2, told
        assert told["sign_off_signed"] > 0 and told["cold_calling_go"] == 1 and told["role_play_result"] == 1, told
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0  # again: nothing added twice
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Promotion.id))) == 3
        db.engine.dispose()


def test_a_promotion_is_never_changed_or_removed(app, people):
    from onboarding.readiness.models import ImmutableRecordError

    promoted_to_level_2(app, people)
    with app.app_context():
        row = db.session.scalar(sa.select(Promotion))
        row.note = "Edited."
        with pytest.raises(ImmutableRecordError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(ImmutableRecordError):
            db.session.delete(db.session.scalar(sa.select(Promotion)))
            db.session.flush()


def test_the_person_sees_their_level_on_their_home_page(app, people):
    tom, _ = as_user(app, "tom@example.com")
    assert "Your career level" not in tom.get("/").get_data(as_text=True)
    approve(app, people["trainee"], 30, people["head"])
    html = tom.get("/").get_data(as_text=True)
    assert "Your career level" in html and "Level 1: Account manager" in html
    assert f'href="/trainees/{people["trainee"]}#career"' in html
