"""Reminders, the weekly digest and e-mail preferences with a database: the worker on a frozen clock across each
threshold (a second before, at it, after), the escalation to the heads, once per condition and period (running
twice sends nothing new, nor does a second worker), the digest (nothing when there is nothing to say), and every
person's choice per kind honoured (a head cannot switch escalations off: form, service and link refuse)."""
import re
import threading
from email import policy
from email.parser import Parser
from datetime import date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding.assessment.models import QuizAttempt
from onboarding.audit import record
from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.mail import reminders as r
from onboarding.mail.digest import send_digests
from onboarding.mail.models import DigestItem, MailPreference, OutboxMessage, ReminderSent
from onboarding.mail.schedule import gather, send_reminders
from onboarding.mail.services import PreferenceRefused, opt_out, set_preferences
from onboarding.activity.models import ActivityEntry
from onboarding.mentoring.models import RolePlayAttempt, RolePlayEvaluator
from onboarding.notifications.models import Notification
from onboarding.notifications.services import notify
from onboarding.people.models import TraineeRecord
from onboarding.readiness.models import ReadinessSummary, Recommendation

from .conftest import as_user, csrf_token, staff_and_trainee, statements_during

SECOND = timedelta(seconds=1)
WORKING = frozenset(range(5))
T0 = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)


@pytest.fixture
def people(make_user, app):
    ids = staff_and_trainee(make_user)
    with app.app_context():
        db.session.execute(sa.delete(OutboxMessage))  # the welcome notices of the set-up
        db.session.commit()
    return ids


def _run(app, now):
    with app.app_context():
        return send_reminders(db.session, app.config, now)


def _told(app, kind):
    """[(user id, link)] of the notifications of this kind, in order."""
    with app.app_context():
        return [tuple(x) for x in db.session.execute(sa.select(Notification.user_id, Notification.link)
                                                      .where(Notification.kind == kind).order_by(Notification.id))]


def _mailed(app, kind):
    with app.app_context():
        return [m.to_address for m in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)
                                                         .order_by(OutboxMessage.id))]


def _add(app, *rows):
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows if hasattr(row, "id")]


def _waiting_attempt(app, trainee, submitted):
    return _add(app, QuizAttempt(user_id=trainee, quiz_slug="written", number=1, allowed=2, plan={},
                                 state="awaiting_grading", submitted_at=submitted))[0]


def _across(app, kind, moment):
    """The worker run a second before `moment`, at it and a second after: (who was told of `kind` before, after)."""
    _run(app, moment - SECOND)
    before = _told(app, kind)
    _run(app, moment)
    _run(app, moment + SECOND)
    return before, _told(app, kind)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


# ---------------------------------------------------------------- each condition on a frozen clock

def test_answers_waiting_remind_the_grader_at_the_threshold_then_the_heads_once_each(app, people):
    attempt = _waiting_attempt(app, people["trainee"], T0)
    first = r.add_working_days(T0, 2, WORKING)
    assert _run(app, first - SECOND) == 0 and _told(app, r.GRADING) == []
    assert _run(app, first) == 1
    assert _told(app, r.GRADING) == [(people["mentor"], f"/attempts/{attempt}/grade")]
    assert _mailed(app, r.GRADING) == ["mentor@example.com"]
    assert _run(app, first) == 0 and _run(app, first + SECOND) == 0  # the worker again: nothing new
    escalation = r.add_working_days(first, 3, WORKING)
    assert _across(app, r.GRADING_ESCALATED, escalation) == ([], [(people["head"], f"/attempts/{attempt}/grade")])
    assert len(_told(app, r.GRADING)) == 1 and _mailed(app, r.GRADING_ESCALATED) == ["head@example.com"]


