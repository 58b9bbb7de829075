"""In Chromium, a refused form lands where it is seen: its error summary is in the viewport and has the focus,
every typed value is still in its field, the page passes axe-core, and a reload of its address answers."""
import pytest

from .conftest import axe_violations

pytestmark = pytest.mark.browser


def _in_view(page, selector):
    return page.eval_on_selector(selector, """e => { const r = e.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight; }""")


def _summary_shown(session):
    """The page answered 400 (the browser logs that much) with its summary first, in view and focused."""
    session.watch.problems[:] = [p for p in session.watch.problems if "status of 400" not in p]
    page = session.page
    assert page.locator("main > .error-summary").count() == 1, "no error summary first in <main>"
    assert _in_view(page, ".error-summary"), "the error summary is out of sight"
    assert page.evaluate("document.activeElement.classList.contains('error-summary')"), "the summary has no focus"
    assert not axe_violations(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_wrong_signature_shows_its_error_in_view(sign_in, width):
    trainee = sign_in("trainee@example.com")
    trainee.page.set_viewport_size({"width": width, "height": 800})
    trainee.visit("/job-description")
    trainee.page.fill("#typed_name", "Somebody Else")
    trainee.submit("form[action='/job-description/sign']")
    _summary_shown(trainee)
    assert trainee.page.input_value("#typed_name") == "Somebody Else"
    trainee.page.click(".error-summary a[href='#typed_name']")
    assert _in_view(trainee.page, "#typed_name")
    assert trainee.page.goto(trainee.page.url.split("#")[0]).status == 200  # the address answers GET: no 405
    trainee.watch.check("the refused signature")


def test_a_sign_off_note_over_the_limit_keeps_the_note_and_the_link(sign_in):
    """The browser stops typing at maxlength; a longer note sent anyway (as another client could) comes back."""
    trainee = sign_in("trainee4@example.com")
    trainee.visit("/")
    trainee.visit(trainee.page.locator("a:has-text('Practical skills')").first.get_attribute("href"))
    form = trainee.page.locator("form[action*='/request']").first
    note = form.locator("textarea[name=note]")
    assert note.get_attribute("maxlength") == "2000"
    note.evaluate("(e, text) => { e.removeAttribute('maxlength'); e.value = text; }", "n" * 2001)
    form.locator("input[name=evidence]").fill("https://drive.example/proposal.pdf")
    with trainee.page.expect_navigation():
        form.locator("button[type=submit]").click()
    _summary_shown(trainee)
    assert len(trainee.page.locator("textarea[aria-invalid=true]").input_value()) == 2001
    assert trainee.page.locator("input[name=evidence][value='https://drive.example/proposal.pdf']").count() == 1
    assert trainee.page.goto(trainee.page.url.split("#")[0]).status == 200
    trainee.watch.check("the refused sign-off request")
