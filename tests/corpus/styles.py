"""Submissions in the styles students really write, correct and with one bug each.

Real course code rarely looks like the reference: per-row Python loops over ``range(n)`` with
``math.exp``, lists built with ``append`` and converted at the end, ``np.dot`` everywhere,
``float()`` around every scalar, a history kept as an ndarray, a loss wrapped in
``np.array(...)``, ``theta`` reshaped to a column and back. The correct ones must score full
marks, except where the style breaks the documented return type (a history as an ndarray, a
loss as a 0-d array): that costs exactly the function's one representation point
(``Bug.points``). Each one-bug variant loses only its function's points, with the diagnosis
that fits.
"""

from __future__ import annotations

from .cases import Bug, Edit, Variant

LOG, LIN, OPT = "logistic_regression", "linear_regression", "optimizers"

LOGISTIC_BODY = "    p = np.exp(-np.logaddexp(0.0, -(X @ theta)))\n    return p if np.ndim(p) else float(p)\n"
LOSS_BODY = "    z = X @ theta\n    return float(np.mean(np.logaddexp(0.0, z) - y * z))\n"
GRADIENTS_BODY = "    p = logistic(X, theta)\n    return gradient_ij(X, y[:, None], p[:, None]).mean(axis=0)\n"
IMPORT = "import numpy as np\n"

# Per row, with math.exp, and stable: exp of a non-positive number only (never overflows).
ROW_LOGISTIC = '''    def sigma(z):
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    if X.ndim == 1:
        return sigma(float(np.dot(X, theta)))
    probabilities = []
    for i in range(X.shape[0]):
        probabilities.append(sigma(float(np.dot(X[i], theta))))
    return np.array(probabilities)
'''
ROW_LOSS = '''    n = X.shape[0]
    total = 0.0
    for i in range(n):
        z = float(np.dot(X[i], theta))
        total += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - y[i] * z
    return total / n
'''
ROW_GRADIENTS = '''    n, d = X.shape
    p = logistic(X, theta)
    g = [0.0] * d
    for i in range(n):
        for j in range(d):
            g[j] += gradient_ij(X[i, j], y[i], p[i])
    return np.array(g) / n
'''

COLUMN_LOGISTIC = '''    column = theta.reshape(-1, 1)
    z = np.dot(X, column)
    p = 1.0 / (1.0 + np.exp(-np.clip(z, -700, 700)))
    return p.ravel() if X.ndim == 2 else float(p[0])
'''
COLUMN_GRADIENTS = '''    column = theta.reshape(-1, 1)
    p = logistic(X, column.ravel()).reshape(-1, 1)
    g = np.dot(X.T, -(y.reshape(-1, 1) - p)) / X.shape[0]
    return g.reshape(-1)
'''

HISTORY_START = "    history = [loss(X, y, theta)]\n    for _ in range(epochs):\n"
HISTORY_APPEND = "        history.append(loss(X, y, theta))\n    return theta, history\n"


def _both(old: str, new: str) -> tuple[Edit, Edit]:
    return Edit(LOG, old, new), Edit(LIN, old, new)


STYLE_VARIANTS: tuple[Variant, ...] = (
    Variant("S01_rows_with_math_exp", (
        Edit(LOG, IMPORT, "import math\n\nimport numpy as np\n"),
        Edit(LOG, LOGISTIC_BODY, ROW_LOGISTIC),
        Edit(LOG, LOSS_BODY, ROW_LOSS),
        Edit(LOG, GRADIENTS_BODY, ROW_GRADIENTS),
    ), why="per-row Python loops over range(n) with a stable math.exp, gradients summed in a list"),
    Variant("S02_np_dot_and_float_everywhere", (
        Edit(LOG, LOSS_BODY, "    z = np.dot(X, theta)\n    return float(np.mean(np.logaddexp(0.0, z) - y * z))\n"),
        Edit(LIN, "    yhat = X @ theta\n", "    yhat = np.dot(X, theta)\n"),
        Edit(LIN, "    return float(np.mean(residuals**2) / 2)\n",
             "    return float(float(np.dot(residuals, residuals)) / float(2 * len(residuals)))\n"),
        *_both("    return theta - lr * grads\n", "    return theta - float(lr) * grads\n"),
        *_both(HISTORY_APPEND, "        history.append(float(loss(X, y, theta)))\n    return theta, history\n"),
    ), why="np.dot instead of @, float() around every scalar"),
    Variant("S03_lists_appended_then_converted", (
        *_both(HISTORY_START, "    history = []\n    history.append(loss(X, y, theta))\n    for _ in range(epochs):\n"),
        *_both("    return theta, history\n", "    return np.array(theta, dtype=float), list(history)\n"),
        Edit(LIN, "    yhat = predict(X, theta)\n    return gradient_ij(X, y[:, None], yhat[:, None]).mean(axis=0)\n",
             "    yhat = predict(X, theta)\n    rows = []\n    for i in range(len(y)):\n"
             "        rows.append(gradient_ij(X[i], y[i], yhat[i]))\n    return np.array(rows).mean(axis=0)\n"),
    ), why="lists built with append, converted to arrays at the end"),
    Variant("S04_theta_as_a_column_and_back", (
        Edit(LOG, LOGISTIC_BODY, COLUMN_LOGISTIC),
        Edit(LOG, GRADIENTS_BODY, COLUMN_GRADIENTS),
    ), why="theta reshaped to a column for the matrix products, raveled back (and z clipped at ±700)"),
)

