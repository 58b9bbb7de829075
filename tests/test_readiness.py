"""Heads of sales: the dashboard, the forecast, the recommendation and decision, the cohort view,
exports, the printable report and the timeline."""
import csv
import io
from datetime import date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding.extensions import db
from onboarding.readiness.cohort import spread
from onboarding.readiness.models import GoDecision
from onboarding.path.progress import stage_durations
from onboarding.path.forecast import PROJECTED, READY, TARGETS, TOO_EARLY, forecast
from onboarding.path.progress import StageProgress

from .conftest import complete_stages_before

TODAY = date(2026, 11, 27)


# ---------------------------------------------------------------- the forecast, pure

def _stage(number, done, total, completed_on=None):
    return StageProgress(number=number, title=f"S{number}", state="complete" if done == total else "open",
                         modules_done=done, modules_total=total, planned_start=TODAY, planned_end=TODAY,
                         overdue=False, locked_reason=None, completed_on=completed_on)


class _Progress:
    def __init__(self, stages, days):
        self.stages, self.days_since_start = stages, days
        self.steps_done = sum(s.steps_done for s in stages)
        self.steps_total = sum(s.steps_total for s in stages)


def test_forecast_needs_a_week_and_a_first_step():
    p = _Progress([_stage(1, 0, 10), _stage(2, 0, 10)], days=30)
    assert forecast(p, None, TODAY, TODAY, 8, False).basis == TOO_EARLY
    p = _Progress([_stage(1, 3, 10), _stage(2, 0, 10)], days=3)
    assert forecast(p, None, TODAY, TODAY, 8, False).basis == TOO_EARLY


def test_forecast_projects_the_remaining_steps_then_the_supervised_period():
    # 10 steps in 20 days: half a step a day. 10 steps left before the last stage -> it opens in 20 days,
    # then 8 supervised weeks; the last stage's own 10 steps (40 days in all) finish before that.
    p = _Progress([_stage(1, 10, 10, TODAY), _stage(2, 0, 10), _stage(3, 0, 10)], days=20)
    target = TODAY + timedelta(days=60)
    f = forecast(p, None, TODAY, target, 8, False)
    assert f.basis == PROJECTED
    assert f.date == TODAY + timedelta(days=20 + 56)
    assert f.days_late == 16 and f.on_track is False
    assert f.steps_per_week == 3.5


def test_forecast_counts_the_supervised_period_from_the_day_it_opened():
    opened = TODAY - timedelta(weeks=3)
    p = _Progress([_stage(1, 10, 10, opened), _stage(2, 9, 10)], days=60)
    f = forecast(p, opened, TODAY, TODAY + timedelta(weeks=10), 8, False)
    assert f.date == opened + timedelta(weeks=8)
    assert f.on_track is True


def test_forecast_when_ready_or_only_targets_wait():
    p = _Progress([_stage(1, 10, 10, TODAY - timedelta(weeks=12))], days=100)
    assert forecast(p, TODAY - timedelta(weeks=12), TODAY, TODAY, 8, True).basis == READY
    only_targets = forecast(p, TODAY - timedelta(weeks=12), TODAY, TODAY, 8, False)
    assert only_targets.basis == TARGETS and only_targets.date is None


# ---------------------------------------------------------------- cohort statistics, pure

def test_spread_gives_median_quartiles_and_extremes():
    s = spread([10, 2, 7, 4, 30])
    assert (s.n, s.median, s.least, s.most) == (5, 7.0, 2, 30)
    assert s.low == 3.0 and s.high == 20.0
    assert spread([]).n == 0 and spread([]).median is None
    assert spread([5]).median == 5.0


def test_stage_durations_run_from_one_completion_to_the_next():
    start = TODAY - timedelta(days=40)
    p = _Progress([_stage(1, 1, 1, start + timedelta(days=6)), _stage(2, 1, 1, start + timedelta(days=20)),
                   _stage(3, 0, 1)], days=40)
    assert stage_durations(p, start) == {1: 6, 2: 14}


# ---------------------------------------------------------------- helpers

