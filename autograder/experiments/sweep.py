"""Hyperparameter sweeps: run a submission's own ``gradient_descent`` over a grid, in the sandbox.

A sweep takes a submission (its three modules), a task (`autograder.datasets`) and one grid per
hyperparameter, runs every configuration of the grid through the submission's
``gradient_descent`` on the training split, and returns a table with one row per configuration.

What runs where
---------------
The submission's code runs in the same sandbox as grading, and it is the submission's code
alone: its ``gradient_descent``, the ``loss``/``gradients``/``step`` it calls and its optimizer
classes (nothing is swapped for a reference in the table's runs). The child returns
``(theta, history)``; every number in the table is then computed here, by trusted code, from
the θ it returned: the loss (mean NLL, or ``½ MSE`` for the linear task), accuracy (``p ≥ 0.5``,
i.e. ``z = x·θ ≥ 0``) or MSE and ``R² = 1 − SS_res / SS_tot``, on the training and the
validation split. Only ``epochs_to_target`` reads the submission's own ``history`` (its
``loss`` after each epoch): the first epoch ``k`` with ``history[k] ≤ target_loss``.

A run has *diverged* when its θ or history is not finite, or when its training loss ends above
the loss at θ = 0 where it started (a step too large for the valley); it is reported, never
raised. A configuration whose code raises, crashes, hangs or returns something malformed gives
a row whose ``status`` says so (``failed: ...``), and the rest of the sweep goes on.

The validation curve
--------------------
``gradient_descent`` returns only the final θ, and running it epoch by epoch would draw a
different permutation sequence, so the per-epoch validation loss of the learning curves comes
from a second, *recording* run of the same configuration (at most ``curves`` of them, the best
by validation loss): the submission's ``loss`` is swapped, for that run only, for a callback
that records the θ it is asked about (the contract calls ``loss`` on the training data at the
start and after every epoch) and answers with the trusted loss. Gradients, steps and optimizer
are still the submission's, so the trajectory is the one the table measured; the recording is
used only if it holds exactly ``epochs + 1`` θ and ends at the table run's θ, bit for bit.

Selection
---------
The best configuration is the ``ok`` row with the lowest validation loss (the first one on a
tie); only it is evaluated on the test split, once, beside scikit-learn's exact model fitted on
the same training split (`autograder.grading.baselines`). The same grid and seeds give the same
table, whatever ``jobs`` is (only ``wall_time`` differs).

Speed
-----
Configurations go through a few long-lived children (`autograder.experiments.trainers`):
``jobs`` sandboxes here, or, with ``scheduler``, one per chunk of the grid on each worker of
a Dask cluster (`autograder.experiments.cluster`), so no configuration pays for a process start.

The grid's parsing is `autograder.experiments.grid`, the trusted metrics
`autograder.experiments.metrics`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from autograder import validation
from autograder.datasets import TASKS, Task, load_task
from autograder.errors import UserError
from autograder.experiments.grid import DEFAULT_LR, SIX, STEP, Config, build_grid
from autograder.experiments.metrics import evaluate, loss_name, metric_names
from autograder.experiments.toy import TOY_SETTINGS, TOY_STEPS
from autograder.experiments.trainers import LocalPool, Run, Trainer, sweep_limits, toy_paths_of
from autograder.grading.baselines import baseline
from autograder.i18n import text
from autograder.submission import read_submission

MODULE_OF = {"logistic": "logistic_regression", "digits": "logistic_regression", "linear": "linear_regression"}
TARGET_FACTOR = 1.01  # default target: 1 % above scikit-learn's optimum of the training loss
__all__ = ["SIX", "TOY_SETTINGS", "build_grid", "compare_optimizers", "sweep", "toy_paths"]


def _read_sources(submission: str | Path, needed: set[str]) -> tuple[dict[str, bytes], str]:
    path = Path(submission).expanduser()
    if not path.exists():
        raise UserError(f"{path}: no such file or folder; give a submission: a folder holding the three modules, "
                        "a notebook (.ipynb) that writes them, or a .zip")
    read = read_submission(path)
    if read.problem:
        raise UserError(f"{path}: {read.problem}")
    missing = sorted(needed - set(read.sources))
    if missing:
        raise UserError(f"{path}: {', '.join(f'{m}.py' for m in missing)} not found, and this sweep needs it; "
                        "accepted: a folder holding the modules, a notebook whose %%writefile cells write them, or a .zip")
    return read.sources, str(path)


def _jobs(jobs, configurations: int) -> int:
    return max(1, min(validation.jobs(jobs, "jobs"), configurations))


# -- the result ----------------------------------------------------------------------------

@dataclass
class SweepResult:
    """What a sweep gives back.

    Attributes
    ----------
    table : DataFrame, one row per configuration (see `sweep`)
    best : Series or None, the table's row with the lowest validation loss among ``ok`` rows
    test : DataFrame or None, the best θ and scikit-learn's on the test split (once)
    figures : dict of name -> matplotlib Figure
    files : dict of name -> Path, what was written (empty without ``out``)
    runs : list of `Run`, aligned with the table (θ, history, recording)
    """

    task: Task
    submission: str
    configs: list[Config]
    table: pd.DataFrame
    runs: list[Run]
    target_loss: float
    optimum_loss: float
    best: pd.Series | None = None
    test: pd.DataFrame | None = None
    figures: dict = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    toy_paths: dict[str, np.ndarray | str] = field(default_factory=dict)

    @property
    def best_config(self) -> Config | None:
        return None if self.best is None else self.configs[int(self.best.name)]

    def summary(self, lang: str = "en") -> str:
        """The table, the best configuration and the test evaluation, as printable text in ``lang``
        (a language of `autograder.i18n`; the table's columns and statuses stay as the data has them)."""
        t = self.task
        lines = [text("sweep.task", lang, task=t.name, train=len(t.y_train), validation=len(t.y_val),
                      test=len(t.y_test), submission=self.submission),
                 text("sweep.target", lang, target=self.target_loss, loss=loss_name(t.kind),
                      optimum=self.optimum_loss), "",
                 _readable(self.table), ""]
        if self.best is None:
            lines.append(text("sweep.none", lang))
        else:
            lines += [text("sweep.best", lang, row=self.best.name, config=self.best_config.describe()),
                      text("sweep.test", lang),
                      self.test.to_string(float_format=lambda v: f"{v:.4g}")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        best = "none" if self.best is None else self.best_config.describe()
        return f"<SweepResult {self.task.name}: {len(self.table)} configurations, best: {best}>"


def _readable(table: pd.DataFrame) -> str:
    view = table.copy()
    view["status"] = view["status"].map(lambda s: s if len(s) <= 70 else s[:67] + "...")
    formats = {c: (lambda v: "" if pd.isna(v) else f"{v:.4g}") for c in view.columns
               if view[c].dtype.kind == "f" and c != "wall_time"}
    formats["wall_time"] = lambda v: f"{v:.3f}s"
    return view.to_string(formatters=formats)


def _table(task: Task, configs: list[Config], runs: list[Run], target: float) -> pd.DataFrame:
    names = metric_names(task.kind)
    start = evaluate(task.kind, task.X_train, task.y_train, np.zeros(task.X_train.shape[1]))["loss"]
    rows = []
    for config, run in zip(configs, runs):
        row = {"optimizer": config.optimizer_label, "lr": config.lr, "batch_size": config.batch_label,
               "epochs": config.epochs, "seed": config.seed}
        if run.error:
            row.update(status=f"failed: {run.error}", diverged=False)
            row.update({f"{split}_{m}": math.nan for m in names for split in ("train", "val")})
            row.update(epochs_to_target=None)
        else:
            train = evaluate(task.kind, task.X_train, task.y_train, run.theta)
            val = evaluate(task.kind, task.X_val, task.y_val, run.theta)
            finite = bool(np.all(np.isfinite(run.theta)) and np.all(np.isfinite(run.history)))
            diverged = not finite or not math.isfinite(train["loss"]) or train["loss"] > start
            row.update(status="diverged" if diverged else "ok", diverged=diverged)
            for m in names:
                row[f"train_{m}"], row[f"val_{m}"] = train[m], val[m]
            reached = np.flatnonzero(run.history <= target)
            row.update(epochs_to_target=int(reached[0]) if reached.size else None)
        row["wall_time"] = run.seconds
        rows.append(row)
    table = pd.DataFrame(rows)
    table["batch_size"] = table["batch_size"].astype(object)
    table["epochs_to_target"] = table["epochs_to_target"].astype("Int64")
    order = ["optimizer", "lr", "batch_size", "epochs", "seed", "status", "diverged"]
    order += [f"{split}_{m}" for m in names for split in ("train", "val")]
    return table[order + ["epochs_to_target", "wall_time"]]


def _best_index(table: pd.DataFrame) -> int | None:
    ok = table[table["status"] == "ok"]
    if ok.empty or ok["val_loss"].isna().all():
        return None
    return int(ok["val_loss"].idxmin())


def _test_evaluation(task: Task, theta: np.ndarray, config: Config, baseline_theta: np.ndarray) -> pd.DataFrame:
    model = "LogisticRegression, unpenalised" if task.kind == "classification" else "LinearRegression"
    rows = {f"best ({config.describe()})": evaluate(task.kind, task.X_test, task.y_test, theta),
            f"scikit-learn ({model})": evaluate(task.kind, task.X_test, task.y_test, baseline_theta)}
    return pd.DataFrame(rows).T.add_prefix("test_")


# -- the sweep -----------------------------------------------------------------------------

def sweep(submission: str | Path = ".", task: str = "logistic", lr=None, batch_size=None, epochs=None,
          optimizer=None, seed=None, *, jobs: int = 1, out: str | Path | None = None,
          target_loss: float | None = None, curves: int = 12, paths: bool = False,
          timeout: float = 300.0, progress: bool = True, scheduler: str | None = None,
          runner=None) -> SweepResult:
    """Run every configuration of the grid through the submission's ``gradient_descent``.

    Parameters
    ----------
    submission : folder holding the modules, notebook or zip (``"."``: the notebook's own folder,
        where its ``%%writefile`` cells wrote them); ``solutions/`` works too
    task : ``"logistic"`` (breast cancer), ``"linear"`` (diabetes) or ``"digits"`` (even vs odd)
    lr, batch_size, epochs, optimizer, seed : a value or a list of values each; None is the task's
        default. ``lr`` takes numbers or ``"default"``; ``batch_size`` integers or ``"full"``/None;
        ``optimizer`` ``"step"`` or a class name with optional hyperparameters,
        ``"Momentum(momentum=0.5)"`` (the lr grid feeds its ``lr`` unless it sets one)
    jobs : children running at once (-1: one per core); 1 with ``scheduler``
    out : folder to write ``sweep.csv``, ``test.csv`` and one PNG per figure into (None: nothing)
    target_loss : training loss whose first epoch is ``epochs_to_target``; default 1 % above
        scikit-learn's optimum on the training split
    curves : most configurations given learning curves (re-run with recording; 0 for none)
    paths : also draw the submission's six optimizers on ``f(x, y) = x²/20 + y²``
    timeout : wall-time limit of one configuration, in seconds
    progress : show a progress bar
    scheduler : address of a Dask scheduler (``tcp://host:8786``): run the configurations on its
        workers, each in the same sandbox, instead of ``jobs`` sandboxes here; same table
    runner : for benchmarks only: ``runner(sources, callbacks)`` gives a `Student`-like object
        to use instead of one `Sandbox` per worker

    Returns
    -------
    SweepResult
        ``table`` columns: optimizer, lr, batch_size, epochs, seed, status (``ok``, ``diverged``
        or ``failed: <reason>``), diverged, train/val loss and accuracy (classification) or
        loss, MSE and R² (regression), epochs_to_target, wall_time (seconds); ``figures``:
        ``learning_curves`` always, ``batch_sizes``, ``learning_rates`` and ``optimizers`` when
        the grid varies that setting around the best configuration, ``optimizer_paths`` with
        ``paths``.

    Raises
    ------
    UserError
        For an unknown task or optimizer, an empty grid, a bad value, a missing submission or
        module, or code whose blanks still raise NotImplementedError.
    """
    from autograder.experiments import plots

    if task not in TASKS:
        raise UserError(f"task: unknown task {task!r}; accepted: {', '.join(TASKS)}")
    data = load_task(task)
    configs = build_grid(data, lr=lr, batch_size=batch_size, epochs=epochs, optimizer=optimizer, seed=seed)
    if scheduler is not None and jobs != 1:
        raise UserError("-j and --scheduler: choose one (on a cluster, the workers set the parallelism)")
    jobs = _jobs(jobs, len(configs))
    curves = _count("curves", curves)
    if target_loss is not None and not (validation.as_number(target_loss) is not None and validation.as_number(target_loss) > 0):
        raise UserError(f"target_loss: {target_loss!r} is not accepted; accepted: a positive number")
    module = MODULE_OF[data.name]
    needed = {module} | ({"optimizers"} if paths or any(c.optimizer != STEP for c in configs) else set())
    sources, where = _read_sources(submission, needed)

    fitted = baseline(data.name).theta
    optimum = evaluate(data.kind, data.X_train, data.y_train, fitted)["loss"]
    target = float(target_loss) if target_loss is not None else TARGET_FACTOR * optimum
    pool = _pool(scheduler, sources, module, data.kind, sweep_limits(timeout), jobs, runner, progress)
    try:
        pool.preflight(data.X_train[:16], data.y_train[:16], configs, where)
        X, y = data.X_train, data.y_train
        runs = pool.train(X, y, configs, record=False, label="sweep")
        table = _table(data, configs, runs, target)
        chosen = _curve_indices(table, curves)
        recorded = pool.train(X, y, [configs[i] for i in chosen], record=True, label="learning curves")
        toy = pool.toy_paths(TOY_STEPS) if paths else {}
    finally:
        pool.close()

    best = _best_index(table)
    result = SweepResult(data, where, configs, table, runs, target, optimum, toy_paths=toy)
    if best is not None:
        result.best = table.loc[best]
        result.test = _test_evaluation(data, runs[best].theta, configs[best], fitted)
    for index, again in zip(chosen, recorded):
        runs[index].thetas = _recording(runs[index], again, configs[index])
    result.figures = _figures(result, chosen, plots)
    if out is not None:
        result.files = _write(Path(out), result, plots)
    return result


def _pool(scheduler: str | None, sources: dict[str, bytes], module: str, kind: str, limits, jobs: int, runner,
          progress: bool):
    """Where the configurations run: ``jobs`` sandboxes here, or the Dask cluster at ``scheduler``."""
    if scheduler is None:
        return LocalPool(sources, module, kind, limits, jobs, runner, progress)
    from autograder.experiments.cluster import ClusterPool

    return ClusterPool.connect(scheduler, sources, module, kind, limits, progress)


def _count(name: str, value, minimum: int = 0) -> int:
    return validation.integer(name, value, minimum, f"accepted: an integer ≥ {minimum}")


def _curve_indices(table: pd.DataFrame, most: int) -> list[int]:
    """All runnable configurations if they are few, else the ``most`` best by validation loss."""
    usable = table[~table["status"].str.startswith("failed")]
    if len(usable) > most:
        ranked = usable.assign(rank=usable["status"].ne("ok")).sort_values(["rank", "val_loss"], kind="stable")
        usable = ranked.head(most).sort_index()
    return [int(i) for i in usable.index]


def _recording(run: Run, again: Run, config: Config) -> list[np.ndarray] | str:
    """The recorded θ per epoch if they are the table run's trajectory, else why not."""
    if again.error:
        return f"the recording run failed: {again.error}"
    thetas = again.thetas or []
    if len(thetas) != config.epochs + 1:
        return (f"gradient_descent called loss {len(thetas)} times, not once per epoch plus once at the "
                f"start ({config.epochs + 1}), so θ per epoch is unknown")
    if not (np.array_equal(thetas[-1], again.theta, equal_nan=True)
            and np.array_equal(again.theta, run.theta, equal_nan=True)):
        return "the recording run did not repeat the table's run exactly"
    return thetas


# -- figures -------------------------------------------------------------------------------

def _figures(result: SweepResult, chosen: list[int], plots) -> dict:
    from autograder.experiments.styles import batch_style, optimizer_style

    task, table, configs, runs = result.task, result.table, result.configs, result.runs
    name = loss_name(task.kind)
    figures = {"learning_curves": plots.learning_curves(
        [_panel(task, configs[i], table.loc[i, "status"], runs[i]) for i in chosen],
        title=f"Learning curves on the {task.name} task ({len(chosen)} of {len(table)} configurations)",
        loss_name=name)}
    anchor = _best_index(table)
    if anchor is None:
        usable = [i for i, run in enumerate(runs) if not run.error]
        anchor = usable[0] if usable else None
    if anchor is not None:
        a = configs[anchor]
        n = len(task.y_train)
        same = _neighbours(table, configs, anchor, vary="batch_size")
        if len(same) >= 2:
            lines = [plots.Line(_batch_label(configs[i].batch_size, n), runs[i].history, _note(table, i),
                                batch_style(configs[i].batch_size, n), bool(table.loc[i, "diverged"]))
                     for i in sorted(same, key=lambda i: -(configs[i].batch_size or n + 1))]
            figures["batch_sizes"] = plots.loss_per_epoch(
                lines, title=f"BGD vs SGD vs MGD on {task.name}: {a.optimizer_label}, lr={a.lr:g}, seed={a.seed}",
                loss_name=name)
        same = _neighbours(table, configs, anchor, vary="lr")
        if len(same) >= 2:
            points = _lr_points(table, configs, runs, same)
            figures["learning_rates"] = plots.learning_rate_sweep(
                points, title=f"Learning-rate sweep on {task.name}: {a.optimizer_label}, "
                              f"batch_size={a.batch_label}, {a.epochs} epochs", loss_name=name)
        per_optimizer = _optimizer_rows(table, configs, anchor)
        if len(per_optimizer) >= 2:
            lines = [plots.Line(f"{configs[i].optimizer_label} (lr={configs[i].lr:g})", runs[i].history,
                                _note(table, i), optimizer_style(configs[i].optimizer),
                                bool(table.loc[i, "diverged"])) for i in per_optimizer]
            figures["optimizers"] = plots.loss_per_epoch(
                lines, title=f"Optimizers on {task.name}: batch_size={a.batch_label}, seed={a.seed}",
                loss_name=name)
    if result.toy_paths:
        figures["optimizer_paths"] = plots.optimizer_paths(result.toy_paths, TOY_SETTINGS)
    return figures


def _note(table: pd.DataFrame, index: int) -> str:
    status = table.loc[index, "status"]
    return "" if status == "ok" else status


def _batch_label(size: int | None, n: int) -> str:
    if size is None or size >= n:
        return f"BGD (batch = all {n} rows, 1 update per epoch)"
    updates = math.ceil(n / size)
    return f"SGD (batch = 1, {updates} updates per epoch)" if size == 1 else \
        f"MGD (batch = {size}, {updates} updates per epoch)"


def _panel(task: Task, config: Config, status: str, run: Run):
    from autograder.experiments.plots import Panel

    if isinstance(run.thetas, str) or run.thetas is None:
        return Panel(config.describe(), run.history, None, status,
                     note=run.thetas if isinstance(run.thetas, str) else "")
    train = np.array([evaluate(task.kind, task.X_train, task.y_train, t)["loss"] for t in run.thetas])
    val = np.array([evaluate(task.kind, task.X_val, task.y_val, t)["loss"] for t in run.thetas])
    return Panel(config.describe(), train, val, status)


def _neighbours(table: pd.DataFrame, configs: list[Config], anchor: int, vary: str) -> list[int]:
    """Rows that differ from the anchor in ``vary`` only and have a history (first of each value)."""
    keys = ("optimizer_label", "lr", "batch_size", "epochs", "seed")
    a = configs[anchor]
    found: dict = {}
    for i, c in enumerate(configs):
        if table.loc[i, "status"].startswith("failed"):
            continue
        if all(getattr(c, k) == getattr(a, k) for k in keys if k != vary):
            found.setdefault(getattr(c, vary), i)
    return list(found.values())


def _optimizer_rows(table: pd.DataFrame, configs: list[Config], anchor: int) -> list[int]:
    """Per optimizer, its best row (lowest validation loss, ``ok`` first) at the anchor's batch size, epochs, seed."""
    a = configs[anchor]
    best: dict[str, int] = {}
    for i, c in enumerate(configs):
        if table.loc[i, "status"].startswith("failed") or (c.batch_size, c.epochs, c.seed) != (a.batch_size, a.epochs, a.seed):
            continue
        key = c.optimizer_label
        rank = (table.loc[i, "status"] != "ok", table.loc[i, "val_loss"])
        if key not in best or _less(rank, (table.loc[best[key], "status"] != "ok", table.loc[best[key], "val_loss"])):
            best[key] = i
    return list(best.values())


def _less(a: tuple, b: tuple) -> bool:
    """Order (not ok, val_loss) pairs with NaN losses last."""
    fix = lambda r: (r[0], math.inf if not math.isfinite(r[1]) else r[1])  # noqa: E731
    return fix(a) < fix(b)


def _lr_points(table: pd.DataFrame, configs: list[Config], runs: list[Run], rows: list[int]):
    """One point per learning rate, with its verdict.

    ``good``: not diverged and within 2 % of the lowest validation loss among these rates;
    otherwise ``too small`` below the best rate and ``too large`` above it (or diverged).
    """
    from autograder.experiments.plots import LrPoint

    rows = sorted(rows, key=lambda i: configs[i].lr)
    ok = [i for i in rows if table.loc[i, "status"] == "ok"]
    best = min(ok, key=lambda i: table.loc[i, "val_loss"]) if ok else None
    points = []
    for i in rows:
        val, status = table.loc[i, "val_loss"], table.loc[i, "status"]
        if best is not None and status == "ok" and val <= table.loc[best, "val_loss"] * 1.02:
            verdict = "good"
        elif best is not None and configs[i].lr < configs[best].lr and status == "ok":
            verdict = "too small"
        else:
            verdict = "too large"
        points.append(LrPoint(configs[i].lr, float(table.loc[i, "train_loss"]), float(val), runs[i].history,
                              verdict, status == "diverged"))
    return points


def _write(out: Path, result: SweepResult, plots) -> dict[str, Path]:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"{out}: cannot create the output folder ({error.strerror})") from None
    files = {"table": out / "sweep.csv"}
    result.table.to_csv(files["table"], index_label="row")
    if result.test is not None:
        files["test"] = out / "test.csv"
        result.test.to_csv(files["test"], index_label="model")
    for name, figure in result.figures.items():
        files[name] = plots.save(figure, out / f"{name}.png")
    return files


# -- the fixed experiments -----------------------------------------------------------------

def toy_paths(submission: str | Path = ".", *, steps: int = TOY_STEPS, timeout: float = 60.0,
              runner=None) -> dict[str, np.ndarray | str]:
    """The submission's six optimizers on ``f(x, y) = x²/20 + y²`` from (−7, 2), in the sandbox.

    Returns ``{name: array of shape (steps + 1, 2)}`` (the start, then the point after each
    ``update``), or the one-line reason a path could not be drawn. Settings: `TOY_SETTINGS`.
    Draw them with ``plots.optimizer_paths(toy_paths(...))``.
    """
    steps = _count("steps", steps, minimum=1)
    sources, _ = _read_sources(submission, {"optimizers"})
    with Trainer(sources, "optimizers", "classification", sweep_limits(timeout), runner) as worker:
        return toy_paths_of(worker, steps)


def compare_optimizers(submission: str | Path = ".", *, task: str = "digits", epochs: int = 30,
                       batch_size: int = 128, seed: int = 0, **options) -> SweepResult:
    """The six optimizers with their default hyperparameters, mini-batches of 128 on digits.

    A `sweep` of ``optimizer=SIX, lr="default"``; its ``figures["optimizers"]`` is the training
    loss per epoch of each. ``options`` go to `sweep` (``jobs``, ``out``, ``progress``...).
    """
    return sweep(submission, task, lr=DEFAULT_LR, batch_size=batch_size, epochs=epochs, optimizer=list(SIX),
                 seed=seed, **options)

