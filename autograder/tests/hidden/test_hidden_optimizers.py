"""Hidden tests of ``optimizers`` (CONTRACT.md section 5).

Per optimizer: several keys of different shapes with the contract's default hyperparameters;
tiny gradients (|g| ≈ 1e-8, where eps inside or outside the square root differs by orders of
magnitude); state kept per key and per instance (two instances, interleaved). ``update``
must leave ``grads`` alone on every call (`compare.expect_same_updates`); that it returns None
is graded once, by the public representation test.

When a submission misses, the hints replay known bugs (`Variant` with one rule each, or the
reference with its state merged across keys or instances) and name the one it reproduces.
"""

from collections.abc import Callable
from functools import partial

import numpy as np
import pytest

from autograder.grading import compare, diagnose

UPDATE_ADVICE = "change params[key] itself (params[key] -= ...), not a local copy"
# Every test but the tiny-gradient ones is blind to where eps sits (inside or outside the
# square root moves w by less than 1e-6 at these gradients), so that bug costs only there.
# Real bugs (a missing bias correction, swapped rates, lost state) differ by 1e-3 or more.
EPS_BLIND = dict(rtol=1e-5, atol=1e-6)
STRICT = dict(rtol=compare.RTOL, atol=compare.ATOL)
DEFAULTS = {
    "SGD": dict(lr=0.01),
    "Momentum": dict(lr=0.01, momentum=0.9),
    "Nesterov": dict(lr=0.01, momentum=0.9),
    "AdaGrad": dict(lr=0.01, eps=1e-7),
    "RMSprop": dict(lr=0.01, decay_rate=0.99, eps=1e-7),
    "Adam": dict(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8),
}


class Variant:
    """An optimizer following ``rule(state, w, g, **hyperparameters) -> new w`` for every key.

    Each rule below is a known bug; ``state`` is a per-key dict the rule fills lazily.
    """

    def __init__(self, rule: Callable, **hyperparameters: float) -> None:
        self.rule = rule
        self.hyperparameters = hyperparameters
        self.state: dict[str, dict] = {}

    def update(self, params, grads) -> None:
        for key in params:
            params[key] = self.rule(self.state.setdefault(key, {}), params[key], grads[key], **self.hyperparameters)


def _nesterov_velocity_first(s, w, g, lr, momentum):
    s["v"] = momentum * s.get("v", 0.0) - lr * g
    return w + momentum**2 * s["v"] - (1 + momentum) * lr * g


def _adagrad_eps_inside(s, w, g, lr, eps):
    s["h"] = s.get("h", 0.0) + g * g
    return w - lr * g / np.sqrt(s["h"] + eps)


def _adagrad_not_accumulated(s, w, g, lr, eps):
    return w - lr * g / (np.sqrt(g * g) + eps)


def _rmsprop_eps_inside(s, w, g, lr, decay_rate, eps):
    s["h"] = decay_rate * s.get("h", 0.0) + (1 - decay_rate) * g * g
    return w - lr * g / np.sqrt(s["h"] + eps)


def _rmsprop_rates_swapped(s, w, g, lr, decay_rate, eps):
    s["h"] = (1 - decay_rate) * s.get("h", 0.0) + decay_rate * g * g
    return w - lr * g / (np.sqrt(s["h"]) + eps)


def _adam(s, w, g, lr, beta1, beta2, eps, *, correct=True, eps_inside=False, t_after=False):
    t = s.get("t", 0)
    if not t_after:
        t += 1
    s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = s["m"] / (1 - beta1**t) if correct else s["m"]
        v_hat = s["v"] / (1 - beta2**t) if correct else s["v"]
        s["t"] = t + 1 if t_after else t
        return w - lr * m_hat / (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps)


