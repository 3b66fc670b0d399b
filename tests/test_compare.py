"""autograder.grading.compare: strict, ordered checks with messages a student can act on."""

import numpy as np
import pytest

from autograder.grading import compare
from autograder.sandbox.wire import Opaque


class AlwaysEqual(np.ndarray):
    """An ndarray subclass claiming equality with anything: must be refused on its type."""

    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __array_function__(self, func, types, args, kwargs):
        return True


class LyingFloat(float):
    """A float subclass whose comparisons always pass."""

    def __sub__(self, other):
        return 0.0

    def __lt__(self, other):
        return True

    def __le__(self, other):
        return True


EXPECTED = np.array([0.25, -1.5, 3.0])


def fails(check, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as error:
        check(*args, **kwargs)
    return str(error.value)


# -- expect_array -------------------------------------------------------------------------

def test_array_passes_within_tolerance():
    compare.expect_array(EXPECTED * (1 + 1e-9), EXPECTED, what="f(x)")


def test_array_fails_just_outside_tolerance():
    got = EXPECTED.copy()
    got[1] += 1e-6
    message = fails(compare.expect_array, got, EXPECTED, what="f(x) with x of shape (3,)")
    assert message.startswith("f(x) with x of shape (3,): 1 of 3 value(s) differ")
    assert "at index (1,)" in message and "expected:" in message and "got:" in message


@pytest.mark.parametrize(("got", "says"), [
    ([0.25, -1.5, 3.0], "got list"),
    (0.25, "got float"),
    (None, "got NoneType"),
    (Opaque("student.Weird", "<x>"), "an object of type student.Weird"),
])
def test_array_refuses_other_types(got, says):
    assert says in fails(compare.expect_array, got, EXPECTED, what="f(x)")


def test_array_refuses_an_ndarray_subclass_that_claims_equality():
    liar = np.zeros(3).view(AlwaysEqual)
    assert "ndarray subclass (AlwaysEqual)" in fails(compare.expect_array, liar, EXPECTED, what="f(x)")


@pytest.mark.parametrize("shape", [(3, 1), (1, 3), (1,), (), (4,)])
def test_array_refuses_other_shapes_even_if_broadcastable(shape):
    got = np.broadcast_to(0.25, shape).copy() if shape else np.float64(0.25)
    expected = np.full(3, 0.25)
    message = fails(compare.expect_array, np.asarray(got), expected, what="f(x)")
    assert f"expected shape (3,), got shape {np.asarray(got).shape}" in message


@pytest.mark.parametrize("dtype", [np.float32, np.int64, object, bool])
def test_array_refuses_other_dtypes(dtype):
    got = np.array([1, 0, 1], dtype=dtype)
    assert "expected dtype float64" in fails(compare.expect_array, got, np.array([1.0, 0.0, 1.0]), what="f(x)")


def test_nan_never_equals_nan():
    both = np.array([np.nan, 1.0])
    assert "got NaN at index (0,)" in fails(compare.expect_array, both.copy(), both, what="f(x)")


def test_infinity_only_where_expected():
    expected = np.array([np.inf, 1.0])
    compare.expect_array(expected.copy(), expected, what="f(x)")
    assert "got an infinite value at index (1,)" in fails(
        compare.expect_array, np.array([np.inf, np.inf]), expected, what="f(x)")
    assert "got an infinite value" in fails(compare.expect_array, np.array([-np.inf, 1.0]), expected, what="f(x)")
    assert "1 of 2 value(s) differ" in fails(compare.expect_array, np.array([1e300, 1.0]), expected, what="f(x)")


def test_hint_is_added_only_on_failure_and_a_broken_hint_is_ignored():
    def broken(got, expected):
        raise ZeroDivisionError

    def sign(got, expected):
        return "the sign is flipped"

    compare.expect_array(EXPECTED, EXPECTED, what="f(x)", hints=[lambda g, e: 1 / 0])
    message = fails(compare.expect_array, -EXPECTED, EXPECTED, what="f(x)", hints=[broken, sign])
    assert message.endswith("Likely bug: the sign is flipped")


# -- expect_float -------------------------------------------------------------------------

@pytest.mark.parametrize("got", [0.5, np.float64(0.5)])
def test_float_accepts_float_and_float64(got):
    compare.expect_float(got, 0.5, what="loss(X, y, theta)")


@pytest.mark.parametrize(("got", "says"), [
    (np.array(0.5), "got an ndarray of shape () (return float(...) of it)"),
    (np.array([0.5]), "got an ndarray of shape (1,) (return float(...) of it)"),
    (np.float32(0.5), "got float32"),
    (1, "got int"),
    (True, "got bool"),
    (LyingFloat(0.5), "got LyingFloat"),
])
def test_float_refuses_look_alikes(got, says):
    assert says in fails(compare.expect_float, got, 0.5, what="loss(X, y, theta)")


def test_float_values_and_nan():
    assert "1 of 1 value(s) differ" in fails(compare.expect_float, 0.51, 0.5, what="loss")
    assert "got NaN" in fails(compare.expect_float, float("nan"), 0.5, what="loss")
    assert "got an infinite value" in fails(compare.expect_float, float("inf"), 0.5, what="loss")


# -- histories, pairs, None, unchanged inputs, exceptions -----------------------------------

def test_history_must_be_a_list_of_floats_of_the_right_length():
    expected = [0.7, 0.5, 0.4]
    compare.expect_history([0.7, np.float64(0.5), 0.4], expected, what="gd")
    assert "must be a list of 3 floats, got an ndarray" in fails(compare.expect_history, np.array(expected),
                                                                  expected, what="gd")
    assert "history[1] is an ndarray of shape (1,), expected a float" in fails(compare.expect_history, [0.7, np.array([0.5]), 0.4], expected,
                                            what="gd")
    assert "must have 3 entries" in fails(compare.expect_history, [0.5, 0.4], expected, what="gd")


def test_pair_unpacks_tuples_and_lists_of_two_only():
    assert compare.expect_pair((1, 2), what="gd") == (1, 2)
    assert compare.expect_pair([1, 2], what="gd") == (1, 2)
    assert "of length 3" in fails(compare.expect_pair, (1, 2, 3), what="gd")
    assert "got an ndarray of shape (2,)" in fails(compare.expect_pair, np.zeros(2), what="gd")


def test_none():
    compare.expect_none(None, what="update")
    assert "must return None" in fails(compare.expect_none, {"w": 1}, what="update")


def test_unchanged_detects_values_dtype_and_type():
    before = np.array([1.0, 2.0])
    compare.expect_unchanged(before, before.copy(), what="f", name="theta")
    assert "modified its input `theta`" in fails(compare.expect_unchanged, before, np.array([1.0, 2.5]),
                                                 what="f", name="theta")
    assert "modified" in fails(compare.expect_unchanged, before, before.astype(np.float32), what="f", name="theta")
    assert "modified" in fails(compare.expect_unchanged, 0.1, 0.2, what="f", name="lr")
    compare.expect_unchanged(None, None, what="f", name="theta0")


def test_raises():
    class Raised(Exception):
        exc_type = "TypeError"
        message = "bad"

    compare.expect_raises(type("R", (Exception,), {"exc_type": "ValueError"})(), "ValueError", what="gd")
    assert "returned normally" in fails(compare.expect_raises, None, "ValueError", what="gd")
    assert "expected ValueError, got TypeError: bad" in fails(compare.expect_raises, Raised(), "ValueError",
                                                             what="gd")


def test_describe_call_names_shapes_and_scalars():
    X, theta = np.zeros((7, 3)), np.zeros(3)
    assert compare.describe_call("gradients", ("X", "theta"), (X, theta)) == \
        "gradients(X, theta) with X of shape (7, 3), theta of shape (3,)"
    text = compare.describe_call("gradient_descent", ("X",), (X,), {"lr": 0.5, "theta0": theta, "batch_size": None})
    assert text == "gradient_descent(X, lr=0.5, theta0, batch_size=None) with X of shape (7, 3), theta0 of shape (3,)"


def test_only_callees_are_swapped_never_an_oracle():
    assert compare.callees("logistic_regression", "gradients") == ("logistic", "gradient_ij")
    assert compare.callees("linear_regression", "loss") == ("predict",)
    assert compare.callees("logistic_regression", "gradient_descent") == ("loss", "gradients", "step")
    # gradient_descent (one epoch of it is a gradient oracle) is never swapped into anything
    for table in compare.CALLEES.values():
        assert all("gradient_descent" not in names for names in table.values())
    assert compare.callees("logistic_regression", "logistic") == ()
    assert compare.dependencies("linear_regression", "gradient_descent") == {
        "loss", "gradients", "step", "predict", "gradient_ij"}


# -- expect_same_updates with fakes (no sandbox) -------------------------------------------

class FakeSGD:
    def __init__(self, lr, returns=None, touch_grads=False):
        self.lr, self.returns, self.touch_grads = lr, returns, touch_grads

    def update(self, params, grads):
        for key in params:
            params[key] = params[key] - self.lr * grads[key]
            if self.touch_grads:
                grads[key] *= 2
        return self.returns


def test_same_updates_pass_and_catch_return_value_grads_and_values():
    params = {"w": np.array([1.0, 2.0])}
    grads = [{"w": np.array([0.5, -0.5])}] * 2
    compare.expect_same_updates(FakeSGD(0.1), FakeSGD(0.1), params, grads, label="SGD(lr=0.1)")
    assert params["w"].tolist() == [1.0, 2.0]  # the caller's params are never touched
    assert "must return None" in fails(compare.expect_same_updates, FakeSGD(0.1, returns=params), FakeSGD(0.1),
                                       params, grads, label="SGD")
    assert "modified its input `grads['w']`" in fails(
        compare.expect_same_updates, FakeSGD(0.1, touch_grads=True), FakeSGD(0.1), params, grads, label="SGD")
    message = fails(compare.expect_same_updates, FakeSGD(0.2), FakeSGD(0.1), params, grads, label="SGD(lr=0.1)")
    assert message.startswith("SGD(lr=0.1).update(params, grads), call 1 of 2 with params of shapes {'w': (2,)}")
