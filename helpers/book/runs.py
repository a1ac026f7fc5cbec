"""Parameterized runs of a chapter, kept apart from the book, and sweeps over a grid of them.

The rule (what ``make notebook`` and ``make sweep`` call):

- ``python -m helpers.book chapter NAME`` with no ``-p`` and no ``--run`` executes the book's own
  copy: ``book/executed/NAME.ipynb`` and its tables in ``_build/tables/`` (``make book`` runs every
  chapter so; ``--profile`` alone still counts as the book's run);
- any ``-p KEY VALUE`` or ``--run NAME`` is a *run*: it writes ``runs/<chapter>/<name>/`` —
  the executed notebook ``<chapter>.ipynb``, its tables in ``tables/``, its figures as PNG files in
  ``figures/`` and ``parameters.json`` (the parameters given and in effect, status, wall time,
  commit, the tables and figures written) — and never touches ``book/executed/`` or the book's
  tables. Without ``--run`` the name comes from the parameters (:func:`run_name`,
  ``product-EX_succ_e_seed-1``). A run is always executed (no execution cache);
- ``python -m helpers.book sweep NAME --grid "product=EX_succ_e,EX_lac__D_e seed=0,1"`` runs the
  grid's every combination in parallel through joblib (``--backend``: ``loky`` processes by
  default, ``dask`` for a Dask cluster, ``threading``) into ``runs/<chapter>/<sweep>/<run>/`` and
  writes ``runs/<chapter>/<sweep>/summary.csv``: one row per run, its parameters, status, wall
  time and the values the chapter glued (:func:`glued_values`).

``$MINNBOOK_RUNS`` moves the ``runs/`` folder. The tables of a run are redirected through
``$MINNBOOK_TABLES`` while its kernel starts (:func:`helpers.book.tables.tables_dir`).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.book import notebooks

ROOT = notebooks.ROOT
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
_ENV_LOCK = threading.Lock()  # $MINNBOOK_TABLES is process-wide: one kernel start at a time
#: Longest automatic run name; a longer one is shortened with a hash of the parameters.
MAX_AUTO_NAME = 80


def runs_root() -> Path:
    """Where runs are written: ``$MINNBOOK_RUNS`` or ``<repo>/runs``."""
    override = os.environ.get("MINNBOOK_RUNS")
    return Path(override) if override else ROOT / "runs"


def check_run_name(name: str) -> str:
    """``name`` if it is a safe folder name (letters, digits, ``_ . -``), else a ValueError."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"Run name {name!r} must start with a letter or digit and use letters, "
                         "digits, '_', '.' or '-' only (at most 100 characters).")
    return name


def run_name(parameters: dict[str, Any]) -> str:
    """A folder name from the parameters: ``key-value`` pairs joined by ``_`` in the given order
    (a path value by its last part); ``default`` for none; hashed when too long."""
    if not parameters:
        return "default"
    parts = []
    for key, value in parameters.items():
        text = Path(value).name if isinstance(value, str) and "/" in value else str(value)
        parts.append(f"{key}-{re.sub(r'[^A-Za-z0-9_.]+', '', text) or 'x'}")
    name = "_".join(parts)
    if len(name) > MAX_AUTO_NAME:
        digest = hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode())
        name = f"{name[:MAX_AUTO_NAME - 13]}_{digest.hexdigest()[:12]}"
    return check_run_name(name)


def run_dir(chapter: str, name: str, root: Path | None = None) -> Path:
    """``<root>/<chapter>/<name>`` (root None: :func:`runs_root`)."""
    return (root or runs_root()) / chapter / check_run_name(name)


@contextmanager
def tables_redirected(folder: Path) -> Iterator[None]:
    """``$MINNBOOK_TABLES`` set to ``folder`` (the kernel inherits it), then put back."""
    with _ENV_LOCK:
        before = os.environ.get("MINNBOOK_TABLES")
        os.environ["MINNBOOK_TABLES"] = str(folder)
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("MINNBOOK_TABLES", None)
            else:
                os.environ["MINNBOOK_TABLES"] = before


