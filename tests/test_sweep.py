"""`autograder.experiments.sweep` and the ``sweep`` verb, against the reference run directly.

Every number of a sweep's table is recomputed here from the reference's own
``gradient_descent`` run in this process (no sandbox), with the reference's ``loss`` and
scikit-learn's metrics; the test split against scikit-learn fitted here; the recorded learning
curves against shorter reference runs (the first k epochs of a run are the run with
``epochs=k``: the generator is made once from the seed); the optimizers' toy paths against the
published end points (Deep Learning from Scratch, ch. 6; shared/research/ml_anchors.md).
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score

from autograder.cli import main
from autograder.datasets import load_task
from autograder.errors import UserError
from autograder.experiments import sweep as sw
from autograder.experiments.grid import Config
from autograder.experiments.trainers import costliest_first
from autograder.paths import ASSIGNMENT, KIT_ROOT, SOLUTIONS

TIGHT = {"rtol": 1e-10, "atol": 1e-12}
METRICS = {"classification": ("loss", "accuracy"), "regression": ("loss", "mse", "r2")}


# -- the oracle: the reference, run here ---------------------------------------------------

def reference_run(ref, task, optimizer: str, lr: float, batch_size, epochs: int, seed: int,
                  hyperparameters: dict | None = None, X=None, y=None):
    """The reference's gradient_descent on the training split, in this process."""
    module = ref.linear_regression if task.kind == "regression" else ref.logistic_regression
    opt = None if optimizer == "step" else getattr(ref.optimizers, optimizer)(lr=lr, **(hyperparameters or {}))
    X = task.X_train if X is None else X
    y = task.y_train if y is None else y
    with np.errstate(all="ignore"):  # diverging runs overflow on purpose
        return module.gradient_descent(X, y, lr=lr, epochs=epochs, batch_size=batch_size, seed=seed, optimizer=opt)


def reference_metrics(ref, task, X, y, theta) -> dict[str, float]:
    """Loss by the reference's ``loss``; accuracy, MSE and R² by scikit-learn (NaN/inf past overflow)."""
    with np.errstate(all="ignore"):
        if task.kind == "classification":
            p = ref.logistic_regression.logistic(X, theta)
            accuracy = accuracy_score(y, (p >= 0.5).astype(float)) if np.all(np.isfinite(p)) else math.nan
            return {"loss": ref.logistic_regression.loss(X, y, theta), "accuracy": accuracy}
        yhat = ref.linear_regression.predict(X, theta)
        if not np.all(np.isfinite(yhat)):  # scikit-learn refuses these; the definitions give:
            mse = float(np.mean((y - yhat) ** 2))
            return {"loss": ref.linear_regression.loss(X, y, theta), "mse": mse, "r2": 1 - mse / np.var(y)}
        return {"loss": ref.linear_regression.loss(X, y, theta), "mse": mean_squared_error(y, yhat),
                "r2": r2_score(y, yhat)}


def sklearn_theta(task) -> np.ndarray:
    if task.kind == "classification":
        model = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=100_000)
    else:
        model = LinearRegression(fit_intercept=False)
    return model.fit(task.X_train, task.y_train).coef_.ravel()


def assert_rows_match_reference(ref, result) -> None:
    """Each row's metrics, status and epochs_to_target equal the reference run's, row by row."""
    task, table = result.task, result.table
    start = reference_metrics(ref, task, task.X_train, task.y_train, np.zeros(task.X_train.shape[1]))["loss"]
    for i, config in enumerate(result.configs):
        row = table.loc[i]
        assert (row["optimizer"], row["lr"], row["epochs"], row["seed"]) == \
            (config.optimizer_label, config.lr, config.epochs, config.seed)
        assert row["batch_size"] == ("full" if config.batch_size is None else config.batch_size)
        theta, history = reference_run(ref, task, config.optimizer, config.lr, config.batch_size, config.epochs,
                                       config.seed, dict(config.hyperparameters))
        np.testing.assert_allclose(result.runs[i].theta, theta, **TIGHT)
        for split, X, y in (("train", task.X_train, task.y_train), ("val", task.X_val, task.y_val)):
            expected = reference_metrics(ref, task, X, y, theta)
            for name in METRICS[task.kind]:
                np.testing.assert_allclose(row[f"{split}_{name}"], expected[name], **TIGHT, err_msg=f"row {i} {split}_{name}")
        reached = [k for k, value in enumerate(history) if value <= result.target_loss]
        assert (pd.isna(row["epochs_to_target"]) if not reached else row["epochs_to_target"] == reached[0]), i
        diverged = not np.all(np.isfinite(theta)) or not math.isfinite(history[-1]) or \
            reference_metrics(ref, task, task.X_train, task.y_train, theta)["loss"] > start
        assert row["diverged"] == diverged and row["status"] == ("diverged" if diverged else "ok")
        assert row["wall_time"] > 0


