"""How a returned value is represented: read losslessly as numbers, or checked exactly once.

Contract section 2: a function's return type and shape are graded once, in a test of its own
(`expect_representation`); every other test compares values in any lossless representation
(`real_values`). Lossless means: a plain ``ndarray`` of an integer or float dtype, a list or
tuple of real numbers (nested for more dimensions), a Python ``float`` or ``int``, a numpy
integer or floating scalar, or a 0-d array, all read exactly as float64. What is truly
different stays different: another shape (``(n, 1)`` for ``(n,)``), a complex or boolean value,
and anything that is not one of these exact types, since a subclass can override ``==``,
``<`` or ``-`` (the wire already turns subclasses into opaque stand-ins; this refuses them
again for values built in the grader).
"""

from __future__ import annotations

import numpy as np

from autograder.sandbox.wire import Opaque

# Exact types only (``type(x) in ...``, never ``isinstance``): a subclass could lie about equality.
PYTHON_REALS = (float, int)
NUMPY_REALS = (np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
               np.uint8, np.uint16, np.uint32, np.uint64)
REAL_KINDS = "iuf"  # integer and float dtypes: every value is exact in float64 (integers up to 2**53)
FLOAT_TYPES = (float, np.float64)


class NotReal(ValueError):
    """The value is not a real number or an array of them; ``str`` says what it is."""


def describe_type(value: object) -> str:
    """A short description of ``value``'s type for messages: "an ndarray of shape (3,)", "float"..."""
    if isinstance(value, Opaque):
        return f"an object of type {value.type_name}"
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        return f"an ndarray subclass ({type(value).__name__})"
    if isinstance(value, np.ndarray):
        return f"an ndarray of shape {value.shape}" + ("" if value.dtype == np.float64 else f" and dtype {value.dtype}")
    if type(value) in (list, tuple):
        return f"a {type(value).__name__} of length {len(value)}"
    return type(value).__name__


def real_values(value: object) -> np.ndarray:
    """``value`` read exactly as a float64 array (0-d for a scalar).

    Raises
    ------
    NotReal
        When ``value`` is not a real number, a plain real ndarray or a (nested) list or tuple
        of them, or its nested lists are ragged.
    """
    kind = type(value)
    if kind in PYTHON_REALS or kind in NUMPY_REALS:
        return np.asarray(np.float64(value))
    if kind is np.ndarray:
        if value.dtype.kind not in REAL_KINDS:
            raise NotReal(f"{describe_type(value)} (not real numbers)")
        return value.astype(np.float64)
    if kind in (list, tuple):
        items = []
        for index, item in enumerate(value):
            try:
                items.append(real_values(item))
            except NotReal as error:
                raise NotReal(f"{describe_type(value)} whose item {index} is {error}") from None
        if len({item.shape for item in items}) > 1:
            raise NotReal(f"a ragged {kind.__name__} (its items have different shapes)")
        return np.array(items, dtype=np.float64).reshape((len(items), *(items[0].shape if items else ())))
    raise NotReal(describe_type(value))



def representation_problem(got: object, expected: object) -> str | None:
    """What is wrong with ``got``'s type or shape, with the fix; None when it is exactly right.

    ``expected`` is the reference's own answer, and says what the contract documents:
    an ndarray (a plain float64 ndarray of its shape), a float (``float`` or ``numpy.float64``),
    a list (a list of floats: a loss history) or a tuple (``(theta, history)``).
    """
    if isinstance(expected, tuple):
        if type(got) is not tuple or len(got) != len(expected):
            shown = describe_type(got)
            return f"expected a tuple (theta, history), got {shown}: return theta, history"
        for part, (g, e) in zip(("theta", "history"), zip(got, expected, strict=True), strict=True):
            problem = representation_problem(g, e)
            if problem:
                return f"{part}: {problem}"
        return None
    if isinstance(expected, list):
        if type(got) is not list:
            fix = "history.tolist()" if isinstance(got, np.ndarray) else "list(history)"
            return f"expected a list of {len(expected)} floats, got {describe_type(got)}: return history as a list: {fix}"
        odd = [i for i, v in enumerate(got) if type(v) not in FLOAT_TYPES]
        if odd:
            return (f"history[{odd[0]}] is {describe_type(got[odd[0]])}, expected a float: "
                    "append float(loss(X, y, theta)) to history")
        return None
    if isinstance(expected, float):
        if type(got) not in FLOAT_TYPES:
            return f"expected a float, got {describe_type(got)}: return float(...) of it"
        return None
    expected = np.asarray(expected)
    if type(got) is not np.ndarray:
        fix = "np.asarray(..., dtype=float)" if type(got) in (list, tuple) else "an ndarray"
        return f"expected an ndarray of shape {expected.shape}, got {describe_type(got)}: return {fix}"
    if got.shape != expected.shape:
        fix = ".ravel()" if got.size == expected.size else "no reshape"
        return f"expected shape {expected.shape}, got shape {got.shape}: return a 1-D array ({fix})" \
            if expected.ndim == 1 else f"expected shape {expected.shape}, got shape {got.shape}"
    if got.dtype != expected.dtype:
        return f"expected dtype {expected.dtype}, got dtype {got.dtype}: return .astype(float) of it"
    return None


def expect_representation(got: object, expected: object, *, what: str) -> None:
    """Check ``got`` has exactly the documented type and shape of ``expected`` (values aside).

    Raises
    ------
    AssertionError
        One line: ``what``, what the contract wants and the fix.
    """
    problem = representation_problem(got, expected)
    if problem:
        raise AssertionError(f"{what}: {problem}")
