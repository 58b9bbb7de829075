"""The cohort view's numbers, computed in SQL (readiness.cohort), equal the same numbers counted one trainee at a
time in Python: per stage, behind plan, the days each stage took, the ramp to approval and each mentor's load,
with inactive accounts, trainees who left the path and trainees without a mentor among them."""
from collections import Counter
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.people.models import TraineeRecord
from hypothesis import given
from hypothesis import strategies as st

from onboarding.readiness.cohort import Spread, _spread_of, cohort, spread
from onboarding.readiness.models import APPROVED, ReadinessDecision, ReadinessStageDays, ReadinessSummary
from onboarding.readiness.rows import ACTIVE_STATUSES
from onboarding.timeutil import aware, today

from .conftest import complete_stages_before


def _by_hand(app) -> dict:
    """The cohort counted row by row from the stored summaries, records and accounts."""
    rows = db.session.execute(sa.select(TraineeRecord, User, ReadinessSummary)
                              .join(User, User.id == TraineeRecord.user_id)
                              .join(ReadinessSummary, ReadinessSummary.trainee_id == TraineeRecord.user_id)).all()
    everyone = {r.user_id for r, u, _s in rows if u.active and u.role == "trainee"}
    active = [(r, s) for r, u, s in rows if r.user_id in everyone and r.status in ACTIVE_STATUSES]
    names = dict(db.session.execute(sa.select(User.id, User.full_name)).all())
    stages = Counter(s.current_stage for _r, s in active)
    days = {}
    for d in db.session.scalars(sa.select(ReadinessStageDays)):
        if d.trainee_id in everyone:
            days.setdefault(d.stage, Counter())[d.days] += 1
    starts = {r.user_id: r.start_date for r, _u, _s in rows}
    ramps = [(aware(d.decided_at).date() - starts[d.trainee_id]).days
             for d in db.session.scalars(sa.select(ReadinessDecision))
             if d.decision == APPROVED and d.trainee_id in everyone]
    load = {}
    for r, s in active:
        entry = load.setdefault(r.mentor_id, {"trainees": 0, "waiting": 0})
        entry["trainees"] += 1
        entry["waiting"] += s.waits_mentor
    cur = app.extensions["curriculum"]
    return {"complete": stages[None], "per_stage": {n.number: stages[n.number] for n in cur.stages},
            "overdue": sum(1 for _r, s in active if s.behind_after is not None and s.behind_after < today()),
            "stages": [spread(days.get(n.number, Counter()).elements()) for n in cur.stages],
            "ramp": spread(ramps),
            "load": sorted(((names.get(m), counts) for m, counts in load.items()),
                           key=lambda item: (item[0] is None, -item[1]["trainees"], item[0] or ""))}


def test_the_cohort_in_sql_equals_the_cohort_counted_by_hand(app, make_user):
    mentor = make_user("mentor", name="Marta Mentor")
    other = make_user("mentor", name="Nils Other")
    long_ago = today() - timedelta(days=200)
    ids = {
        "new": make_user("trainee", mentor=mentor),
        "late": make_user("trainee", mentor=mentor, start=long_ago),  # behind plan in stage 1
        "stage3": make_user("trainee", mentor=other, start=today() - timedelta(days=40)),
        "stage2": make_user("trainee", start=today() - timedelta(days=20)),  # no mentor yet
        "approved": make_user("trainee", mentor=other, start=long_ago),
        "withdrawn": make_user("trainee", mentor=mentor, start=long_ago),  # off the path: no stage, no load
        "inactive": make_user("trainee", mentor=mentor, start=long_ago, active=False),  # counted nowhere
    }
    complete_stages_before(app, ids["stage3"], 3)
    complete_stages_before(app, ids["stage2"], 2)
    complete_stages_before(app, ids["approved"], 5)
    complete_stages_before(app, ids["withdrawn"], 2)
    complete_stages_before(app, ids["inactive"], 3)
    with app.app_context():
        for key, status in (("approved", "independent"), ("withdrawn", "withdrawn")):
            # through the record, as the decisions write it: the change refreshes the trainee's stored summary
            db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == ids[key])).status = status
        for key in ("approved", "inactive"):
            db.session.add(ReadinessDecision(trainee_id=ids[key], decision=APPROVED, note="Ready.",
                                             decided_at=datetime.now(timezone.utc) - timedelta(days=3)))
        db.session.commit()
        found, expected = cohort(app.config["READINESS_MIN_WEEKS"]), _by_hand(app)
        assert found["per_stage"] == expected["per_stage"] and found["complete"] == expected["complete"]
        assert sum(found["per_stage"].values()) + found["complete"] == found["active"] == 4
        assert found["overdue"] == expected["overdue"] >= 1
        assert [s for _stage, s in found["stages"]] == expected["stages"]
        assert found["stages"][0][1].n == 4  # stage 1 done by stage3, stage2, approved and withdrawn
        assert found["ramp"] == expected["ramp"] and found["ramp"].n == 1  # the inactive account's is not counted
        assert found["mentor_load"] == expected["load"]
        assert found["mentor_load"][-1] == (None, {"trainees": 1, "waiting": 0})  # the trainee without a mentor