def write_submission(folder: Path, **changes: str) -> Path:
    """The reference modules copied into ``folder``, with code appended to some of them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("logistic_regression", "linear_regression", "optimizers"):
        source = (SOLUTIONS / f"{name}.py").read_text()
        (folder / f"{name}.py").write_text(source + textwrap.dedent(changes.get(name, "")))
    return folder


# -- sweeps shared by several tests --------------------------------------------------------

GRID_LRS = [0.1, 1.0, 5.0, 10.0]


@pytest.fixture(scope="module")
def logistic_sweep():
    # SGD at lr = 5 ends just above its starting loss with seed 0 (below it with seed 3), at lr = 10 far above.
    return sw.sweep(SOLUTIONS, "logistic", lr=GRID_LRS, batch_size=["full", 32, 1], epochs=[12],
                    seed=[0, 3], progress=False, curves=4)


def test_logistic_table_matches_the_reference_run(ref, logistic_sweep):
    table = logistic_sweep.table
    assert len(table) == 4 * 3 * 2
    assert list(table.columns) == ["optimizer", "lr", "batch_size", "epochs", "seed", "status", "diverged",
                                   "train_loss", "val_loss", "train_accuracy", "val_accuracy",
                                   "epochs_to_target", "wall_time"]
    # Grid order: optimizer, batch size, lr, epochs, seed.
    assert list(table["batch_size"][:8]) == ["full"] * 8 and list(table["lr"][:8]) == [0.1, 0.1, 1.0, 1.0, 5.0, 5.0,
                                                                                       10.0, 10.0]
    assert list(table["seed"][:4]) == [0, 3, 0, 3]
    assert_rows_match_reference(ref, logistic_sweep)
    assert list(table["status"][-4:]) == ["diverged", "ok", "diverged", "diverged"]  # SGD at lr = 5 and 10
    assert 1 < table["train_loss"].iloc[-4] / math.log(2) < 1.5


def test_target_is_one_percent_above_sklearns_optimum(ref, logistic_sweep):
    task = logistic_sweep.task
    optimum = ref.logistic_regression.loss(task.X_train, task.y_train, sklearn_theta(task))
    np.testing.assert_allclose(logistic_sweep.optimum_loss, optimum, rtol=1e-9)
    np.testing.assert_allclose(logistic_sweep.target_loss, 1.01 * optimum, rtol=1e-9)


def test_best_is_the_lowest_validation_loss_and_only_it_meets_the_test_split(ref, logistic_sweep):
    table, result = logistic_sweep.table, logistic_sweep
    ok = table[table["status"] == "ok"]
    assert result.best.name == ok["val_loss"].idxmin()
    assert result.best["val_loss"] == ok["val_loss"].min()
    task = result.task
    best = result.best_config
    theta, _ = reference_run(ref, task, best.optimizer, best.lr, best.batch_size, best.epochs, best.seed)
    test = result.test
    assert list(test.columns) == ["test_loss", "test_accuracy"] and len(test) == 2
    expected = reference_metrics(ref, task, task.X_test, task.y_test, theta)
    np.testing.assert_allclose(test.iloc[0].to_numpy(dtype=float), [expected["loss"], expected["accuracy"]], **TIGHT)
    assert best.describe() in test.index[0]
    fitted = reference_metrics(ref, task, task.X_test, task.y_test, sklearn_theta(task))
    np.testing.assert_allclose(test.iloc[1].to_numpy(dtype=float), [fitted["loss"], fitted["accuracy"]], rtol=1e-8)
    assert "scikit-learn" in test.index[1]
    text = result.summary()
    assert f"best by validation loss: row {result.best.name}: {best.describe()}" in text
    assert "test split (evaluated once" in text


def test_learning_curves_record_the_same_trajectory(ref, logistic_sweep):
    """The recorded θ after epoch k is the reference's θ after a k-epoch run with the same seed."""
    task = logistic_sweep.task
    recorded = [i for i, run in enumerate(logistic_sweep.runs) if isinstance(run.thetas, list)]
    ok = logistic_sweep.table[logistic_sweep.table["status"] == "ok"].sort_values("val_loss", kind="stable")
    assert sorted(recorded) == sorted(ok.index[:4])  # the 4 best by validation loss
    for i in recorded[:2]:
        config, thetas = logistic_sweep.configs[i], logistic_sweep.runs[i].thetas
        assert len(thetas) == config.epochs + 1
        for k in (0, 1, 5, config.epochs):
            theta, _ = reference_run(ref, task, config.optimizer, config.lr, config.batch_size, k, config.seed)
            np.testing.assert_allclose(thetas[k], theta, **TIGHT)


