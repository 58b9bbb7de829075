"""The funnel from prospects (issue 14, items 1 and 5): the pure rules branch by branch, the ledger form and the
mentor's correction refusing a later step above an earlier one, unknown prospects shown as unknown, the migration,
the API's funnel, the monthly events target, the team's segment, and the modules' figures from the same place."""
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa

from onboarding.extensions import db
from onboarding.activity import rules
from onboarding.activity.models import ActivityEntry, ActivityTarget

from .conftest import as_user

# ---------------------------------------------------------------- pure rules: the funnel's benchmark


def _funnel(prospects, deals, unknown_days=0, applications=None):
    return rules.funnel({"prospects": prospects, "applications": deals if applications is None else applications,
                         "deals": deals}, {"prospects": unknown_days} if unknown_days else {})


def test_exactly_one_in_ten_meets_the_benchmark():
    assert _funnel(10, 1).meets_benchmark is True and _funnel(10, 1).conversion == Decimal("10.0")
    assert _funnel(100, 10).meets_benchmark is True and _funnel(100, 10).conversion == 10


def test_nine_in_a_hundred_is_below_it():
    funnel = _funnel(100, 9)
    assert funnel.meets_benchmark is False and funnel.conversion == 9


def test_just_under_the_benchmark_never_reads_as_met():
    """999 deals in 10,000 prospects is 9.99 per 100: shown rounded down, so it never displays as 10.0 unmet."""
    funnel = _funnel(10000, 999)
    assert funnel.meets_benchmark is False and funnel.conversion == Decimal("9.9")
    assert _funnel(3, 1).conversion == Decimal("33.3")


def test_zero_prospects_tell_nothing():
    funnel = _funnel(0, 0)
    assert funnel.conversion is None and funnel.conversion_at_most is None and funnel.meets_benchmark is None
    assert rules.funnel({}).conversion is None and rules.funnel({}).meets_benchmark is None


def test_unknown_prospects_make_the_conversion_a_bound_never_a_figure():
    # 20 prospects known and 2 deals: met on what is known, but unknown days may hold more prospects.
    maybe = _funnel(20, 2, unknown_days=5)
    assert maybe.conversion is None and maybe.conversion_at_most == 10 and maybe.meets_benchmark is None
    # Below the benchmark on the prospects known is below it whatever the unknown days held.
    below = _funnel(50, 4, unknown_days=5)
    assert below.meets_benchmark is False and below.conversion_at_most == 8
    # Every logged day unknown: no prospects known, nothing to tell.
    none_known = _funnel(0, 3, unknown_days=12)
    assert none_known.conversion is None and none_known.conversion_at_most is None
    assert none_known.meets_benchmark is None and none_known.prospects_unknown_days == 12


def test_the_funnel_reads_prospects_first_not_decision_makers():
    """The demo's old reading, 50 decision makers -> 63 meetings -> 20 deals = "40 per 100", is no funnel: the
    conversion is deals per prospect."""
    funnel = rules.funnel({"prospects": 200, "decision_makers": 50, "meetings": 63, "applications": 30, "deals": 20})
    assert funnel.conversion == 10 and funnel.meets_benchmark is True
    assert rules.FUNNEL == ("prospects", "decision_makers", "meetings", "applications", "deals")


# ---------------------------------------------------------------- pure rules: sums over days that may not know

def test_sums_count_the_days_that_do_not_know_a_figure():
    days = [{"prospects": None, "calls": 10}, {"prospects": 4, "calls": 5}, {"prospects": None, "calls": 0}]
    totals, unknown = rules.sums(days)
    assert totals["prospects"] == 4 and totals["calls"] == 15 and unknown == {"prospects": 2}
    assert rules.sums([{"prospects": 0}])[1] == {}  # 0 is known: none


def test_weeks_carry_their_unknown_days():
    days = {date(2026, 11, 2): {"prospects": None, "calls": 20}, date(2026, 11, 3): {"prospects": 3, "calls": 4}}
    (week,) = rules.weeks(days, date(2026, 11, 2), date(2026, 11, 6))
    assert week.totals["prospects"] == 3 and week.unknown == {"prospects": 1} and week.totals["calls"] == 24


# ---------------------------------------------------------------- pure rules: the subset rule, pair by pair

def _totals(**given):
    return {f: 0 for f in rules.FIGURES} | given


