"""Known bugs (one each, with the function that must lose and its message) and correct variants.

The bugs are the mistakes the course sees: a flipped sign, a sum for a mean, a missing ½, a
column vector, an in-place update, the last batch dropped, state not kept, a forgotten bias
correction... ``message`` is a regular expression the failed tests' feedback must match: the
likely-bug sentence where the grading tests have one (``autograder.grading.diagnose``), else
the comparison's own words.
"""

from __future__ import annotations

from .cases import Bug, Edit, Variant, bug
from .styles import STYLE_BUGS, STYLE_VARIANTS

LOG, LIN, OPT = "logistic_regression", "linear_regression", "optimizers"

SIGMOID = "p = np.exp(-np.logaddexp(0.0, -(X @ theta)))"
LOGISTIC_LOSS = "return float(np.mean(np.logaddexp(0.0, z) - y * z))"
GRADIENTS_L = "gradient_ij(X, y[:, None], p[:, None]).mean(axis=0)"
GRADIENTS_R = "gradient_ij(X, y[:, None], yhat[:, None]).mean(axis=0)"
STEP = "return theta - lr * grads"
SGD_UPDATE = "params[key] -= self.lr * grads[key]\n"
EVERY_EPOCH = "        history.append(loss(X, y, theta))\n    return theta, history"

BUGS: tuple[Bug, ...] = (
    # -- logistic_regression -----------------------------------------------------------------
    bug("L01_logistic_complement", LOG, SIGMOID, "p = np.exp(-np.logaddexp(0.0, X @ theta))",
        f"{LOG}.logistic", r"1 − expected"),
    bug("L02_logistic_column_vector", LOG, SIGMOID, "p = np.exp(-np.logaddexp(0.0, -(X @ theta[:, None])))",
        f"{LOG}.logistic", r"use 1-D arrays|expected a float"),
    bug("L03_loss_summed", LOG, LOGISTIC_LOSS, "return float(np.sum(np.logaddexp(0.0, z) - y * z))",
        f"{LOG}.loss", r"summed over the samples"),
    bug("L05_loss_log_of_probabilities", LOG, "z = X @ theta\n    " + LOGISTIC_LOSS,
        "p = 1 / (1 + np.exp(-(X @ theta)))\n    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))",
        f"{LOG}.loss", r"NaN from 0 · log 0: p = σ\(z\) rounded to exactly 0 or 1"),
    bug("L05b_loss_log_one_plus_exp", LOG, "return float(np.mean(np.logaddexp(0.0, z) - y * z))",
        "return float(np.mean(np.log(1 + np.exp(z)) - y * z))", f"{LOG}.loss", r"e\^z overflows above z ≈ 709"),
    bug("L06_gradient_ij_sign", LOG, "return -(y_i - p_i) * x_ij", "return (y_i - p_i) * x_ij",
        f"{LOG}.gradient_ij", r"sign is flipped"),
    bug("L07_gradients_summed", LOG, GRADIENTS_L, "gradient_ij(X, y[:, None], p[:, None]).sum(axis=0)",
        f"{LOG}.gradients", r"summed over the samples"),
    bug("L08_gradients_not_reduced", LOG, GRADIENTS_L, "gradient_ij(X, y[:, None], p[:, None])",
        f"{LOG}.gradients", r"one row per sample"),
    bug("L09_step_in_place", LOG, STEP, "theta -= lr * grads\n    return theta",
        f"{LOG}.step", r"modified its input `theta`"),
    bug("L10_step_wrong_direction", LOG, STEP, "return theta + lr * grads",
        f"{LOG}.step", r"opposite way"),
    bug("L11_history_without_start", LOG, "history = [loss(X, y, theta)]", "history = []",
        f"{LOG}.gradient_descent", r"lacks its first entry"),
    bug("L12_last_batch_dropped", LOG, "for start in range(0, n, batch_size):",
        "for start in range(0, n - batch_size + 1, batch_size):",
        f"{LOG}.gradient_descent", r"last, shorter batch"),
    bug("L13_reseeded_every_epoch", LOG, "order = rng.permutation(n)",
        "order = np.random.default_rng(seed).permutation(n)",
        f"{LOG}.gradient_descent", r"every epoch uses the same order"),
    bug("L15_theta0_aliased", LOG, "np.zeros(d) if theta0 is None else np.array(theta0, dtype=float)",
        "np.zeros(d) if theta0 is None else theta0",
        f"{LOG}.gradient_descent", r"modified its input"),
    bug("L16_bad_batch_size_accepted", LOG,
        "or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:\n"
        "        raise ValueError(f\"batch_size must be None or a positive integer, got {batch_size!r}\")",
        "or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:\n        batch_size = 1",
        f"{LOG}.gradient_descent", r"expected ValueError"),
    bug("L17_optimizer_ignored", LOG, "optimizer.update(params, {\"theta\": g})\n                theta = params[\"theta\"]",
        "theta = step(theta, g, lr)", f"{LOG}.gradient_descent", r"value\(s\) differ"),
    # -- linear_regression -------------------------------------------------------------------
    bug("R02_predict_not_a_float", LIN, "return yhat if np.ndim(yhat) else float(yhat)",
        "return np.atleast_1d(yhat)", f"{LIN}.predict", r"expected a float"),
    bug("R03_loss_without_half", LIN, "return float(np.mean(residuals**2) / 2)",
        "return float(np.mean(residuals**2))", f"{LIN}.loss", r"half the mean squared error"),
    bug("R04_gradient_ij_factor_two", LIN, "return -(y_i - yhat_i) * x_ij", "return -2 * (y_i - yhat_i) * x_ij",
        f"{LIN}.gradient_ij", r"no factor 2"),
    bug("R05_gradients_averaged_twice", LIN, GRADIENTS_R, GRADIENTS_R + " / len(y)",
        f"{LIN}.gradients", r"divided by n twice"),
    bug("R06_normal_equation_inverted", LIN, "return np.linalg.lstsq(X, y, rcond=None)[0]",
        "return np.linalg.inv(X.T @ X) @ X.T @ y", f"{LIN}.normal_equation", r"least-squares|differ"),
    bug("R07_normal_equation_whole_lstsq", LIN, "return np.linalg.lstsq(X, y, rcond=None)[0]",
        "return np.linalg.lstsq(X, y, rcond=None)", f"{LIN}.normal_equation", r"expected an ndarray"),
    bug("R08_step_in_place", LIN, STEP, "theta -= lr * grads\n    return theta",
        f"{LIN}.step", r"modified its input `theta`"),
    Bug("R09_history_one_epoch_behind", (
        Edit(LIN, "    for _ in range(epochs):\n        order",
             "    for _ in range(epochs):\n        history.append(loss(X, y, theta))\n        order"),
        Edit(LIN, EVERY_EPOCH, "    return theta, history"),
    ), f"{LIN}.gradient_descent", r"one epoch behind"),
    # -- optimizers --------------------------------------------------------------------------
    bug("O01_sgd_wrong_direction", OPT, SGD_UPDATE, "params[key] += self.lr * grads[key]\n",
        f"{OPT}.SGD", r"opposite way"),
    bug("O02_sgd_local_copy", OPT, SGD_UPDATE, "w = params[key] - self.lr * grads[key]\n",
        f"{OPT}.SGD", r"never changed"),
    bug("O03_sgd_mutates_grads", OPT, SGD_UPDATE, "grads[key] *= self.lr\n            params[key] -= grads[key]\n",
        f"{OPT}.SGD", r"modified its input `grads"),
    bug("O04_momentum_sign", OPT, "params[key] += self.v[key]", "params[key] -= self.v[key]",
        f"{OPT}.Momentum", r"opposite way"),
    bug("O05_nesterov_is_momentum", OPT,
        "params[key] += self.momentum * self.v[key] - self.lr * grads[key]", "params[key] += self.v[key]",
        f"{OPT}.Nesterov", r"value\(s\) differ"),
    bug("O07_rmsprop_rates_swapped", OPT,
        "self.h[key] = self.decay_rate * self.h[key] + (1 - self.decay_rate) * grads[key] ** 2",
        "self.h[key] = (1 - self.decay_rate) * self.h[key] + self.decay_rate * grads[key] ** 2",
        f"{OPT}.RMSprop", r"value\(s\) differ"),
    bug("O08_adam_without_bias_correction", OPT,
        "m_hat = self.m[key] / (1 - self.beta1 ** self.t[key])", "m_hat = self.m[key]",
        f"{OPT}.Adam", r"value\(s\) differ"),
    bug("O09_adam_returns_params", OPT,
        "params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)\n",
        "params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)\n        return params\n",
        f"{OPT}.Adam", r"must return None"),
    *STYLE_BUGS,
)