def test_same_grid_and_seed_give_the_same_table_with_any_number_of_jobs(logistic_sweep):
    again = sw.sweep(SOLUTIONS, "logistic", lr=GRID_LRS, batch_size=["full", 32, 1], epochs=[12],
                     seed=[0, 3], progress=False, curves=0, jobs=2)
    pd.testing.assert_frame_equal(again.table.drop(columns="wall_time"),
                                  logistic_sweep.table.drop(columns="wall_time"), check_exact=True)


def test_linear_task_with_optimizers_matches_the_reference(ref):
    result = sw.sweep(SOLUTIONS, "linear", lr=[0.05], batch_size=[16, "full"], epochs=[8],
                      optimizer=["step", "Momentum(momentum=0.5)", "adam(lr=0.5, beta1=0.8)"], progress=False, curves=0)
    table = result.table
    assert list(table.columns[7:13]) == ["train_loss", "val_loss", "train_mse", "val_mse", "train_r2", "val_r2"]
    assert list(table["optimizer"]) == ["step", "step", "Momentum(momentum=0.5)", "Momentum(momentum=0.5)",
                                        "Adam(beta1=0.8)", "Adam(beta1=0.8)"]
    assert list(table["lr"]) == [0.05, 0.05, 0.05, 0.05, 0.5, 0.5]  # Adam's own lr beats the grid's
    assert_rows_match_reference(ref, result)
    assert set(result.figures) == {"learning_curves", "batch_sizes", "optimizers"}


def test_default_lr_gives_each_optimizer_its_contract_default(ref):
    result = sw.sweep(SOLUTIONS, "digits", lr="default", batch_size=128, epochs=2,
                      optimizer=["step", *sw.SIX], progress=False, curves=0)
    defaults = {name: getattr(ref.optimizers, name)().lr for name in sw.SIX}
    assert dict(zip(result.table["optimizer"], result.table["lr"])) == \
        {"step": load_task("digits").defaults["lr"], **defaults}
    assert_rows_match_reference(ref, result)


def test_divergence_is_reported_not_raised(ref):
    # L = λmax(XᵀX)/n ≈ 4.19 on the diabetes training split: BGD diverges above lr = 2/L ≈ 0.48;
    # at lr = 5 the error grows ~20-fold per epoch (20^237 > 1e308), so θ overflows to inf, then NaN.
    with np.errstate(all="raise"):  # no warning may escape the parent's metrics or plots either
        result = sw.sweep(SOLUTIONS, "linear", lr=[0.2, 0.6, 5.0], batch_size="full", epochs=[300],
                          progress=False, curves=3)
    table = result.table
    assert list(table["status"]) == ["ok", "diverged", "diverged"]
    assert not np.all(np.isfinite(result.runs[2].theta))
    assert_rows_match_reference(ref, result)
    assert result.best.name == 0


# -- submissions that misbehave ------------------------------------------------------------

