"""Execute the book's chapters with papermill, in ``_toc.yml`` order.

Sources live in ``notebooks/NN_topic.ipynb`` (no outputs); executed copies are written to
``book/executed/NN_topic.ipynb``, where ``_toc.yml`` points the book.

Command line (what ``make notebook`` and ``make book`` call)::

    python -m helpers.book chapter --all --profile quick      # the book: book/executed/
    python -m helpers.book chapter 01_dataset -p seed 7       # a run: runs/01_dataset/seed-7/

A chapter run with any ``-p`` or ``--run NAME`` goes to ``runs/<chapter>/<name>/`` and never
touches the book's executed chapters or tables (:mod:`helpers.book.runs`).

Only chapters listed in ``_toc.yml`` run. Parameters are checked before any kernel starts: known
names, the type of their default, and the ranges of :data:`PARAMETER_RANGES`.

A chapter whose code cells, parameters, helpers, data, results store and packages are those of its
last good execution is not executed again: that execution is restored with the chapter's current
markdown, and its tables put back (:mod:`helpers.book.execution_cache`; ``--force`` executes
anyway; ``MINNBOOK_CHAPTER_CACHE=0`` or ``CI`` turns the cache off).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.book.execution_cache import CacheSettingError
from helpers.book.profiles import PROFILE_NAMES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "notebooks"
EXECUTED = ROOT / "book" / "executed"
TOC = ROOT / "_toc.yml"


class UnknownParameterError(ValueError):
    """A parameter was given that the notebook's ``parameters`` cell does not define."""


class BadParameterError(ValueError):
    """A parameter's value has the wrong type for its default, or ``profile`` is unknown."""


class UnknownChapterError(FileNotFoundError):
    """No chapter ``<name>`` in ``_toc.yml``, or no source ``notebooks/<name>.ipynb``."""


#: Declared type and closed range ``(type, low, high)`` of chapter parameters, checked before a
#: kernel starts (``None`` as a bound: unbounded). A parameter whose default is None accepts
#: None or a value of this type in this range.
PARAMETER_RANGES: dict[str, tuple[type, int | None, int | None]] = {
    "seed": (int, 0, 2**32 - 1),  # numpy's seed range
    "fba_samples": (int, 1, 100_000),  # FBA solutions of the FBA-reduction (paper: 2000)
    "projection_steps": (int, 0, 1_000),  # clip-and-project steps of the exact layer
}


def chapters_in_toc(toc: Path | None = None) -> list[str]:
    """Names of the chapters (``NN_topic``) that ``_toc.yml`` lists, in book order."""
    names = re.findall(r"file:\s*book/executed/([A-Za-z0-9_]+)", (toc or TOC).read_text())
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
    """The source of a chapter ``_toc.yml`` lists (:class:`UnknownChapterError` otherwise)."""
    chapters = chapters_in_toc()
    if name not in chapters:
        raise UnknownChapterError(f"No chapter {name!r} in _toc.yml. Chapters: {chapters}")
    path = SOURCES / f"{name}.ipynb"
    if not path.is_file():
        known = sorted(p.stem for p in SOURCES.glob("*.ipynb"))
        raise UnknownChapterError(f"No chapter {name!r} ({path} missing). Chapters: {known}")
    return path


def check_parameters(name: str, parameters: dict[str, Any]) -> None:
    """Check names and values before any kernel starts.

    Raises :class:`UnknownParameterError` for any name the chapter does not declare and
    :class:`BadParameterError` for an unknown ``profile`` or a value whose type differs from its
    default's (an int where the default is a float is fine; a default of None accepts anything).
    """
    declared = declared_parameters(name)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise UnknownParameterError(
            f"Unknown parameter(s) {unknown} for chapter {name!r}; "
            f"its parameters cell declares {sorted(declared)}."
        )
    if "profile" in parameters and parameters["profile"] not in PROFILE_NAMES:
        raise BadParameterError(f"Unknown profile {parameters['profile']!r} for chapter {name!r}; "
                                f"known profiles: {list(PROFILE_NAMES)}.")
    for key, value in parameters.items():
        _check_type(name, key, value, declared[key])
        _check_range(name, key, value)
    if parameters.get("dataset", "ishii") != "ishii":
        _check_dataset(name, parameters["dataset"])


