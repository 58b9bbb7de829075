"""The fragments a worker keeps rendered (onboarding.fragments, onboarding.frame): the header's menu and the
dashboard's rows. A kept fragment must never show something that changed: its key holds everything it is made
from."""
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding import fragments
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.fragments import frozen
from onboarding.people.models import TraineeRecord

from .conftest import as_user, staff_and_trainee


@dataclass(frozen=True)
class _Row:
    name: str
    waits: dict
    user: object = None


def test_frozen_differs_with_every_value_a_template_could_read(app, make_user):
    uid = make_user("trainee", name="Tom Becker")
    with app.app_context():
        user = db.session.get(User, uid)
        before = frozen({"row": _Row("a", {"mentor": {"quiz": 1}}, user)})
        assert before == frozen({"row": _Row("a", {"mentor": {"quiz": 1}}, user)})
        assert before != frozen({"row": _Row("b", {"mentor": {"quiz": 1}}, user)})  # a field
        assert before != frozen({"row": _Row("a", {"mentor": {"quiz": 2}}, user)})  # a nested count
        assert before != frozen({"row": _Row("a", {"mentor": {"quiz": 1}}, None)})  # a row gone
        user.full_name = "Tom Baker"  # a column of a mapped row
        assert before != frozen({"row": _Row("a", {"mentor": {"quiz": 1}}, user)})
        db.session.rollback()
    # dicts keep their order (a template lists them in it); sequences keep theirs and their kind
    assert frozen({"a": 1, "b": 2}) != frozen({"b": 2, "a": 1})
    assert frozen([1, 2]) != frozen([2, 1]) and frozen([1, 2]) != frozen((1, 2))
    assert frozen(date(2026, 1, 5)) == date(2026, 1, 5)


def test_frozen_refuses_what_it_cannot_see_into():
    class Opaque:
        __hash__ = None

    with pytest.raises(TypeError):
        frozen(Opaque())


def _dashboard(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _without_tokens(page: str) -> str:
    """The page less its CSRF tokens, which carry the second they were signed in."""
    return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', '<input name="csrf_token">', page)


def test_a_kept_dashboard_row_shows_a_renamed_trainee_and_a_new_mentor(app, make_user):
    ids = staff_and_trainee(make_user)
    other = make_user("mentor", email="mona@example.com", name="Mona Mentor")
    head, _auth = as_user(app, "head@example.com")
    page = _dashboard(head)
    assert "Tom Becker" in page and "Mentor: Marco Mentor" in page
    assert _without_tokens(_dashboard(head)) == _without_tokens(page)  # kept: the same page again
    with app.app_context():
        db.session.get(User, ids["trainee"]).full_name = "Tom Baker"
        db.session.execute(sa.update(TraineeRecord).where(TraineeRecord.user_id == ids["trainee"])
                           .values(mentor_id=other))
        db.session.commit()
    page = _dashboard(head)
    assert "Tom Baker" in page and "Tom Becker" not in page
    assert "Mentor: Mona Mentor" in page and "Mentor: Marco Mentor" not in page


def test_a_kept_dashboard_row_follows_the_language(app, make_user):
    staff_and_trainee(make_user)
    head, _auth = as_user(app, "head@example.com")
    assert "Mentor: Marco Mentor" in _dashboard(head)
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == "head@example.com").values(locale="ar"))
        db.session.commit()
    page = _dashboard(head)
    assert 'dir="rtl"' in page and "Mentor: Marco Mentor" not in page


def test_the_kept_menu_follows_the_role_and_the_badge(app, make_user):
    ids = staff_and_trainee(make_user)
    mentor, _auth = as_user(app, "mentor@example.com")
    page = _dashboard(mentor)
    assert "/grading" in page and "/admin/users" not in page
    with app.app_context():
        db.session.get(User, ids["mentor"]).role = "admin"
        db.session.commit()
    page = mentor.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/users"' in page.split("</nav>")[0]  # the admin's menu, not the mentor's kept one


def _header(page: str) -> str:
    return page.split('<header class="top">')[1].split("</header>")[0]


