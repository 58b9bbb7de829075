"""In Chromium: a logged day is changed from its own figures (its edit link, "Load this day", Enter saves, never
loads), the plain form sent for a logged day is refused in view with a link that loads it, and the targets keep
every valid edit while the bad value is named and shown as typed."""
from datetime import date, timedelta

import pytest

from .conftest import axe_violations, screenshot

pytestmark = pytest.mark.browser


def _last_weekend_day() -> date:
    """A day the demo ledger leaves empty (it logs working days only)."""
    day = date.today()
    while day.weekday() < 5:
        day -= timedelta(days=1)
    return day


def _in_view(page, selector):
    return page.eval_on_selector(selector, """e => { const r = e.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight; }""")


def _expected_refusal(session):
    """The page answered 400 on purpose: Chromium's console line about it is no problem."""
    session.watch.problems[:] = [p for p in session.watch.problems if "status of 400" not in p]


def _enter(session, selector):
    with session.page.expect_navigation():
        session.page.press(selector, "Enter")


def test_a_logged_day_is_changed_from_its_own_figures(sign_in):
    trainee = sign_in("trainee2@example.com")
    trainee.visit("/")
    trainee.visit(trainee.page.locator("a[href$='/activity']").first.get_attribute("href"))
    activity = trainee.page.url.split("#")[0]
    day = _last_weekend_day().isoformat()
    # A new day, typed and saved with Enter from a figure: the first submit button is "save", not "load".
    page = trainee.page
    page.fill("#day", day)
    page.fill("#calls", "22")
    page.fill("#meetings", "1")
    page.fill("#note", "Acme wants a quote")
    _enter(trainee, "#meetings")
    assert "are saved" in page.locator(".flash.success").inner_text()
    # The plain form again for that day, one figure typed: refused in view, nothing overwritten, a link to load it.
    page.fill("#day", day)
    page.fill("#calls", "24")
    _enter(trainee, "#calls")
    assert page.locator("main > .error-summary").count() == 1 and _in_view(page, ".error-summary")
    assert page.input_value("#calls") == "24"
    _expected_refusal(trainee)
    screenshot(page, "ledger plain form refused for a logged day")
    assert not axe_violations(page)
    with page.expect_navigation():
        page.click(f"a[href$='?day={day}#log']")
    assert page.input_value("#calls") == "22" and page.input_value("#meetings") == "1"
    assert page.input_value("#note") == "Acme wants a quote"
    assert _in_view(page, "#log") and not axe_violations(page)
    screenshot(page, "ledger day loaded")
    # Changed and saved with Enter: the notice says what changed.
    page.fill("#calls", "24")
    _enter(trainee, "#calls")
    assert "Calls made 22 → 24" in page.locator(".flash.success").inner_text()
    # "Load this day" beside the date loads it without scripts' help; the row's edit link does the same.
    trainee.visit(activity)
    page.fill("#day", day)
    with page.expect_navigation():
        page.click("button[name=load]")
    assert page.url.endswith(f"?day={day}#log") and page.input_value("#calls") == "24"
    trainee.visit(activity)
    with page.expect_navigation():
        page.click(f"table a[href$='?day={day}#log']")
    assert page.input_value("#meetings") == "1"
    trainee.watch.check("editing a logged day")


def test_targets_keep_the_valid_edits_and_show_the_bad_one_in_view(sign_in):
    head = sign_in("head@example.com")
    head.visit("/targets")
    page = head.page
    page.fill("#team-name", "North")
    head.submit("form:has(#team-name)")
    team_calls = page.locator("input[id^=t][id$='-calls']:not(#t0-calls)").first
    bad = team_calls.get_attribute("id")
    page.fill("#t0-meetings", "6")
    team_calls.fill("-5")
    head.submit("form.targets-form")
    assert page.locator("main > .error-summary").count() == 1 and _in_view(page, ".error-summary")
    link = page.locator(f".error-summary a[href='#{bad}']")
    assert link.inner_text().startswith("Team North · Calls made:")
    assert page.input_value(f"#{bad}") == "-5" and page.input_value("#t0-meetings") == "6"
    assert page.locator(".flash.success").inner_text() == "Weekly targets saved for the default."
    _expected_refusal(head)
    screenshot(page, "targets with one bad value")
    assert not axe_violations(page)
    link.click()
    assert _in_view(page, f"#{bad}")
    assert page.goto(page.url.split("#")[0]).status == 200
    assert page.input_value("#t0-meetings") == "6"  # the valid edit was saved
    head.watch.check("targets with one bad value")
