"""The reference optimizers against their contract rules, closed forms and the classic path."""

import numpy as np
import pytest
from oracles import read_only

# CONTRACT.md section 5: the defaults, and a second set where every hyperparameter matters.
DEFAULTS = {
    "SGD": {"lr": 0.01},
    "Momentum": {"lr": 0.01, "momentum": 0.9},
    "Nesterov": {"lr": 0.01, "momentum": 0.9},
    "AdaGrad": {"lr": 0.01, "eps": 1e-7},
    "RMSprop": {"lr": 0.01, "decay_rate": 0.99, "eps": 1e-7},
    "Adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
CUSTOM = {
    "SGD": {"lr": 0.1},
    "Momentum": {"lr": 0.05, "momentum": 0.5},
    "Nesterov": {"lr": 0.05, "momentum": 0.5},
    "AdaGrad": {"lr": 0.3, "eps": 1e-3},
    "RMSprop": {"lr": 0.02, "decay_rate": 0.8, "eps": 1e-4},
    "Adam": {"lr": 0.02, "beta1": 0.7, "beta2": 0.95, "eps": 1e-4},
}
# (name, keyword arguments given to the class); {} means the defaults.
SETTINGS = [(name, {}) for name in DEFAULTS] + list(CUSTOM.items())
IDS = [f"{name}-{'defaults' if not hp else 'custom'}" for name, hp in SETTINGS]

# CS231n's fixed vectors for one-step optimizer checks.
N, D = 4, 5
W = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
DW = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
TINY_G = np.array([1e-8, -2e-8, 5e-9, -1e-9, 3e-8])  # |g| near eps: shows where eps sits


class ContractRule:
    """The rule of CONTRACT.md section 5 for one parameter, written out on its own."""

    def __init__(self, name: str, **hp: float) -> None:
        self.name, self.hp = name, {**DEFAULTS[name], **hp}
        self.t, self.m, self.v = 0, 0.0, 0.0  # v is the velocity or the squared-gradient average

    def __call__(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        hp, self.t = self.hp, self.t + 1
        if self.name == "SGD":
            return w - hp["lr"] * g
        if self.name == "Momentum":
            self.v = hp["momentum"] * self.v - hp["lr"] * g
            return w + self.v
        if self.name == "Nesterov":
            self.v = hp["momentum"] * self.v - hp["lr"] * g
            return w + hp["momentum"] * self.v - hp["lr"] * g
        if self.name == "AdaGrad":
            self.v = self.v + g * g
            return w - hp["lr"] * g / (np.sqrt(self.v) + hp["eps"])
        if self.name == "RMSprop":
            self.v = hp["decay_rate"] * self.v + (1 - hp["decay_rate"]) * g * g
            return w - hp["lr"] * g / (np.sqrt(self.v) + hp["eps"])
        b1, b2 = hp["beta1"], hp["beta2"]
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        m_hat, v_hat = self.m / (1 - b1**self.t), self.v / (1 - b2**self.t)
        return w - hp["lr"] * m_hat / (np.sqrt(v_hat) + hp["eps"])


def constant_gradient_position(name: str, hp: dict, w0: np.ndarray, g: np.ndarray, t: int) -> np.ndarray:
    """Closed form of ``w`` after t updates with the same gradient g, from zero state.

    With a constant g the states are geometric sums: the velocity after k steps is
    ``−lr·g·(1 − μ^k)/(1 − μ)``, AdaGrad's h is ``k·g²``, RMSprop's h is ``(1 − ρ^k)·g²`` and
    Adam's bias-corrected averages are exactly g and g², so its every step is
    ``−lr·g/(|g| + eps)`` (at most lr per coordinate).
    """
    hp = {**DEFAULTS[name], **hp}
    lr, k = hp["lr"], np.arange(1, t + 1)[:, None]
    if name == "SGD":
        steps = np.ones_like(k)
    elif name in ("Momentum", "Nesterov"):
        mu = hp["momentum"]
        velocity = (1 - mu**k) / (1 - mu)  # in units of −lr·g
        steps = velocity if name == "Momentum" else mu * velocity + 1
    elif name == "AdaGrad":
        steps = 1 / (np.sqrt(k) * np.abs(g) + hp["eps"])
    elif name == "RMSprop":
        steps = 1 / (np.sqrt(1 - hp["decay_rate"] ** k) * np.abs(g) + hp["eps"])
    else:
        steps = np.broadcast_to(1 / (np.abs(g) + hp["eps"]), (t, g.size))
    return w0 - lr * g * steps.sum(axis=0)


def run(opt, params: dict, gradient_sequence) -> list[dict]:
    """Call ``opt.update`` once per grads dict; return copies of params after each call."""
    path = []
    for grads in gradient_sequence:
        assert opt.update(params, dict(zip(grads, read_only(*grads.values()), strict=True))) is None
        path.append({key: value.copy() for key, value in params.items()})
    return path


@pytest.mark.parametrize(("name", "hp"), SETTINGS, ids=IDS)
@pytest.mark.parametrize("w0, g", [(W.ravel(), DW.ravel()), (np.zeros(5), TINY_G)], ids=["cs231n", "tiny-g"])
def test_constant_gradient_matches_closed_form(ref, name, hp, w0, g):
    opt = getattr(ref.optimizers, name)(**hp)
    path = run(opt, {"w": w0.copy()}, [{"w": g}] * 5)
    for t, params in enumerate(path, start=1):
        expected = constant_gradient_position(name, hp, w0, g, t)
        np.testing.assert_allclose(params["w"], expected, rtol=1e-12, atol=1e-15, err_msg=f"after update {t}")


def changing_gradients(shape: tuple[int, ...], count: int = 6) -> list[np.ndarray]:
    """CS231n's dw, scaled, sign-flipped and shifted a little differently at every call."""
    dw = np.linspace(-0.6, 0.4, num=int(np.prod(shape))).reshape(shape)
    scales = [1.0, -0.5, 2.0, 0.25, -1.5, 0.75]
    return [scales[k] * np.roll(dw, k) for k in range(count)]


@pytest.mark.parametrize(("name", "hp"), SETTINGS, ids=IDS)
def test_changing_gradients_follow_the_rule(ref, name, hp):
    opt, rule = getattr(ref.optimizers, name)(**hp), ContractRule(name, **hp)
    gs = changing_gradients((N, D))
    w = W.copy()
    for t, params in enumerate(run(opt, {"W": W.copy()}, [{"W": g} for g in gs]), start=1):
        w = rule(w, gs[t - 1])
        np.testing.assert_allclose(params["W"], w, rtol=1e-12, atol=1e-15, err_msg=f"after update {t}")


@pytest.mark.parametrize("name", DEFAULTS)
def test_state_is_per_key_lazy_and_per_instance(ref, name):
    cls = getattr(ref.optimizers, name)
    gW, gb, gc = changing_gradients((N, D)), changing_gradients((D,)), changing_gradients((2, 3))
    # Two instances interleaved; "c" joins the second one at its third call with fresh state.
    first, second = cls(**CUSTOM[name]), cls(**CUSTOM[name])
    p1 = {"W": W.copy(), "b": np.linspace(0.1, -0.3, D)}
    p2 = {"W": -W.copy(), "b": np.zeros(D)}
    for t in range(6):
        first.update(p1, {"W": gW[t], "b": gb[t]})
        if t == 2:
            p2["c"] = np.ones((2, 3))
        second.update(p2, {"W": -gW[t], "b": gb[5 - t], **({"c": gc[t - 2]} if t >= 2 else {})})
    expected = {
        ("first", "W"): (W, gW), ("first", "b"): (np.linspace(0.1, -0.3, D), gb),
        ("second", "W"): (-W, [-g for g in gW]), ("second", "b"): (np.zeros(D), gb[::-1]),
        ("second", "c"): (np.ones((2, 3)), gc[:4]),
    }
    for (which, key), (w, gs) in expected.items():
        rule = ContractRule(name, **CUSTOM[name])
        for g in gs:
            w = rule(w, g)
        got = (p1 if which == "first" else p2)[key]
        assert got.shape == w.shape
        np.testing.assert_allclose(got, w, rtol=1e-12, atol=1e-15, err_msg=f"{which} instance, key {key}")


@pytest.mark.parametrize("name", DEFAULTS)
def test_update_returns_none_and_updates_in_place(ref, name):
    opt = getattr(ref.optimizers, name)()
    w = W.copy()
    params = {"W": w}
    assert opt.update(params, {"W": read_only(DW)[0]}) is None
    assert params["W"] is w
    np.testing.assert_allclose(w, ContractRule(name)(W, DW), rtol=1e-12, atol=1e-15)


# f(x, y) = x²/20 + y² from (−7, 2), 30 updates, at the step sizes of "Deep Learning from
# Scratch" ch. 6 (Nesterov and RMSprop added at 0.1). The end points agree with
# torch.optim.SGD / SGD(nesterov=True) / Adam, whose rules the contract follows.
CLASSIC_PATH = [
    ("SGD", 0.95, (-0.350393, 0.084782)),
    ("Momentum", 0.1, (0.896414, 0.088086)),
    ("Nesterov", 0.1, (0.689615, -0.000680)),
    ("AdaGrad", 1.5, (-0.120162, 0.0)),
    ("RMSprop", 0.1, (-0.697420, 0.0)),
    ("Adam", 0.3, (0.136015, 0.318245)),
]


@pytest.mark.parametrize(("name", "lr", "end"), CLASSIC_PATH, ids=[row[0] for row in CLASSIC_PATH])
def test_classic_path_on_the_elongated_bowl(ref, name, lr, end):
    opt = getattr(ref.optimizers, name)(lr=lr)
    params = {"xy": np.array([-7.0, 2.0])}
    for _ in range(30):
        x, y = params["xy"]
        opt.update(params, {"xy": np.array([x / 10, 2 * y])})
    np.testing.assert_allclose(params["xy"], end, rtol=0, atol=1e-6)
