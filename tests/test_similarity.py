"""The similarity report (``autograder.similarity``), measured on the benchmark set of ``tests/plagiarism``.

Oracles: the set's own ground truth (which pairs are planted copies), brute-force set
intersections and window minima for the fingerprint arithmetic, hand-written token lists,
the reference solution for the independent implementations' correctness, pandas reading the
CSV, Python's HTML parser, and headless Chromium rendering the page.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import random
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import browser
import numpy as np
import pandas as pd
import pytest
from corpus.build import write_folder
from PIL import Image
from plagiarism.build import loops_to_comprehensions, reference, write_benchmark, write_form
from plagiarism.implementations import STYLES, fill

from autograder.cli import main
from autograder.paths import ASSIGNMENT, MODULES
from autograder.similarity.boilerplate import Boilerplate
from autograder.similarity.command import MIN_SHARED, THRESHOLD, analyse
from autograder.similarity.fingerprints import W, compare, fingerprint, overlaps, winnow
from autograder.similarity.page import CSV_COLUMNS, HISTOGRAM_COLOR, render_page
from autograder.similarity.tokens import normalise
from autograder.submission import find_submissions, name_submissions


@pytest.fixture(scope="module")
def bench_set(tmp_path_factory):
    """The benchmark set written as submissions, analysed at the defaults: (outcome, copies, folder)."""
    folder = tmp_path_factory.mktemp("benchmark") / "submissions"
    _, copies = write_benchmark(folder)
    outcome = analyse(name_submissions(find_submissions([folder])), Boilerplate.from_folder())
    return outcome, copies, folder


def _skeleton() -> dict[str, str]:
    return {m: (ASSIGNMENT / f"{m}.py").read_text(encoding="utf-8") for m in MODULES}


# ----------------------------------------------------------------------------- the benchmark


def test_every_planted_copy_flagged_and_no_independent_pair(bench_set):
    outcome, copies, _ = bench_set
    flagged = {frozenset((p.a, p.b)) for p in outcome.flagged_pairs}
    assert len(outcome.prints) == 18 and len(outcome.pairs) == 18 * 17 // 2
    assert flagged == copies  # precision 1 and recall 1 at the default threshold
    lowest_copy = min(p.score for p in outcome.pairs if frozenset((p.a, p.b)) in copies)
    highest_other = max(p.score for p in outcome.pairs if frozenset((p.a, p.b)) not in copies)
    # The margin the default threshold sits in, on both sides.
    assert highest_other + 0.15 < THRESHOLD < lowest_copy - 0.15, (highest_other, lowest_copy)


def test_the_untouched_skeleton_has_nothing_of_its_own(bench_set):
    outcome, _, _ = bench_set
    by_name = {p.name: p for p in outcome.prints}
    for name in ("untouched-skeleton", "untouched-notebook"):
        assert by_name[name].spans == {}
    assert all(p.shared == 0 for p in outcome.pairs if "untouched" in p.a or "untouched" in p.b)


def test_a_notebook_zip_and_folder_of_the_same_code_fingerprint_alike(tmp_path):
    sources = fill(STYLES["helpers"])
    boilerplate = Boilerplate.from_folder()
    prints = []
    for form in ("folder", "notebook", "zip", "nested-zip"):
        path = write_form(tmp_path / form, form, sources)
        outcome = analyse({form: path}, boilerplate)
        prints.append(outcome.prints[0].spans.keys())
    assert prints[0] and all(p == prints[0] for p in prints)


def test_each_disguise_alone_keeps_the_copy_above_the_threshold():
    from plagiarism import disguises as d

    boilerplate = Boilerplate.from_folder()
    for style, bodies in STYLES.items():
        original = fingerprint("original", fill(bodies), boilerplate)
        for disguise in (d.rename, d.reorder, d.reword, d.add_dead_code):
            copy = fingerprint("copy", disguise(fill(bodies)), boilerplate)
            (pair,) = compare([original, copy])
            assert pair.score >= THRESHOLD and pair.shared >= MIN_SHARED, (style, disguise.__name__, pair)
    loops = fill(STYLES["loops"])
    (pair,) = compare([fingerprint("a", loops, boilerplate), fingerprint("b", loops_to_comprehensions(loops), boilerplate)])
    assert pair.score >= THRESHOLD


def _import(folder: Path, module: str):
    spec = importlib.util.spec_from_file_location(f"_style_{folder.name}_{module}", folder / f"{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


@pytest.mark.parametrize("style", sorted(STYLES))
def test_the_independent_implementations_are_correct(style, tmp_path, ref):
    """Our own code (not a student's): imported here to check it against the reference."""
    folder = write_folder(tmp_path / style, fill(STYLES[style]))
    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(40), rng.normal(size=(40, 3))])
    theta = rng.normal(size=4)
    labels, values = (rng.random(40) < 0.5).astype(float), rng.normal(size=40)
    for module, y in (("logistic_regression", labels), ("linear_regression", values)):
        mine, theirs = _import(folder, module), getattr(ref, module)
        first = "logistic" if module == "logistic_regression" else "predict"
        np.testing.assert_allclose(getattr(mine, first)(X, theta), getattr(theirs, first)(X, theta), rtol=1e-12)
        assert isinstance(getattr(mine, first)(X[0], theta), float)
        np.testing.assert_allclose(mine.loss(X, y, theta), theirs.loss(X, y, theta), rtol=1e-12)
        np.testing.assert_allclose(mine.gradients(X, y, theta), theirs.gradients(X, y, theta), rtol=1e-10, atol=1e-14)
        for batch_size in (None, 1, 7, 100):
            got = mine.gradient_descent(X, y, lr=0.05, epochs=3, batch_size=batch_size, seed=4)
            want = theirs.gradient_descent(X, y, lr=0.05, epochs=3, batch_size=batch_size, seed=4)
            np.testing.assert_allclose(got[0], want[0], rtol=1e-10)
            np.testing.assert_allclose(got[1], want[1], rtol=1e-10)
        for bad in (0, -1, 2.5, True):
            with pytest.raises(ValueError):
                mine.gradient_descent(X, y, batch_size=bad)
    np.testing.assert_allclose(_import(folder, "linear_regression").normal_equation(X, values),
                               ref.linear_regression.normal_equation(X, values), rtol=1e-9)
    mine, theirs = _import(folder, "optimizers"), ref.optimizers
    for name in ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"):
        a, b = getattr(mine, name)(), getattr(theirs, name)()
        pa, pb = {"w": np.array([1.0, -2.0]), "u": np.array([0.5])}, {"w": np.array([1.0, -2.0]), "u": np.array([0.5])}
        for step in range(4):
            grads = {"w": np.array([0.3, -0.1]) * (step + 1), "u": np.array([-0.2])}
            assert a.update(pa, {k: v.copy() for k, v in grads.items()}) is None
            b.update(pb, {k: v.copy() for k, v in grads.items()})
            for key in pa:
                np.testing.assert_allclose(pa[key], pb[key], rtol=1e-12, err_msg=f"{style} {name}")