def test_applications_may_not_exceed_prospects():
    assert rules.subset_breaches(_totals(prospects=3, applications=3)) == ()  # equal: the boundary holds
    (breach,) = rules.subset_breaches(_totals(prospects=3, applications=4))
    assert (breach.later, breach.earlier, breach.later_total, breach.earlier_total) == ("applications", "prospects",
                                                                                        4, 3)


def test_deals_may_not_exceed_applications():
    assert rules.subset_breaches(_totals(prospects=9, applications=2, deals=2)) == ()
    (breach,) = rules.subset_breaches(_totals(prospects=9, applications=2, deals=3))
    assert (breach.later, breach.earlier, breach.later_total, breach.earlier_total) == ("deals", "applications", 3, 2)


def test_both_pairs_broken_are_both_named():
    assert [(b.later, b.earlier) for b in rules.subset_breaches(_totals(prospects=1, applications=2, deals=3))] == \
        [("applications", "prospects"), ("deals", "applications")]


def test_meetings_and_decision_makers_count_contacts_and_bound_nothing():
    """One prospect's decision maker is reached and met several times: neither is a subset of the prospects,
    and applications are not bounded by them."""
    assert rules.subset_breaches(_totals(prospects=1, decision_makers=6, meetings=9, applications=1, deals=1)) == ()
    assert rules.subset_breaches(_totals(prospects=5, decision_makers=0, meetings=0, applications=2)) == ()


def test_unknown_prospects_bound_nothing():
    """Prospects unknown on some days are at least their known sum: no upper bound, so no refusal."""
    assert rules.subset_breaches(_totals(prospects=0, applications=5), {"prospects": 3}) == ()
    # ...but the pair below them still holds.
    assert len(rules.subset_breaches(_totals(prospects=0, applications=1, deals=2), {"prospects": 3})) == 1


def test_a_change_is_refused_only_when_it_makes_or_widens_a_breach():
    fine = rules.sums([{"prospects": 2, "applications": 1, "deals": 0}])
    assert rules.funnel_refusals(fine, rules.sums([{"prospects": 2, "applications": 2, "deals": 1}])) == ()
    (made,) = rules.funnel_refusals(fine, rules.sums([{"prospects": 2, "applications": 1, "deals": 2}]))
    assert made.later == "deals"
    # A ledger broken before the rule (3 deals on 1 application) does not block other days...
    old = rules.sums([{"prospects": 5, "applications": 1, "deals": 3}])
    assert rules.funnel_refusals(old, rules.sums([{"prospects": 5, "applications": 1, "deals": 3},
                                                   {"prospects": 1, "calls": 20}])) == ()
    assert rules.funnel_refusals(old, rules.sums([{"prospects": 5, "applications": 2, "deals": 3}])) == ()  # narrows
    # ...but a change that widens it is refused.
    assert len(rules.funnel_refusals(old, rules.sums([{"prospects": 5, "applications": 1, "deals": 4}]))) == 1


# ---------------------------------------------------------------- pure rules: targets

def test_the_events_target_is_one_a_month_by_default():
    assert rules.DEFAULT_TARGETS["events"] == 1 and "events" in rules.MONTHLY
    assert rules.weekly_share("events", 1) == Fraction(12, 52) and rules.weekly_share("calls", 80) == 80


def test_a_monthly_target_is_met_at_its_weekly_share():
    """One event a month over 8 weeks asks for 8 x 12/52 = 1.85 events: 2 meet it, 1 does not."""
    def weeks_with(events):
        days = {date(2026, 11, 2) + timedelta(weeks=n): {"events": int(n < events)} for n in range(8)}
        return rules.weeks(days, date(2026, 11, 2), date(2026, 12, 27))

    assert rules.targets_met(weeks_with(2), {"events": 1}) is True
    assert rules.targets_met(weeks_with(1), {"events": 1}) is False
    assert rules.targets_met(weeks_with(0), {"events": 0}) is True


def test_segments_hold_the_domains_meetings_a_day():
    assert rules.SEGMENTS == {"b2b": (1, 2), "consumer": (20, 20)} and rules.DEFAULT_SEGMENT == "b2b"


def test_the_models_defaults_are_the_rules_defaults():
    for figure, value in rules.DEFAULT_TARGETS.items():
        assert ActivityTarget.__table__.c[figure].default.arg == value, figure


