"""Independent oracles for the reference tests, and the tests both regressions share.

The oracles restate the contract in the plainest numpy (closed-form losses and gradients,
centred differences, the batch order of CONTRACT.md section 6) and never call the code
under test. `RegressionContract` holds the tests that read the same for logistic and linear
regression; each test module subclasses it and names its module and its model's formulas.
"""

import math

import numpy as np
import pytest


def rel_error(a, b) -> float:
    """CS231n's relative error ``max |a − b| / max(1e-8, |a| + |b|)``, taken elementwise."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(f, theta: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred differences ``(f(θ + h e_j) − f(θ − h e_j)) / 2h`` for every j.

    ``f`` may return an array (e.g. one loss per sample); the result then has the
    coordinate j as its last axis.
    """
    columns = []
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = h
        columns.append((np.asarray(f(theta + e)) - np.asarray(f(theta - e))) / (2 * h))
    return np.stack(columns, axis=-1)


def read_only(*arrays: np.ndarray) -> list[np.ndarray]:
    """Copies that raise on any write, so an in-place change to an input cannot go unseen."""
    copies = []
    for a in arrays:
        c = np.array(a, dtype=float)
        c.flags.writeable = False
        copies.append(c)
    return copies


def contract_batches(n: int, batch_size: int | None, epochs: int, seed: int) -> list[list[np.ndarray]]:
    """The index slices the batch loop must use, per epoch (CONTRACT.md section 6, step 3).

    One generator for the whole run; each epoch walks a fresh ``rng.permutation(n)`` in
    consecutive slices, the shorter last one included.
    """
    size = n if batch_size is None else min(batch_size, n)
    rng = np.random.default_rng(seed)
    plan = []
    for _ in range(epochs):
        order = rng.permutation(n)
        plan.append([order[k:k + size] for k in range(0, n, size)])
    return plan


class RecordingOptimizer:
    """Plain SGD written out here (``w ← w − lr·g``) that records what it is given."""

    def __init__(self, lr: float) -> None:
        self.lr = lr
        self.calls: list[tuple[np.ndarray, np.ndarray]] = []  # (theta before, gradient)

    def update(self, params: dict, grads: dict) -> None:
        self.calls.append((params["theta"].copy(), grads["theta"].copy()))
        params["theta"] -= self.lr * grads["theta"]


