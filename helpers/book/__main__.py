"""The book's one command line: ``python -m helpers.book <subcommand>``.

- ``chapter NAME... | --all [--profile P] [-p NAME VALUE]... [--force]`` — execute chapters,
  restoring those whose inputs are unchanged unless ``--force`` (:mod:`helpers.book.notebooks`;
  ``make notebooks`` / ``make notebook``).
- ``paper run|status [--chapter C] [--study S] [-j N] [--device D] [--limit N]`` — the
  paper-protocol results store (:mod:`helpers.book.paper`; ``make paper`` / ``make paper-status``).
- ``mome-exact ORGANISM MEDIUM [--max-cost K] ...`` — chapter 08's exact check
  (:mod:`helpers.book.mome_exact`; ``make mome-exact``).
"""

from __future__ import annotations

import argparse


def build_parser() -> argparse.ArgumentParser:
    """The parser with one subparser per subcommand; each sets ``handler`` to its function."""
    from helpers.book import mome_exact, notebooks
    from helpers.book.paper import cli as paper_cli

    parser = argparse.ArgumentParser(prog="python -m helpers.book",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="subcommand", required=True)
    for name, module, text in [
        ("chapter", notebooks, "execute chapters with papermill, in _toc.yml order"),
        ("paper", paper_cli, "compute or inspect the paper-protocol results store"),
        ("mome-exact", mome_exact, "a constrained MOME set-up against its exact optimum"),
    ]:
        command = sub.add_parser(name, help=text, description=text)
        module.add_arguments(command)
        command.set_defaults(handler=module.command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``) and run the subcommand; its exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