def test_two_mentors_of_the_same_name_are_two_rows_of_the_mentor_load(app, make_user):
    """A company can employ two Anna Schmidts: each carries her own trainees, counted apart."""
    first = make_user("mentor", name="Anna Schmidt")
    second = make_user("mentor", name="Anna Schmidt")
    make_user("trainee", mentor=first)
    make_user("trainee", mentor=first)
    make_user("trainee", mentor=second)
    with app.app_context():
        load = cohort(app.config["READINESS_MIN_WEEKS"])["mentor_load"]
    assert load == [("Anna Schmidt", {"trainees": 2, "waiting": 0}), ("Anna Schmidt", {"trainees": 1, "waiting": 0})]


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=40)),
                max_size=30))
def test_the_spread_read_from_counts_equals_the_spread_of_the_sample_written_out(histogram):
    """The cohort's medians and quartiles come from (days, how many trainees) pairs: the same numbers as from every
    trainee's days one by one, for any sample (odd and even sizes, one value, repeated values, counts of 0)."""
    assert _spread_of(histogram) == spread([days for days, times in histogram for _ in range(times)])


def test_the_spread_of_a_small_sample_by_hand():
    assert _spread_of([(10, 1)]) == Spread(1, 10.0, 10.0, 10.0, 10, 10)
    # 3 4 4 9 | 12 20 20 30: quartiles are the medians of each half
    assert _spread_of([(20, 2), (4, 2), (3, 1), (30, 1), (9, 1), (12, 1)]) == Spread(8, 10.5, 4.0, 20.0, 3, 30)
    assert _spread_of([(5, 0)]) == Spread(0)


def test_the_busiest_mentors_and_those_left_out():
    from onboarding.readiness.cohort import busiest

    load = [("Ann", {"trainees": 3}), ("Bo", {"trainees": 2}), ("Cy", {"trainees": 1}), (None, {"trainees": 4})]
    assert busiest(load, 2) == ([load[0], load[1], load[3]], 1)
    assert busiest(load, 3) == (load, 0)  # exactly as many as shown: none left out
    assert busiest(load[:3], 5) == (load[:3], 0)


def test_the_busiest_mentors_read_in_sql_are_the_ones_busiest_picks(app, make_user):
    """The cohort page asks for its few busiest mentors in SQL (a company has two hundred): for every number shown,
    the same mentors in the same order as `busiest` picks from the whole load, and as many left out; ties by name."""
    from onboarding.readiness.cohort import busiest

    names = ("Ann Ames", "Bo Berg", "Cy Cole", "Di Dahl")
    mentors = [make_user("mentor", name=name) for name in names]
    for mentor, trainees in zip(mentors, (1, 3, 1, 2)):
        for _ in range(trainees):
            make_user("trainee", mentor=mentor)
    make_user("trainee")  # nobody mentors them
    with app.app_context():
        whole = cohort(app.config["READINESS_MIN_WEEKS"])
        assert [name for name, _load in whole["mentor_load"]] == ["Bo Berg", "Di Dahl", "Ann Ames", "Cy Cole", None]
        for shown in range(0, 6):
            found = cohort(app.config["READINESS_MIN_WEEKS"], mentors_shown=shown)
            assert (found["mentor_load"], found["mentors_left"]) == busiest(whole["mentor_load"], shown), shown


def test_the_cohort_page_kept_shows_a_change_at_once_in_the_readers_language(app, make_user):
    """The page's body is kept per worker under its counts (readiness.views.cohort_view): a new trainee, a
    renamed mentor and another language are each another page, never the one kept before."""
    import re

    from .conftest import as_user

    make_user("head", email="head@example.com")
    mentor = make_user("mentor", name="Marta Mentor")
    make_user("trainee", mentor=mentor)
    head, _auth = as_user(app, "head@example.com")

    def in_training(html):
        return int(re.search(r"<strong>(\d+)</strong> in training", html).group(1))

    first = head.get("/cohort").get_data(as_text=True)
    assert in_training(first) == 1 and "Marta Mentor" in first and 'class="chart"' in first
    assert head.get("/cohort").get_data(as_text=True) == first  # the same counts: the same page
    make_user("trainee", mentor=mentor)
    with app.app_context():
        db.session.get(User, mentor).full_name = "Marta Renamed"
        db.session.commit()
    second = head.get("/cohort").get_data(as_text=True)
    assert in_training(second) == 2 and "Marta Renamed" in second and "Marta Mentor" not in second
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == "head@example.com")).locale = "ar"
        db.session.commit()
    arabic = head.get("/cohort").get_data(as_text=True)
    assert "Marta Renamed" in arabic and "in training" not in arabic
