"""On-disk cache for expensive GEM work (reduced models, their matrices and metadata).

An entry is a folder ``<cache_root>/<key>/`` holding

* ``meta.json``: what was computed (method, medium, counts, timings);
* ``model.json``: the cobra model as cobra JSON (portable) and ``model.pkl``, a pickle of the same
  model that loads about twice as fast (read first; JSON is the fallback);
* ``arrays.npz``: optional numpy arrays (e.g. the sparse ``S`` and bounds for MINN), so that a
  caller who needs only arrays never builds a cobra model.

The key is a hash of everything the result depends on: the input model's content hash
(:func:`helpers.gem.model_hash`), the medium's uptakes, the method, its parameters and the seed,
plus :data:`CACHE_VERSION` (bumped when an algorithm changes) and the cobra version. Change any of
them and the entry is simply not found, so a stale result is never returned.

The model of an entry is loaded lazily, on first use, and then kept in memory for the rest of
the process and handed out as the same object: use ``with model:`` for any change (the book's rule
for shared models).

The root is ``$MINNBOOK_CACHE/gem`` or ``pooch.os_cache("minnbook")/gem`` (see
:func:`helpers.data.registry.cache_dir`). :func:`clear_cache` empties it.

Introduced in chapter ``02_gem_preparation``.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cobra
import numpy as np

from helpers.data.registry import cache_dir

__all__ = ["CACHE_VERSION", "CacheEntry", "cache_root", "cache_key", "load_cached",
           "save_cached", "cached_entry", "clear_cache"]

CACHE_VERSION = 2

#: key -> entry already read or computed in this process.
_MEMORY: dict[str, CacheEntry] = {}


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
    """One cached result: ``meta`` (a dict), a lazily loaded cobra ``model`` and ``arrays``."""

    def __init__(
        self,
        key: str,
        meta: dict,
        model: cobra.Model | None = None,
        arrays: dict[str, np.ndarray] | None = None,
        folder: Path | None = None,
    ):
        self.key = key
        self.meta = meta
        self._model = model
        self._arrays = arrays
        self.folder = folder

    @property
    def model(self) -> cobra.Model:
        """The cobra model (read from disk on first access: pickle first, then JSON)."""
        if self._model is None:
            self._model = _read_model(self.folder)
        return self._model

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """The stored arrays (empty dict if none were stored)."""
        if self._arrays is None:
            path = self.folder / "arrays.npz" if self.folder else None
            if path is not None and path.is_file():
                with np.load(path, allow_pickle=False) as data:
                    self._arrays = {name: data[name] for name in data.files}
            else:
                self._arrays = {}
        return self._arrays


def _read_model(folder: Path) -> cobra.Model:
    try:
        with open(folder / "model.pkl", "rb") as handle:
            return pickle.load(handle)
    except Exception:  # any unreadable pickle: fall back to the JSON copy
        return cobra.io.load_json_model(str(folder / "model.json"))


def load_cached(key: str) -> CacheEntry | None:
    """The cache entry under ``key`` (model not yet loaded), or ``None`` if absent/unreadable."""
    folder = cache_root() / key
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if not ((folder / "model.pkl").is_file() or (folder / "model.json").is_file()):
        return None
    return CacheEntry(key, meta, folder=folder)


def save_cached(
    key: str, model: cobra.Model, meta: dict, arrays: dict[str, np.ndarray] | None = None
) -> Path:
    """Write an entry under ``key`` atomically (a half-written entry is never seen)."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    cobra.io.save_json_model(model, str(tmp / "model.json"))
    with open(tmp / "model.pkl", "wb") as handle:
        pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
    if arrays:
        np.savez(tmp / "arrays.npz", **arrays)
    (tmp / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True, default=str))
    target = root / key
    if target.exists():
        shutil.rmtree(target, ignore_errors=True)
    try:
        os.replace(tmp, target)
    except OSError:  # another process wrote the same entry first: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def cached_entry(
    key: str,
    compute: Callable[[], tuple[cobra.Model, dict, dict[str, np.ndarray] | None]],
    *,
    use_cache: bool = True,
) -> CacheEntry:
    """Return the entry for ``key``, computing and storing it if missing.

    ``compute()`` returns ``(model, meta, arrays)``. ``entry.meta["from_cache"]`` says whether the
    entry was found. With ``use_cache=False`` the result is computed and neither read from nor
    written to disk.
    """
    if use_cache:
        hit = _MEMORY.get(key) or load_cached(key)
        if hit is not None:
            _MEMORY[key] = hit
            return _SharedEntry(hit, {**hit.meta, "from_cache": True})
    model, meta, arrays = compute()
    meta = {**meta, "cache_key": key}
    if use_cache:
        folder = save_cached(key, model, meta, arrays)
        _MEMORY[key] = CacheEntry(key, meta, model, arrays, folder)
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


def clear_cache() -> int:
    """Delete every entry of the GEM cache (and the in-memory copies); return how many."""
    _MEMORY.clear()
    root = cache_root()
    if not root.is_dir():
        return 0
    entries = [p for p in root.iterdir() if p.is_dir()]
    for path in entries:
        shutil.rmtree(path, ignore_errors=True)
    return len(entries)
