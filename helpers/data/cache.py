"""On-disk cache for expensive GEM work (reduced models, their matrices and metadata).

An entry is a folder ``<cache_root>/<key>/`` holding

* ``meta.json``: what was computed (method, medium, counts, timings);
* ``model.json``, ``solver.json`` and ``solver.lp``: the cobra model, written by
  :func:`helpers.data.model_files.write_model` as exact cobra JSON plus GLPK's own LP file, so that
  it loads as the same model a pickle would give, without unpickling anything (a pickle found in
  an entry is never read);
* ``arrays.npz``: optional numpy arrays (e.g. the sparse ``S`` and bounds for MINN), so that a
  caller who needs only arrays never builds a cobra model.

The key is a hash of everything the result depends on: the input model's content hash
(:func:`helpers.gem.model_hash`), the medium's uptakes, the method, its parameters and the seed,
plus :data:`CACHE_VERSION` (bumped when an algorithm changes) and the cobra version. Change any of
them and the entry is simply not found, so a stale result is never returned.

The model of an entry is loaded lazily, on first use, and then kept in memory for the rest of
the process and handed out as the same object: use ``with model:`` for any change (the book's rule
for shared models).

Reliability. ``<key>`` is a symbolic link to the folder ``<key>@<token>`` that holds the files, so
an entry is published (or replaced) by one atomic rename of a new link over the old one: a
concurrent reader sees the old entry or the new one, never none. A ``manifest.json`` records the
size of every file. An entry that cannot be read (bad JSON, missing metadata keys, a truncated or
damaged file, a vanished folder after :func:`clear_cache` in another process) is reported once as
a :class:`CacheWarning` naming the entry and rebuilt with the function that made it; a read is
retried once first, in case another process was replacing the entry. Folders written by older
versions (a plain ``<key>/`` folder) are still read.

The root is ``$MINNBOOK_CACHE/gem`` or ``pooch.os_cache("minnbook")/gem`` (see
:func:`helpers.data.registry.cache_dir`). :func:`clear_cache` empties it.

Introduced in chapter ``02_gem_preparation``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cobra
import numpy as np

from helpers.data.model_files import read_model, write_model
from helpers.data.registry import cache_dir

__all__ = ["CACHE_VERSION", "CacheEntry", "CacheError", "CacheWarning", "cache_root", "cache_key",
           "entry_keys", "load_cached", "save_cached", "cached_entry", "clear_cache"]

CACHE_VERSION = 3

#: key -> entry already read or computed in this process.
_MEMORY: dict[str, CacheEntry] = {}

#: Pause before the one retry of a failed read (another process may be replacing the entry).
RETRY_SECONDS = 0.05
#: Temporary folders of writers older than this are debris that :func:`clear_cache` removes.
STALE_TMP_SECONDS = 3600.0
_TMP = ".tmp-"

Compute = Callable[[], tuple[cobra.Model, dict, "dict[str, np.ndarray] | None"]]


class CacheWarning(UserWarning):
    """A cache entry was unreadable or had vanished, and is being rebuilt."""


class CacheError(RuntimeError):
    """A cache entry is unreadable and there is no function to rebuild it."""


class _Unreadable(Exception):
    """Internal: why an entry could not be read (message = the reason)."""


def cache_root() -> Path:
    """Folder of the GEM cache: ``helpers.data.registry.cache_dir() / "gem"``."""
    return cache_dir() / "gem"


def cache_key(**parts: Any) -> str:
    """A short hex key from keyword parts (model hash, medium, method, seed, parameters).

    Parts must be JSON-serialisable (dicts are sorted, so their order does not matter).
    """
    versions = {"version": CACHE_VERSION, "cobra": cobra.__version__}
    payload = json.dumps({**versions, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


class CacheEntry:
    """One cached result: ``meta`` (a dict), a lazily loaded cobra ``model`` and ``arrays``.

    ``compute`` (optional) is the function that made the entry: if the files cannot be read on
    first use (damaged, or removed by :func:`clear_cache`), the entry is rebuilt with it.
    """

    def __init__(
        self,
        key: str,
        meta: dict,
        model: cobra.Model | None = None,
        arrays: dict[str, np.ndarray] | None = None,
        folder: Path | None = None,
        compute: Compute | None = None,
    ):
        self.key = key
        self.meta = meta
        self._model = model
        self._arrays = arrays
        self.folder = folder
        self._compute = compute

    @property
    def model(self) -> cobra.Model:
        """The cobra model (read from disk on first access)."""
        if self._model is None:
            self._model = self._load(_read_model)
        return self._model

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """The stored arrays (empty dict if none were stored)."""
        if self._arrays is None:
            self._arrays = {} if self.folder is None else self._load(_read_arrays)
        return self._arrays

    def _load(self, reader: Callable[[Path], Any]) -> Any:
        """``reader(folder)``, retried once; if it still fails, rebuild the entry."""
        try:
            return _read_twice(reader, self.folder)
        except _Unreadable as exc:
            self._rebuild(str(exc))
            return self._model if reader is _read_model else self._arrays

    def _rebuild(self, reason: str) -> None:
        """Recompute the entry, publish it over the unreadable one, keep the result in memory."""
        if self._compute is None:
            raise CacheError(f"GEM cache entry {self.folder} is unreadable ({reason}) and cannot be "
                             "rebuilt here; delete it (helpers.data.cache.clear_cache()).")
        warnings.warn(CacheWarning(f"GEM cache entry {self.folder} is unreadable ({reason}); "
                                   "rebuilding it."), stacklevel=4)
        model, meta, arrays = self._compute()
        save_cached(self.key, model, {**meta, "cache_key": self.key}, arrays)
        self._model, self._arrays = model, dict(arrays or {})


def _read_twice(reader: Callable[[Path], Any], folder: Path) -> Any:
    """``reader(folder)``; on failure wait :data:`RETRY_SECONDS` and try once more."""
    try:
        return reader(folder)
    except _Unreadable:
        time.sleep(RETRY_SECONDS)
        return reader(folder)


def _read_model(folder: Path) -> cobra.Model:
    """The stored model (:func:`~helpers.data.model_files.read_model`); else :class:`_Unreadable`."""
    try:
        return read_model(folder)
    except Exception as exc:
        gone = "" if (folder / "meta.json").is_file() else " (the entry was removed)"
        raise _Unreadable(f"model.json / solver files unreadable{gone}: "
                          f"{type(exc).__name__}: {exc}"[:300]) from None


def _read_arrays(folder: Path) -> dict[str, np.ndarray]:
    """The arrays of ``arrays.npz`` ({} if none were stored); else :class:`_Unreadable`."""
    path = folder / "arrays.npz"
    if not path.is_file():
        if not (folder / "meta.json").is_file():
            raise _Unreadable("the entry was removed")
        if "arrays.npz" in _read_manifest(folder):
            raise _Unreadable("arrays.npz is missing")
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except Exception as exc:  # BadZipFile, EOFError, ValueError, OSError, ...
        raise _Unreadable(f"arrays.npz: {type(exc).__name__}: {exc}"[:300]) from None


def _read_manifest(folder: Path) -> dict[str, int]:
    """File name -> size written with the entry ({} for entries of older versions)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise _Unreadable(f"manifest.json: {exc}") from None
    if not isinstance(manifest, dict):
        raise _Unreadable("manifest.json is not a JSON object")
    return manifest