# ---------------------------------------------------------------- the ledger form and the correction

@pytest.fixture
def people(make_user):
    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    trainee = make_user("trainee", email="sam@example.com", name="Sam Trainee", mentor=mentor,
                        start=date.today() - timedelta(days=30))
    return {"mentor": mentor, "trainee": trainee, "head": make_user("head", email="head@example.com")}


def _day(n):
    return date.today() - timedelta(days=n)


def _figures(**given):
    return {f: str(given.get(f, 0)) for f in rules.FIGURES}


def _log(client, auth, uid, day, **given):
    url = f"/trainees/{uid}/activity"
    return client.post(url, data={**_figures(**given), "day": day.isoformat(), "note": "Typed note",
                                  "csrf_token": auth.token(url)})


def test_the_form_refuses_an_application_without_a_prospect_and_keeps_everything_typed(app, people):
    uid = people["trainee"]
    client, auth = as_user(app, "sam@example.com")
    assert _log(client, auth, uid, _day(3), prospects=2, calls=30).status_code == 302
    refused = _log(client, auth, uid, _day(2), prospects=0, calls=12, meetings=2, applications=3)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Applications received would come to 3 since the start date, more than the 2 new prospects logged" in html
    assert 'id="applications-error"' in html  # beside the figure that breaks the funnel
    for name, value in (("calls", "12"), ("meetings", "2"), ("applications", "3"), ("prospects", "0")):
        assert f'name="{name}" type="number" value="{value}"' in html or \
            f'value="{value}"' in html.split(f'name="{name}"')[1].split(">")[0], name
    assert "Typed note" in html and _day(2).isoformat() in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ActivityEntry.id))) == 1
    # Logged in order (the prospects first), the same day goes through.
    assert _log(client, auth, uid, _day(2), prospects=1, applications=3).status_code == 302


def test_the_form_refuses_a_deal_without_an_application(app, people):
    uid = people["trainee"]
    client, auth = as_user(app, "sam@example.com")
    assert _log(client, auth, uid, _day(3), prospects=5, applications=1, deals=1).status_code == 302
    refused = _log(client, auth, uid, _day(2), deals=1)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="deals-error"' in html
    assert "Deals closed would come to 2 since the start date, more than the 1 applications received" in html


def test_a_new_day_needs_its_prospects(app, people):
    uid = people["trainee"]
    client, auth = as_user(app, "sam@example.com")
    url = f"/trainees/{uid}/activity"
    response = client.post(url, data={**_figures(calls=5), "prospects": "", "day": _day(1).isoformat(),
                                      "csrf_token": auth.token(url)})
    assert response.status_code == 400 and 'id="prospects-error"' in response.get_data(as_text=True)


def _legacy_day(app, uid, day, **figures):
    """A day as it was logged before prospects were recorded: prospects NULL."""
    with app.app_context():
        entry = ActivityEntry(trainee_id=uid, day=day, entered_by=uid,
                              **({f: 0 for f in rules.FIGURES if f != "prospects"} | figures))
        db.session.add(entry)
        db.session.commit()
        return entry.id


def test_unknown_prospects_show_as_not_recorded_never_0(app, people):
    uid = people["trainee"]
    _legacy_day(app, uid, _day(4), calls=20, applications=2, deals=1)
    client, auth = as_user(app, "sam@example.com")
    assert _log(client, auth, uid, _day(1), prospects=6, calls=10).status_code == 302
    html = client.get(f"/trainees/{uid}/activity").get_data(as_text=True)
    funnel = html.split('class="funnel"')[1].split("</ol>")[0]
    assert "new prospects: at least" in funnel and "not recorded on 1 day" in funnel
    assert "at most 16.6 deals per 100 prospects" in html  # 1 deal on at least 6 prospects
    assert "not recorded" in html.split('id="days"')[1]
    # The loaded legacy day keeps its prospects blank, and saving another change keeps them unknown.
    page = client.get(f"/trainees/{uid}/activity?day={_day(4).isoformat()}").get_data(as_text=True)
    from .test_ledger_editing import _Form

    fields = _Form(page).fields
    assert fields["prospects"] == "" and fields["calls"] == "20"
    assert client.post(f"/trainees/{uid}/activity", data=fields | {"calls": "21"}).status_code == 302
    with app.app_context():
        entry = db.session.scalar(sa.select(ActivityEntry).where(ActivityEntry.day == _day(4)))
        assert entry.prospects is None and entry.calls == 21


