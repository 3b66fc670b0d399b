"""Five independent solutions of the three modules, as the bodies a student writes into the skeleton.

Each style is ``{(module, function): body}``; ``function`` is ``name`` or ``Class.method``, and
``(module, "")`` holds module-level helpers appended to the module. :func:`fill` writes the
bodies in place of the skeleton's ``# TODO`` / ``raise NotImplementedError`` lines.
"""

from __future__ import annotations

import re
import textwrap

from autograder.paths import ASSIGNMENT, MODULES

LR, LIN, OPT = MODULES

_VECTORISED = {
    (LR, "logistic"): """
        z = np.atleast_1d(np.asarray(X @ theta, dtype=float))
        out = np.empty_like(z)
        pos = z >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        ez = np.exp(z[~pos])
        out[~pos] = ez / (1.0 + ez)
        return float(out[0]) if X.ndim == 1 else out
    """,
    (LR, "loss"): """
        z = X @ theta
        return float(np.sum(np.logaddexp(0, z)) / len(y) - np.dot(y, z) / len(y))
    """,
    (LR, "gradient_ij"): "return (p_i - y_i) * x_ij",
    (LR, "gradients"): """
        p = logistic(X, theta)
        return X.T @ (p - y) / X.shape[0]
    """,
    (LR, "step"): "return np.subtract(theta, lr * grads)",
    (LIN, "predict"): "return float(X @ theta) if X.ndim == 1 else X @ theta",
    (LIN, "loss"): """
        r = X @ theta - y
        return float(r @ r / (2 * len(y)))
    """,
    (LIN, "gradient_ij"): "return (yhat_i - y_i) * x_ij",
    (LIN, "gradients"): "return X.T @ (predict(X, theta) - y) / len(y)",
    (LIN, "step"): "return np.subtract(theta, lr * grads)",
    (LIN, "normal_equation"): """
        q, r = np.linalg.qr(X)
        return np.linalg.solve(r, q.T @ y)
    """,
    (OPT, "SGD.update"): """
        for name, g in grads.items():
            params[name] -= self.lr * g
    """,
    (OPT, "Momentum.update"): """
        for name, g in grads.items():
            vel = self.v.setdefault(name, np.zeros_like(params[name]))
            vel *= self.momentum
            vel -= self.lr * g
            params[name] += vel
    """,
    (OPT, "Nesterov.update"): """
        for name, g in grads.items():
            old = self.v.get(name, np.zeros_like(params[name]))
            new = self.momentum * old - self.lr * g
            params[name] += self.momentum * new - self.lr * g
            self.v[name] = new
    """,
    (OPT, "AdaGrad.update"): """
        for name, g in grads.items():
            acc = self.h.setdefault(name, np.zeros_like(params[name]))
            acc += g * g
            params[name] -= self.lr * g / (np.sqrt(acc) + self.eps)
    """,
    (OPT, "RMSprop.update"): """
        for name, g in grads.items():
            acc = self.h.setdefault(name, np.zeros_like(params[name]))
            acc *= self.decay_rate
            acc += (1.0 - self.decay_rate) * np.square(g)
            params[name] -= self.lr * g / (np.sqrt(acc) + self.eps)
    """,
    (OPT, "Adam.update"): """
        for name, g in grads.items():
            t = self.t.get(name, 0) + 1
            self.t[name] = t
            m = self.beta1 * self.m.get(name, np.zeros_like(params[name])) + (1.0 - self.beta1) * g
            v = self.beta2 * self.v.get(name, np.zeros_like(params[name])) + (1.0 - self.beta2) * np.square(g)
            self.m[name], self.v[name] = m, v
            m_hat = m / (1.0 - self.beta1 ** t)
            v_hat = v / (1.0 - self.beta2 ** t)
            params[name] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
    """,
}
_VECTORISED_GD = """
    if batch_size is None:
        size = n
    else:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise ValueError("batch_size must be an integer")
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        size = min(n, int(batch_size))
    theta = np.zeros(d) if theta0 is None else np.asarray(theta0, dtype=float).copy()
    rng = np.random.default_rng(seed)
    params = {"theta": theta}
    history = [loss(X, y, theta)]
    for epoch in range(epochs):
        perm = rng.permutation(n)
        i = 0
        while i < n:
            batch = perm[i:i + size]
            grad = gradients(X[batch], y[batch], theta)
            if optimizer is not None:
                optimizer.update(params, {"theta": grad})
                theta = params["theta"]
            else:
                theta = step(theta, grad, lr)
            i += size
        history.append(loss(X, y, theta))
    return theta, history
"""

