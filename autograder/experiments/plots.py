"""The sweep's figures, drawn from numbers only (running code is `autograder.experiments.sweep`'s job).

Each function returns a matplotlib `Figure` built without pyplot (no global state, so a long
sweep leaks no figures; a notebook shows one by naming it: see `SweepFigure`), titled, with labelled axes and a
legend a student can read without the code, at most 10 in wide (a notebook cell shows it unscaled)
with no text under `styles.SMALL_FONT` points. Every optimizer and batch mode is drawn in its
`autograder.experiments.styles` look. A *diverged* run (flagged, or with a non-finite loss) never
sets an axis: the y-range comes from the other runs, the diverged line is clipped at the axes and
its legend says "diverged". `save` writes a PNG of exactly ``figsize × DPI`` pixels.

==================  ====================================================  ======
function            what it shows                                         axes
==================  ====================================================  ======
learning_curves     training and validation loss per epoch, per run       one per run
loss_per_epoch      several runs' training loss on the same axes          1
learning_rate_sweep final loss against lr, and each lr's training curve   2
optimizer_paths     six optimizers' paths over the contours of a valley   one per optimizer
==================  ====================================================  ======
"""

from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogFormatter, MaxNLocator

from autograder.experiments.styles import FONT, SMALL_FONT, SPLIT_STYLES, VERDICT_COLOURS, Style, optimizer_style

DPI = 100
WIDTH = 10.0  # inches: the widest figure
DIVERGED = "diverged"
_PAD = 1.08  # a log axis runs this factor beyond the lowest and highest shown loss
_RC = {"font.size": FONT, "axes.titlesize": FONT + 1, "axes.labelsize": FONT, "legend.fontsize": SMALL_FONT,
       "xtick.labelsize": SMALL_FONT, "ytick.labelsize": SMALL_FONT, "figure.titlesize": FONT + 2}
# Lines without an optimizer or batch mode of their own (a free comparison): distinct dashes.
_FREE_STYLES = (Style("tab:blue", "-"), Style("tab:orange", (0, (5, 2))), Style("tab:green", "-."),
                Style("tab:red", ":", 2.6), Style("tab:purple", (0, (1, 3)), 2.4), Style("tab:brown", "--"))


@dataclass
class Panel:
    """One run's learning curves: loss per epoch (index 0 = before training), or a note."""

    label: str
    train: np.ndarray | None
    val: np.ndarray | None
    status: str = "ok"
    note: str = ""


@dataclass
class Line:
    """One run's training loss per epoch, drawn in ``style`` (`styles.optimizer_style` or `styles.batch_style`)."""

    label: str
    values: np.ndarray
    note: str = ""
    style: Style | None = None
    diverged: bool = False


@dataclass
class LrPoint:
    """One learning rate: final losses, its training curve and the verdict on it."""

    lr: float
    train_loss: float
    val_loss: float
    history: np.ndarray
    verdict: str  # "too small", "good" or "too large"
    diverged: bool = False


class SweepFigure(Figure):
    """A `Figure` that Jupyter shows as its PNG when a cell names it (no pyplot needed)."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, dpi=DPI, format="png")
        return buffer.getvalue()


def save(figure: Figure, path: str | Path) -> Path:
    """Write ``figure`` as a PNG of ``figsize × DPI`` pixels; returns the path."""
    path = Path(path)
    figure.savefig(path, dpi=DPI, format="png")
    return path


def _readable(draw):
    """Draw under the figures' font sizes; tick labels are sized once more, as ticks made at draw time
    would otherwise take the global defaults."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with rc_context(_RC):
            figure = draw(*args, **kwargs)
        for ax in figure.axes:
            ax.tick_params(which="both", labelsize=SMALL_FONT)
        return figure

    return wrapper


def _finite(values) -> np.ndarray:
    """+inf becomes a huge number (clipped at the top like any climb); NaN stays, so the curve stops."""
    values = np.array(values, dtype=np.float64)
    return np.nan_to_num(values, nan=np.nan, posinf=np.finfo(np.float64).max, neginf=np.nan)


def is_diverged(values, flagged: bool = False) -> bool:
    """Flagged by the sweep, or a loss that is not a finite number."""
    return bool(flagged) or (values is not None and not np.all(np.isfinite(np.asarray(values, dtype=np.float64))))


