"""Public tests of ``optimizers`` (CONTRACT.md section 5): three updates on fixed vectors.

Each optimizer gets non-default hyperparameters and the same three gradients in turn; after
every ``update`` the parameters must match the reference's (to 1e-6, blind to where eps
sits) and ``grads`` must be left alone. Each optimizer's ``..._representation`` test alone checks
that ``update`` returns None and keeps every ``params[key]`` a float64 ndarray of its shape.
Everything is fixed, so a student's ``check`` replays the recording.
"""

from functools import partial

import numpy as np
import pytest

from autograder.grading import compare, diagnose

W = np.linspace(-0.4, 0.6, 5)
GRADS = [
    {"w": np.linspace(-0.6, 0.4, 5)},
    {"w": np.linspace(0.3, -0.5, 5)},
    {"w": np.linspace(-0.2, 0.9, 5)},
]
UPDATE_ADVICE = "change params[key] itself (params[key] -= ...), not a local copy"
# Wide enough that where eps sits (inside or outside the square root: differences below 1e-6
# here) does not count; the hidden tiny-gradient tests grade that. Real bugs differ by ≥ 1e-3.
EPS_BLIND = dict(rtol=1e-5, atol=1e-6)


def hints(call: int, key: str, start: np.ndarray) -> list:
    return [partial(diagnose.wrong_direction, start=start),
            partial(diagnose.unchanged, start=start, advice=UPDATE_ADVICE),
            diagnose.shape_hint]


def check_representation(student, name: str, **hyperparameters: float) -> None:
    """``update`` returns None and leaves each ``params[key]`` a float64 ndarray of its shape, call after call."""
    label = f"{name}({', '.join(f'{k}={v:g}' for k, v in hyperparameters.items())})"
    optimizer = getattr(student.optimizers, name)(**hyperparameters)
    params = {"w": W.copy(), "b": np.array([0.5])}
    for call_number, grads in enumerate(GRADS, start=1):
        what = f"{label}.update(params, grads), call {call_number} of {len(GRADS)}"
        returned = optimizer.update(params, {"w": grads["w"].copy(), "b": grads["w"][:1].copy()})
        compare.expect_none(returned, what=what)
        for key, start in (("w", W), ("b", np.array([0.5]))):
            if key not in params:
                raise AssertionError(f"{what}: params lost its key {key!r}")
            compare.expect_representation(params[key], start, what=f"{what}: params[{key!r}]")


def check_fixed(student, reference, name: str, **hyperparameters: float) -> None:
    label = f"{name}({', '.join(f'{k}={v:g}' for k, v in hyperparameters.items())})"
    compare.expect_same_updates(
        getattr(student.optimizers, name)(**hyperparameters),
        getattr(reference.optimizers, name)(**hyperparameters),
        {"w": W}, GRADS, label=label, hints=hints, **EPS_BLIND)


@pytest.mark.grades("optimizers.SGD", points=1, hidden=False)
def test_sgd_fixed(student, reference):
    """three updates on fixed vectors match the reference"""
    check_fixed(student, reference, "SGD", lr=0.1)


@pytest.mark.grades("optimizers.Momentum", points=1, hidden=False)
def test_momentum_fixed(student, reference):
    """three updates on fixed vectors match the reference"""
    check_fixed(student, reference, "Momentum", lr=0.1, momentum=0.8)


@pytest.mark.grades("optimizers.Nesterov", points=1, hidden=False)
def test_nesterov_fixed(student, reference):
    """three updates on fixed vectors match the reference"""
    check_fixed(student, reference, "Nesterov", lr=0.1, momentum=0.8)


@pytest.mark.grades("optimizers.AdaGrad", points=1, hidden=False)
def test_adagrad_fixed(student, reference):
    """three updates on fixed vectors match the reference"""
    check_fixed(student, reference, "AdaGrad", lr=0.1, eps=1e-7)


@pytest.mark.grades("optimizers.RMSprop", points=1, hidden=False)
def test_rmsprop_fixed(student, reference):
    """three updates on fixed vectors match the reference"""
    check_fixed(student, reference, "RMSprop", lr=0.1, decay_rate=0.9, eps=1e-7)


@pytest.mark.grades("optimizers.Adam", points=1, hidden=False)
def test_adam_fixed(student, reference):
    """three updates on fixed vectors match the reference"""
    check_fixed(student, reference, "Adam", lr=0.1, beta1=0.8, beta2=0.95, eps=1e-8)


@pytest.mark.grades("optimizers.SGD", points=1, hidden=False)
def test_sgd_representation(student):
    """update returns None and keeps every params[key] a float64 ndarray of its shape"""
    check_representation(student, "SGD", lr=0.1)


@pytest.mark.grades("optimizers.Momentum", points=1, hidden=False)
def test_momentum_representation(student):
    """update returns None and keeps every params[key] a float64 ndarray of its shape"""
    check_representation(student, "Momentum", lr=0.1, momentum=0.8)


@pytest.mark.grades("optimizers.Nesterov", points=1, hidden=False)
def test_nesterov_representation(student):
    """update returns None and keeps every params[key] a float64 ndarray of its shape"""
    check_representation(student, "Nesterov", lr=0.1, momentum=0.8)


@pytest.mark.grades("optimizers.AdaGrad", points=1, hidden=False)
def test_adagrad_representation(student):
    """update returns None and keeps every params[key] a float64 ndarray of its shape"""
    check_representation(student, "AdaGrad", lr=0.1, eps=1e-7)


@pytest.mark.grades("optimizers.RMSprop", points=1, hidden=False)
def test_rmsprop_representation(student):
    """update returns None and keeps every params[key] a float64 ndarray of its shape"""
    check_representation(student, "RMSprop", lr=0.1, decay_rate=0.9, eps=1e-7)


@pytest.mark.grades("optimizers.Adam", points=1, hidden=False)
def test_adam_representation(student):
    """update returns None and keeps every params[key] a float64 ndarray of its shape"""
    check_representation(student, "Adam", lr=0.1, beta1=0.8, beta2=0.95, eps=1e-8)
