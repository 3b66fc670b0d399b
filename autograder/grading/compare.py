"""Strict comparisons of a submission's (decoded) output with the expected value.

Every check runs in the trusted parent on plain data and raises ``AssertionError`` with a
message a student can act on: which call (``what``), what was expected, what came back, and
the likely bug when a hint recognises one. The checks run in a fixed order, each only once
the previous one passed:

1. numbers: ``got`` is read exactly as float64 in any lossless representation (a list, tuple
   or real ndarray for a vector or a history; a float, numpy scalar or 0-d array for a float:
   `representation.real_values`); a complex, a boolean or any subclass is refused (an ndarray
   subclass can override ``==``, a float subclass ``<``). The exact documented type is graded
   once per function, by `expect_representation`, so a slip in representation costs once;
2. shape: equal shapes, never broadcast (``(n, 1)`` is not ``(n,)``);
3. finiteness: NaN is never equal to anything, infinities only where expected;
4. values: ``|got − expected| ≤ atol + rtol·|expected|`` elementwise.

Hints are callables ``hint(got, expected) -> str | None`` (see `autograder.grading.diagnose`);
they run only after a failure and only when ``got``'s numbers are not the expected ones (a
failure for another reason names no bug), and the first sentence returned is added as
"Likely bug: ...".

`call` runs one student function the way the grading tests do: the functions it calls
(`callees`) swapped for the reference's (so one bug costs once), and its inputs checked
unchanged afterwards (contract section 2). Long loops may first run with fewer swaps
(`partial_swap`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from autograder.grading import diagnose
from autograder.grading.representation import NotReal, describe_type, real_values
from autograder.grading.representation import expect_representation as expect_representation  # one import for tests
from autograder.i18n import run_text

Hint = Callable[[object, object], "str | None"]

# Defaults for values computed by the same formula in a different order of operations:
# float64 round-off stays many orders of magnitude below these.
RTOL = 1e-7
ATOL = 1e-10

def fmt(value: object) -> str:
    """A short rendering: a few numbers of an array, a float to 8 significant digits."""
    if isinstance(value, np.ndarray):
        return np.array2string(np.asarray(value), precision=6, threshold=8, edgeitems=3, separator=", ")
    if isinstance(value, float | np.floating):
        return f"{float(value):.8g}"
    if hasattr(value, "hyperparameters"):  # a ReferenceOptimizer handed to the submission
        settings = ", ".join(f"{k}={v:g}" for k, v in value.hyperparameters.items())
        return f"{value.name}({settings})"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _fail(what: str, problem: str, got: object, expected: object, hints: Iterable[Hint], lines=()) -> None:
    message = [f"{what}: {problem}", f"  expected: {fmt(expected)}", f"  got:      {fmt(got)}", *lines]
    hint = likely_bug(got, expected, hints)
    if hint:
        message.append(f"  Likely bug: {hint}")
    raise AssertionError("\n".join(message))


def likely_bug(got: object, expected: object, hints: Iterable[Hint]) -> str | None:
    """The first sentence any hint returns; a hint that errors is skipped (it is only advice).

    None when ``got`` has about the numbers of ``expected`` (`diagnose.same`): then the failure
    is not a bug in the numbers, and no hint may name one.
    """
    try:
        if diagnose.same(got, expected):
            return None
    except Exception:  # noqa: BLE001  (advice only)
        pass
    for hint in hints:
        try:
            sentence = hint(got, expected)
        except Exception:  # a hint must never hide the real failure
            sentence = None
        if sentence:
            return sentence
    return None


def _read(got: object, expected_shape: tuple[int, ...], *, what: str, wanted: str, hints: Sequence[Hint],
          expected: object, advice: str = "") -> np.ndarray:
    """``got`` as float64 numbers of ``expected_shape`` (any lossless representation), or fail."""
    try:
        values = real_values(got)
    except NotReal as error:
        _fail(what, f"expected {wanted}, got {error}", got, expected, hints)
    if values.shape != expected_shape:
        _fail(what, f"expected {wanted}, got shape {values.shape} ({advice or 'shapes must match exactly'})", got,
              expected, hints)
    return values


def expect_array(
    got: object,
    expected: np.ndarray,
    *,
    what: str,
    rtol: float = RTOL,
    atol: float = ATOL,
    hints: Sequence[Hint] = (),
) -> np.ndarray:
    """Check that ``got`` holds the numbers of ``expected``: the same shape, close values.

    Any lossless representation counts (a list, a tuple, an integer dtype...: see
    `representation.real_values`); the exact type is graded once, by `expect_representation`.
    Returns ``got`` as a float64 array.

    Raises
    ------
    AssertionError
        With a message naming ``what``, expected versus got and, when one fits, the likely bug.
    """
    expected = np.asarray(expected, dtype=np.float64)
    values = _read(got, expected.shape, what=what, wanted=f"an array of shape {expected.shape}", hints=hints,
                   expected=expected)
    _check_values(values, expected, what=what, rtol=rtol, atol=atol, hints=hints)
    return values


def expect_float(
    got: object,
    expected: float,
    *,
    what: str,
    rtol: float = RTOL,
    atol: float = ATOL,
    hints: Sequence[Hint] = (),
) -> float:
    """Check that ``got`` is one real number close to ``expected`` (a float, a numpy scalar, a 0-d array)."""
    values = _read(got, (), what=what, wanted="a float", hints=hints, expected=expected,
                   advice="return float(...) of it" if isinstance(got, np.ndarray | list | tuple) else "")
    _check_values(values[()], np.float64(expected), what=what, rtol=rtol, atol=atol, hints=hints)
    return float(values)


def _check_values(got, expected, *, what, rtol, atol, hints) -> None:
    shown_got, shown_expected = got, expected
    g = np.asarray(got, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if np.isnan(g).any():
        _fail(what, f"got NaN{_where(np.isnan(g))}", shown_got, shown_expected, hints)
    # An infinity is right only where the expected value is the same infinity.
    same_infinity = np.isinf(e) & (g == e)
    wrong_inf = np.isinf(g) & ~same_infinity
    if wrong_inf.any():
        _fail(what, f"got an infinite value{_where(wrong_inf)}", shown_got, shown_expected, hints)
    both = np.isfinite(g) & np.isfinite(e)
    error = np.where(both, np.abs(np.subtract(g, e, out=np.zeros(g.shape), where=both)), np.inf)
    allowed = atol + rtol * np.abs(np.where(both, e, 0.0))
    bad = (error > allowed) & ~same_infinity
    if bad.any():
        worst = np.unravel_index(int(np.argmax(np.where(bad, error, -1.0))), g.shape)
        at = run_text("compare.at_index", index=tuple(int(i) for i in worst)) if g.ndim else ""
        _fail(what, run_text("compare.differ", bad=int(bad.sum()), size=g.size), shown_got, shown_expected, hints,
              lines=[run_text("compare.largest", error=float(error[worst]), at=at, atol=atol, rtol=rtol)])


def _where(mask: np.ndarray) -> str:
    if np.ndim(mask) == 0:
        return ""
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    return f" at index {index}" + (f" and {int(mask.sum()) - 1} more" if mask.sum() > 1 else "")


def expect_history(
    got: object,
    expected: Sequence[float],
    *,
    what: str,
    rtol: float = RTOL,
    atol: float = ATOL,
    hints: Sequence[Hint] = (),
) -> np.ndarray:
    """Check a loss history: ``len(expected)`` numbers close to ``expected`` (a list, a tuple or
    a 1-D array of them: the exact type is graded by `expect_representation`)."""
    expected_array = np.array(expected, dtype=float)
    try:
        values = real_values(got)
    except NotReal as error:
        _fail(what, f"history must be {len(expected)} numbers, got {error}", got, expected_array, hints)
    if values.ndim != 1:
        _fail(what, f"history must be {len(expected)} numbers in a row, got shape {values.shape}", got,
              expected_array, hints)
    if len(values) != len(expected):
        _fail(what, f"history must have {len(expected)} entries (the loss before the first epoch and "
                    f"after each epoch), got {len(values)}", values, expected_array, hints)
    _check_values(values, expected_array, what=what, rtol=rtol, atol=atol, hints=hints)
    return values


def expect_pair(got: object, *, what: str) -> tuple[object, object]:
    """Unpack a ``(theta, history)`` result, refusing anything but a tuple (or list) of two."""
    if type(got) not in (tuple, list) or len(got) != 2:
        raise AssertionError(f"{what}: expected a pair (theta, history), got {describe_type(got)}"
                             + (f" of length {len(got)}" if type(got) in (tuple, list) else ""))
    return got[0], got[1]


def expect_none(got: object, *, what: str) -> None:
    """Check that a call returned ``None`` (the optimizers' ``update``)."""
    if got is not None:
        raise AssertionError(f"{what}: must return None (it updates params in place), got {describe_type(got)}")


def expect_unchanged(before: object, after: object, *, what: str, name: str) -> None:
    """Check that an input came back from a call exactly as it went in (contract section 2)."""
    if isinstance(before, np.ndarray):
        same = (type(after) is np.ndarray and after.shape == before.shape and after.dtype == before.dtype
                and np.array_equal(after, before, equal_nan=True))
    else:
        same = type(after) is type(before) and after == before
    if not same:
        raise AssertionError(
            f"{what}: modified its input `{name}` (no function may change its inputs; work on a copy)\n"
            f"  before: {fmt(before)}\n  after:  {fmt(after)}")


def expect_raises(error: BaseException | None, exc_type: str, *, what: str) -> None:
    """Check a call failed with ``exc_type``; ``error`` is the caught ``Raised`` (or None)."""
    if error is None:
        raise AssertionError(f"{what}: expected {exc_type}, but the call returned normally")
    got = getattr(error, "exc_type", type(error).__name__)
    if got != exc_type:
        raise AssertionError(f"{what}: expected {exc_type}, got {got}: {getattr(error, 'message', error)}")


# What each function is meant to call: swapped for the reference's while it is graded, so a
# bug in a callee costs only the callee's points. Only these: a reference function the graded
# one has no business calling would be an oracle (``gradients`` could be read off one epoch of
# the reference ``gradient_descent``).
CALLEES = {
    "logistic_regression": {"loss": ("logistic",), "gradients": ("logistic", "gradient_ij"),
                            "gradient_descent": ("loss", "gradients", "step")},
    "linear_regression": {"loss": ("predict",), "gradients": ("predict", "gradient_ij"),
                          "gradient_descent": ("loss", "gradients", "step")},
}


def callees(module: str, function: str) -> tuple[str, ...]:
    """The functions of ``module`` that ``function`` calls: swapped for the reference's while it is graded."""
    return CALLEES.get(module, {}).get(function, ())


def partial_swap(module: str, function: str, proven: frozenset[str]) -> tuple[str, ...] | None:
    """The swap for a long run of ``function`` (a loop over many batches), from the plugin's
    ``proven`` fixture: the functions passed so far by every one of their tests.

    None (swap its callees, as any test does) until ``function`` itself is proven: only then has
    a run with every callee swapped shown that it calls them as the contract says. After that,
    only what it runs (`dependencies`) that is not proven: the rest runs as submitted, the same
    computation within the tests' tolerances, with one callback per batch fewer for each.
    """
    if f"{module}.{function}" not in proven:
        return None
    return tuple(sorted(name for name in dependencies(module, function) if f"{module}.{name}" not in proven))


def dependencies(module: str, function: str) -> set[str]:
    """Everything ``function`` runs when nothing is swapped: its callees, theirs, and so on."""
    found: set[str] = set()
    pending = list(callees(module, function))
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending += callees(module, name)
    return found


def describe_call(function: str, names: Sequence[str], args: Sequence[object], kwargs: dict | None = None) -> str:
    """``gradients(X, y, theta) with X of shape (7, 3), y of shape (7,), theta of shape (3,)``."""
    kwargs = kwargs or {}
    shown = [*names, *(f"{k}={fmt(v)}" if not isinstance(v, np.ndarray) else k for k, v in kwargs.items())]
    sizes = [f"{name} of shape {value.shape}" for name, value in [*zip(names, args, strict=False), *kwargs.items()]
             if isinstance(value, np.ndarray)]
    scalars = [f"{name} = {fmt(value)}" for name, value in zip(names, args, strict=False)
               if isinstance(value, float | int | np.floating)]
    details = ", ".join(sizes + scalars)
    return f"{function}({', '.join(shown)})" + (f" with {details}" if details else "")


def call(student, module: str, function: str, names: Sequence[str], *args, swap: Sequence[str] | None = None,
         timeout: float | None = None, strikes: str | None = None, **kwargs) -> tuple[object, str]:
    """Call ``module.function(*args, **kwargs)`` in the submission and check it left its inputs alone.

    ``names`` name the positional arguments for messages. ``swap`` defaults to the function's
    callees (`callees`); ``timeout`` (seconds) overrides the sandbox's per-call limit;
    ``strikes`` names the count its time-outs go to (default: the function's own). Returns
    ``(result, what)``, ``what`` describing the call.
    """
    swap = callees(module, function) if swap is None else tuple(swap)
    what = describe_call(function, names, args, kwargs)
    result, args_after, kwargs_after = student.call(module, function, *args, swap=swap, inputs_after=True,
                                                    timeout=timeout, strikes=strikes, **kwargs)
    for name, before, after in zip(names, args, args_after, strict=False):
        expect_unchanged(before, after, what=what, name=name)
    for name, before in kwargs.items():
        if isinstance(before, np.ndarray | float | int | str) or before is None:  # not a reference optimizer
            expect_unchanged(before, kwargs_after.get(name), what=what, name=name)
    return result, what


def expect_warning_free(student, module: str, function: str, names: Sequence[str], *args, **kwargs) -> object:
    """Call ``module.function(*args, **kwargs)`` (callees swapped, as `call` does) with warnings
    recorded in the child, and fail on the first ``RuntimeWarning`` it raised (contract section 2:
    "warning-free" means no overflow, divide-by-zero or invalid-value warning). Returns the result."""
    what = describe_call(function, names, args, kwargs)
    result, caught = student.call(module, function, *args, swap=callees(module, function), warnings=True, **kwargs)
    runtime = [w for w in caught if w["runtime"]]
    if runtime:
        first = runtime[0]
        more = f" (and {len(runtime) - 1} more)" if len(runtime) > 1 else ""
        raise AssertionError(f"{what}: raised {first['category']}: {first['message']}{more}; the contract asks "
                             "for no RuntimeWarning here: rewrite it so nothing overflows (e.g. with np.logaddexp)")
    return result


def copy_arrays(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A dict of fresh copies (each side of a comparison gets its own)."""
    return {key: np.array(value, copy=True) for key, value in arrays.items()}


def expect_same_updates(
    got_optimizer,
    expected_optimizer,
    params: dict[str, np.ndarray],
    grads_sequence: Sequence[dict[str, np.ndarray]],
    *,
    label: str,
    hints: Callable[[int, str, np.ndarray], Sequence[Hint]] = lambda call, key, start: (),
    rtol: float = RTOL,
    atol: float = ATOL,
) -> None:
    """Run ``update(params, grads)`` for every grads in turn on both optimizers and compare.

    Both start from copies of ``params``. After every call ``grads`` is unchanged and each
    ``params[key]`` holds the expected numbers (what ``update`` returns and the exact type of
    ``params[key]`` are graded once, in each optimizer's representation test). ``hints(call, key, start)`` gives the hints
    for call number ``call`` (from 1) of key ``key``, which held ``start`` before that call.
    """
    got_params, expected_params = copy_arrays(params), copy_arrays(params)
    shapes = ", ".join(f"{key!r}: {value.shape}" for key, value in params.items())
    for call_number, grads in enumerate(grads_sequence, start=1):
        start = copy_arrays(got_params)
        what = (f"{label}.update(params, grads), call {call_number} of {len(grads_sequence)} "
                f"with params of shapes {{{shapes}}}")
        sent = copy_arrays(grads)
        got_optimizer.update(got_params, sent)
        expected_optimizer.update(expected_params, copy_arrays(grads))
        for key in grads:
            expect_unchanged(grads[key], sent.get(key), what=what, name=f"grads[{key!r}]")
        for key, expected in expected_params.items():
            if key not in got_params:
                raise AssertionError(f"{what}: params lost its key {key!r}")
            expect_array(got_params[key], expected, what=f"{what}: params[{key!r}]", rtol=rtol, atol=atol,
                         hints=hints(call_number, key, start[key]))


def expect_kind(got: object, like: np.ndarray, *, what: str) -> np.ndarray:
    """Check only that ``got`` is numbers of ``like``'s shape (not their values); returns them as float64."""
    try:
        values = real_values(got)
    except NotReal as error:
        raise AssertionError(f"{what}: expected an array of shape {like.shape}, got {error}") from None
    if values.shape != like.shape:
        raise AssertionError(f"{what}: expected an array of shape {like.shape}, got shape {values.shape}")
    return values
