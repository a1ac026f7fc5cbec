"""Execute the book's chapters with papermill, in ``_toc.yml`` order.

Sources live in ``notebooks/NN_topic.ipynb`` (no outputs); executed copies are written to
``book/executed/NN_topic.ipynb``, where ``_toc.yml`` points the book.

Command line (what ``make notebook`` calls)::

    python -m helpers.book.notebooks 01_dataset -p seed 7 -p profile paper
    python -m helpers.book.notebooks --all --profile quick
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "notebooks"
EXECUTED = ROOT / "book" / "executed"
TOC = ROOT / "_toc.yml"


class UnknownParameterError(ValueError):
    """A parameter was given that the notebook's ``parameters`` cell does not define."""


def chapters_in_toc(toc: Path = TOC) -> list[str]:
    """Names of the chapters (``NN_topic``) that ``_toc.yml`` lists, in book order."""
    names = re.findall(r"file:\s*book/executed/([A-Za-z0-9_]+)", toc.read_text())
    return names


def declared_parameters(name: str) -> dict[str, Any]:
    """Parameters (name -> default) of the cell tagged ``parameters`` in chapter ``name``."""
    import papermill as pm

    source = _source(name)
    info = pm.inspect_notebook(str(source))
    if not info:
        raise UnknownParameterError(f"{source} has no cell tagged 'parameters'.")
    return {key: value.get("default") for key, value in info.items()}


def _source(name: str) -> Path:
    path = SOURCES / f"{name}.ipynb"
    if not path.is_file():
        known = sorted(p.stem for p in SOURCES.glob("*.ipynb"))
        raise FileNotFoundError(f"No chapter {name!r} ({path} missing). Chapters: {known}")
    return path


def check_parameters(name: str, parameters: dict[str, Any]) -> None:
    """Raise :class:`UnknownParameterError` for any name the chapter does not declare."""
    declared = declared_parameters(name)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise UnknownParameterError(
            f"Unknown parameter(s) {unknown} for chapter {name!r}; "
            f"its parameters cell declares {sorted(declared)}."
        )


def run_chapter(name: str, parameters: dict[str, Any] | None = None, *,
                output_dir: Path = EXECUTED, log_output: bool = False) -> Path:
    """Execute chapter ``name`` with papermill and return the executed notebook's path.

    Unknown parameter names are an error, not a silent no-op.
    """
    import papermill as pm

    parameters = dict(parameters or {})
    check_parameters(name, parameters)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"{name}.ipynb"
    pm.execute_notebook(
        str(_source(name)),
        str(target),
        parameters=parameters,
        cwd=str(ROOT),
        kernel_name="python3",
        progress_bar=False,
        log_output=log_output,
    )
    return target


def _parse_value(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter names, e.g. 01_dataset")
    parser.add_argument("--all", action="store_true", help="every chapter in _toc.yml order")
    parser.add_argument("--profile", default=None, help="quick (default) or paper")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="set a parameter (repeatable)")
    args = parser.parse_args(argv)
    names = chapters_in_toc() if args.all else args.chapters
    if not names:
        parser.error("name a chapter or pass --all")
    parameters = {key: _parse_value(value) for key, value in args.parameter}
    for name in names:
        chapter_parameters = dict(parameters)
        if args.profile is not None:
            chapter_parameters["profile"] = args.profile
        start = time.perf_counter()
        try:
            path = run_chapter(name, chapter_parameters)
        except UnknownParameterError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"{name}: executed in {time.perf_counter() - start:.1f} s -> {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
