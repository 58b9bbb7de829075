"""Stored XSS in the browser: the whole corpus in every free-text column of a live demo; on every page each
role reaches no dialog opens, no element from a payload appears and the browser reports nothing."""
import re
from collections import Counter
from urllib.parse import urlparse

import pytest

from ..security.test_stored_xss import FREE_TEXT, JSON_TEXT, PAYLOADS, SKIP_PATHS
from .conftest import Session

WHO = ["head@example.com", "mentor@example.com", "trainee2@example.com", "trainee3@example.com", "admin@example.com"]


def _plant(database_url):
    """Every payload into every free-text column (long texts hold them all; short ones one each, in turn)."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    turn = 0
    with engine.begin() as conn:
        for name, columns in FREE_TEXT.items():
            table = metadata.tables[name]
            for row in conn.execute(sa.select(table.c.id)).all():
                values = {}
                for column in columns:
                    turn += 1
                    length = getattr(table.c[column].type, "length", None)
                    values[column] = PAYLOADS[turn % len(PAYLOADS)] if length else "\n".join(PAYLOADS)
                conn.execute(table.update().where(table.c.id == row.id).values(**values))
        for name, column in JSON_TEXT.items():
            table = metadata.tables[name]
            for row in conn.execute(sa.select(table.c.id, table.c[column])).all():
                data = dict(row[1] or {})
                for key in data:
                    if isinstance(data[key], str):
                        turn += 1
                        data[key] = PAYLOADS[turn % len(PAYLOADS)]
                conn.execute(table.update().where(table.c.id == row.id).values({column: data}))
    engine.dispose()


@pytest.fixture(scope="module")
def planted(live_demo):
    base, env = live_demo
    from ..live import flask

    flask(env, "create-token", "trainee2@example.com")  # an API token row to carry a name
    _plant(env["DATABASE_URL"])
    return base


INJECTED = """() => {
    const found = [];
    document.querySelectorAll('[id^="XSS"], script:not([src]), [src*="XSS"], [href^="javascript:" i]').forEach(
        e => found.push(e.outerHTML.slice(0, 120)));
    document.querySelectorAll('*').forEach(e => { for (const a of e.attributes) {
        if (a.name.startsWith('on')) found.push(e.tagName + ' ' + a.name); } });
    return found;
}"""


#: An evidence file itself (a download or a recording), not a page: its review page is visited.
EVIDENCE_FILE = re.compile(r"^/evidence/\d+(?:[?#].*)?$")


@pytest.mark.parametrize("who", WHO)
def test_no_payload_runs_or_becomes_an_element(browser, planted, who):
    session = Session(browser, planted, who)
    dialogs = []
    session.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    start = "/admin/users" if who.startswith("admin") else "/"
    queue, seen, shown, visited, shapes = [start], set(), set(), 0, Counter()
    while queue and visited < 60:
        path = queue.pop(0)
        if path in seen or path.startswith(SKIP_PATHS) or path.endswith((".csv", ".ics")) \
                or EVIDENCE_FILE.match(path):  # downloads, and evidence files served as files
            continue
        seen.add(path)
        response = session.page.goto(path)
        if response is None or response.status != 200:
            continue
        visited += 1
        html = session.page.content()
        injected = session.page.evaluate(INJECTED)
        assert not injected, f"{who} {path}: {injected[:5]}"
        shown |= set(re.findall(r"XSS\d{3}Q", html))
        for href in session.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlparse(href)
            shape = re.sub(r"\d+", "N", url.path)
            if url.netloc == urlparse(planted).netloc and url.path not in seen and shapes[shape] < 3:
                shapes[shape] += 1
                queue.append(url.path)
        session.watch.check(f"{who} {path}")
    session.close()
    assert not dialogs, f"dialogs opened for {who}: {dialogs}"
    assert visited >= 5 and len(shown) >= 20, (visited, len(shown))
