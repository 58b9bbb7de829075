"""Each account's own time zone: chosen on *Your account* or by an admin (audited, an unknown name refused and shown
again), and used where time matters to a person: the weekly digest's Monday morning, "tomorrow" in the role-play
reminder, and the times in their e-mails, their calendar invitation's text and their pages."""
from datetime import date, datetime, time, timedelta, timezone
from email import policy
from email.parser import Parser

import pytest
import sqlalchemy as sa

from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.auth.services import change_time_zone
from onboarding.extensions import db
from onboarding.mail import reminders as r
from onboarding.mail.digest import due_weeks, send_digests
from onboarding.mail.models import OutboxMessage, ReminderSent
from onboarding.mail.schedule import send_reminders
from onboarding.mentoring.models import RolePlayAttempt, RolePlayEvaluator
from onboarding.notifications.models import Notification
from onboarding.notifications.services import notify

from .conftest import as_user, staff_and_trainee


@pytest.fixture
def people(make_user, app):
    ids = staff_and_trainee(make_user)
    with app.app_context():
        db.session.execute(sa.delete(OutboxMessage))  # the welcome notices of the set-up
        db.session.commit()
    return ids


def _zone(app, uid):
    with app.app_context():
        return db.session.get(User, uid).time_zone


def _set_zones(app, zones: dict):
    with app.app_context():
        for uid, zone in zones.items():
            db.session.get(User, uid).time_zone = zone
        db.session.commit()


# ---------------------------------------------------------------- choosing it

def test_a_person_chooses_their_time_zone_on_their_account_and_it_is_audited(app, people):
    client, auth = as_user(app, "mentor@example.com")
    page = client.get("/account").get_data(as_text=True)
    assert '<label for="time_zone">Time zone</label>' in page and "Company default (UTC)" in page
    assert '<option value="Asia/Dubai">Asia/Dubai (UTC+04:00)</option>' in page
    response = client.post("/account/time-zone", data={"time_zone": "Asia/Dubai",
                                                       "csrf_token": auth.token("/account")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert _zone(app, people["mentor"]) == "Asia/Dubai"
    page = client.get("/account").get_data(as_text=True)
    assert "Your time zone is saved." in page and '<option selected value="Asia/Dubai">' in page
    client.post("/account/time-zone", data={"time_zone": "", "csrf_token": auth.token("/account")})
    assert _zone(app, people["mentor"]) is None  # back to the company's default
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "time_zone_changed")
                                    .order_by(AuditEvent.id)).all()
        assert [(e.actor_id, e.subject_id, e.details) for e in events] == [
            (people["mentor"], people["mentor"], {"before": None, "after": "Asia/Dubai"}),
            (people["mentor"], people["mentor"], {"before": "Asia/Dubai", "after": None})]


def test_an_unknown_zone_is_refused_and_shown_again_as_sent(app, people):
    client, auth = as_user(app, "mentor@example.com")
    response = client.post("/account/time-zone", data={"time_zone": "Mars/Olympus",
                                                       "csrf_token": auth.token("/account")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“Mars/Olympus” is not a time zone we know." in page and 'class="error-summary"' in page
    assert '<option selected value="Mars/Olympus">Mars/Olympus</option>' in page
    assert _zone(app, people["mentor"]) is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))
                                 .where(AuditEvent.action == "time_zone_changed")) == 0
    assert client.get("/account/time-zone").status_code == 302  # a reload goes back to the account


def test_the_time_zone_choice_needs_csrf_and_a_signed_in_person(app, people, client):
    mentor, _auth = as_user(app, "mentor@example.com")
    assert mentor.post("/account/time-zone", data={"time_zone": "Asia/Dubai"}).status_code == 400
    assert _zone(app, people["mentor"]) is None
    response = client.post("/account/time-zone", data={"time_zone": "Asia/Dubai"})
    assert response.status_code in (302, 400) and _zone(app, people["mentor"]) is None


def test_an_admin_sets_someones_time_zone_and_it_is_audited(app, people):
    admin, auth = as_user(app, "admin@example.com")
    path = f"/admin/users/{people['head']}"
    assert "Company default (UTC)" in admin.get(path).get_data(as_text=True)
    response = admin.post(f"{path}/time-zone", data={"time_zone": "Europe/Berlin", "csrf_token": auth.token(path)})
    assert response.status_code == 302 and _zone(app, people["head"]) == "Europe/Berlin"
    assert "The time zone of Irene Head is saved." in admin.get(path).get_data(as_text=True)
    refused = admin.post(f"{path}/time-zone", data={"time_zone": "Europe/Atlantis", "csrf_token": auth.token(path)})
    assert refused.status_code == 400 and "“Europe/Atlantis” is not a time zone we know." in refused.get_data(
        as_text=True)
    assert _zone(app, people["head"]) == "Europe/Berlin"
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "time_zone_changed")).one()
        assert (event.actor_id, event.subject_id, event.details) == (
            people["admin"], people["head"], {"before": None, "after": "Europe/Berlin"})
    head, head_auth = as_user(app, "head@example.com")
    assert head.post(f"{path}/time-zone", data={"time_zone": "Asia/Dubai",
                                                "csrf_token": head_auth.token("/account")}).status_code == 403


def test_the_service_refuses_a_name_that_is_no_zone_and_records_only_a_change(app, people):
    with app.app_context():
        user = db.session.get(User, people["mentor"])
        with pytest.raises(ValueError):
            change_time_zone(user, "localtime", user)
        with pytest.raises(ValueError):
            change_time_zone(user, "../../etc/passwd", user)
        assert change_time_zone(user, "Pacific/Auckland", user) is True
        assert change_time_zone(user, "Pacific/Auckland", user) is False
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))
                                 .where(AuditEvent.action == "time_zone_changed")) == 1