def _make_ready(app, uid, weeks=9):
    """Every requirement met ten weeks ago, then `weeks` full weeks of ledger above the default targets."""
    from onboarding.assessment.models import QuizAttempt
    from onboarding.learning.models import ModuleCompletion
    from onboarding.activity.models import ActivityEntry
    from onboarding.mentoring.models import Acknowledgement, RolePlayAttempt, SignOffEvent

    complete_stages_before(app, uid, 5)
    opened = TODAY_REAL() - timedelta(weeks=weeks + 1)
    when = datetime.combine(opened, time(9), timezone.utc)
    with app.app_context():
        for model, column, owner in ((ModuleCompletion, "completed_at", "user_id"),
                                     (QuizAttempt, "graded_at", "user_id"), (SignOffEvent, "at", "trainee_id"),
                                     (Acknowledgement, "signed_at", "trainee_id"),
                                     (RolePlayAttempt, "completed_at", "trainee_id"),
                                     (GoDecision, "decided_at", "trainee_id")):
            db.session.execute(sa.update(model).where(getattr(model, owner) == uid).values({column: when}))
        day = opened
        while day < TODAY_REAL():
            if day.weekday() < 5:
                db.session.add(ActivityEntry(trainee_id=uid, day=day, prospects=2, calls=20, meetings=2,
                                             applications=1, orders=1, referrals=1, decision_makers=1, deals=1,
                                             events=int(day.weekday() == 0), entered_by=uid))
            day += timedelta(days=1)
        _review_every_week(uid, opened)
        db.session.commit()


def _review_every_week(uid, opened):
    """The mentor's review of each full supervised week, all seven criteria met, and last month's plan met (the
    activity gate: the criteria in K of the last N weeks and the monthly plan)."""
    from onboarding.activity.criteria import CRITERIA
    from onboarding.activity.models import MonthlyPlan, Scorecard, ScorecardVerdict
    from onboarding.activity.scorecards import supervised_weeks

    last_month = (TODAY_REAL().replace(day=1) - timedelta(days=1)).replace(day=1)
    if last_month >= opened.replace(day=1):
        db.session.add(MonthlyPlan(trainee_id=uid, month=last_month, applications=5, orders=5, deals=5, revenue=0,
                                   revenue_booked=0, currency="EUR"))
    for week in supervised_weeks(opened, TODAY_REAL()):
        db.session.add(Scorecard(trainee_id=uid, week_of=week, verdicts=[
            ScorecardVerdict(criterion=c, verdict="met", prefill_data={}) for c in CRITERIA]))


def TODAY_REAL():  # noqa: N802  (the real today: the pages judge on it)
    return date.today()


def _people(make_user):
    mentor = make_user("mentor", email="mentor@example.com", name="Marta Mentor")
    return {"mentor": mentor, "head": make_user("head", email="head@example.com", name="Hana Head"),
            "trainee": make_user("trainee", email="t1@example.com", name="Tara Trainee", mentor=mentor,
                                 start=TODAY_REAL() - timedelta(days=100))}


def _record(app, uid):
    from onboarding.people.models import TraineeRecord

    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        db.session.expunge(rec)
        return rec


def _decisions(app, uid):
    from onboarding.readiness.models import ReadinessDecision

    with app.app_context():
        return db.session.scalars(sa.select(ReadinessDecision).where(ReadinessDecision.trainee_id == uid)
                                  .order_by(ReadinessDecision.id)).all()


# ---------------------------------------------------------------- recommendation and decision

def test_the_whole_decision_with_every_gate_met(app, client, auth, make_user):
    people = _people(make_user)
    uid = people["trainee"]
    _make_ready(app, uid)
    auth.login("mentor@example.com")
    page = client.get(f"/trainees/{uid}").get_data(as_text=True)
    assert "Send the recommendation" in page and "Record the decision" not in page
    response = client.post(f"/trainees/{uid}/recommendation",
                           data={"recommends": "yes", "note": "Handles real clients alone.",
                                 "csrf_token": auth.token(f"/trainees/{uid}")})
    assert response.status_code == 302
    assert _record(app, uid).status == "awaiting_approval"
    auth.logout()

    auth.login("head@example.com")
    page = client.get(f"/trainees/{uid}").get_data(as_text=True)
    assert "Every readiness gate is met." in page and "Handles real clients alone." in page
    dashboard = client.get("/?waits=head").get_data(as_text=True)
    assert "Tara Trainee" in dashboard and "the readiness decision" in dashboard
    response = client.post(f"/trainees/{uid}/readiness-decision",
                           data={"decision": "approved", "note": "Welcome to the team.",
                                 "csrf_token": auth.token(f"/trainees/{uid}")})
    assert response.status_code == 302
    assert _record(app, uid).status == "independent"
    [decision] = _decisions(app, uid)
    assert decision.override_reason is None and decision.recommendation_id is not None
    assert all(g["met"] for g in decision.evidence["gates"]) and len(decision.evidence["gates"]) == 4
    assert decision.evidence["plan"]["status"] == "awaiting_approval"
    assert len(decision.evidence["supervised_weeks"]) >= 8

    from onboarding.notifications.models import Notification

    with app.app_context():
        told = {n.user_id for n in db.session.scalars(sa.select(Notification).where(
            Notification.kind == "readiness_approved"))}
        assert told == {uid, people["mentor"]}
    # A final decision is final: no second one, and the form is gone.
    again = client.post(f"/trainees/{uid}/readiness-decision", data={"decision": "rejected", "note": "Changed my mind.",
                                                           "csrf_token": auth.token(f"/trainees/{uid}")})
    assert again.status_code == 400 and "already recorded" in again.get_data(as_text=True)
    assert len(_decisions(app, uid)) == 1
    assert "Record the decision" not in client.get(f"/trainees/{uid}").get_data(as_text=True)


