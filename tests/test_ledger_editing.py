"""Editing, not overwriting (issue 12, points 1 and 5): a logged day is changed from its own figures, never
replaced by a form that did not show them; an absent field is never 0; saving says what changed; targets keep
every valid edit and name the team and field of each bad one."""
import re
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.activity.models import FIGURES, ActivityEntry, Team

from .conftest import as_user

DAY = date.today() - timedelta(days=3)
# The day: 22 calls, 1 meeting, a referral asked, 4 decision makers reached, a note.
LOGGED = {"calls": 22, "meetings": 1, "referrals": 1, "decision_makers": 4}
NOTE = "Acme: the facilities manager wants a quote for 40 units"


@pytest.fixture
def people(make_user):
    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    trainee = make_user("trainee", email="sam@example.com", name="Sam Trainee", mentor=mentor,
                        start=date.today() - timedelta(days=30))
    return {"mentor": mentor, "trainee": trainee, "head": make_user("head", email="head@example.com")}


class _Form(HTMLParser):
    """The fields of the page's ledger form (the one posting to the activity page) as a browser sends them."""

    def __init__(self, page: str):
        super().__init__()
        self.fields, self._in_form, self._textarea = {}, False, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = attrs.get("method") == "post" and "figures-form" in (attrs.get("class") or "")
        elif self._in_form and tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self._in_form and tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self._textarea:  # a textarea's first newline is not part of its value
                value = self.fields[self._textarea]
                self.fields[self._textarea] = value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def _form(client, path) -> dict:
    fields = _Form(client.get(path).get_data(as_text=True)).fields
    assert "csrf_token" in fields and "calls" in fields, path
    return fields


def _stored(app, uid, day=DAY):
    with app.app_context():
        entry = db.session.scalar(sa.select(ActivityEntry).where(
            ActivityEntry.trainee_id == uid, ActivityEntry.day == day, ActivityEntry.corrects_id.is_(None)))
        return None if entry is None else {**entry.figures(), "note": entry.note}


def _audit(app, action):
    with app.app_context():
        return [e.details for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                                      .order_by(AuditEvent.id))]


@pytest.fixture
def logged(app, people):
    """Sam has logged the issue's day through the page: 22 calls, 1 meeting, a referral, 4 decision makers, a note."""
    uid = people["trainee"]
    client, _ = as_user(app, "sam@example.com")
    data = _form(client, f"/trainees/{uid}/activity") | {f: str(n) for f, n in LOGGED.items()}
    data |= {"day": DAY.isoformat(), "note": NOTE}
    assert client.post(f"/trainees/{uid}/activity", data=data).status_code == 302
    expected = {f: LOGGED.get(f, 0) for f in FIGURES} | {"note": NOTE}
    assert _stored(app, uid) == expected
    return uid, client, expected


# ---------------------------------------------------------------- the overwrite of the issue

