"""Find what a submission is (contract section 1) and read its three modules.

A submission is a folder holding the modules, a notebook (a ``.ipynb`` file, or a folder
holding ``assignment.ipynb``) whose ``%%writefile`` cells write them, or a ``.zip`` of either.
Reading never executes anything and never trusts names: only the three module names are kept,
zip members are read in memory (no extraction, so no ``../`` or symlink tricks), and sizes are
capped. What cannot be read becomes a ``problem`` the feedback reports; the tests still run
and fail with "not submitted".
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from autograder.errors import UserError
from autograder.paths import MODULES

MAX_MODULE_BYTES = 1 * 2**20
MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_ZIP_MEMBERS = 2000
NOTEBOOK = "assignment.ipynb"
WRITEFILE = re.compile(r"^%%writefile(\s+-a)?\s+(\S+)\s*$")


@dataclass
class Submission:
    name: str  # the entry's name without extension
    sources: dict[str, bytes] = field(default_factory=dict)  # module name -> source
    problem: str = ""  # why it could not be read, if it could not

    @property
    def notes(self) -> str:
        if self.problem:
            return self.problem
        missing = [f"{m}.py" for m in MODULES if m not in self.sources]
        return f"not submitted: {', '.join(missing)}" if missing else ""


def is_submission(path: Path) -> bool:
    """A folder is one submission if it holds a module or the notebook; files always are."""
    if path.is_dir():
        return any((path / f"{m}.py").is_file() for m in MODULES) or (path / NOTEBOOK).is_file()
    return path.suffix.lower() in (".zip", ".ipynb", ".py")


def find_submissions(paths: list[Path]) -> list[Path]:
    """Expand the command line: each PATH is a submission or a folder of submissions."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")
        if is_submission(path):
            found.append(path)
            continue
        entries = sorted(p for p in path.iterdir() if not p.name.startswith(".")
                         and (p.is_dir() or p.suffix.lower() in (".zip", ".ipynb")))
        if not entries:
            raise UserError(f"{path}: neither a submission (the three modules, {NOTEBOOK}, a .ipynb or a .zip) "
                            "nor a folder of submissions")
        found += entries
    return found


def read_submission(path: Path, name: str | None = None) -> Submission:
    """Read one submission; never raises for a broken one (see ``Submission.problem``)."""
    name = name or (path.stem if path.is_file() else path.name)
    try:
        if path.is_dir():
            if any((path / f"{m}.py").is_file() for m in MODULES):
                return Submission(name, {m: _read_capped(path / f"{m}.py") for m in MODULES
                                         if (path / f"{m}.py").is_file()})
            if (path / NOTEBOOK).is_file():
                return Submission(name, modules_from_notebook(_read_capped(path / NOTEBOOK, MAX_NOTEBOOK_BYTES)))
            return Submission(name, problem=f"found none of the three modules nor {NOTEBOOK} in the folder")
        if path.suffix.lower() == ".ipynb":
            return Submission(name, modules_from_notebook(_read_capped(path, MAX_NOTEBOOK_BYTES)))
        if path.suffix.lower() == ".zip":
            return Submission(name, _read_zip(path))
        if path.suffix.lower() == ".py" and path.stem in MODULES:
            return Submission(name, {path.stem: _read_capped(path)})
        return Submission(name, problem=f"{path.name} is not a folder, a notebook or a zip")
    except _Unreadable as error:
        return Submission(name, problem=str(error))


def modules_from_notebook(data: bytes) -> dict[str, bytes]:
    """Rebuild the modules from ``%%writefile`` cells, in order, exactly as IPython writes them."""
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as error:  # nbformat raises several unrelated types for broken JSON
        raise _Unreadable(f"the notebook could not be read ({type(error).__name__}): is it a valid .ipynb?") from None
    modules: dict[str, str] = {}
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        first, _, body = str(cell.get("source", "")).partition("\n")
        match = WRITEFILE.match(first.strip())
        if not match:
            continue
        module = PurePosixPath(match.group(2)).name.removesuffix(".py")
        if module not in MODULES or PurePosixPath(match.group(2)).name != f"{module}.py":
            continue
        # %%writefile writes the cell body followed by a newline; -a appends the same way.
        text = body if body.endswith("\n") else body + "\n"
        modules[module] = modules.get(module, "") + text if match.group(1) else text
    if not modules:
        raise _Unreadable("the notebook has no %%writefile cell for any of the three modules")
    return {m: text.encode("utf-8") for m, text in modules.items()}


def _read_zip(path: Path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_MEMBERS:
                raise _Unreadable(f"the zip holds {len(members)} files; at most {MAX_ZIP_MEMBERS} are read")
            by_name = {}
            for member in sorted(members, key=lambda m: (m.filename.count("/"), m.filename)):
                base = PurePosixPath(member.filename).name
                if "__MACOSX" in member.filename or base in by_name:
                    continue
                by_name[base] = member
            modules = {m: by_name[f"{m}.py"] for m in MODULES if f"{m}.py" in by_name}
            if modules:
                return {m: _read_member(archive, info, MAX_MODULE_BYTES) for m, info in modules.items()}
            notebooks = [n for n in by_name if n.endswith(".ipynb")]
            chosen = NOTEBOOK if NOTEBOOK in by_name else (notebooks[0] if len(notebooks) == 1 else None)
            if chosen is None:
                raise _Unreadable("the zip holds neither the three modules nor one notebook")
            return modules_from_notebook(_read_member(archive, by_name[chosen], MAX_NOTEBOOK_BYTES))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, OSError) as error:
        raise _Unreadable(f"the zip could not be read ({type(error).__name__}): is it a valid .zip?") from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise _Unreadable(f"{info.filename} is larger than {limit // 2**20} MiB")
    with archive.open(info) as stream:
        data = stream.read(limit + 1)  # the header's size may lie: read at most the limit
    if len(data) > limit:
        raise _Unreadable(f"{info.filename} is larger than {limit // 2**20} MiB")
    return data


def _read_capped(path: Path, limit: int = MAX_MODULE_BYTES) -> bytes:
    if path.is_symlink():  # it could point at the solutions or another student's work
        raise _Unreadable(f"{path.name} is a symbolic link; submit the file itself")
    with open(path, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise _Unreadable(f"{path.name} is larger than {limit // 2**20} MiB")
    return data


class _Unreadable(Exception):
    pass