def test_a_stage_past_its_planned_end_tells_the_trainee_and_mentor_then_the_heads(app, people):
    with app.app_context():
        end = db.session.get(ReadinessSummary, people["trainee"]).stage_end
    late = _midnight(end + timedelta(days=1))
    before, after = _across(app, r.STAGE_OVERDUE, late)
    page = f"/trainees/{people['trainee']}"
    assert before == [] and sorted(after) == sorted([(people["trainee"], "/"), (people["mentor"], page)])
    escalation = r.add_working_days(late, 3, WORKING)
    assert _across(app, r.STAGE_OVERDUE_ESCALATED, escalation) == ([], [(people["head"], page)])
    assert len(_told(app, r.STAGE_OVERDUE)) == 2


def test_ledger_days_waiting_three_days_remind_the_mentor(app, people):
    _add(app, ActivityEntry(trainee_id=people["trainee"], day=T0.date(), calls=3, entered_by=people["trainee"],
                            entered_at=T0))
    assert _across(app, r.LEDGER, T0 + timedelta(days=3)) == (
        [], [(people["mentor"], f"/trainees/{people['trainee']}/activity")])


def test_a_role_play_tomorrow_reminds_the_trainee_and_every_evaluator(app, people):
    start = datetime.combine(T0.date() + timedelta(days=3), time(10), tzinfo=timezone.utc)
    with app.app_context():
        attempt = RolePlayAttempt(trainee_id=people["trainee"], scenario_slug="school", number=1, allowed=2,
                                  scheduled_for=start, state="scheduled")
        db.session.add(attempt)
        db.session.flush()
        db.session.add_all([RolePlayEvaluator(attempt_id=attempt.id, evaluator_id=people["mentor"]),
                            RolePlayEvaluator(attempt_id=attempt.id, evaluator_id=people["admin"])])
        db.session.commit()
        attempt_id = attempt.id
    day_before = _midnight(start.date() - timedelta(days=1))
    before, told = _across(app, r.ROLE_PLAY_TOMORROW, day_before)
    assert before == []
    assert sorted(uid for uid, _link in told) == sorted([people["trainee"], people["mentor"], people["admin"]])
    assert {link for _uid, link in told} == {f"/role-play/{attempt_id}"}


def _quiet_since(app, trainee, when):
    """The trainee's last action was at `when`."""
    with app.app_context():
        db.session.get(User, trainee).created_at = when
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.actor_id == trainee))
        db.session.commit()


def test_an_idle_trainee_reminds_the_mentor_once_per_quiet_spell(app, people):
    _quiet_since(app, people["trainee"], T0)
    idle = r.add_working_days(T0, 5, WORKING)
    assert _across(app, r.IDLE, idle) == ([], [(people["mentor"], f"/trainees/{people['trainee']}")])
    with app.app_context():  # the trainee signs in, then goes quiet again: a new spell, a new reminder
        trainee = db.session.get(User, people["trainee"])
        event = record("login", trainee, actor=trainee)
        event.at = idle + timedelta(hours=1)
        db.session.commit()
    again = r.add_working_days(idle + timedelta(hours=1), 5, WORKING)
    before, after = _across(app, r.IDLE, again)
    assert len(before) == 1 and len(after) == 2


def test_without_a_mentor_the_heads_get_what_the_mentor_would(app, people):
    with app.app_context():
        db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == people["trainee"])).mentor_id = None
        db.session.commit()
    _quiet_since(app, people["trainee"], T0)
    _run(app, r.add_working_days(T0, 5, WORKING))
    assert _told(app, r.IDLE) == [(people["head"], f"/trainees/{people['trainee']}")]


def test_a_readiness_decision_waiting_three_days_reminds_the_heads(app, people):
    with app.app_context():
        db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == people["trainee"])).status = \
            "awaiting_approval"
        db.session.add(Recommendation(trainee_id=people["trainee"], mentor_id=people["mentor"], ready=True,
                                      note="Ready.", created_at=T0))
        db.session.commit()
    assert _across(app, r.DECISION, T0 + timedelta(days=3)) == (
        [], [(people["head"], f"/trainees/{people['trainee']}#readiness")])


