"""Throughput of batched MINN training: E runs in one program versus E runs one at a time.

Command line (numbers depend on the machine and its load; CPU time is the robust one)::

    python -m helpers.minn.benchmark --members 1 25 125 --epochs 3
    python -m helpers.minn.benchmark --members 25 --loop     # also time the 25 runs one by one

The mechanistic problem is a random sparse ``S`` of the size of the FVA-reduced iAF1260
(1575 x 1873, ~3.7 non-zeros per column), 141 inputs, 45 reference fluxes, 28 samples with
22-row training folds, batch 5, hidden sizes cycling through 200/250/300 — the shapes of the
paper's inner cross-validation. The projection multiplies the CPU time per run-epoch by the
paper protocol's 29 x (25 x 5 + 1) runs x 100 epochs.

No chapter imports it: batched training is introduced in chapter ``03_minn_vs_ml`` ("Speed, and
running on a cluster"), which points to the fuller ``benchmarks/bench_minn_batched.py``; this is
the quick command-line check of the same throughput.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sp

from .problem import MechanisticProblem
from .scaling import minmax_scale_members
from .training import Member, train_ensemble

PAPER_RUNS = 29 * (25 * 5 + 1)


def random_problem(m: int = 1575, n: int = 1873, per_column: float = 3.7, n_ref: int = 45,
                   seed: int = 0) -> MechanisticProblem:
    """A random sparse mechanistic problem of GEM-like size and density."""
    S = sp.random(m, n, density=per_column / m, random_state=seed, format="csr",
                  data_rvs=lambda k: np.random.default_rng(seed).choice([-1.0, 1.0, -2.0], k))
    return MechanisticProblem.from_matrices(S, [f"r{j}" for j in range(n)], list(range(n_ref)),
                                            bounded=[n_ref, n_ref + 1])


def time_training(problem: MechanisticProblem, members: list[Member], X: np.ndarray,
                  Y: np.ndarray) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one :func:`train_ensemble` call."""
    Xs = minmax_scale_members(X, [m.rows for m in members])
    wall, cpu = time.perf_counter(), time.process_time()
    train_ensemble(problem, Xs, Y, members, progress=False)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    """Time :func:`train_ensemble` on :func:`random_problem` for each ``--members`` count.

    ``argv`` are the command-line arguments (default ``sys.argv[1:]``): ``--members`` (ensemble
    sizes), ``--epochs`` and ``--loop`` (also time the runs one at a time). Prints one line per
    size (and per loop) and returns 0, the process exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[1, 25, 125])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--loop", action="store_true", help="also time the runs one at a time")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    problem = random_problem()
    N, d = 28, 141
    X, Y = rng.random((N, d)), rng.random((N, problem.n_ref))
    print(f"{problem}; {args.epochs} epochs, batch 5, 22 training rows per run")
    for E in args.members:
        members = [Member("c-balanced", hidden=(200, 250, 300)[k % 3], dropout=0.25, lr=5e-4,
                          c=30.0, epochs=args.epochs, seed=k,
                          rows=tuple(rng.choice(N, 22, replace=False).tolist()))
                   for k in range(E)]
        wall, cpu = time_training(problem, members, X, Y)
        per_run_epoch = cpu / (E * args.epochs)
        print(f"E={E:4d} batched: wall {wall:6.2f} s, CPU {cpu:6.2f} s, "
              f"CPU per run-epoch {per_run_epoch * 1e3:6.1f} ms -> paper protocol "
              f"({PAPER_RUNS} runs x 100 epochs) {per_run_epoch * PAPER_RUNS * 100 / 60:6.1f} "
              "CPU-min", flush=True)
        if args.loop:
            loop_wall = loop_cpu = 0.0
            for member in members:
                w, c = time_training(problem, [member], X, Y)
                loop_wall, loop_cpu = loop_wall + w, loop_cpu + c
            print(f"E={E:4d} one by one: wall {loop_wall:6.2f} s, CPU {loop_cpu:6.2f} s "
                  f"-> batched speed-up {loop_cpu / cpu:.2f}x (CPU)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
