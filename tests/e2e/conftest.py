"""A seeded demo served by gunicorn, Debian's Chromium driven by Playwright, and watchers that fail a test on
any console error, page error or failed request. Screenshots go to test-output/e2e/."""
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from ..live import app_env, flask, gunicorn

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "tools" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-output" / "e2e"
DEMO_PASSWORD = "demo-pass-2024"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _loud_skip(reason):
    bar = "!" * 78
    print(f"\n{bar}\n!! BROWSER TESTS SKIPPED: {reason}\n{bar}\n")
    pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the whole run: a second one started beside it would refuse to run in its event loop."""
    if not CHROMIUM.exists():
        _loud_skip("/usr/bin/chromium is missing (run scripts/test_setup.py as root: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _loud_skip("the playwright package is missing (pip install -r requirements-dev.txt)")
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    """The demo seeded once per test process through the real commands (init-db, seed-demo on the shipped
    content); each module serves its own copy."""
    folder = tmp_path_factory.mktemp("live-seeded")
    env = app_env(f"sqlite:///{folder / 'demo.db'}")
    flask(env, "init-db")
    flask(env, "seed-demo")
    return folder


@pytest.fixture(scope="module")
def live_demo(tmp_path_factory, demo_database):
    """A fresh demo, a copy of the seeded one, served by gunicorn with two workers."""
    folder = tmp_path_factory.mktemp("live")
    for name in ("demo.db", "demo.db-wal", "demo.db-shm"):
        if (demo_database / name).exists():
            shutil.copy(demo_database / name, folder / name)
    # The admin's content preview names its folders: a long one with no place to break must wrap on a phone
    # (test_small_screens), whatever the folder the checkout happens to live in.
    unbroken = folder / ("ReplacementContentFolderOfTheNextRelease" * 3)
    env = app_env(f"sqlite:///{folder / 'demo.db'}", CONTENT_PREVIEW_DIR=unbroken / "content-next",
                  QUIZZES_PREVIEW_DIR=unbroken / "quizzes-next")
    with gunicorn(env, folder, workers=2) as (base, _server, _log):
        yield base, env


class Watch:
    """Console errors, uncaught page errors, failed requests and error answers to sub-resources."""

    def __init__(self, page):
        self.problems = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        # ERR_ABORTED: the page was left before a request ended (a favicon while navigating on), not a failure.
        page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
                and self.problems.append(f"failed request: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
                and self.problems.append(f"{r.status} for {r.url}"))

    def check(self, where):
        problems, self.problems[:] = list(self.problems), []
        assert not problems, f"{where}: " + "; ".join(problems)


class Session:
    """One person in their own browser context."""

    def __init__(self, browser, base, email):
        self.context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.watch = Watch(self.page)
        self.email = email
        self.page.goto("/login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, f"{email} could not sign in"

    def visit(self, path):
        response = self.page.goto(path)
        assert response.status == 200, f"{self.email} GET {path}: {response.status}"
        return response

    def submit(self, form_selector, button=None):
        """Click the form's submit button and wait for the answer page."""
        with self.page.expect_navigation():
            self.page.click(button or f"{form_selector} button[type=submit]")

    def close(self):
        self.context.close()


@pytest.fixture
def sign_in(browser, live_demo):
    sessions = []

    def open_session(email):
        session = Session(browser, live_demo[0], email)
        sessions.append(session)
        return session

    yield open_session
    for s in sessions:
        s.close()


def screenshot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"), full_page=True)


def axe_violations(page):
    """Serious and critical axe-core violations on the current page (WCAG 2.x A and AA rules and best practices)."""
    if not AXE.exists():
        _loud_skip(f"axe-core is missing at {AXE} (run scripts/test_setup.py: npm install axe-core)")
    page.evaluate(AXE.read_text() + "\n;void 0")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def check_page(session, name):
    """Screenshot, axe-core and the watcher on the page the session shows now."""
    screenshot(session.page, name)
    violations = axe_violations(session.page)
    if os.environ.get("E2E_REPORT_ONLY"):  # while fixing: list every page's problems in one run
        print("AXE", name, json.dumps(violations), session.watch.problems)
        session.watch.problems[:] = []
        return
    assert not violations, f"{name} ({session.page.url}): " + json.dumps(violations, indent=1)
    session.watch.check(name)


# The demo's people, and how many pages of each a crawl visits.
DEMO_ROLES = ["trainee", "trainee2", "trainee3", "trainee4", "trainee-ar", "mentor", "head", "admin"]
PAGES_PER_ROLE = 40
# Not pages: downloads, the JSON API and its document, files.
SKIP = re.compile(r"^/(static/|api/|healthz)|\.(csv|json|svg|png|pdf)$")
LINKS = """() => [...document.querySelectorAll('a[href]')]
    .filter(a => !a.hasAttribute('download') && a.origin === location.origin)
    .map(a => a.href)"""


def _key(url):
    """A page's identity for the crawl: path and query, without the fragment."""
    parts = urlsplit(urldefrag(url)[0])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in_page(context, email):
    """A new page in `context`, signed in as `email` with the demo password."""
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{email} could not sign in"
    return page


def crawl(page, refused, limit=PAGES_PER_ROLE, skip=None):
    """Visit the home page, then breadth first the same-origin links found on the visited pages; yield each path
    that answered with an HTML page (an error page too), and note in `refused` each that answered with an error.
    Paths that match `skip` (a compiled pattern) are not visited."""
    queue, seen = ["/"], {"/"}
    visited = 0
    while queue and visited < limit:
        path = queue.pop(0)
        response = page.goto(path)
        if response is not None and response.status >= 400:
            refused.append(f"{path} answered {response.status}")
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited += 1
        yield path, response
        for href in page.evaluate(LINKS):
            key = _key(href)
            if key not in seen and not SKIP.search(urlsplit(key).path) and not (skip and skip.search(key)):
                seen.add(key)
                queue.append(key)