def test_approving_past_an_unmet_gate_needs_a_written_reason(app, client, auth, make_user):
    people = _people(make_user)
    uid = people["trainee"]
    auth.login("head@example.com")
    page = client.get(f"/trainees/{uid}").get_data(as_text=True)
    assert "readiness gates are not met" in page
    response = client.post(f"/trainees/{uid}/readiness-decision", data={
        "decision": "approved", "note": "Strong hire from a competitor.", "override_reason": "   ",
        "csrf_token": auth.token(f"/trainees/{uid}")})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "write why you approve all the same" in body
    assert "Strong hire from a competitor." in body  # what was typed is kept
    assert _decisions(app, uid) == [] and _record(app, uid).status == "in_training"

    response = client.post(f"/trainees/{uid}/readiness-decision", data={
        "decision": "approved", "note": "Strong hire from a competitor.",
        "override_reason": "Eight years selling ventilation; the supervised period is waived.",
        "csrf_token": auth.token(f"/trainees/{uid}")})
    assert response.status_code == 302
    [decision] = _decisions(app, uid)
    assert decision.override_reason.startswith("Eight years")
    assert not all(g["met"] for g in decision.evidence["gates"])


def test_the_service_refuses_an_override_without_a_reason(app, make_user):
    from onboarding.auth.models import User
    from onboarding.people.models import TraineeRecord
    from onboarding.readiness.decisions import DecisionError, decide
    from onboarding.readiness.report import evidence_of, trainee_report

    people = _people(make_user)
    with app.app_context():
        rec = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == people["trainee"]))
        report = trainee_report(rec)
        with pytest.raises(DecisionError):
            decide(rec, db.session.get(User, people["head"]), "approved", "ok", report["gates"],
                   evidence_of(rec, report), override_reason="")


def test_extending_sets_a_new_date_and_a_plan(app, client, auth, make_user):
    uid = _people(make_user)["trainee"]
    auth.login("head@example.com")
    token = auth.token(f"/trainees/{uid}")
    response = client.post(f"/trainees/{uid}/readiness-decision", data={
        "decision": "extended", "note": "Not yet.", "new_target_date": "", "plan": "", "csrf_token": token})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "needs a new target date in the future" in body and "needs a plan" in body
    new_date = TODAY_REAL() + timedelta(days=45)
    response = client.post(f"/trainees/{uid}/readiness-decision", data={
        "decision": "extended", "note": "Not yet.", "new_target_date": new_date.isoformat(),
        "plan": "Two more weeks of calls with the mentor listening in.", "csrf_token": token})
    assert response.status_code == 302
    rec = _record(app, uid)
    assert (rec.status, rec.target_date) == ("extended", new_date)
    # An extended trainee can be recommended and decided on again.
    response = client.post(f"/trainees/{uid}/readiness-decision", data={
        "decision": "rejected", "note": "Still not ready.", "csrf_token": token})
    assert response.status_code == 302 and _record(app, uid).status == "in_training"
    assert [d.decision for d in _decisions(app, uid)] == ["extended", "rejected"]


def test_decisions_and_recommendations_cannot_be_changed(app, client, auth, make_user):
    from onboarding.readiness.models import ImmutableRecordError, ReadinessDecision

    uid = _people(make_user)["trainee"]
    auth.login("head@example.com")
    client.post(f"/trainees/{uid}/readiness-decision", data={"decision": "rejected", "note": "Not yet.",
                                                  "csrf_token": auth.token(f"/trainees/{uid}")})
    with app.app_context():
        decision = db.session.scalar(sa.select(ReadinessDecision))
        decision.note = "Rewritten"
        with pytest.raises(ImmutableRecordError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalar(sa.select(ReadinessDecision)))
        with pytest.raises(ImmutableRecordError):
            db.session.flush()


