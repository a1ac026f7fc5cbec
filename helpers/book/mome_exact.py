"""Chapter 08's constrained set-ups from the command line, with the exact check beyond the
profile's enumeration budget.

``python -m helpers.book mome-exact ORGANISM MEDIUM [--max-cost 2] [--profile quick]
[--seed 0] [--isozyme-cut-prob P]`` runs one set-up of
:data:`helpers.book.mome_designs.CONSTRAINED_SETUPS` as the chapter does (search, Table 4 rows)
and sets the search's best beside the exact constrained optimum per number of knock-outs up to
``--max-cost`` (:func:`helpers.book.mome_designs.search_vs_exact`). Chapter 08 states the
two-knock-out optimum of its LB set-ups with this command (about 5 min per set-up on 2 cores;
the ``quick`` profile enumerates one knock-out only).

Here, not in :mod:`helpers.mome`, because it reads the book's profiles.
"""

from __future__ import annotations

import argparse

import pandas as pd


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``mome-exact`` subcommand's arguments."""
    parser.add_argument("organism")
    parser.add_argument("medium")
    parser.add_argument("--max-cost", type=int, default=2)
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--isozyme-cut-prob", type=float, default=None,
                        help="override the profile's isozyme_cut_prob (0: one gene per draw)")


def exact_check(organism: str, medium: str, *, max_cost: int = 2, profile: str = "quick",
                seed: int = 0, isozyme_cut_prob: float | None = None):
    """Run one constrained set-up as chapter 08 does and return ``(settings, run, comparison)``:
    the settings used, the search's run (its ``table``: best strain per number of knock-outs)
    and the search against the exact constrained optimum up to ``max_cost`` knock-outs."""
    from helpers.book.mome_designs import run_constrained, search_vs_exact
    from helpers.book.profiles import get_profile
    from helpers.mome import analysis

    settings = get_profile(profile, "mome_organisms")["constrained"]
    if isozyme_cut_prob is not None:
        settings["isozyme_cut_prob"] = isozyme_cut_prob
    run = run_constrained(organism, medium, settings, seed=seed,
                          names=analysis.ecoli_gene_names())
    return settings, run, search_vs_exact([run], max_cost)


def command(args: argparse.Namespace) -> int:
    """Run ``mome-exact`` with parsed ``args`` and print its two tables; returns 0."""
    settings, run, comparison = exact_check(
        args.organism, args.medium, max_cost=args.max_cost, profile=args.profile,
        seed=args.seed, isozyme_cut_prob=args.isozyme_cut_prob)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"{args.organism} {args.medium}, profile {args.profile}, seed {args.seed}, "
              f"isozyme_cut_prob {settings['isozyme_cut_prob']}: best strain per number of "
              "knock-outs")
        print(run.table.to_string(index=False))
        print("search against the exact constrained optimum:")
        print(comparison.to_string(index=False))
    return 0
