"""The grading's own texts (diagnoses, comparisons) in the language ``check`` speaks.

Oracle: the kit's solutions with one known bug (``tests/corpus/bugs.py``'s flipped sign in
``gradient_ij``), checked from a terminal with ``--lang ko`` and with ``AUTOGRADER_LANG=ko``:
the diagnosis is :data:`autograder.i18n.MESSAGES`'s Korean text, and its English one is absent.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from autograder.i18n import MESSAGES, speaking, text
from autograder.paths import KIT_ROOT, MODULES, SOLUTIONS
from autograder.release.skeleton import strip_markers

SIGN_BUG = ("logistic_regression", "return -(y_i - p_i) * x_ij", "return (y_i - p_i) * x_ij")


def buggy_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for module in MODULES:
        source = strip_markers((SOLUTIONS / f"{module}.py").read_text(encoding="utf-8"), module)
        if module == SIGN_BUG[0]:
            assert SIGN_BUG[1] in source
            source = source.replace(SIGN_BUG[1], SIGN_BUG[2])
        (folder / f"{module}.py").write_text(source, encoding="utf-8")
    return folder


def check(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "check", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(KIT_ROOT), **env})


def test_a_korean_check_prints_the_korean_diagnosis_by_flag_and_by_environment(tmp_path):
    folder = str(buggy_folder(tmp_path / "work"))
    korean, english = MESSAGES["diagnose.sign_error"]["ko"], MESSAGES["diagnose.sign_error"]["en"]
    for args, env in [((folder, "--function", "logistic_regression.gradient_ij", "--lang", "ko"), {"AUTOGRADER_LANG": "en"}),
                      ((folder, "--function", "logistic_regression.gradient_ij"), {"AUTOGRADER_LANG": "ko"})]:
        result = check(*args, env=env)
        assert result.returncode == 1, result.stderr
        assert korean in result.stdout, result.stdout
        assert english not in result.stdout and "sign is flipped" not in result.stdout
        assert "예상되는 실수: " in result.stdout
    plain = check(folder, "--function", "logistic_regression.gradient_ij", env={"AUTOGRADER_LANG": ""})
    assert english in plain.stdout and korean not in plain.stdout


def test_speaking_sets_the_language_for_its_block_only(monkeypatch):
    from autograder.grading import diagnose
    from autograder.i18n import language

    monkeypatch.delenv("AUTOGRADER_LANG", raising=False)
    assert diagnose.sign_error(-1.0, 1.0) == text("diagnose.sign_error", "en")
    with speaking("ko"):
        assert language() == "ko"
        assert diagnose.sign_error(-1.0, 1.0) == text("diagnose.sign_error", "ko")
    assert language() == "en" and "AUTOGRADER_LANG" not in os.environ
