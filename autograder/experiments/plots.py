"""The sweep's figures, drawn from numbers only (running code is `autograder.experiments.sweep`'s job).

Each function returns a matplotlib `Figure` built without pyplot (no global state, so a long
sweep leaks no figures; a notebook shows one by naming it: see `SweepFigure`), titled, with labelled axes and a
legend a student can read without the code. `save` writes a PNG of exactly
``figsize × DPI`` pixels.

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

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogFormatter

DPI = 100
VERDICT_COLOURS = {"too small": "tab:blue", "good": "tab:green", "too large": "tab:red"}


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
    """One run's training loss per epoch."""

    label: str
    values: np.ndarray
    note: str = ""


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


def _finite(values) -> np.ndarray:
    """Non-finite values become NaN, so a diverged curve stops where it left the numbers."""
    values = np.array(values, dtype=np.float64)
    values[~np.isfinite(values)] = np.nan
    return values


def _fit(curves: list[np.ndarray | None]) -> tuple[list[np.ndarray | None], tuple[float, float] | None]:
    """The curves ready for a log axis, and its y range.

    The range runs from just below the lowest loss to a little above the highest starting
    loss; values beyond it are clipped just outside, so a diverged curve visibly climbs off the
    top instead of squashing the others into a line (or overflowing matplotlib's scaling).
    """
    curves = [None if c is None else _finite(c) for c in curves]
    positive = [c[np.isfinite(c) & (c > 0)] for c in curves if c is not None]
    positive = [c for c in positive if c.size]
    if not positive:
        return curves, None
    low = min(float(c.min()) for c in positive)
    starts = [float(c[0]) for c in curves if c is not None and c.size and np.isfinite(c[0]) and c[0] > 0]
    high = 1.2 * max(starts) if starts else max(float(c.max()) for c in positive)
    span = (low / 1.1, max(high, low * 1.5))
    return [None if c is None else np.clip(c, span[0] / 2, span[1] * 2) for c in curves], span


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


def learning_curves(panels: list[Panel], *, title: str, loss_name: str) -> Figure:
    """One small panel per run: training (solid) and validation (dashed) loss after each epoch."""
    count = max(1, len(panels))
    columns = min(4, count)
    rows = math.ceil(count / columns)
    figure = SweepFigure(figsize=(4.2 * columns, 3.2 * rows + 0.7), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes[len(panels):] if panels else axes[1:]:
        figure.delaxes(ax)
    for ax, panel in zip(axes, panels):
        (train, val), span = _fit([panel.train, panel.val])
        if train is not None:
            ax.plot(np.arange(train.size), train, color="tab:blue", label="training")
        if val is not None:
            ax.plot(np.arange(val.size), val, color="tab:orange", linestyle="--", label="validation")
        _log_axis(ax, span)
        notes = [s for s in (panel.status if panel.status != "ok" else "", panel.note) if s]
        if val is None and not panel.note:
            notes.append("validation curve not recorded")
        if notes:
            ax.text(0.02, 0.02, "\n".join(_wrap(n, 48) for n in notes), transform=ax.transAxes, fontsize=7,
                    va="bottom", color="tab:red" if panel.status != "ok" else "0.3")
        ax.set_title(_wrap(panel.label, 44), fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"loss ({loss_name}, log scale)", fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
        if train is not None or val is not None:
            ax.legend(fontsize=8, loc="upper right")
    if not panels:
        axes[0].text(0.5, 0.5, "no run finished", ha="center", va="center", transform=axes[0].transAxes)
        axes[0].set_title("no learning curves")
        axes[0].set_xlabel("epoch")
        axes[0].set_ylabel(f"loss ({loss_name})")
    figure.suptitle(title)
    return figure


def loss_per_epoch(lines: list[Line], *, title: str, loss_name: str) -> Figure:
    """Several runs' training loss per epoch on one pair of axes (log scale)."""
    figure = SweepFigure(figsize=(8, 5), layout="constrained")
    ax = figure.subplots()
    curves, span = _fit([line.values for line in lines])
    styles = ("-", "--", "-.", ":")  # lines that coincide (Momentum and Nesterov, often) stay visible
    for k, (line, values) in enumerate(zip(lines, curves)):
        label = f"{line.label} ({line.note})" if line.note else line.label
        ax.plot(np.arange(values.size), values, label=_wrap(label, 60), linewidth=1.8,
                linestyle=styles[k % len(styles)])
    _log_axis(ax, span)
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"training loss ({loss_name}, log scale)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9)
    return figure


def learning_rate_sweep(points: list[LrPoint], *, title: str, loss_name: str) -> Figure:
    """Left: final training and validation loss against lr, each rate marked too small, good or
    too large. Right: the training loss per epoch of each rate."""
    figure = SweepFigure(figsize=(13, 5), layout="constrained")
    left, right = figure.subplots(1, 2)
    points = sorted(points, key=lambda p: p.lr)
    lrs = np.array([p.lr for p in points])
    starts = [float(p.history[0]) for p in points if p.history is not None and np.isfinite(p.history[0])]
    ceiling = 1.5 * max(starts) if starts else None
    for key, style, label in (("train_loss", "-o", "training loss"), ("val_loss", "--s", "validation loss")):
        values = np.array([getattr(p, key) for p in points], dtype=np.float64)
        shown = np.where(np.isfinite(values) & ((values <= ceiling) if ceiling else True), values, np.nan)
        left.plot(lrs, shown, style, color="0.35" if key == "train_loss" else "0.6", label=label, zorder=1)
    for verdict, colour in VERDICT_COLOURS.items():
        chosen = [p for p in points if p.verdict == verdict]
        if not chosen:
            continue
        y = [p.val_loss if np.isfinite(p.val_loss) and (ceiling is None or p.val_loss <= ceiling) else ceiling
             for p in chosen]
        left.scatter([p.lr for p in chosen], y, s=90, color=colour, zorder=2, label=f"lr {verdict}",
                     marker="X" if verdict == "too large" else "o")
    if any(p.diverged for p in points):
        left.scatter([], [], marker="X", color=VERDICT_COLOURS["too large"], label="diverged (drawn at the top)")
    left.set_xscale("log")
    left.set_yscale("log")
    left.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))  # 0.01, not 10⁻²
    if ceiling:
        finite = [v for p in points for v in (p.train_loss, p.val_loss) if np.isfinite(v) and v > 0]
        left.set_ylim(min(finite + [ceiling]) / 1.1, ceiling * 1.1)
    _plain_ticks(left)
    left.set_title("final loss after training, by learning rate")
    left.set_xlabel("learning rate (log scale)")
    left.set_ylabel(f"loss ({loss_name}, log scale)")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    curves, span = _fit([p.history for p in points])
    for p, values in zip(points, curves):
        right.plot(np.arange(values.size), values, color=VERDICT_COLOURS[p.verdict],
                   alpha=0.45 + 0.55 * (p.verdict == "good"), label=f"lr = {p.lr:g} ({p.verdict}"
                   + (", diverged)" if p.diverged else ")"))
    _log_axis(right, span)
    right.set_title("training loss per epoch, one line per learning rate")
    right.set_xlabel("epoch")
    right.set_ylabel(f"training loss ({loss_name}, log scale)")
    right.grid(True, which="both", alpha=0.3)
    right.legend(fontsize=8)
    figure.suptitle(title)
    return figure


