"""The class report's inline style sheet and script (autograder/report/html.py): no external URL."""

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1f2328; background: #ffffff; margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d0d7de; }
nav { margin: 6px 0 0; font-size: 0.92em; } nav a { margin-right: 14px; }
p.lead { color: #57606a; margin: 0 0 12px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 0.92em; }
th, td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
tbody tr:nth-child(even) { background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; width: 1%; }
td.name { overflow-wrap: anywhere; max-width: 460px; }
table.wide { width: 100%; }
.scroll { max-height: 70vh; overflow: auto; border: 1px solid #d0d7de; }
.scroll table { margin: 0; } .scroll th { position: sticky; top: 0; z-index: 1; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \\2195"; color: #8c959f; font-size: 0.85em; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; font-size: 0.92em;
      font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
figure { margin: 8px 0 16px; }
figure img { max-width: 100%; height: auto; border: 1px solid #e5e8eb; }
figcaption { color: #57606a; font-size: 0.9em; }
details summary { cursor: pointer; }
.diag { display: flex; gap: 10px; align-items: baseline; margin: 2px 0; } .diag b { min-width: 2.5em; text-align: right; }
.summary { display: flex; gap: 28px; align-items: flex-start; flex-wrap: wrap; }
.bar { display: inline-block; height: 10px; background: #3f9652; vertical-align: middle; }
.low { color: #b42318; font-weight: 600; }
.status-graded { color: #1a7f37; } .status-partial, .status-timeout { color: #9a6700; }
.status-unreadable, .status-empty, .status-error, .status-missing, .status-interrupted { color: #b42318; font-weight: 600; }
.muted { color: #57606a; }
.small { font-size: 0.88em; }
"""

# Sorts a table.sortable by the clicked column: by each cell's data-sort (a number) if it has
# one, else by its text; a second click reverses. Nothing leaves the page.
SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var down = th.getAttribute("data-order") !== "asc";
      th.setAttribute("data-order", down ? "asc" : "desc");
      function key(row) {
        var cell = row.cells[column], n = cell.getAttribute("data-sort");
        return n === null ? cell.textContent.trim().toLowerCase() : parseFloat(n);
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), c = x < y ? -1 : x > y ? 1 : 0;
        return down ? c : -c;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""