def _span(curves: list[np.ndarray]) -> tuple[float, float] | None:
    """A log axis's range around every positive finite value of ``curves``, or None."""
    shown = [c[np.isfinite(c) & (c > 0) & (c < np.finfo(np.float64).max)] for c in curves]
    shown = [c for c in shown if c.size]
    if not shown:
        return None
    low, high = min(float(c.min()) for c in shown), max(float(c.max()) for c in shown)
    high = max(high, low * 1.1)  # a flat curve still gets an axis
    return low / _PAD, high * _PAD


def _fit(curves: list[np.ndarray | None], diverged: list[bool]) -> tuple[list[np.ndarray | None],
                                                                           tuple[float, float] | None]:
    """The curves ready for a log axis, and its y range.

    The range is that of the runs that did not diverge; every curve is clipped to it, so a
    diverged one runs along the top instead of squashing the others into a line. When every
    run diverged, the range runs to a little above the highest starting loss.
    """
    curves = [None if c is None else _finite(c) for c in curves]
    span = _span([c for c, d in zip(curves, diverged) if c is not None and not d])
    if span is None:
        starts = [float(c[0]) for c in curves if c is not None and c.size and np.isfinite(c[0]) and c[0] > 0]
        span = _span([np.minimum(c, 1.2 * max(starts) / _PAD) if starts else c for c in curves if c is not None])
    if span is None:
        return curves, None
    return [None if c is None else np.clip(c, *span) for c in curves], span


def _log_axis(ax, span: tuple[float, float] | None) -> None:
    ax.set_yscale("log")
    if span:
        ax.set_ylim(*span)
    _plain_ticks(ax)


class _PlainLogFormatter(LogFormatter):
    """Log-axis labels as plain numbers (0.2, 3000), on the ticks `LogFormatter` chooses."""

    def _num_to_string(self, x, vmin, vmax) -> str:
        return f"{x:g}"


def _plain_ticks(ax) -> None:
    # Minor ticks are labelled only when the axis spans less than a decade, and all of them
    # only under 0.4 of one, so the labels never crowd.
    ax.yaxis.set_major_formatter(_PlainLogFormatter())
    ax.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def _marked(label: str, diverged: bool) -> str:
    return f"{label} ({DIVERGED})" if diverged and DIVERGED not in label else label


def _common_parts(labels: list[str]) -> tuple[list[str], list[str]]:
    """The ``, ``-separated parts every label shares, and each label without them."""
    split = [label.split(", ") for label in labels]
    common = [part for part in split[0] if all(part in s for s in split[1:])] if len(split) > 1 else []
    rest = [", ".join(p for p in s if p not in common) or label for s, label in zip(split, labels)]
    return common, rest


@_readable
def learning_curves(panels: list[Panel], *, title: str, loss_name: str) -> Figure:
    """One panel per run: training (solid) and validation (dashed) loss after each epoch.

    Panels of a row share their y-axis (a sweep's row is one batch size across the learning
    rates); what every run shares (``epochs=10, seed=0``) is said once, under the title.
    """
    count = max(1, len(panels))
    columns = min(4, count)
    rows = math.ceil(count / columns)
    figure = SweepFigure(figsize=(min(WIDTH, 2.5 * columns + 0.6), 2.5 * rows + 1.1), layout="constrained")
    grid = figure.subplots(rows, columns, squeeze=False, sharey="row")
    axes = grid.ravel()
    for ax in axes[len(panels):] if panels else axes[1:]:
        figure.delaxes(ax)
    common, titles = _common_parts([p.label for p in panels])
    for row in range(rows):
        chosen = panels[row * columns:(row + 1) * columns]
        flags = [is_diverged(p.train, p.status == DIVERGED) or is_diverged(p.val) for p in chosen]
        curves, span = _fit([c for p in chosen for c in (p.train, p.val)], [f for f in flags for _ in (0, 1)])
        for k, (panel, diverged) in enumerate(zip(chosen, flags)):
            ax = grid[row, k]
            _curve_panel(ax, panel, curves[2 * k], curves[2 * k + 1], diverged, _wrap(titles[row * columns + k], 30))
            if k == 0:
                ax.set_ylabel(f"{loss_name} (log scale)")
        _log_axis(grid[row, 0], span)
    if not panels:
        axes[0].text(0.5, 0.5, "no run finished", ha="center", va="center", transform=axes[0].transAxes)
        axes[0].set_title("no learning curves")
        axes[0].set_xlabel("epoch")
        axes[0].set_ylabel(f"loss ({loss_name})")
    else:
        handles = [Line2D([], [], label=name, **style.line()) for name, style in SPLIT_STYLES.items()]
        figure.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=FONT)
    figure.suptitle(title + (f"\n{', '.join(common)}" if common else ""))
    return figure


