"""Target 5: the reference at scale, on one core.

A synthetic logistic task (an intercept column and ``d − 1`` standard normal features; labels
drawn from the model with a random θ). Mini-batch descent (batch 64) for one epoch, the
reference and its variants (`benchmarks.formulations`) against scikit-learn's SGDClassifier
for one epoch on the same data (log-loss, no penalty, no intercept, constant step, shuffled:
the same algorithm with batch 1, in Cython); then the full-batch cost per row, from the
smallest n to the largest.

Run in its own process with BLAS pinned to one thread (run.py does): SGDClassifier uses one
core, so the reference gets one too.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict
from functools import partial

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier

from autograder.reference import Reference
from benchmarks import formulations, measure


def synthetic(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.standard_normal((n, d - 1))])
    theta = rng.standard_normal(d) / np.sqrt(d)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ theta)))).astype(float)
    return X, y, theta


def sgd_classifier_epoch(X: np.ndarray, y: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # one epoch is the point
        SGDClassifier(loss="log_loss", penalty=None, learning_rate="constant", eta0=0.01, max_iter=1, tol=None,
                      fit_intercept=False, shuffle=True, random_state=0).fit(X, y)


def repeat(function, times: int) -> None:
    for _ in range(times):
        function()


def run(reps: int, n: int, d: int, sizes: tuple[int, ...]) -> dict:
    reference = Reference().logistic_regression
    formulations.check_same(reference)
    X, y, theta_true = synthetic(n, d)
    descents = formulations.variants(reference)

    cases = {"SGDClassifier": partial(sgd_classifier_epoch, X, y)}
    cases |= {name: partial(g, X, y, lr=0.01, epochs=1, batch_size=64) for name, g in descents.items()}
    samples: dict[str, list] = {name: [] for name in cases}
    for _ in range(reps):  # interleaved: every case once per repetition
        for name, case in cases.items():
            samples[name].append(measure.run_here(case))
    mgd = {name: asdict(measure.median_sample(s)) for name, s in samples.items()}

    theta = theta_true / 2
    per_row: dict[int, dict] = {}
    for rows in sizes:
        Xr, yr = X[:rows], y[:rows]
        inner = max(1, sizes[-1] // rows // 4)  # similar total work at every size
        cases = {f"gradients ({name})": partial(g, Xr, yr, theta)
                 for name, g in formulations.gradient_forms(reference).items()}
        cases |= {f"BGD epoch ({name})": partial(g, Xr, yr, lr=0.1, epochs=1) for name, g in descents.items()}
        timed: dict[str, list] = {name: [] for name in cases}
        for _ in range(reps):
            for name, case in cases.items():
                timed[name].append(measure.run_here(partial(repeat, case, inner)))
        per_row[rows] = {name: {"wall": m.wall / inner / rows, "cpu": m.cpu / inner / rows}
                         for name, m in ((k, measure.median_sample(v)) for k, v in timed.items())}
    return {"n": n, "d": d, "reps": reps, "mgd_epoch": mgd, "full_batch_per_row": per_row}