def test_the_kept_header_follows_the_name_and_the_unread_count_and_signs_with_the_requests_token(app, make_user):
    from onboarding.notifications.services import notify

    ids = staff_and_trainee(make_user)
    trainee, auth = as_user(app, "tom@example.com")
    first = _header(trainee.get("/").get_data(as_text=True))
    assert "Tom Becker" in first and "1 unread" in first  # told who mentors him
    with app.app_context():
        notify([ids["trainee"]], "extra_attempt", quiz="Products")
        db.session.get(User, ids["trainee"]).full_name = "Tom Baker"
        db.session.commit()
    header = _header(trainee.get("/").get_data(as_text=True))
    assert "Tom Baker" in header and "Tom Becker" not in header
    assert '<span class="count" aria-hidden="true">2</span>' in header and "2 unread" in header
    # The kept header holds a stand-in for the sign-out form's token: each page carries its own session's token,
    # and another person's session never gets this one's.
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', header))
    assert len(tokens) == 1 and fragments.TOKEN_STAND_IN not in header
    other, _ = as_user(app, "tom@example.com")
    assert not tokens & set(re.findall(r'name="csrf_token" value="([^"]+)"', other.get("/").get_data(as_text=True)))
    with app.app_context():  # another language: another header
        db.session.get(User, ids["trainee"]).locale = "ar"
        db.session.commit()
    arabic = _header(trainee.get("/").get_data(as_text=True))
    assert "تسجيل الخروج" in arabic and "Sign out" not in arabic
    response = trainee.post("/logout", data={"csrf_token": tokens.pop()})
    assert response.status_code == 302 and trainee.get("/").status_code == 302  # the token signs out


def test_the_kept_path_follows_the_trainees_progress_and_who_reads_it(app, make_user):
    from onboarding.content import curriculum
    from onboarding.learning.services import complete_module

    ids = staff_and_trainee(make_user)
    trainee, _auth = as_user(app, "tom@example.com")
    mentor, _auth = as_user(app, "mentor@example.com")
    with app.app_context():
        stage1 = curriculum().stages[0]
    before = trainee.get("/").get_data(as_text=True)
    assert f"Modules: 0 of {len(stage1.modules)}" in before
    assert 'href="/stages/2"' not in before  # the trainee's locked stage is not a link
    assert 'href="/stages/2"' in mentor.get(f"/trainees/{ids['trainee']}").get_data(as_text=True)  # staff's is
    with app.app_context():
        complete_module(db.session.get(User, ids["trainee"]), stage1.modules[0])
        db.session.commit()
    assert f"Modules: 1 of {len(stage1.modules)}" in trainee.get("/").get_data(as_text=True)


def test_kept_options_mark_the_choice_escape_the_labels_and_follow_the_rows(app):
    from onboarding.forms_common import kept_options

    rows = [(2, "Marco Mentor"), (12, "Mona <Mentor> & Co"), (1, "Irene Head")]
    with app.test_request_context():
        plain = str(kept_options(rows))
        assert plain == ('<option value="2">Marco Mentor</option>'
                         '<option value="12">Mona &lt;Mentor&gt; &amp; Co</option><option value="1">Irene Head</option>')
        chosen = str(kept_options(rows, 1))
        assert chosen.count(" selected") == 1 and '<option selected value="1">Irene Head</option>' in chosen
        assert '<option value="12">' in chosen  # 1 is not 12's prefix: the whole value is matched
        assert str(kept_options(rows, 99)) == plain and str(kept_options(rows, "")) == plain
        assert str(kept_options(rows)) == plain  # the kept list was not marked by an earlier choice
        renamed = [(2, "Marco Rossi"), *rows[1:]]
        assert "Marco Rossi" in kept_options(renamed) and "Marco Mentor" not in kept_options(renamed)