def test_entering_the_prospects_of_a_legacy_day_says_so_and_is_audited(app, people):
    uid = people["trainee"]
    _legacy_day(app, uid, _day(4), calls=20)
    client, _ = as_user(app, "sam@example.com")
    from .test_ledger_editing import _Form

    fields = _Form(client.get(f"/trainees/{uid}/activity?day={_day(4).isoformat()}").get_data(as_text=True)).fields
    saved = client.post(f"/trainees/{uid}/activity", data=fields | {"prospects": "3"}, follow_redirects=True)
    assert "New prospects not recorded → 3" in saved.get_data(as_text=True)
    head, _ = as_user(app, "head@example.com")
    audit = head.get(f"/audit?trainee={uid}").get_data(as_text=True)
    assert "from — to 3" in audit and "None" not in audit


def test_a_mentor_correction_keeps_the_funnel_too(app, people):
    uid = people["trainee"]
    client, auth = as_user(app, "sam@example.com")
    assert _log(client, auth, uid, _day(3), prospects=4, applications=1).status_code == 302
    with app.app_context():
        entry_id = db.session.scalar(sa.select(ActivityEntry.id))
    mentor, m_auth = as_user(app, "mentor@example.com")
    url = f"/activity/{entry_id}/correct"
    refused = mentor.post(url, data={**_figures(prospects=4, applications=1, deals=2), "note": "Two deals signed",
                                     "csrf_token": m_auth.token(url)})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="deals-error"' in html and "Two deals signed" in html
    assert "Deals closed would come to 2 since the start date, more than the 1 applications received" in html
    ok = mentor.post(url, data={**_figures(prospects=4, applications=2, deals=2), "note": "Two deals signed",
                                "csrf_token": m_auth.token(url)})
    assert ok.status_code == 302


def test_a_correction_of_a_legacy_day_leaves_its_prospects_unknown(app, people):
    uid = people["trainee"]
    entry_id = _legacy_day(app, uid, _day(5), calls=9)
    mentor, m_auth = as_user(app, "mentor@example.com")
    url = f"/activity/{entry_id}/correct"
    form = mentor.get(url).get_data(as_text=True)
    assert 'name="prospects" type="number" value=""' in form or 'value=""' in form.split('name="prospects"')[1][:60]
    data = {**_figures(calls=8), "prospects": "", "note": "Miscounted", "csrf_token": m_auth.token(url)}
    assert mentor.post(url, data=data).status_code == 302
    with app.app_context():
        correction = db.session.scalar(sa.select(ActivityEntry).where(ActivityEntry.corrects_id == entry_id))
        assert correction.calls == 8 and correction.prospects is None


# ---------------------------------------------------------------- the API carries the funnel

def test_the_api_carries_the_funnel_as_its_document_describes(app, people):
    import jsonschema
    from openapi_spec_validator import validate

    uid = people["trainee"]
    _legacy_day(app, uid, _day(6), calls=10, applications=1)
    client, auth = as_user(app, "sam@example.com")
    assert _log(client, auth, uid, _day(2), prospects=10, applications=1, deals=1).status_code == 302
    with app.app_context():
        from onboarding.api.tokens import create_token

        from onboarding.auth.models import User

        token = create_token(db.session.scalar(sa.select(User).where(User.email == "head@example.com")), "test")
        db.session.commit()
    answer = app.test_client().get(f"/api/v1/trainees/{uid}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["funnel"] == {"prospects": 10, "prospects_unknown_days": 1, "decision_makers": 0, "meetings": 0,
                              "applications": 2, "deals": 1, "deals_per_100_prospects": None,
                              "deals_per_100_prospects_at_most": 10.0, "benchmark_deals_per_100_prospects": 10.0,
                              "meets_benchmark": None}
    # activity_totals keeps exactly the figures it always had.
    assert set(body["activity_totals"]) == {"calls", "meetings", "applications", "orders", "referrals", "events",
                                            "decision_makers", "deals"}
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(document)
    schema = {"$ref": "#/components/schemas/TraineeDetail", "components": document["components"]}
    jsonschema.Draft202012Validator(schema).validate(body)
    funnel_schema = {"$ref": "#/components/schemas/Funnel", "components": document["components"]}
    with pytest.raises(jsonschema.ValidationError):  # the document does describe it: a wrong type is refused
        jsonschema.Draft202012Validator(funnel_schema).validate({**body["funnel"], "prospects": None})
    assert set(document["components"]["schemas"]["Funnel"]["required"]) == set(body["funnel"])


