"""Every page fits a phone (390 px) and a desktop (1280 px) without scrolling sideways, for every demo role; the
header menu opens without scripts; a very long name wraps instead of widening the users list and the audit log.

Pages are collected as a person finds them: the role's home and header, then the links on those pages (same
origin, GET, HTML), at most PAGES_PER_ROLE a role. Screenshots of the phone width go to test-output/small-screens/.
"""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import DEMO_ROLES, crawl, sign_in_page as _sign_in

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "small-screens"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
ROLES = DEMO_ROLES
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"), full_page=True)


def _overflow(page, width):
    page.set_viewport_size(width)
    scroll, inner = page.evaluate(OVERFLOW)
    return None if scroll <= inner else scroll


@pytest.mark.parametrize("who", ROLES)
def test_no_page_scrolls_sideways_at_390_or_1280_px(browser, live_demo, who):
    base, _env = live_demo
    context = browser.new_context(base_url=base, viewport=DESKTOP)
    try:
        page = _sign_in(context, f"{who}@example.com")
        too_wide, refused, pages = [], [], 0
        for path, _response in crawl(page, refused):
            pages += 1
            for width in (DESKTOP, PHONE):
                wide = _overflow(page, width)
                if wide:
                    too_wide.append(f"{path} at {width['width']} px is {wide} px wide")
                    _shot(page, f"{who}-{width['width']}-{path}")
            page.set_viewport_size(DESKTOP)
        assert pages >= 5, f"{who} reached only {pages} pages"
        assert not too_wide, f"{who}: " + "; ".join(too_wide)
        assert not refused, f"{who} is shown links that answer with an error (a locked module, say): " + "; ".join(refused)
    finally:
        context.close()


def test_the_header_menu_opens_without_scripts_on_a_phone(browser, live_demo):
    base, _env = live_demo
    context = browser.new_context(base_url=base, viewport=PHONE, java_script_enabled=False)
    try:
        page = _sign_in(context, "head@example.com")
        menu = page.locator("header.top details.menu")
        summary = menu.locator("summary")
        audit = page.locator("header.top .menu-body a[href='/audit']")
        assert summary.is_visible(), "a phone shows the menu button"
        assert not page.locator("header.top .wide-menu nav").is_visible(), "and not the whole navigation"
        assert not audit.is_visible(), "the menu is closed until asked for"
        assert page.evaluate(OVERFLOW + ".every((v, i, a) => a[0] <= a[1])")
        summary.click()
        assert audit.is_visible(), "the menu opens without scripts"
        _shot(page, "menu-open-390")
        scroll, inner = page.evaluate(OVERFLOW)
        assert scroll <= inner
        with page.expect_navigation():
            audit.click()
        assert urlsplit(page.url).path == "/audit"
        # On a wide screen the whole navigation shows, with no menu button.
        page.set_viewport_size(DESKTOP)
        assert not page.locator("header.top details.menu summary").is_visible()
        assert page.locator("header.top .wide-menu a[href='/audit']").is_visible()
    finally:
        context.close()


def test_the_dashboard_keeps_its_essentials_on_a_phone(browser, live_demo):
    base, _env = live_demo
    context = browser.new_context(base_url=base, viewport=PHONE)
    try:
        page = _sign_in(context, "head@example.com")
        for heading in ("Trainee", "Stage and progress", "Waiting on", "Forecast"):
            box = page.locator("table.team thead th", has_text=heading).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{heading} is off-screen: {box}"
        assert not page.locator("table.team thead th", has_text="Role-play and last week").is_visible()
        _shot(page, "dashboard-390")
    finally:
        context.close()


# 120 characters: a few words, then one that never breaks by itself.
LONG_NAME = ("Maximiliana Alexandrina Konstantinopoulou-" + "Wolfeschlegelsteinhausenbergerdorff" * 3)[:120]


LONG_EMAIL = "a-very-long-address-that-goes-on-and-on-for-ever-and-ever@example-company.example.com"


def test_a_very_long_name_wraps_in_the_users_list_and_the_audit_log(browser, live_demo, sign_in):
    assert len(LONG_NAME) == 120
    admin = sign_in("admin@example.com")
    admin.visit("/admin/users/new")
    page = admin.page
    page.fill("input[name=full_name]", LONG_NAME)
    page.fill("input[name=email]", LONG_EMAIL)
    if page.locator("input[name=password]").count():
        page.fill("input[name=password]", "a-long-enough-password-2024")
    if page.locator("select[name=role]").count():
        page.select_option("select[name=role]", "mentor")
    admin.submit("main form")
    assert page.locator("text=" + LONG_NAME[:40]).count(), "the account was created"
    head = sign_in("head@example.com")
    # The users list shows the name; the audit log, which lists no one in its filters, the new account's address
    # (one unbroken string) in the creation's details.
    for session, path, long_text in ((admin, "/admin/users", LONG_NAME[:30]), (admin, "/audit", LONG_EMAIL),
                                     (head, "/audit", LONG_EMAIL)):
        session.visit(path)
        assert long_text in session.page.content(), f"{path} shows {long_text}"
        for width in (DESKTOP, PHONE):
            session.page.set_viewport_size(width)
            scroll, inner = session.page.evaluate(OVERFLOW)
            assert scroll <= inner, f"{path} at {width['width']} px is {scroll} px wide"
        session.page.set_viewport_size(DESKTOP)
