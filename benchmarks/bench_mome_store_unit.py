"""Wall time of one MOME store unit's search (``helpers.book.paper.mome``), and how many of its
GLPK solves had to restart from scratch (:meth:`helpers.gem.glpk.GlpkProblem.simplex`).

Run: ``MINNBOOK_DATA=/work/shared/data .venv/bin/python benchmarks/bench_mome_store_unit.py
organism-iPC815 --seed 0 --gens 40``. Before the simplex got its iteration limit (commit
ca8cb45: ``git worktree add /tmp/old ca8cb45``), this search stalled for good in one solve after
generation 20; a ``timeout`` around the command shows it.
"""

from __future__ import annotations

import argparse
import time

from helpers.book.paper import get_study
from helpers.book.paper.mome import run_search
from helpers.gem import glpk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", help="a MOME study key, e.g. organism-iPC815")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gens", type=int, default=None, help="generations (default: profile)")
    args = parser.parse_args()
    solves = {"calls": 0, "restarts": 0}
    plain = glpk.GlpkProblem.simplex

    def counted(problem):  # instrumentation only: the solve itself is unchanged
        before = getattr(problem, "n_restarts", 0)
        ok = plain(problem)
        solves["calls"] += 1
        solves["restarts"] += getattr(problem, "n_restarts", 0) - before
        return ok

    glpk.GlpkProblem.simplex = counted
    start = time.perf_counter()
    result, _, _ = run_search(get_study(args.study), args.seed, n_gen=args.gens)
    print(f"{args.study} seed {args.seed}: {time.perf_counter() - start:.1f} s, "
          f"{len(result.archive)} strains, {result.n_lp} by LP, {solves['calls']} simplex "
          f"calls, {solves['restarts']} restarted")


if __name__ == "__main__":
    main()