def _commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def run_chapter_in_folder(chapter: str, parameters: dict[str, Any] | None = None,
                          name: str | None = None, *, root: Path | None = None,
                          folder: Path | None = None, log_output: bool = False) -> Path:
    """Execute ``chapter`` with ``parameters`` into its run folder (module text); its path.

    The folder is ``folder`` if given, else :func:`run_dir` of ``name`` (None: :func:`run_name`).

    Names and values are checked before any kernel starts (:func:`notebooks.check_parameters`).
    A previous run of the same name is replaced (its tables and figures removed first). On
    failure the failed notebook is kept in the folder, ``parameters.json`` says ``failed``
    with the error, and the error is re-raised.
    """
    parameters = dict(parameters or {})
    notebooks.check_parameters(chapter, parameters)
    folder = folder or run_dir(chapter, name or run_name(parameters), root)
    for old in ("tables", "figures"):  # a run replaces the previous run of the same name
        shutil.rmtree(folder / old, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    record = {"chapter": chapter, "run": folder.name, "parameters": parameters,
              "effective_parameters": notebooks.effective_parameters(chapter, parameters),
              "commit": _commit(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    start = time.perf_counter()
    try:
        with tables_redirected(folder / "tables"):
            notebooks._execute(chapter, parameters, folder, log_output)
    except BaseException as exc:
        _write_record(folder, {**record, "status": "failed", "error": f"{type(exc).__name__}: "
                               f"{exc}"[:2000], "seconds": time.perf_counter() - start})
        raise
    notebook = folder / f"{chapter}.ipynb"
    figures = extract_figures(notebook, folder / "figures")
    tables = sorted(p.name for p in (folder / "tables").glob("*.csv"))
    _write_record(folder, {**record, "status": "ok", "seconds": time.perf_counter() - start,
                           "tables": tables, "figures": [p.name for p in figures]})
    return folder


def _write_record(folder: Path, record: dict[str, Any]) -> None:
    text = json.dumps(record, indent=1, default=str, ensure_ascii=False) + "\n"
    (folder / "parameters.json").write_text(text, encoding="utf-8")


def _outputs(notebook: Path) -> Iterator[tuple[int, dict]]:
    """``(cell index, output)`` of every output of an executed notebook."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            yield index, output


def extract_figures(notebook: Path, folder: Path) -> list[Path]:
    """Write every PNG output of ``notebook`` to ``folder``: a glued figure as ``<name>.png``,
    another image as ``cell<k>-<n>.png``. Returns the files written."""
    import base64

    written: list[Path] = []
    counts: dict[int, int] = {}
    for index, output in _outputs(notebook):
        data = output.get("data", {})
        key = next((k for k in data if k.endswith("image/png")), None)
        if key is None:
            continue
        glued = output.get("metadata", {}).get("scrapbook", {}).get("name")
        counts[index] = counts.get(index, 0) + 1
        stem = glued if glued and _NAME.match(glued) else f"cell{index}-{counts[index]}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}.png"
        path.write_bytes(base64.b64decode(data[key]))
        written.append(path)
    return written


def glued_values(notebook: Path) -> dict[str, Any]:
    """The scalar values a chapter glued (name -> number or short text); figures and tables
    are left out."""
    values: dict[str, Any] = {}
    for _, output in _outputs(notebook):
        name = output.get("metadata", {}).get("scrapbook", {}).get("name")
        text = next((v for k, v in output.get("data", {}).items() if k.endswith("text/plain")),
                    None)
        if not name or text is None or any(k.endswith("image/png") for k in output["data"]):
            continue
        text = "".join(text) if isinstance(text, list) else text
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, (int, float, str, bool)) and len(str(value)) <= 60:
            values[name] = value
    return values


def parse_grid(text: str) -> list[dict[str, Any]]:
    """``"product=EX_succ_e,EX_lac__D_e seed=0,1"`` -> every combination, first key slowest.

    Values are read as Python literals where they are one (``1`` is an int), else as text.
    """
    axes: dict[str, list[Any]] = {}
    for item in text.split():
        key, sep, values = item.partition("=")
        if not sep or not key or not values:
            raise ValueError(f"Grid item {item!r} must be KEY=VALUE[,VALUE...]; grid: {text!r}")
        if key in axes:
            raise ValueError(f"Grid key {key!r} given twice in {text!r}")
        axes[key] = [notebooks._parse_value(v) for v in values.split(",")]
    if not axes:
        raise ValueError("Empty grid: give at least one KEY=VALUE[,VALUE...]")
    return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]


def _one(chapter: str, parameters: dict[str, Any], folder: Path) -> dict[str, Any]:
    """One run of a sweep as a summary row (a failure is a row, not an exception)."""
    start = time.perf_counter()
    row: dict[str, Any] = {"run": folder.name, **parameters}
    try:
        run_chapter_in_folder(chapter, parameters, folder=folder)
    except Exception as exc:  # the sweep goes on; parameters.json and the row say why
        return {**row, "status": f"failed ({type(exc).__name__})",
                "seconds": time.perf_counter() - start}
    values = glued_values(folder / f"{chapter}.ipynb")
    return {**row, "status": "ok", "seconds": time.perf_counter() - start,
            **{k: v for k, v in values.items() if k not in row}}


def sweep(chapter: str, grid: str | list[dict[str, Any]], *, fixed: dict[str, Any] | None = None,
          name: str | None = None, n_jobs: int = 2, backend: str | None = None,
          root: Path | None = None) -> Path:
    """Run ``chapter`` over every combination of ``grid`` (with ``fixed`` parameters too) in
    parallel through joblib, and write ``<root>/<chapter>/<sweep>/summary.csv``; its path.

    Every combination is checked before any kernel starts. ``backend`` is a joblib backend
    (None: ``loky``; ``"dask"`` needs a ``dask.distributed.Client`` in this process, e.g.
    :func:`command`'s ``--scheduler``). One row per run, in grid order: ``run``, the
    parameters, ``status``, ``seconds`` and the chapter's glued values. A failed run is a row
    whose status says so; its folder keeps the failed notebook and ``parameters.json``.
    """
    from joblib import Parallel, delayed, parallel_config

    combos = parse_grid(grid) if isinstance(grid, str) else [dict(c) for c in grid]
    runs = [{**(fixed or {}), **combo} for combo in combos]
    for parameters in runs:
        notebooks.check_parameters(chapter, parameters)
    keys = list(combos[0]) if combos else []
    base = run_dir(chapter, name or "sweep_" + "_".join(keys), root)
    folders = [base / run_name({k: p[k] for k in keys}) for p in runs]
    with parallel_config(backend=backend or "loky", n_jobs=n_jobs):
        rows = Parallel()(delayed(_one)(chapter, p, f) for p, f in zip(runs, folders, strict=True))
    base.mkdir(parents=True, exist_ok=True)
    summary = base / "summary.csv"
    pd.DataFrame(rows).to_csv(summary, index=False)
    return summary


def add_sweep_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``sweep`` subcommand's arguments."""
    parser.add_argument("chapter", help="chapter name, e.g. 07_mome_ethanol")
    parser.add_argument("--grid", required=True,
                        help='e.g. "product=EX_succ_e,EX_lac__D_e seed=0,1" (every combination)')
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="a parameter fixed for every run")
    parser.add_argument("--name", default=None, help="the sweep's folder (default: from the keys)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="runs in parallel")
    parser.add_argument("--backend", default=None,
                        help="joblib backend: loky (default), threading, dask")
    parser.add_argument("--scheduler", default=None,
                        help="with --backend dask: the scheduler address (none: a local cluster)")


def sweep_command(args: argparse.Namespace) -> int:
    """``python -m helpers.book sweep``: exit 0 when every run succeeded, 1 when one failed,
    2 for a bad grid, chapter or parameter."""
    client = None
    if args.backend == "dask":
        from dask.distributed import Client

        client = Client(args.scheduler) if args.scheduler else Client(processes=True)
    fixed = {key: notebooks._parse_value(value) for key, value in args.parameter}
    try:
        summary = sweep(args.chapter, args.grid, fixed=fixed, name=args.name,
                        n_jobs=args.jobs, backend=args.backend)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if client is not None:
            client.close()
    table = pd.read_csv(summary)
    shown = summary.relative_to(ROOT) if summary.is_relative_to(ROOT) else summary
    print(f"{args.chapter}: {len(table)} run(s), {int((table.status == 'ok').sum())} ok -> {shown}")
    return 0 if (table.status == "ok").all() else 1