def _curve_panel(ax, panel: Panel, train, val, diverged: bool, title: str) -> None:
    for split, values in (("training", train), ("validation", val)):
        if values is not None:
            ax.plot(np.arange(values.size), values, label=_marked(split, diverged), **SPLIT_STYLES[split].line())
    notes = [s for s in (panel.status if panel.status != "ok" else "", panel.note) if s]
    if val is None and not panel.note:
        notes.append("validation curve not recorded")
    if notes:
        ax.text(0.03, 0.03, "\n".join(_wrap(n, 28) for n in notes), transform=ax.transAxes, fontsize=SMALL_FONT,
                va="bottom", color="tab:red" if panel.status != "ok" else "0.3")
    if diverged and (train is not None or val is not None):
        ax.legend(loc="upper right")  # the shared legend cannot say which panel diverged
    ax.set_title(title, fontsize=FONT)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs 0, 2, 4, never 2.5
    ax.set_xlabel("epoch")
    ax.grid(True, which="both", alpha=0.3)


@_readable
def loss_per_epoch(lines: list[Line], *, title: str, loss_name: str) -> Figure:
    """Several runs' training loss per epoch on one pair of axes (log scale), each in its style."""
    figure = SweepFigure(figsize=(9, 5), layout="constrained")
    ax = figure.subplots()
    flags = [is_diverged(line.values, line.diverged or line.note == DIVERGED) for line in lines]
    curves, span = _fit([line.values for line in lines], flags)
    for k, (line, values, diverged) in enumerate(zip(lines, curves, flags)):
        label = _marked(f"{line.label} ({line.note})" if line.note else line.label, diverged)
        style = line.style or _FREE_STYLES[k % len(_FREE_STYLES)]
        ax.plot(np.arange(values.size), values, label=_wrap(label, 60), **style.line())
    _log_axis(ax, span)
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"training loss ({loss_name}, log scale)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return figure


@_readable
def learning_rate_sweep(points: list[LrPoint], *, title: str, loss_name: str) -> Figure:
    """Left: final training and validation loss against lr, each rate marked too small, good or
    too large. Right: the training loss per epoch of each rate.

    The left axis spans the final losses of the rates that did not diverge; a diverged rate's
    marker sits on the top edge.
    """
    figure = SweepFigure(figsize=(WIDTH, 4.6), layout="constrained")
    left, right = figure.subplots(1, 2)
    points = sorted(points, key=lambda p: p.lr)
    lrs = np.array([p.lr for p in points])
    finals = [np.array([p.train_loss, p.val_loss], dtype=np.float64) for p in points]
    flags = [p.diverged or not np.all(np.isfinite(f)) for p, f in zip(points, finals)]
    fitted, span = _fit(finals, flags)
    top = span[1] if span else None
    for column, style, label in ((0, "-o", "training loss"), (1, "--s", "validation loss")):
        values = np.array([f[column] if not d else np.nan for f, d in zip(fitted, flags)])
        left.plot(lrs, values, style, color="0.35" if column == 0 else "0.6", label=label, zorder=1)
    for verdict, colour in VERDICT_COLOURS.items():
        chosen = [(p, f, d) for p, f, d in zip(points, fitted, flags) if p.verdict == verdict]
        if chosen:
            left.scatter([p.lr for p, _, _ in chosen], [top if d else f[1] for _, f, d in chosen], s=90, color=colour,
                         zorder=2, label=f"lr {verdict}", marker="X" if verdict == "too large" else "o", clip_on=False)
    if any(flags):
        left.scatter([], [], marker="X", color=VERDICT_COLOURS["too large"], label=f"{DIVERGED} (drawn at the top)")
    left.set_xscale("log")
    left.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))  # 0.01, not 10⁻²
    _log_axis(left, span)
    left.set_title("final loss, by learning rate")
    left.set_xlabel("learning rate (log scale)")
    left.set_ylabel(f"loss ({loss_name}, log scale)")
    left.grid(True, which="both", alpha=0.3)
    left.legend()
    flags = [p.diverged or is_diverged(p.history) for p in points]
    curves, span = _fit([p.history for p in points], flags)
    for p, values, diverged in zip(points, curves, flags):
        right.plot(np.arange(values.size), values, color=VERDICT_COLOURS[p.verdict], linewidth=2,
                   alpha=0.45 + 0.55 * (p.verdict == "good"),
                   label=f"lr = {p.lr:g} ({p.verdict}" + (f", {DIVERGED})" if diverged else ")"))
    _log_axis(right, span)
    right.set_title("training loss per epoch, per rate")
    right.set_xlabel("epoch")
    right.set_ylabel(f"training loss ({loss_name}, log scale)")
    right.grid(True, which="both", alpha=0.3)
    right.legend()
    figure.suptitle(title)
    return figure


