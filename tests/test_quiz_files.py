"""check-content on quiz files: every rule, reported as path:line: message."""
import shutil
from pathlib import Path

import pytest

from onboarding.content import ContentError, Settings, load_curriculum


@pytest.fixture
def dirs(tmp_path, content_dir, quizzes_dir):
    shutil.copytree(content_dir, tmp_path / "content")
    shutil.copytree(quizzes_dir, tmp_path / "quizzes")
    return tmp_path / "content", tmp_path / "quizzes"


def problems(dirs):
    with pytest.raises(ContentError) as info:
        load_curriculum(*dirs)
    return [str(p) for p in info.value.problems]


def edit(dirs, name, old, new):
    path = dirs[1] / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))


def test_good_quizzes_load(dirs):
    cur = load_curriculum(*dirs)
    assert set(cur.quizzes) == {"basics", "written"}
    assert [q.slug for q in cur.stage(1).quizzes] == ["basics"]
    assert cur.quizzes["basics"].max_points == 5


@pytest.mark.parametrize("name,old,new,expected", [
    ("basics.yaml", "stage: 1", "stage: 7", "quizzes/basics.yaml:2: unknown stage 7"),
    ("basics.yaml", "modules: [hello]", "modules: [nowhere]", "quizzes/basics.yaml:9: unknown module `nowhere`"),
    ("basics.yaml", "modules: [hello]", "modules: [hello, mentor]",
     "quizzes/basics.yaml:9: module `mentor` is in stage 3, after this quiz's stage 1: the quiz could never open"),
    ("basics.yaml", "    module: hello\n    points: 1", "    module: gone\n    points: 1",
     "quizzes/basics.yaml:13: question `capital`: unknown module `gone`"),
    ("basics.yaml", "      - text: Right answer\n        correct: true", "      - text: Right answer",
     "quizzes/basics.yaml:16: question `capital`: a single-choice question needs exactly one correct option"),
    ("basics.yaml", "      - {text: Good one, correct: true}\n      - {text: Good two, correct: true}",
     "      - {text: Good one}\n      - {text: Good two}", "quizzes/basics.yaml:28: question `pick-two`: no correct option"),
    ("basics.yaml", "pass_mark: 60", "pass_mark: 120",
     "quizzes/basics.yaml:5: `pass_mark` must be a whole percentage from 1 to 100"),
    ("basics.yaml", "attempts: 2", "attempts: 0", "quizzes/basics.yaml:6: `attempts` must be a whole number, at least 1"),
    ("basics.yaml", "  - id: pick-two", "  - id: capital", "quizzes/basics.yaml:22: duplicate question id `capital`"),
    ("written.yaml", "      - {points: 2, criterion: gives both lead times}", "      - {points: 1, criterion: gives both}",
     "quizzes/written.yaml:15: question `stock`: rubric points add up to 3, the question is worth 4"),
    ("basics.yaml", "      sku: [BR-500]", "      sku: [XX-1]",
     "quizzes/basics.yaml:44: question `quote`: cannot compute XX-1 × 30 on net30: unknown SKU XX-1"),
    ("basics.yaml", "      term: [net30]", "      term: [net99]",
     "quizzes/basics.yaml:44: question `quote`: cannot compute BR-500 × 30 on net99: unknown payment term net99"),
    ("basics.yaml", "      sku: [BR-500]\n      quantity: [30]", "      sku: [BR-200]\n      quantity: [3]",
     "quizzes/basics.yaml:44: question `quote`: cannot compute BR-200 × 3 on net30: BR-200 is sold in packs of 2"),
    ("basics.yaml", "      figure: net_total", "      figure: profit", "quizzes/basics.yaml:48: question `quote`: unknown figure `profit`"),
    ("basics.yaml", "{quantity} × {product}", "{quantity} × {colour}",
     "quizzes/basics.yaml:43: question `quote`: unknown placeholder {colour} in the prompt"),
    ("basics.yaml", "    answer: 20\n", "", "quizzes/basics.yaml:32: question `vat`: a numeric question needs a number `answer`"),
    ("basics.yaml", "    type: single", "    type: essay", "quizzes/basics.yaml:12: question `capital`: unknown type `essay`"),
    ("basics.yaml", "reveal: after_pass", "reveal: sometimes", "quizzes/basics.yaml:8: `reveal` must be one of"),
    ("basics.yaml", "slug: basics", "slug: other", "quizzes/basics.yaml:1: slug `other` must match the file name"),
    ("basics.yaml", "title: Basics", "title: Basics\ncolour: red", "quizzes/basics.yaml:4: unknown field `colour`"),
    ("written.yaml", "    model_answer: SECRET-MODEL-ANSWER the DL-70 now.\n", "",
     "quizzes/written.yaml:10: question `stock`: a text question needs a `model_answer`"),
    ("basics.yaml", "pass_mark: 60", "pass_mark: [60", "quizzes/basics.yaml:"),
    ("written.yaml", "forms: [written, oral]", "forms: [written, video]",
     "quizzes/written.yaml:27: `forms` must list one or both of written, oral"),
    ("written.yaml", "forms: [written, oral]", "forms: [oral, oral]",
     "quizzes/written.yaml:27: `forms` must list one or both of written, oral"),
    ("written.yaml", "forms: [written, oral]", "forms: []", "quizzes/written.yaml:27: `forms` must list"),
])
def test_quiz_problems(dirs, name, old, new, expected):
    edit(dirs, name, old, new)
    found = problems(dirs)
    assert any(p.startswith(expected) for p in found), found


