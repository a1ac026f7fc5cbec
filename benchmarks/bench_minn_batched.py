"""Batched MINN training vs one run at a time: same runs, same math, same process.

Trains the same ``--runs`` MINN-c-balanced runs (each its own leave-one-out training rows and
seed) on the FVA-reduced iAF1260, (a) one at a time in a plain loop and (b) as one batched
ensemble, checks that both give the same predictions, and prints the speed-up. It then
extrapolates the wall time of the paper's nested protocol (29 outer folds x (25 trials x 5 inner
folds + 1 refit) runs of 100 epochs) from the measured per-run cost.

    .venv/bin/python benchmarks/bench_minn_batched.py --runs 16 --epochs 5
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from helpers.data.ishii import load_ishii
from helpers.gem import fva_reduce, load_gem, minn_matrices
from helpers.minn import MechanisticProblem, Member, minmax_scale_members, train_ensemble


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()

    data = load_ishii()
    model = fva_reduce(load_gem("iAF1260")).model
    matrices = minn_matrices(model, list(data.reference.columns))
    problem = MechanisticProblem.from_matrices(matrices.S, matrices.reaction_ids,
                                               list(data.reference.columns))
    X, Y = data.X.to_numpy(), data.reference.to_numpy()
    members = [Member(config="c-balanced", c=30.0, hidden=250, dropout=0.25, lr=5e-4,
                      rows=tuple(np.setdiff1d(np.arange(len(X)), [i % len(X)])), seed=i,
                      epochs=args.epochs) for i in range(args.runs)]
    Xs = minmax_scale_members(X, [m.rows for m in members])
    train_ensemble(problem, Xs[:1], Y, members[:1], progress=False)  # warm-up

    start = time.perf_counter()
    looped = [train_ensemble(problem, Xs[e:e + 1], Y, [m], progress=False).predict(Xs[e:e + 1])[0]
              for e, m in enumerate(members)]
    loop_seconds = time.perf_counter() - start

    start = time.perf_counter()
    batched = train_ensemble(problem, Xs, Y, members, progress=False).predict(Xs)
    batch_seconds = time.perf_counter() - start

    gap = max(float(np.abs(batched[e] - looped[e]).max()) for e in range(args.runs))
    steps = args.epochs * int(np.ceil((len(X) - 1) / 5))
    per_run_step = batch_seconds / args.runs / steps
    paper_runs = 29 * (25 * 5 + 1)
    paper_steps = 100 * int(np.ceil(23 / 5))
    print(f"problem: {problem}")
    print(f"{args.runs} runs x {args.epochs} epochs: loop {loop_seconds:.2f} s, "
          f"batched {batch_seconds:.2f} s, speed-up {loop_seconds / batch_seconds:.2f}x "
          f"(max |prediction difference| {gap:.2e})")
    print(f"batched cost: {1e3 * per_run_step:.2f} ms per run-step; paper protocol "
          f"({paper_runs} runs x ~{paper_steps} steps) extrapolated: "
          f"{paper_runs * paper_steps * per_run_step / 60:.0f} min per variant on this machine")


if __name__ == "__main__":
    main()
