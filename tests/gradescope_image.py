"""A Gradescope image as far as the sandbox can tell: root, and a Python the user nobody can run.

Gradescope's image has its Python under /usr; this machine's may live under /root (mode 0700),
out of reach of nobody and of every child's own user. `image` then wraps a command in a mount
namespace where /root is an empty, traversable folder holding only the interpreter, as on
Gradescope (bubblewrap as root, all capabilities kept: the command inside is still root).
Shared by the Gradescope tests, the backends' tests and the benchmarks.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def nobody_can_run_python() -> bool:
    """The user nobody can start this interpreter and import numpy."""
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                           "--bounding-set=-all", sys.executable, "-I", "-c", "import numpy"],
                          capture_output=True)
    return done.returncode == 0


def image_prefix() -> list[str] | None:
    """The argv prefix that runs a command in such an image: ``[]`` where nobody already can run
    this Python, None where it cannot be made so here (no bubblewrap, or the interpreter is
    unreachable for another reason than living under /root)."""
    if nobody_can_run_python():
        return []
    bwrap, prefix, home = shutil.which("bwrap"), Path(sys.base_prefix).resolve(), Path("/root")
    if bwrap is None or home not in prefix.parents:
        return None
    folders = [f for parent in reversed(prefix.parents) if home in parent.parents
               for f in ("--perms", "0755", "--dir", str(parent))]
    return [bwrap, "--cap-add", "ALL", "--dev-bind", "/", "/", "--tmpfs", str(home), *folders,
            "--bind", str(prefix), str(prefix), "--"]
