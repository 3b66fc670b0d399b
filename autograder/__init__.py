"""Course kit autograder: release student files, check and grade submissions in a sandbox.

In a notebook, ``from autograder import check`` then ``check("logistic_regression.gradients")``
runs that function's public tests (see `autograder.grading.check_cell`); importing this package
stays light (no numpy, no pytest) until a check runs.
"""

__version__ = "0.1.0"


def check(name=None, *, path=".", lang=None):
    """Run the public tests of ``name`` (all when None) on the modules the notebook wrote in
    ``path``; see `autograder.grading.check_cell.check`."""
    from autograder.grading.check_cell import check as run_check

    return run_check(name, path=path, lang=lang)
