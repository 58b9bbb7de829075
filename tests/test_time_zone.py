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


# ---------------------------------------------------------------- the weekly digest

MONDAY = datetime(2026, 11, 30, tzinfo=timezone.utc)  # 00:00 UTC


def _behind_plan(app, people):
    """Tom's plan started a month ago: he is behind it, so his mentor and the head of sales have something to read."""
    from onboarding.people.models import TraineeRecord

    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == people["trainee"]))
        rec.start_date = date.today() - timedelta(days=30)
        db.session.commit()


def _digest_run(app, now):
    with app.app_context():
        return send_digests(db.session, app.config, now)


def _digested(app):
    with app.app_context():
        return [to for to in db.session.scalars(sa.select(OutboxMessage.to_address)
                                                .where(OutboxMessage.kind == "weekly_digest")
                                                .order_by(OutboxMessage.id))]


def test_each_recipient_gets_the_digest_at_eight_in_their_own_zone_once(app, people):
    _set_zones(app, {people["mentor"]: "Asia/Dubai", people["head"]: "Europe/Berlin"})  # UTC+4, UTC+1
    _behind_plan(app, people)
    dubai_eight, berlin_eight = MONDAY + timedelta(hours=4), MONDAY + timedelta(hours=7)
    assert _digest_run(app, dubai_eight - timedelta(seconds=1)) == 0 and _digested(app) == []
    assert _digest_run(app, dubai_eight) == 1 and _digested(app) == ["mentor@example.com"]
    assert _digest_run(app, berlin_eight - timedelta(seconds=1)) == 0  # 07:59:59 in Berlin; the mentor had theirs
    assert _digest_run(app, berlin_eight) == 1
    assert _digest_run(app, berlin_eight + timedelta(hours=3)) == 0  # once a week each
    assert _digested(app) == ["mentor@example.com", "head@example.com"]
    with app.app_context():
        settled = db.session.execute(sa.select(ReminderSent.subject, ReminderSent.period)
                                     .where(ReminderSent.kind == "weekly_digest").order_by(ReminderSent.id)).all()
    assert settled == [(f"user/{people['mentor']}", "2026-W49"), (f"user/{people['head']}", "2026-W49")]


def test_without_a_zone_of_their_own_the_company_zone_counts(app, people):
    app.config["MAIL_TIME_ZONE"] = "Asia/Dubai"
    _set_zones(app, {people["head"]: "UTC"})
    _behind_plan(app, people)
    assert _digest_run(app, MONDAY + timedelta(hours=4)) == 1 and _digested(app) == ["mentor@example.com"]
    assert _digest_run(app, MONDAY + timedelta(hours=8)) == 1 and _digested(app)[-1] == "head@example.com"


def test_the_due_weeks_are_each_persons_own():
    people = [User(id=1, time_zone="Pacific/Auckland"), User(id=2, time_zone=None), User(id=3, time_zone="Asia/Dubai")]
    sunday_evening = datetime(2026, 11, 29, 19, tzinfo=timezone.utc)  # Monday 08:00 in Auckland (UTC+13)
    assert due_weeks(people, sunday_evening, "UTC", 8) == {1: "2026-W49", 2: "2026-W48", 3: "2026-W48"}
    assert due_weeks(people, MONDAY + timedelta(hours=4), "UTC", 8) == {1: "2026-W49", 3: "2026-W49"}


# ---------------------------------------------------------------- "tomorrow" and times in e-mails

def _role_play_in(app, people, start):
    with app.app_context():
        attempt = RolePlayAttempt(trainee_id=people["trainee"], scenario_slug="school", number=1, allowed=2,
                                  scheduled_for=start, state="scheduled")
        db.session.add(attempt)
        db.session.flush()
        db.session.add_all([RolePlayEvaluator(attempt_id=attempt.id, evaluator_id=people["mentor"]),
                            RolePlayEvaluator(attempt_id=attempt.id, evaluator_id=people["head"])])
        db.session.commit()
        return attempt.id


def _tomorrow_told(app):
    with app.app_context():
        return sorted(db.session.scalars(sa.select(Notification.user_id)
                                         .where(Notification.kind == r.ROLE_PLAY_TOMORROW)))


def _mail_text(app, address, kind):
    with app.app_context():
        raw = db.session.scalar(sa.select(OutboxMessage.raw).where(OutboxMessage.to_address == address,
                                                                   OutboxMessage.kind == kind))
    return Parser(policy=policy.default).parsestr(raw).get_body(("plain",)).get_content()


