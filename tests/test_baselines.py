"""autograder.grading.baselines: scikit-learn's optimum, fitted once, is the true optimum, and
the reference loop with the course's defaults lands within the hidden tests' tolerances.

If someone changes a task's defaults (lr, epochs) or its features so that the reference no
longer converges, the hidden scikit-learn tests would fail every submission: this catches it.
"""

import shutil

import numpy as np
import pytest
from sklearn.metrics import mean_squared_error, r2_score

from autograder import datasets
from autograder.datasets import TASKS, load_task
from autograder.grading import baselines
from autograder.grading.baselines import baseline, fit_baseline, scores
from autograder.metrics import mean_nll


def test_fitted_once_per_process():
    assert baseline("logistic") is baseline("logistic")


def test_logistic_baseline_is_the_maximum_likelihood_point():
    """The NLL gradient (1/n) Xᵀ(σ(Xθ) − y), written out here, vanishes at sklearn's θ."""
    b = baseline("logistic")
    X, y = b.task.X_train, b.task.y_train
    p = 1 / (1 + np.exp(-(X @ b.theta)))
    assert np.abs(X.T @ (p - y) / len(y)).max() < 1e-6
    assert b.scores["train_nll"] == pytest.approx(mean_nll(X, y, b.theta), rel=1e-12)


def test_linear_baseline_is_the_least_squares_point():
    b = baseline("linear")
    theta = np.linalg.lstsq(b.task.X_train, b.task.y_train, rcond=None)[0]
    np.testing.assert_allclose(b.theta, theta, rtol=1e-9, atol=1e-9)


def test_scores_count_validation_samples():
    b = baseline("logistic")
    assert b.scores["val_accuracy"] == b.scores["val_correct"] / len(b.task.y_val)
    assert scores(b.task, b.theta) == b.scores


def test_reference_with_defaults_meets_the_hidden_tolerances(ref):
    """The margins the hidden tests rely on (RUBRIC.md): NLL 1e-3, one sample, 1e-3 relative."""
    b = baseline("logistic")
    theta, _ = ref.logistic_regression.gradient_descent(b.task.X_train, b.task.y_train, **b.task.defaults)
    got = scores(b.task, theta)
    assert abs(got["train_nll"] - b.scores["train_nll"]) < 1e-3 / 5
    assert abs(got["val_correct"] - b.scores["val_correct"]) <= 1
    b = baseline("linear")
    theta, _ = ref.linear_regression.gradient_descent(b.task.X_train, b.task.y_train, **b.task.defaults)
    got = scores(b.task, theta)
    for key in ("val_mse", "val_r2"):
        assert abs(got[key] - b.scores[key]) / abs(b.scores[key]) < 1e-3 / 3, key


# -- the recording (what a grader reads instead of importing scikit-learn and fitting) ------

@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """A fresh recording of every task, made here (the kit's own may be missing or stale)."""
    return baselines.record_baselines(tmp_path_factory.mktemp("recorded") / "baselines.npz")


@pytest.mark.parametrize("name", TASKS)
def test_recorded_baseline_equals_a_live_fit(recording, name):
    """Read back, a task's splits, θ and scores are bit for bit what loading and fitting now give."""
    baselines._recorded.cache_clear()
    recorded, live = baselines._recorded(recording)[name], fit_baseline(name)
    task = load_task(name)
    for split in baselines.SPLITS:
        np.testing.assert_array_equal(getattr(recorded.task, split), getattr(task, split), err_msg=split)
    assert (recorded.task.kind, recorded.task.feature_names, recorded.task.defaults) == \
        (task.kind, task.feature_names, task.defaults)
    np.testing.assert_array_equal(recorded.theta, live.theta)
    assert recorded.scores == live.scores == scores(task, live.theta)


def test_the_kits_recording_is_fresh_and_used():
    """``release`` keeps the kit's recording in step with its data and code (``release --check``
    says when it is not); ``baseline`` then reads it, and it matches a live fit."""
    assert baselines.recording_state() is None, "run: python -m autograder release"
    baseline.cache_clear()
    assert baseline("linear") is baselines._recorded(baselines.RECORDING)["linear"]
    np.testing.assert_allclose(baseline("linear").theta, fit_baseline("linear").theta, rtol=1e-12, atol=1e-12)


def test_a_changed_data_file_makes_the_recording_fail_loudly(recording, tmp_path, monkeypatch):
    """One changed cell in one task's CSV: the fingerprint differs and reading the recording
    raises, naming the file and the command that records it again."""
    original = datasets.data_path("linear")
    changed = tmp_path / original.name
    shutil.copyfile(original, changed)
    lines = changed.read_text().splitlines()
    cells = lines[1].split(",")
    cells[0] = repr(float(cells[0]) + 1e-3)
    changed.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    real = datasets.data_path
    monkeypatch.setattr(datasets, "data_path", lambda name, data_dir=None: changed if name == "linear"
                        else real(name, data_dir))
    baselines._recorded.cache_clear()
    with pytest.raises(baselines.StaleRecording, match="python -m autograder release") as raised:
        baselines._recorded(recording)
    assert str(recording) in str(raised.value)
    assert baselines.recording_state(recording) == "out of date"
    baselines._recorded.cache_clear()


def test_changed_fitting_code_makes_the_recording_fail_loudly(recording, tmp_path, monkeypatch):
    """The code that splits and fits is part of the fingerprint: an edited copy of it is stale."""
    edited = tmp_path / "baselines.py"
    edited.write_text(open(baselines.__file__).read().replace("tol=1e-12", "tol=1e-10"))
    monkeypatch.setattr(baselines, "__file__", str(edited))
    baselines._recorded.cache_clear()
    with pytest.raises(baselines.StaleRecording):
        baselines._recorded(recording)
    baselines._recorded.cache_clear()


def test_a_damaged_recording_fails_loudly(recording, tmp_path):
    damaged = tmp_path / "baselines.npz"
    damaged.write_bytes(recording.read_bytes()[: len(recording.read_bytes()) // 2])
    with pytest.raises(baselines.StaleRecording, match="damaged"):
        baselines._recorded(damaged)
    assert baselines.recording_state(tmp_path / "absent.npz") == "missing"


def test_regression_scores_match_scikit_learns_metrics(linear_task):
    """`scores` computes MSE and R² with numpy (no scikit-learn import in a grader)."""
    theta = np.random.default_rng(0).standard_normal(linear_task.X_train.shape[1])
    got = scores(linear_task, theta)
    pred_val = linear_task.X_val @ theta
    assert got["val_mse"] == pytest.approx(mean_squared_error(linear_task.y_val, pred_val), rel=1e-12)
    assert got["val_r2"] == pytest.approx(r2_score(linear_task.y_val, pred_val), rel=1e-12)
    assert got["train_mse"] == pytest.approx(
        mean_squared_error(linear_task.y_train, linear_task.X_train @ theta), rel=1e-12)
