"""similarity.csv and similarity.html: every pair's scores, and the most similar pairs shown.

The page is self-contained like the class report (inline style, the histogram a PNG in a
``data:`` URI, no JavaScript, no external URL): a summary, a histogram of every pair's score
with the threshold drawn on it, a table of the most similar pairs and, for each of them, the
two submissions side by side, module by module, showing the lines each student wrote (beside
the skeleton) and marking the lines both share. Every text a submission influences (names,
code) goes through :func:`autograder.report.escape.clean_text` and ``html.escape``.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from autograder.paths import MODULES
from autograder.report.atomic import atomic_open, write_text_atomic
from autograder.report.escape import clean_text, csv_cell, one_line
from autograder.similarity.fingerprints import Fingerprints, Pair, matched_lines

HISTOGRAM_COLOR = "#5f3dc4"
MAX_SHOWN = 100  # flagged pairs shown side by side at most (all of them are in the CSV)
THRESHOLD_COLOR = "#e8590c"
CSV_COLUMNS = ["a", "b", "similarity_a", "similarity_b", "score", "shared_fingerprints",
               "matched_lines_a", "matched_lines_b", "flagged"]

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212529;background:#fff;margin:0}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:28px 0 8px;border-bottom:1px solid #dee2e6}
.lead{color:#495057;margin:0 0 12px}.muted{color:#868e96}
table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 10px;border-bottom:1px solid #e9ecef;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.flag td{background:#fff4e6}.badge{background:#e8590c;color:#fff;border-radius:4px;padding:0 6px;font-size:12px}
details{border:1px solid #dee2e6;border-radius:6px;margin:10px 0;padding:6px 10px}
summary{cursor:pointer;font-weight:600}
.sides{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:10px}
.side h4{margin:8px 0 2px;font-size:13px;color:#495057}
pre{background:#f8f9fa;border:1px solid #e9ecef;border-radius:4px;padding:6px;margin:0;overflow-x:auto;
font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre}
pre span{display:block}pre .ln{display:inline-block;width:3.2em;color:#adb5bd;user-select:none}
pre .hit{background:#ffd8a8}pre .ctx{color:#868e96}pre .gap{color:#adb5bd}
"""


@dataclass
class Outcome:
    """Every pair of a batch, and the rule that flags them."""

    prints: list[Fingerprints]
    pairs: list[Pair]  # most similar first
    threshold: float
    min_shared: int
    unread: dict[str, str]  # submissions that could not be read: name -> why

    def flagged(self, pair: Pair) -> bool:
        return pair.score >= self.threshold and pair.shared >= self.min_shared

    @property
    def flagged_pairs(self) -> list[Pair]:
        return [p for p in self.pairs if self.flagged(p)]


def write_csv(outcome: Outcome, path: str | os.PathLike) -> None:
    """One row per pair, most similar first (see ``CSV_COLUMNS``), written atomically."""
    with atomic_open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_COLUMNS)
        for p in outcome.pairs:
            writer.writerow([csv_cell(v) for v in (p.a, p.b, round(p.similarity_a, 4), round(p.similarity_b, 4),
                                                   round(p.score, 4), p.shared, p.lines_a, p.lines_b,
                                                   "yes" if outcome.flagged(p) else "no")])


def histogram_png(scores: Iterable[float], threshold: float) -> str:
    """Pairs per score bin (log scale: the few high pairs stay visible), threshold marked; a data URI."""
    fig = Figure(figsize=(7.2, 3.0), dpi=100, layout="constrained")
    ax = fig.subplots()
    values = 100 * np.clip(np.fromiter(scores, dtype=float), 0, 1)
    ax.hist(values, bins=20, range=(0, 100), color=HISTOGRAM_COLOR, edgecolor="white", linewidth=1.0)
    ax.axvline(100 * threshold, color=THRESHOLD_COLOR, linewidth=2.5, linestyle="--")
    ax.text(100 * threshold, 1.0, " threshold", color=THRESHOLD_COLOR, transform=ax.get_xaxis_transform(),
            va="top", ha="left", fontsize=9)
    ax.set_yscale("log")
    ax.set_xlim(0, 100)
    ax.set_ylim(bottom=0.8)
    ax.set_xlabel("pair score: share of one side's own code found in the other (%)")
    ax.set_ylabel("pairs")
    ax.spines[["top", "right"]].set_visible(False)
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _h(text: object, max_chars: int = 120) -> str:
    return html.escape(one_line(str(text), max_chars=max_chars))


def _code(side: Fingerprints, module: str, hits: set[int]) -> str:
    """The lines ``side`` wrote in ``module`` (its own lines and the matched ones), each function's
    ``def`` line as context, gaps marked."""
    lines = clean_text(side.sources.get(module, ""), max_chars=None).splitlines()
    shown = {n for n in side.added.get(module, set()) | hits if 1 <= n <= len(lines)}
    context = set()
    for n in shown:
        for k in range(n - 1, 0, -1):  # the enclosing definition, for orientation
            if lines[k - 1].lstrip().startswith(("def ", "class ")):
                context.add(k)
                break
    rows, last = [], 0
    for n in sorted(shown | context):
        if last and n > last + 1:
            rows.append('<span class="gap">⋯</span>')
        css = "hit" if n in hits else ("ctx" if n not in shown else "")
        text = html.escape(lines[n - 1][:300])
        rows.append(f'<span class="{css}"><span class="ln">{n}</span>{text}</span>' if css
                    else f'<span><span class="ln">{n}</span>{text}</span>')
        last = n
    return "<pre>" + ("".join(rows) or '<span class="gap">(nothing beyond the skeleton)</span>') + "</pre>"


