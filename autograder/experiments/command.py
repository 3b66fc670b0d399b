"""Run a grid of hyperparameters on a task and compare, with a table and plots.

Runs PATH's own gradient_descent (default: assignment/; any submission works, solutions/
included) once per configuration of the grid, in the same sandbox as grading, on the training
split of the task. Prints one row per configuration (training and validation loss and accuracy,
or MSE and R², epochs to reach the target loss, wall time, whether the run diverged or failed),
names the best configuration by validation loss and evaluates it, once, on the test split
beside scikit-learn. Writes sweep.csv, test.csv and the figures (PNG) into --out.

Each grid takes one or more values; a grid left out is the task's default.

examples:
  python -m autograder sweep --lr 0.01 0.1 1 10 --batch-size full 32 1 --epochs 30
  python -m autograder sweep solutions --task linear --lr 0.01 0.1 0.5 -j 2
  python -m autograder sweep --task digits --batch-size 128 --epochs 30 --lr default \\
      --optimizer SGD Momentum Nesterov AdaGrad RMSprop Adam --paths
  python -m autograder sweep --optimizer step "Momentum(momentum=0.5)" "Adam(beta1=0.8)" --lr 0.01 0.1
  python -m autograder sweep --lr 0.01 0.1 1 --batch-size full 64 8 1 --scheduler tcp://head:8786

Language of the summary: --lang, else AUTOGRADER_LANG (en, ko), else English.

Exit status: 0 when some configuration finished without diverging, 1 when none did,
2 for bad input (unknown task or optimizer, a bad value, a bad AUTOGRADER_LANG, code that is still blank).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from autograder.contract import OPTIMIZERS
from autograder.datasets import TASKS
from autograder.i18n import LANGUAGES, language, text
from autograder.paths import ASSIGNMENT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=ASSIGNMENT,
                        help="the submission: a folder, a notebook or a zip (default: %(default)s)")
    parser.add_argument("--task", default="logistic", metavar="TASK",
                        help=f"one of {', '.join(TASKS)} (default: %(default)s)")
    parser.add_argument("--lr", nargs="+", metavar="LR",
                        help="learning rates: numbers, or 'default' (each optimizer's own; the task's for step)")
    parser.add_argument("--batch-size", nargs="+", metavar="B",
                        help="batch sizes: positive integers (1 = SGD, k = mini-batch) or 'full' (BGD)")
    parser.add_argument("--epochs", nargs="+", metavar="E", help="numbers of epochs")
    parser.add_argument("--optimizer", nargs="+", metavar="OPT",
                        help=f"'step' or {', '.join(OPTIMIZERS)}, "
                             "optionally with hyperparameters: 'Adam(beta1=0.8)' (default: step)")
    parser.add_argument("--seed", nargs="+", metavar="S", help="seeds of the batch order (default: 0)")
    parser.add_argument("--target-loss", type=float, metavar="L",
                        help="training loss whose first epoch is reported (default: 1%% above scikit-learn's optimum)")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="configurations run at once, each worker in its own sandbox (default: 1; -1: all cores)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where to write sweep.csv, test.csv and the PNG figures (default: sweep-results/TASK)")
    parser.add_argument("--curves", type=int, default=12, metavar="N",
                        help="at most N configurations get learning curves, the best by validation loss (default: 12)")
    parser.add_argument("--paths", action="store_true",
                        help="also draw your optimizers on f(x, y) = x²/20 + y² from (-7, 2)")
    parser.add_argument("--timeout", type=float, default=300.0, metavar="S",
                        help="wall-time limit of one configuration, in seconds (default: %(default)g)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run the configurations on the Dask cluster whose scheduler is at ADDRESS "
                             "(tcp://host:8786), each worker in the same sandbox; needs the 'distributed' extra")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--lang", choices=LANGUAGES,
                        help="the language of the summary (default: AUTOGRADER_LANG, else en)")


def run(args: argparse.Namespace) -> int:
    lang = language(args.lang)  # a bad AUTOGRADER_LANG: one line before any work
    from autograder.experiments.sweep import sweep

    out = args.out if args.out is not None else Path("sweep-results") / str(args.task)
    result = sweep(args.path, args.task, lr=args.lr, batch_size=args.batch_size, epochs=args.epochs,
                   optimizer=args.optimizer, seed=args.seed, jobs=args.jobs, out=out,
                   target_loss=args.target_loss, curves=args.curves, paths=args.paths,
                   timeout=args.timeout, progress=not args.quiet, scheduler=args.scheduler)
    print(result.summary(lang))
    print("\n" + text("sweep.written", lang))
    for path in result.files.values():
        print(f"  {path}")
    return 0 if result.best is not None else 1
