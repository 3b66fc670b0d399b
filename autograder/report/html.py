"""The class report: one self-contained HTML page for the course staff.

Sections, in the order a TA needs them: the submissions that are not ``graded`` (status and
reason), the class summary (count, mean, median, min, max, in points and in percent, and a
histogram), every submission (a sortable table with status, reason and a link to its
``feedback.md``), the failures per function (students failing it, each counted once, and the
most frequent diagnoses), the pass rates (one row per function, its tests listed only where
one is below 100 %) and the leaderboard when there is one. What is counted, and how, is in
:mod:`autograder.report.class_stats`.

Self-contained: the style sheet and the one small script (sorting the table when a column
head is clicked) are inline, the histogram is a PNG drawn by matplotlib's Agg backend and
embedded as a ``data:image/png;base64`` URI, so the page opens offline and references no
external URL. Its only links are relative, to the feedback files beside it (``NAME/feedback.md``).
The submissions table scrolls inside the page with its head fixed, so a class of 300 stays one
screen high there.

Every string a submission can influence (its name, its messages) goes through
:func:`autograder.report.escape.clean_text` and then ``html.escape``; links are
percent-encoded. The page is deterministic: the same results give the same bytes.
"""

from __future__ import annotations

import base64
import html
import io
import os
import statistics
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

import numpy as np

from autograder.grading.results import SubmissionResult
from autograder.report.atomic import write_text_atomic
from autograder.report.class_stats import RAN, ClassStats, Row
from autograder.report.escape import one_line
from autograder.report.page_assets import CSS as _CSS
from autograder.report.page_assets import SCRIPT as _SCRIPT

HISTOGRAM_COLOR = "#3b6fb6"
TOP_DIAGNOSES = 3