_LOOPS = {
    (LR, "logistic"): """
        z = np.dot(X, theta)
        if np.ndim(z) == 0:
            return float(0.5 * (1.0 + np.tanh(0.5 * z)))
        return 0.5 * (1.0 + np.tanh(0.5 * z))
    """,
    (LR, "loss"): """
        total = 0.0
        n = X.shape[0]
        for i in range(n):
            zi = float(np.dot(X[i], theta))
            total += np.logaddexp(0.0, zi) - y[i] * zi
        return float(total / n)
    """,
    (LR, "gradient_ij"): "return x_ij * (p_i - y_i)",
    (LR, "gradients"): """
        n, d = X.shape
        p = logistic(X, theta)
        g = np.empty(d)
        for j in range(d):
            g[j] = np.sum(gradient_ij(X[:, j], y, p)) / n
        return g
    """,
    (LR, "step"): """
        new_theta = theta.copy()
        new_theta -= lr * grads
        return new_theta
    """,
    (LIN, "predict"): """
        result = np.dot(X, theta)
        return float(result) if X.ndim == 1 else result
    """,
    (LIN, "loss"): """
        n = len(y)
        total = 0.0
        for i in range(n):
            diff = y[i] - float(np.dot(X[i], theta))
            total += diff * diff
        return total / (2 * n)
    """,
    (LIN, "gradient_ij"): "return x_ij * (yhat_i - y_i)",
    (LIN, "gradients"): """
        n, d = X.shape
        yhat = predict(X, theta)
        g = np.empty(d)
        for j in range(d):
            g[j] = np.sum(gradient_ij(X[:, j], y, yhat)) / n
        return g
    """,
    (LIN, "step"): """
        new_theta = theta.copy()
        new_theta -= lr * grads
        return new_theta
    """,
    (LIN, "normal_equation"): """
        A = X.T @ X
        b = X.T @ y
        return np.linalg.solve(A, b)
    """,
    (OPT, "SGD.update"): """
        for k in params.keys():
            params[k] = params[k] - self.lr * grads[k]
    """,
    (OPT, "Momentum.update"): """
        for k in params:
            if k not in self.v:
                self.v[k] = np.zeros(params[k].shape)
            self.v[k] = self.momentum * self.v[k] - self.lr * grads[k]
            params[k] = params[k] + self.v[k]
    """,
    (OPT, "Nesterov.update"): """
        for k in params:
            if k not in self.v:
                self.v[k] = np.zeros(params[k].shape)
            v_new = self.momentum * self.v[k] - self.lr * grads[k]
            params[k] = params[k] + self.momentum * v_new - self.lr * grads[k]
            self.v[k] = v_new
    """,
    (OPT, "AdaGrad.update"): """
        for k in params:
            if k not in self.h:
                self.h[k] = np.zeros(params[k].shape)
            self.h[k] = self.h[k] + grads[k] ** 2
            params[k] = params[k] - self.lr * grads[k] / (np.sqrt(self.h[k]) + self.eps)
    """,
    (OPT, "RMSprop.update"): """
        rho = self.decay_rate
        for k in params:
            if k not in self.h:
                self.h[k] = np.zeros(params[k].shape)
            self.h[k] = rho * self.h[k] + (1 - rho) * grads[k] ** 2
            params[k] = params[k] - self.lr * grads[k] / (np.sqrt(self.h[k]) + self.eps)
    """,
    (OPT, "Adam.update"): """
        for k in params:
            if k not in self.m:
                self.m[k] = np.zeros(params[k].shape)
                self.v[k] = np.zeros(params[k].shape)
                self.t[k] = 0
            self.t[k] = self.t[k] + 1
            g = grads[k]
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * g
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * (g * g)
            mhat = self.m[k] / (1 - self.beta1 ** self.t[k])
            vhat = self.v[k] / (1 - self.beta2 ** self.t[k])
            params[k] = params[k] - self.lr * mhat / (np.sqrt(vhat) + self.eps)
    """,
}
_LOOPS_GD = """
    valid = batch_size is None or (type(batch_size) is not bool and isinstance(batch_size, (int, np.integer))
                                   and batch_size > 0)
    if not valid:
        raise ValueError(f"bad batch_size {batch_size}")
    bs = n if batch_size is None else min(n, int(batch_size))
    if theta0 is None:
        theta = np.zeros(d)
    else:
        theta = np.array(theta0, dtype=float, copy=True)
    generator = np.random.default_rng(seed)
    state = {"theta": theta}
    losses = []
    losses.append(loss(X, y, theta))
    for epoch in range(epochs):
        shuffled = generator.permutation(n)
        n_batches = int(np.ceil(n / bs))
        for b in range(n_batches):
            rows = shuffled[b * bs:(b + 1) * bs]
            g = gradients(X[rows, :], y[rows], theta)
            if optimizer is None:
                theta = step(theta, g, lr)
            else:
                optimizer.update(state, {"theta": g})
                theta = state["theta"]
        losses.append(loss(X, y, theta))
    return theta, losses
"""

