"""Skip a chapter whose inputs are unchanged since its last good execution.

A chapter's *execution key* (:func:`execution_key`) hashes everything its run depends on:

- ``code`` — the source and tags of its code cells and its kernel (markdown is not part of it);
- ``parameters`` — the effective parameters (the ``parameters`` cell's defaults updated with those
  given), so a run with ``-p seed 7`` is never taken for the default run;
- ``helpers`` — every file under ``helpers/``: the code the chapters import, with the data
  registry ``helpers/data/registry.json``, whose SHA-256 every data file is checked against;
- ``data`` — the data registry again, by itself, so a miss can say that the data changed;
- ``store`` — the files of the paper-protocol results store (``results/paper/``) that the chapter
  reads: the folders of its own studies and of those its table reuses (:func:`store_folders`;
  none for a chapter that reads no unit, so a new unit of chapter 10 re-executes chapter 10 only).
  Hidden files, i.e. the claims and temporary files of a running computation, are excluded;
- ``packages`` — the Python version and every installed distribution's name and version;
- ``tables`` — only for a page that reads other chapters' tables (:func:`tables_read_hash`).

Each good execution is kept under ``<executed>/.cache/<chapter>/<key>/``: the executed notebook as
``notebook.json`` (a name the book build does not read), the tables the run wrote with
:func:`~helpers.book.tables.write_table` (:func:`tables_logged`) as ``tables/*.csv``, and
``manifest.json`` (the key's parts, the tables' SHA-256). A run with the same
key restores that notebook with the chapter's *current* markdown merged in
(:func:`merge_markdown`, so a text-only edit needs no kernel) and puts back any of its tables that
are missing or differ (overwritten by a run with other parameters, say). A few keys per chapter are
kept (:data:`KEEP_PER_CHAPTER`, most recently used first).

The cache is off when ``MINNBOOK_CHAPTER_CACHE`` is 0/false/no/off, and, unless that variable is
1/true/yes/on, when ``CI`` is set: CI executes every chapter (its clean clone has no
``book/executed/`` either).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: The code every chapter imports (hashed whole).
HELPERS = ROOT / "helpers"
#: The data registry: every data file's SHA-256.
DATA_REGISTRY = HELPERS / "data" / "registry.json"
#: Switch: 0/false/no/off turns the cache off, 1/true/yes/on on (also under ``CI``).
ENV = "MINNBOOK_CHAPTER_CACHE"
#: Executions kept per chapter (different parameters or inputs), most recently used first.
KEEP_PER_CHAPTER = 3
#: Bumped when the layout of an entry or the meaning of the key changes.
FORMAT = 1
_ON, _OFF = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class CacheSettingError(ValueError):
    """``MINNBOOK_CHAPTER_CACHE`` has a value that is neither on nor off."""


def enabled() -> bool:
    """Whether runs may be skipped: ``$MINNBOOK_CHAPTER_CACHE`` if set, else not under ``$CI``."""
    value = os.environ.get(ENV, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    if value:
        raise CacheSettingError(f"{ENV}={os.environ[ENV]!r} is not understood: use 1/true/yes/on "
                                "or 0/false/no/off.")
    return os.environ.get("CI", "").strip().lower() in ("", *_OFF)


def cache_dir(output_dir: Path) -> Path:
    """Where executions of chapters written to ``output_dir`` are kept: ``<output_dir>/.cache``."""
    return output_dir / ".cache"


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_hash(folder: Path) -> str:
    """SHA-256 over the relative paths and contents of the files under ``folder``.

    Hidden files and folders (a leading ``.``), ``__pycache__`` and ``*.pyc`` are left out; a
    missing folder hashes like an empty one.
    """
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
                continue
            if path.is_file() and path.suffix != ".pyc":
                digest.update(f"{relative.as_posix()}\0{sha256_file(path)}\0".encode())
    return digest.hexdigest()


def code_hash(notebook: Any) -> str:
    """SHA-256 of what executing ``notebook`` (an nbformat node) depends on: each code cell's
    source and tags, in order, and the kernel. Markdown and raw cells are not part of it."""
    cells = [[cell.source, sorted(cell.get("metadata", {}).get("tags", []))]
             for cell in notebook.cells if cell.cell_type == "code"]
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    return _digest({"cells": cells, "kernel": kernel})


def packages_hash() -> str:
    """SHA-256 of the Python version and every installed distribution's name and version."""
    import importlib.metadata

    found = sorted({f"{dist.metadata['Name']}=={dist.version}"
                    for dist in importlib.metadata.distributions()})
    return _digest({"python": sys.version, "packages": found})


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def store_folders(chapter: str) -> list[Path]:
    """The results-store folders ``chapter`` reads, one per study: its own studies and those its
    paper table reuses (:func:`helpers.book.paper.catalogue.select`); ``[]`` for a chapter with no
    study (``$MINNBOOK_PAPER_STORE`` honoured)."""
    from helpers.book.paper.catalogue import all_studies, select
    from helpers.book.paper.units import store_dir

    if chapter not in {study.chapter for study in all_studies()}:
        return []
    return [store_dir() / study.chapter / study.key for study in select(chapters=[chapter])]


