"""Every page each demo role reaches is valid HTML, as the Nu HTML Checker (vnu.jar) reads it.

The demo is seeded on the shipped content; each role signs in and follows the links of its pages (GET, same
site, bounded), and all the pages are checked in one run of the checker. scripts/test_setup.py installs the
checker (npm's vnu-jar) and Java; without them the test is skipped, loudly.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from .conftest import seeded_demo

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "tests" / "e2e" / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ROLES = ("admin", "head", "mentor", "trainee", "trainee2", "trainee3", "trainee4", "trainee-ar")
PAGES_PER_ROLE = 70
#: Links that answer with a file or do something rather than show a page.
NOT_PAGES = re.compile(r"^/(static/|api/)|\.(csv|ics|json|svg|png|pdf)$|/export|/download")

pytestmark = pytest.mark.sqlite_only  # the pages are the same on PostgreSQL; one run of the checker is enough


def _skip(reason):
    bar = "!" * 78
    print(f"\n{bar}\n!! HTML VALIDITY TEST SKIPPED: {reason}\n{bar}\n")
    pytest.skip(f"HTML VALIDITY TEST SKIPPED: {reason}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory, migrated_template):
    yield from seeded_demo(tmp_path_factory, migrated_template, "html")


def _links(html):
    for href in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', html):
        path = urldefrag(href.replace("&amp;", "&"))[0]
        if path.startswith("/") and not path.startswith("//") and not NOT_PAGES.search(urlsplit(path).path):
            yield path


def _crawl(app, email):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": email, "password": "demo-pass-2024",
                                       "csrf_token": token}).status_code == 302
    seen, queue, pages = set(), ["/"], {}
    while queue and len(pages) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        queue += [link for link in _links(html) if link not in seen]
    return pages


def test_every_page_of_every_demo_role_is_valid_html(demo, tmp_path):
    if not VNU.exists():
        _skip(f"{VNU.relative_to(ROOT)} is missing (run scripts/test_setup.py: npm install vnu-jar)")
    if not shutil.which("java"):
        _skip("java is missing (run scripts/test_setup.py as root: apt-get install default-jre-headless)")
    files = {}
    for role in ROLES:
        anonymous = demo.test_client().get("/login").get_data(as_text=True)
        files.setdefault(tmp_path / "anonymous-login.html", ("anonymous", "/login", anonymous))
        for n, (path, html) in enumerate(_crawl(demo, f"{role}@example.com").items()):
            files[tmp_path / f"{role}-{n:03d}.html"] = (role, path, html)
    for file, (_role, _path, html) in files.items():
        file.write_text(html, encoding="utf-8")
    assert len(files) > 100, f"only {len(files)} pages reached: the crawl is not walking the site"
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = []
    for m in messages:
        if m.get("type") != "error":
            continue
        role, path, _ = files[Path(urlsplit(m["url"]).path)]
        errors.append(f"{role} {path}:{m.get('lastLine', '?')}: {m['message']}")
    report = ROOT / "test-output" / "html-validity.txt"
    report.parent.mkdir(exist_ok=True)
    report.write_text("\n".join(sorted(set(errors))) + "\n", encoding="utf-8")
    assert not errors, (f"{len(errors)} HTML errors on {len({e.rsplit(':', 2)[0] for e in errors})} pages "
                        f"(all of them in {report.relative_to(ROOT)}):\n" + "\n".join(sorted(set(errors))[:40]))
