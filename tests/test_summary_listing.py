"""What the lists filter on is copied into each trainee's stored summary (listed, status, mentor, start date) so
the dashboard and the API count and page through the summary's own indexes. The copies must follow every change to
the account and the record, in the change's transaction; the migration fills them for summaries already stored."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.people.models import TraineeRecord
from onboarding.people.services import assign_mentor, record_of, set_active, set_role, update_plan
from onboarding.readiness.models import ReadinessSummary

from .conftest import app_on_file, as_user


@pytest.fixture
def people(app, make_user):
    ids = {"head": make_user("head", email="head@example.com", name="Hanna Head"),
           "admin": make_user("admin", email="admin@example.com"),
           "marco": make_user("mentor", email="marco@example.com", name="Marco Mentor"),
           "mona": make_user("mentor", email="mona@example.com", name="Mona Mentor")}
    ids["tom"] = make_user("trainee", email="tom@example.com", name="Tom Becker", mentor=ids["marco"],
                           start=date.today() - timedelta(days=20))
    ids["ida"] = make_user("trainee", email="ida@example.com", name="Ida Early", mentor=ids["marco"],
                           start=date.today() - timedelta(days=60))
    return ids


def _listed(client, query="") -> list:
    page = client.get(f"/?{query}").get_data(as_text=True)
    rows = page[page.find("<tbody"):page.find("</tbody>")] if "<tbody" in page else ""  # not the mentor lists
    return sorted((n for n in ("Tom Becker", "Ida Early") if n in rows), key=rows.index)


def _stored(app, uid) -> tuple:
    with app.app_context():
        s = db.session.get(ReadinessSummary, uid)
        return s.listed, s.status, s.mentor_id, s.start_date


def _change(app, uid, change):
    with app.app_context():
        user, admin = db.session.get(User, uid), db.session.scalar(sa.select(User).where(User.role == "admin"))
        change(user, record_of(user) if user.role == "trainee" else None, admin)
        db.session.commit()


def test_the_lists_follow_the_mentor_the_account_the_role_the_status_and_the_start(app, people):
    head, _auth = as_user(app, "head@example.com")
    tom, marco, mona = people["tom"], people["marco"], people["mona"]
    assert _listed(head) == ["Tom Becker", "Ida Early"]  # newest start first
    assert _listed(head, f"mentor={marco}") == ["Tom Becker", "Ida Early"] and _listed(head, f"mentor={mona}") == []

    _change(app, tom, lambda user, rec, admin: assign_mentor(rec, mona, admin))
    assert _stored(app, tom)[2] == mona
    assert _listed(head, f"mentor={mona}") == ["Tom Becker"] and _listed(head, f"mentor={marco}") == ["Ida Early"]

    _change(app, tom, lambda user, rec, admin: set_active(user, False, admin))
    assert _stored(app, tom)[0] is False
    assert _listed(head) == _listed(head, "status=all") == ["Ida Early"]
    _change(app, tom, lambda user, rec, admin: set_active(user, True, admin))
    assert _listed(head) == ["Tom Becker", "Ida Early"]

    _change(app, tom, lambda user, rec, admin: set_role(user, "mentor", admin))  # a trainee made a mentor
    assert _stored(app, tom)[0] is False and _listed(head, "status=all") == ["Ida Early"]
    _change(app, tom, lambda user, rec, admin: set_role(user, "trainee", admin))
    assert _stored(app, tom)[0] is True and _listed(head) == ["Tom Becker", "Ida Early"]

    _change(app, tom, lambda user, rec, admin: setattr(rec, "status", "withdrawn"))
    assert _stored(app, tom)[1] == "withdrawn"
    assert _listed(head) == ["Ida Early"] and _listed(head, "status=withdrawn") == ["Tom Becker"]
    _change(app, tom, lambda user, rec, admin: setattr(rec, "status", "in_training"))

    earlier = date.today() - timedelta(days=90)  # Tom now started before Ida: the order follows
    _change(app, tom, lambda user, rec, admin: update_plan(rec, earlier, earlier + timedelta(days=180), mona, admin))
    assert _stored(app, tom)[3] == earlier
    assert _listed(head) == ["Ida Early", "Tom Becker"] and _listed(head, "sort=start") == ["Tom Becker", "Ida Early"]


def test_the_api_list_follows_the_copies_too(app, people):
    from onboarding.api.tokens import create_token

    with app.app_context():
        token = create_token(db.session.get(User, people["head"]), "Listing")
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()

    def names(query=""):
        return [t["full_name"] for t in client.get(f"/api/v1/trainees?{query}", headers=headers).get_json()["items"]]

    assert names() == ["Tom Becker", "Ida Early"]
    _change(app, people["tom"], lambda user, rec, admin: set_active(user, False, admin))
    assert names() == ["Ida Early"]
    assert client.get("/api/v1/trainees", headers=headers).get_json()["total"] == 1


def test_trainees_who_started_the_same_day_come_latest_added_first(app, make_user):
    make_user("head", email="head@example.com")
    day = date.today() - timedelta(days=10)
    for name in ("Ada First", "Ben Second", "Cy Third"):
        make_user("trainee", name=name, start=day)
    head, _auth = as_user(app, "head@example.com")
    page = head.get("/").get_data(as_text=True)
    assert page.index("Cy Third") < page.index("Ben Second") < page.index("Ada First")
    page = head.get("/?sort=start").get_data(as_text=True)  # oldest start first: the first added first
    assert page.index("Ada First") < page.index("Ben Second") < page.index("Cy Third")


BEFORE_LISTING = "4e7a2c9d1b35"  # 0023, the revision before 0024


def _summary(trainee_id: int) -> dict:
    """A summary row as revision 0023 stored it (every column without a default)."""
    return {"trainee_id": trainee_id, "current_stage": 1, "progress_percent": 0, "ready": False, "gates_met": 0,
            "gates_total": 5, "forecast_basis": "plan", "role_play": "none", "waits_trainee": 0, "waits_mentor": 0,
            "waits_head": 0, "week_calls": 0, "week_meetings": 0, "rules_version": "old", "computed_on": "2026-11-01",
            "computed_at": "2026-11-01 08:00:00", "steps_done": 0, "steps_total": 9, "overdue": False,
            "blocked": False, "waits": "{}", "week": "{}", "inbox_mentor": 0, "inbox_head": 0}


def test_the_migration_copies_the_account_and_the_record_into_stored_summaries(tmp_path):
    from onboarding.schema import downgrade, upgrade

    app = app_on_file(tmp_path / "old.db")
    people = [(1, "mentor", True), (2, "trainee", True), (3, "trainee", False), (4, "mentor", True)]
    with app.app_context():
        upgrade(revision=BEFORE_LISTING)
        with db.engine.begin() as conn:
            for uid, role, active in people:
                conn.execute(sa.text("INSERT INTO users (id, email, full_name, password_hash, role, active, "
                                     "created_at) VALUES (:id, :email, 'P', 'x', :role, :active, '2026-01-01')"),
                             {"id": uid, "email": f"p{uid}@example.com", "role": role, "active": active})
            records = [(2, "2026-10-05", 1, "in_training"), (3, "2026-09-01", None, "extended"),
                       (4, "2026-08-01", None, "independent")]  # 4: a former trainee, now a mentor
            for uid, start, mentor, status in records:
                conn.execute(sa.text("INSERT INTO trainee_records (user_id, start_date, target_date, mentor_id, "
                                     "status) VALUES (:u, :s, '2027-04-01', :m, :st)"),
                             {"u": uid, "s": start, "m": mentor, "st": status})
                row = _summary(uid)
                conn.execute(sa.text(f"INSERT INTO readiness_summaries ({', '.join(row)}) "
                                     f"VALUES ({', '.join(':' + k for k in row)})"), row)
                conn.execute(sa.text("INSERT INTO readiness_stage_days (trainee_id, stage, days) "
                                     "VALUES (:u, 1, 12), (:u, 2, 30)"), {"u": uid})
        upgrade()
        with db.engine.connect() as conn:
            copied = conn.execute(sa.text("SELECT trainee_id, listed, status, mentor_id, start_date "
                                          "FROM readiness_summaries ORDER BY trainee_id")).all()
            days = conn.execute(sa.text("SELECT trainee_id, stage, days, listed FROM readiness_stage_days "
                                        "ORDER BY trainee_id, stage")).all()
        assert [tuple(r) for r in copied] == [(2, 1, "in_training", 1, "2026-10-05"),
                                              (3, 0, "extended", None, "2026-09-01"),
                                              (4, 0, "independent", None, "2026-08-01")]
        # 0025: the days per stage carry their summary's copy
        assert [tuple(r) for r in days] == [(2, 1, 12, 1), (2, 2, 30, 1), (3, 1, 12, 0), (3, 2, 30, 0),
                                            (4, 1, 12, 0), (4, 2, 30, 0)]
        downgrade(revision=BEFORE_LISTING)
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM readiness_summaries")).scalar() == 3
            assert conn.execute(sa.text("SELECT count(*) FROM readiness_stage_days")).scalar() == 6
            columns = {c["name"] for c in sa.inspect(conn).get_columns("readiness_stage_days")}
            assert "listed" not in columns
        db.engine.dispose()


def test_records_and_summaries_agree_on_every_copy(app, people):
    """The other layer: what the database holds after the changes above equals the record and the account."""
    _change(app, people["ida"], lambda user, rec, admin: assign_mentor(rec, people["mona"], admin))
    with app.app_context():
        pairs = db.session.execute(sa.select(TraineeRecord, ReadinessSummary, User)
                                   .join(ReadinessSummary, ReadinessSummary.trainee_id == TraineeRecord.user_id)
                                   .join(User, User.id == TraineeRecord.user_id)).all()
        assert len(pairs) == 2
        for rec, summary, user in pairs:
            assert (summary.status, summary.mentor_id, summary.start_date) == \
                (rec.status, rec.mentor_id, rec.start_date)
            assert summary.listed is (user.active and user.role == "trainee")


def test_a_dashboard_row_reads_its_columns_in_order_and_a_role_play_whose_time_came_waits_on_its_evaluators():
    """list_row unpacks the columns _row_columns reads, in their order; a scheduled role-play whose time has come
    is shown as due and waits on its evaluators, one a minute early is still only scheduled."""
    import json
    from datetime import date, datetime, timezone

    from onboarding.readiness.dashboard import _SHOWN, list_row

    now = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)

    def row(role_play_at):
        values = {"current_stage": 3, "stage_end": date(2026, 12, 20), "steps_done": 7, "steps_total": 12,
                  "overdue": False, "blocked": True, "ready": False,
                  "waits": json.dumps({"mentor": {"sign_off": 2}, "evaluators": {"stale": 1}}),
                  "forecast_basis": "projected", "forecast_date": date(2027, 1, 8), "role_play": "scheduled",
                  "role_play_at": role_play_at, "stage4_opened": None, "week": json.dumps({"calls": [40, 80]})}
        found = (5, "in_training", date(2026, 11, 2), date(2027, 1, 25), "Tom Becker", True, 2, "Marco Mentor",
                 False, *(values[name] for name in _SHOWN))
        return list_row(found, date(2026, 12, 1), now)

    due = row(datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc))
    assert (due.record.user_id, due.record.status, due.record.start_date, due.record.target_date) == \
        (5, "in_training", date(2026, 11, 2), date(2027, 1, 25))
    assert (due.trainee.full_name, due.mentor.id, due.mentor.full_name, due.mentor.active) == \
        ("Tom Becker", 2, "Marco Mentor", False)
    assert (due.current_stage, due.stage_end, due.steps_done, due.steps_total, due.days_since_start) == \
        (3, date(2026, 12, 20), 7, 12, 29)
    assert (due.overdue, due.blocked, due.ready, due.stage4_opened) == (False, True, False, None)
    assert (due.forecast.basis, due.forecast.date, due.forecast.target) == \
        ("projected", date(2027, 1, 8), date(2027, 1, 25))
    assert dict(due.week) == {"calls": (40, 80)}
    assert list(due.waits) == ["trainee", "mentor", "evaluators", "head"]
    assert (due.role_play, dict(due.waits["evaluators"]), dict(due.waits["mentor"])) == \
        ("due", {"role_play": 1}, {"sign_off": 2})
    early = row(datetime(2026, 12, 1, 10, 1, tzinfo=timezone.utc))
    assert (early.role_play, dict(early.waits["evaluators"])) == ("scheduled", {})