def store_hash(chapter: str) -> str:
    """SHA-256 over the :func:`tree_hash` of each of :func:`store_folders` (``chapter``), named by
    its path inside the store."""
    from helpers.book.paper.units import store_dir

    root = store_dir()
    return _digest([[folder.relative_to(root).as_posix(), tree_hash(folder)]
                    for folder in store_folders(chapter)])


def tables_read_hash(notebook: Any) -> str | None:
    """For a page that only reads other chapters' tables (the claims ledger), SHA-256 of those
    tables, so that it runs again when a chapter's results change; None for every other chapter.

    Such a page says so in its notebook metadata: ``minnbook: {reads_tables: true, writes: [...]}``
    (``writes``: its own tables, left out of the hash).
    """
    from helpers.book.tables import tables_dir

    meta = notebook.metadata.get("minnbook", {})
    if not meta.get("reads_tables"):
        return None
    own = {f"{name}.csv" for name in meta.get("writes", [])}
    digest = hashlib.sha256()
    folder = tables_dir()
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        if path.name not in own:
            digest.update(f"{path.name}\0{sha256_file(path)}\0".encode())
    return digest.hexdigest()


def execution_key(chapter: str, notebook: Any, parameters: Mapping[str, Any]
                  ) -> tuple[str, dict[str, Any]]:
    """The key of executing ``notebook`` (chapter ``chapter``) with the effective ``parameters``,
    and its parts (see the module docstring), which :func:`changed_parts` compares."""
    parts = {
        "format": FORMAT,
        "chapter": chapter,
        "code": code_hash(notebook),
        "parameters": json.loads(json.dumps(dict(parameters), sort_keys=True, default=repr)),
        "helpers": tree_hash(HELPERS),
        "data": sha256_file(DATA_REGISTRY) if DATA_REGISTRY.is_file() else None,
        "store": store_hash(chapter),
        "packages": packages_hash(),
    }
    tables = tables_read_hash(notebook)
    if tables is not None:
        parts["tables"] = tables
    return _digest(parts), parts


def changed_parts(chapter_cache: Path, parts: Mapping[str, Any]) -> list[str]:
    """Which parts of the key differ from the chapter's most recently used entry (``[]`` when it
    has none): what a re-execution is for."""
    entries = _entries(chapter_cache)
    if not entries:
        return []
    manifest = _read_manifest(entries[0]) or {}
    previous = manifest.get("parts", {})
    return [name for name in parts if previous.get(name) != parts[name]]