# ----------------------------------------------------------------------------- the parts


def test_normalise_ignores_names_comments_docstrings_and_layout():
    one = 'def f(a, b):\n    """Add them."""\n    total = a + b  # sum\n    return np.sqrt(total) * 2.5\n'
    two = "def g(x,\n      y):\n    # what it does\n    s = x + \\\n        y\n\n    return np.sqrt(s) * 7\n"
    expected = ["def", "V", "(", "V", ",", "V", ")", ":", ";", "V", "=", "V", "+", "V", ";",
                "return", "V", ".", "sqrt", "(", "V", ")", "*", "N", ";"]
    assert [t.text for t in normalise(one)] == expected
    assert [t.text for t in normalise(two)] == expected
    # Attributes of self are a student's names; builtins and keywords stay.
    assert [t.text for t in normalise("self.velocity = len(range(3))\n")] == \
        ["V", ".", "V", "=", "len", "(", "range", "(", "N", ")", ")", ";"]
    assert [t.text for t in normalise('x = f"{a!r}" + b"raw"\n')] == ["V", "=", "S", "+", "S", ";"]


def test_normalise_keeps_the_tokens_before_a_syntax_error():
    assert [t.text for t in normalise("total = a + (b\n")][:4] == ["V", "=", "V", "+"]


def test_skeleton_runs_are_masked_wherever_they_sit():
    skeleton = _skeleton()
    boilerplate = Boilerplate(skeleton)
    tokens = normalise(skeleton["optimizers"])
    assert all(boilerplate.mask("optimizers", tokens))
    added = "\n\ndef helper(values):\n    acc = []\n    for value in values:\n        acc.append(value * 3)\n    return acc\n"
    tokens = normalise(added + skeleton["optimizers"])
    mask = boilerplate.mask("optimizers", tokens)
    assert not any(mask[: len(normalise(added))]) and all(mask[len(normalise(added)):])


@pytest.mark.parametrize("seed", range(20))
def test_winnow_picks_the_rightmost_minimum_of_every_window(seed):
    rng = random.Random(seed)
    hashes = [rng.randrange(50) for _ in range(rng.randrange(1, 80))]
    chosen = winnow(hashes)
    if len(hashes) <= W:
        assert chosen == [max(i for i, h in enumerate(hashes) if h == min(hashes))]
        return
    expected = []
    for start in range(len(hashes) - W + 1):
        window = hashes[start:start + W]
        pick = start + max(i for i, h in enumerate(window) if h == min(window))
        if not expected or expected[-1] != pick:
            expected.append(pick)
    assert chosen == expected


def test_pair_overlaps_equal_brute_force_intersections(bench_set):
    outcome, _, _ = bench_set
    shared = overlaps(outcome.prints)
    for i, a in enumerate(outcome.prints):
        for j, b in enumerate(outcome.prints):
            assert shared[i, j] == len(a.hashes & b.hashes)
    for pair in outcome.pairs:
        a = next(p for p in outcome.prints if p.name == pair.a)
        b = next(p for p in outcome.prints if p.name == pair.b)
        common = len(a.hashes & b.hashes)
        assert pair.shared == common
        assert pair.similarity_a == (common / len(a.hashes) if a.hashes else 0.0)
        assert pair.similarity_b == (common / len(b.hashes) if b.hashes else 0.0)


