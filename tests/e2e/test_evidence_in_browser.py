"""In Chromium with a fake microphone: a trainee records a call on the ledger, sees its length, and saves it with
the day; the server takes it as a WebM recording; a mentor's comment plays the demo's recorded call from its
moment."""
import pytest

from .conftest import CHROMIUM, LAUNCH_ARGS, screenshot
from .test_ledger_in_browser import _last_weekend_day

pytestmark = pytest.mark.browser

FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                   "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="module")
def browser(playwright):
    """The suite's Chromium, with a fake microphone (a tone) that needs no permission prompt."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS + FAKE_MICROPHONE)
    yield browser
    browser.close()


def test_a_call_recorded_in_the_browser_is_uploaded_with_the_day(sign_in):
    trainee = sign_in("trainee2@example.com")
    trainee.visit("/")
    trainee.visit(trainee.page.locator("a[href$='/activity']").first.get_attribute("href"))
    page = trainee.page
    trainee.context.grant_permissions(["microphone"])
    page.fill("#day", _last_weekend_day().isoformat())
    page.fill("#calls", "12")
    page.fill("#meetings", "1")
    assert page.locator(".recorder").is_visible()
    page.click(".recorder-start")
    page.wait_for_function("() => document.querySelector('.recorder-time').textContent >= '00:02'")
    page.click(".recorder-stop")
    page.wait_for_function("() => document.querySelector('#files').files.length === 1")
    status = page.locator(".recorder-status").inner_text()
    assert "is added to the files" in status and "00:0" in status
    assert page.eval_on_selector("#files", "i => i.files[0].name").startswith("recording-")
    screenshot(page, "ledger with a recorded call")
    trainee.submit(".figures-form", button=".figures-form button.primary")
    assert "are saved" in page.locator(".flash.success").inner_text()
    link = page.locator(".evidence-file a[href$='/review']", has_text="recording-").first
    assert "Recording (WebM)" in link.locator("xpath=..").inner_text()
    trainee.watch.check("ledger with a recording")


def test_a_comment_plays_the_call_from_its_moment(sign_in):
    mentor = sign_in("mentor@example.com")
    mentor.visit("/")
    page = mentor.page
    trainee_link = page.locator("a", has_text="Ana Costa").first.get_attribute("href")
    mentor.visit(trainee_link)
    mentor.visit(page.locator("a[href$='/review']", has_text="cold-call-northgate.wav").first.get_attribute("href"))
    page.wait_for_function("() => document.getElementById('evidence-player').readyState >= 1")
    page.click("a.moment[data-seconds='4']")
    page.wait_for_function("() => document.getElementById('evidence-player').currentTime >= 4")
    assert "/review" in page.url  # played in the page, not opened as a file
    screenshot(page, "a comment plays the call from its moment")
    mentor.watch.check("review page")
