"""Batches of submissions to grade: copies of the reference, of known-bug variants and of the skeleton.

Each known bug is one textual change to the reference (a sign, a missing factor, a missing
bias correction), the kind students make; a batch cycles through the kinds so every batch
size has the same mix.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.paths import ASSIGNMENT, MODULES, SOLUTIONS

# kind -> (module, exact text in the reference, replacement)
BUGS = {
    "bug-gradient-sign": ("logistic_regression", "return -(y_i - p_i) * x_ij", "return (y_i - p_i) * x_ij"),
    "bug-loss-half": ("linear_regression", "return float(np.mean(residuals**2) / 2)",
                      "return float(np.mean(residuals**2))"),
    "bug-adam-bias": ("optimizers", "m_hat = self.m[key] / (1 - self.beta1 ** self.t[key])",
                      "m_hat = self.m[key]"),
}
KINDS = ("reference", *BUGS)  # the mix of a scaling batch


def write_submission(folder: Path, kind: str) -> Path:
    """Write one submission of ``kind`` ("reference", "skeleton" or a key of `BUGS`) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    source = ASSIGNMENT if kind == "skeleton" else SOLUTIONS
    for module in MODULES:
        shutil.copyfile(source / f"{module}.py", folder / f"{module}.py")
    if kind in BUGS:
        module, old, new = BUGS[kind]
        path = folder / f"{module}.py"
        text = path.read_text()
        if text.count(old) != 1:
            raise RuntimeError(f"{kind}: expected the line {old!r} once in solutions/{module}.py; update BUGS")
        path.write_text(text.replace(old, new))
    elif kind not in ("reference", "skeleton"):
        raise ValueError(f"unknown kind {kind!r}")
    return folder


def write_batch(root: Path, size: int, kinds: tuple[str, ...] = KINDS) -> Path:
    """A folder of ``size`` submissions cycling through ``kinds``; returns the folder."""
    if root.exists():
        shutil.rmtree(root)
    for i in range(size):
        kind = kinds[i % len(kinds)]
        write_submission(root / f"s{i:04d}-{kind}", kind)
    return root
