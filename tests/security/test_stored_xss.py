"""Stored XSS: every free-text column of a fully seeded demo holds payloads from the corpus, and every
page each role reaches (found by following the links from the home page) shows them as text only.

The payloads go straight into the rows, so no form validation can hide a template that forgets to
escape; tests below also send payloads through the real forms.
"""
import re
import shutil
from collections import Counter
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import sqlalchemy as sa

from onboarding import create_app
from onboarding.extensions import db

from .xss import corpus, injections, marker

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = corpus()
BATCH = 28
BATCHES = [list(range(i, min(i + BATCH, len(PAYLOADS)))) for i in range(0, len(PAYLOADS), BATCH)]
DEMO_PASSWORD = "demo-pass-2024"
# (who, where to start, which paths to follow): the admin only for the pages only admins see.
PERSONAS = [("head@example.com", "/", "/"), ("mentor@example.com", "/", "/"), ("trainee2@example.com", "/", "/"),
            ("trainee3@example.com", "/", "/"), ("admin@example.com", "/admin/users", "/admin/")]

# Columns people type into. Everything else is a slug, state, hash, email or number.
FREE_TEXT = {
    "teams": ["name"], "users": ["full_name"], "acknowledgements": ["typed_name"], "activity_entries": ["note"],
    "api_tokens": ["name"], "extra_attempts": ["reason"], "hold_decisions": ["plan"],
    "role_play_attempts": ["place"], "sign_off_events": ["note"], "supervision_notes": ["situation", "advice"],
    "answers": ["response", "comment"], "readiness_decisions": ["note", "override_reason", "plan"],
    "readiness_recommendations": ["note"], "role_play_scores": ["comment"], "evidence_files": ["name"],
    "evidence_comments": ["body"],
}
JSON_TEXT = {"notifications": "params", "audit_events": "details"}  # their string values, names and reasons among them
SKIP_PATHS = ("/static/", "/api/", "/modules/", "/stages/", "/quizzes/", "/logout", "/healthz")

pytestmark = pytest.mark.sqlite_only  # escaping is the templates' work: one database is enough


def test_the_corpus_is_large_and_distinct():
    assert len(PAYLOADS) >= 100 and len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.fixture(scope="session")
def seeded_demo(tmp_path_factory, migrated_template):
    """The demo data on the shipped content, plus the rows the demo leaves empty."""
    path = tmp_path_factory.mktemp("xss") / "demo.db"
    shutil.copy(migrated_template, path)
    app = _app(path)
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        users = {u.email: u.id for u in db.session.execute(sa.select(db.metadata.tables["users"]))}
        t = db.metadata.tables
        now = datetime.now(timezone.utc)
        trainee2, trainee3, head = (users[f"{n}@example.com"] for n in ("trainee2", "trainee3", "head"))
        db.session.execute(t["teams"].insert().values(name="Team"))
        team_id = db.session.scalar(sa.select(t["teams"].c.id))
        if "team_id" in t["trainee_records"].c:
            db.session.execute(t["trainee_records"].update().values(team_id=team_id))
        db.session.execute(t["extra_attempts"].insert().values(user_id=trainee2, quiz_slug="company-basics",
                                                               granted_by=head, reason="r", granted_at=now))
        db.session.execute(t["hold_decisions"].insert().values(trainee_id=trainee2, decision="keep", plan="p",
                                                               new_target_date=date.today(), decided_by=head,
                                                               decided_at=now))
        db.session.execute(t["readiness_decisions"].insert().values(
            trainee_id=trainee3, head_id=head, decision="extended", note="n", override_reason="o", plan="p",
            new_target_date=date.today(), evidence={}, decided_at=now))
        from onboarding.api.models import ApiToken
        from onboarding.api.tokens import create_token
        from onboarding.auth.models import User

        for uid in users.values():
            create_token(db.session.get(User, uid), "token")
        db.session.execute(t["activity_entries"].update().values(note="n"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == len(users)
        db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
    return path


def _app(path):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                       "CONTENT_DIR": str(ROOT / "content"), "QUIZZES_DIR": str(ROOT / "quizzes"),
                       "SECRET_KEY": "test-secret-key-that-is-long-enough-000"})


