"""One way to show errors on every form: the page comes back (400) with what was typed, each error beside its
field (aria-invalid, aria-describedby) and listed first in <main> in a summary that links to the field, on an
address that answers GET; every text input carries the server's maxlength; WTForms' own messages in Arabic."""
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_babel.speaklater import LazyString
from wtforms import HiddenField, StringField

from onboarding.extensions import db

from .conftest import as_user, complete_stages_before, seeded_demo


# ---------------------------------------------------------------- reading a page

class Page(HTMLParser):
    """The elements of a page in order: (tag, attributes, text of a textarea), the ids, what opens <main>,
    and the links of the error summary."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements, self.ids, self.summary_links = [], {}, []
        self.first_in_main = None
        self._main = self._summary = False
        self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        element = [tag, attrs, ""]
        self.elements.append(element)
        if "id" in attrs:
            self.ids.setdefault(attrs["id"], element)
        if self._main and self.first_in_main is None:
            self.first_in_main = element
        if tag == "main":
            self._main = True
        if "error-summary" in attrs.get("class", "").split():
            self._summary = True
        if self._summary and tag == "a":
            self.summary_links.append(attrs.get("href", ""))
        if tag == "textarea":
            self._textarea = element

    def handle_endtag(self, tag):
        if tag == "ul" and self._summary:
            self._summary = False
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[2] += data

    def value(self, element_id):
        tag, attrs, text = self.ids[element_id]
        # A browser drops one newline that opens a textarea's text (WTForms writes one).
        return re.sub(r"^\r?\n", "", text) if tag == "textarea" else attrs.get("value", "")


def assert_error_page(response, fields, typed=None):
    """400; the summary first in <main>, linking to each of `fields`; each of them invalid and described by its
    error; every typed value (field id -> text) still in its field."""
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:300]
    assert 'id="False' not in html and 'id="None' not in html  # every id a real one
    page = Page(html)
    tag, attrs, _ = page.first_in_main
    assert "error-summary" in attrs.get("class", "").split(), f"<main> opens with <{tag} {attrs}>"
    assert attrs.get("role") == "alert" and attrs.get("tabindex") == "-1"
    for link in page.summary_links:
        assert link.startswith("#") and link[1:] in page.ids, f"the summary links to {link}, not on the page"
    for field_id in fields:
        assert f"#{field_id}" in page.summary_links, f"{field_id} not in the summary: {page.summary_links}"
        tag, attrs, _ = page.ids[field_id]
        described = attrs.get("aria-describedby", "").split()
        assert f"{field_id}-error" in described and f"{field_id}-error" in page.ids
        if tag in ("input", "textarea", "select"):
            assert attrs.get("aria-invalid") == "true"
    for field_id, text in (typed or {}).items():
        assert page.value(field_id) == text, f"{field_id} lost what was typed"
    return page


def assert_reloads(client, url):
    """The address the browser shows after the POST answers GET (a reload), never 405."""
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"


@pytest.fixture
def people(make_user):
    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    return {"mentor": mentor, "head": make_user("head", email="head@example.com", name="Irene Head"),
            "trainee": make_user("trainee", email="sam@example.com", name="Sam Trainee", mentor=mentor)}


# ---------------------------------------------------------------- a page form: the ledger

def test_the_ledger_comes_back_with_every_figure_and_the_note(app, people):
    uid = people["trainee"]
    client, auth = as_user(app, "sam@example.com")
    url = f"/trainees/{uid}/activity"
    typed = {"prospects": "2", "calls": "22x", "meetings": "1", "applications": "", "orders": "0", "referrals": "1", "events": "0",
             "decision_makers": "4", "deals": "0", "note": "Met the bursar of St Anne's; call back on Friday."}
    response = client.post(url, data={**typed, "day": "", "csrf_token": auth.token(url)})
    kept = {name: value for name, value in typed.items() if name != "calls"}
    page = assert_error_page(response, ["day", "calls", "applications"], kept)
    assert page.ids["note"][1]["maxlength"] == "2000"
    # Letters in a number field (only a client other than a browser sends them): one message, and the number
    # input is not given a value it cannot hold (the HTML stays valid).
    assert page.value("calls") == ""
    html = response.get_data(as_text=True)
    calls_error = re.search(r'<p class="error" id="calls-error">(.*?)</p>', html, flags=re.S).group(1)
    assert calls_error.strip() == "Enter a whole number from 0 to 10,000."
    assert_reloads(client, url)


# ---------------------------------------------------------------- forms deep in a long page

def test_a_wrong_signature_stays_on_the_document_with_the_summary_first(app, people):
    client, auth = as_user(app, "sam@example.com")
    token = auth.token("/job-description")
    response = client.post("/job-description/sign", data={"typed_name": "Sam Traine", "csrf_token": token})
    assert_error_page(response, ["typed_name"], {"typed_name": "Sam Traine"})
    assert "Type your full name exactly as it appears on your account" in response.get_data(as_text=True)
    empty = client.post("/job-description/sign", data={"typed_name": "", "csrf_token": token})
    assert_error_page(empty, ["typed_name"])
    assert "Type your full name to sign." in empty.get_data(as_text=True)
    assert_reloads(client, "/job-description/sign")
    assert client.get("/job-description/sign").headers["Location"].endswith("/job-description")


def test_the_readiness_decision_keeps_the_note_the_plan_and_the_choice(app, people):
    uid = people["trainee"]
    client, auth = as_user(app, "head@example.com")
    url = f"/trainees/{uid}/readiness-decision"
    typed = {"decision-note": "Keep going: two more weeks with the mentor.",
             "decision-plan": "", "override_reason": ""}
    response = client.post(url, data={"decision": "extended", "note": typed["decision-note"], "plan": "",
                                      "new_target_date": "", "csrf_token": auth.token(f"/trainees/{uid}")})
    page = assert_error_page(response, ["decision-date", "decision-plan"], typed)
    assert "checked" in page.ids["decision-1"][1]  # "extended" stays chosen
    approve = client.post(url, data={"decision": "approved", "note": "Strong hire.", "override_reason": " ",
                                     "csrf_token": auth.token(f"/trainees/{uid}")})
    assert_error_page(approve, ["override_reason"], {"decision-note": "Strong hire."})
    nothing = client.post(url, data={"csrf_token": auth.token(f"/trainees/{uid}")})
    assert_error_page(nothing, ["decision", "decision-note"])  # the radios' fieldset carries the error
    assert_reloads(client, url)


def test_the_recommendation_and_the_plan_come_back_on_the_trainee_page(app, people):
    uid = people["trainee"]
    mentor, m_auth = as_user(app, "mentor@example.com")
    url = f"/trainees/{uid}/recommendation"
    response = mentor.post(url, data={"recommends": "yes", "note": "x" * 4001, "csrf_token": m_auth.token("/")})
    assert_error_page(response, ["recommendation-note"], {"recommendation-note": "x" * 4001})
    assert_reloads(mentor, url)
    head, h_auth = as_user(app, "head@example.com")
    url = f"/trainees/{uid}/plan"
    response = head.post(url, data={"start_date": "2026-11-01", "target_date": "2026-10-01", "mentor": "",
                                    "team": "0", "csrf_token": h_auth.token("/")})
    assert_error_page(response, ["target_date"], {"start_date": "2026-11-01", "target_date": "2026-10-01"})
    assert_reloads(head, url)


# ---------------------------------------------------------------- actions that only POST

def test_a_sign_off_note_over_the_limit_comes_back_typed_on_the_checklist(app, people):
    uid = people["trainee"]
    complete_stages_before(app, uid, 3)
    trainee, t_auth = as_user(app, "sam@example.com")
    url = f"/trainees/{uid}/tasks/proposal/request"
    note, link = "n" * 2001, "https://drive.example/proposal.pdf"
    response = trainee.post(url, data={"note": note, "evidence": link,
                                       "csrf_token": t_auth.token(f"/trainees/{uid}/checklist")})
    page = assert_error_page(response, ["note-request-proposal"],
                             {"note-request-proposal": note, "evidence-request-proposal": link})
    assert page.ids["note-request-proposal"][1]["maxlength"] == "2000"
    assert "Field cannot be longer than 2000 characters." in response.get_data(as_text=True)
    assert_reloads(trainee, url)
    assert trainee.post(url, data={"note": "Ready", "evidence": link,
                                   "csrf_token": t_auth.token(f"/trainees/{uid}/checklist")}).status_code == 302

    mentor, m_auth = as_user(app, "mentor@example.com")
    for step in ("sign", "return", "revoke"):
        url = f"/trainees/{uid}/tasks/proposal/{step}"
        response = mentor.post(url, data={"note": "m" * 2001, "csrf_token": m_auth.token(f"/trainees/{uid}/checklist")})
        if step == "revoke":  # nothing signed yet: the step is refused whole, in the summary
            assert response.status_code == 400 and 'class="error-summary"' in response.get_data(as_text=True)
            continue
        assert_error_page(response, [f"note-{step}-proposal"], {f"note-{step}-proposal": "m" * 2001})
        assert_reloads(mentor, url)
    empty = mentor.post(f"/trainees/{uid}/tasks/proposal/return",
                        data={"note": " ", "csrf_token": m_auth.token(f"/trainees/{uid}/checklist")})
    assert_error_page(empty, ["note-return-proposal"])
    assert "Say what to improve before you return the task." in empty.get_data(as_text=True)
    from onboarding.mentoring.models import SignOffEvent

    with app.app_context():
        assert db.session.scalars(sa.select(SignOffEvent.kind)).all() == ["requested"]


def test_the_bulk_assignment_keeps_the_chosen_trainees(app, people):
    client, auth = as_user(app, "head@example.com")
    response = client.post("/trainees/assign", data={"trainees": [str(people["trainee"])], "mentor": "",
                                                     "csrf_token": auth.token("/")})
    page = assert_error_page(response, ["mentor-assign"])
    assert "checked" in page.ids[f"pick-{people['trainee']}"][1]
    assert_reloads(client, "/trainees/assign")


@pytest.mark.parametrize("who, path", [("head@example.com", "/"), ("mentor@example.com", "/"),
                                       ("admin@example.com", "/admin/users")])
def test_a_search_over_the_limit_is_refused_with_the_text_kept_and_one_at_the_limit_searches(app, people, make_user,
                                                                                           who, path):
    from onboarding.forms_common import SEARCH_MAX_LENGTH

    make_user("admin", email="admin@example.com", name="Ada Admin")
    client, _auth = as_user(app, who)
    too_long = "Sam" + "x" * (SEARCH_MAX_LENGTH - 2)
    assert len(too_long) == SEARCH_MAX_LENGTH + 1
    refused = client.get(f"{path}?q={too_long}")
    assert_error_page(refused, ["q"], {"q": too_long})
    assert "at most 100 characters long; this one has 101" in refused.get_data(as_text=True)
    at_limit = client.get(f"{path}?q={too_long[:-1]}")
    assert at_limit.status_code == 200 and "error-summary" not in at_limit.get_data(as_text=True)
    found = client.get(f"{path}?q=Sam").get_data(as_text=True)
    assert "Sam Trainee" in found


def test_every_post_only_form_address_answers_get(app, people):
    """Each address a form posts to, and where a refused form may be shown, answers GET (a redirect to its page)."""
    uid = people["trainee"]
    routes = {"head@example.com": [f"/trainees/{uid}/plan", f"/trainees/{uid}/readiness-decision",
                                   f"/trainees/{uid}/decision", "/trainees/assign", f"/quizzes/basics/extra/{uid}",
                                   f"/trainees/{uid}/tasks/proposal/sign"],
              "mentor@example.com": [f"/trainees/{uid}/recommendation", f"/trainees/{uid}/tasks/proposal/return",
                                     f"/trainees/{uid}/tasks/proposal/revoke"],
              "sam@example.com": ["/job-description/sign", f"/trainees/{uid}/tasks/proposal/request",
                                  "/account/language", "/account/time-zone"]}
    for email, urls in routes.items():
        client, _ = as_user(app, email)
        for url in urls:
            first = client.get(url)
            assert first.status_code == 302, f"GET {url} answered {first.status_code}"
            assert_reloads(client, url)


# ---------------------------------------------------------------- WTForms' messages in Arabic

def test_wtforms_messages_read_in_arabic(app, people):
    from onboarding.auth.models import User

    uid = people["trainee"]
    with app.app_context():
        db.session.get(User, uid).locale = "ar"
        db.session.commit()
    complete_stages_before(app, uid, 3)
    client, auth = as_user(app, "sam@example.com")
    url = f"/trainees/{uid}/tasks/proposal/request"
    html = client.post(url, data={"note": "n" * 2001, "evidence": "not a link",
                                  "csrf_token": auth.token(f"/trainees/{uid}/checklist")}).get_data(as_text=True)
    assert "لا يمكن أن يزيد طول هذا الحقل على 2000 حرف." in html
    assert "Field cannot be longer" not in html
    html = client.post("/account/password", data={"current": "", "password": "", "confirm": "",
                                                   "csrf_token": auth.token("/account/password")}).get_data(
        as_text=True)
    assert "هذا الحقل مطلوب." in html and "This field is required." not in html
    html = client.post(f"/trainees/{uid}/activity", data={"day": "2026-11-02", "calls": "seven", "note": "",
                                                          "csrf_token": auth.token(f"/trainees/{uid}/activity")}
                       ).get_data(as_text=True)
    # Letters in a number field: the field's own message, in Arabic, alone.
    assert "أدخل عددًا صحيحًا من 0 إلى 10,000." in html and "Not a valid integer value." not in html
    assert "أدخل عددًا صحيحًا." not in html
    assert "توجد" in html and "There are" not in html  # the summary's heading


def _forms():
    """An empty instance of every form of the app (in a request context), the scoring form of each role-play
    scenario included."""
    from onboarding.content import curriculum
    from onboarding.mentoring.forms import score_form

    forms = []
    for cls in _form_classes():
        try:
            forms.append(cls(formdata=None))
        except TypeError:  # a form that needs what its view gives it; its fields are checked on the pages
            continue
    return forms + [score_form(s, formdata=None) for s in (curriculum().scenarios or {}).values()]


def _form_classes():
    """Every form class of the app but the scoring forms (made per scenario)."""
    import importlib

    from onboarding.forms_common import FlaskForm

    for module in ("auth.forms", "people.forms", "mentoring.forms", "assessment.forms", "readiness.forms",
                   "api.pages"):
        importlib.import_module(f"onboarding.{module}")
    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return [c for c in found if c is not FlaskForm and c.__name__ != "ScoreForm"]


def _text_fields(form):
    from onboarding.forms_common import fields_of

    return [f for f in fields_of(form) if isinstance(f, StringField) and not isinstance(f, HiddenField)]


def test_every_free_text_field_has_a_length_and_its_input_says_so(app):
    """Every text field of every form has a Length validator, and both the widget and the field macro render
    its max as maxlength; every message our validators give is marked for translation."""
    from onboarding.forms_common import max_length

    with app.test_request_context("/"):
        checked = 0
        for form in _forms():
            for field in _text_fields(form):
                top = max_length(field)
                assert top, f"{type(form).__name__}.{field.name} takes any length: give it a Length validator"
                macro = render_template_string('{% from "_macros.html" import field %}{{ field(f) }}', f=field)
                assert re.findall(r'maxlength="(\d+)"', macro) == [str(top)], (type(form).__name__, field.name)
                assert f'maxlength="{top}"' in str(field())
                checked += 1
            for field in form:
                for validator in field.validators:
                    message = getattr(validator, "message", None)
                    assert message is None or isinstance(message, LazyString), (
                        f"{type(form).__name__}.{field.name}: {message!r} is not marked for translation")
        assert checked > 25


# ---------------------------------------------------------------- every page of every demo role

ROLES = ("admin", "head", "mentor", "trainee", "trainee2", "trainee3", "trainee4", "trainee-ar")
NOT_PAGES = re.compile(r"^/(static/|api/)|\.(csv|ics|json|svg|png|pdf)$|/export|/download")
TEXT_INPUTS = {"", "text", "email", "url", "search", "password", "tel"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, migrated_template):
    yield from seeded_demo(tmp_path_factory, migrated_template, "form-errors")


def _crawl(app, email, limit=60):
    client = _demo_client(app, email)
    seen, queue, pages = set(), ["/"], {}
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        for href in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', html):
            link = urldefrag(href.replace("&amp;", "&"))[0]
            if link.startswith("/") and not link.startswith("//") and not NOT_PAGES.search(urlsplit(link).path):
                queue.append(link)
    return client, pages


def _demo_client(app, email):
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"email": email, "password": "demo-pass-2024",
                                       "csrf_token": token}).status_code == 302
    return client


@pytest.mark.sqlite_only  # the pages are the same on PostgreSQL
def test_every_text_input_of_every_demo_page_carries_the_servers_maxlength(demo):
    """Every text input and textarea a demo role sees carries a maxlength, the one its form's Length validator
    (or the server's own limit) sets; every form that posts what people type answers GET at its address."""
    from onboarding.assessment.services import RESPONSE_MAX_LENGTH
    from onboarding.forms_common import SEARCH_MAX_LENGTH, max_length

    with demo.test_request_context("/"):
        allowed = {}  # field name -> the maxima its forms give it
        for form in _forms():
            for field in _text_fields(form):
                allowed.setdefault(field.name, set()).add(str(max_length(field)))
    inputs = actions = 0
    for role in ROLES:
        client, pages = _crawl(demo, f"{role}@example.com")
        posted = set()
        for path, html in pages.items():
            for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S):
                page = Page(form)
                typed = False
                for tag, attrs, _ in page.elements:
                    kind = attrs.get("type", "")
                    if (tag == "input" and kind in TEXT_INPUTS) or tag == "textarea":
                        typed = True
                        inputs += 1
                        name = attrs.get("name", "")
                        limit = attrs.get("maxlength")
                        assert limit, f"{role} {path}: <{tag} name={name}> has no maxlength"
                        if name.startswith("q-"):
                            expected = {str(RESPONSE_MAX_LENGTH)}
                        elif name == "q":
                            expected = {str(SEARCH_MAX_LENGTH)}
                        else:
                            last = name.rsplit("-", 1)[-1]  # a prefixed field, or one in a list
                            expected = allowed.get(name) or allowed.get(last, set())
                        assert limit in expected, f"{role} {path}: {name} maxlength {limit}, validators {expected}"
                action = re.search(r'<form\b[^>]*\baction="([^"]*)"', form)
                if typed and re.search(r'<form\b[^>]*method="post"', form):
                    posted.add(urldefrag(action.group(1))[0] if action else path)
        for url in sorted(posted):
            actions += 1
            assert client.get(url, follow_redirects=True).status_code == 200, f"{role}: GET {url} does not reload"
    assert inputs > 50 and actions > 10, (inputs, actions)


