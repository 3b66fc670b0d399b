"""autograder.i18n: every message in every language, and the languages reaching what is printed.

The end-to-end tests run the commands in subprocesses (as a student's terminal does) and read
what they print; check's Korean diagnoses are tested in ``tests/test_i18n_grading.py``.
"""

import os
import string
import subprocess
import sys

import nbformat
import pytest

from autograder import i18n
from autograder.paths import ASSIGNMENT, KIT_ROOT, MODULES, SOLUTIONS
from autograder.submission import read_submission


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("key", sorted(i18n.MESSAGES))
def test_every_key_has_every_language_with_the_same_fields(key):
    texts = i18n.MESSAGES[key]
    assert set(texts) == set(i18n.LANGUAGES), f"{key}: missing {set(i18n.LANGUAGES) - set(texts)}"
    assert all(texts[lang].strip() for lang in i18n.LANGUAGES)
    assert len({frozenset(fields(t)) for t in texts.values()}) == 1, f"{key}: the languages use other fields"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != i18n.ENVIRONMENT} | env
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True,
                          env=environment, cwd=KIT_ROOT, timeout=300)


def test_sweep_prints_its_summary_in_korean(tmp_path):
    done = run(["sweep", str(SOLUTIONS), "--task", "linear", "--lr", "0.1", "0.5", "--epochs", "3", "-q",
                "--out", str(tmp_path), "--lang", "ko"])
    assert done.returncode == 0, done.stderr
    for key in ("sweep.best", "sweep.test", "sweep.written"):
        assert i18n.MESSAGES[key]["ko"].split("{")[0].rstrip(": ") in done.stdout
    assert "best by validation loss" not in done.stdout and "written:" not in done.stdout


def test_a_bad_language_is_one_line_and_exit_2(tmp_path):
    done = run(["sweep", str(SOLUTIONS), "--out", str(tmp_path)], AUTOGRADER_LANG="xx")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "AUTOGRADER_LANG" in done.stderr


def korean_notebook(folder):
    cells = [nbformat.v4.new_markdown_cell("# 과제")]
    cells += [nbformat.v4.new_code_cell(f"%%writefile {m}.py\n" + (SOLUTIONS / f"{m}.py").read_text(encoding="utf-8"))
              for m in MODULES]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / "assignment.ko.ipynb")


def test_a_folder_with_only_the_korean_notebook_is_read(tmp_path):
    korean_notebook(tmp_path)
    submission = read_submission(tmp_path)
    assert not submission.problem
    assert submission.sources == {m: (SOLUTIONS / f"{m}.py").read_bytes() for m in MODULES}


def test_a_comparison_speaks_the_runs_language(monkeypatch):
    import numpy as np

    from autograder.grading import compare

    monkeypatch.delenv(i18n.ENVIRONMENT, raising=False)
    expected = np.array([1.0, 2.0, 3.0])
    with pytest.raises(AssertionError) as english:
        compare.expect_array(expected * 3, expected, what="f(x)", hints=[])
    with i18n.speaking("ko"), pytest.raises(AssertionError) as korean:
        compare.expect_array(expected * 3, expected, what="f(x)", hints=[])
    assert "3 of 3 value(s) differ" in str(english.value) and "at index (2,)" in str(english.value)
    assert "값 3개 중 3개가 다릅니다" in str(korean.value) and "(위치 (2,))" in str(korean.value)
    assert "value(s) differ" not in str(korean.value)


def test_the_korean_notebook_beside_the_skeleton_modules_is_the_work_graded(tmp_path):
    """The skeleton detection treats the Korean edition as the English one: the filled notebook wins."""
    for m in MODULES:
        (tmp_path / f"{m}.py").write_bytes((ASSIGNMENT / f"{m}.py").read_bytes())
    korean_notebook(tmp_path)
    submission = read_submission(tmp_path)
    assert submission.sources == {m: (SOLUTIONS / f"{m}.py").read_bytes() for m in MODULES}
    assert "graded assignment.ko.ipynb" in submission.chosen
