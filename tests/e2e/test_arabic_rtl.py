"""In a real browser (Chromium, the e2e suite's browser): Arabic pages read right to left, and an Arabic trainee
finishes a module and a quiz. Screenshots of the pages go to test-output/arabic/ for a person to look at.
"""
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ..conftest import PASSWORD
from ..test_assessment import answer_all_right
from ..test_i18n import compiled_catalog  # noqa: F401  (the Arabic interface)
from ..test_translations import content_dir, quizzes_dir, translated_set  # noqa: F401  (Arabic test content)

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "arabic"


@pytest.fixture
def live(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def page(browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    yield context.new_page()
    context.close()


@pytest.fixture
def arabic_trainee(app, make_user):
    from onboarding.auth.models import User
    from onboarding.extensions import db

    uid = make_user("trainee", email="amal@example.com", name="Amal Haddad")
    with app.app_context():
        db.session.get(User, uid).locale = "ar"
        db.session.commit()
    return uid


def sign_in(page, live, email):
    page.goto(f"{live}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_arabic_pages_read_right_to_left(live, page, arabic_trainee):
    sign_in(page, live, "amal@example.com")
    for path, name in (("/", "home"), ("/stages/1", "stage"), ("/modules/hello", "module"), ("/account", "account")):
        page.goto(live + path)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert page.evaluate("getComputedStyle(document.querySelector('main h1')).direction") == "rtl"
    # The navigation is mirrored: its first item (Home) sits to the right of the later ones.
    items = page.locator("header.top .wide-menu nav li").all()
    first, last = items[0].bounding_box(), items[-1].bounding_box()
    assert first["x"] > last["x"]
    # Text is aligned to the right: the heading's text ends at the right edge of its box.
    heading = page.locator("main h1").first
    box = heading.bounding_box()
    text_right = page.evaluate("""h => { const r = document.createRange(); r.selectNodeContents(h);
                                          return r.getBoundingClientRect().right; }""", heading.element_handle())
    assert abs(box["x"] + box["width"] - text_right) < 2
    assert page.locator("main h1").first.inner_text() == "حسابك"


def test_an_arabic_trainee_completes_a_module_and_the_quiz(live, page, app, arabic_trainee):
    sign_in(page, live, "amal@example.com")
    page.goto(f"{live}/modules/hello")
    assert page.locator("main h1").inner_text() == "مرحبًا"
    page.click("text=سجّلها مكتملة")
    assert page.locator(".flash.success").first.inner_text() == "سُجّلت «مرحبًا» مكتملة."

    page.goto(f"{live}/quizzes/basics")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/attempts/*")
    page.screenshot(path=str(SHOTS / "quiz.png"), full_page=True)
    assert "أيّها الصحيح؟" in page.content()
    attempt_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    for name, value in answer_all_right(app, attempt_id).items():
        if name.endswith("-present"):
            continue
        for one in value if isinstance(value, list) else [value]:
            field = page.locator(f"[name='{name}'][value='{one}']")
            if field.count():
                field.check()
            else:
                page.fill(f"[name='{name}']", one)
    page.click("button.primary[formaction]")
    page.wait_for_url("**/attempts/*")
    page.screenshot(path=str(SHOTS / "result.png"), full_page=True)
    assert "ناجح" in page.locator("main").inner_text()
    from onboarding.assessment.models import QuizAttempt
    from onboarding.extensions import db

    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).passed is True