def test_a_quiz_is_written_unless_its_file_says_oral_too(dirs):
    cur = load_curriculum(*dirs)
    assert cur.quizzes["basics"].forms == ("written",) and cur.quizzes["written"].forms == ("written", "oral")


def test_duplicate_slug_across_files(dirs):
    text = (dirs[1] / "basics.yaml").read_text()
    (dirs[1] / "zz-copy.yaml").write_text(text.replace("slug: basics", "slug: zz-copy"))
    assert load_curriculum(*dirs).quizzes["zz-copy"].title == "Basics"
    (dirs[1] / "zz-copy.yaml").write_text(text)
    assert any("slug `basics` must match the file name `zz-copy`" in p for p in problems(dirs))


def test_bad_yaml_is_reported_with_its_line(dirs):
    (dirs[1] / "basics.yaml").write_text("slug: basics\nstage: 1\ntitle: [unclosed\n")
    assert any(p.startswith("quizzes/basics.yaml:") and "invalid YAML" in p for p in problems(dirs))


# --- before_role_play: what must be done before the role-play certification ------------------------------------

def test_before_role_play_is_parsed_on_quizzes_and_tasks(dirs):
    cur = load_curriculum(*dirs)
    assert cur.quizzes["written"].before_role_play is True
    assert cur.quizzes["basics"].before_role_play is False  # the default
    assert {t.id: t.before_role_play for t in cur.stage(3).checklist.tasks} == {"proposal": True, "segmentation": True}
    assert cur.tasks["proposal"].before_role_play is True
    (dirs[1] / "written.yaml").write_text((dirs[1] / "written.yaml").read_text().replace("before_role_play: true\n", ""))
    assert load_curriculum(*dirs).quizzes["written"].before_role_play is False


STAGE_1_CHECKLIST = """stage: 1
title: First week
tasks:
  - id: desk
    title: Set up your desk
    good: Everything works.
    before_role_play: true
"""


