"""The reminder rules without an app: each condition alone, exactly at its threshold, a second before and after,
the escalation to the heads, working days and the time zone. 2026-11-30 is a Monday."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from onboarding.mail import reminders as r

UTC = timezone.utc
SECOND = timedelta(seconds=1)
RULES = r.Thresholds()  # Monday to Friday, escalation after 3 working days, grading 2, ledger 3, idle 5, decision 3


def at(day, hour=0, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) if day <= 30 else \
        datetime(2026, 12, day - 30, hour, minute, tzinfo=UTC)


def kinds(facts, now, rules=RULES):
    return [(x.kind, x.level, x.to) for x in r.due_reminders(facts, now, rules)]


def around(facts, moment, rules=RULES):
    """What is due a second before `moment`, exactly at it, and a second after."""
    return [kinds(facts, moment + offset, rules) for offset in (-SECOND, timedelta(0), SECOND)]


# ---------------------------------------------------------------- working days

def test_working_days_step_over_the_weekend_and_keep_the_time_of_day():
    friday = at(34, 10)  # Friday 4 December
    assert r.add_working_days(friday, 1, RULES.working_days) == at(37, 10)  # Monday
    assert r.add_working_days(friday, 2, RULES.working_days) == at(38, 10)  # Tuesday
    assert r.add_working_days(at(35, 10), 1, RULES.working_days) == at(37, 10)  # Saturday -> Monday
    assert r.add_working_days(friday, 0, RULES.working_days) == friday


@pytest.mark.parametrize("text,days", [("mon-fri", {0, 1, 2, 3, 4}), ("sun-thu", {6, 0, 1, 2, 3}),
                                       ("Mon, Wed", {0, 2}), ("monday-tuesday", {0, 1}), ("sat", {5})])
def test_working_days_read_as_ranges_and_lists(text, days):
    assert r.parse_working_days(text) == frozenset(days)


@pytest.mark.parametrize("text", ["", "weekdays", "mon-xyz", ","])
def test_working_days_refuse_what_is_not_a_day(text):
    with pytest.raises(ValueError):
        r.parse_working_days(text)


# ---------------------------------------------------------------- each condition alone

def test_nothing_is_due_without_a_condition():
    assert kinds(r.Facts(trainee_id=1), at(60)) == []


def test_a_stage_past_its_end_reminds_the_trainee_and_mentor_the_next_day_then_the_heads():
    facts = r.Facts(trainee_id=1, current_stage=2, stage_end=date(2026, 12, 1))  # Tuesday
    first = [(r.STAGE_OVERDUE, 0, (r.TRAINEE, r.MENTOR))]
    assert around(facts, at(32)) == [[], first, first]  # behind plan from Wednesday 00:00
    escalated = first + [(r.STAGE_OVERDUE_ESCALATED, 1, (r.HEADS,))]
    assert around(facts, at(37)) == [first, escalated, escalated]  # three working days on: Monday 7 December


def test_the_stage_reminder_is_one_per_stage_and_planned_end():
    one = r.due_reminders(r.Facts(trainee_id=1, current_stage=2, stage_end=date(2026, 12, 1)), at(40), RULES)
    moved = r.due_reminders(r.Facts(trainee_id=1, current_stage=2, stage_end=date(2026, 12, 3)), at(40), RULES)
    assert one[0].period != moved[0].period and one[0].key[1] == "trainee/1"


def test_answers_waiting_remind_the_grader_after_two_working_days_then_the_heads():
    facts = r.Facts(trainee_id=1, oldest_answer=(7, at(34, 10)))  # submitted Friday 10:00
    first = [(r.GRADING, 0, (r.MENTOR,))]
    assert around(facts, at(38, 10)) == [[], first, first]  # Tuesday 10:00
    escalated = first + [(r.GRADING_ESCALATED, 1, (r.HEADS,))]
    assert around(facts, at(41, 10)) == [first, escalated, escalated]  # three working days later: Friday
    assert r.due_reminders(facts, at(41, 10), RULES)[0].period == "attempt/7"


def test_ledger_days_remind_the_mentor_after_three_days():
    facts = r.Facts(trainee_id=1, oldest_unconfirmed=at(34, 9))
    assert around(facts, at(37, 9)) == [[], [(r.LEDGER, 0, (r.MENTOR,))], [(r.LEDGER, 0, (r.MENTOR,))]]


def test_a_role_play_tomorrow_reminds_the_trainee_and_the_evaluators_on_the_day_before():
    facts = r.Facts(trainee_id=1, role_play=(3, at(32, 9)))  # Wednesday 09:00
    due = [(r.ROLE_PLAY_TOMORROW, 0, (r.TRAINEE, r.EVALUATORS))]
    assert around(facts, at(31)) == [[], due, due]  # from Tuesday 00:00
    assert around(facts, at(32)) == [due, [], []]  # on the day itself, no longer "tomorrow"


def test_tomorrow_is_counted_in_the_configured_time_zone():
    dubai = r.Thresholds(zone=ZoneInfo("Asia/Dubai"))  # UTC+4
    facts = r.Facts(trainee_id=1, role_play=(3, at(31, 22)))  # Tuesday 22:00 UTC is Wednesday 02:00 in Dubai
    due = [(r.ROLE_PLAY_TOMORROW, 0, (r.TRAINEE, r.EVALUATORS))]
    assert kinds(facts, at(30, 19), dubai) == []  # Monday 23:00 in Dubai: the meeting is the day after tomorrow
    assert kinds(facts, at(30, 20), dubai) == due  # Tuesday 00:00 in Dubai
    assert kinds(facts, at(30, 19), RULES) == due  # Monday 19:00 in UTC: the meeting is on Tuesday


def test_an_idle_trainee_reminds_the_mentor_after_five_working_days():
    facts = r.Facts(trainee_id=1, last_active=at(30, 10))  # Monday
    due = [(r.IDLE, 0, (r.MENTOR,))]
    assert around(facts, at(37, 10)) == [[], due, due]  # the next Monday
    assert kinds(r.Facts(trainee_id=1, last_active=at(30, 10), active=False), at(45)) == []


def test_a_readiness_decision_waiting_reminds_the_heads_after_three_days():
    facts = r.Facts(trainee_id=1, decision_since=(4, at(31, 15)))
    due = [(r.DECISION, 0, (r.HEADS,))]
    assert around(facts, at(34, 15)) == [[], due, due]


def test_other_working_days_move_the_thresholds():
    sunday_to_thursday = r.Thresholds(working_days=r.parse_working_days("sun-thu"))
    facts = r.Facts(trainee_id=1, oldest_answer=(7, at(34, 10)))  # Friday 10:00
    assert kinds(facts, at(37, 10)) == []  # Monday to Friday: Monday is the first working day, Tuesday the second
    assert kinds(facts, at(37, 10), sunday_to_thursday) == [(r.GRADING, 0, (r.MENTOR,))]  # Sunday, then Monday


def test_the_thresholds_are_configuration():
    patient = r.Thresholds(grading_days=5, escalation_days=1)
    facts = r.Facts(trainee_id=1, oldest_answer=(7, at(30, 10)))
    assert kinds(facts, at(34, 10), patient) == []
    assert kinds(facts, at(37, 10), patient) == [(r.GRADING, 0, (r.MENTOR,))]
    assert kinds(facts, at(38, 10), patient)[-1] == (r.GRADING_ESCALATED, 1, (r.HEADS,))


# ---------------------------------------------------------------- the weekly digest

def test_the_digest_is_due_from_monday_at_the_hour_in_the_recipients_zone():
    utc, dubai = ZoneInfo("UTC"), ZoneInfo("Asia/Dubai")
    assert r.digest_week(at(30, 7, 59), utc, 8) is None
    assert r.digest_week(at(30, 8), utc, 8) == "2026-W49"
    assert r.digest_week(at(36, 23), utc, 8) == "2026-W49"  # still that week's until Sunday night
    assert r.digest_week(at(37, 7), utc, 8) is None  # the next Monday before eight
    assert r.digest_week(at(30, 4), dubai, 8) == "2026-W49"  # 08:00 in Dubai
    assert r.digest_week(at(30, 3, 59), dubai, 8) is None


def _utc(*args):
    return datetime(*args, tzinfo=UTC)


BERLIN, AUCKLAND = ZoneInfo("Europe/Berlin"), ZoneInfo("Pacific/Auckland")


def test_the_digest_starts_at_eight_in_berlin_not_a_minute_before():
    # Monday 2026-11-30: Berlin is UTC+1, so 07:59 and 08:00 there are 06:59 and 07:00 UTC
    assert r.digest_week(_utc(2026, 11, 30, 6, 59, 59), BERLIN, 8) is None
    assert r.digest_week(_utc(2026, 11, 30, 7), BERLIN, 8) == "2026-W49"
    assert r.digest_week(_utc(2026, 11, 30, 7), ZoneInfo("UTC"), 8) is None  # the same instant is 07:00 in UTC


def test_auckland_gets_its_digest_while_utc_is_still_sunday():
    # Auckland is UTC+13 in summer: Monday 08:00 there is Sunday 19:00 UTC, still the previous ISO week in UTC
    assert r.digest_week(_utc(2026, 11, 29, 18, 59), AUCKLAND, 8) is None
    assert r.digest_week(_utc(2026, 11, 29, 19), AUCKLAND, 8) == "2026-W49"
    assert r.digest_week(_utc(2026, 11, 29, 19), ZoneInfo("UTC"), 8) == "2026-W48"  # UTC's Sunday: last week's


def test_sunday_night_still_belongs_to_the_week_that_ends():
    # Sunday 2026-12-06 23:59 in Berlin (22:59 UTC), then Monday 00:00 and 07:59 in Berlin: nothing due
    assert r.digest_week(_utc(2026, 12, 6, 22, 59), BERLIN, 8) == "2026-W49"
    assert r.digest_week(_utc(2026, 12, 6, 23), BERLIN, 8) is None
    assert r.digest_week(_utc(2026, 12, 7, 6, 59), BERLIN, 8) is None
    assert r.digest_week(_utc(2026, 12, 7, 7), BERLIN, 8) == "2026-W50"


@pytest.mark.parametrize("sunday,eight_utc", [
    (_utc(2027, 3, 28), _utc(2027, 3, 29, 6)),  # summer time began on Sunday: Monday 08:00 CEST is 06:00 UTC
    (_utc(2026, 10, 25), _utc(2026, 10, 26, 7)),  # summer time ended on Sunday: Monday 08:00 CET is 07:00 UTC
])
def test_the_digest_follows_berlin_across_the_change_of_clocks(sunday, eight_utc):
    week = f"{eight_utc.isocalendar()[0]}-W{eight_utc.isocalendar()[1]:02d}"
    assert r.digest_week(eight_utc - SECOND, BERLIN, 8) is None
    assert r.digest_week(eight_utc, BERLIN, 8) == week
    assert r.digest_week(sunday + timedelta(hours=21), BERLIN, 8) != week  # Sunday evening: the week before's


def test_each_person_is_reminded_of_a_role_play_when_it_is_tomorrow_in_their_zone():
    # Wednesday 2026-12-02 09:00 UTC; the trainee (1) in UTC, an evaluator (5) in Dubai (UTC+4), one (6) in
    # Los Angeles (UTC-8)
    facts = r.Facts(trainee_id=1, role_play=(3, at(32, 9)), role_play_zones=(
        (1, ZoneInfo("UTC")), (5, ZoneInfo("Asia/Dubai")), (6, ZoneInfo("America/Los_Angeles"))))
    told = lambda now: [x.to for x in r.due_reminders(facts, now, RULES)]  # noqa: E731
    assert told(at(30, 19, 59)) == []  # Monday 23:59 in Dubai; 19:59 in UTC; 11:59 in Los Angeles
    assert told(at(30, 20)) == [(5,)]  # Tuesday 00:00 in Dubai
    assert told(at(31) - SECOND) == [(5,)]
    assert told(at(31)) == [(1,), (5,)]  # Tuesday 00:00 in UTC
    assert told(at(31, 8)) == [(1,), (5,), (6,)]  # Tuesday 00:00 in Los Angeles
    assert told(at(32)) == [(6,)]  # Wednesday in UTC and Dubai: the meeting is today there
    keys = {x.key for x in r.due_reminders(facts, at(31, 8), RULES)}
    assert len(keys) == 3  # once per person: each has a key of their own
