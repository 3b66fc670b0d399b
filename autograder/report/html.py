"""The class report: one self-contained HTML page for the course staff.

Sections: class summary (count, mean, median, min, max, in points and in percent of the
maximum), a histogram of the scores, the pass rate of every test (bar chart and table), the
most common failure messages, the leaderboard (when the submissions have one) and a table of
every submission.

Self-contained: the style sheet is inline and the charts are PNGs drawn by matplotlib's Agg
backend and embedded as ``data:image/png;base64`` URIs, so the page opens offline, from an
e-mail attachment or an LMS, and references no external URL. It has no JavaScript.

Every string a submission can influence (its name, its messages) goes through
:func:`autograder.report.escape.clean_text` and then ``html.escape``.

Failure messages are grouped after replacing every number by ``#``, so "max error 0.031" and
"max error 2.5" count as one message; the table shows the first one seen and says when the
numbers vary.

The page is deterministic: the same results give the same bytes (no time stamp).
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from autograder.grading.results import SubmissionResult
from autograder.report.atomic import write_text_atomic
from autograder.report.escape import clean_text, one_line

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HISTOGRAM_COLOR = "#3b6fb6"
PASS_COLOR = "#3f9652"
FAIL_COLOR = "#e4e7eb"
TOP_FAILURES = 20
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1f2328; background: #ffffff; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d0d7de; }
p.lead { color: #57606a; margin: 0 0 12px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 0.92em; }
th, td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
tbody tr:nth-child(even) { background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; width: 1%; }
td.name { overflow-wrap: anywhere; max-width: 460px; }
table.wide { width: 100%; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; font-size: 0.92em;
      font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
figure { margin: 8px 0 16px; }
figure img { max-width: 100%; height: auto; border: 1px solid #e5e8eb; }
figcaption { color: #57606a; font-size: 0.9em; }
.summary { display: flex; gap: 28px; align-items: flex-start; flex-wrap: wrap; }
.bar { display: inline-block; height: 10px; background: #3f9652; vertical-align: middle; }
.low { color: #b42318; font-weight: 600; }
.muted { color: #57606a; }
.small { font-size: 0.88em; }
"""


@dataclass
class _TestStats:
    function: str
    visibility: str
    max_score: float
    passed: int = 0
    total: int = 0


@dataclass
class _FailureGroup:
    example: str
    count: int = 0
    tests: Counter = field(default_factory=Counter)
    varied: bool = False


@dataclass
class _Row:
    name: str
    score: float
    max_score: float
    passed: int
    tests: int
    modules: dict[str, tuple[float, float]]  # {module: (score, max_score)}
    below: list[str]  # functions below full marks
    leaderboard: dict


@dataclass
class _Summary:
    """What the page needs from the results, gathered in one pass (no result is kept)."""

    rows: list[_Row] = field(default_factory=list)
    tests: dict[str, _TestStats] = field(default_factory=dict)
    failures: dict[str, _FailureGroup] = field(default_factory=dict)
    board_orders: dict[str, str] = field(default_factory=dict)
    modules: dict[str, None] = field(default_factory=dict)  # an ordered set

    def add(self, result: SubmissionResult) -> None:
        for test in result.tests:
            stats = self.tests.setdefault(test.name, _TestStats(test.function, test.visibility, test.max_score))
            stats.total += 1
            stats.passed += test.passed
            if not test.passed:
                self._add_failure(test.name, test.output)
        for entry in result.leaderboard:
            self.board_orders.setdefault(str(entry.get("name", "")), entry.get("order", "desc"))
        by_function = result.by_function()
        modules: dict[str, tuple[float, float]] = {}
        for function, (score, max_score) in by_function.items():
            module = function.split(".", 1)[0]
            old_score, old_max = modules.get(module, (0.0, 0.0))
            modules[module] = (old_score + score, old_max + max_score)
            self.modules.setdefault(module)
        self.rows.append(_Row(
            name=one_line(result.name, max_chars=200), score=result.score, max_score=result.max_score,
            passed=sum(t.passed for t in result.tests), tests=len(result.tests), modules=modules,
            below=[f for f, (s, m) in by_function.items() if s < m],
            leaderboard={str(e.get("name", "")): e.get("value") for e in result.leaderboard},
        ))

    def _add_failure(self, test_name: str, message: str) -> None:
        text = clean_text(message, max_chars=600).strip() or "(no message)"
        key = _NUMBER.sub("#", " ".join(text.split()))
        group = self.failures.get(key)
        if group is None:
            group = self.failures[key] = _FailureGroup(example=text)
        elif text != group.example:
            group.varied = True
        group.count += 1
        group.tests[test_name] += 1


def _png(fig: Figure) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    # No "Software" text chunk: smaller, and the bytes do not depend on matplotlib's version string.
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _label(text: str, max_chars: int = 60) -> str:
    # A "$" would switch matplotlib to mathtext; untrusted or not, labels are shown literally.
    return one_line(text, max_chars=max_chars).replace("$", r"\$")


