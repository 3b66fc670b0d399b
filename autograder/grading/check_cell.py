"""``check()`` for a notebook cell, and the names ``check`` accepts.

``check("logistic_regression.gradients")`` right after a function's ``%%writefile`` cell runs
that function's public tests on the files the notebook wrote in its folder (the kernel's
working directory), in the same sandbox as grading; the student's modules are never imported
into the kernel. The result shows as an HTML table in a notebook and as text elsewhere.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from autograder.errors import UserError
from autograder.i18n import language, speaking, text
from autograder.paths import MODULES, PUBLIC_TESTS

_GRADES = re.compile(r"""@pytest\.mark\.grades\(\s*["']([\w.]+)["']""")


@cache
def public_functions() -> tuple[str, ...]:
    """Every function the public tests grade, ``module.name``, in module order (read from the
    tests' ``grades`` markers as text: nothing is imported)."""
    found = {name for path in sorted(PUBLIC_TESTS.glob("test_*.py"))
             for name in _GRADES.findall(path.read_text(encoding="utf-8"))}
    return tuple(sorted(found, key=lambda f: (MODULES.index(f.split(".")[0]) if f.split(".")[0] in MODULES
                                              else len(MODULES), f)))


def resolve(name: str | None, lang: str = "en") -> frozenset[str] | None:
    """The functions ``name`` selects: None for all; a module (``"optimizers"``), a function
    (``"logistic_regression.gradients"``) or a name found in one module only (``"Adam"``).

    Raises
    ------
    UserError
        For a name no public test grades, or a bare name in two modules (``"gradients"`` is in
        both regressions: say which).
    """
    if name is None:
        return None
    functions = public_functions()
    name = name.strip().removesuffix(".py")
    if name in functions:
        return frozenset({name})
    if name in MODULES:
        return frozenset(f for f in functions if f.startswith(f"{name}."))
    matches = [f for f in functions if f.split(".", 1)[1] == name]
    if len(matches) == 1:
        return frozenset(matches)
    if matches:
        raise UserError(text("check.ambiguous", lang, name=name, choices=", ".join(matches)))
    raise UserError(text("check.unknown", lang, name=name, choices=", ".join((*MODULES, *functions))))


def read_modules(folder: Path, lang: str = "en"):
    """The modules the notebook wrote in ``folder``, read file by file: a notebook saved beside
    them may be older than what its cells just wrote, so it is never what check reads here."""
    from autograder.submission import Submission, read_submission

    sources, problems = {}, []
    for module in MODULES:
        path = folder / f"{module}.py"
        if path.exists() or path.is_symlink():
            part = read_submission(path, folder.name)
            sources.update(part.sources)
            problems += [part.problem] if part.problem else []
    if not sources and not problems:
        raise UserError(text("check.no_modules", lang, modules=", ".join(f"{m}.py" for m in MODULES),
                             folder=folder))
    return Submission(folder.name or "notebook", sources, problem="; ".join(problems))


class CheckError:
    """A check that could not run (a bad name, no files yet): one line, shown, never raised."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return f"error: {self.message}"

    def _repr_html_(self) -> str:
        from html import escape

        return f'<p style="color:#cf222e"><b>error:</b> {escape(self.message)}</p>'


def check(name: str | None = None, *, path: str | Path = ".", lang: str | None = None):
    """Run the public tests of ``name`` (all when None) on the modules in ``path``.

    Parameters
    ----------
    name : ``"logistic_regression.gradients"``, a module (``"optimizers"``), a name in one
        module only (``"Adam"``), or None for every public test
    path : the folder the notebook's ``%%writefile`` cells write into (default: here)
    lang : ``"en"`` or ``"ko"``; default ``AUTOGRADER_LANG``, else English

    Returns
    -------
    view : a `CheckView` (an HTML table in a notebook, text elsewhere), or a `CheckError`
    """
    import os

    from autograder.grading.check_view import CheckView

    try:
        lang = language(lang)
        functions = resolve(name, lang)
        submission = read_modules(Path(path).expanduser().resolve(), lang)
    except UserError as error:
        return CheckError(str(error))
    # small arrays only in this process: OpenBLAS's one-thread-per-core pool costs more than it saves
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from autograder.grading.runner import grade_read
    from autograder.paths import PUBLIC_TESTS as public

    with speaking(lang):  # the diagnoses, written during the run, read the language from there
        result = grade_read(submission, folders=(public,), functions=functions)
    if functions is not None:
        # a module the selection does not touch may well be unwritten yet: not worth a note
        wanted = {f.split(".")[0] for f in functions}
        missing = [f"{m}.py" for m in MODULES if m in wanted and m not in submission.sources]
        result.output = "; ".join([*([submission.problem] if submission.problem else []),
                                   *([f"not submitted: {', '.join(missing)}"] if missing else [])])
    args = f" {path}" + ("" if name is None else f" --function {name}") + ("" if lang == "en" else f" --lang {lang}")
    return CheckView(result, lang, selection=name or "", terminal_args=args)
