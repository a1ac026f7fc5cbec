"""The book's one command line: ``python -m helpers.book <subcommand>``.

- ``chapter NAME... | --all [--profile P] [-p NAME VALUE]... [--run NAME] [--force]`` — execute
  chapters, restoring those whose inputs are unchanged unless ``--force``
  (:mod:`helpers.book.notebooks`; ``make notebooks`` / ``make notebook``); with ``-p`` or
  ``--run``, into ``runs/<chapter>/<name>/`` instead of the book (:mod:`helpers.book.runs`).
- ``sweep NAME --grid "KEY=V1,V2 KEY2=..." [-p NAME VALUE]... [-j N] [--backend B]`` — every
  combination in parallel into ``runs/<chapter>/<sweep>/``, with ``summary.csv``
  (:mod:`helpers.book.runs`; ``make sweep``).
- ``paper run|status [--chapter C] [--study S] [-j N] [--device D] [--limit N]`` — the
  paper-protocol results store (:mod:`helpers.book.paper`; ``make paper`` / ``make paper-status``).
- ``mome-exact ORGANISM MEDIUM [--max-cost K] ...`` — chapter 08's exact check
  (:mod:`helpers.book.mome_exact`; ``make mome-exact``).
- ``mome-milp [--product P...] [--max-cost K] [--time-limit S]`` — chapter 07's RobustKnock MILP
  designs, kept in ``results/mome_milp/`` (:mod:`helpers.book.mome_milp`).
"""

from __future__ import annotations

import argparse


def build_parser() -> argparse.ArgumentParser:
    """The parser with one subparser per subcommand; each sets ``handler`` to its function."""
    from helpers.book import cell_sizes, mome_exact, mome_milp, notebooks, runs
    from helpers.book.paper import cli as paper_cli

    parser = argparse.ArgumentParser(prog="python -m helpers.book",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="subcommand", required=True)
    for name, module, text in [
        ("chapter", notebooks, "execute chapters with papermill, in _toc.yml order"),
        ("paper", paper_cli, "compute or inspect the paper-protocol results store"),
        ("mome-exact", mome_exact, "a constrained MOME set-up against its exact optimum"),
        ("mome-milp", mome_milp, "chapter 07's MILP strain designs, kept in results/mome_milp"),
        ("cells", cell_sizes, "how much code a reader sees: visible code cells per chapter"),
    ]:
        command = sub.add_parser(name, help=text, description=text)
        module.add_arguments(command)
        command.set_defaults(handler=module.command)
    text = "run a chapter over a grid of parameters into runs/, with one summary table"
    command = sub.add_parser("sweep", help=text, description=text)
    runs.add_sweep_arguments(command)
    command.set_defaults(handler=runs.sweep_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``) and run the subcommand; its exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
