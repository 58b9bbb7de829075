"""Confirming a trainee's days at once: the mentor's one button confirms every day the ledger page listed as not
confirmed yet, each as it was shown. A day changed since the page was opened, a day logged since, another trainee's
day and a correction are left alone; every day confirmed is audited as a single confirmation."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from onboarding.activity.models import ActivityEntry
from onboarding.activity.services import MAX_SEEN, confirm_seen, entry_version
from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.extensions import db

from .conftest import as_user

START = date.today() - timedelta(days=30)


@pytest.fixture
def ledger(app, make_user):
    """Sam logged four days, the oldest confirmed already; Ada, another mentor's trainee, logged one."""
    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    other = make_user("mentor", email="mona@example.com", name="Mona Mentor")
    sam = make_user("trainee", email="sam@example.com", name="Sam Trainee", mentor=mentor, start=START)
    ada = make_user("trainee", email="ada@example.com", name="Ada Other", mentor=other, start=START)
    make_user("head", email="head@example.com", name="Hana Head")
    with app.app_context():
        days = [ActivityEntry(trainee_id=sam, day=START + timedelta(days=n), calls=20 + n, meetings=1, entered_by=sam)
                for n in range(1, 5)]
        days[0].confirmed_by, days[0].confirmed_at = mentor, datetime.now(timezone.utc)
        theirs = ActivityEntry(trainee_id=ada, day=START + timedelta(days=2), calls=9, entered_by=ada)
        db.session.add_all([*days, theirs])
        db.session.commit()
        return {"mentor": mentor, "sam": sam, "ada": ada, "days": [d.id for d in days], "theirs": theirs.id}


def _confirm_form(page: str) -> dict:
    """The fields of the page's "confirm the days" form, as a browser sends them."""
    form = re.search(r'<form method="post" action="([^"]+)" class="confirm-days">(.*?)</form>', page, re.S)
    assert form, "no confirm-days form"
    fields = re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2))
    fields += [(n, v) for v, n in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="([^"]+)"', form.group(2))]
    return {"action": form.group(1), "data": fields}


def _confirmed(app, ids) -> list:
    with app.app_context():
        return [db.session.get(ActivityEntry, i).confirmed_at is not None for i in ids]


def _audited(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(AuditEvent.id))
                                 .where(AuditEvent.action == "activity_confirmed"))


def test_the_mentor_confirms_every_day_shown_in_one_step(app, ledger):
    client, _auth = as_user(app, "mentor@example.com")
    page = client.get(f"/trainees/{ledger['sam']}/activity").get_data(as_text=True)
    assert "Confirm the 3 days not confirmed yet" in page
    form = _confirm_form(page)
    assert sorted(v for n, v in form["data"] if n == "seen") == sorted(
        f"{i}:{v}" for i, v in _versions(app, ledger["days"][1:]).items())
    response = client.post(form["action"], data=MultiDict(form["data"]), follow_redirects=True)
    assert response.status_code == 200 and "3 days of figures are confirmed." in response.get_data(as_text=True)
    assert _confirmed(app, ledger["days"]) == [True] * 4
    assert _audited(app) == 3  # one confirmation each, the day confirmed before not again
    page = client.get(f"/trainees/{ledger['sam']}/activity").get_data(as_text=True)
    assert 'class="confirm-days"' not in page  # nothing left to confirm: no button
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "figures to confirm" not in inbox


def _versions(app, ids) -> dict:
    with app.app_context():
        return {i: entry_version(db.session.get(ActivityEntry, i)) for i in ids}


