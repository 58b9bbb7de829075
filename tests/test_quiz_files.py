"""check-content on quiz files: every rule, reported as path:line: message."""
import shutil

import pytest

from onboarding.content import ContentError, load_curriculum


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
])
def test_quiz_problems(dirs, name, old, new, expected):
    edit(dirs, name, old, new)
    found = problems(dirs)
    assert any(p.startswith(expected) for p in found), found


def test_duplicate_slug_across_files(dirs):
    text = (dirs[1] / "basics.yaml").read_text()
    (dirs[1] / "zz-copy.yaml").write_text(text.replace("slug: basics", "slug: zz-copy"))
    assert load_curriculum(*dirs).quizzes["zz-copy"].title == "Basics"
    (dirs[1] / "zz-copy.yaml").write_text(text)
    assert any("slug `basics` must match the file name `zz-copy`" in p for p in problems(dirs))


def test_bad_yaml_is_reported_with_its_line(dirs):
    (dirs[1] / "basics.yaml").write_text("slug: basics\nstage: 1\ntitle: [unclosed\n")
    assert any(p.startswith("quizzes/basics.yaml:") and "invalid YAML" in p for p in problems(dirs))
