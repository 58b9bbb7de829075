"""The dashboard's filter form and its page of rows are kept per worker under what they show
(readiness.views.dashboard_filters, team_rows): each view shows its own choices, a new mentor at once, the add button
only to whom may add, a refused search as typed with its reason, the language of the reader, the choosing boxes to
the head alone and never ticked but on a refused assignment, a renamed trainee at once, however the views before
left the store."""
import re

import pytest

from .conftest import as_user


def _form(html: str) -> str:
    return html[html.index('class="dashboard-filters"'):html.index("</form>", html.index('class="dashboard-filters"'))]


def _selected(form: str) -> dict:
    found = {}
    for name, body in re.findall(r'<select id="(\w+)" name="\w+">(.*?)</select>', form, re.S):
        found[name] = re.findall(r'<option (?:selected value="([^"]*)"|value="([^"]*)" selected)', body)
    return {name: [a or b for a, b in values] for name, values in found.items()}


def test_each_view_shows_its_own_choices_after_another_was_kept(app, make_user):
    make_user("head", email="head@example.com")
    mentor = make_user("mentor", name="Marta Mentor")
    make_user("trainee", mentor=mentor)
    head, _auth = as_user(app, "head@example.com")
    first = _form(head.get(f"/?stage=2&status=all&sort=name&mentor={mentor}&overdue=1").get_data(as_text=True))
    assert _selected(first) == {"mentor": [str(mentor)], "stage": ["2"], "status": ["all"], "waits": [],
                                "sort": ["name"]}
    assert 'id="overdue" name="overdue" type="checkbox" value="1" checked' in first
    assert f"mentor={mentor}" in first and "stage=2" in first  # the export keeps the same view
    plain = _form(head.get("/").get_data(as_text=True))
    assert _selected(plain) == {"mentor": [], "stage": [], "status": ["active"], "waits": [], "sort": ["-start"]}
    assert "checked" not in plain and "Marta Mentor" in plain


def test_a_new_mentor_is_a_choice_at_once_and_the_add_button_is_for_who_may_add(app, make_user):
    make_user("head", email="head@example.com")
    make_user("director", email="director@example.com")
    head, _auth = as_user(app, "head@example.com")
    director, _auth = as_user(app, "director@example.com")
    assert "Add a trainee" in _form(head.get("/").get_data(as_text=True))
    assert "Add a trainee" not in _form(director.get("/").get_data(as_text=True))  # the same view, kept for a head
    assert "Nadia New" not in _form(head.get("/").get_data(as_text=True))
    make_user("mentor", name="Nadia New")
    assert "Nadia New" in _form(head.get("/").get_data(as_text=True))


