"""Role-play invitations: an iCalendar REQUEST to the trainee and every evaluator with one UID for the attempt's
whole life, SEQUENCE raised on each move, CANCEL on cancellation, times in UTC; and the "Add to calendar" download
for those who may see the role-play. Each .ics is parsed back with icalendar."""
from datetime import datetime, timedelta, timezone

import icalendar
import pytest
import sqlalchemy as sa

from onboarding.extensions import db
from onboarding.mail import sender
from onboarding.mail.models import OutboxMessage

from .conftest import as_user, ready_for_role_play, staff_and_trainee
from .test_mail import smtp  # noqa: F401  (the SMTP server fixture)
from .test_role_play_rules import attempts_of, schedule


@pytest.fixture
def panel(app, make_user):
    ids = staff_and_trainee(make_user)
    ids["outsider"] = make_user("mentor", email="other.mentor@example.com", name="Otto Other")
    ready_for_role_play(app, ids["trainee"])
    with app.app_context():
        db.session.execute(sa.delete(OutboxMessage))
        db.session.commit()
    return ids


def _deliver(app):
    with app.app_context():
        tally = sender.send_due(sender.transport_for(app.config))
        assert tally.failed == tally.retrying == 0
        return tally


def _invitation(msg):
    """(METHOD, the VEVENT) of the message's calendar attachment."""
    [part] = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "invitation.ics"
    cal = icalendar.Calendar.from_ical(part.get_content())
    assert part.get_param("method") == str(cal["METHOD"])
    [event] = cal.walk("VEVENT")
    return str(cal["METHOD"]), event


def _attendees(event):
    found = event.get("ATTENDEE")
    return sorted(str(a).removeprefix("mailto:") for a in (found if isinstance(found, list) else [found]))


def test_scheduling_moving_and_cancelling_send_request_request_cancel_with_one_uid(app, smtp, panel):
    when = (datetime.now(timezone.utc) + timedelta(days=3)).replace(hour=9, minute=30, second=0, microsecond=0)
    mentor, auth = as_user(app, "mentor@example.com")
    assert schedule(mentor, auth, panel["trainee"], [panel["mentor"], panel["head"]], when=when).status_code == 302
    (attempt,) = attempts_of(app, panel["trainee"])
    _deliver(app)
    everyone = ["head@example.com", "mentor@example.com", "tom@example.com"]
    assert sorted(to[0] for _f, to, _m in smtp.messages) == everyone
    uids = set()
    for _f, to, msg in smtp.messages:
        method, event = _invitation(msg)
        assert method == "REQUEST" and int(event["SEQUENCE"]) == 0
        assert event["DTSTART"].dt == when and event["DTSTART"].dt.utcoffset() == timedelta(0)
        assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(hours=1)
        assert str(event["LOCATION"]) == "Room 2" and str(event["STATUS"]) == "CONFIRMED"
        assert _attendees(event) == everyone
        assert str(event["ORGANIZER"]) == "mailto:onboarding@calder.example"
        assert str(event["URL"]) == f"https://onboarding.calder.example/role-play/{attempt.id}"
        assert "Tom Becker" in str(event["SUMMARY"])
        uids.add(str(event["UID"]))
    assert uids == {f"role-play-{attempt.id}@calder.example"}

    smtp.messages.clear()
    later = when + timedelta(days=1, hours=2)
    token = auth.token(f"/trainees/{panel['trainee']}/role-play")
    assert mentor.post(f"/role-play/{attempt.id}/reschedule", data={
        "move-when": later.strftime("%Y-%m-%dT%H:%M"), "move-place": "Room 5", "csrf_token": token}).status_code == 302
    _deliver(app)
    assert sorted(to[0] for _f, to, _m in smtp.messages) == everyone
    for _f, _to, msg in smtp.messages:
        method, event = _invitation(msg)
        uid = f"role-play-{attempt.id}@calder.example"
        assert (method, int(event["SEQUENCE"]), str(event["UID"])) == ("REQUEST", 1, uid)
        assert event["DTSTART"].dt == later and str(event["LOCATION"]) == "Room 5"

    smtp.messages.clear()
    assert mentor.post(f"/role-play/{attempt.id}/cancel", data={"cancel-reason": "The trainee is ill.",
                                                                "csrf_token": token}).status_code == 302
    _deliver(app)
    assert sorted(to[0] for _f, to, _m in smtp.messages) == everyone
    for _f, _to, msg in smtp.messages:
        method, event = _invitation(msg)
        assert (method, int(event["SEQUENCE"]), str(event["STATUS"])) == ("CANCEL", 2, "CANCELLED")
        assert str(event["UID"]) == f"role-play-{attempt.id}@calder.example"