# Known bugs per optimizer: a sentence for the student and how to build the buggy optimizer.
BUGS: dict[str, dict[str, Callable]] = {
    "SGD": {},
    "Momentum": {
        "the velocity is not kept between calls (v must live on the instance, per key)":
            lambda ref, hp: ref.SGD(lr=hp["lr"]),
    },
    "Nesterov": {
        "the parameter moved with the new velocity in the old order (v updated first, then "
        "w += μ²v − (1+μ)·lr·g): use w ← w + μv' − lr·g with v' = μv − lr·g":
            lambda ref, hp: Variant(_nesterov_velocity_first, **hp),
        "this is plain momentum (w ← w + v'), not Nesterov's look-ahead (w ← w + μv' − lr·g)":
            lambda ref, hp: ref.Momentum(**hp),
    },
    "AdaGrad": {
        "eps is inside the square root: w ← w − lr·g / (√h + eps)": lambda ref, hp: Variant(_adagrad_eps_inside, **hp),
        "h is not accumulated: h ← h + g², summed over every call": lambda ref, hp: Variant(_adagrad_not_accumulated, **hp),
    },
    "RMSprop": {
        "eps is inside the square root: w ← w − lr·g / (√h + eps)": lambda ref, hp: Variant(_rmsprop_eps_inside, **hp),
        "ρ and 1 − ρ are swapped: h ← ρh + (1 − ρ)g²": lambda ref, hp: Variant(_rmsprop_rates_swapped, **hp),
        "h is summed as in AdaGrad instead of decayed: h ← ρh + (1 − ρ)g²":
            lambda ref, hp: ref.AdaGrad(lr=hp["lr"], eps=hp["eps"]),
    },
    "Adam": {
        "m and v are not bias-corrected: m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)":
            lambda ref, hp: Variant(partial(_adam, correct=False), **hp),
        "t is incremented after it is used: increment t first, so the first call has t = 1":
            lambda ref, hp: Variant(partial(_adam, t_after=True), **hp),
        "eps is inside the square root: w ← w − lr·m̂ / (√v̂ + eps)":
            lambda ref, hp: Variant(partial(_adam, eps_inside=True), **hp),
    },
}


def run(optimizer, params: dict, grads_sequence: list) -> list[dict]:
    """``params`` before the first call and after each call of a trusted ``optimizer.update``."""
    params = compare.copy_arrays(params)
    states = [compare.copy_arrays(params)]
    for grads in grads_sequence:
        optimizer.update(params, compare.copy_arrays(grads))
        states.append(compare.copy_arrays(params))
    return states


def same_step(got, expected, start: np.ndarray, steps: dict[str, np.ndarray]) -> str | None:
    """`diagnose.matches_variant` on the step of one call (``got − start``), not on where it lands:
    steps far smaller than the parameters would otherwise all look alike."""
    return diagnose.matches_variant(np.asarray(got, dtype=float) - start, np.asarray(expected, dtype=float) - start,
                                    steps)


def bug_hints(reference, name: str, hyperparameters: dict, params: dict, grads_sequence: list):
    """``hints(call, key, start)`` for `compare.expect_same_updates`, recognising `BUGS[name]`."""
    def hints(call: int, key: str, start: np.ndarray) -> list:
        def known_bug(got, expected):
            steps = {}
            for sentence, make in BUGS[name].items():
                states = run(make(reference.optimizers, hyperparameters), params, grads_sequence)
                steps[sentence] = states[call][key] - states[call - 1][key]
            return same_step(got, expected, start, steps)
        return [partial(diagnose.wrong_direction, start=start),
                partial(diagnose.unchanged, start=start, advice=UPDATE_ADVICE), known_bug, diagnose.shape_hint]
    return hints


def check_sequence(student, reference, name: str, hyperparameters: dict, params: dict, grads_sequence: list,
                   built_with: dict, tolerance: dict = EPS_BLIND) -> None:
    """The submission's optimizer built with ``built_with`` follows the reference's."""
    label = f"{name}({', '.join(f'{k}={v:g}' for k, v in built_with.items())})"
    compare.expect_same_updates(
        getattr(student.optimizers, name)(**built_with), getattr(reference.optimizers, name)(**hyperparameters),
        params, grads_sequence, label=label,
        hints=bug_hints(reference, name, hyperparameters, params, grads_sequence), **tolerance)


def gradient(rng: np.random.Generator, shape: tuple, scale: float = 1.0) -> np.ndarray:
    """Random signs times magnitudes in [0.5, 2]·scale: never near 0, where eps would show."""
    return scale * rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


def several_keys(rng: np.random.Generator, calls: int = 4, scale: float = 1.0) -> tuple[dict, list]:
    """Parameters of shapes (3, 4), (4,) and (1,), and ``calls`` random gradients for them."""
    params = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4), "s": rng.normal(size=1)}
    grads = [{k: gradient(rng, v.shape, scale) for k, v in params.items()} for _ in range(calls)]
    return params, grads


def check_defaults_several_keys(student, reference, rng, name: str) -> None:
    params, grads = several_keys(rng)
    check_sequence(student, reference, name, DEFAULTS[name], params, grads, built_with={})


def check_tiny_gradients(student, reference, rng, name: str) -> None:
    params, grads = several_keys(rng, calls=3, scale=1e-8)
    check_sequence(student, reference, name, DEFAULTS[name], params, grads, built_with={}, tolerance=STRICT)


KEYS = ("first", "second")