def _check_dataset(chapter: str, value: str) -> None:
    """:class:`BadParameterError` unless ``value`` is a folder with a dataset manifest (relative
    paths from the repository root, where the chapters run); its contents are checked by the
    chapter (:func:`helpers.data.dataset.load_dataset`)."""
    from helpers.data.dataset import MANIFEST

    folder = Path(value).expanduser()
    folder = folder if folder.is_absolute() else ROOT / folder
    if not (folder / MANIFEST).is_file():
        raise BadParameterError(
            f"Parameter 'dataset' of chapter {chapter!r} must be 'ishii' or a dataset folder "
            f"holding {MANIFEST} (book/dataset_format.md); {folder} has none.")


def _check_range(chapter: str, key: str, value: Any) -> None:
    """:class:`BadParameterError` when ``value`` is outside the declared type and range of
    :data:`PARAMETER_RANGES` (None, a default, is accepted)."""
    if key not in PARAMETER_RANGES or value is None:
        return
    kind, low, high = PARAMETER_RANGES[key]
    ok = isinstance(value, kind) and not isinstance(value, bool)
    ok = ok and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        bounds = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
        raise BadParameterError(
            f"Parameter {key!r} of chapter {chapter!r} must be {kind.__name__} in {bounds}; "
            f"got {value!r}."
        )


def _check_type(chapter: str, key: str, value: Any, default_source: str | None) -> None:
    """:class:`BadParameterError` when ``value`` does not have the type of the declared default."""
    try:
        default = ast.literal_eval(default_source) if default_source is not None else None
    except (ValueError, SyntaxError):
        return  # a computed default: nothing to compare with
    if default is None:
        return
    expected = type(default)
    ok = isinstance(value, expected) and isinstance(value, bool) == isinstance(default, bool)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise BadParameterError(
            f"Parameter {key!r} of chapter {chapter!r} must be of type {expected.__name__} (default "
            f"{default!r}); got {value!r} ({type(value).__name__})."
        )


def failed_path(name: str, output_dir: Path | None = None) -> Path:
    """Where a failed execution of chapter ``name`` is kept: ``<output_dir>/<name>.FAILED.ipynb``
    (``output_dir`` None: :data:`EXECUTED`)."""
    output_dir = EXECUTED if output_dir is None else output_dir
    return output_dir / f"{name}.FAILED.ipynb"