def histogram_png(percents: list[float]) -> str:
    """A histogram of scores in percent (10 bins of 10 points), as a data URI."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(6.4, 3.0), dpi=100, layout="constrained")
    ax = fig.subplots()
    # Clipped so that bonus points (over 100%) fall in the top bin instead of off the chart.
    ax.hist(np.clip(percents, 0, 100), bins=10, range=(0, 100), color=HISTOGRAM_COLOR, edgecolor="white", linewidth=1.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("score (% of the maximum)")
    ax.set_ylabel("submissions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def pass_rate_png(names: list[str], rates: list[float]) -> str:
    """Horizontal bars: the share of submissions passing each test, as a data URI."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    fig = Figure(figsize=(9.6, 0.8 + 0.26 * len(names)), dpi=100, layout="constrained")
    ax = fig.subplots()
    positions = list(range(len(names)))
    percents = [100.0 * r for r in rates]
    ax.barh(positions, [100.0] * len(names), color=FAIL_COLOR, height=0.72)
    bars = ax.barh(positions, percents, color=PASS_COLOR, height=0.72)
    ax.bar_label(bars, labels=[f"{p:.0f}%" for p in percents], padding=3, fontsize=7.5)
    ax.set_yticks(positions, [_label(n, 72) for n in names], fontsize=8)
    ax.set_ylim(len(names) - 0.5, -0.5)  # first test on top, no empty margin
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.tick_params(axis="x", labeltop=True, top=True, labelsize=8)
    ax.set_xlabel("submissions passing the test")
    ax.spines[["right"]].set_visible(False)
    return _png(fig)


def _h(text: object, max_chars: int = 200) -> str:
    return html.escape(one_line(str(text), max_chars=max_chars))


