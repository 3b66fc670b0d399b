"""The student's feedback for one submission, as Markdown.

Layout: the total, the submission-wide notes, a table of score per function, then every test
that lost points with its name and message, then the leaderboard values if any. A module whose
tests all failed with one message (a syntax error, a missing file) is one line, not one entry
per test. A submission that could not be read at all (status ``unreadable`` or ``empty``) gets
a few lines: what was found, what is expected.

Hidden tests: their name, score and message are shown. The message is feedback on the
student's own code ("gradients has shape (3, 1), expected (3,)"), and withholding it would
leave a lost point unexplained. What stays hidden is each hidden test's inputs and expected
values: ``TestResult`` does not carry them, and the grading tests must not put them into their
messages. Each such test is marked "hidden test" so the student knows it is not one of the
public tests they can run with ``python -m autograder check``.

Untrusted text is cleaned (:func:`autograder.report.escape.clean_text`), then put in a fenced
code block longer than any run of backticks it holds (messages), or backslash-escaped
(names in tables and headings), so it can neither break the layout nor inject HTML.
"""

from __future__ import annotations

import os
import re

from autograder.grading.results import SubmissionResult, TestResult
from autograder.report.atomic import write_text_atomic
from autograder.report.escape import clean_text, one_line

# Characters that mean something inline in CommonMark/GitHub Markdown (code, emphasis, links,
# raw HTML, table cells, strike-through, entities). CommonMark lets any ASCII punctuation be
# backslash-escaped, so escaping these keeps the text literal.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&!#])")


def md_inline(text: str | bytes | None, max_chars: int = 200) -> str:
    """Untrusted text as literal inline Markdown: one line, cleaned, specials escaped.

    ``://`` and ``www.`` are escaped too, so GitHub-flavoured renderers do not turn a bare URL
    in a submission's name into a link.
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line(text, max_chars=max_chars))
    return escaped.replace("://", r":\/\/").replace("www.", r"www\.")


def md_block(text: str | bytes | None) -> str:
    """Untrusted text as a fenced code block that nothing inside can close early."""
    body = clean_text(text).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


def _points(value: float) -> str:
    return f"{value:g}"


EXPECTED = ("a folder holding logistic_regression.py, linear_regression.py and optimizers.py, "
            "or assignment.ipynb with the %%writefile cells that write them, or a .zip of either")


def _render_unreadable(result: SubmissionResult) -> str:
    return "\n".join([
        f"# Feedback: {md_inline(result.name)}", "",
        f"**Not graded: {result.status}. Total: 0 / {_points(result.max_score)} points**", "",
        "What was found:", "", md_block(result.output or result.reason), "",
        f"What was expected: {EXPECTED}.", "",
        "Run `python -m autograder check` on your submission before you hand it in.", ""])


def _message(test: TestResult) -> str:
    """The test's message without the ``function:`` prefix the runner puts on a load error."""
    return test.output.removeprefix(test.function).lstrip(": ").strip()


def _same_cause_modules(result: SubmissionResult) -> dict[str, tuple[list[TestResult], str]]:
    """``{module: (its tests, the one message)}`` for modules whose every test failed alike."""
    by_module: dict[str, list[TestResult]] = {}
    for test in result.tests:
        by_module.setdefault(test.function.split(".", 1)[0], []).append(test)
    same = {}
    for module, tests in by_module.items():
        messages = {_message(t) for t in tests}
        if len(tests) > 1 and not any(t.score for t in tests) and len(messages) == 1 and messages != {""}:
            same[module] = (tests, messages.pop())
    return same


def render_feedback(result: SubmissionResult) -> str:
    """The Markdown feedback for ``result`` (see the module docstring)."""
    if result.status in ("unreadable", "empty", "interrupted", "missing"):
        return _render_unreadable(result)
    lines = [f"# Feedback: {md_inline(result.name)}", ""]
    total = f"**Total: {_points(result.score)} / {_points(result.max_score)} points"
    if result.max_score > 0:
        total += f" ({100 * result.score / result.max_score:.1f}%)"
    lines += [total + "**", ""]
    if result.output.strip():
        lines += ["## Notes on the whole submission", "", md_block(result.output), ""]

    if result.tests:
        lines += ["## Score per function", "", "| Function | Score | Max |", "|---|---:|---:|"]
        for function, (score, max_score) in result.by_function().items():
            mark = "" if score >= max_score else " ✗"
            lines.append(f"| {md_inline(function)}{mark} | {_points(round(score, 6))} | "
                         f"{_points(round(max_score, 6))} |")
        lines.append("")
    else:
        lines += ["No test could be run on this submission.", ""]

    failed = [t for t in result.tests if not t.passed]
    same = _same_cause_modules(result)
    if failed:
        lines += [f"## What to fix ({len(failed)} of {len(result.tests)} tests lost points)", ""]
        for module, (tests, message) in same.items():
            lost = sum(t.max_score for t in tests)
            lines += [f"### {md_inline(module)}: all {len(tests)} tests ({_points(lost)} points)", "",
                      md_block(message), ""]
        for test in (t for t in failed if t.function.split(".", 1)[0] not in same):
            tag = "" if test.visibility == "visible" else f", {test.visibility.replace('_', ' ')} test"
            lines += [f"### {md_inline(test.name, max_chars=300)}", "",
                      f"{_points(test.score)} / {_points(test.max_score)} points{tag}", ""]
            lines += [md_block(test.output) if test.output.strip() else "(no message)", ""]
    elif result.tests:
        lines += [f"All {len(result.tests)} tests passed, public and hidden.", ""]

    if result.leaderboard:
        lines += ["## Leaderboard values", "", "| Name | Value |", "|---|---:|"]
        for entry in result.leaderboard:
            value = entry.get("value")
            if value is None:
                shown = "no value"
            elif isinstance(value, float):
                shown = f"{value:.6g}"
            else:
                shown = md_inline(str(value))
            lines.append(f"| {md_inline(str(entry.get('name', '')))} | {shown} |")
        lines.append("")
    return "\n".join(lines)


def write_feedback(result: SubmissionResult, path: str | os.PathLike) -> None:
    """Write :func:`render_feedback` of ``result`` to ``path`` (UTF-8), atomically."""
    write_text_atomic(path, render_feedback(result))