class RegressionContract:
    """Tests shared by ``logistic_regression`` and ``linear_regression``.

    A subclass sets ``module_name``, ``predict_name`` (the model's σ(Xθ) or Xθ function),
    ``sklearn_sgd`` (a factory ``lr -> unfitted estimator`` whose one epoch, unshuffled and
    unpenalised, is the contract's SGD) and the model's formulas as static methods:
    ``link(z)`` (the prediction from z = Xθ), ``sample_loss(z, y)`` (one sample's loss)
    and ``make_y(rng, z)`` (labels for synthetic data); plus a ``task`` fixture.
    """

    module_name: str
    predict_name: str

    @pytest.fixture
    def module(self, ref):
        return getattr(ref, self.module_name)

    @classmethod
    def data(cls, seed: int, n: int = 30, d: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Seeded synthetic ``(X, y, theta)`` with an intercept column."""
        rng = np.random.default_rng(seed)
        X = np.column_stack([np.ones(n), rng.normal(size=(n, d - 1))])
        theta = rng.normal(scale=0.7, size=d)
        return X, cls.make_y(rng, X @ theta + rng.normal(size=n)), theta

    @classmethod
    def oracle_loss(cls, X, y, theta) -> float:
        return float(np.mean(cls.sample_loss(X @ theta, y)))

    @classmethod
    def oracle_gradients(cls, X, y, theta) -> np.ndarray:
        # ∇l = (1/n) Xᵀ(link(Xθ) − y) for both models (canonical links).
        return X.T @ (cls.link(X @ theta) - y) / len(y)

    # --- the model's functions -------------------------------------------------------

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_loss_is_the_mean_sample_loss(self, module, seed):
        X, y, theta = self.data(seed)
        assert module.loss(X, y, theta) == pytest.approx(self.oracle_loss(X, y, theta), rel=1e-13)
        assert isinstance(module.loss(X, y, theta), float)

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_gradients_match_numerical_gradient_of_loss(self, module, seed):
        X, y, theta = self.data(seed)
        numeric = numerical_gradient(lambda t: module.loss(X, y, t), theta)
        grads = module.gradients(X, y, theta)
        assert grads.shape == theta.shape
        assert rel_error(grads, numeric) < 1e-7

    @pytest.mark.parametrize("seed", [0, 1])
    def test_gradient_ij_is_each_samples_derivative_elementwise(self, module, seed):
        X, y, theta = self.data(seed)
        # ∂ l_i / ∂θ_j for every (i, j), from the closed-form sample loss alone.
        numeric = numerical_gradient(lambda t: self.sample_loss(X @ t, y), theta)
        out = module.gradient_ij(X, y[:, None], self.link(X @ theta)[:, None])
        assert out.shape == X.shape
        assert rel_error(out, numeric) < 1e-7
        x, yi, pi = 0.75, 1.0, 0.25
        assert module.gradient_ij(x, yi, pi) == pytest.approx(-(yi - pi) * x, rel=1e-15)

    def test_prediction_matches_link_and_is_float_for_one_row(self, module):
        X, _, theta = self.data(3)
        predict = getattr(module, self.predict_name)
        np.testing.assert_allclose(predict(X, theta), self.link(X @ theta), rtol=1e-14)
        one = predict(X[4], theta)
        assert isinstance(one, float)
        assert one == pytest.approx(float(self.link(X[4] @ theta)), rel=1e-14)

    def test_step_returns_a_new_array(self, module):
        theta, grads = read_only(np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.2, -0.3]))
        new = module.step(theta, grads, 0.5)
        assert new is not theta and not np.shares_memory(new, theta)
        np.testing.assert_allclose(new, [0.45, -1.1, 2.15], rtol=1e-15)
        np.testing.assert_array_equal(theta, [0.5, -1.0, 2.0])

    def calls(self, X, y, theta) -> dict[str, tuple]:
        """Every public function but `gradient_descent`, with read-only arguments."""
        p, grads = read_only(self.link(X @ theta), self.oracle_gradients(X, y, theta))
        return {
            self.predict_name: (X, theta),
            "loss": (X, y, theta),
            "gradient_ij": (X, y[:, None], p[:, None]),
            "gradients": (X, y, theta),
            "step": (theta, grads, 0.1),
        }

    def test_no_function_modifies_its_inputs(self, module):
        X, y, theta = self.data(4)
        X_ro, y_ro, theta_ro = read_only(X, y, theta)
        for name, args in self.calls(X_ro, y_ro, theta_ro).items():
            getattr(module, name)(*args)  # a write to a read-only input raises here
        for batch_size in (None, 1, 7):
            module.gradient_descent(X_ro, y_ro, lr=0.05, epochs=2, batch_size=batch_size, theta0=theta_ro)
            module.gradient_descent(X_ro, y_ro, epochs=2, batch_size=batch_size, theta0=theta_ro,
                                    optimizer=RecordingOptimizer(0.05))
        for before, after in ((X, X_ro), (y, y_ro), (theta, theta_ro)):
            np.testing.assert_array_equal(before, after)

    # --- the batch loop (CONTRACT.md section 6) ----------------------------------------

    @pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 11, None])
    def test_batch_loop_follows_the_contract(self, module, batch_size):
        # n = 11 leaves a shorter last batch for 3 and 4; 11 and None are one batch.
        X, y, _ = self.data(5, n=11, d=3)
        theta0 = np.array([0.2, -0.1, 0.3])
        epochs, seed = 3, 42
        opt = RecordingOptimizer(0.3)
        theta, history = module.gradient_descent(X, y, epochs=epochs, batch_size=batch_size, seed=seed,
                                                 theta0=theta0, optimizer=opt)
        plan = contract_batches(len(y), batch_size, epochs, seed)
        expected_batches = [idx for epoch in plan for idx in epoch]
        per_epoch = math.ceil(11 / (batch_size or 11))
        assert len(opt.calls) == epochs * per_epoch == len(expected_batches)
        np.testing.assert_array_equal(opt.calls[0][0], theta0)
        for (theta_k, g_k), idx in zip(opt.calls, expected_batches, strict=True):
            np.testing.assert_allclose(g_k, self.oracle_gradients(X[idx], y[idx], theta_k), rtol=1e-12, atol=1e-15)
        # theta after epoch k is the theta before the first update of epoch k + 1.
        epoch_ends = [c[0] for c in opt.calls[per_epoch::per_epoch]] + [theta]
        assert len(history) == epochs + 1 and all(isinstance(h, float) for h in history)
        assert history[0] == pytest.approx(self.oracle_loss(X, y, theta0), rel=1e-13)
        for h, theta_k in zip(history[1:], epoch_ends, strict=True):
            assert h == pytest.approx(self.oracle_loss(X, y, theta_k), rel=1e-13)

    @pytest.mark.parametrize("batch_size", [1, 4, None])
    def test_lr_path_equals_optimizer_paths(self, module, ref, batch_size):
        X, y, theta0 = self.data(6, n=11, d=3)
        kwargs = dict(epochs=4, batch_size=batch_size, seed=3, theta0=theta0)
        by_lr = module.gradient_descent(X, y, lr=0.2, **kwargs)
        for optimizer in (RecordingOptimizer(0.2), ref.optimizers.SGD(lr=0.2)):
            by_opt = module.gradient_descent(X, y, lr=99.0, optimizer=optimizer, **kwargs)  # lr is ignored
            np.testing.assert_allclose(by_opt[0], by_lr[0], rtol=1e-14, atol=1e-15)
            np.testing.assert_allclose(by_opt[1], by_lr[1], rtol=1e-14, atol=1e-15)

    def test_defaults_start_at_zero_and_run_100_epochs(self, module):
        X, y, _ = self.data(7, n=11, d=3)
        theta, history = module.gradient_descent(X, y)
        assert len(history) == 101
        assert history[0] == pytest.approx(self.oracle_loss(X, y, np.zeros(3)), rel=1e-13)
        np.testing.assert_allclose(theta, module.gradient_descent(X, y, lr=0.1, epochs=100, seed=0)[0], rtol=1e-15)

    @pytest.mark.parametrize("batch_size", [11, 12, 1000])
    def test_batch_size_at_least_n_is_bgd(self, module, batch_size):
        X, y, theta0 = self.data(8, n=11, d=3)
        bgd = module.gradient_descent(X, y, lr=0.2, epochs=3, theta0=theta0)
        big = module.gradient_descent(X, y, lr=0.2, epochs=3, batch_size=batch_size, theta0=theta0)
        np.testing.assert_array_equal(big[0], bgd[0])
        assert big[1] == bgd[1]
        expected = theta0 - 0.2 * self.oracle_gradients(X, y, theta0)
        once = module.gradient_descent(X, y, lr=0.2, epochs=1, batch_size=batch_size, theta0=theta0)[0]
        np.testing.assert_allclose(once, expected, rtol=1e-13)

    @pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, "3"])
    def test_bad_batch_size_raises_value_error(self, module, batch_size):
        X, y, _ = self.data(9, n=11, d=3)
        with pytest.raises(ValueError):
            module.gradient_descent(X, y, epochs=1, batch_size=batch_size)

    def test_theta0_is_copied_not_aliased(self, module):
        X, y, theta0 = self.data(10, n=11, d=3)
        for optimizer in (None, RecordingOptimizer(0.1)):
            start = theta0.copy()
            theta, _ = module.gradient_descent(X, y, epochs=2, batch_size=4, theta0=start, optimizer=optimizer)
            np.testing.assert_array_equal(start, theta0)
            assert not np.shares_memory(theta, start)

    @pytest.mark.parametrize("seed", [0, 7])
    @pytest.mark.parametrize("lr", [0.001, 0.01])
    def test_one_sgd_epoch_equals_sklearn_on_the_same_permutation(self, module, task, seed, lr):
        X, y = task.X_train, task.y_train
        theta, _ = module.gradient_descent(X, y, lr=lr, epochs=1, batch_size=1, seed=seed)
        order = np.random.default_rng(seed).permutation(len(y))
        oracle = self.sklearn_sgd(lr).fit(X[order], y[order])
        np.testing.assert_allclose(theta, oracle.coef_.ravel(), rtol=0, atol=1e-12)
