"""The sweep's figures: each one made by a real sweep, written as PNG, opened and inspected.

A figure passes when its PNG has exactly ``figsize × DPI`` pixels and real content (not one
flat colour), it has the expected number of axes, every axes has a title, axis labels and a
legend, and the lines drawn are the numbers they claim: the reference's histories run here,
the published end points of the optimizers' toy paths.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from autograder.experiments import plots
from autograder.experiments import sweep as sw
from autograder.paths import SOLUTIONS

LRS = [0.03, 0.3, 3.0, 30.0]


@pytest.fixture(scope="module")
def logistic(tmp_path_factory):
    out = tmp_path_factory.mktemp("logistic")
    # 12 configurations, learning curves for the 6 best by validation loss.
    return sw.sweep(SOLUTIONS, "logistic", lr=LRS, batch_size=["full", 32, 1], epochs=[8], paths=True,
                    out=out, progress=False, curves=6)


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    out = tmp_path_factory.mktemp("digits")
    return sw.compare_optimizers(SOLUTIONS, epochs=4, out=out, progress=False)


def open_png(path, figure) -> np.ndarray:
    """The PNG's pixels, after checking its size and that it is not one flat colour."""
    with Image.open(path) as image:
        assert image.format == "PNG"
        width, height = figure.get_size_inches() * plots.DPI
        assert image.size == (round(width), round(height))
        pixels = np.asarray(image.convert("RGB"), dtype=float)
    not_white = np.any(pixels < 250, axis=2).mean()
    assert 0.03 < not_white < 0.9, f"{path.name}: {not_white:.1%} of the pixels are not white"
    assert pixels.std() > 20
    return pixels


def assert_readable(figure, axes_count: int, legend: bool = True) -> None:
    """Titles, axis labels and a legend on every axes, and the figure's own title."""
    assert len(figure.axes) == axes_count
    for ax in figure.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        if legend:
            assert ax.get_legend() is not None and ax.get_legend().get_texts()


def assert_readable_grid(figure, axes_count: int) -> None:
    """Learning curves: a title and an x label per panel, the y label on each row's first panel
    (the row shares its y-axis), one legend for the figure."""
    assert len(figure.axes) == axes_count
    for ax in figure.axes:
        assert ax.get_title() and ax.get_xlabel()
        assert bool(ax.get_ylabel()) == ax.get_subplotspec().is_first_col()
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["training", "validation"]


