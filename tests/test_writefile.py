"""The notebook's ``%%writefile`` keeps a copy of work it would overwrite, and writes what
IPython's own magic writes (the bytes the grader rebuilds from the cell)."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

from autograder import writefile
from autograder.paths import ASSIGNMENT


@pytest.fixture
def shell(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ip = InteractiveShell.instance()
    writefile.register()
    assert shell_magic(ip) is writefile.writefile
    yield ip
    from IPython.core.magics.osm import OSMagics

    ip.register_magics(OSMagics)  # IPython's own %%writefile again, for whatever runs next


def shell_magic(ip):
    return ip.magics_manager.magics["cell"]["writefile"]


def run(shell, capsys, source: str) -> str:
    result = shell.run_cell(source)
    assert result.success, result.error_in_exec
    return capsys.readouterr().out


def test_writes_exactly_what_ipython_writes(shell, capsys, tmp_path):
    out = run(shell, capsys, '%%writefile m.py\n"""Doc."""\nx = 1')
    assert out == "Writing m.py\n"
    run(shell, capsys, "%%writefile -a m.py\n\n\ndef f():\n    return x\n")
    assert (tmp_path / "m.py").read_text() == '"""Doc."""\nx = 1\n\n\ndef f():\n    return x\n'
    assert not list(tmp_path.glob("*.bak*"))


def test_rerunning_the_notebook_keeps_no_copy_of_its_own_work(shell, capsys, tmp_path):
    for _ in range(3):
        out = run(shell, capsys, "%%writefile m.py\nx = 1")
        run(shell, capsys, "%%writefile -a m.py\ny = 2")
    assert "Kept a copy" not in out
    assert not list(tmp_path.glob("*.bak*"))


def test_the_skeleton_is_overwritten_without_a_copy(shell, capsys, tmp_path):
    (tmp_path / "optimizers.py").write_bytes((ASSIGNMENT / "optimizers.py").read_bytes())
    out = run(shell, capsys, "%%writefile optimizers.py\nx = 1")
    assert "Kept a copy" not in out and not list(tmp_path.glob("*.bak*"))


def test_work_from_an_editor_is_kept_before_it_is_overwritten(shell, capsys, tmp_path):
    run(shell, capsys, "%%writefile logistic_regression.py\nx = 1")
    edited = "x = 1\n\n\ndef logistic(X, theta):\n    return 0.5\n"
    (tmp_path / "logistic_regression.py").write_text(edited)  # the student worked in an editor
    out = run(shell, capsys, "%%writefile logistic_regression.py\nx = 2")
    assert out.splitlines()[0] == ("Kept a copy of logistic_regression.py as logistic_regression.py.bak: "
                                   "it held work this notebook did not write.")
    assert (tmp_path / "logistic_regression.py.bak").read_text() == edited
    assert (tmp_path / "logistic_regression.py").read_text() == "x = 2\n"
    # appending never destroys, so never copies; a second outside edit gets a second copy
    run(shell, capsys, "%%writefile -a logistic_regression.py\ny = 3")
    (tmp_path / "logistic_regression.py").write_text("z = 4\n")
    out = run(shell, capsys, "%%writefile logistic_regression.py\nx = 2")
    assert "as logistic_regression.py.bak2" in out
    assert (tmp_path / "logistic_regression.py.bak2").read_text() == "z = 4\n"
    assert (tmp_path / "logistic_regression.py.bak").read_text() == edited


def test_a_file_the_notebook_never_wrote_is_kept_after_a_kernel_restart(shell, capsys, tmp_path):
    (tmp_path / "linear_regression.py").write_text("work = 'done in the .py file'\n")
    out = run(shell, capsys, "%%writefile linear_regression.py\nx = 1")
    assert "Kept a copy" in out
    assert (tmp_path / "linear_regression.py.bak").read_text() == "work = 'done in the .py file'\n"
    # what the notebook wrote is remembered on disk, so a new kernel does not copy it again
    assert (tmp_path / writefile.RECORD).is_file()
    out = run(shell, capsys, "%%writefile linear_regression.py\nx = 1")
    assert "Kept a copy" not in out and not (tmp_path / "linear_regression.py.bak2").exists()


def test_outside_ipython_register_does_nothing(monkeypatch):
    import IPython

    ip = InteractiveShell.instance()
    from IPython.core.magics.osm import OSMagics

    ip.register_magics(OSMagics)
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    writefile.register()
    assert shell_magic(ip) is not writefile.writefile
