"""The similarity report's cost against grading's, for a batch of 300 (issue 16).

    python benchmarks/similarity.py               # 300 submissions, grading timed on 4 and 12 of them
    python benchmarks/similarity.py --n 100 --reps 1

Builds a class from the benchmark set of ``tests/plagiarism`` (the five independent styles and
the reference, each copy renamed, and some reordered, reworded or padded with dead code, in
folders, notebooks and zips), then measures, in the same run:

- ``python -m autograder similarity`` over the whole class (median of ``--reps`` runs), end to
  end: reading, fingerprints, every pair, CSV and page;
- ``python -m autograder grade -j 1`` over ``--small`` and ``--large`` of the same submissions;
  the difference divided by the difference in count is grading's cost per submission, without
  its fixed start-up (which would flatter the ratio).

Prints both and the ratio similarity / (grading per submission × n), which must stay under 0.1.
CPU is the whole process tree's (sandboxes included, see measure.py). This class is a worst case
for the pair work: one in six submissions shares an origin with any other, so most pairs
overlap and thousands are flagged.
To hook it into benchmarks/run.py: call ``measure_similarity(n, reps)`` and turn its dict into rows.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from plagiarism import disguises as d  # noqa: E402
from plagiarism.build import reference, write_form  # noqa: E402
from plagiarism.implementations import STYLES, fill  # noqa: E402

from benchmarks import measure  # noqa: E402

LIMIT = 0.1


def write_class(root: Path, n: int) -> list[Path]:
    """``n`` submissions: every origin in turn, each copy disguised its own way."""
    origins = [fill(bodies) for bodies in STYLES.values()] + [reference()]
    paths = []
    for i in range(n):
        sources = d.rename(origins[i % len(origins)], seed=i)
        if i % 3 == 0:
            sources = d.reorder(sources, seed=i)
        if i % 4 == 1:
            sources = d.add_dead_code(sources, seed=i)
        if i % 5 == 2:
            sources = d.reword(sources)
        form = "notebook" if i % 7 == 3 else "zip" if i % 11 == 5 else "folder"
        paths.append(write_form(root / f"student{i:03d}", form, sources))
    return paths


def measure_similarity(n: int = 300, reps: int = 2, small: int = 4, large: int = 12) -> dict[str, float]:
    measure.become_subreaper()
    measure.install_capture()
    with tempfile.TemporaryDirectory(prefix="bench-similarity-") as tmp:
        tmp = Path(tmp)
        paths = write_class(tmp / "class", n)
        python = [sys.executable, "-m", "autograder"]
        runs = [measure.run_command([*python, "similarity", str(tmp / "class"), "--out", str(tmp / f"sim{r}")],
                                    cwd=ROOT) for r in range(reps)]
        similarity = measure.median_sample(runs)
        graded = {}
        for k in (small, large):
            batch = [*python, "grade", *map(str, paths[:k]), "--out", str(tmp / f"grade{k}"), "-j", "1"]
            graded[k] = measure.run_command(batch, cwd=ROOT)
    per_wall = (graded[large].wall - graded[small].wall) / (large - small)
    per_cpu = (graded[large].cpu - graded[small].cpu) / (large - small)
    return {"n": n, "similarity_wall": similarity.wall, "similarity_cpu": similarity.cpu,
            "grading_wall_per_submission": per_wall, "grading_cpu_per_submission": per_cpu,
            "ratio_wall": similarity.wall / (per_wall * n), "ratio_cpu": similarity.cpu / (per_cpu * n)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="submissions in the class (default 300)")
    parser.add_argument("--reps", type=int, default=2, help="runs of the similarity report (median; default 2)")
    args = parser.parse_args()
    r = measure_similarity(args.n, args.reps)
    print(f"similarity over {r['n']} submissions: {r['similarity_wall']:.2f} s wall, {r['similarity_cpu']:.2f} s cpu")
    print(f"grading, per submission (-j 1): {r['grading_wall_per_submission']:.3f} s wall, "
          f"{r['grading_cpu_per_submission']:.3f} s cpu")
    print(f"ratio similarity / grading of the batch: wall {r['ratio_wall']:.3f}, cpu {r['ratio_cpu']:.3f} "
          f"(limit {LIMIT}): {'met' if max(r['ratio_wall'], r['ratio_cpu']) < LIMIT else 'MISSED'}")
    return 0 if max(r["ratio_wall"], r["ratio_cpu"]) < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
