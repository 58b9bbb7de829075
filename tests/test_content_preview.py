"""Previewing a replacement content folder: what it would change and for whom, on the command line and the admin
page, before it goes live."""
import shutil

import pytest
import sqlalchemy as sa

from onboarding.admin.preview import compare, preview
from onboarding.content import Settings, load_curriculum
from onboarding.extensions import db
from onboarding.learning.models import ModuleCompletion
from onboarding.mentoring.models import Acknowledgement
from tests.conftest import PASSWORD, AuthActions


@pytest.fixture
def replacement(tmp_path, content_dir, quizzes_dir):
    content, quizzes = tmp_path / "content-next", tmp_path / "quizzes-next"
    shutil.copytree(content_dir, content)
    shutil.copytree(quizzes_dir, quizzes)
    return content, quizzes


def change(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def load(content, quizzes):
    return load_curriculum(content, quizzes, Settings())


def test_an_identical_copy_changes_nothing(replacement, content_dir, quizzes_dir):
    result = compare(load(content_dir, quizzes_dir), load(*replacement), {}, 0)
    assert result.unchanged and result.rereads == 0


def test_each_kind_of_change_is_named(replacement, content_dir, quizzes_dir):
    content, quizzes = replacement
    change(content / "s1-company" / "hello.md", "## Who we are", "## Who we are\n\nA new sentence.\n\n## Our rules")
    change(content / "s1-company" / "hello.md", "summary: The first module.\n",
           "summary: The first module.\nrequires_reread: true\n")
    change(quizzes / "basics.yaml", "prompt: Which is right?", "prompt: Which one is right?")
    current = load(content_dir, quizzes_dir)
    result = compare(current, load(content, quizzes), {"hello": 7}, 3)
    assert [m.slug for m in result.modules_changed] == ["hello"]
    hello = result.modules_changed[0]
    assert hello.reread and hello.readers == 7 and result.rereads == 7
    assert hello.difference.added == ("Our rules",) and [c.title for c in hello.difference.changed] == ["Who we are"]
    assert [(q.slug, q.changed, q.added, q.removed) for q in result.quizzes_changed] == [("basics", ("capital",), (), ())]
    assert not result.modules_added and not result.modules_removed and not result.document_changed
    assert result.signers == 0  # nobody re-signs when the job description stays


def test_a_new_job_description_counts_who_would_sign_again(replacement, content_dir, quizzes_dir):
    content, quizzes = replacement
    change(content / "job-description.md", "\n## ", "\nA new duty.\n\n## ")
    result = compare(load(content_dir, quizzes_dir), load(content, quizzes), {}, 4)
    assert result.document_changed and result.signers == 4


def test_modules_added_and_removed(replacement, content_dir, quizzes_dir):
    content, quizzes = replacement
    (content / "s2-product" / "extra.md").write_text(
        "---\ntitle: Extra\norder: 99\nminutes: 3\n---\n## Extra\n\nMore to read.\n")
    result = compare(load(content_dir, quizzes_dir), load(content, quizzes), {}, 0)
    assert result.modules_added == (("extra", "Extra"),) and not result.modules_removed
    result = compare(load(content, quizzes), load(content_dir, quizzes_dir), {}, 0)
    assert result.modules_removed == (("extra", "Extra"),)


def test_invalid_replacement_content_lists_its_problems(app, replacement):
    content, quizzes = replacement
    change(content / "s1-company" / "hello.md", "minutes: 5", "minutes: five")
    with app.app_context():
        result = preview(app.extensions["curriculum"], content, quizzes, Settings())
    assert result.problems and any("hello.md:4: `minutes` must be int" in p for p in result.problems)


def test_the_people_affected_are_counted_in_the_database(app, make_user, replacement):
    content, quizzes = replacement
    reader, old_reader, gone = (make_user("trainee", email=f"t{i}@example.com") for i in range(3))
    with app.app_context():
        cur = app.extensions["curriculum"]
        version = cur.modules["hello"].version
        db.session.add_all([ModuleCompletion(user_id=reader, module_slug="hello", content_version=version),
                            ModuleCompletion(user_id=old_reader, module_slug="hello", content_version="old"),
                            ModuleCompletion(user_id=gone, module_slug="hello", content_version=version),
                            Acknowledgement(trainee_id=reader, document="job-description",
                                            version=cur.job_description.version, typed_name="T"),
                            Acknowledgement(trainee_id=old_reader, document="job-description", version="old",
                                            typed_name="T")])
        db.session.execute(sa.text("UPDATE users SET active = :no WHERE id = :id"), {"no": False, "id": gone})
        db.session.commit()
    change(content / "s1-company" / "hello.md", "## Who we are", "## Who we are now")
    change(content / "job-description.md", "\n## ", "\nA new duty.\n\n## ")
    with app.app_context():
        result = preview(app.extensions["curriculum"], content, quizzes, Settings())
    assert result.modules_changed[0].readers == 1  # the reader of the version in use, active
    assert result.signers == 1


def test_check_content_preview_on_the_command_line(app, runner, replacement):
    content, quizzes = replacement
    same = runner.invoke(args=["check-content", "--preview", str(content), "--quizzes", str(quizzes)])
    assert same.exit_code == 0 and "Nothing would change." in same.output
    change(content / "s1-company" / "hello.md", "## Who we are", "## Who we are now")
    result = runner.invoke(args=["check-content", "--preview", str(content), "--quizzes", str(quizzes)])
    assert result.exit_code == 0, result.output
    assert "Module changed: hello (Hello): 1 section added, 1 section removed" in result.output
    change(content / "s1-company" / "hello.md", "minutes: 5", "minutes: five")
    broken = runner.invoke(args=["check-content", "--preview", str(content)])
    assert broken.exit_code == 1 and "hello.md:4: `minutes` must be int" in broken.output


def test_the_admin_page_shows_the_preview(app, make_user, replacement):
    content, quizzes = replacement
    make_user("admin", email="admin@example.com")
    client = app.test_client()
    assert AuthActions(client).login("admin@example.com", PASSWORD).status_code == 302
    app.config["CONTENT_PREVIEW_DIR"] = str(content.parent / "nothing-here")
    assert "There is no replacement content" in client.get("/admin/content-preview").get_data(as_text=True)
    app.config.update(CONTENT_PREVIEW_DIR=str(content), QUIZZES_PREVIEW_DIR=str(quizzes))
    assert "Nothing would change" in client.get("/admin/content-preview").get_data(as_text=True)
    change(content / "s1-company" / "hello.md", "## Who we are", "## Who we are now")
    change(content / "s1-company" / "hello.md", "summary: The first module.\n",
           "summary: The first module.\nrequires_reread: true\n")
    page = client.get("/admin/content-preview").get_data(as_text=True)
    assert "Modules changed" in page and "Who we are now" in page and "Asks for a re-read" in page
