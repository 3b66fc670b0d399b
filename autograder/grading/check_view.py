"""What ``check`` shows: one result, as text for a terminal or as an HTML table for a notebook.

Both renderers read the same :class:`CheckView`: per function its score, and per failed test
the reason split into what the comparison says (``expected:``, ``got:``, ``Likely bug:``
lines, see `grading.compare`) and the rest. The framing (headers, status words, summary,
hints) comes from `autograder.i18n` in the chosen language; the diagnoses themselves are the
graders' text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from autograder.grading.results import SubmissionResult, TestResult
from autograder.i18n import text

NOT_IMPLEMENTED = "is not implemented yet"


@dataclass(frozen=True)
class Failure:
    """A failed test's reason, cut into the parts a table shows in columns."""

    test: str  # what the test checks: "matches the reference on a small fixed X"
    missing: bool  # the function still raises NotImplementedError
    detail: str  # the reason without the parts below
    expected: str = ""
    got: str = ""
    likely_bug: str = ""


@dataclass
class CheckView:
    """A check's result, ready to show; ``lang`` is a language of `autograder.i18n`."""

    result: SubmissionResult
    lang: str = "en"
    selection: str = ""  # what was asked for: "logistic_regression.gradients", "" for everything
    terminal_args: str = ""  # the same check as a command's arguments, shown under the table
    failures: dict[str, list[Failure]] = field(init=False)

    def __post_init__(self) -> None:
        self.failures = {}
        for test in self.result.tests:
            if not test.passed:
                self.failures.setdefault(test.function, []).append(split_reason(test))

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.result.tests)

    @property
    def all_passed(self) -> bool:
        return self.passed == len(self.result.tests) and bool(self.result.tests)

    def __str__(self) -> str:
        return render_text(self)

    def __repr__(self) -> str:
        return render_text(self)

    def _repr_html_(self) -> str:
        return render_html(self)


def split_reason(test: TestResult) -> Failure:
    """Cut a failed test's output into its detail, expected, got and likely-bug parts."""
    title = test.name.split(": ", 1)[-1]
    reason = test.output.removeprefix(test.function).lstrip(": ")
    if NOT_IMPLEMENTED in reason:
        return Failure(title, True, reason)
    parts = {"expected": "", "got": "", "likely_bug": ""}
    rest: list[str] = []
    for line in reason.splitlines():
        stripped = line.strip()
        for key, label in (("expected", "expected:"), ("got", "got:"), ("likely_bug", "Likely bug:")):
            if stripped.startswith(label) and not parts[key]:
                parts[key] = stripped[len(label):].strip()
                break
        else:
            rest.append(stripped)
    return Failure(title, False, "\n".join(line for line in rest if line), **parts)


def render_text(view: CheckView) -> str:
    """The result as lines for a terminal: a line per function, the reasons under a failed one."""
    lang, result = view.lang, view.result
    lines = [text("check.note", lang, note=result.output), ""] if result.output else []
    ok, fail = text("check.ok", lang), text("check.fail", lang)
    width = max(len(ok), len(fail))
    for function, (score, max_score) in result.by_function().items():
        mark = ok if score >= max_score else fail
        lines.append(f"{mark:<{width}} {function:<36} {score:g}/{max_score:g}")
        for failure in view.failures.get(function, []):
            lines.append(f"{'':{width}}   - {failure.test}")
            if failure.missing:
                lines.append(f"{'':{width}}     {text('check.missing', lang)}")
                continue
            for label, value in (("", failure.detail), ("check.expected", failure.expected),
                                 ("check.got", failure.got), ("check.likely_bug", failure.likely_bug)):
                if value:
                    prefix = f"{text(label, lang)}: " if label else ""
                    for i, line in enumerate(value.splitlines()):
                        lines.append(f"{'':{width}}     {prefix if i == 0 else ''}{line}")
    lines += ["", _summary(view)]
    if any(f.missing for failures in view.failures.values() for f in failures):
        lines.append(text("check.hint_missing", lang))
    lines.append(text("check.public_only", lang))
    return "\n".join(lines)


def render_html(view: CheckView) -> str:
    """The result as a compact, self-contained HTML table (a notebook cell's output)."""
    lang, result = view.lang, view.result
    t = lambda key, **f: escape(text(key, lang, **f))  # noqa: E731
    rows = []
    for test in result.tests:
        title = escape(test.name.split(": ", 1)[-1])
        if test.passed:
            status = f'<td style="color:#1a7f37;font-weight:bold">✓ {t("check.ok")}</td>'
            rows.append(f"<tr><td><code>{escape(test.function)}</code></td><td>{title}</td>{status}"
                        "<td></td><td></td><td></td></tr>")
            continue
        failure = split_reason(test)
        if failure.missing:
            status = f'<td style="color:#9a6700;font-weight:bold">… {t("check.missing")}</td>'
            cells = '<td colspan="3"></td>'
        else:
            status = f'<td style="color:#cf222e;font-weight:bold">✗ {t("check.fail")}</td>'
            detail = f"<br><small>{_pre(failure.detail)}</small>" if failure.detail else ""
            cells = (f"<td><code>{_pre(failure.expected)}</code></td><td><code>{_pre(failure.got)}</code></td>"
                     f"<td>{_pre(failure.likely_bug)}{detail}</td>")
        rows.append(f"<tr><td><code>{escape(test.function)}</code></td><td>{title}</td>{status}{cells}</tr>")
    head = "".join(f'<th style="text-align:left">{t(k)}</th>' for k in
                   ("check.function", "check.test", "check.result", "check.expected", "check.got",
                    "check.likely_bug"))
    note = f"<p>{t('check.note', note=result.output)}</p>" if result.output else ""
    hints = [_summary(view)]
    if any(f.missing for failures in view.failures.values() for f in failures):
        hints.append(text("check.hint_missing", lang))
    hints.append(text("check.public_only", lang))
    if view.terminal_args is not None:
        hints.append(text("check.terminal", lang, args=view.terminal_args))
    footer = "<br>".join(escape(h) for h in hints)
    return (f'<div class="autograder-check">{note}<table style="border-collapse:collapse;font-size:0.9em">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f'<p style="font-size:0.9em">{footer}</p></div>')


def _pre(value: str) -> str:
    return escape(value).replace("\n", "<br>")


def _summary(view: CheckView) -> str:
    result, lang = view.result, view.lang
    if view.all_passed:
        what = view.selection or text("check.everything", lang)
        return text("check.all_passed", lang, what=what, score=result.score, max_score=result.max_score)
    return text("check.summary", lang, passed=view.passed, total=len(result.tests), score=result.score,
                max_score=result.max_score)