def _png(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # matplotlib only where a chart is drawn

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    # No "Software" text chunk: smaller, and the bytes do not depend on matplotlib's version string.
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


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


def _h(text: object, max_chars: int = 200) -> str:
    return html.escape(one_line(str(text), max_chars=max_chars))


def _num(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


def _percent(score: float, max_score: float) -> float | None:
    return 100.0 * score / max_score if max_score > 0 else None


Cell = tuple[str, bool] | tuple[str, bool, float]  # (escaped HTML, is it a number[, sort key])


def _table(head: list[tuple[str, bool]], rows: list[list[Cell]], css: str = "") -> str:
    """``head``/``rows`` cells are (already escaped HTML, is it a number[, numeric sort key])."""
    out = [f'<table class="{css}">' if css else "<table>", "<thead><tr>"]
    out += [f'<th class="num">{h}</th>' if num else f"<th>{h}</th>" for h, num in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = []
        for cell in row:
            text, num = cell[0], cell[1]
            sort = f' data-sort="{cell[2]:.6g}"' if len(cell) > 2 else ""
            cells.append(f'<td class="{"num" if num else "name"}"{sort}>{text}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def feedback_href(name: str) -> str | None:
    """The relative link to ``NAME/feedback.md``; None for a name that is no plain folder name."""
    if not name or name.startswith(".") or "/" in name or "\\" in name:
        return None
    return quote(name, safe="") + "/feedback.md"


def _name_cell(row: Row) -> str:
    href = feedback_href(row.name)
    return f'<a href="{html.escape(href)}">{_h(row.name)}</a>' if href else _h(row.name)


def _status(status: str) -> str:
    return f'<span class="status-{html.escape(status)}">{html.escape(status)}</span>'


def _not_graded_section(stats: ClassStats) -> str:
    rows = stats.not_graded
    head = '<section id="not-graded"><h2>Not graded as handed in</h2>'
    if not rows:
        return head + '<p class="lead">Every submission was read and graded in full.</p></section>'
    counts = Counter(r.status for r in rows)
    lead = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    table = _table([("Submission", False), ("Status", False), ("Score", True), ("Reason", False)],
                   [[(_name_cell(r), False), (_status(r.status), False), (f"{r.score:g} / {r.max_score:g}", True),
                     (_h(r.reason or "–", 300), False)] for r in rows], "wide")
    return head + f'<p class="lead">{len(rows)} of {len(stats.rows)}: {lead}.</p>{table}</section>'


def _summary_section(stats: ClassStats) -> str:
    rows = stats.rows
    scores = [r.score for r in rows]
    percents = [p for r in rows if (p := _percent(r.score, r.max_score)) is not None]
    maxima = Counter(r.max_score for r in rows)
    table_rows = [("Submissions", str(len(rows)), "")]
    if rows:
        table_rows.append(("Maximum score", f"{maxima.most_common(1)[0][0]:g} points", ""))
        for label, fn in (("Mean", statistics.fmean), ("Median", statistics.median), ("Min", min), ("Max", max)):
            pct = _num(fn(percents), 1) + "%" if percents else "–"
            table_rows.append((label, _num(fn(scores)), pct))
    table = _table([("", False), ("points", True), ("%", True)],
                   [[(html.escape(a), False), (html.escape(b), True), (html.escape(c), True)]
                    for a, b, c in table_rows])
    parts = ['<section id="summary"><h2>Class summary</h2><div class="summary">', table]
    if percents and len(rows) > 1:  # one submission's "histogram" says no more than its score
        excluded = len(rows) - len(percents)
        note = f" {excluded} submission(s) with no graded test are left out." if excluded else ""
        parts.append(f'<figure><img src="{histogram_png(percents)}" width="640" '
                     f'alt="Histogram of the scores in percent of the maximum">'
                     f"<figcaption>Scores in percent of the maximum, 10-point bins.{note}</figcaption></figure>")
    parts.append("</div></section>")
    return "".join(parts)


def _below_full_marks(functions: list[str]) -> str:
    """``a.f, a.g, b.h`` as ``a: f, g`` and ``b: h`` on two lines (escaped), shorter in a long table."""
    grouped: dict[str, list[str]] = {}
    for function in functions:
        module, _, name = function.partition(".")
        grouped.setdefault(module, []).append(name or module)
    return "<br>".join(f"<b>{_h(m, 80)}</b>: " + ", ".join(_h(n, 80) for n in names) for m, names in grouped.items())


def _submissions_section(stats: ClassStats) -> str:
    modules = list(stats.modules)
    rows = []
    for row in stats.rows:
        pct = _percent(row.score, row.max_score)
        cells: list[Cell] = [(_name_cell(row), False), (_status(row.status), False),
                             (f"{row.score:g} / {row.max_score:g}", True, row.score),
                             ("–" if pct is None else f"{pct:.1f}%", True, -1 if pct is None else pct),
                             (f"{row.passed} / {row.tests}", True, row.passed)]
        for module in modules:
            score, max_score = row.modules.get(module, (None, None))
            cells.append(("–", True, -1) if score is None else
                         (f"{round(score, 6):g} / {round(max_score, 6):g}", True, score))
        if row.status not in RAN:
            below = '<span class="muted">not run</span>'
        else:
            below = _below_full_marks(row.below) if row.below else '<span class="muted">none</span>'
        if row.reason:
            below += f'<br><span class="muted">{_h(row.reason, 300)}</span>'
        cells.append((f'<span class="small">{below}</span>', False))
        rows.append(cells)
    head = [("Submission", False), ("Status", False), ("Score", True), ("%", True), ("Tests passed", True)]
    # <wbr> lets a long module name (logistic_regression) wrap in a narrow column head.
    head += [(_h(m, 60).replace("_", "_<wbr>"), True) for m in modules]
    head.append(("Functions below full marks; reason", False))
    return ('<section id="submissions"><h2>Submissions</h2><p class="lead">Click a column head to sort; '
            'a name opens that submission\'s feedback.</p>'
            f'<div class="scroll">{_table(head, rows, "wide sortable")}</div></section>')


def _failures_section(stats: ClassStats) -> str:
    head = '<section id="failures"><h2>Failures per function</h2>'
    failing = sorted((f for f in stats.functions.values() if f.failing), key=lambda f: (-f.failing, f.name))
    if not failing:
        return head + '<p class="muted">No function failed.</p></section>'
    rows = []
    for function in failing:
        diagnoses = [f'<div class="diag"><b>{n}</b><pre>{html.escape(function.examples[key])}</pre></div>'
                     for key, n in function.diagnoses.most_common(TOP_DIAGNOSES)]
        others = len(function.diagnoses) - TOP_DIAGNOSES
        if others > 0:
            diagnoses.append(f'<span class="muted">and {others} other diagnosis(es)</span>')
        loaded = function.students - function.not_loaded
        rows.append([(_h(function.name), False), (f"{function.failing} / {loaded}", True),
                     ("".join(diagnoses), False)])
    return (head + '<p class="lead">Students who lost points on each function (each counted once per function, '
            "among those whose module loaded: the others are listed at the top), "
            "with the most frequent diagnoses.</p>"
            + _table([("Function", False), ("Students", True), ("Most frequent diagnoses", False)], rows, "wide")
            + "</section>")


def _pass_rates_section(stats: ClassStats) -> str:
    head = '<section id="tests"><h2>Pass rates</h2>'
    if not stats.functions:
        return head + '<p class="muted">No tests were run.</p></section>'
    rows = []
    for function in stats.functions.values():
        rate = function.full_marks / function.students if function.students else 0.0
        low = ' class="low"' if rate < 0.5 else ""
        below = [t for t in function.tests.values() if t.passed < t.total]
        tests = f'<span class="muted">all {len(function.tests)} tests at 100%</span>'
        if below:
            items = "".join(f"<li>{_h(t.name.split(': ', 1)[-1], 200)} <span class=\"muted\">({_h(t.visibility)})"
                            f"</span>: {t.passed} / {t.total} ({100 * t.passed / t.total:.0f}%)</li>" for t in below)
            tests = (f"<details><summary>{len(below)} of {len(function.tests)} tests below 100%</summary>"
                     f"<ul>{items}</ul></details>")
        rows.append([(_h(function.name), False), (f"{function.max_score:g}", True),
                     (f"{function.full_marks} / {function.students}", True),
                     (f'<span{low}>{100 * rate:.0f}%</span> <span class="bar" style="width:{60 * rate:.0f}px"></span>',
                      True), (tests, False)])
    table = _table([("Function", False), ("Points", True), ("Full marks", True), ("Rate", True), ("Tests", False)],
                   rows, "wide")
    return head + '<p class="lead">Submissions at full marks on each function.</p>' + table + "</section>"


def _sort_key(value: object, order: str) -> tuple:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
        return (0, value if order == "asc" else -value)
    return (1, 0)


def _leaderboard_section(stats: ClassStats) -> str:
    if not stats.board_orders:
        return ""
    names = list(stats.board_orders)
    first, order = names[0], stats.board_orders[names[0]]
    ranked = sorted(stats.rows, key=lambda r: _sort_key(r.leaderboard.get(first), order))
    rows = []
    for rank, row in enumerate(ranked, start=1):
        cells: list[Cell] = [(str(rank), True), (_h(row.name), False)]
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


SECTIONS = (("not-graded", "Not graded"), ("summary", "Summary"), ("submissions", "Submissions"),
            ("failures", "Failures per function"), ("tests", "Pass rates"))


def _sandbox_section(stats: ClassStats) -> str:
    """Which sandbox graded the batch, what it guarantees, and any leak grading was allowed despite."""
    parts = []
    for record in stats.sandboxes.values():
        unsafe = (f' <strong>UNSAFE (--allow-unsafe): student code could reach {_h(", ".join(record.get("leaks", [])))}'
                  '</strong>' if record.get("unsafe") else "")
        items = "".join(f"<li>+ {_h(g)}</li>" for g in record.get("guarantees", []))
        items += "".join(f"<li>- {_h(m)}</li>" for m in record.get("missing", []))
        parts.append(f"<p>Sandbox: <strong>{_h(record.get('backend', '?'))}</strong>{unsafe}</p>"
                     f'<details><summary>what it guarantees</summary><ul class="small">{items}</ul></details>')
    return f'<section id="sandbox">{"".join(parts)}</section>' if parts else ""


def render_report(results: Iterable[SubmissionResult], title: str = "Grading report", similarity: bool = False) -> str:
    """The report page for ``results`` as an HTML string (see the module docstring); ``similarity``:
    link the similarity page beside it (``similarity.html``)."""
    stats = ClassStats()
    for result in results:
        stats.add(result)
    n = len(stats.rows)
    tests = sum(len(f.tests) for f in stats.functions.values())
    body = [f"<h1>{_h(title)}</h1>",
            f'<p class="lead">{n} submission{"" if n == 1 else "s"}, {tests} tests.</p>', _sandbox_section(stats)]
    if similarity:
        body.append('<p class="lead"><a href="similarity.html">Similarity between submissions</a>: '
                    "the pairs that may be copies, side by side.</p>")
    if n:
        links = [*SECTIONS, *((("leaderboard", "Leaderboard"),) if stats.board_orders else ())]
        body.append("<nav>" + "".join(f'<a href="#{a}">{t}</a>' for a, t in links) + "</nav>")
        body += [_not_graded_section(stats), _summary_section(stats), _submissions_section(stats),
                 _failures_section(stats), _pass_rates_section(stats), _leaderboard_section(stats)]
    else:
        body.append('<p class="muted">No submissions.</p>')
    script = f"<script>{_SCRIPT}</script>\n" if n else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_h(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(part for part in body if part) + f"\n</main>\n{script}</body>\n</html>\n")


def write_report(results: Iterable[SubmissionResult], path: str | os.PathLike,
                 title: str = "Grading report") -> None:
    """Write the class report for ``results`` to ``path`` (UTF-8 HTML), atomically; it links
    ``similarity.html`` when that page is in the same folder."""
    similarity = (Path(path).parent / "similarity.html").is_file()
    write_text_atomic(path, render_report(results, title=title, similarity=similarity))