def _read_meta(folder: Path, required: Sequence[str]) -> dict:
    """Metadata of a complete entry: ``FileNotFoundError`` if absent, :class:`_Unreadable` if bad."""
    text = (folder / "meta.json").read_text()  # FileNotFoundError: no entry
    try:
        meta = json.loads(text)
    except ValueError as exc:
        raise _Unreadable(f"meta.json is not JSON: {exc}") from None
    if not isinstance(meta, dict):
        raise _Unreadable("meta.json is not a JSON object")
    missing = [k for k in required if k not in meta]
    if missing:
        raise _Unreadable(f"meta.json lacks key(s) {missing}")
    for name, size in _read_manifest(folder).items():
        path = folder / name
        actual = path.stat().st_size if path.is_file() else None
        if actual != size:
            raise _Unreadable(f"{name} has {actual} bytes, {size} were written (truncated?)")
    if not ((folder / "model.json").is_file() and (folder / "solver.json").is_file()):
        raise _Unreadable("no model.json or solver.json")
    return meta


def load_cached(key: str, *, required: Sequence[str] = ()) -> CacheEntry | None:
    """The cache entry under ``key`` (model not yet loaded), or ``None`` if absent or unreadable.

    An unreadable entry (after one retry) is reported as a :class:`CacheWarning` naming it;
    ``required`` lists metadata keys the entry must have.
    """
    folder = cache_root() / key
    try:
        meta = _read_twice(lambda f: _read_meta_or_none(f, required), folder)
    except _Unreadable as exc:
        warnings.warn(CacheWarning(f"GEM cache entry {folder} is unreadable ({exc}); "
                                   "rebuilding it."), stacklevel=3)
        return None
    return None if meta is None else CacheEntry(key, meta, folder=folder)