def check_state_per_key_and_instance(student, reference, rng, name: str) -> None:
    """Two instances A and B, each with keys "first" and "second" of one shape, updated in turn.

    Two keys of the same shape and two instances let a shared state show without crashing:
    the hints compare with one reference instance fed both instances' calls (state on the
    class) and with one fed both keys under a single name (one state for all keys). The key
    names appear in no other test, so state leaked from earlier tests cannot blur the match.
    """
    hyperparameters = {**DEFAULTS[name], "lr": 0.1}
    calls = 3
    streams = {}
    for label in ("A", "B"):
        streams[label] = (
            {"first": rng.normal(size=4), "second": rng.normal(size=4)},
            [{"first": gradient(rng, (4,)), "second": gradient(rng, (4,))} for _ in range(calls)])
    got = {label: getattr(student.optimizers, name)(**hyperparameters) for label in streams}
    expected = {label: getattr(reference.optimizers, name)(**hyperparameters) for label in streams}
    got_params = {label: compare.copy_arrays(p) for label, (p, _) in streams.items()}
    expected_params = {label: compare.copy_arrays(p) for label, (p, _) in streams.items()}

    def replay(make: Callable[[str], object], merge_keys: bool = False) -> dict:
        """What each (call, instance, key) holds with the trusted optimizers ``make(label)``
        (call -1: the start).

        ``merge_keys`` updates the keys one by one under a single name: one state for all keys.
        """
        instance = {label: make(label) for label in streams}
        params = {label: compare.copy_arrays(p) for label, (p, _) in streams.items()}
        out = {(-1, label, key): params[label][key].copy() for label in streams for key in KEYS}
        for call in range(calls):
            for label, (_, grads) in streams.items():
                if merge_keys:
                    for key in KEYS:
                        single = {"k": params[label][key]}
                        instance[label].update(single, {"k": grads[call][key].copy()})
                        params[label][key] = single["k"]
                else:
                    instance[label].update(params[label], compare.copy_arrays(grads[call]))
                out.update({(call, label, key): params[label][key].copy() for key in KEYS})
        return out

    def candidates() -> dict[str, dict]:
        ref = reference.optimizers
        one = getattr(ref, name)(**hyperparameters)
        found = {
            "the state is shared by all instances (a class attribute?): create it in __init__, "
            "e.g. self.v = {}": replay(lambda label: one),
            "one state is shared by all keys: keep it per key, e.g. self.v[key]":
                replay(lambda label: getattr(ref, name)(**hyperparameters), merge_keys=True),
        }
        for sentence, make in BUGS[name].items():
            found[sentence] = replay(lambda label, make=make: make(ref, hyperparameters))
        return found

    for call in range(calls):
        for label, (_, grads) in streams.items():
            what = (f"two {name}(lr=0.1) instances A and B, each with keys 'first' and 'second' of shape (4,), updated in "
                    f"turn: {label}.update(params, grads), call {call + 1} of {calls}")
            start = compare.copy_arrays(got_params[label])
            got[label].update(got_params[label], compare.copy_arrays(grads[call]))
            expected[label].update(expected_params[label], compare.copy_arrays(grads[call]))
            for key in KEYS:
                def known_bug(g, e, call=call, label=label, key=key, start=start[key]):
                    return same_step(g, e, start, {
                        sentence: values[call, label, key] - values[call - 1, label, key]
                        for sentence, values in candidates().items()})
                compare.expect_array(got_params[label][key], expected_params[label][key],
                                     what=f"{what}: params[{key!r}]", **EPS_BLIND,
                                     hints=[known_bug, partial(diagnose.unchanged, start=start[key],
                                                               advice=UPDATE_ADVICE)])


# -- SGD -------------------------------------------------------------------------------------

@pytest.mark.grades("optimizers.SGD", points=1, hidden=True)
def test_sgd_defaults_several_keys(student, reference, rng):
    """built with its defaults (lr=0.01): four updates of keys of shapes (3, 4), (4,), (1,) match"""
    check_defaults_several_keys(student, reference, rng, "SGD")


# -- Momentum --------------------------------------------------------------------------------

@pytest.mark.grades("optimizers.Momentum", points=1, hidden=True)
def test_momentum_defaults_several_keys(student, reference, rng):
    """built with its defaults (lr=0.01, momentum=0.9): four updates of keys of shapes (3, 4), (4,), (1,) match"""
    check_defaults_several_keys(student, reference, rng, "Momentum")


@pytest.mark.grades("optimizers.Momentum", points=2, hidden=True)
def test_momentum_state_per_key_and_instance(student, reference, rng):
    """keeps its velocity per key and per instance (two instances, two keys, interleaved)"""
    check_state_per_key_and_instance(student, reference, rng, "Momentum")