_HELPERS_GD_FUNCTIONS = '''
def _batch_size(batch_size, n):
    """The batch size to use: n for None, else a checked positive integer."""
    if batch_size is None:
        return n
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r} is not a positive integer")
    return min(int(batch_size), n)


def _batches(order, size):
    """Consecutive slices of order, the last one shorter."""
    for begin in range(0, len(order), size):
        yield order[begin:begin + size]
'''
_HELPERS = {
    (LR, "logistic"): """
        z = X @ theta
        prob = np.exp(-np.logaddexp(0, -z))
        if X.ndim == 1:
            return float(prob)
        return prob
    """,
    (LR, "loss"): """
        z = X @ theta
        per_sample = np.logaddexp(0, z) - y * z
        return float(per_sample.mean())
    """,
    (LR, "gradient_ij"): "return np.multiply(-(y_i - p_i), x_ij)",
    (LR, "gradients"): """
        p = logistic(X, theta)
        G = gradient_ij(X, y.reshape(-1, 1), p.reshape(-1, 1))
        return G.mean(axis=0)
    """,
    (LR, "step"): """
        updated = theta - lr * grads
        return updated
    """,
    (LR, ""): _HELPERS_GD_FUNCTIONS,
    (LIN, "predict"): """
        yhat = np.matmul(X, theta)
        return yhat.item() if yhat.ndim == 0 else yhat
    """,
    (LIN, "loss"): """
        err = predict(X, theta) - y
        return 0.5 * float(np.mean(err ** 2))
    """,
    (LIN, "gradient_ij"): "return np.multiply(-(y_i - yhat_i), x_ij)",
    (LIN, "gradients"): """
        G = gradient_ij(X, y.reshape(-1, 1), predict(X, theta).reshape(-1, 1))
        return G.mean(axis=0)
    """,
    (LIN, "step"): """
        updated = theta - lr * grads
        return updated
    """,
    (LIN, "normal_equation"): """
        theta, *_ = np.linalg.lstsq(X, y, rcond=None)
        return theta
    """,
    (LIN, ""): _HELPERS_GD_FUNCTIONS,
    (OPT, "SGD.update"): """
        for key, value in params.items():
            value -= self.lr * grads[key]
    """,
    (OPT, "Momentum.update"): """
        _ensure(self.v, params)
        for key, value in params.items():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            value += self.v[key]
    """,
    (OPT, "Nesterov.update"): """
        _ensure(self.v, params)
        for key, value in params.items():
            g = grads[key]
            previous = self.v[key]
            self.v[key] = self.momentum * previous - self.lr * g
            value += self.momentum * self.v[key] - self.lr * g
    """,
    (OPT, "AdaGrad.update"): """
        _ensure(self.h, params)
        for key, value in params.items():
            g = grads[key]
            self.h[key] += g ** 2
            value -= self.lr * g / (np.sqrt(self.h[key]) + self.eps)
    """,
    (OPT, "RMSprop.update"): """
        _ensure(self.h, params)
        for key, value in params.items():
            g = grads[key]
            self.h[key] = self.decay_rate * self.h[key] + (1 - self.decay_rate) * g ** 2
            value -= self.lr * g / (np.sqrt(self.h[key]) + self.eps)
    """,
    (OPT, "Adam.update"): """
        _ensure(self.m, params)
        _ensure(self.v, params)
        for key, value in params.items():
            self.t[key] = self.t.get(key, 0) + 1
            g = grads[key]
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * g
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * g ** 2
            correction1 = 1 - self.beta1 ** self.t[key]
            correction2 = 1 - self.beta2 ** self.t[key]
            value -= self.lr * (self.m[key] / correction1) / (np.sqrt(self.v[key] / correction2) + self.eps)
    """,
    (OPT, ""): '''
def _ensure(store, params):
    """Zeros of each parameter's shape for the keys the store does not have yet."""
    for key, value in params.items():
        if key not in store:
            store[key] = np.zeros_like(value)
''',
}
_HELPERS_GD = """
    size = _batch_size(batch_size, n)
    theta = np.zeros(d) if theta0 is None else np.copy(np.asarray(theta0, dtype=float))
    rng = np.random.default_rng(seed)
    params = {"theta": theta}
    history = [loss(X, y, theta)]
    for _ in range(epochs):
        for idx in _batches(rng.permutation(n), size):
            g = gradients(X[idx], y[idx], theta)
            if optimizer:
                optimizer.update(params, {"theta": g})
                theta = params["theta"]
            else:
                theta = step(theta, g, lr)
        history.append(loss(X, y, theta))
    return theta, history
"""