def test_each_person_is_told_of_tomorrows_role_play_when_tomorrow_begins_for_them(app, people):
    _set_zones(app, {people["mentor"]: "Asia/Dubai"})  # the trainee and the head: the company's UTC
    day = (datetime.now(timezone.utc) + timedelta(days=2)).date()
    start = datetime.combine(day, time(10), tzinfo=timezone.utc)  # 14:00 in Dubai
    _role_play_in(app, people, start)
    dubai_midnight = datetime.combine(day - timedelta(days=2), time(20), tzinfo=timezone.utc)
    utc_midnight = datetime.combine(day - timedelta(days=1), time(), tzinfo=timezone.utc)

    def run(now):
        with app.app_context():
            return send_reminders(db.session, app.config, now)

    assert run(dubai_midnight - timedelta(seconds=1)) == 0 and _tomorrow_told(app) == []
    assert run(dubai_midnight) == 1 and _tomorrow_told(app) == [people["mentor"]]
    assert run(utc_midnight - timedelta(seconds=1)) == 0
    assert run(utc_midnight) == 2
    assert run(utc_midnight + timedelta(hours=1)) == 0  # once each
    assert _tomorrow_told(app) == sorted([people["mentor"], people["trainee"], people["head"]])
    spelled = day.strftime("%b %-d, %Y")
    assert f"{spelled} 2:00\u202fPM (Asia/Dubai)" in _mail_text(app, "mentor@example.com", r.ROLE_PLAY_TOMORROW)
    assert f"{spelled} 10:00\u202fAM (UTC)" in _mail_text(app, "tom@example.com", r.ROLE_PLAY_TOMORROW)


def test_a_moved_role_play_is_told_and_invited_in_each_readers_zone(app, people):
    from onboarding.mentoring.services import reschedule_role_play

    _set_zones(app, {people["trainee"]: "America/New_York"})  # UTC-5 in December
    attempt_id = _role_play_in(app, people, datetime(2026, 12, 2, 15, tzinfo=timezone.utc))
    with app.app_context():
        db.session.execute(sa.delete(OutboxMessage))
        mentor = db.session.get(User, people["mentor"])
        reschedule_role_play(db.session.get(RolePlayAttempt, attempt_id),
                             datetime(2026, 12, 3, 15, 30, tzinfo=timezone.utc), "", mentor)
        db.session.commit()
    trainee_text = _mail_text(app, "tom@example.com", "role_play_rescheduled")
    assert "Dec 3, 2026 10:30\u202fAM (America/New_York)" in trainee_text
    assert "Dec 3, 2026 3:30\u202fPM (UTC)" in _mail_text(app, "mentor@example.com", "role_play_rescheduled")
    with app.app_context():
        raw = db.session.scalar(sa.select(OutboxMessage.raw).where(OutboxMessage.to_address == "tom@example.com"))
    import icalendar

    [part] = [p for p in Parser(policy=policy.default).parsestr(raw).iter_attachments()
              if p.get_content_type() == "text/calendar"]
    [event] = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert event["DTSTART"].dt == datetime(2026, 12, 3, 15, 30, tzinfo=timezone.utc)  # the instant, in UTC
    assert "Dec 3, 2026 10:30\u202fAM (America/New_York)" in str(event["DESCRIPTION"])


# ---------------------------------------------------------------- pages, the form, the API, the demo

def test_pages_show_times_in_the_signed_in_persons_zone_and_the_form_takes_them_there(app, people):
    from .conftest import ready_for_role_play
    from .test_role_play_rules import attempts_of

    ready_for_role_play(app, people["trainee"])
    _set_zones(app, {people["mentor"]: "Asia/Dubai"})
    mentor, auth = as_user(app, "mentor@example.com")
    path = f"/trainees/{people['trainee']}/role-play"
    page = mentor.get(path).get_data(as_text=True)
    assert "Date and time (Asia/Dubai)" in page
    day = (datetime.now(timezone.utc) + timedelta(days=3)).date()
    response = mentor.post(path, data={"scenario": "school", "when": f"{day.isoformat()}T14:00", "place": "Room 2",
                                       "evaluators": [str(people["mentor"]), str(people["head"])],
                                       "csrf_token": auth.token(path)})
    assert response.status_code == 302
    [attempt] = attempts_of(app, people["trainee"])
    assert attempt.scheduled_for.replace(tzinfo=timezone.utc) == datetime.combine(day, time(10), tzinfo=timezone.utc)
    spelled = day.strftime("%b %-d, %Y")
    assert f"{spelled} 2:00\u202fPM (Asia/Dubai)" in mentor.get(f"/role-play/{attempt.id}").get_data(as_text=True)
    assert f"{spelled} 2:00\u202fPM (Asia/Dubai)" in mentor.get(path).get_data(as_text=True)
    head, _auth = as_user(app, "head@example.com")  # the company's UTC
    assert f"{spelled} 10:00\u202fAM (UTC)" in head.get(f"/role-play/{attempt.id}").get_data(as_text=True)
    assert "When (UTC)" in head.get("/audit").get_data(as_text=True)