# -- Nesterov --------------------------------------------------------------------------------

@pytest.mark.grades("optimizers.Nesterov", points=1, hidden=True)
def test_nesterov_defaults_several_keys(student, reference, rng):
    """built with its defaults (lr=0.01, momentum=0.9): four updates of keys of shapes (3, 4), (4,), (1,) match"""
    check_defaults_several_keys(student, reference, rng, "Nesterov")


@pytest.mark.grades("optimizers.Nesterov", points=2, hidden=True)
def test_nesterov_state_per_key_and_instance(student, reference, rng):
    """keeps its velocity per key and per instance (two instances, two keys, interleaved)"""
    check_state_per_key_and_instance(student, reference, rng, "Nesterov")


# -- AdaGrad ---------------------------------------------------------------------------------

@pytest.mark.grades("optimizers.AdaGrad", points=1, hidden=True)
def test_adagrad_defaults_several_keys(student, reference, rng):
    """built with its defaults (lr=0.01, eps=1e-7): four updates of keys of shapes (3, 4), (4,), (1,) match"""
    check_defaults_several_keys(student, reference, rng, "AdaGrad")


@pytest.mark.grades("optimizers.AdaGrad", points=1, hidden=True)
def test_adagrad_tiny_gradients(student, reference, rng):
    """gradients of about 1e-8, where eps belongs outside the square root, match"""
    check_tiny_gradients(student, reference, rng, "AdaGrad")


@pytest.mark.grades("optimizers.AdaGrad", points=1, hidden=True)
def test_adagrad_state_per_key_and_instance(student, reference, rng):
    """keeps its accumulator per key and per instance (two instances, two keys, interleaved)"""
    check_state_per_key_and_instance(student, reference, rng, "AdaGrad")


# -- RMSprop ---------------------------------------------------------------------------------

@pytest.mark.grades("optimizers.RMSprop", points=1, hidden=True)
def test_rmsprop_defaults_several_keys(student, reference, rng):
    """built with its defaults (lr=0.01, decay_rate=0.99, eps=1e-7): four updates of keys of shapes (3, 4), (4,), (1,) match"""
    check_defaults_several_keys(student, reference, rng, "RMSprop")


@pytest.mark.grades("optimizers.RMSprop", points=1, hidden=True)
def test_rmsprop_tiny_gradients(student, reference, rng):
    """gradients of about 1e-8, where eps belongs outside the square root, match"""
    check_tiny_gradients(student, reference, rng, "RMSprop")


@pytest.mark.grades("optimizers.RMSprop", points=1, hidden=True)
def test_rmsprop_state_per_key_and_instance(student, reference, rng):
    """keeps its moving average per key and per instance (two instances, two keys, interleaved)"""
    check_state_per_key_and_instance(student, reference, rng, "RMSprop")


# -- Adam ------------------------------------------------------------------------------------

@pytest.mark.grades("optimizers.Adam", points=1, hidden=True)
def test_adam_defaults_several_keys(student, reference, rng):
    """built with its defaults (lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8): four updates of keys of shapes (3, 4), (4,), (1,) match"""
    check_defaults_several_keys(student, reference, rng, "Adam")


@pytest.mark.grades("optimizers.Adam", points=1, hidden=True)
def test_adam_tiny_gradients(student, reference, rng):
    """gradients of about 1e-8, where eps belongs outside the square root, match"""
    check_tiny_gradients(student, reference, rng, "Adam")


@pytest.mark.grades("optimizers.Adam", points=1, hidden=True)
def test_adam_first_step_is_about_lr(student, reference, rng):
    """the first update moves each coordinate by about lr, whatever |g| (bias correction)

    With m̂ = g and v̂ = g² at t = 1, the step is lr·g/(|g| + eps) ≈ lr·sign(g): gradients of
    0.1, −1 and 1e3 must move w by 0.01 each (lr=0.01). Without the bias correction the step
    is (1 − β1)/√(1 − β2) ≈ 3.16 times larger; with t still 0 it divides by zero.
    """
    params = {"w": rng.normal(size=3)}
    grads = [{"w": np.array([0.1, -1.0, 1e3])}]
    check_sequence(student, reference, "Adam", {**DEFAULTS["Adam"], "lr": 0.01}, params, grads,
                   built_with={"lr": 0.01})


@pytest.mark.grades("optimizers.Adam", points=2, hidden=True)
def test_adam_state_per_key_and_instance(student, reference, rng):
    """keeps t, m and v per key and per instance (two instances, two keys, interleaved)"""
    check_state_per_key_and_instance(student, reference, rng, "Adam")