# ----------------------------------------------------------------------------- the outputs


HOSTILE = ('    message = "</pre><script>alert(1)</script><img src=https://evil.example/x.png>"\n'
           "    banner = '\x1b[31mred\x1b]0;title\x07'  # <b onmouseover=alert(2)>\n"
           '    formula = "=HYPERLINK(\\"https://evil.example\\")"\n'
           "    return [message, banner, formula] * len(message) + list(range(len(banner)))\n")


def _hostile_class(tmp_path: Path) -> Path:
    """Two copies of code full of markup and escapes, and a module-level write if it were ever run."""
    root = tmp_path / "class"
    marker = tmp_path / "was-run"
    for name in ("+1+2", "copier"):  # a name a spreadsheet would take for a formula
        sources = fill(STYLES["vectorised"])
        sources["optimizers"] += (f"\n\nopen({str(marker)!r}, 'w').write('ran')\n\n\ndef _extra():\n" + HOSTILE)
        write_folder(root / name, sources)
    return root


def _tags(page: str) -> list[tuple[str, dict]]:
    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Parser().feed(page)
    return found


def test_cli_writes_csv_and_a_self_contained_escaped_page_without_running_anything(tmp_path):
    root = _hostile_class(tmp_path)
    out = tmp_path / "out"
    assert main(["similarity", str(root), "--out", str(out)]) == 1  # the pair is flagged
    assert not (tmp_path / "was-run").exists()
    table = pd.read_csv(out / "similarity.csv")
    assert list(table.columns) == CSV_COLUMNS and len(table) == 1
    row = table.iloc[0]
    assert row["flagged"] == "yes" and row["score"] == pytest.approx(1.0)
    assert {row["a"], row["b"]} == {"'+1+2", "copier"}  # made inert
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "\x1b" not in page and "onmouseover=" not in page.replace("&lt;b onmouseover=", "")
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for tag, attrs in _tags(page):
        assert tag not in ("script", "iframe", "object", "embed", "link", "base", "form")
        for key, value in attrs.items():
            assert not key.startswith("on"), (tag, key)
            if key == "src":
                assert value.startswith("data:image/png;base64,")
                png = Image.open(io.BytesIO(base64.b64decode(value.split(",", 1)[1])))
                assert png.format == "PNG" and png.width > 500
            if key == "href":
                assert value.startswith("#pair-"), value


def test_cli_exit_codes(tmp_path):
    alone = write_folder(tmp_path / "one" / "alice", fill(STYLES["loops"]))
    write_folder(tmp_path / "one" / "bob", fill(STYLES["einsum"]))
    assert main(["similarity", str(alone.parent), "--out", str(tmp_path / "out")]) == 0  # independent: nothing flagged
    assert main(["similarity", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    assert main(["similarity", str(alone.parent), "--out", str(tmp_path / "out"), "--threshold", "1.5"]) == 2
    assert main(["similarity", str(alone.parent), "--out", str(tmp_path / "out"), "--skeleton", str(tmp_path)]) == 2


def test_page_without_pairs_and_with_unreadable_submissions(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    outcome = analyse({"broken": tmp_path / "broken.zip"}, Boilerplate(_skeleton()))
    page = render_page(outcome)
    assert "no pairs to compare" in page and "broken" in page and "could not be read" in page


def test_grade_with_similarity_links_the_page_from_the_report(tmp_path):
    root = tmp_path / "class"
    write_folder(root / "ref-a", reference())
    write_folder(root / "ref-b", reference())
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root), "--out", str(out), "--similarity"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert pd.read_csv(out / "similarity.csv")["flagged"].tolist() == ["yes"]
    assert 'href="similarity.html"' in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow  # a few seconds: a real browser
@pytest.mark.skipif(browser.chromium() is None, reason="headless Chromium is not installed (CI installs the chromium package)")
def test_page_renders_in_headless_chromium(bench_set, tmp_path):
    outcome, _, _ = bench_set
    page = tmp_path / "similarity.html"
    page.write_text(render_page(outcome), encoding="utf-8")
    image = browser.screenshot(page, tmp_path, 1200, 2000)
    assert image.shape == (2000, 1200, 3)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 300

    def block(color: str) -> tuple[np.ndarray, np.ndarray]:
        rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
        return np.nonzero(np.abs(image - rgb).max(axis=2) <= 12)

    rows, cols = block(HISTOGRAM_COLOR)  # the histogram's bars, near the top
    assert len(rows) > 3000 and rows.min() < 600 and cols.max() - cols.min() > 200
    rows, cols = block("#ffd8a8")  # matched lines highlighted in the first pair, open below the table
    assert len(rows) > 5000 and rows.max() > 1000
    assert cols.min() < 600 < cols.max()  # on both sides