MISBEHAVING = """

_original = gradient_descent


def gradient_descent(X, y, lr=0.1, epochs=100, batch_size=None, seed=0, theta0=None, optimizer=None):
    if batch_size == 1:
        raise RuntimeError("no SGD today")
    if batch_size == 2:
        import os
        os._exit(3)
    if batch_size == 3:
        while True:
            pass
    if batch_size == 4:
        return "theta", [0.0]
    if batch_size == 5:
        return np.full(X.shape[1], np.nan), [float("nan")] * (epochs + 1)
    return _original(X, y, lr, epochs, batch_size, seed, theta0, optimizer)
"""


@pytest.mark.slow
def test_configurations_that_crash_say_so_and_the_rest_completes(ref, tmp_path):
    folder = write_submission(tmp_path / "sub", logistic_regression=MISBEHAVING)
    result = sw.sweep(folder, "logistic", lr=[0.5], batch_size=[1, 2, 3, 4, 5, 32, "full"], epochs=[5],
                      progress=False, timeout=3, curves=0, jobs=2)
    status = list(result.table["status"])
    assert status[0].startswith("failed: gradient_descent raised RuntimeError: no SGD today")
    assert status[1].startswith("failed: gradient_descent") and "exited (code 3)" in status[1]
    assert status[2].startswith("failed: gradient_descent did not finish within 3 s")
    assert status[3] == "failed: gradient_descent returned theta as str; expected an array of shape (5,)"
    assert status[4:] == ["diverged", "ok", "ok"]
    failed = result.table.iloc[:4]
    assert failed[["train_loss", "val_loss", "train_accuracy", "val_accuracy"]].isna().all().all()
    assert not failed["diverged"].any()
    for i in (5, 6):
        config = result.configs[i]
        theta, _ = reference_run(ref, result.task, "step", config.lr, config.batch_size, config.epochs, config.seed)
        np.testing.assert_allclose(result.runs[i].theta, theta, **TIGHT)
    assert result.best.name in (5, 6)


def test_a_history_computed_without_loss_gives_no_validation_curve(ref, tmp_path):
    inline = """

    def gradient_descent(X, y, lr=0.1, epochs=100, batch_size=None, seed=0, theta0=None, optimizer=None):
        theta = np.zeros(X.shape[1])
        history = [float(np.mean(np.logaddexp(0, X @ theta) - y * (X @ theta)))]
        for _ in range(epochs):
            theta = theta - lr * gradients(X, y, theta)
            history.append(float(np.mean(np.logaddexp(0, X @ theta) - y * (X @ theta))))
        return theta, history
    """
    folder = write_submission(tmp_path / "sub", logistic_regression=inline)
    result = sw.sweep(folder, "logistic", lr=[1.0], batch_size="full", epochs=[6], progress=False)
    assert result.table.loc[0, "status"] == "ok"
    assert_rows_match_reference(ref, result)
    assert "called loss 0 times" in result.runs[0].thetas


BLANK_GD = """

def gradient_descent(X, y, lr=0.1, epochs=100, batch_size=None, seed=0, theta0=None, optimizer=None):
    raise NotImplementedError("gradient_descent: walk the batches")
"""

BLANK_ADAM = """

class Adam(Adam):
    def update(self, params, grads):
        raise NotImplementedError("Adam.update")
"""


def test_blank_code_is_a_one_line_error(tmp_path):
    folder = write_submission(tmp_path / "gd", logistic_regression=BLANK_GD)
    with pytest.raises(UserError, match=r"logistic_regression\.py is not finished: gradient_descent.*"
                                        r"NotImplementedError.*solutions/") as caught:
        sw.sweep(folder, "logistic", epochs=2, progress=False)
    assert "\n" not in str(caught.value)
    folder = write_submission(tmp_path / "adam", optimizers=BLANK_ADAM)
    with pytest.raises(UserError, match=r"optimizers\.py is not finished: Adam\.update still raises"):
        sw.sweep(folder, "logistic", optimizer=["step", "Adam"], epochs=2, progress=False)
    # Without Adam in the grid the same submission sweeps.
    assert sw.sweep(folder, "logistic", optimizer="Momentum", epochs=2, progress=False, curves=0).best is not None