def _side_by_side(index: int, pair: Pair, by_name: dict[str, Fingerprints], flagged: bool, open_: bool) -> str:
    a, b = by_name[pair.a], by_name[pair.b]
    hits_a, hits_b = matched_lines(a, b)
    badge = ' <span class="badge">flagged</span>' if flagged else ""
    parts = [f'<details id="pair-{index}"{" open" if open_ else ""}><summary>#{index} {_h(pair.a)} ↔ {_h(pair.b)}: '
             f"{100 * pair.score:.0f}%{badge}</summary>",
             f'<p class="muted">{100 * pair.similarity_a:.0f}% of {_h(pair.a)}\'s own code is found in '
             f"{_h(pair.b)}, {100 * pair.similarity_b:.0f}% the other way; {pair.shared} shared fingerprints. "
             "Highlighted: lines both share.</p>"]
    for module in MODULES:
        if not (a.added.get(module) or b.added.get(module)):
            continue
        parts.append(f"<h3>{_h(module)}.py</h3><div class=\"sides\">")
        for side, hits in ((a, hits_a), (b, hits_b)):
            parts.append(f'<div class="side"><h4>{_h(side.name)}</h4>{_code(side, module, hits.get(module, set()))}</div>')
        parts.append("</div>")
    parts.append("</details>")
    return "".join(parts)


def render_page(outcome: Outcome, top: int = 20) -> str:
    """The similarity page as an HTML string (see the module docstring)."""
    flagged = outcome.flagged_pairs
    shown = outcome.pairs[:max(top, min(len(flagged), MAX_SHOWN))]
    by_name = {p.name: p for p in outcome.prints}
    n = len(outcome.prints)
    body = ["<h1>Similarity between submissions</h1>",
            f'<p class="lead">{n} submission{"s" if n != 1 else ""} compared, {len(outcome.pairs)} pairs; '
            f"<strong>{len(flagged)} flagged</strong> (score ≥ {100 * outcome.threshold:.0f}% and at least "
            f"{outcome.min_shared} shared fingerprints). Only what each student added counts: the skeleton and "
            "the contract's formulas are subtracted, and names, comments, docstrings, layout and the order of "
            "functions are ignored. A pair's score is the larger of its two shares: the share of one side's own "
            "code found in the other. A flag is a reason to look, not a verdict.</p>"]
    if outcome.pairs:
        body.append(f'<h2>All pairs</h2><img alt="histogram of pair scores" '
                    f'src="{histogram_png((p.score for p in outcome.pairs), outcome.threshold)}">')
        rows = []
        for i, p in enumerate(shown, 1):
            css = ' class="flag"' if outcome.flagged(p) else ""
            rows.append(f'<tr{css}><td class="n"><a href="#pair-{i}">#{i}</a></td><td>{_h(p.a)}</td><td>{_h(p.b)}</td>'
                        f'<td class="n">{100 * p.score:.0f}%</td><td class="n">{100 * p.similarity_a:.0f}%</td>'
                        f'<td class="n">{100 * p.similarity_b:.0f}%</td><td class="n">{p.shared}</td>'
                        f'<td class="n">{p.lines_a}</td><td class="n">{p.lines_b}</td>'
                        f'<td>{"flagged" if outcome.flagged(p) else ""}</td></tr>')
        more = len(flagged) - sum(outcome.flagged(p) for p in shown)
        note = f'<p class="muted">{more} more flagged pairs are in similarity.csv.</p>' if more > 0 else ""
        body.append(f"<h2>Most similar pairs</h2>{note}<table><tr><th>#</th><th>a</th><th>b</th><th class=\"n\">score</th>"
                    "<th class=\"n\">a in b</th><th class=\"n\">b in a</th><th class=\"n\">shared</th>"
                    "<th class=\"n\">lines a</th><th class=\"n\">lines b</th><th></th></tr>"
                    + "".join(rows) + "</table>")
        body.append("<h2>Side by side</h2>")
        body += [_side_by_side(i, p, by_name, outcome.flagged(p), open_=i == 1) for i, p in enumerate(shown, 1)]
    else:
        body.append('<p class="muted">Fewer than two submissions: no pairs to compare.</p>')
    empty = sorted(p.name for p in outcome.prints if not p.spans and p.name not in outcome.unread)
    if empty:
        body.append(f'<h2>Nothing to compare</h2><p class="muted">No code of their own beyond the skeleton: '
                    f'{", ".join(_h(e) for e in empty)}.</p>')
    if outcome.unread:
        items = "".join(f"<li>{_h(name)}: {_h(why, 300)}</li>" for name, why in sorted(outcome.unread.items()))
        body.append(f"<h2>Not read</h2><ul>{items}</ul>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>Similarity between submissions</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def write_page(outcome: Outcome, path: str | os.PathLike, top: int = 20) -> None:
    """Write the similarity page to ``path`` (UTF-8 HTML), atomically."""
    write_text_atomic(path, render_page(outcome, top))
