"""Every performance figure of the kit, each against a floor or a peer measured in the same run.

    python benchmarks/run.py            # everything (tens of minutes: see RESULTS.md)
    python benchmarks/run.py --quick    # small batches and fewer repetitions (a few minutes)
    python benchmarks/run.py --only grading check

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
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.paths import KIT_ROOT, SOLUTIONS  # noqa: E402
from benchmarks import measure, submissions  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
BEGIN, END = "<!-- figures: begin (written by benchmarks/run.py) -->", "<!-- figures: end -->"
SECTIONS = ("grading", "check", "scaling", "speedup", "sweep", "scale")
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class Row:
    target: str
    figure: str
    value: str
    against: str = ""
    ratio: float | None = None
    limit: str = ""
    met: bool | None = None

    def cells(self) -> list[str]:
        verdict = {True: "met", False: "MISSED", None: ""}[self.met]
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}"
        return [self.target, self.figure, self.value, self.against, ratio, self.limit, verdict]


HEADER = ["target", "figure", "measured", "floor / peer", "ratio", "limit", ""]


def table(rows: list[Row]) -> str:
    lines = [HEADER] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines]
    return "\n".join([text[0], "-" * len(text[0]), *text[1:]])


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER[:-1] + ["verdict"]) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def seconds(sample: measure.Sample | dict, what: str = "cpu") -> str:
    value = sample[what] if isinstance(sample, dict) else getattr(sample, what)
    return f"{value:.3f} s {what}"


def ratio_row(target: str, figure: str, subject: dict, floor: dict, what: str, limit: float | None,
              against: str = "floor") -> Row:
    ratio = subject[what] / floor[what]
    return Row(target, figure, seconds(subject, what), f"{against} {seconds(floor, what)}", ratio,
               "" if limit is None else f"<= {limit:g}", None if limit is None else ratio <= limit)


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
    t = "1 grading"
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


# -- target 3: student feedback ------------------------------------------------------------

def check(reps: int) -> list[Row]:
    public = drive("grade", "--suite", "public", "--reps", str(reps))
    python = [sys.executable]
    commands = {
        "check": python + ["-m", "autograder", "check", str(SOLUTIONS)],
        "imports": python + ["-c", "import autograder.grading.check_command, autograder.grading.runner"],
        "probe": python + ["-c", "from autograder.sandbox import jail; jail.isolation()"],
        "jail": python + ["-c", "from autograder.sandbox import jail"],
        "nbformat": python + ["-I", "-c", "import numpy, nbformat"],
    }
    samples: dict[str, list] = {name: [] for name in ["floor", *commands]}
    for _ in range(reps):
        samples["floor"].append(measure.floor_sample())
        for name, command in commands.items():
            samples[name].append(measure.run_command(command, cwd=KIT_ROOT))
    m = {name: measure.median_sample(v) for name, v in samples.items()}
    s, f = m["check"], m["floor"]
    tests = public["inprocess"]["cpu"]
    budget = 2 * f.cpu + tests
    t = "3 check"
    return [
        Row(t, "check on a complete submission: wall", seconds(s, "wall"), f"floor {seconds(f, 'wall')}",
            s.wall / f.wall, "< 3 s", s.wall < 3),
        Row(t, "... CPU", seconds(s), f"2 x floor {f.cpu:.3f} + tests' compute {tests:.3f} s", s.cpu / budget,
            "<= 1", s.cpu <= budget),
        Row(t, "... tests' compute: public tests by pytest in-process, warm", seconds(public["inprocess"]),
            f"floor {seconds(f)}", tests / f.cpu),
        Row(t, "... of which: the grader's imports (python -c 'import ...runner')", seconds(m["imports"]),
            f"floor {seconds(f)}", m["imports"].cpu / f.cpu),
        Row(t, "... of which: nbformat's import (numpy + nbformat, minus floor)",
            f"{m['nbformat'].cpu - f.cpu:.3f} s cpu", f"floor {seconds(f)}", (m["nbformat"].cpu - f.cpu) / f.cpu),
        Row(t, "... of which: the sandbox probe (jail.isolation(), minus importing jail)",
            f"{m['probe'].cpu - m['jail'].cpu:.3f} s cpu", f"floor {seconds(f)}",
            (m["probe"].cpu - m["jail"].cpu) / f.cpu),
    ]


# -- target 2: scaling ---------------------------------------------------------------------

def grade_batch(batch: Path, jobs: int, scratch: Path) -> measure.Sample:
    """The whole ``grade`` command over ``batch``."""
    out = scratch / f"out-{batch.name}-j{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "autograder", "grade", str(batch), "--out", str(out), "-j", str(jobs)]
    sample = measure.run_command(command, cwd=KIT_ROOT)
    rows = len((out / "grades.csv").read_text().splitlines()) - 1
    if rows != len(list(batch.iterdir())):
        raise RuntimeError(f"{out}/grades.csv has {rows} rows for {len(list(batch.iterdir()))} submissions")
    shutil.rmtree(out)
    return sample


KINDS = (*submissions.KINDS, "skeleton")
BUSY = "import time\nend = time.process_time() + 1.5\nwhile time.process_time() < end: pass"


def parallel_capacity() -> float:
    """How many cores this machine gives right now: two CPU-bound processes one after the
    other, then together (ideal: 2.0; other users' work lowers it)."""
    busy = [sys.executable, "-I", "-S", "-c", BUSY]
    start = time.perf_counter()
    for _ in range(2):
        subprocess.run(busy, check=True)
    sequential = time.perf_counter() - start
    start = time.perf_counter()
    for process in [subprocess.Popen(busy) for _ in range(2)]:
        process.wait()
    return sequential / (time.perf_counter() - start)


def capacity_row(target: str, capacities: list[float]) -> Row:
    return Row(target, "the machine's parallel capacity meanwhile (2 busy loops together vs in turn)",
               f"{min(capacities):.2f} to {max(capacities):.2f}", limit="2 ideal")


def speedup(size: int) -> list[Row]:
    """The whole ``grade`` command at -j 1 and -j 2 on the same batch, with the machine's capacity."""
    t = "2 scaling"
    if len(os.sched_getaffinity(0)) < 2:
        return [Row(t, "speed-up of -j 2", "not measured: fewer than two cores")]
    capacities = [parallel_capacity()]
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        batch = submissions.write_batch(scratch / "batch", size, KINDS)
        one = grade_batch(batch, 1, scratch)
        capacities.append(parallel_capacity())
        two = grade_batch(batch, 2, scratch)
    capacities.append(parallel_capacity())
    return [
        Row(t, f"speed-up of -j 2 over -j 1, whole command, {size} submissions (wall)", seconds(two, "wall"),
            f"-j 1 {seconds(one, 'wall')}", one.wall / two.wall, ">= 1.8", one.wall / two.wall >= 1.8),
        capacity_row(t, capacities),
        Row(t, "... CPU of -j 2 over -j 1 (the same work, fixed work twice)", seconds(two), f"-j 1 {seconds(one)}",
            two.cpu / one.cpu),
        Row(t, f"-j 2, {size} submissions: parent's peak memory", f"{two.peak_mib:.0f} MiB",
            f"-j 1 {one.peak_mib:.0f} MiB", two.peak_mib / one.peak_mib),
    ]


def scaling(sizes: tuple[int, ...]) -> list[Row]:
    """Batches cycling through the reference, three known bugs and the skeleton.

    Per-submission cost: ``grade`` (-j 1) run by drive.py, timed between two results, the first
    one (which carries the batch's fixed work) left out, averaged per kind and then over the
    kinds (so a batch of 10 weighs them as one of 300 does). Parent memory: that process's peak RSS.
    """
    kinds = KINDS
    t = "2 scaling"
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
    t = "4 sweep"
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
    t, mgd = "5 reference", report["mgd_epoch"]
    sk = mgd["SGDClassifier"]
    rows = []
    for name, sample in mgd.items():
        if name == "SGDClassifier":
            continue
        limit = 0.6 if name == "reference" else None
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
    names = [str(size) for size in sizes]
    small, large = names[0], names[-1]
    for case in per_row[small]:
        cost = {size: per_row[size][case]["cpu"] for size in names}
        limit = case == "BGD epoch (reference)"
        rows.append(Row(t, f"full batch, CPU per row, n={int(large):,} vs n={int(small):,}: {case}",
                        f"{cost[large] * 1e9:.1f} ns", f"{cost[small] * 1e9:.1f} ns", cost[large] / cost[small],
                        "<= 1.2" if limit else "", cost[large] / cost[small] <= 1.2 if limit else None))
        if len(names) > 2:
            middle = names[-2]
            rows.append(Row(t, f"... n={int(large):,} vs n={int(middle):,}: {case}", f"{cost[large] * 1e9:.1f} ns",
                            f"{cost[middle] * 1e9:.1f} ns", cost[large] / cost[middle]))
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
    sizes = (10, 30) if args.quick else (10, 100, 300)
    speedup_size = 30 if args.quick else 100
    measure.install_capture()
    measure.become_subreaper()
    started, info = time.time(), measure.machine()
    print("\n".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    rows: list[Row] = []
    jobs = {
        "grading": lambda: grading(reps),
        "check": lambda: check(reps),
        "scaling": lambda: scaling(sizes),
        "speedup": lambda: speedup(speedup_size),
        "sweep": lambda: sweep(reps),
        "scale": lambda: scale(max(3, reps - 2), 200_000 if args.quick else 1_000_000,
                               (10_000, 200_000) if args.quick else (10_000, 100_000, 1_000_000)),
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
