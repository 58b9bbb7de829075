"""What changed since a trainee read a module: the difference shown to them, and modules that ask to be re-read."""
import re
import shutil

import pytest
import sqlalchemy as sa

from onboarding import create_app
from onboarding.audit.models import AuditEvent
from onboarding.content import ContentError, load_app_curriculum
from onboarding.extensions import db
from onboarding.learning.changes import changed_figures, difference, sections
from onboarding.learning.models import ModuleCompletion, ModuleSnapshot
from onboarding.learning.services import completed_slugs, completions_by_user, rereads_count
from tests.conftest import PASSWORD, AuthActions, statements_during

# ---------------------------------------------------------------- the difference, pure

READ = ("<p>Welcome.</p><h2 id='p'>Prices</h2><p>The starter pack costs 1,200 EUR a year.</p>"
        "<ul><li>Discount 10 %</li><li>Free delivery</li></ul><h2>Old rules</h2><p>Call before noon.</p>")


def test_sections_cut_at_second_level_headings_with_one_line_per_block():
    found = sections(READ + "<table><tr><th>Pack</th><th>Price</th></tr><tr><td>S</td><td>9</td></tr></table>")
    assert [s.title for s in found] == ["", "Prices", "Old rules"]
    assert found[1].lines == ("The starter pack costs 1,200 EUR a year.", "Discount 10 %", "Free delivery")
    assert found[2].lines[-2:] == ("Pack | Price", "S | 9")


def test_the_same_words_make_no_difference_whatever_the_markup():
    same = READ.replace("<p>Call before noon.</p>", "<p>Call <em>before</em>   noon.</p>")
    assert difference(READ, same).empty
    assert difference(READ, READ) == difference(READ, same)


def test_a_changed_price_is_a_changed_section_and_a_changed_figure():
    now = READ.replace("1,200 EUR", "1,350 EUR")
    diff = difference(READ, now)
    assert [c.title for c in diff.changed] == ["Prices"]
    assert diff.changed[0].removed == ("The starter pack costs 1,200 EUR a year.",)
    assert diff.changed[0].added == ("The starter pack costs 1,350 EUR a year.",)
    assert diff.figures == (("1,200 EUR", "1,350 EUR"),)
    assert not diff.added and not diff.removed


def test_sections_added_and_removed_by_title():
    now = READ.replace("<h2>Old rules</h2><p>Call before noon.</p>", "<h2>New rules</h2><p>Call after noon.</p>")
    diff = difference(READ, now)
    assert diff.added == ("New rules",) and diff.removed == ("Old rules",) and not diff.changed


def test_a_new_line_alone_is_added_without_a_figure():
    diff = difference(READ, READ.replace("<li>Free delivery</li>", "<li>Free delivery</li><li>Pay in 30 days</li>"))
    assert diff.changed[0].removed == () and diff.changed[0].added == ("Pay in 30 days",)
    assert diff.figures == ()


@pytest.mark.parametrize("before,after,expected", [
    ("costs 1,200 EUR", "costs 1,350 EUR", [("1,200 EUR", "1,350 EUR")]),
    ("10 % off, 3 days", "15 % off, 3 days", [("10 %", "15 %")]),
    ("10 % off, 3 days", "10 % off, 3 days", []),
    ("no figures", "still none", []),
])
def test_changed_figures(before, after, expected):
    assert changed_figures(before, after) == expected


# ---------------------------------------------------------------- with the app, on a copy of the content

@pytest.fixture
def content_copy(tmp_path, content_dir):
    root = tmp_path / "content"
    shutil.copytree(content_dir, root)
    return root


@pytest.fixture
def app(database_url, content_copy, quizzes_dir):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "CONTENT_DIR": str(content_copy),
                      "QUIZZES_DIR": str(quizzes_dir), "SECRET_KEY": "test-secret-key-that-is-long-enough-000"})
    yield app
    with app.app_context():
        db.engine.dispose()


def edit(app, content_copy, old, new, front=None):
    """Change the test module `hello` in the content copy and load the new version."""
    path = content_copy / "s1-company" / "hello.md"
    text = path.read_text().replace(old, new)
    if front:
        text = text.replace("summary: The first module.\n", f"summary: The first module.\n{front}\n")
    path.write_text(text)
    app.extensions["curriculum"] = load_app_curriculum(app.config)
    app.extensions["curriculum_by_locale"].clear()


def login(app, email):
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login(email, PASSWORD).status_code == 302
    return client, auth


def read_hello(client, auth):
    response = client.post("/modules/hello/complete", data={"csrf_token": auth.token("/modules/hello")})
    assert response.status_code == 302


@pytest.fixture
def reader(app, make_user):
    mentor = make_user("mentor", email="mentor@example.com")
    trainee = make_user("trainee", email="reader@example.com", name="Rita Reader", mentor=mentor)
    client, auth = login(app, "reader@example.com")
    read_hello(client, auth)
    return trainee, client, auth


def test_reading_keeps_the_text_of_the_version_read(app, reader):
    with app.app_context():
        snapshot = db.session.scalar(sa.select(ModuleSnapshot))
        assert snapshot.module_slug == "hello" and snapshot.version == app.extensions["curriculum"].modules["hello"].version
        assert "Who we are" in snapshot.html