@pytest.mark.slow
@pytest.mark.skipif(not (ASSIGNMENT / "logistic_regression.py").is_file(), reason="assignment/ is not generated")
def test_the_generated_skeleton_is_refused_in_one_line():
    process = subprocess.run([sys.executable, "-m", "autograder", "sweep", str(ASSIGNMENT), "-q", "--epochs", "2"],
                             capture_output=True, text=True, cwd=KIT_ROOT, timeout=300)
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not finished" in lines[0] and "NotImplementedError" in lines[0], process.stderr


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"task": "regression"}, r"^task: unknown task 'regression'; accepted: logistic, linear, digits$"),
    ({"optimizer": "AdamW"}, r"^optimizer: unknown optimizer 'AdamW'; accepted: step, SGD, .*Adam\(lr=0.01"),
    ({"optimizer": "Adam(beta=0.5)"}, r"Adam has no hyperparameter 'beta'; accepted: lr=<number>, beta1="),
    ({"optimizer": "Adam(lr=fast)"}, r"Adam's lr must be a finite number, got 'fast'"),
    ({"optimizer": "step(lr=1)"}, r"step takes no hyperparameters"),
    ({"lr": []}, r"^lr: the grid is empty; give at least one value \(accepted: positive numbers"),
    ({"batch_size": []}, r"^batch_size: the grid is empty"),
    ({"epochs": []}, r"^epochs: the grid is empty"),
    ({"optimizer": []}, r"^optimizer: the grid is empty"),
    ({"seed": []}, r"^seed: the grid is empty"),
    ({"lr": ["0.1", "fast"]}, r"^lr: 'fast' is not a number; accepted: positive numbers such as 0.1"),
    ({"lr": [0.1, -1]}, r"^lr: -1 is not a positive, finite number"),
    ({"lr": [True]}, r"^lr: True is not a number"),
    ({"batch_size": [0]}, r"^batch_size: 0 is not accepted; accepted: positive integers \(1 = SGD"),
    ({"batch_size": ["2.5"]}, r"^batch_size: '2.5' is not accepted"),
    ({"epochs": [0]}, r"^epochs: 0 is not accepted; accepted: positive integers$"),
    ({"seed": [-1]}, r"^seed: -1 is not accepted; accepted: integers ≥ 0$"),
    ({"jobs": 0}, r"^jobs: 0 is not accepted; accepted: a positive integer, or -1"),
    ({"target_loss": -1}, r"^target_loss: -1 is not accepted; accepted: a positive number$"),
    ({"submission": "/nonexistent/folder"}, r"no such file or folder; give a submission"),
])
def test_bad_input_is_a_one_line_error_naming_what_is_accepted(kwargs, message):
    kwargs = {"submission": SOLUTIONS, **kwargs}
    with pytest.raises(UserError, match=message) as caught:
        sw.sweep(progress=False, **kwargs)
    assert "\n" not in str(caught.value)


def test_a_folder_without_the_module_is_refused(tmp_path):
    (tmp_path / "optimizers.py").write_text((SOLUTIONS / "optimizers.py").read_text())
    with pytest.raises(UserError, match=r"linear_regression\.py not found, and this sweep needs it; accepted: a folder"):
        sw.sweep(tmp_path, "linear", progress=False)


def test_grid_values_parse_from_the_command_line_strings():
    task = load_task("logistic")
    configs = sw.build_grid(task, lr=["1e-2", "default"], batch_size=["full", "32"], epochs=["5"],
                            optimizer=["step", "Momentum(momentum=0.5)", "SGD(lr=0.3)"], seed=["0"])
    labels = [(c.optimizer_label, c.lr, c.batch_size) for c in configs]
    # Momentum's default lr is 0.01, the same as the grid's 1e-2: identical configurations are kept once;
    # SGD(lr=0.3) ignores the lr grid, so it appears once per batch size.
    assert labels == [("step", 0.01, None), ("step", 1.0, None), ("step", 0.01, 32), ("step", 1.0, 32),
                      ("Momentum(momentum=0.5)", 0.01, None), ("Momentum(momentum=0.5)", 0.01, 32),
                      ("SGD", 0.3, None), ("SGD", 0.3, 32)]


# -- the command line ----------------------------------------------------------------------

