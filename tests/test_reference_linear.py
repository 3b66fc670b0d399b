"""The reference linear regression against scikit-learn, LAPACK least squares and closed forms."""

import numpy as np
import pytest
from oracles import RegressionContract, read_only
from sklearn.linear_model import LinearRegression, SGDRegressor


class TestLinearContract(RegressionContract):
    module_name = "linear_regression"
    predict_name = "predict"

    @staticmethod
    def link(z):
        return z

    @staticmethod
    def sample_loss(z, y):
        return 0.5 * (y - z) ** 2

    @staticmethod
    def make_y(rng, z):
        return 3.0 * z + 1.0

    @staticmethod
    def sklearn_sgd(lr):
        # squared_error is ½(y − p)², the contract's sample loss, so the per-sample gradients
        # −(y − p)·x coincide exactly (not up to a factor 2).
        return SGDRegressor(loss="squared_error", penalty=None, learning_rate="constant", eta0=lr,
                            shuffle=False, max_iter=1, tol=None, fit_intercept=False)

    @pytest.fixture
    def task(self, linear_task):
        return linear_task

    def calls(self, X, y, theta):
        return {**super().calls(X, y, theta), "normal_equation": (X, y)}


def ill_conditioned(cond: float = 1e6, n: int = 60, d: int = 6, seed: int = 0):
    """``X = U diag(s) Vᵀ`` with singular values from 1 down to 1/cond, and a noisy y.

    Forming XᵀX squares the condition number (1e12 here), which costs about 1e-4 in θ; an
    SVD- or QR-based solver keeps it.
    """
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.normal(size=(n, n)))
    V, _ = np.linalg.qr(rng.normal(size=(d, d)))
    X = U[:, :d] * np.logspace(0, -np.log10(cond), d) @ V.T
    noise = U[:, d:] @ rng.normal(scale=0.1, size=n - d)  # orthogonal to the columns of X
    return X, X @ rng.normal(size=d) + noise


@pytest.fixture(params=["task", "ill_conditioned"])
def least_squares_case(request, linear_task):
    if request.param == "task":
        return linear_task.X_train, linear_task.y_train
    return ill_conditioned()


def test_normal_equation_equals_sklearn_and_lstsq(ref, least_squares_case):
    X, y = least_squares_case
    theta = ref.linear_regression.normal_equation(*read_only(X, y))
    assert theta.shape == (X.shape[1],)
    sklearn_theta = LinearRegression(fit_intercept=False).fit(X, y).coef_
    lstsq_theta = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(theta, sklearn_theta, rtol=0, atol=1e-10)
    np.testing.assert_allclose(theta, lstsq_theta, rtol=0, atol=1e-10)


def test_bgd_reaches_the_normal_equation(ref, linear_task):
    X, y = linear_task.X_train, linear_task.y_train
    # ∇²l = XᵀX/n, so L = λmax(XᵀX/n) and lr = 1/L converges at rate 1 − λmin/λmax.
    L = np.linalg.eigvalsh(X.T @ X / len(y))[-1]
    theta, history = ref.linear_regression.gradient_descent(X, y, lr=1 / L, epochs=15000)
    expected = ref.linear_regression.normal_equation(X, y)
    np.testing.assert_allclose(theta, expected, rtol=1e-10, atol=1e-10)
    assert np.all(np.diff(history) <= 1e-12 * history[0])  # descent lemma: never up
    assert history[-1] == pytest.approx(np.mean((y - X @ expected) ** 2) / 2, rel=1e-12)
