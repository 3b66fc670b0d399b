"""The notebook in every language: the same cells, code and questions; release checks it."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from autograder.paths import KIT_ROOT
from autograder.release.command import build_release
from autograder.release.notebook import setup_source

ASSIGNMENT = KIT_ROOT / "assignment"


@pytest.fixture(scope="module")
def editions() -> dict[str, nbformat.NotebookNode]:
    return {lang: nbformat.read(ASSIGNMENT / name, as_version=4)
            for lang, name in (("en", "assignment.ipynb"), ("ko", "assignment.ko.ipynb"))}


def test_both_editions_have_the_same_code_cells(editions):
    en, ko = editions["en"], editions["ko"]
    assert [(c.id, c.cell_type) for c in en.cells] == [(c.id, c.cell_type) for c in ko.cells]
    for ours, theirs in zip(en.cells, ko.cells, strict=True):
        if ours.cell_type == "code" and ours.id != "setup":
            assert ours.source == theirs.source, ours.id
    setups = [c.source for c in (en.cells[1], ko.cells[1])]
    assert [c.id for c in (en.cells[1], ko.cells[1])] == ["setup", "setup"]
    url = setups[0].split('KIT_URL = "', 1)[1].split('"', 1)[0]
    assert setups == [setup_source(url, "en"), setup_source(url, "ko")]
    assert 'os.environ["AUTOGRADER_LANG"] = "ko"' in setups[1]


def test_both_editions_ask_the_same_questions_in_their_language(editions):
    questions = {}
    for lang, nb in editions.items():
        answers = [i for i, c in enumerate(nb.cells) if c.id.startswith("answer-")]
        questions[lang] = [nb.cells[i].id for i in answers]
        word = {"en": "**Question", "ko": "**질문"}[lang]
        numbers = [nb.cells[i - 1].source.split(word, 1)[1].split(".", 1)[0].strip() for i in answers]
        assert numbers == [str(n) for n in range(1, len(answers) + 1)], lang
    assert questions["en"] == questions["ko"] and len(questions["en"]) == 6
    assert editions["ko"].cells[answers[0]].source == "**답:** *여기에 답을 쓰세요.*"


def test_the_korean_prose_is_korean_and_uses_the_lectures_words(editions):
    prose = "\n".join(c.source for c in editions["ko"].cells if c.cell_type == "markdown")
    for word in ("경사하강법", "학습률", "배치", "손실 함수", "최대우도추정", "음의 로그 우도", "에폭"):
        assert word in prose, word
    hangul = sum("\uac00" <= ch <= "\ud7a3" for ch in prose)
    letters = sum(ch.isalpha() for ch in prose)
    assert hangul > 0.5 * letters  # formulas and code names aside, the text is Korean


def test_the_korean_solution_notebook_has_korean_model_answers():
    built = build_release(KIT_ROOT)
    solution = nbformat.reads(built.translated_solutions["ko"], as_version=4)
    answers = [c.source for c in solution.cells if c.id.startswith("answer-")]
    assert len(answers) == 6 and all(a.startswith("**모범 답안:**\n\n") for a in answers)
    assert solution.cells[0].source.startswith("**강사용 해답 노트북**")


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    for part in ("solutions", "assignment"):
        shutil.copytree(KIT_ROOT / part, tmp_path / part)
    return tmp_path


def release(*args: object):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "autograder", "release", *map(str, args)],
                          capture_output=True, text=True)


def test_release_check_covers_the_korean_notebook(kit: Path):
    assert release("--check", "--root", kit).returncode == 0
    (kit / "assignment" / "assignment.ko.ipynb").unlink()
    result = release("--check", "--root", kit)
    assert result.returncode == 1 and result.stdout == "assignment/assignment.ko.ipynb: missing\n"
    source = kit / "solutions" / "notebook.ko.md"
    source.write_text(source.read_text(encoding="utf-8").replace("## 2부", "## 제2부"), encoding="utf-8")
    assert release("--root", kit).returncode == 0
    assert "## 제2부" in (kit / "assignment" / "assignment.ko.ipynb").read_text(encoding="utf-8")
    assert release("--check", "--root", kit).returncode == 0


def test_a_translation_whose_code_differs_is_refused_in_one_line(kit: Path):
    source = kit / "solutions" / "notebook.ko.md"
    source.write_text(source.read_text(encoding="utf-8").replace("EPOCHS = 30", "EPOCHS = 3"), encoding="utf-8")
    for args in (("--check",), ()):
        result = release(*args, "--root", kit)
        assert result.returncode == 2
        assert result.stderr.startswith("error: solutions/notebook.ko.md: cell ")
        assert "does not match the English notebook: its code differs" in result.stderr
        assert len(result.stderr.splitlines()) == 1
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("```{module} optimizers.Adam\n```\n", ""), encoding="utf-8")
    result = release("--check", "--root", kit)
    assert result.returncode == 2 and "no {module} cell: optimizers.Adam" in result.stderr


def test_the_korean_solution_notebook_is_written_beside_the_english_one(kit: Path):
    target = kit / "staff" / "solution.ipynb"
    result = release("--root", kit, "--solution-notebook", target)
    assert result.returncode == 0, result.stderr
    korean = nbformat.read(target.with_name("solution.ko.ipynb"), as_version=4)
    english = nbformat.read(target, as_version=4)
    assert [c.id for c in korean.cells] == [c.id for c in english.cells]
    code = "".join(c.source for c in korean.cells if c.cell_type == "code")
    assert "raise NotImplementedError(" not in code
