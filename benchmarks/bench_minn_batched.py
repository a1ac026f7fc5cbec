"""MINN training speed on the paper protocol's work: the engine, the one-model core, the floor.

All in one process, on the FVA-reduced iAF1260 (m = 1668, n = 1873, 7577 non-zeros), with the
shapes of one inner-search chunk of the paper protocol (``--runs`` MINN-c-balanced runs of 22
training rows, batch 5; trial-major like :func:`helpers.minn.cv_members`, so a chunk of 5 runs
is one candidate's 5 inner folds: hidden 250 for runs 0-4, then 200, 300, ...). CPU times are
the best of ``--repeats`` interleaved rounds (new, naive, floor, new, ...) in one process;
ratios are the robust figures on a busy machine.

1. **new path**: CPU milliseconds per run-step of :func:`helpers.minn.train_ensemble` (the
   engine). The trainer it replaced is not kept in the tree: its timing row in
   ``benchmarks/README.md`` was measured at commit ``bcb4631`` (``git worktree add <dir>
   bcb4631`` and run that tree's copy of this script to reproduce it).
2. **naive reference** (:func:`helpers.minn.core.train_one`: the readable core, autograd through
   the 8 steps, ``torch.optim.Adam``, one run at a time): per-run speed ratio to the new path.
3. **two workers**: the same chunk trained in two processes at once (joblib), wall time per
   run-step, extrapolated to the paper protocol of one c-tuned variant
   (29 folds x (25 x 5 runs x 5 steps + 1 x 6 steps) x 100 epochs) on this machine as it is
   loaded at the time, and from the workers' CPU time on two free cores.
4. **floor**: the work no implementation of this protocol can avoid, timed alone — the output
   layer's forward and two backward products over each run's own hidden units, one fused Adam
   pass over the weights, and the 34 sparse products of the unrolled layer (8 forward steps x 2,
   8 backward x 2, the loss's ``S V`` and its gradient), every output in a buffer kept across
   calls — beside the new path's figure. Folding ``S^T S`` into one matrix would halve
   the sparse products; its non-zeros are printed (hub metabolites make it ~100x denser).
5. **what separates the new path from the floor**: the aten operations one optimizer step of
   the chunk dispatches (counted with a ``TorchDispatchMode``), times the measured cost of
   dispatching one tiny operation on this machine — the eager-mode overhead that only a fused
   kernel or a compiler could remove — beside the gap (new - floor).
6. **chunk width** (``--wide``): CPU-ms per run-step when the same ``--wide`` runs train as
   chunks of ``--runs`` or as one wide ensemble, interleaved: a wider chunk amortises the
   per-step overhead but streams more weights from memory.

    .venv/bin/python benchmarks/bench_minn_batched.py --runs 5 --epochs 4
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.data.ishii import load_ishii  # noqa: E402
from helpers.evaluation.minn_loo import ishii_problem  # noqa: E402
from helpers.minn import Member, minmax_scale_members, train_ensemble  # noqa: E402
from helpers.minn.core import train_one  # noqa: E402

STEPS_PER_EPOCH = 5  # 22-23 training rows, batch 5
PAPER_RUN_STEPS = 29 * (25 * 5 * 5 + 1 * 6) * 100  # one c-tuned variant


def _setup(runs: int, epochs: int, seed: int = 0):
    data = load_ishii()
    problem = ishii_problem(list(data.reference.columns))
    X, Y = data.X.to_numpy(), data.reference.to_numpy()
    rng = np.random.default_rng(seed)
    # trial-major like cv_members: runs 5t..5t+4 are one candidate's 5 inner folds, and a chunk
    # of 5 (the CPU profile's max_members) is one candidate, one hidden size (no padding)
    members = [Member(config="c-balanced", c=30.0, hidden=(250, 200, 300)[(i // 5) % 3],
                      dropout=0.25, lr=5e-4,
                      rows=tuple(sorted(rng.choice(len(X), 22, replace=False).tolist())),
                      seed=i, epochs=epochs) for i in range(runs)]
    Xs = minmax_scale_members(X, [m.rows for m in members])
    return problem, Xs, Y, members


def _cpu_ms(fn, run_steps):
    """CPU milliseconds per run-step of one call of ``fn`` (and its result)."""
    start = time.process_time()
    result = fn()
    return 1e3 * (time.process_time() - start) / run_steps, result


def _worker(runs, epochs, seed):
    problem, Xs, Y, members = _setup(runs, epochs, seed)
    train_ensemble(problem, Xs[:1], Y, members[:1], progress=False)  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    train_ensemble(problem, Xs, Y, members, progress=False)
    return time.perf_counter() - start, time.process_time() - cpu


def _floor_work(problem, members, repeats=20):
    """The unavoidable work of ``repeats`` steps for ``members`` (a function to time).

    Each member's own hidden units only (no padding), every output in a buffer kept across
    calls: the output layer's forward product and its two backward products, one fused Adam pass
    over the weights, and the 34 sparse products (``torch.addmm(..., beta=0, out=)``).
    """
    torch.set_num_threads(1)
    tp = problem.to_torch(torch.float32)
    E, B, d, n = len(members), STEPS_PER_EPOCH, 141, problem.n
    hs = [m.hidden for m in members]
    x, g = torch.randn(E, B, d), torch.randn(E, B, n)
    params = [[torch.randn(d, h), torch.randn(1, h), torch.randn(h, n), torch.randn(1, n)]
              for h in hs]
    grads = [[torch.randn_like(p) for p in ps] for ps in params]
    hidden = [torch.randn(B, h) for h in hs]
    z1 = [torch.empty(B, h) for h in hs]
    V0, grad_z1 = torch.empty(E, B, n), [torch.empty(B, h) for h in hs]
    adam = torch.optim.Adam([p for ps in params for p in ps], fused=True)
    for p, gr in zip([p for ps in params for p in ps], [gr for gs in grads for gr in gs],
                     strict=True):
        p.grad = gr
    V, SV, out = torch.randn(n, B * E), torch.empty(problem.m, B * E), torch.empty(n, B * E)

    def work():
        for e in range(E):
            W1, b1, W2, b2 = params[e]
            torch.addmm(b1, x[e], W1, out=z1[e])
            torch.addmm(b2, hidden[e], W2, out=V0[e])
            torch.mm(hidden[e].T, g[e], out=grads[e][2])
            torch.mm(g[e], W2.T, out=grad_z1[e])
        adam.step()
        for _ in range(17):
            torch.addmm(SV, tp.S, V, beta=0, out=SV)
            torch.addmm(out, tp.St, SV, beta=0, out=out)

    def steps():
        for _ in range(repeats):
            work()

    work()
    return steps


def _ops_per_step(problem, Xs, Y, members, epochs: int) -> float:
    """aten operations dispatched per optimizer step of one chunk (set-up included, spread)."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class _Count(TorchDispatchMode):
        count = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            _Count.count += 1
            return func(*args, **(kwargs or {}))

    with _Count():
        train_ensemble(problem, Xs, Y, members, progress=False)
    return _Count.count / (epochs * STEPS_PER_EPOCH)


