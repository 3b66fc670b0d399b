"""Every performance figure of the kit, each against a floor or a peer measured in the same run.

    python benchmarks/run.py            # everything (tens of minutes: see RESULTS.md)
    python benchmarks/run.py --quick    # small batches and fewer repetitions (a few minutes)
    python benchmarks/run.py --only oneshot check

Issue 13's targets are measured per sandbox backend that starts here (backends.py): the one-shot
grade, check, the marginal cost in a batch and -j 2 over -j 1. The warm per-submission figures,
scaling and sweeps of issue 6 follow (the sandbox the machine chooses), and the similarity
report's cost against grading's (issue 16, similarity.py).

Prints one table per target and rewrites the figures block of benchmarks/RESULTS.md (the
notes around it are kept) with the machine and the command. CPU is user + sys of every process
involved, the sandbox's included (see measure.py); wall is elapsed time. Floors and peers are
run interleaved with their subject and compared by medians: on a noisy machine only the
ratios mean something.

The floor is ``python -I -c "import numpy"``: an isolated interpreter that imports numpy,
which no sandboxed grading of a numpy assignment can avoid.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.paths import KIT_ROOT  # noqa: E402
from benchmarks import backends, measure  # noqa: E402
from benchmarks.rows import Row, markdown, ratio_row, seconds, table  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
BEGIN, END = "<!-- figures: begin (written by benchmarks/run.py) -->", "<!-- figures: end -->"
SECTIONS = ("oneshot", "check", "marginal", "speedup", "grading", "scaling", "sweep", "scale", "similarity")
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def drive(*args: str, env: dict | None = None) -> dict:
    """Run benchmarks/drive.py in its own process; its JSON report."""
    done = subprocess.run([sys.executable, str(HERE / "drive.py"), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=KIT_ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"drive.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- target 1: grading cost per submission --------------------------------------------------

def grading(reps: int) -> list[Row]:
    g = drive("grade", "--suite", "full", "--reps", str(reps))
    rt = drive("roundtrip", "--reps", str(max(3, reps // 2)))
    t = "grading, warm (issue 6)"
    rows = [
        ratio_row(t, "grade the reference, full suite, -j 1, per submission: CPU", g["sandboxed"], g["floor"], "cpu", 4),
        ratio_row(t, "... wall", g["sandboxed"], g["floor"], "wall", 4),
        ratio_row(t, "in a batch (grade -j 1: the next child starts while one is graded), per submission: CPU",
                  g["in_turn"], g["floor"], "cpu", 4),
        ratio_row(t, "... wall", g["in_turn"], g["floor"], "wall", 4),
        ratio_row(t, "price of safety: sandboxed / in-process pytest, same tests: CPU", g["sandboxed"], g["inprocess"],
                  "cpu", None, "in-process"),
        ratio_row(t, "... wall", g["sandboxed"], g["inprocess"], "wall", None, "in-process"),
        ratio_row(t, "in-process pytest run alone (no sandbox) vs floor: CPU", g["inprocess"], g["floor"], "cpu", None),
        Row(t, "sandbox starts per submission", f"{g['sandbox_starts_per_submission']:g}", limit="1",
            met=g["sandbox_starts_per_submission"] == 1),
        Row(t, f"fixed work: scikit-learn baseline fits for {g['graded']} submissions", str(g["baseline_fits"]),
            limit="once per task per process", met=g["baseline_fits"] <= 3),
        Row(t, "first submission of a process (fixed work included): wall", seconds(g["warm_up"], "wall"),
            f"later ones {seconds(g['sandboxed'], 'wall')}", g["warm_up"]["wall"] / g["sandboxed"]["wall"]),
        Row(t, "callbacks into the reference per submission", f"{g['callbacks_per_submission']:.0f}"),
        Row(t, "one callback round trip: wall", f"{rt['callback']['wall'] * 1e6:.0f} µs",
            f"plain pipe {rt['pipe']['wall'] * 1e6:.0f} µs", rt["callback"]["wall"] / rt["pipe"]["wall"]),
        Row(t, "... CPU (both processes)", f"{rt['callback']['cpu'] * 1e6:.0f} µs",
            f"plain pipe {rt['pipe']['cpu'] * 1e6:.0f} µs", rt["callback"]["cpu"] / rt["pipe"]["cpu"]),
        Row(t, "callbacks' share of a submission's wall (estimate)",
            f"{g['callbacks_per_submission'] * rt['callback']['wall']:.2f} s",
            f"submission {seconds(g['sandboxed'], 'wall')}",
            g["callbacks_per_submission"] * rt["callback"]["wall"] / g["sandboxed"]["wall"]),
    ]
    if g["scores"] != [100.0] or g["peer_scores"] != [100.0] or g["pair_scores"] != [100.0]:
        rows.append(Row(t, "reference's score (sandboxed, in-process, in turn)",
                        f"{g['scores']}, {g['peer_scores']}, {g['pair_scores']}",
                        limit="100", met=False))
    return rows


# -- target 2: scaling ---------------------------------------------------------------------

KINDS = backends.KINDS
parallel_capacity = backends.parallel_capacity


def capacity_row(target: str, capacities: list[float]) -> Row:
    return Row(target, "the machine's parallel capacity meanwhile (2 busy loops together vs in turn)",
               f"{min(capacities):.2f} to {max(capacities):.2f}", limit="2 ideal")


def scaling(sizes: tuple[int, ...]) -> list[Row]:
    """Batches cycling through the reference, three known bugs and the skeleton.

    Per-submission cost: ``grade`` (-j 1) run by drive.py, timed between two results, the first
    one (which carries the batch's fixed work) left out, averaged per kind and then over the
    kinds (so a batch of 10 weighs them as one of 300 does). Parent memory: that process's peak RSS.
    """
    kinds = KINDS
    t = "scaling (issue 6)"
    measure.become_subreaper()
    floors, reports = [], {}
    first = min(sizes)
    for n in sizes:
        floors.append(measure.floor_sample())
        reports[n] = drive("batch", "--size", str(n), "--kinds", *kinds)
    # The smallest batch again at the end: its two runs bracket the others (the machine drifts).
    again = drive("batch", "--size", str(first), "--kinds", *kinds)
    for what in ("cpu", "wall"):
        reports[first]["per_submission"][what] = (reports[first]["per_submission"][what]
                                                  + again["per_submission"][what]) / 2
    floor = measure.median_sample(floors)
    rows: list[Row] = []
    for what in ("cpu", "wall"):
        base = reports[first]["per_submission"][what]
        for n in sizes:
            value = reports[n]["per_submission"][what]
            rows.append(Row(t, f"-j 1, {n} submissions: {what} per submission (mean of the kinds' means)"
                            + (" (two runs)" if n == first else ""),
                            f"{value:.3f} s", f"{first} submissions: {base:.3f} s", value / base,
                            "within 15 %" if n != first else "", abs(value / base - 1) <= 0.15 if n != first else None))
        largest = reports[max(sizes)]["per_submission"][what]
        rows.append(Row(t, f"... {max(sizes)} submissions, {what} per submission vs floor", f"{largest:.3f} s",
                        f"floor {getattr(floor, what):.3f} s", largest / getattr(floor, what)))
    big = reports[max(sizes)]
    for kind, cost in big["per_kind"].items():
        rows.append(Row(t, f"-j 1, {max(sizes)} submissions: CPU per submission of kind {kind}",
                        f"{cost['cpu']:.3f} s", f"floor {floor.cpu:.3f} s", cost["cpu"] / floor.cpu))
    for what in ("cpu", "wall"):
        late, early = big["last_third"][what], big["first_third"][what]
        rows.append(Row(t, f"-j 1, {max(sizes)} submissions: {what} per submission, last third vs first third",
                        f"{late:.3f} s", f"first third {early:.3f} s", late / early))
    rows.append(Row(t, "fixed work of a batch (first result minus a later one): wall",
                    f"{big['first']['wall'] - big['per_submission']['wall']:.2f} s", f"floor {floor.wall:.3f} s",
                    (big["first"]["wall"] - big["per_submission"]["wall"]) / floor.wall))
    for n in sizes:
        peak, base = reports[n]["peak_mib"], reports[first]["peak_mib"]
        rows.append(Row(t, f"-j 1, {n} submissions: parent's peak memory", f"{peak:.0f} MiB",
                        f"{first} submissions: {base:.0f} MiB", peak / base, "<= 1.15" if n != first else "",
                        peak <= 1.15 * base if n != first else None))
    return rows


# -- target 4: sweeps ----------------------------------------------------------------------

def sweep(reps: int) -> list[Row]:
    t = "sweep (issue 6)"
    if not (KIT_ROOT / "autograder" / "experiments" / "sweep.py").is_file():
        return [Row(t, "sweep", "not measured: autograder/experiments/sweep.py is missing")]
    capacities = [parallel_capacity()]
    r = drive("sweep", "--reps", str(reps))
    capacities.append(parallel_capacity())
    n, one, two, peer = r["configurations"], r["sandboxed -j 1"], r["sandboxed -j 2"], r["inprocess"]
    label = f"{n}-configuration grid on breast cancer"
    return [
        ratio_row(t, f"{label}, sandboxed -j 1: CPU", one, peer, "cpu", 1.5, "in-process"),
        ratio_row(t, "... wall", one, peer, "wall", 1.5, "in-process"),
        Row(t, "speed-up of -j 2 over -j 1 (wall)", seconds(two, "wall"), f"-j 1 {seconds(one, 'wall')}",
            one["wall"] / two["wall"], ">= 1.8", one["wall"] / two["wall"] >= 1.8),
        capacity_row(t, capacities),
        Row(t, "sandboxes started per sweep (-j 1, -j 2)", f"{r['sandbox_starts']['1']}, {r['sandbox_starts']['2']}",
            limit="one per job", met=r["sandbox_starts"] == {"1": 1, "2": 2}),
    ]


# -- target 5: the reference at scale ------------------------------------------------------

def scale(reps: int, n: int, sizes: tuple[int, ...]) -> list[Row]:
    report = drive("scale", "--reps", str(reps), "--n", str(n), "--sizes", *map(str, sizes), env=ONE_THREAD)
    t, mgd = "5 reference (informational)", report["mgd_epoch"]
    sk = mgd["SGDClassifier"]
    rows = []
    for name, sample in mgd.items():
        if name == "SGDClassifier":
            continue
        limit = None  # informational since issue 13: numpy's per-call overhead, not a wait anyone has
        label = "one epoch of MGD (batch 64)" + ("" if name == "reference" else f", {name} formulation")
        rows.append(ratio_row(t, f"n={n:,}, d={report['d']}: {label}: CPU", sample, sk, "cpu", limit,
                              "SGDClassifier epoch"))
        if name == "reference":
            rows.append(ratio_row(t, "... wall", sample, sk, "wall", limit, "SGDClassifier epoch"))
    updates = -(-n // 64)
    rows.append(Row(t, "... the reference's cost per mini-batch update (CPU)",
                    f"{mgd['reference']['cpu'] / updates * 1e6:.1f} µs",
                    f"SGDClassifier per sample {sk['cpu'] / n * 1e6:.2f} µs"))
    per_row = report["full_batch_per_row"]
    full = "scale (issue 6)"  # still a target: the cost per row stays flat as n grows
    names = [str(size) for size in sizes]
    small, large = names[0], names[-1]
    for case in per_row[small]:
        cost = {size: per_row[size][case]["cpu"] for size in names}
        limit = case == "BGD epoch (reference)"
        rows.append(Row(full, f"full batch, CPU per row, n={int(large):,} vs n={int(small):,}: {case}",
                        f"{cost[large] * 1e9:.1f} ns", f"{cost[small] * 1e9:.1f} ns", cost[large] / cost[small],
                        "<= 1.2" if limit else "", cost[large] / cost[small] <= 1.2 if limit else None))
        if len(names) > 2:
            middle = names[-2]
            rows.append(Row(full, f"... n={int(large):,} vs n={int(middle):,}: {case}", f"{cost[large] * 1e9:.1f} ns",
                            f"{cost[middle] * 1e9:.1f} ns", cost[large] / cost[middle]))
    return rows


# -- similarity (issue 16) -----------------------------------------------------------------

def similarity(n: int, reps: int) -> list[Row]:
    from benchmarks.similarity import LIMIT, measure_similarity

    r, t = measure_similarity(n, reps), "similarity (issue 16)"
    rows = []
    for what in ("wall", "cpu"):
        per = r[f"grading_{what}_per_submission"]
        ratio = r[f"ratio_{what}"]
        rows.append(Row(t, f"similarity report over {n} submissions / grading them (-j 1, per submission x {n}): "
                        f"{what}", f"{r[f'similarity_{what}']:.2f} s", f"grading {per * n:.1f} s", ratio,
                        f"< {LIMIT:g}", ratio < LIMIT))
    return rows


# -- output --------------------------------------------------------------------------------

def write_results(rows: list[Row], command: str, started: float, info: dict[str, str]) -> None:
    machine = "\n".join(f"- {k}: {v}" for k, v in info.items())
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    block = (f"{BEGIN}\n\nCommand: `{command.strip()}` (run from the kit's root), "
             f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}, "
             f"{(time.time() - started) / 60:.0f} min.\n\nMachine:\n{machine}\n- load average at the end: {load}\n\n"
             f"{markdown(rows)}\n\n{END}")
    text = RESULTS.read_text() if RESULTS.exists() else f"# Benchmark results\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small batches, fewer repetitions")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), metavar="SECTION",
                        help=f"run only these: {', '.join(SECTIONS)}")
    parser.add_argument("--reps", type=int, help="repetitions of each interleaved comparison (default 7; quick 3)")
    parser.add_argument("--no-write", action="store_true",
                        help="print only; leave RESULTS.md alone (so does --only: it keeps whole runs)")
    args = parser.parse_args()
    reps = args.reps or (3 if args.quick else 7)
    sizes = (10, 30) if args.quick else (10, 100)
    speedup_sizes = (16,) if args.quick else (16, 100)
    measure.install_capture()
    measure.become_subreaper()
    started, info = time.time(), measure.machine()
    print("\n".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    rows: list[Row] = []
    found = backends.available()
    print(f"backends that start here: {', '.join(found)}", flush=True)

    def each(section):
        return lambda: [row for backend in found for row in section(backend)]

    jobs = {
        "oneshot": each(lambda b: backends.oneshot(b, reps, drive("reference-cost", "--reps", "3",
                                                                  env={"AUTOGRADER_SANDBOX": b}))[0]),
        "check": each(lambda b: backends.check(b, reps)),
        "marginal": each(lambda b: backends.marginal(b, max(2, reps // 2))),
        "speedup": each(lambda b: backends.speedup(b, speedup_sizes)),
        "grading": lambda: grading(reps),
        "scaling": lambda: scaling(sizes),
        "sweep": lambda: sweep(reps),
        "scale": lambda: scale(max(3, reps - 2), 200_000 if args.quick else 1_000_000,
                               (10_000, 200_000) if args.quick else (10_000, 100_000, 1_000_000)),
        "similarity": lambda: similarity(100 if args.quick else 300, 1 if args.quick else 2),
    }
    for section in SECTIONS:
        if section in args.only:
            print(f"\n== {section} ==", flush=True)
            section_rows = jobs[section]()
            print(table(section_rows), flush=True)
            rows += section_rows
    print("\n== all figures ==\n" + table(rows))
    if args.no_write or set(args.only) != set(SECTIONS):
        print(f"\n{RESULTS.relative_to(KIT_ROOT)} left alone (it holds whole runs only)")
    else:
        write_results(rows, "python benchmarks/run.py " + " ".join(sys.argv[1:]), started, info)
        print(f"\nwritten: {RESULTS.relative_to(KIT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
