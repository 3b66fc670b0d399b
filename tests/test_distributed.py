"""`grade --scheduler`: a batch graded on a Dask cluster equals the same batch graded here.

A LocalCluster (two worker processes, one thread each, loopback only) stands in for the
course's cluster. The workers receive each submission's sources, never its path, so the
batch lives in a folder only this process reads.
"""

import argparse
import json
import shutil

import pandas as pd
import pytest
from distributed import Client, LocalCluster  # the 'distributed' extra: CI installs it (.ci/install)

from autograder.errors import UserError
from autograder.grading import distributed, grade_command
from autograder.paths import ASSIGNMENT, MODULES, SOLUTIONS

pytestmark = pytest.mark.slow

# One known bug: the sign of the per-sample logistic gradient.
SIGN_BUG = ("logistic_regression", "return -(y_i - p_i) * x_ij", "return (y_i - p_i) * x_ij")


def copy_modules(source, folder, bug=None):
    folder.mkdir(parents=True)
    for module in MODULES:
        shutil.copyfile(source / f"{module}.py", folder / f"{module}.py")
    if bug:
        module, old, new = bug
        text = (folder / f"{module}.py").read_text()
        assert text.count(old) == 1, f"the bug's line is no longer in solutions/{module}.py"
        (folder / f"{module}.py").write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch") / "submissions"
    copy_modules(SOLUTIONS, root / "reference")
    copy_modules(SOLUTIONS, root / "sign-bug", SIGN_BUG)
    copy_modules(ASSIGNMENT, root / "skeleton")
    (root / "only-optimizers").mkdir()
    shutil.copyfile(SOLUTIONS / "optimizers.py", root / "only-optimizers" / "optimizers.py")
    return root


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as local:
        yield local


def grade(paths, out, **options):
    args = argparse.Namespace(paths=list(paths), out=out, jobs=1, leaderboard=False, scheduler=None)
    for key, value in options.items():
        setattr(args, key, value)
    assert grade_command.run(args) == 0
    return out


def per_test_scores(out, name):
    data = json.loads((out / name / "results.json").read_text())
    return data["score"], {t["name"]: (t["score"], t["output"]) for t in data["tests"]}


@pytest.fixture(scope="module")
def both(batch, cluster, tmp_path_factory):
    local = grade([batch], tmp_path_factory.mktemp("local") / "out")
    remote = grade([batch], tmp_path_factory.mktemp("remote") / "out", scheduler=cluster.scheduler_address)
    return local, remote


def test_the_cluster_gives_the_local_gradebook(both):
    local, remote = both
    local_grades = pd.read_csv(local / "grades.csv").set_index("submission").sort_index()
    remote_grades = pd.read_csv(remote / "grades.csv").set_index("submission").sort_index()
    assert sorted(local_grades.index) == ["only-optimizers", "reference", "sign-bug", "skeleton"]
    pd.testing.assert_frame_equal(remote_grades, local_grades)


def test_the_batch_spans_full_zero_and_partial_scores(both):
    local, _ = both
    grades = pd.read_csv(local / "grades.csv").set_index("submission")
    assert grades.loc["reference", "score"] == grades.loc["reference", "max_score"]
    assert grades.loc["skeleton", "score"] == 0
    assert 0 < grades.loc["sign-bug", "score"] < grades.loc["sign-bug", "max_score"]
    assert 0 < grades.loc["only-optimizers", "score"] < grades.loc["reference", "score"]


@pytest.mark.parametrize("name", ["reference", "sign-bug", "skeleton", "only-optimizers"])
def test_every_test_and_message_is_the_same(both, name):
    local, remote = both
    assert per_test_scores(remote, name) == per_test_scores(local, name)
    assert (remote / name / "feedback.md").read_text() == (local / name / "feedback.md").read_text()


def test_both_runs_were_graded_where_they_say(both, cluster):
    # The grading really ran on the cluster: a worker imported the runner to grade (jail alone, to check).
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        setups = client.run(distributed.worker_setup)
        graded = client.run(lambda: "autograder.grading.runner" in __import__("sys").modules)
    assert len(setups) == 2
    assert len({s["kit"] for s in setups.values()}) == 1
    assert any(graded.values())


def test_a_wrong_address_is_one_line(tmp_path, batch, monkeypatch):
    monkeypatch.setattr(distributed, "CONNECT_SECONDS", 2)
    with pytest.raises(UserError, match="cannot reach a Dask scheduler"):
        grade([batch], tmp_path / "out", scheduler="tcp://127.0.0.1:9")


def test_jobs_and_scheduler_together_are_refused(tmp_path, batch, cluster):
    with pytest.raises(UserError, match="choose one"):
        grade([batch], tmp_path / "out", scheduler=cluster.scheduler_address, jobs=2)


def test_a_worker_with_another_kit_is_refused(cluster, monkeypatch):
    monkeypatch.setattr(distributed, "kit_fingerprint", lambda: "not the workers' kit")
    with Client(cluster.scheduler_address, set_as_default=False) as client, \
            pytest.raises(UserError, match="other solutions or grading tests"):
        distributed.check_workers(client)