def _entries(chapter_cache: Path) -> list[Path]:
    """The chapter's entries, most recently used first (by their manifest's mtime)."""
    if not chapter_cache.is_dir():
        return []
    found = [p for p in chapter_cache.iterdir()
             if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").is_file()]
    return sorted(found, key=lambda p: (p / "manifest.json").stat().st_mtime_ns, reverse=True)


def _read_manifest(entry: Path) -> dict | None:
    try:
        manifest = json.loads((entry / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    ok = isinstance(manifest, dict) and isinstance(manifest.get("tables"), dict)
    return manifest if ok else None


@contextmanager
def tables_logged(log: Path) -> Iterator[None]:
    """While inside, :func:`helpers.book.tables.write_table` (in a kernel started here too) appends
    each table it writes to ``log`` (an empty file at the start)."""
    from helpers.book.tables import TABLES_LOG

    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    previous = os.environ.get(TABLES_LOG)
    os.environ[TABLES_LOG] = str(log)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(TABLES_LOG, None)
        else:
            os.environ[TABLES_LOG] = previous


def logged_tables(log: Path) -> list[Path]:
    """The existing tables ``log`` names, once each, in order; the log is removed."""
    names = log.read_text().splitlines() if log.is_file() else []
    log.unlink(missing_ok=True)
    return [Path(p) for p in dict.fromkeys(names) if p and Path(p).is_file()]


def save(chapter_cache: Path, key: str, parts: Mapping[str, Any], executed: Path,
         tables: Iterable[Path]) -> Path:
    """Keep the good execution ``executed`` (and copies of the ``tables`` it wrote) under
    ``<chapter_cache>/<key>/``, replacing an entry with the same key, and drop the least recently
    used entries beyond :data:`KEEP_PER_CHAPTER`. The entry appears whole or not at all."""
    entry = chapter_cache / key
    staging = chapter_cache / f".{key}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "tables").mkdir(parents=True)
    shutil.copyfile(executed, staging / "notebook.json")
    hashes = {}
    for table in tables:
        shutil.copyfile(table, staging / "tables" / table.name)
        hashes[table.name] = sha256_file(staging / "tables" / table.name)
    manifest = {"key": key, "parts": dict(parts), "tables": hashes,
                "notebook": sha256_file(staging / "notebook.json"),
                "saved": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    shutil.rmtree(entry, ignore_errors=True)
    os.replace(staging, entry)
    for old in _entries(chapter_cache)[KEEP_PER_CHAPTER:]:
        shutil.rmtree(old, ignore_errors=True)
    return entry


def merge_markdown(source: Any, executed: Any) -> Any:
    """``source``'s cells in ``source``'s order, each code cell replaced by its executed copy from
    ``executed`` (outputs, glued values, papermill's injected-parameters cell after the
    ``parameters`` cell); markdown and raw cells are ``source``'s (their executed copy, with
    papermill's metadata, where id and text are unchanged).

    Raises ValueError when the two do not have the same code cells (source and tags).
    """
    import copy

    import nbformat

    ran = [c for c in executed.cells if c.cell_type == "code"
           and "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    injected = [c for c in executed.cells if c.cell_type == "code"
                and "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    code = [c for c in source.cells if c.cell_type == "code"]
    new = nbformat.v4.new_notebook
    if code_hash(new(cells=code)) != code_hash(new(cells=ran)):
        raise ValueError("the executed notebook's code cells differ from the source's")
    texts = {c.get("id"): c for c in executed.cells if c.cell_type != "code"}
    cells, ran_cells = [], iter(ran)
    for cell in source.cells:
        if cell.cell_type != "code":  # the executed copy where unchanged (papermill's metadata)
            same = texts.get(cell.get("id"))
            unchanged = same is not None and (same.cell_type, same.source) == (cell.cell_type,
                                                                                  cell.source)
            cells.append(copy.deepcopy(same if unchanged else cell))
            continue
        cells.append(copy.deepcopy(next(ran_cells)))
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            cells.extend(copy.deepcopy(injected))
            injected = []
    merged = copy.deepcopy(executed)
    merged.cells = copy.deepcopy(injected) + cells  # no parameters cell: papermill puts it first
    return merged


def restore(chapter_cache: Path, key: str, source: Any, target: Path, tables_dir: Path) -> bool:
    """Write the kept execution with key ``key`` to ``target``, merged with the markdown of
    ``source`` (an nbformat node), and put back its tables in ``tables_dir`` where missing or
    different. Returns False, changing nothing, when there is no such entry or it is incomplete
    (a copy whose hash differs from its manifest's) or its code cells do not match ``source``."""
    import nbformat

    entry = chapter_cache / key
    manifest = _read_manifest(entry)
    kept = entry / "notebook.json"
    if manifest is None or not kept.is_file() or sha256_file(kept) != manifest.get("notebook"):
        return False
    copies = {name: entry / "tables" / name for name in manifest["tables"]}
    if any(not path.is_file() or sha256_file(path) != manifest["tables"][name]
           for name, path in copies.items()):
        return False
    try:
        merged = merge_markdown(source, nbformat.read(kept, as_version=4))
    except (ValueError, nbformat.reader.NotJSONError):
        return False
    _write_if_changed(target, (nbformat.writes(merged).rstrip("\n") + "\n").encode())
    tables_dir.mkdir(parents=True, exist_ok=True)
    for name, path in copies.items():
        current = tables_dir / name
        if not current.is_file() or sha256_file(current) != manifest["tables"][name]:
            _write_if_changed(current, path.read_bytes())
    os.utime(entry / "manifest.json")  # most recently used
    return True


def _write_if_changed(path: Path, content: bytes) -> None:
    """Replace ``path`` atomically with ``content`` unless it holds it already (the book build
    re-reads a page whose file changed)."""
    if path.is_file() and path.read_bytes() == content:
        return
    partial = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    partial.write_bytes(content)
    os.replace(partial, path)
