"""The kit's messages for students, in every language it speaks.

Each message key has one text per language in :data:`MESSAGES`; a test fails when one is
missing. The language is chosen by a command's ``--lang`` flag, else ``AUTOGRADER_LANG``,
else English. Texts are ``str.format`` templates: a translation uses the same fields.
"""

from __future__ import annotations

import os

from autograder.errors import UserError

LANGUAGES = ("en", "ko")
DEFAULT = "en"
ENVIRONMENT = "AUTOGRADER_LANG"

MESSAGES: dict[str, dict[str, str]] = {
    # check: the framing of its output
    "check.note": {"en": "note: {note}", "ko": "참고: {note}"},
    "check.ok": {"en": "ok", "ko": "통과"},
    "check.fail": {"en": "FAIL", "ko": "실패"},
    "check.missing": {"en": "not implemented yet", "ko": "아직 구현되지 않음"},
    "check.function": {"en": "function", "ko": "함수"},
    "check.test": {"en": "test", "ko": "테스트"},
    "check.result": {"en": "result", "ko": "결과"},
    "check.expected": {"en": "expected", "ko": "기대값"},
    "check.got": {"en": "got", "ko": "실제값"},
    "check.likely_bug": {"en": "likely bug", "ko": "예상되는 실수"},
    "check.details": {"en": "details", "ko": "자세히"},
    "check.summary": {"en": "{passed}/{total} public tests passed ({score:g}/{max_score:g} points).",
                      "ko": "공개 테스트 {total}개 중 {passed}개 통과 ({max_score:g}점 중 {score:g}점)."},
    "check.all_passed": {"en": "All public tests of {what} passed.",
                         "ko": "{what}의 공개 테스트를 모두 통과했습니다."},
    "check.everything": {"en": "your work", "ko": "제출물"},
    "check.public_only": {"en": "These are the public tests only; hidden tests run when your work is graded.",
                          "ko": "공개 테스트만 실행했습니다. 비공개 테스트는 채점할 때 실행됩니다."},
    "check.hint_missing": {
        "en": "Write the function in its %%writefile cell (in place of the TODO and the raise), run that cell "
              "and the cells of its module after it, then run this cell again.",
        "ko": "%%writefile 셀의 TODO와 raise 두 줄 대신 함수를 작성하고, 그 셀과 같은 모듈의 뒤 셀들을 실행한 뒤 "
              "이 셀을 다시 실행하세요."},
    "check.terminal": {"en": "From a terminal: python -m autograder check{args}",
                       "ko": "터미널에서는: python -m autograder check{args}"},
    # check(): choosing what to check
    "check.unknown": {"en": "no public test checks {name!r}; choose one of: {choices}",
                      "ko": "{name!r}을(를) 검사하는 공개 테스트가 없습니다. 다음 중에서 고르세요: {choices}"},
    "check.ambiguous": {
        "en": "{name!r} is in more than one module; name the module too: {choices}",
        "ko": "{name!r}은(는) 여러 모듈에 있습니다. 모듈 이름도 함께 쓰세요: {choices}"},
    "check.no_modules": {
        "en": "found none of {modules} in {folder}; run the %%writefile cells of Part 1 first (check reads "
              "the files they write in the notebook's folder)",
        "ko": "{folder}에 {modules} 중 어느 파일도 없습니다. 먼저 1부의 %%writefile 셀을 실행하세요 (check는 "
              "그 셀들이 노트북 폴더에 쓴 파일을 읽습니다)"},
    # sweep: the framing of its summary
    "sweep.best": {"en": "best by validation loss: {config}", "ko": "검증 손실이 가장 낮은 설정: {config}"},
    "sweep.none": {"en": "no configuration finished without diverging",
                   "ko": "발산하지 않고 끝난 설정이 없습니다"},
    "sweep.test": {"en": "evaluated once on the test split, beside scikit-learn:",
                   "ko": "테스트 데이터에서 한 번 평가 (scikit-learn과 비교):"},
    "sweep.written": {"en": "written:", "ko": "저장한 파일:"},
}


def language(flag: str | None = None) -> str:
    """The language to speak: ``flag`` if given, else ``AUTOGRADER_LANG``, else English.

    Raises
    ------
    UserError
        For a language the kit has no texts in.
    """
    if flag is not None:
        chosen, origin = flag, "--lang"
    else:
        chosen, origin = os.environ.get(ENVIRONMENT, "").strip() or DEFAULT, ENVIRONMENT
    chosen = chosen.strip().lower()
    if chosen not in LANGUAGES:
        raise UserError(f"{origin}={chosen!r} is not a language of this kit; choose one of: {', '.join(LANGUAGES)}")
    return chosen


def text(key: str, lang: str, **fields: object) -> str:
    """The message ``key`` in ``lang`` (see `language`), its fields filled in."""
    return MESSAGES[key][lang].format(**fields)
