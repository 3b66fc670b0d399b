"""The reference logistic regression against scikit-learn, scipy and closed forms."""

import math

import numpy as np
import pytest
from oracles import RegressionContract, read_only
from scipy.special import expit
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import log_loss


def softplus(z):
    """``log(1 + e^z)`` written as ``max(z, 0) + log1p(e^{−|z|})``, which cannot overflow."""
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


class TestLogisticContract(RegressionContract):
    module_name = "logistic_regression"
    predict_name = "logistic"
    link = staticmethod(expit)

    @staticmethod
    def sample_loss(z, y):
        return softplus(z) - y * z

    @staticmethod
    def make_y(rng, z):
        return (z > 0).astype(float)

    @staticmethod
    def sklearn_sgd(lr):
        # log_loss with y in {−1, +1}: d/dz log(1 + e^{−yz}) = −y / (1 + e^{yz}), which is
        # σ(z) − 1 for y = +1 and σ(z) for y = −1, i.e. −(y01 − σ(z)): the contract's gradient.
        return SGDClassifier(loss="log_loss", penalty=None, learning_rate="constant", eta0=lr,
                             shuffle=False, max_iter=1, tol=None, fit_intercept=False)

    @pytest.fixture
    def task(self, logistic_task):
        return logistic_task


@pytest.fixture(scope="module")
def mle(logistic_task):
    """scikit-learn's unpenalised maximum-likelihood fit, converged far past its default tol."""
    model = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=100000)
    return model.fit(logistic_task.X_train, logistic_task.y_train)


def test_bgd_reaches_the_sklearn_mle_with_the_same_accuracy(ref, logistic_task, mle):
    lr_mod = ref.logistic_regression
    X, y = logistic_task.X_train, logistic_task.y_train
    # ∇²l = XᵀDX/n with D = diag(p(1 − p)) ≤ 1/4, so L = λmax(XᵀX)/(4n) bounds its curvature.
    L = np.linalg.eigvalsh(X.T @ X / (4 * len(y)))[-1]
    theta, history = lr_mod.gradient_descent(X, y, lr=1 / L, epochs=3000)
    np.testing.assert_allclose(theta, mle.coef_.ravel(), rtol=0, atol=1e-6)
    # With lr = 1/L every BGD step lowers the loss (descent lemma); allow only rounding.
    assert np.all(np.diff(history) <= 1e-14)
    for X_split, y_split in ((logistic_task.X_val, logistic_task.y_val), (logistic_task.X_test, logistic_task.y_test)):
        predicted = (lr_mod.logistic(X_split, theta) > 0.5).astype(float)
        np.testing.assert_array_equal(predicted, mle.predict(X_split))
        assert np.mean(predicted == y_split) == mle.score(X_split, y_split)


def test_gradients_vanish_and_loss_equals_log_loss_at_the_mle(ref, logistic_task, mle):
    X, y = logistic_task.X_train, logistic_task.y_train
    theta = mle.coef_.ravel()
    assert np.max(np.abs(ref.logistic_regression.gradients(X, y, theta))) < 1e-7
    expected = log_loss(y, mle.predict_proba(X)[:, 1])
    assert ref.logistic_regression.loss(X, y, theta) == pytest.approx(expected, rel=1e-12)


Z = np.concatenate([-np.logspace(4, -3, 57), [0.0], np.logspace(-3, 4, 57)])  # −1e4 … 1e4


@pytest.mark.filterwarnings("error")
def test_logistic_is_exact_and_silent_for_large_z(ref):
    p = ref.logistic_regression.logistic(*read_only(Z[:, None], np.array([1.0])))
    # atol covers the subnormal range below e^-708, where both round differently.
    np.testing.assert_allclose(p, expit(Z), rtol=1e-14, atol=1e-300)
    assert p[0] == 0.0 and p[-1] == 1.0


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    ("z", "y", "expected"),
    [
        (40.0, 0.0, 40.0),  # naive −log(1 − σ(40)) is −log(0) = inf
        (40.0, 1.0, math.log1p(math.exp(-40.0))),
        (-40.0, 0.0, math.log1p(math.exp(-40.0))),
        (800.0, 0.0, 800.0),
        (800.0, 1.0, 0.0),
        (-800.0, 1.0, 800.0),
        (-800.0, 0.0, 0.0),
        (1e4, 0.0, 1e4),
        (0.0, 1.0, math.log(2.0)),
    ],
)
def test_loss_is_finite_and_exact_for_extreme_z(ref, z, y, expected):
    # One sample with x = 1 and θ = z, so the loss is log(1 + e^z) − y z. That difference
    # is only as exact as z's rounding when it is tiny (z = 40, y = 1 gives 0, not 4e-18).
    value = ref.logistic_regression.loss(np.array([[1.0]]), np.array([y]), np.array([z]))
    assert isinstance(value, float)
    assert value == pytest.approx(expected, rel=1e-15, abs=np.spacing(abs(y * z)))


@pytest.mark.filterwarnings("error")
def test_loss_is_the_closed_form_mean_over_extreme_rows(ref):
    y = (np.arange(Z.size) % 2).astype(float)
    value = ref.logistic_regression.loss(Z[:, None], y, np.array([1.0]))
    assert value == pytest.approx(np.mean(softplus(Z) - y * Z), rel=1e-14)
