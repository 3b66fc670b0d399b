"""Write the benchmark set as one folder of submissions, and say which pairs are copies.

Groups of submissions that share an origin (one independent style, or the reference solution)
are copies of each other: every pair inside a group is a planted copy, every pair across
groups is independent work. The skeleton submitted untouched (as modules, and as the course's
own notebook) makes a group of one each: nothing added, nothing to match.
"""

from __future__ import annotations

import shutil
from itertools import combinations
from pathlib import Path

from corpus.build import reference_sources, write_folder, write_notebook, write_zip

from autograder.paths import ASSIGNMENT, MODULES
from autograder.release.skeleton import strip_markers

from . import disguises as d
from .implementations import LIN, LR, STYLES, fill


def _replace_all(sources: dict[str, str], module: str, old: str, new: str) -> dict[str, str]:
    if old not in sources[module]:
        raise ValueError(f"{module}: {old!r} not found: update the comprehension disguise with the loops style")
    return {**sources, module: sources[module].replace(old, new)}


def loops_to_comprehensions(sources: dict[str, str]) -> dict[str, str]:
    """The loops style's loops rewritten as comprehensions and generator expressions."""
    for module, where in ((LR, "p"), (LIN, "yhat")):
        sources = _replace_all(sources, module,
                               f"g = np.empty(d)\n    for j in range(d):\n        g[j] = np.sum(gradient_ij(X[:, j], y, {where})) / n\n"
                               "    return g",
                               f"return np.array([np.sum(gradient_ij(X[:, j], y, {where})) / n for j in range(d)])")
        sources = _replace_all(sources, module,
                               "n_batches = int(np.ceil(n / bs))\n        for b in range(n_batches):\n"
                               "            rows = shuffled[b * bs:(b + 1) * bs]\n",
                               "for rows in [shuffled[b * bs:(b + 1) * bs] for b in range(int(np.ceil(n / bs)))]:\n")
    sources = _replace_all(sources, LIN,
                           "total = 0.0\n    for i in range(n):\n        diff = y[i] - float(np.dot(X[i], theta))\n"
                           "        total += diff * diff\n",
                           "total = sum((y[i] - float(np.dot(X[i], theta))) ** 2 for i in range(n))\n")
    return sources


def reference() -> dict[str, str]:
    """The reference solution as a leaked copy would hold it: without the release markers."""
    return {m: strip_markers(text, f"{m}.py") for m, text in reference_sources().items()}


def submissions() -> dict[str, tuple[str, str, dict[str, str]]]:
    """``{entry name: (group, form, sources)}`` of the whole set."""
    style = {name: fill(bodies) for name, bodies in STYLES.items()}
    ref = reference()
    skeleton = {m: (ASSIGNMENT / f"{m}.py").read_text(encoding="utf-8") for m in MODULES}
    return {
        "vectorised": ("vectorised", "folder", style["vectorised"]),
        "vectorised-renamed": ("vectorised", "folder", d.rename(style["vectorised"], seed=1)),
        "vectorised-all-disguises": ("vectorised", "notebook",
                                     d.compose(style["vectorised"], lambda s: d.rename(s, seed=2), d.reorder,
                                               d.reword, lambda s: d.add_dead_code(s, seed=2))),
        "loops": ("loops", "folder", style["loops"]),
        "loops-reordered": ("loops", "zip", d.reorder(style["loops"], seed=3)),
        "loops-comprehensions": ("loops", "folder", loops_to_comprehensions(style["loops"])),
        "helpers": ("helpers", "notebook", style["helpers"]),
        "helpers-reworded": ("helpers", "folder", d.reword(style["helpers"])),
        "einsum": ("einsum", "folder", style["einsum"]),
        "einsum-dead-code": ("einsum", "folder", d.add_dead_code(style["einsum"], seed=0)),
        "longhand": ("longhand", "folder", style["longhand"]),
        "longhand-renamed-reordered": ("longhand", "nested-zip",
                                       d.reorder(d.rename(style["longhand"], seed=4), seed=5)),
        "reference-copy": ("reference", "folder", ref),
        "reference-renamed": ("reference", "zip", d.rename(ref, seed=6)),
        "reference-reworded": ("reference", "notebook", d.reword(ref)),
        "reference-dead-code-reordered": ("reference", "folder", d.reorder(d.add_dead_code(ref, seed=1), seed=7)),
        "untouched-skeleton": ("untouched-skeleton", "folder", skeleton),
        "untouched-notebook": ("untouched-notebook", "course-notebook", skeleton),
    }


def write_benchmark(root: Path) -> tuple[dict[str, Path], set[frozenset[str]]]:
    """Write every submission into ``root``; returns ``({name: path}, {pairs that are copies})``."""
    root.mkdir(parents=True, exist_ok=True)
    paths, groups = {}, {}
    for name, (group, form, sources) in submissions().items():
        paths[name] = write_form(root / name, form, sources)
        groups.setdefault(group, []).append(name)
    copies = {frozenset(pair) for names in groups.values() for pair in combinations(names, 2)}
    return paths, copies


def write_form(path: Path, form: str, sources: dict[str, str]) -> Path:
    if form == "folder":
        return write_folder(path, sources)
    if form == "notebook":
        return write_notebook(path, sources)
    if form in ("zip", "nested-zip"):
        return write_zip(path.with_suffix(".zip"), sources, nested=form == "nested-zip")
    if form == "course-notebook":  # the notebook the course hands out, submitted as it is
        path.mkdir(parents=True)
        shutil.copyfile(ASSIGNMENT / "assignment.ipynb", path / "assignment.ipynb")
        return path
    raise ValueError(f"unknown form {form!r}")