def test_messages_about_one_role_play_thread_together(app, smtp, panel):
    mentor, auth = as_user(app, "mentor@example.com")
    schedule(mentor, auth, panel["trainee"], [panel["mentor"], panel["head"]])
    (attempt,) = attempts_of(app, panel["trainee"])
    token = auth.token(f"/trainees/{panel['trainee']}/role-play")
    mentor.post(f"/role-play/{attempt.id}/cancel", data={"cancel-reason": "Ill.", "csrf_token": token})
    _deliver(app)
    tom = [m for _f, to, m in smtp.messages if to == ["tom@example.com"]]
    first, second = sorted(tom, key=lambda m: _invitation(m)[1]["SEQUENCE"])
    assert second["In-Reply-To"] == first["Message-ID"] and first["References"] in second["References"]


def test_an_arabic_trainee_gets_the_invitation_in_arabic(app, smtp, panel):
    from onboarding.auth.models import User

    with app.app_context():
        db.session.get(User, panel["trainee"]).locale = "ar"
        db.session.commit()
    mentor, auth = as_user(app, "mentor@example.com")
    schedule(mentor, auth, panel["trainee"], [panel["mentor"], panel["head"]])
    _deliver(app)
    [msg] = [m for _f, to, m in smtp.messages if to == ["tom@example.com"]]
    _method, event = _invitation(msg)
    assert "Role-play" not in str(event["SUMMARY"]) and "Tom Becker" in str(event["SUMMARY"])
    assert msg["Content-Language"] == "ar"


@pytest.mark.parametrize("email,status", [("tom@example.com", 200), ("mentor@example.com", 200),
                                          ("head@example.com", 200), ("admin@example.com", 200),
                                          ("other.mentor@example.com", 403)])
def test_add_to_calendar_is_for_those_who_may_see_the_role_play(app, panel, email, status):
    mentor, auth = as_user(app, "mentor@example.com")
    schedule(mentor, auth, panel["trainee"], [panel["mentor"], panel["head"]])
    (attempt,) = attempts_of(app, panel["trainee"])
    client, _auth = as_user(app, email)
    page = client.get(f"/role-play/{attempt.id}")
    if status == 200:
        assert f'href="/role-play/{attempt.id}/calendar.ics"' in page.get_data(as_text=True)
        trainee_page = client.get(f"/trainees/{panel['trainee']}/role-play").get_data(as_text=True)
        assert f'href="/role-play/{attempt.id}/calendar.ics"' in trainee_page
    response = client.get(f"/role-play/{attempt.id}/calendar.ics")
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "text/calendar"
        assert f'filename="role-play-{attempt.id}.ics"' in response.headers["Content-Disposition"]
        cal = icalendar.Calendar.from_ical(response.get_data())
        [event] = cal.walk("VEVENT")
        assert str(cal["METHOD"]) == "PUBLISH" and int(event["SEQUENCE"]) == 0
        assert str(event["UID"]).startswith(f"role-play-{attempt.id}@")
        assert event["DTSTART"].dt == attempt.scheduled_for.replace(tzinfo=timezone.utc)


def test_there_is_nothing_to_add_for_a_cancelled_or_missing_role_play(app, panel):
    mentor, auth = as_user(app, "mentor@example.com")
    schedule(mentor, auth, panel["trainee"], [panel["mentor"], panel["head"]])
    (attempt,) = attempts_of(app, panel["trainee"])
    mentor.post(f"/role-play/{attempt.id}/cancel", data={"cancel-reason": "Ill.",
                                                         "csrf_token": auth.token(f"/role-play/{attempt.id}")})
    assert mentor.get(f"/role-play/{attempt.id}/calendar.ics").status_code == 404
    assert f"/role-play/{attempt.id}/calendar.ics" not in mentor.get(f"/role-play/{attempt.id}").get_data(as_text=True)
    assert mentor.get("/role-play/999999/calendar.ics").status_code == 404
    anonymous = app.test_client().get(f"/role-play/{attempt.id}/calendar.ics")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_name_with_line_breaks_stays_one_attendee_in_the_invitation(app, smtp, panel):
    from onboarding.auth.models import User

    with app.app_context():
        db.session.get(User, panel["trainee"]).full_name = 'Eve "Q"\r\nATTENDEE:mailto:evil@example.com\r\nX: y'
        db.session.commit()
    mentor, auth = as_user(app, "mentor@example.com")
    schedule(mentor, auth, panel["trainee"], [panel["mentor"], panel["head"]])
    _deliver(app)
    for _f, _to, msg in smtp.messages:
        _method, event = _invitation(msg)
        assert _attendees(event) == ["head@example.com", "mentor@example.com", "tom@example.com"]
        assert "X" not in event and "\n" not in str(event["SUMMARY"])