_EINSUM = {
    (LR, "logistic"): """
        z = np.einsum("...j,j->...", X, theta)
        e = np.exp(-np.abs(z))
        sig = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        return sig.item() if sig.ndim == 0 else sig
    """,
    (LR, "loss"): """
        z = np.einsum("ij,j->i", X, theta)
        return float(np.average(np.logaddexp(0, z) - y * z))
    """,
    (LR, "gradient_ij"): "return -np.subtract(y_i, p_i) * x_ij",
    (LR, "gradients"): """
        residual = logistic(X, theta) - y
        return np.einsum("ij,i->j", X, residual) / len(residual)
    """,
    (LR, "step"): "return theta + (-lr) * grads",
    (LIN, "predict"): """
        out = np.einsum("...j,j->...", X, theta)
        return out.item() if out.ndim == 0 else out
    """,
    (LIN, "loss"): """
        r = y - predict(X, theta)
        return float(np.einsum("i,i->", r, r) / (2 * len(y)))
    """,
    (LIN, "gradient_ij"): "return -np.subtract(y_i, yhat_i) * x_ij",
    (LIN, "gradients"): """
        residual = predict(X, theta) - y
        return np.einsum("ij,i->j", X, residual) / len(residual)
    """,
    (LIN, "step"): "return theta + (-lr) * grads",
    (LIN, "normal_equation"): "return np.linalg.pinv(X) @ y",
    (OPT, "SGD.update"): "params.update({k: params[k] - self.lr * grads[k] for k in params})",
    (OPT, "Momentum.update"): """
        self.v.update({k: np.zeros_like(w) for k, w in params.items() if k not in self.v})
        self.v.update({k: self.momentum * self.v[k] - self.lr * grads[k] for k in params})
        params.update({k: params[k] + self.v[k] for k in params})
    """,
    (OPT, "Nesterov.update"): """
        self.v.update({k: np.zeros_like(w) for k, w in params.items() if k not in self.v})
        new_v = {k: self.momentum * self.v[k] - self.lr * grads[k] for k in params}
        params.update({k: params[k] + self.momentum * new_v[k] - self.lr * grads[k] for k in params})
        self.v.update(new_v)
    """,
    (OPT, "AdaGrad.update"): """
        self.h.update({k: np.zeros_like(w) for k, w in params.items() if k not in self.h})
        self.h.update({k: self.h[k] + np.square(grads[k]) for k in params})
        params.update({k: params[k] - self.lr * grads[k] / (np.sqrt(self.h[k]) + self.eps) for k in params})
    """,
    (OPT, "RMSprop.update"): """
        self.h.update({k: np.zeros_like(w) for k, w in params.items() if k not in self.h})
        rho = self.decay_rate
        self.h.update({k: rho * self.h[k] + (1 - rho) * np.square(grads[k]) for k in params})
        params.update({k: params[k] - self.lr * grads[k] / (np.sqrt(self.h[k]) + self.eps) for k in params})
    """,
    (OPT, "Adam.update"): """
        for k, w in params.items():
            if k not in self.t:
                self.t[k], self.m[k], self.v[k] = 0, np.zeros_like(w), np.zeros_like(w)
        self.t.update({k: self.t[k] + 1 for k in params})
        self.m.update({k: self.beta1 * self.m[k] + (1 - self.beta1) * grads[k] for k in params})
        self.v.update({k: self.beta2 * self.v[k] + (1 - self.beta2) * np.square(grads[k]) for k in params})
        for k in params:
            m_hat = self.m[k] / (1 - self.beta1 ** self.t[k])
            v_hat = self.v[k] / (1 - self.beta2 ** self.t[k])
            params[k] = params[k] - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
    """,
}
_EINSUM_GD = """
    if batch_size is None:
        batch_size = n
    if type(batch_size) is bool or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError("batch_size: expected None or an integer >= 1")
    batch_size = int(min(batch_size, n))
    theta = np.array(theta0, dtype=float) if theta0 is not None else np.zeros(d)
    rng = np.random.default_rng(seed)
    params = dict(theta=theta)
    history = [loss(X, y, theta)]
    for _ in range(epochs):
        order = rng.permutation(n)
        batches = [order[k:k + batch_size] for k in range(0, n, batch_size)]
        for rows in batches:
            grad = gradients(X[rows], y[rows], theta)
            if optimizer is None:
                theta = step(theta, grad, lr)
                continue
            optimizer.update(params, dict(theta=grad))
            theta = params["theta"]
        history += [loss(X, y, theta)]
    return theta, history
"""

