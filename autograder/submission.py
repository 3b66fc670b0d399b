"""Find what a submission is (contract section 1) and read its three modules.

A submission is a folder holding the modules, a notebook (a ``.ipynb`` file, or a folder
holding ``assignment.ipynb`` or its Korean edition ``assignment.ko.ipynb``) whose ``%%writefile`` cells write them, or a ``.zip`` of either.
Reading never executes anything and never trusts names: only the three module names are kept,
zip members are read in memory (no extraction, so no ``../`` or symlink tricks), symbolic links
are refused (they could point at the solutions or at another student's work), and sizes are
capped. What cannot be read becomes a ``problem`` the feedback reports; a module that cannot be
read costs only its own tests ("not submitted"), the other modules are graded.

Each module read is compiled (never run) so that a syntax error is reported once, with its
file, line and column, instead of once per test. A folder holding both the modules and
``assignment.ipynb`` is graded from the one that holds the student's work: the one that differs
from the released skeleton (``assignment/``), the notebook if both do.

``check`` wants one line for a submission that cannot be graded at all:
:func:`require_gradable` raises that ``UserError``.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import stat
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.errors import UserError
from autograder.paths import ASSIGNMENT, MODULES

MAX_MODULE_BYTES = 1 * 2**20
MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_ZIP_MEMBERS = 2000
NOTEBOOK = "assignment.ipynb"
NOTEBOOKS = (NOTEBOOK, "assignment.ko.ipynb")  # every edition of the notebook, the English first
EXPECTED = f"a folder with the three modules or {NOTEBOOK}, a notebook, or a .zip of either"


@dataclass
class Submission:
    name: str  # the entry's name without extension
    sources: dict[str, bytes] = field(default_factory=dict)  # module name -> source
    problem: str = ""  # why it, or some of its modules, could not be read
    kind: str = "unreadable"  # when nothing was read: "unreadable" (broken) or "empty" (nothing to grade)
    chosen: str = ""  # which hand-in was graded when a folder held both the modules and the notebook
    syntax_errors: dict[str, str] = field(default_factory=dict)  # module -> "line L, column C: message"

    def __post_init__(self) -> None:
        if not self.syntax_errors:
            self.syntax_errors = {m: e for m, source in self.sources.items() if (e := syntax_error(source, m))}

    @property
    def status(self) -> str:
        """``""`` when something can be graded, else ``"unreadable"`` or ``"empty"``."""
        return "" if self.sources else self.kind

    @property
    def complete(self) -> bool:
        """All three modules were read, and each compiles."""
        return all(m in self.sources for m in MODULES) and not self.syntax_errors

    @property
    def notes(self) -> str:
        """The problem, then the modules missing for another reason: one line for the feedback."""
        if self.problem and not self.sources:
            return self.problem
        missing = [f"{m}.py" for m in MODULES if m not in self.sources and f"{m}.py" not in self.problem]
        parts = [self.chosen] if self.chosen else []
        parts += [self.problem] if self.problem else []
        if missing:
            parts.append(f"not submitted: {', '.join(missing)}")
        parts += [f"syntax error in {m}.py {where}" for m, where in self.syntax_errors.items()]
        return "; ".join(parts)


def syntax_error(source: bytes, module: str) -> str:
    """``"line L, column C: message"`` if ``source`` is not valid Python, else ``""``.

    Compiling runs nothing of the source. The parser's own limits (nesting depth) are errors
    too, and the source is capped at ``MAX_MODULE_BYTES``, so this is bounded.
    """
    try:
        compile(source, f"{module}.py", "exec", dont_inherit=True)
    except SyntaxError as error:  # IndentationError and TabError too
        return f"line {error.lineno}, column {error.offset}: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:  # NUL bytes, a parser stack overflow
        return f"line ?, column ?: {type(error).__name__}: {error}"
    return ""


def safe_name(stem: str) -> str:
    """The output folder's name for a submission called ``stem``: word characters and ``.@+-``."""
    return re.sub(r"[^\w.@+-]+", "_", stem).strip("._") or "submission"


def fingerprint(path: Path, *salt: str) -> str:
    """A hash of the submission's bytes (a folder: every regular file's relative name and bytes)
    and ``salt`` (the kit's fingerprint, the grading options): equal means its result is current."""
    digest = hashlib.sha256("\0".join(salt).encode() + b"\0")
    files = [path] if not path.is_dir() else sorted(p for p in path.rglob("*") if not p.is_dir() or p.is_symlink())
    for file in files:
        digest.update(str(file.relative_to(path) if file != path else file.name).encode() + b"\0")
        try:
            digest.update(b"link:" + str(file.readlink()).encode() if file.is_symlink() else file.read_bytes())
        except OSError as error:  # unreadable: its result says so; changing permissions changes nothing here
            digest.update(f"unreadable:{error.errno}".encode())
        digest.update(b"\0")
    return digest.hexdigest()


def require_gradable(path: Path) -> Submission:
    """The submission at ``path``, or a one-line ``UserError`` saying what was found and what is
    accepted when nothing in it can be graded (``check``'s bad input)."""
    submission = read_submission(path)
    if submission.status:
        raise UserError(f"{path}: {submission.problem}; expected {EXPECTED}")
    return submission