def test_the_verb_prints_the_table_and_writes_the_csv(ref, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["sweep", str(SOLUTIONS), "--task", "linear", "--lr", "0.1", "0.3", "--batch-size", "full", "16",
                 "--epochs", "10", "--out", str(out), "-q", "--curves", "2"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "best by validation loss: row" in printed and "scikit-learn (LinearRegression)" in printed
    table = pd.read_csv(out / "sweep.csv", index_col="row")
    assert len(table) == 4 and list(table["batch_size"].astype(str)) == ["full", "full", "16", "16"]
    task = load_task("linear")
    for i, (lr, size) in enumerate([(0.1, None), (0.3, None), (0.1, 16), (0.3, 16)]):
        theta, _ = reference_run(ref, task, "step", lr, size, 10, 0)
        expected = reference_metrics(ref, task, task.X_val, task.y_val, theta)
        np.testing.assert_allclose(table.loc[i, ["val_loss", "val_mse", "val_r2"]].to_numpy(dtype=float),
                                   [expected["loss"], expected["mse"], expected["r2"]], rtol=1e-12)
        assert f"{table.loc[i, 'val_mse']:.4g}" in printed
    test = pd.read_csv(out / "test.csv", index_col="model")
    assert list(test.columns) == ["test_loss", "test_mse", "test_r2"]
    assert {p.name for p in out.iterdir()} == {"sweep.csv", "test.csv", "learning_curves.png", "batch_sizes.png",
                                               "learning_rates.png"}


def test_the_verb_reports_bad_input_in_one_line(capsys):
    assert main(["sweep", str(SOLUTIONS), "--optimizer", "Adamax", "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: optimizer: unknown optimizer 'Adamax'; accepted: step, SGD")


# -- the toy paths -------------------------------------------------------------------------

# End points after 30 steps from (−7, 2), checked against torch where their rules agree
# (shared/research/ml_anchors.md, "Golden toy trajectory"; Adam with ε outside √v̂, as torch).
PUBLISHED = {"SGD": (-0.350393, 0.084782), "Momentum": (0.896414, 0.088086), "Nesterov": (0.689615, -0.000680),
             "AdaGrad": (-0.120162, 0.0), "RMSprop": (-0.697420, 0.0), "Adam": (0.136015, 0.318245)}


def test_toy_paths_end_where_the_published_paths_end(tmp_path):
    paths = sw.toy_paths(SOLUTIONS)
    assert list(paths) == list(PUBLISHED)
    for name, end in PUBLISHED.items():
        assert paths[name].shape == (31, 2)
        np.testing.assert_array_equal(paths[name][0], [-7.0, 2.0])
        np.testing.assert_allclose(paths[name][-1], end, atol=2e-6, err_msg=name)
    # A broken optimizer gives a reason, not a crash, and the others still run.
    folder = write_submission(tmp_path / "sub", optimizers=BLANK_ADAM)
    broken = sw.toy_paths(folder, steps=3)
    assert broken["Adam"] == "Adam is not implemented yet (it still raises NotImplementedError)"
    np.testing.assert_allclose(broken["SGD"], paths["SGD"][:4], **TIGHT)


def test_the_numbers_never_come_from_the_solutions_folder(ref, tmp_path, monkeypatch):
    """A student bundle has no solutions/: a sweep of a copy must not load the reference."""
    import autograder.reference

    def refuse(*args, **kwargs):
        raise AssertionError("the sweep loaded the reference")

    monkeypatch.setattr(autograder.reference, "load_module", refuse)
    folder = write_submission(tmp_path / "copy")
    result = sw.sweep(folder, "logistic", lr=[1.0], batch_size=[64], epochs=[4], progress=False, curves=1)
    monkeypatch.undo()
    assert_rows_match_reference(ref, result)
    assert isinstance(result.runs[0].thetas, list)


def test_configurations_are_handed_out_costliest_first():
    configs = [Config("step", 0.1, None, 50, 0),  # BGD: 50 · (1 + 1) = 100
               Config("step", 0.1, 1, 5, 0),  # SGD on 20 rows: 5 · (20 + 1) = 105
               Config("step", 0.1, 8, 20, 0),  # 20 · (3 + 1) = 80
               Config("step", 0.1, 64, 60, 0)]  # a batch above n is BGD: 60 · 2 = 120
    assert costliest_first(configs, n=20) == [3, 1, 0, 2]