def _read_meta_or_none(folder: Path, required: Sequence[str]) -> dict | None:
    try:
        return _read_meta(folder, required)
    except FileNotFoundError:
        return None
    except OSError as exc:  # the folder changed under us (a concurrent replace): retry
        raise _Unreadable(f"{type(exc).__name__}: {exc}") from None


def save_cached(
    key: str, model: cobra.Model, meta: dict, arrays: dict[str, np.ndarray] | None = None
) -> Path:
    """Write an entry under ``key``; it appears, or replaces the old one, in one atomic rename."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP}{key}-", dir=root))
    write_model(model, tmp)
    if arrays:
        np.savez(tmp / "arrays.npz", **arrays)
    (tmp / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True, default=str))
    sizes = {p.name: p.stat().st_size for p in tmp.iterdir()}
    (tmp / "manifest.json").write_text(json.dumps(sizes, sort_keys=True))
    return _publish(root, key, tmp)


def _publish(root: Path, key: str, tmp: Path) -> Path:
    """Move the written folder to ``<key>@<token>`` and point the link ``<key>`` at it."""
    token = tmp.name[len(_TMP) + len(key) + 1:]
    data = root / f"{key}@{token}"
    os.replace(tmp, data)
    target = root / key
    link = root / f"{_TMP}{key}-{token}.link"
    try:
        os.symlink(data.name, link)
    except (OSError, NotImplementedError):  # no symbolic links here: replace the folder instead
        shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(data, target)
        except OSError:  # another process wrote the same entry first: keep theirs
            shutil.rmtree(data, ignore_errors=True)
        return target
    old = _link_target(target)
    if target.is_dir() and not target.is_symlink():  # a folder of an older version
        aside = root / f"{_TMP}{key}-{token}.old"
        os.replace(target, aside)
        shutil.rmtree(aside, ignore_errors=True)
    os.replace(link, target)
    if old is not None and old != data:
        shutil.rmtree(old, ignore_errors=True)
    return target


def _link_target(path: Path) -> Path | None:
    """The folder a link ``path`` points to (None if it is not a link)."""
    try:
        return path.parent / os.readlink(path)
    except OSError:
        return None


def cached_entry(
    key: str,
    compute: Compute,
    *,
    use_cache: bool = True,
    required: Sequence[str] = (),
) -> CacheEntry:
    """Return the entry for ``key``, computing and storing it if missing or unreadable.

    ``compute()`` returns ``(model, meta, arrays)``. ``entry.meta["from_cache"]`` says whether the
    entry was found. ``required`` lists metadata keys a usable entry must have. With
    ``use_cache=False`` the result is computed and neither read from nor written to disk.
    """
    if use_cache:
        hit = _MEMORY.get(key) or load_cached(key, required=required)
        if hit is not None:
            hit._compute = hit._compute or compute
            _MEMORY[key] = hit
            return _SharedEntry(hit, {**hit.meta, "from_cache": True})
    model, meta, arrays = compute()
    meta = {**meta, "cache_key": key}
    if use_cache:
        folder = save_cached(key, model, meta, arrays)
        _MEMORY[key] = CacheEntry(key, meta, model, arrays, folder, compute)
    return CacheEntry(key, {**meta, "from_cache": False}, model, arrays)


class _SharedEntry(CacheEntry):
    """A view of a memoised entry with its own ``meta``; loads go through the shared entry."""

    def __init__(self, shared: CacheEntry, meta: dict):
        super().__init__(shared.key, meta, folder=shared.folder)
        self._shared = shared

    @property
    def model(self) -> cobra.Model:
        return self._shared.model

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        return self._shared.arrays


def entry_keys() -> list[str]:
    """Keys of the entries on disk (links, and folders of older versions), sorted."""
    root = cache_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(_TMP)
                  and (p.is_symlink() or (p.is_dir() and "@" not in p.name)))


def clear_cache() -> int:
    """Delete every entry of the GEM cache (and the in-memory copies); return how many.

    Folders that another process is writing are left alone (unless older than
    :data:`STALE_TMP_SECONDS`); a process that holds an entry rebuilds it on its next use.
    """
    _MEMORY.clear()
    root = cache_root()
    if not root.is_dir():
        return 0
    count = len(entry_keys())
    for path in root.iterdir():
        if path.name.startswith(_TMP):
            if time.time() - path.lstat().st_mtime > STALE_TMP_SECONDS:
                _remove(path)
            continue
        _remove(path)
    return count


def _remove(path: Path) -> None:
    """Unlink a link or file, or delete a folder (missing is fine)."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)