def _grading_reminder_after(app, people, change):
    """The grading reminder's message, parsed, after `change(session)`."""
    with app.app_context():
        change(db.session)
        db.session.commit()
    _waiting_attempt(app, people["trainee"], T0)
    _run(app, r.add_working_days(T0, 2, WORKING))
    with app.app_context():
        raw = db.session.scalar(sa.select(OutboxMessage.raw).where(OutboxMessage.kind == r.GRADING))
    return Parser(policy=policy.default).parsestr(raw)


def test_the_reminder_is_worded_for_its_reader_in_their_language(app, people):
    parsed = _grading_reminder_after(app, people, lambda s: setattr(s.get(User, people["mentor"]), "locale", "ar"))
    assert re.search(r"[\u0600-\u06ff]", str(parsed["Subject"])) and "Tom Becker" in str(parsed["Subject"])
    assert parsed["Content-Language"] == "ar" and parsed.get_content_type() == "multipart/alternative"


def test_gathering_the_facts_costs_the_same_for_two_trainees_or_six(app, people, make_user):
    def count():
        with app.app_context():
            return statements_during(app, lambda: gather(db.session, T0))[1]

    two = make_user("trainee", mentor=people["mentor"])
    _waiting_attempt(app, two, T0)
    few = count()
    for _ in range(4):
        _waiting_attempt(app, make_user("trainee", mentor=people["mentor"]), T0)
    assert count() == few <= 10


