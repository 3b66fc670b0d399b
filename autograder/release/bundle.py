"""What leaves the course staff's hands: the student bundle and Gradescope's autograder zip.

The student bundle holds the skeleton, the notebook, the data, the public tests with the
reference's recorded answers, and ``check``; no solution code and no hidden test. The
Gradescope zip holds the whole kit (solutions and hidden tests included: it runs on
Gradescope's side, never on a student's machine) plus ``setup.sh`` and ``run_autograder``.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

from autograder.errors import UserError
from autograder.paths import ASSIGNMENT, DATA, KIT_ROOT

PACKAGE = KIT_ROOT / "autograder"
# Parts of the package a student never gets: the hidden tests, the rubric that names them,
# and the staff-only verbs (they read solutions/).
STAFF_ONLY = ("tests/hidden", "tests/RUBRIC.md", "tests/RUBRIC.in.md", "release", "similarity")  # similarity: its boilerplate holds the formulas
PROJECT_FILES = ("pyproject.toml", "setup.cfg")

# Compiles the kit's modules into the image: every container starts from the image afresh, so
# a cache written while grading is lost, and each submission would pay the compilation again.
PRECOMPILE = ("-m", "compileall", "-q", ".")
SETUP_SH = f"""#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y python3 python3-pip python3-venv bubblewrap
cd /autograder/source
python3 -m pip install --break-system-packages -e . || python3 -m pip install -e .
python3 {' '.join(PRECOMPILE)}
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this per submission: grade /autograder/submission into /autograder/results/results.json.
cd "${AUTOGRADER_ROOT:-/autograder}/source"
exec python3 -m autograder.grading.gradescope_entry
"""

STUDENT_README = """# Your assignment: optimisation through logistic and linear regression

- `assignment/`: fill in the blanks of `logistic_regression.py`, `linear_regression.py` and
  `optimizers.py` (or work in `assignment/assignment.ipynb`, whose `%%writefile` cells write them).
- `data/`: the data sets (see `data/DATASHEET.md`).
- Install once: `python -m pip install -e .`
- Check your work: `python -m autograder check` (the modules in the current folder if they are
  there, else `assignment/`; or `python -m autograder check assignment/assignment.ipynb`).
  These are the public tests; hidden tests run when your work is graded.
- It runs on Windows, macOS and Linux alike. Your code runs in a separate process with time
  limits; on Linux with bubblewrap (`apt install bubblewrap`) it is also cut off from the
  network and the rest of your files. On Windows and macOS nothing is hidden from it: this
  bundle holds no solution and no hidden test, so there is nothing to find.
- Experiment: `python -m autograder sweep --help`.
"""


def build_student_bundle(dest: Path) -> list[Path]:
    """Write the student bundle into ``dest`` (new or empty); returns the files written."""
    from autograder.release.known_bugs import known_bug_sources
    from autograder.release.record import record_public

    if dest.exists() and any(dest.iterdir()):
        raise UserError(f"--student-bundle {dest}: the folder is not empty")
    if not (ASSIGNMENT / "assignment.ipynb").is_file():
        raise UserError("assignment/ is not generated yet: run python -m autograder release first")
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ASSIGNMENT, dest / "assignment", ignore=_junk)
    shutil.copytree(DATA, dest / "data", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copytree(PACKAGE, dest / "autograder", ignore=_student_ignore)
    for name in PROJECT_FILES:
        shutil.copyfile(KIT_ROOT / name, dest / name)
    (dest / "README.md").write_text(STUDENT_README, encoding="utf-8")
    record_public(dest / "autograder" / "tests" / "public" / "recorded", known_bugs=known_bug_sources())
    return sorted(p for p in dest.rglob("*") if p.is_file())


def build_gradescope_zip(out: Path) -> int:
    """Write Gradescope's autograder zip to ``out``; returns the number of files in it.

    What does not depend on a submission is recorded first (the scikit-learn baselines,
    re-fitted if the kit's recording is missing or stale), so each container reads it back.
    """
    from autograder.grading import baselines

    if out.is_dir():
        raise UserError(f"--out {out}: is a folder; give a file name such as autograder.zip")
    if baselines.recording_state() is not None:
        baselines.record_baselines()
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o755 << 16
            archive.writestr(info, text)
            count += 1
        for path in _kit_files():
            archive.write(path, f"source/{path.relative_to(KIT_ROOT)}")
            count += 1
    return count


def _kit_files() -> Iterator[Path]:
    for name in PROJECT_FILES:
        yield KIT_ROOT / name
    for folder in ("autograder", "solutions", "data"):
        for path in sorted((KIT_ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                yield path


def _junk(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in ("__pycache__", ".ipynb_checkpoints") or n.endswith(".pyc")}


def _student_ignore(folder: str, names: list[str]) -> set[str]:
    relative = Path(folder).relative_to(PACKAGE)
    return _junk(folder, names) | {n for n in names if (relative / n).as_posix() in STAFF_ONLY}