STYLE_BUGS: tuple[Bug, ...] = (
    # The style breaks the documented type only: one representation point.
    Bug("S11_history_as_ndarray", (
        Edit(LOG, HISTORY_START, "    history = np.zeros(epochs + 1)\n    history[0] = loss(X, y, theta)\n"
                                 "    for epoch in range(epochs):\n"),
        Edit(LOG, HISTORY_APPEND, "        history[epoch + 1] = loss(X, y, theta)\n    return theta, history\n"),
    ), f"{LOG}.gradient_descent", r"return history as a list: history\.tolist\(\)", points=1),
    Bug("S12_loss_as_0d_array", (Edit(LOG, LOSS_BODY, "    z = X @ theta\n"
                                                      "    return np.array(np.mean(np.logaddexp(0.0, z) - y * z))\n"),),
        f"{LOG}.loss", r"expected a float, got an ndarray of shape \(\): return float", points=1),
    Bug("S13_naive_sigmoid_warns", (Edit(LOG, LOGISTIC_BODY,
                                         "    p = 1 / (1 + np.exp(-(X @ theta)))\n    return p if np.ndim(p) else float(p)\n"),),
        f"{LOG}.logistic", r"RuntimeWarning: overflow encountered in exp", points=1),
    # One real bug each, in a real style.
    Bug("S21_rows_with_naive_math_exp", (
        Edit(LOG, IMPORT, "import math\n\nimport numpy as np\n"),
        Edit(LOG, LOGISTIC_BODY, ROW_LOGISTIC.replace(
            "        if z >= 0:\n            return 1.0 / (1.0 + math.exp(-z))\n        e = math.exp(z)\n"
            "        return e / (1.0 + e)\n", "        return 1.0 / (1.0 + math.exp(-z))\n")),
    ), f"{LOG}.logistic", r"OverflowError"),
    Bug("S22_rows_loss_summed", (
        Edit(LOG, IMPORT, "import math\n\nimport numpy as np\n"),
        Edit(LOG, LOSS_BODY, ROW_LOSS.replace("return total / n", "return total")),
    ), f"{LOG}.loss", r"summed over the samples"),
    Bug("S23_column_not_raveled", (
        Edit(LOG, GRADIENTS_BODY, COLUMN_GRADIENTS.replace("g.reshape(-1)", "g")),
    ), f"{LOG}.gradients", r"use 1-D arrays"),
    Bug("S24_rounded_loss", (
        Edit(LIN, "    return float(np.mean(residuals**2) / 2)\n", "    return round(float(np.mean(residuals**2) / 2), 4)\n"),
    ), f"{LIN}.loss", r"value\(s\) differ"),
    Bug("S25_crash_without_epochs", (
        Edit(LIN, HISTORY_APPEND, "        history.append(loss(X, y, theta))\n"
                                  "        last = history[-1]\n    print(f\"final loss {last:.4f}\")\n"
                                  "    return theta, history\n"),
    ), f"{LIN}.gradient_descent", r"(UnboundLocalError|NameError)"),
    Bug("S26_squeeze_breaks_one_row", (
        Edit(LIN, "    yhat = X @ theta\n    return yhat if np.ndim(yhat) else float(yhat)\n",
             "    yhat = np.squeeze(X @ theta)\n    return yhat if np.ndim(yhat) else float(yhat)\n"),
    ), f"{LIN}.predict", r"expected an array of shape \(1,\)"),
)