def test_the_database_refuses_the_same_reminder_twice(app, people):
    with app.app_context():
        db.session.add(ReminderSent(kind=r.IDLE, subject="trainee/1", period="since/x", level=0))
        db.session.commit()
        db.session.add(ReminderSent(kind=r.IDLE, subject="trainee/1", period="since/x", level=0))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_second_postgresql_worker_waits_for_the_first_and_sends_nothing_the_first_sent(app, people):
    """Worker B holds the reminder's row, uncommitted; worker A's insert waits on the unique key, B commits, and A
    skips that reminder instead of sending it again."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite writes one transaction at a time; the unique key is tested above")
    _waiting_attempt(app, people["trainee"], T0)
    first = r.add_working_days(T0, 2, WORKING)
    with app.app_context():
        other = sa.orm.Session(db.engine)
        other.add(ReminderSent(kind=r.GRADING, subject=f"trainee/{people['trainee']}",
                               period=r.due_reminders(gather(db.session, first)[0][0], first,
                                                      r.Thresholds())[0].period, level=0))
        other.flush()
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("sent", _run(app, first)))
    worker.start()
    worker.join(1.5)
    assert worker.is_alive()  # A waits on B's uncommitted key
    other.commit()
    other.close()
    worker.join(10)
    assert result["sent"] == 0 and _told(app, r.GRADING) == []


# ---------------------------------------------------------------- preferences honoured

def _choose(app, uid, choices):
    with app.app_context():
        person = db.session.get(User, uid)
        set_preferences(person, choices, actor=person)
        db.session.commit()


def test_off_keeps_the_reminder_in_the_app_digest_holds_it_immediately_mails_it(app, people):
    _waiting_attempt(app, people["trainee"], T0)
    _choose(app, people["mentor"], {r.GRADING: "off", r.GRADING_ESCALATED: "digest"})
    _run(app, r.add_working_days(T0, 2, WORKING))
    assert len(_told(app, r.GRADING)) == 1 and _mailed(app, r.GRADING) == []  # off: in the app, not mailed
    for choice, waiting, mailed in (("digest", 1, []), ("immediately", 1, ["mentor@example.com"])):
        _choose(app, people["mentor"], {r.GRADING: choice})
        with app.app_context():
            notify([people["mentor"]], r.GRADING, link="/attempts/1/grade", trainee="Tom Becker",
                   when=T0.isoformat())
            db.session.commit()
            assert db.session.scalar(sa.select(sa.func.count(DigestItem.id))) == waiting
        assert _mailed(app, r.GRADING) == mailed


# ---------------------------------------------------------------- the weekly digest

MONDAY = _midnight(date(2026, 11, 30)) + timedelta(hours=8)


def _digests(app):
    with app.app_context():
        return [(m.to_address, m.subject) for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "weekly_digest").order_by(OutboxMessage.id))]


def _digest_run(app, now):
    with app.app_context():
        return send_digests(db.session, app.config, now)


def test_nothing_to_say_sends_no_digest(app, people):
    assert _digest_run(app, MONDAY) == 0 and _digests(app) == []
    with app.app_context():  # the week is settled all the same: nothing comes on Wednesday either
        assert db.session.scalar(sa.select(sa.func.count(ReminderSent.id))
                                 .where(ReminderSent.kind == "weekly_digest", ReminderSent.recipients == 0)) == 2


def test_the_digest_carries_what_was_sent_to_it_from_monday_at_eight_once(app, people):
    _choose(app, people["mentor"], {"answers_waiting": "digest"})
    with app.app_context():
        notify([people["mentor"]], "answers_waiting", link="/attempts/5/grade", trainee="Tom Becker",
               quiz="Written test", count=2)
        db.session.commit()
    assert _mailed(app, "answers_waiting") == []
    assert _digest_run(app, MONDAY - SECOND) == 0
    assert _digest_run(app, MONDAY) == 1
    assert _digest_run(app, MONDAY + timedelta(hours=1)) == 0  # once a week
    [(to, subject)] = _digests(app)
    assert to == "mentor@example.com" and subject.startswith("Your week: 1 change")
    with app.app_context():
        raw = db.session.scalar(sa.select(OutboxMessage.raw).where(OutboxMessage.kind == "weekly_digest"))
        assert db.session.scalar(sa.select(DigestItem.sent_at)) is not None
    assert "Tom Becker submitted" in raw.replace("=\r\n", "") and "/attempts/5/grade" in raw.replace("=\r\n", "")
    assert _digest_run(app, MONDAY + timedelta(days=7)) == 0  # next week: nothing new to say


def test_the_heads_digest_lists_who_is_behind_plan_and_what_waits_on_them(app, people):
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == people["trainee"]))
        rec.start_date = date.today() - timedelta(days=30)
        rec.mentor_id = None  # what waited on the mentor now waits on the heads
        db.session.commit()
    _waiting_attempt(app, people["trainee"], T0)
    assert _digest_run(app, MONDAY) == 1
    [(to, subject)] = _digests(app)
    assert to == "head@example.com" and "1 trainee behind plan" in subject and "1 trainee waits on you" in subject
    with app.app_context():
        raw = db.session.scalar(sa.select(OutboxMessage.raw).where(OutboxMessage.kind == "weekly_digest"))
    text = raw.replace("=\r\n", "")
    assert "Tom Becker" in text and "written answers to grade: 1" in text and f"/trainees/{people['trainee']}" in text


def test_the_digest_counts_each_trainees_steps_of_the_last_seven_days(app, people):
    with app.app_context():
        trainee = db.session.get(User, people["trainee"])
        for action, when in (("module_completed", MONDAY - timedelta(days=1)),
                             ("module_completed", MONDAY - timedelta(days=6)),
                             ("activity_logged", MONDAY - timedelta(days=7, seconds=1)),  # the week before
                             ("quiz_submitted", MONDAY)):  # this week's
            record(action, trainee, actor=trainee, module="welcome").at = when
        db.session.commit()
    assert _digest_run(app, MONDAY) == 2  # the mentor's and the head's: Tom's steps are in both
    with app.app_context():
        raw = db.session.scalar(sa.select(OutboxMessage.raw).where(OutboxMessage.to_address == "mentor@example.com"))
    text = raw.replace("=\r\n", "")
    assert "Tom Becker: Module completed: 2" in text and f"/trainees/{people['trainee']}/timeline" in text
    assert "Activity logged" not in text and "Quiz submitted" not in text


def test_a_digest_switched_off_is_not_sent(app, people):
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == people["trainee"]))
        rec.start_date = date.today() - timedelta(days=30)
        head = db.session.get(User, people["head"])
        set_preferences(head, {"weekly_digest": "off"}, actor=head)
        db.session.commit()
    assert _digest_run(app, MONDAY) == 1  # the mentor's (their trainee is behind plan); not the head's
    assert [to for to, _s in _digests(app)] == ["mentor@example.com"]


# ---------------------------------------------------------------- preferences: the page, the service, the link

def test_a_head_cannot_switch_off_an_escalation_through_the_service(app, people):
    with app.app_context():
        head = db.session.get(User, people["head"])
        for kind in (r.GRADING_ESCALATED, r.STAGE_OVERDUE_ESCALATED):
            with pytest.raises(PreferenceRefused):
                set_preferences(head, {kind: "off"}, actor=head)
            with pytest.raises(PreferenceRefused):
                opt_out(head, kind)
        assert set_preferences(head, {r.GRADING_ESCALATED: "digest", r.DECISION: "off"}, actor=head) == \
            {r.GRADING_ESCALATED: "digest", r.DECISION: "off"}  # the digest is fine, other reminders may go off
        db.session.commit()
        trainee = db.session.get(User, people["trainee"])
        with pytest.raises(PreferenceRefused):  # the digest is for mentors and heads
            set_preferences(trainee, {r.STAGE_OVERDUE: "digest"}, actor=trainee)


def test_a_head_cannot_switch_off_an_escalation_through_the_form(app, people):
    head, _ = as_user(app, "head@example.com")
    page = head.get("/account/email").get_data(as_text=True)
    assert 'name="escalation_grading" type="radio" value="digest"' in page
    assert 'name="escalation_grading" type="radio" value="off"' not in page
    response = head.post("/account/email", data={"csrf_token": csrf_token(head, "/account/email"),
                                                  "escalation_grading": "off", "reminder_decision": "off"})
    assert response.status_code == 400
    assert "Heads of sales cannot switch escalations off" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MailPreference)) == 0


def test_a_head_cannot_switch_off_an_escalation_through_the_link(app, people, client):
    from onboarding.mail.tokens import unsubscribe_token

    with app.test_request_context():
        token = unsubscribe_token(people["head"], r.GRADING_ESCALATED)
    for response in (client.get(f"/mail/unsubscribe/{token}"), client.post(f"/mail/unsubscribe/{token}")):
        assert response.status_code == 200 and "cannot switch escalations off" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MailPreference)) == 0


def test_the_preferences_page_saves_each_choice_and_audits_it(app, people):
    mentor, _ = as_user(app, "mentor@example.com")
    page = mentor.get("/account/email").get_data(as_text=True)
    assert "Reminders of written answers waiting for grading" in page and "In the weekly digest" in page
    response = mentor.post("/account/email", data={"csrf_token": csrf_token(mentor, "/account/email"),
                                                   r.GRADING: "digest", r.IDLE: "off", "weekly_digest": "off"})
    assert response.status_code == 302
    with app.app_context():
        stored = dict(db.session.execute(sa.select(MailPreference.kind, MailPreference.choice)).all())
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mail_preferences_changed"))
    assert stored == {r.GRADING: "digest", r.IDLE: "off", "weekly_digest": "off"}
    assert event.actor_id == people["mentor"] and event.details["changes"][r.IDLE] == "off"
    page = mentor.get("/account/email").get_data(as_text=True)
    assert f'checked id="{r.IDLE}-2" name="{r.IDLE}" type="radio" value="off"' in page


def test_a_trainee_is_offered_no_digest_and_a_posted_one_is_refused(app, people):
    trainee, _ = as_user(app, "tom@example.com")
    page = trainee.get("/account/email").get_data(as_text=True)
    assert "In the weekly digest" not in page and "Reminders of a stage past its planned end" in page
    assert "Written answers waiting for your review" not in page  # a mentor's kind
    response = trainee.post("/account/email", data={"csrf_token": csrf_token(trainee, "/account/email"),
                                                    r.STAGE_OVERDUE: "digest"})
    assert response.status_code == 400 and "Only mentors and heads of sales" in response.get_data(as_text=True)


def test_the_link_in_a_message_switches_the_kind_off_as_the_page_shows_it(app, people, client):
    from onboarding.mail.tokens import unsubscribe_token

    with app.test_request_context():
        token = unsubscribe_token(people["mentor"], r.GRADING)
    client.post(f"/mail/unsubscribe/{token}")
    mentor, _ = as_user(app, "mentor@example.com")
    page = mentor.get("/account/email").get_data(as_text=True)
    assert f'checked id="{r.GRADING}-2" name="{r.GRADING}" type="radio" value="off"' in page


# ---------------------------------------------------------------- the worker

def test_send_mail_once_sends_the_reminders_that_are_due(app, people, runner, tmp_path):
    app.config.update(MAIL_URL="", MAIL_DIR=str(tmp_path / "mail"))
    _waiting_attempt(app, people["trainee"], datetime.now(timezone.utc) - timedelta(days=20))
    result = runner.invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0 and "Reminders queued: 2;" in result.output, result.output  # mentor, heads
    assert sorted(_mailed(app, r.GRADING) + _mailed(app, r.GRADING_ESCALATED)) == ["head@example.com",
                                                                                   "mentor@example.com"]
    result = runner.invoke(args=["send-mail", "--once"])
    assert "Reminders queued" not in result.output  # nothing new the second time


# ---------------------------------------------------------------- configuration and the migration

@pytest.mark.parametrize("env,problem", [({"MAIL_WORKING_DAYS": "weekdays"}, "MAIL_WORKING_DAYS"),
                                         ({"MAIL_TIME_ZONE": "Mars/Olympus"}, "MAIL_TIME_ZONE"),
                                         ({"MAIL_DIGEST_HOUR": "24"}, "MAIL_DIGEST_HOUR"),
                                         ({"REMINDER_GRADING_DAYS": "0"}, "REMINDER_GRADING_DAYS")])
def test_bad_reminder_settings_stop_the_app_with_a_reason(tmp_path, env, problem):
    from onboarding.config import ConfigError, load_config

    with pytest.raises(ConfigError, match=problem):
        load_config(str(tmp_path), env)


def test_reminder_settings_default_to_the_documented_values(tmp_path):
    from onboarding.config import load_config

    config = load_config(str(tmp_path), {"MAIL_WORKING_DAYS": "sun-thu", "MAIL_TIME_ZONE": "Asia/Dubai"})
    assert config["MAIL_WORKING_DAYS"] == frozenset({6, 0, 1, 2, 3}) and config["MAIL_TIME_ZONE"] == "Asia/Dubai"
    defaults = load_config(str(tmp_path), {})
    assert (defaults["MAIL_WORKING_DAYS"], defaults["MAIL_TIME_ZONE"], defaults["MAIL_DIGEST_HOUR"]) == \
        (frozenset(range(5)), "UTC", 8)
    assert [defaults[f"REMINDER_{name}"] for name in ("EVERY_MINUTES", "ESCALATION_DAYS", "GRADING_DAYS",
                                                       "LEDGER_DAYS", "IDLE_DAYS", "DECISION_DAYS")] == \
        [15, 3, 2, 3, 5, 3]


BEFORE_PREFERENCES = "7b3d9e2f1a64"  # the revision before 0019 (mail preferences and reminders)


def test_the_migration_turns_each_opt_out_into_an_off_preference_and_back(tmp_path):
    from onboarding.schema import downgrade, upgrade

    from .conftest import app_on_file

    app = app_on_file(tmp_path / "old.db")
    with app.app_context():
        upgrade(revision=BEFORE_PREFERENCES)
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO users (id, email, full_name, password_hash, role, active, created_at) "
                                 "VALUES (1, 't@example.com', 'T', 'x', 'trainee', 1, '2026-01-01')"))
            conn.execute(sa.text("INSERT INTO mail_opt_outs (user_id, kind, created_at) "
                                 "VALUES (1, 'attempt_graded', '2026-11-02')"))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT user_id, kind, choice FROM mail_preferences")).all() == \
                [(1, "attempt_graded", "off")]
        downgrade(revision=BEFORE_PREFERENCES)
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT user_id, kind FROM mail_opt_outs")).all() == [(1, "attempt_graded")]
        db.engine.dispose()


def test_a_name_with_line_breaks_in_a_reminder_adds_no_header(app, people):
    parsed = _grading_reminder_after(app, people, lambda s: setattr(s.get(User, people["trainee"]), "full_name",
                                                                    "Eve\r\nBcc: victim@example.com"))
    assert parsed["Bcc"] is None and "\n" not in str(parsed["Subject"]) and "Eve Bcc:" in str(parsed["Subject"])
    assert [a.addr_spec for a in parsed["To"].addresses] == ["mentor@example.com"]


def test_the_long_running_worker_evaluates_on_its_schedule_and_survives_a_failure(app, people, tmp_path):
    """At start, then every `every` seconds; a round that fails is rolled back and delivery goes on."""
    import time

    from onboarding.mail import sender

    calls = []

    def schedule():
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return 1, 0

    app.config.update(MAIL_URL="", MAIL_DIR=str(tmp_path / "mail"))
    stop, echoed = threading.Event(), []

    def work():
        with app.app_context():
            sender.run(sender.transport_for(app.config), stop, poll=0.02, echo=echoed.append, schedule=schedule,
                       every=0.2)

    thread = threading.Thread(target=work)
    thread.start()
    time.sleep(0.7)
    stop.set()
    thread.join(10)
    assert 3 <= len(calls) <= 5 and all(b - a >= 0.2 for a, b in zip(calls, calls[1:]))
    assert "Reminders queued: 1; weekly digests queued: 0." in echoed


def test_a_mentor_digest_covers_their_own_trainees_and_a_head_digest_everyone():
    from collections import namedtuple

    from onboarding.mail.digest import digest_for

    Row = namedtuple("Row", "user_id full_name mentor_id active overdue current_stage stage_end waits")
    rows = [Row(1, "Tom", 10, True, True, 2, date(2026, 11, 20), {"mentor": {"answers": 1}}),
            Row(2, "Ann", 11, True, True, 1, date(2026, 11, 2), {"mentor": {"sign_offs": 2}}),
            Row(3, "Kim", 10, False, False, 3, None, {"head": {"answers": 1}}),  # their mentor is deactivated
            Row(4, "Lee", 10, True, False, 2, None, {})]
    mentor, head = User(id=10, role="mentor"), User(id=20, role="head")
    mine = digest_for(mentor, rows, [], {4: {"module_completed": 2}, 2: {"activity_logged": 1}})
    assert [b[1] for b in mine.behind] == ["Tom"] and [w[1] for w in mine.waiting] == ["Tom"]
    assert mine.progress == [(4, "Lee", {"module_completed": 2})]
    everyone = digest_for(head, rows, [], {})
    assert [b[1] for b in everyone.behind] == ["Tom", "Ann"] and everyone.waiting == [(3, "Kim", {"answers": 1})]
    assert not digest_for(User(id=12, role="mentor"), rows, [], {})  # nobody's mentor: nothing to say


def test_an_arabic_reader_gets_the_digest_in_arabic_right_to_left(app, people):
    with app.app_context():
        db.session.get(User, people["mentor"]).locale = "ar"
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == people["trainee"]))
        rec.start_date = date.today() - timedelta(days=30)
        db.session.commit()
    _digest_run(app, MONDAY)
    with app.app_context():
        raw = db.session.scalar(sa.select(OutboxMessage.raw).where(OutboxMessage.to_address == "mentor@example.com"))
    parsed = Parser(policy=policy.default).parsestr(raw)
    assert re.search(r"[\u0600-\u06ff]", str(parsed["Subject"])) and parsed["Content-Language"] == "ar"
    assert 'dir="rtl"' in parsed.get_body(("html",)).get_content()
