"""Reading submissions (``autograder.submission``): folders, notebooks, zips, and broken ones.

The oracle for notebooks is IPython itself: the ``%%writefile`` cells are run by an IPython
shell in a temporary folder, and the modules the grader rebuilds must be byte for byte what
IPython wrote.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.errors import UserError
from autograder.paths import MODULES, SOLUTIONS
from autograder.submission import (
    MAX_MODULE_BYTES,
    MAX_NOTEBOOK_BYTES,
    MAX_ZIP_MEMBERS,
    find_submissions,
    is_submission,
    modules_from_notebook,
    parse_writefile,
    read_submission,
)

LOG, LIN, OPT = MODULES


@pytest.fixture(scope="module")
def reference() -> dict[str, bytes]:
    return {m: (SOLUTIONS / f"{m}.py").read_bytes() for m in MODULES}


def write_folder(folder: Path, sources: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in sources.items():
        (folder / f"{name}.py").write_bytes(data)
    return folder


def cell_body(lines: list[str]) -> str:
    """How a student's cell holds these lines: ``%%writefile`` adds a final newline when the
    cell has none, so the cell drops one (unless the text ends with a blank line)."""
    text = "".join(lines)
    return text if text.endswith("\n\n") else text.removesuffix("\n")


def notebook_cells(sources: dict[str, bytes]) -> list:
    """The reference as a student's notebook: each module in a ``%%writefile`` cell and a
    ``%%writefile -a`` cell (with IPython's allowed variations), among cells the grader ignores."""
    cells = [nbformat.v4.new_markdown_cell("%%writefile logistic_regression.py\nnot code")]
    for i, (name, data) in enumerate(sources.items()):
        lines = data.decode().splitlines(keepends=True)
        half = len(lines) // 2
        first = f"%%writefile {name}.py" if i != 1 else f'%%writefile "{name}.py"'
        append = "%%writefile -a" if i != 2 else "\n  \n%%writefile --append"
        cells.append(nbformat.v4.new_code_cell(first + "\n" + cell_body(lines[:half])))
        cells.append(nbformat.v4.new_code_cell(f"{append} {name}.py\n" + cell_body(lines[half:])))
    cells += [nbformat.v4.new_code_cell("%%writefile notes.txt\nnot a module"),
              nbformat.v4.new_code_cell("x = 1\n%%writefile optimizers.py\nnot a cell magic here"),
              nbformat.v4.new_code_cell("raise SystemExit('the grader never runs this')")]
    return cells


def written_by_ipython(cells: list, folder: Path) -> dict[str, bytes]:
    """Run only the ``%%writefile`` cells in an IPython shell, in ``folder``; what it wrote."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    before = Path.cwd()
    folder.mkdir()
    os.chdir(folder)
    try:
        for cell in cells:
            if cell.cell_type == "code" and cell.source.lstrip().startswith("%%writefile"):
                assert shell.run_cell(cell.source, silent=True).success
    finally:
        os.chdir(before)
    return {p.stem: p.read_bytes() for p in folder.glob("*.py")}


# -- folders -------------------------------------------------------------------------------------
def test_folder_reads_the_three_modules_only(tmp_path, reference):
    folder = write_folder(tmp_path / "alice", reference)
    (folder / "conftest.py").write_text("raise SystemExit")
    (folder / "numpy.py").write_text("raise SystemExit")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / f"{LOG}.cpython-311.pyc").write_bytes(b"\x00" * 16)
    read = read_submission(folder)
    assert read.name == "alice" and read.sources == reference and read.notes == ""


def test_missing_module_costs_only_that_module(tmp_path, reference):
    read = read_submission(write_folder(tmp_path / "bob", {LOG: reference[LOG], LIN: reference[LIN]}))
    assert set(read.sources) == {LOG, LIN}
    assert read.notes == f"not submitted: {OPT}.py"


def test_symlinked_module_is_refused_and_the_others_read(tmp_path, reference):
    folder = write_folder(tmp_path / "carol", {LOG: reference[LOG], LIN: reference[LIN]})
    (folder / f"{OPT}.py").symlink_to(SOLUTIONS / f"{OPT}.py")
    read = read_submission(folder)
    assert set(read.sources) == {LOG, LIN}
    assert f"{OPT}.py is a symbolic link" in read.notes


def test_symlinked_submission_inside_a_class_folder_is_refused(tmp_path, reference):
    write_folder(tmp_path / "class" / "dave", reference)
    (tmp_path / "class" / "eve").symlink_to(SOLUTIONS)
    entries = find_submissions([tmp_path / "class"])
    assert [p.name for p in entries] == ["dave", "eve"]
    eve = read_submission(entries[1])
    assert eve.sources == {} and "symbolic link" in eve.notes


def test_oversized_module_is_refused(tmp_path, reference):
    folder = write_folder(tmp_path / "frank", reference)
    (folder / f"{LIN}.py").write_bytes(b"#" * (MAX_MODULE_BYTES + 1))
    read = read_submission(folder)
    assert set(read.sources) == {LOG, OPT} and "larger than 1 MiB" in read.notes


def test_finding_submissions(tmp_path, reference):
    root = tmp_path / "class"
    write_folder(root / "alice", reference)
    (root / "bob.zip").write_bytes(b"")
    (root / "carol.ipynb").write_text("{}")
    (root / ".hidden").mkdir()
    (root / "notes.txt").write_text("not a submission")
    assert [p.name for p in find_submissions([root])] == ["alice", "bob.zip", "carol.ipynb"]
    assert find_submissions([root / "alice"]) == [root / "alice"]
    assert is_submission(root / "alice") and not is_submission(root)
    with pytest.raises(UserError, match="no such file"):
        find_submissions([tmp_path / "nowhere"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="neither a submission"):
        find_submissions([tmp_path / "empty"])


# -- notebooks -----------------------------------------------------------------------------------
def test_notebook_modules_are_what_ipython_writes(tmp_path, reference):
    cells = notebook_cells(reference)
    notebook = nbformat.v4.new_notebook(cells=cells)
    rebuilt = modules_from_notebook(nbformat.writes(notebook).encode())
    assert rebuilt == written_by_ipython(cells, tmp_path / "ipython")
    assert rebuilt == reference  # and here that is the reference itself


def test_notebook_file_and_folder_forms(tmp_path, reference):
    notebook = nbformat.v4.new_notebook(cells=notebook_cells(reference))
    nbformat.write(notebook, tmp_path / "grace.ipynb")
    (tmp_path / "heidi").mkdir()
    nbformat.write(notebook, tmp_path / "heidi" / "assignment.ipynb")
    for path, name in ((tmp_path / "grace.ipynb", "grace"), (tmp_path / "heidi", "heidi")):
        read = read_submission(path)
        assert (read.name, read.sources, read.notes) == (name, reference, "")


def test_rewriting_a_module_replaces_it(reference):
    cells = [nbformat.v4.new_code_cell(f"%%writefile {LOG}.py\nold = 1"),
             nbformat.v4.new_code_cell(f"%%writefile {LOG}.py\nnew = 2\n")]
    assert modules_from_notebook(nbformat.writes(nbformat.v4.new_notebook(cells=cells)).encode()) == {LOG: b"new = 2\n"}


def test_writefile_lines():
    assert parse_writefile(f"%%writefile {LOG}.py") == (f"{LOG}.py", False)
    assert parse_writefile(f"%%writefile -a {LOG}.py") == (f"{LOG}.py", True)
    assert parse_writefile(f"%%writefile --append '{LOG}.py'") == (f"{LOG}.py", True)
    for line in ("%%writefilex a.py", "%%writefile", "%%writefile a.py b.py", "%writefile a.py", "%%writefile 'a.py"):
        assert parse_writefile(line) is None


@pytest.mark.parametrize("data, problem", [
    (b'{"cells": [', "notebook could not be read"),
    (b"\xff\xfe not UTF-8", "notebook could not be read"),
    (b"[]", "notebook could not be read"),
    (nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])).encode(),
     "no %%writefile cell"),
])
def test_broken_notebooks_are_reported(tmp_path, data, problem):
    (tmp_path / "ivan.ipynb").write_bytes(data)
    read = read_submission(tmp_path / "ivan.ipynb")
    assert read.sources == {} and problem in read.notes


def test_oversized_notebook_is_refused(tmp_path):
    (tmp_path / "judy.ipynb").write_bytes(b" " * (MAX_NOTEBOOK_BYTES + 1))
    assert "larger than 20 MiB" in read_submission(tmp_path / "judy.ipynb").notes


# -- zips ----------------------------------------------------------------------------------------
def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_of_a_folder(tmp_path, reference):
    flat = write_zip(tmp_path / "kim.zip", {f"{m}.py": data for m, data in reference.items()})
    read = read_submission(flat)
    assert (read.name, read.sources, read.notes) == ("kim", reference, "")


def test_zip_as_archivers_make_it(tmp_path, reference):
    members = {f"kim/{m}.py": data for m, data in reference.items()}
    members |= {f"__MACOSX/kim/._{LOG}.py": b"\x00\x05\x16\x07", f"kim/old/{LOG}.py": b"raise SystemExit",
                "kim/.DS_Store": b"\x00"}
    assert read_submission(write_zip(tmp_path / "kim.zip", members)).sources == reference


def test_zip_of_a_notebook(tmp_path, reference):
    notebook = nbformat.writes(nbformat.v4.new_notebook(cells=notebook_cells(reference))).encode()
    read = read_submission(write_zip(tmp_path / "leo.zip", {"leo/assignment.ipynb": notebook}))
    assert read.sources == reference


def test_zip_paths_that_climb_out_extract_nothing(tmp_path, reference):
    members = {f"../../{LOG}.py": reference[LOG], f"/abs/{LIN}.py": reference[LIN], f"{OPT}.py": reference[OPT],
               "../../escaped.py": b"x"}
    before = set(tmp_path.parent.iterdir())
    read = read_submission(write_zip(tmp_path / "mallory.zip", members))
    assert read.sources == reference
    assert set(tmp_path.parent.iterdir()) == before


def test_zip_member_that_is_a_symbolic_link_is_refused(tmp_path, reference):
    path = tmp_path / "nina.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for m in (LOG, LIN):
            archive.writestr(f"{m}.py", reference[m])
        link = zipfile.ZipInfo(f"{OPT}.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, str(SOLUTIONS / f"{OPT}.py"))
    read = read_submission(path)
    assert set(read.sources) == {LOG, LIN} and "symbolic link" in read.notes


def test_zip_bomb_member_is_capped(tmp_path, reference):
    members = {f"{LOG}.py": b"0" * (30 * 2**20), f"{LIN}.py": reference[LIN], f"{OPT}.py": reference[OPT]}
    read = read_submission(write_zip(tmp_path / "oscar.zip", members))
    assert set(read.sources) == {LIN, OPT} and "larger than 1 MiB" in read.notes


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04" + b"\x00" * 100, b"not a zip at all"])
def test_corrupt_zip_is_reported(tmp_path, data):
    (tmp_path / "peggy.zip").write_bytes(data)
    read = read_submission(tmp_path / "peggy.zip")
    assert read.sources == {} and "zip could not be read" in read.notes


def test_encrypted_zip_member_is_reported(tmp_path, reference):
    path = write_zip(tmp_path / "quentin.zip", {f"{m}.py": data for m, data in reference.items()})
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag (bit 0) in every local and central header: reading asks for a password.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + offset] |= 1
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    read = read_submission(path)
    assert read.sources == {} and read.status == "unreadable" and "the zip is encrypted" in read.notes


def test_zip_with_too_many_members_is_refused(tmp_path):
    members = {f"f{i}.txt": b"" for i in range(MAX_ZIP_MEMBERS + 1)}
    assert "at most" in read_submission(write_zip(tmp_path / "rupert.zip", members)).notes


def test_notes_of_an_empty_zip_say_what_is_missing(tmp_path):
    read = read_submission(write_zip(tmp_path / "sybil.zip", {"readme.txt": b"hello"}))
    assert read.sources == {} and "neither the three modules nor one notebook" in read.notes
    assert json.dumps(read.notes)  # one line of plain text for the feedback


def test_only_a_notebook_loads_nbformat(tmp_path, reference):
    """``check`` on a folder must not pay for nbformat (and jsonschema); a notebook still reads."""
    folder = write_folder(tmp_path / "alice", reference)
    notebook = nbformat.v4.new_notebook(cells=notebook_cells(reference))
    (tmp_path / "bob.ipynb").write_text(nbformat.writes(notebook))
    script = ("import sys\nfrom pathlib import Path\nfrom autograder.submission import read_submission\n"
              "for path in sys.argv[1:]:\n"
              "    read = read_submission(Path(path))\n"
              "    print(sorted(read.sources), read.problem or 'ok', 'nbformat' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script, str(folder), str(tmp_path / "bob.ipynb")],
                          capture_output=True, text=True, check=True)
    modules = str(sorted(MODULES))
    assert done.stdout.splitlines() == [f"{modules} ok False", f"{modules} ok True"]