def test_only_the_trainees_own_mentor_recommends(app, client, auth, make_user):
    uid = _people(make_user)["trainee"]
    make_user("mentor", email="other.mentor@example.com")
    auth.login("other.mentor@example.com")
    response = client.post(f"/trainees/{uid}/recommendation", data={
        "recommends": "yes", "note": "x", "csrf_token": auth.token("/")})
    assert response.status_code == 403
    auth.logout()
    auth.login("mentor@example.com")
    response = client.post(f"/trainees/{uid}/recommendation", data={
        "recommends": "", "note": "", "csrf_token": auth.token("/")})
    assert response.status_code == 400
    assert "Choose ready or not ready yet." in response.get_data(as_text=True)


# ---------------------------------------------------------------- dashboard, export, cohort

@pytest.fixture
def team(app, make_user):
    people = _people(make_user)
    mentor2 = make_user("mentor", email="mentor2@example.com", name="Nils Other")
    people["late"] = make_user("trainee", email="late@example.com", name="Lars Late", mentor=mentor2,
                               start=TODAY_REAL() - timedelta(days=60))
    people["mid"] = make_user("trainee", email="mid@example.com", name="=HYPERLINK(\"x\")", mentor=people["mentor"],
                              start=TODAY_REAL() - timedelta(days=20))
    complete_stages_before(app, people["mid"], 3)
    people["mentor2"] = mentor2
    return people


def _names(html):
    return [n for n in ("Tara Trainee", "Lars Late", "=HYPERLINK(&#34;x&#34;)") if n in html]


def test_dashboard_filters_and_sorts(client, auth, team):
    auth.login("head@example.com")
    every = client.get("/").get_data(as_text=True)
    assert _names(every) == ["Tara Trainee", "Lars Late", "=HYPERLINK(&#34;x&#34;)"]
    assert "Stage 3: Mentor" in every
    assert _names(client.get("/?stage=3").get_data(as_text=True)) == ["=HYPERLINK(&#34;x&#34;)"]
    assert _names(client.get(f"/?mentor={team['mentor2']}").get_data(as_text=True)) == ["Lars Late"]
    overdue = client.get("/?overdue=1").get_data(as_text=True)  # stage 1 planned for a few days, long gone
    assert "Tara Trainee" in overdue and "=HYPERLINK" not in overdue
    by_name = client.get("/?sort=name").get_data(as_text=True)
    assert by_name.index("=HYPERLINK") < by_name.index("Lars Late") < by_name.index("Tara Trainee")
    assert client.get("/?stage=banana&sort=evil&mentor=-3&status=x&page=zz").status_code == 200