def test_the_dashboards_mentor_lists_mark_each_its_own_choice(app, make_user):
    ids = staff_and_trainee(make_user)
    head, auth = as_user(app, "head@example.com")
    page = head.get(f"/?mentor={ids['mentor']}").get_data(as_text=True)
    filter_list = page.split('<select id="mentor" name="mentor">')[1].split("</select>")[0]
    assign_list = page.split('<select id="mentor-assign" name="mentor" required>')[1].split("</select>")[0]
    assert f'<option selected value="{ids["mentor"]}">Marco Mentor</option>' in filter_list
    assert " selected" not in assign_list.split('value="">')[1]  # the assignment starts on "Choose a mentor…"
    # A refused assignment (no trainee chosen) comes back with its mentor still chosen.
    response = head.post("/trainees/assign", data={"mentor": str(ids["head"]), "csrf_token": auth.token()})
    assert response.status_code == 400
    refused = response.get_data(as_text=True).split(
        '<select id="mentor-assign" name="mentor" required>')[1].split("</select>")[0]
    assert f'<option selected value="{ids["head"]}">Irene Head</option>' in refused and refused.count(" selected") == 1
    # No mentor chosen: the list says it is what is wrong, and starts on "Choose a mentor…" again.
    response = head.post("/trainees/assign", data={"trainees": str(ids["trainee"]), "csrf_token": auth.token()})
    assert response.status_code == 400
    refused = response.get_data(as_text=True).split(
        '<select id="mentor-assign" name="mentor" required aria-invalid="true" '
        'aria-describedby="mentor-assign-error">')[1].split("</select>")[0]
    assert '<option selected value="">' in refused and refused.count(" selected") == 1
    with app.app_context():
        db.session.get(User, ids["mentor"]).full_name = "Marco Rossi"
        db.session.commit()
    assert "Marco Rossi" in head.get("/").get_data(as_text=True).split('id="mentor-assign"')[1]


def test_the_unread_count_read_with_the_person_is_used_until_anything_changes_their_notifications(app, make_user):
    from onboarding.auth.views import load_user
    from onboarding.notifications.services import mark_read, notify, resolve, unread_count

    from .conftest import statements_during

    uid = make_user("trainee", email="tom@example.com")
    with app.app_context():
        notify([uid], "extra_attempt", link="/quizzes/q1", quiz="Products")
        notify([uid], "extra_attempt", link="/quizzes/q2", quiz="Prices")
        db.session.commit()
        session_id = db.session.get(User, uid).get_id()
    with app.test_request_context():
        assert load_user(session_id).id == uid
        count, statements = statements_during(app, lambda: unread_count(uid))
        assert (count, statements) == (2, 0)  # read with the person: no statement of its own
        resolve("/quizzes/q1")
        assert unread_count(uid) == 1
        notify([uid], "extra_attempt", link="/quizzes/q3", quiz="Objections")
        db.session.flush()
        assert unread_count(uid) == 2
        load_user(session_id)
        mark_read(uid)
        assert unread_count(uid) == 0
        db.session.rollback()
    with app.test_request_context():
        load_user(session_id)
        other = make_user("trainee", email="ana@example.com")
        assert statements_during(app, lambda: unread_count(other))[1] == 1  # someone else's: read for them


def test_a_frozen_dataclass_of_plain_values_is_its_own_key_and_still_differs_in_every_nested_field():
    from onboarding.assessment.presenting import ShownOption, ShownQuestion

    def question(**changes):
        fields = dict(id="q1", type="single", number=1, prompt_html="<p>Which unit?</p>", points=2, unit="",
                      scoring="all", options=(ShownOption("a", "AW-200", False, None),
                                              ShownOption("b", "AW-350", True, None)),
                      response="b", awarded=None, waiting=False, comment=None, grader=None, explanation="",
                      module=None, expected=None, model_answer=None, rubric=())
        return ShownQuestion(**{**fields, **changes})

    key = frozen({"q": question(), "text": ""})
    assert key == frozen({"q": question(), "text": ""}) and hash(key) == hash(frozen({"q": question(), "text": ""}))
    assert key[1] == ("q", ("=", question()))  # the fast path: the question itself
    assert key != frozen({"q": question(response="a"), "text": ""})
    chosen_other = (ShownOption("a", "AW-200", True, None), ShownOption("b", "AW-350", False, None))
    assert key != frozen({"q": question(options=chosen_other), "text": ""})  # a nested option's field
    renamed = (ShownOption("a", "AW-200", False, None), ShownOption("b", "AW-360", True, None))
    assert key != frozen({"q": question(options=renamed), "text": ""})
    # A frozen dataclass holding a dict cannot hash: it is frozen field by field, as before.
    assert frozen(_Row("a", {"mentor": {"quiz": 1}})) != frozen(_Row("a", {"mentor": {"quiz": 2}}))


