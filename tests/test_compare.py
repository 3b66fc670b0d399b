"""autograder.grading.compare: values in any lossless representation, the exact type once, messages a
student can act on."""

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


@pytest.mark.parametrize("got", [
    [0.25, -1.5, 3.0], (0.25, -1.5, 3.0), [np.float64(0.25), np.float32(-1.5), 3], np.array([0.25, -1.5, 3.0]),
    [np.array(0.25), np.array(-1.5), np.array(3.0)],
])
def test_array_accepts_every_lossless_representation(got):
    values = compare.expect_array(got, EXPECTED, what="f(x)")
    assert type(values) is np.ndarray and values.dtype == np.float64 and values.tolist() == EXPECTED.tolist()


def test_array_accepts_an_integer_dtype_where_the_values_are_integral():
    compare.expect_array(np.array([1, 0, 3]), np.array([1.0, 0.0, 3.0]), what="f(x)")
    assert "1 of 3 value(s) differ" in fails(compare.expect_array, np.array([1, 0, 3]), np.array([1.0, 0.5, 3.0]),
                                             what="f(x)")


@pytest.mark.parametrize(("got", "says"), [
    (0.25, "got shape ()"),
    (None, "got NoneType"),
    (Opaque("student.Weird", "<x>"), "an object of type student.Weird"),
    (np.array([0.25, -1.5, 3.0]) + 0j, "dtype complex128 (not real numbers)"),
    (np.array([True, False, True]), "dtype bool (not real numbers)"),
    ([0.25, True, 3.0], "item 1 is bool"),
    ([0.25, "x", 3.0], "item 1 is str"),
    ([[0.25], [-1.5, 0.0], [3.0]], "ragged"),
    (np.array([0.25, -1.5, 3.0], dtype=object), "dtype object"),
])
def test_array_refuses_what_is_not_real_numbers(got, says):
    assert says in fails(compare.expect_array, got, EXPECTED, what="f(x)")


def test_array_refuses_an_ndarray_subclass_that_claims_equality():
    liar = np.zeros(3).view(AlwaysEqual)
    assert "ndarray subclass (AlwaysEqual)" in fails(compare.expect_array, liar, EXPECTED, what="f(x)")
    assert "ndarray subclass (AlwaysEqual)" in fails(compare.expect_array, [np.array(0.0).view(AlwaysEqual), 0.0, 0.0],
                                                                  EXPECTED, what="f")


@pytest.mark.parametrize("shape", [(3, 1), (1, 3), (1,), (), (4,)])
def test_array_refuses_other_shapes_even_if_broadcastable(shape):
    got = np.broadcast_to(0.25, shape).copy() if shape else np.float64(0.25)
    expected = np.full(3, 0.25)
    message = fails(compare.expect_array, np.asarray(got), expected, what="f(x)")
    assert f"expected an array of shape (3,), got shape {np.asarray(got).shape}" in message
    assert "got shape (3, 1)" in fails(compare.expect_array, [[0.25], [0.25], [0.25]], expected, what="f(x)")


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

@pytest.mark.parametrize("got", [0.5, np.float64(0.5), np.float32(0.5), np.array(0.5)])
def test_float_accepts_every_lossless_representation(got):
    assert compare.expect_float(got, 0.5, what="loss(X, y, theta)") == 0.5


def test_float_accepts_an_integer_where_the_value_is_integral():
    compare.expect_float(1, 1.0, what="loss")
    compare.expect_float(np.int64(0), 0.0, what="loss")
    assert "value(s) differ" in fails(compare.expect_float, 1, 0.5, what="loss")


@pytest.mark.parametrize(("got", "says"), [
    (np.array([0.5]), "got shape (1,) (return float(...) of it)"),
    ([0.5], "got shape (1,) (return float(...) of it)"),
    (True, "got bool"),
    (0.5 + 0j, "got complex"),
    (LyingFloat(0.5), "got LyingFloat"),
])
def test_float_refuses_look_alikes(got, says):
    assert says in fails(compare.expect_float, got, 0.5, what="loss(X, y, theta)")


def test_float_values_and_nan():
    assert "1 of 1 value(s) differ" in fails(compare.expect_float, 0.51, 0.5, what="loss")
    assert "got NaN" in fails(compare.expect_float, float("nan"), 0.5, what="loss")
    assert "got an infinite value" in fails(compare.expect_float, float("inf"), 0.5, what="loss")