_LONGHAND = {
    (LR, "logistic"): """
        z = np.dot(X, theta)
        z = np.clip(z, -700, 700)
        result = 1.0 / (1.0 + np.exp(-z))
        if len(np.shape(X)) == 1:
            result = float(result)
        return result
    """,
    (LR, "loss"): """
        n = len(y)
        z = np.dot(X, theta)
        total = np.sum(np.logaddexp(0, z)) - np.sum(y * z)
        return float(total / n)
    """,
    (LR, "gradient_ij"): """
        diff = y_i - p_i
        return -diff * x_ij
    """,
    (LR, "gradients"): """
        n = len(y)
        p = logistic(X, theta)
        errors = p - y
        grad = np.dot(errors, X)
        grad = grad / n
        return grad
    """,
    (LR, "step"): """
        new = theta - grads * lr
        return new
    """,
    (LIN, "predict"): """
        result = np.dot(X, theta)
        if len(np.shape(X)) == 1:
            result = float(result)
        return result
    """,
    (LIN, "loss"): """
        n = len(y)
        predictions = predict(X, theta)
        errors = y - predictions
        return float(np.sum(errors ** 2) / (2 * n))
    """,
    (LIN, "gradient_ij"): """
        diff = y_i - yhat_i
        return -diff * x_ij
    """,
    (LIN, "gradients"): """
        n = len(y)
        predictions = predict(X, theta)
        errors = predictions - y
        grad = np.dot(errors, X)
        grad = grad / n
        return grad
    """,
    (LIN, "step"): """
        new = theta - grads * lr
        return new
    """,
    (LIN, "normal_equation"): """
        solution, residuals, rank, sv = np.linalg.lstsq(X, y, rcond=None)
        return solution
    """,
    (OPT, "SGD.update"): """
        for key in params:
            grad = grads[key]
            params[key] -= self.lr * grad
    """,
    (OPT, "Momentum.update"): """
        for key in params:
            grad = grads[key]
            if key not in self.v:
                self.v[key] = np.zeros(np.shape(params[key]))
            velocity = self.v[key]
            velocity = self.momentum * velocity - self.lr * grad
            self.v[key] = velocity
            params[key] += velocity
    """,
    (OPT, "Nesterov.update"): """
        for key in params:
            grad = grads[key]
            if key not in self.v:
                self.v[key] = np.zeros(np.shape(params[key]))
            velocity = self.momentum * self.v[key] - self.lr * grad
            params[key] += self.momentum * velocity - self.lr * grad
            self.v[key] = velocity
    """,
    (OPT, "AdaGrad.update"): """
        for key in params:
            grad = grads[key]
            if key not in self.h:
                self.h[key] = np.zeros(np.shape(params[key]))
            self.h[key] = self.h[key] + grad * grad
            denom = np.sqrt(self.h[key]) + self.eps
            params[key] -= self.lr * grad / denom
    """,
    (OPT, "RMSprop.update"): """
        for key in params:
            grad = grads[key]
            if key not in self.h:
                self.h[key] = np.zeros(np.shape(params[key]))
            self.h[key] = self.decay_rate * self.h[key] + (1 - self.decay_rate) * grad * grad
            denom = np.sqrt(self.h[key]) + self.eps
            params[key] -= self.lr * grad / denom
    """,
    (OPT, "Adam.update"): """
        for key in params:
            grad = grads[key]
            if key not in self.t:
                self.t[key] = 0
                self.m[key] = np.zeros(np.shape(params[key]))
                self.v[key] = np.zeros(np.shape(params[key]))
            self.t[key] += 1
            t = self.t[key]
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grad
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grad * grad
            m_corrected = self.m[key] / (1 - self.beta1 ** t)
            v_corrected = self.v[key] / (1 - self.beta2 ** t)
            params[key] -= self.lr * m_corrected / (np.sqrt(v_corrected) + self.eps)
    """,
}
_LONGHAND_GD = """
    if batch_size is None:
        batch_size = n
    if isinstance(batch_size, bool):
        raise ValueError("batch_size cannot be a bool")
    if not isinstance(batch_size, (int, np.integer)):
        raise ValueError("batch_size must be an int")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if batch_size > n:
        batch_size = n
    if theta0 is None:
        theta = np.zeros(d)
    else:
        theta = np.array(theta0, dtype=float)
    rng = np.random.default_rng(seed)
    params = {}
    params["theta"] = theta
    history = []
    history.append(loss(X, y, theta))
    epoch = 0
    while epoch < epochs:
        indices = rng.permutation(n)
        start = 0
        while start < n:
            end = min(start + batch_size, n)
            batch = indices[start:end]
            Xb = X[batch]
            yb = y[batch]
            grad = gradients(Xb, yb, theta)
            if optimizer is None:
                theta = step(theta, grad, lr)
            else:
                optimizer.update(params, {"theta": grad})
                theta = params["theta"]
            start = end
        history.append(loss(X, y, theta))
        epoch = epoch + 1
    return theta, history
"""