def test_a_frozen_dataclass_that_compares_less_than_it_shows_is_frozen_field_by_field():
    from dataclasses import field

    @dataclass(frozen=True)
    class Partly:
        name: str
        shown: str = field(compare=False)

    @dataclass(frozen=True)
    class OwnEquality:
        name: str
        shown: str

        def __eq__(self, other):
            return self.name == other.name

        __hash__ = object.__hash__

    assert frozen(Partly("a", "one")) != frozen(Partly("a", "two"))
    assert frozen(OwnEquality("a", "one")) != frozen(OwnEquality("a", "two"))


def test_a_frozen_map_hashes_compares_in_its_order_and_cannot_change():
    from onboarding.values import FrozenMap

    a = FrozenMap([("mentor", FrozenMap(quiz=1)), ("head", FrozenMap())])
    assert a == FrozenMap([("mentor", FrozenMap(quiz=1)), ("head", FrozenMap())])
    assert hash(a) == hash(FrozenMap([("mentor", FrozenMap(quiz=1)), ("head", FrozenMap())]))
    assert a != FrozenMap([("head", FrozenMap()), ("mentor", FrozenMap(quiz=1))])  # shown in another order
    assert a != FrozenMap([("mentor", FrozenMap(quiz=2)), ("head", FrozenMap())])  # a nested count
    assert a["mentor"].get("quiz") == 1 and list(a) == ["mentor", "head"]
    for change in (lambda: a.__setitem__("x", 1), lambda: a.__delitem__("head"), a.clear, lambda: a.pop("head"),
                   a.popitem, lambda: a.setdefault("x", 1), lambda: a.update(x=1)):
        with pytest.raises(TypeError):
            change()
    assert list(a) == ["mentor", "head"]


def test_a_dashboard_row_is_its_own_key_and_differs_in_what_waits_and_last_week(app, make_user):
    """The row's cells are kept under the row itself (a hash, not a walk through every field): the maps it holds
    are FrozenMaps. Someone waiting on someone else, or another week's figure, is another key."""
    from onboarding.readiness.dashboard import Filters, dashboard

    make_user("trainee", name="Tom Becker")
    with app.test_request_context():
        row = dashboard(Filters())[0].items[0]
        assert frozen(row) == ("=", row)
        assert hash(frozen({"row": row}))
        waits = {**row.waits, "head": type(row.waits)(decision=1)}
        assert frozen(replace(row, waits=type(row.waits)(waits))) != frozen(row)
        week = type(row.week)({**row.week, "calls": (99, 100)})
        assert frozen(replace(row, week=week)) != frozen(row)


def test_the_language_and_zone_a_request_keeps_follow_force_locale_in_zone_and_a_changed_zone(app, make_user):
    """locale_name and current_zone are found once per request for the fragments' keys and the dates; a language
    forced for an e-mail, a reader's zone, or the person's own zone changed during the request are found again."""
    from zoneinfo import ZoneInfo

    from flask_babel import force_locale
    from flask_login import login_user

    from onboarding.i18n import current_zone, in_zone, locale_name
    from onboarding.readiness.dashboard import Filters, dashboard
    from onboarding.readiness.views import team_row_cells

    uid = make_user("trainee", name="Tom Becker")
    with app.test_request_context():
        user = db.session.get(User, uid)
        user.time_zone = "Asia/Dubai"
        login_user(user)
        assert locale_name() == "en" and current_zone() == ZoneInfo("Asia/Dubai")
        row = dashboard(Filters())[0].items[0]
        english = team_row_cells(row, False)
        assert "No mentor yet" in english
        with force_locale("ar"):
            assert locale_name() == "ar"
            arabic = team_row_cells(row, False)
            assert arabic != english and "No mentor yet" not in arabic
        assert locale_name() == "en"
        with in_zone(ZoneInfo("America/New_York")):
            assert current_zone() == ZoneInfo("America/New_York")
        assert current_zone() == ZoneInfo("Asia/Dubai")
        assert team_row_cells(row, False) is english  # kept: the same fragment, found under the same key
        user.time_zone = "Europe/Berlin"  # changed on the account page, and the page shown again
        assert current_zone() == ZoneInfo("Europe/Berlin")
        assert team_row_cells(row, False) is not english  # another zone, another key
        db.session.rollback()