def _plant(app, batch):
    """Write the batch's payloads into every free-text column: long texts get all of them, short ones one each."""
    texts = [PAYLOADS[i] for i in batch]
    with app.app_context():
        turn = 0
        for table_name, columns in FREE_TEXT.items():
            table = db.metadata.tables[table_name]
            for row in db.session.execute(sa.select(table.c.id)).all():
                values = {}
                for column in columns:
                    turn += 1
                    if isinstance(table.c[column].type, sa.String) and table.c[column].type.length:
                        values[column] = texts[turn % len(texts)]
                    else:
                        values[column] = "\n".join(texts)
                db.session.execute(table.update().where(table.c.id == row.id).values(**values))
        for table_name, column in JSON_TEXT.items():
            table = db.metadata.tables[table_name]
            for row in db.session.execute(sa.select(table.c.id, table.c[column])).all():
                data = dict(row[1] or {})
                for key, value in data.items():
                    if isinstance(value, str):
                        turn += 1
                        data[key] = texts[turn % len(texts)]
                db.session.execute(table.update().where(table.c.id == row.id).values({column: data}))
        db.session.commit()


def _login(client, email):
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"{email} could not sign in"


def _shape(path):
    return re.sub(r"\d+", "N", path)


def _crawl(client, start="/", within="/", limit=80, per_shape=2):
    """Every page reachable by following links from the start page (a few per URL shape), with its HTML."""
    seen, queue, shapes, pages = set(), [start], Counter(), {}
    if within == "/":
        queue += ["/audit", "/notifications", "/grading", "/job-description/signatures", "/account/tokens", "/cohort",
                  "/targets", "/account"]
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in seen or path.startswith(SKIP_PATHS) or path.endswith(".csv") or not path.startswith(within):
            continue
        seen.add(path)
        if shapes[_shape(path)] >= per_shape:
            continue
        shapes[_shape(path)] += 1
        response = client.get(path)
        assert response.status_code < 500, f"GET {path} answered {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        for href in re.findall(r'href="([^"#]+)', html):
            url = urlparse(urljoin("http://localhost" + path, href.replace("&amp;", "&")))
            if url.netloc == "localhost":
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return pages


@pytest.mark.parametrize("batch", BATCHES, ids=[f"payloads-{b[0]}-{b[-1]}" for b in BATCHES])
def test_stored_payloads_are_shown_as_text_on_every_page(tmp_path, seeded_demo, batch):
    path = tmp_path / "demo.db"
    shutil.copy(seeded_demo, path)
    app = _app(path)
    _plant(app, batch)
    shown, findings, crawled = Counter(), [], 0
    for email, start, within in PERSONAS:
        client = app.test_client()
        _login(client, email)
        for page, html in _crawl(client, start, within).items():
            crawled += 1
            findings += [f"{email} {page}: {f}" for f in injections(html)]
            for i in batch:
                shown[i] += html.count(marker(i))
    assert not findings, "\n".join(findings[:20])
    assert crawled > 40
    missing = [PAYLOADS[i] for i in batch if not shown[i]]
    assert not missing, f"payloads never shown, so never tested: {missing}"
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("html,expected", [
    ('<p>fine</p><b title="XSS001Q">t</b>', 0),
    ('<img src=x onerror=alert(1) id=XSS001Q>', 2),
    ('<script>alert("XSS001Q")</script>', 1),
    ('<a href=" jav&#x09;ascript:alert(1)">x</a>', 1),
    ('<input value="&quot; onmouseover=&quot;XSS001Q">', 0),
    ('<input value="" onmouseover="XSS001Q">', 2),
])
def test_the_checker_sees_injections(html, expected):
    assert len(injections(html)) == expected