@_readable
def optimizer_paths(paths: dict[str, np.ndarray | str], settings: dict[str, dict[str, float]] | None = None, *,
                    start: tuple[float, float] = (-7.0, 2.0)) -> Figure:
    """One panel per optimizer: its path, in its style, over the contour lines of ``f(x, y) = x²/20 + y²``.

    ``paths[name]`` is an array of points (start first) or the reason there is none;
    ``settings[name]``, the hyperparameters shown in its title (default: the sweep's
    ``TOY_SETTINGS``, with which `autograder.experiments.sweep.toy_paths` runs).
    """
    from autograder.experiments.toy import TOY_SETTINGS, toy_function

    settings = TOY_SETTINGS if settings is None else settings
    names = list(paths)
    columns = min(3, max(1, len(names)))
    rows = math.ceil(max(1, len(names)) / columns)
    figure = SweepFigure(figsize=(min(WIDTH, 3.4 * columns), 2.7 * rows + 0.8), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes[len(names):]:
        figure.delaxes(ax)
    x, y = np.meshgrid(np.linspace(-10, 10, 201), np.linspace(-5, 5, 201))
    levels = [0.3, 1.5, 5, 10]
    for ax, name in zip(axes, names):
        contours = ax.contour(x, y, toy_function(x, y), levels=levels, colors="0.7", linewidths=0.8)
        ax.clabel(contours, fontsize=SMALL_FONT, fmt="%g")
        path = paths[name]
        hyper = ", ".join(f"{k}={v:g}" for k, v in settings.get(name, {}).items())
        if isinstance(path, str):
            ax.text(0.5, 0.5, _wrap(f"no path: {path}", 30), transform=ax.transAxes, ha="center", va="center",
                    fontsize=SMALL_FONT, color="tab:red")
        else:
            shown = np.clip(path, [-10, -5], [10, 5])
            look = optimizer_style(name)
            ax.plot(shown[:, 0], shown[:, 1], marker="o", markersize=3, color=look.color, linestyle=look.linestyle,
                    linewidth=1.5, label=f"path ({len(path) - 1} steps)")
            ax.plot(*shown[-1], "s", color=look.color, markeredgecolor="black", markersize=7,
                    label=f"end ({path[-1][0]:.2f}, {path[-1][1]:.2f})")
        ax.plot(*start, "o", color="black", markersize=6, label=f"start ({start[0]:g}, {start[1]:g})")
        ax.plot(0, 0, "+", color="black", markersize=12, markeredgewidth=2, label="minimum (0, 0)")
        ax.set_xlim(-10, 10)
        ax.set_ylim(-5, 5)
        ax.set_title(f"{name} ({hyper})" if hyper else name, color=optimizer_style(name).color)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend(loc="lower right", handlelength=1.2, borderpad=0.3, labelspacing=0.2, framealpha=0.8)
    figure.suptitle("Optimizers on f(x, y) = x²/20 + y², starting from (−7, 2); grey lines: equal f")
    return figure


def _wrap(text: str, width: int) -> str:
    """Break a long label on spaces so it fits a small panel."""
    words, lines, line = text.split(" "), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(lines + [line])
