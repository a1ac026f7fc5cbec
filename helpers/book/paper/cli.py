"""``python -m helpers.book paper run|status``: compute the pending units, or show the store's
state per study with an estimate of the time left."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from helpers.book.paper.runner import run
from helpers.book.paper.units import StoreError, status


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``paper`` subcommand's arguments."""
    parser.add_argument("action", choices=["run", "status"])
    parser.add_argument("--chapter", action="append", help="restrict to a chapter (repeatable)")
    parser.add_argument("--study", action="append", help="restrict to a study (repeatable)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel workers (default 2)")
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:1, ...")
    parser.add_argument("--limit", type=int, default=None, help="compute at most this many units")


def command(args: argparse.Namespace) -> int:
    """Run ``paper run`` or ``paper status`` with parsed ``args``; returns the exit status (2 and
    an ``error: ...`` line for a bad argument or an unreadable store)."""
    try:
        if args.action == "run":
            run(args.chapter, args.study, n_jobs=args.jobs, device=args.device, limit=args.limit)
        table = status(args.chapter, args.study)
    except (ValueError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    todo_columns = ["stale", "invalid", "missing"]
    todo = table[todo_columns].sum(axis=1)
    # a study with no done unit yet: the mean of its method's (MINN or MOME) studies
    pooled = table.groupby("method")["mean_unit_seconds"].transform("mean")
    estimate = ((todo * table["mean_unit_seconds"]).fillna(todo * pooled).sum()
                / max(args.jobs, 1)) if pooled.notna().all() else np.nan
    print(table.to_string(index=False))
    done, total = int(table["done"].sum()), int(table[["done", *todo_columns]].sum().sum())
    print(f"{done} of {total} units done; estimated time left with {args.jobs} worker(s): "
          + (f"{estimate / 60:.0f} min" if np.isfinite(estimate)
             else "unknown (a method has no done unit yet)"))
    return 0