# ---------------------------------------------------------------- targets: the events default and the segment

def test_without_any_targets_set_the_events_target_is_one_a_month(app, people):
    from onboarding.activity.services import segment_for, targets_for

    with app.app_context():
        assert targets_for(None)["events"] == 1 and segment_for(None) == "b2b"
    head, _ = as_user(app, "head@example.com")
    page = head.get("/targets").get_data(as_text=True)
    assert "Per month; every other target is per week." in page and "B2B: 1 to 2 meetings a day" in page
    assert "Consumer goods: about 20 meetings a day" in page


def test_the_activity_page_shows_the_teams_segment_and_the_monthly_events_target(app, people):
    uid = people["trainee"]
    head, h_auth = as_user(app, "head@example.com")
    data = {f"t0-{f}": str(v) for f, v in rules.DEFAULT_TARGETS.items()} | {"t0-segment": "consumer",
                                                                           "csrf_token": h_auth.token("/targets")}
    assert head.post("/targets", data=data).status_code == 302
    html = head.get(f"/trainees/{uid}/activity").get_data(as_text=True)
    assert "Segment: Consumer goods: about 20 meetings a day." in html and "1 a month" in html


def test_the_migration_keeps_every_row_and_leaves_prospects_unknown(tmp_path):
    """Rows logged before revision 0013 keep their figures, their prospects NULL; a weekly events target becomes
    the same pace a month; and back."""
    from onboarding.schema import downgrade, upgrade

    from .conftest import app_on_file

    app = app_on_file(tmp_path / "old.db")
    with app.app_context():
        upgrade(revision="9a3e6f1c2b58")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO users (id, email, full_name, password_hash, role, active, created_at) "
                                 "VALUES (1, 't@example.com', 'T', 'x', 'trainee', 1, '2026-01-01')"))
            conn.execute(sa.text("INSERT INTO activity_entries (trainee_id, day, calls, meetings, applications, "
                                 "orders, referrals, events, decision_makers, deals, entered_at) VALUES "
                                 "(1, '2026-11-02', 20, 2, 1, 1, 1, 0, 3, 1, '2026-11-02')"))
            conn.execute(sa.text("INSERT INTO activity_targets (calls, meetings, applications, orders, referrals, "
                                 "events, decision_makers, deals, updated_at) VALUES "
                                 "(80, 5, 2, 1, 3, 1, 3, 1, '2026-11-02')"))
        upgrade()
        with db.engine.connect() as conn:
            row = conn.execute(sa.text("SELECT prospects, calls, meetings, applications, orders, referrals, events, "
                                       "decision_makers, deals FROM activity_entries")).one()
            assert tuple(row) == (None, 20, 2, 1, 1, 1, 0, 3, 1)
            target = conn.execute(sa.text("SELECT events, prospects, segment FROM activity_targets")).one()
            assert tuple(target) == (4, 0, "b2b")  # 1 a week is about 4 a month
        downgrade(revision="9a3e6f1c2b58")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT events FROM activity_targets")).scalar() == 1
            assert conn.execute(sa.text("SELECT calls FROM activity_entries")).scalar() == 20
        db.engine.dispose()


# ---------------------------------------------------------------- the demo

def test_the_demo_ledgers_show_the_funnel_from_prospects(tmp_path_factory, migrated_template):
    """trainee2's week and trainee3's supervised weeks record prospects on every day and keep the subset rule;
    trainee3, close to readiness, meets the benchmark and the monthly events target."""
    from onboarding.auth.models import User
    from onboarding.activity.services import ledger_days

    from .conftest import seeded_demo

    demo = seeded_demo(tmp_path_factory, migrated_template, "funnel-demo")
    app = next(demo)
    with app.app_context():
        funnels = {}
        for email in ("trainee2@example.com", "trainee3@example.com"):
            uid = db.session.scalar(sa.select(User.id).where(User.email == email))
            totals, unknown = rules.sums(ledger_days(uid).values())
            assert totals["prospects"] > 0 and unknown == {} and rules.subset_breaches(totals, unknown) == ()
            funnels[email] = rules.funnel(totals, unknown)
        assert funnels["trainee3@example.com"].meets_benchmark is True
        t2 = db.session.scalar(sa.select(User.id).where(User.email == "trainee2@example.com"))
    from .conftest import AuthActions

    client = app.test_client()
    assert AuthActions(client).login("mentor@example.com", "demo-pass-2024").status_code == 302
    html = client.get(f"/trainees/{t2}/activity").get_data(as_text=True)
    funnel = html.split('class="funnel"')[1].split("</ol>")[0]
    assert "new prospect" in funnel and "not recorded" not in funnel
    next(demo, None)


