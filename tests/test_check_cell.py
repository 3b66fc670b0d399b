"""``check()`` from a notebook cell and ``check --function/--lang`` from a terminal.

The oracle for what a check shows is the kit itself run on known submissions: the solutions
(every test passes), the skeleton (every test is not implemented yet) and the solutions with
one planted bug (that test fails with expected, got and the likely bug).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import check
from autograder.errors import UserError
from autograder.grading.check_cell import CheckError, public_functions, resolve
from autograder.grading.check_view import CheckView
from autograder.i18n import MESSAGES
from autograder.paths import ASSIGNMENT, KIT_ROOT, MODULES, SOLUTIONS
from autograder.release.skeleton import strip_markers


def write_modules(folder: Path, source: Path, edit: tuple[str, str, str] | None = None) -> Path:
    """The three modules as a notebook's cells write them (solution markers stripped)."""
    folder.mkdir(parents=True, exist_ok=True)
    for module in MODULES:
        text = (source / f"{module}.py").read_text(encoding="utf-8")
        if source == SOLUTIONS:
            text = strip_markers(text, module)
        if edit and edit[0] == module:
            assert edit[1] in text
            text = text.replace(edit[1], edit[2])
        (folder / f"{module}.py").write_text(text, encoding="utf-8")
    return folder


def run_check(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "autograder", "check", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, "PYTHONPATH": str(KIT_ROOT), **(env or {})})


def test_names_resolve_to_the_functions_the_public_tests_grade():
    functions = public_functions()
    assert len(functions) == 19 and "logistic_regression.gradients" in functions and "optimizers.Adam" in functions
    assert resolve(None) is None
    assert resolve("logistic_regression.gradients") == {"logistic_regression.gradients"}
    assert resolve("Adam") == {"optimizers.Adam"}
    assert resolve("normal_equation") == {"linear_regression.normal_equation"}
    assert resolve("optimizers") == {f for f in functions if f.startswith("optimizers.")}
    with pytest.raises(UserError, match="'gradients' is in more than one module; name the module too: "
                                        "logistic_regression.gradients, linear_regression.gradients"):
        resolve("gradients")
    with pytest.raises(UserError, match="no public test checks 'gradient'"):
        resolve("gradient")
    with pytest.raises(UserError, match="여러 모듈"):
        resolve("loss", "ko")


def test_check_of_one_function_runs_only_its_tests_and_passes_on_the_solutions(tmp_path, monkeypatch):
    write_modules(tmp_path, SOLUTIONS)
    monkeypatch.chdir(tmp_path)
    before = set(sys.modules)
    view = check("logistic_regression.gradients")
    assert isinstance(view, CheckView)
    assert {t.function for t in view.result.tests} == {"logistic_regression.gradients"}
    assert view.all_passed and view.result.output == ""
    assert "All public tests of logistic_regression.gradients passed" in str(view)
    html = view._repr_html_()
    assert "<table" in html and html.count("✓") == len(view.result.tests)
    assert "python -m autograder check . --function logistic_regression.gradients" in html
    # the student's modules were run in the sandbox, never imported here
    assert not {m for m in set(sys.modules) - before if m.split(".")[0] in MODULES}


def test_check_all_passes_on_the_solutions_and_counts_every_public_test(tmp_path):
    view = check(path=write_modules(tmp_path, SOLUTIONS))
    assert view.all_passed
    assert {t.function for t in view.result.tests} == set(public_functions())
    assert view.result.score == view.result.max_score > 0
    assert f"All public tests of your work passed ({view.result.max_score:g}/{view.result.max_score:g} points)" \
        in str(view)


def test_a_planted_bug_shows_expected_got_and_the_likely_bug(tmp_path):
    folder = write_modules(tmp_path, SOLUTIONS, ("logistic_regression", "return theta - lr * grads",
                                                 "return theta + lr * grads"))
    view = check("logistic_regression.step", path=folder)
    assert not view.all_passed
    [failure] = view.failures["logistic_regression.step"]
    assert failure.expected and failure.got and failure.expected != failure.got
    assert "opposite" in failure.likely_bug
    html = view._repr_html_()
    assert "✗ FAIL" in html and failure.likely_bug.split(":")[0] in html
    text = str(view)
    assert "expected: " in text and "got: " in text and "likely bug: " in text


