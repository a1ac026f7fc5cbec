"""Data registry: every external file the book reads, by canonical URL and sha256.

Files are fetched with :mod:`pooch` into a per-user cache and verified against their hash.
Set ``MINNBOOK_DATA`` to a local mirror folder (same layout as the registry keys, e.g.
``ishii/fluxomics.csv``) to run offline: the mirror copy is verified and used in place,
never modified. cobra's bundled models (``textbook`` = e_coli_core, ``iJO1366``) are not here:
load those with :func:`cobra.io.load_model`.

Introduced in chapter ``01_dataset``.
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():
    # pooch imports tqdm.auto, which warns "IProgress not found" (with a machine path) in a kernel
    # without ipywidgets; the book shows no download progress bars, so the warning is noise.
    warnings.filterwarnings("ignore", message="IProgress not found")
    import pooch

__all__ = [
    "REGISTRY",
    "DataFile",
    "DataError",
    "ChecksumError",
    "DataMissingError",
    "fetch",
    "sha256sum",
    "cache_dir",
    "offline",
]

ENV_MIRROR = "MINNBOOK_DATA"
ENV_CACHE = "MINNBOOK_CACHE"
ENV_OFFLINE = "MINNBOOK_OFFLINE"

#: The registry's table (key, url, sha256, description per file), shipped with the package.
_TABLE = Path(__file__).with_name("registry.json")


@dataclass(frozen=True)
class DataFile:
    """One registered file: where it comes from, its hash and what it is."""

    key: str
    url: str
    sha256: str
    description: str


class DataError(RuntimeError):
    """Base class of the data registry's errors."""


class ChecksumError(DataError):
    """A file's sha256 differs from the registry's."""


class DataMissingError(DataError):
    """A file is neither in the mirror nor in the cache, and cannot be downloaded."""


@functools.cache
def _entries() -> tuple[DataFile, ...]:
    """The registry's table, read once from ``registry.json`` beside this module.

    One object per file, in the order the book introduces them, with the fields of
    :class:`DataFile`; URLs are pinned to a commit so that the sha256 stays valid.
    """
    rows = json.loads(_TABLE.read_text(encoding="utf-8"))
    return tuple(DataFile(**row) for row in rows)


REGISTRY: dict[str, DataFile] = {entry.key: entry for entry in _entries()}


def sha256sum(path: str | os.PathLike) -> str:
    """Return the hex sha256 of a file (:func:`pooch.file_hash`, the hash pooch verifies)."""
    return pooch.file_hash(os.fspath(path), alg="sha256")


def cache_dir() -> Path:
    """The download cache: ``$MINNBOOK_CACHE`` or the OS user cache (``pooch.os_cache``)."""
    override = os.environ.get(ENV_CACHE)
    return Path(override) if override else Path(pooch.os_cache("minnbook"))


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def offline() -> bool:
    """Whether ``MINNBOOK_OFFLINE`` forbids downloads (1/true/yes/on; 0/false/no/off or unset: no).

    Any other value is a :class:`DataError` naming the variable and the value.
    """
    value = os.environ.get(ENV_OFFLINE, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise DataError(f"{ENV_OFFLINE}={os.environ[ENV_OFFLINE]!r} is not understood: use 1/true/yes/on "
                    f"to forbid downloads, or 0/false/no/off (or unset it) to allow them.")


def _entry(key: str, registry: dict[str, DataFile]) -> DataFile:
    try:
        return registry[key]
    except KeyError:
        known = ", ".join(sorted(registry))
        raise KeyError(f"Unknown data file {key!r}. Registered files: {known}") from None


def _verify(path: Path, entry: DataFile) -> Path:
    actual = sha256sum(path)
    if actual != entry.sha256:
        raise ChecksumError(
            f"Checksum mismatch for {entry.key!r} at {path}: expected sha256 {entry.sha256}, "
            f"got {actual}. The file is corrupt or a different version; delete it (or fix the "
            f"mirror) and fetch it again from {entry.url}."
        )
    return path


def fetch(key: str, *, registry: dict[str, DataFile] | None = None) -> Path:
    """Return a verified local path for the registered file ``key``.

    Looks in ``$MINNBOOK_DATA`` first (a read-only mirror), then in the cache, then downloads
    with pooch unless ``MINNBOOK_OFFLINE=1``. Raises :class:`ChecksumError` if the hash differs
    and :class:`DataMissingError` if the file cannot be had offline.
    """
    entry = _entry(key, registry if registry is not None else REGISTRY)
    mirror = os.environ.get(ENV_MIRROR)
    if mirror:
        candidate = Path(mirror) / entry.key
        if candidate.is_file():
            return _verify(candidate, entry)
        raise DataMissingError(
            f"{entry.key!r} is not in the mirror {ENV_MIRROR}={mirror} (looked for {candidate}). "
            f"Copy it there from {entry.url}, or unset {ENV_MIRROR} to download it into the cache."
        )
    target = cache_dir() / entry.key
    if target.is_file():
        return _verify(target, entry)
    if offline():
        raise DataMissingError(
            f"{entry.key!r} is not cached at {target} and {ENV_OFFLINE} is set. Set {ENV_MIRROR} "
            f"to a folder holding a copy (laid out as the registry keys), or go online to download "
            f"{entry.url}."
        )
    try:
        downloaded = pooch.retrieve(
            url=entry.url,
            known_hash=f"sha256:{entry.sha256}",
            fname=Path(entry.key).name,
            path=target.parent,
            progressbar=False,
        )
    except ValueError as exc:  # pooch reports a hash mismatch as ValueError
        raise ChecksumError(f"Checksum mismatch downloading {entry.key!r} from {entry.url}: {exc}") from exc
    except Exception as exc:  # network failure: say what to do offline
        raise DataMissingError(
            f"Could not download {entry.key!r} from {entry.url} ({exc.__class__.__name__}: {exc}). "
            f"Offline? Set {ENV_MIRROR} to a folder holding a copy of the data (laid out as the "
            "registry keys)."
        ) from exc
    return Path(downloaded)