def test_a_refused_search_is_shown_as_typed_with_its_reason_and_the_next_search_without(app, make_user):
    make_user("head", email="head@example.com")
    head, _auth = as_user(app, "head@example.com")
    long = "z" * 250
    refused = head.get(f"/?q={long}")
    form = _form(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert f'value="{long}"' in form and 'aria-invalid="true"' in form and 'id="q-error"' in form
    form = _form(head.get("/?q=sam").get_data(as_text=True))
    assert 'value="sam"' in form and "aria-invalid" not in form and "q-error" not in form


def test_the_form_speaks_the_readers_language(app, make_user):
    from onboarding.auth.models import User
    from onboarding.extensions import db

    make_user("head", email="head@example.com")
    make_user("head", email="arabic@example.com")
    with app.app_context():
        db.session.scalar(db.select(User).where(User.email == "arabic@example.com")).locale = "ar"
        db.session.commit()
    head, _auth = as_user(app, "head@example.com")
    arabic_head, _auth = as_user(app, "arabic@example.com")
    assert "Find a trainee" in _form(head.get("/").get_data(as_text=True))
    arabic = _form(arabic_head.get("/").get_data(as_text=True))
    assert "Find a trainee" not in arabic and 'name="q"' in arabic


def _boxes(html: str) -> list:
    return re.findall(r'<input type="checkbox" name="trainees"[^>]*>', html)


def test_the_rows_kept_tick_no_box_and_a_refused_assignment_ticks_the_chosen(app, make_user):
    make_user("head", email="head@example.com")
    mentor = make_user("mentor", email="mentor@example.com", name="Marta Mentor")
    chosen = make_user("trainee", name="Sam Chosen", mentor=mentor)
    other = make_user("trainee", name="Ola Other", mentor=mentor)
    head, auth = as_user(app, "head@example.com")
    boxes = _boxes(head.get("/").get_data(as_text=True))
    assert len(boxes) == 2 and not any("checked" in box for box in boxes)
    refused = head.post("/trainees/assign", data={"trainees": [str(chosen)], "mentor": "",
                                                  "csrf_token": auth.token("/")})
    assert refused.status_code == 400
    ticked = {re.search(r'value="(\d+)"', box).group(1): "checked" in box
              for box in _boxes(refused.get_data(as_text=True))}
    assert ticked == {str(chosen): True, str(other): False}
    again = _boxes(head.get("/").get_data(as_text=True))
    assert len(again) == 2 and not any("checked" in box for box in again)  # the refusal left nothing kept ticked
    make_user("director", email="director@example.com")
    director, _auth = as_user(app, "director@example.com")
    page = director.get("/").get_data(as_text=True)
    assert "Sam Chosen" in page and _boxes(page) == []  # the same rows the head's view kept: a director assigns none


def test_the_same_rows_for_the_mentor_have_no_boxes_and_a_new_name_shows_at_once(app, make_user):
    from onboarding.auth.models import User
    from onboarding.extensions import db
    from onboarding.people.services import correct_identity

    make_user("head", email="head@example.com")
    mentor = make_user("mentor", email="mentor@example.com", name="Marta Mentor")
    trainee = make_user("trainee", name="Sam Before", email="sam@example.com", mentor=mentor)
    head, _auth = as_user(app, "head@example.com")
    marta, _auth = as_user(app, "mentor@example.com")
    assert len(_boxes(head.get(f"/?mentor={mentor}").get_data(as_text=True))) == 1
    mine = marta.get("/").get_data(as_text=True)
    assert "Sam Before" in mine and _boxes(mine) == []
    with app.app_context():
        correct_identity(db.session.get(User, trainee), "Sam After", "sam@example.com", db.session.get(User, mentor))
        db.session.commit()
    page = head.get(f"/?mentor={mentor}").get_data(as_text=True)
    assert "Sam After" in page and "Sam Before" not in page


def test_the_list_of_mentors_is_made_once_and_anew_for_any_change(app, make_user):
    """people.services.mentors keeps the list it made under the rows it read: the same tuple while nothing changes
    (forms_common.kept_options knows it by identity), a new list for a new name, a departed mentor, a mentor added
    in the same transaction (flushed first, as an ORM query would), and two people of one name told apart."""
    from onboarding.auth.models import User
    from onboarding.extensions import db
    from onboarding.forms_common import kept_options
    from onboarding.people.services import mentors

    first = make_user("mentor", name="Marta Mentor")
    with app.test_request_context():
        listed = mentors()
        assert listed is mentors() and [m.label for m in listed] == ["Marta Mentor"]
        assert kept_options(listed) is kept_options(listed)
        db.session.get(User, first).full_name = "Marta Renamed"  # not committed: flushed before the read
        renamed = mentors()
        assert [m.label for m in renamed] == ["Marta Renamed"] and "Marta Renamed" in kept_options(renamed)
        db.session.add(User(email="twin@example.com", full_name="Marta Renamed", role="mentor",
                            password_hash="x"))
        assert [m.label for m in mentors()] == ["Marta Renamed (mentor1@example.com)",
                                                "Marta Renamed (twin@example.com)"]
        db.session.get(User, first).active = False
        assert [m.label for m in mentors()] == ["Marta Renamed"]
        db.session.rollback()
        assert [m.label for m in mentors()] == ["Marta Mentor"] and mentors() is listed  # the kept list again


def test_options_of_a_list_that_can_change_are_read_again(app):
    """kept_options knows a tuple of plain values by its identity; a list, which can change in place, is read each
    time."""
    from onboarding.forms_common import kept_options

    with app.test_request_context():
        rows = [(1, "Ann"), (2, "Ben")]
        assert 'value="2">Ben<' in kept_options(rows)
        rows[1] = (2, "Bea")
        assert 'value="2">Bea<' in kept_options(rows) and "Ben" not in kept_options(rows)
        assert 'selected value="1"' in kept_options(tuple(rows), 1) and "selected" not in kept_options(tuple(rows))


def test_a_page_of_rows_is_its_own_key_and_its_rows_are_made_only_to_render_it(app, make_user):
    """The dashboard's page of rows as read (ListRows: plain columns, the JSON as its text) is the key of its kept
    HTML: the same page read again is found without making a row; another day, a role-play whose time came, or
    another wait is another key."""
    from datetime import timedelta

    from onboarding.readiness.dashboard import (_LEADING, _ROLE_PLAY, _ROLE_PLAY_AT, _SHOWN, Filters, ListRows,
                                                dashboard)
    from onboarding.readiness.views import team_rows

    make_user("trainee", name="Tom Becker")
    with app.test_request_context():
        first = dashboard(Filters())[0].items
        html = team_rows(first, False, None)
        assert "Tom Becker" in html
        again = dashboard(Filters())[0].items
        assert again == first and hash(again) == hash(first) and again is not first
        assert team_rows(again, False, None) == html and again._made is None  # found whole: no row made
        on, now, found = first.on, first.now, first.found[0]
        assert ListRows(first.found, on + timedelta(days=1), now) != first  # the days since the start move
        soon = found[:_ROLE_PLAY] + ("scheduled", now + timedelta(minutes=5)) + found[_ROLE_PLAY_AT + 1:]
        waiting, come = ListRows((soon,), on, now), ListRows((soon,), on, now + timedelta(minutes=5))
        assert waiting != come and (waiting[0].role_play, come[0].role_play) == ("scheduled", "due")
        assert dict(come[0].waits["evaluators"]) == {"role_play": 1}
        at = _LEADING + _SHOWN.index("waits")
        other = found[:at] + ('{"head": {"decision": 1}}',) + found[at + 1:]
        assert ListRows((other,), on, now) != ListRows((found,), on, now)
        assert dict(ListRows((other,), on, now)[0].waits["head"]) == {"decision": 1}


@pytest.fixture
def rendered(monkeypatch) -> list:
    """The templates of the kept fragments rendered during the test, in order (a fragment found kept is not)."""
    from onboarding import fragments

    names, render = [], fragments._render
    monkeypatch.setattr(fragments, "_render", lambda template, values: (names.append(template),
                                                                        render(template, values))[1])
    return names


def _assign_token(html: str) -> str:
    return re.search(r'<form method="post" action="/trainees/assign" id="assign"><input name="csrf_token" '
                     r'type="hidden" value="([^"]+)">', html).group(1)


def test_the_kept_table_signs_with_each_requests_token_and_follows_the_page_and_the_mentors(app, make_user,
                                                                                             rendered):
    """The table, its bulk assignment and its pager are kept whole (readiness.views.team_table): a second visit
    renders nothing, yet its form carries that request's own token, and another page, a new mentor or a refused
    assignment each show what they must."""
    from onboarding import fragments

    app.config["PER_PAGE"] = 1
    make_user("head", email="head@example.com")
    marta = make_user("mentor", email="marta@example.com", name="Marta Mentor")
    ids = [make_user("trainee", name=f"Sam {n}") for n in range(2)]
    head, _auth = as_user(app, "head@example.com")
    first = head.get("/").get_data(as_text=True)
    assert rendered.count("readiness/_team_table.html") == 1
    second = head.get("/").get_data(as_text=True)
    assert rendered.count("readiness/_team_table.html") == 1  # kept: the same table, not rendered again
    assert fragments.TOKEN_STAND_IN not in first + second  # the stand-in never reaches a page
    assert _assign_token(first) and _assign_token(second)
    assert 'rel="next"' in second and 'rel="prev"' not in second
    every = head.get("/?status=all").get_data(as_text=True)  # the same rows: the pager keeps its own query
    assert 'href="/?status=all&amp;page=2" rel="next"' in every and 'href="/?page=2" rel="next"' in second
    later = head.get("/?page=2").get_data(as_text=True)  # another page: its own rows and pager
    assert rendered.count("readiness/_team_table.html") == 3 and 'rel="prev"' in later and "Page 2 of 2" in later
    refused = head.post("/trainees/assign", data={"trainees": [str(ids[0])], "mentor": "",
                                                  "csrf_token": _assign_token(second)})
    assert refused.status_code == 400 and 'id="mentor-assign-error"' in refused.get_data(as_text=True)
    assert 'id="mentor-assign-error"' not in head.get("/").get_data(as_text=True)  # the refusal was not kept
    nils = make_user("mentor", email="nils@example.com", name="Nils New")
    page = head.get("/").get_data(as_text=True)
    assert f'<option value="{nils}">Nils New</option>' in page[page.index('id="mentor-assign"'):]
    done = head.post("/trainees/assign", data={"trainees": [str(ids[1])], "mentor": str(marta),
                                               "csrf_token": _assign_token(page)})  # the kept page's form works
    assert done.status_code == 302


def test_the_kept_table_names_the_fields_as_the_assignment_form_does(app):
    from onboarding.forms_common import with_ids
    from onboarding.mentoring.forms import ASSIGN_PROMPT, AssignForm
    from onboarding.readiness.views import ASSIGN_IDS, ASSIGN_SUFFIX

    with app.test_request_context():
        form = with_ids(AssignForm(formdata=None), ASSIGN_SUFFIX)
        assert {name: form[name].id for name in ASSIGN_IDS} == ASSIGN_IDS == {"trainees": "trainees-assign",
                                                                              "mentor": "mentor-assign"}
        assert form.mentor.prompt is ASSIGN_PROMPT and form.mentor.name == "mentor"


def test_two_heads_each_get_their_own_token_from_the_kept_table_and_junk_in_the_query_keeps_nothing_new(
        app, make_user, rendered):
    """The kept table is one for every head, but its form signs with the session asking: a token taken from one
    head's page is refused in the other's. A query the dashboard does not read is not a view of its own."""
    app.config["PER_PAGE"] = 1
    make_user("head", email="head@example.com")
    make_user("head", email="second@example.com", name="Second Head")
    marta = make_user("mentor", email="marta@example.com", name="Marta Mentor")
    ids = [make_user("trainee", name=f"Sam {n}") for n in range(2)]
    first, _auth = as_user(app, "head@example.com")
    second, _auth = as_user(app, "second@example.com")
    mine = _assign_token(first.get("/").get_data(as_text=True))
    theirs = _assign_token(second.get("/").get_data(as_text=True))
    assert rendered.count("readiness/_team_table.html") == 1 and mine != theirs  # one table, two tokens
    refused = second.post("/trainees/assign", data={"trainees": [str(ids[0])], "mentor": str(marta),
                                                    "csrf_token": mine})
    assert refused.status_code == 400  # the first head's token does not sign for the second
    assert second.post("/trainees/assign", data={"trainees": [str(ids[0])], "mentor": str(marta),
                                                 "csrf_token": theirs}).status_code == 302
    first.get("/")  # the page as it stands after the assignment
    before = rendered.count("readiness/_team_table.html")
    for n in range(5):
        page = first.get(f"/?junk={n}").get_data(as_text=True)
        assert 'href="/?page=2" rel="next"' in page  # the links keep the filters, not the junk
    assert rendered.count("readiness/_team_table.html") == before  # nothing new kept for a query nobody reads
    assert 'href="/?stage=1&amp;page=2" rel="next"' in first.get("/?junk=x&stage=1").get_data(as_text=True)