def _notebook(folder: Path) -> Path | None:
    """The folder's notebook, of any edition (`NOTEBOOKS`: the English one where both are), or None."""
    return next((folder / n for n in NOTEBOOKS if _present(folder / n)), None)


def is_submission(path: Path) -> bool:
    """A folder is one submission if it holds a module or the notebook; files always are."""
    if path.is_dir():
        return any(_present(path / f"{m}.py") for m in MODULES) or _notebook(path) is not None
    return path.suffix.lower() in (".zip", ".ipynb", ".py")


def find_submissions(paths: list[Path]) -> list[Path]:
    """Expand the command line: each PATH is a submission or a folder of submissions.

    A PATH given on the command line may be a symbolic link (the grader's choice); entries
    found inside a folder of submissions may not (``read_submission`` refuses them).
    """
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")
        if path.is_symlink():
            path = path.resolve()
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
    if path.is_symlink():
        return Submission(name, problem=f"{path.name} is a symbolic link; submit the folder or file itself")
    try:
        if path.is_dir():
            has_modules = any(_present(path / f"{m}.py") for m in MODULES)
            notebook = _notebook(path)
            if has_modules and notebook is not None:
                return _modules_or_notebook(path, name, notebook)
            if has_modules:
                return _from_files({m: path / f"{m}.py" for m in MODULES if _present(path / f"{m}.py")}, name)
            if notebook is not None:
                return Submission(name, modules_from_notebook(_read_capped(notebook, MAX_NOTEBOOK_BYTES)))
            return Submission(name, problem=f"found none of the three modules nor {NOTEBOOK} in the folder",
                              kind="empty")
        if path.suffix.lower() == ".ipynb":
            return Submission(name, modules_from_notebook(_read_capped(path, MAX_NOTEBOOK_BYTES)))
        if path.suffix.lower() == ".zip":
            sources, problems = _read_zip(path)
            return Submission(name, sources, problem="; ".join(problems))
        if path.suffix.lower() == ".py" and path.stem in MODULES:
            return _from_files({path.stem: path}, name)
        return Submission(name, problem=f"{path.name} is not a folder, a notebook or a zip")
    except _Unreadable as error:
        return Submission(name, problem=str(error), kind=error.kind)
    except OSError as error:  # unreadable file or folder (permissions, a vanished file)
        return Submission(name, problem=f"could not be read ({type(error).__name__}: {error.strerror or error})")


def _modules_or_notebook(folder: Path, name: str, notebook: Path) -> Submission:
    """A folder with both hand-ins: grade the one holding the student's work (module docstring).

    The notebook is compared by the modules it writes, so running it (outputs, counts) is no change,
    and either edition is compared alike: both write the same modules.
    """
    modules = _from_files({m: folder / f"{m}.py" for m in MODULES if _present(folder / f"{m}.py")}, name)
    try:
        written = modules_from_notebook(_read_capped(notebook, MAX_NOTEBOOK_BYTES))
    except _Unreadable as error:
        modules.chosen = f"graded the modules ({notebook.name} not used: {error})"
        return modules
    skeleton = _skeleton_modules()
    if skeleton is None:  # a student bundle without assignment/: the modules, as before
        return modules
    modules_changed = any(modules.sources.get(m) != skeleton.get(m) for m in MODULES if m in modules.sources)
    notebook_changed = written != skeleton
    if notebook_changed:
        other = "the .py files differ too" if modules_changed else "the .py files are the released skeleton"
        return Submission(name, written, chosen=f"graded {notebook.name}, the documented hand-in ({other})")
    if modules_changed:
        modules.chosen = f"graded the .py files ({notebook.name} is the released skeleton)"
    return modules


def _skeleton_modules() -> dict[str, bytes] | None:
    """The released skeleton's modules (``assignment/*.py``), or None where there is none."""
    try:
        return {m: (ASSIGNMENT / f"{m}.py").read_bytes() for m in MODULES}
    except OSError:
        return None


def _from_files(files: dict[str, Path], name: str) -> Submission:
    """Read each module on its own: one refused file costs only its own module."""
    sources, problems = {}, []
    for module, path in files.items():
        try:
            sources[module] = _read_capped(path)
        except _Unreadable as error:
            problems.append(str(error))
    return Submission(name, sources, problem="; ".join(problems))


def parse_writefile(line: str) -> tuple[str, bool] | None:
    """``(file name, append)`` of a ``%%writefile [-a|--append] NAME`` line, else None.

    The name is split as IPython splits magic arguments (shell-like: quotes allowed).
    """
    rest = line[len("%%writefile"):]
    if not line.startswith("%%writefile") or (rest and not rest[0].isspace()):
        return None
    try:
        words = shlex.split(rest)
    except ValueError:  # unbalanced quotes: IPython would refuse the cell too
        return None
    append = any(w in ("-a", "--append") for w in words)
    names = [w for w in words if w not in ("-a", "--append")]
    return (names[0], append) if len(names) == 1 else None


