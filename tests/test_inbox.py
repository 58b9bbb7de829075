"""The inbox: everything that waits on one person, for the right person only, oldest first, with how long it has
waited; acting from it comes back to it."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from onboarding.assessment.models import AWAITING, GRADED, Answer, QuizAttempt
from onboarding.extensions import db
from onboarding.activity.models import ActivityEntry
from onboarding.mentoring.models import RolePlayAttempt, RolePlayEvaluator, SignOffEvent
from onboarding.people.models import TraineeRecord
from onboarding.readiness.models import Recommendation
from onboarding.timeutil import today, utcnow

from .conftest import as_user, complete_stages_before, ready_for_role_play
from .test_readiness import _make_ready


def _awaiting(uid, submitted, slug="written"):
    """A submitted attempt with one written answer waiting for a grader."""
    attempt = QuizAttempt(user_id=uid, quiz_slug=slug, number=1, allowed=2, state=AWAITING, submitted_at=submitted,
                          plan={"questions": ["stock", "pick"], "options": {}, "draws": {}})
    db.session.add(attempt)
    db.session.flush()
    db.session.add(Answer(attempt_id=attempt.id, question_id="stock", response="An answer.", max_points=4,
                          needs_review=True))
    db.session.add(Answer(attempt_id=attempt.id, question_id="pick", response="a", max_points=1, auto_score=1))
    return attempt


def _role_play(uid, when, evaluators, state="scheduled", passed=None, number=1, slug="school"):
    attempt = RolePlayAttempt(trainee_id=uid, scenario_slug=slug, number=number, allowed=2, scheduled_for=when,
                              state=state, passed=passed, percent=None if passed is None else 30.0,
                              completed_at=when if state == "scored" else None)
    db.session.add(attempt)
    db.session.flush()
    for evaluator in evaluators:
        db.session.add(RolePlayEvaluator(attempt_id=attempt.id, evaluator_id=evaluator,
                                         submitted_at=when if state == "scored" else None))
    return attempt


@pytest.fixture
def world(app, make_user):
    """Marco mentors Ann and Ben, Mia mentors Cid; nobody mentors Dora, so Hana (head of sales) answers for her."""
    ids = {"marco": make_user("mentor", email="marco@example.com", name="Marco Mentor"),
           "mia": make_user("mentor", email="mia@example.com", name="Mia Mentor"),
           "hana": make_user("head", email="hana@example.com", name="Hana Head"),
           "ada": make_user("admin", email="ada@example.com", name="Ada Admin")}
    start = today() - timedelta(days=30)
    for key, name, mentor in (("ann", "Ann Able", "marco"), ("ben", "Ben Bold", "marco"), ("cid", "Cid Calm", "mia"),
                              ("dora", "Dora Alone", None)):
        ids[key] = make_user("trainee", email=f"{key}@example.com", name=name, start=start,
                             mentor=ids[mentor] if mentor else None)
    complete_stages_before(app, ids["ben"], 3)  # Ben is in stage 3: his proposal can be signed off
    now = utcnow()
    with app.app_context():
        _awaiting(ids["ann"], now - timedelta(days=3))
        db.session.add(SignOffEvent(trainee_id=ids["ben"], task_id="proposal", kind="requested",
                                    at=now - timedelta(days=5)))
        db.session.add(ActivityEntry(trainee_id=ids["ann"], day=today() - timedelta(days=1), calls=22, meetings=1,
                                     entered_by=ids["ann"], entered_at=now - timedelta(days=1, hours=2)))
        db.session.add(SignOffEvent(trainee_id=ids["cid"], task_id="proposal", kind="requested",
                                    at=now - timedelta(days=2)))
        _awaiting(ids["dora"], now - timedelta(days=4))
        _role_play(ids["ben"], now - timedelta(hours=6), [ids["marco"], ids["hana"]])
        db.session.commit()
    return ids


def _items(client):
    """(trainee, what, waiting) of each item on the inbox page, in page order."""
    response = client.get("/inbox")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    items = []
    for block in re.findall(r'<li class="inbox-item".*?</li>', html, re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip()
        items.append(text)
    return items


def _has(items, *words):
    return any(all(w in item for w in words) for item in items)


def test_each_person_sees_only_what_waits_on_them(app, world):
    marco = _items(as_user(app, "marco@example.com")[0])
    assert _has(marco, "Ann Able", "written answer to grade") and _has(marco, "Ben Bold", "Sign-off requested")
    assert _has(marco, "Ann Able", "1 day of figures to confirm") and _has(marco, "Ben Bold", "Role-play to score")
    assert len(marco) == 4 and not _has(marco, "Cid Calm") and not _has(marco, "Dora Alone")

    mia = _items(as_user(app, "mia@example.com")[0])  # a mentor never sees another mentor's trainees
    assert len(mia) == 1 and _has(mia, "Cid Calm", "Sign-off requested")

    hana = _items(as_user(app, "hana@example.com")[0])  # the trainee nobody mentors, and her seat on Ben's panel
    assert _has(hana, "Dora Alone", "No mentor yet", "written answer to grade")
    assert _has(hana, "Ben Bold", "Role-play to score") and len(hana) == 2

    ada_client = as_user(app, "ada@example.com")[0]  # the heads' list, read-only
    ada = _items(ada_client)
    assert len(ada) == 1 and _has(ada, "Dora Alone", "Open")
    assert "This is an overview" in ada_client.get("/inbox").get_data(as_text=True)

    ann = as_user(app, "ann@example.com")[0]
    assert ann.get("/inbox").status_code == 403


def test_oldest_first_with_how_long_each_has_waited(app, world):
    marco = _items(as_user(app, "marco@example.com")[0])
    assert [re.search(r"waiting [^·]*?(day|days|hour|hours)\b", item).group(0) for item in marco] == [
        "waiting 5 days", "waiting 3 days", "waiting 1 day", "waiting 6 hours"]
    assert "Ben Bold" in marco[0] and "Sign-off" in marco[0] and "Role-play" in marco[-1]


def test_the_header_counts_what_waits(app, world):
    page = as_user(app, "marco@example.com")[0].get("/").get_data(as_text=True)
    assert re.search(r'href="/inbox">Inbox <span class="count" aria-hidden="true">4</span>', page)
    assert "(4 waiting)" in page
    page = as_user(app, "mia@example.com")[0].get("/").get_data(as_text=True)
    assert re.search(r'href="/inbox">Inbox <span class="count" aria-hidden="true">1</span>', page)


def test_signing_off_from_the_inbox_returns_to_it(app, world):
    client, auth = as_user(app, "marco@example.com")
    page = client.get("/inbox").get_data(as_text=True)
    link = re.search(r'href="(/trainees/\d+/checklist\?next=[^"#]+#task-proposal)"', page).group(1)
    checklist = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert '<input type="hidden" name="next" value="/inbox">' in checklist
    response = client.post(f"/trainees/{world['ben']}/tasks/proposal/sign",
                           data={"csrf_token": auth.token(link), "note": "Well done.", "next": "/inbox"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")
    after = client.get("/inbox").get_data(as_text=True)
    assert "is signed off" in after and not _has(_items(client), "Sign-off requested")


def test_confirming_a_day_from_the_inbox_returns_to_it(app, world):
    client, auth = as_user(app, "marco@example.com")
    link = re.search(r'href="(/trainees/\d+/activity\?next=[^"#]+#days)"', client.get("/inbox").get_data(as_text=True))
    page = client.get(link.group(1)).get_data(as_text=True)
    assert '<input type="hidden" name="next" value="/inbox">' in page
    with app.app_context():
        entry = db.session.scalar(sa.select(ActivityEntry.id).where(ActivityEntry.trainee_id == world["ann"]))
    response = client.post(f"/activity/{entry}/confirm", data={"csrf_token": auth.token(link.group(1)),
                                                               "next": "/inbox"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")
    assert not _has(_items(client), "figures to confirm")


def test_a_foreign_next_is_never_followed(app, world):
    client, auth = as_user(app, "marco@example.com")
    with app.app_context():
        entry = db.session.scalar(sa.select(ActivityEntry.id).where(ActivityEntry.trainee_id == world["ann"]))
    response = client.post(f"/activity/{entry}/confirm", data={"csrf_token": auth.token("/inbox"),
                                                               "next": "//evil.example/inbox"})
    assert response.headers["Location"].endswith(f"/trainees/{world['ann']}/activity")
    page = client.get(f"/trainees/{world['ann']}/activity?next=https://evil.example/").get_data(as_text=True)
    assert 'name="next"' not in page


def test_a_draft_in_progress_shows_who_saved_it(app, world):
    client, auth = as_user(app, "marco@example.com")
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt.id).where(QuizAttempt.user_id == world["ann"]))
    path = f"/attempts/{attempt}/grade?next=/inbox"
    response = client.post(path, data={"csrf_token": auth.token(path), "action": "draft", "next": "/inbox",
                                       "answers-0-question_id": "stock", "answers-0-points": "",
                                       "answers-0-comment": "Half way"})
    assert response.headers["Location"].endswith("/inbox")
    item = next(i for i in _items(client) if "Ann Able" in i and "to grade" in i)
    assert "Draft" in item and "saved by Marco Mentor" in item and "Resume grading" in item


def test_what_the_path_makes_due(app, world, make_user):
    """A role-play ready to schedule and a recommendation due wait on the mentor; a held trainee, a quiz with every
    attempt used and a readiness decision wait on the head of sales, never on a mentor."""
    marco, mia = world["marco"], world["mia"]
    rae = make_user("trainee", email="rae@example.com", name="Rae Ready", mentor=marco)
    ready_for_role_play(app, rae)
    uma = make_user("trainee", email="uma@example.com", name="Uma Done", mentor=marco,
                    start=today() - timedelta(days=120))
    _make_ready(app, uma)
    eve = make_user("trainee", email="eve@example.com", name="Eve Held", mentor=mia)
    fay = make_user("trainee", email="fay@example.com", name="Fay Blocked", mentor=mia)
    gus = make_user("trainee", email="gus@example.com", name="Gus Waiting", mentor=mia)
    ready_for_role_play(app, eve)
    now = utcnow()
    with app.app_context():
        _role_play(eve, now - timedelta(days=9), [marco, world["hana"]], state="scored", passed=False, number=1)
        _role_play(eve, now - timedelta(days=7), [marco, world["hana"]], state="scored", passed=False, number=2,
                   slug="warehouse")
        for n in (1, 2):
            db.session.add(QuizAttempt(user_id=fay, quiz_slug="basics", number=n, allowed=2, state=GRADED, plan={},
                                       passed=False, percent=10.0, score=0, max_score=1,
                                       graded_at=now - timedelta(days=11 - n)))
        db.session.execute(sa.update(TraineeRecord).where(TraineeRecord.user_id == gus)
                           .values(status="awaiting_approval"))
        db.session.add(Recommendation(trainee_id=gus, mentor_id=mia, ready=True, note="Ready.",
                                      created_at=now - timedelta(days=12)))
        db.session.commit()

    marco_items = _items(as_user(app, "marco@example.com")[0])
    assert _has(marco_items, "Rae Ready", "Role-play ready to schedule", "Schedule the role-play")
    assert _has(marco_items, "Uma Done", "your recommendation is due", "Recommend")
    mia_items = _items(as_user(app, "mia@example.com")[0])
    assert not _has(mia_items, "Eve Held") and not _has(mia_items, "Fay Blocked") and not _has(mia_items, "Gus")

    hana_client = as_user(app, "hana@example.com")[0]
    hana = _items(hana_client)
    assert _has(hana, "Gus Waiting", "awaits approval", "recommended by Mia Mentor", "waiting 12 days")
    assert _has(hana, "Fay Blocked", "Every attempt at", "waiting 9 days")
    assert _has(hana, "Eve Held", "Held after the last failed role-play", "waiting 7 days")
    assert not _has(hana, "Rae Ready") and not _has(hana, "Uma Done")
    assert [i.split(" · ")[0] for i in hana[:3]] == ["Gus Waiting", "Fay Blocked", "Eve Held"]  # oldest first
    page = hana_client.get("/inbox").get_data(as_text=True)
    assert f'href="/trainees/{eve}/role-play?next=/inbox#decision"' in page
    # the header's badge counts every item the page lists, what the path makes due included
    for email, items in (("marco@example.com", marco_items), ("mia@example.com", mia_items),
                         ("hana@example.com", hana)):
        assert _badge(as_user(app, email)[0]) == len(items), email


def _badge(client) -> int:
    """The number on the header's Inbox link; 0 when it shows none."""
    found = re.search(r'href="/inbox">Inbox <span class="count" aria-hidden="true">(\d+)</span>',
                      client.get("/").get_data(as_text=True))
    return int(found.group(1)) if found else 0