def test_dashboard_paginates(app, client, auth, team):
    app.config["PER_PAGE"] = 2
    auth.login("head@example.com")
    first = client.get("/?sort=name").get_data(as_text=True)
    second = client.get("/?sort=name&page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Tara Trainee" not in first
    assert "Tara Trainee" in second and "sort=name" in first.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_mentor_dashboard_holds_only_their_trainees(client, auth, team):
    auth.login("mentor2@example.com")
    html = client.get("/").get_data(as_text=True)
    assert _names(html) == ["Lars Late"]
    rows = list(csv.reader(io.StringIO(client.get("/trainees.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["Lars Late"]


def test_csv_export_has_the_dashboards_rows_and_filters(client, auth, team):
    auth.login("head@example.com")
    response = client.get("/trainees.csv?sort=name")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Trainee", "Email", "Status"]
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"x\")", "Lars Late", "Tara Trainee"]  # formulas stay text
    assert all(len(r) == len(rows[0]) for r in rows)
    filtered = list(csv.reader(io.StringIO(client.get("/trainees.csv?stage=3").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    assert [r[1] for r in filtered[1:]] == ["mid@example.com"]


def test_activity_ledger_export(app, client, auth, team):
    _make_ready(app, team["trainee"], weeks=2)
    auth.login("t1@example.com")
    rows = list(csv.reader(io.StringIO(client.get(f"/trainees/{team['trainee']}/activity.csv")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["Day", "Entry", "Corrects entry", "New prospects", "Calls made"]
    assert len(rows) > 10 and all(r[3] == "2" and r[4] == "20" for r in rows[1:])
    assert client.get(f"/trainees/{team['late']}/activity.csv").status_code == 403


def test_cohort_view_counts_stages_and_mentor_load(client, auth, team):
    auth.login("head@example.com")
    html = client.get("/cohort").get_data(as_text=True)
    assert "<svg" in html and "Mentor load" in html
    assert "Marta Mentor</th><td>2</td>" in html and "Nils Other</th><td>1</td>" in html
    assert "<figcaption>Trainees in training per mentor</figcaption>" in html


def test_the_cohort_shows_the_busiest_mentors_and_links_to_them_all(app, client, auth, make_user, monkeypatch):
    """With more mentors than the cohort shows, its chart and table show the busiest (and who has no mentor), say
    how many are left out, and link to the mentors' page, which lists them all."""
    from onboarding.readiness import views

    monkeypatch.setattr(views, "LOAD_BARS", 2)
    make_user("head", email="head@example.com")
    busy = make_user("mentor", name="Busy Bea")
    make_user("trainee", mentor=busy)
    make_user("trainee", mentor=busy)
    for name in ("Calm Carl", "Quiet Quin"):
        make_user("trainee", mentor=make_user("mentor", name=name))
    make_user("trainee")  # nobody mentors them yet
    auth.login("head@example.com")
    html = client.get("/cohort").get_data(as_text=True)
    chart = html[html.index('aria-labelledby="t-load"'):]
    chart = chart[:chart.index("</svg>")]
    assert "Busy Bea" in chart and "Calm Carl" in chart and "Quiet Quin" not in chart and "No mentor yet" in chart
    assert "the 2 busiest of 3 mentors" in html
    assert "Busy Bea</th><td>2</td>" in html and "Calm Carl</th><td>1</td>" in html
    assert "Quiet Quin" not in html and "No mentor yet</th><td>1</td>" in html
    assert "1 mentor with fewer trainees is not shown here." in html and 'href="/mentors"' in html
    assert "Quiet Quin" in client.get("/mentors").get_data(as_text=True)  # where every mentor is


def test_printable_report_and_timeline(app, client, auth, team):
    uid = team["trainee"]
    auth.login("mentor@example.com")
    token = auth.token(f"/trainees/{uid}")
    client.post(f"/trainees/{uid}/recommendation", data={"recommends": "no", "note": "Needs more calls <b>now</b>.",
                                                         "csrf_token": token})
    report = client.get(f"/trainees/{uid}/report").get_data(as_text=True)
    assert "Progress report: Tara Trainee" in report and "Readiness gates" in report
    assert "Needs more calls &lt;b&gt;now&lt;/b&gt;." in report
    timeline = client.get(f"/trainees/{uid}/timeline").get_data(as_text=True)
    assert "Mentor does not recommend readiness yet" in timeline and "Added as a trainee" in timeline
    assert "=HYPERLINK" not in timeline  # another trainee's events stay out
    assert client.get(f"/trainees/{team['late']}/timeline").status_code == 403


def test_api_trainee_shows_forecast_and_recommendation(app, client, auth, make_user):
    from onboarding.api.tokens import create_token
    from onboarding.auth.models import User

    people = _people(make_user)
    uid = people["trainee"]
    _make_ready(app, uid)
    with app.app_context():
        token = create_token(db.session.get(User, people["head"]), "hr")
        db.session.commit()
    data = client.get(f"/api/v1/trainees/{uid}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert data["ready"] is True and data["forecast"]["basis"] == "ready"
    assert [s["status"] for s in data["stages"]] == ["complete"] * 4
    assert data["recommendation"] is None


def test_audit_log_filters_by_the_trainee_concerned(client, auth, team):
    auth.login("head@example.com")
    html = client.get(f"/audit?trainee={team['late']}").get_data(as_text=True)
    assert "Added as a trainee, starting" in html
    assert html.count("<td>Account created</td>") == 1  # Lars's own account, not the others'
    assert "<td>Signed in</td>" not in html  # the head's login concerns no trainee
    assert client.get("/audit?trainee=99999999999").status_code == 400  # no such trainee: said, not a 500


def test_trainee_home_tells_the_decision(app, client, auth, make_user):
    uid = _people(make_user)["trainee"]
    auth.login("head@example.com")
    client.post(f"/trainees/{uid}/readiness-decision", data={
        "decision": "extended", "note": "More calls.", "plan": "Call with the mentor listening.",
        "new_target_date": (TODAY_REAL() + timedelta(days=30)).isoformat(), "csrf_token": auth.token("/")})
    auth.logout()
    auth.login("t1@example.com")
    html = client.get("/").get_data(as_text=True)
    assert "Your training is extended to" in html
    record_page = client.get(f"/trainees/{uid}").get_data(as_text=True)
    assert "More calls." in record_page and "Record the decision" not in record_page
    assert "Send the recommendation" not in record_page


def test_every_audited_action_reads_as_words():
    """The timeline and the audit page word every action the code records (a new one needs its sentence)."""
    import re
    from pathlib import Path

    from onboarding.audit.models import AuditEvent
    from onboarding.readiness.timeline import describe, worded_actions

    code = "\n".join(p.read_text() for p in Path("onboarding").rglob("*.py"))
    actions = set(re.findall(r'record\("([a-z_]+)"', code)) | {"activity_logged", "activity_changed"}
    actions |= {f"hold_{d}" for d in ("keep", "extend", "withdraw")}
    actions |= {f"readiness_{d}" for d in ("approved", "extended", "rejected")}
    actions |= {f"sign_off_{k}" for k in ("requested", "signed", "returned", "revoked")}
    assert actions - worded_actions() == set(), "actions with no wording"
    assert "Role-play passed" in describe(AuditEvent(action="role_play_result", details={"passed": True,
                                                                                          "percent": 80.0}))
    # which version was signed: a trainee who signs a new version has two signatures on their timeline
    assert describe(AuditEvent(action="document_signed", details={"version": "fedcba9876543210"})) == (
        "Job description signed (version fedcba98)")
    assert describe(AuditEvent(action="document_signed", details={})) == "Job description signed"


def test_a_filter_built_once_takes_each_requests_own_values(app, make_user):
    """The dashboard's statements are built once per kind of filter; the values are each request's own."""
    from .conftest import as_user

    make_user("head", email="head@example.com")
    marta, nils = make_user("mentor", name="Marta Mentor"), make_user("mentor", name="Nils Other")
    ann = make_user("trainee", name="Ann Early", mentor=marta)
    make_user("trainee", name="Bo Later", mentor=nils)
    make_user("trainee", name="Cy Alone")
    complete_stages_before(app, ann, 2)
    client, _auth = as_user(app, "head@example.com")

    def names(query):
        page = client.get(f"/?{query}").get_data(as_text=True)
        return {n for n in ("Ann Early", "Bo Later", "Cy Alone") if f">{n}</a>" in page}

    assert names(f"mentor={marta}") == {"Ann Early"} and names(f"mentor={nils}") == {"Bo Later"}
    assert names("mentor=0") == {"Cy Alone"}
    assert names("stage=2") == {"Ann Early"} and names("stage=1") == {"Bo Later", "Cy Alone"}
    assert names("q=ann") == {"Ann Early"} and names("q=later") == {"Bo Later"}
    assert names(f"q=later&mentor={nils}") == {"Bo Later"} and names(f"q=later&mentor={marta}") == set()


def test_each_csv_line_says_what_the_stored_summary_says(app, client, auth, team):
    from onboarding.auth.models import User
    from onboarding.people.models import TraineeRecord
    from onboarding.readiness.models import ReadinessSummary

    auth.login("head@example.com")
    rows = list(csv.reader(io.StringIO(client.get("/trainees.csv").get_data(as_text=True).lstrip("\ufeff"))))
    header, lines = rows[0], {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert len(header) == 19 and set(lines) == {"late@example.com", "mid@example.com", "t1@example.com"}
    with app.app_context():
        for email, line in lines.items():
            user = db.session.scalar(sa.select(User).where(User.email == email))
            record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == user.id))
            s = db.session.get(ReadinessSummary, user.id)
            mentor = db.session.get(User, record.mentor_id) if record.mentor_id else None
            assert line["Mentor"] == (mentor.full_name if mentor else "")
            assert line["Current stage"] == str(s.current_stage or "complete")
            assert line["Progress %"] == str(s.progress_percent)
            assert line["Start date"] == record.start_date.isoformat()
            assert line["Target date"] == record.target_date.isoformat()
            assert line["Days since start"] == str((TODAY_REAL() - record.start_date).days)
            assert line["Overdue"] == ("yes" if s.behind_after is not None and s.behind_after < TODAY_REAL() else "no")
            assert line["Gates met"] == f"{s.gates_met} of {s.gates_total}"
            assert line["Calls last week"] == str(s.week_calls) and line["Calls target"] == "80"
    assert lines["late@example.com"]["Mentor"] == "Nils Other" and lines["late@example.com"]["Overdue"] == "yes"
    assert lines["mid@example.com"]["Current stage"] == "3"