def modules_from_notebook(data: bytes) -> dict[str, bytes]:
    """Rebuild the modules from ``%%writefile`` cells, in order, exactly as IPython writes them."""
    import nbformat  # only for notebooks: with jsonschema, its import costs a folder submission ~0.15 s CPU

    try:
        with warnings.catch_warnings():  # nbformat warns about missing cell ids and old versions
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        cells = list(notebook.cells)
    except Exception as error:  # nbformat raises several unrelated types for broken JSON
        raise _Unreadable(f"the notebook could not be read ({type(error).__name__}): is it a valid .ipynb?") from None
    modules: dict[str, str] = {}
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(map(str, source)) if isinstance(source, list) else str(source)
        # IPython drops leading blank lines and the first line's indentation before it looks for a cell magic.
        lines = source.split("\n")
        while lines and not lines[0].strip():
            lines.pop(0)
        if not lines:
            continue
        parsed = parse_writefile(lines[0].strip())
        if parsed is None:
            continue
        target, append = parsed
        module = PurePosixPath(target).name.removesuffix(".py")
        if module not in MODULES or PurePosixPath(target).name != f"{module}.py":
            continue
        body = "\n".join(lines[1:])
        # %%writefile writes the cell body followed by a newline; -a appends the same way.
        text = body if body.endswith("\n") else body + "\n"
        modules[module] = modules.get(module, "") + text if append else text
    if not modules:
        raise _Unreadable("the notebook has no %%writefile cell for any of the three modules", kind="empty")
    return {m: text.encode("utf-8", errors="replace") for m, text in modules.items()}


def _read_zip(path: Path) -> tuple[dict[str, bytes], list[str]]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_MEMBERS:
                raise _Unreadable(f"the zip holds {len(members)} files; at most {MAX_ZIP_MEMBERS} are read")
            by_name: dict[str, zipfile.ZipInfo] = {}
            # Shallowest first: the submission's own files win over copies deeper down.
            for member in sorted(members, key=lambda m: (m.filename.count("/"), m.filename)):
                base = PurePosixPath(member.filename.replace("\\", "/")).name
                if "__MACOSX" in member.filename or base.startswith("._") or base in by_name:
                    continue
                by_name[base] = member
            wanted = {m: by_name[f"{m}.py"] for m in MODULES if f"{m}.py" in by_name}
            if wanted:
                sources, problems = {}, []
                for module, info in wanted.items():
                    try:
                        sources[module] = _read_member(archive, info, MAX_MODULE_BYTES)
                    except _Unreadable as error:
                        problems.append(str(error))
                return sources, problems
            notebooks = [n for n in by_name if n.endswith(".ipynb")]
            editions = [n for n in NOTEBOOKS if n in by_name]
            chosen = editions[0] if editions else (notebooks[0] if len(notebooks) == 1 else None)
            if chosen is None:
                raise _Unreadable("the zip holds neither the three modules nor one notebook", kind="empty")
            return modules_from_notebook(_read_member(archive, by_name[chosen], MAX_NOTEBOOK_BYTES)), []
    except _Unreadable:
        raise
    except Exception as error:  # BadZipFile, zlib.error, an encrypted member (RuntimeError), a bad header...
        if isinstance(error, RuntimeError) and "encrypted" in str(error):
            raise _Unreadable("the zip is encrypted (password-protected): zip it again without a password") from None
        raise _Unreadable(f"the zip could not be read ({type(error).__name__}): is it a valid .zip?") from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    name = PurePosixPath(info.filename).name
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _Unreadable(f"{name} is a symbolic link in the zip; submit the file itself")
    if info.file_size > limit:
        raise _Unreadable(f"{name} is larger than {limit // 2**20} MiB")
    with archive.open(info) as stream:
        data = stream.read(limit + 1)  # the header's size may lie: read at most the limit
    if len(data) > limit:
        raise _Unreadable(f"{name} is larger than {limit // 2**20} MiB")
    return data


def _present(path: Path) -> bool:
    """The file is there, or a symbolic link stands in its place (to be refused, not overlooked)."""
    return path.is_file() or path.is_symlink()


def _read_capped(path: Path, limit: int = MAX_MODULE_BYTES) -> bytes:
    if path.is_symlink():  # it could point at the solutions or another student's work
        raise _Unreadable(f"{path.name} is a symbolic link; submit the file itself")
    if not path.is_file():
        raise _Unreadable(f"{path.name} is not a regular file")
    with open(path, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise _Unreadable(f"{path.name} is larger than {limit // 2**20} MiB")
    return data


class _Unreadable(Exception):
    def __init__(self, message: str, kind: str = "unreadable") -> None:
        super().__init__(message)
        self.kind = kind


def name_submissions(paths: list[Path]) -> dict[str, Path]:
    """A safe, unique output name per submission: its entry's name without extension."""
    named: dict[str, Path] = {}
    for path in paths:
        base = safe_name(path.name if path.is_dir() else path.stem)
        name, k = base, 2
        while name in named:
            name, k = f"{base}-{k}", k + 1
        named[name] = path
    return named