def test_the_badge_follows_each_change_of_what_waits(app, world):
    """A sign-off dealt with, a day confirmed and a mentor named each move the badge of whoever waited."""
    marco = as_user(app, "marco@example.com")[0]
    assert _badge(marco) == 4
    with app.app_context():
        for event in db.session.scalars(sa.select(SignOffEvent).where(SignOffEvent.trainee_id == world["ben"])):
            db.session.delete(event)
        db.session.commit()
    assert _badge(marco) == 3
    with app.app_context():
        for entry in db.session.scalars(sa.select(ActivityEntry).where(ActivityEntry.trainee_id == world["ann"])):
            entry.confirmed_at, entry.confirmed_by = utcnow(), world["marco"]
        db.session.commit()
    assert _badge(marco) == 2
    hana = as_user(app, "hana@example.com")[0]
    assert _badge(hana) == 2  # Dora's answer, as nobody mentors her; the seat on Ben's panel
    with app.app_context():  # Mia takes Dora on: her answer now waits on Mia, not on the head
        db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == world["dora"])).mentor_id = \
            world["mia"]
        db.session.commit()
    assert _badge(hana) == 1 and _badge(as_user(app, "mia@example.com")[0]) == 2



@pytest.mark.parametrize("value,kept", [
    ("/inbox", True), ("/trainees/3/checklist?x=1#task-a", True), ("//evil.example/inbox", False),
    ("https://evil.example/", False), ("javascript:alert(1)", False), ("/\\evil.example", False),
    ("\\\\evil.example", False), ("/in\nbox", False), ("inbox", False), ("", False), (None, False),
    ("/" + "a" * 600, False), ("http:/inbox", False)])