def labels(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


def reference_history(ref, config, task):
    with np.errstate(all="ignore"):
        return ref.logistic_regression.gradient_descent(task.X_train, task.y_train, lr=config.lr, epochs=config.epochs,
                                                        batch_size=config.batch_size, seed=config.seed)[1]


@pytest.mark.slow  # it pays for the module's sweep: 4 PNG figures
def test_learning_curves(ref, logistic):
    figure = logistic.figures["learning_curves"]
    open_png(logistic.files["learning_curves"], figure)
    assert_readable_grid(figure, axes_count=6)  # one panel per recorded configuration
    title, common = figure.get_suptitle().split("\n")
    assert title == "Learning curves on the logistic task (6 of 12 configurations)"
    table, task = logistic.table, logistic.task
    recorded = [i for i, run in enumerate(logistic.runs) if run.thetas is not None]
    best6 = table[table["status"] == "ok"].sort_values("val_loss", kind="stable").index[:6]
    assert recorded == sorted(best6)
    for ax, i in zip(figure.axes, recorded, strict=True):
        config = logistic.configs[i]
        # The panel says what differs between the runs, the figure's title what they share.
        assert set(f"{ax.get_title().replace(chr(10), ' ')}, {common}".split(", ")) == set(config.describe().split(", "))
        assert ax.get_legend() is None
        train, val = (line.get_ydata() for line in ax.get_lines())
        # The trusted loss of each epoch's θ: the reference's own history, and the final validation loss.
        np.testing.assert_allclose(train, reference_history(ref, config, task), rtol=1e-10)
        assert val.shape == (config.epochs + 1,)
        np.testing.assert_allclose(val[-1], table.loc[i, "val_loss"], rtol=1e-12)
        np.testing.assert_allclose(val[0], np.log(2), rtol=1e-12)  # θ = 0 predicts p = 1/2 everywhere


def test_batch_sizes_on_the_same_axes(ref, logistic):
    figure = logistic.figures["batch_sizes"]
    open_png(logistic.files["batch_sizes"], figure)
    assert_readable(figure, axes_count=1)
    ax = figure.axes[0]
    best = logistic.best_config
    assert f"lr={best.lr:g}" in ax.get_title() and "BGD vs SGD vs MGD" in ax.get_title()
    assert [text.split(" (")[0] for text in labels(ax)] == ["BGD", "MGD", "SGD"]
    assert labels(ax)[0].startswith("BGD (batch = all 341 rows, 1 update per epoch)")
    assert labels(ax)[1].startswith("MGD (batch = 32, 11 updates per epoch)")
    bgd = ax.get_lines()[0].get_ydata()
    np.testing.assert_allclose(bgd, reference_history(ref, best.__class__(**{**best.__dict__, "batch_size": None}),
                                                      logistic.task), rtol=1e-10)


def test_learning_rate_sweep_marks_too_small_good_and_too_large(logistic):
    figure = logistic.figures["learning_rates"]
    open_png(logistic.files["learning_rates"], figure)
    assert_readable(figure, axes_count=2)
    left, right = figure.axes
    assert left.get_xscale() == "log" and "learning rate" in left.get_xlabel()
    best = logistic.best_config
    group = logistic.table[(logistic.table["batch_size"] == best.batch_label) & (logistic.table["epochs"] == best.epochs)]
    verdicts = dict(label.rsplit(" (", 1) for label in labels(right))
    assert list(verdicts) == [f"lr = {lr:g}" for lr in LRS]
    best_lr = group.loc[group["val_loss"].idxmin(), "lr"]
    assert verdicts[f"lr = {best_lr:g}"] == "good)"
    # Too small: the slow rates below the best; too large: those above it that overshoot.
    assert verdicts["lr = 0.03"] == "too small)"
    assert any(v.startswith("too large") for v in verdicts.values())
    assert {"lr too small", "lr good", "lr too large"} <= set(labels(left))


def test_optimizer_paths_classic_figure(logistic):
    figure = logistic.figures["optimizer_paths"]
    open_png(logistic.files["optimizer_paths"], figure)
    assert_readable(figure, axes_count=6)
    assert "x²/20 + y²" in figure.get_suptitle() and "(−7, 2)" in figure.get_suptitle()
    for ax, name in zip(figure.axes, sw.SIX):
        assert ax.get_title() == f"{name} (lr={sw.TOY_SETTINGS[name]['lr']:g})"
        path = ax.get_lines()[0]
        np.testing.assert_allclose(np.column_stack([path.get_xdata(), path.get_ydata()]),
                                   np.clip(logistic.toy_paths[name], [-10, -5], [10, 5]))
        assert labels(ax)[0] == "path (30 steps)"
        assert len(ax.collections) > 0  # the contour lines


@pytest.mark.slow  # it pays for the digits sweep
def test_six_optimizers_on_digits(ref, digits):
    figure = digits.figures["optimizers"]
    open_png(digits.files["optimizers"], figure)
    assert_readable(figure, axes_count=1)
    ax = figure.axes[0]
    assert "batch_size=128" in ax.get_title() and "digits" in ax.get_title()
    defaults = {name: getattr(ref.optimizers, name)().lr for name in sw.SIX}
    assert labels(ax) == [f"{name} (lr={defaults[name]:g})" for name in sw.SIX]
    task = digits.task
    for line, name in zip(ax.get_lines(), sw.SIX):
        _, history = ref.logistic_regression.gradient_descent(task.X_train, task.y_train, epochs=4, batch_size=128,
                                                              optimizer=getattr(ref.optimizers, name)())
        np.testing.assert_allclose(line.get_ydata(), history, rtol=1e-10)
    open_png(digits.files["learning_curves"], digits.figures["learning_curves"])
    assert_readable_grid(digits.figures["learning_curves"], axes_count=6)


def test_diverged_and_missing_data_draw_without_error(tmp_path):
    huge = np.array([0.7, 3.0, 1e150, np.inf, np.nan])
    panels = [plots.Panel("fine", np.linspace(0.7, 0.2, 5), np.linspace(0.7, 0.25, 5)),
              plots.Panel("blew up", huge, huge, status="diverged"),
              plots.Panel("no recording", np.linspace(0.7, 0.2, 5), None, note="gradient_descent called loss 0 times")]
    with np.errstate(all="raise"):
        figure = plots.learning_curves(panels, title="synthetic", loss_name="mean NLL")
        assert_readable_grid(figure, axes_count=3)
        open_png(plots.save(figure, tmp_path / "curves.png"), figure)
        texts = [t.get_text().replace("\n", " ") for ax in figure.axes for t in ax.texts]
        assert "diverged" in texts and any("called loss 0 times" in t for t in texts)
        figure = plots.loss_per_epoch([plots.Line("a", huge, note="diverged"), plots.Line("b", np.linspace(1, 0.5, 5))],
                                      title="synthetic", loss_name="½ MSE")
        open_png(plots.save(figure, tmp_path / "lines.png"), figure)
        assert labels(figure.axes[0]) == ["a (diverged)", "b"]
        figure = plots.optimizer_paths({"SGD": np.array([[-7.0, 2.0], [50.0, -40.0]]), "Adam": "raised ValueError"},
                                       {"SGD": {"lr": 0.95}, "Adam": {"lr": 0.3}})
        assert_readable(figure, axes_count=2)
        open_png(plots.save(figure, tmp_path / "paths.png"), figure)
        assert "no path: raised ValueError" in figure.axes[1].texts[-1].get_text()


def test_a_notebook_shows_each_figure_as_its_png(logistic, tmp_path):
    """Jupyter displays an object through its ``_repr_png_``: the same picture as the file."""
    figure = logistic.figures["batch_sizes"]  # every figure is a SweepFigure; this one is quick to draw
    assert all(isinstance(f, plots.SweepFigure) for f in logistic.figures.values())
    png = tmp_path / "shown.png"
    png.write_bytes(figure._repr_png_())
    np.testing.assert_array_equal(open_png(png, figure), open_png(logistic.files["batch_sizes"], figure))


def test_a_sweep_with_nothing_to_compare_has_only_learning_curves(logistic):
    result = sw.sweep(SOLUTIONS, "logistic", lr=[1.0], batch_size=["full"], epochs=[3], progress=False)
    assert set(result.figures) == {"learning_curves"}
    assert set(logistic.figures) == {"learning_curves", "batch_sizes", "learning_rates", "optimizer_paths"}
