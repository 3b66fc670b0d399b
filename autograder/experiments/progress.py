"""Progress bars that fit where they are shown: a widget in a notebook, a line in a terminal.

`tqdm.auto` picks the widget in a Jupyter kernel and the text bar elsewhere. In a kernel
without ipywidgets it would fall back to the text bar, whose every redraw then lands in the
cell's saved output (and it warns first): there the bar is left out instead.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings


def _in_kernel() -> bool:
    shell = sys.modules.get("IPython")
    try:
        return shell is not None and "IPKernelApp" in shell.get_ipython().config
    except AttributeError:  # IPython imported, but no shell running
        return False


def progress_bar(*, total: int, desc: str, unit: str, disable: bool = False):
    """A `tqdm.auto` bar that never leaves text in a notebook cell's output (``leave=False``)."""
    kernel = _in_kernel()
    if kernel and importlib.util.find_spec("ipywidgets") is None:
        disable = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tqdm.auto's "IProgress not found" (handled above)
        from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, unit=unit, disable=disable, leave=False)
