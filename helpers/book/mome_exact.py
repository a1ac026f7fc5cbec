"""Chapter 08's constrained set-ups from the command line, with the exact check beyond the
profile's enumeration budget.

``python -m helpers.book.mome_exact ORGANISM MEDIUM [--max-cost 2] [--profile quick] [--seed 0]
[--isozyme-cut-prob P]`` runs one set-up of :data:`helpers.mome.designs.CONSTRAINED_SETUPS` as
the chapter does (search, Table 4 rows) and sets the search's best beside the exact constrained
optimum per number of knock-outs up to ``--max-cost``
(:func:`helpers.mome.designs.search_vs_exact`). Chapter 08 states the two-knock-out optimum of
its LB set-ups with this command (about 5 min per set-up on 2 cores; the ``quick`` profile
enumerates one knock-out only).

Here, not in :mod:`helpers.mome`, because it reads the book's profiles.
"""

from __future__ import annotations

import pandas as pd

from helpers.mome import analysis
from helpers.mome.designs import run_constrained, search_vs_exact


def main(argv: list[str] | None = None) -> None:
    """Run the command line (see the module docstring)."""
    import argparse

    from helpers.book.profiles import get_profile

    parser = argparse.ArgumentParser(prog="python -m helpers.book.mome_exact")
    parser.add_argument("organism")
    parser.add_argument("medium")
    parser.add_argument("--max-cost", type=int, default=2)
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--isozyme-cut-prob", type=float, default=None,
                        help="override the profile's isozyme_cut_prob (0: one gene per draw)")
    args = parser.parse_args(argv)
    settings = get_profile(args.profile, "mome_organisms")["constrained"]
    if args.isozyme_cut_prob is not None:
        settings["isozyme_cut_prob"] = args.isozyme_cut_prob
    run = run_constrained(args.organism, args.medium, settings, seed=args.seed,
                          names=analysis.ecoli_gene_names())
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"{args.organism} {args.medium}, profile {args.profile}, seed {args.seed}, "
              f"isozyme_cut_prob {settings['isozyme_cut_prob']}: best strain per number of "
              "knock-outs")
        print(run.table.to_string(index=False))
        print("search against the exact constrained optimum:")
        print(search_vs_exact([run], args.max_cost).to_string(index=False))


if __name__ == "__main__":
    main()
