"""Every diagnosis replayed on the reference's answer (none may fire) and on its bug's (it must).

A "Likely bug" is named only when the submission's numbers match that bug's numbers and not
the reference's. Each row below computes, independently of the reference, what a submission
with one bug returns (written out with numpy), and the reference's answer; the detector must
stay silent on the reference's answer, also when it comes back in another lossless form (a
list, a 0-d array), and name its bug on the buggy one. The table must cover every detector
in `autograder.grading.diagnose`.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from autograder.grading import diagnose
from autograder.reference import Reference

REF = Reference()
LOG, LIN = "logistic_regression", "linear_regression"
rng = np.random.default_rng(7)
X = np.column_stack([np.ones(8), rng.normal(size=(8, 2))])
Y01 = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0])
YR = X @ np.array([0.5, -1.0, 2.0]) + rng.normal(scale=0.3, size=8)
THETA = np.array([0.3, -0.7, 0.4])
Z = X @ THETA
P = 1 / (1 + np.exp(-Z))
EXTREME_Z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
XE = np.column_stack([np.ones(5), EXTREME_Z])
YE = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
THETA_E = np.array([0.0, 1.0])


def ref(module: str, name: str, *args, **kwargs):
    return REF.function(module, name)(*args, **kwargs)


def loop(Xs, ys, *, lr, epochs, batch_size, seed, drop_last=False, reseed=False, shuffle=True):
    """The linear batch loop written out, with one bug at a time."""
    n, theta = len(ys), np.zeros(Xs.shape[1])
    rng_ = np.random.default_rng(seed)
    history = [float(np.mean((ys - Xs @ theta) ** 2) / 2)]
    for _ in range(epochs):
        order = (np.random.default_rng(seed) if reseed else rng_).permutation(n) if shuffle else np.arange(n)
        for start in range(0, n - batch_size + 1 if drop_last else n, batch_size):
            idx = order[start:start + batch_size]
            theta = theta - lr * (-(ys[idx] - Xs[idx] @ theta)[:, None] * Xs[idx]).mean(axis=0)
        history.append(float(np.mean((ys - Xs @ theta) ** 2) / 2))
    return theta, history


def ill_conditioned():
    u = rng.normal(size=60)
    Xi = np.column_stack([np.ones(60), u, u + 1e-8 * rng.normal(size=60), rng.normal(size=60)])
    yi = Xi @ np.array([1.0, 2.0, -1.0, 0.5]) + rng.normal(scale=0.1, size=60)
    best = ref(LIN, "loss", Xi, yi, ref(LIN, "normal_equation", Xi, yi))
    inverted = ref(LIN, "loss", Xi, yi, np.linalg.inv(Xi.T @ Xi) @ Xi.T @ yi)
    return inverted, best


def rows():
    """(detector, buggy answer, reference answer, context, words the sentence must hold)."""
    grads = ref(LOG, "gradients", X, Y01, THETA)
    n = len(Y01)
    lin_loss = ref(LIN, "loss", X, YR, THETA)
    lin_grads = ref(LIN, "gradients", X, YR, THETA)
    kwargs = dict(lr=0.2, epochs=3, batch_size=3, seed=5)
    right = ref(LIN, "gradient_descent", X, YR, **kwargs)
    dropped = loop(X, YR, **kwargs, drop_last=True)
    with np.errstate(all="ignore"):
        naive_p = np.exp(EXTREME_Z) / (1 + np.exp(EXTREME_Z))
        pe = 1 / (1 + np.exp(-EXTREME_Z))
        log_of_p = float(-np.mean(YE * np.log(pe) + (1 - YE) * np.log(1 - pe)))
        log_one_plus = float(np.mean(np.log(1 + np.exp(EXTREME_Z)) - YE * EXTREME_Z))
    clipped = np.clip(pe, 1e-15, 1 - 1e-15)
    capped = float(-np.mean(YE * np.log(clipped) + (1 - YE) * np.log(1 - clipped)))
    theta0 = np.array([0.1, 0.2, 0.3])
    stepped = ref(LOG, "step", theta0, grads, 0.5)
    inverted, best = ill_conditioned()
    loss_e = ref(LOG, "loss", XE, YE, THETA_E)
    return [
        (diagnose.sign_error, ((Y01 - P)[:, None] * X).mean(axis=0), grads, {}, "sign is flipped"),
        (diagnose.summed_not_averaged, float(np.sum(np.logaddexp(0, Z) - Y01 * Z)), ref(LOG, "loss", X, Y01, THETA),
         {"n": n}, "missing 1/n"),
        (diagnose.averaged_twice, grads / n, grads, {"n": n}, "divided by n twice"),
        (diagnose.per_sample_not_reduced, (P - Y01)[:, None] * X, grads, {"n": n}, "one row per sample"),
        (diagnose.missing_half, float(np.mean((YR - X @ THETA) ** 2)), lin_loss, {}, "half the mean squared"),
        (diagnose.extra_factor_two, 2 * (-(YR - X @ THETA)[:, None] * X).mean(axis=0), lin_grads, {}, "no factor 2"),
        (diagnose.complement, 1 / (1 + np.exp(Z)), ref(LOG, "logistic", X, THETA), {}, "σ(−z)"),
        (diagnose.overflow, naive_p, ref(LOG, "logistic", XE, THETA_E), {"z": EXTREME_Z}, "overflows"),
        (diagnose.loss_not_finite, log_of_p, loss_e, {"z": EXTREME_Z}, "0 · log 0"),
        (diagnose.loss_not_finite, log_one_plus, loss_e, {"z": EXTREME_Z}, "e^z overflows"),
        (diagnose.capped_loss, capped, loss_e, {"z": EXTREME_Z}, "too small"),
        (diagnose.wrong_direction, theta0 + 0.5 * grads, stepped, {"start": theta0}, "opposite way"),
        (diagnose.unchanged, theta0.copy(), stepped, {"start": theta0}, "never changed"),
        (diagnose.history_shifted, right[1][1:], right[1], {}, "lacks its first entry"),
        (diagnose.only_partial_batch_wrong, dropped[1], right[1], {"n": 8, "batch_size": 3, "divisible_ok": True},
         "last, shorter batch"),
        (diagnose.seed_ignored, loop(X, YR, **kwargs, shuffle=False)[1], right[1], {"seed_ignored": True},
         "never shuffled"),
        (diagnose.later_epochs_wrong, loop(X, YR, **kwargs, reseed=True)[1], right[1], {"first_epoch_ok": True},
         "first epoch is right"),
        (diagnose.unstable_solve, inverted, best, {}, "lstsq"),
        (diagnose.matches_variant, dropped, right, {"candidates": {"the last batch is dropped": dropped}},
         "the last batch is dropped"),
        (diagnose.shape_hint, ref(LOG, "gradients", X, Y01, THETA)[:, None], grads, {}, "1-D arrays"),
    ]


ROWS = rows()


def other_forms(value):
    """``value`` in the lossless forms a submission may return it in."""
    if isinstance(value, tuple):
        return [value, list(value)]
    if isinstance(value, list):
        return [value, np.array(value), tuple(value)]
    if isinstance(value, np.ndarray):
        return [value.copy(), value.tolist()]
    return [value, np.array(value), np.float64(value)]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row[0].__name__}-{row[4]}")
def test_diagnosis_fires_on_its_bug_and_never_on_the_reference(row):
    detector, buggy, expected, context, words = row
    for form in other_forms(expected):
        assert detector(form, expected, **context) is None, f"{detector.__name__} fired on the reference's answer"
    sentence = detector(buggy, expected, **context)
    assert sentence and words in sentence, sentence


def test_every_detector_is_replayed():
    detectors = {name for name, f in inspect.getmembers(diagnose, inspect.isfunction)
                 if f.__module__ == diagnose.__name__ and not name.startswith("_") and name not in ("about", "same")}
    assert detectors == {row[0].__name__ for row in ROWS}
