"""autograder.grading.diagnose: each likely-bug detector on synthetic buggy outputs.

Every detector must name its bug when the symptom is there, and stay silent on the right
answer, on an unrelated wrong answer, and on inputs it cannot compare (other shapes, NaN).
"""

import numpy as np
import pytest

from autograder.grading import diagnose

rng = np.random.default_rng(20240601)
X = np.column_stack([np.ones(6), rng.normal(size=(6, 2))])
y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
theta = np.array([0.3, -0.7, 0.4])
z = X @ theta
p = 1 / (1 + np.exp(-z))
GRADS = ((p - y)[:, None] * X).mean(axis=0)  # the mean NLL gradient, written out independently
UNRELATED = np.array([0.123, -4.5, 2.0])


def silent_on_right_and_unrelated(detector, expected, **context):
    assert detector(expected.copy(), expected, **context) is None
    unrelated = np.resize(UNRELATED, np.shape(expected))
    assert detector(unrelated, expected, **context) is None
    assert detector(np.full(np.shape(expected), np.nan), expected, **context) is None


def test_sign_error():
    assert "sign is flipped" in diagnose.sign_error(((y - p)[:, None] * X).mean(axis=0), GRADS)
    silent_on_right_and_unrelated(diagnose.sign_error, GRADS)
    assert diagnose.sign_error(np.zeros(3), np.zeros(3)) is None  # −0 = 0 says nothing


def test_summed_not_averaged():
    n = len(y)
    summed = ((p - y)[:, None] * X).sum(axis=0)
    assert "missing 1/n" in diagnose.summed_not_averaged(summed, GRADS, n=n)
    silent_on_right_and_unrelated(diagnose.summed_not_averaged, GRADS, n=n)
    assert diagnose.summed_not_averaged(GRADS, GRADS, n=1) is None  # n = 1: sum and mean agree


def test_averaged_twice():
    assert "divided by n twice" in diagnose.averaged_twice(GRADS / len(y), GRADS, n=len(y))
    silent_on_right_and_unrelated(diagnose.averaged_twice, GRADS, n=len(y))


def test_per_sample_not_reduced():
    per_sample = (p - y)[:, None] * X
    assert "average over the samples" in diagnose.per_sample_not_reduced(per_sample, GRADS, n=6)
    assert diagnose.per_sample_not_reduced(p - y, GRADS, n=6) is None  # not the rows of this gradient
    assert diagnose.per_sample_not_reduced(per_sample + 1.0, GRADS, n=6) is None  # rows whose mean is another
    assert diagnose.per_sample_not_reduced(GRADS, GRADS, n=6) is None
    assert diagnose.per_sample_not_reduced(np.zeros((2, 3)), GRADS, n=6) is None


def test_missing_half_and_extra_factor_two():
    loss = float(np.mean((y - z) ** 2) / 2)
    assert "half the mean squared error" in diagnose.missing_half(float(np.mean((y - z) ** 2)), loss)
    assert diagnose.missing_half(loss, loss) is None
    grads = -((y - z)[:, None] * X).mean(axis=0)
    assert "no factor 2" in diagnose.extra_factor_two(2 * grads, grads)
    silent_on_right_and_unrelated(diagnose.extra_factor_two, grads)


def test_complement():
    assert "σ(−z)" in diagnose.complement(1 / (1 + np.exp(z)), p)
    silent_on_right_and_unrelated(diagnose.complement, p)
    assert diagnose.complement(np.full(3, 0.5), np.full(3, 0.5)) is None  # z = 0: both readings agree


def test_overflow():
    big = np.array([-1e4, 0.0, 800.0])
    naive = np.array([0.0, 0.5, np.nan])  # e^z / (1 + e^z) at z = 800 is inf / inf
    assert "overflows" in diagnose.overflow(naive, np.array([0.0, 0.5, 1.0]), z=big)
    assert "overflows" in diagnose.overflow(float("inf"), 800.0, z=big)
    assert diagnose.overflow(np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.5, 1.0]), z=big) is None
    assert diagnose.overflow(float("nan"), 1.0, z=np.array([1.0, 2.0])) is None  # small z: another bug