def test_only_a_path_on_this_site_is_a_way_back(value, kept):
    from onboarding.navigation import local_path

    assert local_path(value) == (value if kept else None)


def test_moving_or_cancelling_a_role_play_and_a_supervision_note_carry_the_way_back(app, world, make_user):
    """Every form on a page opened from the inbox carries its `next`: the role-play's move and cancel forms and
    the supervision note form, not only the scoring and decision forms."""
    client, _auth = as_user(app, "marco@example.com")
    role_play = client.get(f"/trainees/{world['ben']}/role-play?next=/inbox").get_data(as_text=True)
    forms = re.findall(r'<form\b[^>]*method="post"[^>]*>.*?</form>', role_play, flags=re.S)
    moving = [f for f in forms if "/reschedule" in f or "/cancel" in f]
    assert len(moving) == 2
    assert all('<input type="hidden" name="next" value="/inbox">' in f for f in moving)
    sue = make_user("trainee", email="sue@example.com", name="Sue Supervised", mentor=world["marco"],
                    start=today() - timedelta(days=90))
    complete_stages_before(app, sue, 4)
    notes = client.get(f"/trainees/{sue}/supervision?next=/inbox").get_data(as_text=True)
    form = next(f for f in re.findall(r'<form\b[^>]*method="post"[^>]*>.*?</form>', notes, flags=re.S)
                if 'name="situation"' in f)
    assert '<input type="hidden" name="next" value="/inbox">' in form