def _dispatch_us(repeats: int = 20000) -> float:
    """CPU microseconds of one tiny eager operation (an in-place add on 8 floats)."""
    a, b = torch.zeros(8), torch.ones(8)
    for _ in range(1000):
        a.add_(b)
    start = time.process_time()
    for _ in range(repeats):
        a.add_(b)
    return 1e6 * (time.process_time() - start) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per batched program (chunk)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--naive-epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved timing rounds")
    parser.add_argument("--wide", type=int, default=25,
                        help="runs of the chunk-width comparison (figure 6; 0 skips it)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    problem, Xs, Y, members = _setup(args.runs, args.epochs)
    S = problem.S
    print(f"problem: {problem}; S^T S would have {(S.T @ S).nnz} non-zeros vs {2 * S.nnz} in "
          f"S and S^T (not folded)")
    train_ensemble(problem, Xs[:1], Y, members[:1], progress=False)  # warm-up

    # the four figures are timed round by round, interleaved, so that the drifting load of a busy
    # machine hits them alike; each figure is its best round, ratios are of the best rounds
    member = Member(**{**members[0].__dict__, "epochs": args.naive_epochs})
    floor = _floor_work(problem, members, repeats=20)
    steps = len(members) * args.epochs * STEPS_PER_EPOCH
    rounds = {"new": [], "naive": [], "floor": []}
    for _ in range(args.repeats):
        ms, _fit = _cpu_ms(lambda: train_ensemble(problem, Xs, Y, members, progress=False),
                              steps)
        rounds["new"].append(ms)
        rounds["naive"].append(_cpu_ms(lambda: train_one(problem, Xs[0], Y, member,
                                                           dtype=torch.float32),
                                       args.naive_epochs * STEPS_PER_EPOCH)[0])
        rounds["floor"].append(_cpu_ms(floor, 20 * len(members))[0])
    new_ms, naive_ms, floor_ms = (min(rounds[k]) for k in ("new", "naive", "floor"))
    spread = np.array(rounds["naive"]) / np.array(rounds["new"])
    print(f"1. {args.runs} runs x {args.epochs} epochs, best of {args.repeats} interleaved rounds: "
          f"new {new_ms:.2f} CPU-ms per run-step")
    print(f"2. naive reference (the core: autograd, torch.optim.Adam, one run): "
          f"{naive_ms:.1f} CPU-ms per run-step -> new path {naive_ms / new_ms:.0f}x faster "
          f"(round by round {spread.min():.0f}-{spread.max():.0f}x)")

    timed = Parallel(n_jobs=2)(delayed(_worker)(args.runs, args.epochs, s) for s in (1, 2))
    run_steps = 2 * args.runs * args.epochs * STEPS_PER_EPOCH
    wall_ms = 1e3 * max(w for w, _ in timed) / run_steps
    cpu_ms = 1e3 * sum(c for _, c in timed) / run_steps
    print(f"3. two workers side by side: {wall_ms:.2f} wall-ms per run-step -> paper protocol of "
          f"one c-tuned variant ({PAPER_RUN_STEPS:,} run-steps) ~{PAPER_RUN_STEPS * wall_ms / 6e4:.0f} "
          f"min on this machine as loaded now; on two free cores ({cpu_ms:.2f} CPU-ms per "
          f"run-step in the workers) ~{PAPER_RUN_STEPS * cpu_ms / 2 / 6e4:.0f} min; one process "
          f"alone (figure 1): new ~{PAPER_RUN_STEPS * new_ms / 6e4:.0f} min")

    print(f"4. floor (output layer products + Adam pass + 34 sparse products, {args.runs} runs, "
          f"own hidden units only, outputs in kept buffers): {floor_ms:.2f} CPU-ms per run-step; "
          f"the new path is at {new_ms / floor_ms:.2f}x the floor; a path at the floor would be "
          f"{naive_ms / floor_ms:.0f}x faster than the naive reference")

    ops = _ops_per_step(problem, Xs, Y, members, args.epochs)
    us = min(_dispatch_us() for _ in range(3))
    overhead = ops * us / 1e3 / len(members)
    print(f"5. eager overhead: {ops:.0f} aten operations per optimizer step of the {args.runs}-run "
          f"chunk x {us:.1f} us to dispatch one tiny operation = ~{overhead:.2f} CPU-ms per "
          f"run-step, against a gap of {new_ms - floor_ms:.2f} between the new path and the floor")

    if args.wide:
        wide_problem, wXs, wY, wide = _setup(args.wide, args.epochs)
        wide_steps = args.wide * args.epochs * STEPS_PER_EPOCH
        chunked, whole = [], []
        for _ in range(args.repeats):
            chunked.append(_cpu_ms(lambda: [train_ensemble(
                wide_problem, wXs[s:s + args.runs], wY, wide[s:s + args.runs], progress=False)
                for s in range(0, args.wide, args.runs)], wide_steps)[0])
            whole.append(_cpu_ms(lambda: train_ensemble(wide_problem, wXs, wY, wide,
                                                        progress=False), wide_steps)[0])
        print(f"6. chunk width: {args.wide} runs in chunks of {args.runs}: {min(chunked):.2f} "
              f"CPU-ms per run-step; as one ensemble of {args.wide}: {min(whole):.2f} "
              f"({min(chunked) / min(whole):.2f}x)")


if __name__ == "__main__":
    main()