def optimizer_paths(paths: dict[str, np.ndarray | str], settings: dict[str, dict[str, float]] | None = None, *,
                    start: tuple[float, float] = (-7.0, 2.0)) -> Figure:
    """One panel per optimizer: its path over the contour lines of ``f(x, y) = x²/20 + y²``.

    ``paths[name]`` is an array of points (start first) or the reason there is none;
    ``settings[name]``, the hyperparameters shown in its title (default: the sweep's
    ``TOY_SETTINGS``, with which `autograder.experiments.sweep.toy_paths` runs).
    """
    from autograder.experiments.toy import TOY_SETTINGS, toy_function

    settings = TOY_SETTINGS if settings is None else settings
    names = list(paths)
    columns = min(3, max(1, len(names)))
    rows = math.ceil(max(1, len(names)) / columns)
    figure = SweepFigure(figsize=(5 * columns, 3.6 * rows + 0.6), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes[len(names):]:
        figure.delaxes(ax)
    x, y = np.meshgrid(np.linspace(-10, 10, 201), np.linspace(-5, 5, 201))
    levels = [0.1, 0.3, 0.7, 1.5, 3, 5, 7.5, 10]
    for ax, name in zip(axes, names):
        contours = ax.contour(x, y, toy_function(x, y), levels=levels, colors="0.6", linewidths=0.8)
        ax.clabel(contours, fontsize=6, fmt="%g")
        path = paths[name]
        hyper = ", ".join(f"{k}={v:g}" for k, v in settings.get(name, {}).items())
        if isinstance(path, str):
            ax.text(0.5, 0.5, _wrap(f"no path: {path}", 50), transform=ax.transAxes, ha="center", va="center",
                    fontsize=8, color="tab:red")
        else:
            shown = np.clip(path, [-10, -5], [10, 5])
            ax.plot(shown[:, 0], shown[:, 1], "o-", color="tab:red", markersize=3, linewidth=1,
                    label=f"path ({len(path) - 1} steps)")
            ax.plot(*path[-1], "s", color="tab:purple", markersize=6, label=f"end ({path[-1][0]:.2f}, {path[-1][1]:.2f})")
        ax.plot(*start, "o", color="black", markersize=6, label=f"start ({start[0]:g}, {start[1]:g})")
        ax.plot(0, 0, "+", color="black", markersize=12, markeredgewidth=2, label="minimum (0, 0)")
        ax.set_xlim(-10, 10)
        ax.set_ylim(-5, 5)
        ax.set_title(f"{name} ({hyper})" if hyper else name)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend(fontsize=7, loc="lower right")
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