def _with_gd(bodies: dict, gd: str) -> dict:
    return {**bodies, (LR, "gradient_descent"): gd, (LIN, "gradient_descent"): gd}


STYLES: dict[str, dict[tuple[str, str], str]] = {
    "vectorised": _with_gd(_VECTORISED, _VECTORISED_GD),
    "loops": _with_gd(_LOOPS, _LOOPS_GD),
    "helpers": _with_gd(_HELPERS, _HELPERS_GD),
    "einsum": _with_gd(_EINSUM, _EINSUM_GD),
    "longhand": _with_gd(_LONGHAND, _LONGHAND_GD),
}

_DEF = re.compile(r"^(\s*)(def|class)\s+(\w+)")


def fill(bodies: dict[tuple[str, str], str], skeleton: dict[str, str] | None = None) -> dict[str, str]:
    """The three modules: the skeleton with each function's TODO lines replaced by its body."""
    skeleton = skeleton or {m: (ASSIGNMENT / f"{m}.py").read_text(encoding="utf-8") for m in MODULES}
    filled = {}
    for module, text in skeleton.items():
        lines = text.splitlines(keepends=True)
        out: list[str] = []
        scope: list[tuple[int, str]] = []  # (indent, name) of the enclosing classes and functions
        pending: str | None = None  # the function whose TODO block is being replaced
        for line in lines:
            match = _DEF.match(line)
            if match:
                indent = len(match.group(1))
                scope = [s for s in scope if s[0] < indent] + [(indent, match.group(3))]
            stripped = line.strip()
            if stripped.startswith("# TODO") or stripped.startswith("raise NotImplementedError"):
                name = ".".join(s[1] for s in scope)
                if pending != name:
                    pending = name
                    body = textwrap.dedent(bodies[(module, name)]).strip("\n")
                    pad = line[: len(line) - len(line.lstrip())]
                    out.append(textwrap.indent(body, pad) + "\n")
                continue
            out.append(line)
        extra = bodies.get((module, ""))
        filled[module] = "".join(out) + (("\n" + extra) if extra else "")
    return filled
