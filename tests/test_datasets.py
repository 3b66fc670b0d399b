"""The kit's data and `autograder.datasets.load_task`, against independent oracles.

Oracles: scikit-learn's bundled copies of the data (the CSVs must equal them), the split
recomputed from the documented recipe on row numbers, plain numpy statistics, a linear
program that decides (quasi-)separability, and scikit-learn's unpenalised optimum.
"""

import importlib.util
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split

from autograder import datasets
from autograder.datasets import SEED, TASKS, load_task
from autograder.errors import UserError
from autograder.paths import DATA, SOLUTIONS

FILES = {"logistic": "breast_cancer.csv", "linear": "diabetes.csv", "digits": "digits.csv"}


def import_by_path(name: str, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tasks():
    return {name: load_task(name) for name in TASKS}


def raw(name: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The task's CSV, its raw feature matrix (the task's columns) and its y, read with plain pandas."""
    frame = pd.read_csv(DATA / FILES[name])
    task_columns = list(load_task(name).feature_names[1:])
    target = frame["target"].to_numpy(float)
    y = (target % 2 == 0).astype(float) if name == "digits" else target
    return frame, frame[task_columns].to_numpy(float), y


def split_rows(n: int, y: np.ndarray, classification: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row numbers of train/validation/test by the datasheet's recipe, applied to 0..n-1."""
    strat = y if classification else None
    rest, test = train_test_split(np.arange(n), test_size=round(0.2 * n), random_state=SEED, stratify=strat)
    train, val = train_test_split(rest, test_size=round(0.2 * n), random_state=SEED,
                                  stratify=y[rest] if classification else None)
    return train, val, test


def standardised_train(A_raw: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Intercept plus the training rows standardised with their own mean and (population) std."""
    A = A_raw[train]
    return np.column_stack([np.ones(len(A)), (A - A.mean(axis=0)) / A.std(axis=0)])


def separating_margin(X: np.ndarray, y: np.ndarray) -> float:
    """``max Σ_i s_i x_i·w`` subject to ``s_i x_i·w ≥ 0`` for all i and ``|w_j| ≤ 1`` (s = 2y − 1).

    Zero means no direction w classifies every sample correctly or on the boundary while
    getting some strictly right: the classes overlap, and (X having full column rank) the
    logistic MLE is finite (Albert & Anderson, 1984). A positive value is a (quasi-)separating
    direction along which the likelihood keeps rising, so the MLE is at infinity.
    """
    M = (2 * y - 1)[:, None] * X
    result = linprog(-M.sum(axis=0), A_ub=-M, b_ub=np.zeros(len(M)),
                     bounds=[(-1, 1)] * X.shape[1], method="highs")
    assert result.status == 0, result.message
    return -result.fun


def sklearn_mle(X: np.ndarray, y: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Unpenalised logistic MLE by scikit-learn (the intercept is column 0 of X)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs warns when a separable problem never converges
        model = LogisticRegression(C=np.inf, fit_intercept=False, tol=tol, max_iter=100_000)
        return model.fit(X, y).coef_.ravel()


# --- the committed CSVs are scikit-learn's data ---------------------------------------------


@pytest.mark.parametrize("file_name, bunch, names", [
    ("breast_cancer.csv", load_breast_cancer(), [n.replace(" ", "_") for n in load_breast_cancer().feature_names]),
    ("diabetes.csv", load_diabetes(scaled=False),
     ["age", "sex", "bmi", "bp", "s1_tc", "s2_ldl", "s3_hdl", "s4_tch", "s5_ltg", "s6_glu"]),
    ("digits.csv", load_digits(), list(load_digits().feature_names)),
])
def test_csv_equals_sklearn_bundled_data(file_name, bunch, names):
    frame = pd.read_csv(DATA / file_name)
    assert list(frame.columns) == [*names, "target"]
    np.testing.assert_array_equal(frame[names].to_numpy(float), bunch.data)
    np.testing.assert_array_equal(frame["target"].to_numpy(float), bunch.target)


def test_make_data_check_agrees_and_regenerates_identical_files(tmp_path):
    make_data = import_by_path("kit_make_data", DATA / "make_data.py")
    assert make_data.main(["--check"]) == 0
    assert make_data.main(["--out", str(tmp_path)]) == 0
    for file_name in FILES.values():
        assert (tmp_path / file_name).read_bytes() == (DATA / file_name).read_bytes()
    (tmp_path / "digits.csv").write_text((tmp_path / "digits.csv").read_text().replace("\n0,", "\n1,", 1))
    assert make_data.main(["--check", "--out", str(tmp_path)]) == 1


# --- split, stratification, standardisation, intercept --------------------------------------


@pytest.mark.parametrize("name", TASKS)
def test_split_is_60_20_20_and_a_partition_by_the_documented_recipe(tasks, name):
    task = tasks[name]
    _, A_raw, y = raw(name)
    n = len(y)
    train, val, test = split_rows(n, y, task.kind == "classification")
    sizes = [len(task.y_train), len(task.y_val), len(task.y_test)]
    for size, fraction in zip(sizes, (0.6, 0.2, 0.2), strict=True):
        assert abs(size - fraction * n) <= 1
    assert sum(sizes) == n
    np.testing.assert_array_equal(np.sort(np.concatenate([train, val, test])), np.arange(n))
    # The loader's rows are exactly those rows, standardised with the training rows' statistics.
    mean, std = A_raw[train].mean(axis=0), A_raw[train].std(axis=0)
    for X, y_split, rows in [(task.X_train, task.y_train, train), (task.X_val, task.y_val, val),
                             (task.X_test, task.y_test, test)]:
        np.testing.assert_array_equal(y_split, y[rows])
        np.testing.assert_allclose(X[:, 1:], (A_raw[rows] - mean) / std, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", [n for n in TASKS if n != "linear"])
def test_classes_are_stratified(tasks, name):
    task = tasks[name]
    y_all = np.concatenate([task.y_train, task.y_val, task.y_test])
    assert set(np.unique(y_all)) == {0.0, 1.0}
    for y in (task.y_train, task.y_val, task.y_test):
        assert abs(y.sum() - len(y) * y_all.mean()) <= 1


@pytest.mark.parametrize("name", TASKS)
def test_standardised_with_training_statistics_only(tasks, name):
    task = tasks[name]
    train = task.X_train[:, 1:]
    np.testing.assert_allclose(train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(train.std(axis=0), 1, rtol=1e-12)
    for X in (task.X_val, task.X_test):
        features = X[:, 1:]
        # Other rows standardised with train statistics are close to, never exactly, N(0, 1).
        assert np.abs(features.mean(axis=0)).max() > 1e-3
        assert np.abs(features.std(axis=0) - 1).max() > 1e-3
        assert np.abs(features.mean(axis=0)).max() < 0.5


@pytest.mark.parametrize("name", TASKS)
def test_intercept_shapes_and_dtypes(tasks, name):
    task = tasks[name]
    assert task.name == name
    assert task.kind == ("regression" if name == "linear" else "classification")
    assert task.feature_names[0] == "intercept"
    assert len(set(task.feature_names)) == len(task.feature_names)
    for X, y in [(task.X_train, task.y_train), (task.X_val, task.y_val), (task.X_test, task.y_test)]:
        assert X.dtype == np.float64 and y.dtype == np.float64
        assert X.shape == (len(y), len(task.feature_names)) and y.shape == (len(y),)
        np.testing.assert_array_equal(X[:, 0], 1.0)
        assert np.isfinite(X).all() and np.isfinite(y).all()
    assert set(task.defaults) == {"lr", "epochs", "batch_size"}


def test_digits_labels_are_even_one_odd_zero(tasks):
    digit = load_digits().target
    y_all = np.concatenate([tasks["digits"].y_train, tasks["digits"].y_val, tasks["digits"].y_test])
    assert y_all.sum() == np.isin(digit, [0, 2, 4, 6, 8]).sum()
    # Row for row: the split recipe maps each row of the file to its place in the splits.
    train, _, _ = split_rows(len(digit), (digit % 2 == 0).astype(float), classification=True)
    np.testing.assert_array_equal(tasks["digits"].y_train, np.isin(digit[train], [0, 2, 4, 6, 8]))


def test_logistic_labels_keep_sklearn_coding(tasks):
    task = tasks["logistic"]
    y_all = np.concatenate([task.y_train, task.y_val, task.y_test])
    assert y_all.sum() == 357 and len(y_all) - y_all.sum() == 212  # 357 benign (1), 212 malignant (0)


@pytest.mark.parametrize("name", TASKS)
def test_deterministic_and_each_call_has_its_own_arrays(name):
    first = load_task(name)
    first.X_train[:] = np.nan  # a careless caller must not poison the next load
    first.defaults["lr"] = -1.0
    datasets._read_columns.cache_clear()
    again, cached = load_task(name), load_task(name)
    assert again.defaults == cached.defaults != first.defaults
    for attr in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(again, attr), getattr(cached, attr))
    assert np.isfinite(cached.X_train).all()


# --- a finite maximum-likelihood solution ---------------------------------------------------


def test_all_30_breast_cancer_features_are_separable_but_the_subset_is_not(tasks):
    frame, _, y = raw("logistic")
    train, _, _ = split_rows(len(y), y, classification=True)
    all30 = standardised_train(frame.drop(columns="target").to_numpy(float), train)
    assert separating_margin(all30, y[train]) > 1.0
    assert np.abs(sklearn_mle(all30, y[train])).max() > 1e3  # the optimizer walks off to infinity

    task = tasks["logistic"]
    assert separating_margin(task.X_train, task.y_train) < 1e-7
    theta = sklearn_mle(task.X_train, task.y_train)
    assert np.abs(theta).max() < 100
    np.testing.assert_allclose(sklearn_mle(task.X_train, task.y_train, tol=1e-15), theta, atol=1e-8)


def test_all_64_digit_pixels_are_quasi_separable_but_the_48_are_not(tasks):
    frame, _, y = raw("digits")
    train, _, _ = split_rows(len(y), y, classification=True)
    pixels = frame.drop(columns="target").to_numpy(float)
    inked = pixels[train].std(axis=0) > 0  # pixel_0_0 and others are blank in every training image
    assert separating_margin(standardised_train(pixels[:, inked], train), y[train]) > 1.0

    task = tasks["digits"]
    assert np.linalg.matrix_rank(task.X_train) == task.X_train.shape[1]
    assert separating_margin(task.X_train, task.y_train) < 1e-7
    theta = sklearn_mle(task.X_train, task.y_train)
    assert np.abs(theta).max() < 100
    np.testing.assert_allclose(sklearn_mle(task.X_train, task.y_train, tol=1e-15), theta, atol=1e-8)


# --- the defaults reach scikit-learn's optimum ----------------------------------------------


@pytest.fixture(scope="module")
def reference():
    return {name: import_by_path(f"reference_{name}_for_datasets", SOLUTIONS / f"{name}.py")
            for name in ("logistic_regression", "linear_regression")}


def accuracy(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    return float(np.mean((X @ theta > 0) == (y == 1)))


@pytest.mark.parametrize("name, gap_bar, val_samples", [("logistic", 1e-3, 0), ("digits", 1e-3, 1)])
def test_default_hyperparameters_reach_the_logistic_mle(tasks, reference, name, gap_bar, val_samples):
    task, module = tasks[name], reference["logistic_regression"]
    best = sklearn_mle(task.X_train, task.y_train)
    theta, history = module.gradient_descent(task.X_train, task.y_train, **task.defaults)
    gap = history[-1] - module.loss(task.X_train, task.y_train, best)
    assert -1e-9 < gap < gap_bar  # sklearn's θ is the optimum; the defaults get within the bar
    val_gap = abs(accuracy(task.X_val, task.y_val, theta) - accuracy(task.X_val, task.y_val, best))
    assert val_gap * len(task.y_val) <= val_samples + 1e-9


def test_default_hyperparameters_reach_least_squares(tasks, reference):
    task, module = tasks["linear"], reference["linear_regression"]
    best = LinearRegression(fit_intercept=False).fit(task.X_train, task.y_train).coef_
    theta, history = module.gradient_descent(task.X_train, task.y_train, **task.defaults)
    mse_best = np.mean((task.y_train - task.X_train @ best) ** 2)
    assert 2 * history[-1] == pytest.approx(np.mean((task.y_train - task.X_train @ theta) ** 2), rel=1e-12)
    assert 0 <= 2 * history[-1] / mse_best - 1 < 1e-3
    mse_val = [np.mean((task.y_val - task.X_val @ t) ** 2) for t in (theta, best)]
    assert mse_val[0] == pytest.approx(mse_val[1], rel=1e-3)


# --- clear errors for a wrong name or a missing or malformed file ---------------------------


def write_logistic(tmp_path, edit=None, text=None):
    """A copy of breast_cancer.csv in tmp_path, changed by ``edit(frame)`` or replaced by ``text``."""
    path = tmp_path / "breast_cancer.csv"
    if text is not None:
        path.write_text(text)
    else:
        frame = pd.read_csv(DATA / "breast_cancer.csv").astype(object)
        frame = edit(frame) if edit else frame
        frame.to_csv(path, index=False)
    return path


def one_line_error(name, data_dir) -> str:
    with pytest.raises(UserError) as caught:
        load_task(name, data_dir)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_a_copy_in_another_folder_loads_the_same(tmp_path, tasks):
    write_logistic(tmp_path)
    task = load_task("logistic", str(tmp_path))
    np.testing.assert_array_equal(task.X_train, tasks["logistic"].X_train)


def test_unknown_task_names_the_choices():
    message = one_line_error("logistics", None)
    assert "'logistics'" in message and all(name in message for name in TASKS)


def test_missing_file(tmp_path):
    message = one_line_error("linear", tmp_path)
    assert str(tmp_path / "diabetes.csv") in message and "not found" in message


@pytest.mark.parametrize("text, expected", [
    ("", "empty"),
    ("\n\n", "empty"),
    ((DATA / "breast_cancer.csv").read_text().splitlines()[0] + "\n", "no data rows"),
])
def test_empty_file_or_header_only(tmp_path, text, expected):
    path = write_logistic(tmp_path, text=text)
    message = one_line_error("logistic", tmp_path)
    assert str(path) in message and expected in message


def test_ragged_rows_are_not_a_csv(tmp_path):
    lines = (DATA / "breast_cancer.csv").read_text().splitlines()
    lines[3] += ",0.5"
    path = write_logistic(tmp_path, text="\n".join(lines) + "\n")
    message = one_line_error("logistic", tmp_path)
    assert str(path) in message and "not a readable CSV" in message and "line 4" in message


def test_missing_columns_are_named(tmp_path):
    path = write_logistic(tmp_path, lambda f: f.drop(columns=["mean_texture", "target"]))
    message = one_line_error("logistic", tmp_path)
    assert str(path) in message and "missing column(s) mean_texture, target" in message


def test_non_numeric_cell_is_named(tmp_path):
    def edit(frame):
        frame.loc[4, "mean_symmetry"] = "0.2x"
        return frame
    message = one_line_error("logistic", write_logistic(tmp_path, edit).parent)
    assert "'mean_symmetry'" in message and "data row 5" in message and "'0.2x'" in message


def test_empty_and_infinite_cells_are_named(tmp_path):
    def edit(frame):
        frame.loc[0, "mean_radius"] = None
        return frame
    assert "empty cell" in one_line_error("logistic", write_logistic(tmp_path, edit).parent)

    def edit_inf(frame):
        frame.loc[9, "target"] = "inf"
        return frame
    assert "data row 10" in one_line_error("logistic", write_logistic(tmp_path, edit_inf).parent)


def test_target_outside_the_classes_is_refused(tmp_path):
    def edit(frame):
        frame.loc[2, "target"] = 2
        return frame
    message = one_line_error("logistic", write_logistic(tmp_path, edit).parent)
    assert "data row 3" in message and "0 (malignant) or 1 (benign)" in message

    frame = pd.read_csv(DATA / "digits.csv")
    frame.loc[0, "target"] = 10
    frame.to_csv(tmp_path / "digits.csv", index=False)
    assert "a digit 0-9" in one_line_error("digits", tmp_path)


def test_a_single_class_cannot_be_a_classification_task(tmp_path):
    def edit(frame):
        frame["target"] = 1
        return frame
    assert "same class" in one_line_error("logistic", write_logistic(tmp_path, edit).parent)


def test_a_column_constant_on_the_training_split_is_centred_not_divided_by_zero(tmp_path):
    frame = pd.read_csv(DATA / "digits.csv")
    frame["pixel_0_1"] = 3
    frame.to_csv(tmp_path / "digits.csv", index=False)
    task = load_task("digits", tmp_path)
    column = task.feature_names.index("pixel_0_1")
    for X in (task.X_train, task.X_val, task.X_test):
        assert np.isfinite(X).all()
        np.testing.assert_array_equal(X[:, column], 0.0)