def test_a_long_list_writes_the_options_wtforms_writes():
    """LongSelect (mentors, time zones) writes each plain option itself; the HTML must stay WTForms' own, with
    the chosen one selected, groups kept and values and labels escaped."""
    from wtforms import Form, SelectField
    from wtforms.fields.choices import SelectChoice
    from wtforms.widgets import Select

    from onboarding.forms_common import LongSelect

    plain = [SelectChoice(1, "<b>Ann"), SelectChoice(2, "Bo & Co"), SelectChoice("", "None yet"),
             SelectChoice(True, "yes")]
    grouped = [SelectChoice("a", "A", optgroup="G"), SelectChoice('"q', "Q", optgroup="H"),
               SelectChoice("k", "Kept", render_kw={"disabled": True})]

    class Lists(Form):
        theirs, ours = SelectField(choices=plain, widget=Select()), SelectField(choices=plain, widget=LongSelect())
        g_theirs = SelectField(choices=grouped, widget=Select())
        g_ours = SelectField(choices=grouped, widget=LongSelect())

    form = Lists(data={"theirs": 2, "ours": 2, "g_theirs": '"q', "g_ours": '"q'})
    ours = str(form.ours())
    assert ours.replace('"ours"', '"theirs"') == str(form.theirs())
    assert '<option selected value="2">Bo &amp; Co</option>' in ours and "&lt;b&gt;Ann" in ours
    assert str(form.g_ours()).replace('"g_ours"', '"g_theirs"') == str(form.g_theirs())
    assert '<option selected value="&#34;q">Q</option>' in form.g_ours()


def test_wtforms_own_catalog_is_the_fallback_read_once_per_language(app):
    """A WTForms message our catalog does not word comes from WTForms' own catalog in the reader's language,
    read from disk once per language and process (not on every request that validates a form)."""
    from onboarding import forms_common

    forms_common._WTFORMS_OWN.clear()
    for _request in range(2):
        with app.test_request_context(headers={"Accept-Language": "ar"}):
            assert forms_common._TRANSLATIONS.gettext("Invalid UUID.") == "عنوان UUID غير صالح."
        with app.test_request_context(headers={"Accept-Language": "en"}):
            assert forms_common._TRANSLATIONS.gettext("Invalid UUID.") == "Invalid UUID."
    assert sorted(forms_common._WTFORMS_OWN) == ["ar", "en"]
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        assert forms_common._wtforms_own() is forms_common._WTFORMS_OWN["ar"]