def test_a_ready_trainee_nobody_mentors_waits_on_the_heads_decision_not_a_recommendation(app, world, make_user):
    """Only a mentor recommends; without one, the head of sales decides directly, and the inbox says so."""
    vic = make_user("trainee", email="vic@example.com", name="Vic Unmentored", start=today() - timedelta(days=120))
    _make_ready(app, vic)
    hana = _items(as_user(app, "hana@example.com")[0])
    assert _has(hana, "Vic Unmentored", "Every readiness gate is met and no mentor recommends: your decision is due")
    assert not _has(hana, "Vic Unmentored", "recommendation is due")
    with app.app_context():
        from onboarding.readiness.dashboard import Filters, dashboard

        page, _summary = dashboard(Filters(q="Vic"), page=1, per_page=25)
        assert page.items[0].waits.get("head", {}).get("readiness") == 1
        assert "recommendation" not in page.items[0].waits.get("head", {})


def test_only_trainees_something_waits_for_are_read_and_a_path_only_for_items_dated_from_it(app, world, make_user,
                                                                                            monkeypatch):
    """A head of sales' inbox reads the trainees something waits for on them, whatever the number of trainees with
    nothing waiting; what waits comes from their stored summaries, and a trainee's path is computed only for an item
    that dates from it (here a go / no-go due), not for answers to grade or a sign-off asked."""
    from onboarding.inbox import services

    from .conftest import complete_stages_before

    for n in range(5):
        make_user("trainee", email=f"idle{n}@example.com", name=f"Idle {n}", mentor=world["mia"])
    read, computed = [], []
    rows, facts = services._rows, services.facts_for

    def reading(user):
        found = rows(user)
        read.append(sorted(r.record.user_id for r in found))
        return found

    monkeypatch.setattr(services, "_rows", reading)
    monkeypatch.setattr(services, "facts_for", lambda ids: computed.append(sorted(ids)) or facts(ids))
    hana = _items(as_user(app, "hana@example.com")[0])
    assert read == [[world["dora"]]] and computed == [] and len(hana) == 2
    read.clear()
    mia = _items(as_user(app, "mia@example.com")[0])
    assert read == [[world["cid"]]] and computed == [] and len(mia) == 1

    eve = make_user("trainee", email="eve@example.com", name="Eve Early", mentor=world["mia"],
                    start=today() - timedelta(days=40))
    complete_stages_before(app, eve, 3, go=False)  # cold calling done: the go / no-go is due, since its last step
    read.clear()
    mia = _items(as_user(app, "mia@example.com")[0])
    assert read == [sorted([world["cid"], eve])] and computed == [[eve]]
    assert _has(mia, "Eve Early", "the go/no-go decision is due") and len(mia) == 2