# -- histories, pairs, None, unchanged inputs, exceptions -----------------------------------

def test_history_is_compared_as_numbers_of_the_right_length():
    expected = [0.7, 0.5, 0.4]
    for got in ([0.7, np.float64(0.5), 0.4], np.array(expected), tuple(expected), [np.array(0.7), 0.5, 0.4]):
        compare.expect_history(got, expected, what="gd")
    assert "history[1]" not in fails(compare.expect_history, [0.7, np.array([0.5]), 0.4], expected, what="gd")
    assert "ragged" in fails(compare.expect_history, [0.7, np.array([0.5]), 0.4], expected, what="gd")
    assert "in a row, got shape (3, 1)" in fails(compare.expect_history, np.array(expected)[:, None], expected,
                                                 what="gd")
    assert "must have 3 entries" in fails(compare.expect_history, [0.5, 0.4], expected, what="gd")
    assert "got NaN" in fails(compare.expect_history, [0.7, float("nan"), 0.4], expected, what="gd")


# -- the one exact check per function ---------------------------------------------------------

@pytest.mark.parametrize(("got", "expected", "says"), [
    (np.array([0.7, 0.5]), [0.7, 0.5], "expected a list of 2 floats, got an ndarray of shape (2,): return history "
                                       "as a list: history.tolist()"),
    ((0.7, 0.5), [0.7, 0.5], "got a tuple of length 2: return history as a list: list(history)"),
    ([0.7, np.array(0.5)], [0.7, 0.5], "history[1] is an ndarray of shape (), expected a float"),
    (np.array(0.5), 0.5, "expected a float, got an ndarray of shape (): return float(...) of it"),
    (np.float32(0.5), 0.5, "expected a float, got float32"),
    ([0.25, -1.5, 3.0], EXPECTED, "expected an ndarray of shape (3,), got a list of length 3"),
    (EXPECTED[:, None], EXPECTED, "expected shape (3,), got shape (3, 1): return a 1-D array (.ravel())"),
    (EXPECTED.astype(np.float32), EXPECTED, "expected dtype float64, got dtype float32"),
    (np.zeros(3).view(AlwaysEqual), EXPECTED, "ndarray subclass (AlwaysEqual)"),
    ([EXPECTED, [0.5]], (EXPECTED, [0.5]), "expected a tuple (theta, history), got a list of length 2"),
    ((EXPECTED, np.array([0.5])), (EXPECTED, [0.5]), "history: expected a list of 1 floats"),
    ((EXPECTED.tolist(), [0.5]), (EXPECTED, [0.5]), "theta: expected an ndarray of shape (3,)"),
])
def test_representation_says_what_the_contract_wants_and_the_fix(got, expected, says):
    message = fails(compare.expect_representation, got, expected, what="f(x)")
    assert message.startswith("f(x): ") and says in message and "\n" not in message


@pytest.mark.parametrize(("got", "expected"), [
    (EXPECTED.copy(), EXPECTED), (0.5, 0.5), (np.float64(0.5), 0.5), ([0.7, np.float64(0.5)], [0.7, 0.5]),
    ((EXPECTED.copy(), [0.5]), (EXPECTED, [0.5])),
])
def test_representation_passes_the_documented_types(got, expected):
    compare.expect_representation(got, expected, what="f(x)")


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


def test_same_updates_pass_and_catch_grads_and_values():
    params = {"w": np.array([1.0, 2.0])}
    grads = [{"w": np.array([0.5, -0.5])}] * 2
    compare.expect_same_updates(FakeSGD(0.1), FakeSGD(0.1), params, grads, label="SGD(lr=0.1)")
    assert params["w"].tolist() == [1.0, 2.0]  # the caller's params are never touched
    # what update returns is the representation test's (graded once), not every update test's
    compare.expect_same_updates(FakeSGD(0.1, returns=params), FakeSGD(0.1), params, grads, label="SGD")
    assert "modified its input `grads['w']`" in fails(
        compare.expect_same_updates, FakeSGD(0.1, touch_grads=True), FakeSGD(0.1), params, grads, label="SGD")
    message = fails(compare.expect_same_updates, FakeSGD(0.2), FakeSGD(0.1), params, grads, label="SGD(lr=0.1)")
    assert message.startswith("SGD(lr=0.1).update(params, grads), call 1 of 2 with params of shapes {'w': (2,)}")
