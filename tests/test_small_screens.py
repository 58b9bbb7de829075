"""Locked things are not links: a module the trainee cannot open yet (its stage is locked) shows as words with when it
opens, on the stage pages, the path tab, the checklist, the quiz page and inside other modules' text; staff see every
module as a link. Wide tables in module text scroll in a box of their own. (The browser side of small screens is in
tests/e2e/test_small_screens.py.)"""
import re
import shutil
from datetime import date, timedelta

import pytest

from onboarding import create_app
from onboarding.content.render import render_markdown, unlink_modules
from onboarding.extensions import db as _db

from .conftest import as_user, complete_stages_before

MODULE_HREF = re.compile(r'href="/modules/([a-z0-9-]+)')
STAFF = ("mentor", "head", "admin")


@pytest.fixture
def app(database_url, content_dir, quizzes_dir, tmp_path):
    """The test content, with the first module linking ahead to a module of stage 2 (and to one of its own stage)."""
    content = tmp_path / "content"
    shutil.copytree(content_dir, content)
    hello = content / "s1-company" / "hello.md"
    hello.write_text(hello.read_text() + "\nLater you will read [the product range](module:products#products), "
                     "and in stage 3 [your mentor's page](module:mentor).\n")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "CONTENT_DIR": str(content),
                      "QUIZZES_DIR": str(quizzes_dir), "SECRET_KEY": "test-secret-key-that-is-long-enough-000"})
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def people(make_user):
    mentor = make_user("mentor", email="mentor@example.com")
    make_user("head", email="head@example.com")
    make_user("admin", email="admin@example.com")
    trainee = make_user("trainee", email="sam@example.com", mentor=mentor)
    return {"trainee": trainee, "mentor": mentor}


def module_links(html):
    return set(MODULE_HREF.findall(html))


def page(app, email, path):
    client, _auth = as_user(app, email)
    response = client.get(path)
    assert response.status_code == 200, f"{email} GET {path}: {response.status_code}"
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- the rendered text, without an app

def test_links_to_locked_modules_become_words_with_when_they_open():
    body, _toc = render_markdown("See [the range](module:products#specs), [hello](module:hello) and "
                                 "[the **rules**](module:rules).")
    out = unlink_modules(body, {"products": "opens after stage 1", "rules": "opens <soon> & later"})
    assert module_links(out) == {"hello"}
    assert '<span class="locked-link">the range <span class="muted">(opens after stage 1)</span></span>' in out
    assert "<strong>rules</strong>" in out, "the link's own markup stays"
    assert "(opens &lt;soon&gt; &amp; later)" in out, "the note is text, escaped"
    assert unlink_modules(body, {}) is body, "nothing locked: the cached HTML as it is"
    assert unlink_modules(body, {"nothing-here": "x"}) == body
    marked = unlink_modules(body, {"products": "x"}, ' lang="ar" dir="rtl"')
    assert '<span class="muted" lang="ar" dir="rtl">(x)</span>' in marked


def test_tables_in_module_text_scroll_in_a_box_of_their_own():
    body, _toc = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n| c |\n|---|\n| 3 |\n")
    assert body.count('<div class="table-scroll" tabindex="0"><table>') == 2
    assert body.count("</table></div>") == 2


# ---------------------------------------------------------------- the pages, for the trainee

def test_a_fresh_trainee_sees_modules_of_locked_stages_as_words_with_when_they_open(app, people):
    planned = date.today() + timedelta(days=5)  # stage 1 lasts 5 days in the test content
    with app.test_request_context():
        from onboarding.i18n import fmt_date

        when = f"opens after stage 1, planned for {fmt_date(planned)}"
    stage2 = page(app, "sam@example.com", "/stages/2")
    assert not module_links(stage2) & {"products", "prices"}
    assert re.search(r'<span class="locked-module">Products</span> <span class="muted">· ' + re.escape(when), stage2)
    stage1 = page(app, "sam@example.com", "/stages/1")
    assert {"hello", "rules"} <= module_links(stage1), "an open stage's modules stay links"
    path_tab = page(app, "sam@example.com", f"/trainees/{people['trainee']}")
    assert module_links(path_tab) == {"hello", "rules"}
    assert "opens after stage 3" in path_tab, "stage 4's modules say which stage opens them"
    checklist = page(app, "sam@example.com", f"/trainees/{people['trainee']}/checklist")
    assert "mentor" not in module_links(checklist)
    assert "Read: Mentor</span> <span class=\"muted\">· opens after stage 2" in checklist


def test_a_module_linking_ahead_shows_when_the_locked_module_opens(app, people):
    body = page(app, "sam@example.com", "/modules/hello")
    assert "products" not in module_links(body) and "mentor" not in module_links(body)
    assert re.search(r'<span class="locked-link">the product range <span class="muted">\(opens after stage 1, '
                     r'planned for [^)]+\)</span></span>', body)
    assert "<span class=\"locked-link\">your mentor's page <span class=\"muted\">(opens after stage 2" in body
    assert "rules" in module_links(body), "a module of an open stage stays a link"


def test_every_module_link_a_trainee_is_shown_opens(app, people):
    """No page of a trainee links to a module page that would refuse them."""
    client, _auth = as_user(app, "sam@example.com")
    uid = people["trainee"]
    links = set()
    for path in ("/", "/stages/1", "/stages/2", "/stages/3", "/stages/4", f"/trainees/{uid}",
                 f"/trainees/{uid}/checklist", "/quizzes/basics", "/quizzes/written", "/modules/hello", "/modules/rules"):
        response = client.get(path)
        assert response.status_code == 200, path
        links |= module_links(response.get_data(as_text=True))
    assert links >= {"hello", "rules"}
    for slug in links:
        assert client.get(f"/modules/{slug}").status_code == 200, slug


def test_once_the_stage_opens_its_modules_are_links(app, people):
    complete_stages_before(app, people["trainee"], 2)
    assert {"products", "prices"} <= module_links(page(app, "sam@example.com", "/stages/2"))
    body = page(app, "sam@example.com", "/modules/hello")
    assert "products" in module_links(body) and "mentor" not in module_links(body)


def test_behind_plan_the_note_names_the_stage_to_finish(app, make_user):
    make_user("trainee", email="late@example.com", start=date.today() - timedelta(days=60))
    stage2 = page(app, "late@example.com", "/stages/2")
    assert "opens after stage 1</span>" in stage2 and "planned for" not in stage2


@pytest.mark.parametrize("role", STAFF)
def test_staff_see_every_module_as_a_link(app, people, role):
    for path in ("/stages/2", "/stages/4"):
        assert "locked-module" not in page(app, f"{role}@example.com", path)
    assert {"products", "mentor"} <= module_links(page(app, f"{role}@example.com", "/modules/hello"))
    path_tab = page(app, f"{role}@example.com", f"/trainees/{people['trainee']}")
    assert module_links(path_tab) == {"hello", "rules", "prices", "products", "mentor", "rhythm"}
    checklist = page(app, f"{role}@example.com", f"/trainees/{people['trainee']}/checklist")
    assert "mentor" in module_links(checklist)