def test_loss_not_finite_names_the_cause_the_numbers_show():
    big = np.array([-1e4, 0.0, 800.0])
    assert "0 · log 0" in diagnose.loss_not_finite(float("nan"), 400.0, z=big)
    assert "e^z overflows" in diagnose.loss_not_finite(float("inf"), 400.0, z=big)
    assert "rounded to exactly 0" in diagnose.loss_not_finite(float("inf"), 800.0, z=np.array([-800.0]))
    assert diagnose.loss_not_finite(400.0, 400.0, z=big) is None
    assert diagnose.loss_not_finite(401.0, 400.0, z=big) is None  # finite and wrong: another bug


def test_capped_loss():
    big = np.array([800.0])
    clipped = float(-np.log(1e-15))  # p clipped to 1e-15 where the exact loss is 800
    assert "too small" in diagnose.capped_loss(clipped, 800.0, z=big)
    assert diagnose.capped_loss(800.0, 800.0, z=big) is None
    assert diagnose.capped_loss(0.3, 0.6, z=np.array([2.0])) is None


def test_unstable_solve():
    assert "lstsq" in diagnose.unstable_solve(0.0101, 0.01)
    assert diagnose.unstable_solve(0.01 * (1 + 1e-9), 0.01) is None
    assert diagnose.unstable_solve(float("nan"), 0.01) is None


def test_wrong_direction():
    lr = 0.1
    assert "opposite way" in diagnose.wrong_direction(theta + lr * GRADS, theta - lr * GRADS, start=theta)
    assert diagnose.wrong_direction(theta - lr * GRADS, theta - lr * GRADS, start=theta) is None
    assert diagnose.wrong_direction(theta + 1.0, theta - lr * GRADS, start=theta) is None


def test_unchanged():
    moved = theta - 0.1 * GRADS
    assert "never changed" in diagnose.unchanged(theta.copy(), moved, start=theta)
    assert diagnose.unchanged(theta.copy(), moved, start=theta, advice="update params[key]").endswith(
        ": update params[key]")
    assert diagnose.unchanged(moved, moved, start=theta) is None
    assert diagnose.unchanged(theta.copy(), theta.copy(), start=theta) is None  # nothing was to move


def test_history_shifted():
    history = [0.69, 0.5, 0.41, 0.37]
    assert "before the first epoch" in diagnose.history_shifted(history[1:], history)
    assert "after the last epoch" in diagnose.history_shifted(history[:-1], history)
    assert "one epoch behind" in diagnose.history_shifted([0.7, 0.69, 0.5, 0.41], history)
    assert "one entry too many" in diagnose.history_shifted([*history, 0.35], history)
    assert diagnose.history_shifted(history, history) is None
    assert diagnose.history_shifted([0.1, 0.2, 0.3], history) is None
    assert diagnose.history_shifted("not a history", history) is None


def test_only_partial_batch_wrong():
    right, wrong = [0.7, 0.5], [0.7, 0.6]
    assert "last, shorter batch of 1 rows" in diagnose.only_partial_batch_wrong(
        wrong, right, n=7, batch_size=3, divisible_ok=True)
    assert diagnose.only_partial_batch_wrong(wrong, right, n=7, batch_size=3, divisible_ok=False) is None
    assert diagnose.only_partial_batch_wrong(wrong, right, n=6, batch_size=3, divisible_ok=True) is None
    # the numbers are right (the failure was elsewhere, e.g. the type): no bug to name
    assert diagnose.only_partial_batch_wrong(np.array(right), right, n=7, batch_size=3, divisible_ok=True) is None