@pytest.mark.parametrize("name, old, new, expected", [
    ("basics.yaml", "title: Basics\n", "title: Basics\nbefore_role_play: true\n",
     "quizzes/basics.yaml:4: `before_role_play` belongs only to a quiz of the role-play stage (stage 3); "
     "this quiz is stage 1"),
    ("basics.yaml", "title: Basics\n", "title: Basics\nbefore_role_play: false\n",
     "quizzes/basics.yaml:4: `before_role_play` belongs only to a quiz of the role-play stage (stage 3)"),
    ("written.yaml", "before_role_play: true", "before_role_play: 1",
     "quizzes/written.yaml:26: `before_role_play` must be true or false"),
    ("written.yaml", "before_role_play: true", 'before_role_play: "true"',
     "quizzes/written.yaml:26: `before_role_play` must be true or false"),
    ("checklists/stage-3.yaml", "    before_role_play: true\n  - id: segmentation",
     "    before_role_play: yes please\n  - id: segmentation",
     "quizzes/checklists/stage-3.yaml:11: task `proposal`: `before_role_play` must be true or false"),
], ids=["quiz-not-role-play-stage", "quiz-false-not-role-play-stage", "quiz-number", "quiz-text", "task-text"])
def test_before_role_play_problems(dirs, name, old, new, expected):
    edit(dirs, name, old, new)
    found = problems(dirs)
    assert any(p.startswith(expected) for p in found), found


def test_before_role_play_on_a_task_outside_the_role_play_stage(dirs):
    (dirs[1] / "checklists" / "stage-1.yaml").write_text(STAGE_1_CHECKLIST)
    assert "quizzes/checklists/stage-1.yaml:7: task `desk`: `before_role_play` belongs only to the role-play stage " \
           "(stage 3); this checklist is stage 1" in problems(dirs)
    (dirs[1] / "checklists" / "stage-1.yaml").write_text(STAGE_1_CHECKLIST.replace("    before_role_play: true\n", ""))
    assert load_curriculum(*dirs).tasks["desk"].before_role_play is False


def test_the_shipped_role_play_preconditions():
    """The role-play comes after the stage-3 skills are signed off and the written product test (role-play-prep)."""
    root = Path(__file__).resolve().parent.parent
    cur = load_curriculum(root / "content", root / "quizzes")
    assert cur.quizzes["written-product-test"].before_role_play is True
    assert {q.slug for q in cur.quizzes.values() if q.before_role_play} == {"written-product-test"}
    assert cur.stage(3).checklist.tasks and all(t.before_role_play for t in cur.stage(3).checklist.tasks)
    assert not any(t.before_role_play for s in cur.stages if s.number != 3 and s.checklist for t in s.checklist.tasks)


# --- role-play scenarios against ROLE_PLAY_ATTEMPTS -------------------------------------------------------------

def test_as_many_scenarios_as_attempts_pass_and_one_fewer_fails(dirs):
    assert len(load_curriculum(*dirs, Settings(role_play_attempts=2)).scenarios) == 2
    assert problems_with(dirs, Settings(role_play_attempts=3)) == [
        "quizzes/scenarios:1: 2 scenarios for 3 role-play attempts (ROLE_PLAY_ATTEMPTS); "
        "add scenarios so each attempt can have its own"]
    (dirs[1] / "scenarios" / "warehouse.yaml").unlink()
    assert len(load_curriculum(*dirs, Settings(role_play_attempts=1)).scenarios) == 1
    assert problems(dirs) == [  # the default: two attempts
        "quizzes/scenarios:1: 1 scenarios for 2 role-play attempts (ROLE_PLAY_ATTEMPTS); "
        "add scenarios so each attempt can have its own"]


def test_content_without_scenarios_has_no_role_play_to_count(dirs):
    shutil.rmtree(dirs[1] / "scenarios")
    assert load_curriculum(*dirs, Settings(role_play_attempts=3)).scenarios == {}


def test_the_shipped_scenarios_cover_the_default_attempts_with_one_to_spare():
    root = Path(__file__).resolve().parent.parent
    cur = load_curriculum(root / "content", root / "quizzes")
    assert len(cur.scenarios) >= Settings().role_play_attempts + 1
    assert set(cur.translations["ar"]["scenarios"]) == set(cur.scenarios)


def problems_with(dirs, settings):
    with pytest.raises(ContentError) as info:
        load_curriculum(*dirs, settings)
    return [str(p) for p in info.value.problems]