def test_the_plain_new_day_form_cannot_overwrite_a_logged_day(app, logged):
    uid, client, expected = logged
    plain = _form(client, f"/trainees/{uid}/activity")  # the empty form, as the page shows it
    assert plain["version"] == "" and plain["calls"] == "0" and plain["note"] == ""
    response = client.post(f"/trainees/{uid}/activity", data=plain | {"day": DAY.isoformat(), "calls": "24"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _stored(app, uid) == expected  # 22 calls, the meeting, the referral, the decision makers, the note
    assert "is logged already: nothing is changed" in unescape(page)
    assert f'href="/trainees/{uid}/activity?day={DAY.isoformat()}#log"' in page  # a link that loads the day
    assert 'href="#day"' in page  # the error summary leads to the day, beside which the link stands
    kept = _Form(page).fields
    assert kept["calls"] == "24" and kept["day"] == DAY.isoformat() and kept["meetings"] == "0"  # as typed
    assert 'class="flash success"' not in page
    assert _audit(app, "activity_changed") == []


def test_a_form_loaded_before_the_day_changed_is_refused(app, logged):
    uid, client, expected = logged
    first = _form(client, f"/trainees/{uid}/activity?day={DAY.isoformat()}")  # say, in one window
    second = dict(first)  # and in another
    assert client.post(f"/trainees/{uid}/activity", data=first | {"calls": "30"}).status_code == 302
    stale = client.post(f"/trainees/{uid}/activity", data=second | {"meetings": "0"})
    assert stale.status_code == 400 and "changed after this form was loaded" in unescape(stale.get_data(as_text=True))
    assert _stored(app, uid) == expected | {"calls": 30}  # the first change stays whole; the second took nothing


# ---------------------------------------------------------------- absent is never 0

@pytest.mark.parametrize("absent", ["meetings", "deals"])
def test_a_partial_form_never_stores_an_absent_figure_as_zero(app, logged, absent):
    uid, client, expected = logged
    loaded = _form(client, f"/trainees/{uid}/activity?day={DAY.isoformat()}")
    partial = {k: v for k, v in loaded.items() if k not in (absent, "note")} | {"calls": "24"}
    response = client.post(f"/trainees/{uid}/activity", data=partial)
    label = {"meetings": "Meetings held", "deals": "Deals closed"}[absent]
    assert response.status_code == 400 and f'href="#{absent}">{label}:' in response.get_data(as_text=True)
    assert _stored(app, uid) == expected  # refused whole: nothing became 0, the note is kept
    # A new day with a figure absent is refused the same way, and nothing is stored for it.
    other = (DAY - timedelta(days=1)).isoformat()
    new_day = {k: v for k, v in _form(client, f"/trainees/{uid}/activity").items() if k != absent}
    assert client.post(f"/trainees/{uid}/activity", data=new_day | {"day": other}).status_code == 400
    assert _stored(app, uid, DAY - timedelta(days=1)) is None


def test_an_absent_note_keeps_the_stored_note(app, logged):
    uid, client, expected = logged
    loaded = _form(client, f"/trainees/{uid}/activity?day={DAY.isoformat()}")
    without_note = {k: v for k, v in loaded.items() if k != "note"} | {"calls": "23"}
    assert client.post(f"/trainees/{uid}/activity", data=without_note).status_code == 302
    assert _stored(app, uid) == expected | {"calls": 23}  # the note stays; only an empty note sent clears it


def test_the_services_keep_what_is_absent(app, logged, people):
    """Below the forms: save_entry and correct_entry keep a stored value for an absent figure, never 0."""
    from onboarding.activity.services import ActivityError, correct_entry, entry_version, save_entry

    uid, _client, expected = logged
    with app.app_context():
        trainee, mentor = db.session.get(User, uid), db.session.get(User, people["mentor"])
        entry = db.session.scalar(sa.select(ActivityEntry).where(ActivityEntry.trainee_id == uid))
        changed = save_entry(trainee, DAY, {"calls": 24}, None, entry_version(entry))
        assert changed.changes == [("calls", 22, 24)]
        with pytest.raises(ActivityError):  # a new day needs every figure
            save_entry(trainee, DAY - timedelta(days=1), {"calls": 5}, None)
        correction = correct_entry(changed, {"meetings": 2, "deals": None}, "One more meeting", mentor)
        assert correction.figures() == {f: expected[f] for f in FIGURES} | {"calls": 24, "meetings": 2}
        db.session.commit()
    assert _stored(app, uid) == expected | {"calls": 24}


def test_a_correction_with_an_absent_figure_is_refused_not_zeroed(app, logged):
    uid, _client, expected = logged
    with app.app_context():
        entry_id = db.session.scalar(sa.select(ActivityEntry.id).where(ActivityEntry.trainee_id == uid))
    mentor, _ = as_user(app, "mentor@example.com")
    page = mentor.get(f"/activity/{entry_id}/correct").get_data(as_text=True)
    fields = _Form(page.replace('<form method="post" novalidate>',
                                '<form method="post" class="figures-form">')).fields
    assert {f: fields[f] for f in FIGURES} == {f: str(expected[f]) for f in FIGURES}  # prefilled, never blank
    partial = {k: v for k, v in fields.items() if k != "meetings"} | {"calls": "20", "note": "Two calls twice"}
    refused = mentor.post(f"/activity/{entry_id}/correct", data=partial)
    assert refused.status_code == 400 and 'href="#meetings">Meetings held:' in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(ActivityEntry.corrects_id.is_not(None))) == 0
    assert mentor.post(f"/activity/{entry_id}/correct", data=fields | {"calls": "20", "note": "Two calls twice"}
                       ).status_code == 302
    with app.app_context():
        correction = db.session.scalar(sa.select(ActivityEntry).where(ActivityEntry.corrects_id == entry_id))
        assert correction.figures() == {f: expected[f] for f in FIGURES} | {"calls": 20}
    assert _audit(app, "activity_corrected")[-1]["before"] == {f: expected[f] for f in FIGURES}


# ---------------------------------------------------------------- loading a day

def test_the_day_parameter_loads_every_figure_and_the_note(app, logged):
    uid, client, expected = logged
    page = client.get(f"/trainees/{uid}/activity?day={DAY.isoformat()}").get_data(as_text=True)
    fields = _Form(page).fields
    assert {f: fields[f] for f in FIGURES} == {f: str(expected[f]) for f in FIGURES}
    assert fields["note"] == NOTE and fields["day"] == DAY.isoformat() and fields["version"]
    assert "Change " in page and "Save the changes" in page
    # Every unconfirmed row links to editing its day; "Load this day" goes to the same address without scripts.
    plain = client.get(f"/trainees/{uid}/activity").get_data(as_text=True)
    assert f'href="/trainees/{uid}/activity?day={DAY.isoformat()}#log">Edit' in plain
    assert 'name="load"' in plain and 'id="log"' in plain
    load = client.post(f"/trainees/{uid}/activity", data=_Form(plain).fields | {"day": DAY.isoformat(), "load": "1"})
    assert load.status_code == 302 and load.headers["Location"].endswith(f"?day={DAY.isoformat()}#log")
    # A day with nothing logged opens as a new day on that date; a day outside the ledger is named.
    empty = (DAY - timedelta(days=1)).isoformat()
    fields = _Form(client.get(f"/trainees/{uid}/activity?day={empty}").get_data(as_text=True)).fields
    assert fields["day"] == empty and fields["version"] == "" and fields["calls"] == "0"
    outside = client.get(f"/trainees/{uid}/activity?day={(date.today() + timedelta(days=1)).isoformat()}")
    assert outside.status_code == 400 and "is outside the ledger" in outside.get_data(as_text=True)
    assert client.get(f"/trainees/{uid}/activity?day=someday").status_code == 400
    # Staff see the ledger, not the trainee's form, whatever the address says.
    mentor, _ = as_user(app, "mentor@example.com")
    assert 'name="version"' not in mentor.get(f"/trainees/{uid}/activity?day={DAY.isoformat()}").get_data(as_text=True)


@pytest.mark.parametrize("day", ["", "someday"])
def test_load_this_day_without_a_date_keeps_what_was_typed(app, logged, day):
    """"Load this day" with no date (or not a date) loads nothing, so it drops nothing: the figures and the note
    come back as typed, the day marked with its error."""
    uid, client, _expected = logged
    typed = _form(client, f"/trainees/{uid}/activity") | {"calls": "31", "meetings": "2", "note": "Typed, not saved."}
    response = client.post(f"/trainees/{uid}/activity", data=typed | {"day": day, "load": "1"})
    assert response.status_code == 400
    fields = _Form(response.get_data(as_text=True)).fields
    assert fields["calls"] == "31" and fields["meetings"] == "2" and fields["note"] == "Typed, not saved."
    assert "Enter a date (YYYY-MM-DD)." in response.get_data(as_text=True)


def test_saving_a_loaded_day_says_what_changed(app, logged):
    uid, client, expected = logged
    loaded = _form(client, f"/trainees/{uid}/activity?day={DAY.isoformat()}")
    saved = client.post(f"/trainees/{uid}/activity", data=loaded | {"calls": "24", "note": NOTE + " and 10 more"},
                        follow_redirects=True)
    page = unescape(saved.get_data(as_text=True))
    assert saved.status_code == 200
    assert "saved with 2 changes: Calls made 22 → 24 and note changed." in page
    assert _stored(app, uid) == expected | {"calls": 24, "note": NOTE + " and 10 more"}
    (changed,) = _audit(app, "activity_changed")
    assert changed["before"] == expected and changed["after"] == expected | {"calls": 24, "note": NOTE + " and 10 more"}
    again = _form(client, f"/trainees/{uid}/activity?day={DAY.isoformat()}")
    same = client.post(f"/trainees/{uid}/activity", data=again, follow_redirects=True)
    assert "Nothing changed for" in unescape(same.get_data(as_text=True))
    assert len(_audit(app, "activity_changed")) == 1  # nothing changed, nothing audited
    one = _form(client, f"/trainees/{uid}/activity?day={DAY.isoformat()}")
    gone = client.post(f"/trainees/{uid}/activity", data=one | {"meetings": "2", "note": ""}, follow_redirects=True)
    assert "saved with 2 changes: Meetings held 1 → 2 and note removed." in unescape(gone.get_data(as_text=True))


def test_confirmed_days_stay_locked(app, logged):
    uid, client, expected = logged
    loaded = _form(client, f"/trainees/{uid}/activity?day={DAY.isoformat()}")
    with app.app_context():
        entry_id = db.session.scalar(sa.select(ActivityEntry.id).where(ActivityEntry.trainee_id == uid))
    mentor, m_auth = as_user(app, "mentor@example.com")
    assert mentor.post(f"/activity/{entry_id}/confirm",
                       data={"csrf_token": m_auth.token(f"/trainees/{uid}/activity")}).status_code == 302
    page = client.get(f"/trainees/{uid}/activity?day={DAY.isoformat()}").get_data(as_text=True)
    assert "is confirmed: it can no longer be changed here" in unescape(page)
    assert _Form(page).fields["version"] == ""  # nothing loaded to change
    assert f"activity?day={DAY.isoformat()}#log\">Edit" not in page  # no edit link on a confirmed row
    refused = client.post(f"/trainees/{uid}/activity", data=loaded | {"calls": "24"})
    assert refused.status_code == 400 and "ask them to correct it" in refused.get_data(as_text=True)
    assert _stored(app, uid) == expected


# ---------------------------------------------------------------- targets

@pytest.fixture
def teams(app, people):
    with app.app_context():
        north, south = Team(name="North"), Team(name="South")
        db.session.add_all([north, south])
        db.session.commit()
        return {"North": north.id, "South": south.id}


def _targets_form(client) -> dict:
    class Reader(HTMLParser):
        fields = {}

        select = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("name") and not attrs["name"].startswith("team-"):
                self.fields[attrs["name"]] = attrs.get("value") or ""
            elif tag == "select":  # the team's segment: the option shown as chosen, as a browser sends it
                self.select = attrs["name"]
            elif tag == "option" and self.select and ("selected" in attrs or self.select not in self.fields):
                self.fields[self.select] = attrs.get("value") or ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None

    reader = Reader()
    reader.fields = {}
    reader.feed(client.get("/targets").get_data(as_text=True))
    return reader.fields


def test_targets_keep_every_valid_edit_and_name_the_team_and_field_of_a_bad_one(app, teams):
    from onboarding.activity.services import targets_for

    head, _ = as_user(app, "head@example.com")
    north, south = teams["North"], teams["South"]
    fields = _targets_form(head)
    assert fields[f"t{north}-calls"] == "80" and fields["t0-meetings"] == "5"  # every team on one form
    typed = fields | {f"t{north}-calls": "120", f"t{north}-meetings": "8",  # North: valid edits
                      f"t{south}-calls": "lots", f"t{south}-meetings": "7"}  # South: one bad value, one good
    response = head.post("/targets", data=typed)
    page = unescape(response.get_data(as_text=True))
    summary = re.sub(r"<span[^>]*>|</span>", "", page.split('class="error-summary"', 1)[1].split("</div>", 1)[0])
    assert response.status_code == 400
    with app.app_context():
        assert targets_for(north)["calls"] == 120 and targets_for(north)["meetings"] == 8  # the valid team is saved
        assert targets_for(south)["meetings"] == 5  # the team with a bad value keeps its stored targets...
    # ...and shows every value as typed, the bad one marked and named by team and field in the summary.
    assert f'href="#t{south}-calls">Team South · Calls made: Enter a whole number from 0 to 10,000.</a>' in summary
    assert f'id="t{south}-calls"' in page and 'value="7"' in page
    assert 'value="lots"' not in page  # a number input cannot hold letters: it comes back empty, marked
    assert f'id="t{south}-calls-error"' in page and 'aria-invalid="true"' in page
    assert "Weekly targets saved for Team North." in page
    assert page.count('aria-invalid="true"') == 1
    # Fixed, and sent again: South is saved; North, unchanged, is left alone.
    again = _targets_form(head) | {f"t{south}-calls": "60", f"t{south}-meetings": "7"}
    assert head.post("/targets", data=again).status_code == 302
    with app.app_context():
        assert targets_for(south)["calls"] == 60 and targets_for(south)["meetings"] == 7
    assert [d["team"] for d in _audit(app, "targets_set")] == [north, south]


def test_targets_refuse_an_absent_or_out_of_range_value_by_name(app, teams):
    from onboarding.activity.services import targets_for

    head, _ = as_user(app, "head@example.com")
    fields = _targets_form(head)
    sent = {k: v for k, v in fields.items() if k != "t0-deals"} | {"t0-calls": "10001"}
    response = head.post("/targets", data=sent)
    page = re.sub(r"<span[^>]*>|</span>", "", unescape(response.get_data(as_text=True)))
    assert response.status_code == 400
    assert 'href="#t0-calls">Default for everyone · Calls made: Enter a whole number from 0 to 10,000.' in page
    assert 'href="#t0-deals">Default for everyone · Deals closed:' in page
    with app.app_context():
        assert targets_for(None)["calls"] == 80 and targets_for(None)["deals"] == 1


def test_targets_changed_by_someone_else_since_the_page_opened_are_not_overwritten_unseen(app, teams, make_user):
    from onboarding.activity.services import targets_for

    make_user("head", email="hana@example.com", name="Hana Head")
    first, _ = as_user(app, "head@example.com")
    second, _ = as_user(app, "hana@example.com")
    north, south = teams["North"], teams["South"]
    opened = _targets_form(first)  # the first head opens the page...
    assert opened[f"t{north}-loaded"] and opened[f"t{north}-calls"] == "80"
    changed = _targets_form(second) | {f"t{north}-calls": "90"}  # ...the second saves North meanwhile
    assert second.post("/targets", data=changed).status_code == 302
    typed = opened | {f"t{north}-calls": "100", f"t{south}-meetings": "7"}
    response = first.post("/targets", data=typed)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Team North: someone changed these targets after you opened this page" in page
    assert 'value="100"' in page  # what was typed is kept
    with app.app_context():
        assert targets_for(north)["calls"] == 90  # the other head's change stands
        assert targets_for(south)["meetings"] == 7  # a team nobody else touched is saved
    # The answer carries the new values' stamp: saving again, having seen them, replaces them.
    stamp = re.search(rf'name="t{north}-loaded" type="hidden" value="([^"]*)"', page).group(1)
    assert first.post("/targets", data=typed | {f"t{north}-loaded": stamp}).status_code == 302
    with app.app_context():
        assert targets_for(north)["calls"] == 100


def test_the_latest_supervision_notes_are_the_newest_even_within_one_week(app, make_user):
    """A week can hold several notes (the supervision page and the weekly review both add one): the trainee's page
    shows the newest, not any of that week's."""
    from onboarding.activity.models import SupervisionNote
    from onboarding.activity.services import latest_supervision_notes

    mentor = make_user("mentor", email="notes-mentor@example.com")
    uid = make_user("trainee", email="notes-trainee@example.com", mentor=mentor)
    monday = date(2026, 11, 2)
    with app.app_context():
        for text in ("Older week", "First of the week", "Second of the week", "Third of the week"):
            week = monday if text != "Older week" else date(2026, 10, 26)
            db.session.add(SupervisionNote(trainee_id=uid, author_id=mentor, week_of=week, situation=text,
                                           advice="Keep going."))
            db.session.flush()
        db.session.commit()
        assert [n.situation for n in latest_supervision_notes(uid, 2)] == ["Third of the week", "Second of the week"]