def batch_loop(X, y, order_of, batch_size, drop_last=False, lr=0.5, epochs=3):
    """A tiny batch loop for the synthetic variants below (linear least squares)."""
    n, w, history = len(y), np.zeros(X.shape[1]), []
    loss = lambda w: float(np.mean((y - X @ w) ** 2) / 2)  # noqa: E731
    history.append(loss(w))
    for epoch in range(epochs):
        order = order_of(epoch)
        for start in range(0, n - batch_size + 1 if drop_last else n, batch_size):
            idx = order[start:start + batch_size]
            w = w + lr * ((y[idx] - X[idx] @ w)[:, None] * X[idx]).mean(axis=0)
        history.append(loss(w))
    return w, history


def test_matches_variant_names_the_variant_a_trajectory_reproduces():
    Xl, yl = X[:, :2], X @ theta
    rng_once, rng_drop = np.random.default_rng(3), np.random.default_rng(3)
    right = batch_loop(Xl, yl, lambda e: rng_once.permutation(6), batch_size=4)
    variants = {
        "drops the last batch": batch_loop(Xl, yl, lambda e: rng_drop.permutation(6), 4, drop_last=True),
        "never shuffles": batch_loop(Xl, yl, lambda e: np.arange(6), 4),
        "reseeds every epoch": batch_loop(Xl, yl, lambda e: np.random.default_rng(3).permutation(6), 4),
    }
    for sentence, (w, history) in variants.items():
        assert diagnose.matches_variant((w, history), right, variants) == sentence
        assert diagnose.matches_variant(history, right[1], {s: v[1] for s, v in variants.items()}) == sentence
        assert diagnose.matches_variant(w, right[0], {s: v[0] for s, v in variants.items()}) == sentence
    assert diagnose.matches_variant(right, right, variants) is None
    assert diagnose.matches_variant((UNRELATED[:2], [0.1] * 4), right, variants) is None


def test_matches_variant_treats_nan_as_that_bug():
    nan = np.array([np.nan, np.nan])
    assert diagnose.matches_variant(nan, np.ones(2), {"t starts at 0": nan.copy()}) == "t starts at 0"


def test_shape_hint():
    assert "1-D arrays" in diagnose.shape_hint(np.zeros((4, 1)), np.zeros(4))
    assert "1-D arrays" in diagnose.shape_hint(np.zeros((1, 4)), np.zeros(4))
    assert "return float(...)" in diagnose.shape_hint(np.zeros(1), 0.5)
    assert diagnose.shape_hint(np.array(0.5), 0.5) is None  # a 0-d array is a float (contract section 2)
    assert diagnose.shape_hint(np.zeros(4), np.zeros(4)) is None


@pytest.mark.parametrize("detector", [diagnose.sign_error, diagnose.missing_half, diagnose.complement,
                                      diagnose.extra_factor_two])
def test_detectors_ignore_other_shapes(detector):
    assert detector(np.zeros((3, 1)), np.ones(3)) is None


def test_seed_ignored_and_later_epochs_wrong():
    right, wrong = [0.7, 0.5], [0.7, 0.6]
    assert "never shuffled" in diagnose.seed_ignored(wrong, right, seed_ignored=True)
    assert diagnose.seed_ignored(wrong, right, seed_ignored=False) is None
    assert diagnose.seed_ignored(right, right, seed_ignored=True) is None
    assert "draw a new rng.permutation(n)" in diagnose.later_epochs_wrong(wrong, right, first_epoch_ok=True)
    assert diagnose.later_epochs_wrong(wrong, right, first_epoch_ok=False) is None
    assert diagnose.later_epochs_wrong(right, right, first_epoch_ok=True) is None


def test_same_compares_pairs_element_by_element():
    pair = (np.array([1.0, 2.0]), [0.5, 0.25])
    assert diagnose.same((pair[0].copy(), list(pair[1])), pair)
    assert diagnose.same([pair[0].copy(), list(pair[1])], pair)  # a list pair from the wire
    assert not diagnose.same((pair[0] + 1e-3, pair[1]), pair)
    assert not diagnose.same((pair[0],), pair)
    assert not diagnose.same(pair[0], pair)
