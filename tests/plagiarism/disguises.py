"""What a copier does to a copy to hide it; each function maps the three modules to new ones.

Every disguise keeps the code working: public names (the contract's) are never renamed,
reordering moves whole top-level definitions, dead code is unreachable or unused.
"""

from __future__ import annotations

import ast
import io
import random
import re
import tokenize

from autograder.paths import MODULES

# Names the contract fixes (and the libraries'): never renamed.
_PUBLIC = {"logistic", "loss", "gradient_ij", "gradients", "step", "gradient_descent", "predict",
           "normal_equation", "update", "self", "np", "numpy", "X", "y", "theta", "lr", "epochs", "batch_size",
           "seed", "theta0", "optimizer", "params", "grads", "x_ij", "y_i", "p_i", "yhat_i", "__init__"}


def _local_names(source: str) -> set[str]:
    """Names a student chose: assigned variables, loop variables, helpers' names and parameters."""
    tree = ast.parse(source)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("_") and not node.name.startswith("__"):
            names.add(node.name)
            names.update(a.arg for a in node.args.args)
        elif isinstance(node, ast.comprehension):
            names.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
    return names - _PUBLIC


def rename(sources: dict[str, str], seed: int = 0) -> dict[str, str]:
    """Every name the student chose replaced by another (in code only, not in strings)."""
    rng = random.Random(seed)
    words = ["alpha", "beta_", "gamma", "delta", "omega", "kappa", "sigma", "lamda", "zeta", "eta", "iota"]
    out = {}
    for module, source in sources.items():
        names = sorted(_local_names(source))
        mapping = {n: f"{rng.choice(words)}_{i}" for i, n in enumerate(names)}
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        lines = source.splitlines(keepends=True)
        # Replace right to left so earlier columns stay valid.
        for tok in reversed(tokens):
            if tok.type == tokenize.NAME and tok.string in mapping:
                row, col = tok.start
                line = lines[row - 1]
                lines[row - 1] = line[:col] + mapping[tok.string] + line[col + len(tok.string):]
        out[module] = "".join(lines)
    return out


def reorder(sources: dict[str, str], seed: int = 0) -> dict[str, str]:
    """The top-level functions and classes of each module in another order (imports stay first)."""
    rng = random.Random(seed)
    out = {}
    for module, source in sources.items():
        tree = ast.parse(source)
        lines = source.splitlines(keepends=True)
        defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        if len(defs) < 2:
            out[module] = source
            continue
        head = "".join(lines[: defs[0].lineno - 1])
        chunks = ["".join(lines[d.lineno - 1: d.end_lineno]).rstrip("\n") + "\n" for d in defs]
        order = list(range(len(chunks)))
        while order == sorted(order):
            rng.shuffle(order)
        out[module] = head + "\n\n".join(chunks[i] for i in order)
    return out


def reword(sources: dict[str, str]) -> dict[str, str]:
    """Comments removed and others added, docstrings rewritten, indentation and spacing changed."""
    out = {}
    for module, source in sources.items():
        tree = ast.parse(source)
        lines = source.splitlines(keepends=True)
        docstrings = []
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node) is not None:
                docstrings.append(node.body[0])
        for doc in sorted(docstrings, key=lambda d: -d.lineno):
            pad = re.match(r"\s*", lines[doc.lineno - 1]).group(0)
            lines[doc.lineno - 1: doc.end_lineno] = [f'{pad}"""My own implementation of this part."""\n']
        text = "".join(lines)
        text = _drop_comments(text)
        reworded = []
        for line in text.splitlines():
            stripped = line.lstrip(" ")
            indent = (len(line) - len(stripped)) // 2  # four spaces become two
            if stripped.startswith("return "):
                reworded.append(" " * indent + "# the result, as the assignment asks")
            stripped = re.sub(r"(?<=\w) = (?=\w)", "=", stripped) if stripped.startswith(("self.", "params")) else stripped
            reworded.append(" " * indent + stripped)
        out[module] = re.sub(r"\n{3,}", "\n\n\n\n", "\n".join(reworded) + "\n")
    return out


def _drop_comments(source: str) -> str:
    lines = source.splitlines(keepends=True)
    for tok in reversed(list(tokenize.generate_tokens(io.StringIO(source).readline))):
        if tok.type == tokenize.COMMENT:
            row, col = tok.start
            line = lines[row - 1]
            lines[row - 1] = line[:col].rstrip() + "\n" if line[:col].strip() else ""
    return "".join(lines)


# Two pools of unreachable or unused code, of different structure: copies made with different
# seeds get different dead code (the same dead code in two copies would be a real shared passage).
_DEAD = [
    ["if False:\n    unused = [i * i for i in range(10)]\n    print('debug', unused)\n",
     "_scratch = {'tried': 3, 'note': 'keep'}\n",
     "for _ in range(0):\n    raise RuntimeError('never')\n"],
    ["while False:\n    counter = len(str(counter)) + 1\n",
     "_debug_flag = not True and abs(-1) > 0\n",
     "try:\n    pass\nexcept ZeroDivisionError as exc:\n    raise exc from None\n"],
]


def add_dead_code(sources: dict[str, str], seed: int = 0) -> dict[str, str]:
    """Unreachable blocks before each function's last statement, and an unused helper per module.

    ``seed`` picks which block goes where and the helper's names, so two copiers' dead code differs.
    """
    rng = random.Random(seed)
    out = {}
    for module, source in sources.items():
        tree = ast.parse(source)
        lines = source.splitlines(keepends=True)
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name != "__init__"]
        for fn in (sorted(functions, key=lambda f: -f.body[-1].lineno)):
            last = fn.body[-1]
            pad = re.match(r"\s*", lines[last.lineno - 1]).group(0)
            dead = "".join(pad + line + "\n" for line in rng.choice(_DEAD[seed % 2]).splitlines())
            lines.insert(last.lineno - 1, dead)
        word = rng.choice(["norm", "check", "debug", "scale"])
        helper = (f"\n\ndef _{word}_{MODULES.index(module)}(values, factor={rng.randint(2, 9)}.0):\n"
                  f"    acc = {rng.choice(['0.0', '[]', 'None'])}\n    for value in values:\n"
                  f"        print(factor * value, acc)\n    return acc\n")
        out[module] = "".join(lines) + helper
    return out


def compose(sources: dict[str, str], *disguises) -> dict[str, str]:
    for disguise in disguises:
        sources = disguise(sources)
    return sources
