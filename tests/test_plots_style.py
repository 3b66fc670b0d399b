"""The figures read at a glance: one look per optimizer and batch mode in every figure, diverged
runs that never take the scale, shared rows, fitted axes and readable fonts (Figure objects, no pixels)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.contract import OPTIMIZERS
from autograder.experiments import plots, styles

NAMES = list(OPTIMIZERS)
EPOCHS = np.arange(11)


def curve(start=0.7, end=0.2):
    return start * (end / start) ** (EPOCHS / EPOCHS[-1])


def look(line):
    return line.get_color(), line.get_linestyle(), line.get_linewidth()


def texts(figure):
    found = [t for t in figure.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text"))
             if t.get_text().strip() and t.get_visible()]
    figure.canvas.draw()  # the tick labels exist once drawn
    for ax in figure.axes:
        found += [t for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    return found


def test_each_optimizer_has_one_look_in_every_figure_and_no_two_share_one():
    lines = [plots.Line(name, curve(0.7, 0.2 + 0.01 * k), style=styles.optimizer_style(name))
             for k, name in enumerate(NAMES)]
    losses = plots.loss_per_epoch(lines, title="t", loss_name="NLL").axes[0].get_lines()
    paths = plots.optimizer_paths({name: np.array([[-7.0, 2.0], [-3.0, 1.0], [0.0, 0.0]]) for name in NAMES})
    drawn = {name: look(line) for name, line in zip(NAMES, losses)}
    for ax, name in zip(paths.axes, NAMES):
        path = ax.get_lines()[0]
        assert (path.get_color(), path.get_linestyle()) == drawn[name][:2]
    assert len({d[0] for d in drawn.values()}) == len(NAMES)  # no two share a colour
    assert len({(d[1], d[2]) for d in drawn.values()}) == len(NAMES)  # nor a dash pattern and width


def test_momentum_and_nesterov_on_the_same_curve_both_show():
    first, second = NAMES[1], NAMES[2]  # the contract's Momentum and Nesterov
    same = curve()
    ax = plots.loss_per_epoch([plots.Line(n, same, style=styles.optimizer_style(n)) for n in (first, second)],
                              title="t", loss_name="NLL").axes[0]
    under, over = ax.get_lines()
    assert under.get_color() != over.get_color() and under.get_linestyle() != over.get_linestyle()
    # The one drawn below is wider than the one drawn over it, so it shows on both sides.
    low, high = sorted((under, over), key=lambda line: line.get_zorder())
    assert low.get_linewidth() >= 2 * high.get_linewidth()


def test_each_batch_mode_has_its_own_look():
    rows = 100
    sizes = [None, 32, 1]
    lines = [plots.Line(str(b), curve(), style=styles.batch_style(b, rows)) for b in sizes]
    drawn = [look(line) for line in plots.loss_per_epoch(lines, title="t", loss_name="NLL").axes[0].get_lines()]
    assert len({d[:2] for d in drawn}) == 3 and len({d[0] for d in drawn}) == 3
    assert [styles.batch_mode(b, rows) for b in (None, rows, 500, 32, 1)] == [styles.FULL] * 3 + [styles.MINI,
                                                                                                 styles.SINGLE]


@pytest.mark.parametrize("blown", [np.array([0.7, 3.0, 1e150, np.inf, np.nan]), np.linspace(0.7, 40.0, 11)])
def test_a_diverged_run_leaves_the_scale_to_the_others(blown):
    fine = [curve(0.7, 0.2), curve(0.7, 0.3)]
    ax = plots.loss_per_epoch([plots.Line("a", fine[0]), plots.Line("b", fine[1]),
                               plots.Line("c", blown, diverged=True)], title="t", loss_name="NLL").axes[0]
    low, high = ax.get_ylim()
    assert low == pytest.approx(0.2 / 1.08) and high == pytest.approx(0.7 * 1.08)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["a", "b"] and "diverged" in labels[2]
    shown = ax.get_lines()[2].get_ydata()
    assert np.nanmax(shown) <= high and np.isfinite(shown[:4]).all()  # clipped at the top, not gone
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), fine[0])  # the others untouched


def test_learning_curves_share_each_row_and_mark_the_diverged_panel():
    huge = np.array([0.7, 3.0, 1e150, np.inf, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan])
    panels = [plots.Panel(f"step, lr={lr:g}, batch_size={b}, epochs=10, seed=0", curve(0.7, low), curve(0.7, low + 0.05))
              for b in ("full", 32) for lr, low in ((0.03, 0.6), (0.3, 0.4), (3, 0.2), (30, 0.25))]
    panels += [plots.Panel(f"step, lr={lr:g}, batch_size=1, epochs=10, seed=0", curve(0.7, 0.15), curve(0.7, 0.18))
               for lr in (0.03, 0.3)]
    panels += [plots.Panel(f"step, lr={lr:g}, batch_size=1, epochs=10, seed=0", huge, huge, status="diverged")
               for lr in (3, 30)]
    figure = plots.learning_curves(panels, title="curves", loss_name="NLL")
    assert len(figure.axes) == 12 and figure.get_figwidth() <= 10
    for row in range(3):
        limits = {figure.axes[4 * row + k].get_ylim() for k in range(4)}
        assert len(limits) == 1
    assert figure.axes[0].get_ylim() == pytest.approx((0.2 / 1.08, 0.7 * 1.08))  # the row's lowest loss
    assert figure.axes[8].get_ylim() == pytest.approx((0.15 / 1.08, 0.7 * 1.08))  # the diverged two do not count
    assert figure.axes[10].get_legend() is not None
    assert all("diverged" in t.get_text() for t in figure.axes[10].get_legend().get_texts())
    # What all runs share is said once, the panel says what differs.
    assert figure.axes[5].get_title() == "lr=0.3, batch_size=32"
    assert "epochs=10, seed=0" in figure.get_suptitle()


def test_learning_rate_sweep_fits_its_y_axis_to_the_finite_losses():
    points = [plots.LrPoint(0.01, 0.6, 0.62, curve(0.7, 0.6), "too small"),
              plots.LrPoint(0.1, 0.3, 0.32, curve(0.7, 0.3), "good"),
              plots.LrPoint(1.0, 0.45, 0.5, curve(0.7, 0.45), "too large"),
              plots.LrPoint(10.0, np.inf, np.nan, np.array([0.7, 1e200, np.inf]), "too large", diverged=True)]
    left, right = plots.learning_rate_sweep(points, title="t", loss_name="NLL").axes
    low, high = left.get_ylim()
    assert low == pytest.approx(0.3 / 1.08) and high == pytest.approx(0.62 * 1.08)
    assert "diverged (drawn at the top)" in [t.get_text() for t in left.get_legend().get_texts()]
    assert right.get_ylim() == pytest.approx((0.3 / 1.08, 0.7 * 1.08))
    assert "diverged" in right.get_legend().get_texts()[-1].get_text()


def test_every_figure_is_at_most_10_inches_wide_with_readable_text():
    lines = [plots.Line(n, curve(), style=styles.optimizer_style(n)) for n in NAMES]
    figures = [plots.loss_per_epoch(lines, title="t", loss_name="NLL"),
               plots.learning_curves([plots.Panel(f"run {k}", curve(), curve()) for k in range(12)],
                                     title="t", loss_name="NLL"),
               plots.learning_rate_sweep([plots.LrPoint(lr, 0.3, 0.3, curve(), "good") for lr in (0.1, 1)],
                                         title="t", loss_name="NLL"),
               plots.optimizer_paths({n: np.array([[-7.0, 2.0], [0.0, 0.0]]) for n in NAMES})]
    for figure in figures:
        assert figure.get_figwidth() <= 10
        sizes = [t.get_fontsize() for t in texts(figure)]
        assert sizes and min(sizes) >= styles.SMALL_FONT >= 9
