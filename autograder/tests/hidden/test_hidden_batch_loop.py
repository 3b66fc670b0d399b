"""Hidden tests of both modules' ``gradient_descent``: the seeded batch loop (CONTRACT.md section 6).

Every call swaps `loss`, `gradients` and `step` for the reference's (`compare.call`), so only
the loop itself is graded: its order of rows, its batches, its history. (Once the loop and some
of those have passed their tests so far, a run with them as submitted is tried first: see
`check_trajectory`.) The expected
``(theta, history)`` is the reference's on the same fresh random problem. When a submission
misses it, `loop` replays the loop with one known bug at a time (the last batch dropped, no
shuffling, the generator remade every epoch, the legacy ``np.random``) and the message names
the bug whose trajectory the submission reproduces.
"""

from functools import partial

import numpy as np
import pytest

from autograder.grading import compare, diagnose
from autograder.sandbox.errors import Raised, StudentError
from autograder.sandbox.parent import ReferenceOptimizer

LOGISTIC, LINEAR = "logistic_regression", "linear_regression"
UPDATE_ADVICE = "update theta with step(...) (or read it back from params['theta'] after optimizer.update)"


def problem(rng: np.random.Generator, module: str, n: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X with an intercept column, labels (0/1 or real) for ``module``, and a random theta0."""
    X = np.column_stack([np.ones(n), rng.normal(size=(n, d - 1))])
    if module == LOGISTIC:
        y = rng.integers(0, 2, size=n).astype(np.float64)
    else:
        y = X @ rng.normal(size=d) + rng.normal(scale=0.5, size=n)
    return X, y, rng.normal(scale=0.5, size=d)


def loop(ref, X, y, *, lr=0.1, epochs=100, batch_size=None, seed=0, theta0=None, optimizer=None,
         order="permutation", drop_last=False):
    """The batch loop of CONTRACT.md section 6 on ``ref``'s loss, gradients and step, or a buggy variant.

    ``order``: ``"permutation"`` (right: one generator, a new permutation each epoch),
    ``"unshuffled"`` (rows in their given order), ``"reseeded"`` (the generator remade every
    epoch, so every epoch has the same order), ``"legacy"`` (``np.random.seed(seed)`` then
    ``np.random.permutation``). ``drop_last`` skips the last, shorter batch.
    """
    n, d = X.shape
    size = n if batch_size is None else min(batch_size, n)
    theta = np.zeros(d) if theta0 is None else np.array(theta0, dtype=float)
    params = {"theta": theta}
    rng, legacy = np.random.default_rng(seed), np.random.RandomState(seed)
    history = [ref.loss(X, y, theta)]
    for _ in range(epochs):
        rows = {"permutation": lambda: rng.permutation(n), "unshuffled": lambda: np.arange(n),
                "reseeded": lambda: np.random.default_rng(seed).permutation(n),
                "legacy": lambda: legacy.permutation(n)}[order]()
        for start in range(0, n - size + 1 if drop_last else n, size):
            idx = rows[start:start + size]
            g = ref.gradients(X[idx], y[idx], theta)
            if optimizer is None:
                theta = ref.step(theta, g, lr)
            else:
                optimizer.update(params, {"theta": g})
                theta = params["theta"]
        history.append(ref.loss(X, y, theta))
    return theta, history


VARIANTS = {
    "the last, shorter batch of each epoch is dropped: use it too, an epoch makes ceil(n / batch_size) updates":
        dict(drop_last=True),
    "the rows are never shuffled: every epoch must walk rng.permutation(n)": dict(order="unshuffled"),
    "every epoch uses the same order: make rng = np.random.default_rng(seed) once, before the epochs, "
    "and draw a new rng.permutation(n) at the start of each epoch": dict(order="reseeded"),
    "the order comes from the legacy np.random functions: draw it from rng = np.random.default_rng(seed)":
        dict(order="legacy"),
}


def variant_hints(ref, X, y, kwargs: dict, part: int, make_optimizer=None) -> list:
    """Hints recognising each of `VARIANTS` in theta (``part=0``) or history (``part=1``).

    The variants run only if a hint is asked for, i.e. after the submission failed.
    """
    def hint(got, expected):
        candidates = {}
        for sentence, bug in VARIANTS.items():
            extra = {"optimizer": make_optimizer()} if make_optimizer else {}
            candidates[sentence] = loop(ref, X, y, **kwargs, **extra, **bug)[part]
        return diagnose.matches_variant(got, expected, candidates)
    return [hint]


def check_trajectory(student, reference, module: str, X, y, kwargs: dict, optimizer: tuple | None = None,
                     proven: frozenset[str] = frozenset()) -> None:
    """The submission's (theta, history) equals the reference's; on a miss, name the bug.

    Once the loop has passed its tests so far (the public ones, with every callee swapped) and
    some of its callees have too, a run with only the others swapped (`compare.partial_swap`)
    is tried first, saving a callback per batch for each. Only a pass counts from it: on a miss
    the loop is judged, as always, with all its callees the reference's, so a bug elsewhere never
    costs these points. Its time-outs are counted apart, so they never stop a later test from
    running; after two it is not tried again.
    """
    ref = getattr(reference, module)
    make_optimizer = None
    student_kwargs = dict(kwargs)
    if optimizer is not None:
        name, hyperparameters = optimizer
        def make_optimizer():
            return getattr(reference.optimizers, name)(**hyperparameters)
        student_kwargs["optimizer"] = ReferenceOptimizer(name, **hyperparameters)
        theta, history = ref.gradient_descent(X, y, **kwargs, optimizer=make_optimizer())
    else:
        theta, history = ref.gradient_descent(X, y, **kwargs)
    start = np.zeros(X.shape[1]) if kwargs.get("theta0") is None else kwargs["theta0"]

    def expect(swap, advise: bool, strikes: str | None = None) -> None:
        got, what = compare.call(student, module, "gradient_descent", ("X", "y"), X, y, swap=swap, strikes=strikes,
                                 **student_kwargs)
        got_theta, got_history = compare.expect_pair(got, what=what)
        compare.expect_history(got_history, history, what=f"{what}: history", hints=[
            diagnose.history_shifted, *variant_hints(ref, X, y, kwargs, 1, make_optimizer)] if advise else [])
        compare.expect_array(got_theta, theta, what=f"{what}: theta", hints=[
            partial(diagnose.unchanged, start=start, advice=UPDATE_ADVICE),
            *variant_hints(ref, X, y, kwargs, 0, make_optimizer)] if advise else [])

    first = compare.partial_swap(module, "gradient_descent", proven)
    if first is not None and not set(compare.callees(module, "gradient_descent")) <= set(first):
        try:
            expect(swap=first, advise=False, strikes=f"{module}.gradient_descent, own callees")
            return
        except (AssertionError, StudentError):
            pass  # judged below with the reference's callees, which also names the bug
    expect(swap=None, advise=True)


def sgd_case(rng, module):
    X, y, theta0 = problem(rng, module, 8, 3)
    return X, y, dict(lr=0.3, epochs=3, batch_size=1, seed=int(rng.integers(1000)), theta0=theta0)


def mgd_case(rng, module):
    X, y, theta0 = problem(rng, module, 11, 3)  # batch_size 4: batches of 4, 4 and 3
    return X, y, dict(lr=0.3, epochs=4, batch_size=4, seed=int(rng.integers(1000)), theta0=theta0)


def check_no_epochs(student, reference, module: str, rng, proven) -> None:
    """``epochs=0``: theta0 back (or zeros) and a history of one float, the starting loss."""
    X, y, theta0 = problem(rng, module, 5, 3)
    for kwargs in (dict(lr=0.3, epochs=0, batch_size=2, seed=4, theta0=theta0), dict(epochs=0)):
        check_trajectory(student, reference, module, X, y, kwargs, proven=proven)


def check_smallest_shapes(student, reference, module: str, rng, proven) -> None:
    """One sample, one feature (the intercept alone), and both, with theta0 given: BGD and MGD
    (batch_size 2 > n = 1 is BGD too; SGD has its own tests, so a loop that fails only there
    loses only those)."""
    for n, d in ((1, 1), (1, 3), (5, 1)):
        X, y, theta0 = problem(rng, module, n, d)
        for batch_size in (None, 2):
            check_trajectory(student, reference, module, X, y,
                             dict(lr=0.3, epochs=3, batch_size=batch_size, seed=7, theta0=theta0), proven=proven)


def check_bad_batch_sizes(student, module: str, rng) -> None:
    X, y, _ = problem(rng, module, 6, 2)
    for bad in (0, -2, 1.5, True):
        what = compare.describe_call("gradient_descent", ("X", "y"), (X, y), dict(epochs=1, batch_size=bad))
        error = None
        try:
            student.call(module, "gradient_descent", X, y, epochs=1, batch_size=bad,
                         swap=compare.callees(module, "gradient_descent"))
        except Raised as raised:
            error = raised
        compare.expect_raises(error, "ValueError", what=what)


# -- logistic_regression.gradient_descent --------------------------------------------------

@pytest.mark.grades("logistic_regression.gradient_descent", points=1, hidden=True)
def test_logistic_gradient_descent_sgd(student, reference, rng, proven):
    """SGD (batch_size=1): theta and history match the reference on a random problem"""
    X, y, kwargs = sgd_case(rng, LOGISTIC)
    check_trajectory(student, reference, LOGISTIC, X, y, kwargs, proven=proven)


@pytest.mark.grades("logistic_regression.gradient_descent", points=2, hidden=True)
def test_logistic_gradient_descent_mgd(student, reference, rng, proven):
    """MGD with a last, shorter batch (n=11, batch_size=4): theta and history match the reference"""
    X, y, kwargs = mgd_case(rng, LOGISTIC)
    check_trajectory(student, reference, LOGISTIC, X, y, kwargs, proven=proven)


@pytest.mark.grades("logistic_regression.gradient_descent", points=1, hidden=True)
def test_logistic_gradient_descent_batch_size_n_or_more(student, reference, rng, proven):
    """batch_size = n and batch_size > n are batch gradient descent"""
    X, y, theta0 = problem(rng, LOGISTIC, 6, 3)
    for batch_size in (6, 50):
        check_trajectory(student, reference, LOGISTIC, X, y,
                         dict(lr=0.5, epochs=3, batch_size=batch_size, seed=2, theta0=theta0), proven=proven)


@pytest.mark.grades("logistic_regression.gradient_descent", points=1, hidden=True)
def test_logistic_gradient_descent_defaults(student, reference, rng, proven):
    """called as gradient_descent(X, y): lr=0.1, epochs=100, BGD, seed=0, theta from zeros"""
    X, y, _ = problem(rng, LOGISTIC, 10, 3)
    check_trajectory(student, reference, LOGISTIC, X, y, {}, proven=proven)


@pytest.mark.grades("logistic_regression.gradient_descent", points=1, hidden=True)
def test_logistic_gradient_descent_inputs_unchanged(student, rng):
    """leaves X, y and theta0 unchanged, with step and with an optimizer (theta starts as a copy)"""
    X, y, theta0 = problem(rng, LOGISTIC, 9, 3)
    for optimizer in (None, ReferenceOptimizer("SGD", lr=0.2)):
        got, what = compare.call(student, LOGISTIC, "gradient_descent", ("X", "y"), X, y, lr=0.2, epochs=2,
                                 batch_size=4, seed=1, theta0=theta0, optimizer=optimizer)
        compare.expect_kind(compare.expect_pair(got, what=what)[0], theta0, what=f"{what}: theta")


@pytest.mark.grades("logistic_regression.gradient_descent", points=1, hidden=True)
def test_logistic_gradient_descent_no_epochs(student, reference, rng, proven):
    """epochs=0: returns theta0 (or zeros) unchanged and a history of one float, the starting loss"""
    check_no_epochs(student, reference, LOGISTIC, rng, proven)


@pytest.mark.grades("logistic_regression.gradient_descent", points=1, hidden=True)
def test_logistic_gradient_descent_smallest_shapes(student, reference, rng, proven):
    """n = 1, d = 1 and both, with theta0 given (and left unchanged), for BGD and MGD"""
    check_smallest_shapes(student, reference, LOGISTIC, rng, proven)


@pytest.mark.grades("logistic_regression.gradient_descent", points=1, hidden=True)
def test_logistic_gradient_descent_bad_batch_size(student, rng):
    """raises ValueError for batch_size 0, -2, 1.5 and True"""
    check_bad_batch_sizes(student, LOGISTIC, rng)


@pytest.mark.grades("logistic_regression.gradient_descent", points=1, hidden=True)
def test_logistic_gradient_descent_optimizer(student, reference, rng, proven):
    """with an optimizer (Adam, Momentum): theta and history match the reference"""
    for optimizer in [("Adam", dict(lr=0.05)), ("Momentum", dict(lr=0.1, momentum=0.8))]:
        X, y, kwargs = mgd_case(rng, LOGISTIC)
        check_trajectory(student, reference, LOGISTIC, X, y, kwargs, optimizer=optimizer, proven=proven)


# -- linear_regression.gradient_descent ----------------------------------------------------

@pytest.mark.grades("linear_regression.gradient_descent", points=2, hidden=True)
def test_linear_gradient_descent_sgd_and_mgd(student, reference, rng, proven):
    """SGD and MGD with a last, shorter batch: theta and history match the reference"""
    for case in (sgd_case, mgd_case):
        X, y, kwargs = case(rng, LINEAR)
        check_trajectory(student, reference, LINEAR, X, y, kwargs, proven=proven)


@pytest.mark.grades("linear_regression.gradient_descent", points=1, hidden=True)
def test_linear_gradient_descent_no_epochs(student, reference, rng, proven):
    """epochs=0: returns theta0 (or zeros) unchanged and a history of one float, the starting loss"""
    check_no_epochs(student, reference, LINEAR, rng, proven)


@pytest.mark.grades("linear_regression.gradient_descent", points=1, hidden=True)
def test_linear_gradient_descent_smallest_shapes(student, reference, rng, proven):
    """n = 1, d = 1 and both, with theta0 given (and left unchanged), for BGD and MGD"""
    check_smallest_shapes(student, reference, LINEAR, rng, proven)


@pytest.mark.grades("linear_regression.gradient_descent", points=1, hidden=True)
def test_linear_gradient_descent_bad_batch_size(student, rng):
    """raises ValueError for batch_size 0, -2, 1.5 and True"""
    check_bad_batch_sizes(student, LINEAR, rng)


@pytest.mark.grades("linear_regression.gradient_descent", points=1, hidden=True)
def test_linear_gradient_descent_optimizer(student, reference, rng, proven):
    """with an optimizer (RMSprop): theta and history match the reference"""
    X, y, kwargs = mgd_case(rng, LINEAR)
    check_trajectory(student, reference, LINEAR, X, y, kwargs, optimizer=("RMSprop", dict(lr=0.05)), proven=proven)