def effective_parameters(name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The parameters a run of chapter ``name`` uses: the ``parameters`` cell's defaults (as
    values; a computed default as its source text) updated with ``parameters``."""
    values: dict[str, Any] = {}
    for key, default in declared_parameters(name).items():
        try:
            values[key] = ast.literal_eval(default) if default is not None else None
        except (ValueError, SyntaxError):
            values[key] = default
    return {**values, **parameters}


def run_chapter(name: str, parameters: dict[str, Any] | None = None, *,
                output_dir: Path | None = None, log_output: bool = False,
                cache: bool | None = None, force: bool = False) -> Path:
    """Execute chapter ``name`` with papermill into ``output_dir`` (None: :data:`EXECUTED`) and
    return the executed notebook's path.

    Unknown parameter names, wrongly typed values and unknown profiles are errors before any
    kernel starts. The chapter runs into a temporary file that replaces ``<name>.ipynb`` only on
    success; on failure the previous executed chapter is left as it was, the failed notebook is
    kept beside it as :func:`failed_path`, its location is printed, and the error is re-raised.

    With the cache on (``cache``; None: :func:`helpers.book.execution_cache.enabled`), a run whose
    code, parameters, helpers, data, results store and packages are those of a kept good execution
    is not executed: that execution is restored with the chapter's current markdown, and its tables
    are put back (:mod:`helpers.book.execution_cache`). ``force`` executes anyway (and keeps it).
    """
    return run_chapter_status(name, parameters, output_dir=output_dir, log_output=log_output,
                              cache=cache, force=force)[0]


def run_chapter_status(name: str, parameters: dict[str, Any] | None = None, *,
                       output_dir: Path | None = None, log_output: bool = False,
                       cache: bool | None = None, force: bool = False) -> tuple[Path, str]:
    """:func:`run_chapter`, also saying what happened: ``"cached"`` (restored, no kernel) or
    ``"executed"`` (with, after ``: ``, the key's parts that changed since the last kept run)."""
    import nbformat

    from helpers.book import execution_cache as ec
    from helpers.book.tables import tables_dir

    parameters = dict(parameters or {})
    check_parameters(name, parameters)
    output_dir = EXECUTED if output_dir is None else output_dir
    use_cache = ec.enabled() if cache is None else cache
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"{name}.ipynb"
    if not use_cache:
        return _execute(name, parameters, output_dir, log_output), "executed"
    chapter_cache = ec.cache_dir(output_dir) / name
    source = nbformat.read(_source(name), as_version=4)
    key, parts = ec.execution_key(name, source, effective_parameters(name, parameters))
    if not force and ec.restore(chapter_cache, key, source, target, tables_dir()):
        failed_path(name, output_dir).unlink(missing_ok=True)  # as after a successful execution
        return target, "cached"
    changed = ec.changed_parts(chapter_cache, parts)
    log = chapter_cache / f".tables-{os.getpid()}.txt"
    try:
        with ec.tables_logged(log):
            _execute(name, parameters, output_dir, log_output)
        try:
            ec.save(chapter_cache, key, parts, target, ec.logged_tables(log))
        except OSError as exc:  # the chapter ran; only the next run's shortcut is lost
            print(f"{name}: executed, but not kept in the execution cache ({exc})", file=sys.stderr)
    finally:
        log.unlink(missing_ok=True)
    return target, "executed" + (f": {', '.join(changed)} changed" if changed else "")


def _execute(name: str, parameters: dict[str, Any], output_dir: Path, log_output: bool) -> Path:
    """Run the chapter with papermill into ``<output_dir>/<name>.ipynb`` (:func:`run_chapter`)."""
    import papermill as pm

    target = output_dir / f"{name}.ipynb"
    running = output_dir / f".{name}.running-{os.getpid()}.ipynb"
    try:
        pm.execute_notebook(
            str(_source(name)),
            str(running),
            parameters=parameters,
            cwd=str(ROOT),
            kernel_name="python3",
            progress_bar=False,
            log_output=log_output,
        )
    except BaseException as exc:
        _keep_failed(name, running, output_dir, exc)
        raise
    hide_injected_parameters(running)
    text = running.read_text()
    if not text.endswith("\n"):  # papermill may omit the newline nbformat.write ends a file with
        running.write_text(text + "\n")
    os.replace(running, target)
    failed_path(name, output_dir).unlink(missing_ok=True)  # an old failure is no longer current
    return target


def hide_injected_parameters(path: Path) -> bool:
    """Tag papermill's "injected-parameters" cell of ``path`` ``remove-cell`` (not in the book).

    The chapter's own ``parameters`` cell stays visible; the injected cell only repeats the values
    given on the command line. Returns whether the notebook was changed.
    """
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    changed = False
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
            changed = True
    if changed:
        nbformat.write(notebook, path)
    return changed


def _keep_failed(name: str, running: Path, output_dir: Path, exc: BaseException) -> None:
    """Move a failed run beside the executed chapter, and say where it is."""
    failed = failed_path(name, output_dir)
    note = f"{name}: execution failed; the previous {output_dir / (name + '.ipynb')} is unchanged"
    if running.is_file():
        os.replace(running, failed)
        note += f"; the failed notebook is kept at {failed}"
    print(note, file=sys.stderr)
    exc.add_note(note)


def _parse_value(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``chapter`` subcommand's arguments."""
    parser.add_argument("chapters", nargs="*", help="chapter names, e.g. 01_dataset")
    parser.add_argument("--all", action="store_true", help="every chapter in _toc.yml order")
    parser.add_argument("--profile", default=None, help="quick (default) or paper")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="set a parameter (repeatable)")
    parser.add_argument("--force", action="store_true",
                        help="execute even a chapter whose inputs are unchanged since its last "
                             "good execution (which is otherwise restored, not re-executed)")
    parser.add_argument("--run", default=None, metavar="NAME",
                        help="write to runs/<chapter>/NAME/ instead of the book (any -p does too, "
                             "under a name made from the parameters)")


def command(args: argparse.Namespace) -> int:
    """Run the chapters named in ``args`` (or every one with ``--all``).

    ``--profile`` and ``-p NAME VALUE`` set parameters of every chapter run; a chapter whose
    inputs are unchanged is restored from the execution cache unless ``--force``. Returns the exit
    status: 0 when all ran, 2 for no chapter, an unknown chapter or a bad parameter, 1 when a
    chapter failed (the message names the kept failed notebook).
    """
    names = chapters_in_toc() if args.all else args.chapters
    if not names:
        print("error: name a chapter or pass --all", file=sys.stderr)
        return 2
    parameters = {key: _parse_value(value) for key, value in args.parameter}
    if parameters or getattr(args, "run", None):
        return _runs_command(names, parameters, args)

    def execute(name: str, chapter_parameters: dict[str, Any]) -> tuple[str, Path]:
        path, outcome = run_chapter_status(name, chapter_parameters, force=args.force)
        if outcome == "cached":
            outcome = ("code and inputs unchanged since its last good execution: restored with "
                       "its current text (no kernel)")
        return outcome, path

    return _each_chapter(names, parameters, args, execute, kept=failed_path,
                         usage_errors=(UnknownParameterError, BadParameterError,
                                       UnknownChapterError, CacheSettingError))


def _each_chapter(names: list[str], parameters: dict[str, Any], args: argparse.Namespace,
                  execute: Callable[[str, dict[str, Any]], tuple[str, Path]], *,
                  kept: Callable[[str], Path], usage_errors: tuple[type, ...]) -> int:
    """Run ``execute(name, parameters)`` for each chapter in turn (``--profile`` added), printing
    its outcome, path and time; stop at the first error: 2 for a usage error (``usage_errors``),
    1 when the chapter failed (:func:`failure_message`, with the notebook kept at ``kept(name)``)."""
    for name in names:
        chapter_parameters = dict(parameters)
        if args.profile is not None:
            chapter_parameters["profile"] = args.profile
        start = time.perf_counter()
        try:
            outcome, path = execute(name, chapter_parameters)
        except usage_errors as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except Exception as exc:  # the chapter itself failed; its notebook is kept
            print(failure_message(name, exc, kept(name)), file=sys.stderr)
            return 1
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{name}: {outcome} in {time.perf_counter() - start:.1f} s -> {shown}")
    return 0


def failure_message(name: str, exc: BaseException, kept: Path) -> str:
    """The one-line error for a chapter whose execution failed: the error raised in the notebook
    (papermill keeps its type and message: a bad ``product`` names the parameter and its nearest
    exchange ids) and where the failed notebook is kept."""
    error = type(exc).__name__
    if getattr(exc, "ename", None):  # papermill.PapermillExecutionError: the notebook's own error
        evalue = str(getattr(exc, "evalue", "")).strip()
        error = f"{exc.ename}: {evalue}" if evalue else str(exc.ename)
    where = f"; see {kept}" if kept.is_file() else ""
    return f"error: chapter {name!r} failed: {error}{where}"


def _runs_command(names: list[str], parameters: dict[str, Any], args: argparse.Namespace) -> int:
    """A parameterized run (``-p`` or ``--run``): each chapter into ``runs/<chapter>/<name>/``
    (:mod:`helpers.book.runs`), never into the book. Exit status as :func:`command`'s."""
    from helpers.book import runs

    def execute(name: str, chapter_parameters: dict[str, Any]) -> tuple[str, Path]:
        folder = runs.run_dir(name, args.run or runs.run_name(parameters))
        runs.run_chapter_in_folder(name, chapter_parameters, folder=folder)
        return f"run {folder.name!r} executed", folder

    return _each_chapter(
        names, parameters, args, execute,
        kept=lambda name: failed_path(name, runs.run_dir(name, args.run
                                                          or runs.run_name(parameters))),
        usage_errors=(UnknownParameterError, BadParameterError, UnknownChapterError,
                      ValueError))