def test_a_day_changed_or_logged_after_the_page_was_opened_is_left_for_another_look(app, ledger):
    client, _auth = as_user(app, "mentor@example.com")
    form = _confirm_form(client.get(f"/trainees/{ledger['sam']}/activity").get_data(as_text=True))
    changed, later = ledger["days"][2], None
    with app.app_context():
        db.session.get(ActivityEntry, changed).calls = 99  # Sam changes a day while the mentor reads
        new = ActivityEntry(trainee_id=ledger["sam"], day=START + timedelta(days=9), calls=5, entered_by=ledger["sam"])
        db.session.add(new)
        db.session.commit()
        later = new.id
    response = client.post(form["action"], data=MultiDict(form["data"]), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "changed after you opened the page and is not confirmed" in page
    assert "2 days of figures are confirmed." in page
    assert _confirmed(app, [ledger["days"][1], changed, ledger["days"][3], later]) == [True, False, True, False]
    # the page now offers the two days left, the changed one as it is now
    assert "Confirm the 2 days not confirmed yet" in client.get(f"/trainees/{ledger['sam']}/activity").get_data(
        as_text=True)


def test_another_trainees_day_and_a_correction_in_the_form_are_ignored(app, ledger):
    with app.app_context():
        mentor = db.session.get(User, ledger["mentor"])
        theirs = db.session.get(ActivityEntry, ledger["theirs"])
        correction = ActivityEntry(trainee_id=ledger["sam"], day=START + timedelta(days=1), calls=1,
                                   entered_by=ledger["mentor"], corrects_id=ledger["days"][0])
        db.session.add(correction)
        db.session.flush()
        seen = {ledger["theirs"]: entry_version(theirs), correction.id: entry_version(correction),
                ledger["days"][1]: entry_version(db.session.get(ActivityEntry, ledger["days"][1]))}
        confirmed, changed = confirm_seen(ledger["sam"], seen, mentor)
        assert [e.id for e in confirmed] == [ledger["days"][1]] and changed == []
        assert theirs.confirmed_at is None and correction.confirmed_at is None
        db.session.rollback()


@pytest.mark.parametrize("seen", ["abc:1", ":1", "12", "12:", "²:1", f"{2**31}:1", "1:" + "x" * 65])
def test_a_malformed_day_is_refused_and_confirms_nothing(app, ledger, seen):
    client, auth = as_user(app, "mentor@example.com")
    path = f"/trainees/{ledger['sam']}/activity"
    good = [("seen", f"{i}:{v}") for i, v in _versions(app, ledger["days"][1:]).items()]
    response = client.post(f"{path}/confirm", data=MultiDict([("csrf_token", auth.token(path)), *good, ("seen", seen)]))
    assert response.status_code == 400
    assert _confirmed(app, ledger["days"][1:]) == [False] * 3


def test_too_many_days_at_once_are_refused(app, ledger):
    client, auth = as_user(app, "mentor@example.com")
    path = f"/trainees/{ledger['sam']}/activity"
    fields = [("seen", f"{n}:v") for n in range(1, MAX_SEEN + 2)]
    response = client.post(f"{path}/confirm", data=MultiDict([("csrf_token", auth.token(path)), *fields]))
    assert response.status_code == 400
    fields = [("seen", f"{n}:v") for n in range(1, MAX_SEEN + 1)]  # exactly the most: taken (and none matches)
    response = client.post(f"{path}/confirm", data=MultiDict([("csrf_token", auth.token(path)), *fields]))
    assert response.status_code == 302


def test_nothing_left_to_confirm_says_so(app, ledger):
    client, auth = as_user(app, "mentor@example.com")
    path = f"/trainees/{ledger['sam']}/activity"
    response = client.post(f"{path}/confirm", data={"csrf_token": auth.token(path), "seen": f"{ledger['days'][0]}:x"},
                           follow_redirects=True)
    assert "Nothing was left to confirm" in response.get_data(as_text=True)


@pytest.mark.parametrize("email, status", [("sam@example.com", 403), ("mona@example.com", 403),
                                           ("head@example.com", 302)])
def test_who_may_confirm_the_days(app, ledger, email, status):
    """The trainee never confirms their own days; another trainee's mentor may not; a head of sales may."""
    client, auth = as_user(app, email)
    path = f"/trainees/{ledger['sam']}/activity"
    seen = [("seen", f"{i}:{v}") for i, v in _versions(app, ledger["days"][1:]).items()]
    token = auth.token("/")
    response = client.post(f"{path}/confirm", data=MultiDict([("csrf_token", token), *seen]))
    assert response.status_code == status
    assert _confirmed(app, ledger["days"][1:]) == [status == 302] * 3
    page = client.get(path).get_data(as_text=True)
    assert ('class="confirm-days"' in page) is False  # confirmed by the head, or never offered


def test_without_a_csrf_token_nothing_is_confirmed(app, ledger):
    client, _auth = as_user(app, "mentor@example.com")
    seen = [("seen", f"{i}:{v}") for i, v in _versions(app, ledger["days"][1:]).items()]
    assert client.post(f"/trainees/{ledger['sam']}/activity/confirm", data=MultiDict(seen)).status_code == 400
    assert _confirmed(app, ledger["days"][1:]) == [False] * 3


def test_the_way_back_to_the_inbox_is_kept(app, ledger):
    client, _auth = as_user(app, "mentor@example.com")
    page = client.get(f"/trainees/{ledger['sam']}/activity?next=/inbox").get_data(as_text=True)
    form = _confirm_form(page)
    assert ("next", "/inbox") in form["data"]
    response = client.post(form["action"], data=MultiDict(form["data"]))
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")


def test_a_ledger_with_more_days_than_one_confirmation_takes_is_offered_in_parts(app, ledger, monkeypatch):
    """The page never offers more days than the confirmation accepts: the rest come with the next button."""
    from onboarding.activity import services

    monkeypatch.setattr(services, "MAX_SEEN", 2)
    client, _auth = as_user(app, "mentor@example.com")
    path = f"/trainees/{ledger['sam']}/activity"
    page = client.get(path).get_data(as_text=True)
    assert "Confirm the 2 days not confirmed yet" in page
    response = client.post(_confirm_form(page)["action"], data=MultiDict(_confirm_form(page)["data"]))
    assert response.status_code == 302
    assert sum(_confirmed(app, ledger["days"][1:])) == 2
    page = client.get(path).get_data(as_text=True)
    assert "Confirm the 1 day not confirmed yet" in page
