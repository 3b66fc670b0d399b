"""scikit-learn's optimum on each task's training split: the target the batch loop must reach.

The models are the exact, unpenalised problems the kit's losses define:

- ``logistic`` / ``digits``: ``LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12,
  max_iter=100000)`` (lbfgs) is the maximum-likelihood θ of the mean NLL; the intercept is
  column 0 of X, hence ``fit_intercept=False``; sklearn's default tol=1e-4 stops 2-4e-3 short.
- ``linear``: ``LinearRegression(fit_intercept=False)``, the least-squares θ.

None of this depends on a submission, so it is done once, when the kit is released
(`record_baselines`, called by ``python -m autograder release`` and the Gradescope bundle):
the tasks' splits and the fitted θ are saved in `RECORDING` with a fingerprint of what they
were computed from (the data files, ``datasets.py`` and this module). ``baseline(name)`` reads
them back (importing scikit-learn and pandas, 1.5 s here, is what a grader then never does),
and raises `StaleRecording` if the fingerprint no longer matches; with no recording at all
(a student bundle) it fits live. `scores` measures any θ the same way on the same splits, so
a submission's θ and the baseline's are compared metric by metric.
"""

from __future__ import annotations

import functools
import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder import datasets
from autograder.datasets import TASKS, Task
from autograder.metrics import correct, mean_nll, mse, r2

RECORDING = Path(__file__).resolve().parent / "recorded" / "baselines.npz"
SPLITS = ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test")


class StaleRecording(RuntimeError):
    """A recording made from other inputs than the kit's current ones."""


@dataclass(frozen=True)
class Baseline:
    """scikit-learn's θ on a task's training split and its `scores`."""

    task: Task
    theta: np.ndarray
    scores: dict[str, float]


def scores(task: Task, theta: np.ndarray) -> dict[str, float]:
    """The metrics the grading tests compare, for ``theta`` on ``task``.

    Classification: ``train_nll`` (mean NLL on the training split), ``val_correct`` (validation
    samples classified right, predicting 1 where z > 0) and ``val_accuracy``. Regression:
    ``val_mse`` and ``val_r2`` on the validation split (``R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)²``),
    ``train_mse`` on the training split.
    """
    if task.kind == "classification":
        right = correct(task.X_val, task.y_val, theta)
        return {"train_nll": mean_nll(task.X_train, task.y_train, theta), "val_correct": right,
                "val_accuracy": right / len(task.y_val)}
    return {"train_mse": mse(task.X_train, task.y_train, theta), "val_mse": mse(task.X_val, task.y_val, theta),
            "val_r2": r2(task.X_val, task.y_val, theta)}


def fit_baseline(name: str) -> Baseline:
    """Fit scikit-learn's exact model on ``load_task(name)``'s training split (the live path)."""
    from sklearn.linear_model import LinearRegression, LogisticRegression

    task = datasets.load_task(name)
    if task.kind == "classification":
        model = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=100_000)
    else:
        model = LinearRegression(fit_intercept=False)
    model.fit(task.X_train, task.y_train)
    theta = np.asarray(model.coef_, dtype=np.float64).ravel()
    return Baseline(task=task, theta=theta, scores=scores(task, theta))


def fingerprint() -> str:
    """SHA-256 of what the baselines are computed from: every task's data file, the code that
    splits it (``datasets.py``) and the code that fits (this module)."""
    digest = hashlib.sha256()
    for name in TASKS:
        digest.update((datasets.data_path(name)).read_bytes())
    for module in (datasets.__file__, __file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


def record_baselines(path: Path = RECORDING) -> Path:
    """Fit every task's baseline and save its splits, θ and scores with the `fingerprint`."""
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, dict] = {}
    for name in TASKS:
        fitted = fit_baseline(name)
        task = fitted.task
        arrays |= {f"{name}.{split}": getattr(task, split) for split in SPLITS}
        arrays[f"{name}.theta"] = fitted.theta
        meta[name] = {"kind": task.kind, "feature_names": list(task.feature_names), "defaults": task.defaults,
                      "scores": fitted.scores}
    arrays["meta"] = np.array(json.dumps({"fingerprint": fingerprint(), "tasks": meta}, sort_keys=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        np.savez_compressed(stream, **arrays)
    _recorded.cache_clear()
    baseline.cache_clear()
    return path


def recording_state(path: Path = RECORDING) -> str | None:
    """``None`` if the recording at ``path`` matches the kit, else why not (for ``release --check``)."""
    try:
        _recorded.cache_clear()
        return "missing" if _recorded(path) is None else None
    except StaleRecording:
        return "out of date"


@functools.cache
def _recorded(path: Path) -> dict[str, Baseline] | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(str(stored["meta"]))
            if meta["fingerprint"] != fingerprint():
                raise StaleRecording(f"{path} was recorded from other data or code than the kit's current ones; "
                                     "record it again: python -m autograder release")
            found = {}
            for name, entry in meta["tasks"].items():
                task = Task(name=name, kind=entry["kind"], feature_names=tuple(entry["feature_names"]),
                            defaults=entry["defaults"], **{s: stored[f"{name}.{s}"] for s in SPLITS})
                found[name] = Baseline(task, stored[f"{name}.theta"], entry["scores"])
            return found
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise StaleRecording(f"{path} is damaged ({type(error).__name__}: {error}); "
                             "record it again: python -m autograder release") from None


@functools.cache
def baseline(name: str) -> Baseline:
    """The baseline of ``load_task(name)``: recorded (and checked fresh) if the kit holds a
    recording, else fitted now; once per process either way.

    Raises
    ------
    StaleRecording
        If the recording does not match the kit's data and code (or is damaged).
    """
    recorded = _recorded(RECORDING)
    if recorded is None:
        return fit_baseline(name)
    if name not in recorded:
        raise StaleRecording(f"{RECORDING} holds no baseline for the task {name!r}; "
                             "record it again: python -m autograder release")
    return recorded[name]