def _num(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


def _percent(score: float, max_score: float) -> float | None:
    return 100.0 * score / max_score if max_score > 0 else None


def _table(head: list[tuple[str, bool]], rows: list[list[tuple[str, bool]]], css: str = "") -> str:
    """``head``/``rows`` cells are (already escaped HTML, is it a number)."""
    out = [f'<table class="{css}">' if css else "<table>", "<thead><tr>"]
    out += [f'<th class="num">{h}</th>' if num else f"<th>{h}</th>" for h, num in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="num">{c}</td>' if num else f'<td class="name">{c}</td>'
                                    for c, num in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _summary_section(summary: _Summary) -> str:
    rows = summary.rows
    scores = [r.score for r in rows]
    percents = [p for r in rows if (p := _percent(r.score, r.max_score)) is not None]
    maxima = Counter(r.max_score for r in rows)
    stats = [("Submissions", str(len(rows)), "")]
    if rows:
        stats.append(("Maximum score", f"{maxima.most_common(1)[0][0]:g} points", ""))
        for label, fn in (("Mean", statistics.fmean), ("Median", statistics.median), ("Min", min), ("Max", max)):
            pct = _num(fn(percents), 1) + "%" if percents else "–"
            stats.append((label, _num(fn(scores)), pct))
    table = _table([("", False), ("points", True), ("%", True)],
                   [[(html.escape(a), False), (html.escape(b), True), (html.escape(c), True)] for a, b, c in stats])
    parts = ['<section id="summary"><h2>Class summary</h2><div class="summary">', table]
    if percents and len(rows) > 1:  # one submission's "histogram" says no more than its score
        excluded = len(rows) - len(percents)
        note = f" {excluded} submission(s) with no graded test are left out." if excluded else ""
        parts.append(f'<figure><img src="{histogram_png(percents)}" width="640" '
                     f'alt="Histogram of the scores in percent of the maximum">'
                     f"<figcaption>Scores in percent of the maximum, 10-point bins.{note}</figcaption></figure>")
    parts.append("</div></section>")
    return "".join(parts)


def _tests_section(summary: _Summary) -> str:
    if not summary.tests:
        return '<section id="tests"><h2>Pass rate per test</h2><p class="muted">No tests were run.</p></section>'
    names = list(summary.tests)
    rates = [s.passed / s.total for s in summary.tests.values()]
    rows = []
    for name, rate in zip(names, rates, strict=True):
        s = summary.tests[name]
        low = ' class="low"' if rate < 0.5 else ""
        rows.append([(_h(name, 300), False), (_h(s.visibility), False), (f"{s.max_score:g}", True),
                     (f"{s.passed} / {s.total}", True),
                     (f'<span{low}>{100 * rate:.0f}%</span> <span class="bar" style="width:{60 * rate:.0f}px"></span>',
                      True)])
    table = _table([("Test", False), ("Visibility", False), ("Points", True), ("Passed", True),
                    ("Pass rate", True)], rows, "wide")
    # For one submission every rate is 0 or 100 %, which the table says: the chart (1 s of
    # matplotlib for the suite's 60-odd labels) is drawn for a class only.
    img = (f'<figure><img src="{pass_rate_png(names, rates)}" width="960" '
           f'alt="Bar chart of the pass rate of every test"></figure>' if len(summary.rows) > 1 else "")
    return f'<section id="tests"><h2>Pass rate per test</h2>{img}{table}</section>'


def _brief(text: str, lines: int = 6, max_chars: int = 400) -> str:
    """The first lines of a message: enough to recognise it in a table of many."""
    kept = text.splitlines()[:lines]
    short = "\n".join(kept)[:max_chars]
    return short if short == text else short.rstrip() + "\n…"


def _failures_section(summary: _Summary) -> str:
    head = '<section id="failures"><h2>Most common failure messages</h2>'
    if not summary.failures:
        return head + '<p class="muted">No test failed.</p></section>'
    groups = sorted(summary.failures.values(), key=lambda g: -g.count)[:TOP_FAILURES]
    rows = []
    for group in groups:
        tests = [f"{_h(name, 120)} ({n})" for name, n in group.tests.most_common(3)]
        if len(group.tests) > 3:
            tests.append(f"and {len(group.tests) - 3} more")
        message = f"<pre>{html.escape(_brief(group.example))}</pre>"
        if group.varied:
            message += '<span class="muted">(numbers vary between submissions)</span>'
        rows.append([(str(group.count), True), (message, False), ("<br>".join(tests), False)])
    shown = f"the {len(groups)} most common of {len(summary.failures)}" if len(summary.failures) > len(groups) \
        else f"all {len(summary.failures)}"
    return (head + f'<p class="lead">Failed tests grouped by message ({shown}).</p>'
            + _table([("Count", True), ("Message", False), ("Tests (count)", False)], rows, "wide") + "</section>")


def _sort_key(value: object, order: str) -> tuple:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
        return (0, value if order == "asc" else -value)
    return (1, 0)


def _leaderboard_section(summary: _Summary) -> str:
    if not summary.board_orders:
        return ""
    names = list(summary.board_orders)
    first, order = names[0], summary.board_orders[names[0]]
    ranked = sorted(summary.rows, key=lambda r: _sort_key(r.leaderboard.get(first), order))
    rows = []
    for rank, row in enumerate(ranked, start=1):
        cells = [(str(rank), True), (_h(row.name), False)]
        for name in names:
            value = row.leaderboard.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append((f"{value:.6g}", True))
            else:
                cells.append(("–" if value is None else _h(value, 60), True))
        rows.append(cells)
    direction = "lowest" if order == "asc" else "highest"
    head = [("Rank", True), ("Submission", False)] + [(_h(n, 60), True) for n in names]
    return (f'<section id="leaderboard"><h2>Leaderboard</h2><p class="lead">Ranked by {_h(first, 60)}, '
            f"{direction} first.</p>{_table(head, rows)}</section>")


def _below_full_marks(functions: list[str]) -> str:
    """``a.f, a.g, b.h`` as ``a: f, g`` and ``b: h`` on two lines (escaped), shorter in a long table."""
    grouped: dict[str, list[str]] = {}
    for function in functions:
        module, _, name = function.partition(".")
        grouped.setdefault(module, []).append(name or module)
    return "<br>".join(f"<b>{_h(m, 80)}</b>: " + ", ".join(_h(n, 80) for n in names) for m, names in grouped.items())


def _submissions_section(summary: _Summary) -> str:
    modules = list(summary.modules)
    rows = []
    for row in summary.rows:
        pct = _percent(row.score, row.max_score)
        cells = [(_h(row.name), False), (f"{row.score:g} / {row.max_score:g}", True),
                 ("–" if pct is None else f"{pct:.1f}%", True), (f"{row.passed} / {row.tests}", True)]
        for module in modules:
            score, max_score = row.modules.get(module, (None, None))
            cells.append(("–" if score is None else f"{round(score, 6):g} / {round(max_score, 6):g}", True))
        below = _below_full_marks(row.below) if row.below else '<span class="muted">none</span>'
        cells.append((f'<span class="small">{below}</span>', False))
        rows.append(cells)
    head = [("Submission", False), ("Score", True), ("%", True), ("Tests passed", True)]
    # <wbr> lets a long module name (logistic_regression) wrap in a narrow column head.
    head += [(_h(m, 60).replace("_", "_<wbr>"), True) for m in modules] + [("Functions below full marks", False)]
    return f'<section id="submissions"><h2>Submissions</h2>{_table(head, rows, "wide")}</section>'


def render_report(results: Iterable[SubmissionResult], title: str = "Grading report") -> str:
    """The report page for ``results`` as an HTML string (see the module docstring)."""
    summary = _Summary()
    for result in results:
        summary.add(result)
    n = len(summary.rows)
    body = [f"<h1>{_h(title)}</h1>",
            f'<p class="lead">{n} submission{"" if n == 1 else "s"}, {len(summary.tests)} tests.</p>']
    if n:
        body += [_summary_section(summary), _tests_section(summary), _failures_section(summary),
                 _leaderboard_section(summary), _submissions_section(summary)]
    else:
        body.append('<p class="muted">No submissions.</p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_h(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(part for part in body if part) + "\n</main>\n</body>\n</html>\n")


def write_report(results: Iterable[SubmissionResult], path: str | os.PathLike,
                 title: str = "Grading report") -> None:
    """Write the class report for ``results`` to ``path`` (UTF-8 HTML), atomically."""
    write_text_atomic(path, render_report(results, title=title))