# ---------------------------------------------------------------- the modules' figures come from the same place

TARGETS_LINE = ("Calls: {{ target.calls }}; events: {{ target.events }}; prospects: {{ target.prospects }}; "
                "B2B: {{ segment.b2b }}; consumer goods: {{ segment.consumer }}; {{ funnel.benchmark }} sign. "
                "Calls one day")


def test_target_directives_show_the_figures_the_platform_measures(tmp_path):
    import shutil

    from onboarding.content.loader import load_curriculum

    from .test_content import GOOD, edit

    root = tmp_path / "content"
    shutil.copytree(GOOD, root)
    edit(root, "s4-work/rhythm.md", "Calls one day", TARGETS_LINE)
    html = load_curriculum(root).modules["rhythm"].html
    assert ("Calls: 80 a week; events: 1 a month; prospects: no target; B2B: 1 to 2 meetings a day; "
            "consumer goods: about 20 meetings a day; 1 in 10 sign.") in html
    assert f"{rules.DEFAULT_TARGETS['calls']} a week" in html and "{{" not in html


@pytest.mark.parametrize("directive, message", [
    ("{{ target.visits }}", "unknown directive `target.visits`: `target.` takes `prospects`, `calls`"),
    ("{{ segment.b2c }}", "unknown directive `segment.b2c`: `segment.` takes `b2b`, `consumer`"),
    ("{{ funnel.rate }}", "unknown directive `funnel.rate`: `funnel.` takes `benchmark`"),
    ("{{ target.calls 2 }}", "`target.calls` takes 0 arguments, got 1"),
])
def test_check_content_names_an_unknown_directive_key(app, runner, tmp_path, content_dir, directive, message):
    import shutil

    broken = tmp_path / "content"
    shutil.copytree(content_dir, broken)
    rhythm = broken / "s4-work" / "rhythm.md"
    rhythm.write_text(rhythm.read_text(encoding="utf-8").replace("Calls one day", f"{directive} Calls one day"),
                      encoding="utf-8")
    app.config["CONTENT_DIR"] = str(broken)
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 1
    assert any(line.startswith("content/s4-work/rhythm.md:8: ") and message in line
               for line in result.output.splitlines()), result.output


def test_the_shipped_modules_take_their_targets_from_the_rules():
    """The modules that teach the targets, segments and benchmark show them through directives, in every
    language: none types "1 in 10", "80 a week" or "1 to 2 meetings a day" by hand."""
    from onboarding.content.loader import load_curriculum

    from .test_content import SHIPPED

    cur = load_curriculum(SHIPPED, SHIPPED.parent / "quizzes")
    rhythm = cur.modules["working-rhythm"].html
    assert "80 a week" in rhythm and "1 a month" in rhythm and "New prospects" in rhythm
    assert "1 to 2 meetings a day" in cur.modules["effectiveness"].html
    assert "about 20 meetings a day" in cur.modules["effectiveness"].html
    assert "80 في الأسبوع" in cur.translations["ar"]["modules"]["working-rhythm"].html
    assert "1 في الشهر" in cur.translations["ar"]["modules"]["working-rhythm"].html
    for slug in ("working-rhythm", "effectiveness", "sales-system", "readiness-review", "referrals-events"):
        for path in (SHIPPED.glob(f"*/{slug}.md"), SHIPPED.glob(f"*/{slug}.ar.md")):
            for file in path:
                text = file.read_text(encoding="utf-8")
                for typed in ("1 in 10", "80 a week", "1 to 2 meetings", "about 20 meetings", "1 a month",
                              "3 a week"):
                    assert typed not in text, f"{file.name} types {typed!r}"
