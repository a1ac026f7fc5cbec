"""The parallel run: compute every pending unit, ``n_jobs`` at a time, at most one computation
per unit at a time, and no worker outliving its runner.

- **Claims.** Before computing a unit a worker creates ``.<sample>.claim`` beside it
  (``O_CREAT | O_EXCL``, holding its pid and host) and removes it when the unit is written. A
  second runner skips a unit whose claim belongs to a live process; the claim of a dead process
  is taken over (under a lock on the study folder, so two runners never take it over both).
- **No orphans.** Each worker process watches the runner's pid (before each unit and from a
  watchdog thread): when the runner is gone (e.g. killed with SIGKILL) the worker exits.
- **Temporary files.** A killed write leaves ``.<sample>.<random>.tmp``; the next run removes
  those whose unit is not claimed by a live process.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from helpers.book.paper import inputs
from helpers.book.paper.catalogue import Study, select
from helpers.book.paper.units import pending, run_unit, scan_unit, store_dir, unit_path

#: Seconds between two checks of the runner's pid by a worker's watchdog thread.
WATCH_SECONDS = 1.0
#: A claim file still empty, or a temporary file, this many seconds old was left by a killed
#: process (writing either takes milliseconds).
LEFT_SECONDS = 60.0

_watched: set[int] = set()


def claim_path(study: Study, sample: str) -> Path:
    """``<store>/<chapter>/<study>/.<sample>.claim``."""
    return unit_path(study, sample).with_name(f".{sample}.claim")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _claim_is_live(path: Path) -> bool:
    """Whether the claim at ``path`` belongs to a live process (a claim of another host is)."""
    try:
        text = path.read_text().split()
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return False
    if len(text) < 2 or not text[0].isdigit():
        return age < LEFT_SECONDS  # being written now, or left empty by a killed process
    return text[1] != socket.gethostname() or _alive(int(text[0]))


def _create_claim(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as handle:
        handle.write(f"{os.getpid()} {socket.gethostname()}\n")
    return True


def claim(study: Study, sample: str) -> Path | None:
    """Claim one unit for this process: the claim's path, or None when a live process holds it.

    A claim left by a dead process is taken over, under an exclusive lock on the study folder's
    ``.takeover.lock`` so that only one runner removes it.
    """
    path = claim_path(study, sample)
    path.parent.mkdir(parents=True, exist_ok=True)
    if _create_claim(path):
        return path
    with open(path.parent / ".takeover.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists() and _claim_is_live(path):
            return None
        path.unlink(missing_ok=True)
        return path if _create_claim(path) else None


def release(path: Path) -> None:
    """Remove a claim this process holds."""
    path.unlink(missing_ok=True)


def clean_temporary(studies: list[Study]) -> list[Path]:
    """Remove the ``.<sample>.<random>.tmp`` files a killed write left in the folders of
    ``studies`` (older than :data:`LEFT_SECONDS`, of a unit no live process claims); returns the
    removed paths."""
    removed, now = [], time.time()
    for study in studies:
        folder = store_dir() / study.chapter / study.key
        if not folder.is_dir():
            continue
        for tmp in folder.glob(".*.tmp"):
            sample = tmp.name[1:-len(".tmp")].rsplit(".", 1)[0]
            try:
                fresh = now - tmp.stat().st_mtime < LEFT_SECONDS
            except FileNotFoundError:
                continue
            if not fresh and not _claim_is_live(claim_path(study, sample)):
                tmp.unlink(missing_ok=True)
                removed.append(tmp)
    return removed


def _watch(parent: int) -> None:
    """Exit this worker now if the runner ``parent`` is gone, and watch it from a thread."""
    if os.getpid() == parent:
        return  # the runner itself (one job runs in-process)
    if os.getppid() != parent:
        os._exit(3)
    if parent in _watched:
        return
    _watched.add(parent)

    def watchdog() -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watchdog, name="paper-runner-watchdog", daemon=True).start()


def work(unit_fn: Callable[..., Path], study: Study, sample: str, seed: int, device: str,
         parent: int) -> tuple[Path, bool]:
    """What one parallel job does: claim the unit, compute it unless it is done, release it.
    Returns the unit's path and whether this job computed it (False: claimed by another
    process, or already done)."""
    _watch(parent)
    path = unit_path(study, sample)
    held = claim(study, sample)
    if held is None:
        return path, False
    try:
        if scan_unit(study, sample, seed=seed).state == "done":
            return path, False
        return unit_fn(study, sample, seed, device), True
    finally:
        release(held)


def check_device(device: str) -> None:
    """A :class:`ValueError` naming ``device`` when torch does not know it."""
    import torch

    try:
        torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(f"Unknown device {device!r} ({exc}); use cpu, cuda or cuda:N.") from None


def run(chapters=None, studies=None, *, n_jobs: int = 2, seed: int = 0, device: str = "cpu",
        limit: int | None = None, verbose: bool = True,
        unit_fn: Callable[..., Path] = run_unit) -> int:
    """Compute every pending unit (at most ``limit``), ``n_jobs`` at a time; returns how many
    this run computed (units claimed by another runner are skipped).

    Each finished unit is on disk before the next starts on that worker, so an interrupted run
    resumes where it stopped. ``unit_fn(study, sample, seed, device)`` computes and writes one
    unit (:func:`~helpers.book.paper.units.run_unit`; tests pass a stand-in).
    """
    from joblib import Parallel, delayed

    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError(f"The limit must be a number of units >= 0; got {limit!r}.")
    check_device(device)
    chosen = select(chapters, studies)
    clean_temporary(chosen)
    todo = pending(chapters, studies, seed)[:limit]
    if verbose:
        print(f"{len(todo)} unit(s) to compute with {n_jobs} worker(s)", flush=True)
    if not todo:
        return 0
    if unit_fn is run_unit:  # warm the GEM cache before forking workers
        inputs.warm([study for study, _ in todo if isinstance(study, Study)], seed)
    parent = os.getpid()
    jobs = (delayed(work)(unit_fn, study, sample, seed, device, parent) for study, sample in todo)
    computed = 0
    for path, done in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(jobs):
        computed += done
        if verbose:
            note = "done" if done else "skipped (claimed by another runner, or done)"
            print(f"{time.strftime('%H:%M:%S')} {note} {path.relative_to(store_dir())}",
                  flush=True)
    return computed
