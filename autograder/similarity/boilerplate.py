"""What every submission holds without anyone copying: the skeleton and the contract's formulas.

A token of a submission is *boilerplate* when it lies in

- a run of ``WINDOW`` consecutive tokens that also occurs in the skeleton of the same module
  (the generated ``assignment/*.py``: signatures, docstrings, hints, provided helpers such as
  the optimizers' ``__init__``), wherever the run sits: a student who reorders the functions or
  deletes a hint still has the rest of the skeleton recognised; or
- a whole occurrence of one of :data:`FORMULAS`: the contract's formulas, in the form the
  contract and the hints write them, which honest students write the same way.

Only the other tokens, what the student added, are fingerprinted. Matching runs rather than
aligning the texts (a diff) keeps this linear in the length of the submission and indifferent
to the order of its functions.
"""

from __future__ import annotations

from pathlib import Path

from autograder.errors import UserError
from autograder.paths import ASSIGNMENT, MODULES
from autograder.similarity.tokens import Token, normalise

WINDOW = 5
_KEY = 3  # formulas are looked up by their first three tokens

# The contract's formulas (sections 3-6), each one line, as the contract and the skeleton's hints
# write them. Names do not matter (they are normalised away); structure does. Formulas that
# normalise to a generic shape ("for key in params:" is "for V in V :", any loop) are left out:
# they would mask what students write in their own way.
FORMULAS = """
np.exp(-np.logaddexp(0, -z))
np.mean(np.logaddexp(0, z) - y * z)
-(y_i - p_i) * x_ij
-(y_i - yhat_i) * x_ij
theta - lr * grads
np.mean((y - yhat) ** 2) / 2
np.linalg.lstsq(X, y, rcond=None)[0]
np.zeros(d)
np.zeros_like(params[key])
rng = np.random.default_rng(seed)
order = rng.permutation(n)
for start in range(0, n, batch_size):
idx = order[start:start + batch_size]
g = gradients(X[idx], y[idx], theta)
theta = step(theta, g, lr)
optimizer.update(params, {"theta": g})
params = {"theta": theta}
history = [loss(X, y, theta)]
history.append(loss(X, y, theta))
params[key] -= self.lr * grads[key]
self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
params[key] += self.v[key]
params[key] += self.momentum * self.v[key] - self.lr * grads[key]
self.h[key] += grads[key] ** 2
self.h[key] += grads[key] * grads[key]
params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)
self.h[key] = self.decay_rate * self.h[key] + (1 - self.decay_rate) * grads[key] ** 2
self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
m_hat = self.m[key] / (1 - self.beta1 ** self.t)
v_hat = self.v[key] / (1 - self.beta2 ** self.t)
params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
"""


def _formula_tokens(text: str) -> list[tuple[str, ...]]:
    formulas = []
    for line in text.strip().splitlines():
        symbols = tuple(t.text for t in normalise(line))
        formulas.append(symbols[:-1] if symbols[-1:] == (";",) else symbols)  # an expression: not its end
    return formulas


class Boilerplate:
    """The skeleton's token runs per module, and the formulas: what :meth:`mask` removes."""

    def __init__(self, skeleton: dict[str, str], formulas: str = FORMULAS) -> None:
        self.runs: dict[str, set[tuple[str, ...]]] = {}
        for module, source in skeleton.items():
            symbols = [t.text for t in normalise(source)]
            self.runs[module] = {tuple(symbols[i:i + WINDOW]) for i in range(len(symbols) - WINDOW + 1)}
        self.formulas: dict[tuple[str, ...], list[tuple[str, ...]]] = {}  # by their first tokens
        for formula in _formula_tokens(formulas):
            if len(formula) >= _KEY:
                self.formulas.setdefault(formula[:_KEY], []).append(formula)

    @classmethod
    def from_folder(cls, folder: Path = ASSIGNMENT) -> Boilerplate:
        """The skeleton the students were given: ``folder/<module>.py`` for the three modules."""
        skeleton = {}
        for module in MODULES:
            path = folder / f"{module}.py"
            if not path.is_file():
                raise UserError(f"--skeleton {folder}: {module}.py is missing (the assignment the students got; "
                                "`python -m autograder release` writes it)")
            skeleton[module] = path.read_text(encoding="utf-8")
        return cls(skeleton)

    def mask(self, module: str, tokens: list[Token]) -> list[bool]:
        """``True`` for each token of ``tokens`` (module ``module``) that is boilerplate."""
        symbols = [t.text for t in tokens]
        masked = [False] * len(symbols)
        runs = self.runs.get(module, set())
        for i, window in enumerate(zip(*(symbols[k:] for k in range(WINDOW)))):
            if window in runs:
                masked[i:i + WINDOW] = [True] * WINDOW
            for formula in self.formulas.get(window[:_KEY], ()):
                if tuple(symbols[i:i + len(formula)]) == formula:
                    masked[i:i + len(formula)] = [True] * len(formula)
        return masked