def test_the_api_says_the_callers_time_zone(app, people, runner, client):
    token = runner.invoke(args=["create-token", "mentor@example.com"]).output.strip()
    me = lambda: client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()  # noqa: E731
    assert me()["time_zone"] is None
    _set_zones(app, {people["mentor"]: "Europe/Berlin"})
    assert me()["time_zone"] == "Europe/Berlin" and me()["email"] == "mentor@example.com"
    spec = client.get("/api/v1/openapi.json").get_json()
    described = spec["components"]["schemas"]["Me"]["properties"]["time_zone"]
    assert described["type"] == ["string", "null"] and "MAIL_TIME_ZONE" in described["description"]


# ---------------------------------------------------------------- the migration

BEFORE_TIME_ZONES = "7d3b9e1f4a62"  # 0020, the revision before 0021


def test_the_migration_adds_an_empty_time_zone_and_goes_back_without_losing_anyone(tmp_path):
    from onboarding.schema import downgrade, upgrade

    from .conftest import app_on_file

    app = app_on_file(tmp_path / "old.db")
    with app.app_context():
        upgrade(revision=BEFORE_TIME_ZONES)
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO users (id, email, full_name, password_hash, role, active, created_at) "
                                 "VALUES (1, 'm@example.com', 'M', 'x', 'mentor', 1, '2026-01-01')"))
            conn.execute(sa.text("INSERT INTO notifications (user_id, kind, params, created_at) "
                                 "VALUES (1, 'welcome', '{}', '2026-01-01')"))
        upgrade()
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT id, email, time_zone FROM users")).all() == \
                [(1, "m@example.com", None)]
            conn.execute(sa.text("UPDATE users SET time_zone = 'Asia/Dubai'"))
        downgrade(revision=BEFORE_TIME_ZONES)
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT id, email FROM users")).all() == [(1, "m@example.com")]
            assert conn.execute(sa.text("SELECT count(*) FROM notifications")).scalar() == 1  # nothing cascaded
        db.engine.dispose()


def test_create_user_takes_a_time_zone_and_refuses_one_that_is_none(app, runner):
    args = ["create-user", "dubai@example.com", "--role", "head", "--name", "Dana", "--password-stdin"]
    refused = runner.invoke(args=[*args, "--time-zone", "Asia/Dubaii"], input="A-long-enough-pass-77\n")
    assert refused.exit_code == 1 and "'Asia/Dubaii' is not a time zone" in refused.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "dubai@example.com")) is None
    made = runner.invoke(args=[*args, "--time-zone", "Asia/Dubai"], input="A-long-enough-pass-77\n")
    assert made.exit_code == 0, made.output
    plain = runner.invoke(args=["create-user", "plain@example.com", "--role", "mentor", "--name", "P",
                                "--password-stdin"], input="A-long-enough-pass-77\n")
    assert plain.exit_code == 0, plain.output
    with app.app_context():
        zones = dict(db.session.execute(sa.select(User.email, User.time_zone)
                                        .where(User.email.in_(["dubai@example.com", "plain@example.com"]))).all())
        assert zones == {"dubai@example.com": "Asia/Dubai", "plain@example.com": None}
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))
                                 .where(AuditEvent.action == "time_zone_changed")) == 1


@pytest.mark.parametrize("zone, shown", [("UTC", "Nov 29, 2026"), ("Asia/Dubai", "Nov 30, 2026"),
                                         ("America/New_York", "Nov 29, 2026")])
def test_a_moment_is_dated_where_the_reader_is(app, zone, shown):
    """22:30 UTC on 29 November is already the 30th in Dubai (UTC+4), still the 29th in New York; a stored time
    without its zone is UTC, and a date is a date wherever it is read."""
    from zoneinfo import ZoneInfo

    from onboarding.i18n import fmt_date, in_zone

    with app.test_request_context(), in_zone(ZoneInfo(zone)):
        assert fmt_date(datetime(2026, 11, 29, 22, 30, tzinfo=timezone.utc)) == shown
        assert fmt_date(datetime(2026, 11, 29, 22, 30)) == shown  # as SQLite gives it back: naive, in UTC
        assert fmt_date(date(2026, 11, 29)) == "Nov 29, 2026"
    with app.test_request_context(), in_zone(ZoneInfo("America/New_York")):
        assert fmt_date(datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)) == "Nov 29, 2026"  # 10 PM the day before


def test_the_list_of_zones_is_built_once_an_hour_per_language_and_each_form_gets_its_own(app):
    """Some 600 offsets are worked out once an hour per language and company default, not on every visit of the
    account page; a refused zone put back into one form's list stays out of the next form's."""
    from onboarding.auth import forms

    forms._ZONE_LISTS.clear()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        first, second = forms.zone_choices("UTC"), forms.zone_choices("UTC")
        assert first == second and first is not second and len(first) > 300
        first.insert(1, ("Mars/Olympus", "Mars/Olympus"))
        assert forms.zone_choices("UTC") == second
        assert forms.zone_choices("Europe/Berlin")[0].label == "Company default (Europe/Berlin)"
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        assert forms.zone_choices("UTC")[0].label != second[0].label  # in Arabic
    assert len(forms._ZONE_LISTS) == 3