def test_a_kept_ledger_day_follows_its_confirmation_correction_files_reader_and_next(app, make_user):
    """A day of the ledger's table is kept per worker: confirming it, correcting it, renaming the corrector, the
    reader (only a file's uploader may take it back) and the page's `next` each show; its forms carry the request's
    own CSRF token."""
    from onboarding.activity.models import ActivityEntry
    from onboarding.evidence.models import EvidenceFile

    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    uid = make_user("trainee", email="sam@example.com", name="Sam Trainee", mentor=mentor,
                    start=date.today() - timedelta(days=30))
    with app.app_context():
        entry = ActivityEntry(trainee_id=uid, day=date.today() - timedelta(days=2), calls=22, meetings=1,
                              entered_by=uid)
        db.session.add(entry)
        db.session.flush()
        db.session.add(EvidenceFile(trainee_id=uid, uploaded_by=uid, name="call-notes.pdf", size=10,
                                    mime="application/pdf", kind="document", sha256="0" * 64, storage_key="kept-day",
                                    activity_entry_id=entry.id))
        db.session.add(EvidenceFile(trainee_id=uid, uploaded_by=mentor, name="mentor-notes.pdf", size=10,
                                    mime="application/pdf", kind="document", sha256="1" * 64, storage_key="kept-day-2",
                                    activity_entry_id=entry.id))
        db.session.commit()
        eid = entry.id
    path = f"/trainees/{uid}/activity"

    def days(client, url=path) -> str:
        response = client.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True).split('<h2 id="days">')[1]

    make_user("head", email="head@example.com", name="Hana Head")
    marco, _auth = as_user(app, "mentor@example.com")
    sam, _sam_auth = as_user(app, "sam@example.com")
    hana, _hana_auth = as_user(app, "head@example.com")
    row = days(marco)
    assert "Not confirmed" in row and f'action="/activity/{eid}/confirm"' in row and "call-notes.pdf" in row
    assert "Remove call-notes.pdf" not in row and "Remove mentor-notes.pdf" in row and 'name="next"' not in row
    assert "Remove call-notes.pdf" in days(sam)  # the uploader, reading the same kept day
    # the head of sales may confirm and correct as the mentor may, but takes back nobody's file
    assert f'action="/activity/{eid}/confirm"' in days(hana) and "Remove mentor-notes.pdf" not in days(hana)
    assert '<input type="hidden" name="next" value="/inbox">' in days(marco, path + "?next=/inbox")

    token = re.search(rf'action="/activity/{eid}/confirm".*?name="csrf_token" value="([^"]+)"', row, re.S).group(1)
    assert token != fragments.TOKEN_STAND_IN
    assert marco.post(f"/activity/{eid}/confirm", data={"csrf_token": token}).status_code == 302
    row = days(marco)
    assert "Confirmed" in row and f'action="/activity/{eid}/confirm"' not in row
    assert "Remove call-notes.pdf" not in days(sam)  # a confirmed day's files stay

    with app.app_context():
        db.session.add(ActivityEntry(trainee_id=uid, day=date.today() - timedelta(days=2), calls=20, meetings=1,
                                     entered_by=mentor, corrects_id=eid, confirmed_by=mentor,
                                     confirmed_at=datetime.now(timezone.utc), note="Two calls were counted twice"))
        db.session.commit()
    row = days(marco)
    assert "Correction by Marco Mentor" in row and "Two calls were counted twice" in row
    with app.app_context():
        db.session.get(User, mentor).full_name = "Marco Renamed"
        db.session.commit()
    assert "Correction by Marco Renamed" in days(marco)


def test_a_bounded_store_keeps_up_to_its_limit_then_starts_again():
    from onboarding.values import BoundedStore

    store, built = BoundedStore(2), []

    def build(value):
        built.append(value)
        return value

    assert store.keep("a", lambda: build(1)) == 1 and store.keep("a", lambda: build(9)) == 1  # kept: built once
    store.keep("b", lambda: build(2))
    assert built == [1, 2] and dict(store) == {"a": 1, "b": 2}  # exactly at the limit: nothing dropped
    store.put("b", 3)  # a key it holds is replaced, not a reason to start again
    assert dict(store) == {"a": 1, "b": 3}
    store.keep("c", lambda: build(4))  # one past the limit: the store starts again with it
    assert dict(store) == {"c": 4} and built == [1, 2, 4]
    assert store.keep("d", lambda: None) is None and "d" not in store  # nothing built, nothing kept
