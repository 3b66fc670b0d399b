"""How every sweep figure draws an optimizer, a batch mode, a data split and a verdict: one registry.

A student compares figures side by side, so each optimizer (`autograder.contract.OPTIMIZERS`,
plus plain ``step``) and each batch mode (full batch, mini-batch, one row) has one colour and
line style wherever it appears. Two optimizers whose curves often coincide (Momentum and
Nesterov on a smooth loss) stay both visible: the first is a wide pale band, the second a thin
dashed line drawn over it.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.contract import OPTIMIZERS

FONT = 10  # points: at DPI 100 a figure ≤ 10 in wide shows unscaled in a notebook cell
SMALL_FONT = 9  # the smallest text of any figure (tick labels, legends, notes)
STEP = "step"  # plain θ − lr·g, no optimizer class


@dataclass(frozen=True)
class Style:
    """A line's look: what `Axes.plot` takes as keyword arguments."""

    color: str
    linestyle: str | tuple = "-"
    linewidth: float = 2.0
    alpha: float = 1.0
    zorder: float = 2.0

    def line(self) -> dict:
        return {"color": self.color, "linestyle": self.linestyle, "linewidth": self.linewidth,
                "alpha": self.alpha, "zorder": self.zorder}


# In the contract's order (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam): hues far apart,
# and no two optimizers share a dash pattern. The wide band under a thin dashed line keeps
# Momentum visible beneath Nesterov when their curves are the same.
_OPTIMIZER_LOOKS = (
    Style("tab:blue", "-", 2.0),
    Style("tab:orange", "-", 5.0, alpha=0.55, zorder=1.5),
    Style("tab:purple", (0, (4, 2)), 1.8, zorder=2.5),
    Style("tab:green", "-.", 2.0),
    Style("tab:red", ":", 2.6),
    Style("tab:brown", (0, (6, 1.5, 1, 1.5, 1, 1.5)), 2.0),
)
# An optimizer added to the contract beyond the six looks gets one of these.
_SPARE_LOOKS = (Style("tab:olive", (0, (1, 3)), 2.4), Style("tab:cyan", (0, (8, 3)), 2.0),
                Style("tab:pink", (0, (3, 1, 1, 1)), 2.0))

OPTIMIZER_STYLES: dict[str, Style] = {
    STEP: Style("black", "-", 1.6),
    **{name: (_OPTIMIZER_LOOKS + _SPARE_LOOKS)[k % (len(_OPTIMIZER_LOOKS) + len(_SPARE_LOOKS))]
       for k, name in enumerate(OPTIMIZERS)},
}

# Batch modes: BGD (all rows), MGD (a mini-batch), SGD (one row per update).
FULL, MINI, SINGLE = "full batch", "mini-batch", "one row"
BATCH_STYLES: dict[str, Style] = {
    FULL: Style("tab:blue", "-", 2.2),
    MINI: Style("tab:orange", (0, (5, 2)), 2.2),
    SINGLE: Style("tab:gray", ":", 2.2),
}

# A run's training and validation curves (learning curves).
SPLIT_STYLES: dict[str, Style] = {
    "training": Style("tab:blue", "-", 1.8),
    "validation": Style("tab:orange", (0, (4, 2)), 1.8),
}

VERDICT_COLOURS = {"too small": "tab:blue", "good": "tab:green", "too large": "tab:red"}


def optimizer_style(name: str) -> Style:
    """The style of the optimizer class ``name`` (or ``step``); an unknown name draws grey."""
    return OPTIMIZER_STYLES.get(name, Style("0.4", "-", 1.6))


def batch_mode(batch_size: int | None, rows: int) -> str:
    """``FULL`` (BGD), ``MINI`` (MGD) or ``SINGLE`` (SGD) for a batch size on ``rows`` training rows."""
    if batch_size is None or batch_size >= rows:
        return FULL
    return SINGLE if batch_size == 1 else MINI


def batch_style(batch_size: int | None, rows: int) -> Style:
    """The style of a batch size's mode (see `batch_mode`)."""
    return BATCH_STYLES[batch_mode(batch_size, rows)]
