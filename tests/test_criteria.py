"""The weekly scorecard of the seven criteria and the monthly plan: pages, services, audit, summaries."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding.activity.criteria import CRITERIA
from onboarding.activity.models import ActivityEntry, MonthlyPlan, MovedDeal, Scorecard, SupervisionNote
from onboarding.activity.rules import FIGURES, monday
from onboarding.audit.models import AuditEvent
from onboarding.extensions import db
from onboarding.summaries import touched

from .conftest import as_user, complete_stages_before, staff_and_trainee

WEEKS_AGO = 5


@pytest.fixture
def people(make_user):
    return staff_and_trainee(make_user)


def _backdate_stages(app, uid, days):
    """Stage 4 opened `days` ago: every requirement of stages 1 to 3 met then."""
    when = datetime.now(timezone.utc) - timedelta(days=days)
    with app.app_context():
        for table, column, owner in (("module_completions", "completed_at", "user_id"),
                                     ("quiz_attempts", "graded_at", "user_id"),
                                     ("sign_off_events", "at", "trainee_id"),
                                     ("acknowledgements", "signed_at", "trainee_id"),
                                     ("role_play_attempts", "completed_at", "trainee_id"),
                                     ("go_decisions", "decided_at", "trainee_id")):
            db.session.execute(sa.text(f"UPDATE {table} SET {column} = :when WHERE {owner} = :uid"),
                               {"when": when, "uid": uid})
        db.session.execute(sa.text("UPDATE trainee_records SET start_date = :day WHERE user_id = :uid"),
                           {"day": (when - timedelta(days=30)).date(), "uid": uid})
        db.session.commit()


@pytest.fixture
def supervised(app, people):
    """Tom in stage 4 for five weeks, with a ledger of alternating call and meeting days."""
    uid = people["trainee"]
    complete_stages_before(app, uid, 4)
    _backdate_stages(app, uid, 7 * WEEKS_AGO)
    with app.app_context():
        first = date.today() - timedelta(days=7 * WEEKS_AGO)
        for n in range(7 * WEEKS_AGO):
            d = first + timedelta(days=n)
            if d.weekday() >= 5:
                continue
            figures = {f: 0 for f in FIGURES}
            figures.update(calls=20, referrals=1, prospects=3) if d.weekday() % 2 else \
                figures.update(meetings=2, decision_makers=1, applications=1)
            if d.weekday() == 4:
                figures["deals"] = 1
            db.session.add(ActivityEntry(trainee_id=uid, day=d, entered_by=uid, **figures))
        db.session.commit()
    return uid


def _week_url(uid, start):
    return f"/trainees/{uid}/criteria/{start.isoformat()}"


def test_the_criteria_page_lists_every_full_supervised_week_with_what_the_data_says(app, supervised):
    uid = supervised
    mentor, _ = as_user(app, "mentor@example.com")
    page = mentor.get(f"/trainees/{uid}/criteria").get_data(as_text=True)
    opened = date.today() - timedelta(days=7 * WEEKS_AGO)
    first = monday(opened) if monday(opened) == opened else monday(opened) + timedelta(days=7)
    last = monday(date.today()) - timedelta(days=7)
    assert f'/criteria/{first.isoformat()}"' in page and f'/criteria/{last.isoformat()}"' in page
    assert f'/criteria/{monday(date.today()).isoformat()}"' not in page  # the current week is not full yet
    assert "<svg" in page and "(proposed)" in page and "Review this week" in page
    trainee, _ = as_user(app, "tom@example.com")
    own = trainee.get(f"/trainees/{uid}/criteria").get_data(as_text=True)
    assert "(proposed)" in own and "Review this week" not in own


def test_the_mentor_confirms_or_overrides_each_criterion_and_adds_the_supervision_note(app, supervised):
    uid = supervised
    week = monday(date.today()) - timedelta(days=14)
    mentor, auth = as_user(app, "mentor@example.com")
    form = mentor.get(_week_url(uid, week)).get_data(as_text=True)
    assert "The data says:" in form and "Several meetings" not in form
    data = {f"{c}_verdict": "met" for c in CRITERIA}
    data.update(rhythm_verdict="partly", rhythm_note="Two call days in a row on Tuesday.",
                situation="A client wants net-60.", advice="Offer net-30 and a volume tier.",
                csrf_token=auth.token(_week_url(uid, week)))
    response = mentor.post(_week_url(uid, week), data=data)
    assert response.status_code == 302
    with app.app_context():
        card = db.session.scalar(sa.select(Scorecard).where(Scorecard.trainee_id == uid))
        verdicts = card.by_criterion()
        assert card.week_of == week and set(verdicts) == set(CRITERIA)
        assert verdicts["rhythm"].verdict == "partly" and verdicts["rhythm"].note.startswith("Two call days")
        assert verdicts["rhythm"].prefill == "met"  # the data said met; the mentor overrode it
        assert verdicts["meetings"].prefill_data["days"] == 5
        note = db.session.scalar(sa.select(SupervisionNote).where(SupervisionNote.trainee_id == uid))
        assert note.week_of == week and note.advice == "Offer net-30 and a volume tier."
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "scorecard_reviewed"))
        assert event.details["after"]["rhythm"] == "partly" and event.details["before"] is None
    page = mentor.get(f"/trainees/{uid}/criteria").get_data(as_text=True)
    assert "Partly met" in page

    # A second review replaces the verdicts, and the audit keeps what they were.
    data.update(rhythm_verdict="met", situation="", advice="", csrf_token=auth.token(_week_url(uid, week)))
    assert mentor.post(_week_url(uid, week), data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Scorecard.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(SupervisionNote.id))) == 1  # no empty note
        last = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "scorecard_reviewed")
                                  .order_by(AuditEvent.id.desc())).first()
        assert last.details["before"]["rhythm"] == "partly" and last.details["after"]["rhythm"] == "met"


def test_a_review_without_every_verdict_or_with_half_a_note_is_refused_as_typed(app, supervised):
    uid = supervised
    week = monday(date.today()) - timedelta(days=14)
    mentor, auth = as_user(app, "mentor@example.com")
    data = {f"{c}_verdict": "met" for c in CRITERIA if c != "funnel"}
    data.update(events_note="Went to the trade fair.", situation="Only the situation.",
                csrf_token=auth.token(_week_url(uid, week)))
    response = mentor.post(_week_url(uid, week), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a verdict." in page and "Went to the trade fair." in page and "Only the situation." in page
    assert "Write both the client situation and the advice, or neither." in page
    data["funnel_verdict"] = "excellent"
    assert mentor.post(_week_url(uid, week), data={**data, "situation": ""}).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Scorecard.id))) == 0


def test_only_the_trainees_graders_review_and_an_unsupervised_week_is_not_found(app, supervised, make_user):
    uid = supervised
    week = monday(date.today()) - timedelta(days=14)
    trainee, auth = as_user(app, "tom@example.com")
    assert trainee.get(_week_url(uid, week)).status_code == 200
    data = {f"{c}_verdict": "met" for c in CRITERIA}
    assert trainee.post(_week_url(uid, week), data={**data, "csrf_token": auth.token()}).status_code == 403
    mentor, _ = as_user(app, "mentor@example.com")
    assert mentor.get(_week_url(uid, monday(date.today()))).status_code == 404  # the current week
    assert mentor.get(_week_url(uid, week - timedelta(weeks=10))).status_code == 404  # before stage 4
    assert mentor.get(f"/trainees/{uid}/criteria/not-a-day").status_code == 404


def test_saving_a_review_refreshes_the_trainees_summary(app, supervised, people):
    from onboarding.activity.scorecards import review_weeks, save_scorecard
    from onboarding.auth.models import User
    from onboarding.people.models import TraineeRecord
    from onboarding.path.service import trainee_progress

    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == supervised))
        week = review_weeks(rec, trainee_progress(rec))[0]
        save_scorecard(db.session.get(User, supervised), week, {c: ("met", None) for c in CRITERIA},
                       db.session.get(User, people["mentor"]))
        db.session.flush()
        assert supervised in touched(db.session)
        db.session.rollback()


# ---------------------------------------------------------------- the monthly plan


def _plan_data(auth, uid, month, **figures):
    data = {"month": month, "applications": 4, "orders": 2, "deals": 2, "revenue": 20000, "revenue_booked": 0,
            "csrf_token": auth.token(f"/trainees/{uid}/monthly-plan")}
    data.update(figures)
    return data


def test_the_mentor_sets_a_plan_and_everyone_sees_plan_against_actual(app, supervised):
    uid = supervised
    month = date.today().replace(day=1)
    mentor, auth = as_user(app, "mentor@example.com")
    response = mentor.post(f"/trainees/{uid}/monthly-plan", data=_plan_data(auth, uid, month.isoformat()[:7],
                                                                     revenue_booked=25000))
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.scalar(sa.select(MonthlyPlan).where(MonthlyPlan.trainee_id == uid))
        assert (plan.month, plan.deals, plan.revenue, plan.currency) == (month, 2, 20000, "EUR")
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "monthly_plan_set"))
        days = db.session.execute(sa.select(ActivityEntry.day, ActivityEntry.deals).where(
            ActivityEntry.trainee_id == uid, ActivityEntry.day >= month)).all()
    deals = sum(n for _d, n in days)
    trainee, _ = as_user(app, "tom@example.com")
    page = trainee.get(f"/trainees/{uid}/monthly-plan").get_data(as_text=True)
    assert "Actual to date" in page and "Pace needed a day" in page
    assert "+5000" in page  # revenue above the plan
    assert f"<td>2</td><td>{deals}</td>" in page
    # The same month again changes the plan (one row per month), audited with what it was.
    assert mentor.post(f"/trainees/{uid}/monthly-plan", data=_plan_data(auth, uid, month.isoformat()[:7],
                                                                deals=3)).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MonthlyPlan.id))) == 1
        last = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "monthly_plan_set")
                                  .order_by(AuditEvent.id.desc())).first()
        assert last.details["before"]["deals"] == 2 and last.details["after"]["deals"] == 3


def test_a_bad_plan_is_refused_as_typed_and_the_trainee_cannot_set_one(app, supervised):
    uid = supervised
    mentor, auth = as_user(app, "mentor@example.com")
    response = mentor.post(f"/trainees/{uid}/monthly-plan", data=_plan_data(auth, uid, "2026-13", deals=-1))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter the month as YYYY-MM." in page and 'value="2026-13"' in page
    assert "Enter a whole number from 0." in page
    trainee, t_auth = as_user(app, "tom@example.com")
    assert trainee.post(f"/trainees/{uid}/monthly-plan", data=_plan_data(t_auth, uid, "2026-11")).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MonthlyPlan.id))) == 0


def test_a_moved_deal_is_recorded_and_fails_the_plan_criterion_of_its_week(app, supervised):
    from onboarding.activity.scorecards import review_weeks
    from onboarding.people.models import TraineeRecord
    from onboarding.path.service import trainee_progress

    uid = supervised
    week = monday(date.today()) - timedelta(days=14)
    mentor, auth = as_user(app, "mentor@example.com")
    for month in {week.replace(day=1), (week + timedelta(days=6)).replace(day=1)}:
        assert mentor.post(f"/trainees/{uid}/monthly-plan", data=_plan_data(auth, uid, month.isoformat()[:7],
                                                                    applications=0, orders=0, deals=0,
                                                                    revenue=0)).status_code == 302
    trainee, t_auth = as_user(app, "tom@example.com")
    refused = trainee.post(f"/trainees/{uid}/monthly-plan/moved", data={
        "day": (date.today() + timedelta(days=1)).isoformat(), "client": "Nordwind Hotels", "reason": "Budget",
        "csrf_token": t_auth.token(f"/trainees/{uid}/monthly-plan")})
    assert refused.status_code == 400 and "Nordwind Hotels" in refused.get_data(as_text=True)
    response = trainee.post(f"/trainees/{uid}/monthly-plan/moved", data={
        "day": (week + timedelta(days=2)).isoformat(), "client": "Nordwind Hotels",
        "reason": "The client asked to sign in the new budget month.",
        "csrf_token": t_auth.token(f"/trainees/{uid}/monthly-plan")})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(MovedDeal.client)) == "Nordwind Hotels"
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        by_week = {w.start: w for w in review_weeks(rec, trainee_progress(rec))}
        assert by_week[week].prefill["plan"].verdict == "not_met"
        assert by_week[week].prefill["plan"].flag == "moved_deals"
        earlier = by_week.get(week - timedelta(days=7))
        if earlier and earlier.start.month == week.month:  # before the deal was ready: nothing moved yet
            assert earlier.prefill["plan"].flag is None
    page = mentor.get(_week_url(uid, week)).get_data(as_text=True)
    assert "A deal was pushed to next month" in page
    plan_page = mentor.get(f"/trainees/{uid}/monthly-plan").get_data(as_text=True)
    assert "1 deal moved to next month" in plan_page and "Nordwind Hotels" in plan_page


# ---------------------------------------------------------------- the API


def test_the_api_carries_the_plans_the_moved_deals_and_the_weekly_criteria_as_documented(app, client, supervised,
                                                                                          people):
    import jsonschema

    from onboarding.activity.scorecards import review_weeks, save_scorecard, set_plan
    from onboarding.api.tokens import create_token
    from onboarding.auth.models import User
    from onboarding.people.models import TraineeRecord
    from onboarding.path.service import trainee_progress

    with app.app_context():
        trainee, mentor = db.session.get(User, supervised), db.session.get(User, people["mentor"])
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == supervised))
        weeks = review_weeks(rec, trainee_progress(rec))
        save_scorecard(trainee, weeks[-1], {c: ("partly" if c == "funnel" else "met", "Fine") for c in CRITERIA},
                       mentor)
        set_plan(trainee, date.today(), {"applications": 3, "orders": 1, "deals": 1, "revenue": 9000,
                                         "revenue_booked": 9500}, mentor)
        token = create_token(db.session.get(User, people["head"]), "test")
        db.session.commit()
    response = client.get(f"/api/v1/trainees/{supervised}", headers={"Authorization": f"Bearer {token}"})
    body = response.get_json()
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = spec["paths"]["/trainees/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator({**schema, "components": spec["components"]}).validate(body)
    assert len(body["weekly_criteria"]) == len(weeks) and not body["weekly_criteria"][0]["reviewed"]
    last = body["weekly_criteria"][-1]
    assert last["reviewed"] and not last["met"] and last["criteria"]["funnel"]["verdict"] == "partly"
    assert last["criteria"]["rhythm"]["prefill"] == "met" and last["criteria"]["rhythm"]["data"]["switches"] >= 1
    [plan] = body["monthly_plans"]
    assert plan["month"] == date.today().isoformat()[:7] and plan["figures"]["revenue"]["over"] == 500
    assert body["moved_deals"] == []


# ---------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory, migrated_template):
    from .conftest import seeded_demo

    yield from seeded_demo(tmp_path_factory, migrated_template, "criteria-demo")


def test_trainee3_shows_ten_reviewed_weeks_a_plan_over_fulfilled_and_a_deal_moved(demo):
    from onboarding.activity.scorecards import month_end, plan_status, plans_of
    from onboarding.activity.services import ledger_days
    from onboarding.auth.models import User
    from onboarding.readiness.report import trainee_report
    from onboarding.people.models import TraineeRecord

    with demo.app_context():
        t3 = db.session.scalar(sa.select(User).where(User.email == "trainee3@example.com"))
        cards = db.session.scalars(sa.select(Scorecard).where(Scorecard.trainee_id == t3.id)).all()
        assert len(cards) >= 10
        verdicts = [v.verdict for c in cards for v in c.verdicts]
        assert "partly" in verdicts and verdicts.count("met") > len(verdicts) * 3 // 4
        days, moved = ledger_days(t3.id), db.session.scalars(sa.select(MovedDeal)).all()
        assert len(moved) == 1
        statuses = [plan_status(p, days, moved, month_end(p.month)) for p in plans_of(t3.id)
                    if month_end(p.month) < date.today()]
        over = [s for s in statuses if s.met and all(r["over"] > 0 for r in s.rows())]
        assert over and over[0].plan.month == max(s.plan.month for s in statuses)  # the last ended month
        assert [s.plan.month for s in statuses if s.moved] != [over[0].plan.month]  # the deal moved in another
        assert any(s.moved for s in statuses)
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == t3.id))
        gate = next(g for g in trainee_report(rec, 8)["gates"] if g.key == "supervised_work")
        assert gate.met and gate.data["criteria_weeks_met"] >= 6 and gate.data["plan_met"]
    client = demo.test_client()
    from .conftest import AuthActions

    AuthActions(client).login("mentor@example.com", "demo-pass-2024")
    page = client.get(f"/trainees/{t3.id}/criteria").get_data(as_text=True)
    assert "Partly met" in page and "<svg" in page
    plan_page = client.get(f"/trainees/{t3.id}/monthly-plan").get_data(as_text=True)
    assert "Lindqvist Archives" in plan_page and "The plan is met." in plan_page


def test_the_heatmap_and_its_csv_show_each_trainee_against_the_criteria_for_the_head(app, supervised, people):
    from onboarding.activity.scorecards import review_weeks, save_scorecard, set_plan
    from onboarding.auth.models import User
    from onboarding.people.models import TraineeRecord
    from onboarding.path.service import trainee_progress

    last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    with app.app_context():
        trainee, mentor = db.session.get(User, supervised), db.session.get(User, people["mentor"])
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == supervised))
        weeks = review_weeks(rec, trainee_progress(rec))
        for n, week in enumerate(weeks[:3]):
            save_scorecard(trainee, week, {c: ("not_met" if c == "rhythm" and n else "met", None) for c in CRITERIA},
                           mentor)
        set_plan(trainee, last_month, {"applications": 1000, "orders": 0, "deals": 0, "revenue": 0,
                                       "revenue_booked": 0}, mentor)
        db.session.commit()
    head, _ = as_user(app, "head@example.com")
    page = head.get("/criteria").get_data(as_text=True)
    assert "Tom Becker" in page and "1 of 3" in page and "3 of 3" in page
    assert "%" in page and "heat-4" in page and "heat-1" in page
    csv = head.get("/criteria.csv").get_data(as_text=True)
    assert "Tom Becker,3,3,1,3,3,3,3,3," in csv and last_month.isoformat()[:7] in csv
    mentor_client, _ = as_user(app, "mentor@example.com")
    assert mentor_client.get("/criteria").status_code == 403


def test_the_pace_needed_counts_today_and_ends_with_the_month():
    """The pace a day divides what is left by the days still to work, today included: on the month's last day
    the whole rest is due today (never 0.0 a day while deals are missing); once the month is over, no pace."""
    from onboarding.activity.scorecards import plan_status

    plan = MonthlyPlan(month=date(2026, 11, 1), applications=12, orders=0, deals=0, revenue=0, revenue_booked=0,
                       currency="EUR")
    logged = {date(2026, 11, 2): {"applications": 2}}

    def applications(on):
        status = plan_status(plan, logged, [], on)
        return status.days_to_go, next(r for r in status.rows() if r["figure"] == "applications")["per_day"]

    assert applications(date(2026, 11, 30)) == (1, 10.0)  # the last day: all ten today
    assert applications(date(2026, 11, 29)) == (2, 5.0)
    assert applications(date(2026, 11, 1)) == (30, 0.4)  # the 1st: all twelve over thirty days
    over = plan_status(plan, logged, [], date(2026, 12, 1))
    assert over.over and over.on == date(2026, 11, 30) and over.days_to_go == 0
    assert not plan_status(plan, logged, [], date(2026, 11, 30)).over