def test_a_changed_module_shows_its_reader_what_changed(app, reader, content_copy):
    trainee, client, auth = reader
    assert "Updated since you read it" not in client.get("/modules/hello").get_data(as_text=True)
    edit(app, content_copy, "## Who we are", "## Who we are today\n\nA new section.\n\n## Who we were")
    page = client.get("/modules/hello").get_data(as_text=True)
    assert "Updated since you read it" in page and "/modules/hello/changes" in page
    assert "I have read the new version" in page  # it still counts: the module does not ask for a re-read
    with app.app_context():
        assert "hello" in completed_slugs(trainee)
    changes = client.get("/modules/hello/changes").get_data(as_text=True)
    assert "New sections" in changes and "Who we are today" in changes
    assert "Sections removed" in changes and "Who we are" in changes


def test_reading_the_new_version_records_it_once(app, reader, content_copy):
    trainee, client, auth = reader
    edit(app, content_copy, "## Who we are", "## Who we are now")
    read_hello(client, auth)
    read_hello(client, auth)
    with app.app_context():
        current = app.extensions["curriculum"].modules["hello"].version
        assert db.session.scalar(sa.select(ModuleCompletion.content_version)) == current
        events = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_id == trainee)).all()
        assert events.count("module_reread") == 1 and events.count("module_completed") == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleSnapshot)) == 2
    assert "Updated since you read it" not in client.get("/modules/hello").get_data(as_text=True)
    assert "nothing changed since" in client.get("/modules/hello/changes").get_data(as_text=True)


def test_a_text_read_before_snapshots_were_kept_says_so(app, reader, content_copy):
    _trainee, client, _auth = reader
    with app.app_context():
        db.session.execute(sa.delete(ModuleSnapshot))
        db.session.commit()
    edit(app, content_copy, "## Who we are", "## Who we are now")
    assert "was not kept" in client.get("/modules/hello/changes").get_data(as_text=True)


def test_a_module_that_asks_for_a_re_read_is_due_again(app, reader, content_copy):
    trainee, client, auth = reader
    edit(app, content_copy, "## Who we are", "## Who we are now", front="requires_reread: true")
    with app.app_context():
        assert "hello" not in completed_slugs(trainee)
        assert "hello" not in completions_by_user([trainee])[trainee]
        assert rereads_count() == {"hello": 1}
    page = client.get("/modules/hello").get_data(as_text=True)
    assert "The change matters" in page and "Mark as complete" in page
    read_hello(client, auth)
    with app.app_context():
        assert "hello" in completed_slugs(trainee) and rereads_count() == {}


def test_requires_reread_alone_changes_nothing_for_the_current_version(app, reader, content_copy):
    trainee, _client, _auth = reader
    with app.app_context():
        version = app.extensions["curriculum"].modules["hello"].version
    edit(app, content_copy, "NOTHING", "NOTHING", front="requires_reread: true")
    with app.app_context():
        assert app.extensions["curriculum"].modules["hello"].version != version  # the front matter is in the text
        db.session.execute(sa.update(ModuleCompletion).values(
            content_version=app.extensions["curriculum"].modules["hello"].version))
        db.session.commit()
        assert "hello" in completed_slugs(trainee) and rereads_count() == {}


def test_the_head_and_the_mentor_see_who_has_not_re_read(app, reader, make_user, content_copy):
    _trainee, _client, _auth = reader
    other_mentor = make_user("mentor", email="other-mentor@example.com")
    make_user("head", email="head@example.com")
    edit(app, content_copy, "## Who we are", "## Who we are now", front="requires_reread: true")
    head, _ = login(app, "head@example.com")
    dashboard = head.get("/").get_data(as_text=True)
    assert "Updated modules not re-read yet" in dashboard and "Hello (1)" in dashboard
    assert "Rita Reader" in head.get("/rereads").get_data(as_text=True)
    mentor, _ = login(app, "mentor@example.com")
    assert "Rita Reader" in mentor.get("/rereads").get_data(as_text=True)
    other, _ = login(app, "other-mentor@example.com")
    assert "Rita Reader" not in other.get("/rereads").get_data(as_text=True)
    assert "Updated modules not re-read yet" not in other.get("/").get_data(as_text=True)
    with app.app_context():
        assert rereads_count(other_mentor) == {}


def test_counting_who_has_not_re_read_is_one_query_whatever_the_number(app, make_user, content_copy):
    from onboarding.learning.models import ModuleCompletion as Completion

    def add_readers(n, start):
        with app.app_context():
            version = app.extensions["curriculum"].modules["hello"].version
            for i in range(n):
                uid = make_user("trainee", email=f"r{start + i}@example.com")
                db.session.add(Completion(user_id=uid, module_slug="hello", content_version=version))
            db.session.commit()

    def count():
        with app.app_context():
            return rereads_count()

    add_readers(2, 0)
    edit(app, content_copy, "## Who we are", "## Who we are now", front="requires_reread: true")
    few = statements_during(app, count)
    add_readers(20, 100)
    edit(app, content_copy, "## Who we are now", "## Who we are, again")
    many = statements_during(app, count)
    assert few == ({"hello": 2}, 1) and many == ({"hello": 22}, 1)


def test_check_content_refuses_a_requires_reread_that_is_not_true_or_false(app, content_copy):
    path = content_copy / "s1-company" / "hello.md"
    path.write_text(path.read_text().replace("summary: The first module.\n",
                                             "summary: The first module.\nrequires_reread: soon\n"))
    with pytest.raises(ContentError) as info:
        load_app_curriculum(app.config)
    assert re.search(r"hello\.md:6: `requires_reread` must be a bool", str(info.value))