def test_the_blank_skeleton_shows_not_implemented_rows_in_both_languages(tmp_path):
    folder = write_modules(tmp_path, ASSIGNMENT)
    english = check("logistic_regression.logistic", path=folder, lang="en")
    rows = len(english.result.tests)
    assert rows == 2 and english._repr_html_().count("… not implemented yet") == rows
    korean = check("logistic_regression.logistic", path=folder, lang="ko")
    assert korean._repr_html_().count("… 아직 구현되지 않음") == rows
    assert "공개 테스트" in str(korean) and "public tests" not in str(korean)


def test_only_the_selected_modules_missing_files_are_noted(tmp_path):
    (tmp_path / "logistic_regression.py").write_text(
        strip_markers((SOLUTIONS / "logistic_regression.py").read_text(encoding="utf-8"), "m"), encoding="utf-8")
    view = check("logistic_regression.loss", path=tmp_path)
    assert view.all_passed and view.result.output == ""
    view = check("optimizers.SGD", path=tmp_path)
    assert view.result.output == "not submitted: optimizers.py"


def test_a_bad_call_is_one_shown_line_never_a_traceback(tmp_path, monkeypatch):
    empty = check("gradients", path=tmp_path)
    assert isinstance(empty, CheckError) and "more than one module" in repr(empty)
    nothing = check("optimizers.Adam", path=tmp_path)
    assert isinstance(nothing, CheckError) and "run the %%writefile cells of Part 1 first" in repr(nothing)
    monkeypatch.setenv("AUTOGRADER_LANG", "fr")
    bad = check(path=tmp_path)
    assert isinstance(bad, CheckError) and "AUTOGRADER_LANG=&#x27;fr&#x27; is not a language" in bad._repr_html_()


def test_importing_the_package_stays_light():
    code = "import sys, autograder; from autograder import check; print(sorted({'numpy', 'pytest'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(KIT_ROOT), "PATH": ""}, check=True).stdout
    assert out.strip() == "[]"


def test_korean_check_from_a_terminal_prints_korean(tmp_path):
    folder = write_modules(tmp_path / "work", SOLUTIONS, ("optimizers", "m_hat = self.m[key] / (1 - self.beta1 ** self.t[key])", "m_hat = self.m[key]"))
    result = run_check(folder, "--function", "Adam", env={"AUTOGRADER_LANG": "ko"})
    assert result.returncode == 1, result.stderr
    assert "실패 optimizers.Adam" in result.stdout
    assert "공개 테스트 2개 중 1개 통과" in result.stdout
    assert "비공개 테스트는 채점할 때 실행됩니다" in result.stdout
    flag = run_check(folder, "--function", "optimizers.SGD", "--lang", "ko", env={"AUTOGRADER_LANG": "en"})
    assert flag.returncode == 0 and "통과 optimizers.SGD" in flag.stdout


def test_a_bad_language_or_name_is_one_line_and_exit_2(tmp_path):
    folder = write_modules(tmp_path, SOLUTIONS)
    for args, env, words in [((folder,), {"AUTOGRADER_LANG": "fr"}, "AUTOGRADER_LANG='fr' is not a language"),
                             ((folder, "--function", "step"), {}, "'step' is in more than one module"),
                             ((folder, "--function", "nope"), {}, "no public test checks 'nope'")]:
        result = run_check(*args, env=env)
        assert result.returncode == 2, result
        assert result.stderr.startswith("error: ") and words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_check_in_the_notebook_reads_the_files_not_a_saved_notebook(tmp_path):
    """A saved assignment.ipynb beside the modules may be older than what its cells wrote."""
    folder = write_modules(tmp_path, SOLUTIONS)
    shutil.copyfile(ASSIGNMENT / "assignment.ipynb", folder / "assignment.ipynb")  # the blank notebook
    assert check("logistic_regression.logistic", path=folder).all_passed


def test_every_message_has_every_language_with_the_same_fields():
    import string

    from autograder.i18n import LANGUAGES

    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), f"{key}: missing {set(LANGUAGES) - set(texts)}"
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(t) if f} for lang, t in texts.items()}
        assert len({frozenset(f) for f in fields.values()}) == 1, (key, fields)
        assert all(t.strip() for t in texts.values()), key

