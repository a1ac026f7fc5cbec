"""On-disk cache for expensive GEM work (reduced models and their metadata).

An entry is a folder ``<cache_root>/<key>/`` holding ``model.json`` (cobra JSON, portable),
``model.pkl`` (a pickle of the same model, read first because it loads about twice as fast) and
``meta.json``. Within one process, entries already read are kept in memory and handed out as the
same object: use ``with model:`` for any change (the book's rule for shared models). The key is a hash of everything the result depends on: the input model's content
hash (:func:`helpers.gem.model_hash`), the medium's uptakes, the method, its parameters and the
seed, plus :data:`CACHE_VERSION` (bumped when an algorithm changes). Change any of them and the
entry is simply not found, so a stale result is never returned.

The root is ``$MINNBOOK_CACHE/gem`` or ``pooch.os_cache("minnbook")/gem`` (see
:func:`helpers.data.cache_dir`). :func:`clear_cache` empties it.

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

from helpers.data import cache_dir

__all__ = ["CACHE_VERSION", "cache_root", "cache_key", "load_cached", "save_cached",
           "cached_model", "clear_cache"]

CACHE_VERSION = 1

#: key -> (model, meta) already read or computed in this process.
_MEMORY: dict[str, tuple[cobra.Model, dict]] = {}


def cache_root() -> Path:
    """Folder of the GEM cache: ``helpers.data.cache_dir() / "gem"``."""
    return cache_dir() / "gem"


def cache_key(**parts: Any) -> str:
    """A short hex key from keyword parts (model hash, medium, method, seed, parameters).

    Parts must be JSON-serialisable (dicts are sorted, so their order does not matter).
    """
    versions = {"version": CACHE_VERSION, "cobra": cobra.__version__}
    payload = json.dumps({**versions, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def load_cached(key: str) -> tuple[cobra.Model, dict] | None:
    """The cached ``(model, meta)`` under ``key``, or ``None`` if absent or unreadable."""
    folder = cache_root() / key
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    try:
        with open(folder / "model.pkl", "rb") as handle:
            model = pickle.load(handle)
    except Exception:  # any unreadable pickle: fall back to the JSON copy
        try:
            model = cobra.io.load_json_model(str(folder / "model.json"))
        except (OSError, ValueError, KeyError):
            return None
    return model, meta


def save_cached(key: str, model: cobra.Model, meta: dict) -> Path:
    """Write ``model`` and ``meta`` under ``key`` atomically (a half-written entry is never seen)."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    cobra.io.save_json_model(model, str(tmp / "model.json"))
    with open(tmp / "model.pkl", "wb") as handle:
        pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
    (tmp / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True, default=str))
    target = root / key
    if target.exists():
        shutil.rmtree(target, ignore_errors=True)
    try:
        os.replace(tmp, target)
    except OSError:  # another process wrote the same entry first: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def cached_model(
    key: str,
    compute: Callable[[], tuple[cobra.Model, dict]],
    *,
    use_cache: bool = True,
) -> tuple[cobra.Model, dict]:
    """Return the cached ``(model, meta)`` for ``key``, computing and storing it if missing.

    ``meta["from_cache"]`` says which happened. With ``use_cache=False`` the result is computed
    and neither read from nor written to disk.
    """
    if use_cache:
        hit = _MEMORY.get(key) or load_cached(key)
        if hit is not None:
            _MEMORY[key] = hit
            model, meta = hit
            return model, {**meta, "from_cache": True}
    model, meta = compute()
    meta = {**meta, "cache_key": key}
    if use_cache:
        save_cached(key, model, meta)
        _MEMORY[key] = (model, meta)
    return model, {**meta, "from_cache": False}


def clear_cache() -> int:
    """Delete every entry of the GEM cache; return how many were removed."""
    _MEMORY.clear()
    root = cache_root()
    if not root.is_dir():
        return 0
    entries = [p for p in root.iterdir() if p.is_dir()]
    for path in entries:
        shutil.rmtree(path, ignore_errors=True)
    return len(entries)