NEWLINE_SIGMOID = SIGMOID + "\n"

VARIANTS: tuple[Variant, ...] = (
    Variant("V01_reference_folder", why="the reference itself, as a folder"),
    Variant("V03_reference_nested_zip", form="nested-zip",
            why="a zip holding a folder with the modules, __MACOSX junk and a copy deeper down"),
    Variant("V04_reference_notebook", form="notebook",
            why="an assignment.ipynb writing the modules with %%writefile and %%writefile -a cells"),
    Variant("V05_expit", (
        Edit(LOG, "import numpy as np\n", "import numpy as np\nfrom scipy.special import expit\n"),
        Edit(LOG, NEWLINE_SIGMOID, "p = expit(X @ theta)\n"),
    ), why="scipy.special.expit"),
    Variant("V06_piecewise_sigmoid", (Edit(LOG, NEWLINE_SIGMOID,
            "z = X @ theta\n    e = np.exp(-np.abs(z))\n    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))\n"),),
            why="the two-branch stable sigmoid, no overflow"),
    Variant("V08_loops_and_matrix_forms", (
        Edit(LOG, "z = X @ theta\n    " + LOGISTIC_LOSS,
             "z = X @ theta\n    return float(np.mean(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - y * z))"),
        Edit(LOG, "p = logistic(X, theta)\n    return " + GRADIENTS_L,
             "p = logistic(X, theta)\n    g = np.zeros(X.shape[1])\n    for j in range(X.shape[1]):\n"
             "        g[j] = np.mean(gradient_ij(X[:, j], y, p))\n    return g"),
        Edit(LIN, "yhat = predict(X, theta)\n    return " + GRADIENTS_R,
             "return X.T @ (X @ theta - y) / len(y)"),
        Edit(LIN, "return np.linalg.lstsq(X, y, rcond=None)[0]", "return np.linalg.pinv(X) @ y"),
    ), why="a log1p loss, a loop over j, the matrix form XᵀX, a pseudo-inverse"),
    Variant("V09_rebinding_and_loops", (
        Edit(OPT, SGD_UPDATE, "params[key] = params[key] - self.lr * grads[key]\n"),
        Edit(OPT, "params[key] += self.v[key]", "params[key] = params[key] + self.v[key]"),
        Edit(LOG, "for start in range(0, n, batch_size):\n            idx = order[start:start + batch_size]",
             "for b in range(-(-n // batch_size)):\n            idx = order[b * batch_size:(b + 1) * batch_size]"),
    ), why="rebinding params[key] instead of updating in place (the contract accepts it); ceil(n/k) batches"),
    *STYLE_VARIANTS,
)
