"""Likely-bug detection: small pure functions that name a common mistake from its symptom.

Each takes the submission's output ``got``, the reference's ``expected`` and whatever context
the symptom needs (``n``, the starting point...), and returns one sentence for the student, or
``None`` when the symptom is absent. Grading tests bind the context with `functools.partial`
and pass them to `autograder.grading.compare` as hints, which run them only after a failure.

A detector names its bug only when ``got``'s numbers are that bug's and not ``expected``'s
(``tests/test_diagnose_replay.py`` replays each on the reference and on its bug). They only
compare numbers and name the bug: none of them recomputes a graded function, so
shipping them to students gives away no more than the contract and the skeleton's hints do.
(The hidden tests' replays of buggy batch loops and optimizers live in the hidden tests.)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from autograder import i18n

# "About equal" for a diagnosis: far looser than grading, far tighter than a coincidence.
RTOL = 1e-6
ATOL = 1e-12


def _say(key: str, **fields: object) -> str:
    """The diagnosis ``key`` (``diagnose.<key>``) in the run's language: see `i18n.run_text`."""
    return i18n.run_text(f"diagnose.{key}", **fields)


def _arrays(got: object, expected: object) -> tuple[np.ndarray, np.ndarray] | None:
    """Both as float arrays of one shape, or None when they cannot be compared."""
    try:
        if np.iscomplexobj(got) or np.iscomplexobj(expected):  # not real numbers: nothing to compare
            return None
        g = np.asarray(got, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if g.shape != e.shape or g.size == 0:
        return None
    return g, e


def about(got: object, expected: object, *, nan_equal: bool = False) -> bool:
    """True when ``got`` and ``expected`` have one shape and about the same values."""
    pair = _arrays(got, expected)
    if pair is None:
        return False
    g, e = pair
    if not nan_equal and not (np.isfinite(g).all() and np.isfinite(e).all()):
        return False
    return bool(np.allclose(g, e, rtol=RTOL, atol=ATOL, equal_nan=nan_equal))


def _matters(expected: object) -> bool:
    """A scaled or negated copy of ``expected`` differs from it (it is not all zeros)."""
    e = np.asarray(expected, dtype=np.float64)
    return bool(np.isfinite(e).all() and np.abs(e).max(initial=0.0) > 1e-9)


def sign_error(got: object, expected: object) -> str | None:
    """got ≈ −expected: the sign is flipped (``y − p`` where ``p − y`` belongs, ``+ lr·g``...)."""
    if _matters(expected) and about(got, -np.asarray(expected, dtype=np.float64)):
        return _say("sign_error")
    return None


def summed_not_averaged(got: object, expected: object, n: int) -> str | None:
    """got ≈ n·expected: a sum over the n samples where the mean is asked for (missing 1/n)."""
    if n > 1 and _matters(expected) and about(got, n * np.asarray(expected, dtype=np.float64)):
        return _say("summed_not_averaged", n=n)
    return None


def averaged_twice(got: object, expected: object, n: int) -> str | None:
    """got ≈ expected / n: divided by n once too often."""
    if n > 1 and _matters(expected) and about(got, np.asarray(expected, dtype=np.float64) / n):
        return _say("averaged_twice", n=n)
    return None


def per_sample_not_reduced(got: object, expected: object, n: int) -> str | None:
    """A gradient of shape (n, d) where (d,) is asked for, whose mean over the rows is the expected one."""
    shape = np.shape(got)
    d = np.shape(expected)
    if len(d) == 1 and shape == (n, d[0]) and shape != d and about(np.mean(np.asarray(got, dtype=float), axis=0),
                                                                     expected):
        return _say("per_sample_not_reduced", shape=shape, wanted=d)
    return None


def missing_half(got: object, expected: object) -> str | None:
    """got ≈ 2·expected: the linear loss without its ½."""
    if _matters(expected) and about(got, 2 * np.asarray(expected, dtype=np.float64)):
        return _say("missing_half")
    return None


def extra_factor_two(got: object, expected: object) -> str | None:
    """got ≈ 2·expected for a gradient: the ½ of the loss was not cancelled by the derivative's 2."""
    if _matters(expected) and about(got, 2 * np.asarray(expected, dtype=np.float64)):
        return _say("extra_factor_two")
    return None


def complement(got: object, expected: object) -> str | None:
    """got ≈ 1 − expected: σ(−z) where σ(z) belongs."""
    e = np.asarray(expected, dtype=np.float64)
    if np.abs(e - 0.5).max(initial=0.0) > 1e-9 and about(got, 1.0 - e):
        return _say("complement")
    return None


def overflow(got: object, expected: object, z: object) -> str | None:
    """Non-finite output where some |z| is beyond exp's range (e^z overflows for z > 709)."""
    g = np.asarray(got, dtype=np.float64) if isinstance(got, np.ndarray | float) else None
    big = float(np.abs(np.asarray(z, dtype=np.float64)).max(initial=0.0))
    if g is not None and not np.isfinite(g).all() and big > 709:
        return _say("overflow", big=big)
    return None


def loss_not_finite(got: object, expected: object, z: object) -> str | None:
    """A NaN or infinite NLL where the exact one is finite, named by what the numbers show.

    NaN: ``0 · log 0``, a probability that rounded to exactly 0 or 1 times a label of 0
    (``y·log p`` with y = 0 and p = 0 is 0·(−inf)). inf where only z < −709 is out of exp's
    range: log of a probability rounded to 0. inf with some z > 709: e^z overflowed in
    log(1 + e^z), or log(1 − p) of a p rounded to 1.
    """
    value = float(np.asarray(got, dtype=np.float64)) if isinstance(got, float | np.floating) else None
    if value is None or np.isfinite(value) or not np.isfinite(float(expected)):
        return None
    zs = np.asarray(z, dtype=np.float64)
    if np.isnan(value):
        return _say("loss_nan")
    if zs.max(initial=-np.inf) > 709:
        return _say("loss_inf_overflow", z=zs.max())
    return _say("loss_inf_zero", z=zs.min())


def capped_loss(got: object, expected: object, z: object) -> str | None:
    """A finite NLL far below the exact one where |z| is large: p or log(p) was clipped."""
    big = float(np.abs(np.asarray(z, dtype=np.float64)).max(initial=0.0))
    if (isinstance(got, float | np.floating) and np.isfinite(got) and big > 40
            and float(got) < 0.9 * float(expected)):
        return _say("capped_loss", big=big)
    return None


def wrong_direction(got: object, expected: object, start: object) -> str | None:
    """The change from ``start`` is the expected change reversed: moved along the gradient."""
    s = np.asarray(start, dtype=np.float64)
    pair = _arrays(got, expected)
    if pair is None or pair[1].shape != s.shape:
        return None
    moved = pair[1] - s
    if _matters(moved) and about(pair[0] - s, -moved):
        return _say("wrong_direction")
    return None


def unchanged(got: object, expected: object, start: object, advice: str = "") -> str | None:
    """``got`` still equals ``start`` although ``expected`` moved away from it."""
    s = np.asarray(start, dtype=np.float64)
    pair = _arrays(got, expected)
    if pair is None or pair[0].shape != s.shape or not _matters(pair[1] - s):
        return None
    if np.array_equal(pair[0], s):
        return _say("unchanged") + (f": {advice}" if advice else "")
    return None


def history_shifted(got: object, expected: object) -> str | None:
    """A loss history one entry short or long, or shifted by one epoch."""
    try:
        g = [float(v) for v in got]
    except (TypeError, ValueError):
        return None
    e = [float(v) for v in expected]
    if len(g) == len(e) - 1 and about(g, e[1:]):
        return _say("history_no_first")
    if len(g) == len(e) - 1 and about(g, e[:-1]):
        return _say("history_no_last")
    if len(g) == len(e) and len(e) > 1 and about(g[1:], e[:-1]) and not about(g, e):
        return _say("history_behind")
    if len(g) == len(e) + 1 and (about(g[1:], e) or about(g[:-1], e)):
        return _say("history_extra")
    return None


def only_partial_batch_wrong(got: object, expected: object, n: int, batch_size: int,
                             divisible_ok: bool) -> str | None:
    """Wrong only when ``n % batch_size != 0``, right when the batches tile n exactly."""
    if divisible_ok and n % batch_size and not same(got, expected):
        return _say("partial_batch", n=n, batch_size=batch_size, rest=n % batch_size,
                    updates=-(-n // batch_size))
    return None


def unstable_solve(got: object, expected: object) -> str | None:
    """A least-squares loss above the minimum: the normal equations were formed and inverted."""
    if isinstance(got, float | np.floating) and np.isfinite(got) and got > float(expected) * (1 + 1e-6):
        return _say("unstable_solve")
    return None


def seed_ignored(got: object, expected: object, seed_ignored: bool) -> str | None:
    """The submission's loop returns the same with another seed: its rows are never shuffled."""
    if seed_ignored and not same(got, expected):
        return _say("seed_ignored")
    return None


def later_epochs_wrong(got: object, expected: object, first_epoch_ok: bool) -> str | None:
    """Right after one epoch, wrong after several: the order is not redrawn from one generator."""
    if first_epoch_ok and not same(got, expected):
        return _say("later_epochs_wrong")
    return None


def same(got: object, expected: object) -> bool:
    """``got`` reproduces ``expected``: numbers about equal, tuples element by element."""
    return _matches(got, expected)


def _matches(got: object, candidate: object) -> bool:
    if isinstance(candidate, tuple):  # a structure, e.g. (theta, history); a list is a sequence of numbers
        if not isinstance(got, tuple | list) or len(got) != len(candidate):
            return False
        return all(_matches(g, c) for g, c in zip(got, candidate, strict=True))
    return about(got, candidate, nan_equal=True)


def matches_variant(got: object, expected: object, candidates: Mapping[str, object]) -> str | None:
    """The description of the first candidate ``got`` matches, when it does not match ``expected``.

    ``candidates`` maps a sentence ("the last, shorter batch is dropped") to what a submission
    with that bug returns, computed by the test; tuples are matched element by element (lists
    and arrays as numbers), NaN matches NaN (a bug that divides by zero is still that bug).
    """
    if _matches(got, expected):
        return None
    for sentence, candidate in candidates.items():
        if _matches(got, candidate):
            return sentence
    return None


def shape_hint(got: object, expected: object) -> str | None:
    """got of shape (n, 1) or (1, n) where (n,) is expected: a column or row vector."""
    e = np.shape(expected)
    g = np.shape(got)
    if len(e) == 1 and g in ((e[0], 1), (1, e[0])):
        return _say("column_vector", shape=g, wanted=e)
    if len(e) == 0 and isinstance(got, np.ndarray) and got.ndim and got.size == 1:
        return _say("array_not_float", shape=g)
    return None
