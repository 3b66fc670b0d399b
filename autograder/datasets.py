"""The kit's three tasks on real, offline data (CONTRACT.md section 7; data/DATASHEET.md).

=============  ===================  ==============  =========================================
task           file                 kind            y
=============  ===================  ==============  =========================================
``logistic``   breast_cancer.csv    classification  1 = benign, 0 = malignant (sklearn's coding)
``linear``     diabetes.csv         regression      disease progression after one year
``digits``     digits.csv           classification  1 = even digit, 0 = odd digit
=============  ===================  ==============  =========================================

Every task is split 60/20/20 into train/validation/test by two calls of scikit-learn's
``train_test_split`` with ``random_state=SEED`` and ``test_size=round(0.2 n)`` rows (first the
test split, then the validation split from the rest), stratified on ``y`` for classification. Each feature is standardised with the
*training* split's mean and standard deviation only (``x' = (x − μ_train) / σ_train``,
population σ as in ``StandardScaler``), so nothing about the validation or test rows leaks
into training; then the intercept column of ones becomes column 0 of every ``X``.

The logistic and digits tasks use feature subsets on which the training split is not
(quasi-)separable, so the unpenalised maximum-likelihood θ is finite; DATASHEET.md says which
and why. ``Task.defaults`` are the hyperparameters with which the reference
``gradient_descent`` reaches scikit-learn's optimum on the training split (measured there).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from autograder import paths
from autograder.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

TASKS = ("logistic", "linear", "digits")
SEED = 0
TARGET = "target"

# Mean radius, mean texture, mean smoothness, mean symmetry: four different properties of
# the nuclei, not separable on the training split (all 30 features are), and nearly
# uncorrelated (radius, perimeter and area are almost collinear), so gradient descent is fast.
BREAST_CANCER_FEATURES = ("mean_radius", "mean_texture", "mean_smoothness", "mean_symmetry")
DIABETES_FEATURES = ("age", "sex", "bmi", "bp", "s1_tc", "s2_ldl", "s3_hdl", "s4_tch", "s5_ltg", "s6_glu")
# The 8×8 image without its leftmost and rightmost pixel columns: those 16 pixels are blank in
# almost every image, and the few inked ones (pixel_3_7, pixel_5_0, pixel_6_0, ...) are all
# even digits, which makes the full 64-pixel problem quasi-separable (an infinite MLE).
DIGITS_FEATURES = tuple(f"pixel_{row}_{col}" for row in range(8) for col in range(1, 7))


@dataclass(frozen=True)
class Task:
    """One learning task, split, standardised and ready for ``gradient_descent``.

    Attributes
    ----------
    name : str, one of `TASKS`
    kind : ``"classification"`` (y in {0, 1}) or ``"regression"`` (real y)
    feature_names : tuple of str, ``("intercept", <feature columns>...)``, one per column of X
    X_train, X_val, X_test : float64 ndarrays of shape (n_split, d), column 0 all ones
    y_train, y_val, y_test : float64 ndarrays of shape (n_split,)
    defaults : dict with ``lr``, ``epochs`` and ``batch_size`` for ``gradient_descent``
    """

    name: str
    kind: str
    feature_names: tuple[str, ...]
    X_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    X_val: np.ndarray = field(repr=False)
    y_val: np.ndarray = field(repr=False)
    X_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    defaults: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Spec:
    file: str
    kind: str
    features: tuple[str, ...]
    labels: Callable[[np.ndarray], np.ndarray]  # the (validated) target column -> y
    accepted: str  # what the target column may hold, for error messages
    valid: Callable[[np.ndarray], np.ndarray]  # elementwise: is this target value accepted?
    defaults: dict


def _is_integer(t: np.ndarray) -> np.ndarray:
    return t == np.round(t)


_SPECS = {
    "logistic": _Spec(
        "breast_cancer.csv", "classification", BREAST_CANCER_FEATURES,
        labels=lambda t: t, accepted="0 (malignant) or 1 (benign)",
        valid=lambda t: (t == 0) | (t == 1),
        # L = λ_max(XᵀX)/(4n) ≈ 0.42 on the training split, so lr = 1 < 1/L is a safe, short step.
        defaults={"lr": 1.0, "epochs": 500, "batch_size": None}),
    "linear": _Spec(
        "diabetes.csv", "regression", DIABETES_FEATURES,
        labels=lambda t: t, accepted="a real number",
        valid=np.isfinite,
        # L = λ_max(XᵀX)/n ≈ 4.17, so BGD diverges above lr = 2/L ≈ 0.48; 0.2 < 1/L.
        defaults={"lr": 0.2, "epochs": 2000, "batch_size": None}),
    "digits": _Spec(
        "digits.csv", "classification", DIGITS_FEATURES,
        labels=lambda t: (t % 2 == 0).astype(np.float64), accepted="a digit 0-9",
        valid=lambda t: _is_integer(t) & (t >= 0) & (t <= 9),
        # Mini-batches of 128 are the course's setting for comparing optimizers.
        defaults={"lr": 0.3, "epochs": 300, "batch_size": 128}),
}


def load_task(name: str = "logistic", data_dir: str | Path | None = None) -> Task:
    """Load a task: read its CSV, split 60/20/20, standardise with train statistics, add the intercept.

    Parameters
    ----------
    name : str
        ``"logistic"`` (breast cancer), ``"linear"`` (diabetes) or ``"digits"`` (even vs odd).
    data_dir : str or Path or None
        Folder holding the CSV; ``None`` means the kit's ``data/`` folder.

    Returns
    -------
    Task
        A fresh object with its own arrays on every call (the parsed file is cached, keyed on
        its resolved path, modification time and size), so changing one does not change another.

    Raises
    ------
    UserError
        For an unknown task name, or a missing or malformed CSV file.
    """
    path = data_path(name, data_dir)  # raises for an unknown name
    spec = _SPECS[name]
    try:
        stat = path.stat()
    except OSError:
        hint = " (regenerate the kit's copy with `python data/make_data.py`)" if data_dir is None else ""
        raise UserError(f"{path}: data file not found; expected {spec.file} in that folder{hint}") from None
    if not path.is_file():
        raise UserError(f"{path}: not a file; expected the CSV {spec.file}")
    features, target = _read_columns(path, (stat.st_mtime_ns, stat.st_size), spec.features)
    bad = ~spec.valid(target)
    if bad.any():
        row = int(np.argmax(bad))
        raise UserError(f"{path}: column {TARGET!r}, data row {row + 1}, holds {target[row]:g}; "
                        f"accepted: {spec.accepted}")
    y = spec.labels(target).astype(np.float64)
    if spec.kind == "classification" and np.unique(y).size < 2:
        raise UserError(f"{path}: every row has the same class; a classification task needs both")
    return _build(name, spec, path, features, y)


def data_path(name: str, data_dir: str | Path | None = None) -> Path:
    """The CSV file of the task ``name`` in ``data_dir`` (``None``: the kit's ``data/``)."""
    if name not in _SPECS:
        raise UserError(f"unknown task {name!r}; choose one of: {', '.join(TASKS)}")
    return Path(paths.DATA if data_dir is None else data_dir).expanduser().resolve() / _SPECS[name].file


def _build(name: str, spec: _Spec, path: Path, features: np.ndarray, y: np.ndarray) -> Task:
    """Split 60/20/20 from `SEED`, standardise with the training split only, add the intercept."""
    # Imported here: a grader reads the recorded splits (grading/baselines.py), never these.
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    stratify = spec.kind == "classification"
    # Whole row counts, rounded once, keep every split within one row of its 60/20/20 share
    # (fractions would round the test and validation splits up twice).
    n_holdout = round(0.2 * len(y))
    try:
        X_rest, X_test, y_rest, y_test = train_test_split(
            features, y, test_size=n_holdout, random_state=SEED, stratify=y if stratify else None)
        X_train, X_val, y_train, y_val = train_test_split(
            X_rest, y_rest, test_size=n_holdout, random_state=SEED, stratify=y_rest if stratify else None)
    except ValueError as exc:
        reason = " ".join(str(exc).split())  # one line, whatever scikit-learn wrote
        raise UserError(f"{path}: cannot split {len(y)} rows 60/20/20 ({reason})") from None
    # A column constant on the training split has σ = 0; StandardScaler then only centres it
    # (scale 1), so nothing is divided by zero. No shipped task has such a column.
    scaler = StandardScaler().fit(X_train)

    def design(X: np.ndarray) -> np.ndarray:
        return np.column_stack([np.ones(len(X)), scaler.transform(X)])

    return Task(
        name=name,
        kind=spec.kind,
        feature_names=("intercept", *spec.features),
        X_train=design(X_train), y_train=y_train,
        X_val=design(X_val), y_val=y_val,
        X_test=design(X_test), y_test=y_test,
        defaults=dict(spec.defaults),
    )


@functools.lru_cache(maxsize=16)
def _read_columns(path: Path, stamp: tuple[int, int], columns: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``path`` once per (path, modification stamp): the feature matrix and the target.

    The arrays are shared by every caller of the cache, so they are made read-only; the
    split in `_build` copies them. Every malformed input raises a one-line `UserError`.
    """
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise UserError(f"{path}: the file is empty; expected a CSV with a header row "
                        f"({', '.join(columns)}, {TARGET}) and one row per sample") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path}: not a readable CSV file ({detail})") from None
    wanted = (*columns, TARGET)
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)}; "
                        f"expected the columns {', '.join(wanted)}")
    if frame.empty:
        raise UserError(f"{path}: the header has no data rows below it; expected one row per sample")
    arrays = [_numeric(path, frame[c]) for c in wanted]
    features = np.column_stack(arrays[:-1])
    target = arrays[-1]
    features.flags.writeable = False
    target.flags.writeable = False
    return features, target


def _numeric(path: Path, column: pd.Series) -> np.ndarray:
    """A column as finite float64, or a `UserError` naming its first bad cell."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(column):
        raise UserError(f"{path}: column {column.name!r} holds true/false values; expected numbers")
    # Unparseable cells become NaN here, like empty ones, and are reported below.
    numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(numbers)
    if bad.any():
        row = int(np.argmax(bad))
        cell = column.iloc[row]
        shown = "an empty cell" if pd.isna(cell) else f"{str(cell)!r}"
        raise UserError(f"{path}: column {column.name!r}, data row {row + 1}, holds {shown}; "
                        f"expected a finite number in every cell")
    return numbers
